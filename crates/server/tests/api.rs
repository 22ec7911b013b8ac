//! The server's integration tests (one binary): a real server on 127.0.0.1:0 over a temp data
//! dir in demo mode, driven over HTTP. [`orders`]: every productOrder operation in v4 and v5,
//! the lifecycle, concurrency and idempotency; [`listing`]: TMF630 lists; [`cancel`]:
//! cancelProductOrder; [`hub`]: notifications to a listener, retries; [`hostile`]: malformed and
//! hostile input, auth; [`durability`]: restarts, and the binary killed during a burst;
//! [`openapi`]: the served document against the live router.

// clippy.toml allows these inside `#[test]` functions only; the helpers of this test binary fail
// the test the same way on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "api/cancel.rs"]
mod cancel;
#[path = "api/desk.rs"]
mod desk;
#[path = "api/durability.rs"]
mod durability;
#[path = "api/hostile.rs"]
mod hostile;
#[path = "api/hub.rs"]
mod hub;
#[path = "api/listing.rs"]
mod listing;
#[path = "api/me.rs"]
mod me;
#[path = "api/openapi.rs"]
mod openapi;
#[path = "api/orders.rs"]
mod orders;
#[path = "api/progress.rs"]
mod progress;
#[path = "api/support.rs"]
mod support;
