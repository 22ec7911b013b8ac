//! Catalog conformance: every item names an offering the catalog has and may sell on the order
//! date, with the characteristics its specification demands and allows; items that change or
//! remove a product point at a live product of the customer's, of the same offering; and the
//! items fit together (exclusions, prerequisites, bundles), with each other and with what the
//! customer keeps installed.
//!
//! Bundles: `bundled` lists a bundle's components, and the catalog model has no optional
//! components, so an added bundle needs one added item per component, related to it by `bundled`;
//! and an item bundled in another may only be one of that item's components.
//!
//! Left to others: whether the offering can be delivered at the address (address
//! qualification), how many the customer may hold (business rules), prices (credit).

use crate::catalog::{CharacteristicSpec, LifecycleStatus, ProductOffering};
use crate::ids::ProductId;
use crate::order::{
    CharacteristicValue, ItemAction, ItemRelationshipType, OrderItem, ProductOrder,
};
use crate::reference::{ProductInstance, ProductStatus};

use super::{
    alternative, codes, offering_name, on_sale, path, Check, CheckKind, CheckResult, Outcome,
    ValidationContext,
};

const KIND: CheckKind = CheckKind::Catalog;

#[derive(Debug, Clone, Copy, Default)]
pub struct CatalogConformance;

/// An added item whose offering the catalog knows.
#[derive(Clone, Copy)]
struct Added<'a> {
    index: usize,
    item: &'a OrderItem,
    offering: &'a ProductOffering,
}

impl Check for CatalogConformance {
    fn kind(&self) -> CheckKind {
        KIND
    }

    fn run(&self, order: &ProductOrder, ctx: &ValidationContext<'_>, out: &mut Vec<CheckResult>) {
        let start = out.len();
        let offerings: Vec<Option<&ProductOffering>> = order
            .items
            .iter()
            .enumerate()
            .map(|(index, item)| resolve(index, item, ctx, out))
            .collect();
        let added: Vec<Added<'_>> = order
            .items
            .iter()
            .zip(&offerings)
            .enumerate()
            .filter(|(_, (item, _))| item.action == ItemAction::Add)
            .filter_map(|(index, (item, offering))| {
                offering.map(|offering| Added {
                    index,
                    item,
                    offering,
                })
            })
            .collect();

        for (index, (item, offering)) in order.items.iter().zip(&offerings).enumerate() {
            let Some(offering) = offering else { continue };
            match item.action {
                ItemAction::Add => {
                    check_on_sale(index, item, offering, order, ctx, out);
                    check_characteristics(index, item, offering, true, ctx, out);
                }
                ItemAction::Modify => {
                    check_existing(index, item, offering, order, ctx, out);
                    check_characteristics(index, item, offering, false, ctx, out);
                }
                ItemAction::Delete | ItemAction::NoChange => {
                    check_existing(index, item, offering, order, ctx, out);
                }
            }
        }

        if !added.is_empty() {
            let installed = ctx.inventory.products_of(&order.customer);
            let removed: Vec<&ProductId> = order
                .items
                .iter()
                .filter(|i| i.action == ItemAction::Delete)
                .filter_map(|i| i.product.existing.as_ref())
                .collect();
            let kept: Vec<&ProductInstance> = installed
                .into_iter()
                .filter(|p| p.is_live() && !removed.contains(&&p.id))
                .collect();
            check_exclusions(&added, &kept, ctx, out);
            check_prerequisites(&added, order, &offerings, &kept, ctx, out);
        }
        check_bundles(&added, order, &offerings, ctx, out);

        if out.len() == start {
            out.push(CheckResult::new(
                KIND,
                Outcome::Pass,
                codes::CATALOG_OK,
                match order.items.len() {
                    1 => "The item matches the catalog".to_owned(),
                    n => format!("All {n} items match the catalog"),
                },
            ));
        }
    }
}

