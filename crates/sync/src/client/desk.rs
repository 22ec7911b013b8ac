//! The Orderdesk desk extension (`/orderdesk/v1`): who am I, the work queues and claims, credit
//! exceptions, order history, and the changes feed. Only the Orderdesk server has it; a
//! generic TMF622 server answers `me` with 404 ([`ServerClient::whoami`] → `Ok(None)`).
//!
//! Actions on an order answer it as TMF622 v5 with its `ETag`, whatever version the client
//! speaks for TMF622.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{segment, with_if_match, Page, ServerClient};
use crate::error::SyncError;
use crate::local::ServerOrder;
use orderdesk_tmf::ApiVersion;

/// The extension's root.
pub const DESK: &str = "/orderdesk/v1";

/// The caller, as the server knows the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: String,
    pub name: String,
    /// `agent`, `backoffice`, `supervisor` or `integration`.
    pub role: String,
}

/// One row of the changes feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedChange {
    /// The cursor: increasing in commit order, no gaps.
    pub seq: u64,
    pub at: chrono::DateTime<chrono::Utc>,
    /// `productOrder`, `queueEntry`, `cancelProductOrder`, `serviceOrder`, `product`.
    pub entity: String,
    pub entity_id: String,
    /// `create`, `update`, `stateChange`, `delete`, `claim`, `release`.
    pub kind: String,
    #[serde(default)]
    pub version: Option<u32>,
    #[serde(default)]
    pub payload: Value,
}

/// A page of the changes feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangesPage {
    pub changes: Vec<FeedChange>,
    /// Send back as `after`.
    pub next_cursor: u64,
    pub has_more: bool,
}

/// A user named in a queue entry or a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// A running claim on a queue entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimInfo {
    pub user: UserRef,
    pub until: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub remaining_seconds: Option<i64>,
}

/// One held result behind a wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HoldReason {
    pub code: String,
    #[serde(default)]
    pub check: Option<String>,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub product_order_item_id: Vec<String>,
}

