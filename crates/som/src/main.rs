//! `orderdesk-som`: the SOM simulator as a process. Prints exactly one line,
//! `listening on http://HOST:PORT`, on stdout once it accepts connections; logs go to stderr
//! (`RUST_LOG`, default `info`). Stops on Ctrl-C.

use anyhow::Context;
use clap::Parser;
use orderdesk_som::{FailureRules, SomConfig};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;
use tracing_subscriber::EnvFilter;

/// A TMF641 Service Ordering simulator for demos and tests.
#[derive(Debug, Parser)]
#[command(name = "orderdesk-som", version)]
struct Cli {
    /// Address to listen on (`HOST:PORT`; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8641")]
    addr: String,
    /// Failure rules (`fixtures/som.json` format). Without it, every item completes.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// How long each item state lasts, in milliseconds.
    #[arg(long, default_value_t = 1500)]
    step_ms: u64,
    /// Public base URL for `href`s (default: `http://` + the bound address).
    #[arg(long)]
    public_url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    let rules = match &cli.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the rules file {}", path.display()))?;
            FailureRules::parse(&text)
                .with_context(|| format!("in the rules file {}", path.display()))?
        }
        None => FailureRules::none(),
    };
    let config = SomConfig {
        public_url: cli.public_url.clone(),
        ..SomConfig::new(rules).with_step(Duration::from_millis(cli.step_ms))
    };
    let listener = tokio::net::TcpListener::bind(&cli.addr)
        .await
        .with_context(|| format!("binding {}", cli.addr))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    tracing::info!(
        %addr,
        step_ms = cli.step_ms,
        rules = config.rules.failures.len(),
        "SOM simulator ready"
    );
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{addr}").context("writing to stdout")?;
        out.flush().context("flushing stdout")?;
    }
    orderdesk_som::serve_until(listener, config, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("serving")
}
