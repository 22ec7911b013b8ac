//! From service order items back to product order items, as pure functions of the order, its
//! service orders and `now`:
//!
//! * which service item states speak for a product item ([`service_states`]): the service
//!   items decomposed from it (across every service order of the order, follow-ups included);
//!   for an item that needed no service work, those of the items that carry its work (a
//!   bundle's components, the add that replaces a migrated delete); with none at all, the item
//!   is done as soon as it is handed over;
//! * the product item events those states call for, as versions ([`roll_up_steps`]), through
//!   the domain's `product_item_event` table and lifecycle, failures carrying their reasons as
//!   `productOrderErrorMessage` and a note;
//! * whether a reported service item state is news ([`accepts`]): a finished item never
//!   changes again and an item never goes back to `acknowledged`, so stale or repeated
//!   notifications change nothing;
//! * which service work must be ordered again ([`follow_up`]): the SOM cancels a service order
//!   as a whole, so the cancelled service items that items carrying on (past their point of no
//!   return) still need go into a new service order;
//! * the milestones a SOM report carries, mapped onto product items ([`milestones_of`]).

use chrono::{DateTime, Utc};
use orderdesk_domain::decomposition::{
    product_item_event, ServiceItemState, ServiceOrder, ServiceOrderItem,
};
use orderdesk_domain::lifecycle::{ItemEvent, ItemState, OrderCommand};
use orderdesk_domain::order::{ErrorMessage, ItemRelationshipType, Milestone, Note};
use orderdesk_domain::{
    IdSource, ItemId, ProductOrder, ServiceOrderId, ServiceOrderItemId, UserId,
};
use orderdesk_store::central::StoredServiceOrder;
use orderdesk_tmf::tmf641;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

use crate::workflow::{lifecycle_step, Step};

/// The author of the notes fulfilment writes on orders (what v4 clients read).
pub const NOTE_AUTHOR: &str = "orderdesk-fulfilment";

/// How deep bundles and replacements are followed for an item without service work.
const MAX_DELEGATION: usize = 8;

/// At most this many item events per item per report (the roll-up table reaches its target in
/// two).
const MAX_EVENTS_PER_ITEM: usize = 4;

/// Why SOM failed a service item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFailure {
    pub code: String,
    pub reason: String,
}

/// Failures by (service order, service item).
pub type Failures = HashMap<(ServiceOrderId, ServiceOrderItemId), ItemFailure>;

/// Whether SOM reporting `reported` for an item stored as `stored` is news.
pub fn accepts(stored: ServiceItemState, reported: ServiceItemState) -> bool {
    stored != reported
        && !stored.is_terminal()
        && !(reported == ServiceItemState::Acknowledged && stored != ServiceItemState::Acknowledged)
}

/// Whether the service order is still with SOM (or on its way there).
pub fn is_live(so: &StoredServiceOrder) -> bool {
    !matches!(
        so.state.as_str(),
        "completed" | "failed" | "partial" | "cancelled" | "rejected"
    )
}

/// The states of the service items decomposed from `item`, across `service_orders`.
pub fn direct_states(
    item: &ItemId,
    service_orders: &[StoredServiceOrder],
) -> Vec<ServiceItemState> {
    service_orders
        .iter()
        .flat_map(|so| {
            so.order
                .items
                .iter()
                .filter(|i| i.from_items.contains(item))
                .map(|i| {
                    so.item_state(&i.id)
                        .unwrap_or(ServiceItemState::Acknowledged)
                })
        })
        .collect()
}

/// The items that carry the work of `item` when it has none of its own: a bundle's
/// components, or the add item replacing it in a migrate pair.
fn delegates<'a>(order: &'a ProductOrder, item: &ItemId) -> impl Iterator<Item = &'a ItemId> + 'a {
    let item = item.clone();
    order
        .items
        .iter()
        .filter(move |other| {
            other.relationships.iter().any(|r| {
                r.item == item
                    && matches!(
                        r.kind,
                        ItemRelationshipType::BundledIn | ItemRelationshipType::Replaces
                    )
            })
        })
        .map(|other| &other.id)
}

fn states_at_depth(
    order: &ProductOrder,
    item: &ItemId,
    service_orders: &[StoredServiceOrder],
    depth: usize,
) -> Vec<ServiceItemState> {
    let direct = direct_states(item, service_orders);
    if !direct.is_empty() || depth >= MAX_DELEGATION {
        return direct;
    }
    delegates(order, item)
        .flat_map(|d| states_at_depth(order, d, service_orders, depth + 1))
        .collect()
}

