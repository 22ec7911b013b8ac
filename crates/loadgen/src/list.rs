//! `list`: GET the same filtered first page of productOrder from concurrent clients. The page
//! must not be empty (a filter that matches nothing measures nothing); the report gives the
//! page size and the server's `X-Total-Count`.

use anyhow::{bail, Context};
use reqwest::StatusCode;

use crate::cli::ListArgs;
use crate::drive::{self, Load};
use crate::target::{outcome, Target, PRODUCT_ORDER};

pub async fn run(args: ListArgs) -> anyhow::Result<()> {
    let target = Target::new(&args.load.url, &args.load.token, args.load.clients)?;
    let query = args.query.trim_start_matches('?').to_owned();
    let path = format!("{PRODUCT_ORDER}?{query}");

    let probe = target
        .get(&path)
        .send()
        .await
        .with_context(|| format!("GET {path}"))?;
    let status = probe.status();
    let header = |name: &str| {
        probe
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("?")
            .to_owned()
    };
    let (total, count) = (header("X-Total-Count"), header("X-Result-Count"));
    let body = probe.bytes().await.unwrap_or_default();
    if status != StatusCode::OK {
        bail!("GET {path}: {status}: {}", String::from_utf8_lossy(&body));
    }
    if count == "0" {
        bail!("GET {path} matches no order: there is nothing to measure");
    }

    let load = Load {
        clients: args.load.clients,
        budget: args.load.budget(),
        warmup: args.load.warmup(),
    };
    let t = target.clone();
    let (recorder, elapsed) = drive::run(load, move |_| {
        let request = t.get(&path);
        async move { outcome(request.send().await, StatusCode::OK).await }
    })
    .await?;
    let name = args
        .load
        .label
        .clone()
        .unwrap_or_else(|| format!("list {query}"));
    let mut summary = recorder.summary(&name, args.load.clients, elapsed);
    summary.note("query", &query);
    summary.note("X-Total-Count", total);
    summary.note("X-Result-Count", count);
    summary.note("page bytes", body.len());
    summary.print();
    Ok(())
}
