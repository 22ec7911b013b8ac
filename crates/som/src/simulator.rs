//! The simulator's shell: the service orders, cancel requests and hub subscriptions it holds
//! (in memory), one ticking task per service order, and the notification queues.
//!
//! Every decision is delegated: [`admit`] checks a body, [`ServiceOrderRun`] decides the
//! progression, [`resource::apply`] writes it on the resource, [`crate::events`] shapes the
//! notifications. This module fetches the clock, holds the lock, and publishes. Notifications
//! are queued while the state lock is held, so the queues see them in the order the changes
//! happened, whichever task (ticker or cancel request) made them.

use chrono::{DateTime, Utc};
use orderdesk_tmf::common::{EntityRef, Note};
use orderdesk_tmf::error::WireError;
use orderdesk_tmf::tmf641::{ServiceOrder, ServiceOrderState};
use orderdesk_tmf::v5::{Hub, HubFvo};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::admission::admit;
use crate::error::SomError;
use crate::events::{cancel_event, service_order_event, EventFilter, EventType};
use crate::notify::{self, Delivery};
use crate::progression::{CancelOutcome, Change, NotReversed, ServiceOrderRun};
use crate::resource::{self, item_id};
use crate::wire::{
    item_ref, CancelServiceOrder, CancelServiceOrderFvo, ServiceOrderErrorMessage, TaskState,
};
use crate::SomConfig;

/// The error code on a cancel request that could not reverse every item.
pub const ITEMS_NOT_REVERSIBLE: &str = "ITEMS_NOT_REVERSIBLE";

pub(crate) struct Simulator {
    config: SomConfig,
    /// `http://host:port/tmf-api/serviceOrdering/v5`: the base of every `href`.
    api_url: String,
    http: reqwest::Client,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    orders: HashMap<String, OrderEntry>,
    /// Ids in creation order, for listing.
    order_ids: Vec<String>,
    cancels: HashMap<String, CancelServiceOrder>,
    cancel_ids: Vec<String>,
    hubs: HashMap<String, Subscription>,
    stopped: bool,
}

struct OrderEntry {
    resource: ServiceOrder,
    run: ServiceOrderRun,
    /// Notifications raised so far (the `eventId` sequence).
    events: u64,
    ticker: Option<AbortHandle>,
}

struct Subscription {
    hub: Hub,
    filter: EventFilter,
    queue: mpsc::UnboundedSender<Delivery>,
    task: AbortHandle,
}

/// What a `GET /serviceOrder` asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OrderQuery {
    pub states: Option<Vec<ServiceOrderState>>,
    pub offset: usize,
    pub limit: Option<usize>,
}

/// One page of a listing and the total it was cut from.
#[derive(Debug, Clone)]
pub(crate) struct Page<T> {
    pub total: usize,
    pub items: Vec<T>,
}

