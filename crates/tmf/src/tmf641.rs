//! TMF641 Service Ordering v5 — the subset the server speaks to service order management (SOM):
//! the `ServiceOrder` it sends ([`from_domain`], from the domain's decomposition) and the
//! notifications it hears back ([`ServiceOrderEvent`], read into [`ServiceOrderProgress`]).
//!
//! Mapping of a domain [`DomainServiceOrder`]: the product order becomes an `externalReference`
//! (`externalReferenceType: "ProductOrder"`), the customer a `relatedParty` with role
//! `customer`; each item's CFS is `service.serviceSpecification`, its existing instance
//! `service.id`, its characteristics typed `serviceCharacteristic`s (the access technology as
//! [`TECHNOLOGY_CHARACTERISTIC`]), its place a `RelatedPlaceRefOrValue`; `depends_on` becomes
//! `serviceOrderItemRelationship` of type `dependency` (the TMF641 term; `dependsOn` and
//! `reliesOn` are read too) and removed characteristics `modifyPath` remove operations.
//!
//! Spec quirks handled: `ServiceOrderItemStateType` is declared as an object in the v5 schema
//! (item states are read as the TMF641 v4 string enum); the examples write states as
//! `InProgress` (states are read ignoring case); `ServiceOrderStateChangeEventPayload` declares
//! `ServiceOrder` capitalised while the examples send `serviceOrder` (both are read).

use chrono::{DateTime, Utc};
use orderdesk_domain::decomposition::{
    ServiceAction, ServiceItemState, ServiceOrder as DomainServiceOrder,
    ServiceOrderItem as DomainServiceItem,
};
use orderdesk_domain::ids::{ServiceOrderId, ServiceOrderItemId};
use orderdesk_domain::order::Characteristic as DomainCharacteristic;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::common::{
    non_empty, rfc3339, AppointmentRef, EntityRef, Extra, JsonPatchOperation, Note, PatchOp,
};
use crate::convert::{non_empty_vec, CUSTOMER_ROLE, SERVICE_ADDRESS_ROLE};
use crate::error::WireError;
use crate::events::EventEnvelope;
use crate::v5::{
    Characteristic, PartyRefOrPartyRoleRef, PlaceRefOrValue, RelatedPartyRefOrPartyRoleRef,
    RelatedPlaceRefOrValue,
};

/// The name of the characteristic carrying the access technology chosen at the place.
pub const TECHNOLOGY_CHARACTERISTIC: &str = "accessTechnology";

/// The relationship type written for `depends_on`.
pub const DEPENDENCY: &str = "dependency";

/// TMF641 `ServiceOrderStateType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ServiceOrderState {
    Acknowledged,
    Rejected,
    Pending,
    Held,
    InProgress,
    Cancelled,
    Completed,
    Failed,
    Partial,
    AssessingCancellation,
    PendingCancellation,
}

impl ServiceOrderState {
    pub const ALL: &'static [ServiceOrderState] = &[
        Self::Acknowledged,
        Self::Rejected,
        Self::Pending,
        Self::Held,
        Self::InProgress,
        Self::Cancelled,
        Self::Completed,
        Self::Failed,
        Self::Partial,
        Self::AssessingCancellation,
        Self::PendingCancellation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acknowledged => "acknowledged",
            Self::Rejected => "rejected",
            Self::Pending => "pending",
            Self::Held => "held",
            Self::InProgress => "inProgress",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Partial => "partial",
            Self::AssessingCancellation => "assessingCancellation",
            Self::PendingCancellation => "pendingCancellation",
        }
    }

    /// Reads a state ignoring case: SOMs (and the TMF641 examples) write `InProgress`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|state| state.as_str().eq_ignore_ascii_case(s))
    }
}

impl<'de> Deserialize<'de> for ServiceOrderState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s)
            .ok_or_else(|| D::Error::custom(format!("unknown service order state `{s}`")))
    }
}

/// Reads a service item state ignoring case (`InProgress` as in the TMF641 examples).
fn lenient_item_state<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<ServiceItemState>, D::Error> {
    let Some(s) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    ServiceItemState::ALL
        .iter()
        .copied()
        .find(|state| state.as_str().eq_ignore_ascii_case(&s))
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("unknown service order item state `{s}`")))
}

/// `ServiceOrder`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceOrder {
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_reference: Option<Vec<ExternalReference>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Vec<Note>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_relationship: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_order_item: Option<Vec<ServiceOrderItem>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party: Option<Vec<RelatedPartyRefOrPartyRoleRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_completion_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_start_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jeopardy_alert: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_specification: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_characteristic: Option<Vec<Characteristic>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ServiceOrderState>,
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

