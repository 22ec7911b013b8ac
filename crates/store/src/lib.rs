//! Orderdesk's durable store: the only crate that speaks SQL.
//!
//! - [`central`]: the central TMF622 server's store (SQLite in WAL mode), the system of record.
//! - [`local`]: the desktop's store, one SQLite file per user profile: orders with their sync
//!   status, full-text search, the queue mirror, reference data for offline validation, and the
//!   outbox that the sync engine drains.
//! - [`migrations`]: embedded, append-only schema migrations, recorded in `schema_version`.
//! - [`StoreError`]: what can go wrong, named for the caller's decisions (not found, version
//!   conflict, duplicate, invalid query...).
//!
//! Invariants: no other crate writes SQL; every pragma is set once when a connection opens
//! ([`connection`]); a write and its change-feed row and outbox rows commit in one transaction.
//! The domain decides, the store keeps: the store enforces only versions, uniqueness and the
//! claim rule the domain hands it.

pub mod central;
mod codec;
pub mod connection;
mod error;
pub mod local;
pub mod migrations;
mod summary;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use central::{CentralStore, CentralTx, Page};
pub use connection::StoreOptions;
pub use error::{Result, StoreError};
