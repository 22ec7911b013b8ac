//! TMF622 Product Ordering **v5.0.0** wire shapes (OpenAPI 3.0, `/tmf-api/productOrderingManagement/v5/`).
//!
//! What changed from v4 and how it is modelled here:
//! * every object carries `@type` (required by `Extensible`); polymorphic objects dispatch on it —
//!   [`Characteristic`] is an enum of the typed subtypes; references that may be of several kinds
//!   (`PartyRefOrPartyRoleRef`, `PlaceRefOrValue`, `ProductRefOrValue`) are one struct each whose
//!   `at_type` says which, with the subtype-specific fields kept in `extra`;
//! * create and patch bodies are `_FVO` / `_MVO`: [`ProductOrderFvo`] (with
//!   [`ProductOrderItemFvo`], whose `id` and `action` are required) and [`ProductOrderMvo`] (the
//!   resource with every field optional);
//! * `orderDate` became `creationDate` — the server writes both (v4 clients read `orderDate`);
//! * `externalId` is an array of [`ExternalIdentifier`]; `relatedParty` is
//!   [`RelatedPartyRefOrPartyRoleRef`] `{role, partyOrPartyRole}`;
//! * new `productOrderMilestone`, `productOrderJeopardyAlert`, `productOrderErrorMessage`,
//!   `orderRelationship`, `requestedInitialState` (`draft`).

mod characteristic;
pub mod convert;

use chrono::{DateTime, Utc};
use orderdesk_domain::lifecycle::{CancelState, ItemState, OrderState};
use orderdesk_domain::ItemAction;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use characteristic::{Characteristic, TypedCharacteristic};
pub use convert::{from_domain, to_domain};

use crate::common::{
    AppointmentRef, BillingAccountRef, EntityRef, Extra, Note, OrderItemRelationship, OrderPrice,
    PaymentRef, ProductOfferingRef, ProductOrderItemRef, ProductOrderRef, ProductSpecificationRef,
    QuoteRef, TimePeriod,
};
use crate::events::{CancelProductOrderPayload, EventEnvelope, ProductOrderPayload};

/// `InitialProductOrderStateType`: a new order starts `acknowledged` (default) or `draft`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InitialState {
    Acknowledged,
    Draft,
}

/// `ProductOrder`: the resource as the server returns it (also the `_MVO` patch body, see
/// [`ProductOrderMvo`]).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrder {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Vec<EntityRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_account: Option<BillingAccountRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<OrderState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_initial_state: Option<InitialState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Vec<RelatedChannel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_completion_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<Vec<ExternalIdentifier>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Vec<Note>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_total_price: Option<Vec<OrderPrice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<Vec<PaymentRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_relationship: Option<Vec<OrderRelationship>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering_qualification: Option<Vec<EntityRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<Vec<QuoteRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_error_message: Option<Vec<ProductOrderErrorMessage>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_jeopardy_alert: Option<Vec<ProductOrderJeopardyAlert>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_milestone: Option<Vec<ProductOrderMilestone>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item: Option<Vec<ProductOrderItem>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party: Option<Vec<RelatedPartyRefOrPartyRoleRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_completion_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_start_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_date: Option<DateTime<Utc>>,
    /// Not in the v5 schema: the v4 name of `creationDate`, written as well so that v4 clients
    /// (and the v4 conformance kit's `orderDate` check) keep working against a v5 server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_date: Option<DateTime<Utc>>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ProductOrder_MVO`: the PATCH body — the resource with every field optional. Fields a client
/// may not change are listed by [`ProductOrder::non_patchable_fields`].
pub type ProductOrderMvo = ProductOrder;

impl ProductOrder {
    /// The fields present in a PATCH body that the server sets itself (`id`, `href`,
    /// `creationDate`, `orderDate`, `completionDate`, `state`): a patch carrying one is refused.
    pub fn non_patchable_fields(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.id.is_some() {
            out.push("id");
        }
        if self.href.is_some() {
            out.push("href");
        }
        if self.creation_date.is_some() {
            out.push("creationDate");
        }
        if self.order_date.is_some() {
            out.push("orderDate");
        }
        if self.completion_date.is_some() {
            out.push("completionDate");
        }
        if self.state.is_some() {
            out.push("state");
        }
        out
    }
}

