//! `get`: GET productOrder/{id} from concurrent clients over a fixed set of ids, spread
//! pseudo-randomly. The ids are listed from the server first (newest first); a server with no
//! orders gets some created first, so the run always reads real, stored orders.

use std::sync::Arc;

use anyhow::{bail, Context};
use orderdesk_fixtures::Fixtures;
use reqwest::StatusCode;
use serde_json::Value;

use crate::bodies::{run_id, CreateBodies};
use crate::cli::GetArgs;
use crate::drive::{self, Budget, Load};
use crate::population::mix;
use crate::target::{outcome, Target, PRODUCT_ORDER};

/// The largest page the server serves.
const PAGE: usize = 1000;

/// Up to `want` order ids, newest first.
async fn list_ids(target: &Target, want: usize) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::with_capacity(want);
    while ids.len() < want {
        let limit = PAGE.min(want - ids.len());
        let path = format!(
            "{PRODUCT_ORDER}?fields=id&sort=-orderDate&limit={limit}&offset={}",
            ids.len()
        );
        let response = target
            .get(&path)
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!("GET {path}: {status}: {text}");
        }
        let page: Vec<Value> =
            serde_json::from_str(&text).with_context(|| format!("GET {path}"))?;
        let n = page.len();
        ids.extend(
            page.iter()
                .filter_map(|o| o["id"].as_str().map(str::to_owned)),
        );
        if n < limit {
            break;
        }
    }
    Ok(ids)
}

pub async fn run(args: GetArgs) -> anyhow::Result<()> {
    let target = Target::new(&args.load.url, &args.load.token, args.load.clients)?;
    let mut ids = list_ids(&target, args.ids).await?;
    if ids.is_empty() {
        let fixtures = Fixtures::load(&args.fixtures)
            .with_context(|| format!("cannot load the fixtures in {}", args.fixtures.display()))?;
        let bodies = Arc::new(CreateBodies::new(&fixtures, &[], &run_id())?);
        let (t, b) = (target.clone(), Arc::clone(&bodies));
        let load = Load {
            clients: args.load.clients,
            budget: Budget::Requests(args.ids as u64),
            warmup: std::time::Duration::ZERO,
        };
        let (made, _) = drive::run(load, move |n| {
            let request = t.post_json(PRODUCT_ORDER, b.body(n));
            async move { outcome(request.send().await, StatusCode::CREATED).await }
        })
        .await?;
        if made.errors() > 0 {
            made.summary(
                "create (ids for get)",
                args.load.clients,
                Default::default(),
            )
            .print();
            bail!("could not create the orders to read");
        }
        ids = list_ids(&target, args.ids).await?;
    }
    if ids.is_empty() {
        bail!("the server lists no orders to read");
    }
    let ids: Arc<Vec<String>> = Arc::new(ids);
    let load = Load {
        clients: args.load.clients,
        budget: args.load.budget(),
        warmup: args.load.warmup(),
    };
    let (t, chosen) = (target.clone(), Arc::clone(&ids));
    let (recorder, elapsed) = drive::run(load, move |n| {
        let id = &chosen[(mix(n) % chosen.len() as u64) as usize];
        let request = t.get(&format!("{PRODUCT_ORDER}/{id}"));
        async move { outcome(request.send().await, StatusCode::OK).await }
    })
    .await?;
    let name = args.load.label.clone().unwrap_or_else(|| "get".to_owned());
    let mut summary = recorder.summary(&name, args.load.clients, elapsed);
    summary.note("distinct ids read", ids.len());
    summary.print();
    Ok(())
}
