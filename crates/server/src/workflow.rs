//! The order workflow: what happens to an order after the request that created it has been
//! answered. Background tasks, never request handlers, move orders on.
//!
//! * Validation: an `acknowledged` order is validated by the domain pipeline against the
//!   reference snapshot, the customer's inventory and the order history (fetched from the store
//!   per order); the verdict's command goes through the lifecycle and is recorded as a version
//!   by the user [`SYSTEM_USER`]. Held and pending orders get a queue entry; held and rejected
//!   orders carry the verdict as v5 `productOrderErrorMessage` and as a note (what v4 clients
//!   read). Accepted orders are planned ([`schedule`]): an order with a future start waits in
//!   `pending` until its release, the others are handed to [`crate::fulfilment::Fulfilment`].
//! * Release: a timer resumes scheduled orders whose release time has come.
//! * Start-up: orders a crash left `acknowledged` are validated, released ones re-submitted.
//!
//! Shared with the API and the fulfilment modules: [`commit_order_change`] writes an order's
//! new versions with their notifications and queue entry in one transaction, and
//! [`confirm_cancellation`] concludes an accepted cancel request.
//!
//! The decisions are the domain's ([`verdict_steps`] only strings them together); this module
//! fetches, calls them, and writes.

use chrono::{DateTime, Utc};
use orderdesk_domain::catalog::Catalog;
use orderdesk_domain::desk::jeopardy::{sla_deadline, JeopardyPolicy};
use orderdesk_domain::desk::versions::{self, bump};
use orderdesk_domain::desk::{
    cancellation, schedule, CancelRequest, ChangeKind, OrderVersion, QueueEntry, QueueKind,
};
use orderdesk_domain::lifecycle::{OrderCommand, OrderState};
use orderdesk_domain::order::Note;
use orderdesk_domain::validation::{Decision, ValidationContext, Verdict};
use orderdesk_domain::{OrderId, ProductOrder, UserId};
use orderdesk_fixtures::InMemoryInventory;
use orderdesk_store::central::{
    Direction, Filter, OrderField, OrderQuery, OrderUpdate, OutboundEvent, PreparedChange,
    QueueSync, StoredOrder,
};
use orderdesk_store::{CentralStore, CentralTx};
use orderdesk_tmf::events::EventKind;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;

use crate::error::ApiError;
use crate::events::{cancel_notifications, order_event_kinds, order_notifications};
use crate::representation::extensions_of;
use crate::state::{AppState, ServerEvent};

/// The user automatic changes (validation, scheduling) are recorded by.
pub const SYSTEM_USER: &str = "system";

/// How many orders are validated at once.
const WORKERS: usize = 2;

/// How often scheduled orders are checked for release.
const RELEASE_EVERY: Duration = Duration::from_secs(30);

/// The author of the notes the server writes on orders.
const NOTE_AUTHOR: &str = "orderdesk";

/// One new version of an order: the order as it then stands and its history record.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub order: ProductOrder,
    pub version: OrderVersion,
}