/// The service item states that speak for `item` (see the module docs). An item with no
/// service work anywhere reads as one completed service item: it is done once handed over.
pub fn service_states(
    order: &ProductOrder,
    item: &ItemId,
    service_orders: &[StoredServiceOrder],
) -> Vec<ServiceItemState> {
    let states = states_at_depth(order, item, service_orders, 0);
    if states.is_empty() {
        vec![ServiceItemState::Completed]
    } else {
        states
    }
}

/// Whether the roll-up may move this item: the cancellation flow owns items being cancelled.
fn rolled_up(state: ItemState) -> bool {
    !matches!(
        state,
        ItemState::AssessingCancellation | ItemState::PendingCancellation
    ) && !state.is_terminal()
}

fn describe(states: &[ServiceItemState]) -> String {
    let mut counts: Vec<(ServiceItemState, usize)> = Vec::new();
    for s in states {
        match counts.iter_mut().find(|(k, _)| k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((*s, 1)),
        }
    }
    counts
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The failed service items of `item` with what SOM said about them.
fn failures_of_item<'a>(
    item: &'a ItemId,
    service_orders: &'a [StoredServiceOrder],
    failures: &'a Failures,
) -> impl Iterator<Item = (&'a ServiceOrderItem, ItemFailure)> + 'a {
    service_orders.iter().flat_map(move |so| {
        so.order
            .items
            .iter()
            .filter(move |i| {
                i.from_items.contains(item)
                    && so.item_state(&i.id) == Some(ServiceItemState::Failed)
            })
            .map(move |i| {
                let failure = failures
                    .get(&(so.order.id.clone(), i.id.clone()))
                    .cloned()
                    .unwrap_or_else(|| ItemFailure {
                        code: "SERVICE_ITEM_FAILED".to_owned(),
                        reason: format!("service order item `{}` ({}) failed", i.id, i.cfs),
                    });
                (i, failure)
            })
    })
}

/// Records on `step` why `item` failed (or was delivered only partly): one
/// `productOrderErrorMessage` per failed service item, and a note.
fn with_failure_reasons(
    mut step: Step,
    item: &ItemId,
    service_orders: &[StoredServiceOrder],
    failures: &Failures,
    now: DateTime<Utc>,
) -> Step {
    let mut lines = Vec::new();
    for (service_item, failure) in failures_of_item(item, service_orders, failures) {
        let message = ErrorMessage {
            code: failure.code.clone(),
            reason: failure.reason.clone(),
            message: format!(
                "{} ({}) failed in service order item `{}`",
                service_item.cfs,
                service_item.action.as_str(),
                service_item.id
            ),
            status: Some("failed".to_owned()),
            timestamp: now,
            items: vec![item.clone()],
        };
        let known = step.order.error_messages.iter().any(|m| {
            m.code == message.code && m.message == message.message && m.items == message.items
        });
        if !known {
            lines.push(format!(
                "{}: {}: {}",
                service_item.cfs, failure.code, failure.reason
            ));
            step.order.error_messages.push(message);
        }
    }
    if !lines.is_empty() {
        step.order.notes.push(Note {
            id: None,
            author: Some(NOTE_AUTHOR.to_owned()),
            date: Some(now),
            text: format!(
                "Item {item} {}: {}",
                step.order
                    .item(item)
                    .map_or(ItemState::Failed, |i| i.state()),
                lines.join("; ")
            ),
        });
        step.version.snapshot = step.order.clone();
    }
    step
}

/// The versions that move each product item where its service items say it should be, one
/// item event per version, recorded by `by`. Items being cancelled, finished items, and item
/// events the lifecycle refuses are left alone.
pub fn roll_up_steps(
    order: &ProductOrder,
    service_orders: &[StoredServiceOrder],
    failures: &Failures,
    now: DateTime<Utc>,
    by: &UserId,
) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let ids: Vec<ItemId> = order.items.iter().map(|i| i.id.clone()).collect();
    for id in ids {
        let states = service_states(order, &id, service_orders);
        for _ in 0..MAX_EVENTS_PER_ITEM {
            let current = steps.last().map_or(order, |s| &s.order);
            let Some(item_state) = current.item(&id).map(|i| i.state()) else {
                break;
            };
            if !rolled_up(item_state) {
                break;
            }
            let Some(event) = product_item_event(item_state, states.iter().copied()) else {
                break;
            };
            let reason = format!(
                "fulfilment: item {id} {event} (service items: {})",
                describe(&states)
            );
            let command = OrderCommand::Item {
                item: id.clone(),
                event,
            };
            let Ok(step) = lifecycle_step(current, &command, now, by, reason) else {
                break;
            };
            let step = if matches!(event, ItemEvent::Fail | ItemEvent::CompletePartially) {
                with_failure_reasons(step, &id, service_orders, failures, now)
            } else {
                step
            };
            steps.push(step);
        }
    }
    steps
}

