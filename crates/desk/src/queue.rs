//! The work queues (held, pending, cancellation assessment, jeopardy) for the back office.
//!
//! Reading works offline: lists come from the local mirror, in the domain's work order, and the
//! mirror is refreshed from the server whenever it is reachable (on a queue change the sync
//! engine hears of, and on demand). Acting needs the server, every action:
//! - claim: the server decides atomically who wins; a claim made offline would be a promise
//!   the desk cannot keep;
//! - resolve, reject, cancel, deposit recorded: they need the caller's running claim, which
//!   only the server holds, and their outcome (re-validation, the next state) is the server's;
//! - release: cheap to retry by hand, and an unreleased lease simply expires.
//!
//! So none of them is queued in the outbox; offline they fail with [`DeskError::Offline`].

use orderdesk_domain::desk::{Claim, QueueEntry, QueueKind};
use orderdesk_domain::{CustomerId, OrderId, Priority, UserId};
use orderdesk_store::local::{LocalQueueEntry, LocalQueueQuery, Page};
use orderdesk_sync::client::desk::{QueueEntry as ServerEntry, QueueQuery};
use serde_json::Value;

use crate::desk::{map_sync, Desk};
use crate::error::DeskError;
use crate::events::DeskEvent;
use crate::permission::Permission;

/// Entries read per page when the mirror is refreshed.
const REFRESH_PAGE: u32 = 500;
/// The most entries a refresh mirrors.
const REFRESH_MAX: u32 = 20_000;

/// Which part of the queues to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueFilter {
    /// One queue, or all.
    pub kind: Option<QueueKind>,
    pub reason: Option<String>,
    /// TMF priority "0".."4".
    pub priority: Option<Priority>,
    pub offset: u64,
    pub limit: u32,
}

/// The queue kind of a server entry (`held`, `pending`, `cancellationAssessment`, `jeopardy`).
pub fn parse_kind(s: &str) -> Option<QueueKind> {
    match s {
        "held" => Some(QueueKind::Held),
        "pending" => Some(QueueKind::Pending),
        "cancellationAssessment" => Some(QueueKind::CancellationAssessment),
        "jeopardy" => Some(QueueKind::Jeopardy),
        _ => None,
    }
}

/// A server queue row as the mirror keeps it (the whole row kept as `detail` for display).
/// `None` for a row of a queue kind this desk does not know.
pub fn mirror_entry(row: &ServerEntry) -> Option<LocalQueueEntry> {
    let kind = parse_kind(&row.kind)?;
    let customer = match &row.customer {
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    };
    let priority = Priority::parse(&row.priority).unwrap_or_default();
    Some(LocalQueueEntry {
        entry: QueueEntry {
            order: OrderId::new(row.order_id.clone()),
            customer: CustomerId::new(customer),
            kind,
            reason: row.reason.clone(),
            priority,
            waiting_since: row.waiting_since,
            sla_due: row.sla_due,
            claimed_by: row.claim.as_ref().map(|c| Claim {
                user: UserId::new(c.user.id.clone()),
                until: c.until,
            }),
        },
        detail: serde_json::to_value(row).ok(),
    })
}

fn non_empty(field: &str, text: &str) -> Result<String, DeskError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DeskError::invalid(field, "empty"));
    }
    Ok(t.to_owned())
}

impl Desk {
    /// A page of the mirrored queues in the domain's work order at now.
    pub fn list_queue(&self, filter: &QueueFilter) -> Result<Page<LocalQueueEntry>, DeskError> {
        self.require(Permission::WorkQueue)?;
        let mut query = LocalQueueQuery::first_page(
            filter.kind.unwrap_or(QueueKind::Held),
            self.now(),
            filter.limit.clamp(1, crate::orders::MAX_PAGE),
        );
        query.kind = filter.kind;
        query.reason = filter.reason.clone();
        query.priority = filter.priority;
        query.offset = filter.offset;
        self.inner
            .store
            .list_queue(&query)
            .map_err(DeskError::storage)
    }

