//! Business rules: the operator's commercial and regulatory limits on what a customer may hold.
//!
//! - **Max per account** (reject `RULE_MAX_PER_ACCOUNT`): live products of an offering, plus the
//!   order's adds, minus its ceases, may not exceed the offering's `max_per_account`, or for a
//!   residential customer the policy's cap for the category. Counted per customer, as inventory
//!   is keyed by customer.
//! - **Contracts**: ceasing a product inside its minimum term warns (`RULE_EARLY_TERMINATION`:
//!   the agent tells the customer about the charge) unless an added item under a new contract
//!   `replaces` it (a retention migration waives the charge); a second contract bundle for one
//!   customer holds for review (`RULE_CONTRACT_BUNDLE_CONFLICT`), as it usually is a migration
//!   keyed as an add without ceasing the old bundle.
//! - **Minimum age** (regulatory): a residential customer must be of the policy's age (18) on the
//!   order date to take a product with a minimum term, since a minor cannot be bound by a credit
//!   agreement (reject `RULE_MINIMUM_AGE`; unknown age holds, `RULE_AGE_UNVERIFIED`).
//! - **Emergency address** (regulatory): a voice service must have a service address that the
//!   directory knows, so emergency calls (112 / 911) can be located: EU EECC art. 109(6), US
//!   RAY BAUM'S Act (reject `RULE_EMERGENCY_ADDRESS`). Address-bound offerings are left to
//!   address qualification, which already demands one.
//!
//! Left to others: exclusions and prerequisites between offerings (catalog), identity (fraud).

use crate::catalog::ProductOffering;
use crate::ids::ProductId;
use crate::order::{ItemAction, ItemRelationshipType, OrderItem, ProductOrder};
use crate::reference::{Customer, CustomerSegment, ProductInstance};

use super::{codes, path, Check, CheckKind, CheckResult, Outcome, ValidationContext};

const KIND: CheckKind = CheckKind::BusinessRules;

#[derive(Debug, Clone, Copy, Default)]
pub struct BusinessRules;

/// An added item whose offering the catalog knows.
#[derive(Clone, Copy)]
struct Added<'a> {
    index: usize,
    item: &'a OrderItem,
    offering: &'a ProductOffering,
}

impl Check for BusinessRules {
    fn kind(&self) -> CheckKind {
        KIND
    }

    fn run(&self, order: &ProductOrder, ctx: &ValidationContext<'_>, out: &mut Vec<CheckResult>) {
        let start = out.len();
        let added: Vec<Added<'_>> = order
            .items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.action == ItemAction::Add)
            .filter_map(|(index, item)| {
                let offering = item
                    .offering
                    .as_ref()
                    .and_then(|id| ctx.catalog.offering(id))?;
                Some(Added {
                    index,
                    item,
                    offering,
                })
            })
            .collect();
        let customer = ctx.customers.customer(&order.customer);
        let installed = if added.is_empty() {
            Vec::new()
        } else {
            ctx.inventory.products_of(&order.customer)
        };

        check_max_per_account(&added, order, customer, &installed, ctx, out);
        check_early_termination(order, ctx, out);
        if ctx.policy.rules.one_contract_bundle {
            check_contract_bundles(&added, order, &installed, ctx, out);
        }
        check_minimum_age(&added, order, customer, ctx, out);
        check_emergency_address(&added, ctx, out);

        if out.len() == start {
            out.push(CheckResult::new(
                KIND,
                Outcome::Pass,
                codes::RULE_OK,
                "Within the account's limits and the regulatory rules",
            ));
        }
    }
}

