//! Orders: the local list, one order, full-text search, and the changes an agent makes to an
//! order after capture — amend and cancel, each stored with its outbox entry in one local
//! transaction and sent by the sync engine with `If-Match` = the version the user saw (so a
//! change made against an older version surfaces as a conflict, never overwrites) — plus notes,
//! and resolving a conflict by taking the server's copy.
//!
//! Which changes wait in the outbox and which need the server:
//! - amend, cancel: can wait (outbox), like capture: offline work is never lost;
//! - notes: need the server (the desk extension adds them with author and time on the server;
//!   the local copy is kept only once the server has it).

use orderdesk_domain::desk::amend;
use orderdesk_domain::order::Note;
use orderdesk_domain::{OrderState, ProductOrder};
use orderdesk_store::local::{
    KeepLocal, LocalNote, LocalOrder, Method, NewOutboxEntry, OrderListQuery, OrderSort,
    OutboxKind, Page, SyncStatus, SyncStatusKind,
};
use orderdesk_sync::decide::{apply_merge_patch, keep_mine, KeepMine};
use orderdesk_sync::OutboxOp;
use orderdesk_tmf::{v4, v5, ApiVersion};
use serde_json::{Map, Value};

use crate::desk::{map_sync, Desk};
use crate::error::DeskError;
use crate::local::for_server;
use crate::permission::Permission;

/// The server's copy with the merge `patch` applied, as the server will apply it.
fn patched(server: &ProductOrder, patch: &Value, api: ApiVersion) -> Option<ProductOrder> {
    let mut doc = match api {
        ApiVersion::V4 => serde_json::to_value(v4::from_domain(server, "")),
        ApiVersion::V5 => serde_json::to_value(v5::from_domain(server, "")),
    }
    .ok()?;
    apply_merge_patch(&mut doc, patch);
    let order = orderdesk_sync::ServerOrder {
        id: server.id.to_string(),
        version: None,
        state: None,
        api,
        body: doc,
    };
    order.to_domain().ok()
}

/// The largest page a list returns.
pub const MAX_PAGE: u32 = 500;

/// Order fields an amendment sends (the server's amendable fields).
const AMENDABLE: &[&str] = &[
    "priority",
    "category",
    "description",
    "requestedStartDate",
    "requestedCompletionDate",
    "billingAccount",
    "payment",
    "relatedParty",
    "productOrderItem",
    "note",
];

/// A page of the local order list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderFilter {
    pub state: Option<OrderState>,
    pub sync: Option<SyncStatusKind>,
    pub oldest_first: bool,
    pub offset: u64,
    pub limit: u32,
}

/// The merge patch that asks the server for `amended`'s requested content, in `api`'s shape.
pub fn amendment_patch(amended: &ProductOrder, api: ApiVersion) -> Value {
    let full = match api {
        ApiVersion::V4 => serde_json::to_value(v4::from_domain(amended, "")),
        ApiVersion::V5 => serde_json::to_value(v5::from_domain(amended, "")),
    }
    .unwrap_or(Value::Null);
    let mut patch = Map::new();
    if let Value::Object(obj) = full {
        for field in AMENDABLE {
            if let Some(v) = obj.get(*field) {
                patch.insert((*field).to_owned(), v.clone());
            }
        }
    }
    // Item states are the server's: an amendment asks for content only.
    if let Some(Value::Array(items)) = patch.get_mut("productOrderItem") {
        for item in items {
            if let Some(obj) = item.as_object_mut() {
                obj.remove("state");
            }
        }
    }
    Value::Object(patch)
}

fn if_match_of(order: &LocalOrder) -> Option<String> {
    order
        .etag
        .clone()
        .or_else(|| order.server_version.map(|v| format!("\"{v}\"")))
}

fn non_empty(field: &str, text: &str) -> Result<String, DeskError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DeskError::invalid(field, "empty"));
    }
    Ok(t.to_owned())
}

