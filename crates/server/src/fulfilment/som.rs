//! [`SomFulfilment`]: delivery through a TMF641 service order management system.
//!
//! * **Submit**: the accepted order is decomposed by the domain (catalog, addresses and the
//!   customer's inventory from the store), the service order is stored (so a crash cannot lose
//!   it), items that need no service work complete, and the service order is POSTed to
//!   `{som_url}/serviceOrder`. A network error or a 5xx is retried in the background with
//!   backoff until the SOM takes it; a 4xx (or an order the domain cannot decompose) holds the
//!   order for the back-office with the SOM's reason as error message and note.
//! * **Cancel**: for each service order still with the SOM that serves items pending
//!   cancellation, `POST {som_url}/cancelServiceOrder`; the SOM cancels what is not past its
//!   point of no return and names the rest. The service order is read back and applied
//!   ([`super::progress`]: cancelled work that items carrying on still need is ordered again);
//!   the product items the SOM could not reverse are added to the request's `notReversedItem`,
//!   and [`crate::workflow::confirm_cancellation`] concludes it (`done`, or
//!   `terminatedWithError`). A service order never posted is cancelled locally. A SOM that
//!   answers `inProgress` concludes later through its `cancelServiceOrderStateChangeEvent`.
//! * **Background** ([`spawn`]): subscribe to the SOM's hub with the listener's callback (again
//!   at every start), then bring every open order up to date with what the SOM says (a SOM that
//!   forgot a service order, such as a restarted simulator, gets it again; unposted ones are
//!   posted; interrupted cancellations resume); and assess jeopardy periodically.
//!
//! Every step for one order runs under its lock, so a notification, a submission and a
//! cancellation of the same order never interleave.

use orderdesk_domain::decomposition::{decompose, DecompositionContext, ServiceItemState};
use orderdesk_domain::desk::cancellation::{NotCancellable, NotCancellableReason};
use orderdesk_domain::desk::CancelRequest;
use orderdesk_domain::lifecycle::{CancelState, ItemState, OrderCommand, OrderState};
use orderdesk_domain::order::{ErrorMessage, Note};
use orderdesk_domain::{CancelRequestId, ItemId, OrderId, ProductOrder, ServiceOrderId, UserId};
use orderdesk_store::central::{
    CancelRequestQuery, Direction, Filter, Op, OrderField, OrderQuery, StoredServiceOrder,
};
use orderdesk_tmf::tmf641;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

use super::link::{CancelAnswer, NotReversedReason, SomCallError, SomLink, SOM_USER};
use super::progress::{self, ServiceOrderIds};
use super::rollup::{self, NOTE_AUTHOR};
use super::{Fulfilment, FulfilmentError, FulfilmentFuture};
use crate::error::ApiError;
use crate::state::AppState;
use crate::workflow::{commit, confirm_cancellation, lifecycle_step, SYSTEM_USER};

/// How often open orders are assessed for jeopardy.
const JEOPARDY_EVERY: Duration = Duration::from_secs(60);

/// How many orders are listed at once by the background passes.
const PAGE: u32 = 500;

fn system() -> UserId {
    UserId::new(SYSTEM_USER)
}

fn som_user() -> UserId {
    UserId::new(SOM_USER)
}

fn other(e: ApiError) -> FulfilmentError {
    FulfilmentError::Other(e.to_string())
}

/// Delivery through the SOM at the end of a [`SomLink`].
#[derive(Debug, Clone)]
pub struct SomFulfilment {
    link: Arc<SomLink>,
}

impl SomFulfilment {
    pub fn new(link: Arc<SomLink>) -> Self {
        Self { link }
    }
}

impl Fulfilment for SomFulfilment {
    fn submit<'a>(&'a self, state: &'a AppState, order: &'a ProductOrder) -> FulfilmentFuture<'a> {
        Box::pin(submit(state, Arc::clone(&self.link), order.id.clone()))
    }

    fn cancel<'a>(
        &'a self,
        state: &'a AppState,
        order: &'a ProductOrder,
        request: &'a CancelRequest,
    ) -> FulfilmentFuture<'a> {
        // The SOM is asked in the background: the cancel request is answered `inProgress` at
        // once and concludes when the SOM has answered.
        tokio::spawn(cancel_downstream(
            state.clone(),
            Arc::clone(&self.link),
            order.id.clone(),
            request.id.clone(),
        ));
        Box::pin(async { Ok(()) })
    }
}

