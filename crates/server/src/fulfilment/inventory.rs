//! TMF637 product inventory after a product order item completes, as a pure function of the
//! order, the item, the catalog, the installed base and the service work delivered:
//!
//! | item intent (domain `classify`) | inventory |
//! |---|---|
//! | provide (`add`) | a new product, `active`, with the item's characteristics and place and the CFS delivered for it |
//! | modify | the instance with the desired characteristics (a modify carries the whole desired product) and place, its CFS list updated by the adds and deletes delivered |
//! | cease (`delete`) | the instance `terminated` |
//! | migrate (a modify to another offering, or an add replacing a delete) | a new product for the new offering, and the old one `terminated` |
//! | noChange | nothing |
//!
//! New products get the id `PRD-{order}-{item}`, so applying the same completion twice writes
//! the same product (idempotent); an item can only complete once anyway. A partially delivered
//! or failed item changes nothing: the installed base records what was delivered whole.
//! Writing the products is the caller's business (in the transaction that completes the item).

use chrono::{DateTime, Months, Utc};
use orderdesk_domain::catalog::Catalog;
use orderdesk_domain::decomposition::{ServiceAction, ServiceItemState};
use orderdesk_domain::order::ItemRelationshipType;
use orderdesk_domain::order_type::{classify, ItemIntent, OrderTypeError};
use orderdesk_domain::reference::{Inventory, ProductInstance, ProductStatus};
use orderdesk_domain::{
    AddressId, CfsSpecId, ItemId, OfferingId, OrderItem, ProductId, ProductOrder,
};
use orderdesk_store::central::StoredServiceOrder;

/// Why an item's completion could not be written to inventory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryError {
    #[error(transparent)]
    Classification(#[from] OrderTypeError),
    #[error("item `{item}` names no product offering")]
    NoOffering { item: ItemId },
    #[error("item `{item}`: offering `{offering}` is not in the catalog")]
    UnknownOffering { item: ItemId, offering: OfferingId },
}

/// The id of the product an item provides.
pub fn product_id_for(order: &ProductOrder, item: &ItemId) -> ProductId {
    ProductId::new(format!("PRD-{}-{}", order.id, item))
}

/// The CFS the completed service work added (or modified) and deleted for `items`.
fn delivered(
    items: &[&ItemId],
    service_orders: &[StoredServiceOrder],
) -> (Vec<CfsSpecId>, Vec<CfsSpecId>) {
    let mut kept = Vec::new();
    let mut removed = Vec::new();
    for so in service_orders {
        for i in &so.order.items {
            if !i.from_items.iter().any(|f| items.contains(&f))
                || so.item_state(&i.id) != Some(ServiceItemState::Completed)
            {
                continue;
            }
            let list = match i.action {
                ServiceAction::Add | ServiceAction::Modify => &mut kept,
                ServiceAction::Delete => &mut removed,
                ServiceAction::NoChange => continue,
            };
            if !list.contains(&i.cfs) {
                list.push(i.cfs.clone());
            }
        }
    }
    (kept, removed)
}

/// `base` without `removed`, then with `added` (each listed once, in order).
fn merged(base: &[CfsSpecId], added: &[CfsSpecId], removed: &[CfsSpecId]) -> Vec<CfsSpecId> {
    let mut out: Vec<CfsSpecId> = base
        .iter()
        .filter(|c| !removed.contains(c))
        .cloned()
        .collect();
    for c in added {
        if !out.contains(c) {
            out.push(c.clone());
        }
    }
    out
}

/// The place of `item`: its own, else its bundle's.
fn place_of(order: &ProductOrder, item: &OrderItem) -> Option<AddressId> {
    item.product.place.clone().or_else(|| {
        item.relationships
            .iter()
            .filter(|r| r.kind == ItemRelationshipType::BundledIn)
            .find_map(|r| order.item(&r.item).and_then(|p| place_of(order, p)))
    })
}

struct NewProduct<'a> {
    order: &'a ProductOrder,
    item: &'a OrderItem,
    catalog: &'a dyn Catalog,
    services: Vec<CfsSpecId>,
    place: Option<AddressId>,
    now: DateTime<Utc>,
}

impl NewProduct<'_> {
    fn build(self) -> Result<ProductInstance, InventoryError> {
        let offering_id = self
            .item
            .offering
            .clone()
            .ok_or_else(|| InventoryError::NoOffering {
                item: self.item.id.clone(),
            })?;
        let offering =
            self.catalog
                .offering(&offering_id)
                .ok_or_else(|| InventoryError::UnknownOffering {
                    item: self.item.id.clone(),
                    offering: offering_id.clone(),
                })?;
        Ok(ProductInstance {
            id: product_id_for(self.order, &self.item.id),
            customer: self.order.customer.clone(),
            offering: offering_id,
            specification: offering.specification.clone(),
            name: offering.name.clone(),
            status: ProductStatus::Active,
            characteristics: self.item.product.characteristics.clone(),
            place: self.place,
            services: self.services,
            start_date: Some(self.now),
            contract_end: offering
                .contract_months
                .and_then(|m| self.now.checked_add_months(Months::new(m))),
        })
    }
}

