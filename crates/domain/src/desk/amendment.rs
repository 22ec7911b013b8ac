//! Amendments: a new version of an in-flight order, made from the order the customer (or the
//! desk) now wants.
//!
//! Rules, in the order they are checked:
//! - the order must be open: not finished (`completed`, `failed`, `partial`, `rejected`,
//!   `cancelled`) and not being cancelled (`assessingCancellation`, `pendingCancellation`);
//! - the desired order is the same order, for the same customer, and well-formed;
//! - something must change ([`super::versions::diff`] is not empty);
//! - no item past its point of no return may change or be removed, and no finished item may
//!   change or be removed (a cancelled item may be left out: it stays cancelled). Each refusal
//!   names every offending item.
//!
//! The new order takes the desired requested content; items keep their lifecycle and PONR date
//! where they exist in both; added items start `acknowledged`; removed items stay on the order
//! and are cancelled through the item lifecycle: outright when delivery has not started, through
//! `pendingCancellation` (downstream must confirm) when it has. Order-level fields may change
//! even when some items are past PONR: they do not undo delivered work.
//!
//! The If-Match / ETag check against a stale `desired` is the server's business.

use chrono::{DateTime, Utc};

use super::versions::{bump, diff, ChangeKind, OrderDelta, OrderVersion, VersionError};
use crate::ids::{CustomerId, ItemId, OrderId, UserId};
use crate::lifecycle::{ItemEvent, ItemLifecycle, ItemRefusal, ItemState, OrderState};
use crate::order::{OrderItem, OrderShapeError, ProductOrder};

/// An accepted amendment: what changed, and the version that records it (whose snapshot is the
/// amended order).
#[derive(Debug, Clone, PartialEq)]
pub struct Amendment {
    pub delta: OrderDelta,
    pub version: OrderVersion,
}

impl Amendment {
    /// The amended order.
    pub fn order(&self) -> &ProductOrder {
        &self.version.snapshot
    }
}

