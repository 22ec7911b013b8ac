//! The `ServiceOrder` resource as the simulator shows it: built once from the accepted body
//! ([`accept`]) and updated by each [`Change`] of its run ([`apply`]), which also says which
//! notification the change raises.
//!
//! The simulator owns `id` (kept when the client sent one), `href`, `state`, `orderDate`,
//! `startDate`, `completionDate`, `expectedCompletionDate`, `milestone`, `errorMessage`,
//! `cancellationDate`, `cancellationReason` and each item's `state` and `errorMessage`; every
//! other field (extensions included) is kept as the client sent it. Pure: `now` is passed in.

use chrono::{DateTime, Utc};
use orderdesk_domain::decomposition::ServiceItemState;
use orderdesk_tmf::tmf641::{ServiceOrder, ServiceOrderState};
use serde::Serialize;
use serde_json::Value;

use crate::events::EventType;
use crate::progression::{Change, ServiceOrderRun};
use crate::wire::{
    item_ref, ServiceOrderErrorMessage, ServiceOrderItemErrorMessage, ServiceOrderMilestone,
    POINT_OF_NO_RETURN_MILESTONE,
};

/// The order-level error code of a failed or partial order with more than one failed item.
pub const ITEMS_FAILED: &str = "SERVICE_ORDER_ITEMS_FAILED";

/// What a change should be told as: the notification and a one-line account of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub event: EventType,
    pub description: String,
}

/// The resource for an accepted `body`, with its id, href and planned completion.
pub fn accept(
    mut body: ServiceOrder,
    run: &ServiceOrderRun,
    id: String,
    href: String,
    now: DateTime<Utc>,
    expected_completion: DateTime<Utc>,
) -> ServiceOrder {
    body.id = Some(id);
    body.href = Some(href);
    body.state = Some(run.state());
    body.order_date = Some(now);
    body.expected_completion_date = Some(expected_completion);
    body.start_date = None;
    body.completion_date = None;
    body.cancellation_date = None;
    body.cancellation_reason = None;
    body.milestone = None;
    body.error_message = None;
    if body.at_type.is_none() {
        body.at_type = Some("ServiceOrder".to_owned());
    }
    for (item, planned) in body
        .service_order_item
        .iter_mut()
        .flatten()
        .zip(run.items())
    {
        item.state = Some(planned.state);
        item.error_message = None;
    }
    body
}

/// Records `change` on `order` and says how to tell it.
pub fn apply(order: &mut ServiceOrder, change: &Change, now: DateTime<Utc>) -> Notice {
    let order_id = order.id.clone().unwrap_or_default();
    let order_href = order.href.clone().unwrap_or_default();
    match change {
        Change::Item {
            item,
            from,
            to,
            error,
        } => {
            let Some(wire) = order
                .service_order_item
                .as_mut()
                .and_then(|items| items.get_mut(*item))
            else {
                return Notice {
                    event: EventType::ServiceOrderAttributeValueChange,
                    description: format!("serviceOrderItem[{item}] is {to}"),
                };
            };
            wire.state = Some(*to);
            let item_id = wire.id.clone().unwrap_or_default();
            let mut description = format!("serviceOrderItem `{item_id}`: {from} → {to}");
            if let Some(e) = error {
                description.push_str(&format!(" ({}: {})", e.code, e.reason));
                let message = ServiceOrderItemErrorMessage {
                    code: e.code.clone(),
                    reason: e.reason.clone(),
                    message: None,
                    timestamp: now,
                    at_type: "ServiceOrderItemErrorMessage".to_owned(),
                };
                if let Some(v) = json(&message) {
                    wire.error_message.get_or_insert_with(Vec::new).push(v);
                }
            }
            Notice {
                event: EventType::ServiceOrderAttributeValueChange,
                description,
            }
        }
        Change::PointOfNoReturn { item } => {
            let item_id = item_id(order, *item);
            let milestone = ServiceOrderMilestone {
                id: format!("{item_id}-{POINT_OF_NO_RETURN_MILESTONE}"),
                name: POINT_OF_NO_RETURN_MILESTONE.to_owned(),
                description: format!(
                    "serviceOrderItem `{item_id}` started and can no longer be cancelled"
                ),
                status: "Completed".to_owned(),
                milestone_date: now,
                service_order_item: vec![item_ref(&order_id, &order_href, &item_id)],
                at_type: "ServiceOrderMilestone".to_owned(),
            };
            if let Some(v) = json(&milestone) {
                order.milestone.get_or_insert_with(Vec::new).push(v);
            }
            Notice {
                event: EventType::ServiceOrderMilestone,
                description: format!("serviceOrderItem `{item_id}` passed its point of no return"),
            }
        }
        Change::Order { from, to } => {
            order.state = Some(*to);
            if *to != ServiceOrderState::Acknowledged && order.start_date.is_none() {
                order.start_date = Some(now);
            }
            if is_final(*to) {
                order.completion_date = Some(now);
            }
            if matches!(to, ServiceOrderState::Failed | ServiceOrderState::Partial) {
                order.error_message = failure_summary(order, now).and_then(|m| json(&m));
            }
            Notice {
                event: EventType::ServiceOrderStateChange,
                description: format!(
                    "serviceOrder `{order_id}`: {} → {}",
                    from.as_str(),
                    to.as_str()
                ),
            }
        }
    }
}

