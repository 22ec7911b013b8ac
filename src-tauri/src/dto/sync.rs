//! The sync status bar.

use serde::{Deserialize, Serialize};
use specta::Type;

use super::{count, opt_time};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusDto {
    pub online: bool,
    /// Local changes not yet accepted by the server.
    pub pending: u32,
    /// Of those, refused or in conflict: they wait for the user.
    pub needs_attention: u32,
    pub last_error: Option<String>,
    pub last_sync: Option<String>,
}

impl From<orderdesk_desk::SyncStatus> for SyncStatusDto {
    fn from(s: orderdesk_desk::SyncStatus) -> Self {
        Self {
            online: s.online,
            pending: count(s.pending),
            needs_attention: count(s.needs_attention),
            last_error: s.last_error,
            last_sync: opt_time(s.last_sync),
        }
    }
}
