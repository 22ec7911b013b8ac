//! Local store benchmarks: capture writes (order + outbox entry in one transaction), the held
//! queue's first page over a large local population, and search.
//!
//! `ORDERDESK_BENCH_LOCAL_ORDERS` sets the number of local orders (default 100000). Two stores
//! are seeded in a temp dir: the synthetic orders with their queue entries (a few percent
//! held, as at a real desk), and a held queue that alone holds that many entries (the worst
//! case). Before criterion runs, each measured operation is timed and its p50/p99 printed.

#![allow(clippy::expect_used, clippy::print_stdout)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use orderdesk_domain::desk::QueueKind;
use orderdesk_domain::order::ExternalId;
use orderdesk_domain::{OrderId, ProductOrder};
use orderdesk_store::local::testkit::{search_text, seed_orders, seed_queue};
use orderdesk_store::local::{
    LocalOrder, LocalQueueQuery, LocalStore, Method, NewOutboxEntry, OutboxKind,
};
use orderdesk_store::testkit::synthetic_order;
use serde_json::json;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

fn orders_wanted() -> u64 {
    std::env::var("ORDERDESK_BENCH_LOCAL_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

struct Fixture {
    /// The synthetic desk: `count` synced orders, their held and pending entries.
    desk: LocalStore,
    /// A held queue of `count` entries.
    queue: LocalStore,
    count: u64,
    _tmp: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let count = orders_wanted();
    let tmp = tempfile::tempdir().expect("temp dir");
    let desk = LocalStore::open(&tmp.path().join("desk.db")).expect("open");
    let started = Instant::now();
    seed_orders(&desk, 0, count, (count / 4).max(1), now(), 10_000).expect("seed orders");
    let secs = started.elapsed().as_secs_f64();
    println!(
        "seeded {count} local orders in {secs:.1}s ({:.0}/s)",
        count as f64 / secs
    );
    let queue = LocalStore::open(&tmp.path().join("queue.db")).expect("open");
    let started = Instant::now();
    seed_queue(&queue, QueueKind::Held, count, now()).expect("seed queue");
    println!(
        "seeded a held queue of {count} entries in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Fixture {
        desk,
        queue,
        count,
        _tmp: tmp,
    }
}

/// A captured order nobody stored yet, and the outbox entry that creates it on the server.
fn capture(seq: u64) -> (LocalOrder, NewOutboxEntry) {
    let mut o: ProductOrder = synthetic_order(seq, 25_000, now());
    o.id = OrderId::new(format!("LOCAL-{seq}"));
    o.external_ids = vec![ExternalId {
        owner: Some("desk".to_owned()),
        kind: None,
        id: format!("LOCAL-{seq}"),
    }];
    let search = search_text(&o.customer);
    let entry = NewOutboxEntry {
        order_id: o.id.clone(),
        kind: OutboxKind::CreateOrder,
        method: Method::Post,
        path: "/tmf-api/productOrderingManagement/v5/productOrder".to_owned(),
        body: Some(json!({"externalId": format!("LOCAL-{seq}"), "productOrderItem": []})),
        idempotency_key: format!("capture-{seq}"),
        if_match: None,
        created_at: now(),
    };
    (LocalOrder::captured(o, search, now()), entry)
}

fn held_queries() -> Vec<(&'static str, LocalQueueQuery)> {
    let first = LocalQueueQuery::first_page(QueueKind::Held, now(), 50);
    vec![
        ("first page", first.clone()),
        (
            "first page, reason=fraud",
            LocalQueueQuery {
                reason: Some("fraud".to_owned()),
                ..first.clone()
            },
        ),
        (
            "page at offset 20000",
            LocalQueueQuery {
                offset: 20_000,
                ..first
            },
        ),
    ]
}

fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration, Duration) {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    (at(0.5), at(0.99), at(1.0))
}

fn latency_report(fx: &Fixture, seq: &AtomicU64) {
    let writes: Vec<Duration> = (0..2000)
        .map(|_| {
            let (order, entry) = capture(seq.fetch_add(1, Ordering::Relaxed));
            let t = Instant::now();
            fx.desk
                .save_local_order(&order, Some(&entry))
                .expect("save");
            t.elapsed()
        })
        .collect();
    let (p50, p99, max) = percentiles(writes);
    println!("capture write (order + outbox, one tx), 2000 runs: p50 {p50:.2?}  p99 {p99:.2?}  max {max:.2?}");

    for (store, what) in [(&fx.desk, "desk"), (&fx.queue, "held-only")] {
        for (name, q) in held_queries() {
            let times: Vec<Duration> = (0..200)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(store.list_queue(&q).expect("queue"));
                    t.elapsed()
                })
                .collect();
            let page = store.list_queue(&q).expect("queue");
            let (p50, p99, _) = percentiles(times);
            println!(
                "held queue ({what}, {} orders) {name:<26} p50 {p50:>8.2?}  p99 {p99:>8.2?}  (total {}, page {})",
                fx.count,
                page.total,
                page.items.len()
            );
        }
    }
    for text in ["resident", "kerkstraat 12", "ORD-4242", "em"] {
        let times: Vec<Duration> = (0..100)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(fx.desk.search(text, 20).expect("search"));
                t.elapsed()
            })
            .collect();
        let (p50, p99, _) = percentiles(times);
        let hits = fx.desk.search(text, 20).expect("search").len();
        println!("search {text:<16} p50 {p50:>8.2?}  p99 {p99:>8.2?}  ({hits} hits)");
    }
}

fn benches(c: &mut Criterion) {
    let fx = fixture();
    let seq = AtomicU64::new(0);
    latency_report(&fx, &seq);

    let mut g = c.benchmark_group("local capture");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Elements(1));
    g.bench_function("order + outbox entry, one tx", |b| {
        b.iter_batched(
            || capture(seq.fetch_add(1, Ordering::Relaxed)),
            |(order, entry)| {
                fx.desk
                    .save_local_order(&order, Some(&entry))
                    .expect("save")
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("held queue");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    for (store, what) in [(&fx.desk, "desk"), (&fx.queue, "held-only")] {
        for (name, q) in held_queries() {
            g.bench_function(format!("{what}: {name}"), |b| {
                b.iter(|| std::hint::black_box(store.list_queue(&q).expect("queue")))
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("search");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    for text in ["resident", "ORD-4242"] {
        g.bench_function(text, |b| {
            b.iter(|| std::hint::black_box(fx.desk.search(text, 20).expect("search")))
        });
    }
    g.finish();
}

criterion_group!(local, benches);
criterion_main!(local);
