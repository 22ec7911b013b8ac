//! A deterministic population of realistic product orders for the list benchmark: every order
//! is a function of its number, so two seeds of the same size are the same database.
//!
//! Shape: each order is one of the fixture quotes' orders (real offerings, characteristics,
//! prices, relationships and item counts: the documents are as large as real ones) given its
//! own id, external id, customer (about four orders per customer), service address, payment
//! method, priority and order date, spread evenly over the two years before `now`. States
//! follow a desk's history rather than a uniform spread: orders older than [`OPEN_DAYS`] are
//! finished ([`OLDER`]); recent ones are a live mix with held, pending and cancelling orders
//! ([`RECENT`]). Nothing is left `acknowledged` or `inProgress.accepted`: those are the
//! seconds between capture and validation or fulfilment, and a server starting on such orders
//! would (rightly) validate or submit them all, which is not what the list benchmark measures.

use anyhow::{bail, Context};
use chrono::{DateTime, Duration, Utc};
use orderdesk_domain::lifecycle::{ItemLifecycle, OrderPhase};
use orderdesk_domain::order::ExternalId;
use orderdesk_domain::{
    AddressId, BillingAccountId, CustomerId, ItemState, OrderId, OrderState, PaymentMethodId,
    Priority, ProductOrder,
};
use orderdesk_fixtures::Fixtures;

use crate::bodies::fixture_day;

/// How far back order dates go.
pub const SPAN_DAYS: i64 = 730;
/// Orders younger than this may still be open.
pub const OPEN_DAYS: i64 = 30;

/// SplitMix64: a good, dependency-free hash of a number.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Order states of orders from the last [`OPEN_DAYS`], per mille.
pub const RECENT: &[(OrderState, u64)] = &[
    (OrderState::Completed, 450),
    (OrderState::InProgress, 250),
    (OrderState::Held, 80),
    (OrderState::Pending, 50),
    (OrderState::AssessingCancellation, 10),
    (OrderState::PendingCancellation, 10),
    (OrderState::Cancelled, 60),
    (OrderState::Rejected, 50),
    (OrderState::Failed, 20),
    (OrderState::Partial, 20),
];

/// Order states of older orders, per mille.
pub const OLDER: &[(OrderState, u64)] = &[
    (OrderState::Completed, 860),
    (OrderState::Cancelled, 60),
    (OrderState::Rejected, 40),
    (OrderState::Failed, 20),
    (OrderState::Partial, 20),
];

/// Why a held order waits (queue, code), as validation writes it.
const HOLDS: &[&str] = &[
    "held for fraud: FRAUD_VELOCITY_CUSTOMER",
    "held for creditReferral: CREDIT_REFER",
    "held for review: DUPLICATE_OPEN_ORDER",
    "held for capacity: INVENTORY_EXCHANGE_FULL",
];

const CHANNELS: &[&str] = &["desk", "web", "partner"];

fn pick(table: &[(OrderState, u64)], h: u64) -> OrderState {
    let mut r = h % 1000;
    for (state, weight) in table {
        if r < *weight {
            return *state;
        }
        r -= weight;
    }
    OrderState::Completed
}

/// The item states that roll up into `state` (one item or more).
fn item_states(state: OrderState, items: usize, h: u64) -> Vec<ItemState> {
    use ItemState as I;
    let rest = |first: ItemState, others: ItemState| -> Vec<ItemState> {
        std::iter::once(first)
            .chain(std::iter::repeat_n(others, items.saturating_sub(1)))
            .collect()
    };
    match state {
        OrderState::InProgress => rest(
            I::InProgress,
            if h & 1 == 0 {
                I::InProgress
            } else {
                I::Completed
            },
        ),
        OrderState::Held => rest(I::Held, I::Held),
        OrderState::Pending => rest(I::Pending, I::Pending),
        OrderState::AssessingCancellation => rest(I::AssessingCancellation, I::InProgress),
        OrderState::PendingCancellation => rest(I::PendingCancellation, I::Cancelled),
        OrderState::Cancelled => rest(I::Cancelled, I::Cancelled),
        OrderState::Rejected => rest(I::Rejected, I::Rejected),
        OrderState::Failed => rest(I::Failed, I::Failed),
        OrderState::Partial if items > 1 => rest(I::Completed, I::Failed),
        OrderState::Partial => vec![I::Partial],
        _ => rest(I::Completed, I::Completed),
    }
}

/// The orders of the fixture quotes, the templates of the population.
#[derive(Debug, Clone)]
pub struct Population {
    templates: Vec<ProductOrder>,
    customers: u64,
    now: DateTime<Utc>,
}

