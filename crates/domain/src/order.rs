//! The product order as the domain sees it: one model behind both TMF622 v4 and v5.
//!
//! A `ProductOrder` value that exists is well-formed (ids present, items unique, relationships
//! pointing at items of the same order); the wire crate parses into it. Whether the order is
//! *acceptable* (catalog, credit, address...) is the validation pipeline's business, not this
//! module's. State changes go through [`crate::lifecycle`], never by assigning fields.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use crate::ids::{
    AddressId, BillingAccountId, CustomerId, ItemId, OfferingId, OrderId, PaymentMethodId,
    ProductId, QuoteId, UserId,
};
use crate::lifecycle::{ItemLifecycle, OrderPhase};
use crate::money::Money;
use crate::priority::Priority;

/// What an order item asks for (TMF622 `OrderItemActionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ItemAction {
    Add,
    Modify,
    Delete,
    NoChange,
}

impl ItemAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Modify => "modify",
            Self::Delete => "delete",
            Self::NoChange => "noChange",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "add" => Self::Add,
            "modify" => Self::Modify,
            "delete" => Self::Delete,
            "noChange" => Self::NoChange,
            _ => return None,
        })
    }
}

/// A characteristic value. TMF carries many typed subtypes (v5) or an untyped `value` (v4);
/// the domain keeps the few kinds that order rules compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "camelCase")]
pub enum CharacteristicValue {
    Text(String),
    Number(Decimal),
    Boolean(bool),
    /// Anything structured (objects, arrays) kept verbatim for round trips.
    Json(serde_json::Value),
}

impl CharacteristicValue {
    /// The value as the catalog lists allowed values: a plain string.
    pub fn as_text(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Number(n) => n.normalize().to_string(),
            Self::Boolean(b) => b.to_string(),
            Self::Json(v) => v.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Characteristic {
    pub name: String,
    pub value: CharacteristicValue,
}

impl Characteristic {
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: CharacteristicValue::Text(value.into()),
        }
    }
}

/// How two items of one order relate (TMF622 `orderItemRelationship.relationshipType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ItemRelationshipType {
    /// This item cannot start before the other completes (e.g. router after broadband).
    ReliesOn,
    /// This item is a child of a bundle item.
    BundledIn,
    /// This item replaces the other one (migrate: add new, delete old).
    Replaces,
}

impl ItemRelationshipType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReliesOn => "reliesOn",
            Self::BundledIn => "bundled",
            Self::Replaces => "replaces",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "reliesOn" | "dependsOn" | "requires" => Self::ReliesOn,
            "bundled" | "bundledIn" | "hasParent" | "isChildOf" => Self::BundledIn,
            "replaces" | "migratesFrom" => Self::Replaces,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRelationship {
    pub item: ItemId,
    pub kind: ItemRelationshipType,
}

/// A scheduled appointment for installation (TMF646 reference or an agreed slot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    pub id: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The product an item adds, changes or removes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProductValue {
    /// The existing inventory instance, for modify / delete / noChange.
    pub existing: Option<ProductId>,
    pub characteristics: Vec<Characteristic>,
    /// The service address (the related place with role `serviceAddress` / `installationAddress`).
    pub place: Option<AddressId>,
}

impl ProductValue {
    pub fn characteristic(&self, name: &str) -> Option<&CharacteristicValue> {
        self.characteristics
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.value)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub id: ItemId,
    pub action: ItemAction,
    pub quantity: u32,
    /// The offering ordered. TMF allows an item without one; such an order is rejected by
    /// validation (through the lifecycle), not refused at the edge.
    pub offering: Option<OfferingId>,
    pub product: ProductValue,
    pub relationships: Vec<ItemRelationship>,
    pub appointment: Option<Appointment>,
    /// One-off + recurring price agreed in the quote, if any.
    pub price: Option<Money>,
    /// Item state and its remembered states (see [`crate::lifecycle`]).
    pub lifecycle: ItemLifecycle,
    /// When this item passed its point of no return (no cancel, no amend after it).
    pub point_of_no_return: Option<DateTime<Utc>>,
}

impl OrderItem {
    /// A new item in state `acknowledged`.
    pub fn new(id: impl Into<ItemId>, action: ItemAction, offering: Option<OfferingId>) -> Self {
        Self {
            id: id.into(),
            action,
            quantity: 1,
            offering,
            product: ProductValue::default(),
            relationships: Vec::new(),
            appointment: None,
            price: None,
            lifecycle: ItemLifecycle::default(),
            point_of_no_return: None,
        }
    }

    pub fn state(&self) -> crate::lifecycle::ItemState {
        self.lifecycle.state
    }

    pub fn is_past_point_of_no_return(&self, now: DateTime<Utc>) -> bool {
        self.point_of_no_return.is_some_and(|ponr| ponr <= now)
    }
}

/// A TMF622 v5 external identifier (v4 carries a single string; it maps to one entry).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExternalId {
    /// The system that owns the id, e.g. the sales channel `web` or a partner.
    pub owner: Option<String>,
    pub kind: Option<String>,
    pub id: String,
}

/// A party related to the order other than the customer (the agent, a partner, a payer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedParty {
    pub id: String,
    pub role: String,
    pub name: Option<String>,
    pub referred_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: Option<String>,
    pub author: Option<String>,
    pub date: Option<DateTime<Utc>>,
    pub text: String,
}

/// A v5 `productOrderMilestone` (on v4 it travels as a note / event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub date: DateTime<Utc>,
    pub status: String,
    pub items: Vec<ItemId>,
}

/// A v5 `productOrderJeopardyAlert`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JeopardyAlert {
    pub id: String,
    pub name: String,
    pub jeopardy_type: String,
    pub message: String,
    pub alert_date: DateTime<Utc>,
    pub exception: String,
    pub items: Vec<ItemId>,
}

