//! [`DeskLocal`]: the sync engine's view of the desk's local store ([`SyncLocal`]), and the one
//! place that knows how a local order and its server copy are tied together.
//!
//! An order captured at the desk is stored under a local id (the server allocates its own id
//! when the create arrives). The create body carries the desk's idempotency key as an external
//! id (owner [`DESK_EXTERNAL_ID_OWNER`]); when the server's copy first comes back (as the
//! create's answer, or through the changes feed before it), the local order keeps its local id
//! and records the server's id as an external id owned by [`SERVER_ID_OWNER`]. Orders first
//! seen from the server are stored under the server's id. So a local order is found by its
//! local id, by the server's id, or by its idempotency key, and never twice.
//!
//! Every write here is announced as a [`DeskEvent::OrderChanged`] once committed.

use chrono::{DateTime, Duration, Utc};
use orderdesk_domain::order::ExternalId;
use orderdesk_domain::{OrderId, OrderState, ProductOrder};
use orderdesk_store::local::{
    LocalOrder, LocalStore, OrderListQuery, OutboxKind, PulledOrder, ServerAck, SyncStatus,
    SyncStatusKind,
};
use orderdesk_store::StoreError;
use orderdesk_sync::{
    EntryId, EntryStatus, LocalError, LocalResult, LocalSnapshot, OutboxEntry, OutboxOp,
    ServerOrder, SyncLocal, TmfError,
};
use std::sync::Arc;
use tokio::sync::broadcast;

use crate::capture::DESK_EXTERNAL_ID_OWNER;
use crate::clock::Clock;
use crate::desk::search_text;
use crate::events::DeskEvent;
use crate::reference::ReferenceSnapshot;

/// The owner of the external id that records a local order's id on the server.
pub const SERVER_ID_OWNER: &str = "orderdesk-server";

/// How many outbox entries one drain pass may see.
const OUTBOX_PAGE: u32 = 10_000;

/// The local store as the sync engine and the desk's own methods see it.
pub struct DeskLocal {
    store: Arc<LocalStore>,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<DeskEvent>,
    reference: std::sync::RwLock<Option<Arc<ReferenceSnapshot>>>,
}

impl std::fmt::Debug for DeskLocal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskLocal")
            .field("store", &self.store.path())
            .finish_non_exhaustive()
    }
}

fn local_error(e: StoreError) -> LocalError {
    LocalError::new(e)
}

/// The server's id recorded on a local order, if the server has named it.
pub fn recorded_server_id(order: &ProductOrder) -> Option<&str> {
    order
        .external_ids
        .iter()
        .find(|e| e.owner.as_deref() == Some(SERVER_ID_OWNER))
        .map(|e| e.id.as_str())
}

/// The server's copy of an order, under the local id it is known by here (recording the
/// server's id when the two differ).
pub fn as_local(mut server: ProductOrder, local_id: &OrderId) -> ProductOrder {
    if server.id != *local_id {
        let server_id = server.id.to_string();
        server.id = local_id.clone();
        server
            .external_ids
            .retain(|e| e.owner.as_deref() != Some(SERVER_ID_OWNER));
        server.external_ids.push(ExternalId {
            owner: Some(SERVER_ID_OWNER.to_owned()),
            kind: Some("serverId".to_owned()),
            id: server_id,
        });
    }
    server
}

/// The order as the server should see it: without the desk's record of the server's id.
pub fn for_server(order: &ProductOrder) -> ProductOrder {
    let mut out = order.clone();
    out.external_ids
        .retain(|e| e.owner.as_deref() != Some(SERVER_ID_OWNER));
    out
}

impl DeskLocal {
    pub(crate) fn new(
        store: Arc<LocalStore>,
        clock: Arc<dyn Clock>,
        events: broadcast::Sender<DeskEvent>,
    ) -> Self {
        Self {
            store,
            clock,
            events,
            reference: std::sync::RwLock::new(None),
        }
    }

