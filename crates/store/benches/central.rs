//! Central store benchmarks: durable creates (1 and 32 writers), GET by id (1 and 4 readers),
//! and filtered first pages with their total over a large table.
//!
//! `ORDERDESK_BENCH_ORDERS` sets the table size (default 200000); `ORDERDESK_BENCH_DIR` keeps
//! the database between runs (it is loaded once, then reused while it holds at least that many
//! orders). Before criterion runs, each list query is timed 200 times and its p50/p99 printed.

#![allow(clippy::expect_used, clippy::print_stdout)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use orderdesk_domain::order::ExternalId;
use orderdesk_domain::{OrderId, UserId};
use orderdesk_store::central::{Direction, Filter, NewOrder, Op, OrderField, OrderQuery};
use orderdesk_store::testkit::{load_synthetic, synthetic_order};
use orderdesk_store::CentralStore;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

fn orders_wanted() -> u64 {
    std::env::var("ORDERDESK_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000)
}

struct Fixture {
    store: Arc<CentralStore>,
    count: u64,
    _tmp: Option<tempfile::TempDir>,
}

fn fixture() -> Fixture {
    let count = orders_wanted();
    let (dir, tmp): (PathBuf, _) = match std::env::var("ORDERDESK_BENCH_DIR") {
        Ok(d) => (PathBuf::from(d), None),
        Err(_) => {
            let t = tempfile::tempdir().expect("temp dir");
            (t.path().to_owned(), Some(t))
        }
    };
    let store = CentralStore::open(&dir).expect("open");
    let have = store.order_count().expect("count");
    if have < count {
        let started = Instant::now();
        let customers = (count / 4).max(1);
        orderdesk_store::testkit::bulk_load(
            &store,
            (have..count).map(|n| synthetic_order(n, customers, now())),
            10_000,
        )
        .expect("bulk load");
        let secs = started.elapsed().as_secs_f64();
        println!(
            "loaded {} orders in {secs:.1}s ({:.0}/s)",
            count - have,
            (count - have) as f64 / secs
        );
    }
    let _ = load_synthetic; // the same loader, for callers that start from empty
    Fixture {
        store: Arc::new(store),
        count,
        _tmp: tmp,
    }
}

/// A new order nobody stored yet (ids unique per process run).
fn fresh_order(seq: u64, run: u64) -> orderdesk_domain::ProductOrder {
    let mut o = synthetic_order(seq, 50_000, now());
    o.id = OrderId::new(format!("BENCH-{run}-{seq}"));
    o.external_ids = vec![ExternalId {
        owner: Some("bench".to_owned()),
        kind: None,
        id: format!("BENCH-{run}-{seq}"),
    }];
    o
}

fn create(store: &CentralStore, order: &orderdesk_domain::ProductOrder, by: &UserId) {
    store
        .create_order(&NewOrder {
            order,
            extensions: None,
            idempotency_key: None,
            by,
            at: now(),
            reason: "bench",
            events: &[],
        })
        .expect("create");
}

fn queries() -> Vec<(&'static str, OrderQuery)> {
    let page = |filters: Vec<Filter>, sort: Vec<(OrderField, Direction)>| OrderQuery {
        filters,
        sort,
        offset: 0,
        limit: 20,
    };
    let newest = vec![(OrderField::OrderDate, Direction::Desc)];
    vec![
        (
            "state=held,-orderDate",
            page(vec![Filter::eq(OrderField::State, "held")], newest.clone()),
        ),
        (
            "state in (acknowledged,held,pending),-orderDate",
            page(
                vec![Filter::new(
                    OrderField::State,
                    Op::In,
                    &["acknowledged", "held", "pending"],
                )],
                newest.clone(),
            ),
        ),
        (
            "relatedParty.id=CUST-42",
            page(
                vec![Filter::eq(OrderField::RelatedPartyId, "CUST-42")],
                newest.clone(),
            ),
        ),
        (
            "customer=CUST-42",
            page(
                vec![Filter::eq(OrderField::Customer, "CUST-42")],
                newest.clone(),
            ),
        ),
        (
            "productOrderItem.state=held",
            page(
                vec![Filter::eq(OrderField::ItemState, "held")],
                newest.clone(),
            ),
        ),
        (
            "productOrderItem.state=held&offering=PO-7",
            page(
                vec![
                    Filter::eq(OrderField::ItemState, "held"),
                    Filter::eq(OrderField::ItemOfferingId, "PO-7"),
                ],
                newest.clone(),
            ),
        ),
        (
            "orderDate.gte=now-30d",
            page(
                vec![Filter::new(
                    OrderField::OrderDate,
                    Op::Gte,
                    &["2026-05-02T12:00:00Z"],
                )],
                newest.clone(),
            ),
        ),
        (
            "state=held&orderDate.gte=now-30d",
            page(
                vec![
                    Filter::eq(OrderField::State, "held"),
                    Filter::new(OrderField::OrderDate, Op::Gte, &["2026-05-02T12:00:00Z"]),
                ],
                newest.clone(),
            ),
        ),
        (
            "externalId=EXT-4242",
            page(
                vec![Filter::eq(OrderField::ExternalId, "EXT-4242")],
                newest.clone(),
            ),
        ),
        ("no filter,-orderDate", page(vec![], newest)),
    ]
}

fn latency_report(fx: &Fixture) {
    println!(
        "filtered first page + total over {} orders (200 runs each):",
        fx.count
    );
    for (name, q) in queries() {
        let mut times: Vec<Duration> = (0..200)
            .map(|_| {
                let t = Instant::now();
                let page = fx.store.list_orders(&q).expect("list");
                std::hint::black_box(page);
                t.elapsed()
            })
            .collect();
        times.sort();
        let page = fx.store.list_orders(&q).expect("list");
        println!(
            "  {name:<48} p50 {:>8.2?}  p99 {:>8.2?}  (total {}, page {})",
            times[100],
            times[197],
            page.total,
            page.items.len()
        );
    }
}

fn benches(c: &mut Criterion) {
    let fx = fixture();
    latency_report(&fx);
    let run = u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0);
    let by = UserId::new("bench");

    let mut g = c.benchmark_group("create");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(1));
    let seq = AtomicU64::new(0);
    g.bench_function("1 writer", |b| {
        b.iter(|| {
            create(
                &fx.store,
                &fresh_order(seq.fetch_add(1, Ordering::Relaxed), run),
                &by,
            )
        })
    });
    g.bench_function("32 concurrent writers", |b| {
        b.iter_custom(|iters| {
            let per = iters.div_ceil(32);
            let start = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..32 {
                    s.spawn(|| {
                        for _ in 0..per {
                            create(
                                &fx.store,
                                &fresh_order(seq.fetch_add(1, Ordering::Relaxed), run),
                                &by,
                            );
                        }
                    });
                }
            });
            start.elapsed().mul_f64(iters as f64 / (per * 32) as f64)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("get by id");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Elements(1));
    let ids: Vec<OrderId> = (0..1000)
        .map(|i| OrderId::new(format!("ORD-{}", (i * 7919) % fx.count)))
        .collect();
    let k = AtomicU64::new(0);
    let pick = || &ids[(k.fetch_add(1, Ordering::Relaxed) % 1000) as usize];
    g.bench_function("1 reader", |b| {
        b.iter(|| std::hint::black_box(fx.store.get_order(pick()).expect("get")))
    });
    g.bench_function("4 concurrent readers", |b| {
        b.iter_custom(|iters| {
            let per = iters.div_ceil(4);
            let start = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..4 {
                    s.spawn(|| {
                        for _ in 0..per {
                            std::hint::black_box(fx.store.get_order(pick()).expect("get"));
                        }
                    });
                }
            });
            start.elapsed().mul_f64(iters as f64 / (per * 4) as f64)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("first page + total");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    for (name, q) in queries() {
        g.bench_function(name, |b| {
            b.iter(|| std::hint::black_box(fx.store.list_orders(&q).expect("list")))
        });
    }
    g.finish();
}

criterion_group!(central, benches);
criterion_main!(central);
