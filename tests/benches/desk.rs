//! The desktop core's load harness (BENCHMARKS.md, "Desktop core"): the desk library without a
//! window, against the real `orderdesk-server` binary on 127.0.0.1 with a temp data dir.
//!
//! ```sh
//! cargo bench -p orderdesk-scenarios --bench desk
//! ```
//!
//! 1. **Offline capture, then the drain.** An agent signs in once, the server is killed, and
//!    `ORDERDESK_BENCH_DRAIN_ORDERS` (default 10,000; 0 skips this part) orders are captured through
//!    `Desk::submit` (local validation + local store + outbox, each timed). The server starts
//!    again on the same data dir and port (`--demo`: validation, decomposition and the SOM
//!    simulator run as in `scripts/run.sh`); the sync engine starts, and the drain is timed until
//!    the outbox is empty and the server lists every order.
//! 2. **The core over 100,000 local orders.** A second profile is seeded with
//!    `ORDERDESK_BENCH_LOCAL_ORDERS` (default 100,000) synthetic synced orders (the store's
//!    testkit), then a child process (this binary, `--rss-child`) opens the desk over it, pages
//!    through every order, reads the held queue and searches (timed), captures 200 + 1,800
//!    orders (timed), and reports its own `VmRSS` / `VmHWM` from `/proc/self/status`: the resident memory
//!    of a process that is the desk core and nothing else.
//!
//! Percentiles are of single operations, nearest rank. Nothing here asserts a time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use orderdesk_desk::clock::{Clock, OffsetClock, UuidIds};
use orderdesk_desk::orders::OrderFilter;
use orderdesk_desk::queue::QueueFilter;
use orderdesk_desk::{Desk, DeskConfig};
use orderdesk_domain::desk::QueueKind;
use orderdesk_domain::order::ExternalId;
use orderdesk_fixtures::{ExpectedDecision, Fixtures};
use orderdesk_scenarios::server_process::ServerProcess;

const AGENT: &str = "demo-agent-1";
/// The back office works the held queue (an agent may not read it).
const BACKOFFICE: &str = "demo-backoffice-1";
const SUPERVISOR: &str = "demo-supervisor-1";
const V5: &str = "/tmf-api/productOrderingManagement/v5/productOrder";

fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(OffsetClock::starting_at(
        Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap(),
    ))
}

async fn open(data: &Path, url: &str, token: &str, start_sync: bool) -> Desk {
    let mut config = DeskConfig::new(data, url, token);
    config.start_sync = start_sync;
    config.reference_refresh = None;
    Desk::open(config, clock(), Box::new(UuidIds))
        .await
        .unwrap()
}

fn percentiles(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    format!(
        "p50 {:.2?}  p99 {:.2?}  max {:.2?}  (n = {})",
        at(0.5),
        at(0.99),
        at(1.0),
        times.len()
    )
}

fn machine_load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// This process's resident memory from `/proc/self/status`, in MiB: `VmRSS` (of it, `RssAnon`
/// the heap and stacks, `RssFile` file pages mapped in: SQLite's memory-mapped database, shared
/// with the page cache and given back under pressure) and the peak `VmHWM`.
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    format!(
        "VmRSS {:.1} MiB (RssAnon {:.1}, RssFile {:.1}; peak VmHWM {:.1})",
        kib("VmRSS:") / 1024.0,
        kib("RssAnon:") / 1024.0,
        kib("RssFile:") / 1024.0,
        kib("VmHWM:") / 1024.0
    )
}

/// Quotes the demo data accepts (captures cycle through them).
fn accepted_quotes() -> Vec<String> {
    let fixtures = Fixtures::load_default().unwrap();
    fixtures
        .scenarios()
        .iter()
        .filter(|s| s.expect.decision == ExpectedDecision::Accept)
        .map(|s| s.quote.clone())
        .collect()
}

/// Captures `n` orders through `Desk::submit`, each with an external id of its own; returns
/// the submit times. A quote the desk refuses (a per-customer cap reached) leaves the rotation.
async fn capture(desk: &Desk, n: u64, tag: &str) -> Vec<Duration> {
    let mut quotes = accepted_quotes();
    let mut times = Vec::new();
    let mut i = 0u64;
    while (times.len() as u64) < n {
        assert!(!quotes.is_empty(), "every demo quote is refused by now");
        let at = usize::try_from(i).unwrap() % quotes.len();
        let mut draft = desk.draft_from_quote(&quotes[at]).unwrap();
        draft.external_ids = vec![ExternalId {
            owner: None,
            kind: None,
            id: format!("{tag}-{i}"),
        }];
        i += 1;
        let started = Instant::now();
        match desk.submit(&draft).await {
            Ok(_) => times.push(started.elapsed()),
            Err(e) if e.code() == "draftRejected" => {
                quotes.remove(at);
            }
            Err(e) => panic!("capture failed: {e}"),
        }
    }
    times
}

