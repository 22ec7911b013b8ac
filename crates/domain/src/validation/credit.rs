//! Credit vetting: whether the operator extends credit for what the order adds. Reads the
//! customer's credit profile (bureau score, current monthly exposure and limit, arrears) and the
//! catalog prices, and gives exactly one result:
//!
//! - no profile, a bureau check older than the policy allows, charges in another currency than
//!   the limit, arrears, a score in the referral band, or monthly exposure over the limit:
//!   **hold** `CREDIT_REFER`, a supervisor decides;
//! - a score under the decline band, or arrears above the policy's ceiling: **reject**
//!   `CREDIT_DECLINED`, suggesting a low-risk offering of the same kind;
//! - a score under the deposit band of the riskiest offering added: **hold**
//!   `CREDIT_DEPOSIT_REQUIRED` (the order pends), the amount in [`CheckResult::amount`];
//! - else **pass**.
//!
//! Exposure is the profile's monthly exposure plus the recurring charges of the added items,
//! minus those of ceased ones (a modify is assumed price-neutral). An order that adds nothing
//! sold on credit (no recurring charge, no contract, low risk) needs no vetting.
//!
//! Left to others: fetching and refreshing the bureau score (the shell serves the profile),
//! collecting the deposit (the desk), identity (fraud screening).

use rust_decimal::Decimal;

use crate::catalog::{ProductOffering, RiskClass};
use crate::money::Money;
use crate::order::{ItemAction, ProductOrder};
use crate::reference::CreditProfile;

use super::{alternative, codes, path, Check, CheckKind, CheckResult, Outcome, ValidationContext};

const KIND: CheckKind = CheckKind::Credit;

#[derive(Debug, Clone, Copy, Default)]
pub struct CreditVetting;

/// What the order changes in the customer's monthly charges, in the profile's currency.
struct Charges<'a> {
    added: Decimal,
    removed: Decimal,
    /// The highest-risk offering added (the first of equals).
    riskiest: Option<&'a ProductOffering>,
    /// A charge in a currency other than the limit's, which cannot be summed.
    foreign_currency: Option<&'a str>,
}

impl Check for CreditVetting {
    fn kind(&self) -> CheckKind {
        KIND
    }

    fn run(&self, order: &ProductOrder, ctx: &ValidationContext<'_>, out: &mut Vec<CheckResult>) {
        out.push(vet(order, ctx));
    }
}