    /// The reference data search text is read from (customer names, addresses).
    pub(crate) fn set_reference(&self, snapshot: Arc<ReferenceSnapshot>) {
        *self.reference.write().unwrap_or_else(|p| p.into_inner()) = Some(snapshot);
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn announce(&self, order: &LocalOrder) {
        let _ = self.events.send(DeskEvent::OrderChanged {
            order: order.order.id.to_string(),
            server_id: self.server_id_of(order),
        });
    }

    fn announce_id(&self, id: &OrderId) {
        if let Ok(Some(order)) = self.store.get_order(id) {
            self.announce(&order);
        }
    }

    /// The server's id of a local order: the recorded one, or its own id once the server has a
    /// version of it; `None` while its create has not reached the server.
    pub fn server_id_of(&self, order: &LocalOrder) -> Option<String> {
        recorded_server_id(&order.order)
            .map(str::to_owned)
            .or_else(|| order.server_version.map(|_| order.order.id.to_string()))
    }

    /// A local order by its local id or by the server's id.
    pub fn find(&self, id: &str) -> Result<Option<LocalOrder>, StoreError> {
        if let Some(order) = self.store.get_order(&OrderId::new(id))? {
            return Ok(Some(order));
        }
        Ok(self
            .store
            .get_by_external_id(id)?
            .filter(|o| recorded_server_id(&o.order) == Some(id)))
    }

    /// The local order a server copy belongs to: by id, or (our own create, seen before its
    /// answer) by the desk's idempotency external id.
    fn local_of(&self, server: &ProductOrder) -> Result<Option<LocalOrder>, StoreError> {
        if let Some(order) = self.find(server.id.as_str())? {
            return Ok(Some(order));
        }
        for e in &server.external_ids {
            if e.owner.as_deref() == Some(DESK_EXTERNAL_ID_OWNER) {
                if let Some(order) = self.store.get_by_external_id(&e.id)? {
                    return Ok(Some(order));
                }
            }
        }
        Ok(None)
    }

    /// Orders waiting for the user: refused or in conflict.
    pub fn conflict_count(&self) -> u32 {
        let query = OrderListQuery {
            sync: Some(SyncStatusKind::Conflict),
            limit: 1,
            ..OrderListQuery::default()
        };
        self.store
            .list_orders(&query)
            .ok()
            .and_then(|p| u32::try_from(p.total).ok())
            .unwrap_or(0)
    }

    fn search_text(&self, order: &ProductOrder) -> orderdesk_store::local::SearchText {
        match &*self.reference.read().unwrap_or_else(|p| p.into_inner()) {
            Some(r) => search_text(r, order),
            None => Default::default(),
        }
    }

    /// A server copy as the store merges it: under its local id, with its server version.
    fn pulled(&self, server: &ServerOrder) -> LocalResult<(PulledOrder, Option<LocalOrder>)> {
        let domain = server
            .to_domain()
            .map_err(|e| LocalError::msg(format!("server order `{}`: {e}", server.id)))?;
        let local = self.local_of(&domain).map_err(local_error)?;
        let order = match &local {
            Some(l) => as_local(domain, &l.order.id),
            None => domain,
        };
        let server_version = server.version.unwrap_or(order.version);
        let search = self.search_text(&order);
        Ok((
            PulledOrder {
                order,
                server_version,
                etag: server.version.map(|v| format!("\"{v}\"")),
                search,
            },
            local,
        ))
    }

    /// A stored outbox entry as the sync engine sees it; `None` for kinds it does not send.
    pub(crate) fn entry_of(
        &self,
        e: orderdesk_store::local::OutboxEntry,
    ) -> LocalResult<Option<OutboxEntry>> {
        let if_match = e
            .if_match
            .as_deref()
            .and_then(orderdesk_sync::client::parse_etag);
        let body = e.body.clone().unwrap_or(serde_json::Value::Null);
        let op = match e.kind {
            OutboxKind::CreateOrder => OutboxOp::Create { body },
            OutboxKind::PatchOrder => OutboxOp::Amend {
                patch: body,
                if_match,
            },
            OutboxKind::CancelOrder => OutboxOp::Cancel {
                reason: body
                    .get("cancellationReason")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
                requested_at: body
                    .get("requestedCancellationDate")
                    .and_then(|v| serde_json::from_value(v.clone()).ok()),
                if_match,
            },
            // The desk sends queue actions, credit decisions and notes while online only.
            OutboxKind::QueueAction | OutboxKind::CreditAction | OutboxKind::Note => {
                return Ok(None)
            }
        };
        let server_id = match e.kind {
            OutboxKind::CreateOrder => None,
            _ => self
                .store
                .get_order(&e.order_id)
                .map_err(local_error)?
                .and_then(|o| self.server_id_of(&o)),
        };
        Ok(Some(OutboxEntry {
            id: e.seq,
            order: e.order_id.to_string(),
            server_id,
            op,
            idempotency_key: e.idempotency_key,
            attempts: e.attempts,
            next_attempt_at: Some(e.next_attempt_at),
            status: if e.failed {
                EntryStatus::Failed
            } else {
                EntryStatus::Pending
            },
        }))
    }

    fn entry(&self, id: EntryId) -> LocalResult<orderdesk_store::local::OutboxEntry> {
        self.store
            .outbox_entry(id)
            .map_err(local_error)?
            .ok_or_else(|| LocalError::msg(format!("outbox entry {id} is gone")))
    }
}

impl SyncLocal for DeskLocal {
    fn pending_outbox(&self) -> LocalResult<Vec<OutboxEntry>> {
        // Every chain's head, due or not: the engine decides when each is due.
        let horizon = self.now() + Duration::days(365 * 100);
        let entries = self
            .store
            .pending_outbox(horizon, OUTBOX_PAGE)
            .map_err(local_error)?;
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            if let Some(entry) = self.entry_of(e)? {
                out.push(entry);
            }
        }
        Ok(out)
    }