/// `ProductOrder_FVO`: the POST body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrderFvo {
    /// `Entity_FVO` allows a client-chosen id; the server allocates its own and ignores this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Vec<EntityRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_account: Option<BillingAccountRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_initial_state: Option<InitialState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Vec<RelatedChannel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<Vec<ExternalIdentifier>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Vec<Note>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_total_price: Option<Vec<OrderPrice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<Vec<PaymentRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_relationship: Option<Vec<OrderRelationship>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering_qualification: Option<Vec<EntityRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<Vec<QuoteRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_error_message: Option<Vec<ProductOrderErrorMessage>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_jeopardy_alert: Option<Vec<ProductOrderJeopardyAlert>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_milestone: Option<Vec<ProductOrderMilestone>>,
    /// Required (at least one item).
    pub product_order_item: Vec<ProductOrderItemFvo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party: Option<Vec<RelatedPartyRefOrPartyRoleRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_completion_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_start_date: Option<DateTime<Utc>>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ProductOrderItem` as returned (and in a `_MVO` patch): every field optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrderItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<ItemAction>,
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
    pub note: Option<Vec<Note>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<Vec<PaymentRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductRefOrValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering: Option<ProductOfferingRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering_qualification_item: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_item: Option<Value>,
    /// Child items of a bundle; the domain flattens them (children are `bundledBy` the parent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item: Option<Vec<ProductOrderItem>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item_relationship: Option<Vec<OrderItemRelationship>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ItemState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualification: Option<Vec<EntityRef>>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ProductOrderItem_MVO`.
pub type ProductOrderItemMvo = ProductOrderItem;

/// `ProductOrderItem_FVO`: `id` and `action` are required (`@type` too, by the schema; a missing
/// one is tolerated). An item with only those two converts: validation rejects it later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrderItemFvo {
    pub id: String,
    pub action: ItemAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment: Option<AppointmentRef>,
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
    pub note: Option<Vec<Note>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<Vec<PaymentRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductRefOrValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering: Option<ProductOfferingRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering_qualification_item: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_item: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item: Option<Vec<ProductOrderItemFvo>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item_relationship: Option<Vec<OrderItemRelationship>>,
    /// Allowed by the schema on create; ignored (a new item is `acknowledged`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ItemState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualification: Option<Vec<EntityRef>>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ProductOrderItemFvo {
    /// An item with only `id`, `action` and `@type`.
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
            note: None,
            payment: None,
            product: None,
            product_offering: None,
            product_offering_qualification_item: None,
            quote_item: None,
            product_order_item: None,
            product_order_item_relationship: None,
            state: None,
            qualification: None,
            at_type: Some("ProductOrderItem".to_owned()),
            base_type: None,
            schema_location: None,
            extra: Extra::new(),
        }
    }
}

impl From<ProductOrderItemFvo> for ProductOrderItem {
    fn from(f: ProductOrderItemFvo) -> Self {
        Self {
            id: Some(f.id),
            action: Some(f.action),
            quantity: f.quantity,
            appointment: f.appointment,
            appointment_slot: f.appointment_slot,
            billing_account: f.billing_account,
            item_price: f.item_price,
            item_term: f.item_term,
            item_total_price: f.item_total_price,
            note: f.note,
            payment: f.payment,
            product: f.product,
            product_offering: f.product_offering,
            product_offering_qualification_item: f.product_offering_qualification_item,
            quote_item: f.quote_item,
            product_order_item: f
                .product_order_item
                .map(|v| v.into_iter().map(Self::from).collect()),
            product_order_item_relationship: f.product_order_item_relationship,
            state: f.state,
            qualification: f.qualification,
            at_type: f.at_type,
            base_type: f.base_type,
            schema_location: f.schema_location,
            extra: f.extra,
        }
    }
}

impl From<ProductOrderFvo> for ProductOrder {
    /// The create body as a (not yet stored) order: the fields move over unchanged.
    fn from(f: ProductOrderFvo) -> Self {
        Self {
            id: f.id,
            agreement: f.agreement,
            billing_account: f.billing_account,
            requested_initial_state: f.requested_initial_state,
            category: f.category,
            channel: f.channel,
            description: f.description,
            external_id: f.external_id,
            note: f.note,
            notification_contact: f.notification_contact,
            order_total_price: f.order_total_price,
            payment: f.payment,
            order_relationship: f.order_relationship,
            priority: f.priority,
            product_offering_qualification: f.product_offering_qualification,
            quote: f.quote,
            product_order_error_message: f.product_order_error_message,
            product_order_jeopardy_alert: f.product_order_jeopardy_alert,
            product_order_milestone: f.product_order_milestone,
            product_order_item: Some(
                f.product_order_item
                    .into_iter()
                    .map(ProductOrderItem::from)
                    .collect(),
            ),
            related_party: f.related_party,
            requested_completion_date: f.requested_completion_date,
            requested_start_date: f.requested_start_date,
            at_type: f.at_type,
            base_type: f.base_type,
            schema_location: f.schema_location,
            extra: f.extra,
            ..Self::default()
        }
    }
}