fn vet(order: &ProductOrder, ctx: &ValidationContext<'_>) -> CheckResult {
    let policy = &ctx.policy.credit;
    let on_credit = order.items.iter().any(|item| {
        item.action == ItemAction::Add
            && item
                .offering
                .as_ref()
                .and_then(|id| ctx.catalog.offering(id))
                .is_some_and(|o| {
                    o.monthly_charge().is_some()
                        || o.contract_months.is_some()
                        || o.risk > RiskClass::Low
                })
    });
    if !on_credit {
        return CheckResult::new(
            KIND,
            Outcome::Pass,
            codes::CREDIT_OK,
            "Nothing on the order is sold on credit",
        );
    }
    let refer = |message: String| {
        CheckResult::new(KIND, Outcome::Hold, codes::CREDIT_REFER, message)
            .with_field(path::CUSTOMER)
    };
    let decline = |message: String| {
        CheckResult::new(KIND, Outcome::Reject, codes::CREDIT_DECLINED, message)
            .with_field(path::CUSTOMER)
    };

    let Some(profile) = ctx.customers.credit_profile(&order.customer) else {
        return refer(format!(
            "No credit profile on file for customer {}: a supervisor must approve",
            order.customer
        ));
    };
    let oldest_trusted = ctx
        .now
        .checked_sub_signed(policy.max_profile_age)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    if profile.checked_at < oldest_trusted {
        return refer(format!(
            "The bureau check of {} is older than {} days: run a fresh one or approve manually",
            profile.checked_at.format("%Y-%m-%d"),
            policy.max_profile_age.num_days()
        ));
    }
    let charges = charges(order, ctx, profile);
    if let Some(currency) = charges.foreign_currency {
        return refer(format!(
            "Charges in {currency} cannot be weighed against the {} credit limit",
            profile.exposure_limit.currency
        ));
    }
    let currency = &profile.exposure_limit.currency;
    let money = |amount: Decimal| Money::new(amount, currency.clone());
    let exposure = profile
        .monthly_exposure
        .amount
        .checked_add(charges.added)
        .and_then(|e| e.checked_sub(charges.removed))
        .unwrap_or(Decimal::MAX)
        .max(Decimal::ZERO);

    if profile.score < policy.decline_below {
        let mut result = decline(format!(
            "Bureau score {} is below {}: credit declined",
            profile.score, policy.decline_below
        ));
        if let Some(safer) = charges.riskiest.and_then(|riskiest| {
            alternative(ctx.catalog, riskiest, order.order_date, |o| {
                o.risk == RiskClass::Low && o.contract_months.is_none()
            })
        }) {
            result = result.suggest(
                format!("Low-risk alternative: {}", safer.name),
                Some(safer.id.clone()),
            );
        }
        return result;
    }
    if profile.arrears.amount > policy.arrears_decline_above {
        return decline(format!(
            "Arrears of {} exceed {}: credit declined until they are paid",
            profile.arrears,
            money(policy.arrears_decline_above)
        ));
    }
    if profile.arrears.amount > Decimal::ZERO {
        return refer(format!(
            "Arrears of {} are outstanding: a supervisor must approve",
            profile.arrears
        ));
    }
    if profile.score < policy.refer_below {
        return refer(format!(
            "Bureau score {} is below {}: a supervisor must approve",
            profile.score, policy.refer_below
        ));
    }
    if exposure > profile.exposure_limit.amount {
        return refer(format!(
            "Monthly charges would reach {}, over the {} limit: a supervisor must approve",
            money(exposure),
            profile.exposure_limit
        ));
    }
    let risk = charges.riskiest.map_or(RiskClass::Low, |o| o.risk);
    let deposit_below = policy.deposit_below.for_risk(risk);
    if profile.score < deposit_below {
        let deposit = charges
            .added
            .checked_mul(Decimal::from(policy.deposit_months))
            .unwrap_or(Decimal::MAX)
            .max(policy.minimum_deposit);
        return CheckResult::new(
            KIND,
            Outcome::Hold,
            codes::CREDIT_DEPOSIT_REQUIRED,
            format!(
                "Bureau score {} is below {deposit_below} for {}-risk products: collect a \
                 deposit of {} ({} months of new charges)",
                profile.score,
                risk_word(risk),
                money(deposit),
                policy.deposit_months
            ),
        )
        .with_field(path::CUSTOMER)
        .with_amount(money(deposit))
        .suggest(format!("Record a deposit of {}", money(deposit)), None);
    }
    CheckResult::new(
        KIND,
        Outcome::Pass,
        codes::CREDIT_OK,
        format!(
            "Bureau score {}; monthly charges {} of {} allowed",
            profile.score,
            money(exposure),
            profile.exposure_limit
        ),
    )
}

fn charges<'a>(
    order: &ProductOrder,
    ctx: &ValidationContext<'a>,
    profile: &CreditProfile,
) -> Charges<'a> {
    let currency = profile.exposure_limit.currency.as_str();
    let mut charges = Charges {
        added: Decimal::ZERO,
        removed: Decimal::ZERO,
        riskiest: None,
        foreign_currency: None,
    };
    for item in &order.items {
        let Some(offering) = item
            .offering
            .as_ref()
            .and_then(|id| ctx.catalog.offering(id))
        else {
            continue;
        };
        let sum = match item.action {
            ItemAction::Add => {
                if charges.riskiest.is_none_or(|r| offering.risk > r.risk) {
                    charges.riskiest = Some(offering);
                }
                &mut charges.added
            }
            ItemAction::Delete => &mut charges.removed,
            ItemAction::Modify | ItemAction::NoChange => continue,
        };
        let Some(monthly) = offering.monthly_charge() else {
            continue;
        };
        if monthly.currency != currency {
            charges.foreign_currency = Some(monthly.currency.as_str());
            continue;
        }
        *sum = monthly
            .amount
            .checked_mul(Decimal::from(item.quantity))
            .and_then(|m| sum.checked_add(m))
            .unwrap_or(Decimal::MAX);
    }
    charges
}

