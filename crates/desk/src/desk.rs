//! [`Desk`]: one signed-in user's desk, built once at sign-in and shared (it is a cheap clone).
//!
//! [`Desk::open`] asks the server who the token is (or, offline, the profile what it was last
//! time), opens the user's local store, loads the reference data local validation reads (the
//! demo fixtures on a first start), and starts the sync engine. The methods of each screen area
//! live in their own module (`catalog`, `capture`, `orders`, `queue`, `approvals`, `history`,
//! `sync_status`); each names the right it needs first.

use chrono::{DateTime, Utc};
use orderdesk_domain::reference::{
    AddressDirectory, CustomerDirectory, Merged, OrderHistory, OrderSummary,
};
use orderdesk_domain::validation::{Pipeline, ValidationContext, ValidationPolicy};
use orderdesk_domain::{
    AddressId, CustomerId, OfferingId, OrderId, OrderState, PaymentMethodId, ProductOrder,
};
use orderdesk_fixtures::{Fixtures, InMemoryOrders};
use orderdesk_store::local::{LocalOrder, LocalStore, SearchText};
use orderdesk_store::StoreError;
use orderdesk_sync::engine::{Clock as EngineClock, EngineConfig};
use orderdesk_sync::{
    ApiVersion, Endpoint, ServerClient, SyncEngine, SyncError, SyncEvent, SyncHandle,
};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::clock::{Clock, DeskIds};
use crate::error::DeskError;
use crate::events::{DeskEvent, SyncStatus, EVENT_BUFFER};
use crate::local::DeskLocal;
use crate::permission::{Permission, Role};
use crate::reference::{fixture_rows, ReferenceKind, ReferenceRows, ReferenceSnapshot};
use crate::session::{Profile, Session};

/// How to open a desk.
#[derive(Debug, Clone)]
pub struct DeskConfig {
    /// The app-data directory (the platform's in the app, a temp dir in tests); profiles live
    /// under it.
    pub data_dir: PathBuf,
    /// The server's root, `http://host:port`.
    pub server_url: String,
    /// The TMF622 version to speak.
    pub api_version: ApiVersion,
    /// The user's bearer token.
    pub token: String,
    /// Where the reference data of a first start comes from (the demo fixtures);
    /// `None`: the repository's `fixtures/`.
    pub fixtures_dir: Option<PathBuf>,
    /// Start the sync engine when the desk opens (tests may start it later).
    pub start_sync: bool,
    /// The sync engine's tunables.
    pub engine: EngineConfig,
    /// How long a call to the server may take before the desk calls it offline.
    pub request_timeout: Duration,
    /// How often the reference data is refreshed from the server while the engine runs (it is
    /// also refreshed when the engine starts and when the user asks to sync now); `None`: only
    /// then.
    pub reference_refresh: Option<Duration>,
}

impl DeskConfig {
    /// The defaults: TMF622 v5, demo fixtures, sync started.
    pub fn new(
        data_dir: impl Into<PathBuf>,
        server_url: impl Into<String>,
        token: impl Into<String>,
    ) -> Self {
        Self {
            data_dir: data_dir.into(),
            server_url: server_url.into(),
            api_version: ApiVersion::V5,
            token: token.into(),
            fixtures_dir: None,
            start_sync: true,
            engine: EngineConfig::default(),
            request_timeout: Duration::from_secs(15),
            reference_refresh: Some(Duration::from_secs(15 * 60)),
        }
    }
}

/// One signed-in user's desk.
#[derive(Clone)]
pub struct Desk {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("session", &self.inner.session)
            .field("server_url", &self.inner.server_url)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub session: Session,
    pub server_url: String,
    pub api: ApiVersion,
    pub profile: Profile,
    pub store: Arc<LocalStore>,
    pub client: ServerClient,
    pub clock: Arc<dyn Clock>,
    pub ids: Mutex<DeskIds>,
    pub reference: RwLock<Arc<ReferenceSnapshot>>,
    pub pipeline: Pipeline,
    pub policy: ValidationPolicy,
    pub events: broadcast::Sender<DeskEvent>,
    pub sync_events: broadcast::Sender<SyncEvent>,
    pub local: Arc<DeskLocal>,
    pub engine_config: EngineConfig,
    pub engine: tokio::sync::Mutex<Option<Running>>,
    pub status: Mutex<SyncStatus>,
    pub history: crate::history::HistoryCache,
    pub reference_refresh: Option<Duration>,
    /// Held while the reference data is refreshed: one refresh at a time.
    pub refreshing: tokio::sync::Mutex<()>,
}

