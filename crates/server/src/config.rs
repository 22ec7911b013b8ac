//! The server's configuration: the command line of `orderdesk-server`, and the same struct built
//! in code by tests.

use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;

/// `orderdesk-server`: the central TMF622 product ordering server.
#[derive(Debug, Clone, Parser)]
#[command(name = "orderdesk-server", version, about)]
pub struct Config {
    /// Where to listen, `HOST:PORT`; port 0 picks a free port (the `listening on` line says
    /// which).
    #[arg(long, default_value = "127.0.0.1:8622")]
    pub addr: String,

    /// The directory holding the database; created when missing. Restarting on the same
    /// directory keeps every order.
    #[arg(long, default_value = "orderdesk-data")]
    pub data_dir: PathBuf,

    /// Load the demo reference data and users from `--fixtures` into an empty database, and
    /// start the SOM simulator in-process when no `--som-url` is given.
    #[arg(long)]
    pub demo: bool,

    /// The fixtures directory `--demo` loads from.
    #[arg(long, default_value_os_t = orderdesk_fixtures::Fixtures::default_dir())]
    pub fixtures: PathBuf,

    /// The TMF641 service ordering API of the SOM (e.g.
    /// `http://127.0.0.1:8641/tmf-api/serviceOrdering/v5`). Without it, accepted orders wait in
    /// `inProgress.accepted` (unless `--demo` starts the simulator).
    #[arg(long)]
    pub som_url: Option<String>,

    /// How long the demo SOM simulator takes per service order item state, in milliseconds
    /// (`--demo` without `--som-url`).
    #[arg(long, default_value_t = 1_500)]
    pub som_step_ms: u64,

    /// The base URL clients reach the server at, for `href` and `Location` (default: the bound
    /// address, `http://HOST:PORT`).
    #[arg(long)]
    pub public_url: Option<String>,

    /// The largest request body accepted, in bytes (413 above).
    #[arg(long, default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// First retry delay of a failed hub notification, in milliseconds; it doubles per attempt
    /// up to `--hub-retry-max-ms`.
    #[arg(long, default_value_t = 1_000)]
    pub hub_retry_initial_ms: u64,

    /// The longest delay between two attempts of one hub notification, in milliseconds.
    #[arg(long, default_value_t = 5 * 60 * 1_000)]
    pub hub_retry_max_ms: u64,

    /// How often the hub notifier looks for due deliveries when nothing wakes it, in
    /// milliseconds.
    #[arg(long, default_value_t = 500)]
    pub hub_poll_ms: u64,
}

impl Config {
    /// A configuration for `data_dir` with every default (port 0 on 127.0.0.1, no demo data).
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        let mut config = Self::parse_from(["orderdesk-server"]);
        config.addr = "127.0.0.1:0".to_owned();
        config.data_dir = data_dir.into();
        config
    }

    pub fn hub_retry_initial(&self) -> Duration {
        Duration::from_millis(self.hub_retry_initial_ms.max(1))
    }

    pub fn hub_retry_max(&self) -> Duration {
        Duration::from_millis(self.hub_retry_max_ms.max(self.hub_retry_initial_ms).max(1))
    }

    pub fn som_step(&self) -> Duration {
        Duration::from_millis(self.som_step_ms.max(1))
    }

    pub fn hub_poll(&self) -> Duration {
        Duration::from_millis(self.hub_poll_ms.max(10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_reads() {
        let c = Config::parse_from([
            "orderdesk-server",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
            "/tmp/x",
            "--demo",
            "--som-url",
            "http://127.0.0.1:9/tmf-api/serviceOrdering/v5",
        ]);
        assert_eq!(c.addr, "127.0.0.1:0");
        assert!(c.demo);
        assert_eq!(c.data_dir, PathBuf::from("/tmp/x"));
        assert!(c.som_url.is_some());
        assert!(c.fixtures.ends_with("fixtures"));
    }

    #[test]
    fn defaults_for_tests() {
        let c = Config::new("/tmp/y");
        assert_eq!(c.addr, "127.0.0.1:0");
        assert!(!c.demo);
        assert_eq!(c.max_body_bytes, 1024 * 1024);
        assert!(c.hub_retry_max() >= c.hub_retry_initial());
    }
}
