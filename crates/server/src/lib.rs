//! Orderdesk's central server: the TMF622 system of record the desks sync with.
//!
//! This file wires; the modules do:
//! * [`config`]: the command line; [`state`]: [`AppState`], built once here; [`readers`]: the
//!   threads that run request handlers' store reads; [`subscribers`]: whether anyone subscribed
//!   to notifications;
//! * [`api`]: the HTTP surface, one module per resource, and the route table; [`openapi`]: the
//!   document of that surface; [`error`]: the one TMF error body; [`auth`]: tokens and the
//!   permission table; [`tmf630`]: list queries; [`patch`]: RFC 7396 / 6902; [`amend`]: what a
//!   PATCH may change; [`representation`] and [`events`]: the v4/v5 JSON of orders, cancel
//!   requests and notifications;
//! * background tasks: [`workflow`] (validation, scheduled release, start-up resumption) and
//!   [`notifier`] (hub deliveries); [`fulfilment`] is the trait accepted orders are handed to;
//! * [`demo`]: fixtures into an empty database.
//!
//! Invariant: no SQL here (the store crate owns it) and no business decision (the domain crate
//! makes them): handlers parse, fetch, call the domain, write, answer.

pub mod amend;
pub mod api;
pub mod auth;
pub mod config;
pub mod demo;
pub mod error;
pub mod events;
pub mod fulfilment;
pub mod notifier;
pub mod openapi;
pub mod patch;
pub mod readers;
pub mod representation;
pub mod state;
pub mod subscribers;
pub mod tmf630;
pub mod workflow;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use orderdesk_domain::validation::{Pipeline, ValidationPolicy};
use orderdesk_fixtures::Fixtures;
use orderdesk_store::CentralStore;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc, oneshot, Notify};
use tokio::task::JoinHandle;

pub use config::Config;
pub use state::AppState;

use crate::state::{load_users, Clock, ReferenceSnapshot, SystemClock, Urls};

/// Threads answering requests' store reads ([`readers`]).
const READER_THREADS: usize = 4;

/// Threads for background reads (validation): as many as there are validation workers.
const BACKGROUND_THREADS: usize = 2;

