//! Fraud screening: velocity and identity. Holds the order for the fraud team when, within the
//! policy's windows, the customer places too many orders, one address receives too many, or one
//! payment method pays for too many customers; when the payment holder is not the customer; or
//! when the identity behind the order cannot be established. A first order from a customer with
//! nothing installed that includes a high-risk product (a handset on instalments: the classic
//! subscription fraud) is a warning, so the agent checks ID at handover.
//!
//! Counts include the order being validated and exclude it from the history (the server may
//! have stored it before validating). Names are compared case-, accent- and order-insensitively,
//! accepting left-off middle names and initials, because card embossing drops all of those.
//!
//! Left to others: the credit risk of the customer (credit vetting), duplicate orders
//! (duplicate detection), device and IP signals (not in the domain model).

use chrono::{DateTime, Duration, Utc};

use crate::catalog::RiskClass;
use crate::order::{ItemAction, ProductOrder};
use crate::reference::Customer;

use super::{codes, path, Check, CheckKind, CheckResult, Outcome, ValidationContext};

const KIND: CheckKind = CheckKind::Fraud;

#[derive(Debug, Clone, Copy, Default)]
pub struct FraudScreening;

impl Check for FraudScreening {
    fn kind(&self) -> CheckKind {
        KIND
    }

    fn run(&self, order: &ProductOrder, ctx: &ValidationContext<'_>, out: &mut Vec<CheckResult>) {
        let start = out.len();
        let policy = &ctx.policy.fraud;
        let hold = |code, message: String| CheckResult::new(KIND, Outcome::Hold, code, message);

        // Each history question counts only as far as its threshold: "N or more" past it.
        let since = window_start(ctx.now, policy.customer_window);
        let at_most = policy.customer_orders_hold_at;
        let prior = ctx
            .orders
            .customer_orders_since(&order.customer, since, &order.id, at_most);
        if prior + 1 >= policy.customer_orders_hold_at {
            out.push(
                hold(
                    codes::FRAUD_VELOCITY_CUSTOMER,
                    format!(
                        "{} orders from this customer within {}",
                        how_many(prior + 1, prior >= at_most),
                        window_words(policy.customer_window)
                    ),
                )
                .with_field(path::CUSTOMER),
            );
        }

        let since = window_start(ctx.now, policy.address_window);
        let at_most = policy.address_orders_hold_at;
        for place in order.places() {
            let others = ctx
                .orders
                .address_orders_since(place, since, &order.id, at_most);
            if others + 1 < policy.address_orders_hold_at {
                continue;
            }
            let mut result = hold(
                codes::FRAUD_VELOCITY_ADDRESS,
                format!(
                    "{} orders for address {place} within {}",
                    how_many(others + 1, others >= at_most),
                    window_words(policy.address_window)
                ),
            );
            if let Some((index, item)) = order
                .items
                .iter()
                .enumerate()
                .find(|(_, i)| i.product.place.as_ref() == Some(place))
            {
                result = result.at(index, item, path::PLACE);
            }
            out.push(result);
        }

        if let Some(method) = &order.payment.method {
            let since = window_start(ctx.now, policy.payment_window);
            // One more than the threshold: the order's own customer may be among them.
            let at_most = policy.payment_customers_hold_at + 1;
            let others = ctx
                .orders
                .payment_customers_since(method, since, &order.id, at_most);
            let capped = others.len() >= at_most;
            let mut customers = vec![order.customer.clone()];
            for other in others {
                if !customers.contains(&other) {
                    customers.push(other);
                }
            }
            if customers.len() >= policy.payment_customers_hold_at {
                out.push(
                    hold(
                        codes::FRAUD_VELOCITY_PAYMENT,
                        format!(
                            "Payment method {method} paid for {} customers within {}",
                            how_many(customers.len(), capped),
                            window_words(policy.payment_window)
                        ),
                    )
                    .with_field(path::PAYMENT_METHOD),
                );
            }
        }

        let high_risk = order.items.iter().enumerate().find_map(|(index, item)| {
            let offering = item
                .offering
                .as_ref()
                .and_then(|id| ctx.catalog.offering(id))?;
            (item.action == ItemAction::Add && offering.risk == RiskClass::High)
                .then_some((index, item, offering))
        });
        match ctx.customers.customer(&order.customer) {
            None => out.push(
                hold(
                    codes::FRAUD_IDENTITY_UNVERIFIED,
                    format!(
                        "Customer {} is not in the customer directory",
                        order.customer
                    ),
                )
                .with_field(path::CUSTOMER),
            ),
            Some(customer) => {
                if let Some(result) = identity_mismatch(order, customer) {
                    out.push(result);
                }
                if let (None, Some((index, item, offering))) = (&customer.verified_name, high_risk)
                {
                    out.push(
                        hold(
                            codes::FRAUD_IDENTITY_UNVERIFIED,
                            format!(
                                "No verified identity on file for a customer buying {}",
                                offering.name
                            ),
                        )
                        .at(index, item, path::OFFERING),
                    );
                }
            }
        }

        if let Some((index, item, offering)) = high_risk {
            if policy.warn_new_customer_high_risk
                && prior == 0
                && ctx.inventory.products_of(&order.customer).is_empty()
            {
                out.push(
                    CheckResult::new(
                        KIND,
                        Outcome::Warn,
                        codes::FRAUD_NEW_CUSTOMER_HIGH_RISK,
                        format!(
                            "First order of a new customer includes {} (high risk): check ID at \
                             handover",
                            offering.name
                        ),
                    )
                    .at(index, item, path::OFFERING),
                );
            }
        }

        if out.len() == start {
            out.push(CheckResult::new(
                KIND,
                Outcome::Pass,
                codes::FRAUD_OK,
                "No velocity or identity concern",
            ));
        }
    }
}