    /// Reads the whole of the server's queues into the local mirror; returns how many entries
    /// it holds now.
    pub async fn refresh_queue(&self) -> Result<usize, DeskError> {
        self.require(Permission::WorkQueue)?;
        let mut rows = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .client()
                .queue(&QueueQuery {
                    offset: Some(offset),
                    limit: Some(REFRESH_PAGE),
                    ..QueueQuery::default()
                })
                .await
                .map_err(|e| map_sync(e, "refreshing the queues"))?;
            let n = u32::try_from(page.items.len()).unwrap_or(u32::MAX);
            rows.extend(page.items.iter().filter_map(mirror_entry));
            offset = offset.saturating_add(n);
            if n < REFRESH_PAGE || offset >= REFRESH_MAX {
                break;
            }
        }
        let count = self
            .inner
            .store
            .replace_queue_entries(None, &rows, self.now())
            .map_err(DeskError::storage)?;
        self.emit(DeskEvent::QueueChanged);
        Ok(count)
    }

    /// The server's id for an order named by the UI (a queue row names the server's id).
    pub(crate) fn server_order_id(
        &self,
        id: &str,
        action: &'static str,
    ) -> Result<String, DeskError> {
        match self.inner.local.find(id).map_err(DeskError::storage)? {
            Some(order) => self.server_id(&order, action),
            None => Ok(id.to_owned()),
        }
    }

    /// Mirrors the server's row for the order after an action (removed when it left the
    /// queues).
    pub(crate) async fn refresh_entry(&self, server_id: &str) {
        let order = OrderId::new(server_id);
        let result = self.client().queue_entry(server_id).await;
        let now = self.now();
        let store = &self.inner.store;
        let outcome = match result {
            Ok(row) => {
                store
                    .remove_queue_entry(&order, None)
                    .and_then(|_| match mirror_entry(&row) {
                        Some(entry) => store.upsert_queue_entry(&entry, now),
                        None => Ok(()),
                    })
            }
            Err(e) if e.status() == Some(404) => store.remove_queue_entry(&order, None).map(|_| ()),
            Err(e) => {
                tracing::debug!(order = %server_id, error = %e, "queue row not refreshed");
                Ok(())
            }
        };
        if let Err(e) = outcome {
            tracing::warn!(order = %server_id, error = %e, "queue mirror not updated");
        }
        self.emit(DeskEvent::QueueChanged);
    }

    /// Claims the entry (default lease: the server's); another user's running claim is
    /// [`DeskError::ClaimedByAnother`].
    pub async fn claim(
        &self,
        order: &str,
        lease_seconds: Option<u32>,
    ) -> Result<LocalQueueEntry, DeskError> {
        self.require(Permission::WorkQueue)?;
        let sid = self.server_order_id(order, "claiming")?;
        let row = self
            .client()
            .claim(&sid, lease_seconds)
            .await
            .map_err(|e| map_sync(e, "claiming"))?;
        self.mirror_row(&row)
    }

    /// Gives the claim back.
    pub async fn release(&self, order: &str) -> Result<LocalQueueEntry, DeskError> {
        self.require(Permission::WorkQueue)?;
        let sid = self.server_order_id(order, "releasing")?;
        let row = self
            .client()
            .release(&sid)
            .await
            .map_err(|e| map_sync(e, "releasing"))?;
        self.mirror_row(&row)
    }

    fn mirror_row(&self, row: &ServerEntry) -> Result<LocalQueueEntry, DeskError> {
        let entry = mirror_entry(row).ok_or_else(|| DeskError::Server {
            message: format!("unknown queue kind `{}`", row.kind),
        })?;
        self.inner
            .store
            .upsert_queue_entry(&entry, self.now())
            .map_err(DeskError::storage)?;
        self.emit(DeskEvent::QueueChanged);
        Ok(entry)
    }

    /// Resolves a hold (needs the claim): the order goes back into its lifecycle.
    pub async fn resolve(
        &self,
        order: &str,
        reason: &str,
        note: Option<&str>,
    ) -> Result<(), DeskError> {
        self.require(Permission::WorkQueue)?;
        let reason = non_empty("reason", reason)?;
        let sid = self.server_order_id(order, "resolving")?;
        let server = self
            .client()
            .resolve(&sid, &reason, note, None)
            .await
            .map_err(|e| map_sync(e, "resolving"))?;
        self.after_action(&sid, &server).await;
        Ok(())
    }

    /// Rejects the order (needs the claim; before acceptance only).
    pub async fn reject(&self, order: &str, reason: &str) -> Result<(), DeskError> {
        self.require(Permission::WorkQueue)?;
        let reason = non_empty("reason", reason)?;
        let sid = self.server_order_id(order, "rejecting")?;
        let server = self
            .client()
            .reject(&sid, &reason, None)
            .await
            .map_err(|e| map_sync(e, "rejecting"))?;
        self.after_action(&sid, &server).await;
        Ok(())
    }

    /// Cancels the queued order (needs the claim; before delivery only).
    pub async fn cancel_queued(&self, order: &str, reason: &str) -> Result<(), DeskError> {
        self.require(Permission::WorkQueue)?;
        let reason = non_empty("reason", reason)?;
        let sid = self.server_order_id(order, "cancelling")?;
        let server = self
            .client()
            .cancel_queued(&sid, &reason, None)
            .await
            .map_err(|e| map_sync(e, "cancelling"))?;
        self.after_action(&sid, &server).await;
        Ok(())
    }

    /// Records the deposit a pending order waits for (needs the claim).
    pub async fn record_deposit(
        &self,
        order: &str,
        reference: &str,
        note: Option<&str>,
    ) -> Result<(), DeskError> {
        self.require(Permission::WorkQueue)?;
        let reference = non_empty("reference", reference)?;
        let sid = self.server_order_id(order, "recording a deposit")?;
        let server = self
            .client()
            .deposit_recorded(&sid, &reference, note, None)
            .await
            .map_err(|e| map_sync(e, "recording a deposit"))?;
        self.after_action(&sid, &server).await;
        Ok(())
    }

    pub(crate) async fn after_action(&self, server_id: &str, server: &orderdesk_sync::ServerOrder) {
        self.apply_server_order(server);
        self.refresh_entry(server_id).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderdesk_sync::client::desk::{ClaimInfo, UserRef};

    #[test]
    fn server_rows_mirror_with_their_claim() {
        let row: ServerEntry = serde_json::from_value(serde_json::json!({
            "orderId": "O-1",
            "kind": "held",
            "queue": "review",
            "state": "held",
            "orderVersion": 3,
            "customer": {"id": "CUST-1", "name": "X"},
            "reason": "DUPLICATE_OPEN_ORDER",
            "reasons": [],
            "priority": "2",
            "effectivePriority": "1",
            "waitingSince": "2026-11-26T10:00:00Z",
            "ageSeconds": 60,
            "overdue": false,
        }))
        .unwrap();
        let mut with_claim = row.clone();
        with_claim.claim = Some(ClaimInfo {
            user: UserRef {
                id: "U-BACKOFFICE-1".into(),
                name: None,
            },
            until: row.waiting_since,
            remaining_seconds: None,
        });
        let e = mirror_entry(&with_claim).unwrap();
        assert_eq!(e.entry.order.as_str(), "O-1");
        assert_eq!(e.entry.customer.as_str(), "CUST-1");
        assert_eq!(e.entry.kind, QueueKind::Held);
        assert_eq!(e.entry.priority.level(), 2);
        assert_eq!(
            e.entry.claimed_by.as_ref().map(|c| c.user.as_str()),
            Some("U-BACKOFFICE-1")
        );
        let mut unknown = row;
        unknown.kind = "elsewhere".into();
        assert!(mirror_entry(&unknown).is_none());
    }
}