/// The running engine, the task that forwards its events, and the reference refresher.
pub(crate) struct Running {
    pub handle: SyncHandle,
    pub forwarder: JoinHandle<()>,
    pub refresher: JoinHandle<()>,
    pub refresh_now: Arc<tokio::sync::Notify>,
}

impl Desk {
    /// Signs in and opens the user's desk: see the module docs. Offline, a token that signed in
    /// here before opens its profile with the role it had; a new one is refused
    /// ([`DeskError::NoCachedSession`]).
    pub async fn open(
        config: DeskConfig,
        clock: Arc<dyn Clock>,
        ids: DeskIds,
    ) -> Result<Self, DeskError> {
        let url = config.server_url.trim().to_owned();
        if url.is_empty() {
            return Err(DeskError::invalid("serverUrl", "empty"));
        }
        if config.token.trim().is_empty() {
            return Err(DeskError::invalid("token", "empty"));
        }
        let mut endpoint = Endpoint::new(url.clone(), config.api_version, config.token.trim());
        endpoint.request_timeout = config.request_timeout;
        endpoint.connect_timeout = config.request_timeout.min(Duration::from_secs(5));
        let client = ServerClient::new(endpoint).map_err(|e| map_sync(e, "signing in"))?;

        let (profile, session) = match client.whoami().await {
            Ok(Some(me)) => {
                let role = Role::parse(&me.role).ok_or_else(|| DeskError::Refused {
                    status: 403,
                    server_code: "unknownRole".into(),
                    message: format!("the server gave the role `{}`", me.role),
                })?;
                let session = Session {
                    user_id: me.id.into(),
                    name: me.name,
                    role,
                };
                session.require(Permission::UseDesk)?;
                let profile = Profile::of(&config.data_dir, &url, &session.user_id);
                profile.remember(&url, config.token.trim(), &session, clock.now())?;
                (profile, session)
            }
            Ok(None) => {
                return Err(DeskError::Refused {
                    status: 404,
                    server_code: "noDeskExtension".into(),
                    message: "the server has no Orderdesk desk extension to say who this is".into(),
                })
            }
            Err(SyncError::Offline(reason)) => {
                Profile::find_cached(&config.data_dir, &url, config.token.trim())
                    .ok_or(DeskError::NoCachedSession { reason })?
            }
            Err(e) if matches!(e.status(), Some(401 | 403)) => return Err(DeskError::Unauthorized),
            Err(e) => return Err(map_sync(e, "signing in")),
        };
        session.require(Permission::UseDesk)?;

        let store = Arc::new(LocalStore::open(&profile.database()).map_err(DeskError::storage)?);
        let fixtures = load_fixtures(config.fixtures_dir.as_deref());
        let snapshot = load_reference(&store, fixtures.as_ref(), clock.now())?;

        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let (sync_events, _) = broadcast::channel(EVENT_BUFFER);
        let snapshot = Arc::new(snapshot);
        let local = Arc::new(DeskLocal::new(
            Arc::clone(&store),
            Arc::clone(&clock),
            events.clone(),
        ));
        local.set_reference(Arc::clone(&snapshot));
        let reference = RwLock::new(snapshot);
        let last_sync = store.last_sync_at().map_err(DeskError::storage)?;
        let desk = Self {
            inner: Arc::new(Inner {
                session,
                server_url: url,
                api: config.api_version,
                profile,
                store,
                client,
                clock,
                ids: Mutex::new(ids),
                reference,
                pipeline: Pipeline::standard(),
                policy: ValidationPolicy::default(),
                events,
                sync_events,
                local,
                engine_config: config.engine.clone(),
                engine: tokio::sync::Mutex::new(None),
                status: Mutex::new(SyncStatus {
                    last_sync,
                    ..SyncStatus::default()
                }),
                history: crate::history::HistoryCache::default(),
                reference_refresh: config.reference_refresh,
                refreshing: tokio::sync::Mutex::new(()),
            }),
        };
        desk.refresh_status_counts();
        if config.start_sync {
            desk.start_sync().await;
        }
        Ok(desk)
    }

