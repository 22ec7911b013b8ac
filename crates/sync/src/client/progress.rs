//! An order's item-level progress as the Orderdesk server tells it
//! (`GET /orderdesk/v1/orders/{id}/progress`, `DeskOrderProgress` in its OpenAPI document):
//! product items with the TMF641 service items realising them, milestones, jeopardy alerts, a
//! timeline of the order's versions, and the outcome of its newest cancel request.
//!
//! Read leniently: what the server may leave out is optional here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::desk::{UserRef, DESK};
use super::{segment, ServerClient};
use crate::error::SyncError;

/// `DeskOrderProgress`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderProgress {
    pub order_id: String,
    #[serde(default)]
    pub version: Option<u32>,
    pub state: String,
    #[serde(default)]
    pub items: Vec<ItemProgress>,
    #[serde(default)]
    pub milestones: Vec<ProgressMilestone>,
    #[serde(default)]
    pub jeopardy_alerts: Vec<ProgressJeopardy>,
    #[serde(default)]
    pub timeline: Vec<TimelineEvent>,
    #[serde(default)]
    pub cancellation: Option<CancellationOutcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemProgress {
    pub item_id: String,
    pub action: String,
    #[serde(default)]
    pub offering_id: Option<String>,
    #[serde(default)]
    pub offering_name: Option<String>,
    pub state: String,
    #[serde(default)]
    pub point_of_no_return: Option<DateTime<Utc>>,
    #[serde(default)]
    pub service_items: Vec<ServiceItemProgress>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceItemProgress {
    pub id: String,
    #[serde(default)]
    pub service_order_id: Option<String>,
    #[serde(default)]
    pub service_order_state: Option<String>,
    pub cfs: String,
    pub action: String,
    pub state: String,
    #[serde(default)]
    pub point_of_no_return: bool,
    #[serde(default)]
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressMilestone {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    pub date: DateTime<Utc>,
    #[serde(default)]
    pub item_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressJeopardy {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub alert_type: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    pub date: DateTime<Utc>,
    #[serde(default)]
    pub item_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEvent {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub by: Option<UserRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationOutcome {
    pub state: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub requested_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub reversed: Vec<String>,
    #[serde(default)]
    pub not_reversed: Vec<NotReversed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotReversed {
    pub item_id: String,
    pub reason: String,
}

impl ServerClient {
    /// `GET /orderdesk/v1/orders/{id}/progress` (any desk role).
    pub async fn order_progress(&self, order: &str) -> Result<OrderProgress, SyncError> {
        self.get_json(&format!("{DESK}/orders/{}/progress", segment(order)), &[])
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_answer_reads() {
        let p: OrderProgress = serde_json::from_value(serde_json::json!({
            "orderId": "O-1", "state": "inProgress",
            "items": [{"itemId": "1", "action": "add", "state": "inProgress",
                       "serviceItems": [{"id": "S-1", "cfs": "CFS:GPON-Access", "action": "add",
                                         "state": "completed", "pointOfNoReturn": true}]}],
            "timeline": [{"at": "2026-11-26T10:00:00Z", "kind": "created", "title": "Order received",
                          "by": {"id": "U-AGENT-1"}}],
            "cancellation": {"state": "done", "notReversed": [{"itemId": "2", "reason": "already completed"}]}
        }))
        .unwrap();
        assert_eq!(p.items[0].service_items[0].service_order_id, None);
        assert!(p.items[0].service_items[0].point_of_no_return);
        assert_eq!(p.timeline[0].by.as_ref().unwrap().id, "U-AGENT-1");
        assert_eq!(p.cancellation.unwrap().not_reversed[0].item_id, "2");
        assert!(p.milestones.is_empty());
    }
}
