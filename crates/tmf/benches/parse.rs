//! Parsing a TMF622 v5 create body (what the server does first on every create): straight from
//! the bytes (`from_slice`), and through a `serde_json::Value` (`from_value` after a parse to
//! `Value`, the way `from_slice` used to work).
//!
//! The bodies are the load generator's (`crates/loadgen/src/bodies.rs`) for two fixture quotes:
//! `QT-GPON-HAPPY` (one item, 1.4 KB, the common shape) and `QT-BUNDLE-TRIPLE` (a bundle of
//! four items, 3.4 KB).

#![allow(clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use orderdesk_tmf::{from_slice, from_value, v5};
use serde_json::Value;
use std::hint::black_box;

const BODIES: &[(&str, &str)] = &[
    ("gpon", include_str!("v5_create_gpon.json")),
    ("bundle", include_str!("v5_create_bundle.json")),
];

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("v5_create_body");
    for (name, body) in BODIES {
        let bytes = body.as_bytes();
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("from_slice", name), bytes, |b, bytes| {
            b.iter(|| {
                from_slice::<v5::ProductOrderFvo>(black_box(bytes)).expect("the body parses")
            });
        });
        group.bench_with_input(
            BenchmarkId::new("through_value", name),
            bytes,
            |b, bytes| {
                b.iter(|| {
                    let value: Value = serde_json::from_slice(black_box(bytes)).expect("JSON");
                    from_value::<v5::ProductOrderFvo>(value).expect("the body parses")
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
