//! The TMF wire model's integration tests (one binary): every example of the official TMF622
//! specifications parses ([`spec_examples`]), golden payloads in and out ([`golden`]), what the
//! project serialises validates against the official JSON schemas ([`schema`]), round trips
//! ([`round_trip`]), hostile input ([`hostile`]), the TMF641 subset ([`tmf641`]), and the direct
//! parse answering what the parse through `Value` answers ([`direct`]).

// clippy.toml allows these inside `#[test]` functions only; the helpers of this test binary
// (fixtures, golden files, generators) fail the test the same way on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "wire/direct.rs"]
mod direct;
#[path = "wire/golden.rs"]
mod golden;
#[path = "wire/hostile.rs"]
mod hostile;
#[path = "wire/round_trip.rs"]
mod round_trip;
#[path = "wire/schema.rs"]
mod schema;
#[path = "wire/spec_examples.rs"]
mod spec_examples;
#[path = "wire/support.rs"]
mod support;
#[path = "wire/tmf641.rs"]
mod tmf641;