fn window_start(now: DateTime<Utc>, window: Duration) -> DateTime<Utc> {
    now.checked_sub_signed(window)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `n`, or "n or more" when the history stopped counting at its threshold.
fn how_many(n: usize, capped: bool) -> String {
    if capped {
        format!("{n} or more")
    } else {
        n.to_string()
    }
}

fn window_words(window: Duration) -> String {
    match window.num_hours() {
        h if h % 24 == 0 && h >= 48 => format!("{} days", h / 24),
        h => format!("{h} hours"),
    }
}

fn identity_mismatch(order: &ProductOrder, customer: &Customer) -> Option<CheckResult> {
    let holder = order.payment.holder_name.as_deref()?;
    let holder_tokens = name_tokens(holder);
    if holder_tokens.is_empty() {
        return None;
    }
    let on_file = customer.verified_name.as_deref().unwrap_or(&customer.name);
    // A business customer pays with a card in the company's name as often as in its own.
    if same_tokens(&holder_tokens, &name_tokens(on_file))
        || (on_file != customer.name && same_tokens(&holder_tokens, &name_tokens(&customer.name)))
    {
        return None;
    }
    Some(
        CheckResult::new(
            KIND,
            Outcome::Hold,
            codes::FRAUD_IDENTITY_MISMATCH,
            format!("The payment is in the name of {holder}; the customer is {on_file}"),
        )
        .with_field(path::PAYMENT_HOLDER),
    )
}

/// Whether two spellings of a name plausibly denote one person: every name of the shorter
/// spelling appears in the longer (an initial matching a name it starts), and at least one of
/// them in full.
fn same_tokens(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() || (short.len() == 1 && long.len() > 1) {
        return false;
    }
    if a == b {
        return true;
    }
    let initial = |t: &str| t.chars().nth(1).is_none();
    let abbreviates =
        |x: &str, y: &str| (initial(x) && y.starts_with(x)) || (initial(y) && x.starts_with(y));
    let mut full_match = false;
    for s in short {
        if long.contains(s) {
            full_match |= !initial(s);
        } else if !long.iter().any(|l| abbreviates(s, l)) {
            return false;
        }
    }
    full_match
}

/// Lower-case, accent-free name parts. German transliteration writes ü as "ue" (MUELLER on a
/// card for Müller), so an `e` after `a`, `o` or `u` is dropped from both sides alike.
fn name_tokens(name: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut token = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        // Combining accents (decomposed input) and apostrophes (O'Brien) join, not split.
        if ('\u{300}'..='\u{36f}').contains(&c) || c == '\'' || c == '\u{2019}' {
            continue;
        }
        if c.is_alphanumeric() {
            match fold(c) {
                Some(plain) => plain.chars().for_each(|p| push_letter(&mut token, p)),
                None => push_letter(&mut token, c),
            }
        } else if !token.is_empty() {
            tokens.push(std::mem::take(&mut token));
        }
    }
    if !token.is_empty() {
        tokens.push(token);
    }
    tokens
}