/// The items that carry on: not finished and not being cancelled.
pub fn carrying_on(order: &ProductOrder) -> Vec<ItemId> {
    order
        .items
        .iter()
        .filter(|i| rolled_up(i.state()))
        .map(|i| i.id.clone())
        .collect()
}

/// A new service order for the `cancelled` service items that items carrying on still need:
/// each keeps its work, lists only the items carrying on, and depends only on items of the new
/// order (the work it waited for elsewhere is past its point of no return and running). Ids
/// come from `ids` (one `serviceOrder`, one `serviceOrderItem` per item).
pub fn follow_up(
    order: &ProductOrder,
    service_orders: &[StoredServiceOrder],
    cancelled: &[(ServiceOrderId, ServiceOrderItemId)],
    ids: &mut dyn IdSource,
) -> Option<ServiceOrder> {
    let carrying_on = carrying_on(order);
    let needed: Vec<(&ServiceOrder, &ServiceOrderItem)> = cancelled
        .iter()
        .filter_map(|(so_id, item_id)| {
            let so = service_orders.iter().find(|s| &s.order.id == so_id)?;
            let item = so.order.item(item_id)?;
            item.from_items
                .iter()
                .any(|i| carrying_on.contains(i))
                .then_some((&so.order, item))
        })
        .collect();
    let (first, _) = needed.first()?;
    let id = ServiceOrderId::new(ids.next_id("serviceOrder"));
    let renamed: HashMap<&ServiceOrderItemId, ServiceOrderItemId> = needed
        .iter()
        .map(|(_, i)| {
            (
                &i.id,
                ServiceOrderItemId::new(ids.next_id("serviceOrderItem")),
            )
        })
        .collect();
    let items = needed
        .iter()
        .filter_map(|(_, i)| {
            Some(ServiceOrderItem {
                id: renamed.get(&i.id)?.clone(),
                from_items: i
                    .from_items
                    .iter()
                    .filter(|p| carrying_on.contains(p))
                    .cloned()
                    .collect(),
                depends_on: i
                    .depends_on
                    .iter()
                    .filter_map(|d| renamed.get(d).cloned())
                    .collect(),
                ..(*i).clone()
            })
        })
        .collect();
    Some(ServiceOrder {
        id,
        product_order: order.id.clone(),
        customer: order.customer.clone(),
        priority: order.priority,
        requested_start_date: first.requested_start_date,
        requested_completion_date: first.requested_completion_date,
        items,
    })
}

/// A TMF641 milestone as a SOM writes it (only what the desk reads).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMilestone {
    id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    status: Option<String>,
    milestone_date: Option<DateTime<Utc>>,
    #[serde(default)]
    service_order_item: Vec<WireItemRef>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireItemRef {
    item_id: Option<String>,
}

/// The milestones of a SOM report on `service_order`, as product order milestones: id
/// `{service order}/{milestone}`, the product items of the service items they name (none named:
/// every item of the service order). Unreadable milestones are skipped.
pub fn milestones_of(
    report: &tmf641::ServiceOrder,
    service_order: &ServiceOrder,
    now: DateTime<Utc>,
) -> Vec<Milestone> {
    let mut out = Vec::new();
    for (n, value) in report.milestone.iter().flatten().enumerate() {
        let Ok(m) = serde_json::from_value::<WireMilestone>(value.clone()) else {
            continue;
        };
        let Some(name) = m.name.filter(|n| !n.trim().is_empty()) else {
            continue;
        };
        let named: Vec<&ServiceOrderItem> = m
            .service_order_item
            .iter()
            .filter_map(|r| r.item_id.as_deref())
            .filter_map(|id| service_order.item(&ServiceOrderItemId::new(id)))
            .collect();
        let sources: Vec<&ServiceOrderItem> = if named.is_empty() {
            service_order.items.iter().collect()
        } else {
            named
        };
        let mut items: Vec<ItemId> = Vec::new();
        for i in sources.iter().flat_map(|s| &s.from_items) {
            if !items.contains(i) {
                items.push(i.clone());
            }
        }
        out.push(Milestone {
            id: format!(
                "{}/{}",
                service_order.id,
                m.id.unwrap_or_else(|| format!("{name}-{n}"))
            ),
            name,
            description: m.description,
            date: m.milestone_date.unwrap_or(now),
            status: m.status.unwrap_or_else(|| "Completed".to_owned()),
            items,
        });
    }
    out
}