    fn mark_sent(
        &self,
        entry: EntryId,
        server_id: &str,
        order: Option<&ServerOrder>,
    ) -> LocalResult<()> {
        let stored = self.entry(entry)?;
        let now = self.now();
        let mut ack = ServerAck::default();
        if let Some(server) = order {
            let domain = server
                .to_domain()
                .map_err(|e| LocalError::msg(format!("server order `{}`: {e}", server.id)))?;
            ack.version = server.version.or(Some(domain.version));
            ack.etag = server.version.map(|v| format!("\"{v}\""));
            ack.order = Some(as_local(domain, &stored.order_id));
        }
        let is_create = stored.kind == OutboxKind::CreateOrder;
        self.store
            .write(|tx| -> Result<(), StoreError> {
                tx.mark_sent(entry, &ack, now)?;
                // Other changes of the order may still wait (the store then keeps the local copy
                // as it is): the server's id is recorded all the same, so they can be sent.
                if is_create && server_id != stored.order_id.as_str() {
                    if let Some(mut order) = tx.get_order(&stored.order_id)? {
                        if recorded_server_id(&order.order).is_none() {
                            order.order.external_ids.push(ExternalId {
                                owner: Some(SERVER_ID_OWNER.to_owned()),
                                kind: Some("serverId".to_owned()),
                                id: server_id.to_owned(),
                            });
                            tx.save_local_order(&order, None)?;
                        }
                    }
                }
                Ok(())
            })
            .map_err(local_error)?;
        self.announce_id(&stored.order_id);
        Ok(())
    }

    fn mark_retry(
        &self,
        entry: EntryId,
        _attempts: u32,
        next_attempt_at: DateTime<Utc>,
        reason: &str,
    ) -> LocalResult<()> {
        // The store counts the attempt itself.
        self.store
            .mark_retry(entry, reason, next_attempt_at)
            .map_err(local_error)
    }

    fn mark_failed(&self, entry: EntryId, error: &TmfError) -> LocalResult<()> {
        let stored = self.entry(entry)?;
        let code = if error.code.is_empty() {
            error.status.to_string()
        } else {
            error.code.clone()
        };
        let reason = error.describe();
        self.store
            .mark_failed(entry, &code, &reason, self.now())
            .map_err(local_error)?;
        self.announce_id(&stored.order_id);
        Ok(())
    }

