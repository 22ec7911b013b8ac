//! The sync engine: the I/O shell around [`crate::decide`]. Three tokio tasks share one
//! [`ServerClient`] and one [`SyncLocal`]:
//!
//! * **push** drains the outbox: reads it, asks [`decide::next_push`] what is due, sends each
//!   entry, asks [`decide::classify`] what the answer means, and writes that back (sent, retry
//!   at, failed with the server's reason, conflict with the server's current order). It sleeps
//!   until the earliest retry, a [`SyncHandle::wake`] (a new outbox entry), or the server
//!   coming back after an outage.
//! * **pull** first asks `GET /orderdesk/v1/me` what kind of server this is. With the desk
//!   extension it reads the changes feed from the stored cursor, page by page, reads each
//!   touched order once and merges it ([`decide::merge_pulled`]); it runs when the live push
//!   rings, and polls on its own (often while the live push is down, rarely while it is up).
//!   Against a generic TMF622 server (404 on `me`) there is no feed: it polls the open orders
//!   the local store knows, by id.
//! * **live** holds the SSE stream open and rings the pull task on every change; when the
//!   stream drops it reconnects with backoff (the pull task polls meanwhile).
//!
//! The push sends the heads of different orders side by side (at most
//! [`EngineConfig::push_in_flight`] at once; an order's own entries one at a time, first in
//! first out). An entry in flight is registered under the merge lock, and a pull that meets its
//! order (or, for a create, the server's copy of it) waits until the push has recorded the
//! answer, so a pull never sees the server's copy of a create before the push has recorded
//! whose it is, and never merges an order while its change is on the wire. The lock itself is
//! held only around local bookkeeping, never across a request.
//! What happens is told on a broadcast channel as [`SyncEvent`]s; the status (online state,
//! counts, last error, last sync) as [`SyncEvent::Status`] whenever it changes.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::{JoinHandle, JoinSet};

use crate::client::desk::OrderDiff;
use crate::client::{Me, ServerClient};
use crate::decide::{
    self, Backoff, ConnectionState, Link, MergeDecision, Outcome, Signal, Touched,
};
use crate::error::SyncError;
use crate::local::{
    EntryId, EntryStatus, LocalError, LocalResult, OutboxEntry, OutboxOp, ServerOrder, SyncLocal,
    TmfError,
};

/// The engine's clock (time is passed in, as everywhere).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The engine's tunables.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Retry delays of an entry (and of the whole push while the server is unreachable).
    pub backoff: Backoff,
    /// Reconnection delays of the live push and of the server detection.
    pub reconnect: Backoff,
    /// How often the pull polls while the live push is down, or against a generic server.
    pub poll_interval: Duration,
    /// How often the pull polls while the live push is up (in case a ring was lost).
    pub live_poll_interval: Duration,
    /// A live push silent this long is taken as dead (the server sends keep-alives every 15 s).
    pub live_idle: Duration,
    /// Changes read per page of the feed.
    pub feed_page: u32,
    /// How long [`SyncHandle::shutdown`] waits for a task to finish what it is doing.
    pub shutdown_grace: Duration,
    /// Outbox entries sent at once, each of a different order (at least one).
    pub push_in_flight: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            backoff: Backoff::default(),
            reconnect: Backoff {
                initial: Duration::from_millis(500),
                max: Duration::from_secs(30),
            },
            poll_interval: Duration::from_secs(5),
            live_poll_interval: Duration::from_secs(60),
            live_idle: Duration::from_secs(45),
            feed_page: 200,
            shutdown_grace: Duration::from_secs(2),
            push_in_flight: 24,
        }
    }
}

/// What kind of server the engine talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ServerMode {
    /// Not known yet (the server has not answered).
    Unknown,
    /// The Orderdesk server: changes feed and live push.
    Extension,
    /// A generic TMF622 server: open orders are polled by id.
    Generic,
}

/// The sync status the desk shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub connection: ConnectionState,
    pub mode: ServerMode,
    /// The signed-in user, as the server knows the token (desk extension only).
    pub me: Option<Me>,
    /// Outbox entries waiting to be sent.
    pub pending: usize,
    /// Outbox entries refused or in conflict, waiting for the user.
    pub stuck: usize,
    pub last_error: Option<String>,
    /// The last time the server took a change or the pull caught up.
    pub last_sync: Option<DateTime<Utc>>,
    /// The changes-feed cursor.
    pub cursor: Option<u64>,
}