/// A v5 `productOrderErrorMessage`: why an order was rejected or held, for the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMessage {
    pub code: String,
    pub reason: String,
    pub message: String,
    pub status: Option<String>,
    pub timestamp: DateTime<Utc>,
    pub items: Vec<ItemId>,
}

/// The party paying, and how, as captured for credit and fraud checks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Payment {
    pub method: Option<PaymentMethodId>,
    /// Name on the card / account, compared with the customer's identity by fraud screening.
    pub holder_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductOrder {
    pub id: OrderId,
    /// Increases by one on every accepted change; the ETag of the order.
    pub version: u32,
    pub external_ids: Vec<ExternalId>,
    /// The sales channel that captured the order (`desk`, `web`, `partner`...).
    pub channel: Option<String>,
    pub customer: CustomerId,
    pub related_parties: Vec<RelatedParty>,
    pub billing_account: Option<BillingAccountId>,
    pub payment: Payment,
    pub priority: Priority,
    pub category: Option<String>,
    pub description: Option<String>,
    pub order_date: DateTime<Utc>,
    pub requested_start_date: Option<DateTime<Utc>>,
    pub requested_completion_date: Option<DateTime<Utc>>,
    pub expected_completion_date: Option<DateTime<Utc>>,
    pub completion_date: Option<DateTime<Utc>>,
    pub cancellation_date: Option<DateTime<Utc>>,
    pub cancellation_reason: Option<String>,
    pub quote: Option<QuoteId>,
    pub items: Vec<OrderItem>,
    pub notes: Vec<Note>,
    pub milestones: Vec<Milestone>,
    pub jeopardy_alerts: Vec<JeopardyAlert>,
    pub error_messages: Vec<ErrorMessage>,
    /// Order-level phase flags that, with the item states, give the order state.
    pub phase: OrderPhase,
    /// Why the order is held / pending / rejected, for the queues.
    pub state_reason: Option<String>,
    /// When the order entered its current state (SLA clocks run from here).
    pub state_changed_at: DateTime<Utc>,
    pub created_by: Option<UserId>,
}

/// Why a wire order could not become a domain order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderShapeError {
    #[error("the order has no items")]
    NoItems,
    #[error("item id `{0}` appears more than once")]
    DuplicateItemId(ItemId),
    #[error("item `{item}` relates to `{target}`, which is not an item of this order")]
    DanglingRelationship { item: ItemId, target: ItemId },
    #[error("item `{0}` relates to itself")]
    SelfRelationship(ItemId),
    #[error("item `{0}` has quantity 0")]
    ZeroQuantity(ItemId),
}

impl ProductOrder {
    /// A fresh order in state `acknowledged` (or `draft` if `draft` is set), checked for shape.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: OrderId,
        customer: CustomerId,
        order_date: DateTime<Utc>,
        items: Vec<OrderItem>,
        draft: bool,
    ) -> Result<Self, OrderShapeError> {
        let order = Self {
            id,
            version: 1,
            external_ids: Vec::new(),
            channel: None,
            customer,
            related_parties: Vec::new(),
            billing_account: None,
            payment: Payment::default(),
            priority: Priority::default(),
            category: None,
            description: None,
            order_date,
            requested_start_date: None,
            requested_completion_date: None,
            expected_completion_date: None,
            completion_date: None,
            cancellation_date: None,
            cancellation_reason: None,
            quote: None,
            items,
            notes: Vec::new(),
            milestones: Vec::new(),
            jeopardy_alerts: Vec::new(),
            error_messages: Vec::new(),
            phase: OrderPhase {
                draft,
                ..OrderPhase::default()
            },
            state_reason: None,
            state_changed_at: order_date,
            created_by: None,
        };
        order.check_shape()?;
        Ok(order)
    }

    /// Structural invariants every order value keeps.
    pub fn check_shape(&self) -> Result<(), OrderShapeError> {
        if self.items.is_empty() {
            return Err(OrderShapeError::NoItems);
        }
        let mut seen = HashSet::new();
        for item in &self.items {
            if !seen.insert(&item.id) {
                return Err(OrderShapeError::DuplicateItemId(item.id.clone()));
            }
            if item.quantity == 0 {
                return Err(OrderShapeError::ZeroQuantity(item.id.clone()));
            }
        }
        for item in &self.items {
            for rel in &item.relationships {
                if rel.item == item.id {
                    return Err(OrderShapeError::SelfRelationship(item.id.clone()));
                }
                if !seen.contains(&rel.item) {
                    return Err(OrderShapeError::DanglingRelationship {
                        item: item.id.clone(),
                        target: rel.item.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn item(&self, id: &ItemId) -> Option<&OrderItem> {
        self.items.iter().find(|i| &i.id == id)
    }

    pub fn item_mut(&mut self, id: &ItemId) -> Option<&mut OrderItem> {
        self.items.iter_mut().find(|i| &i.id == id)
    }

    /// The order state: derived from the phase flags and the item states.
    pub fn state(&self) -> crate::lifecycle::OrderState {
        crate::lifecycle::derive_order_state(self)
    }

    /// Service addresses the order touches, in item order, without repeats.
    pub fn places(&self) -> Vec<&AddressId> {
        let mut out: Vec<&AddressId> = Vec::new();
        for item in &self.items {
            if let Some(p) = &item.product.place {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
        out
    }

    /// The external id given by `owner` (the channel), if any.
    pub fn external_id_from(&self, owner: Option<&str>) -> Option<&ExternalId> {
        self.external_ids
            .iter()
            .find(|e| e.owner.as_deref() == owner)
    }
}
