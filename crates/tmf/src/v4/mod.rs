//! TMF622 Product Ordering **v4.0.0** wire shapes (Swagger 2.0, `/tmf-api/productOrderingManagement/v4/`).
//!
//! v4 is the flat dialect: `externalId` is one string, `relatedParty` is `{id, role, name,
//! @referredType}`, a related place is `{id, role}`, characteristics carry an untyped `value`,
//! and the creation time is `orderDate`. `@type` is optional everywhere.
//!
//! Wire types are deliberately lenient about what the specification leaves optional (a GET with
//! `fields=` returns partial orders) and strict about JSON types and enum values; turning a body
//! into a domain order, with every business-level requirement, is [`convert`]'s job.
//! Unknown fields land in each object's `extra` and are written back unchanged.

pub mod convert;

use chrono::{DateTime, Utc};
use orderdesk_domain::lifecycle::{CancelState, ItemState, OrderState};
use orderdesk_domain::ItemAction;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::{
    AppointmentRef, BillingAccountRef, EntityRef, Extra, Note, OrderItemRelationship, OrderPrice,
    PaymentRef, ProductOfferingRef, ProductOrderRef, ProductSpecificationRef, QuoteRef, TimePeriod,
};
use crate::events::{CancelProductOrderPayload, EventEnvelope, ProductOrderPayload};

pub use convert::{from_domain, to_domain};

/// `ProductOrder`: the resource as the server returns it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrder {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_completion_date: Option<DateTime<Utc>>,
    /// One id given by the consumer (v5 turned it into an array).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_date: Option<DateTime<Utc>>,
    /// `"0"` (highest) .. `"4"` (lowest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_completion_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_start_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Vec<EntityRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_account: Option<BillingAccountRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Vec<RelatedChannel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Vec<Note>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_total_price: Option<Vec<OrderPrice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<Vec<PaymentRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering_qualification: Option<Vec<EntityRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item: Option<Vec<ProductOrderItem>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<Vec<QuoteRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party: Option<Vec<RelatedParty>>,
    /// v4 knows no `draft` nor `inProgress.accepted`; the server writes their v4 equivalents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<OrderState>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ProductOrder_Create`: the POST body. The server sets id, href, orderDate, state,
/// completionDate and expectedCompletionDate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrderCreate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_completion_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_start_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Vec<EntityRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_account: Option<BillingAccountRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Vec<RelatedChannel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Vec<Note>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_total_price: Option<Vec<OrderPrice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<Vec<PaymentRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering_qualification: Option<Vec<EntityRef>>,
    /// Required by the specification (at least one item).
    pub product_order_item: Vec<ProductOrderItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<Vec<QuoteRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party: Option<Vec<RelatedParty>>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ProductOrder_Update`: the PATCH body. The specification marks `productOrderItem` required,
/// which would refuse every partial PATCH; like every implementation, this type leaves it
/// optional (a known quirk of the v4 specification).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrderUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_completion_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_completion_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_start_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Vec<EntityRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_account: Option<BillingAccountRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Vec<RelatedChannel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Vec<Note>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_total_price: Option<Vec<OrderPrice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<Vec<PaymentRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering_qualification: Option<Vec<EntityRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item: Option<Vec<ProductOrderItem>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<Vec<QuoteRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party: Option<Vec<RelatedParty>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<OrderState>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ProductOrderItem`. `id` and `action` are required by v4; an item with nothing else (no
/// offering) is still an item: it converts, and validation rejects the order later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrderItem {
    pub id: String,
    pub action: ItemAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment: Option<AppointmentRef>,
    /// Project extension: an agreed slot without an appointment id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment_slot: Option<TimePeriod>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_account: Option<BillingAccountRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_price: Option<Vec<OrderPrice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_term: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_total_price: Option<Vec<OrderPrice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<Vec<PaymentRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductRefOrValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering: Option<ProductOfferingRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering_qualification_item: Option<Value>,
    /// Child items of a bundle; the domain flattens them (children are `bundledBy` the parent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item: Option<Vec<ProductOrderItem>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item_relationship: Option<Vec<OrderItemRelationship>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualification: Option<Vec<EntityRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_item: Option<Value>,
    /// v4 items have no `partial`; the server writes `failed` for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ItemState>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ProductOrderItem {
    /// An item with only `id` and `action`.
    pub fn new(id: impl Into<String>, action: ItemAction) -> Self {
        Self {
            id: id.into(),
            action,
            quantity: None,
            appointment: None,
            appointment_slot: None,
            billing_account: None,
            item_price: None,
            item_term: None,
            item_total_price: None,
            payment: None,
            product: None,
            product_offering: None,
            product_offering_qualification_item: None,
            product_order_item: None,
            product_order_item_relationship: None,
            qualification: None,
            quote_item: None,
            state: None,
            at_type: None,
            base_type: None,
            schema_location: None,
            extra: Extra::new(),
        }
    }
}

