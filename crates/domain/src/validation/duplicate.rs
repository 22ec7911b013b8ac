//! Duplicate detection: the same order entered twice.
//!
//! - An external id (the channel's reference) already carried by another order is a **reject**:
//!   the channel is resubmitting, and a second order would bill twice. Orders that were rejected
//!   or cancelled do not count, so a channel may resubmit a corrected order under its reference.
//!   Idempotent create (the same POST replayed) is the server's business and never reaches here;
//!   the order's own id is excluded, as the server may have stored it before validating.
//! - An open order of the same customer already adding the same offering at the same address is
//!   a **hold** for review, not a reject: a second line at one address is sometimes wanted (a
//!   home office, a flat share), but usually it is an agent re-keying an order whose
//!   confirmation was slow, and accepting it would book a second engineer visit and port.
//!
//! Left to others: velocity across orders (fraud screening), whether the customer may hold two
//! (business rules).

use crate::lifecycle::OrderState;
use crate::order::{ItemAction, ProductOrder};
use crate::reference::OrderSummary;

use super::{
    codes, offering_name, path, Check, CheckKind, CheckResult, Outcome, ValidationContext,
};

const KIND: CheckKind = CheckKind::Duplicate;

#[derive(Debug, Clone, Copy, Default)]
pub struct DuplicateDetection;

impl Check for DuplicateDetection {
    fn kind(&self) -> CheckKind {
        KIND
    }

    fn run(&self, order: &ProductOrder, ctx: &ValidationContext<'_>, out: &mut Vec<CheckResult>) {
        let start = out.len();
        for external in &order.external_ids {
            if external.id.trim().is_empty() {
                continue;
            }
            let matches = ctx.orders.orders_with_external_id(&external.id, &order.id);
            if let Some(other) = matches.iter().find(|o| still_counts(o)) {
                out.push(
                    CheckResult::new(
                        KIND,
                        Outcome::Reject,
                        codes::DUPLICATE_EXTERNAL_ID,
                        format!(
                            "External id {} already identifies order {} ({})",
                            external.id, other.id, other.state
                        ),
                    )
                    .with_field(path::EXTERNAL_ID),
                );
            }
        }

        for (index, item) in order.items.iter().enumerate() {
            let (ItemAction::Add, Some(offering), Some(place)) =
                (item.action, &item.offering, &item.product.place)
            else {
                continue;
            };
            let Some(other) =
                ctx.orders
                    .open_order_with(&order.customer, offering, place, &order.id)
            else {
                continue;
            };
            out.push(
                CheckResult::new(
                    KIND,
                    Outcome::Hold,
                    codes::DUPLICATE_OPEN_ORDER,
                    format!(
                        "Open order {} ({}) already adds {} at {place}",
                        other.id,
                        other.state,
                        offering_name(ctx.catalog, offering)
                    ),
                )
                .at(index, item, path::OFFERING)
                .suggest(
                    format!(
                        "Amend order {} instead, or confirm a second one is wanted",
                        other.id
                    ),
                    None,
                ),
            );
        }

        if out.len() == start {
            out.push(CheckResult::new(
                KIND,
                Outcome::Pass,
                codes::DUPLICATE_OK,
                "No other order matches this one",
            ));
        }
    }
}