/// An order waiting in a desk queue (`DeskQueueEntry`); a credit exception's extra fields
/// (`creditProfile`, `newMonthlyCharges`, `exposure`) are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntry {
    pub order_id: String,
    pub kind: String,
    pub queue: String,
    pub state: String,
    pub order_version: u32,
    #[serde(default)]
    pub customer: Value,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub reasons: Vec<HoldReason>,
    pub priority: String,
    pub effective_priority: String,
    pub waiting_since: chrono::DateTime<chrono::Utc>,
    pub age_seconds: i64,
    #[serde(default)]
    pub sla_due: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub overdue: bool,
    #[serde(default)]
    pub jeopardy: Option<String>,
    #[serde(default)]
    pub claim: Option<ClaimInfo>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /queue` filters (each a comma list where the server takes one).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueQuery {
    pub kind: Option<String>,
    pub reason: Option<String>,
    pub priority: Option<String>,
    /// A user id, `me`, `none` or `any`.
    pub claimed_by: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

impl QueueQuery {
    fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                out.push((k.to_owned(), v.clone()));
            }
        };
        put("kind", &self.kind);
        put("reason", &self.reason);
        put("priority", &self.priority);
        put("claimedBy", &self.claimed_by);
        put("q", &self.q);
        put("sort", &self.sort);
        if let Some(o) = self.offset {
            out.push(("offset".into(), o.to_string()));
        }
        if let Some(l) = self.limit {
            out.push(("limit".into(), l.to_string()));
        }
        out
    }
}

/// One version of an order (`DeskOrderVersion`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderVersion {
    pub version: u32,
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: UserRef,
    pub reason: String,
    pub change_kind: String,
    #[serde(default)]
    pub change: Value,
    pub state: String,
}

/// One field that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub after: Option<String>,
}

/// The changes of one item between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemChanges {
    pub item: String,
    pub changes: Vec<FieldChange>,
}

/// What changed between two versions (`DeskOrderDiff`): what the desk shows on a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDiff {
    pub from: u32,
    pub to: u32,
    pub order: Vec<FieldChange>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<ItemChanges>,
    #[serde(default)]
    pub versions: Vec<OrderVersion>,
}

impl ServerClient {
    async fn desk_post(
        &self,
        path: &str,
        body: Option<Value>,
        if_match: Option<u32>,
    ) -> Result<super::Reply, SyncError> {
        let mut request = with_if_match(
            self.request(Method::POST, &self.url(&format!("{DESK}{path}"))),
            if_match,
        );
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    async fn desk_action(
        &self,
        path: String,
        body: Value,
        if_match: Option<u32>,
    ) -> Result<ServerOrder, SyncError> {
        self.desk_post(&path, Some(body), if_match)
            .await?
            .order(ApiVersion::V5)
    }

    /// `GET /orderdesk/v1/me`: the token's user and role; `Ok(None)` from a server without
    /// the desk extension (404, or 405 / 410 / 501 from servers that answer unknown paths so).
    pub async fn whoami(&self) -> Result<Option<Me>, SyncError> {
        match self.get_json(&format!("{DESK}/me"), &[]).await {
            Ok(me) => Ok(Some(me)),
            Err(SyncError::Server {
                status: 404 | 405 | 410 | 501,
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /changes?after=&limit=`.
    pub async fn changes(&self, after: u64, limit: u32) -> Result<ChangesPage, SyncError> {
        self.get_json(
            &format!("{DESK}/changes"),
            &[
                ("after".into(), after.to_string()),
                ("limit".into(), limit.to_string()),
            ],
        )
        .await
    }

    /// `GET /queue` in work order.
    pub async fn queue(&self, query: &QueueQuery) -> Result<Page<QueueEntry>, SyncError> {
        self.list(&self.url(&format!("{DESK}/queue")), &query.pairs())
            .await
    }

    /// `GET /queue/{orderId}`.
    pub async fn queue_entry(&self, order: &str) -> Result<QueueEntry, SyncError> {
        self.get_json(&format!("{DESK}/queue/{}", segment(order)), &[])
            .await
    }

    /// `POST /queue/{orderId}/claim` (409 naming the holder while another user's lease runs).
    pub async fn claim(
        &self,
        order: &str,
        lease_seconds: Option<u32>,
    ) -> Result<QueueEntry, SyncError> {
        let body = lease_seconds.map(|s| json!({"leaseSeconds": s}));
        self.desk_post(&format!("/queue/{}/claim", segment(order)), body, None)
            .await?
            .json()
    }

    /// `POST /queue/{orderId}/release` (idempotent for the holder).
    pub async fn release(&self, order: &str) -> Result<QueueEntry, SyncError> {
        self.desk_post(&format!("/queue/{}/release", segment(order)), None, None)
            .await?
            .json()
    }

    /// `POST /queue/{orderId}/resolve`: back into the lifecycle (needs the claim).
    pub async fn resolve(
        &self,
        order: &str,
        reason: &str,
        note: Option<&str>,
        if_match: Option<u32>,
    ) -> Result<ServerOrder, SyncError> {
        let mut body = json!({ "reason": reason });
        if let Some(note) = note {
            body["note"] = json!(note);
        }
        self.desk_action(format!("/queue/{}/resolve", segment(order)), body, if_match)
            .await
    }

    /// `POST /queue/{orderId}/reject` (before acceptance; needs the claim).
    pub async fn reject(
        &self,
        order: &str,
        reason: &str,
        if_match: Option<u32>,
    ) -> Result<ServerOrder, SyncError> {
        self.desk_action(
            format!("/queue/{}/reject", segment(order)),
            json!({ "reason": reason }),
            if_match,
        )
        .await
    }

    /// `POST /queue/{orderId}/cancel` (before delivery; needs the claim).
    pub async fn cancel_queued(
        &self,
        order: &str,
        reason: &str,
        if_match: Option<u32>,
    ) -> Result<ServerOrder, SyncError> {
        self.desk_action(
            format!("/queue/{}/cancel", segment(order)),
            json!({ "reason": reason }),
            if_match,
        )
        .await
    }

    /// `POST /queue/{orderId}/notes` (any desk role, no claim).
    pub async fn add_note(
        &self,
        order: &str,
        text: &str,
        if_match: Option<u32>,
    ) -> Result<ServerOrder, SyncError> {
        self.desk_action(
            format!("/queue/{}/notes", segment(order)),
            json!({ "text": text }),
            if_match,
        )
        .await
    }

    /// `GET /creditExceptions?queue=` (`creditReferral`, `deposit`, or both when `None`).
    pub async fn credit_exceptions(
        &self,
        queue: Option<&str>,
        offset: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Page<QueueEntry>, SyncError> {
        let mut query = Vec::new();
        if let Some(q) = queue {
            query.push(("queue".to_owned(), q.to_owned()));
        }
        if let Some(o) = offset {
            query.push(("offset".into(), o.to_string()));
        }
        if let Some(l) = limit {
            query.push(("limit".into(), l.to_string()));
        }
        self.list(&self.url(&format!("{DESK}/creditExceptions")), &query)
            .await
    }

    /// `POST /creditExceptions/{orderId}/approve` (supervisors; needs the claim).
    pub async fn approve_credit(
        &self,
        order: &str,
        reason: &str,
        if_match: Option<u32>,
    ) -> Result<ServerOrder, SyncError> {
        self.desk_action(
            format!("/creditExceptions/{}/approve", segment(order)),
            json!({ "reason": reason }),
            if_match,
        )
        .await
    }

    /// `POST /creditExceptions/{orderId}/requireDeposit`: `value` as a decimal string
    /// (`"150.00"`), sent as an exact JSON number; `unit` an ISO 4217 code.
    pub async fn require_deposit(
        &self,
        order: &str,
        value: &str,
        unit: Option<&str>,
        reason: &str,
        if_match: Option<u32>,
    ) -> Result<ServerOrder, SyncError> {
        let number: serde_json::Number = value
            .trim()
            .parse()
            .map_err(|_| SyncError::Invalid(format!("`{value}` is not an amount")))?;
        let mut amount = json!({ "value": number });
        if let Some(unit) = unit {
            amount["unit"] = json!(unit);
        }
        self.desk_action(
            format!("/creditExceptions/{}/requireDeposit", segment(order)),
            json!({ "amount": amount, "reason": reason }),
            if_match,
        )
        .await
    }

    /// `POST /creditExceptions/{orderId}/decline` (supervisors; needs the claim).
    pub async fn decline_credit(
        &self,
        order: &str,
        reason: &str,
        if_match: Option<u32>,
    ) -> Result<ServerOrder, SyncError> {
        self.desk_action(
            format!("/creditExceptions/{}/decline", segment(order)),
            json!({ "reason": reason }),
            if_match,
        )
        .await
    }

    /// `POST /creditExceptions/{orderId}/depositRecorded` (back office or supervisors).
    pub async fn deposit_recorded(
        &self,
        order: &str,
        reference: &str,
        note: Option<&str>,
        if_match: Option<u32>,
    ) -> Result<ServerOrder, SyncError> {
        let mut body = json!({ "reference": reference });
        if let Some(note) = note {
            body["note"] = json!(note);
        }
        self.desk_action(
            format!("/creditExceptions/{}/depositRecorded", segment(order)),
            body,
            if_match,
        )
        .await
    }

    /// `GET /orders/{id}/versions`, oldest first.
    pub async fn versions(&self, order: &str) -> Result<Vec<OrderVersion>, SyncError> {
        self.get_json(&format!("{DESK}/orders/{}/versions", segment(order)), &[])
            .await
    }

    /// `GET /orders/{id}/versions/{n}`: the order as it stood, in TMF622 v5.
    pub async fn version(&self, order: &str, n: u32) -> Result<ServerOrder, SyncError> {
        let url = self.url(&format!("{DESK}/orders/{}/versions/{n}", segment(order)));
        self.send(self.request(Method::GET, &url))
            .await?
            .order(ApiVersion::V5)
    }

    /// `GET /orders/{id}/diff?from=&to=` (defaults: the last two versions).
    pub async fn diff(
        &self,
        order: &str,
        from: Option<u32>,
        to: Option<u32>,
    ) -> Result<OrderDiff, SyncError> {
        let mut query = Vec::new();
        if let Some(f) = from {
            query.push(("from".to_owned(), f.to_string()));
        }
        if let Some(t) = to {
            query.push(("to".to_owned(), t.to_string()));
        }
        self.get_json(&format!("{DESK}/orders/{}/diff", segment(order)), &query)
            .await
    }
}