/// How a POST of a service order went.
enum Posted {
    /// Taken, refused (the order is held), or nothing to post.
    Done,
    /// Not reached: try again later.
    Retry(String),
}

async fn submit(
    state: &AppState,
    link: Arc<SomLink>,
    order_id: OrderId,
) -> Result<(), FulfilmentError> {
    let guard = link.lock(&order_id).await;
    let snap = progress::snapshot(state, &order_id).await.map_err(other)?;
    if snap.stored.order.state() != OrderState::InProgressAccepted {
        return Ok(());
    }
    if let Some(live) = snap
        .service_orders
        .iter()
        .rev()
        .find(|s| rollup::is_live(s))
    {
        // Handed over before (a restart, a second hand-over): post it if it never was.
        if live.submitted_at.is_none() {
            let so_id = live.order.id.clone();
            drop(guard);
            tokio::spawn(post_until_taken(state.clone(), link, order_id, so_id));
        }
        return Ok(());
    }
    let decomposed = {
        let ctx = DecompositionContext {
            catalog: state.catalog(),
            addresses: state.addresses(),
            inventory: &snap.inventory,
        };
        decompose(&snap.stored.order, &ctx, &mut ServiceOrderIds::default())
    };
    let decomposition = match decomposed {
        Ok(d) => d,
        Err(e) => {
            let reason = format!("the order cannot be decomposed into service work: {e}");
            hold(state, &order_id, None, "DECOMPOSITION_FAILED", &reason)
                .await
                .map_err(other)?;
            return Err(FulfilmentError::Decomposition(e.to_string()));
        }
    };
    for skipped in &decomposition.skipped {
        tracing::debug!(order = %order_id, item = %skipped.item, reason = ?skipped.reason, "no service work");
    }
    if decomposition.service_order.items.is_empty() {
        // Nothing for the SOM: every item is done as soon as it is handed over.
        return progress::settle(state, &order_id, &system())
            .await
            .map_err(other);
    }
    let so = StoredServiceOrder::new(decomposition.service_order);
    let so_id = so.order.id.clone();
    let now = state.now();
    state
        .db(move |store| Ok(store.save_service_order(&so, now)?))
        .await
        .map_err(other)?;
    progress::settle(state, &order_id, &system())
        .await
        .map_err(other)?;
    match post_once(state, &link, &order_id, &so_id, false).await {
        Posted::Done => Ok(()),
        Posted::Retry(why) => {
            tracing::warn!(order = %order_id, service_order = %so_id, error = %why, "SOM unreachable; retrying in the background");
            drop(guard);
            tokio::spawn(post_until_taken(state.clone(), link, order_id, so_id));
            Ok(())
        }
    }
}

/// Posts the stored service order once (the caller holds the lock). `again`: post even if it
/// was posted before (the SOM forgot it).
async fn post_once(
    state: &AppState,
    link: &SomLink,
    order_id: &OrderId,
    so_id: &ServiceOrderId,
    again: bool,
) -> Posted {
    let id = so_id.clone();
    let so = match state
        .db(move |store| Ok(store.get_service_order(&id)?))
        .await
    {
        Ok(so) => so,
        Err(e) => return Posted::Retry(e.to_string()),
    };
    if !rollup::is_live(&so) || (so.submitted_at.is_some() && !again) {
        return Posted::Done;
    }
    let body = tmf641::from_domain(&so.order, state.now());
    let answer = link.post_service_order(&body).await;
    let taken = match answer {
        Ok(answer) => Ok(answer
            .state
            .map_or("acknowledged", |s| s.as_str())
            .to_owned()),
        // Already there (a retry after a lost answer).
        Err(SomCallError::Refused { status: 409, .. }) => Ok(so.state.clone()),
        Err(SomCallError::Malformed(e)) => {
            tracing::warn!(service_order = %so_id, error = %e, "the SOM took the service order with an unreadable answer");
            Ok(so.state.clone())
        }
        Err(SomCallError::Unreachable(e)) => return Posted::Retry(e),
        Err(SomCallError::Refused { status, reason }) => Err((status, reason)),
    };
    match taken {
        Ok(so_state) => {
            let id = so_id.clone();
            let now = state.now();
            let so_state = if rollup::is_live(&so) {
                so_state
            } else {
                so.state.clone()
            };
            if let Err(e) = state
                .db(move |store| {
                    Ok(store.update_service_order_state(&id, &so_state, Some(now), now)?)
                })
                .await
            {
                return Posted::Retry(e.to_string());
            }
            tracing::info!(order = %order_id, service_order = %so_id, "service order submitted to the SOM");
            Posted::Done
        }
        Err((status, reason)) => {
            let why = format!("the SOM refused service order `{so_id}` ({status}): {reason}");
            tracing::warn!(order = %order_id, "{why}");
            if let Err(e) = hold(state, order_id, Some(so_id), "SOM_REFUSED", &why).await {
                tracing::warn!(order = %order_id, error = %e, "cannot hold the order");
            }
            Posted::Done
        }
    }
}

