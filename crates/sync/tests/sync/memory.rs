//! An in-memory [`SyncLocal`]: the outbox, the orders the desk holds (by server id), the cursor,
//! and what the engine said about each entry — what the tests look at.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use orderdesk_sync::{
    EntryId, EntryStatus, LocalError, LocalResult, LocalSnapshot, OutboxEntry, OutboxOp,
    ServerOrder, SyncLocal, TmfError,
};
use serde_json::{json, Value};

#[derive(Debug, Default)]
pub struct Memory {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
pub struct State {
    next: EntryId,
    pub outbox: Vec<OutboxEntry>,
    /// Local order id → server id.
    pub server_ids: HashMap<String, String>,
    /// Server id → the server's copy.
    pub orders: HashMap<String, ServerOrder>,
    /// Local order id → the refusal shown on it.
    pub errors: HashMap<String, TmfError>,
    /// Entry → the server's order it conflicted with.
    pub conflicts: HashMap<EntryId, ServerOrder>,
    /// Entries sent, in order, with the server id.
    pub sent: Vec<(EntryId, String)>,
    pub cursor: Option<u64>,
    /// `mark_sent` fails this many times (a crash between the server's answer and the write).
    pub fail_mark_sent: u32,
}

impl Memory {
    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    fn push(&self, order: &str, op: OutboxOp, key: String) -> EntryId {
        self.with(|s| {
            s.next += 1;
            let id = s.next;
            s.outbox.push(OutboxEntry {
                id,
                order: order.to_owned(),
                server_id: None,
                op,
                idempotency_key: key,
                attempts: 0,
                next_attempt_at: None,
                status: EntryStatus::Pending,
            });
            id
        })
    }

    /// Captures an order offline: a create entry whose key is also its `externalId`.
    pub fn capture(&self, order: &str, mut body: Value, v4: bool) -> EntryId {
        let key = format!("desk-{order}");
        body["externalId"] = if v4 {
            json!(key)
        } else {
            json!([{"id": key, "owner": "desk", "@type": "ExternalIdentifier"}])
        };
        self.push(order, OutboxOp::Create { body }, key)
    }

    pub fn amend(&self, order: &str, patch: Value, if_match: Option<u32>) -> EntryId {
        let key = format!("desk-{order}-amend-{}", self.with(|s| s.next + 1));
        self.push(order, OutboxOp::Amend { patch, if_match }, key)
    }

    /// An order the desk already holds, as the server had it.
    pub fn hold(&self, local: &str, order: ServerOrder) {
        self.with(|s| {
            s.server_ids.insert(local.to_owned(), order.id.clone());
            s.orders.insert(order.id.clone(), order);
        })
    }

    pub fn unsent(&self) -> usize {
        self.with(|s| s.outbox.len())
    }

    pub fn entry(&self, id: EntryId) -> Option<OutboxEntry> {
        self.with(|s| s.outbox.iter().find(|e| e.id == id).cloned())
    }

    pub fn server_id(&self, local: &str) -> Option<String> {
        self.with(|s| s.server_ids.get(local).cloned())
    }

    pub fn order(&self, server_id: &str) -> Option<ServerOrder> {
        self.with(|s| s.orders.get(server_id).cloned())
    }

    fn entry_mut<T>(
        &self,
        id: EntryId,
        f: impl FnOnce(&mut OutboxEntry, &mut State) -> T,
    ) -> LocalResult<T> {
        self.with(|s| {
            let i = s
                .outbox
                .iter()
                .position(|e| e.id == id)
                .ok_or_else(|| LocalError::msg(format!("no entry {id}")))?;
            let mut entry = s.outbox[i].clone();
            let out = f(&mut entry, s);
            s.outbox[i] = entry;
            Ok(out)
        })
    }
}

impl SyncLocal for Memory {
    fn pending_outbox(&self) -> LocalResult<Vec<OutboxEntry>> {
        Ok(self.with(|s| {
            s.outbox
                .iter()
                .map(|e| OutboxEntry {
                    server_id: s.server_ids.get(&e.order).cloned(),
                    ..e.clone()
                })
                .collect()
        }))
    }

    fn mark_sent(
        &self,
        entry: EntryId,
        server_id: &str,
        order: Option<&ServerOrder>,
    ) -> LocalResult<()> {
        self.with(|s| {
            if s.fail_mark_sent > 0 {
                s.fail_mark_sent -= 1;
                return Err(LocalError::msg("the disk is full (test)"));
            }
            let i = s
                .outbox
                .iter()
                .position(|e| e.id == entry)
                .ok_or_else(|| LocalError::msg(format!("no entry {entry}")))?;
            let e = s.outbox.remove(i);
            s.server_ids.insert(e.order.clone(), server_id.to_owned());
            if let Some(order) = order {
                s.orders.insert(server_id.to_owned(), order.clone());
            }
            s.sent.push((entry, server_id.to_owned()));
            Ok(())
        })
    }

    fn mark_retry(
        &self,
        entry: EntryId,
        attempts: u32,
        next_attempt_at: DateTime<Utc>,
        _reason: &str,
    ) -> LocalResult<()> {
        self.entry_mut(entry, |e, _| {
            e.attempts = attempts;
            e.next_attempt_at = Some(next_attempt_at);
        })
    }

    fn mark_failed(&self, entry: EntryId, error: &TmfError) -> LocalResult<()> {
        self.entry_mut(entry, |e, s| {
            e.status = EntryStatus::Failed;
            s.errors.insert(e.order.clone(), error.clone());
        })
    }

    fn mark_conflict(&self, entry: EntryId, current: &ServerOrder) -> LocalResult<()> {
        self.entry_mut(entry, |e, s| {
            e.status = EntryStatus::Conflict;
            s.conflicts.insert(e.id, current.clone());
            s.orders.insert(current.id.clone(), current.clone());
        })
    }

    fn snapshot(&self, server_id: &str) -> LocalResult<Option<LocalSnapshot>> {
        Ok(self.with(|s| {
            let local = s
                .server_ids
                .iter()
                .find(|(_, sid)| sid.as_str() == server_id)
                .map(|(l, _)| l.clone());
            let order = s.orders.get(server_id);
            if local.is_none() && order.is_none() {
                return None;
            }
            let unsent = local.map_or(0, |l| s.outbox.iter().filter(|e| e.order == l).count());
            Some(LocalSnapshot {
                server_version: order.and_then(|o| o.version),
                unsent: u32::try_from(unsent).unwrap_or(u32::MAX),
            })
        }))
    }

    fn apply_pulled(&self, order: &ServerOrder) -> LocalResult<bool> {
        Ok(self.with(|s| {
            let changed = s.orders.get(&order.id) != Some(order);
            s.orders.insert(order.id.clone(), order.clone());
            changed
        }))
    }

    fn refresh_order(&self, order: &ServerOrder) -> LocalResult<()> {
        self.with(|s| s.orders.insert(order.id.clone(), order.clone()));
        Ok(())
    }

    fn cursor(&self) -> LocalResult<Option<u64>> {
        Ok(self.with(|s| s.cursor))
    }

    fn set_cursor(&self, cursor: u64) -> LocalResult<()> {
        self.with(|s| s.cursor = Some(cursor));
        Ok(())
    }

    fn open_orders(&self) -> LocalResult<Vec<String>> {
        const FINAL: &[&str] = &["completed", "cancelled", "rejected", "failed", "partial"];
        Ok(self.with(|s| {
            s.orders
                .values()
                .filter(|o| !o.state.as_deref().is_some_and(|st| FINAL.contains(&st)))
                .map(|o| o.id.clone())
                .collect()
        }))
    }
}
