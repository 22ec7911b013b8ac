//! What the desk tells its window about: typed change notifications on a broadcast channel.
//!
//! Every local write and every change the sync engine brings in is announced once, after it is
//! committed, so a listener that re-reads on an event always sees the change. The Tauri shell
//! forwards them as typed events; tests subscribe directly. A slow listener that falls behind
//! loses old events (it is told it lagged), never blocks the desk.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// How many events a listener may fall behind before it loses the oldest.
pub const EVENT_BUFFER: usize = 1024;

/// A change the window may want to re-read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum DeskEvent {
    /// An order was captured, changed locally, synced, or changed on the server.
    OrderChanged {
        /// The order's local id.
        order: String,
        /// Its id on the server, once it has one.
        server_id: Option<String>,
    },
    /// The local mirror of the work queues changed (an entry came, went, was claimed).
    QueueChanged,
    /// Connectivity, the outbox or the last error changed.
    SyncStatus(SyncStatus),
}

/// Where synchronisation stands, as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// The server answered the last attempt.
    pub online: bool,
    /// Local changes not yet accepted by the server (pending, failed and in conflict).
    pub pending: u32,
    /// Of those, the ones the server refused or that conflict: they wait for the user.
    pub needs_attention: u32,
    /// The last sync error, until a sync succeeds.
    pub last_error: Option<String>,
    /// When a push or pull last completed.
    pub last_sync: Option<DateTime<Utc>>,
}
