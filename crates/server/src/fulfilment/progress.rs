//! What a SOM report (the service order as SOM shows it, from a notification or a read-back)
//! does, written in one transaction with the product order's new versions:
//!
//! 1. the service item states that are news ([`rollup::accepts`]) and the service order's
//!    state are recorded;
//! 2. cancelled service work that items carrying on still need is ordered again
//!    ([`rollup::follow_up`]; posted after the commit);
//! 3. each new milestone becomes a `productOrderMilestone` (v5) and a note (v4), one version
//!    each, and a reached point-of-no-return milestone takes its product items past their PONR
//!    (`desk::ponr::apply_milestone`);
//! 4. the product items follow their service items ([`rollup::roll_up_steps`], one version per
//!    item event), and the items that completed write TMF637 inventory
//!    ([`super::inventory::on_completion`]);
//! 5. jeopardy is assessed (`desk::jeopardy::assess`): new alerts are a version with the v5
//!    `productOrderJeopardyAlert`s and a note, and put the order on the jeopardy board (a queue
//!    entry, unless the order is queued for its state already).
//!
//! The notifications (state change, milestone, jeopardy, error message, attribute change) are
//! the ones [`crate::workflow::commit`] raises for each version. A change that lost a race with
//! another writer (412) is computed again from what is stored, a few times. Callers hold the
//! order's lock ([`super::SomLink::lock`]).

use chrono::{DateTime, Utc};
use orderdesk_domain::desk::jeopardy::{self, JeopardyPolicy};
use orderdesk_domain::desk::{ponr, ChangeKind, QueueEntry, QueueKind};
use orderdesk_domain::lifecycle::ItemState;
use orderdesk_domain::order::Note;
use orderdesk_domain::reference::Inventory;
use orderdesk_domain::{OrderId, ProductOrder, ServiceOrderId, ServiceOrderItemId, UserId};
use orderdesk_fixtures::InMemoryInventory;
use orderdesk_store::central::{StoredOrder, StoredServiceOrder};
use orderdesk_store::{CentralStore, StoreError};
use orderdesk_tmf::tmf641;

use super::inventory::on_completion;
use super::rollup::{self, Failures, NOTE_AUTHOR};
use crate::error::ApiError;
use crate::state::{AppState, UuidIds};
use crate::workflow::{commit, content_step, Step};

/// How often a change that lost a race is computed again.
const ATTEMPTS: usize = 5;

/// What a report led to that the caller must act on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub order: Option<OrderId>,
    /// A follow-up service order to post.
    pub follow_up: Option<ServiceOrderId>,
}