impl Desk {
    /// A page of local orders (newest first unless asked otherwise) and how many match.
    pub fn list_orders(&self, filter: &OrderFilter) -> Result<Page<LocalOrder>, DeskError> {
        self.require(Permission::ReadOrders)?;
        let query = OrderListQuery {
            state: filter.state,
            sync: filter.sync,
            sort: if filter.oldest_first {
                OrderSort::OrderDateAsc
            } else {
                OrderSort::OrderDateDesc
            },
            offset: filter.offset,
            limit: filter.limit.clamp(1, MAX_PAGE),
        };
        self.inner
            .store
            .list_orders(&query)
            .map_err(DeskError::storage)
    }

    /// One order, by its local id or the server's id.
    pub fn order(&self, id: &str) -> Result<LocalOrder, DeskError> {
        self.require(Permission::ReadOrders)?;
        self.local_order(id)
    }

    /// The order's id on the server, once it has one.
    pub fn server_id_of(&self, order: &LocalOrder) -> Option<String> {
        self.inner.local.server_id_of(order)
    }

    /// Orders whose customer name, address, order id or external ids match `text`.
    pub fn search_orders(&self, text: &str, limit: u32) -> Result<Vec<LocalOrder>, DeskError> {
        self.require(Permission::ReadOrders)?;
        self.inner
            .store
            .search(text, limit.clamp(1, MAX_PAGE))
            .map_err(DeskError::storage)
    }

    /// Asks for the order's cancellation: stored as awaiting sync with its outbox entry, sent
    /// with `If-Match` = the version the desk holds.
    pub async fn cancel_order(&self, id: &str, reason: &str) -> Result<LocalOrder, DeskError> {
        self.require(Permission::ChangeOrders)?;
        let reason = non_empty("reason", reason)?;
        let current = self.local_order(id)?;
        let state = current.order.state();
        if state.is_terminal() || state == OrderState::Draft {
            return Err(DeskError::invalid(
                "state",
                format!("an order in state `{state}` cannot be cancelled"),
            ));
        }
        let now = self.now();
        let api = self.api();
        let entry = NewOutboxEntry {
            order_id: current.order.id.clone(),
            kind: OutboxKind::CancelOrder,
            method: Method::Post,
            path: format!(
                "{}/cancelProductOrder",
                orderdesk_sync::client::tmf622_path(api)
            ),
            body: Some(serde_json::json!({ "cancellationReason": reason })),
            idempotency_key: self.next_id("idempotencyKey"),
            if_match: if_match_of(&current),
            created_at: now,
        };
        let next = LocalOrder {
            sync: SyncStatus::AwaitingSync,
            updated_at: now,
            ..current
        };
        self.inner
            .store
            .save_local_order(&next, Some(&entry))
            .map_err(DeskError::storage)?;
        self.emit_order(&next);
        self.wake_sync().await;
        Ok(next)
    }

    /// Amends an order into `desired` (the domain decides whether it may: not finished, not
    /// being cancelled, nothing past its point of no return changed); stored as awaiting sync
    /// with the patch in the outbox, sent with `If-Match` = the version the desk holds.
    pub async fn amend_order(
        &self,
        id: &str,
        desired: &ProductOrder,
        reason: &str,
    ) -> Result<LocalOrder, DeskError> {
        self.require(Permission::ChangeOrders)?;
        let reason = non_empty("reason", reason)?;
        let current = self.local_order(id)?;
        if current.sync.kind() == SyncStatusKind::Draft {
            return Err(DeskError::invalid(
                "state",
                "a draft is edited and saved, not amended",
            ));
        }
        let mut desired = desired.clone();
        desired.id = current.order.id.clone();
        let now = self.now();
        let amendment = amend(
            &current.order,
            &desired,
            now,
            &self.session().user_id,
            &reason,
        )
        .map_err(|e| DeskError::invalid("productOrderItem", e.to_string()))?;
        let mut amended = amendment.order().clone();
        // TMF622 has no field for why an order changed: the reason travels as a note added by
        // the same patch, which the server also records as the version's reason.
        amended.notes.push(Note {
            id: Some(self.next_id("note")),
            author: Some(self.session().name.clone()),
            date: Some(now),
            text: reason.clone(),
        });
        let api = self.api();
        let server_path = match self.server_id_of(&current) {
            Some(sid) => format!(
                "{}/productOrder/{sid}",
                orderdesk_sync::client::tmf622_path(api)
            ),
            None => format!("{}/productOrder", orderdesk_sync::client::tmf622_path(api)),
        };
        let entry = NewOutboxEntry {
            order_id: current.order.id.clone(),
            kind: OutboxKind::PatchOrder,
            method: Method::Patch,
            path: server_path,
            body: Some(amendment_patch(&for_server(&amended), api)),
            idempotency_key: self.next_id("idempotencyKey"),
            if_match: if_match_of(&current),
            created_at: now,
        };
        let next = LocalOrder {
            search: self.search_text(&amended),
            order: amended,
            sync: SyncStatus::AwaitingSync,
            updated_at: now,
            ..current
        };
        self.inner
            .store
            .save_local_order(&next, Some(&entry))
            .map_err(DeskError::storage)?;
        self.emit_order(&next);
        self.wake_sync().await;
        Ok(next)
    }