    /// Who is signed in.
    pub fn session(&self) -> &Session {
        &self.inner.session
    }

    /// The server this desk syncs with.
    pub fn server_url(&self) -> &str {
        &self.inner.server_url
    }

    /// The user's local database (for tests and diagnostics).
    pub fn store(&self) -> &LocalStore {
        &self.inner.store
    }

    /// The user's profile directory.
    pub fn profile(&self) -> &Profile {
        &self.inner.profile
    }

    /// Change notifications: every committed local change and every change the sync engine
    /// brings in.
    pub fn subscribe(&self) -> broadcast::Receiver<DeskEvent> {
        self.inner.events.subscribe()
    }

    /// The sync engine's own events (for tests that follow the engine closely).
    pub fn subscribe_sync(&self) -> broadcast::Receiver<SyncEvent> {
        self.inner.sync_events.subscribe()
    }

    /// Starts the sync engine (no-op when it runs). Needs a tokio runtime.
    pub async fn start_sync(&self) {
        let mut engine = self.inner.engine.lock().await;
        if engine.is_some() {
            return;
        }
        let clock = Arc::clone(&self.inner.clock);
        let engine_clock: EngineClock = Arc::new(move || clock.now());
        let handle = SyncEngine::spawn_with(
            self.inner.engine_config.clone(),
            self.inner.client.clone(),
            Arc::clone(&self.inner.local) as Arc<dyn orderdesk_sync::SyncLocal>,
            engine_clock,
            self.inner.sync_events.clone(),
        );
        let forwarder = tokio::spawn(forward(self.clone(), self.inner.sync_events.subscribe()));
        let refresh_now = Arc::new(tokio::sync::Notify::new());
        let refresher = tokio::spawn(crate::refresh::refresh_loop(
            self.clone(),
            self.inner.reference_refresh,
            Arc::clone(&refresh_now),
        ));
        *engine = Some(Running {
            handle,
            forwarder,
            refresher,
            refresh_now,
        });
    }

    /// Stops the sync engine: calls in flight finish (briefly), nothing new is sent. Local work
    /// goes on and waits in the outbox.
    pub async fn stop_sync(&self) {
        let running = self.inner.engine.lock().await.take();
        if let Some(running) = running {
            running.refresher.abort();
            running.handle.shutdown().await;
            running.forwarder.abort();
        }
        let mut status = self.status_guard();
        status.online = false;
        let snapshot = status.clone();
        drop(status);
        self.emit(DeskEvent::SyncStatus(snapshot));
    }

    /// Whether the sync engine runs.
    pub async fn is_syncing(&self) -> bool {
        self.inner.engine.lock().await.is_some()
    }

    /// Push the outbox and pull the server's changes now (no-op while the engine is stopped).
    pub async fn sync_now(&self) {
        if let Some(running) = self.inner.engine.lock().await.as_ref() {
            running.handle.wake();
            running.handle.pull_now();
        }
    }

    /// Refresh the reference data now, in the background (no-op while the engine is stopped).
    pub(crate) async fn refresh_reference_soon(&self) {
        if let Some(running) = self.inner.engine.lock().await.as_ref() {
            running.refresh_now.notify_one();
        }
    }

    /// Waits until the outbox holds nothing sendable (every entry sent, refused or in conflict),
    /// nudging the engine meanwhile; `false` when `timeout` passed first.
    pub async fn await_idle(&self, timeout: Duration) -> Result<bool, DeskError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let counts = self
                .inner
                .store
                .outbox_counts()
                .map_err(DeskError::storage)?;
            if counts.pending == 0 {
                return Ok(true);
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(false);
            }
            self.sync_now().await;
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Closes the desk: stops the engine. The local store closes when the last clone drops.
    pub async fn close(&self) {
        self.stop_sync().await;
    }

    // -----------------------------------------------------------------------------------------
    // Shared helpers of the domain modules.