fn terminated(instance: &ProductInstance) -> ProductInstance {
    ProductInstance {
        status: ProductStatus::Terminated,
        ..instance.clone()
    }
}

/// The products to write once `item` of `order` completed (see the module docs). `inventory`
/// is the installed base before this completion.
pub fn on_completion(
    order: &ProductOrder,
    item: &OrderItem,
    catalog: &dyn Catalog,
    inventory: &dyn Inventory,
    service_orders: &[StoredServiceOrder],
    now: DateTime<Utc>,
) -> Result<Vec<ProductInstance>, InventoryError> {
    let intent = match classify(item, order, inventory) {
        Ok(intent) => intent,
        // Already terminated (e.g. by the add replacing it, completed first): nothing left.
        Err(OrderTypeError::InstanceNotLive { .. })
            if item.action == orderdesk_domain::ItemAction::Delete =>
        {
            return Ok(Vec::new())
        }
        Err(e) => return Err(e.into()),
    };
    Ok(match intent {
        ItemIntent::NoChange { .. } => Vec::new(),
        ItemIntent::Provide => {
            let (added, _) = delivered(&[&item.id], service_orders);
            vec![NewProduct {
                order,
                item,
                catalog,
                services: added,
                place: place_of(order, item),
                now,
            }
            .build()?]
        }
        ItemIntent::Modify { instance, .. } => {
            let Some(current) = inventory.product(&instance) else {
                return Ok(Vec::new());
            };
            let (added, removed) = delivered(&[&item.id], service_orders);
            vec![ProductInstance {
                characteristics: item.product.characteristics.clone(),
                place: item.product.place.clone().or_else(|| current.place.clone()),
                services: merged(&current.services, &added, &removed),
                ..current.clone()
            }]
        }
        ItemIntent::Cease { instance, .. } => inventory
            .product(&instance)
            .map(terminated)
            .into_iter()
            .collect(),
        ItemIntent::Migrate {
            from_product,
            replaces,
            ..
        } => {
            let Some(old) = inventory.product(&from_product) else {
                return Ok(Vec::new());
            };
            let mut realising: Vec<&ItemId> = vec![&item.id];
            realising.extend(replaces.as_ref());
            let (added, removed) = delivered(&realising, service_orders);
            let new = NewProduct {
                order,
                item,
                catalog,
                services: merged(&old.services, &added, &removed),
                place: item.product.place.clone().or_else(|| old.place.clone()),
                now,
            }
            .build()?;
            vec![new, terminated(old)]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::decomposition::{ServiceOrder, ServiceOrderItem};
    use orderdesk_domain::order::{Characteristic, ItemRelationship};
    use orderdesk_domain::ItemAction;
    use orderdesk_fixtures::Fixtures;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
    }

    fn fixtures() -> Fixtures {
        Fixtures::load_default().unwrap()
    }

    fn service(id: &str, action: ServiceAction, cfs: &str, from: &[&str]) -> ServiceOrderItem {
        ServiceOrderItem {
            id: id.into(),
            action,
            cfs: CfsSpecId::new(cfs),
            service_id: None,
            place: None,
            technology: None,
            characteristics: Vec::new(),
            removed_characteristics: Vec::new(),
            from_items: from.iter().map(|i| ItemId::new(*i)).collect(),
            depends_on: Vec::new(),
            point_of_no_return: false,
        }
    }

    fn completed(items: Vec<ServiceOrderItem>) -> Vec<StoredServiceOrder> {
        let mut so = StoredServiceOrder::new(ServiceOrder {
            id: "SO-1".into(),
            product_order: "O-1".into(),
            customer: "CUST-1011".into(),
            priority: Default::default(),
            requested_start_date: None,
            requested_completion_date: None,
            items,
        });
        for s in &mut so.item_states {
            s.1 = ServiceItemState::Completed;
        }
        vec![so]
    }

    fn order(items: Vec<OrderItem>) -> ProductOrder {
        ProductOrder::new("O-1".into(), "CUST-1011".into(), now(), items, false).unwrap()
    }

    #[test]
    fn a_provide_creates_an_active_product_with_its_services() {
        let f = fixtures();
        let mut item = OrderItem::new("1", ItemAction::Add, Some("PO-SF200-HOME".into()));
        item.product.place = Some("ADDR-AMS-0001".into());
        item.product.characteristics = vec![Characteristic::text("wifiProfile", "standard")];
        let o = order(vec![item]);
        let sos = completed(vec![
            service("a", ServiceAction::Add, "CFS:GPON-Access", &["1"]),
            service("b", ServiceAction::Add, "CFS:Internet-Access", &["1"]),
        ]);
        let out = on_completion(&o, &o.items[0], f.catalog(), f.inventory(), &sos, now()).unwrap();
        assert_eq!(out.len(), 1);
        let p = &out[0];
        assert_eq!(p.id, ProductId::new("PRD-O-1-1"));
        assert_eq!(p.status, ProductStatus::Active);
        assert_eq!(p.place, Some(AddressId::new("ADDR-AMS-0001")));
        assert_eq!(p.services.len(), 2);
        assert_eq!(
            p.contract_end,
            Some(Utc.with_ymd_and_hms(2027, 11, 26, 9, 0, 0).unwrap())
        );
    }

    #[test]
    fn a_bundle_component_is_at_its_bundles_place() {
        let f = fixtures();
        let mut bundle = OrderItem::new("1", ItemAction::Add, Some("PO-BUNDLE-TRIPLE".into()));
        bundle.product.place = Some("ADDR-AMS-0003".into());
        let mut tv = OrderItem::new("2", ItemAction::Add, Some("PO-IPTV".into()));
        tv.relationships.push(ItemRelationship {
            item: "1".into(),
            kind: ItemRelationshipType::BundledIn,
        });
        let o = order(vec![bundle, tv]);
        let out = on_completion(&o, &o.items[1], f.catalog(), f.inventory(), &[], now()).unwrap();
        assert_eq!(out[0].place, Some(AddressId::new("ADDR-AMS-0003")));
    }

    #[test]
    fn a_modify_updates_the_instance_and_a_cease_terminates_it() {
        let f = fixtures();
        let mut modify = OrderItem::new("1", ItemAction::Modify, Some("PO-SF200-HOME".into()));
        modify.product.existing = Some("PRD-100001".into());
        modify.product.characteristics = vec![
            Characteristic::text("downloadSpeed", "500"),
            Characteristic::text("wifiProfile", "mesh"),
        ];
        let mut cease = OrderItem::new("2", ItemAction::Delete, Some("PO-ROUTER-RENTAL".into()));
        cease.product.existing = Some("PRD-100002".into());
        let o = order(vec![modify, cease]);
        let sos = completed(vec![
            service("a", ServiceAction::Modify, "CFS:Internet-Access", &["1"]),
            service("b", ServiceAction::Add, "CFS:Mesh-WiFi", &["1"]),
            service("c", ServiceAction::Delete, "CFS:CPE-Management", &["2"]),
        ]);
        let out = on_completion(&o, &o.items[0], f.catalog(), f.inventory(), &sos, now()).unwrap();
        let p = &out[0];
        assert_eq!(p.id, ProductId::new("PRD-100001"));
        assert_eq!(p.characteristics[0].value.as_text(), "500");
        assert!(p.services.contains(&CfsSpecId::new("CFS:Mesh-WiFi")));
        assert!(p.services.contains(&CfsSpecId::new("CFS:GPON-Access")));
        assert_eq!(
            p.place,
            Some(AddressId::new("ADDR-AMS-0002")),
            "the instance's place is kept"
        );

        let out = on_completion(&o, &o.items[1], f.catalog(), f.inventory(), &sos, now()).unwrap();
        assert_eq!(out[0].id, ProductId::new("PRD-100002"));
        assert_eq!(out[0].status, ProductStatus::Terminated);
    }

    #[test]
    fn a_migrate_creates_the_new_product_and_terminates_the_old() {
        let f = fixtures();
        let mut new = OrderItem::new("1", ItemAction::Add, Some("PO-SF200-HOME".into()));
        new.product.place = Some("ADDR-HLM-0001".into());
        new.relationships.push(ItemRelationship {
            item: "2".into(),
            kind: ItemRelationshipType::Replaces,
        });
        let mut old = OrderItem::new("2", ItemAction::Delete, Some("PO-VDSL-50".into()));
        old.product.existing = Some("PRD-100020".into());
        let o = ProductOrder::new(
            "O-1".into(),
            "CUST-1013".into(),
            now(),
            vec![new, old],
            false,
        )
        .unwrap();
        let sos = completed(vec![
            service("a", ServiceAction::Add, "CFS:GPON-Access", &["1"]),
            service(
                "b",
                ServiceAction::Modify,
                "CFS:Internet-Access",
                &["1", "2"],
            ),
            service("c", ServiceAction::Delete, "CFS:VDSL-Access", &["2"]),
        ]);
        let out = on_completion(&o, &o.items[0], f.catalog(), f.inventory(), &sos, now()).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].offering, OfferingId::new("PO-SF200-HOME"));
        assert!(out[0].services.contains(&CfsSpecId::new("CFS:GPON-Access")));
        assert!(!out[0].services.contains(&CfsSpecId::new("CFS:VDSL-Access")));
        assert!(out[0]
            .services
            .contains(&CfsSpecId::new("CFS:CPE-Management")));
        assert_eq!(out[1].id, ProductId::new("PRD-100020"));
        assert_eq!(out[1].status, ProductStatus::Terminated);
    }
}
