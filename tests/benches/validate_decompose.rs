//! Validation + decomposition of a 5-item new-provide order against the demo catalog: the work
//! the server does for every order it accepts. Target: ≥ 50,000 orders/s on one core.
//!
//! `cargo bench -p orderdesk-scenarios --bench validate_decompose`

// Test code: a broken expectation stops the run with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use orderdesk_domain::decomposition::decompose;
use orderdesk_domain::ids::SequentialIds;
use orderdesk_domain::lifecycle::{apply, OrderCommand};
use orderdesk_domain::order::ItemRelationship;
use orderdesk_domain::validation::Decision;
use orderdesk_domain::{ItemId, OrderId, ProductOrder};
use orderdesk_scenarios::DemoWorld;
use std::hint::black_box;

/// The business fibre order (fibre, router, static IP, WiFi app, linked by `reliesOn`) plus a
/// SIM-only mobile line: five new products, one customer.
fn five_item_order(world: &DemoWorld) -> ProductOrder {
    let base = world
        .fixtures
        .quote_for_scenario("multi-product-dependencies")
        .unwrap()
        .id
        .clone();
    let mobile = world
        .fixtures
        .quote_for_scenario("mobile-sim-only")
        .unwrap()
        .id
        .clone();
    let mut order = world
        .fixtures
        .order_from_quote(&base, OrderId::new("BENCH-1"), world.now)
        .unwrap();
    let extra = world
        .fixtures
        .order_from_quote(&mobile, OrderId::new("BENCH-2"), world.now)
        .unwrap();
    let mut sim = extra.items[0].clone();
    sim.id = ItemId::new("5");
    sim.relationships = Vec::<ItemRelationship>::new();
    order.items.push(sim);
    order.check_shape().unwrap();
    apply(&order, &OrderCommand::Submit, world.now).unwrap()
}

fn bench(c: &mut Criterion) {
    let world = DemoWorld::load().unwrap();
    let order = five_item_order(&world);
    assert_eq!(order.items.len(), 5);
    let verdict = world.validate(&order);
    assert!(
        matches!(verdict.decision, Decision::Accept),
        "the benchmark order must be acceptable: {:?}",
        verdict.decision
    );
    let ctx = world.decomposition_context();

    let mut group = c.benchmark_group("order");
    group.throughput(Throughput::Elements(1));
    group.bench_function("validate_5_items", |b| {
        b.iter(|| world.validate(black_box(&order)))
    });
    group.bench_function("decompose_5_items", |b| {
        let mut ids = SequentialIds::new("b");
        b.iter(|| decompose(black_box(&order), &ctx, &mut ids))
    });
    group.bench_function("validate_and_decompose_5_items", |b| {
        let mut ids = SequentialIds::new("b");
        b.iter(|| {
            let verdict = world.validate(black_box(&order));
            let decomposition = decompose(&order, &ctx, &mut ids);
            (verdict, decomposition)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