    pub(crate) fn require(&self, permission: Permission) -> Result<(), DeskError> {
        self.inner.session.require(permission)
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    pub(crate) fn next_id(&self, kind: &str) -> String {
        let mut ids = self.inner.ids.lock().unwrap_or_else(|p| p.into_inner());
        ids.next_id(kind)
    }

    pub(crate) fn reference(&self) -> Arc<ReferenceSnapshot> {
        Arc::clone(
            &self
                .inner
                .reference
                .read()
                .unwrap_or_else(|p| p.into_inner()),
        )
    }

    pub(crate) fn update_reference(&self, f: impl FnOnce(&mut ReferenceSnapshot)) {
        let mut guard = self
            .inner
            .reference
            .write()
            .unwrap_or_else(|p| p.into_inner());
        let mut next = (**guard).clone();
        f(&mut next);
        let next = Arc::new(next);
        self.inner.local.set_reference(Arc::clone(&next));
        *guard = next;
    }

    /// Swaps in a new reference snapshot (a refresh from the server).
    pub(crate) fn set_reference(&self, next: ReferenceSnapshot) {
        let next = Arc::new(next);
        self.inner.local.set_reference(Arc::clone(&next));
        *self
            .inner
            .reference
            .write()
            .unwrap_or_else(|p| p.into_inner()) = next;
    }

    pub(crate) fn client(&self) -> &ServerClient {
        &self.inner.client
    }

    pub(crate) fn emit(&self, event: DeskEvent) {
        // No listener is not an error: the window may not be up yet.
        let _ = self.inner.events.send(event);
    }

    pub(crate) fn emit_order(&self, order: &LocalOrder) {
        self.emit(DeskEvent::OrderChanged {
            order: order.order.id.to_string(),
            server_id: self.inner.local.server_id_of(order),
        });
    }

    /// Tells the engine a new outbox entry waits, and refreshes the pending count.
    pub(crate) async fn wake_sync(&self) {
        if let Some(running) = self.inner.engine.lock().await.as_ref() {
            running.handle.wake();
        }
        self.refresh_status_counts();
    }

    pub(crate) fn status_guard(&self) -> std::sync::MutexGuard<'_, SyncStatus> {
        self.inner.status.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Recounts the outbox into the status and announces it when it changed.
    pub(crate) fn refresh_status_counts(&self) {
        let Ok(counts) = self.inner.store.outbox_counts() else {
            return;
        };
        let conflicts = self.inner.local.conflict_count();
        let mut status = self.status_guard();
        let pending = u32::try_from(counts.pending + counts.failed).unwrap_or(u32::MAX);
        let attention = u32::try_from(counts.failed)
            .unwrap_or(u32::MAX)
            .saturating_add(conflicts);
        if status.pending == pending && status.needs_attention == attention {
            return;
        }
        status.pending = pending;
        status.needs_attention = attention;
        let snapshot = status.clone();
        drop(status);
        self.emit(DeskEvent::SyncStatus(snapshot));
    }

    /// The text lists and search show for an order: the customer's name, the first address.
    pub(crate) fn search_text(&self, order: &ProductOrder) -> SearchText {
        search_text(&self.reference(), order)
    }

    /// A local order by its local id, or by the server's id.
    pub(crate) fn local_order(&self, id: &str) -> Result<LocalOrder, DeskError> {
        self.inner
            .local
            .find(id)
            .map_err(DeskError::storage)?
            .ok_or_else(|| DeskError::not_found("order", id))
    }

    /// The server's id of a local order; `Offline`-like refusal when it has none yet.
    pub(crate) fn server_id(
        &self,
        order: &LocalOrder,
        action: &'static str,
    ) -> Result<String, DeskError> {
        self.inner
            .local
            .server_id_of(order)
            .ok_or_else(|| DeskError::Refused {
                status: 409,
                server_code: "notYetSynced".into(),
                message: format!(
                    "{action} needs the order on the server; order `{}` still awaits sync",
                    order.order.id
                ),
            })
    }

    /// The history validation reads: the local orders plus those that existed before the desk.
    pub(crate) fn with_validation<T>(
        &self,
        f: impl FnOnce(&Pipeline, &ValidationContext<'_>) -> T,
    ) -> T {
        let snapshot = self.reference();
        let local = LocalOrders(&self.inner.store);
        let history = Merged::new(&local, Some(snapshot.prior_orders()));
        let ctx = ValidationContext {
            now: self.now(),
            catalog: &*snapshot,
            addresses: &*snapshot,
            customers: &*snapshot,
            inventory: &*snapshot,
            orders: &history,
            policy: &self.inner.policy,
        };
        f(&self.inner.pipeline, &ctx)
    }

    pub(crate) fn api(&self) -> ApiVersion {
        self.inner.api
    }
}

/// The desk's role in the engine's status: what the status bar shows.
fn status_from(engine: &orderdesk_sync::SyncStatus, previous: &SyncStatus) -> SyncStatus {
    use orderdesk_sync::decide::ConnectionState;
    SyncStatus {
        online: engine.connection != ConnectionState::Offline,
        pending: previous.pending,
        needs_attention: previous.needs_attention,
        last_error: engine.last_error.clone(),
        last_sync: engine.last_sync.or(previous.last_sync),
    }
}

/// Turns the engine's events into the desk's: status changes (with the local outbox counts),
/// and queue refreshes. Order changes are announced by [`DeskLocal`] as it writes them.
///
/// The outbox is recounted once the events at hand are handled, not once per event: while the
/// outbox drains, the engine reports every answer, thousands a minute.
async fn forward(desk: Desk, mut rx: broadcast::Receiver<SyncEvent>) {
    let mut recount = false;
    loop {
        let received = if recount {
            match rx.try_recv() {
                Ok(e) => Ok(e),
                Err(broadcast::error::TryRecvError::Lagged(_)) => continue,
                Err(broadcast::error::TryRecvError::Empty) => {
                    desk.refresh_status_counts();
                    recount = false;
                    continue;
                }
                Err(broadcast::error::TryRecvError::Closed) => Err(()),
            }
        } else {
            match rx.recv().await {
                Ok(e) => Ok(e),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => Err(()),
            }
        };
        let Ok(event) = received else {
            if recount {
                desk.refresh_status_counts();
            }
            return;
        };
        match event {
            SyncEvent::Status(engine) => {
                let mut status = desk.status_guard();
                let next = status_from(&engine, &status);
                let changed = *status != next;
                *status = next.clone();
                drop(status);
                if changed {
                    desk.emit(DeskEvent::SyncStatus(next));
                }
                recount = true;
            }
            SyncEvent::QueueChanged { .. } => {
                if desk.require(Permission::WorkQueue).is_ok() {
                    if let Err(e) = desk.refresh_queue().await {
                        tracing::debug!(error = %e, "queue refresh after a change failed");
                    }
                }
            }
            SyncEvent::Sent { .. } | SyncEvent::Rejected { .. } | SyncEvent::Conflict { .. } => {
                recount = true;
            }
            SyncEvent::OrderChanged { .. } => {}
        }
    }
}

/// What a failed server call means at the desk.
pub(crate) fn map_sync(e: SyncError, action: &'static str) -> DeskError {
    match e {
        SyncError::Offline(reason) => DeskError::Offline { action, reason },
        SyncError::Conflict { error, .. } => DeskError::VersionConflict {
            order: error.message.clone().unwrap_or_default(),
            message: error.describe(),
        },
        SyncError::Server { status, error, .. } => {
            let message = error.describe();
            match (status, error.code.as_str()) {
                (401, _) => DeskError::Unauthorized,
                (409, "claimedByAnother") => DeskError::ClaimedByAnother { message },
                (409, "claimRequired") => DeskError::ClaimRequired { message },
                (404, _) => DeskError::NotFound {
                    what: "server resource",
                    id: if error.reason.is_empty() {
                        message
                    } else {
                        error.reason.clone()
                    },
                },
                (500.., _) => DeskError::Server { message },
                _ => DeskError::Refused {
                    status,
                    server_code: error.code,
                    message,
                },
            }
        }
        SyncError::Decode(m) | SyncError::Invalid(m) => DeskError::Server { message: m },
    }
}

fn load_fixtures(dir: Option<&std::path::Path>) -> Option<Fixtures> {
    let dir = dir.map_or_else(Fixtures::default_dir, std::path::Path::to_path_buf);
    match Fixtures::load(&dir) {
        Ok(f) => Some(f),
        Err(e) => {
            tracing::warn!(error = %e, "no fixtures: offline validation has only the stored reference data");
            None
        }
    }
}

/// The stored reference data, seeded from the fixtures on a first start.
fn load_reference(
    store: &LocalStore,
    fixtures: Option<&Fixtures>,
    now: DateTime<Utc>,
) -> Result<ReferenceSnapshot, DeskError> {
    let mut rows: ReferenceRows = Vec::new();
    for kind in ReferenceKind::ALL {
        let list = store.list_reference(*kind).map_err(DeskError::storage)?;
        rows.push((*kind, list));
    }
    let empty = rows.iter().all(|(_, r)| r.is_empty());
    if empty {
        if let Some(fixtures) = fixtures {
            rows = fixture_rows(fixtures)?;
            for (kind, list) in &rows {
                store
                    .put_references(*kind, list, now)
                    .map_err(DeskError::storage)?;
            }
        }
    }
    let snapshot = ReferenceSnapshot::from_rows(&rows)?;
    Ok(match fixtures {
        Some(f) => snapshot.with_prior_orders(f.order_history(now)),
        None => snapshot.with_prior_orders(InMemoryOrders::new()),
    })
}

pub(crate) fn search_text(reference: &ReferenceSnapshot, order: &ProductOrder) -> SearchText {
    SearchText {
        customer_name: reference.customer(&order.customer).map(|c| c.name.clone()),
        address: order
            .places()
            .first()
            .and_then(|p| reference.address(p))
            .map(|a| a.one_line()),
    }
}

/// [`OrderHistory`] over the local store, merged with the orders that existed before the desk
/// (the fixtures' history, which no store holds). A store failure is logged and answers "none":
/// validation must not fail on it.
struct LocalOrders<'a>(&'a LocalStore);

pub(crate) fn summary_of(order: &ProductOrder) -> OrderSummary {
    OrderSummary {
        id: order.id.clone(),
        customer: order.customer.clone(),
        external_ids: order.external_ids.iter().map(|e| e.id.clone()).collect(),
        channel: order.channel.clone(),
        offerings: order
            .items
            .iter()
            .filter_map(|i| i.offering.clone())
            .collect(),
        places: order.places().into_iter().cloned().collect(),
        payment_method: order.payment.method.clone(),
        state: order.state(),
        order_date: order.order_date,
    }
}

/// The store's answer, or `fallback` (logged) when the store cannot answer.
fn logged<T>(found: Result<T, StoreError>, fallback: T) -> T {
    found.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "local order history unavailable to validation");
        fallback
    })
}