/// The customer's installed products, and any other product an item names (blocking).
pub fn inventory_for(
    store: &CentralStore,
    order: &ProductOrder,
) -> Result<InMemoryInventory, ApiError> {
    let mut inventory = InMemoryInventory::default();
    for product in store.products_of(&order.customer)? {
        inventory.upsert(product);
    }
    for item in &order.items {
        if let Some(id) = &item.product.existing {
            if inventory.product(id).is_none() {
                match store.get_product(id) {
                    Ok(p) => inventory.upsert(p),
                    Err(StoreError::NotFound { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Ok(inventory)
}

/// What is stored about an order, read in one go.
#[derive(Debug)]
pub struct Snapshot {
    pub stored: StoredOrder,
    pub service_orders: Vec<StoredServiceOrder>,
    pub inventory: InMemoryInventory,
}

/// Reads the order, its service orders and its customer's inventory.
pub async fn snapshot(state: &AppState, order: &OrderId) -> Result<Snapshot, ApiError> {
    let id = order.clone();
    state
        .db(move |store| {
            let stored = store.get_order(&id)?;
            let service_orders = store.list_service_orders(&id)?;
            let inventory = inventory_for(store, &stored.order)?;
            Ok(Snapshot {
                stored,
                service_orders,
                inventory,
            })
        })
        .await
}

/// The version recording new jeopardy alerts on `order`, if assessment raises any.
pub fn jeopardy_step(order: &ProductOrder, now: DateTime<Utc>, by: &UserId) -> Option<Step> {
    let alerts = jeopardy::assess(order, now, &JeopardyPolicy::default(), &mut UuidIds);
    if alerts.is_empty() {
        return None;
    }
    let summary = alerts
        .iter()
        .map(|a| format!("{} {}: {}", a.jeopardy_type, a.name, a.message))
        .collect::<Vec<_>>()
        .join("; ");
    content_step(
        order,
        ChangeKind::Jeopardy,
        now,
        by,
        format!("jeopardy: {summary}"),
        |next| {
            next.jeopardy_alerts.extend(alerts);
            next.notes.push(Note {
                id: None,
                author: Some(NOTE_AUTHOR.to_owned()),
                date: Some(now),
                text: format!("Jeopardy: {summary}"),
            });
        },
    )
    .ok()
}

/// The versions recording `milestones` not yet on `order` (one each), passing PONR where they
/// say so.
fn milestone_steps(
    order: &ProductOrder,
    milestones: Vec<orderdesk_domain::order::Milestone>,
    now: DateTime<Utc>,
    by: &UserId,
) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for m in milestones {
        let current = steps.last().map_or(order, |s| &s.order);
        if current.milestones.iter().any(|known| known.id == m.id) {
            continue;
        }
        let items = m
            .items
            .iter()
            .map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let text = format!("Milestone {} ({}) for items {items}", m.name, m.status);
        let step = content_step(
            current,
            ChangeKind::Milestone,
            now,
            by,
            format!("milestone: {}", m.name),
            |next| {
                let mut passed = ponr::apply_milestone(next, &m, now);
                passed.milestones.push(m.clone());
                passed.notes.push(Note {
                    id: None,
                    author: Some(NOTE_AUTHOR.to_owned()),
                    date: Some(now),
                    text,
                });
                passed.version = next.version;
                *next = passed;
            },
        );
        match step {
            Ok(step) => steps.push(step),
            Err(e) => tracing::warn!(order = %order.id, error = %e, "cannot record a milestone"),
        }
    }
    steps
}

/// Everything one report changes, decided from a snapshot.
struct Plan {
    updates: Vec<(
        ServiceOrderItemId,
        orderdesk_domain::decomposition::ServiceItemState,
    )>,
    service_order_state: Option<String>,
    follow_up: Option<StoredServiceOrder>,
    steps: Vec<Step>,
    products: Vec<orderdesk_domain::reference::ProductInstance>,
    jeopardy: Option<QueueEntry>,
}

impl Plan {
    fn is_empty(&self) -> bool {
        self.updates.is_empty()
            && self.service_order_state.is_none()
            && self.follow_up.is_none()
            && self.steps.is_empty()
    }
}

fn plan(
    state: &AppState,
    snap: &Snapshot,
    report: Option<(&tmf641::ServiceOrder, &tmf641::ServiceOrderProgress)>,
    now: DateTime<Utc>,
    by: &UserId,
) -> Result<Plan, ApiError> {
    let mut service_orders = snap.service_orders.clone();
    let order = &snap.stored.order;
    let mut updates = Vec::new();
    let mut service_order_state = None;
    let mut milestones = Vec::new();
    let mut failures = Failures::new();
    if let Some((report, progress)) = report {
        let so_id = &progress.service_order;
        let Some(so) = service_orders.iter_mut().find(|s| &s.order.id == so_id) else {
            return Err(ApiError::not_found("serviceOrder", so_id.as_str()));
        };
        for (item, reported) in &progress.items {
            let Some(slot) = so.item_states.iter_mut().find(|(id, _)| id == item) else {
                tracing::debug!(service_order = %so_id, item = %item, "SOM reports an item the service order does not have");
                continue;
            };
            if rollup::accepts(slot.1, *reported) {
                slot.1 = *reported;
                updates.push((item.clone(), *reported));
            }
        }
        service_order_state = progress
            .state
            .map(|s| s.as_str().to_owned())
            .filter(|s| *s != so.state && rollup::is_live(so));
        if let Some(s) = &service_order_state {
            so.state.clone_from(s);
        }
        milestones = rollup::milestones_of(report, &so.order, now);
        failures = rollup::failures_in(report)
            .into_iter()
            .map(|(item, f)| ((so_id.clone(), item), f))
            .collect();
    }

    let cancelled: Vec<(ServiceOrderId, ServiceOrderItemId)> = report
        .map(|(_, p)| {
            updates
                .iter()
                .filter(|(_, s)| *s == orderdesk_domain::decomposition::ServiceItemState::Cancelled)
                .map(|(i, _)| (p.service_order.clone(), i.clone()))
                .collect()
        })
        .unwrap_or_default();
    let follow_up = rollup::follow_up(
        order,
        &service_orders,
        &cancelled,
        &mut ServiceOrderIds::default(),
    )
    .map(StoredServiceOrder::new);
    if let Some(f) = &follow_up {
        service_orders.push(f.clone());
    }

    let mut steps = milestone_steps(order, milestones, now, by);
    let before_roll_up = steps.last().map_or(order, |s| &s.order).clone();
    steps.extend(rollup::roll_up_steps(
        &before_roll_up,
        &service_orders,
        &failures,
        now,
        by,
    ));
    let after = steps.last().map_or(order, |s| &s.order).clone();

    let mut inventory = snap.inventory.clone();
    let mut products = Vec::new();
    for item in &after.items {
        let was = before_roll_up.item(&item.id).map(|i| i.state());
        if item.state() != ItemState::Completed || was == Some(ItemState::Completed) {
            continue;
        }
        match on_completion(
            &after,
            item,
            state.catalog(),
            &inventory,
            &service_orders,
            now,
        ) {
            Ok(changed) => {
                for p in changed {
                    inventory.upsert(p.clone());
                    products.push(p);
                }
            }
            Err(e) => {
                tracing::warn!(order = %order.id, item = %item.id, error = %e, "inventory not updated")
            }
        }
    }

    let mut jeopardy_entry = None;
    let assessed = (!updates.is_empty() || !steps.is_empty())
        .then(|| jeopardy_step(&after, now, by))
        .flatten();
    if let Some(step) = assessed {
        let mut entry = QueueEntry::for_order(&step.order, QueueKind::Jeopardy, None);
        entry.reason = step.order.jeopardy_alerts.last().map(|a| a.message.clone());
        jeopardy_entry = Some(entry);
        steps.push(step);
    }
    Ok(Plan {
        updates,
        service_order_state,
        follow_up,
        steps,
        products,
        jeopardy: jeopardy_entry,
    })
}

/// Ids for a follow-up service order: `SO-{uuid}` and items numbered from 1.
#[derive(Debug, Default)]
pub struct ServiceOrderIds {
    items: u32,
}

impl orderdesk_domain::IdSource for ServiceOrderIds {
    fn next_id(&mut self, kind: &str) -> String {
        if kind == "serviceOrder" {
            format!("SO-{}", crate::state::new_id())
        } else {
            self.items += 1;
            self.items.to_string()
        }
    }
}

/// Writes a plan: the service order's states, the follow-up, the order's versions, the
/// inventory and the jeopardy board entry, in one transaction.
async fn write(
    state: &AppState,
    stored: &StoredOrder,
    so_id: Option<&ServiceOrderId>,
    plan: Plan,
    now: DateTime<Utc>,
) -> Result<ProductOrder, ApiError> {
    let Plan {
        updates,
        service_order_state,
        follow_up,
        steps,
        products,
        jeopardy,
    } = plan;
    let so_id = so_id.cloned();
    let finished = steps.last().is_some_and(|s| s.order.state().is_terminal());
    let order_id = stored.order.id.clone();
    commit(state, stored, steps, Vec::new(), move |tx| {
        if let Some(so_id) = &so_id {
            for (item, s) in &updates {
                tx.update_service_item_state(so_id, item, *s, now)?;
            }
            if let Some(s) = &service_order_state {
                tx.update_service_order_state(so_id, s, None, now)?;
            }
        }
        if let Some(f) = &follow_up {
            tx.save_service_order(f, now)?;
        }
        for p in &products {
            tx.upsert_product(p, now)?;
        }
        let queued = tx.get_queue_entry(&order_id)?;
        if let Some(entry) = &jeopardy {
            if queued.is_none() {
                tx.upsert_queue_entry(entry, now)?;
            }
        } else if finished && queued.is_some_and(|q| q.kind == QueueKind::Jeopardy) {
            tx.remove_queue_entry(&order_id, now)?;
        }
        Ok(())
    })
    .await
}

/// Applies a SOM report about one of the server's service orders, recorded by `by`. The caller
/// holds the order's lock. An unknown service order is a 404.
pub async fn apply_report(
    state: &AppState,
    report: &tmf641::ServiceOrder,
    by: &UserId,
) -> Result<Applied, ApiError> {
    let progress = report.progress()?;
    let so_id = progress.service_order.clone();
    let lookup = so_id.clone();
    let order_id = state
        .db(move |store| Ok(store.get_service_order(&lookup)?.order.product_order))
        .await?;
    let mut last_error = None;
    for _ in 0..ATTEMPTS {
        let snap = snapshot(state, &order_id).await?;
        let now = state.now();
        let plan = plan(state, &snap, Some((report, &progress)), now, by)?;
        if plan.is_empty() {
            return Ok(Applied {
                order: Some(order_id),
                follow_up: None,
            });
        }
        let follow_up = plan.follow_up.as_ref().map(|f| f.order.id.clone());
        match write(state, &snap.stored, Some(&so_id), plan, now).await {
            Ok(_) => {
                return Ok(Applied {
                    order: Some(order_id),
                    follow_up,
                })
            }
            Err(e @ ApiError::PreconditionFailed { .. }) => last_error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| ApiError::internal("the report could not be applied")))
}

/// Applies the roll-up alone (no report): items without service work complete, inventory and
/// jeopardy follow. Used right after a service order is stored (or when none was needed). The
/// caller holds the lock.
pub async fn settle(state: &AppState, order: &OrderId, by: &UserId) -> Result<(), ApiError> {
    for _ in 0..ATTEMPTS {
        let snap = snapshot(state, order).await?;
        let now = state.now();
        let plan = plan(state, &snap, None, now, by)?;
        if plan.is_empty() {
            return Ok(());
        }
        match write(state, &snap.stored, None, plan, now).await {
            Ok(_) => return Ok(()),
            Err(ApiError::PreconditionFailed { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Records new jeopardy alerts on an open order, if assessment raises any. The caller holds the
/// lock.
pub async fn assess_jeopardy(
    state: &AppState,
    order: &OrderId,
    by: &UserId,
) -> Result<(), ApiError> {
    for _ in 0..ATTEMPTS {
        let id = order.clone();
        let stored = state.db(move |store| Ok(store.get_order(&id)?)).await?;
        let now = state.now();
        let Some(step) = jeopardy_step(&stored.order, now, by) else {
            return Ok(());
        };
        let mut entry = QueueEntry::for_order(&step.order, QueueKind::Jeopardy, None);
        entry.reason = step.order.jeopardy_alerts.last().map(|a| a.message.clone());
        let order_id = order.clone();
        let written = commit(state, &stored, vec![step], Vec::new(), move |tx| {
            if tx.get_queue_entry(&order_id)?.is_none() {
                tx.upsert_queue_entry(&entry, now)?;
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
