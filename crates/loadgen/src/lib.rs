//! The load generator behind BENCHMARKS.md's server figures: closed-loop HTTP clients driving a
//! running `orderdesk-server` (TMF622 v5 creates, GETs by id, filtered first pages), and a
//! bulk seeder that fills a *stopped* server's data directory through the store crate.
//!
//! This file wires; the modules do:
//! * [`cli`]: the command line;
//! * [`drive`]: N clients in a closed loop, bounded by a duration or a request count;
//! * [`report`]: latencies, percentiles, throughput and every error, printed;
//! * [`target`]: the server under test (loopback only), its client, paths and counts;
//! * [`bodies`]: v5 create bodies shaped like the fixture quotes, each with a unique
//!   `externalId`; [`create`], [`get`], [`list`]: the three HTTP runs; [`backlog`]: how fast
//!   the server's background validation catches up;
//! * [`population`]: a deterministic population of realistic orders; [`seed`]: into the store.
//!
//! What it deliberately does not do: talk to anything but loopback, hide an error (every
//! non-2xx answer and transport failure is counted and reported), or run without a bound.

pub mod backlog;
pub mod bodies;
pub mod cli;
pub mod create;
pub mod drive;
pub mod get;
pub mod list;
pub mod population;
pub mod report;
pub mod seed;
pub mod target;

use anyhow::Context;
use clap::Parser;

use crate::cli::{Cli, Command};

/// The `orderdesk-loadgen` binary: parse, run one command, exit non-zero when it failed.
pub fn run_cli() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Seed(args) => seed::run(&args),
        Command::Create(args) => runtime(args.load.threads)?.block_on(create::run(args)),
        Command::Get(args) => runtime(args.load.threads)?.block_on(get::run(args)),
        Command::List(args) => runtime(args.load.threads)?.block_on(list::run(args)),
        Command::Backlog(args) => runtime(1)?.block_on(backlog::run(args)),
    }
}

/// The client's runtime: `threads` workers (one by default, so the load generator takes at most
/// one of the machine's cores from the server it measures).
fn runtime(threads: usize) -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