impl OrderHistory for LocalOrders<'_> {
    fn orders_with_external_id(&self, external_id: &str, except: &OrderId) -> Vec<OrderSummary> {
        logged(self.0.get_by_external_id(external_id), None)
            .filter(|o| &o.order.id != except && o.order.state() != OrderState::Draft)
            .map(|o| summary_of(&o.order))
            .into_iter()
            .collect()
    }

    fn customer_orders_since(
        &self,
        customer: &CustomerId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> usize {
        logged(self.0.customer_orders_since(customer, since, except), 0).min(at_most)
    }

    fn address_orders_since(
        &self,
        address: &AddressId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> usize {
        logged(self.0.address_orders_since(address, since, except), 0).min(at_most)
    }

    fn payment_customers_since(
        &self,
        _method: &PaymentMethodId,
        _since: DateTime<Utc>,
        _except: &OrderId,
        _at_most: usize,
    ) -> Vec<CustomerId> {
        // The local store has no payment index; the desk's own orders of a payment method are
        // few and reach the server's velocity check anyway.
        Vec::new()
    }

    fn open_order_with(
        &self,
        customer: &CustomerId,
        offering: &OfferingId,
        place: &AddressId,
        except: &OrderId,
    ) -> Option<OrderSummary> {
        logged(
            self.0.open_order_with(customer, offering, place, except),
            None,
        )
    }
}

#[cfg(test)]
#[path = "desk_tests.rs"]
mod tests;
