//! The command line of `orderdesk-loadgen`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::drive::Budget;

/// `orderdesk-loadgen`: benchmark a running `orderdesk-server` over loopback, or seed a stopped
/// one's data directory.
#[derive(Debug, Parser)]
#[command(name = "orderdesk-loadgen", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// POST TMF622 v5 create bodies (fixture quote shapes, unique externalIds): durable creates.
    Create(CreateArgs),
    /// GET productOrder/{id} over ids listed from the server (created first if there are none).
    Get(GetArgs),
    /// GET a filtered first page of productOrder, e.g. `state=held&sort=-orderDate&limit=20`.
    List(ListArgs),
    /// Wait for the server's validation backlog (orders still `acknowledged`) to drain, and
    /// report how fast it drained.
    Backlog(BacklogArgs),
    /// Fill a STOPPED server's data directory with realistic orders, straight into the store.
    Seed(SeedArgs),
}

/// What every HTTP run shares: the server, the user, and the load's shape and bound.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The server's root URL, e.g. `http://127.0.0.1:8622` (loopback only).
    #[arg(long)]
    pub url: String,

    /// A bearer token of `fixtures/users.json`.
    #[arg(long, default_value = "demo-integration-web")]
    pub token: String,

    /// Concurrent clients, each one request at a time (closed loop).
    #[arg(long, default_value_t = 32)]
    pub clients: usize,

    /// Measure for this many seconds...
    #[arg(long, conflicts_with = "requests")]
    pub duration_secs: Option<u64>,

    /// ...or for this many requests in all.
    #[arg(long)]
    pub requests: Option<u64>,

    /// Run this many seconds first, unmeasured (connections, caches).
    #[arg(long, default_value_t = 2)]
    pub warmup_secs: u64,

    /// Worker threads of the client (it shares the machine with the server it measures).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,

    /// A name for the run in the report (default: the command).
    #[arg(long)]
    pub label: Option<String>,
}

impl LoadArgs {
    /// The measured phase's bound: `--requests`, else `--duration-secs`, else 10 s.
    pub fn budget(&self) -> Budget {
        match (self.requests, self.duration_secs) {
            (Some(n), _) => Budget::Requests(n),
            (None, Some(s)) => Budget::For(Duration::from_secs(s)),
            (None, None) => Budget::For(Duration::from_secs(10)),
        }
    }

    pub fn warmup(&self) -> Duration {
        Duration::from_secs(self.warmup_secs)
    }
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub load: LoadArgs,

    /// Only these fixture quotes (repeatable); default: every quote of the fixtures, in turn,
    /// so the orders are accepted, held and rejected as the demo's scenarios are.
    #[arg(long = "quote")]
    pub quotes: Vec<String>,

    /// The fixtures directory the quotes are read from.
    #[arg(long, default_value_os_t = orderdesk_fixtures::Fixtures::default_dir())]
    pub fixtures: PathBuf,
}

#[derive(Debug, Args)]
pub struct BacklogArgs {
    /// The server's root URL (loopback only).
    #[arg(long)]
    pub url: String,

    #[arg(long, default_value = "demo-integration-web")]
    pub token: String,

    /// Wait at most this many seconds.
    #[arg(long, default_value_t = 60)]
    pub wait_secs: u64,

    /// A name for the run in the report.
    #[arg(long)]
    pub label: Option<String>,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    #[command(flatten)]
    pub load: LoadArgs,

    /// How many distinct order ids to read, listed from the server before the run.
    #[arg(long, default_value_t = 10_000)]
    pub ids: usize,

    /// The fixtures directory (only used to create orders when the server has none).
    #[arg(long, default_value_os_t = orderdesk_fixtures::Fixtures::default_dir())]
    pub fixtures: PathBuf,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub load: LoadArgs,

    /// The TMF630 query string of the list, without `?`.
    #[arg(long, default_value = "state=held&sort=-orderDate&limit=20")]
    pub query: String,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The data directory of a STOPPED server (start it once with `--demo` first, so that the
    /// demo users and reference data are there: `--demo` loads into an empty database only).
    #[arg(long)]
    pub data_dir: PathBuf,

    /// How many orders the database should hold when done (orders already seeded count).
    #[arg(long, default_value_t = 1_000_000)]
    pub orders: u64,

    /// Distinct customers (default: one per four orders).
    #[arg(long)]
    pub customers: Option<u64>,

    /// Orders per write transaction.
    #[arg(long, default_value_t = 10_000)]
    pub batch: usize,

    /// The fixtures directory whose quotes shape the orders.
    #[arg(long, default_value_os_t = orderdesk_fixtures::Fixtures::default_dir())]
    pub fixtures: PathBuf,
}
