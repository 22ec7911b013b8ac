//! Item-level progress of one order (`GET {BASE}/orders/{id}/progress`), for the desk's order
//! screen: read-only, any signed-in role ([`Permission::ReadOrders`]).
//!
//! One answer gathers what is stored about the order in several places:
//! * each product order item with its state and the TMF641 service order items decomposed from
//!   it (across every service order of the order, follow-ups included), with their state, the
//!   catalog's point-of-no-return flag and why SOM failed them (read back from the order's
//!   `productOrderErrorMessage`, which fulfilment writes per failed service item);
//! * the order's milestones and jeopardy alerts;
//! * a timeline, one event per stored version (who, when, why), oldest first;
//! * the outcome of the newest cancel request: what was reversed downstream and what was not.
//!
//! Nothing is decided here: states come from the lifecycle and the SOM's reports as stored.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use orderdesk_domain::catalog::Catalog;
use orderdesk_domain::decomposition::ServiceItemState;
use orderdesk_domain::desk::cancellation::NotCancellableReason;
use orderdesk_domain::desk::{CancelRequest, ChangeKind, OrderVersion};
use orderdesk_domain::lifecycle::{ItemState, OrderCommand};
use orderdesk_domain::{OrderId, ProductOrder};
use orderdesk_store::central::{CancelRequestQuery, StoredServiceOrder};
use serde::Serialize;
use serde_json::json;

use super::{Names, BASE};
use crate::api::{etag, json_response, Routes};
use crate::auth::{Permission, User};
use crate::error::ApiError;
use crate::openapi::OpenApi;
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::new().get(&format!("{BASE}/orders/{{id}}/progress"), progress)
}

