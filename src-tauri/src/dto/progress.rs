//! An order's item-level progress, as the order screen shows it.

use orderdesk_desk::progress::OrderProgress;
use orderdesk_sync::client::progress::{
    CancellationOutcome, ItemProgress, ProgressJeopardy, ProgressMilestone, ServiceItemProgress,
    TimelineEvent,
};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::{opt_time, time};

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OrderProgressDto {
    /// The local id (the server's, for an order this desk does not hold).
    pub order_id: String,
    pub server_id: Option<String>,
    pub state: String,
    pub items: Vec<ItemProgressDto>,
    pub milestones: Vec<MilestoneDto>,
    pub jeopardy_alerts: Vec<JeopardyAlertDto>,
    /// Oldest first.
    pub timeline: Vec<TimelineEventDto>,
    pub cancellation: Option<CancellationDto>,
    /// RFC 3339, when read from the server; `null`: the local copy only.
    pub fetched_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ItemProgressDto {
    pub item_id: String,
    pub action: String,
    pub offering_id: Option<String>,
    pub offering_name: Option<String>,
    pub state: String,
    /// The TMF641 service items realising the item (empty from the local copy).
    pub service_items: Vec<ServiceItemProgressDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServiceItemProgressDto {
    pub id: String,
    pub service_order_id: Option<String>,
    /// The customer-facing service, e.g. `CFS:GPON-Access`.
    pub cfs: String,
    pub action: String,
    /// TMF641 service order item state.
    pub state: String,
    /// Delivering it passes the point of no return.
    pub point_of_no_return: bool,
    /// Why SOM failed it: code and reason.
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MilestoneDto {
    pub id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub status: Option<String>,
    pub date: String,
    pub item_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct JeopardyAlertDto {
    pub id: Option<String>,
    pub name: String,
    /// `Hazard` or `Critical`.
    pub alert_type: Option<String>,
    pub message: Option<String>,
    pub date: String,
    pub item_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEventDto {
    pub at: String,
    /// `created`, `lifecycle`, `amendment`, `note`, `milestone`, `jeopardy`.
    pub kind: String,
    pub title: String,
    pub detail: Option<String>,
    /// Who: the user's name, else their id.
    pub by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CancellationDto {
    /// The cancel request's TMF state: `acknowledged`, `inProgress`, `done`,
    /// `terminatedWithError`...
    pub state: String,
    pub reason: Option<String>,
    pub requested_at: Option<String>,
    /// Product item ids cancelled, then service item ids cancelled downstream.
    pub reversed: Vec<String>,
    pub not_reversed: Vec<NotReversedDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NotReversedDto {
    pub item_id: String,
    pub reason: String,
}

impl From<&ServiceItemProgress> for ServiceItemProgressDto {
    fn from(s: &ServiceItemProgress) -> Self {
        Self {
            id: s.id.clone(),
            service_order_id: s.service_order_id.clone(),
            cfs: s.cfs.clone(),
            action: s.action.clone(),
            state: s.state.clone(),
            point_of_no_return: s.point_of_no_return,
            error_message: s.error_message.clone(),
        }
    }
}

impl From<&ItemProgress> for ItemProgressDto {
    fn from(i: &ItemProgress) -> Self {
        Self {
            item_id: i.item_id.clone(),
            action: i.action.clone(),
            offering_id: i.offering_id.clone(),
            offering_name: i.offering_name.clone(),
            state: i.state.clone(),
            service_items: i.service_items.iter().map(Into::into).collect(),
        }
    }
}

impl From<&ProgressMilestone> for MilestoneDto {
    fn from(m: &ProgressMilestone) -> Self {
        Self {
            id: m.id.clone(),
            name: m.name.clone(),
            description: m.description.clone(),
            status: m.status.clone(),
            date: time(m.date),
            item_ids: m.item_ids.clone(),
        }
    }
}

impl From<&ProgressJeopardy> for JeopardyAlertDto {
    fn from(a: &ProgressJeopardy) -> Self {
        Self {
            id: a.id.clone(),
            name: a.name.clone(),
            alert_type: a.alert_type.clone(),
            message: a.message.clone(),
            date: time(a.date),
            item_ids: a.item_ids.clone(),
        }
    }
}

impl From<&TimelineEvent> for TimelineEventDto {
    fn from(e: &TimelineEvent) -> Self {
        Self {
            at: time(e.at),
            kind: e.kind.clone(),
            title: e.title.clone(),
            detail: e.detail.clone(),
            by: e
                .by
                .as_ref()
                .map(|u| u.name.clone().unwrap_or_else(|| u.id.clone())),
        }
    }
}

impl From<&CancellationOutcome> for CancellationDto {
    fn from(c: &CancellationOutcome) -> Self {
        Self {
            state: c.state.clone(),
            reason: c.reason.clone(),
            requested_at: opt_time(c.requested_at),
            reversed: c.reversed.clone(),
            not_reversed: c
                .not_reversed
                .iter()
                .map(|n| NotReversedDto {
                    item_id: n.item_id.clone(),
                    reason: n.reason.clone(),
                })
                .collect(),
        }
    }
}

impl From<&OrderProgress> for OrderProgressDto {
    fn from(p: &OrderProgress) -> Self {
        Self {
            order_id: p.order_id.clone(),
            server_id: p.server_id.clone(),
            state: p.state.clone(),
            items: p.items.iter().map(Into::into).collect(),
            milestones: p.milestones.iter().map(Into::into).collect(),
            jeopardy_alerts: p.jeopardy_alerts.iter().map(Into::into).collect(),
            timeline: p.timeline.iter().map(Into::into).collect(),
            cancellation: p.cancellation.as_ref().map(Into::into),
            fetched_at: opt_time(p.fetched_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use orderdesk_sync::client::desk::UserRef;

    #[test]
    fn progress_reads_as_the_ui_expects() {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap();
        let p = OrderProgress {
            order_id: "L-1".into(),
            server_id: Some("S-1".into()),
            state: "inProgress".into(),
            items: vec![ItemProgress {
                item_id: "1".into(),
                action: "add".into(),
                offering_id: Some("PO-1".into()),
                offering_name: None,
                state: "inProgress".into(),
                point_of_no_return: None,
                service_items: vec![ServiceItemProgress {
                    id: "SI-1".into(),
                    service_order_id: Some("SO-1".into()),
                    service_order_state: Some("inProgress".into()),
                    cfs: "CFS:GPON-Access".into(),
                    action: "add".into(),
                    state: "failed".into(),
                    point_of_no_return: true,
                    error_message: Some("X: y".into()),
                }],
            }],
            milestones: Vec::new(),
            jeopardy_alerts: Vec::new(),
            timeline: vec![
                TimelineEvent {
                    at,
                    kind: "created".into(),
                    title: "Order received".into(),
                    detail: None,
                    by: Some(UserRef {
                        id: "U-1".into(),
                        name: Some("Demo Agent 1".into()),
                    }),
                },
                TimelineEvent {
                    at,
                    kind: "note".into(),
                    title: "Note added".into(),
                    detail: None,
                    by: Some(UserRef {
                        id: "som".into(),
                        name: None,
                    }),
                },
            ],
            cancellation: None,
            fetched_at: Some(at),
        };
        let json = serde_json::to_value(OrderProgressDto::from(&p)).unwrap();
        assert_eq!(json["fetchedAt"], "2026-11-26T10:00:00.000Z");
        assert_eq!(json["serverId"], "S-1");
        let si = &json["items"][0]["serviceItems"][0];
        assert_eq!(si["serviceOrderId"], "SO-1");
        assert_eq!(si["pointOfNoReturn"], true);
        assert_eq!(si["errorMessage"], "X: y");
        assert_eq!(json["timeline"][0]["by"], "Demo Agent 1");
        assert_eq!(json["timeline"][1]["by"], "som");
        assert!(json["cancellation"].is_null());
        assert!(json["jeopardyAlerts"].is_array());
    }
}