/// Whether the order will not change any more.
pub fn is_final(state: ServiceOrderState) -> bool {
    matches!(
        state,
        ServiceOrderState::Completed
            | ServiceOrderState::Failed
            | ServiceOrderState::Partial
            | ServiceOrderState::Cancelled
            | ServiceOrderState::Rejected
    )
}

/// The id of item `index` (empty when there is none).
pub fn item_id(order: &ServiceOrder, index: usize) -> String {
    order
        .service_order_item
        .as_ref()
        .and_then(|items| items.get(index))
        .and_then(|i| i.id.clone())
        .unwrap_or_default()
}

/// The order's `errorMessage`: which items failed and why.
fn failure_summary(order: &ServiceOrder, now: DateTime<Utc>) -> Option<ServiceOrderErrorMessage> {
    let order_id = order.id.clone().unwrap_or_default();
    let order_href = order.href.clone().unwrap_or_default();
    let items = order.service_order_item.as_deref().unwrap_or_default();
    let failed: Vec<(String, String, String)> = items
        .iter()
        .filter(|i| i.state == Some(ServiceItemState::Failed))
        .map(|i| {
            let last = i.error_message.as_ref().and_then(|m| m.last());
            let text = |key: &str| {
                last.and_then(|m| m.get(key))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            (
                i.id.clone().unwrap_or_default(),
                text("code"),
                text("reason"),
            )
        })
        .collect();
    let first = failed.first()?;
    let code = if failed.len() == 1 {
        first.1.clone()
    } else {
        ITEMS_FAILED.to_owned()
    };
    let message = failed
        .iter()
        .map(|(id, code, reason)| format!("item `{id}`: {code}: {reason}"))
        .collect::<Vec<_>>()
        .join("; ");
    Some(ServiceOrderErrorMessage {
        code,
        reason: format!(
            "{} of {} service order items failed",
            failed.len(),
            items.len()
        ),
        message: Some(message),
        timestamp: now,
        service_order_item: failed
            .iter()
            .map(|(id, _, _)| item_ref(&order_id, &order_href, id))
            .collect(),
        at_type: "ServiceOrderErrorMessage".to_owned(),
    })
}

fn json<T: Serialize>(value: &T) -> Option<Value> {
    serde_json::to_value(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admission::admit;
    use crate::rules::FailureRules;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_failed_run_leaves_its_reasons_on_the_resource() {
        let body: ServiceOrder = orderdesk_tmf::from_value(json!({
            "state": "completed",
            "custom": {"kept": true},
            "serviceOrderItem": [
                {"id": "a", "action": "add", "service": {"serviceSpecification": {"id": "CFS:A"}},
                 "orderdesk": {"pointOfNoReturn": true}},
                {"id": "b", "action": "add", "service": {"serviceSpecification": {"id": "CFS:B"}}}
            ]
        }))
        .unwrap();
        let rules = FailureRules::parse(
            r#"{"failures": [{"cfs": "CFS:B", "code": "NOPE", "reason": "no capacity"}]}"#,
        )
        .unwrap();
        let mut run = admit(&body, &rules).unwrap();
        let mut order = accept(
            body,
            &run,
            "SO-9".into(),
            "http://h/serviceOrder/SO-9".into(),
            now(),
            now(),
        );
        assert_eq!(order.state, Some(ServiceOrderState::Acknowledged));
        assert_eq!(order.extra["custom"], json!({"kept": true}));
        let mut notices = Vec::new();
        while !run.is_finished() {
            for c in run.step() {
                notices.push(apply(&mut order, &c, now()).event);
            }
        }
        use EventType as E;
        assert_eq!(
            notices,
            vec![
                E::ServiceOrderAttributeValueChange,
                E::ServiceOrderMilestone,
                E::ServiceOrderAttributeValueChange,
                E::ServiceOrderStateChange,
                E::ServiceOrderAttributeValueChange,
                E::ServiceOrderAttributeValueChange,
                E::ServiceOrderStateChange,
            ]
        );
        let v = serde_json::to_value(&order).unwrap();
        assert_eq!(v["state"], "partial");
        assert_eq!(v["serviceOrderItem"][1]["state"], "failed");
        assert_eq!(v["serviceOrderItem"][1]["errorMessage"][0]["code"], "NOPE");
        assert_eq!(v["errorMessage"]["code"], "NOPE");
        assert_eq!(v["errorMessage"]["serviceOrderItem"][0]["itemId"], "b");
        assert_eq!(v["milestone"][0]["name"], "pointOfNoReturn");
        assert_eq!(v["milestone"][0]["serviceOrderItem"][0]["itemId"], "a");
        assert!(v.get("startDate").is_some() && v.get("completionDate").is_some());
    }
}
