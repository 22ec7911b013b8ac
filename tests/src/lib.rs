//! Shared pieces of the cross-crate scenarios (`tests/tests/*.rs`) and benchmarks
//! (`tests/benches/*.rs`): the demo world at a fixed "now", and a fulfilment that plays the
//! SOM simulator's deterministic rules without a network so the domain's path from quote to
//! final state can be checked end to end. [`server_process`] runs the real `orderdesk-server`
//! binary as a child process, for the scenarios that kill it.

pub mod server_process;

use chrono::{DateTime, TimeZone, Utc};
use orderdesk_domain::decomposition::{
    product_item_event, Decomposition, DecompositionContext, ServiceItemState,
};
use orderdesk_domain::lifecycle::{apply, ItemEvent, OrderCommand, TransitionError};
use orderdesk_domain::validation::{Pipeline, ValidationContext, ValidationPolicy, Verdict};
use orderdesk_domain::{CfsSpecId, ProductOrder};
use orderdesk_fixtures::{Fixtures, InMemoryOrders, SomRules};
use std::collections::HashMap;

/// The date the demo data set is written for (every quote's `quoteDate`).
pub fn demo_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The demo reference data with the order history as it looks at [`demo_now`].
#[derive(Debug)]
pub struct DemoWorld {
    pub fixtures: Fixtures,
    pub history: InMemoryOrders,
    pub policy: ValidationPolicy,
    pub pipeline: Pipeline,
    pub now: DateTime<Utc>,
}

impl DemoWorld {
    pub fn load() -> Result<Self, orderdesk_fixtures::FixtureError> {
        let fixtures = Fixtures::load_default()?;
        let now = demo_now();
        let history = fixtures.order_history(now);
        Ok(Self {
            fixtures,
            history,
            policy: ValidationPolicy::default(),
            pipeline: Pipeline::standard(),
            now,
        })
    }

    pub fn validate(&self, order: &ProductOrder) -> Verdict {
        let ctx = ValidationContext {
            now: self.now,
            catalog: &self.fixtures,
            addresses: &self.fixtures,
            customers: &self.fixtures,
            inventory: &self.fixtures,
            orders: &self.history,
            policy: &self.policy,
        };
        self.pipeline.validate(order, &ctx)
    }

    pub fn decomposition_context(&self) -> DecompositionContext<'_> {
        DecompositionContext {
            catalog: &self.fixtures,
            addresses: &self.fixtures,
            inventory: &self.fixtures,
        }
    }
}

/// What fulfilment did to an accepted order.
#[derive(Debug)]
pub struct FulfilmentRun {
    pub order: ProductOrder,
    /// Every service item's final state, by CFS.
    pub service_states: Vec<(CfsSpecId, ServiceItemState)>,
}

/// Plays fulfilment of an accepted order the way the SOM simulator does: service items in
/// dependency order, each completing unless a `som.json` rule fails it or something it depends
/// on failed; product items then follow their service items through the domain's roll-up.
/// Product items with no service work (noChange, price-only changes) complete directly.
pub fn fulfil(
    order: &ProductOrder,
    decomposition: &Decomposition,
    rules: &SomRules,
    now: DateTime<Utc>,
) -> Result<FulfilmentRun, TransitionError> {
    let items = &decomposition.service_order.items;
    let mut states: HashMap<&str, ServiceItemState> = HashMap::new();
    // Dependencies only ever point at earlier items, so one pass in order settles them.
    for item in items {
        let dependency_failed = item
            .depends_on
            .iter()
            .any(|d| states.get(d.as_str()) != Some(&ServiceItemState::Completed));
        let failed = dependency_failed
            || rules
                .failure_for(&item.cfs, item.place.as_ref(), &item.characteristics)
                .is_some();
        let state = if failed {
            ServiceItemState::Failed
        } else {
            ServiceItemState::Completed
        };
        states.insert(item.id.as_str(), state);
    }

    let mut order = order.clone();
    let ids: Vec<_> = order.items.iter().map(|i| i.id.clone()).collect();
    for id in ids {
        order = apply(
            &order,
            &OrderCommand::Item {
                item: id.clone(),
                event: ItemEvent::Start,
            },
            now,
        )?;
        let mine: Vec<ServiceItemState> = items
            .iter()
            .filter(|s| s.from_items.contains(&id))
            .map(|s| states[s.id.as_str()])
            .collect();
        let current = order.item(&id).map(|i| i.state());
        let event = match current {
            Some(current) if !mine.is_empty() => product_item_event(current, mine),
            _ => Some(ItemEvent::Complete),
        };
        if let Some(event) = event {
            order = apply(&order, &OrderCommand::Item { item: id, event }, now)?;
        }
    }
    let service_states = items
        .iter()
        .map(|s| (s.cfs.clone(), states[s.id.as_str()]))
        .collect();
    Ok(FulfilmentRun {
        order,
        service_states,
    })
}