fn push_letter(token: &mut String, c: char) {
    if c == 'e' && matches!(token.chars().last(), Some('a' | 'o' | 'u')) {
        return;
    }
    token.push(c);
}

/// The Latin letters with diacritics that European names use, without their marks.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' | 'ĺ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::ids::{AddressId, CustomerId, PaymentMethodId};
    use crate::lifecycle::OrderState;
    use crate::reference::OrderSummary;
    use proptest::prelude::*;
    use rstest::rstest;

    fn check(w: &TestWorld, order: &ProductOrder) -> Vec<CheckResult> {
        w.run(&FraudScreening, order)
    }

    fn same_person(a: &str, b: &str) -> bool {
        same_tokens(&name_tokens(a), &name_tokens(b))
    }

    #[test]
    fn an_ordinary_order_passes() {
        let mut w = TestWorld::lived_in();
        w.past_order("ORD-LAST-WEEK", Duration::days(8));
        let results = check(&w, &w.order(vec![fibre("1"), add("2", "PHONE-X")]));
        assert_eq!(codes_of(&results), [codes::FRAUD_OK]);
        assert_eq!(results[0].outcome, Outcome::Pass);
    }

    #[test]
    fn a_third_order_within_a_day_holds() {
        let mut w = TestWorld::new();
        w.past_order("ORD-A", Duration::hours(2));
        // The order itself, already stored by the server, does not count twice.
        w.past_order(ORDER, Duration::zero());
        let order = w.order(vec![fibre("1")]);
        assert_eq!(codes_of(&check(&w, &order)), [codes::FRAUD_OK]);
        // Closed orders count too: a rejected attempt is still an attempt.
        w.past_order("ORD-B", Duration::hours(23)).state = OrderState::Rejected;
        let results = check(&w, &order);
        let found = only(&results, codes::FRAUD_VELOCITY_CUSTOMER);
        assert_eq!(found.outcome, Outcome::Hold);
        assert_eq!(found.message, "3 orders from this customer within 24 hours");
        assert_eq!(
            found.field.as_deref(),
            Some("relatedParty[role=customer].id")
        );
    }

    /// A world whose customer placed `n` orders in the last `n` minutes.
    fn with_past_orders(n: usize) -> TestWorld {
        let mut w = TestWorld::new();
        for k in 0..n {
            w.past_order(
                &format!("ORD-{k}"),
                Duration::minutes(i64::try_from(k).unwrap()),
            );
        }
        w
    }

    /// The history counts only up to the threshold (a store need not count a busy customer's
    /// every order): past it, the message says "or more".
    #[test]
    fn past_the_threshold_the_count_says_or_more() {
        let hold_at = TestWorld::new().policy.fraud.customer_orders_hold_at;
        let w = with_past_orders(hold_at + 5);
        let results = check(&w, &w.order(vec![fibre("1")]));
        let found = only(&results, codes::FRAUD_VELOCITY_CUSTOMER);
        assert_eq!(
            found.message,
            format!(
                "{} or more orders from this customer within 24 hours",
                hold_at + 1
            )
        );
        // Exactly at the threshold the count is exact.
        let w = with_past_orders(hold_at - 1);
        let results = check(&w, &w.order(vec![fibre("1")]));
        let found = only(&results, codes::FRAUD_VELOCITY_CUSTOMER);
        assert_eq!(
            found.message,
            format!("{hold_at} orders from this customer within 24 hours")
        );
    }

    #[test]
    fn open_orders_older_than_the_window_do_not_count() {
        let mut w = TestWorld::new();
        w.past_order("ORD-A", Duration::hours(25));
        w.past_order("ORD-B", Duration::hours(30));
        assert_eq!(
            codes_of(&check(&w, &w.order(vec![fibre("1")]))),
            [codes::FRAUD_OK]
        );
    }

    fn stranger_order<'w>(
        w: &'w mut TestWorld,
        id: &str,
        customer: &str,
        ago: Duration,
    ) -> &'w mut OrderSummary {
        let o = w.past_order(id, ago);
        o.customer = CustomerId::new(customer);
        o.payment_method = None;
        o
    }

    #[test]
    fn a_fifth_order_for_one_address_within_a_week_holds() {
        let mut w = TestWorld::new();
        for n in 0..4 {
            stranger_order(
                &mut w,
                &format!("ORD-{n}"),
                &format!("CUST-X{n}"),
                Duration::days(n),
            )
            .places = vec![AddressId::new("ADDR-GPON")];
        }
        let order = w.order(vec![add("1", "MOBILE-10"), fibre("2")]);
        let results = check(&w, &order);
        let found = only(&results, codes::FRAUD_VELOCITY_ADDRESS);
        assert_eq!(found.outcome, Outcome::Hold);
        assert_eq!(
            found.field.as_deref(),
            Some("productOrderItem[1].product.place[0].id")
        );
        assert!(found.message.starts_with("5 orders"), "{}", found.message);
        w.orders[0].order_date = t0() - Duration::days(8);
        assert_eq!(codes_of(&check(&w, &order)), [codes::FRAUD_OK]);
    }

    #[test]
    fn a_card_paying_for_a_third_customer_holds() {
        let mut w = TestWorld::new();
        for (id, customer) in [
            ("ORD-1", "CUST-X"),
            ("ORD-2", "CUST-X"),
            ("ORD-3", "CUST-Y"),
        ] {
            stranger_order(&mut w, id, customer, Duration::days(2)).payment_method =
                Some(PaymentMethodId::new("PM-HOLDER"));
        }
        let results = check(&w, &w.order(vec![fibre("1")]));
        let found = only(&results, codes::FRAUD_VELOCITY_PAYMENT);
        assert_eq!(
            found.message,
            "Payment method PM-HOLDER paid for 3 customers within 7 days"
        );
        assert_eq!(found.field.as_deref(), Some("payment[0].id"));
        // Two of them paid by the same stranger: only two customers.
        w.orders.pop();
        assert_eq!(
            codes_of(&check(&w, &w.order(vec![fibre("1")]))),
            [codes::FRAUD_OK]
        );
    }

    #[test]
    fn a_payment_in_someone_elses_name_holds() {
        let w = TestWorld::new();
        let mut order = w.order(vec![fibre("1")]);
        order.payment.holder_name = Some("Other Payer".into());
        let results = check(&w, &order);
        let found = only(&results, codes::FRAUD_IDENTITY_MISMATCH);
        assert_eq!(found.outcome, Outcome::Hold);
        assert_eq!(
            found.message,
            "The payment is in the name of Other Payer; the customer is Holder Müsli"
        );
        assert_eq!(found.field.as_deref(), Some("payment[0].name"));
        // Without a holder name (invoice, direct debit set up later) there is nothing to compare.
        order.payment.holder_name = None;
        assert_eq!(codes_of(&check(&w, &order)), [codes::FRAUD_OK]);
    }

    #[test]
    fn a_business_may_pay_with_a_card_in_the_companys_name() {
        let mut w = TestWorld::new();
        w.customers[1].verified_name = Some("Business Owner A".into());
        let mut order = w.order(vec![fibre("1")]);
        order.customer = CustomerId::new(BUSINESS);
        order.payment.holder_name = Some("DEMO BUSINESS GMBH".into());
        assert_eq!(codes_of(&check(&w, &order)), [codes::FRAUD_OK]);
    }

    #[test]
    fn an_unknown_customer_cannot_be_verified() {
        let w = TestWorld::new();
        let mut order = w.order(vec![fibre("1")]);
        order.customer = CustomerId::new("CUST-GHOST");
        let results = check(&w, &order);
        let found = only(&results, codes::FRAUD_IDENTITY_UNVERIFIED);
        assert_eq!(found.outcome, Outcome::Hold);
    }

    #[test]
    fn high_risk_goods_need_a_verified_identity() {
        let mut w = TestWorld::lived_in();
        w.customer_mut().verified_name = None;
        assert_eq!(
            codes_of(&check(&w, &w.order(vec![fibre("1")]))),
            [codes::FRAUD_OK]
        );
        let results = check(&w, &w.order(vec![fibre("1"), add("2", "PHONE-X")]));
        let found = only(&results, codes::FRAUD_IDENTITY_UNVERIFIED);
        assert_eq!(
            found.field.as_deref(),
            Some("productOrderItem[1].productOffering.id")
        );
    }

    #[test]
    fn a_new_customer_buying_a_handset_is_a_warning() {
        let mut w = TestWorld::new();
        let order = w.order(vec![add("1", "PHONE-X")]);
        let results = check(&w, &order);
        let found = only(&results, codes::FRAUD_NEW_CUSTOMER_HIGH_RISK);
        assert_eq!(found.outcome, Outcome::Warn);
        assert_eq!(results.len(), 1);
        // An existing customer is not new.
        w.install("P-9", "MOBILE-10");
        assert_eq!(codes_of(&check(&w, &order)), [codes::FRAUD_OK]);
        // Nor is one who ordered earlier today.
        w.products.clear();
        w.past_order("ORD-A", Duration::hours(1));
        assert_eq!(codes_of(&check(&w, &order)), [codes::FRAUD_OK]);
        // And operators may switch the warning off.
        w.orders.clear();
        w.policy.fraud.warn_new_customer_high_risk = false;
        assert_eq!(codes_of(&check(&w, &order)), [codes::FRAUD_OK]);
    }

    #[test]
    fn every_concern_is_reported() {
        let mut w = TestWorld::new();
        w.policy.fraud.customer_orders_hold_at = 1;
        w.policy.fraud.address_orders_hold_at = 1;
        w.policy.fraud.payment_customers_hold_at = 1;
        let mut order = w.order(vec![fibre("1"), add("2", "PHONE-X")]);
        order.payment.holder_name = Some("Unknown Payer".into());
        assert_eq!(
            codes_of(&check(&w, &order)),
            [
                codes::FRAUD_VELOCITY_CUSTOMER,
                codes::FRAUD_VELOCITY_ADDRESS,
                codes::FRAUD_VELOCITY_PAYMENT,
                codes::FRAUD_IDENTITY_MISMATCH,
                codes::FRAUD_NEW_CUSTOMER_HIGH_RISK
            ]
        );
    }

    #[rstest]
    #[case::same("Holder Müsli", "Holder Müsli", true)]
    #[case::upper_case_transliterated("HOLDER MUESLI", "Holder Müsli", true)]
    #[case::accent_dropped("HOLDER MUSLI", "Holder Müsli", true)]
    #[case::decomposed_accent("Holder Mu\u{308}sli", "Holder Müsli", true)]
    #[case::reversed("Müsli, Holder", "Holder Müsli", true)]
    #[case::initial("H. MUESLI", "Holder Müsli", true)]
    #[case::middle_name_left_off("Holder Müsli", "Holder Middle Müsli", true)]
    #[case::apostrophe_and_hyphen("NAIVE OCLOCK-EXAMPLE", "Naïve O'Clock Example", true)]
    #[case::sharp_s("HOLDER STRASSE", "Holder Straße", true)]
    #[case::other_surname("Holder Other", "Holder Müsli", false)]
    #[case::other_person("Other Payer", "Holder Müsli", false)]
    #[case::surname_only("Müsli", "Holder Müsli", false)]
    #[case::initials_only("H M", "Holder Müsli", false)]
    #[case::empty("", "Holder Müsli", false)]
    fn names_compare_like_a_person_would(#[case] a: &str, #[case] b: &str, #[case] same: bool) {
        assert_eq!(same_person(a, b), same, "{a} / {b}");
        assert_eq!(same_person(b, a), same, "{b} / {a}");
    }

    proptest! {
        #[test]
        fn a_name_matches_itself_in_any_case(name in "[A-Za-zÀ-ÖØ-öø-ÿ]{2,12}( [A-Za-zÀ-ÖØ-öø-ÿ]{2,12}){0,3}") {
            prop_assert!(same_person(&name, &name.to_uppercase()));
            prop_assert!(same_person(&name.to_lowercase(), &name));
        }
    }
}
