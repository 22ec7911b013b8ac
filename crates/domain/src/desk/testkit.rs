//! Builders shared by the desk modules' inline tests: a clock anchored on a Monday, small orders
//! driven through the real lifecycle, and an in-memory catalog.

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashMap;

use crate::catalog::{
    Catalog, LifecycleStatus, ProductOffering, ProductSpecification, RiskClass, Validity,
};
use crate::ids::{CustomerId, ItemId, OfferingId, OrderId, SpecificationId};
use crate::lifecycle::{apply, ItemEvent, OrderCommand};
use crate::order::{ItemAction, OrderItem, ProductOrder};

/// Monday 2 November 2026, 09:00 UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

pub fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

/// An acknowledged order `O-1` with one `add` item per `(item id, offering id)`.
pub fn order(items: &[(&str, &str)]) -> ProductOrder {
    let items = items
        .iter()
        .map(|(id, offering)| {
            OrderItem::new(*id, ItemAction::Add, Some(OfferingId::new(*offering)))
        })
        .collect();
    ProductOrder::new(
        OrderId::new("O-1"),
        CustomerId::new("C-1"),
        t0(),
        items,
        false,
    )
    .unwrap()
}

/// Applies a lifecycle command, panicking on refusal (tests only).
pub fn run(order: &ProductOrder, command: OrderCommand, now: DateTime<Utc>) -> ProductOrder {
    apply(order, &command, now).unwrap()
}

/// The order accepted and every listed item started.
pub fn in_progress(order: &ProductOrder, started: &[&str], now: DateTime<Utc>) -> ProductOrder {
    let mut next = run(order, OrderCommand::Accept, now);
    for id in started {
        next = run(
            &next,
            OrderCommand::Item {
                item: ItemId::new(*id),
                event: ItemEvent::Start,
            },
            now,
        );
    }
    next
}

/// Marks the item as past its point of no return since `at` (a plain field, not a state).
pub fn past_ponr(mut order: ProductOrder, item: &str, at: DateTime<Utc>) -> ProductOrder {
    if let Some(i) = order.item_mut(&ItemId::new(item)) {
        i.point_of_no_return = Some(at);
    }
    order
}

#[derive(Debug, Default)]
pub struct TestCatalog {
    offerings: HashMap<OfferingId, ProductOffering>,
}

impl TestCatalog {
    /// Offerings given as `(id, lead time in working days)`.
    pub fn with(offerings: &[(&str, u32)]) -> Self {
        let offerings = offerings
            .iter()
            .map(|(id, lead)| (OfferingId::new(*id), offering(id, *lead)))
            .collect();
        Self { offerings }
    }
}

fn offering(id: &str, lead_time_days: u32) -> ProductOffering {
    ProductOffering {
        id: OfferingId::new(id),
        name: id.to_owned(),
        description: None,
        category: "broadband".to_owned(),
        specification: SpecificationId::new(format!("spec-{id}")),
        lifecycle_status: LifecycleStatus::Active,
        sellable: true,
        valid_for: Validity::default(),
        bundled: Vec::new(),
        excludes: Vec::new(),
        requires_one_of: Vec::new(),
        technologies: Vec::new(),
        prices: Vec::new(),
        risk: RiskClass::Low,
        lead_time_days,
        max_per_account: None,
        contract_months: None,
    }
}

impl Catalog for TestCatalog {
    fn offering(&self, id: &OfferingId) -> Option<&ProductOffering> {
        self.offerings.get(id)
    }

    fn specification(&self, _id: &SpecificationId) -> Option<&ProductSpecification> {
        None
    }

    fn offerings(&self) -> Box<dyn Iterator<Item = &ProductOffering> + '_> {
        Box::new(self.offerings.values())
    }
}
