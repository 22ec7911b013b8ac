//! `create`: POST TMF622 v5 orders from concurrent clients. A create is answered 201 only after
//! the store committed it, so every 201 counted here is a durable create (as durable as the
//! store's WAL setting makes a commit: see BENCHMARKS.md). Anything but 201 is an error,
//! including a 200 (an idempotent replay would mean nothing was created).
//!
//! After the run it reads, from the server's own counts, how many orders were stored and how
//! far validation (background workers, after the 201) has got; [`crate::backlog`] waits for it.

use anyhow::Context;
use orderdesk_fixtures::Fixtures;
use reqwest::StatusCode;
use std::sync::Arc;

use crate::bodies::{run_id, CreateBodies};
use crate::cli::CreateArgs;
use crate::drive::{self, Load};
use crate::target::{outcome, Target, PRODUCT_ORDER};

/// The order states reported after a run, as the server counts them.
pub const STATES: &[&str] = &[
    "acknowledged",
    "inProgress.accepted",
    "inProgress",
    "held",
    "pending",
    "rejected",
    "completed",
    "partial",
    "failed",
    "cancelled",
];

pub async fn run(args: CreateArgs) -> anyhow::Result<()> {
    let fixtures = Fixtures::load(&args.fixtures)
        .with_context(|| format!("cannot load the fixtures in {}", args.fixtures.display()))?;
    let bodies = Arc::new(CreateBodies::new(&fixtures, &args.quotes, &run_id())?);
    let target = Target::new(&args.load.url, &args.load.token, args.load.clients)?;
    let before = target.count("").await?;

    let load = Load {
        clients: args.load.clients,
        budget: args.load.budget(),
        warmup: args.load.warmup(),
    };
    let (t, b) = (target.clone(), Arc::clone(&bodies));
    let (recorder, elapsed) = drive::run(load, move |n| {
        let request = t.post_json(PRODUCT_ORDER, b.body(n));
        async move { outcome(request.send().await, StatusCode::CREATED).await }
    })
    .await?;

    let name = args
        .load
        .label
        .clone()
        .unwrap_or_else(|| "create".to_owned());
    let mut summary = recorder.summary(&name, args.load.clients, elapsed);
    summary.note("quotes cycled", bodies.quotes().join(","));
    let after = target.count("").await?;
    summary.note(
        "orders stored during the run (warm-up included)",
        after.saturating_sub(before),
    );
    summary.note(
        "acknowledged at the end (validation backlog)",
        target.count("state=acknowledged").await?,
    );
    let mut states = Vec::new();
    for s in STATES {
        let n = target.count(&format!("state={s}")).await?;
        if n > 0 {
            states.push(format!("{s}={n}"));
        }
    }
    summary.note("order states now", states.join(" "));
    summary.print();
    Ok(())
}
