//! `seed-local-profile`: writes a desktop profile holding many synced local orders, for the
//! desktop app's launch and memory benchmark (scripts/bench-app.sh, BENCHMARKS.md).
//!
//! ```text
//! seed-local-profile --data-dir DIR --server-url URL [--user U-AGENT-1] [--orders 100000]
//! ```
//!
//! The profile is the one the app opens when that user signs in to that server with
//! `ORDERDESK_DATA_DIR=DIR` (`orderdesk_desk::session::Profile::of`); its database gets the local
//! store's synthetic orders (`orderdesk_store::local::testkit::seed_orders`, as the local store's
//! bench seeds them: synced, with their held and pending queue entries, one customer per four
//! orders). Prints the database path. Refuses a profile that already has a database.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::Utc;
use orderdesk_desk::session::Profile;
use orderdesk_domain::UserId;
use orderdesk_store::local::testkit::seed_orders;
use orderdesk_store::local::LocalStore;

struct Args {
    data_dir: PathBuf,
    server_url: String,
    user: String,
    orders: u64,
}

const USAGE: &str =
    "usage: seed-local-profile --data-dir DIR --server-url URL [--user U-AGENT-1] [--orders 100000]";

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut data_dir = None;
    let mut server_url = None;
    let mut user = "U-AGENT-1".to_owned();
    let mut orders = 100_000;
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--data-dir" => data_dir = Some(PathBuf::from(value()?)),
            "--server-url" => server_url = Some(value()?),
            "--user" => user = value()?,
            "--orders" => {
                let v = value()?;
                orders = v
                    .parse()
                    .map_err(|_| format!("--orders: not a number: {v}"))?;
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(Args {
        data_dir: data_dir.ok_or_else(|| format!("--data-dir is required\n{USAGE}"))?,
        server_url: server_url.ok_or_else(|| format!("--server-url is required\n{USAGE}"))?,
        user,
        orders,
    })
}

fn run(args: &Args) -> Result<(), String> {
    let profile = Profile::of(&args.data_dir, &args.server_url, &UserId::new(&args.user));
    let database = profile.database();
    if database.exists() {
        return Err(format!(
            "{} exists already: seed a fresh data dir",
            database.display()
        ));
    }
    std::fs::create_dir_all(profile.dir())
        .map_err(|e| format!("creating {}: {e}", profile.dir().display()))?;
    let store = LocalStore::open(&database).map_err(|e| format!("opening the store: {e}"))?;
    let started = Instant::now();
    let written = seed_orders(
        &store,
        0,
        args.orders,
        (args.orders / 4).max(1),
        Utc::now(),
        10_000,
    )
    .map_err(|e| format!("seeding: {e}"))?;
    eprintln!(
        "seeded {written} local orders for {} in {:.1}s",
        args.user,
        started.elapsed().as_secs_f64()
    );
    println!("{}", database.display());
    Ok(())
}

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)).and_then(|args| run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("seed-local-profile: {message}");
            ExitCode::FAILURE
        }
    }
}