fn check_max_per_account(
    added: &[Added<'_>],
    order: &ProductOrder,
    customer: Option<&Customer>,
    installed: &[&ProductInstance],
    ctx: &ValidationContext<'_>,
    out: &mut Vec<CheckResult>,
) {
    // Business accounts run fleets; an unknown customer is treated as residential, the safer cap.
    let residential = customer.is_none_or(|c| c.segment == CustomerSegment::Residential);
    for (pos, a) in added.iter().enumerate() {
        if added[..pos].iter().any(|b| b.offering.id == a.offering.id) {
            continue; // counted with its first item
        }
        let limit = a.offering.max_per_account.or_else(|| {
            residential
                .then(|| ctx.policy.rules.residential_limit(&a.offering.category))
                .flatten()
        });
        let Some(limit) = limit else { continue };
        let same = |b: &&Added<'_>| b.offering.id == a.offering.id;
        let adding: u64 = added[pos..]
            .iter()
            .filter(same)
            .map(|b| u64::from(b.item.quantity))
            .sum();
        let held = installed
            .iter()
            .filter(|p| p.is_live() && p.offering == a.offering.id)
            .count() as u64;
        let ceasing = order
            .items
            .iter()
            .filter(|i| {
                i.action == ItemAction::Delete && i.offering.as_ref() == Some(&a.offering.id)
            })
            .count() as u64;
        let total = (held + adding).saturating_sub(ceasing);
        if total <= u64::from(limit) {
            continue;
        }
        let last = added[pos..].iter().rev().find(same).unwrap_or(a);
        out.push(
            CheckResult::new(
                KIND,
                Outcome::Reject,
                codes::RULE_MAX_PER_ACCOUNT,
                format!(
                    "The customer would hold {total} × {}; at most {limit} are allowed per account",
                    a.offering.name
                ),
            )
            .at(last.index, last.item, path::QUANTITY),
        );
    }
}

fn check_early_termination(
    order: &ProductOrder,
    ctx: &ValidationContext<'_>,
    out: &mut Vec<CheckResult>,
) {
    let effective = order.requested_start_date.unwrap_or(order.order_date);
    for (index, item) in order.items.iter().enumerate() {
        if item.action != ItemAction::Delete {
            continue;
        }
        let Some(product) = item
            .product
            .existing
            .as_ref()
            .and_then(|id| ctx.inventory.product(id))
        else {
            continue;
        };
        let Some(contract_end) = product.contract_end.filter(|end| *end > effective) else {
            continue;
        };
        if replaced_under_contract(order, item, ctx) {
            continue;
        }
        out.push(
            CheckResult::new(
                KIND,
                Outcome::Warn,
                codes::RULE_EARLY_TERMINATION,
                format!(
                    "{} ({}) is in contract until {}: an early termination charge applies",
                    product.name,
                    product.id,
                    contract_end.format("%Y-%m-%d")
                ),
            )
            .at(index, item, path::PRODUCT)
            .suggest(
                "Migrating to an offering with a new contract (an add that `replaces` this item) \
                 waives the charge",
                None,
            ),
        );
    }
}

/// Whether an added item under a minimum term replaces the ceased item.
fn replaced_under_contract(
    order: &ProductOrder,
    ceased: &OrderItem,
    ctx: &ValidationContext<'_>,
) -> bool {
    order.items.iter().any(|item| {
        item.action == ItemAction::Add
            && item
                .relationships
                .iter()
                .any(|r| r.kind == ItemRelationshipType::Replaces && r.item == ceased.id)
            && item
                .offering
                .as_ref()
                .and_then(|id| ctx.catalog.offering(id))
                .is_some_and(|o| o.contract_months.is_some())
    })
}

fn is_contract_bundle(offering: &ProductOffering) -> bool {
    offering.is_bundle() && offering.contract_months.is_some()
}

fn check_contract_bundles(
    added: &[Added<'_>],
    order: &ProductOrder,
    installed: &[&ProductInstance],
    ctx: &ValidationContext<'_>,
    out: &mut Vec<CheckResult>,
) {
    let mut bundles = added.iter().filter(|a| is_contract_bundle(a.offering));
    let Some(first) = bundles.next() else {
        return;
    };
    let ceased: Vec<&ProductId> = order
        .items
        .iter()
        .filter(|i| i.action == ItemAction::Delete)
        .filter_map(|i| i.product.existing.as_ref())
        .collect();
    let kept = installed.iter().find(|p| {
        p.is_live()
            && !ceased.contains(&&p.id)
            && ctx
                .catalog
                .offering(&p.offering)
                .is_some_and(is_contract_bundle)
    });
    let hold = |a: &Added<'_>, message: String| {
        CheckResult::new(
            KIND,
            Outcome::Hold,
            codes::RULE_CONTRACT_BUNDLE_CONFLICT,
            message,
        )
        .at(a.index, a.item, path::OFFERING)
        .suggest(
            "To switch bundles, delete the current one on this order (the new one `replaces` \
                 it)",
            None,
        )
    };
    if let Some(product) = kept {
        out.push(hold(
            first,
            format!(
                "The customer already has the contract bundle {} ({})",
                product.name, product.id
            ),
        ));
    }
    for second in bundles {
        out.push(hold(
            second,
            format!(
                "The order adds a second contract bundle, {} besides {}",
                second.offering.name, first.offering.name
            ),
        ));
    }
}

fn check_minimum_age(
    added: &[Added<'_>],
    order: &ProductOrder,
    customer: Option<&Customer>,
    ctx: &ValidationContext<'_>,
    out: &mut Vec<CheckResult>,
) {
    let Some(contract) = added.iter().find(|a| a.offering.contract_months.is_some()) else {
        return;
    };
    let minimum = ctx.policy.rules.minimum_contract_age;
    let unverified = |message: String| {
        CheckResult::new(KIND, Outcome::Hold, codes::RULE_AGE_UNVERIFIED, message)
            .at_field(contract.item, path::CUSTOMER.to_owned())
    };
    let Some(customer) = customer else {
        out.push(unverified(format!(
            "Customer {} is unknown, so their age cannot be checked for {}",
            order.customer, contract.offering.name
        )));
        return;
    };
    if customer.segment == CustomerSegment::Business {
        return;
    }
    let Some(born) = customer.date_of_birth else {
        out.push(unverified(format!(
            "No date of birth on file: {} has a minimum term, which needs a customer of {minimum} \
             or older",
            contract.offering.name
        )));
        return;
    };
    // A birth date after the order date gives no age: treated as under age.
    let age = order.order_date.date_naive().years_since(born).unwrap_or(0);
    if age < minimum {
        out.push(
            CheckResult::new(
                KIND,
                Outcome::Reject,
                codes::RULE_MINIMUM_AGE,
                format!(
                    "The customer is {age}; {} has a minimum term, which needs a customer of \
                     {minimum} or older",
                    contract.offering.name
                ),
            )
            .at_field(contract.item, path::CUSTOMER.to_owned())
            .suggest(
                "A parent or guardian can take the contract in their name",
                None,
            ),
        );
    }
}

fn check_emergency_address(
    added: &[Added<'_>],
    ctx: &ValidationContext<'_>,
    out: &mut Vec<CheckResult>,
) {
    for a in added {
        if a.offering.is_address_bound()
            || !ctx
                .policy
                .rules
                .needs_emergency_address(&a.offering.category)
        {
            continue;
        }
        let problem = match &a.item.product.place {
            None => Some((path::PLACE_REF, "has no service address".to_owned())),
            Some(place) if ctx.addresses.address(place).is_none() => Some((
                path::PLACE,
                format!("has a service address ({place}) the address directory does not know"),
            )),
            Some(_) => None,
        };
        if let Some((field, why)) = problem {
            out.push(
                CheckResult::new(
                    KIND,
                    Outcome::Reject,
                    codes::RULE_EMERGENCY_ADDRESS,
                    format!(
                        "{} {why}: voice services need a validated address so emergency calls \
                         can be located",
                        a.offering.name
                    ),
                )
                .at(a.index, a.item, field),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::ids::CustomerId;
    use crate::reference::ProductStatus;
    use chrono::{Duration, NaiveDate};
    use rstest::rstest;

    fn check(w: &TestWorld, order: &ProductOrder) -> Vec<CheckResult> {
        w.run(&BusinessRules, order)
    }

    fn home_phone(id: &str) -> OrderItem {
        add(id, "VOICE-HOME").at("ADDR-GPON")
    }

    #[test]
    fn an_ordinary_order_passes() {
        let w = TestWorld::lived_in();
        let order = w.order(vec![fibre("1"), home_phone("2"), add("3", "MOBILE-10")]);
        let results = check(&w, &order);
        assert_eq!(codes_of(&results), [codes::RULE_OK]);
        assert_eq!(results[0].outcome, Outcome::Pass);
    }

    #[test]
    fn the_offerings_own_cap_counts_installed_added_and_ceased() {
        let mut w = TestWorld::new();
        for n in 0..4 {
            w.install(&format!("P-M{n}"), "MOBILE-10");
        }
        w.install("P-OLD", "MOBILE-10").status = ProductStatus::Terminated;
        // 4 live + 1 = 5: allowed.
        let order = w.order(vec![add("1", "MOBILE-10")]);
        assert_eq!(codes_of(&check(&w, &order)), [codes::RULE_OK]);
        // 4 + 1 + 1 = 6: over.
        let order = w.order(vec![add("1", "MOBILE-10"), add("2", "MOBILE-10")]);
        let results = check(&w, &order);
        let found = only(&results, codes::RULE_MAX_PER_ACCOUNT);
        assert_eq!(found.outcome, Outcome::Reject);
        assert_eq!(found.field.as_deref(), Some("productOrderItem[1].quantity"));
        assert_eq!(
            found.message,
            "The customer would hold 6 × Mobile 10GB; at most 5 are allowed per account"
        );
        // ... unless one line is ceased on the same order.
        let mut order = order;
        order
            .items
            .push(change("3", ItemAction::Delete, "MOBILE-10", "P-M0"));
        assert_eq!(codes_of(&check(&w, &order)), [codes::RULE_OK]);
        // Quantity counts as much as separate items.
        let order = w.order(vec![add("1", "MOBILE-10").quantity(u32::MAX)]);
        assert_eq!(codes_of(&check(&w, &order)), [codes::RULE_MAX_PER_ACCOUNT]);
    }

    #[rstest]
    #[case::residential(CUSTOMER, true)]
    #[case::business(BUSINESS, false)]
    #[case::unknown("CUST-GHOST", true)]
    fn category_caps_apply_to_residential_customers(#[case] customer: &str, #[case] capped: bool) {
        let w = TestWorld::new();
        // Four broadband lines against a residential cap of three.
        let mut order = w.order((1..=4).map(|n| add(&n.to_string(), "COPPER-50")).collect());
        order.customer = CustomerId::new(customer);
        let results = check(&w, &order);
        assert_eq!(
            results
                .iter()
                .any(|r| r.code == codes::RULE_MAX_PER_ACCOUNT),
            capped,
            "{results:#?}"
        );
    }

    #[test]
    fn ceasing_in_contract_warns_unless_replaced_under_a_new_contract() {
        let w = TestWorld::lived_in();
        // P-1 (fibre) is in contract for another 200 days.
        let cease = w.order(vec![change("1", ItemAction::Delete, "FIBRE-500", "P-1")]);
        let results = check(&w, &cease);
        let found = only(&results, codes::RULE_EARLY_TERMINATION);
        assert_eq!(found.outcome, Outcome::Warn);
        assert_eq!(
            found.field.as_deref(),
            Some("productOrderItem[0].product.id")
        );
        assert!(
            found.message.contains("until 2027-05-21"),
            "{}",
            found.message
        );

        let migrate = w.order(vec![
            change("1", ItemAction::Delete, "FIBRE-500", "P-1"),
            add("2", "CABLE-100").at("ADDR-HFC").replaces("1"),
        ]);
        assert_eq!(codes_of(&check(&w, &migrate)), [codes::RULE_OK]);

        // Copper carries no contract: moving to it does not waive the charge.
        let downgrade = w.order(vec![
            change("1", ItemAction::Delete, "FIBRE-500", "P-1"),
            add("2", "COPPER-50").at("ADDR-GPON").replaces("1"),
        ]);
        assert_eq!(
            codes_of(&check(&w, &downgrade)),
            [codes::RULE_EARLY_TERMINATION]
        );
    }

    #[test]
    fn a_cease_dated_after_the_contract_end_is_free() {
        let w = TestWorld::lived_in();
        let mut cease = w.order(vec![change("1", ItemAction::Delete, "FIBRE-500", "P-1")]);
        cease.requested_start_date = Some(t0() + Duration::days(201));
        assert_eq!(codes_of(&check(&w, &cease)), [codes::RULE_OK]);
    }

    #[test]
    fn a_second_contract_bundle_holds() {
        let mut w = TestWorld::new();
        w.install("P-DUO", "HOME-DUO");
        let triple = || {
            vec![
                add("b", "HOME-TRIPLE"),
                fibre("b1").bundled_in("b"),
                add("b2", "TV-BASIC").bundled_in("b"),
                home_phone("b3").bundled_in("b"),
            ]
        };
        let results = check(&w, &w.order(triple()));
        let found = only(&results, codes::RULE_CONTRACT_BUNDLE_CONFLICT);
        assert_eq!(found.outcome, Outcome::Hold);
        assert_eq!(
            found.field.as_deref(),
            Some("productOrderItem[0].productOffering.id")
        );
        assert!(found.message.contains("P-DUO"), "{}", found.message);

        // Ceasing the old bundle on the same order is a bundle switch.
        let mut switch = w.order(triple());
        switch
            .items
            .push(change("old", ItemAction::Delete, "HOME-DUO", "P-DUO"));
        assert_eq!(codes_of(&check(&w, &switch)), [codes::RULE_OK]);

        // Two contract bundles on one order.
        w.products.clear();
        let mut two = w.order(triple());
        two.items.push(add("d", "HOME-DUO"));
        let results = check(&w, &two);
        assert_eq!(
            only(&results, codes::RULE_CONTRACT_BUNDLE_CONFLICT).item,
            Some("d".into())
        );

        // An operator may allow several.
        w.policy.rules.one_contract_bundle = false;
        assert_eq!(codes_of(&check(&w, &two)), [codes::RULE_OK]);
    }

    #[rstest]
    #[case::adult(NaiveDate::from_ymd_opt(1985, 4, 12), None)]
    #[case::eighteen_today(NaiveDate::from_ymd_opt(2008, 11, 2), None)]
    #[case::eighteen_tomorrow(NaiveDate::from_ymd_opt(2008, 11, 3), Some(codes::RULE_MINIMUM_AGE))]
    #[case::child(NaiveDate::from_ymd_opt(2015, 1, 1), Some(codes::RULE_MINIMUM_AGE))]
    #[case::born_in_the_future(NaiveDate::from_ymd_opt(2030, 1, 1), Some(codes::RULE_MINIMUM_AGE))]
    #[case::unknown(None, Some(codes::RULE_AGE_UNVERIFIED))]
    fn a_contract_needs_an_adult(#[case] born: Option<NaiveDate>, #[case] code: Option<&str>) {
        let mut w = TestWorld::new();
        w.customer_mut().date_of_birth = born;
        let results = check(&w, &w.order(vec![fibre("1")]));
        match code {
            None => assert_eq!(codes_of(&results), [codes::RULE_OK]),
            Some(code) => {
                let found = only(&results, code);
                assert_eq!(
                    found.field.as_deref(),
                    Some("relatedParty[role=customer].id")
                );
                assert_eq!(found.item, Some("1".into()));
            }
        }
        // Products without a minimum term need no age check.
        assert_eq!(
            codes_of(&check(&w, &w.order(vec![add("1", "COPPER-50")]))),
            [codes::RULE_OK]
        );
    }

    #[test]
    fn age_is_not_checked_for_businesses_but_an_unknown_customer_holds() {
        let w = TestWorld::new();
        let mut order = w.order(vec![fibre("1")]);
        order.customer = CustomerId::new(BUSINESS);
        assert_eq!(codes_of(&check(&w, &order)), [codes::RULE_OK]);
        order.customer = CustomerId::new("CUST-GHOST");
        let results = check(&w, &order);
        assert_eq!(
            only(&results, codes::RULE_AGE_UNVERIFIED).outcome,
            Outcome::Hold
        );
    }

    #[rstest]
    #[case::no_address(add("1", "VOICE-HOME"), Some("productOrderItem[0].product.place"))]
    #[case::unknown_address(
        add("1", "VOICE-HOME").at("ADDR-NOWHERE"),
        Some("productOrderItem[0].product.place[0].id")
    )]
    #[case::known_address(home_phone("1"), None)]
    // Not serviceable for broadband, but a known place an ambulance can find.
    #[case::rural_address(add("1", "VOICE-HOME").at("ADDR-RURAL"), None)]
    #[case::not_voice(add("1", "MOBILE-10"), None)]
    fn voice_needs_a_validated_emergency_address(
        #[case] item: OrderItem,
        #[case] field: Option<&str>,
    ) {
        let w = TestWorld::new();
        let results = check(&w, &w.order(vec![item]));
        match field {
            None => assert_eq!(codes_of(&results), [codes::RULE_OK]),
            Some(field) => {
                let found = only(&results, codes::RULE_EMERGENCY_ADDRESS);
                assert_eq!(found.outcome, Outcome::Reject);
                assert_eq!(found.field.as_deref(), Some(field));
            }
        }
    }
}