    /// Resolves a conflict by taking the server's copy: the local change is dropped.
    pub fn accept_server_copy(&self, id: &str) -> Result<LocalOrder, DeskError> {
        self.require(Permission::ChangeOrders)?;
        let current = self.local_order(id)?;
        let order = self
            .inner
            .store
            .accept_server_copy(&current.order.id, self.now())
            .map_err(|e| match e {
                orderdesk_store::StoreError::Inconsistent(m) => DeskError::invalid("sync", m),
                other => DeskError::storage(other),
            })?;
        self.emit_order(&order);
        self.refresh_status_counts();
        Ok(order)
    }

    /// Resolves a conflict by keeping the local change: it is sent again on top of the server's
    /// newer version (`If-Match` = that version), so the server's other changes stay. For an
    /// amendment only the fields the user changed are sent ([`orderdesk_sync::decide::keep_mine`]:
    /// the version the user edited is read from the server to tell which; a server that keeps
    /// no versions gets every field it does not already have); where both sides changed a
    /// field, the user's value wins. A cancel is sent again as it was. When the server already
    /// has the whole change, its copy is taken and nothing is sent. The order shows the result
    /// and awaits sync; the engine sends it at once.
    pub async fn keep_local_change(&self, id: &str) -> Result<LocalOrder, DeskError> {
        self.require(Permission::ChangeOrders)?;
        let current = self.local_order(id)?;
        let SyncStatus::Conflict {
            server_version,
            etag,
            server_order,
        } = &current.sync
        else {
            return Err(DeskError::invalid(
                "sync",
                format!(
                    "order `{}` has no conflict to resolve: it is {}",
                    current.order.id,
                    current.sync.kind().as_str()
                ),
            ));
        };
        let no_change =
            || DeskError::invalid("sync", "no local change of the order waits to be kept");
        let head = self
            .inner
            .store
            .outbox_of_order(&current.order.id)
            .map_err(DeskError::storage)?
            .into_iter()
            .next()
            .ok_or_else(no_change)?;
        let (seq, stored_body) = (head.seq, head.body.clone());
        let entry = self
            .inner
            .local
            .entry_of(head)
            .map_err(DeskError::storage)?
            .ok_or_else(no_change)?;
        let api = self.api();
        let theirs = amendment_patch(&for_server(server_order), api);
        let base = match &entry.op {
            OutboxOp::Amend {
                if_match: Some(edited),
                ..
            } => self.edited_version(&current, *edited, api).await?,
            _ => None,
        };
        let now = self.now();
        let resolution = match keep_mine(&entry.op, base.as_ref(), &theirs, Some(*server_version)) {
            KeepMine::NotAChange => return Err(no_change()),
            KeepMine::AlreadyThere => KeepLocal::AlreadyOnServer { entry: seq },
            KeepMine::Resend { op, overridden } => {
                if !overridden.is_empty() {
                    tracing::info!(order = %current.order.id, ?overridden, "the local change wins over the server's");
                }
                let (body, shown) = match &op {
                    OutboxOp::Amend { patch, .. } => (
                        Some(patch.clone()),
                        patched(server_order, patch, api).unwrap_or_else(|| current.order.clone()),
                    ),
                    _ => (stored_body, (**server_order).clone()),
                };
                KeepLocal::Resend {
                    entry: seq,
                    body,
                    if_match: Some(
                        etag.clone()
                            .unwrap_or_else(|| format!("\"{server_version}\"")),
                    ),
                    search: self.search_text(&shown),
                    order: Box::new(shown),
                }
            }
        };
        let order = self
            .inner
            .store
            .keep_local_change(&current.order.id, &resolution, now)
            .map_err(|e| match e {
                orderdesk_store::StoreError::Inconsistent(m) => DeskError::invalid("sync", m),
                other => DeskError::storage(other),
            })?;
        self.emit_order(&order);
        self.wake_sync().await;
        Ok(order)
    }

