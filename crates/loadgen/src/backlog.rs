//! `backlog`: the server validates created orders in background workers after answering 201.
//! This waits (bounded) for the orders still `acknowledged` to be validated, and reports how
//! many were validated per second meanwhile, and where the orders' states stand.

use std::time::{Duration, Instant};

use crate::cli::BacklogArgs;
use crate::create::STATES;
use crate::report::Recorder;
use crate::target::Target;

/// How often the backlog is read.
const POLL: Duration = Duration::from_millis(500);

pub async fn run(args: BacklogArgs) -> anyhow::Result<()> {
    let target = Target::new(&args.url, &args.token, 1)?;
    let started = Instant::now();
    let limit = Duration::from_secs(args.wait_secs);
    let first = target.count("state=acknowledged").await?;
    let mut left = first;
    while left > 0 && started.elapsed() < limit {
        tokio::time::sleep(POLL).await;
        left = target.count("state=acknowledged").await?;
    }
    let waited = started.elapsed();
    let validated = first.saturating_sub(left);

    let name = args
        .label
        .clone()
        .unwrap_or_else(|| "validation backlog".to_owned());
    let mut summary = Recorder::default().summary(&name, 0, waited);
    summary.timed = false;
    summary.ok = validated;
    summary.ok_per_sec = validated as f64 / waited.as_secs_f64().max(1e-9);
    summary.note("acknowledged at the start", first);
    summary.note("acknowledged at the end", left);
    summary.note(
        "drained",
        if left == 0 {
            format!("yes, in {:.1} s", waited.as_secs_f64())
        } else {
            format!("no: gave up after {:.1} s", waited.as_secs_f64())
        },
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
