//! Order history, for supervisors: an order's versions and the diff between two, read from the
//! server (which holds every version) and kept for the session, so a history once read still
//! shows offline.

use orderdesk_sync::client::desk::{OrderDiff, OrderVersion};
use std::collections::HashMap;
use std::sync::Mutex;

use crate::desk::{map_sync, Desk};
use crate::error::DeskError;
use crate::permission::Permission;

/// A diff asked for: the order's server id, `from`, `to`.
type DiffKey = (String, Option<u32>, Option<u32>);

/// What the desk has read of order histories this session.
#[derive(Debug, Default)]
pub struct HistoryCache {
    versions: Mutex<HashMap<String, Vec<OrderVersion>>>,
    diffs: Mutex<HashMap<DiffKey, OrderDiff>>,
}

impl Desk {
    /// The order's versions, oldest first.
    pub async fn versions(&self, order: &str) -> Result<Vec<OrderVersion>, DeskError> {
        self.require(Permission::ReadHistory)?;
        let sid = self.server_order_id(order, "reading history")?;
        let cache = &self.inner.history;
        match self.client().versions(&sid).await {
            Ok(list) => {
                cache
                    .versions
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(sid, list.clone());
                Ok(list)
            }
            Err(e @ orderdesk_sync::SyncError::Offline(_)) => cache
                .versions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&sid)
                .cloned()
                .ok_or_else(|| map_sync(e, "reading history")),
            Err(e) => Err(map_sync(e, "reading history")),
        }
    }

    /// What changed between versions `from` and `to` (default: the last two).
    pub async fn diff(
        &self,
        order: &str,
        from: Option<u32>,
        to: Option<u32>,
    ) -> Result<OrderDiff, DeskError> {
        self.require(Permission::ReadHistory)?;
        let sid = self.server_order_id(order, "reading history")?;
        let key = (sid.clone(), from, to);
        let cache = &self.inner.history;
        match self.client().diff(&sid, from, to).await {
            Ok(diff) => {
                cache
                    .diffs
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, diff.clone());
                Ok(diff)
            }
            Err(e @ orderdesk_sync::SyncError::Offline(_)) => cache
                .diffs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&key)
                .cloned()
                .ok_or_else(|| map_sync(e, "reading history")),
            Err(e) => Err(map_sync(e, "reading history")),
        }
    }
}