    /// The amendable fields of the order as it stood at version `edited` on the server, in the
    /// shape of an amendment; `None` when the server cannot say (no versions kept).
    async fn edited_version(
        &self,
        current: &LocalOrder,
        edited: u32,
        api: ApiVersion,
    ) -> Result<Option<Value>, DeskError> {
        let server_id = self.server_id(current, "keeping the local change")?;
        match self.client().version(&server_id, edited).await {
            Ok(version) => Ok(version
                .to_domain()
                .ok()
                .map(|order| amendment_patch(&for_server(&order), api))),
            Err(e @ orderdesk_sync::SyncError::Offline(_)) => {
                Err(map_sync(e, "keeping the local change"))
            }
            Err(e) => {
                tracing::debug!(order = %server_id, error = %e, "the edited version is not available");
                Ok(None)
            }
        }
    }

    /// Adds a note to the order on the server (with the author and time the server records),
    /// then keeps it locally. Needs the server.
    pub async fn add_note(&self, id: &str, text: &str) -> Result<LocalNote, DeskError> {
        self.require(Permission::ReadOrders)?;
        let text = non_empty("text", text)?;
        let current = self.local_order(id)?;
        let server_id = self.server_id(&current, "adding a note")?;
        let server = self
            .client()
            .add_note(&server_id, &text, None)
            .await
            .map_err(|e| map_sync(e, "adding a note"))?;
        self.apply_server_order(&server);
        let (note, _) = self
            .inner
            .store
            .add_note(
                &current.order.id,
                &self.session().user_id,
                self.now(),
                &text,
                None,
            )
            .map_err(DeskError::storage)?;
        Ok(note)
    }

    /// The desk's notes on the order, oldest first.
    pub fn notes(&self, id: &str) -> Result<Vec<LocalNote>, DeskError> {
        self.require(Permission::ReadOrders)?;
        let current = self.local_order(id)?;
        self.inner
            .store
            .notes(&current.order.id)
            .map_err(DeskError::storage)
    }

    /// Stores an order the server answered with (after a queue or credit action), as a pull
    /// would. A failure is logged: the pull brings the order anyway.
    pub(crate) fn apply_server_order(&self, server: &orderdesk_sync::ServerOrder) {
        use orderdesk_sync::SyncLocal;
        if let Err(e) = self.inner.local.apply_pulled(server) {
            tracing::warn!(order = %server.id, error = %e, "the server's answer could not be stored");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{draft_from_quote, submitted_order};
    use crate::permission::Role;
    use crate::session::Session;
    use chrono::{TimeZone, Utc};
    use orderdesk_fixtures::Fixtures;

    #[test]
    fn amendment_patches_carry_only_amendable_content() {
        let fixtures = Fixtures::load_default().unwrap();
        let session = Session {
            user_id: "U-1".into(),
            name: "A".into(),
            role: Role::Agent,
        };
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap();
        let draft = draft_from_quote(&fixtures.quotes()[0], "L-1".into(), &session, now).unwrap();
        let order = submitted_order(&draft, now, "K");
        for api in [ApiVersion::V4, ApiVersion::V5] {
            let patch = amendment_patch(&order, api);
            let obj = patch.as_object().unwrap();
            assert!(
                obj.keys().all(|k| AMENDABLE.contains(&k.as_str())),
                "{obj:?}"
            );
            assert!(obj.contains_key("productOrderItem"));
            for item in obj["productOrderItem"].as_array().unwrap() {
                assert!(item.get("state").is_none());
            }
        }
    }
}
