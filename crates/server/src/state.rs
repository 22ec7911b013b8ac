//! [`AppState`]: everything a request handler or a background task needs, built once at start
//! ([`crate::start`]) and passed in. No globals.
//!
//! Holds the store, the reference snapshot the validation pipeline reads (catalog, addresses,
//! customers: built from the store's reference documents), the users by token, the pipeline and
//! its policy, the clock, the event broadcaster (the desk's live push subscribes to it), the
//! wake-up handles of the workflow and the hub notifier, and the optional [`Fulfilment`].
//!
//! The store is synchronous: [`AppState::db`] runs a closure on the blocking pool,
//! [`AppState::read`] a read on the server's reader threads.

use chrono::{DateTime, SubsecRound, Utc};
use orderdesk_domain::catalog::Catalog;
use orderdesk_domain::reference::{
    Address, AddressDirectory, CreditProfile, Customer, CustomerDirectory, Exchange, Merged,
    OrderHistory,
};
use orderdesk_domain::validation::{Pipeline, ValidationPolicy};
use orderdesk_domain::IdSource;
use orderdesk_fixtures::{InMemoryAddresses, InMemoryCatalog, InMemoryCustomers, InMemoryOrders};
use orderdesk_store::central::{
    CreateOutcome, NewOrder, PreparedChange, ReferenceKind, StoredOrder,
};
use orderdesk_store::CentralStore;
use orderdesk_tmf::tmf620::CatalogDocument;
use orderdesk_tmf::ApiVersion;
use serde::Serialize;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::{broadcast, mpsc, Notify};

use crate::auth::{Role, User, UserDirectory};
use crate::error::ApiError;
use crate::fulfilment::Fulfilment;

/// Where time comes from. The server reads the system clock; tests may pin it.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock, to the millisecond (what the store keeps).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(3)
    }
}

/// A clock that says what it is told, for tests.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = now;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Ids are time-ordered UUIDs (v7: a millisecond timestamp, then random bits); `kind` only
/// documents the caller's intent. Time-ordered, a new order's id lands at the end of the store's
/// id index instead of on a random page of it: one page less written per create, and the
/// recent orders' index pages stay together in the cache.
#[derive(Debug, Clone, Copy, Default)]
pub struct UuidIds;

impl IdSource for UuidIds {
    fn next_id(&mut self, _kind: &str) -> String {
        uuid::Uuid::now_v7().to_string()
    }
}

/// A new id for a resource the server creates (orders, cancel requests, hubs, events).
pub fn new_id() -> String {
    UuidIds.next_id("")
}

/// The reference data validation reads, as of start-up.
#[derive(Debug, Clone, Default)]
pub struct ReferenceSnapshot {
    pub catalog: InMemoryCatalog,
    pub addresses: InMemoryAddresses,
    pub customers: InMemoryCustomers,
}

