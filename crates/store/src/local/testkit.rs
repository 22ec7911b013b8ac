//! A synthetic local store, for this crate's tests and benchmarks only (feature `testkit`): the
//! central testkit's synthetic orders as synced local orders with names and addresses to
//! search, their held and pending queue entries, and a queue-only population for stress.
//! Everything is a function of the order's number, so two runs produce the same database.

use chrono::{DateTime, Duration, Utc};
use orderdesk_domain::desk::{QueueEntry, QueueKind};
use orderdesk_domain::{CustomerId, OrderId, OrderState, Priority, ProductOrder};

use super::{LocalOrder, LocalQueueEntry, LocalStore, SearchText, SyncStatus};
use crate::error::Result;
use crate::testkit::synthetic_order;

const FIRST: &[&str] = &[
    "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Kilo",
];
const LAST: &[&str] = &[
    "Resident", "Oak", "Birch", "Maple", "Willow", "Cedar", "Elm", "Ash", "Pine", "Beech",
];
const STREETS: &[&str] = &[
    "Kerkstraat",
    "Dorpsstraat",
    "Schoolstraat",
    "Molenweg",
    "Stationsweg",
    "Julianalaan",
];
const CITIES: &[&str] = &[
    "Amsterdam",
    "Rotterdam",
    "Utrecht",
    "Delft",
    "Eindhoven",
    "Gent",
];
/// Hold reasons of the synthetic queues (the server's fine-grained queues).
pub const REASONS: &[&str] = &["fraud", "creditReferral", "review", "capacity"];

fn pick<'a>(list: &[&'a str], n: u64) -> &'a str {
    list[usize::try_from(n % list.len() as u64).unwrap_or(0)]
}

/// The customer name and address text of synthetic customer `c`.
pub fn search_text(customer: &CustomerId) -> SearchText {
    let c: u64 = customer
        .as_str()
        .trim_start_matches("CUST-")
        .parse()
        .unwrap_or(0);
    SearchText {
        customer_name: Some(format!("{} {}", pick(FIRST, c), pick(LAST, c / 10))),
        address: Some(format!(
            "{} {}, {}",
            pick(STREETS, c / 7),
            1 + c % 200,
            pick(CITIES, c / 3)
        )),
    }
}

/// The queue entry of a synthetic order, if its state puts it in one: held orders in the held
/// queue (reason from [`REASONS`]), pending ones in the pending queue; SLA 4 h after arrival.
pub fn queue_entry_of(order: &ProductOrder, n: u64) -> Option<LocalQueueEntry> {
    let kind = match order.state() {
        OrderState::Held => QueueKind::Held,
        OrderState::Pending => QueueKind::Pending,
        _ => return None,
    };
    let mut entry = QueueEntry::for_order(
        order,
        kind,
        Some(order.state_changed_at + Duration::hours(4)),
    );
    entry.reason = Some(pick(REASONS, n / 3).to_owned());
    Some(entry.into())
}

/// Stores synthetic orders `from..to` as synced local orders (server version 1), with their
/// queue entries, `batch` orders per transaction. Returns how many orders were written.
pub fn seed_orders(
    store: &LocalStore,
    from: u64,
    to: u64,
    customers: u64,
    now: DateTime<Utc>,
    batch: u64,
) -> Result<u64> {
    let mut n = from;
    while n < to {
        let end = to.min(n + batch.max(1));
        store.write(|tx| {
            for i in n..end {
                let order = synthetic_order(i, customers, now);
                let search = search_text(&order.customer);
                if let Some(entry) = queue_entry_of(&order, i) {
                    tx.upsert_queue_entry(&entry, now)?;
                }
                tx.save_local_order(
                    &LocalOrder {
                        server_version: Some(order.version),
                        etag: Some(format!("\"{}\"", order.version)),
                        sync: SyncStatus::Synced,
                        ..LocalOrder::captured(order, search, now)
                    },
                    None,
                )?;
            }
            Ok::<_, crate::StoreError>(())
        })?;
        n = end;
    }
    Ok(to - from)
}

/// Queue entry `n` of a stress population of one queue: arrivals spread over the 3 days before
/// `now`, all priorities and [`REASONS`], an SLA (4 h) on one entry in five, so that the head of
/// the queue is overdue work and the rest is ranked by ageing.
pub fn synthetic_queue_entry(kind: QueueKind, n: u64, now: DateTime<Utc>) -> LocalQueueEntry {
    let h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
    let waited = i64::try_from(h % (3 * 24 * 3600 * 1000)).unwrap_or(0);
    let waiting_since = now - Duration::milliseconds(waited);
    LocalQueueEntry {
        entry: QueueEntry {
            order: OrderId::new(format!("Q-{n}")),
            customer: CustomerId::new(format!("CUST-{}", n / 4)),
            kind,
            reason: Some(pick(REASONS, h >> 40).to_owned()),
            priority: Priority::new(u8::try_from((h >> 20) % 5).unwrap_or(4)).unwrap_or_default(),
            waiting_since,
            sla_due: (h >> 30)
                .is_multiple_of(5)
                .then(|| waiting_since + Duration::hours(4)),
            claimed_by: None,
        },
        detail: None,
    }
}

/// Replaces queue `kind` with `count` stress entries (no orders behind them).
pub fn seed_queue(
    store: &LocalStore,
    kind: QueueKind,
    count: u64,
    now: DateTime<Utc>,
) -> Result<usize> {
    let entries: Vec<LocalQueueEntry> = (0..count)
        .map(|n| synthetic_queue_entry(kind, n, now))
        .collect();
    store.replace_queue_entries(Some(kind), &entries, now)
}