/// `ServiceOrderItem`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceOrderItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<ServiceAction>,
    /// Read ignoring case; written in the TMF spelling.
    #[serde(
        default,
        deserialize_with = "lenient_item_state",
        skip_serializing_if = "Option::is_none"
    )]
    pub state: Option<ServiceItemState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment: Option<AppointmentRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceRefOrValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_order_item_relationship: Option<Vec<ServiceOrderItemRelationship>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_order_item: Option<Vec<ServiceOrderItem>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modify_path: Option<Vec<JsonPatchOperation>>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ServiceRefOrValue`: `@type` `Service` (by value) or `ServiceRef`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRefOrValue {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_type: Option<String>,
    /// `ServiceStateType` (`active`, `terminated`, ...): the state asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_specification: Option<EntityRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_characteristic: Option<Vec<Characteristic>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<Vec<RelatedPlaceRefOrValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supporting_service: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supporting_resource: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_relationship: Option<Vec<Value>>,
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

/// `ServiceOrderItemRelationship`: `{relationshipType, orderItem: {itemId, serviceOrderId}}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceOrderItemRelationship {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_item: Option<ServiceOrderItemRef>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ServiceOrderItemRef`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceOrderItemRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_order_href: Option<String>,
    #[serde(rename = "@referredType", skip_serializing_if = "Option::is_none")]
    pub referred_type: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ExternalReference`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalReference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_reference_type: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `event: {serviceOrder}` of every TMF641 service order notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceOrderPayload {
    /// The schema says `ServiceOrder`, the examples `serviceOrder`: both are read.
    #[serde(alias = "ServiceOrder")]
    pub service_order: ServiceOrder,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A TMF641 service order notification (`ServiceOrderStateChangeEvent`,
/// `ServiceOrderAttributeValueChangeEvent`, `ServiceOrderCreateEvent`, ...).
pub type ServiceOrderEvent = EventEnvelope<ServiceOrderPayload>;
pub type ServiceOrderStateChangeEvent = ServiceOrderEvent;

/// What a SOM notification tells about a service order: its state and the states of the items
/// it lists (nested items included). Feed the item states to
/// `orderdesk_domain::decomposition::product_item_event`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceOrderProgress {
    pub service_order: ServiceOrderId,
    pub state: Option<ServiceOrderState>,
    pub items: Vec<(ServiceOrderItemId, ServiceItemState)>,
}

impl ServiceOrder {
    /// The state updates this order carries. Needs the order id; an item with a state needs
    /// its id.
    pub fn progress(&self) -> Result<ServiceOrderProgress, WireError> {
        self.progress_at("")
    }

    fn progress_at(&self, prefix: &str) -> Result<ServiceOrderProgress, WireError> {
        let id = self
            .id
            .as_deref()
            .ok_or_else(|| WireError::missing(format!("{prefix}id"), "the service order id"))?;
        non_empty(id, || format!("{prefix}id"))?;
        let mut items = Vec::new();
        collect_states(
            self.service_order_item.as_deref().unwrap_or_default(),
            &format!("{prefix}serviceOrderItem"),
            &mut items,
        )?;
        Ok(ServiceOrderProgress {
            service_order: ServiceOrderId::new(id),
            state: self.state,
            items,
        })
    }
}

fn collect_states(
    items: &[ServiceOrderItem],
    prefix: &str,
    out: &mut Vec<(ServiceOrderItemId, ServiceItemState)>,
) -> Result<(), WireError> {
    for (i, item) in items.iter().enumerate() {
        let path = format!("{prefix}[{i}]");
        if let Some(state) = item.state {
            let id = item.id.as_deref().ok_or_else(|| {
                WireError::missing(format!("{path}.id"), "an item state needs the item id")
            })?;
            non_empty(id, || format!("{path}.id"))?;
            out.push((ServiceOrderItemId::new(id), state));
        }
        if let Some(children) = &item.service_order_item {
            collect_states(children, &format!("{path}.serviceOrderItem"), out)?;
        }
    }
    Ok(())
}

impl EventEnvelope<ServiceOrderPayload> {
    /// The state updates a SOM notification carries (paths in errors start at `event.`).
    pub fn progress(&self) -> Result<ServiceOrderProgress, WireError> {
        self.event.service_order.progress_at("event.serviceOrder.")
    }
}

/// The project's extension object on a service order item (the same `orderdesk` scheme the
/// catalog uses): SOM learns which items pass the point of no return when they start.
pub const EXTENSION: &str = "orderdesk";

fn ponr_extension(point_of_no_return: bool) -> Extra {
    let mut extra = Extra::new();
    if point_of_no_return {
        extra.insert(
            EXTENSION.to_owned(),
            serde_json::json!({ "pointOfNoReturn": true }),
        );
    }
    extra
}

/// Whether a service order item carries the point-of-no-return flag.
pub fn is_point_of_no_return(item: &ServiceOrderItem) -> bool {
    item.extra
        .get(EXTENSION)
        .and_then(|e| e.get("pointOfNoReturn"))
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

/// The service order to send to SOM for a decomposition. `now` is the request time
/// (`service.serviceDate`, required by `Service_FVO`).
pub fn from_domain(order: &DomainServiceOrder, now: DateTime<Utc>) -> ServiceOrder {
    ServiceOrder {
        id: Some(order.id.as_str().to_owned()),
        external_reference: Some(vec![ExternalReference {
            id: Some(order.product_order.as_str().to_owned()),
            name: Some(order.product_order.as_str().to_owned()),
            external_reference_type: Some("ProductOrder".to_owned()),
            at_type: Some("ExternalReference".to_owned()),
            ..ExternalReference::default()
        }]),
        service_order_item: Some(
            order
                .items
                .iter()
                .map(|i| item_out(i, &order.id, now))
                .collect(),
        ),
        priority: Some(order.priority.to_string()),
        related_party: Some(vec![RelatedPartyRefOrPartyRoleRef {
            role: Some(CUSTOMER_ROLE.to_owned()),
            party_or_party_role: Some(PartyRefOrPartyRoleRef {
                id: order.customer.as_str().to_owned(),
                referred_type: Some("Customer".to_owned()),
                at_type: Some("PartyRoleRef".to_owned()),
                ..PartyRefOrPartyRoleRef::default()
            }),
            at_type: Some("RelatedPartyRefOrPartyRoleRef".to_owned()),
            ..RelatedPartyRefOrPartyRoleRef::default()
        }]),
        requested_completion_date: order.requested_completion_date,
        requested_start_date: order.requested_start_date,
        at_type: Some("ServiceOrder".to_owned()),
        ..ServiceOrder::default()
    }
}

fn item_out(
    item: &DomainServiceItem,
    order: &ServiceOrderId,
    now: DateTime<Utc>,
) -> ServiceOrderItem {
    let mut characteristics: Vec<DomainCharacteristic> = item.characteristics.clone();
    if let Some(t) = item.technology {
        if !characteristics
            .iter()
            .any(|c| c.name == TECHNOLOGY_CHARACTERISTIC)
        {
            characteristics.push(DomainCharacteristic::text(
                TECHNOLOGY_CHARACTERISTIC,
                t.as_str(),
            ));
        }
    }
    let target_state = match item.action {
        ServiceAction::Delete => "terminated",
        ServiceAction::Add | ServiceAction::Modify | ServiceAction::NoChange => "active",
    };
    let service = ServiceRefOrValue {
        id: item.service_id.as_ref().map(|s| s.as_str().to_owned()),
        state: Some(target_state.to_owned()),
        service_date: Some(rfc3339(now)),
        service_specification: Some(EntityRef {
            name: Some(item.cfs.as_str().to_owned()),
            referred_type: Some("ServiceSpecification".to_owned()),
            ..EntityRef::new(item.cfs.as_str(), Some("ServiceSpecificationRef"))
        }),
        service_characteristic: non_empty_vec(
            characteristics
                .iter()
                .map(crate::v5::convert::characteristic_out)
                .collect(),
        ),
        place: item.place.as_ref().map(|p| {
            vec![RelatedPlaceRefOrValue {
                role: Some(SERVICE_ADDRESS_ROLE.to_owned()),
                place: Some(PlaceRefOrValue {
                    id: Some(p.as_str().to_owned()),
                    referred_type: Some("GeographicAddress".to_owned()),
                    at_type: Some("PlaceRef".to_owned()),
                    ..PlaceRefOrValue::default()
                }),
                at_type: Some("RelatedPlaceRefOrValue".to_owned()),
                ..RelatedPlaceRefOrValue::default()
            }]
        }),
        at_type: Some("Service".to_owned()),
        ..ServiceRefOrValue::default()
    };
    ServiceOrderItem {
        id: Some(item.id.as_str().to_owned()),
        action: Some(item.action),
        quantity: Some(1),
        service: Some(service),
        service_order_item_relationship: non_empty_vec(
            item.depends_on
                .iter()
                .map(|d| ServiceOrderItemRelationship {
                    relationship_type: Some(DEPENDENCY.to_owned()),
                    order_item: Some(ServiceOrderItemRef {
                        item_id: Some(d.as_str().to_owned()),
                        service_order_id: Some(order.as_str().to_owned()),
                        at_type: Some("ServiceOrderItemRef".to_owned()),
                        ..ServiceOrderItemRef::default()
                    }),
                    at_type: Some("ServiceOrderItemRelationship".to_owned()),
                    ..ServiceOrderItemRelationship::default()
                })
                .collect(),
        ),
        modify_path: non_empty_vec(
            item.removed_characteristics
                .iter()
                .map(|name| JsonPatchOperation {
                    op: PatchOp::Remove,
                    path: format!("/serviceCharacteristic?serviceCharacteristic.name={name}"),
                    value: None,
                    from: None,
                    extra: Extra::new(),
                })
                .collect(),
        ),
        at_type: Some("ServiceOrderItem".to_owned()),
        extra: ponr_extension(item.point_of_no_return),
        ..ServiceOrderItem::default()
    }
}

/// Whether a TMF641 item relationship type means "complete that item first".
pub fn is_dependency(relationship_type: &str) -> bool {
    matches!(relationship_type, "dependency" | "dependsOn" | "reliesOn")
}
