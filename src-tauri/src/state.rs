//! [`DeskState`]: the app's one piece of state, built once in `setup()` and reached by every
//! command through `tauri::State`. Before sign-in it holds no desk; signing in opens one (and
//! starts forwarding its events to the window); signing out closes it.

use orderdesk_desk::clock::{Clock, OffsetClock, SystemClock, UuidIds};
use orderdesk_desk::{Desk, DeskConfig};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::error::{IpcError, IpcResult};

/// Where profiles live and what time it is, plus the signed-in desk.
#[derive(Debug)]
pub struct DeskState {
    data_dir: PathBuf,
    fixtures_dir: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    desk: Mutex<Option<Desk>>,
    forwarder: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
}

impl DeskState {
    /// `data_dir`: the platform's app-data directory, or `ORDERDESK_DATA_DIR`.
    /// `ORDERDESK_FIXTURES_DIR` names the demo reference data; `ORDERDESK_DEMO_DAY` (RFC 3339)
    /// moves the clock to the day the demo data is dated.
    pub fn from_env(default_data_dir: PathBuf) -> Self {
        let data_dir =
            std::env::var_os("ORDERDESK_DATA_DIR").map_or(default_data_dir, PathBuf::from);
        let fixtures_dir = std::env::var_os("ORDERDESK_FIXTURES_DIR").map(PathBuf::from);
        let clock: Arc<dyn Clock> = match std::env::var("ORDERDESK_DEMO_DAY")
            .ok()
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(&d).ok())
        {
            Some(day) => Arc::new(OffsetClock::starting_at(day.to_utc())),
            None => Arc::new(SystemClock),
        };
        Self {
            data_dir,
            fixtures_dir,
            clock,
            desk: Mutex::new(None),
            forwarder: Mutex::new(None),
        }
    }

    /// The signed-in desk (a cheap clone), or `notSignedIn`.
    pub fn desk(&self) -> IpcResult<Desk> {
        self.desk
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(IpcError::not_signed_in)
    }

    pub fn current(&self) -> Option<Desk> {
        self.desk.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Opens the user's desk; the one open before (if any) is closed first.
    pub async fn sign_in(&self, server_url: String, token: String) -> IpcResult<Desk> {
        self.sign_out().await;
        let mut config = DeskConfig::new(self.data_dir.clone(), server_url, token);
        config.fixtures_dir = self.fixtures_dir.clone();
        let desk = Desk::open(config, Arc::clone(&self.clock), Box::new(UuidIds)).await?;
        *self.desk.lock().unwrap_or_else(|p| p.into_inner()) = Some(desk.clone());
        Ok(desk)
    }

    /// Remembers the task that forwards the desk's events (stopped at sign-out).
    pub fn set_forwarder(&self, task: tauri::async_runtime::JoinHandle<()>) {
        if let Some(old) = self
            .forwarder
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(task)
        {
            old.abort();
        }
    }

    /// Closes the desk (its sync engine stops; unsent work stays in the outbox).
    pub async fn sign_out(&self) {
        let desk = self.desk.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = self
            .forwarder
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            task.abort();
        }
        if let Some(desk) = desk {
            desk.close().await;
        }
    }
}