fn resolve<'c>(
    index: usize,
    item: &OrderItem,
    ctx: &ValidationContext<'c>,
    out: &mut Vec<CheckResult>,
) -> Option<&'c ProductOffering> {
    let Some(id) = &item.offering else {
        out.push(
            CheckResult::new(
                KIND,
                Outcome::Reject,
                codes::CATALOG_OFFERING_MISSING,
                format!("Item {} names no product offering", item.id),
            )
            .at(index, item, path::OFFERING_REF),
        );
        return None;
    };
    let found = ctx.catalog.offering(id);
    if found.is_none() {
        out.push(
            CheckResult::new(
                KIND,
                Outcome::Reject,
                codes::CATALOG_OFFERING_NOT_FOUND,
                format!("The catalog has no offering {id}"),
            )
            .at(index, item, path::OFFERING),
        );
    }
    found
}

fn check_on_sale(
    index: usize,
    item: &OrderItem,
    offering: &ProductOffering,
    order: &ProductOrder,
    ctx: &ValidationContext<'_>,
    out: &mut Vec<CheckResult>,
) {
    let at = order.order_date;
    let (code, message) = if !offering.lifecycle_status.is_orderable() {
        (
            codes::CATALOG_OFFERING_NOT_ORDERABLE,
            format!(
                "{} is {} and takes no new orders",
                offering.name,
                status_word(offering.lifecycle_status)
            ),
        )
    } else if !offering.sellable {
        (
            codes::CATALOG_OFFERING_NOT_SELLABLE,
            format!("{} is not for sale to customers", offering.name),
        )
    } else if !offering.valid_for.contains(at) {
        let when = match (offering.valid_for.start, offering.valid_for.end) {
            (Some(start), _) if at < start => {
                format!("goes on sale on {}", start.format("%Y-%m-%d"))
            }
            (_, Some(end)) => format!("was on sale until {}", end.format("%Y-%m-%d")),
            _ => "is not on sale".to_owned(),
        };
        (
            codes::CATALOG_OFFERING_OUTSIDE_VALIDITY,
            format!(
                "{} {when}; the order is dated {}",
                offering.name,
                at.format("%Y-%m-%d")
            ),
        )
    } else {
        return;
    };
    let mut result =
        CheckResult::new(KIND, Outcome::Reject, code, message).at(index, item, path::OFFERING);
    // The like-for-like successor of a retired or expired offering first: same specification
    // over the same access, then same specification, then anything of the category.
    let same_spec = |o: &ProductOffering| o.specification == offering.specification;
    let same_access = |o: &ProductOffering| {
        o.technologies.len() == offering.technologies.len()
            && o.technologies
                .iter()
                .all(|t| offering.technologies.contains(t))
    };
    let successor = alternative(ctx.catalog, offering, at, |o| {
        same_spec(o) && same_access(o)
    })
    .or_else(|| alternative(ctx.catalog, offering, at, same_spec))
    .or_else(|| alternative(ctx.catalog, offering, at, |_| true));
    if let Some(successor) = successor {
        result = result.suggest(
            format!("On sale instead: {}", successor.name),
            Some(successor.id.clone()),
        );
    }
    out.push(result);
}

fn status_word(status: LifecycleStatus) -> &'static str {
    match status {
        LifecycleStatus::InDesign => "in design",
        LifecycleStatus::InTest => "in test",
        LifecycleStatus::Active => "active",
        LifecycleStatus::Launched => "launched",
        LifecycleStatus::Retired => "retired",
        LifecycleStatus::Obsolete => "obsolete",
    }
}