/// Why an amendment was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AmendmentError {
    #[error("an order in state `{0}` is finished and cannot be amended")]
    OrderFinished(OrderState),
    #[error("an order in state `{0}` is being cancelled and cannot be amended")]
    CancellationInProgress(OrderState),
    #[error("the amendment is for order `{desired}`, not `{current}`")]
    OtherOrder { current: OrderId, desired: OrderId },
    #[error("the customer of an order cannot be amended (`{current}` to `{desired}`)")]
    CustomerChanged {
        current: CustomerId,
        desired: CustomerId,
    },
    #[error("the amended order is malformed: {0}")]
    Shape(#[from] OrderShapeError),
    #[error("the amendment changes nothing")]
    NothingChanged,
    #[error("items past their point of no return cannot be changed or removed: {}", list(.items))]
    PastPointOfNoReturn { items: Vec<ItemId> },
    #[error("finished items cannot be changed or removed: {}", list(.items))]
    ItemsFinished { items: Vec<ItemId> },
    #[error("item `{item}` cannot be withdrawn: {refusal}")]
    Withdrawal { item: ItemId, refusal: ItemRefusal },
    #[error(transparent)]
    Version(#[from] VersionError),
}

fn list(items: &[ItemId]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Amends `current` into `desired` at `now`, on behalf of `by`, for `reason`.
pub fn amend(
    current: &ProductOrder,
    desired: &ProductOrder,
    now: DateTime<Utc>,
    by: &UserId,
    reason: impl Into<String>,
) -> Result<Amendment, AmendmentError> {
    let state = current.state();
    if state.is_terminal() {
        return Err(AmendmentError::OrderFinished(state));
    }
    if matches!(
        state,
        OrderState::AssessingCancellation | OrderState::PendingCancellation
    ) {
        return Err(AmendmentError::CancellationInProgress(state));
    }
    if desired.id != current.id {
        return Err(AmendmentError::OtherOrder {
            current: current.id.clone(),
            desired: desired.id.clone(),
        });
    }
    if desired.customer != current.customer {
        return Err(AmendmentError::CustomerChanged {
            current: current.customer.clone(),
            desired: desired.customer.clone(),
        });
    }
    desired.check_shape()?;

    let mut delta = diff(current, desired);
    // Leaving out an item that is already cancelled withdraws nothing.
    delta.removed.retain(|id| {
        current
            .item(id)
            .is_some_and(|i| i.state() != ItemState::Cancelled)
    });
    if delta.is_empty() {
        return Err(AmendmentError::NothingChanged);
    }
    check_locked_items(current, &delta, now)?;

    let mut next = bump(current)?;
    take_requested_fields(&mut next, desired);
    next.items = desired
        .items
        .iter()
        .map(|wanted| match current.item(&wanted.id) {
            Some(existing) if !delta.touches(&wanted.id) => existing.clone(),
            Some(existing) => OrderItem {
                lifecycle: existing.lifecycle,
                point_of_no_return: existing.point_of_no_return,
                ..wanted.clone()
            },
            None => OrderItem {
                lifecycle: ItemLifecycle::default(),
                point_of_no_return: None,
                ..wanted.clone()
            },
        })
        .collect();
    for old in current
        .items
        .iter()
        .filter(|i| desired.item(&i.id).is_none())
    {
        next.items.push(withdraw(old)?);
    }
    next.check_shape()?;
    if next.state() != state {
        next.state_changed_at = now;
    }

    let version = OrderVersion {
        version: next.version,
        at: now,
        by: by.clone(),
        reason: reason.into(),
        change: ChangeKind::Amendment {
            delta: delta.clone(),
        },
        snapshot: next,
    };
    Ok(Amendment { delta, version })
}

/// Refuses the amendment if it touches an item past PONR or a finished item.
fn check_locked_items(
    current: &ProductOrder,
    delta: &OrderDelta,
    now: DateTime<Utc>,
) -> Result<(), AmendmentError> {
    let touched: Vec<&OrderItem> = current
        .items
        .iter()
        .filter(|i| delta.touches(&i.id))
        .collect();
    let past_ponr: Vec<ItemId> = touched
        .iter()
        .filter(|i| i.is_past_point_of_no_return(now))
        .map(|i| i.id.clone())
        .collect();
    if !past_ponr.is_empty() {
        return Err(AmendmentError::PastPointOfNoReturn { items: past_ponr });
    }
    let finished: Vec<ItemId> = touched
        .iter()
        .filter(|i| i.state().is_terminal())
        .map(|i| i.id.clone())
        .collect();
    if !finished.is_empty() {
        return Err(AmendmentError::ItemsFinished { items: finished });
    }
    Ok(())
}

/// Copies the order-level fields [`diff`] compares (the customer is checked equal beforehand).
fn take_requested_fields(next: &mut ProductOrder, desired: &ProductOrder) {
    next.priority = desired.priority;
    next.category.clone_from(&desired.category);
    next.description.clone_from(&desired.description);
    next.channel.clone_from(&desired.channel);
    next.requested_start_date = desired.requested_start_date;
    next.requested_completion_date = desired.requested_completion_date;
    next.billing_account.clone_from(&desired.billing_account);
    next.payment.clone_from(&desired.payment);
    next.quote.clone_from(&desired.quote);
    next.external_ids.clone_from(&desired.external_ids);
    next.related_parties.clone_from(&desired.related_parties);
}

/// A removed item, cancelled through its lifecycle. A cancelled item stays as it is.
fn withdraw(item: &OrderItem) -> Result<OrderItem, AmendmentError> {
    // Delivery started (the item is in progress, or held / pending out of progress): downstream
    // must reverse the work and confirm, so the item waits in `pendingCancellation`.
    let started = item.state() == ItemState::InProgress
        || item.lifecycle.resume_to == Some(ItemState::InProgress);
    let events: &[ItemEvent] = match item.state() {
        ItemState::Cancelled => &[],
        _ if started => &[
            ItemEvent::RequestCancellation,
            ItemEvent::AcceptCancellation,
        ],
        _ => &[ItemEvent::Cancel],
    };
    let mut next = item.clone();
    for event in events {
        next.lifecycle =
            next.lifecycle
                .apply(*event)
                .map_err(|refusal| AmendmentError::Withdrawal {
                    item: item.id.clone(),
                    refusal,
                })?;
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::testkit::{hours, in_progress, order, past_ponr, run, t0};
    use crate::lifecycle::OrderCommand;
    use crate::order::{Characteristic, ItemAction};
    use crate::priority::Priority;
    use proptest::prelude::*;
    use rstest::rstest;

    fn user_a() -> UserId {
        UserId::new("user-a")
    }

    /// Three items, accepted, items 1 and 2 in delivery.
    fn flowing() -> ProductOrder {
        let mut o = order(&[("1", "fibre"), ("2", "router"), ("3", "tv")]);
        o.items[0].product.characteristics = vec![Characteristic::text("speed", "500")];
        in_progress(&o, &["1", "2"], t0())
    }

    fn with_speed(o: &ProductOrder, speed: &str) -> ProductOrder {
        let mut d = o.clone();
        d.items[0].product.characteristics = vec![Characteristic::text("speed", speed)];
        d
    }

    fn item<'a>(o: &'a ProductOrder, id: &str) -> &'a OrderItem {
        o.item(&ItemId::new(id)).unwrap()
    }

    #[test]
    fn changes_an_item_in_delivery_and_keeps_its_lifecycle() {
        let current = flowing();
        let a = amend(
            &current,
            &with_speed(&current, "1000"),
            t0() + hours(1),
            &user_a(),
            "upsell",
        )
        .unwrap();
        let o = a.order();
        assert_eq!(o.version, current.version + 1);
        assert_eq!(item(o, "1").state(), ItemState::InProgress);
        assert_eq!(
            item(o, "1")
                .product
                .characteristic("speed")
                .map(|v| v.as_text()),
            Some("1000".into())
        );
        assert_eq!(a.delta.changed.len(), 1);
        assert_eq!(
            a.delta.changed[0].changes[0].path,
            "productOrderItem[1].product.productCharacteristic.speed"
        );
        assert_eq!(a.version.by, user_a());
        assert_eq!(a.version.reason, "upsell");
        assert_eq!(a.version.at, t0() + hours(1));
        assert_eq!(
            a.version.change,
            ChangeKind::Amendment {
                delta: a.delta.clone()
            }
        );
        // The state did not change, so the SLA clock did not restart.
        assert_eq!(o.state_changed_at, current.state_changed_at);
    }

    #[test]
    fn order_level_fields_are_amended() {
        let current = flowing();
        let mut desired = current.clone();
        desired.priority = Priority::HIGHEST;
        desired.requested_completion_date = Some(t0() + hours(48));
        let a = amend(&current, &desired, t0(), &user_a(), "escalation").unwrap();
        assert_eq!(a.order().priority, Priority::HIGHEST);
        assert_eq!(a.order().requested_completion_date, Some(t0() + hours(48)));
        let paths: Vec<&str> = a.delta.order.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["priority", "requestedCompletionDate"]);
    }

    #[test]
    fn added_items_start_acknowledged() {
        let current = flowing();
        let mut desired = current.clone();
        let mut extra = OrderItem::new("4", ItemAction::Add, Some("phone".into()));
        extra.lifecycle = ItemLifecycle::new(ItemState::Completed);
        extra.point_of_no_return = Some(t0());
        desired.items.push(extra);
        let a = amend(&current, &desired, t0(), &user_a(), "add phone").unwrap();
        let added = item(a.order(), "4");
        assert_eq!(added.state(), ItemState::Acknowledged);
        assert_eq!(added.point_of_no_return, None);
        assert_eq!(a.delta.added, vec![ItemId::new("4")]);
        assert_eq!(a.order().state(), OrderState::InProgress);
    }

    fn held_in_delivery() -> ProductOrder {
        run(
            &flowing(),
            OrderCommand::Item {
                item: "2".into(),
                event: ItemEvent::Hold,
            },
            t0(),
        )
    }

    #[rstest]
    #[case::not_started(flowing(), "3", ItemState::Cancelled, OrderState::InProgress)]
    #[case::in_delivery(
        flowing(),
        "2",
        ItemState::PendingCancellation,
        OrderState::PendingCancellation
    )]
    #[case::held_in_delivery(
        held_in_delivery(),
        "2",
        ItemState::PendingCancellation,
        OrderState::PendingCancellation
    )]
    #[case::held_order_not_started(held_in_delivery(), "3", ItemState::Cancelled, OrderState::Held)]
    fn removed_items_are_withdrawn_through_the_lifecycle(
        #[case] current: ProductOrder,
        #[case] removed: &str,
        #[case] item_state: ItemState,
        #[case] order_state: OrderState,
    ) {
        let mut desired = current.clone();
        desired.items.retain(|i| i.id.as_str() != removed);
        let a = amend(&current, &desired, t0() + hours(2), &user_a(), "drop").unwrap();
        assert_eq!(item(a.order(), removed).state(), item_state);
        assert_eq!(a.order().state(), order_state);
        assert_eq!(a.delta.removed, vec![ItemId::new(removed)]);
        // The result is what was desired, plus the withdrawn item kept for the record.
        let rest = diff(a.order(), &desired);
        assert_eq!(rest.removed, vec![ItemId::new(removed)]);
        assert!(rest.order.is_empty() && rest.added.is_empty() && rest.changed.is_empty());
        if order_state != current.state() {
            assert_eq!(a.order().state_changed_at, t0() + hours(2));
        }
    }

    #[test]
    fn leaving_out_a_cancelled_item_withdraws_nothing() {
        let current = flowing();
        let mut desired = current.clone();
        desired.items.retain(|i| i.id.as_str() != "3");
        let once = amend(&current, &desired, t0(), &user_a(), "drop tv").unwrap();
        assert_eq!(
            amend(once.order(), &desired, t0(), &user_a(), "again"),
            Err(AmendmentError::NothingChanged)
        );
        let twice = amend(
            once.order(),
            &with_speed(&desired, "1000"),
            t0(),
            &user_a(),
            "x",
        )
        .unwrap();
        assert!(twice.delta.removed.is_empty());
        assert_eq!(item(twice.order(), "3").state(), ItemState::Cancelled);
    }

    #[test]
    fn refuses_items_past_ponr_naming_them() {
        let current = past_ponr(past_ponr(flowing(), "1", t0()), "2", t0());
        let mut desired = with_speed(&current, "1000");
        desired.items.retain(|i| i.id.as_str() != "2");
        assert_eq!(
            amend(&current, &desired, t0() + hours(1), &user_a(), "x"),
            Err(AmendmentError::PastPointOfNoReturn {
                items: vec![ItemId::new("1"), ItemId::new("2")]
            })
        );
        // A PONR date still ahead does not lock the item yet.
        assert!(amend(&current, &desired, t0() - hours(1), &user_a(), "x").is_ok());
        // Items past PONR left alone do not block other changes.
        let mut other = current.clone();
        other.items[2].product.characteristics = vec![Characteristic::text("pack", "sports")];
        other.priority = Priority::HIGHEST;
        assert!(amend(&current, &other, t0() + hours(1), &user_a(), "x").is_ok());
    }

    #[test]
    fn refuses_finished_items() {
        let current = run(
            &flowing(),
            OrderCommand::Item {
                item: "2".into(),
                event: ItemEvent::Complete,
            },
            t0(),
        );
        let mut desired = current.clone();
        desired.items.retain(|i| i.id.as_str() != "2");
        assert_eq!(
            amend(&current, &desired, t0(), &user_a(), "x"),
            Err(AmendmentError::ItemsFinished {
                items: vec![ItemId::new("2")]
            })
        );
    }

    #[rstest]
    #[case::completed(OrderCommand::Reject { reason: "bad".into() }, AmendmentError::OrderFinished(OrderState::Rejected))]
    #[case::assessing(
        OrderCommand::RequestCancellation,
        AmendmentError::CancellationInProgress(OrderState::AssessingCancellation)
    )]
    fn refuses_closed_orders(#[case] command: OrderCommand, #[case] expected: AmendmentError) {
        let current = run(&order(&[("1", "fibre")]), command, t0());
        let mut desired = current.clone();
        desired.priority = Priority::HIGHEST;
        assert_eq!(
            amend(&current, &desired, t0(), &user_a(), "x"),
            Err(expected)
        );
    }

    #[test]
    fn refuses_what_is_not_an_amendment() {
        let current = flowing();
        assert_eq!(
            amend(&current, &current, t0(), &user_a(), "x"),
            Err(AmendmentError::NothingChanged)
        );
        let mut other = current.clone();
        other.id = "O-2".into();
        assert!(matches!(
            amend(&current, &other, t0(), &user_a(), "x"),
            Err(AmendmentError::OtherOrder { .. })
        ));
        let mut other = current.clone();
        other.customer = "C-9".into();
        assert!(matches!(
            amend(&current, &other, t0(), &user_a(), "x"),
            Err(AmendmentError::CustomerChanged { .. })
        ));
        let mut empty = current.clone();
        empty.items.clear();
        assert_eq!(
            amend(&current, &empty, t0(), &user_a(), "x"),
            Err(AmendmentError::Shape(OrderShapeError::NoItems))
        );
    }

    #[test]
    fn error_names_the_items() {
        let e = AmendmentError::PastPointOfNoReturn {
            items: vec!["1".into(), "2".into()],
        };
        assert_eq!(
            e.to_string(),
            "items past their point of no return cannot be changed or removed: `1`, `2`"
        );
    }

    proptest! {
        #[test]
        fn items_past_ponr_never_change(
            ponr in prop::collection::vec(any::<bool>(), 3),
            edits in prop::collection::vec(0u8..4, 3),
        ) {
            let mut current = flowing();
            for (i, past) in ponr.iter().enumerate() {
                if *past {
                    current.items[i].point_of_no_return = Some(t0());
                }
            }
            let mut desired = current.clone();
            for (i, edit) in edits.iter().enumerate().rev() {
                match edit {
                    0 => {}
                    1 => desired.items[i].quantity += 1,
                    2 => desired.items[i].product.characteristics.push(Characteristic::text("x", "y")),
                    _ => { desired.items.remove(i); }
                }
            }
            let now = t0() + hours(1);
            match amend(&current, &desired, now, &user_a(), "p") {
                Ok(a) => {
                    for old in current.items.iter().filter(|i| i.is_past_point_of_no_return(now)) {
                        prop_assert_eq!(a.order().item(&old.id), Some(old));
                    }
                    prop_assert_eq!(a.order().version, current.version + 1);
                }
                Err(AmendmentError::PastPointOfNoReturn { items }) => {
                    prop_assert!(!items.is_empty());
                    for id in &items {
                        prop_assert!(current.item(id).is_some_and(|i| i.is_past_point_of_no_return(now)));
                    }
                }
                Err(AmendmentError::NothingChanged) => prop_assert!(edits.iter().all(|e| *e == 0)),
                Err(AmendmentError::Shape(OrderShapeError::NoItems)) => prop_assert!(desired.items.is_empty()),
                Err(other) => prop_assert!(false, "unexpected refusal {other}"),
            }
        }
    }
}