/// What the engine tells the desk.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    Status(SyncStatus),
    /// The server took an outbox entry (`replayed`: it had it already).
    Sent {
        entry: EntryId,
        order: String,
        server_id: String,
        replayed: bool,
    },
    /// The server refused an outbox entry; the order shows the reason.
    Rejected {
        entry: EntryId,
        order: String,
        error: TmfError,
    },
    /// The order moved on on the server since the user's edit: the edit is kept aside,
    /// `current` is the server's order, `diff` what changed since the edited version (desk
    /// extension only).
    Conflict {
        entry: EntryId,
        order: String,
        id: String,
        edited: Option<u32>,
        current: ServerOrder,
        diff: Option<OrderDiff>,
    },
    /// The local copy of an order (server id) changed from the server.
    OrderChanged {
        id: String,
    },
    /// The order's queue entry changed on the server (a claim, a hold): refresh queue views.
    QueueChanged {
        order: String,
    },
}

/// Starts the engine.
#[derive(Debug)]
pub struct SyncEngine;

impl SyncEngine {
    /// Spawns the push, pull and live tasks on the current tokio runtime.
    pub fn spawn(
        client: ServerClient,
        local: Arc<dyn SyncLocal>,
        clock: Clock,
        events: broadcast::Sender<SyncEvent>,
    ) -> SyncHandle {
        Self::spawn_with(EngineConfig::default(), client, local, clock, events)
    }

    pub fn spawn_with(
        config: EngineConfig,
        client: ServerClient,
        local: Arc<dyn SyncLocal>,
        clock: Clock,
        events: broadcast::Sender<SyncEvent>,
    ) -> SyncHandle {
        let (stop, stopped) = watch::channel(false);
        let (mode, _) = watch::channel(ServerMode::Unknown);
        let shared = Arc::new(Shared {
            client,
            local,
            clock,
            events,
            config,
            link: Mutex::new(Link::default()),
            status: Mutex::new(SyncStatus {
                connection: ConnectionState::Offline,
                mode: ServerMode::Unknown,
                me: None,
                pending: 0,
                stuck: 0,
                last_error: None,
                last_sync: None,
                cursor: None,
            }),
            push_wake: Notify::new(),
            pull_wake: Notify::new(),
            mode,
            merge: tokio::sync::Mutex::new(()),
            flights: Mutex::new(Flights::default()),
            landed: Notify::new(),
            stopped,
        });
        let tasks = vec![
            tokio::spawn(push_loop(Arc::clone(&shared))),
            tokio::spawn(pull_loop(Arc::clone(&shared))),
            tokio::spawn(live_loop(Arc::clone(&shared))),
        ];
        SyncHandle {
            shared,
            stop,
            tasks,
        }
    }
}

/// The running engine.
#[derive(Debug)]
pub struct SyncHandle {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl SyncHandle {
    /// A new outbox entry was written: drain now.
    pub fn wake(&self) {
        self.shared.push_wake.notify_one();
    }

    /// Read the server's changes now.
    pub fn pull_now(&self) {
        self.shared.pull_wake.notify_one();
    }

    pub fn status(&self) -> SyncStatus {
        self.shared.status_now()
    }

    /// The client the engine uses (the desk's online commands share it).
    pub fn client(&self) -> &ServerClient {
        &self.shared.client
    }

