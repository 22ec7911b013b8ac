//! The SOM simulator: a TMF641 Service Ordering service standing in for service order
//! management, so the central server can submit decomposed service orders over HTTP and hear
//! their progress, and demos and tests can show completed, partial and failed orders. A real
//! SOM replaces it by URL: the server only knows the base URL.
//!
//! What it does: it accepts service orders ([`admission`]), works their items
//! `acknowledged` → `inProgress` → `completed`, one [`SomConfig::step`] per state, respecting
//! `dependency` relationships and running independent items together ([`progression`]); fails
//! items the [`rules`] say fail (deterministically: same order and rules, same outcome); raises
//! a `pointOfNoReturn` milestone when a flagged item starts; cancels what is not past its
//! point of no return; and notifies every hub subscriber of every change ([`events`],
//! [`notify`]).
//!
//! Map: [`rules`] (the `som.json` format), [`admission`], [`progression`] and [`resource`]
//! decide, purely; `wire` holds the TMF641 shapes `orderdesk_tmf::tmf641` lacks; `simulator`
//! (state, tickers) and `api` (axum routes) are the shell. Everything is in memory: a restart
//! forgets every order and subscription.
//!
//! Start it with [`serve`] / [`serve_until`] on a listener you bound, or [`spawn`] it in the
//! background (the server's demo mode, tests); the `orderdesk-som` binary wraps [`serve_until`].

pub mod admission;
mod api;
pub mod error;
pub mod events;
pub mod notify;
pub mod progression;
pub mod resource;
pub mod rules;
mod simulator;
pub mod wire;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use error::SomError;
pub use notify::RetryPolicy;
pub use rules::{FailureRule, FailureRules, FailureStage};

use simulator::Simulator;

/// Where the TMF641 API lives on the simulator's host.
pub const API_PATH: &str = "/tmf-api/serviceOrdering/v5";

/// How a simulator behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SomConfig {
    /// Which items fail, and how.
    pub rules: FailureRules,
    /// How long each state of an item lasts.
    pub step: Duration,
    /// How notifications are retried.
    pub retry: RetryPolicy,
    /// The public base URL (`https://som.example`) for `href` and `Location`; default
    /// `http://{the listener's address}`.
    pub public_url: Option<String>,
}

impl SomConfig {
    /// The demo pace: 1.5 s per state.
    pub const DEFAULT_STEP: Duration = Duration::from_millis(1500);

    pub fn new(rules: FailureRules) -> Self {
        Self {
            rules,
            step: Self::DEFAULT_STEP,
            retry: RetryPolicy::default(),
            public_url: None,
        }
    }

    pub fn with_step(mut self, step: Duration) -> Self {
        self.step = step;
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
}

impl Default for SomConfig {
    fn default() -> Self {
        Self::new(FailureRules::none())
    }
}

/// The API root for a simulator answering on `addr` (or at `public_url`).
fn api_url(public_url: Option<&str>, addr: SocketAddr) -> String {
    let base = match public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{addr}"),
    };
    format!("{base}{API_PATH}")
}

/// Serves the simulator on `listener` for as long as the future runs.
pub async fn serve(listener: TcpListener, config: SomConfig) -> io::Result<()> {
    serve_until(listener, config, std::future::pending()).await
}

/// Serves the simulator on `listener` until `shutdown` completes, then stops its tickers and
/// deliveries.
pub async fn serve_until(
    listener: TcpListener,
    config: SomConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let addr = listener.local_addr()?;
    let url = api_url(config.public_url.as_deref(), addr);
    let simulator = Simulator::new(config, url).map_err(io::Error::other)?;
    let app = api::router(Arc::clone(&simulator));
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    simulator.stop();
    served
}

/// A simulator running in the background (see [`spawn`]). Dropping it shuts it down.
#[derive(Debug)]
pub struct RunningSom {
    addr: SocketAddr,
    api_url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl RunningSom {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API root: `http://127.0.0.1:PORT/tmf-api/serviceOrdering/v5`.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// Stops it and waits until it has stopped.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningSom {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Runs the simulator on `listener` in a background task (bind `127.0.0.1:0` for a free port).
pub async fn spawn(listener: TcpListener, config: SomConfig) -> io::Result<RunningSom> {
    let addr = listener.local_addr()?;
    let url = api_url(config.public_url.as_deref(), addr);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve_until(listener, config, async move {
        let _ = stopped.await;
    }));
    Ok(RunningSom {
        addr,
        api_url: url,
        stop: Some(stop),
        task: Some(task),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_urls() {
        let addr: SocketAddr = "127.0.0.1:8641".parse().unwrap();
        assert_eq!(
            api_url(None, addr),
            "http://127.0.0.1:8641/tmf-api/serviceOrdering/v5"
        );
        assert_eq!(
            api_url(Some("https://som.example/"), addr),
            "https://som.example/tmf-api/serviceOrdering/v5"
        );
    }
}