    fn mark_conflict(&self, entry: EntryId, current: &ServerOrder) -> LocalResult<()> {
        let stored = self.entry(entry)?;
        let now = self.now();
        let (pulled, _) = self.pulled(current)?;
        // The edit stays aside (failed: never retried, blocks the order's later changes); the
        // server's copy is recorded beside it as the conflict the user resolves.
        self.store
            .write(|tx| -> Result<(), StoreError> {
                let before = tx.get_order(&stored.order_id)?;
                tx.mark_failed(
                    entry,
                    "versionConflict",
                    "the order changed on the server",
                    now,
                )?;
                let outcome = tx.upsert_from_server(&pulled, now)?;
                // The pull may have recorded this server copy (or a newer one) as the conflict
                // already, while the edit was on the wire: the merge then skips it as not newer,
                // and the conflict the pull recorded is what the order shows, not a refusal.
                let skipped = matches!(
                    outcome,
                    orderdesk_store::local::PullOutcome::SkippedOlder { .. }
                );
                if let (true, Some(before)) = (skipped, before) {
                    if matches!(before.sync, SyncStatus::Conflict { .. }) {
                        if let Some(after) = tx.get_order(&stored.order_id)? {
                            tx.save_local_order(
                                &LocalOrder {
                                    sync: before.sync,
                                    ..after
                                },
                                None,
                            )?;
                        }
                    }
                }
                Ok(())
            })
            .map_err(local_error)?;
        self.announce_id(&stored.order_id);
        Ok(())
    }

    fn snapshot(&self, server_id: &str) -> LocalResult<Option<LocalSnapshot>> {
        let Some(order) = self.find(server_id).map_err(local_error)? else {
            return Ok(None);
        };
        let unsent = self
            .store
            .outbox_of_order(&order.order.id)
            .map_err(local_error)?
            .len();
        let known = match &order.sync {
            SyncStatus::Conflict { server_version, .. } => Some(*server_version),
            _ => order.server_version,
        };
        let rejected_or_conflict = matches!(
            order.sync,
            SyncStatus::Rejected { .. } | SyncStatus::Conflict { .. }
        );
        Ok(Some(LocalSnapshot {
            server_version: known,
            unsent: u32::try_from(unsent)
                .unwrap_or(u32::MAX)
                .max(u32::from(rejected_or_conflict)),
        }))
    }

    fn apply_pulled(&self, order: &ServerOrder) -> LocalResult<bool> {
        let (pulled, _) = self.pulled(order)?;
        let outcome = self
            .store
            .upsert_from_server(&pulled, self.now())
            .map_err(local_error)?;
        let changed = !matches!(
            outcome,
            orderdesk_store::local::PullOutcome::SkippedOlder { .. }
        );
        if changed {
            self.announce_id(&pulled.order.id);
        }
        Ok(changed)
    }

    fn refresh_order(&self, order: &ServerOrder) -> LocalResult<()> {
        self.apply_pulled(order).map(|_| ())
    }

    fn cursor(&self) -> LocalResult<Option<u64>> {
        let c = self.store.cursor().map_err(local_error)?;
        Ok((c > 0).then_some(c))
    }

    fn set_cursor(&self, cursor: u64) -> LocalResult<()> {
        self.store
            .set_cursor(cursor, self.now())
            .map_err(local_error)
    }

    fn open_orders(&self) -> LocalResult<Vec<String>> {
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .store
                .list_orders(&OrderListQuery {
                    offset,
                    limit: 500,
                    ..OrderListQuery::default()
                })
                .map_err(local_error)?;
            let n = page.items.len();
            for o in &page.items {
                let state = o.order.state();
                if state.is_terminal() || state == OrderState::Draft {
                    continue;
                }
                if let Some(id) = self.server_id_of(o) {
                    out.push(id);
                }
            }
            if n < 500 {
                return Ok(out);
            }
            offset += 500;
        }
    }
}