/// Why the workflow could not carry a verdict out.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error(transparent)]
    Version(#[from] versions::VersionError),
    #[error(transparent)]
    Schedule(#[from] schedule::ScheduleError),
}

fn system() -> UserId {
    UserId::new(SYSTEM_USER)
}

/// The version recording `command`, made from `order` at `now` by `by`.
pub fn lifecycle_step(
    order: &ProductOrder,
    command: &OrderCommand,
    now: DateTime<Utc>,
    by: &UserId,
    reason: impl Into<String>,
) -> Result<Step, versions::VersionError> {
    let (order, version) = versions::record(order, command, now, by, reason)?;
    Ok(Step { order, version })
}

/// A version that changes no state (a note, an expected date), made from `order`.
pub fn content_step(
    order: &ProductOrder,
    change: ChangeKind,
    now: DateTime<Utc>,
    by: &UserId,
    reason: impl Into<String>,
    edit: impl FnOnce(&mut ProductOrder),
) -> Result<Step, versions::VersionError> {
    let mut next = bump(order)?;
    edit(&mut next);
    Ok(Step {
        version: OrderVersion {
            version: next.version,
            at: now,
            by: by.clone(),
            reason: reason.into(),
            change,
            snapshot: next.clone(),
        },
        order: next,
    })
}

fn reason_of(decision: &Decision) -> String {
    match decision {
        Decision::Accept => "validation: accepted".to_owned(),
        Decision::Hold { queue, reasons } => format!(
            "validation: held for {queue}: {}",
            reasons
                .iter()
                .map(|r| format!("{}: {}", r.code, r.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Decision::Reject { reasons } => format!(
            "validation: rejected: {}",
            reasons
                .iter()
                .map(|r| format!("{}: {}", r.code, r.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

/// The versions carrying a verdict out on an `acknowledged` order: the decision's command (with
/// the verdict's error messages and a note when the order is held or rejected), and, for an
/// accepted order, its schedule (expected completion, and a `pending` wait when it starts
/// later).
pub fn verdict_steps(
    order: &ProductOrder,
    verdict: &Verdict,
    catalog: &dyn Catalog,
    now: DateTime<Utc>,
) -> Result<Vec<Step>, WorkflowError> {
    let by = system();
    let reason = reason_of(&verdict.decision);
    let mut first = lifecycle_step(order, &verdict.decision.command(), now, &by, reason.clone())?;
    let mut steps = Vec::with_capacity(2);
    match &verdict.decision {
        Decision::Accept => {
            let plan = schedule::plan(&first.order, catalog, now)?;
            first.order = schedule::with_expected_completion(&first.order, &plan);
            first.version.snapshot = first.order.clone();
            let wait = schedule::acceptance_command(&plan)
                .map(|wait| lifecycle_step(&first.order, &wait, now, &by, "scheduled release"))
                .transpose()?;
            steps.push(first);
            steps.extend(wait);
        }
        Decision::Hold { .. } | Decision::Reject { .. } => {
            first
                .order
                .error_messages
                .extend(verdict.error_messages(now));
            first.order.notes.push(Note {
                id: None,
                author: Some(NOTE_AUTHOR.to_owned()),
                date: Some(now),
                text: reason,
            });
            first.version.snapshot = first.order.clone();
            steps.push(first);
        }
    }
    Ok(steps)
}

/// The queue entry an order in `order`'s state needs, if any.
fn queue_entry(order: &ProductOrder) -> Option<QueueEntry> {
    let kind = QueueKind::for_state(order.state())?;
    Some(QueueEntry::for_order(
        order,
        kind,
        sla_deadline(order, &JeopardyPolicy::default()),
    ))
}

/// What the order's queue entry becomes when the order goes from `before` to `after`: entered
/// or refreshed while its state queues it, removed when it left the state that queued it.
/// Jeopardy entries belong to the jeopardy board.
fn queue_sync(before: &ProductOrder, after: &ProductOrder) -> QueueSync {
    match (queue_entry(after), QueueKind::for_state(before.state())) {
        (Some(entry), _) => QueueSync::Enter(entry),
        (None, Some(kind)) => QueueSync::Leave(kind),
        (None, None) => QueueSync::Keep,
    }
}

/// More writes in the same transaction as an order change (see [`commit`]).
type Also = Box<dyn FnOnce(&CentralTx<'_>) -> Result<(), ApiError> + Send>;

/// Writes `steps` (consecutive versions made from `stored`) in one transaction, each with its
/// notifications, and the order's queue entry; then tells live followers. A concurrent change
/// since `stored` fails the whole write with a 412 ([`ApiError::PreconditionFailed`]). The
/// change is committed together with the creates and updates queued with it (the store's group
/// commit).
pub async fn commit_order_change(
    state: &AppState,
    stored: &StoredOrder,
    steps: Vec<Step>,
) -> Result<ProductOrder, ApiError> {
    write_change(state, stored, steps, Vec::new(), None).await
}

/// [`commit_order_change`] with more in the same transaction: `also` (e.g. writing a cancel
/// request) and `extra_events` (notifications about something else than the order). `steps`
/// may be empty: then only `also` and `extra_events` are written.
pub async fn commit(
    state: &AppState,
    stored: &StoredOrder,
    steps: Vec<Step>,
    extra_events: Vec<OutboundEvent>,
    also: impl FnOnce(&CentralTx<'_>) -> Result<(), ApiError> + Send + 'static,
) -> Result<ProductOrder, ApiError> {
    write_change(state, stored, steps, extra_events, Some(Box::new(also))).await
}

async fn write_change(
    state: &AppState,
    stored: &StoredOrder,
    steps: Vec<Step>,
    extra_events: Vec<OutboundEvent>,
    also: Option<Also>,
) -> Result<ProductOrder, ApiError> {
    let last = steps
        .last()
        .map_or_else(|| stored.order.clone(), |s| s.order.clone());
    // Held until the change committed: a hub registered meanwhile waits (see `subscribers`).
    let notifiable = state.subscribers.for_change().await;
    let mut events = Vec::with_capacity(steps.len());
    if notifiable.any {
        let extensions = extensions_of(stored.extensions.as_ref());
        let mut previous = &stored.order;
        for step in &steps {
            let kinds = order_event_kinds(Some(previous), &step.order, &step.version.change);
            events.push(order_notifications(
                &kinds,
                &step.order,
                extensions.as_ref(),
                step.version.at,
                &state.urls,
            )?);
            previous = &step.order;
        }
    } else {
        events.resize_with(steps.len(), Vec::new);
    }
    let before_version = stored.order.version;
    let at = steps.last().map_or_else(|| state.now(), |s| s.version.at);
    let queue = if steps.is_empty() {
        QueueSync::Keep
    } else {
        queue_sync(&stored.order, &last)
    };
    let mut announced = Vec::with_capacity(steps.len());
    let mut prev_state = stored.order.state();
    for s in &steps {
        let now_state = s.order.state();
        announced.push(ServerEvent {
            entity: "productOrder",
            id: s.order.id.to_string(),
            kind: if prev_state == now_state {
                "update"
            } else {
                "stateChange"
            },
            version: Some(s.order.version),
            state: Some(now_state.as_str().to_owned()),
            at: s.version.at,
        });
        prev_state = now_state;
    }
    // Encoded here, before the writer: the writer only runs statements.
    let change = {
        let mut expected = before_version;
        let updates: Vec<OrderUpdate<'_>> = steps
            .iter()
            .zip(&events)
            .map(|(step, events)| {
                let update = OrderUpdate {
                    order: &step.order,
                    expected_version: expected,
                    version: &step.version,
                    extensions: None,
                    events,
                };
                expected = step.order.version;
                update
            })
            .collect();
        PreparedChange::prepare(&updates, queue, at)?
    };
    match also {
        None if extra_events.is_empty() => {
            state.commit_change(change).await?;
        }
        also => {
            state
                .db(move |store| {
                    store.write(|tx| {
                        tx.apply_change(&change, |tx| {
                            if let Some(also) = also {
                                also(tx)?;
                            }
                            tx.enqueue_events(&extra_events, at)?;
                            Ok::<_, ApiError>(())
                        })?;
                        Ok::<_, ApiError>(())
                    })
                })
                .await?;
        }
    }
    drop(notifiable);
    for event in announced {
        state.announce(event);
    }
    if state.subscribers.any() {
        state.notifier.notify_one();
    }
    Ok(last)
}

/// The customer's installed products, and any other product an item names.
fn inventory_for(
    store: &CentralStore,
    order: &ProductOrder,
) -> Result<InMemoryInventory, ApiError> {
    let mut inventory = InMemoryInventory::default();
    for product in store.products_of(&order.customer)? {
        inventory.upsert(product);
    }
    for item in &order.items {
        if let Some(id) = &item.product.existing {
            if orderdesk_domain::reference::Inventory::product(&inventory, id).is_none() {
                match store.get_product(id) {
                    Ok(p) => inventory.upsert(p),
                    Err(orderdesk_store::StoreError::NotFound { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Ok(inventory)
}

/// Runs the validation pipeline over `order` with the customer's inventory and the order
/// history read from `store` (blocking: call it inside [`AppState::db`] or
/// [`AppState::read_in_background`]).
pub fn run_pipeline(
    state: &AppState,
    store: &CentralStore,
    order: &ProductOrder,
    now: DateTime<Utc>,
) -> Result<Verdict, ApiError> {
    let inventory = inventory_for(store, order)?;
    let history = state.history(store);
    let ctx = ValidationContext {
        now,
        catalog: state.catalog(),
        addresses: state.addresses(),
        customers: state.customers(),
        inventory: &inventory,
        orders: &history,
        policy: &state.policy,
    };
    Ok(state.pipeline.validate(order, &ctx))
}

/// Validates the order if it is `acknowledged` and records the verdict; hands an accepted,
/// released order to fulfilment.
pub async fn validate(state: &AppState, id: &OrderId) -> Result<(), ApiError> {
    let st = state.clone();
    let id = id.clone();
    let now = state.now();
    // Reading the history and running the pipeline is the long part: on a background reader,
    // so that request reads never queue behind it.
    let found = state
        .read_in_background(move |store| {
            let stored = store.get_order(&id)?;
            if stored.order.state() != OrderState::Acknowledged {
                return Ok(None);
            }
            let verdict = run_pipeline(&st, store, &stored.order, now)?;
            Ok(Some((stored, verdict)))
        })
        .await?;
    let Some((stored, verdict)) = found else {
        return Ok(());
    };
    let steps =
        verdict_steps(&stored.order, &verdict, state.catalog(), now).map_err(ApiError::internal)?;
    let order = match commit_order_change(state, &stored, steps).await {
        Ok(order) => order,
        // Someone (a PATCH, a cancel) changed the order meanwhile; it is validated again if it
        // is still acknowledged.
        Err(ApiError::PreconditionFailed { .. }) => {
            state.kick_workflow(&stored.order.id);
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    hand_over(state, &order).await;
    Ok(())
}

/// Gives a released, accepted order to fulfilment, if there is one.
pub async fn hand_over(state: &AppState, order: &ProductOrder) {
    if order.state() != OrderState::InProgressAccepted {
        return;
    }
    let Some(fulfilment) = &state.fulfilment else {
        tracing::debug!(order = %order.id, "no fulfilment configured: the order waits in inProgress.accepted");
        return;
    };
    if let Err(e) = fulfilment.submit(state, order).await {
        tracing::warn!(order = %order.id, error = %e, "fulfilment did not take the order");
    }
}

/// Resumes every scheduled order whose release time has come, and hands it over. Reads only the
/// pending orders that can be due: those starting no later than the catalog's longest lead time
/// allows (`schedule::latest_start_released_by`), and those without a start date.
pub async fn release_scheduled(state: &AppState) -> Result<(), ApiError> {
    let longest_lead = state
        .catalog()
        .offerings()
        .map(|o| o.lead_time_days)
        .max()
        .unwrap_or(0);
    let latest_start = schedule::latest_start_released_by(state.now(), longest_lead);
    let pending = state
        .db(move |store| Ok(store.pending_orders_starting_by(latest_start)?))
        .await?;
    for stored in pending {
        let now = state.now();
        let command = match schedule::release_command(&stored.order, state.catalog(), now) {
            Ok(Some(command)) => command,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!(order = %stored.order.id, error = %e, "cannot plan the release");
                continue;
            }
        };
        let step = lifecycle_step(&stored.order, &command, now, &system(), "scheduled release")
            .map_err(ApiError::internal)?;
        match commit_order_change(state, &stored, vec![step]).await {
            Ok(order) => hand_over(state, &order).await,
            Err(ApiError::PreconditionFailed { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Every stored order in `order_state`, oldest first, a page at a time.
async fn all_in_state(
    state: &AppState,
    order_state: OrderState,
) -> Result<Vec<StoredOrder>, ApiError> {
    const PAGE: u32 = 500;
    let mut out = Vec::new();
    let mut offset = 0u64;
    loop {
        let query = OrderQuery {
            filters: vec![Filter::eq(OrderField::State, order_state.as_str())],
            sort: vec![(OrderField::OrderDate, Direction::Asc)],
            offset,
            limit: PAGE,
        };
        let page = state
            .db(move |store| Ok(store.list_orders(&query)?))
            .await?;
        let n = page.items.len();
        out.extend(page.items);
        if n < PAGE as usize {
            return Ok(out);
        }
        offset += u64::from(PAGE);
    }
}

/// Concludes an accepted cancel request once downstream confirmed: the pending items are
/// cancelled and the request is `done` (or `terminatedWithError` when some items could not be
/// reversed), in one transaction, with their notifications. `by` is who confirmed (the SOM's
/// integration user, or [`SYSTEM_USER`] when nothing downstream had to be reversed).
pub async fn confirm_cancellation(
    state: &AppState,
    request: &orderdesk_domain::CancelRequestId,
    by: &UserId,
) -> Result<CancelRequest, ApiError> {
    let id = request.clone();
    let (stored_request, stored) = state
        .db(move |store| {
            let request = store.get_cancel_request(&id)?;
            let order = store.get_order(&request.order)?;
            Ok((request, order))
        })
        .await?;
    let now = state.now();
    let (request, step) = confirm_steps(&stored_request, &stored.order, now, by)?;
    let events = cancel_notifications(
        &[EventKind::CancelProductOrderStateChange],
        &request,
        now,
        &state.urls,
    )?;
    let to_store = request.clone();
    commit(state, &stored, vec![step], events, move |tx| {
        tx.update_cancel_request(&to_store, now)?;
        Ok(())
    })
    .await?;
    Ok(request)
}

/// The concluded request and the order's version that cancels its pending items.
pub fn confirm_steps(
    request: &CancelRequest,
    order: &ProductOrder,
    now: DateTime<Utc>,
    by: &UserId,
) -> Result<(CancelRequest, Step), ApiError> {
    let confirmed = cancellation::confirm(request, order, now)
        .map_err(|e| ApiError::conflict("stateChangeRefused", e.to_string()))?;
    let step = content_step(
        order,
        ChangeKind::Lifecycle {
            command: OrderCommand::ConfirmCancellation,
        },
        now,
        by,
        "cancellation confirmed",
        |next| {
            let version = next.version;
            *next = ProductOrder {
                version,
                ..confirmed.order.clone()
            };
        },
    )
    .map_err(ApiError::internal)?;
    Ok((confirmed.request, step))
}

/// Starts the workflow: validation workers fed by `orders`, the release timer, and the
/// start-up pass over orders a previous run left behind.
pub fn spawn(state: AppState, orders: mpsc::UnboundedReceiver<OrderId>) -> Vec<JoinHandle<()>> {
    let orders = Arc::new(Mutex::new(orders));
    let mut tasks = Vec::with_capacity(WORKERS + 1);
    for _ in 0..WORKERS {
        let state = state.clone();
        let orders = Arc::clone(&orders);
        tasks.push(tokio::spawn(async move {
            loop {
                let next = orders.lock().await.recv().await;
                let Some(id) = next else { return };
                if let Err(e) = validate(&state, &id).await {
                    tracing::warn!(order = %id, error = %e, "validation failed; retried at the next start");
                }
            }
        }));
    }
    tasks.push(tokio::spawn(async move {
        resume(&state).await;
        let mut every = tokio::time::interval(RELEASE_EVERY);
        loop {
            every.tick().await;
            if let Err(e) = release_scheduled(&state).await {
                tracing::warn!(error = %e, "scheduled release failed");
            }
        }
    }));
    tasks
}

/// After a start: validate what was left `acknowledged`, hand over what was left accepted.
async fn resume(state: &AppState) {
    match all_in_state(state, OrderState::Acknowledged).await {
        Ok(orders) => {
            for stored in orders {
                state.kick_workflow(&stored.order.id);
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot list acknowledged orders"),
    }
    if state.fulfilment.is_some() {
        match all_in_state(state, OrderState::InProgressAccepted).await {
            Ok(orders) => {
                for stored in orders {
                    hand_over(state, &stored.order).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot list accepted orders"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::desk::schedule::is_scheduled_wait;
    use orderdesk_domain::validation::{codes, CheckKind, CheckResult, Outcome};
    use orderdesk_fixtures::Fixtures;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap()
    }

    fn acknowledged(fixtures: &Fixtures) -> ProductOrder {
        let mut order = fixtures
            .order_from_quote("QT-GPON-HAPPY", "O-1".into(), now())
            .unwrap();
        order.phase.draft = false;
        assert_eq!(order.state(), OrderState::Acknowledged);
        order
    }

    #[test]
    fn an_accepted_order_is_scheduled() {
        let fixtures = Fixtures::load_default().unwrap();
        let order = acknowledged(&fixtures);
        let steps = verdict_steps(
            &order,
            &Verdict::from_results(Vec::new()),
            fixtures.catalog(),
            now(),
        )
        .unwrap();
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].order.state(), OrderState::InProgressAccepted);
        assert!(steps[0].order.expected_completion_date.is_some());
        assert_eq!(steps[0].version.snapshot, steps[0].order);
        assert_eq!(steps[0].version.by.as_str(), SYSTEM_USER);

        let mut later = order.clone();
        later.requested_start_date = Some(now() + chrono::Duration::days(60));
        let steps = verdict_steps(
            &later,
            &Verdict::from_results(Vec::new()),
            fixtures.catalog(),
            now(),
        )
        .unwrap();
        assert_eq!(steps.len(), 2, "accepted, then waiting for its release");
        assert!(is_scheduled_wait(&steps[1].order));
        assert_eq!(steps[1].order.version, steps[0].order.version + 1);
    }

    #[test]
    fn a_rejected_order_says_why_in_both_versions() {
        let fixtures = Fixtures::load_default().unwrap();
        let order = acknowledged(&fixtures);
        let verdict = Verdict::from_results(vec![CheckResult::new(
            CheckKind::Credit,
            Outcome::Reject,
            codes::CREDIT_DECLINED,
            "the bureau says no",
        )]);
        let steps = verdict_steps(&order, &verdict, fixtures.catalog(), now()).unwrap();
        assert_eq!(steps.len(), 1);
        let rejected = &steps[0].order;
        assert_eq!(rejected.state(), OrderState::Rejected);
        assert_eq!(rejected.error_messages[0].code, codes::CREDIT_DECLINED);
        assert!(rejected.notes[0].text.contains("the bureau says no"));
        assert_eq!(
            rejected
                .state_reason
                .as_deref()
                .map(|r| r.contains("CREDIT_DECLINED")),
            Some(true)
        );
    }
}