/// Why the stored reference data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error(transparent)]
    Store(#[from] orderdesk_store::StoreError),
    #[error("reference document {kind} `{id}`: {message}")]
    Document {
        kind: &'static str,
        id: String,
        message: String,
    },
    #[error("the stored catalog does not hold together: {0}")]
    Catalog(#[from] orderdesk_tmf::tmf620::CatalogError),
}

fn docs<T: serde::de::DeserializeOwned>(
    store: &CentralStore,
    kind: ReferenceKind,
) -> Result<Vec<T>, ReferenceError> {
    store
        .list_reference(kind)?
        .into_iter()
        .map(|(id, doc)| {
            serde_json::from_value(doc).map_err(|e| ReferenceError::Document {
                kind: kind.as_str(),
                id,
                message: e.to_string(),
            })
        })
        .collect()
}

impl ReferenceSnapshot {
    /// Reads the reference documents (TMF620 catalog objects, domain addresses, exchanges,
    /// customers and credit profiles) from the store.
    pub fn load(store: &CentralStore) -> Result<Self, ReferenceError> {
        let catalog = CatalogDocument {
            product_offering: docs(store, ReferenceKind::ProductOffering)?,
            product_specification: docs(store, ReferenceKind::ProductSpecification)?,
            product_offering_price: docs(store, ReferenceKind::ProductOfferingPrice)?,
            extra: serde_json::Map::new(),
        };
        let mut addresses = InMemoryAddresses::default();
        for a in docs::<Address>(store, ReferenceKind::Address)? {
            addresses.insert_address(a, None);
        }
        for e in docs::<Exchange>(store, ReferenceKind::Exchange)? {
            addresses.insert_exchange(e);
        }
        let mut customers = InMemoryCustomers::default();
        for c in docs::<Customer>(store, ReferenceKind::Customer)? {
            customers.insert_customer(c, None, Vec::new());
        }
        for p in docs::<CreditProfile>(store, ReferenceKind::CreditProfile)? {
            customers.insert_credit_profile(p);
        }
        Ok(Self {
            catalog: InMemoryCatalog::new(catalog.to_domain()?),
            addresses,
            customers,
        })
    }
}

/// A `users` reference document.
#[derive(Debug, serde::Deserialize)]
struct UserDoc {
    id: String,
    name: String,
    role: String,
    token: String,
}

/// The users and their tokens, from the store. A document with a role the server does not know
/// is skipped (and logged): it grants nothing.
pub fn load_users(store: &CentralStore) -> Result<UserDirectory, ReferenceError> {
    let mut users = Vec::new();
    for doc in docs::<UserDoc>(store, ReferenceKind::User)? {
        let Some(role) = Role::parse(&doc.role) else {
            tracing::warn!(user = %doc.id, role = %doc.role, "user with an unknown role ignored");
            continue;
        };
        users.push((
            doc.token,
            User {
                id: doc.id.into(),
                name: doc.name,
                role,
            },
        ));
    }
    Ok(UserDirectory::new(users))
}

/// Something that happened to a resource, pushed to live followers (the desk's SSE stream)
/// after it committed. The changes feed in the store is the durable record of the same.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerEvent {
    /// `productOrder`, `cancelProductOrder`, `queueEntry`...
    pub entity: &'static str,
    pub id: String,
    /// `create`, `update`, `stateChange`, `delete`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub at: DateTime<Utc>,
}

/// The URL roots the server writes into `href`, `Location` and notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    /// `http://host:port`, no trailing slash.
    pub public: String,
}

impl Urls {
    /// The TMF622 API root of `version`: `{public}/tmf-api/productOrderingManagement/v4`.
    pub fn tmf622(&self, version: ApiVersion) -> String {
        format!("{}{}", self.public, crate::api::tmf622_base(version))
    }
}

/// Shared state of the running server.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<CentralStore>,
    /// Runs request handlers' store reads ([`AppState::read`]).
    pub readers: crate::readers::Readers,
    /// Runs background store reads (validation) apart from the requests' ([`AppState::read_in_background`]).
    pub background: crate::readers::Readers,
    /// Whether any hub subscription exists (changes skip their notifications when none does).
    pub subscribers: Arc<crate::subscribers::Subscribers>,
    pub reference: Arc<ReferenceSnapshot>,
    /// Demo mode's seed orders for duplicate and fraud screening.
    pub seed_history: Option<Arc<InMemoryOrders>>,
    pub users: Arc<UserDirectory>,
    pub pipeline: Arc<Pipeline>,
    pub policy: Arc<ValidationPolicy>,
    pub clock: Arc<dyn Clock>,
    pub events: broadcast::Sender<ServerEvent>,
    /// Orders for the workflow to move on (validation after create, resumption after a start).
    pub workflow: mpsc::UnboundedSender<orderdesk_domain::OrderId>,
    /// Wakes the hub notifier after a commit that may have queued notifications.
    pub notifier: Arc<Notify>,
    /// Hands accepted orders to delivery; `None`: they wait in `inProgress.accepted`.
    pub fulfilment: Option<Arc<dyn Fulfilment>>,
    /// The TMF641 service ordering API of the SOM (`--som-url`, or the demo simulator's).
    pub som_url: Option<String>,
    /// Fulfilment's TMF641 link to the SOM (listener credentials, per-order locks); `None`
    /// without a SOM.
    pub som_link: Option<Arc<crate::fulfilment::SomLink>>,
    pub urls: Urls,
    pub max_body_bytes: usize,
    /// `/openapi.json`, built on first request.
    pub openapi: Arc<OnceLock<axum::body::Bytes>>,
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("urls", &self.urls)
            .field("users", &self.users.len())
            .field("fulfilment", &self.fulfilment)
            .finish_non_exhaustive()
    }
}

fn committer_gone() -> ApiError {
    ApiError::internal("the store's committer stopped before answering")
}

