//! `orderdesk-sync`: how a desk keeps its local orders and the central server in step. The
//! desktop's only HTTP code.
//!
//! * [`local`]: the boundary with the desk's local store — the [`SyncLocal`] trait the desk core
//!   implements, and the values that cross it (outbox entries, server orders, snapshots);
//! * [`decide`]: the sync decisions as pure functions (what to send, what an answer means, how
//!   long to back off, how a pulled order merges, what the online indicator shows);
//! * [`client`]: [`ServerClient`], TMF622 v4/v5 against any server plus the Orderdesk desk
//!   extension (queues, credit, history, changes feed, live push) and reference data;
//! * [`engine`]: the tokio tasks that push the outbox and pull changes, doing only I/O;
//! * [`error`]: [`SyncError`], which keeps the server's TMF error body.
//!
//! Deliberately not here: SQL (the store crate's), what the desk shows (the desktop's), and any
//! business rule (the domain's).

pub mod client;
pub mod decide;
pub mod engine;
pub mod error;
pub mod local;

pub use client::{ApiVersion, Endpoint, ServerClient};
pub use engine::{EngineConfig, ServerMode, SyncEngine, SyncEvent, SyncHandle, SyncStatus};
pub use error::SyncError;
pub use local::{
    EntryId, EntryStatus, LocalError, LocalResult, LocalSnapshot, OutboxEntry, OutboxOp,
    ServerOrder, SyncLocal, TmfError,
};