impl Simulator {
    pub fn new(config: SomConfig, api_url: String) -> Result<Arc<Self>, reqwest::Error> {
        // Listeners are internal services: no system proxy between the simulator and them.
        let http = reqwest::Client::builder().no_proxy().build()?;
        Ok(Arc::new(Self {
            config,
            api_url,
            http,
            state: Mutex::new(State::default()),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn href(&self, collection: &str, id: &str) -> String {
        format!("{}/{collection}/{id}", self.api_url)
    }

    /// `POST /serviceOrder`.
    pub fn create_order(self: &Arc<Self>, body: &[u8]) -> Result<ServiceOrder, SomError> {
        let order: ServiceOrder = orderdesk_tmf::from_slice(body)?;
        let run = admit(&order, &self.config.rules)?;
        let now = Utc::now();
        let mut state = self.lock();
        let id = match &order.id {
            Some(id) if state.orders.contains_key(id) => {
                return Err(SomError::DuplicateId { id: id.clone() })
            }
            Some(id) => id.clone(),
            None => uuid::Uuid::new_v4().to_string(),
        };
        let href = self.href("serviceOrder", &id);
        let planned = self.config.step.saturating_mul(run.planned_steps());
        let expected = now + chrono::Duration::from_std(planned).unwrap_or_default();
        let resource = resource::accept(order, &run, id.clone(), href, now, expected);
        let mut entry = OrderEntry {
            resource,
            run,
            events: 0,
            ticker: None,
        };
        let description = format!("serviceOrder `{id}` acknowledged");
        publish_order(
            &state.hubs,
            &mut entry,
            EventType::ServiceOrderCreate,
            now,
            description,
        );
        if !state.stopped {
            let ticker = tokio::spawn(tick(Arc::downgrade(self), id.clone(), self.config.step));
            entry.ticker = Some(ticker.abort_handle());
        }
        let answer = entry.resource.clone();
        tracing::info!(order = %id, items = entry.run.items().len(), "service order acknowledged");
        state.orders.insert(id.clone(), entry);
        state.order_ids.push(id);
        Ok(answer)
    }

    /// One step of order `id`'s work; `false` once there is nothing more to do.
    fn step_order(&self, id: &str, now: DateTime<Utc>) -> bool {
        let mut state = self.lock();
        let State { orders, hubs, .. } = &mut *state;
        let Some(entry) = orders.get_mut(id) else {
            return false;
        };
        for change in entry.run.step() {
            let notice = resource::apply(&mut entry.resource, &change, now);
            if let Change::Order { to, .. } = change {
                if resource::is_final(to) {
                    tracing::info!(order = %id, state = to.as_str(), "service order finished");
                }
            }
            publish_order(hubs, entry, notice.event, now, notice.description);
        }
        let more = !entry.run.is_finished();
        if !more {
            entry.ticker = None;
        }
        more
    }

    pub fn order(&self, id: &str) -> Result<ServiceOrder, SomError> {
        self.lock()
            .orders
            .get(id)
            .map(|e| e.resource.clone())
            .ok_or_else(|| not_found("serviceOrder", id))
    }

    pub fn orders(&self, query: &OrderQuery) -> Page<ServiceOrder> {
        let state = self.lock();
        let matching: Vec<&ServiceOrder> = state
            .order_ids
            .iter()
            .filter_map(|id| state.orders.get(id))
            .map(|e| &e.resource)
            .filter(|o| match &query.states {
                None => true,
                Some(states) => o.state.is_some_and(|s| states.contains(&s)),
            })
            .collect();
        page(matching, query.offset, query.limit)
    }

    /// `POST /cancelServiceOrder`: cancels what can be cancelled, at once.
    pub fn cancel(&self, body: &[u8]) -> Result<CancelServiceOrder, SomError> {
        let request: CancelServiceOrderFvo = orderdesk_tmf::from_slice(body)?;
        let target = request
            .service_order
            .as_ref()
            .ok_or_else(|| WireError::Missing {
                field: "serviceOrder".to_owned(),
                why: "the service order to cancel".to_owned(),
            })?;
        if target.id.trim().is_empty() {
            return Err(WireError::Invalid {
                field: "serviceOrder.id".to_owned(),
                reason: "must not be empty".to_owned(),
            }
            .into());
        }
        let now = Utc::now();
        let mut state = self.lock();
        let State {
            orders,
            hubs,
            cancels,
            cancel_ids,
            ..
        } = &mut *state;
        let Some(entry) = orders.get_mut(&target.id) else {
            return Err(not_found("serviceOrder", &target.id));
        };
        let outcome = entry.run.cancel();
        for change in &outcome.changes {
            let notice = resource::apply(&mut entry.resource, change, now);
            publish_order(hubs, entry, notice.event, now, notice.description);
        }
        let cancel_id = uuid::Uuid::new_v4().to_string();
        let cancel = self.cancel_resource(&cancel_id, &request, entry, &outcome, now);
        let description = format!(
            "cancelServiceOrder `{cancel_id}` for serviceOrder `{}`: {}",
            target.id,
            cancel.state.as_str()
        );
        tracing::info!(
            order = %target.id,
            cancelled = outcome.cancelled.len(),
            not_reversed = outcome.not_reversed.len(),
            "service order cancellation"
        );
        entry.events += 1;
        let event_id = format!("{}:{}", target.id, entry.events);
        match cancel_event(event_id, now, &cancel, description) {
            Ok(body) => publish(hubs, EventType::CancelServiceOrderStateChange, body),
            Err(error) => tracing::error!(%error, "could not write a cancel notification"),
        }
        if entry.run.is_finished() {
            if let Some(ticker) = entry.ticker.take() {
                ticker.abort();
            }
        }
        cancels.insert(cancel_id.clone(), cancel.clone());
        cancel_ids.push(cancel_id);
        Ok(cancel)
    }

    fn cancel_resource(
        &self,
        id: &str,
        request: &CancelServiceOrderFvo,
        entry: &mut OrderEntry,
        outcome: &CancelOutcome,
        now: DateTime<Utc>,
    ) -> CancelServiceOrder {
        let order = &mut entry.resource;
        let order_id = order.id.clone().unwrap_or_default();
        let order_href = order.href.clone().unwrap_or_default();
        if !outcome.cancelled.is_empty() {
            order.cancellation_date = Some(now);
            order.cancellation_reason = request.cancellation_reason.clone();
        }
        let error_message = (!outcome.not_reversed.is_empty()).then(|| {
            let why = |n: NotReversed| match n {
                NotReversed::Completed => "had already completed",
                NotReversed::PastPointOfNoReturn => {
                    "is past its point of no return and will run to its end"
                }
            };
            let message = outcome
                .not_reversed
                .iter()
                .map(|(i, n)| format!("item `{}` {}", item_id(order, *i), why(*n)))
                .collect::<Vec<_>>()
                .join("; ");
            ServiceOrderErrorMessage {
                code: ITEMS_NOT_REVERSIBLE.to_owned(),
                reason: format!(
                    "{} of {} service order items could not be cancelled",
                    outcome.not_reversed.len(),
                    entry.run.items().len()
                ),
                message: Some(message),
                timestamp: now,
                service_order_item: outcome
                    .not_reversed
                    .iter()
                    .map(|(i, n)| {
                        let mut r = item_ref(&order_id, &order_href, &item_id(order, *i));
                        r.extra
                            .insert("reason".to_owned(), Value::String(n.as_str().to_owned()));
                        r
                    })
                    .collect(),
                at_type: "ServiceOrderErrorMessage".to_owned(),
            }
        });
        if let Some(e) = &error_message {
            order.note.get_or_insert_with(Vec::new).push(Note {
                id: Some(format!("cancel-{id}")),
                author: Some("orderdesk-som".to_owned()),
                date: Some(now),
                text: Some(format!(
                    "Cancellation {id}: {}. {}",
                    e.reason,
                    e.message.clone().unwrap_or_default()
                )),
                at_type: Some("Note".to_owned()),
                ..Note::default()
            });
        }
        CancelServiceOrder {
            id: id.to_owned(),
            href: self.href("cancelServiceOrder", id),
            service_order: EntityRef {
                href: Some(order_href.clone()),
                referred_type: Some("ServiceOrder".to_owned()),
                ..EntityRef::new(order_id, Some("ServiceOrderRef"))
            },
            state: if error_message.is_some() {
                TaskState::TerminatedWithError
            } else {
                TaskState::Done
            },
            cancellation_reason: request.cancellation_reason.clone(),
            requested_cancellation_date: request.requested_cancellation_date,
            effective_cancellation_date: (!outcome.cancelled.is_empty()).then_some(now),
            error_message,
            at_type: "CancelServiceOrder".to_owned(),
            base_type: request.base_type.clone(),
            schema_location: request.schema_location.clone(),
            extra: request.extra.clone(),
        }
    }

    pub fn cancel_request(&self, id: &str) -> Result<CancelServiceOrder, SomError> {
        self.lock()
            .cancels
            .get(id)
            .cloned()
            .ok_or_else(|| not_found("cancelServiceOrder", id))
    }

    pub fn cancel_requests(&self, offset: usize, limit: Option<usize>) -> Page<CancelServiceOrder> {
        let state = self.lock();
        let all: Vec<&CancelServiceOrder> = state
            .cancel_ids
            .iter()
            .filter_map(|id| state.cancels.get(id))
            .collect();
        page(all, offset, limit)
    }

    /// `POST /hub`.
    pub fn subscribe(&self, body: &[u8]) -> Result<Hub, SomError> {
        let request: HubFvo = orderdesk_tmf::from_slice(body)?;
        let url = reqwest::Url::parse(&request.callback).map_err(|e| WireError::Invalid {
            field: "callback".to_owned(),
            reason: format!("not an absolute URL: {e}"),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WireError::Invalid {
                field: "callback".to_owned(),
                reason: "must be an http or https URL".to_owned(),
            }
            .into());
        }
        let id = uuid::Uuid::new_v4().to_string();
        let hub = Hub {
            id: Some(id.clone()),
            href: Some(self.href("hub", &id)),
            callback: request.callback.clone(),
            query: request.query.clone(),
            at_type: Some("Hub".to_owned()),
            extra: request.extra.clone(),
        };
        let mut state = self.lock();
        if state.stopped {
            return Err(SomError::NoRoute);
        }
        let (queue, task) = notify::start(self.http.clone(), self.config.retry);
        state.hubs.insert(
            id,
            Subscription {
                hub: hub.clone(),
                filter: EventFilter::parse(request.query.as_deref()),
                queue,
                task: task.abort_handle(),
            },
        );
        Ok(hub)
    }

    pub fn hub(&self, id: &str) -> Result<Hub, SomError> {
        self.lock()
            .hubs
            .get(id)
            .map(|s| s.hub.clone())
            .ok_or_else(|| not_found("hub", id))
    }

    /// `DELETE /hub/{id}`: stops delivery at once, queued notifications included.
    pub fn unsubscribe(&self, id: &str) -> Result<(), SomError> {
        let sub = self
            .lock()
            .hubs
            .remove(id)
            .ok_or_else(|| not_found("hub", id))?;
        sub.task.abort();
        Ok(())
    }

    /// Stops every ticker and delivery task; the state stays readable.
    pub fn stop(&self) {
        let mut state = self.lock();
        state.stopped = true;
        for entry in state.orders.values_mut() {
            if let Some(t) = entry.ticker.take() {
                t.abort();
            }
        }
        for (_, sub) in state.hubs.drain() {
            sub.task.abort();
        }
    }
}

/// The ticker of one order: a step every `step` until the order is finished.
async fn tick(simulator: Weak<Simulator>, id: String, step: Duration) {
    loop {
        tokio::time::sleep(step).await;
        let Some(simulator) = simulator.upgrade() else {
            return;
        };
        if !simulator.step_order(&id, Utc::now()) {
            return;
        }
    }
}

/// Raises a service order notification (the whole resource as it is now).
fn publish_order(
    hubs: &HashMap<String, Subscription>,
    entry: &mut OrderEntry,
    event: EventType,
    now: DateTime<Utc>,
    description: String,
) {
    entry.events += 1;
    let event_id = format!(
        "{}:{}",
        entry.resource.id.as_deref().unwrap_or_default(),
        entry.events
    );
    match service_order_event(event, event_id, now, &entry.resource, description) {
        Ok(body) => publish(hubs, event, body),
        Err(error) => tracing::error!(%error, "could not write a service order notification"),
    }
}

/// Queues a notification for every subscription that wants it.
fn publish(hubs: &HashMap<String, Subscription>, event: EventType, body: Value) {
    tracing::debug!(event = event.as_str(), "notify");
    let body = Arc::new(body);
    for sub in hubs.values() {
        if sub.filter.accepts(event) {
            // A closed queue means the subscription is going away: nothing to deliver to.
            let _ = sub.queue.send(Delivery {
                url: event.listener_url(&sub.hub.callback),
                body: Arc::clone(&body),
            });
        }
    }
}

fn page<T: Clone>(all: Vec<&T>, offset: usize, limit: Option<usize>) -> Page<T> {
    let total = all.len();
    let items = all
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .cloned()
        .collect();
    Page { total, items }
}

fn not_found(resource: &'static str, id: &str) -> SomError {
    SomError::NotFound {
        resource,
        id: id.to_owned(),
    }
}