/// The answer (`DeskOrderProgress`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderProgress {
    pub order_id: String,
    pub version: u32,
    pub state: String,
    pub items: Vec<ItemProgress>,
    pub milestones: Vec<MilestoneView>,
    pub jeopardy_alerts: Vec<JeopardyView>,
    pub timeline: Vec<TimelineEvent>,
    pub cancellation: Option<CancellationView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemProgress {
    pub item_id: String,
    pub action: String,
    pub offering_id: Option<String>,
    pub offering_name: Option<String>,
    pub state: String,
    /// When the item passed its point of no return.
    pub point_of_no_return: Option<DateTime<Utc>>,
    pub service_items: Vec<ServiceItemProgress>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceItemProgress {
    pub id: String,
    pub service_order_id: String,
    /// The service order's state as SOM last reported it.
    pub service_order_state: String,
    pub cfs: String,
    pub action: String,
    pub state: String,
    /// Delivering this CFS passes the point of no return.
    pub point_of_no_return: bool,
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MilestoneView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub status: String,
    pub date: DateTime<Utc>,
    pub item_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JeopardyView {
    pub id: String,
    pub name: String,
    pub alert_type: String,
    pub message: String,
    pub date: DateTime<Utc>,
    pub item_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEvent {
    pub version: u32,
    pub at: DateTime<Utc>,
    /// The version's change kind: `created`, `lifecycle`, `amendment`, `note`, `milestone`,
    /// `jeopardy`.
    pub kind: String,
    pub title: String,
    /// Why (the version's reason).
    pub detail: Option<String>,
    pub by: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationView {
    pub id: String,
    pub state: String,
    pub reason: Option<String>,
    pub requested_at: DateTime<Utc>,
    /// Product order items cancelled, then service order items cancelled downstream.
    pub reversed: Vec<String>,
    pub not_reversed: Vec<NotReversedView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotReversedView {
    pub item_id: String,
    pub reason: String,
}

/// What is stored about the order, read in one go.
struct Stored {
    order: ProductOrder,
    service_orders: Vec<StoredServiceOrder>,
    versions: Vec<OrderVersion>,
    cancel: Option<CancelRequest>,
    names: Names,
}

async fn progress(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadOrders)?;
    let id = OrderId::new(id);
    let stored = state
        .db(move |store| {
            let order = store.get_order(&id)?.order;
            let service_orders = store.list_service_orders(&id)?;
            let versions = store.list_versions(&id)?;
            let cancel = store
                .list_cancel_requests(&CancelRequestQuery {
                    order: Some(id.clone()),
                    state: None,
                    offset: 0,
                    limit: 1,
                })?
                .items
                .into_iter()
                .next();
            Ok(Stored {
                order,
                service_orders,
                versions,
                cancel,
                names: Names::load(store)?,
            })
        })
        .await?;
    let body = order_progress(
        &stored.order,
        &stored.service_orders,
        &stored.versions,
        stored.cancel.as_ref(),
        &stored.names,
        state.catalog(),
    );
    let value = serde_json::to_value(&body).map_err(ApiError::internal)?;
    let mut response = json_response(StatusCode::OK, &value);
    response
        .headers_mut()
        .insert(header::ETAG, etag(stored.order.version));
    Ok(response)
}

/// The progress of `order`, from what is stored about it.
pub fn order_progress(
    order: &ProductOrder,
    service_orders: &[StoredServiceOrder],
    versions: &[OrderVersion],
    cancel: Option<&CancelRequest>,
    names: &Names,
    catalog: &dyn Catalog,
) -> OrderProgress {
    let items = order
        .items
        .iter()
        .map(|item| ItemProgress {
            item_id: item.id.to_string(),
            action: item.action.as_str().to_owned(),
            offering_id: item.offering.as_ref().map(ToString::to_string),
            offering_name: item
                .offering
                .as_ref()
                .and_then(|o| catalog.offering(o))
                .map(|o| o.name.clone()),
            state: item.state().as_str().to_owned(),
            point_of_no_return: item.point_of_no_return,
            service_items: service_orders
                .iter()
                .flat_map(|so| {
                    so.order
                        .items_of(&item.id)
                        .map(move |si| service_item(order, so, si))
                })
                .collect(),
        })
        .collect();
    OrderProgress {
        order_id: order.id.to_string(),
        version: order.version,
        state: order.state().as_str().to_owned(),
        items,
        milestones: order
            .milestones
            .iter()
            .map(|m| MilestoneView {
                id: m.id.clone(),
                name: m.name.clone(),
                description: m.description.clone(),
                status: m.status.clone(),
                date: m.date,
                item_ids: m.items.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        jeopardy_alerts: order
            .jeopardy_alerts
            .iter()
            .map(|a| JeopardyView {
                id: a.id.clone(),
                name: a.name.clone(),
                alert_type: a.jeopardy_type.clone(),
                message: a.message.clone(),
                date: a.alert_date,
                item_ids: a.items.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        timeline: timeline(versions, names),
        cancellation: cancel.map(|c| cancellation(order, service_orders, c)),
    }
}

fn service_item(
    order: &ProductOrder,
    so: &StoredServiceOrder,
    si: &orderdesk_domain::decomposition::ServiceOrderItem,
) -> ServiceItemProgress {
    // Fulfilment writes one error message per failed service item, naming it at the end.
    let marker = format!("service order item `{}`", si.id);
    let error_message = order
        .error_messages
        .iter()
        .rev()
        .find(|m| m.message.ends_with(&marker))
        .map(|m| format!("{}: {}", m.code, m.reason));
    ServiceItemProgress {
        id: si.id.to_string(),
        service_order_id: so.order.id.to_string(),
        service_order_state: so.state.clone(),
        cfs: si.cfs.to_string(),
        action: si.action.as_str().to_owned(),
        state: so
            .item_state(&si.id)
            .unwrap_or(ServiceItemState::Acknowledged)
            .as_str()
            .to_owned(),
        point_of_no_return: si.point_of_no_return,
        error_message,
    }
}

/// One event per version, oldest first, titled by what changed.
fn timeline(versions: &[OrderVersion], names: &Names) -> Vec<TimelineEvent> {
    let mut previous: Option<&ProductOrder> = None;
    let mut out = Vec::with_capacity(versions.len());
    for v in versions {
        let state = v.snapshot.state();
        let state_moved = previous.is_some_and(|p| p.state() != state);
        let (kind, title) = match &v.change {
            ChangeKind::Created => ("created", format!("Order received ({state})")),
            ChangeKind::Lifecycle { command } => ("lifecycle", lifecycle_title(v, command)),
            ChangeKind::Amendment { .. } => ("amendment", "Order amended".to_owned()),
            ChangeKind::Note => ("note", "Note added".to_owned()),
            ChangeKind::Milestone => ("milestone", "Milestone reached".to_owned()),
            ChangeKind::Jeopardy => ("jeopardy", "Jeopardy raised".to_owned()),
        };
        let title = match (&v.change, state_moved) {
            (ChangeKind::Lifecycle { .. } | ChangeKind::Created, _) | (_, false) => title,
            (_, true) => format!("{title}; order {state}"),
        };
        out.push(TimelineEvent {
            version: v.version,
            at: v.at,
            kind: kind.to_owned(),
            title,
            detail: Some(v.reason.clone()).filter(|r| !r.trim().is_empty()),
            by: names.json(&v.by),
        });
        previous = Some(&v.snapshot);
    }
    out
}

fn lifecycle_title(v: &OrderVersion, command: &OrderCommand) -> String {
    match command {
        OrderCommand::Item { item, event } => {
            let state = v
                .snapshot
                .item(item)
                .map_or_else(|| event.as_str().to_owned(), |i| i.state().to_string());
            format!("Item {item} {state}")
        }
        other => format!("Order {} ({})", v.snapshot.state(), other.kind().as_str()),
    }
}

fn cancellation(
    order: &ProductOrder,
    service_orders: &[StoredServiceOrder],
    request: &CancelRequest,
) -> CancellationView {
    let mut reversed: Vec<String> = order
        .items
        .iter()
        .filter(|i| i.state() == ItemState::Cancelled)
        .map(|i| i.id.to_string())
        .collect();
    for so in service_orders {
        reversed.extend(
            so.item_states
                .iter()
                .filter(|(_, s)| *s == ServiceItemState::Cancelled)
                .map(|(id, _)| id.to_string()),
        );
    }
    CancellationView {
        id: request.id.to_string(),
        state: request.state.as_str().to_owned(),
        reason: request.reason.clone(),
        requested_at: request.created_at,
        reversed,
        not_reversed: request
            .not_reversed
            .iter()
            .map(|n| NotReversedView {
                item_id: n.item.to_string(),
                reason: match &n.reason {
                    NotCancellableReason::PastPointOfNoReturn { since } => format!(
                        "past its point of no return since {}",
                        since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    ),
                    NotCancellableReason::Finished { state } => format!("already {state}"),
                },
            })
            .collect(),
    }
}

/// The operation and its `DeskOrderProgress` schema.
pub fn openapi(doc: &mut OpenApi) {
    let date = json!({"type": "string", "format": "date-time"});
    let text = json!({"type": "string"});
    let nullable = json!({"type": "string", "nullable": true});
    let ids = json!({"type": "array", "items": {"type": "string"}});
    doc.schema(
        "DeskOrderProgress",
        json!({
            "type": "object",
            "description": "An order's item-level progress: product items with the TMF641 service items realising them, milestones, jeopardy alerts, a timeline of its versions and the outcome of its newest cancel request.",
            "required": ["orderId", "version", "state", "items", "milestones", "jeopardyAlerts", "timeline"],
            "properties": {
                "orderId": text, "version": {"type": "integer"}, "state": text,
                "items": {"type": "array", "items": {"type": "object",
                    "required": ["itemId", "action", "state", "serviceItems"],
                    "properties": {
                        "itemId": text, "action": text, "offeringId": nullable, "offeringName": nullable,
                        "state": text,
                        "pointOfNoReturn": {"type": "string", "format": "date-time", "nullable": true},
                        "serviceItems": {"type": "array", "items": {"type": "object",
                            "required": ["id", "serviceOrderId", "serviceOrderState", "cfs", "action", "state", "pointOfNoReturn"],
                            "properties": {
                                "id": text, "serviceOrderId": text, "serviceOrderState": text,
                                "cfs": text, "action": text,
                                "state": {"type": "string", "description": "TMF641 service order item state"},
                                "pointOfNoReturn": {"type": "boolean", "description": "Delivering this CFS passes the point of no return"},
                                "errorMessage": {"type": "string", "nullable": true, "description": "Why SOM failed it: code and reason"}}}}}}},
                "milestones": {"type": "array", "items": {"type": "object", "properties": {
                    "id": text, "name": text, "description": nullable, "status": text, "date": date, "itemIds": ids}}},
                "jeopardyAlerts": {"type": "array", "items": {"type": "object", "properties": {
                    "id": text, "name": text, "alertType": text, "message": text, "date": date, "itemIds": ids}}},
                "timeline": {"type": "array", "description": "One event per version, oldest first", "items": {"type": "object", "properties": {
                    "version": {"type": "integer"}, "at": date,
                    "kind": {"type": "string", "enum": ["created", "lifecycle", "amendment", "note", "milestone", "jeopardy"]},
                    "title": text, "detail": nullable,
                    "by": {"$ref": "#/components/schemas/DeskUser"}}}},
                "cancellation": {"type": "object", "nullable": true, "description": "The newest cancel request", "properties": {
                    "id": text, "state": text, "reason": nullable, "requestedAt": date,
                    "reversed": {"type": "array", "items": {"type": "string"}, "description": "Product items cancelled, then service items cancelled downstream"},
                    "notReversed": {"type": "array", "items": {"type": "object", "properties": {"itemId": text, "reason": text}}}}},
            },
        }),
    );
    doc.operation(
        &format!("{BASE}/orders/{{id}}/progress"),
        "get",
        json!({
            "tags": ["Desk (orderdesk/v1)"], "operationId": "desk_retrieveOrderProgress",
            "summary": "The order's item-level progress: service items, milestones, jeopardy, timeline, cancellation",
            "description": "Any signed-in role. Read-only.",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The product order's id"}],
            "responses": {
                "200": {"description": "The progress",
                        "headers": {"ETag": {"description": "The order's version", "schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeskOrderProgress"}}}},
                "401": {"description": "No or unknown bearer token",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/v5.Error"}}}},
                "403": {"description": "The caller's role lacks the right",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/v5.Error"}}}},
                "404": {"description": "No such order",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/v5.Error"}}}},
                "500": {"description": "Internal error",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/v5.Error"}}}},
            },
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::decomposition::{ServiceAction, ServiceOrder, ServiceOrderItem};
    use orderdesk_domain::desk::cancellation::NotCancellable;
    use orderdesk_domain::lifecycle::{apply, ItemEvent};
    use orderdesk_domain::order::ErrorMessage;
    use orderdesk_domain::{CfsSpecId, ItemAction, ItemId, OrderItem, UserId};
    use orderdesk_fixtures::Fixtures;

    fn t(min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, min, 0).unwrap()
    }

    fn accepted() -> ProductOrder {
        let items = vec![
            OrderItem::new("1", ItemAction::Add, Some("PO-SF200-HOME".into())),
            OrderItem::new("2", ItemAction::Add, Some("PO-NO-SUCH-OFFER".into())),
        ];
        let o = ProductOrder::new("O-1".into(), "CUST-1".into(), t(0), items, false).unwrap();
        apply(&o, &OrderCommand::Accept, t(1)).unwrap()
    }

    fn service(id: &str, cfs: &str, from: &str, ponr: bool) -> ServiceOrderItem {
        ServiceOrderItem {
            id: id.into(),
            action: ServiceAction::Add,
            cfs: CfsSpecId::new(cfs),
            service_id: None,
            place: None,
            technology: None,
            characteristics: Vec::new(),
            removed_characteristics: Vec::new(),
            from_items: vec![ItemId::new(from)],
            depends_on: Vec::new(),
            point_of_no_return: ponr,
        }
    }

    fn stored(states: &[ServiceItemState]) -> StoredServiceOrder {
        let mut s = StoredServiceOrder::new(ServiceOrder {
            id: "SO-1".into(),
            product_order: "O-1".into(),
            customer: "CUST-1".into(),
            priority: Default::default(),
            requested_start_date: None,
            requested_completion_date: None,
            items: vec![
                service("a", "CFS:GPON-Access", "1", true),
                service("b", "CFS:Internet-Access", "1", false),
                service("c", "CFS:IPTV", "2", false),
            ],
        });
        s.state = "inProgress".to_owned();
        for (slot, state) in s.item_states.iter_mut().zip(states) {
            slot.1 = *state;
        }
        s
    }

    fn version(n: u32, order: &ProductOrder, change: ChangeKind, reason: &str) -> OrderVersion {
        OrderVersion {
            version: n,
            at: t(n),
            by: UserId::new(if n == 1 { "U-AGENT-1" } else { "system" }),
            reason: reason.to_owned(),
            change,
            snapshot: order.clone(),
        }
    }

    #[test]
    fn service_items_sit_under_their_product_items_with_why_they_failed() {
        use ServiceItemState as S;
        let mut order = accepted();
        order.error_messages.push(ErrorMessage {
            code: "IPTV_DOWN".into(),
            reason: "head-end maintenance".into(),
            message: "CFS:IPTV (add) failed in service order item `c`".into(),
            status: Some("failed".into()),
            timestamp: t(5),
            items: vec![ItemId::new("2")],
        });
        let fixtures = Fixtures::load_default().unwrap();
        let sos = [stored(&[S::Completed, S::InProgress, S::Failed])];
        let p = order_progress(
            &order,
            &sos,
            &[],
            None,
            &Names::default(),
            fixtures.catalog(),
        );

        assert_eq!(p.items.len(), 2);
        let one = &p.items[0];
        assert_eq!(one.offering_id.as_deref(), Some("PO-SF200-HOME"));
        assert!(one.offering_name.is_some());
        let states: Vec<(&str, &str, bool)> = one
            .service_items
            .iter()
            .map(|s| (s.id.as_str(), s.state.as_str(), s.point_of_no_return))
            .collect();
        assert_eq!(
            states,
            [("a", "completed", true), ("b", "inProgress", false)]
        );
        assert!(one.service_items.iter().all(|s| s.error_message.is_none()));
        assert_eq!(one.service_items[0].service_order_id, "SO-1");
        assert_eq!(one.service_items[0].service_order_state, "inProgress");

        let two = &p.items[1];
        assert_eq!(two.offering_name, None, "an offering the catalog lacks");
        assert_eq!(two.service_items.len(), 1);
        assert_eq!(
            two.service_items[0].error_message.as_deref(),
            Some("IPTV_DOWN: head-end maintenance")
        );
        assert!(p.cancellation.is_none());
        assert!(p.timeline.is_empty());
    }

    #[test]
    fn the_timeline_titles_each_version_by_what_changed() {
        let created = accepted();
        let started = apply(
            &created,
            &OrderCommand::Item {
                item: "1".into(),
                event: ItemEvent::Start,
            },
            t(3),
        )
        .unwrap();
        let versions = [
            version(1, &created, ChangeKind::Created, "captured at the desk"),
            version(
                2,
                &started,
                ChangeKind::Lifecycle {
                    command: OrderCommand::Item {
                        item: "1".into(),
                        event: ItemEvent::Start,
                    },
                },
                "SOM started CFS:GPON-Access",
            ),
            version(3, &started, ChangeKind::Note, ""),
        ];
        let events = timeline(&versions, &Names::default());
        let seen: Vec<(u32, &str, &str)> = events
            .iter()
            .map(|e| (e.version, e.kind.as_str(), e.title.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (1, "created", "Order received (inProgress.accepted)"),
                (2, "lifecycle", "Item 1 inProgress"),
                (3, "note", "Note added"),
            ]
        );
        assert_eq!(events[0].by, json!({"id": "U-AGENT-1"}));
        assert_eq!(
            events[1].detail.as_deref(),
            Some("SOM started CFS:GPON-Access")
        );
        assert_eq!(events[2].detail, None, "a blank reason is no detail");
    }

    #[test]
    fn a_cancellation_lists_what_was_reversed_and_what_was_not() {
        use ServiceItemState as S;
        let order = accepted();
        let mut request = CancelRequest::new(
            "CR-1".into(),
            "O-1".into(),
            Some("customer withdrew".into()),
            UserId::new("U-AGENT-1"),
            None,
            t(10),
        );
        request.not_reversed.push(NotCancellable {
            item: "1".into(),
            reason: NotCancellableReason::PastPointOfNoReturn { since: t(4) },
        });
        let sos = [stored(&[S::Completed, S::Cancelled, S::Cancelled])];
        let p = order_progress(
            &order,
            &sos,
            &[],
            Some(&request),
            &Names::default(),
            Fixtures::load_default().unwrap().catalog(),
        );
        let c = p.cancellation.unwrap();
        assert_eq!(c.state, "acknowledged");
        assert_eq!(c.reason.as_deref(), Some("customer withdrew"));
        assert_eq!(c.requested_at, t(10));
        assert_eq!(c.reversed, ["b", "c"]);
        assert_eq!(
            c.not_reversed,
            [NotReversedView {
                item_id: "1".into(),
                reason: "past its point of no return since 2026-11-26T09:04:00Z".into()
            }]
        );
    }
}
