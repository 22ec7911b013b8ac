//! The service order decomposition produces: a domain mirror of TMF641 `ServiceOrder` /
//! `ServiceOrderItem`. The tmf crate turns it into TMF641 JSON (`depends_on` becomes
//! `serviceOrderItemRelationship` of type `dependency`, `service_id` the `service` reference,
//! `removed_characteristics` `modifyPath` remove operations).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::Technology;
use crate::ids::{
    AddressId, CfsSpecId, CustomerId, ItemId, OrderId, ProductId, ServiceId, ServiceOrderId,
    ServiceOrderItemId,
};
use crate::order::Characteristic;
use crate::priority::Priority;

/// What a service order item asks of service order management (TMF641 `OrderItemActionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ServiceAction {
    Add,
    Modify,
    Delete,
    NoChange,
}

impl ServiceAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Modify => "modify",
            Self::Delete => "delete",
            Self::NoChange => "noChange",
        }
    }
}

/// A service order for one product order (TMF641 `ServiceOrder`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceOrder {
    pub id: ServiceOrderId,
    /// The product order it fulfils (TMF641 `externalReference` / related order).
    pub product_order: OrderId,
    pub customer: CustomerId,
    pub priority: Priority,
    pub requested_start_date: Option<DateTime<Utc>>,
    pub requested_completion_date: Option<DateTime<Utc>>,
    /// In an order SOM can work top to bottom: an item only depends on items listed before it.
    pub items: Vec<ServiceOrderItem>,
}

impl ServiceOrder {
    pub fn item(&self, id: &ServiceOrderItemId) -> Option<&ServiceOrderItem> {
        self.items.iter().find(|i| &i.id == id)
    }

    /// The service items realising one product order item.
    pub fn items_of<'a>(
        &'a self,
        product_item: &'a ItemId,
    ) -> impl Iterator<Item = &'a ServiceOrderItem> + 'a {
        self.items
            .iter()
            .filter(move |i| i.from_items.contains(product_item))
    }
}

/// One customer-facing service to add, change or remove (TMF641 `ServiceOrderItem`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceOrderItem {
    pub id: ServiceOrderItemId,
    pub action: ServiceAction,
    pub cfs: CfsSpecId,
    /// The existing service instance, for modify and delete (see [`service_instance_id`]).
    pub service_id: Option<ServiceId>,
    pub place: Option<AddressId>,
    /// The access technology chosen at the place, when the product is address-bound.
    pub technology: Option<Technology>,
    /// The characteristics the CFS mapping lists: all of them for an add, only the added or
    /// changed ones for a modify, none for a delete.
    pub characteristics: Vec<Characteristic>,
    /// For a modify: mapped characteristics the product no longer has.
    pub removed_characteristics: Vec<String>,
    /// The product order items this service realises; a shared CFS lists every item it serves.
    pub from_items: Vec<ItemId>,
    /// Items of the same service order that must complete first.
    pub depends_on: Vec<ServiceOrderItemId>,
    /// Delivering this CFS passes the point of no return (the catalog's flag).
    pub point_of_no_return: bool,
}

/// The id of the service instance realising `cfs` for an installed product: service inventory
/// keys CFS instances by the product they were provided for.
pub fn service_instance_id(product: &ProductId, cfs: &CfsSpecId) -> ServiceId {
    let mut id = String::with_capacity(product.as_str().len() + 1 + cfs.as_str().len());
    id.push_str(product.as_str());
    id.push('/');
    id.push_str(cfs.as_str());
    ServiceId::new(id)
}