/// Whether an earlier order with the same external id blocks this one.
fn still_counts(other: &OrderSummary) -> bool {
    !matches!(other.state, OrderState::Rejected | OrderState::Cancelled)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::ids::{AddressId, OfferingId};
    use crate::order::ExternalId;
    use chrono::Duration;
    use rstest::rstest;

    fn check(w: &TestWorld, order: &ProductOrder) -> Vec<CheckResult> {
        w.run(&DuplicateDetection, order)
    }

    fn from_web(
        w: &TestWorld,
        external: &str,
        items: Vec<crate::order::OrderItem>,
    ) -> ProductOrder {
        let mut order = w.order(items);
        order.external_ids.push(ExternalId {
            owner: Some("web".into()),
            kind: None,
            id: external.into(),
        });
        order
    }

    #[test]
    fn a_fresh_order_passes() {
        let w = TestWorld::lived_in();
        let results = check(&w, &from_web(&w, "WEB-2", vec![fibre("1")]));
        assert_eq!(codes_of(&results), [codes::DUPLICATE_OK]);
        assert_eq!(results[0].outcome, Outcome::Pass);
    }

    #[rstest]
    #[case::in_progress(OrderState::InProgress, true)]
    #[case::completed(OrderState::Completed, true)]
    #[case::held(OrderState::Held, true)]
    #[case::rejected(OrderState::Rejected, false)]
    #[case::cancelled(OrderState::Cancelled, false)]
    fn a_reused_external_id_rejects(#[case] state: OrderState, #[case] duplicate: bool) {
        let mut w = TestWorld::lived_in();
        w.orders[0].state = state;
        let results = check(&w, &from_web(&w, "WEB-1", vec![add("1", "MOBILE-10")]));
        if duplicate {
            let found = only(&results, codes::DUPLICATE_EXTERNAL_ID);
            assert_eq!(found.outcome, Outcome::Reject);
            assert_eq!(found.field.as_deref(), Some("externalId"));
            assert!(found.message.contains("ORD-OPEN"), "{}", found.message);
        } else {
            assert_eq!(codes_of(&results), [codes::DUPLICATE_OK]);
        }
    }

    #[test]
    fn the_order_does_not_duplicate_itself() {
        let mut w = TestWorld::new();
        w.past_order(ORDER, Duration::zero()).external_ids = vec!["WEB-9".into()];
        let results = check(&w, &from_web(&w, "WEB-9", vec![fibre("1")]));
        assert_eq!(codes_of(&results), [codes::DUPLICATE_OK]);
    }

    #[test]
    fn the_same_offering_at_the_same_address_on_an_open_order_holds() {
        let w = TestWorld::lived_in();
        // ORD-OPEN adds SuperFibre 100 Cable at 2 Cable Road.
        let order = w.order(vec![
            add("1", "MOBILE-10"),
            add("2", "CABLE-100").at("ADDR-HFC"),
        ]);
        let results = check(&w, &order);
        let found = only(&results, codes::DUPLICATE_OPEN_ORDER);
        assert_eq!(found.outcome, Outcome::Hold);
        assert_eq!(
            found.field.as_deref(),
            Some("productOrderItem[1].productOffering.id")
        );
        assert_eq!(
            found.message,
            "Open order ORD-OPEN (inProgress) already adds SuperFibre 100 Cable at ADDR-HFC"
        );
        assert!(found.suggestion.is_some());
    }

    #[rstest]
    #[case::other_address(add("1", "CABLE-100").at("ADDR-BUSY"))]
    #[case::other_offering(add("1", "FIBRE-500").at("ADDR-HFC"))]
    #[case::not_an_add(change("1", ItemAction::Modify, "CABLE-100", "P-9").at("ADDR-HFC"))]
    fn only_the_same_offering_at_the_same_address_is_a_duplicate(
        #[case] item: crate::order::OrderItem,
    ) {
        let w = TestWorld::lived_in();
        assert_eq!(
            codes_of(&check(&w, &w.order(vec![item]))),
            [codes::DUPLICATE_OK]
        );
    }

    #[test]
    fn a_finished_order_is_no_duplicate() {
        let mut w = TestWorld::lived_in();
        w.orders[0].state = OrderState::Completed;
        let order = w.order(vec![add("1", "CABLE-100").at("ADDR-HFC")]);
        assert_eq!(codes_of(&check(&w, &order)), [codes::DUPLICATE_OK]);
        // Another customer's open order at the address is not this customer's duplicate.
        let other = w.past_order("ORD-NEIGHBOUR", Duration::hours(1));
        other.customer = crate::ids::CustomerId::new(BUSINESS);
        other.offerings = vec![OfferingId::new("CABLE-100")];
        other.places = vec![AddressId::new("ADDR-HFC")];
        assert_eq!(codes_of(&check(&w, &order)), [codes::DUPLICATE_OK]);
    }
}