    /// Stops the tasks: each finishes the call it is in (up to the grace period), then ends.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        let grace = self.shared.config.shutdown_grace;
        for task in std::mem::take(&mut self.tasks) {
            let abort = task.abort_handle();
            if tokio::time::timeout(grace, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

struct Shared {
    client: ServerClient,
    local: Arc<dyn SyncLocal>,
    clock: Clock,
    events: broadcast::Sender<SyncEvent>,
    config: EngineConfig,
    link: Mutex<Link>,
    status: Mutex<SyncStatus>,
    push_wake: Notify,
    pull_wake: Notify,
    mode: watch::Sender<ServerMode>,
    /// Held while a pulled order is merged, while a send is registered, and while the push
    /// records an answer; never across a request.
    merge: tokio::sync::Mutex<()>,
    /// The entries the push has on the wire.
    flights: Mutex<Flights>,
    /// Rung whenever an entry lands (its answer recorded, or its send given up).
    landed: Notify,
    stopped: watch::Receiver<bool>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("client", &self.client)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The entries on the wire, and the server ids of their orders.
#[derive(Debug, Default)]
struct Flights {
    entries: HashSet<EntryId>,
    server_ids: HashSet<String>,
    /// Creates the pull recorded from the server's copy since the push last read the outbox:
    /// the push must not send them again.
    claimed: HashSet<EntryId>,
}

/// One entry on the wire: registered while it lives, landed (and the pull told) when dropped,
/// however the send ends.
struct Flight {
    shared: Arc<Shared>,
    entry: EntryId,
    server_id: Option<String>,
}

impl Flight {
    /// Registers `entry` under the merge lock, so no merge of its order is half done; `None`
    /// when the pull has recorded it since the outbox was read.
    async fn board(shared: &Arc<Shared>, entry: &OutboxEntry) -> Option<Self> {
        let _merging = shared.merge.lock().await;
        let claimed = shared.with_flights(|f| {
            if f.claimed.contains(&entry.id) {
                return true;
            }
            f.entries.insert(entry.id);
            if let Some(sid) = &entry.server_id {
                f.server_ids.insert(sid.clone());
            }
            false
        });
        (!claimed).then(|| Self {
            shared: Arc::clone(shared),
            entry: entry.id,
            server_id: entry.server_id.clone(),
        })
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        self.shared.with_flights(|f| {
            f.entries.remove(&self.entry);
            if let Some(sid) = &self.server_id {
                f.server_ids.remove(sid);
            }
        });
        self.shared.landed.notify_waiters();
    }
}

/// Why a push pass ended.
enum PassEnd {
    /// Nothing due; the next retry comes due then (if any).
    Idle(Option<DateTime<Utc>>),
    /// The server is unreachable or down: wait until then (or until it is heard from).
    Paused(DateTime<Utc>),
}

impl Shared {
    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    fn with_flights<T>(&self, f: impl FnOnce(&mut Flights) -> T) -> T {
        let mut flights = self.flights.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut flights)
    }

    /// A local store call that records what the push heard, under the merge lock.
    async fn record<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn SyncLocal) -> LocalResult<T> + Send + 'static,
    ) -> LocalResult<T> {
        let _merging = self.merge.lock().await;
        self.local(call).await
    }

    fn is_stopped(&self) -> bool {
        *self.stopped.borrow()
    }

    fn emit(&self, event: SyncEvent) {
        let _ = self.events.send(event);
    }

    fn status_now(&self) -> SyncStatus {
        self.status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Changes the status and tells the desk when it differs.
    fn update_status(&self, change: impl FnOnce(&mut SyncStatus)) {
        let changed = {
            let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
            let before = status.clone();
            change(&mut status);
            (*status != before).then(|| status.clone())
        };
        if let Some(status) = changed {
            self.emit(SyncEvent::Status(status));
        }
    }

    fn signal(&self, signal: Signal) {
        let (before, after) = {
            let mut link = self.link.lock().unwrap_or_else(|p| p.into_inner());
            let before = *link;
            *link = link.after(signal);
            (before, *link)
        };
        if before.reachable != Some(true) && after.reachable == Some(true) {
            // The server is back: the push need not sit out its pause.
            self.push_wake.notify_one();
        }
        if before.live && !after.live {
            // Polling takes over from the live push.
            self.pull_wake.notify_one();
        }
        let state = after.state();
        self.update_status(|s| s.connection = state);
    }

    /// What a failed call says about the link.
    fn signal_error(&self, error: &SyncError) {
        match error {
            SyncError::Offline(_) => self.signal(Signal::Unreachable),
            SyncError::Server { status, .. } if *status >= 500 => self.signal(Signal::ServerError),
            SyncError::Server { .. } | SyncError::Conflict { .. } | SyncError::Decode(_) => {
                self.signal(Signal::Answered)
            }
            SyncError::Invalid(_) => {}
        }
    }

    fn note_error(&self, what: &str, error: &dyn std::fmt::Display) {
        let message = format!("{what}: {error}");
        tracing::warn!(%message, "sync");
        self.update_status(|s| s.last_error = Some(message));
    }

    fn synced(&self) {
        let now = self.now();
        self.update_status(|s| {
            s.last_sync = Some(now);
            s.last_error = None;
        });
    }

    /// Runs a local store call on the blocking pool.
    async fn local<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn SyncLocal) -> LocalResult<T> + Send + 'static,
    ) -> LocalResult<T> {
        let local = Arc::clone(&self.local);
        tokio::task::spawn_blocking(move || call(local.as_ref()))
            .await
            .map_err(|e| LocalError::msg(format!("the local store call did not finish: {e}")))?
    }