async fn server_total(http: &reqwest::Client, url: &str) -> Option<u64> {
    let resp = http
        .get(format!("{url}{V5}?limit=1&fields=id"))
        .bearer_auth(SUPERVISOR)
        .send()
        .await
        .ok()?;
    resp.headers()
        .get("x-total-count")?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

async fn drain(dir: &Path) {
    let orders = env_count("ORDERDESK_BENCH_DRAIN_ORDERS", 10_000);
    let data = tempfile::tempdir().unwrap();
    let server = ServerProcess::start("127.0.0.1:0", dir, &[], Duration::from_secs(120)).unwrap();
    let (url, port) = (server.url().to_owned(), server.port());
    open(data.path(), &url, AGENT, false).await.close().await;
    server.kill().unwrap();

    println!("load average before capture: {}", machine_load());
    let desk = open(data.path(), &url, AGENT, false).await;
    let started = Instant::now();
    let times = capture(&desk, orders, "drain").await;
    println!(
        "offline capture (Desk::submit: validate + store + outbox), growing to {orders} local orders: {}  total {:.1?}",
        percentiles(times),
        started.elapsed()
    );

    let server = ServerProcess::start(
        &format!("127.0.0.1:{port}"),
        dir,
        &[],
        Duration::from_secs(60),
    )
    .unwrap();
    let http = reqwest::Client::new();
    let baseline = server_total(&http, &url).await.unwrap();
    println!("load average before the drain: {}", machine_load());
    let started = Instant::now();
    desk.start_sync().await;
    let mut outbox_empty = None;
    let deadline = started + Duration::from_secs(600);
    loop {
        let counts = desk.store().outbox_counts().unwrap();
        if counts.pending == 0 && outbox_empty.is_none() {
            outbox_empty = Some(started.elapsed());
        }
        let total = server_total(&http, &url).await.unwrap_or(0);
        if outbox_empty.is_some() && total >= baseline + orders {
            let all = started.elapsed();
            println!(
                "drain of {orders} orders: outbox empty after {:.2?}, server lists all {} after {all:.2?} ({:.0} orders/s); refused {}",
                outbox_empty.unwrap_or(all),
                total - baseline,
                orders as f64 / all.as_secs_f64(),
                counts.failed
            );
            break;
        }
        if Instant::now() > deadline {
            println!(
                "drain of {orders} orders NOT finished after 600 s: {} pending, server has {}",
                counts.pending,
                total - baseline
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("load average after the drain: {}", machine_load());
    desk.close().await;
    drop(server);
}

async fn core_over_many(dir: &Path) {
    let count = env_count("ORDERDESK_BENCH_LOCAL_ORDERS", 100_000);
    let data = tempfile::tempdir().unwrap();
    let server = ServerProcess::start("127.0.0.1:0", dir, &[], Duration::from_secs(60)).unwrap();
    let url = server.url().to_owned();
    let desk = open(data.path(), &url, BACKOFFICE, false).await;
    let database = desk.profile().database();
    desk.close().await;
    drop(desk);
    let store = orderdesk_store::local::LocalStore::open(&database).unwrap();
    let started = Instant::now();
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
    orderdesk_store::local::testkit::seed_orders(&store, 0, count, (count / 4).max(1), now, 10_000)
        .unwrap();
    drop(store);
    println!("seeded {count} local orders in {:.1?}", started.elapsed());

    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--rss-child")
        .arg(data.path())
        .arg(&url)
        .output()
        .unwrap();
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        println!(
            "the desk-core child failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    drop(server);
}

/// The child of [`core_over_many`]: a process that is the desk core alone.
async fn rss_child(data: PathBuf, url: String) {
    println!("desk core process at start: {}", memory());
    let desk = open(&data, &url, BACKOFFICE, false).await;
    let mut pages = Vec::new();
    let mut seen = 0u64;
    let mut offset = 0u64;
    loop {
        let started = Instant::now();
        let page = desk
            .list_orders(&OrderFilter {
                offset,
                limit: 500,
                ..OrderFilter::default()
            })
            .unwrap();
        pages.push(started.elapsed());
        seen += page.items.len() as u64;
        offset += 500;
        if page.items.is_empty() || offset >= page.total {
            break;
        }
    }
    println!(
        "order list, pages of 500 through {seen} local orders: {}",
        percentiles(pages)
    );
    let held = QueueFilter {
        kind: Some(QueueKind::Held),
        limit: 50,
        ..QueueFilter::default()
    };
    let times: Vec<Duration> = (0..500)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(desk.list_queue(&held).unwrap());
            started.elapsed()
        })
        .collect();
    let total = desk.list_queue(&held).unwrap().total;
    println!(
        "held queue first page through the desk ({total} held among {seen}): {}",
        percentiles(times)
    );
    let times: Vec<Duration> = (0..100)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(desk.search_orders("kerkstraat 12", 20).unwrap());
            started.elapsed()
        })
        .collect();
    println!(
        "search \"kerkstraat 12\" through the desk: {}",
        percentiles(times)
    );
    println!("desk core after loading {seen} local orders: {}", memory());
    // A customer's own history is what local validation reads (duplicates, velocity): the
    // first 200 captures leave each demo customer a few dozen orders, as at a real desk; the
    // next 1,800 pile hundreds onto the same few customers.
    let times = capture(&desk, 200, "rss-a").await;
    println!(
        "capture (Desk::submit: validate + store + outbox) on top of {seen} local orders, first 200: {}",
        percentiles(times)
    );
    let times = capture(&desk, 1_800, "rss-b").await;
    println!(
        "capture on top of {seen} local orders, the next 1,800 (hundreds per demo customer): {}",
        percentiles(times)
    );
    println!("desk core after 2,000 captures: {}", memory());
    desk.close().await;
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Some(i) = args.iter().position(|a| a == "--rss-child") {
        let data = PathBuf::from(&args[i + 1]);
        let url = args[i + 2].clone();
        return runtime.block_on(rss_child(data, url));
    }
    // `cargo test --benches` runs benches as tests: nothing to measure then.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    println!(
        "machine: {} cores, load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        machine_load()
    );
    let dir = tempfile::tempdir().unwrap();
    if env_count("ORDERDESK_BENCH_DRAIN_ORDERS", 10_000) > 0 {
        runtime.block_on(drain(&dir.path().join("drain")));
    }
    runtime.block_on(core_over_many(&dir.path().join("many")));
}
