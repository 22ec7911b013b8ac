//! Address qualification: an added address-bound offering (one with access technologies) names
//! a service address that exists and is serviceable, and one of the offering's technologies is
//! available there. The best such technology is the one the order will be delivered over, and
//! the pass says which. When none is, the reject suggests an offering of the same category that
//! is available at the address ("HFC available here: SuperFibre 100 Cable").
//!
//! Only adds are qualified: a modify or cease keeps the access already installed. Left to
//! others: free ports at the exchange (port capacity), addresses of voice services that are not
//! address-bound (the emergency-address business rule), unknown offerings (catalog).

use crate::catalog::ProductOffering;
use crate::order::{ItemAction, OrderItem, ProductOrder};
use crate::reference::Address;

use super::{
    alternative, codes, path, serving_technology, Check, CheckKind, CheckResult, Outcome,
    ValidationContext,
};

const KIND: CheckKind = CheckKind::Address;

#[derive(Debug, Clone, Copy, Default)]
pub struct AddressQualification;

impl Check for AddressQualification {
    fn kind(&self) -> CheckKind {
        KIND
    }

    fn run(&self, order: &ProductOrder, ctx: &ValidationContext<'_>, out: &mut Vec<CheckResult>) {
        let start = out.len();
        for (index, item) in order.items.iter().enumerate() {
            if item.action != ItemAction::Add {
                continue;
            }
            let Some(offering) = item
                .offering
                .as_ref()
                .and_then(|id| ctx.catalog.offering(id))
            else {
                continue;
            };
            if offering.is_address_bound() {
                out.push(qualify(index, item, offering, order, ctx));
            }
        }
        if out.len() == start {
            out.push(CheckResult::new(
                KIND,
                Outcome::Pass,
                codes::ADDRESS_OK,
                "No item needs a service address",
            ));
        }
    }
}

fn qualify(
    index: usize,
    item: &OrderItem,
    offering: &ProductOffering,
    order: &ProductOrder,
    ctx: &ValidationContext<'_>,
) -> CheckResult {
    let reject = |code, message: String, below_item| {
        CheckResult::new(KIND, Outcome::Reject, code, message).at(index, item, below_item)
    };
    let Some(place) = &item.product.place else {
        return reject(
            codes::ADDRESS_MISSING,
            format!("{} needs a service address", offering.name),
            path::PLACE_REF,
        );
    };
    let Some(address) = ctx.addresses.address(place) else {
        return reject(
            codes::ADDRESS_NOT_FOUND,
            format!("Address {place} is not in the address directory"),
            path::PLACE,
        );
    };
    if !address.is_serviceable() {
        return reject(
            codes::ADDRESS_NOT_SERVICEABLE,
            format!("No network reaches {}", address.one_line()),
            path::PLACE,
        );
    }
    if let Some(technology) = serving_technology(offering, address) {
        return CheckResult::new(
            KIND,
            Outcome::Pass,
            codes::ADDRESS_OK,
            format!(
                "{} over {technology} at {}",
                offering.name,
                address.one_line()
            ),
        )
        .at(index, item, path::PLACE);
    }
    let offered: Vec<&str> = address.technologies.iter().map(|t| t.as_str()).collect();
    let result = reject(
        codes::ADDRESS_TECHNOLOGY_UNAVAILABLE,
        format!(
            "{} is not available at {}, which is served by {}",
            offering.name,
            address.one_line(),
            offered.join(", ")
        ),
        path::OFFERING,
    );
    match available_instead(offering, address, order, ctx) {
        Some((technology, other)) => result.suggest(
            format!("{technology} available here: {}", other.name),
            Some(other.id.clone()),
        ),
        None => result,
    }
}