    /// Sleeps `duration`, or until woken or stopped. Returns false when stopped.
    async fn rest(&self, duration: Option<Duration>, wake: &Notify) -> bool {
        let mut stopped = self.stopped.clone();
        if *stopped.borrow() {
            return false;
        }
        let sleep = async {
            match duration {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = stopped.wait_for(|s| *s) => false,
            () = wake.notified() => true,
            () = sleep => true,
        }
    }

    fn until(&self, at: DateTime<Utc>) -> Duration {
        (at - self.now()).to_std().unwrap_or(Duration::ZERO)
    }
}

// ---------------------------------------------------------------------------------------------
// Push

async fn push_loop(shared: Arc<Shared>) {
    loop {
        if shared.is_stopped() {
            return;
        }
        let wait = match push_pass(&shared).await {
            PassEnd::Idle(next) => next.map(|at| shared.until(at)),
            PassEnd::Paused(until) => Some(shared.until(until)),
        };
        if !shared.rest(wait, &shared.push_wake).await {
            return;
        }
    }
}

/// Sends everything due, pass after pass, until nothing is. Within a pass the planned entries
/// (one per order) go out side by side, at most `push_in_flight` at once; once one of them
/// pauses the push (the server unreachable or down), no more are started, the ones on the wire
/// are answered and recorded, and the pass ends.
async fn push_pass(shared: &Arc<Shared>) -> PassEnd {
    loop {
        // What the pull claims from here on is missing from the read, or named in `claimed`.
        shared.with_flights(|f| f.claimed.clear());
        let entries = match shared.local(|l| l.pending_outbox()).await {
            Ok(entries) => entries,
            Err(e) => {
                shared.note_error("cannot read the outbox", &e);
                return PassEnd::Paused(shared.now() + chrono_of(shared.config.backoff.initial));
            }
        };
        count_outbox(shared, &entries);
        let plan = decide::next_push(&entries, shared.now());
        if plan.send.is_empty() {
            return PassEnd::Idle(plan.wake_at);
        }
        let mut by_id: HashMap<EntryId, OutboxEntry> =
            entries.into_iter().map(|e| (e.id, e)).collect();
        let mut due = plan.send.into_iter().filter_map(|id| by_id.remove(&id));
        let limit = shared.config.push_in_flight.max(1);
        let mut wire = JoinSet::new();
        let mut end: Option<PassEnd> = None;
        loop {
            while end.is_none() && wire.len() < limit && !shared.is_stopped() {
                let Some(entry) = due.next() else {
                    break;
                };
                let Some(flight) = Flight::board(shared, &entry).await else {
                    continue;
                };
                let sending = Arc::clone(shared);
                wire.spawn(async move {
                    let _flight = flight;
                    send_entry(&sending, &entry).await
                });
            }
            let Some(joined) = wire.join_next().await else {
                break;
            };
            let failed = match joined {
                Ok(Ok(None)) => continue,
                Ok(Ok(Some(pause))) => {
                    end.get_or_insert(pause);
                    continue;
                }
                Ok(Err(e)) => e.to_string(),
                Err(e) => format!("the send did not finish: {e}"),
            };
            shared.note_error("cannot record what the server said", &failed);
            end.get_or_insert(PassEnd::Paused(
                shared.now() + chrono_of(shared.config.backoff.initial),
            ));
        }
        if let Some(end) = end {
            // What this pass recorded before the pause is no longer pending: the status says
            // so now, not after the pause.
            if let Ok(entries) = shared.local(|l| l.pending_outbox()).await {
                count_outbox(shared, &entries);
            }
            return end;
        }
        if shared.is_stopped() {
            return PassEnd::Idle(None);
        }
    }
}

fn count_outbox(shared: &Shared, entries: &[OutboxEntry]) {
    let pending = entries
        .iter()
        .filter(|e| e.status == EntryStatus::Pending)
        .count();
    let stuck = entries.len() - pending;
    shared.update_status(|s| {
        s.pending = pending;
        s.stuck = stuck;
    });
}

fn chrono_of(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// What sending an entry did.
enum Delivered {
    /// The order as the server answered it (a cancel answers the request, not the order).
    Order(ServerOrder, bool),
    Cancelled,
}

/// Sends one entry and records the outcome. `Some` ends the pass.
///
/// Runs while the entry is registered in flight: no pull merges its order meanwhile. The merge
/// lock is taken only around each local write.
async fn send_entry(shared: &Shared, entry: &OutboxEntry) -> LocalResult<Option<PassEnd>> {
    let server_id = entry.server_id.clone().unwrap_or_default();
    let client = &shared.client;
    let result = match &entry.op {
        OutboxOp::Create { body } => client
            .create_order(body, &entry.idempotency_key)
            .await
            .map(|c| Delivered::Order(c.order, c.replayed)),
        OutboxOp::Amend { patch, if_match } => client
            .patch_order(&server_id, patch, *if_match)
            .await
            .map(|o| Delivered::Order(o, false)),
        OutboxOp::Cancel {
            reason,
            requested_at,
            if_match,
        } => client
            .cancel_order(&server_id, reason.as_deref(), *requested_at, *if_match)
            .await
            .map(|_| Delivered::Cancelled),
    };
    let error = match result {
        Ok(sent) => {
            shared.signal(Signal::Answered);
            let (server_id, order, replayed) = match sent {
                Delivered::Order(order, replayed) => (order.id.clone(), Some(order), replayed),
                Delivered::Cancelled => (server_id, None, false),
            };
            let _merging = shared.merge.lock().await;
            record_sent(shared, entry, &server_id, order, replayed).await?;
            return Ok(None);
        }
        Err(e) => e,
    };
    shared.signal_error(&error);
    let outcome = decide::classify(&error.answer(), entry.attempts, &shared.config.backoff);
    let current = if decide::worth_reconciling(&entry.op, &outcome) {
        match client.get_order(&server_id).await {
            Ok(current) => Some(current),
            Err(e) => {
                shared.signal_error(&e);
                // Cannot tell what the server has: ask again later.
                let attempts = entry.attempts.saturating_add(1);
                let at = shared.now() + chrono_of(shared.config.backoff.delay(attempts));
                let reason = format!("{error}; the server's order could not be read: {e}");
                let id = entry.id;
                shared
                    .record(move |l| l.mark_retry(id, attempts, at, &reason))
                    .await?;
                return Ok(None);
            }
        }
    } else {
        None
    };
    if let Some(current) = &current {
        if decide::settled(&entry.op, current) {
            let order = matches!(entry.op, OutboxOp::Amend { .. }).then(|| current.clone());
            let _merging = shared.merge.lock().await;
            record_sent(shared, entry, &current.id, order, true).await?;
            return Ok(None);
        }
    }
    let id = entry.id;
    match outcome {
        Outcome::Sent => {
            // A success status never arrives as an error; resend to be sure.
            let at = shared.now();
            shared
                .record(move |l| l.mark_retry(id, 0, at, "unexpected answer"))
                .await?;
            Ok(None)
        }
        Outcome::Retry {
            after,
            reason,
            pause_all,
        } => {
            let attempts = entry.attempts.saturating_add(1);
            let now = shared.now();
            // An outage is the push's to wait out, not the entry's: it is due again as soon as
            // the server is back.
            let at = if pause_all {
                now
            } else {
                now + chrono_of(after)
            };
            shared.note_error(&format!("entry {id} will be retried"), &reason);
            shared
                .record(move |l| l.mark_retry(id, attempts, at, &reason))
                .await?;
            Ok(pause_all.then(|| PassEnd::Paused(now + chrono_of(after))))
        }
        Outcome::Rejected(tmf) => {
            let error = tmf.clone();
            shared.record(move |l| l.mark_failed(id, &error)).await?;
            shared.emit(SyncEvent::Rejected {
                entry: id,
                order: entry.order.clone(),
                error: tmf,
            });
            Ok(None)
        }
        Outcome::Conflict => {
            let Some(current) = current else {
                // A 412 on a create (a generic server's doing): nothing to refresh, and
                // resending would get the same answer.
                let refusal = error.tmf_error().cloned().unwrap_or(TmfError {
                    status: 412,
                    ..TmfError::default()
                });
                let stored = refusal.clone();
                shared.record(move |l| l.mark_failed(id, &stored)).await?;
                shared.emit(SyncEvent::Rejected {
                    entry: id,
                    order: entry.order.clone(),
                    error: refusal,
                });
                return Ok(None);
            };
            let stored = current.clone();
            shared.record(move |l| l.mark_conflict(id, &stored)).await?;
            let edited = match &entry.op {
                OutboxOp::Amend { if_match, .. } | OutboxOp::Cancel { if_match, .. } => *if_match,
                OutboxOp::Create { .. } => None,
            };
            // A server not yet known to be generic is asked: a 404 just means no diff.
            let diff = match (edited, current.version, mode_of(shared)) {
                (_, _, ServerMode::Generic) => None,
                (Some(from), Some(to), _) if from < to => {
                    client.diff(&current.id, Some(from), Some(to)).await.ok()
                }
                _ => None,
            };
            shared.emit(SyncEvent::Conflict {
                entry: id,
                order: entry.order.clone(),
                id: current.id.clone(),
                edited,
                current,
                diff,
            });
            Ok(None)
        }
        Outcome::AuthRequired(tmf) => {
            shared.note_error(
                "the server does not accept the token: sign in again",
                &tmf.describe(),
            );
            // Nothing to send until the user signs in again (a new engine); look again later.
            let pause = shared.config.reconnect.max;
            Ok(Some(PassEnd::Paused(shared.now() + chrono_of(pause))))
        }
    }
}

/// Records an accepted entry. The caller holds the merge lock.
async fn record_sent(
    shared: &Shared,
    entry: &OutboxEntry,
    server_id: &str,
    order: Option<ServerOrder>,
    replayed: bool,
) -> LocalResult<()> {
    let (id, sid, stored) = (entry.id, server_id.to_owned(), order.clone());
    shared
        .local(move |l| l.mark_sent(id, &sid, stored.as_ref()))
        .await?;
    shared.synced();
    shared.emit(SyncEvent::Sent {
        entry: entry.id,
        order: entry.order.clone(),
        server_id: server_id.to_owned(),
        replayed,
    });
    if order.is_some() {
        shared.emit(SyncEvent::OrderChanged {
            id: server_id.to_owned(),
        });
    }
    Ok(())
}

fn mode_of(shared: &Shared) -> ServerMode {
    *shared.mode.borrow()
}

// ---------------------------------------------------------------------------------------------
// Pull

async fn pull_loop(shared: Arc<Shared>) {
    let mode = detect(&shared).await;
    loop {
        if shared.is_stopped() {
            return;
        }
        match mode {
            ServerMode::Extension => pull_feed(&shared).await,
            ServerMode::Generic => poll_open_orders(&shared).await,
            ServerMode::Unknown => return,
        }
        let live = shared.link.lock().map(|l| l.live).unwrap_or(false);
        let wait = if live {
            shared.config.live_poll_interval
        } else {
            shared.config.poll_interval
        };
        if !shared.rest(Some(wait), &shared.pull_wake).await {
            return;
        }
    }
}

/// Asks `me` until the server answers: the desk extension, or a generic TMF622 server.
async fn detect(shared: &Shared) -> ServerMode {
    let mut failures = 0u32;
    loop {
        if shared.is_stopped() {
            return ServerMode::Unknown;
        }
        match shared.client.whoami().await {
            Ok(me) => {
                shared.signal(Signal::Answered);
                let mode = if me.is_some() {
                    shared.signal(Signal::Extension);
                    ServerMode::Extension
                } else {
                    shared.signal(Signal::Generic);
                    ServerMode::Generic
                };
                shared.update_status(|s| {
                    s.mode = mode;
                    s.me = me;
                });
                shared.mode.send_replace(mode);
                return mode;
            }
            Err(e) => {
                shared.signal_error(&e);
                shared.note_error("cannot reach the server", &e);
                failures = failures.saturating_add(1);
            }
        }
        let wait = shared.config.reconnect.delay(failures);
        if !shared.rest(Some(wait), &shared.pull_wake).await {
            return ServerMode::Unknown;
        }
    }
}

/// Reads the changes feed from the cursor to its end.
async fn pull_feed(shared: &Shared) {
    let mut cursor = match shared.local(|l| l.cursor()).await {
        Ok(c) => c.unwrap_or(0),
        Err(e) => return shared.note_error("cannot read the cursor", &e),
    };
    loop {
        if shared.is_stopped() {
            return;
        }
        let page = match shared.client.changes(cursor, shared.config.feed_page).await {
            Ok(page) => page,
            Err(e) => {
                shared.signal_error(&e);
                return shared.note_error("cannot read the changes feed", &e);
            }
        };
        shared.signal(Signal::Answered);
        let effect = decide::orders_touched(&page.changes);
        let mut outbox: Option<Vec<OutboxEntry>> = None;
        for touched in &effect.orders {
            if let Err(e) = pull_order(shared, touched, &mut outbox).await {
                // Not past this page: the cursor stays, the page is read again.
                return shared.note_error(&format!("cannot pull order {}", touched.order), &e);
            }
        }
        for order in effect.queue {
            shared.emit(SyncEvent::QueueChanged { order });
        }
        if page.next_cursor != cursor {
            let next = page.next_cursor;
            if let Err(e) = shared.local(move |l| l.set_cursor(next)).await {
                return shared.note_error("cannot store the cursor", &e);
            }
            cursor = next;
            shared.update_status(|s| s.cursor = Some(next));
        }
        if !page.has_more {
            shared.synced();
            return;
        }
    }
}

/// A generic TMF622 server has no feed: read each open order the desk holds.
async fn poll_open_orders(shared: &Shared) {
    let ids = match shared.local(|l| l.open_orders()).await {
        Ok(ids) => ids,
        Err(e) => return shared.note_error("cannot list the open orders", &e),
    };
    let mut outbox = None;
    for id in ids {
        if shared.is_stopped() {
            return;
        }
        let touched = Touched {
            order: id,
            version: None,
            deleted: false,
        };
        if let Err(e) = pull_order(shared, &touched, &mut outbox).await {
            return shared.note_error(&format!("cannot poll order {}", touched.order), &e);
        }
    }
    shared.synced();
}

/// Why pulling an order stopped.
#[derive(Debug, thiserror::Error)]
enum PullError {
    #[error(transparent)]
    Server(#[from] SyncError),
    #[error(transparent)]
    Local(#[from] LocalError),
}

/// Reads one touched order (unless the local copy is current) and merges it.
async fn pull_order(
    shared: &Shared,
    touched: &Touched,
    outbox: &mut Option<Vec<OutboxEntry>>,
) -> Result<(), PullError> {
    let id = touched.order.clone();
    let snapshot = shared.local(move |l| l.snapshot(&id)).await?;
    if !decide::needs_fetch(snapshot.as_ref(), touched) {
        return Ok(());
    }
    let order = match shared.client.get_order(&touched.order).await {
        Ok(order) => order,
        // Deleted since (administration): nothing to merge.
        Err(SyncError::Server { status: 404, .. }) => return Ok(()),
        Err(e) => {
            shared.signal_error(&e);
            return Err(e.into());
        }
    };
    let mut stopped = shared.stopped.clone();
    loop {
        // Armed before looking, so an entry landing in between is not missed.
        let landed = shared.landed.notified();
        tokio::pin!(landed);
        landed.as_mut().enable();
        if merge_order(shared, &order, outbox).await? == Merged::Done {
            return Ok(());
        }
        tokio::select! {
            _ = stopped.wait_for(|s| *s) => return Ok(()),
            () = &mut landed => {}
        }
    }
}

/// Whether a pulled order was merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Merged {
    Done,
    /// A change of the order (or its create) is on the wire: merge once it has landed.
    InFlight,
}

/// Merges a pulled order under the merge lock, unless the push has a change of it in flight.
async fn merge_order(
    shared: &Shared,
    order: &ServerOrder,
    outbox: &mut Option<Vec<OutboxEntry>>,
) -> Result<Merged, PullError> {
    let _merging = shared.merge.lock().await;
    if shared.with_flights(|f| f.server_ids.contains(&order.id)) {
        return Ok(Merged::InFlight);
    }
    let id = order.id.clone();
    let snapshot = shared.local(move |l| l.snapshot(&id)).await?;
    if snapshot.is_none() {
        if outbox.is_none() {
            *outbox = Some(shared.local(|l| l.pending_outbox()).await?);
        }
        let mine = outbox
            .as_deref()
            .and_then(|entries| decide::claims_pulled(entries, order));
        if let Some(entry) = mine.and_then(|m| outbox.as_deref()?.iter().find(|e| e.id == m)) {
            let entry = entry.clone();
            // The create is on the wire: its answer records it.
            let flying = shared.with_flights(|f| {
                let flying = f.entries.contains(&entry.id);
                if !flying {
                    f.claimed.insert(entry.id);
                }
                flying
            });
            if flying {
                return Ok(Merged::InFlight);
            }
            record_sent(shared, &entry, &order.id, Some(order.clone()), true).await?;
            if let Some(entries) = outbox.as_mut() {
                entries.retain(|e| e.id != entry.id);
            }
            return Ok(Merged::Done);
        }
    }
    match decide::merge_pulled(snapshot.as_ref(), order) {
        MergeDecision::Skip => {}
        MergeDecision::Apply => {
            let stored = order.clone();
            if shared.local(move |l| l.apply_pulled(&stored)).await? {
                shared.emit(SyncEvent::OrderChanged {
                    id: order.id.clone(),
                });
            }
        }
        MergeDecision::Conflict { .. } => {
            let stored = order.clone();
            shared.local(move |l| l.refresh_order(&stored)).await?;
            shared.emit(SyncEvent::OrderChanged {
                id: order.id.clone(),
            });
        }
    }
    Ok(Merged::Done)
}

// ---------------------------------------------------------------------------------------------
// Live

async fn live_loop(shared: Arc<Shared>) {
    let mut mode = shared.mode.subscribe();
    let mut stopped = shared.stopped.clone();
    tokio::select! {
        _ = stopped.wait_for(|s| *s) => return,
        known = mode.wait_for(|m| *m != ServerMode::Unknown) => match known {
            Ok(m) if *m == ServerMode::Extension => {}
            _ => return,
        },
    }
    let mut failures = 0u32;
    loop {
        if shared.is_stopped() {
            return;
        }
        match shared.client.live(None).await {
            Ok(mut stream) => {
                failures = 0;
                shared.signal(Signal::LiveUp);
                // Catch up on what committed before the stream opened.
                shared.pull_wake.notify_one();
                loop {
                    let next = tokio::select! {
                        _ = stopped.wait_for(|s| *s) => return,
                        next = tokio::time::timeout(shared.config.live_idle, stream.next()) => next,
                    };
                    match next {
                        Ok(Ok(Some(event))) => {
                            if event.change().is_some() {
                                shared.pull_wake.notify_one();
                            }
                        }
                        Ok(Ok(None)) => break,
                        Ok(Err(e)) => {
                            shared.note_error("the live push broke off", &e);
                            break;
                        }
                        Err(_) => {
                            shared.note_error("the live push went silent", &"reconnecting");
                            break;
                        }
                    }
                }
                shared.signal(Signal::LiveDown);
            }
            Err(e) => {
                shared.signal_error(&e);
                failures = failures.saturating_add(1);
            }
        }
        let wait = shared
            .config
            .reconnect
            .delay(failures.max(1))
            .min(shared.config.reconnect.max);
        if !shared.rest(Some(wait), &Notify::new()).await {
            return;
        }
    }
}