/// `ProductRefOrValue`: `@type` `Product` (by value) or `ProductRef` (an existing product).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRefOrValue {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_bundle: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_customer_visible: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_serial_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_characteristic: Option<Vec<Characteristic>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering: Option<ProductOfferingRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_specification: Option<ProductSpecificationRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<Vec<RelatedPlaceRefOrValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_relationship: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<Vec<ProductRefOrValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_price: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_term: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realizing_resource: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realizing_service: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement_item: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_account: Option<BillingAccountRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intent: Option<Value>,
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

/// `RelatedPartyRefOrPartyRoleRef`: `{role, partyOrPartyRole}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedPartyRefOrPartyRoleRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_or_party_role: Option<PartyRefOrPartyRoleRef>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `PartyRefOrPartyRoleRef`: `@type` `PartyRef` or `PartyRoleRef` (which adds `partyId`,
/// `partyName`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyRefOrPartyRoleRef {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_name: Option<String>,
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

/// `RelatedPlaceRefOrValue`: `{role, place}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedPlaceRefOrValue {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<PlaceRefOrValue>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `PlaceRefOrValue`: `@type` `PlaceRef`, `GeographicAddress`, `GeographicSite` or
/// `GeographicLocation`; address fields of a place by value stay in `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaceRefOrValue {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
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

/// `ExternalIdentifier`: `{owner, externalIdentifierType, id}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalIdentifier {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_identifier_type: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `RelatedChannel`: `{role, channel: ChannelRef}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedChannel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<EntityRef>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `OrderRelationship`: a relationship to another order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRelationship {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship_type: Option<String>,
    #[serde(rename = "@referredType", skip_serializing_if = "Option::is_none")]
    pub referred_type: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ProductOrderMilestone`. `status` is `Yet-To-Reach`, `Completed` or `Violated` in the schema.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrderMilestone {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item: Option<Vec<ProductOrderItemRef>>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ProductOrderJeopardyAlert`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrderJeopardyAlert {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jeopardy_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item: Option<Vec<ProductOrderItemRef>>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ProductOrderErrorMessage`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrderErrorMessage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item: Option<Vec<ProductOrderItemRef>>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CancelProductOrder`: a cancel request as the server returns it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelProductOrder {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order: Option<ProductOrderRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_cancellation_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<CancelState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_cancellation_date: Option<DateTime<Utc>>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CancelProductOrder_FVO`: the POST body of a cancel request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelProductOrderFvo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub product_order: ProductOrderRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_cancellation_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Hub_FVO`: the body of `POST /hub`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HubFvo {
    pub callback: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Hub`: a registered listener.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hub {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    pub callback: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Every v5 product order notification has this shape; `eventType` / `@type` tell them apart.
/// (`ProductOrderInformationRequiredEvent` carries a `ProductOrderRef`: it reads as a partial
/// order; `informationRequired` is on the payload.)
pub type ProductOrderEvent = EventEnvelope<ProductOrderPayload<ProductOrder>>;
pub type ProductOrderCreateEvent = ProductOrderEvent;
pub type ProductOrderAttributeValueChangeEvent = ProductOrderEvent;
pub type ProductOrderStateChangeEvent = ProductOrderEvent;
pub type ProductOrderDeleteEvent = ProductOrderEvent;
pub type ProductOrderInformationRequiredEvent = ProductOrderEvent;
pub type ProductOrderMilestoneEvent = ProductOrderEvent;
pub type ProductOrderJeopardyAlertEvent = ProductOrderEvent;
pub type ProductOrderErrorMessageEvent = ProductOrderEvent;
/// Every v5 cancel request notification has this shape.
pub type CancelProductOrderEvent = EventEnvelope<CancelProductOrderPayload<CancelProductOrder>>;
pub type CancelProductOrderCreateEvent = CancelProductOrderEvent;
pub type CancelProductOrderStateChangeEvent = CancelProductOrderEvent;
pub type CancelProductOrderInformationRequiredEvent = CancelProductOrderEvent;