/// An offering like `offering` that the address can take, over the best technology that has one.
fn available_instead<'c>(
    offering: &ProductOffering,
    address: &Address,
    order: &ProductOrder,
    ctx: &ValidationContext<'c>,
) -> Option<(crate::catalog::Technology, &'c ProductOffering)> {
    address.technologies.iter().find_map(|&technology| {
        alternative(ctx.catalog, offering, order.order_date, |o| {
            o.technologies.contains(&technology)
        })
        .map(|o| (technology, o))
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::catalog::Technology;
    use crate::ids::OfferingId;
    use rstest::rstest;

    fn check(w: &TestWorld, order: &ProductOrder) -> Vec<CheckResult> {
        w.run(&AddressQualification, order)
    }

    #[rstest]
    #[case::fibre_over_gpon(
        fibre("1"),
        "SuperFibre 500 over GPON at 1 Fibre Street, 1000 Northtown"
    )]
    #[case::copper_over_vdsl(
        add("1", "COPPER-50").at("ADDR-GPON"),
        "Copper 50 over VDSL at 1 Fibre Street, 1000 Northtown"
    )]
    #[case::cable_over_hfc(
        add("1", "CABLE-100").at("ADDR-HFC"),
        "SuperFibre 100 Cable over HFC at 2 Cable Road, 1000 Northtown"
    )]
    fn a_qualified_address_passes_naming_the_technology(
        #[case] item: OrderItem,
        #[case] message: &str,
    ) {
        let w = TestWorld::new();
        let results = check(&w, &w.order(vec![item]));
        let found = only(&results, codes::ADDRESS_OK);
        assert_eq!(found.outcome, Outcome::Pass);
        assert_eq!(found.message, message);
        assert_eq!(
            found.field.as_deref(),
            Some("productOrderItem[0].product.place[0].id")
        );
    }

    #[test]
    fn an_order_without_address_bound_items_passes() {
        let w = TestWorld::new();
        let order = w.order(vec![add("1", "MOBILE-10"), add("2", "NOPE")]);
        let results = check(&w, &order);
        assert_eq!(codes_of(&results), [codes::ADDRESS_OK]);
        assert_eq!(results[0].item, None);
    }

    #[test]
    fn modifies_and_ceases_are_not_requalified() {
        let w = TestWorld::new();
        let order = w.order(vec![change("1", ItemAction::Delete, "FIBRE-500", "P-1")]);
        assert_eq!(codes_of(&check(&w, &order)), [codes::ADDRESS_OK]);
    }

    #[rstest]
    #[case::no_place(
        add("1", "FIBRE-500"),
        codes::ADDRESS_MISSING,
        "productOrderItem[0].product.place"
    )]
    #[case::unknown_place(
        add("1", "FIBRE-500").at("ADDR-NOWHERE"),
        codes::ADDRESS_NOT_FOUND,
        "productOrderItem[0].product.place[0].id"
    )]
    #[case::no_network(
        add("1", "FIBRE-500").at("ADDR-RURAL"),
        codes::ADDRESS_NOT_SERVICEABLE,
        "productOrderItem[0].product.place[0].id"
    )]
    #[case::wrong_technology(
        add("1", "FIBRE-500").at("ADDR-HFC"),
        codes::ADDRESS_TECHNOLOGY_UNAVAILABLE,
        "productOrderItem[0].productOffering.id"
    )]
    fn each_fault_rejects(#[case] item: OrderItem, #[case] code: &str, #[case] field: &str) {
        let w = TestWorld::new();
        let results = check(&w, &w.order(vec![item]));
        assert_eq!(codes_of(&results), [code]);
        assert_eq!(results[0].outcome, Outcome::Reject);
        assert_eq!(results[0].field.as_deref(), Some(field));
        assert_eq!(results[0].item.as_ref().map(|i| i.as_str()), Some("1"));
    }

    #[test]
    fn fibre_at_a_cable_address_suggests_the_cable_offering() {
        let w = TestWorld::new();
        let results = check(&w, &w.order(vec![add("1", "FIBRE-500").at("ADDR-HFC")]));
        let found = only(&results, codes::ADDRESS_TECHNOLOGY_UNAVAILABLE);
        assert!(found.message.contains("served by HFC"), "{}", found.message);
        let suggestion = found.suggestion.as_ref().unwrap();
        assert_eq!(
            suggestion.message,
            "HFC available here: SuperFibre 100 Cable"
        );
        assert_eq!(suggestion.offering, Some(OfferingId::new("CABLE-100")));
    }

    #[test]
    fn the_suggestion_prefers_the_best_technology_at_the_address() {
        let mut w = TestWorld::new();
        // 1 Fibre Street has no 5G and lists GPON before VDSL: fibre is suggested first.
        assert_eq!(
            w.addresses[0].technologies,
            [Technology::Gpon, Technology::Vdsl]
        );
        let results = check(&w, &w.order(vec![add("1", "FWA-200").at("ADDR-GPON")]));
        let found = only(&results, codes::ADDRESS_TECHNOLOGY_UNAVAILABLE);
        assert_eq!(
            found.suggestion.as_ref().unwrap().message,
            "GPON available here: SuperFibre 500"
        );
        // Without fibre on sale the copper offering is next.
        w.offering_mut("FIBRE-500").sellable = false;
        let results = check(&w, &w.order(vec![add("1", "FWA-200").at("ADDR-GPON")]));
        assert_eq!(
            only(&results, codes::ADDRESS_TECHNOLOGY_UNAVAILABLE)
                .suggestion
                .as_ref()
                .unwrap()
                .message,
            "VDSL available here: Copper 50"
        );
    }

    #[test]
    fn no_suggestion_when_nothing_of_the_category_reaches_the_address() {
        let mut w = TestWorld::new();
        w.offering_mut("CABLE-100").lifecycle_status = crate::catalog::LifecycleStatus::Retired;
        let results = check(&w, &w.order(vec![add("1", "FIBRE-500").at("ADDR-HFC")]));
        assert_eq!(
            only(&results, codes::ADDRESS_TECHNOLOGY_UNAVAILABLE).suggestion,
            None
        );
    }

    #[test]
    fn each_address_bound_item_gets_its_own_result() {
        let w = TestWorld::new();
        let order = w.order(vec![
            fibre("1"),
            add("2", "MOBILE-10"),
            add("3", "CABLE-100").at("ADDR-GPON"),
        ]);
        let results = check(&w, &order);
        assert_eq!(
            codes_of(&results),
            [codes::ADDRESS_OK, codes::ADDRESS_TECHNOLOGY_UNAVAILABLE]
        );
        assert_eq!(
            results[1].field.as_deref(),
            Some("productOrderItem[2].productOffering.id")
        );
    }
}