/// Posts until the SOM takes (or refuses) the service order, with backoff.
async fn post_until_taken(
    state: AppState,
    link: Arc<SomLink>,
    order_id: OrderId,
    so_id: ServiceOrderId,
) {
    let mut attempts = 0u32;
    loop {
        let posted = {
            let _guard = link.lock(&order_id).await;
            post_once(&state, &link, &order_id, &so_id, false).await
        };
        match posted {
            Posted::Done => return,
            Posted::Retry(why) => {
                attempts = attempts.saturating_add(1);
                tracing::debug!(service_order = %so_id, attempts, error = %why, "SOM unreachable; retrying");
                tokio::time::sleep(link.backoff.delay(attempts)).await;
            }
        }
    }
}

/// Holds the order for the back-office: the hold with `reason`, an error message naming its
/// unfinished items, and a note; the service order, if any, is marked `rejected`. The caller
/// holds the lock.
async fn hold(
    state: &AppState,
    order_id: &OrderId,
    so_id: Option<&ServiceOrderId>,
    code: &'static str,
    reason: &str,
) -> Result<(), ApiError> {
    for _ in 0..5 {
        let id = order_id.clone();
        let stored = state.db(move |store| Ok(store.get_order(&id)?)).await?;
        let now = state.now();
        let command = OrderCommand::Hold {
            reason: reason.to_owned(),
        };
        let steps = match lifecycle_step(&stored.order, &command, now, &system(), reason) {
            Ok(mut step) => {
                let items: Vec<ItemId> = step
                    .order
                    .items
                    .iter()
                    .filter(|i| !i.state().is_terminal())
                    .map(|i| i.id.clone())
                    .collect();
                step.order.error_messages.push(ErrorMessage {
                    code: code.to_owned(),
                    reason: reason.to_owned(),
                    message: "held for the back-office: fulfilment could not start".to_owned(),
                    status: Some("held".to_owned()),
                    timestamp: now,
                    items,
                });
                step.order.notes.push(Note {
                    id: None,
                    author: Some(NOTE_AUTHOR.to_owned()),
                    date: Some(now),
                    text: format!("Held: {reason}"),
                });
                step.version.snapshot = step.order.clone();
                vec![step]
            }
            Err(e) => {
                tracing::warn!(order = %order_id, error = %e, "the order cannot be held");
                Vec::new()
            }
        };
        let so_id = so_id.cloned();
        let written = commit(state, &stored, steps, Vec::new(), move |tx| {
            if let Some(so_id) = &so_id {
                tx.update_service_order_state(so_id, "rejected", None, now)?;
            }
            Ok(())
        })
        .await;
        match written {
            Ok(_) => return Ok(()),
            Err(ApiError::PreconditionFailed { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A report saying every unfinished item of a service order the SOM never had is cancelled.
fn cancelled_locally(so: &StoredServiceOrder) -> tmf641::ServiceOrder {
    tmf641::ServiceOrder {
        id: Some(so.order.id.as_str().to_owned()),
        state: Some(tmf641::ServiceOrderState::Cancelled),
        service_order_item: Some(
            so.item_states
                .iter()
                .filter(|(_, s)| !s.is_terminal())
                .map(|(id, _)| tmf641::ServiceOrderItem {
                    id: Some(id.as_str().to_owned()),
                    state: Some(ServiceItemState::Cancelled),
                    ..tmf641::ServiceOrderItem::default()
                })
                .collect(),
        ),
        ..tmf641::ServiceOrder::default()
    }
}

/// Applies a report and posts the follow-up it asks for (in the background, once the caller
/// releases the lock).
async fn apply_and_follow_up(
    state: &AppState,
    link: &Arc<SomLink>,
    report: &tmf641::ServiceOrder,
    by: &UserId,
) -> Result<(), ApiError> {
    let applied = progress::apply_report(state, report, by).await?;
    if let (Some(order), Some(follow_up)) = (applied.order, applied.follow_up) {
        tracing::info!(order = %order, service_order = %follow_up, "follow-up service order for the items carrying on");
        tokio::spawn(post_until_taken(
            state.clone(),
            Arc::clone(link),
            order,
            follow_up,
        ));
    }
    Ok(())
}

/// Applies a SOM report about one of the server's service orders (from the listener), under
/// the order's lock.
pub async fn report(
    state: &AppState,
    link: &Arc<SomLink>,
    report: &tmf641::ServiceOrder,
    by: &UserId,
) -> Result<(), ApiError> {
    let so_id = report.progress()?.service_order;
    let order_id = state
        .db(move |store| Ok(store.get_service_order(&so_id)?.order.product_order))
        .await?;
    let _guard = link.lock(&order_id).await;
    apply_and_follow_up(state, link, report, by).await
}

/// The product items of `pending` that the not-reversed service items of `so` realise.
fn not_reversed_items(
    so: &StoredServiceOrder,
    answer: &[(String, NotReversedReason)],
    pending: &[ItemId],
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<NotCancellable> {
    let mut out: Vec<NotCancellable> = Vec::new();
    for (service_item, why) in answer {
        let Some(item) = so
            .order
            .items
            .iter()
            .find(|i| i.id.as_str() == service_item)
        else {
            continue;
        };
        for product_item in item.from_items.iter().filter(|p| pending.contains(p)) {
            if out.iter().any(|n| &n.item == product_item) {
                continue;
            }
            out.push(NotCancellable {
                item: product_item.clone(),
                reason: match why {
                    NotReversedReason::Completed => NotCancellableReason::Finished {
                        state: ItemState::Completed,
                    },
                    NotReversedReason::PastPointOfNoReturn => {
                        NotCancellableReason::PastPointOfNoReturn { since: now }
                    }
                },
            });
        }
    }
    out
}

/// Concludes an accepted cancel request: what the SOM could not reverse joins the request's
/// `notReversedItem`, then the request is confirmed. The caller holds the lock.
async fn conclude(
    state: &AppState,
    request: &CancelRequest,
    not_reversed: Vec<NotCancellable>,
) -> Result<(), ApiError> {
    let mut updated = request.clone();
    for n in not_reversed {
        if !updated
            .not_reversed
            .iter()
            .any(|known| known.item == n.item)
        {
            updated.not_reversed.push(n);
        }
    }
    if updated != *request {
        let now = state.now();
        state
            .db(move |store| Ok(store.update_cancel_request(&updated, now)?))
            .await?;
    }
    let confirmed = confirm_cancellation(state, &request.id, &som_user()).await?;
    tracing::info!(request = %confirmed.id, state = %confirmed.state, "cancellation confirmed downstream");
    Ok(())
}

/// What one pass of a cancellation came to.
enum Cancelling {
    /// Concluded, or nothing (left) to do.
    Done,
    /// The SOM will tell through its notification.
    Waiting,
    /// The SOM was not reached.
    Retry(String),
}

async fn cancel_once(
    state: &AppState,
    link: &Arc<SomLink>,
    order_id: &OrderId,
    request_id: &CancelRequestId,
) -> Result<Cancelling, ApiError> {
    let rid = request_id.clone();
    let request = state
        .db(move |store| Ok(store.get_cancel_request(&rid)?))
        .await?;
    if request.state != CancelState::InProgress {
        return Ok(Cancelling::Done);
    }
    let snap = progress::snapshot(state, order_id).await?;
    let pending: Vec<ItemId> = snap
        .stored
        .order
        .items
        .iter()
        .filter(|i| i.state() == ItemState::PendingCancellation)
        .map(|i| i.id.clone())
        .collect();
    let mut not_reversed = Vec::new();
    let mut waiting = false;
    for so in snap.service_orders.iter().filter(|s| rollup::is_live(s)) {
        let serves_pending = so.order.items.iter().any(|i| {
            i.from_items.iter().any(|f| pending.contains(f))
                && !so
                    .item_state(&i.id)
                    .is_some_and(ServiceItemState::is_terminal)
        });
        if !serves_pending {
            continue;
        }
        if so.submitted_at.is_none() {
            apply_and_follow_up(state, link, &cancelled_locally(so), &system()).await?;
            continue;
        }
        match link
            .cancel_service_order(so.order.id.as_str(), request.reason.as_deref())
            .await
        {
            Ok(answer) if answer.is_final() => {
                let now = state.now();
                not_reversed.extend(not_reversed_items(
                    so,
                    &answer.not_reversed(),
                    &pending,
                    now,
                ));
                match link.get_service_order(so.order.id.as_str()).await {
                    Ok(Some(back)) => apply_and_follow_up(state, link, &back, &som_user()).await?,
                    Ok(None) => {
                        apply_and_follow_up(state, link, &cancelled_locally(so), &som_user())
                            .await?;
                    }
                    // The states arrive with the SOM's notifications.
                    Err(e) => {
                        tracing::warn!(service_order = %so.order.id, error = %e, "cannot read the cancelled service order back")
                    }
                }
            }
            Ok(_) | Err(SomCallError::Malformed(_)) => waiting = true,
            Err(SomCallError::Refused { status: 404, .. }) => {
                apply_and_follow_up(state, link, &cancelled_locally(so), &system()).await?;
            }
            Err(SomCallError::Refused { status, reason }) => {
                tracing::warn!(service_order = %so.order.id, status, %reason, "the SOM refused the cancellation");
                let all: Vec<(String, NotReversedReason)> = so
                    .order
                    .items
                    .iter()
                    .map(|i| {
                        (
                            i.id.as_str().to_owned(),
                            NotReversedReason::PastPointOfNoReturn,
                        )
                    })
                    .collect();
                not_reversed.extend(not_reversed_items(so, &all, &pending, state.now()));
            }
            Err(SomCallError::Unreachable(e)) => return Ok(Cancelling::Retry(e)),
        }
    }
    if waiting {
        return Ok(Cancelling::Waiting);
    }
    conclude(state, &request, not_reversed).await?;
    Ok(Cancelling::Done)
}

/// Cancels downstream what an accepted cancel request covers, retrying while the SOM cannot
/// be reached.
async fn cancel_downstream(
    state: AppState,
    link: Arc<SomLink>,
    order_id: OrderId,
    request_id: CancelRequestId,
) {
    let mut attempts = 0u32;
    loop {
        let outcome = {
            let _guard = link.lock(&order_id).await;
            cancel_once(&state, &link, &order_id, &request_id).await
        };
        match outcome {
            Ok(Cancelling::Done | Cancelling::Waiting) => return,
            Ok(Cancelling::Retry(why)) => {
                attempts = attempts.saturating_add(1);
                tracing::debug!(request = %request_id, attempts, error = %why, "SOM unreachable; cancellation retried");
                tokio::time::sleep(link.backoff.delay(attempts)).await;
            }
            Err(e) => {
                tracing::warn!(request = %request_id, error = %e, "the cancellation could not be carried downstream");
                return;
            }
        }
    }
}

/// A `cancelServiceOrderStateChangeEvent`: a SOM that concluded a cancellation after
/// answering `inProgress`.
pub async fn cancel_reported(
    state: &AppState,
    link: &Arc<SomLink>,
    answer: &CancelAnswer,
    by: &UserId,
) -> Result<(), ApiError> {
    let Some(so_ref) = &answer.service_order else {
        return Err(ApiError::bad_field(
            "missingField",
            "event.cancelServiceOrder.serviceOrder",
            "the cancelled service order is not named",
        ));
    };
    let so_id = ServiceOrderId::new(so_ref.id.clone());
    let lookup = so_id.clone();
    let so = state
        .db(move |store| Ok(store.get_service_order(&lookup)?))
        .await?;
    let order_id = so.order.product_order.clone();
    let _guard = link.lock(&order_id).await;
    if !answer.is_final() {
        return Ok(());
    }
    let query = CancelRequestQuery {
        order: Some(order_id.clone()),
        state: Some(CancelState::InProgress),
        offset: 0,
        limit: 1,
    };
    let request = state
        .db(move |store| Ok(store.list_cancel_requests(&query)?.items.into_iter().next()))
        .await?;
    let Some(request) = request else {
        // Concluded already (the SOM answered the request itself).
        return Ok(());
    };
    if let Ok(Some(back)) = link.get_service_order(so_id.as_str()).await {
        apply_and_follow_up(state, link, &back, by).await?;
    }
    let snap = progress::snapshot(state, &order_id).await?;
    let pending: Vec<ItemId> = snap
        .stored
        .order
        .items
        .iter()
        .filter(|i| i.state() == ItemState::PendingCancellation)
        .map(|i| i.id.clone())
        .collect();
    let not_reversed = not_reversed_items(&so, &answer.not_reversed(), &pending, state.now());
    conclude(state, &request, not_reversed).await
}

/// Every stored order in one of `states`, oldest first.
async fn orders_in(state: &AppState, states: &[OrderState]) -> Result<Vec<OrderId>, ApiError> {
    let names: Vec<&'static str> = states.iter().map(|s| s.as_str()).collect();
    let mut out = Vec::new();
    let mut offset = 0u64;
    loop {
        let query = OrderQuery {
            filters: vec![Filter::new(OrderField::State, Op::In, &names)],
            sort: vec![(OrderField::OrderDate, Direction::Asc)],
            offset,
            limit: PAGE,
        };
        let page = state
            .db(move |store| Ok(store.list_orders(&query)?))
            .await?;
        let n = page.items.len();
        out.extend(page.items.into_iter().map(|o| o.order.id));
        if n < PAGE as usize {
            return Ok(out);
        }
        offset += u64::from(PAGE);
    }
}

/// Brings one open order up to date with the SOM after a start.
async fn resync(state: &AppState, link: &Arc<SomLink>, order_id: &OrderId) -> Result<(), ApiError> {
    let guard = link.lock(order_id).await;
    let snap = progress::snapshot(state, order_id).await?;
    let mut to_post = Vec::new();
    for so in snap.service_orders.iter().filter(|s| rollup::is_live(s)) {
        if so.submitted_at.is_none() {
            to_post.push(so.order.id.clone());
            continue;
        }
        match link.get_service_order(so.order.id.as_str()).await {
            Ok(Some(back)) => apply_and_follow_up(state, link, &back, &som_user()).await?,
            Ok(None) => {
                tracing::info!(service_order = %so.order.id, "the SOM does not know the service order; posting it again");
                if let Posted::Retry(why) =
                    post_once(state, link, order_id, &so.order.id, true).await
                {
                    tracing::warn!(service_order = %so.order.id, error = %why, "cannot post the service order again");
                }
            }
            Err(e) => {
                tracing::warn!(service_order = %so.order.id, error = %e, "cannot read the service order back")
            }
        }
    }
    let cancelling = snap.stored.order.state() == OrderState::PendingCancellation;
    drop(guard);
    for so_id in to_post {
        tokio::spawn(post_until_taken(
            state.clone(),
            Arc::clone(link),
            order_id.clone(),
            so_id,
        ));
    }
    if cancelling {
        let query = CancelRequestQuery {
            order: Some(order_id.clone()),
            state: Some(CancelState::InProgress),
            offset: 0,
            limit: 1,
        };
        let request = state
            .db(move |store| Ok(store.list_cancel_requests(&query)?.items.into_iter().next()))
            .await?;
        if let Some(request) = request {
            tokio::spawn(cancel_downstream(
                state.clone(),
                Arc::clone(link),
                order_id.clone(),
                request.id,
            ));
        }
    }
    Ok(())
}

/// Subscribes to the SOM's hub, retrying until it answers; then resynchronises open orders.
async fn subscribe_and_resync(state: AppState, link: Arc<SomLink>) {
    let callback = match link.callback_url(&state.urls.public) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no listener callback for the SOM: progress will not be heard");
            return;
        }
    };
    let mut attempts = 0u32;
    loop {
        match link.subscribe(&callback).await {
            Ok(hub) => {
                tracing::info!(%hub, som = %link.api_url(), "subscribed to the SOM's notifications");
                break;
            }
            Err(e) => {
                attempts = attempts.saturating_add(1);
                tracing::warn!(error = %e, attempts, "cannot subscribe to the SOM's hub; retrying");
                tokio::time::sleep(link.backoff.delay(attempts)).await;
            }
        }
    }
    let open = [
        OrderState::InProgressAccepted,
        OrderState::InProgress,
        OrderState::Held,
        OrderState::Pending,
        OrderState::PendingCancellation,
    ];
    match orders_in(&state, &open).await {
        Ok(orders) => {
            for order in orders {
                if let Err(e) = resync(&state, &link, &order).await {
                    tracing::warn!(%order, error = %e, "cannot resynchronise the order with the SOM");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot list the open orders to resynchronise"),
    }
}

/// Assesses for jeopardy, now and then, the orders on which assessment has an alert to raise
/// (the store keeps when that is due for every order; the others are not read).
async fn jeopardy_sweep(state: AppState, link: Arc<SomLink>) {
    let mut every = tokio::time::interval(JEOPARDY_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        let now = state.now();
        let due = state
            .db(move |store| Ok(store.orders_with_jeopardy_due(now)?))
            .await;
        match due {
            Ok(orders) => {
                for order in orders {
                    let _guard = link.lock(&order).await;
                    if let Err(e) = progress::assess_jeopardy(&state, &order, &system()).await {
                        tracing::warn!(%order, error = %e, "jeopardy assessment failed");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot list the open orders to assess"),
        }
    }
}

/// The link to the SOM at `som_url` (none without one), with a new listener secret.
pub fn link(som_url: Option<&str>) -> Result<Option<Arc<SomLink>>, String> {
    som_url
        .map(|url| {
            SomLink::new(url, crate::state::new_id())
                .map(Arc::new)
                .map_err(|e| format!("cannot build the SOM client: {e}"))
        })
        .transpose()
}

/// The fulfilment that delivers through `link`, if there is one.
pub fn fulfilment(link: Option<&Arc<SomLink>>) -> Option<Arc<dyn Fulfilment>> {
    link.map(|l| Arc::new(SomFulfilment::new(Arc::clone(l))) as Arc<dyn Fulfilment>)
}

/// Starts fulfilment's background tasks (nothing without a SOM).
pub fn spawn(state: &AppState) -> Vec<JoinHandle<()>> {
    let Some(link) = state.som_link.clone() else {
        return Vec::new();
    };
    vec![
        tokio::spawn(subscribe_and_resync(state.clone(), Arc::clone(&link))),
        tokio::spawn(jeopardy_sweep(state.clone(), link)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::decomposition::{ServiceAction, ServiceOrder, ServiceOrderItem};
    use orderdesk_domain::CfsSpecId;

    fn so() -> StoredServiceOrder {
        let item = |id: &str, from: &[&str]| ServiceOrderItem {
            id: id.into(),
            action: ServiceAction::Add,
            cfs: CfsSpecId::new("CFS:X"),
            service_id: None,
            place: None,
            technology: None,
            characteristics: Vec::new(),
            removed_characteristics: Vec::new(),
            from_items: from.iter().map(|i| ItemId::new(*i)).collect(),
            depends_on: Vec::new(),
            point_of_no_return: false,
        };
        let mut s = StoredServiceOrder::new(ServiceOrder {
            id: "SO-1".into(),
            product_order: "O-1".into(),
            customer: "C".into(),
            priority: Default::default(),
            requested_start_date: None,
            requested_completion_date: None,
            items: vec![item("1", &["1"]), item("2", &["1", "2"]), item("3", &["3"])],
        });
        s.item_states[0].1 = ServiceItemState::Completed;
        s
    }

    #[test]
    fn what_the_som_could_not_reverse_names_the_items_being_cancelled() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        let answer = vec![
            ("2".to_owned(), NotReversedReason::PastPointOfNoReturn),
            ("3".to_owned(), NotReversedReason::Completed),
            ("9".to_owned(), NotReversedReason::Completed),
        ];
        let pending = vec![ItemId::new("2"), ItemId::new("3")];
        let out = not_reversed_items(&so(), &answer, &pending, now);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].item, ItemId::new("2"));
        assert!(matches!(
            out[0].reason,
            NotCancellableReason::PastPointOfNoReturn { .. }
        ));
        assert_eq!(
            out[1].reason,
            NotCancellableReason::Finished {
                state: ItemState::Completed
            }
        );
    }

    #[test]
    fn a_service_order_never_posted_is_cancelled_locally() {
        let report = cancelled_locally(&so());
        let progress = report.progress().unwrap();
        assert_eq!(
            progress.items.len(),
            2,
            "the completed item stays completed"
        );
        assert!(progress
            .items
            .iter()
            .all(|(_, s)| *s == ServiceItemState::Cancelled));
    }
}