/// Why SOM failed each failed item of a report: the last `errorMessage` of the item.
pub fn failures_in(report: &tmf641::ServiceOrder) -> Vec<(ServiceOrderItemId, ItemFailure)> {
    report
        .service_order_item
        .iter()
        .flatten()
        .filter_map(|i| {
            let id = i.id.as_deref()?;
            let last = i.error_message.as_ref()?.last()?;
            let text = |k: &str| last.get(k).and_then(Value::as_str).map(str::to_owned);
            Some((
                ServiceOrderItemId::new(id),
                ItemFailure {
                    code: text("code").unwrap_or_else(|| "SERVICE_ITEM_FAILED".to_owned()),
                    reason: text("reason").unwrap_or_else(|| "SOM gave no reason".to_owned()),
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::decomposition::ServiceAction;
    use orderdesk_domain::lifecycle::apply;
    use orderdesk_domain::order::ItemRelationship;
    use orderdesk_domain::{CfsSpecId, ItemAction, OrderItem, SequentialIds};
    use serde_json::json;
    use ServiceItemState as S;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
    }

    fn by() -> UserId {
        UserId::new("som")
    }

    /// An accepted order: 1 broadband, 2 router relying on it, 3 a bundle holding 4.
    fn order() -> ProductOrder {
        let mut items = vec![
            OrderItem::new("1", ItemAction::Add, Some("PO-SF200-HOME".into())),
            OrderItem::new("2", ItemAction::Add, Some("PO-ROUTER-RENTAL".into())),
            OrderItem::new("3", ItemAction::Add, Some("PO-BUNDLE".into())),
            OrderItem::new("4", ItemAction::Add, Some("PO-IPTV".into())),
        ];
        items[3].relationships.push(ItemRelationship {
            item: "3".into(),
            kind: ItemRelationshipType::BundledIn,
        });
        let o = ProductOrder::new("O-1".into(), "CUST-1".into(), t0(), items, false).unwrap();
        apply(&o, &OrderCommand::Accept, t0()).unwrap()
    }

    fn service(id: &str, cfs: &str, from: &[&str], deps: &[&str]) -> ServiceOrderItem {
        ServiceOrderItem {
            id: id.into(),
            action: ServiceAction::Add,
            cfs: CfsSpecId::new(cfs),
            service_id: None,
            place: None,
            technology: None,
            characteristics: Vec::new(),
            removed_characteristics: Vec::new(),
            from_items: from.iter().map(|i| ItemId::new(*i)).collect(),
            depends_on: deps.iter().map(|d| ServiceOrderItemId::new(*d)).collect(),
            point_of_no_return: false,
        }
    }

    fn stored(states: &[ServiceItemState]) -> StoredServiceOrder {
        let so = ServiceOrder {
            id: "SO-1".into(),
            product_order: "O-1".into(),
            customer: "CUST-1".into(),
            priority: Default::default(),
            requested_start_date: None,
            requested_completion_date: None,
            items: vec![
                service("a", "CFS:GPON-Access", &["1"], &[]),
                service("b", "CFS:Internet-Access", &["1", "2"], &["a"]),
                service("c", "CFS:IPTV", &["4"], &["a"]),
            ],
        };
        let mut s = StoredServiceOrder::new(so);
        for (slot, state) in s.item_states.iter_mut().zip(states) {
            slot.1 = *state;
        }
        s
    }

    #[test]
    fn reported_states_only_move_forward() {
        let cases = [
            (S::Acknowledged, S::InProgress, true),
            (S::InProgress, S::Completed, true),
            (S::InProgress, S::InProgress, false),
            (S::Completed, S::Failed, false),
            (S::InProgress, S::Acknowledged, false),
            (S::Acknowledged, S::Cancelled, true),
            (S::Held, S::InProgress, true),
        ];
        for (stored, reported, expected) in cases {
            assert_eq!(
                accepts(stored, reported),
                expected,
                "{stored} -> {reported}"
            );
        }
    }

    #[test]
    fn bundles_follow_their_components_and_idle_items_complete() {
        let o = order();
        let sos = [stored(&[S::InProgress, S::Acknowledged, S::Completed])];
        assert_eq!(
            service_states(&o, &"1".into(), &sos),
            vec![S::InProgress, S::Acknowledged]
        );
        assert_eq!(service_states(&o, &"3".into(), &sos), vec![S::Completed]);
        assert_eq!(service_states(&o, &"4".into(), &sos), vec![S::Completed]);
        let nothing: [StoredServiceOrder; 0] = [];
        assert_eq!(
            service_states(&o, &"2".into(), &nothing),
            vec![S::Completed]
        );
    }

    #[test]
    fn the_roll_up_records_one_version_per_item_event() {
        let o = order();
        let sos = [stored(&[S::Completed, S::InProgress, S::Failed])];
        let mut failures = Failures::new();
        failures.insert(
            ("SO-1".into(), "c".into()),
            ItemFailure {
                code: "IPTV_DOWN".into(),
                reason: "no multicast".into(),
            },
        );
        let steps = roll_up_steps(&o, &sos, &failures, t0(), &by());
        let events: Vec<String> = steps
            .iter()
            .map(|s| s.version.reason.split(" (").next().unwrap().to_owned())
            .collect();
        assert_eq!(
            events,
            vec![
                "fulfilment: item 1 start",
                "fulfilment: item 2 start",
                "fulfilment: item 3 start",
                "fulfilment: item 3 fail",
                "fulfilment: item 4 start",
                "fulfilment: item 4 fail",
            ]
        );
        let last = &steps.last().unwrap().order;
        assert_eq!(last.version, o.version + 6);
        assert_eq!(last.item(&"3".into()).unwrap().state(), ItemState::Failed);
        assert_eq!(last.item(&"4".into()).unwrap().state(), ItemState::Failed);
        // The bundle follows its failed component; the reason is on the component.
        assert_eq!(last.error_messages.len(), 1);
        assert_eq!(last.error_messages[0].code, "IPTV_DOWN");
        assert_eq!(last.error_messages[0].items, vec![ItemId::new("4")]);
        assert!(last.notes[0].text.contains("no multicast"));
        // Reporting the same again changes nothing.
        assert!(roll_up_steps(last, &sos, &failures, t0(), &by()).is_empty());
    }

    #[test]
    fn a_follow_up_reorders_what_items_carrying_on_still_need() {
        let mut o = order();
        // Item 1 carries on (past PONR); 2 and 4 are being cancelled.
        for id in ["2", "4"] {
            o.item_mut(&id.into()).unwrap().lifecycle.state = ItemState::PendingCancellation;
        }
        let sos = [stored(&[S::InProgress, S::Cancelled, S::Cancelled])];
        let cancelled = vec![
            (ServiceOrderId::new("SO-1"), ServiceOrderItemId::new("b")),
            (ServiceOrderId::new("SO-1"), ServiceOrderItemId::new("c")),
        ];
        let mut ids = SequentialIds::new("F");
        let f = follow_up(&o, &sos, &cancelled, &mut ids).unwrap();
        assert_eq!(f.items.len(), 1, "only item 1 still needs internet access");
        assert_eq!(f.items[0].cfs, CfsSpecId::new("CFS:Internet-Access"));
        assert_eq!(f.items[0].from_items, vec![ItemId::new("1")]);
        assert!(
            f.items[0].depends_on.is_empty(),
            "GPON access runs in the first order"
        );
        assert_ne!(f.id, ServiceOrderId::new("SO-1"));
        assert!(follow_up(&o, &sos, &cancelled[1..], &mut ids).is_none());
    }

    #[test]
    fn milestones_map_to_product_items() {
        let sos = stored(&[S::InProgress, S::Acknowledged, S::Acknowledged]);
        let report: tmf641::ServiceOrder = serde_json::from_value(json!({
            "id": "SO-1",
            "milestone": [
                {"id": "a-pointOfNoReturn", "name": "pointOfNoReturn", "status": "Completed",
                 "milestoneDate": "2026-11-26T09:00:00Z",
                 "serviceOrderItem": [{"itemId": "a", "serviceOrderId": "SO-1"}]},
                {"name": "whole order"},
                {"noName": true}
            ]
        }))
        .unwrap();
        let ms = milestones_of(&report, &sos.order, t0());
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0].id, "SO-1/a-pointOfNoReturn");
        assert_eq!(ms[0].items, vec![ItemId::new("1")]);
        assert_eq!(
            ms[1].items.len(),
            3,
            "no item named: every item of the service order"
        );
    }

    #[test]
    fn failures_read_the_last_item_error() {
        let report: tmf641::ServiceOrder = serde_json::from_value(json!({
            "id": "SO-1",
            "serviceOrderItem": [
                {"id": "a", "state": "failed", "errorMessage": [
                    {"code": "OLD", "reason": "x"}, {"code": "IP_POOL_EXHAUSTED", "reason": "no /29"}]},
                {"id": "b", "state": "completed"}
            ]
        }))
        .unwrap();
        let f = failures_in(&report);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].1.code, "IP_POOL_EXHAUSTED");
    }
}