impl AppState {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs `f` against the store on the blocking pool.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&CentralStore) -> Result<T, ApiError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| ApiError::internal(format!("store task failed: {e}")))?
    }

    /// Stores a new order through the store's group commit without holding a thread while the
    /// batch commits: encoded on the calling task, answered by the store's committer thread.
    pub async fn create_order(&self, new: &NewOrder<'_>) -> Result<CreateOutcome, ApiError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.store.create_order_then(new, move |result| {
            // The request may have gone away meanwhile: the order is stored all the same.
            let _ = answer.send(result);
        })?;
        Ok(answered.await.map_err(|_| committer_gone())??)
    }

    /// Commits a prepared order change through the store's group commit, like
    /// [`AppState::create_order`]; the last version's stored order, if any.
    pub async fn commit_change(
        &self,
        change: PreparedChange,
    ) -> Result<Option<StoredOrder>, ApiError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.store.commit_change_then(change, move |result| {
            let _ = answer.send(result);
        });
        Ok(answered.await.map_err(|_| committer_gone())??)
    }

    /// Runs a read-only `f` against the store on one of the server's reader threads: cheaper
    /// than [`AppState::db`] for the short reads requests make. Never a write (see
    /// [`crate::readers`]).
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&CentralStore) -> Result<T, ApiError> + Send + 'static,
    {
        self.readers.run(f).await
    }

    /// Runs a read-only `f` that may take long (validation) on a background reader thread, so
    /// that it never holds up a request's read (see [`crate::readers`]).
    pub async fn read_in_background<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&CentralStore) -> Result<T, ApiError> + Send + 'static,
    {
        self.background.run(f).await
    }

    /// Tells live followers and the hub notifier that something committed.
    pub fn announce(&self, event: ServerEvent) {
        // No receiver is fine: nobody is watching.
        let _ = self.events.send(event);
        if self.subscribers.any() {
            self.notifier.notify_one();
        }
    }

    /// Asks the workflow to look at an order.
    pub fn kick_workflow(&self, order: &orderdesk_domain::OrderId) {
        if self.workflow.send(order.clone()).is_err() {
            tracing::warn!(order = %order, "the workflow has stopped; the order waits for a restart");
        }
    }

    /// The history a validation reads: the store's orders, plus (in demo mode) the fixture
    /// orders that "exist" when the demo starts (`fixtures/orders.json`, which the store does
    /// not hold, so the two never share an order).
    pub fn history<'a>(&'a self, store: &'a CentralStore) -> Merged<'a> {
        Merged::new(
            store,
            self.seed_history.as_deref().map(|s| s as &dyn OrderHistory),
        )
    }

    pub fn catalog(&self) -> &dyn Catalog {
        &self.reference.catalog
    }

    pub fn addresses(&self) -> &dyn AddressDirectory {
        &self.reference.addresses
    }

    pub fn customers(&self) -> &dyn CustomerDirectory {
        &self.reference.customers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderdesk_domain::reference::OrderSummary;

    #[test]
    fn the_manual_clock_moves_only_when_told() {
        let t0 = DateTime::parse_from_rfc3339("2026-11-26T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = ManualClock::new(t0);
        assert_eq!(clock.now(), t0);
        clock.advance(chrono::Duration::minutes(5));
        assert_eq!(clock.now(), t0 + chrono::Duration::minutes(5));
        clock.set(t0);
        assert_eq!(clock.now(), t0);
    }

    #[test]
    fn the_system_clock_keeps_milliseconds() {
        let now = SystemClock.now();
        assert_eq!(now.timestamp_subsec_nanos() % 1_000_000, 0);
    }

    #[test]
    fn ids_are_unique() {
        assert_ne!(new_id(), new_id());
    }

    /// The summary validation used to build by decoding an order's document.
    fn summary_from_document(order: &orderdesk_domain::ProductOrder) -> OrderSummary {
        let mut offerings = Vec::new();
        for item in &order.items {
            if let Some(o) = &item.offering {
                if !offerings.contains(o) {
                    offerings.push(o.clone());
                }
            }
        }
        OrderSummary {
            id: order.id.clone(),
            customer: order.customer.clone(),
            external_ids: order.external_ids.iter().map(|e| e.id.clone()).collect(),
            channel: order.channel.clone(),
            offerings,
            places: order.places().into_iter().cloned().collect(),
            payment_method: order.payment.method.clone(),
            state: order.state(),
            order_date: order.order_date,
        }
    }

    /// The verdicts of validation over the store's history (summaries from columns, the
    /// customer's orders fetched once) are those over summaries decoded from the documents.
    #[test]
    fn validation_gives_the_same_verdicts_from_the_store_as_from_the_documents() {
        use orderdesk_domain::desk::versions::record;
        use orderdesk_domain::lifecycle::OrderCommand;
        use orderdesk_domain::order::ExternalId;
        use orderdesk_domain::validation::ValidationContext;
        use orderdesk_domain::{OrderId, UserId};
        use orderdesk_store::central::{NewOrder, OrderUpdate};

        let fixtures = orderdesk_fixtures::Fixtures::load_default().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = CentralStore::open(dir.path()).unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-26T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let by = UserId::new("U-1");
        let external = |owner: &str, id: String| ExternalId {
            owner: Some(owner.to_owned()),
            kind: None,
            id,
        };
        // Every quote's order three times, spread over two days (inside and outside the fraud
        // windows), some of them cancelled: duplicates, velocity and closed orders all occur.
        let mut ids = Vec::new();
        for round in 0..3i64 {
            for (n, quote) in fixtures.quotes().iter().enumerate() {
                let hours = round * 8 + i64::try_from(n).unwrap();
                let at = now - chrono::Duration::hours(hours);
                let id = OrderId::new(format!("O-{round}-{n}"));
                let mut order = fixtures
                    .order_from_quote(&quote.id, id.clone(), at)
                    .unwrap();
                order.phase.draft = false;
                // The quote's own reference would make the later rounds idempotent replays.
                order.external_ids = vec![external("web", format!("EXT-{round}-{n}"))];
                store
                    .create_order(&NewOrder {
                        order: &order,
                        extensions: None,
                        idempotency_key: None,
                        by: &by,
                        at,
                        reason: "test",
                        events: &[],
                    })
                    .unwrap();
                if round <= 1 && n % 3 == 0 {
                    let cancel = OrderCommand::Cancel {
                        reason: "withdrawn".into(),
                    };
                    let (next, version) = record(&order, &cancel, at, &by, "test").unwrap();
                    store
                        .update_order(&OrderUpdate {
                            order: &next,
                            expected_version: order.version,
                            version: &version,
                            extensions: None,
                            events: &[],
                        })
                        .unwrap();
                }
                ids.push(id);
            }
        }
        // The same orders as summaries of their documents, in the store's order (order date,
        // then creation).
        let mut documents: Vec<(usize, orderdesk_domain::ProductOrder)> = ids
            .iter()
            .enumerate()
            .map(|(n, id)| (n, store.get_order(id).unwrap().order))
            .collect();
        documents.sort_by_key(|(n, o)| (o.order_date, *n));
        let mut from_documents = InMemoryOrders::new();
        for (_, order) in &documents {
            from_documents.push(summary_from_document(order));
        }

        let policy = ValidationPolicy::default();
        let pipeline = Pipeline::standard();
        let mut held_or_rejected = 0;
        for (n, quote) in fixtures.quotes().iter().enumerate() {
            let mut order = fixtures
                .order_from_quote(&quote.id, OrderId::new(format!("NEW-{n}")), now)
                .unwrap();
            order.phase.draft = false;
            order.external_ids.clear();
            if n % 2 == 0 {
                // A resubmission under a stored order's reference.
                order
                    .external_ids
                    .push(external("shop", format!("EXT-0-{n}")));
            }
            let from_store = Merged::new(&store, None);
            let ctx = |orders: &'_ dyn OrderHistory| {
                pipeline.validate(
                    &order,
                    &ValidationContext {
                        now,
                        catalog: fixtures.catalog(),
                        addresses: fixtures.addresses(),
                        customers: fixtures.customers(),
                        inventory: fixtures.inventory(),
                        orders,
                        policy: &policy,
                    },
                )
            };
            let verdict = ctx(&from_store);
            assert_eq!(verdict, ctx(&from_documents), "{}", quote.id);
            if verdict.results.iter().any(|r| {
                r.code.starts_with("DUPLICATE_") && r.code != "DUPLICATE_OK"
                    || r.code.starts_with("FRAUD_VELOCITY")
            }) {
                held_or_rejected += 1;
            }
        }
        assert!(
            held_or_rejected > 0,
            "the history decided nothing: the comparison would prove nothing"
        );
    }
}