/// `ProductRefOrValue`: an existing product (by `id`) or one described by value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRefOrValue {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_bundle: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_customer_visible: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_serial_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_account: Option<BillingAccountRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<Vec<RelatedPlaceRefOrValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<Vec<ProductRefOrValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_characteristic: Option<Vec<Characteristic>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering: Option<ProductOfferingRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_price: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_relationship: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_specification: Option<ProductSpecificationRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_term: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realizing_resource: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realizing_service: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party: Option<Vec<RelatedParty>>,
    /// `ProductStatusType`; a string because v4 lists `"aborted "` with a trailing space.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(rename = "@referredType", skip_serializing_if = "Option::is_none")]
    pub referred_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `RelatedParty`: `{id, role, name, @referredType}` (v4 requires `id` and `@referredType`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedParty {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(rename = "@referredType", skip_serializing_if = "Option::is_none")]
    pub referred_type: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `RelatedPlaceRefOrValue`: `{id, role}` plus, by value, address fields (kept in `extra`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedPlaceRefOrValue {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Required by v4; `serviceAddress` / `installationAddress` is the domain's service address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(rename = "@referredType", skip_serializing_if = "Option::is_none")]
    pub referred_type: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Characteristic`: a name and an untyped `value` (any JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Characteristic {
    pub name: String,
    pub value: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `RelatedChannel`: `{id, name, role}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedChannel {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(rename = "@referredType", skip_serializing_if = "Option::is_none")]
    pub referred_type: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CancelProductOrder`: a cancel request as the server returns it. v4 task states are only
/// `acknowledged`, `inProgress`, `done`, `terminatedWithError`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelProductOrder {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_cancellation_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_cancellation_date: Option<DateTime<Utc>>,
    pub product_order: ProductOrderRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<CancelState>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CancelProductOrder_Create`: the POST body of a cancel request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelProductOrderCreate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_cancellation_date: Option<DateTime<Utc>>,
    pub product_order: ProductOrderRef,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `EventSubscriptionInput`: the body of `POST /hub`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSubscriptionInput {
    pub callback: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `EventSubscription`: a registered listener.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSubscription {
    pub id: String,
    pub callback: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Every v4 product order notification has this shape; `eventType` tells them apart.
pub type ProductOrderEvent = EventEnvelope<ProductOrderPayload<ProductOrder>>;
pub type ProductOrderCreateEvent = ProductOrderEvent;
pub type ProductOrderAttributeValueChangeEvent = ProductOrderEvent;
pub type ProductOrderStateChangeEvent = ProductOrderEvent;
pub type ProductOrderDeleteEvent = ProductOrderEvent;
pub type ProductOrderInformationRequiredEvent = ProductOrderEvent;
/// Every v4 cancel request notification has this shape.
pub type CancelProductOrderEvent = EventEnvelope<CancelProductOrderPayload<CancelProductOrder>>;
pub type CancelProductOrderCreateEvent = CancelProductOrderEvent;
pub type CancelProductOrderStateChangeEvent = CancelProductOrderEvent;
pub type CancelProductOrderInformationRequiredEvent = CancelProductOrderEvent;

impl From<ProductOrderCreate> for ProductOrder {
    /// The create body as a (not yet stored) order: the fields move over unchanged.
    fn from(c: ProductOrderCreate) -> Self {
        Self {
            cancellation_date: c.cancellation_date,
            cancellation_reason: c.cancellation_reason,
            category: c.category,
            description: c.description,
            external_id: c.external_id,
            notification_contact: c.notification_contact,
            priority: c.priority,
            requested_completion_date: c.requested_completion_date,
            requested_start_date: c.requested_start_date,
            agreement: c.agreement,
            billing_account: c.billing_account,
            channel: c.channel,
            note: c.note,
            order_total_price: c.order_total_price,
            payment: c.payment,
            product_offering_qualification: c.product_offering_qualification,
            product_order_item: Some(c.product_order_item),
            quote: c.quote,
            related_party: c.related_party,
            at_type: c.at_type,
            base_type: c.base_type,
            schema_location: c.schema_location,
            extra: c.extra,
            ..Self::default()
        }
    }
}
