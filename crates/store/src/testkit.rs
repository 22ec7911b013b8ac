//! Synthetic orders and a bulk loader, for this crate's tests and benchmarks only (feature
//! `testkit`; the crate's dev-dependency on itself turns it on).
//!
//! The synthetic population looks like a desk's history: most orders completed, a few percent
//! held or pending, customers with a handful of orders each, four channels, forty offerings,
//! order dates spread over two years. Everything is a function of the order's number, so two
//! runs produce the same database.

use chrono::{DateTime, Duration, Utc};
use orderdesk_domain::lifecycle::{ItemLifecycle, OrderPhase};
use orderdesk_domain::order::{ExternalId, Payment, RelatedParty};
use orderdesk_domain::{
    AddressId, CustomerId, ItemAction, ItemState, OfferingId, OrderId, OrderItem, PaymentMethodId,
    Priority, ProductOrder, UserId,
};

use crate::central::{CentralStore, NewOrder};
use crate::error::Result;

/// SplitMix64: a good, dependency-free hash of the order number.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub const CHANNELS: &[&str] = &["desk", "web", "partner", "shop"];

/// The item states of a synthetic order, by scenario (per mille):
/// completed 600, inProgress 120, acknowledged 80, held 40, pending 30, cancelled 50,
/// rejected 30, failed 20, partial 10, assessingCancellation 10, pendingCancellation 10.
fn scenario(h: u64) -> (ItemState, Option<ItemState>) {
    use ItemState as S;
    match h % 1000 {
        0..600 => (S::Completed, None),
        600..720 => (S::InProgress, None),
        720..800 => (S::Acknowledged, None),
        800..840 => (S::Held, None),
        840..870 => (S::Pending, None),
        870..920 => (S::Cancelled, None),
        920..950 => (S::Rejected, None),
        950..970 => (S::Failed, None),
        970..980 => (S::Completed, Some(S::Failed)),
        980..990 => (S::AssessingCancellation, None),
        _ => (S::PendingCancellation, None),
    }
}

/// Synthetic order number `n` of a population with `customers` customers, dated in the two
/// years before `now`. Its id is `ORD-{n}`, its external id `EXT-{n}` from its channel.
pub fn synthetic_order(n: u64, customers: u64, now: DateTime<Utc>) -> ProductOrder {
    let h = mix(n);
    let h2 = mix(h);
    let customer = h2 % customers.max(1);
    let channel = CHANNELS[(h % 4) as usize];
    let (state, second) = scenario(h >> 8);
    let item_count = if second.is_some() {
        2
    } else {
        1 + (h2 >> 20) % 3
    };
    let order_date = now - Duration::minutes(((h >> 24) % (730 * 24 * 60)) as i64);
    let items = (0..item_count)
        .map(|i| {
            let s = if i == 1 {
                second.unwrap_or(state)
            } else {
                state
            };
            let mut item = OrderItem::new(
                format!("{}", i + 1).as_str(),
                if (h2 >> (i * 3)).is_multiple_of(5) {
                    ItemAction::Modify
                } else {
                    ItemAction::Add
                },
                Some(OfferingId::new(format!("PO-{}", (h2 >> (8 + i * 6)) % 40))),
            );
            item.product.place = Some(AddressId::new(format!("ADDR-{customer}")));
            item.lifecycle = ItemLifecycle::new(s);
            item
        })
        .collect();
    let started = !matches!(state, ItemState::Acknowledged | ItemState::Rejected);
    ProductOrder {
        id: OrderId::new(format!("ORD-{n}")),
        version: 1,
        external_ids: vec![ExternalId {
            owner: Some(channel.to_owned()),
            kind: None,
            id: format!("EXT-{n}"),
        }],
        channel: Some(channel.to_owned()),
        customer: CustomerId::new(format!("CUST-{customer}")),
        related_parties: vec![RelatedParty {
            id: format!("U-AGENT-{}", (h >> 40) % 25),
            role: "agent".to_owned(),
            name: None,
            referred_type: Some("Individual".to_owned()),
        }],
        billing_account: None,
        payment: Payment {
            method: ((h2 >> 50) % 10 < 3).then(|| PaymentMethodId::new(format!("PM-{customer}"))),
            holder_name: None,
        },
        priority: Priority::new(((h >> 52) % 5) as u8).unwrap_or_default(),
        category: None,
        description: None,
        order_date,
        requested_start_date: (h2 >> 40)
            .is_multiple_of(5)
            .then(|| order_date + Duration::days(14)),
        requested_completion_date: None,
        expected_completion_date: None,
        completion_date: None,
        cancellation_date: None,
        cancellation_reason: None,
        quote: None,
        items,
        notes: Vec::new(),
        milestones: Vec::new(),
        jeopardy_alerts: Vec::new(),
        error_messages: Vec::new(),
        phase: OrderPhase {
            draft: false,
            accepted: started,
            fulfilment_started: started,
        },
        state_reason: matches!(state, ItemState::Held | ItemState::Pending)
            .then(|| "credit referral".to_owned()),
        state_changed_at: order_date + Duration::hours(1),
        created_by: Some(UserId::new(format!("U-AGENT-{}", (h >> 40) % 25))),
    }
}

/// Stores `orders` through the ordinary create path (versions, change rows and all), `batch`
/// orders per transaction. Returns how many were created.
pub fn bulk_load(
    store: &CentralStore,
    orders: impl IntoIterator<Item = ProductOrder>,
    batch: usize,
) -> Result<u64> {
    let by = UserId::new("bulk-loader");
    let mut created = 0;
    let mut orders = orders.into_iter().peekable();
    while orders.peek().is_some() {
        let chunk: Vec<ProductOrder> = orders.by_ref().take(batch.max(1)).collect();
        created += store.write(|tx| {
            let mut n = 0;
            for order in &chunk {
                let outcome = tx.create_order(&NewOrder {
                    order,
                    extensions: None,
                    idempotency_key: None,
                    by: &by,
                    at: order.order_date,
                    reason: "bulk load",
                    events: &[],
                })?;
                n += u64::from(outcome.is_created());
            }
            Ok::<_, crate::StoreError>(n)
        })?;
    }
    Ok(created)
}

/// Loads synthetic orders `0..count` (customers = count / 4).
pub fn load_synthetic(store: &CentralStore, count: u64, now: DateTime<Utc>) -> Result<u64> {
    let customers = (count / 4).max(1);
    bulk_load(
        store,
        (0..count).map(|n| synthetic_order(n, customers, now)),
        10_000,
    )
}