fn risk_word(risk: RiskClass) -> &'static str {
    match risk {
        RiskClass::Low => "low",
        RiskClass::Medium => "medium",
        RiskClass::High => "high",
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::ids::OfferingId;
    use chrono::Duration;
    use rstest::rstest;

    fn check(w: &TestWorld, order: &ProductOrder) -> CheckResult {
        let results = w.run(&CreditVetting, order);
        assert_eq!(results.len(), 1, "{results:#?}");
        results.into_iter().next().unwrap()
    }

    type Tweak = fn(&mut TestWorld);

    /// The customer orders fibre (45 EUR, medium risk) on top of 40 EUR of charges, limit 300.
    #[rstest]
    #[case::good_customer(|_: &mut TestWorld| {}, codes::CREDIT_OK, Outcome::Pass)]
    #[case::no_profile(|w: &mut TestWorld| w.credit.clear(), codes::CREDIT_REFER, Outcome::Hold)]
    #[case::stale_profile(
        |w: &mut TestWorld| w.credit_mut().checked_at = t0() - Duration::days(91),
        codes::CREDIT_REFER, Outcome::Hold)]
    #[case::score_in_decline_band(|w: &mut TestWorld| w.credit_mut().score = 299, codes::CREDIT_DECLINED, Outcome::Reject)]
    #[case::score_at_decline_edge(|w: &mut TestWorld| w.credit_mut().score = 300, codes::CREDIT_REFER, Outcome::Hold)]
    #[case::score_in_referral_band(|w: &mut TestWorld| w.credit_mut().score = 499, codes::CREDIT_REFER, Outcome::Hold)]
    #[case::small_arrears(|w: &mut TestWorld| w.credit_mut().arrears = eur(20), codes::CREDIT_REFER, Outcome::Hold)]
    #[case::heavy_arrears(|w: &mut TestWorld| w.credit_mut().arrears = eur(251), codes::CREDIT_DECLINED, Outcome::Reject)]
    #[case::over_the_limit(|w: &mut TestWorld| w.credit_mut().exposure_limit = eur(80), codes::CREDIT_REFER, Outcome::Hold)]
    #[case::at_the_limit(|w: &mut TestWorld| w.credit_mut().exposure_limit = eur(85), codes::CREDIT_OK, Outcome::Pass)]
    #[case::medium_risk_deposit_band(|w: &mut TestWorld| w.credit_mut().score = 549, codes::CREDIT_DEPOSIT_REQUIRED, Outcome::Hold)]
    #[case::medium_risk_above_band(|w: &mut TestWorld| w.credit_mut().score = 550, codes::CREDIT_OK, Outcome::Pass)]
    fn bands(#[case] tweak: Tweak, #[case] code: &str, #[case] outcome: Outcome) {
        let mut w = TestWorld::new();
        tweak(&mut w);
        let result = check(&w, &w.order(vec![fibre("1")]));
        assert_eq!(
            (result.code, result.outcome),
            (code, outcome),
            "{}",
            result.message
        );
        assert_eq!(result.check, CheckKind::Credit);
    }

    #[test]
    fn the_pass_states_score_and_exposure() {
        let w = TestWorld::new();
        let result = check(&w, &w.order(vec![fibre("1")]));
        assert_eq!(
            result.message,
            "Bureau score 720; monthly charges 85 EUR of 300 EUR allowed"
        );
    }

    #[test]
    fn a_deposit_is_months_of_new_charges_with_a_floor() {
        let mut w = TestWorld::new();
        w.credit_mut().score = 600;
        // Handset (40/month, high risk) + fibre (45/month): 3 × 85 = 255.
        let order = w.order(vec![fibre("1"), add("2", "PHONE-X")]);
        let result = check(&w, &order);
        assert_eq!(result.code, codes::CREDIT_DEPOSIT_REQUIRED);
        assert_eq!(result.amount, Some(eur(255)));
        assert!(
            result.message.contains("below 650 for high-risk"),
            "{}",
            result.message
        );
        assert!(result.message.contains("255 EUR"), "{}", result.message);
        // The same score needs no deposit for fibre alone (medium risk, band 550).
        assert_eq!(check(&w, &w.order(vec![fibre("1")])).code, codes::CREDIT_OK);
        // A cheap high-risk item still costs the minimum deposit.
        w.offering_mut("PHONE-X").prices.clear();
        let result = check(&w, &w.order(vec![add("2", "PHONE-X")]));
        assert_eq!(result.amount, Some(eur(50)));
    }

    #[test]
    fn a_decline_suggests_a_low_risk_alternative() {
        let mut w = TestWorld::new();
        w.credit_mut().score = 150;
        let result = check(&w, &w.order(vec![fibre("1"), add("2", "PHONE-X")]));
        assert_eq!(result.code, codes::CREDIT_DECLINED);
        let suggestion = result.suggestion.unwrap();
        assert_eq!(suggestion.message, "Low-risk alternative: Basic Phone");
        assert_eq!(suggestion.offering, Some(OfferingId::new("PHONE-BASIC")));
    }

    #[test]
    fn ceased_products_free_up_exposure_and_quantities_add_up() {
        let mut w = TestWorld::new();
        w.credit_mut().exposure_limit = eur(100);
        // 40 + 2 × 15 + 45 = 115 > 100 ...
        let order = w.order(vec![fibre("1"), add("2", "MOBILE-10").quantity(2)]);
        assert_eq!(check(&w, &order).code, codes::CREDIT_REFER);
        // ... unless the old copper line (30) is ceased: 85.
        w.install("P-9", "COPPER-50");
        let mut order = order;
        order
            .items
            .push(change("3", ItemAction::Delete, "COPPER-50", "P-9"));
        assert_eq!(check(&w, &order).code, codes::CREDIT_OK);
    }

    #[test]
    fn orders_that_sell_nothing_on_credit_skip_vetting() {
        let mut w = TestWorld::new();
        w.credit.clear();
        w.install("P-9", "FIBRE-500");
        for items in [
            vec![add("1", "PREPAID-SIM")],
            vec![change("1", ItemAction::Delete, "FIBRE-500", "P-9")],
            vec![change("1", ItemAction::Modify, "FIBRE-500", "P-9")],
            vec![add("1", "NOPE")],
        ] {
            let result = check(&w, &w.order(items));
            assert_eq!(result.code, codes::CREDIT_OK, "{}", result.message);
        }
    }

    #[test]
    fn a_charge_in_another_currency_is_referred() {
        let mut w = TestWorld::new();
        w.offering_mut("FIBRE-500").prices[0].amount.currency = "USD".into();
        let result = check(&w, &w.order(vec![fibre("1")]));
        assert_eq!(result.code, codes::CREDIT_REFER);
        assert!(result.message.contains("USD"), "{}", result.message);
    }

    #[test]
    fn absurd_amounts_saturate_instead_of_overflowing() {
        let mut w = TestWorld::new();
        w.offering_mut("FIBRE-500").prices[0].amount.amount = Decimal::MAX;
        let result = check(&w, &w.order(vec![fibre("1").quantity(u32::MAX)]));
        assert_eq!(result.code, codes::CREDIT_REFER);
        assert!(
            result.message.contains("over the 300 EUR limit"),
            "{}",
            result.message
        );
    }
}