fn check_characteristics(
    index: usize,
    item: &OrderItem,
    offering: &ProductOffering,
    is_add: bool,
    ctx: &ValidationContext<'_>,
    out: &mut Vec<CheckResult>,
) {
    let Some(spec) = ctx.catalog.specification(&offering.specification) else {
        out.push(
            CheckResult::new(
                KIND,
                Outcome::Hold,
                codes::CATALOG_SPECIFICATION_NOT_FOUND,
                format!(
                    "The catalog has no specification {} for {}; the catalog team must fix it \
                     before the item can be checked",
                    offering.specification, offering.name
                ),
            )
            .at(index, item, path::OFFERING),
        );
        return;
    };
    if is_add {
        // A modify only carries what changes; an add must describe the whole product.
        for wanted in &spec.characteristics {
            if wanted.mandatory
                && wanted.default_value.is_none()
                && item.product.characteristic(&wanted.name).is_none()
            {
                out.push(with_allowed_values(
                    CheckResult::new(
                        KIND,
                        Outcome::Reject,
                        codes::CATALOG_CHARACTERISTIC_MISSING,
                        format!("{} needs a value for `{}`", offering.name, wanted.name),
                    )
                    .at_field(item, path::characteristic(index, &wanted.name)),
                    wanted,
                ));
            }
        }
    }
    for given in &item.product.characteristics {
        match spec.characteristic(&given.name) {
            None => out.push(
                CheckResult::new(
                    KIND,
                    Outcome::Warn,
                    codes::CATALOG_CHARACTERISTIC_UNKNOWN,
                    format!(
                        "{} has no characteristic `{}`; it will be ignored",
                        offering.name, given.name
                    ),
                )
                .at_field(item, path::characteristic(index, &given.name)),
            ),
            Some(wanted) if !is_allowed(wanted, &given.value) => out.push(with_allowed_values(
                CheckResult::new(
                    KIND,
                    Outcome::Reject,
                    codes::CATALOG_CHARACTERISTIC_VALUE_NOT_ALLOWED,
                    format!(
                        "`{}` = {} is not offered for {}",
                        given.name,
                        given.value.as_text(),
                        offering.name
                    ),
                )
                .at_field(item, path::characteristic(index, &given.name)),
                wanted,
            )),
            Some(_) => {}
        }
    }
}

fn is_allowed(wanted: &CharacteristicSpec, value: &CharacteristicValue) -> bool {
    if wanted.allowed_values.is_empty() {
        return true;
    }
    match value {
        // The common case compares without building a string.
        CharacteristicValue::Text(text) => wanted.allowed_values.iter().any(|a| a == text),
        other => {
            let text = other.as_text();
            wanted.allowed_values.contains(&text)
        }
    }
}

fn with_allowed_values(result: CheckResult, wanted: &CharacteristicSpec) -> CheckResult {
    if wanted.allowed_values.is_empty() {
        result
    } else {
        result.suggest(
            format!("Allowed values: {}", wanted.allowed_values.join(", ")),
            None,
        )
    }
}

/// A modify / delete / noChange item must point at a live product of the customer's, of the
/// item's offering.
fn check_existing(
    index: usize,
    item: &OrderItem,
    offering: &ProductOffering,
    order: &ProductOrder,
    ctx: &ValidationContext<'_>,
    out: &mut Vec<CheckResult>,
) {
    let reject = |code, message: String| {
        CheckResult::new(KIND, Outcome::Reject, code, message).at(index, item, path::PRODUCT)
    };
    let Some(product_id) = &item.product.existing else {
        out.push(reject(
            codes::CATALOG_PRODUCT_REFERENCE_MISSING,
            format!(
                "A {} item must name the installed product it applies to",
                item.action.as_str()
            ),
        ));
        return;
    };
    let Some(product) = ctx.inventory.product(product_id) else {
        out.push(reject(
            codes::CATALOG_PRODUCT_NOT_FOUND,
            format!("Product {product_id} is not in inventory"),
        ));
        return;
    };
    if product.customer != order.customer {
        out.push(reject(
            codes::CATALOG_PRODUCT_NOT_OWNED,
            format!("Product {product_id} belongs to another customer"),
        ));
    } else if !product.is_live() {
        out.push(reject(
            codes::CATALOG_PRODUCT_NOT_LIVE,
            format!(
                "Product {product_id} is {}",
                match product.status {
                    ProductStatus::PendingTerminate => "being terminated",
                    _ => "terminated",
                }
            ),
        ));
    } else if product.offering != offering.id {
        out.push(
            reject(
                codes::CATALOG_PRODUCT_OFFERING_MISMATCH,
                format!(
                    "Product {product_id} is {}, not {}",
                    offering_name(ctx.catalog, &product.offering),
                    offering.name
                ),
            )
            .suggest(
                "To change offering, add the new one and delete this product, related by \
                 `replaces`",
                None,
            ),
        );
    }
}