/// The store's read-only connections: one per reader thread, and a few for the blocking pool,
/// so that a request's reader seldom waits for a connection.
const STORE_CONNECTIONS: usize = READER_THREADS + BACKGROUND_THREADS + 2;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database in {dir}: {source}")]
    Store {
        dir: std::path::PathBuf,
        source: orderdesk_store::StoreError,
    },
    #[error("cannot load the fixtures: {0}")]
    Fixtures(#[from] orderdesk_fixtures::FixtureError),
    #[error("cannot load the demo data: {0}")]
    Demo(#[from] demo::DemoError),
    #[error("cannot read the stored reference data: {0}")]
    Reference(#[from] state::ReferenceError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot start the SOM simulator: {0}")]
    Som(String),
    #[error("a start-up task failed: {0}")]
    Task(String),
}

/// A server running in the background of the current tokio runtime.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    state: AppState,
    som_url: Option<String>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    tasks: Vec<JoinHandle<()>>,
    som: Option<orderdesk_som::RunningSom>,
}

impl RunningServer {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT` as bound (not `--public-url`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The TMF641 API the server's fulfilment talks to: `--som-url`, or the simulator started
    /// in demo mode.
    pub fn som_url(&self) -> Option<&str> {
        self.som_url.as_deref()
    }

    /// Stops serving, stops the background tasks and the simulator, and waits for the server.
    pub async fn stop(mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        if let Some(som) = self.som.take() {
            let _ = som.shutdown().await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StartError> + Send + 'static,
) -> Result<T, StartError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StartError::Task(e.to_string()))?
}

/// Opens the store, loads the demo data when asked, binds, and serves in the background.
pub async fn start(config: Config) -> Result<RunningServer, StartError> {
    start_with_clock(config, Arc::new(SystemClock)).await
}

/// [`start`] with another clock (tests pin time).
pub async fn start_with_clock(
    config: Config,
    clock: Arc<dyn Clock>,
) -> Result<RunningServer, StartError> {
    let dir = config.data_dir.clone();
    let store = blocking(move || {
        let options = orderdesk_store::StoreOptions {
            readers: STORE_CONNECTIONS,
            ..orderdesk_store::StoreOptions::default()
        };
        CentralStore::open_with(&dir, &options).map_err(|source| StartError::Store { dir, source })
    })
    .await?;
    let store = Arc::new(store);

    let fixtures = if config.demo {
        let path = config.fixtures.clone();
        Some(Arc::new(
            blocking(move || Ok(Fixtures::load(&path)?)).await?,
        ))
    } else {
        None
    };
    if let Some(fixtures) = &fixtures {
        let (store, fixtures, now) = (Arc::clone(&store), Arc::clone(fixtures), clock.now());
        let loaded = blocking(move || Ok(demo::seed(&store, &fixtures, now)?)).await?;
        if loaded {
            tracing::info!("demo data loaded into the empty database");
        }
    }
    let (reference, users) = {
        let store = Arc::clone(&store);
        blocking(move || Ok((ReferenceSnapshot::load(&store)?, load_users(&store)?))).await?
    };

    let listener = TcpListener::bind(&config.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.addr.clone(),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.addr.clone(),
        source,
    })?;
    let public = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_owned();

    let (som, som_url) = match (&config.som_url, config.demo) {
        (Some(url), _) => (None, Some(url.clone())),
        (None, true) => {
            let rules = {
                let store = Arc::clone(&store);
                blocking(move || {
                    demo::som_rules(&store).map_err(|e| StartError::Som(e.to_string()))
                })
                .await?
            };
            let rules = orderdesk_som::FailureRules::parse(&rules)
                .map_err(|e| StartError::Som(e.to_string()))?;
            let som_listener = TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| StartError::Som(e.to_string()))?;
            let som_config = orderdesk_som::SomConfig::new(rules).with_step(config.som_step());
            let som = orderdesk_som::spawn(som_listener, som_config)
                .await
                .map_err(|e| StartError::Som(e.to_string()))?;
            let url = som.api_url().to_owned();
            tracing::info!(%url, "SOM simulator started");
            (Some(som), Some(url))
        }
        (None, false) => (None, None),
    };

    let som_link = fulfilment::som::link(som_url.as_deref()).map_err(StartError::Som)?;
    let (events, _) = broadcast::channel(1024);
    let (workflow_tx, workflow_rx) = mpsc::unbounded_channel();
    let reader_threads = |e: std::io::Error| {
        StartError::Task(format!("cannot start the store's reader threads: {e}"))
    };
    let readers = readers::Readers::start(&store, READER_THREADS).map_err(reader_threads)?;
    let background =
        readers::Readers::background(&store, BACKGROUND_THREADS).map_err(reader_threads)?;
    let subscribers = {
        let store = Arc::clone(&store);
        blocking(move || {
            subscribers::Subscribers::load(&store).map_err(|source| StartError::Store {
                dir: store.path().to_path_buf(),
                source,
            })
        })
        .await?
    };
    let state = AppState {
        store,
        readers,
        background,
        subscribers: Arc::new(subscribers),
        reference: Arc::new(reference),
        seed_history: fixtures.map(|f| Arc::new(f.order_history(clock.now()))),
        users: Arc::new(users),
        pipeline: Arc::new(Pipeline::standard()),
        policy: Arc::new(ValidationPolicy::default()),
        clock,
        events,
        workflow: workflow_tx,
        notifier: Arc::new(Notify::new()),
        // The fulfilment module (decomposition + TMF641 client of `som_url`) plugs in here.
        fulfilment: fulfilment::som::fulfilment(som_link.as_ref()),
        som_url: som_url.clone(),
        som_link,
        urls: Urls { public },
        max_body_bytes: config.max_body_bytes,
        openapi: Arc::new(OnceLock::new()),
    };

    let mut tasks = workflow::spawn(state.clone(), workflow_rx);
    tasks.push(notifier::spawn(
        state.clone(),
        notifier::Backoff {
            initial: config.hub_retry_initial(),
            max: config.hub_retry_max(),
        },
        config.hub_poll(),
    ));

    tasks.extend(fulfilment::som::spawn(&state));
    let app = api::router(state.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningServer {
        addr,
        state,
        som_url,
        stop: Some(stop),
        server: Some(server),
        tasks,
        som,
    })
}

/// The `orderdesk-server` binary: parse the command line, start, print the one
/// `listening on http://HOST:PORT` line, and serve until interrupted.
pub fn run_cli() -> anyhow::Result<()> {
    use anyhow::Context;
    use clap::Parser;

    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = Config::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let server = start(config).await.context("cannot start the server")?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", server.url()).context("cannot write to stdout")?;
        out.flush().context("cannot flush stdout")?;
        drop(out);
        shutdown_signal()
            .await
            .context("cannot wait for a shutdown signal")?;
        tracing::info!("shutting down");
        server.stop().await;
        Ok(())
    })
}

/// Ctrl-C, or (on unix) SIGTERM.
async fn shutdown_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