impl Population {
    pub fn from_fixtures(
        fixtures: &Fixtures,
        customers: u64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Self> {
        let mut templates = Vec::new();
        for quote in fixtures.quotes() {
            let order = fixtures
                .order_from_quote(&quote.id, OrderId::new("template"), fixture_day())
                .with_context(|| format!("quote `{}` does not make an order", quote.id))?;
            if !order.items.is_empty() {
                templates.push(order);
            }
        }
        if templates.is_empty() {
            bail!("the fixtures hold no quote to shape orders on");
        }
        Ok(Self {
            templates,
            customers: customers.max(1),
            now,
        })
    }

    /// The customer of order `n`.
    pub fn customer(&self, n: u64) -> String {
        format!("CUST-S{:06}", mix(n ^ 0xC057) % self.customers)
    }

    /// The state order `n` is seeded in.
    pub fn state(&self, n: u64) -> OrderState {
        let h = mix(n);
        let age_minutes = self.age_minutes(h);
        let table = if age_minutes < OPEN_DAYS * 24 * 60 {
            RECENT
        } else {
            OLDER
        };
        pick(table, mix(h))
    }

    fn age_minutes(&self, h: u64) -> i64 {
        ((h >> 16) % (SPAN_DAYS as u64 * 24 * 60)) as i64
    }

    /// Order number `n`: id `SEED-{n}`, external id `SEED-{n}` owned by its channel.
    pub fn order(&self, n: u64) -> ProductOrder {
        let h = mix(n);
        let h2 = mix(h);
        let template = &self.templates[(h % self.templates.len() as u64) as usize];
        let customer = self.customer(n);
        let suffix = customer.trim_start_matches("CUST-");
        let order_date = self.now - Duration::minutes(self.age_minutes(h));
        let state = self.state(n);
        let states = item_states(state, template.items.len(), h2 >> 40);

        let mut order = template.clone();
        order.id = OrderId::new(format!("SEED-{n}"));
        order.version = 1;
        let channel = template
            .channel
            .clone()
            .unwrap_or_else(|| CHANNELS[((h2 >> 8) % CHANNELS.len() as u64) as usize].to_owned());
        order.external_ids = vec![ExternalId {
            owner: Some(channel.clone()),
            kind: None,
            id: format!("SEED-{n}"),
        }];
        order.channel = Some(channel);
        order.customer = CustomerId::new(customer.clone());
        if order.billing_account.is_some() {
            order.billing_account = Some(BillingAccountId::new(format!("BA-{suffix}")));
        }
        if order.payment.method.is_some() {
            order.payment.method = Some(PaymentMethodId::new(format!("PM-{suffix}")));
        }
        order.priority = Priority::new(((h2 >> 16) % 5) as u8).unwrap_or_default();
        order.quote = None;
        order.requested_start_date = template
            .requested_start_date
            .map(|d| order_date + (d - fixture_day()));
        order.requested_completion_date = template
            .requested_completion_date
            .map(|d| order_date + (d - fixture_day()));
        order.order_date = order_date;
        for (item, s) in order.items.iter_mut().zip(states) {
            if item.product.place.is_some() {
                item.product.place = Some(AddressId::new(format!("ADDR-{suffix}")));
            }
            item.lifecycle = ItemLifecycle::new(s);
        }
        let started = matches!(
            state,
            OrderState::InProgress
                | OrderState::Completed
                | OrderState::Failed
                | OrderState::Partial
                | OrderState::AssessingCancellation
                | OrderState::PendingCancellation
        );
        order.phase = OrderPhase {
            draft: false,
            accepted: !matches!(
                state,
                OrderState::Held | OrderState::Pending | OrderState::Rejected
            ),
            fulfilment_started: started,
        };
        let took = Duration::minutes(((h2 >> 24) % (20 * 24 * 60)) as i64);
        let changed = (order_date + took).min(self.now);
        order.state_changed_at = changed;
        order.expected_completion_date = started.then(|| order_date + Duration::days(14));
        order.completion_date = matches!(
            state,
            OrderState::Completed | OrderState::Failed | OrderState::Partial
        )
        .then_some(changed);
        order.state_reason = match state {
            OrderState::Held => Some(HOLDS[((h2 >> 48) % HOLDS.len() as u64) as usize].to_owned()),
            OrderState::Pending => Some("deposit required: CREDIT_DEPOSIT_REQUIRED".to_owned()),
            OrderState::Rejected => Some("rejected: CATALOG_OFFERING_NOT_SELLABLE".to_owned()),
            _ => None,
        };
        if state == OrderState::Cancelled {
            order.cancellation_date = Some(changed);
            order.cancellation_reason = Some("customer request".to_owned());
        }
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn population() -> Population {
        let fixtures = Fixtures::load_default().unwrap();
        Population::from_fixtures(&fixtures, 2_500, fixture_day()).unwrap()
    }

    #[test]
    fn orders_are_deterministic_well_formed_and_in_their_intended_state() {
        let p = population();
        let mut states: HashMap<OrderState, u64> = HashMap::new();
        for n in 0..10_000 {
            let o = p.order(n);
            assert_eq!(o, p.order(n));
            assert_eq!(o.state(), p.state(n), "order {n}");
            assert!(o.check_shape().is_ok(), "order {n}: {:?}", o.check_shape());
            assert!(o.order_date <= fixture_day());
            assert!(o.order_date > fixture_day() - Duration::days(SPAN_DAYS));
            *states.entry(o.state()).or_default() += 1;
        }
        assert!(!states.contains_key(&OrderState::Acknowledged));
        assert!(!states.contains_key(&OrderState::InProgressAccepted));
        assert!(states[&OrderState::Completed] > 8_000);
        assert!(states.contains_key(&OrderState::Held));
    }

    #[test]
    fn open_orders_are_recent() {
        let p = population();
        for n in 0..10_000 {
            let o = p.order(n);
            if !o.state().is_terminal() {
                assert!(
                    o.order_date > fixture_day() - Duration::days(OPEN_DAYS),
                    "order {n}"
                );
            }
        }
    }
}
