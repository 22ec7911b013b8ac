//! The Orderdesk desktop's core, without a window: everything the desk does, driven by the
//! Tauri shell (`src-tauri`) in the app and directly by tests.
//!
//! - [`Desk`]: one signed-in user's desk, built once at sign-in ([`Desk::open`]). Its methods,
//!   one module per screen area — [`catalog`] (quotes), [`capture`], [`orders`], [`queue`],
//!   [`approvals`], [`history`], [`sync_status`] — each check the user's right first
//!   ([`permission`]), then read the local store, validate with the domain, write one local
//!   transaction, or call the server through the sync client.
//! - [`permission`]: the role → rights table; [`session`]: who is signed in, their profile.
//! - [`reference`]: the reference data local validation reads, offline; [`refresh`] brings it
//!   up to date from the server.
//! - [`events`]: typed change notifications ([`DeskEvent`]) on a broadcast channel.
//! - [`error`]: [`DeskError`] with a stable machine code per variant.
//!
//! Invariants: no tauri, no SQL (the store crate), no HTTP (the sync crate); decisions come
//! from the domain and from pure functions here; time and ids are passed in ([`clock`]).

pub mod approvals;
pub mod capture;
pub mod catalog;
pub mod clock;
mod desk;
pub mod error;
pub mod events;
pub mod history;
pub mod history_search;
pub mod local;
pub mod orders;
pub mod permission;
pub mod progress;
pub mod queue;
pub mod reference;
pub mod refresh;
pub mod session;
pub mod sync_status;

pub use desk::{Desk, DeskConfig};
pub use error::DeskError;
pub use events::{DeskEvent, SyncStatus};
pub use permission::{Permission, Role};
pub use session::Session;