fn excludes(a: &ProductOffering, b: &ProductOffering) -> bool {
    a.excludes.contains(&b.id) || b.excludes.contains(&a.id)
}

fn check_exclusions(
    added: &[Added<'_>],
    kept: &[&ProductInstance],
    ctx: &ValidationContext<'_>,
    out: &mut Vec<CheckResult>,
) {
    for (pos, a) in added.iter().enumerate() {
        // Pairs among the added items: quadratic in the items of one order, which stay few.
        for b in &added[..pos] {
            if excludes(a.offering, b.offering) {
                out.push(
                    CheckResult::new(
                        KIND,
                        Outcome::Reject,
                        codes::CATALOG_INCOMPATIBLE_ITEMS,
                        format!(
                            "{} cannot be ordered together with {} (item {})",
                            a.offering.name, b.offering.name, b.item.id
                        ),
                    )
                    .at(a.index, a.item, path::OFFERING),
                );
            }
        }
        for product in kept {
            let clash = a.offering.excludes.contains(&product.offering)
                || ctx
                    .catalog
                    .offering(&product.offering)
                    .is_some_and(|installed| installed.excludes.contains(&a.offering.id));
            if clash {
                out.push(
                    CheckResult::new(
                        KIND,
                        Outcome::Reject,
                        codes::CATALOG_INCOMPATIBLE_WITH_INSTALLED,
                        format!(
                            "{} cannot be combined with the customer's {} ({})",
                            a.offering.name, product.name, product.id
                        ),
                    )
                    .at(a.index, a.item, path::OFFERING)
                    .suggest(
                        format!("Delete {} on this order to switch", product.id),
                        None,
                    ),
                );
            }
        }
    }
}

fn check_prerequisites(
    added: &[Added<'_>],
    order: &ProductOrder,
    offerings: &[Option<&ProductOffering>],
    kept: &[&ProductInstance],
    ctx: &ValidationContext<'_>,
    out: &mut Vec<CheckResult>,
) {
    for a in added {
        let needed = &a.offering.requires_one_of;
        if needed.is_empty() {
            continue;
        }
        let on_order = order.items.iter().zip(offerings).any(|(other, o)| {
            other.id != a.item.id
                && other.action != ItemAction::Delete
                && o.is_some_and(|o| needed.contains(&o.id))
        });
        let installed = kept.iter().any(|p| needed.contains(&p.offering));
        if on_order || installed {
            continue;
        }
        let names: Vec<String> = needed
            .iter()
            .map(|id| offering_name(ctx.catalog, id))
            .collect();
        let mut result = CheckResult::new(
            KIND,
            Outcome::Reject,
            codes::CATALOG_REQUIREMENT_MISSING,
            format!(
                "{} needs one of {} on the order or already installed",
                a.offering.name,
                names.join(", ")
            ),
        )
        .at(a.index, a.item, path::OFFERING);
        let base = needed
            .iter()
            .filter_map(|id| ctx.catalog.offering(id))
            .find(|o| on_sale(o, order.order_date));
        if let Some(base) = base {
            result = result.suggest(format!("Add {}", base.name), Some(base.id.clone()));
        }
        out.push(result);
    }
}

fn check_bundles(
    added: &[Added<'_>],
    order: &ProductOrder,
    offerings: &[Option<&ProductOffering>],
    ctx: &ValidationContext<'_>,
    out: &mut Vec<CheckResult>,
) {
    for (index, (child, child_offering)) in order.items.iter().zip(offerings).enumerate() {
        let Some(child_offering) = child_offering else {
            continue;
        };
        for rel in &child.relationships {
            if rel.kind != ItemRelationshipType::BundledIn {
                continue;
            }
            let Some(parent_index) = order.items.iter().position(|p| p.id == rel.item) else {
                // A dangling relationship is a shape error the wire layer refuses.
                continue;
            };
            let Some(parent) = offerings[parent_index] else {
                continue;
            };
            if parent.bundled.contains(&child_offering.id) {
                continue;
            }
            let message = if parent.is_bundle() {
                format!(
                    "{} is not part of the bundle {}",
                    child_offering.name, parent.name
                )
            } else {
                format!(
                    "Item {} ({}) is not a bundle; {} cannot be bundled in it",
                    rel.item, parent.name, child_offering.name
                )
            };
            out.push(
                CheckResult::new(
                    KIND,
                    Outcome::Reject,
                    codes::CATALOG_BUNDLE_COMPONENT_NOT_ALLOWED,
                    message,
                )
                .at(index, child, path::OFFERING),
            );
        }
    }

    for bundle in added.iter().filter(|a| a.offering.is_bundle()) {
        for component in &bundle.offering.bundled {
            let present = order.items.iter().zip(offerings).any(|(child, o)| {
                child.action == ItemAction::Add
                    && o.is_some_and(|o| &o.id == component)
                    && child.relationships.iter().any(|r| {
                        r.kind == ItemRelationshipType::BundledIn && r.item == bundle.item.id
                    })
            });
            if !present {
                let name = offering_name(ctx.catalog, component);
                out.push(
                    CheckResult::new(
                        KIND,
                        Outcome::Reject,
                        codes::CATALOG_BUNDLE_COMPONENT_MISSING,
                        format!("{} is missing its component {name}", bundle.offering.name),
                    )
                    .at(bundle.index, bundle.item, path::OFFERING)
                    .suggest(
                        format!("Add {name}, bundled in item {}", bundle.item.id),
                        Some(component.clone()),
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::ids::{CustomerId, OfferingId};
    use crate::order::Characteristic;
    use chrono::{Duration, TimeZone, Utc};
    use rstest::rstest;
    use rust_decimal::Decimal;

    fn check(w: &TestWorld, order: &ProductOrder) -> Vec<CheckResult> {
        w.run(&CatalogConformance, order)
    }

    /// A triple-play bundle with its three components, all at 1 Fibre Street.
    fn triple() -> Vec<OrderItem> {
        vec![
            add("b", "HOME-TRIPLE"),
            fibre("b1").bundled_in("b"),
            add("b2", "TV-BASIC").bundled_in("b"),
            add("b3", "VOICE-HOME").at("ADDR-GPON").bundled_in("b"),
        ]
    }

    #[test]
    fn a_conforming_order_passes() {
        let mut w = TestWorld::lived_in();
        w.install("P-PHONE", "VOICE-HOME");
        let mut order = w.order(triple());
        order.items.push(add("m", "MOBILE-10"));
        order
            .items
            .push(change("x", ItemAction::Modify, "FIBRE-500", "P-1").with("speed", "1000"));
        order
            .items
            .push(change("y", ItemAction::Delete, "VOICE-HOME", "P-PHONE"));
        let results = check(&w, &order);
        assert_eq!(codes_of(&results), [codes::CATALOG_OK]);
        assert_eq!(results[0].outcome, Outcome::Pass);
    }

    type Scenario = fn(&mut TestWorld) -> Vec<OrderItem>;

    #[rstest]
    #[case::no_offering(
        |_: &mut TestWorld| vec![OrderItem::new("1", ItemAction::Add, None)],
        codes::CATALOG_OFFERING_MISSING, Outcome::Reject,
        Some("productOrderItem[0].productOffering"))]
    #[case::unknown_offering(
        |_: &mut TestWorld| vec![fibre("1"), add("2", "FIBRE-9000")],
        codes::CATALOG_OFFERING_NOT_FOUND, Outcome::Reject,
        Some("productOrderItem[1].productOffering.id"))]
    #[case::retired(
        |_: &mut TestWorld| vec![add("1", "FIBRE-300-OLD").at("ADDR-GPON").with("speed", "500")],
        codes::CATALOG_OFFERING_NOT_ORDERABLE, Outcome::Reject,
        Some("productOrderItem[0].productOffering.id"))]
    #[case::staff_only(
        |_: &mut TestWorld| vec![add("1", "STAFF-FIBRE").at("ADDR-GPON").with("speed", "100")],
        codes::CATALOG_OFFERING_NOT_SELLABLE, Outcome::Reject,
        Some("productOrderItem[0].productOffering.id"))]
    #[case::promotion_over(
        |_: &mut TestWorld| vec![add("1", "SUMMER-DEAL").at("ADDR-GPON").with("speed", "100")],
        codes::CATALOG_OFFERING_OUTSIDE_VALIDITY, Outcome::Reject,
        Some("productOrderItem[0].productOffering.id"))]
    #[case::specification_gone(
        |w: &mut TestWorld| { w.specifications.retain(|s| s.id.as_str() != "SPEC-BB"); vec![fibre("1")] },
        codes::CATALOG_SPECIFICATION_NOT_FOUND, Outcome::Hold,
        Some("productOrderItem[0].productOffering.id"))]
    #[case::mandatory_characteristic_missing(
        |_: &mut TestWorld| vec![add("1", "FIBRE-500").at("ADDR-GPON")],
        codes::CATALOG_CHARACTERISTIC_MISSING, Outcome::Reject,
        Some("productOrderItem[0].product.productCharacteristic[name=speed].value"))]
    #[case::value_not_allowed(
        |_: &mut TestWorld| vec![add("1", "FIBRE-500").at("ADDR-GPON").with("speed", "250")],
        codes::CATALOG_CHARACTERISTIC_VALUE_NOT_ALLOWED, Outcome::Reject,
        Some("productOrderItem[0].product.productCharacteristic[name=speed].value"))]
    #[case::value_not_allowed_on_modify(
        |w: &mut TestWorld| { w.install("P-9", "FIBRE-500");
              vec![change("1", ItemAction::Modify, "FIBRE-500", "P-9").with("speed", "42")] },
        codes::CATALOG_CHARACTERISTIC_VALUE_NOT_ALLOWED, Outcome::Reject,
        Some("productOrderItem[0].product.productCharacteristic[name=speed].value"))]
    #[case::unknown_characteristic(
        |_: &mut TestWorld| vec![fibre("1").with("colour", "pink")],
        codes::CATALOG_CHARACTERISTIC_UNKNOWN, Outcome::Warn,
        Some("productOrderItem[0].product.productCharacteristic[name=colour].value"))]
    #[case::no_product_reference(
        |_: &mut TestWorld| vec![OrderItem::new("1", ItemAction::Delete, Some(OfferingId::new("FIBRE-500")))],
        codes::CATALOG_PRODUCT_REFERENCE_MISSING, Outcome::Reject,
        Some("productOrderItem[0].product.id"))]
    #[case::product_not_in_inventory(
        |_: &mut TestWorld| vec![change("1", ItemAction::Modify, "FIBRE-500", "P-404")],
        codes::CATALOG_PRODUCT_NOT_FOUND, Outcome::Reject,
        Some("productOrderItem[0].product.id"))]
    #[case::someone_elses_product(
        |w: &mut TestWorld| { w.install("P-9", "FIBRE-500").customer = CustomerId::new(BUSINESS);
              vec![change("1", ItemAction::Delete, "FIBRE-500", "P-9")] },
        codes::CATALOG_PRODUCT_NOT_OWNED, Outcome::Reject,
        Some("productOrderItem[0].product.id"))]
    #[case::terminated_product(
        |w: &mut TestWorld| { w.install("P-9", "FIBRE-500").status = ProductStatus::Terminated;
              vec![change("1", ItemAction::NoChange, "FIBRE-500", "P-9")] },
        codes::CATALOG_PRODUCT_NOT_LIVE, Outcome::Reject,
        Some("productOrderItem[0].product.id"))]
    #[case::modify_into_another_offering(
        |w: &mut TestWorld| { w.install("P-9", "COPPER-50");
              vec![change("1", ItemAction::Modify, "FIBRE-500", "P-9")] },
        codes::CATALOG_PRODUCT_OFFERING_MISMATCH, Outcome::Reject,
        Some("productOrderItem[0].product.id"))]
    #[case::excluded_pair_on_the_order(
        |_: &mut TestWorld| vec![add("1", "VOICE-HOME"), add("2", "VOICE-PAYG")],
        codes::CATALOG_INCOMPATIBLE_ITEMS, Outcome::Reject,
        Some("productOrderItem[1].productOffering.id"))]
    #[case::excluded_by_what_is_installed(
        |w: &mut TestWorld| { w.install("P-9", "VOICE-PAYG"); vec![add("1", "VOICE-HOME")] },
        codes::CATALOG_INCOMPATIBLE_WITH_INSTALLED, Outcome::Reject,
        Some("productOrderItem[0].productOffering.id"))]
    #[case::installed_excludes_the_new_one(
        |w: &mut TestWorld| { w.install("P-9", "VOICE-HOME"); vec![add("1", "VOICE-PAYG")] },
        codes::CATALOG_INCOMPATIBLE_WITH_INSTALLED, Outcome::Reject,
        Some("productOrderItem[0].productOffering.id"))]
    #[case::add_on_without_base(
        |_: &mut TestWorld| vec![add("1", "TV-BASIC")],
        codes::CATALOG_REQUIREMENT_MISSING, Outcome::Reject,
        Some("productOrderItem[0].productOffering.id"))]
    #[case::add_on_whose_base_is_ceased(
        |w: &mut TestWorld| { w.install("P-9", "FIBRE-500");
              vec![add("1", "TV-BASIC"), change("2", ItemAction::Delete, "FIBRE-500", "P-9")] },
        codes::CATALOG_REQUIREMENT_MISSING, Outcome::Reject,
        Some("productOrderItem[0].productOffering.id"))]
    #[case::foreign_component(
        |_: &mut TestWorld| { let mut items = triple(); items.push(add("b4", "MOBILE-10").bundled_in("b")); items },
        codes::CATALOG_BUNDLE_COMPONENT_NOT_ALLOWED, Outcome::Reject,
        Some("productOrderItem[4].productOffering.id"))]
    #[case::bundled_in_a_non_bundle(
        |_: &mut TestWorld| vec![fibre("1"), add("2", "TV-BASIC").bundled_in("1")],
        codes::CATALOG_BUNDLE_COMPONENT_NOT_ALLOWED, Outcome::Reject,
        Some("productOrderItem[1].productOffering.id"))]
    #[case::component_missing(
        |_: &mut TestWorld| { let mut items = triple(); items.pop(); items },
        codes::CATALOG_BUNDLE_COMPONENT_MISSING, Outcome::Reject,
        Some("productOrderItem[0].productOffering.id"))]
    fn each_fault_has_its_code(
        #[case] scenario: Scenario,
        #[case] code: &str,
        #[case] outcome: Outcome,
        #[case] field: Option<&str>,
    ) {
        let mut w = TestWorld::new();
        let items = scenario(&mut w);
        let results = check(&w, &w.order(items));
        let found = only(&results, code);
        assert_eq!(found.outcome, outcome);
        assert_eq!(found.field.as_deref(), field);
        assert!(found.item.is_some());
        assert!(results.iter().all(|r| r.code != codes::CATALOG_OK));
    }

    #[test]
    fn a_retired_offering_suggests_its_successor() {
        let w = TestWorld::new();
        let order = w.order(vec![add("1", "FIBRE-300-OLD")
            .at("ADDR-GPON")
            .with("speed", "500")]);
        let results = check(&w, &order);
        let found = only(&results, codes::CATALOG_OFFERING_NOT_ORDERABLE);
        assert!(found.message.contains("retired"), "{}", found.message);
        let suggestion = found.suggestion.as_ref().unwrap();
        // GPON like the retired one, over the 5G offering that is closer in price.
        assert_eq!(suggestion.offering, Some(OfferingId::new("FIBRE-500")));
        assert_eq!(suggestion.message, "On sale instead: SuperFibre 500");
    }

    #[test]
    fn validity_is_judged_on_the_order_date_not_today() {
        let w = TestWorld::new();
        let mut order = w.order(vec![add("1", "SUMMER-DEAL")
            .at("ADDR-GPON")
            .with("speed", "100")]);
        order.order_date = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
        assert_eq!(codes_of(&check(&w, &order)), [codes::CATALOG_OK]);
        order.order_date -= Duration::days(60);
        let results = check(&w, &order);
        let found = only(&results, codes::CATALOG_OFFERING_OUTSIDE_VALIDITY);
        assert!(
            found.message.contains("goes on sale on 2026-06-01"),
            "{}",
            found.message
        );
    }

    #[test]
    fn defaults_count_as_present_and_numbers_compare_as_text() {
        let w = TestWorld::new();
        let mut item = add("1", "FIBRE-500").at("ADDR-GPON");
        item.product.characteristics.push(Characteristic {
            name: "speed".into(),
            value: CharacteristicValue::Number(Decimal::new(10000, 1)),
        });
        // `router` is mandatory but has a default; 1000.0 is the allowed "1000".
        assert_eq!(
            codes_of(&check(&w, &w.order(vec![item]))),
            [codes::CATALOG_OK]
        );
    }

    #[test]
    fn a_missing_characteristic_lists_the_allowed_values() {
        let w = TestWorld::new();
        let results = check(&w, &w.order(vec![add("1", "FIBRE-500").at("ADDR-GPON")]));
        let found = only(&results, codes::CATALOG_CHARACTERISTIC_MISSING);
        assert_eq!(
            found.suggestion.as_ref().unwrap().message,
            "Allowed values: 100, 500, 1000"
        );
    }

    #[test]
    fn a_migration_that_ceases_the_excluded_product_passes() {
        let mut w = TestWorld::new();
        w.install("P-9", "VOICE-PAYG");
        let order = w.order(vec![
            add("1", "VOICE-HOME").replaces("2"),
            change("2", ItemAction::Delete, "VOICE-PAYG", "P-9"),
        ]);
        assert_eq!(codes_of(&check(&w, &order)), [codes::CATALOG_OK]);
    }

    #[test]
    fn an_installed_base_satisfies_an_add_on() {
        let mut w = TestWorld::new();
        w.install("P-9", "CABLE-100");
        assert_eq!(
            codes_of(&check(&w, &w.order(vec![add("1", "TV-BASIC")]))),
            [codes::CATALOG_OK]
        );
        w.products[0].status = ProductStatus::PendingTerminate;
        let results = check(&w, &w.order(vec![add("1", "TV-BASIC")]));
        let found = only(&results, codes::CATALOG_REQUIREMENT_MISSING);
        assert_eq!(
            found.suggestion.as_ref().unwrap().offering,
            Some(OfferingId::new("FIBRE-500"))
        );
    }

    #[test]
    fn a_missing_bundle_component_is_suggested() {
        let w = TestWorld::new();
        let mut items = triple();
        items.remove(2);
        let results = check(&w, &w.order(items));
        let found = only(&results, codes::CATALOG_BUNDLE_COMPONENT_MISSING);
        assert_eq!(
            found.suggestion.as_ref().unwrap().offering,
            Some(OfferingId::new("TV-BASIC"))
        );
        assert_eq!(found.item.as_ref().unwrap().as_str(), "b");
    }

    #[test]
    fn every_fault_is_reported_not_only_the_first() {
        let w = TestWorld::new();
        let order = w.order(vec![
            OrderItem::new("1", ItemAction::Add, None),
            add("2", "NOPE"),
            add("3", "FIBRE-500").at("ADDR-GPON").with("speed", "7"),
        ]);
        assert_eq!(
            codes_of(&check(&w, &order)),
            [
                codes::CATALOG_OFFERING_MISSING,
                codes::CATALOG_OFFERING_NOT_FOUND,
                codes::CATALOG_CHARACTERISTIC_VALUE_NOT_ALLOWED
            ]
        );
    }
}
