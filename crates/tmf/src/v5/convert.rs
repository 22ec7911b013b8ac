//! TMF622 v5 ↔ domain.
//!
//! Into the domain: a `ProductOrder_FVO` with its [`OrderIntake`] ([`to_domain`]; honours
//! `requestedInitialState: draft`), a stored `ProductOrder` read back (`TryFrom<&ProductOrder>`),
//! a `CancelProductOrder_FVO` ([`cancel_to_domain`]). Out of the domain: [`from_domain`] (with
//! `@type` on every object, `creationDate` *and* `orderDate`), [`cancel_from_domain`] and the
//! notifications ([`order_event`], [`cancel_event`]).
//!
//! Characteristics: `String`/`Number`/`Integer`/`Float`/`Boolean` subtypes become typed domain
//! values, objects and arrays are kept as JSON; on the way out each domain value gets the subtype
//! that fits (a mixed array goes out as the base `Characteristic`). Places are written as
//! `{role: "serviceAddress", place: {@type: "PlaceRef", @referredType: "GeographicAddress"}}`:
//! `PlaceRef` is the reference subtype the schema's discriminator knows.

use chrono::{DateTime, Utc};
use orderdesk_domain::ids::{
    AddressId, BillingAccountId, CustomerId, ItemId, OfferingId, OrderId, ProductId, QuoteId,
};
use orderdesk_domain::lifecycle::{ItemLifecycle, ItemState};
use orderdesk_domain::order::{
    Characteristic as DomainCharacteristic, CharacteristicValue, ErrorMessage, ExternalId,
    JeopardyAlert, Milestone, OrderItem, ProductValue, RelatedParty as DomainParty,
};
use orderdesk_domain::{Priority, ProductOrder as DomainOrder};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::{
    CancelProductOrder, CancelProductOrderEvent, CancelProductOrderFvo, Characteristic,
    ExternalIdentifier, InitialState, PartyRefOrPartyRoleRef, PlaceRefOrValue, ProductOrder,
    ProductOrderErrorMessage, ProductOrderEvent, ProductOrderFvo, ProductOrderItem,
    ProductOrderJeopardyAlert, ProductOrderMilestone, ProductRefOrValue,
    RelatedPartyRefOrPartyRoleRef, RelatedPlaceRefOrValue, TypedCharacteristic,
};
use crate::common::{
    decimal_to_number, href, non_empty, number_to_decimal, phase_from_states, ApiVersion,
    EntityRef, ProductOrderItemRef,
};
use crate::convert::{
    appointment_in, appointment_out, is_customer_role, is_service_address_role, non_empty_vec,
    notes_in, notes_out, payment_in, payment_out, price_in, price_out, quantity,
    relationship_drafts, relationships_out, resolve_items, untyped_value, CancelIntake,
    CancelRequest, ItemDraft, NewOrder, OrderIntake, CUSTOMER_ROLE, SERVICE_ADDRESS_ROLE,
};
use crate::error::WireError;
use crate::events::{CancelProductOrderPayload, EventEnvelope, EventKind, ProductOrderPayload};

/// A v5 `ProductOrder_FVO` as a new domain order (`acknowledged`, or `draft` when
/// `requestedInitialState` asks for it).
pub fn to_domain(body: ProductOrderFvo, intake: OrderIntake) -> Result<DomainOrder, WireError> {
    let draft = body.requested_initial_state == Some(InitialState::Draft);
    let wire = ProductOrder::from(body);
    let items = wire.product_order_item.as_deref().unwrap_or_default();
    let drafts = item_drafts(items, true)?;
    let mut order = assemble(&wire, intake.id, intake.now, drafts, draft)?;
    order.channel = intake.channel;
    order.created_by = intake.created_by;
    Ok(order)
}

impl TryFrom<NewOrder<ProductOrderFvo>> for DomainOrder {
    type Error = WireError;
    fn try_from(value: NewOrder<ProductOrderFvo>) -> Result<Self, Self::Error> {
        to_domain(value.body, value.intake)
    }
}

impl TryFrom<&ProductOrder> for DomainOrder {
    type Error = WireError;

    /// A stored v5 order read back: ids, dates (`creationDate`, else `orderDate`) and states
    /// come from the body; the phase flags are inferred from the states.
    fn try_from(wire: &ProductOrder) -> Result<Self, Self::Error> {
        let id = wire
            .id
            .clone()
            .ok_or_else(|| WireError::missing("id", "a stored order has an id"))?;
        non_empty(&id, || "id".to_owned())?;
        let created = wire.creation_date.or(wire.order_date).ok_or_else(|| {
            WireError::missing("creationDate", "a stored order has a creation date")
        })?;
        let items = wire.product_order_item.as_deref().unwrap_or_default();
        let drafts = item_drafts(items, false)?;
        let mut order = assemble(wire, OrderId::new(id), created, drafts, false)?;
        let states: Vec<ItemState> = order.items.iter().map(OrderItem::state).collect();
        order.phase = phase_from_states(wire.state, &states);
        Ok(order)
    }
}

fn assemble(
    wire: &ProductOrder,
    id: OrderId,
    created: DateTime<Utc>,
    drafts: Vec<ItemDraft>,
    draft: bool,
) -> Result<DomainOrder, WireError> {
    let parties = wire.related_party.as_deref().unwrap_or_default();
    let (customer, related_parties) = parties_in(parties)?;
    let items = resolve_items(drafts)?;
    if items.is_empty() {
        return Err(WireError::missing(
            "productOrderItem",
            "an order has at least one item",
        ));
    }
    let mut order = DomainOrder::new(id, customer, created, items, draft)?;
    order.related_parties = related_parties;
    if let Some(p) = &wire.priority {
        order.priority =
            Priority::parse(p).map_err(|e| WireError::invalid("priority", e.to_string()))?;
    }
    order.external_ids = wire
        .external_id
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, e)| {
            non_empty(&e.id, || format!("externalId[{i}].id"))?;
            Ok(ExternalId {
                owner: e.owner.clone(),
                kind: e.external_identifier_type.clone(),
                id: e.id.clone(),
            })
        })
        .collect::<Result<_, WireError>>()?;
    order.category = wire.category.clone();
    order.description = wire.description.clone();
    order.requested_start_date = wire.requested_start_date;
    order.requested_completion_date = wire.requested_completion_date;
    order.expected_completion_date = wire.expected_completion_date;
    order.completion_date = wire.completion_date;
    order.cancellation_date = wire.cancellation_date;
    order.cancellation_reason = wire.cancellation_reason.clone();
    if let Some(b) = &wire.billing_account {
        non_empty(&b.id, || "billingAccount.id".to_owned())?;
        order.billing_account = Some(BillingAccountId::new(b.id.clone()));
    }
    order.payment = payment_in(wire.payment.as_deref());
    if let Some(q) = wire.quote.as_deref().and_then(|q| q.first()) {
        non_empty(&q.id, || "quote[0].id".to_owned())?;
        order.quote = Some(QuoteId::new(q.id.clone()));
    }
    order.notes = notes_in(wire.note.as_deref(), "note")?;
    order.milestones = milestones_in(wire.product_order_milestone.as_deref(), created)?;
    order.jeopardy_alerts = alerts_in(wire.product_order_jeopardy_alert.as_deref(), created)?;
    order.error_messages = errors_in(wire.product_order_error_message.as_deref(), created);
    Ok(order)
}

fn party_ref(
    p: &RelatedPartyRefOrPartyRoleRef,
    i: usize,
) -> Result<&PartyRefOrPartyRoleRef, WireError> {
    let r = p.party_or_party_role.as_ref().ok_or_else(|| {
        WireError::missing(
            format!("relatedParty[{i}].partyOrPartyRole"),
            "the party playing the role",
        )
    })?;
    non_empty(&r.id, || format!("relatedParty[{i}].partyOrPartyRole.id"))?;
    Ok(r)
}

fn parties_in(
    parties: &[RelatedPartyRefOrPartyRoleRef],
) -> Result<(CustomerId, Vec<DomainParty>), WireError> {
    let at = parties
        .iter()
        .position(|p| is_customer_role(p.role.as_deref()))
        .ok_or_else(|| {
            WireError::missing("relatedParty", "no related party has the role `customer`")
        })?;
    let mut customer = None;
    let mut others = Vec::new();
    for (i, p) in parties.iter().enumerate() {
        let r = party_ref(p, i)?;
        if i == at {
            customer = Some(CustomerId::new(r.id.clone()));
        } else {
            others.push(DomainParty {
                id: r.id.clone(),
                role: p.role.clone().unwrap_or_default(),
                name: r.name.clone(),
                referred_type: r.referred_type.clone(),
            });
        }
    }
    let customer = customer.ok_or_else(|| {
        WireError::missing("relatedParty", "no related party has the role `customer`")
    })?;
    Ok((customer, others))
}

fn item_refs(refs: Option<&[ProductOrderItemRef]>) -> Vec<ItemId> {
    refs.unwrap_or_default()
        .iter()
        .filter_map(|r| r.product_order_item_id.as_deref().map(ItemId::new))
        .collect()
}

fn required_id(id: Option<&String>, field: String) -> Result<String, WireError> {
    let id = id.ok_or_else(|| WireError::missing(field.clone(), "an id"))?;
    non_empty(id, || field)?;
    Ok(id.clone())
}

/// Milestones: `message` is the domain's description; a missing date defaults to the order's
/// creation.
fn milestones_in(
    ms: Option<&[ProductOrderMilestone]>,
    created: DateTime<Utc>,
) -> Result<Vec<Milestone>, WireError> {
    ms.unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, m)| {
            Ok(Milestone {
                id: required_id(m.id.as_ref(), format!("productOrderMilestone[{i}].id"))?,
                name: m.name.clone().unwrap_or_default(),
                description: m.message.clone(),
                date: m.milestone_date.unwrap_or(created),
                status: m.status.clone().unwrap_or_default(),
                items: item_refs(m.product_order_item.as_deref()),
            })
        })
        .collect()
}

fn alerts_in(
    alerts: Option<&[ProductOrderJeopardyAlert]>,
    created: DateTime<Utc>,
) -> Result<Vec<JeopardyAlert>, WireError> {
    alerts
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, a)| {
            Ok(JeopardyAlert {
                id: required_id(a.id.as_ref(), format!("productOrderJeopardyAlert[{i}].id"))?,
                name: a.name.clone().unwrap_or_default(),
                jeopardy_type: a.jeopardy_type.clone().unwrap_or_default(),
                message: a.message.clone().unwrap_or_default(),
                alert_date: a.alert_date.unwrap_or(created),
                exception: a.exception.clone().unwrap_or_default(),
                items: item_refs(a.product_order_item.as_deref()),
            })
        })
        .collect()
}

fn errors_in(
    errors: Option<&[ProductOrderErrorMessage]>,
    created: DateTime<Utc>,
) -> Vec<ErrorMessage> {
    errors
        .unwrap_or_default()
        .iter()
        .map(|e| ErrorMessage {
            code: e.code.clone().unwrap_or_default(),
            reason: e.reason.clone().unwrap_or_default(),
            message: e.message.clone().unwrap_or_default(),
            status: e.status.clone(),
            timestamp: e.timestamp.unwrap_or(created),
            items: item_refs(e.product_order_item.as_deref()),
        })
        .collect()
}

fn item_drafts(items: &[ProductOrderItem], fresh: bool) -> Result<Vec<ItemDraft>, WireError> {
    let mut out = Vec::new();
    collect(items, "productOrderItem", None, fresh, &mut out)?;
    Ok(out)
}

fn collect(
    items: &[ProductOrderItem],
    prefix: &str,
    parent: Option<&ItemId>,
    fresh: bool,
    out: &mut Vec<ItemDraft>,
) -> Result<(), WireError> {
    for (i, it) in items.iter().enumerate() {
        let path = format!("{prefix}[{i}]");
        let item = item_in(it, &path, fresh)?;
        let id = item.id.clone();
        out.push(ItemDraft {
            path: path.clone(),
            item,
            parent: parent.cloned(),
            relationships: relationship_drafts(
                it.product_order_item_relationship.as_deref(),
                &path,
            ),
        });
        if let Some(children) = &it.product_order_item {
            collect(
                children,
                &format!("{path}.productOrderItem"),
                Some(&id),
                fresh,
                out,
            )?;
        }
    }
    Ok(())
}

fn item_in(it: &ProductOrderItem, path: &str, fresh: bool) -> Result<OrderItem, WireError> {
    let id = it
        .id
        .clone()
        .ok_or_else(|| WireError::missing(format!("{path}.id"), "every item has an id"))?;
    let action = it
        .action
        .ok_or_else(|| WireError::missing(format!("{path}.action"), "every item has an action"))?;
    let offering = match &it.product_offering {
        Some(o) => {
            non_empty(&o.id, || format!("{path}.productOffering.id"))?;
            Some(OfferingId::new(o.id.clone()))
        }
        None => None,
    };
    let mut item = OrderItem::new(id, action, offering);
    item.quantity = quantity(it.quantity, path)?;
    if let Some(p) = &it.product {
        item.product = product_in(p, &format!("{path}.product"))?;
    }
    item.appointment = appointment_in(it.appointment.as_ref(), it.appointment_slot.as_ref(), path)?;
    item.price = price_in(it.item_total_price.as_deref());
    if !fresh {
        item.lifecycle = ItemLifecycle::new(it.state.unwrap_or(ItemState::Acknowledged));
    }
    Ok(item)
}

fn product_in(p: &ProductRefOrValue, path: &str) -> Result<ProductValue, WireError> {
    let existing = match &p.id {
        Some(id) => {
            non_empty(id, || format!("{path}.id"))?;
            Some(ProductId::new(id.clone()))
        }
        None => None,
    };
    let characteristics = p
        .product_characteristic
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(k, c)| characteristic_in(c, &format!("{path}.productCharacteristic[{k}]")))
        .collect::<Result<_, _>>()?;
    let mut place = None;
    for (j, rp) in p.place.as_deref().unwrap_or_default().iter().enumerate() {
        if is_service_address_role(rp.role.as_deref()) {
            let field = format!("{path}.place[{j}].place.id");
            let id = rp
                .place
                .as_ref()
                .and_then(|pl| pl.id.as_deref())
                .ok_or_else(|| WireError::missing(field.clone(), "the service address id"))?;
            non_empty(id, || field)?;
            place = Some(AddressId::new(id));
            break;
        }
    }
    Ok(ProductValue {
        existing,
        characteristics,
        place,
    })
}

fn number_value(n: &serde_json::Number) -> CharacteristicValue {
    number_to_decimal(n)
        .map(CharacteristicValue::Number)
        .unwrap_or_else(|| CharacteristicValue::Json(Value::Number(n.clone())))
}

fn characteristic_in(c: &Characteristic, path: &str) -> Result<DomainCharacteristic, WireError> {
    let name = c
        .name()
        .ok_or_else(|| WireError::missing(format!("{path}.name"), "every characteristic is named"))?
        .to_owned();
    let missing = || WireError::missing(format!("{path}.value"), "the characteristic's value");
    fn req<T: Clone>(v: &Option<T>, missing: impl FnOnce() -> WireError) -> Result<T, WireError> {
        v.clone().ok_or_else(missing)
    }
    let value = match c {
        Characteristic::String(t) => CharacteristicValue::Text(req(&t.value, missing)?),
        Characteristic::Number(t) | Characteristic::Float(t) => {
            number_value(&req(&t.value, missing)?)
        }
        Characteristic::Integer(t) => {
            CharacteristicValue::Number(Decimal::from(req(&t.value, missing)?))
        }
        Characteristic::Boolean(t) => CharacteristicValue::Boolean(req(&t.value, missing)?),
        Characteristic::Object(t) => {
            CharacteristicValue::Json(Value::Object(req(&t.value, missing)?))
        }
        Characteristic::Other(map) => untyped_value(map.get("value").ok_or_else(missing)?),
        array => CharacteristicValue::Json(array.value_json().ok_or_else(missing)?),
    };
    Ok(DomainCharacteristic { name, value })
}

pub(crate) fn characteristic_out(c: &DomainCharacteristic) -> Characteristic {
    let name = c.name.clone();
    match &c.value {
        CharacteristicValue::Text(s) => {
            Characteristic::String(TypedCharacteristic::new(name, s.clone(), "string"))
        }
        CharacteristicValue::Number(d) => Characteristic::Number(TypedCharacteristic::new(
            name,
            decimal_to_number(*d),
            "number",
        )),
        CharacteristicValue::Boolean(b) => {
            Characteristic::Boolean(TypedCharacteristic::new(name, *b, "boolean"))
        }
        CharacteristicValue::Json(Value::Object(map)) => {
            Characteristic::Object(TypedCharacteristic::new(name, map.clone(), "object"))
        }
        CharacteristicValue::Json(Value::Array(values)) => array_out(name, values),
        CharacteristicValue::Json(other) => base_characteristic(name, other.clone()),
    }
}

/// The array subtype that fits every element, else the base `Characteristic`.
fn array_out(name: String, values: &[Value]) -> Characteristic {
    if values.iter().all(Value::is_object) {
        let objects = values
            .iter()
            .filter_map(|v| v.as_object().cloned())
            .collect();
        return Characteristic::ObjectArray(TypedCharacteristic::new(name, objects, "array"));
    }
    if let Some(strings) = values
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
    {
        return Characteristic::StringArray(TypedCharacteristic::new(name, strings, "array"));
    }
    if let Some(numbers) = values
        .iter()
        .map(|v| v.as_number().cloned())
        .collect::<Option<Vec<_>>>()
    {
        return Characteristic::NumberArray(TypedCharacteristic::new(name, numbers, "array"));
    }
    if let Some(bools) = values
        .iter()
        .map(Value::as_bool)
        .collect::<Option<Vec<_>>>()
    {
        return Characteristic::BooleanArray(TypedCharacteristic::new(name, bools, "array"));
    }
    base_characteristic(name, Value::Array(values.to_vec()))
}

fn base_characteristic(name: String, value: Value) -> Characteristic {
    let mut map = Map::new();
    map.insert("name".to_owned(), Value::String(name));
    map.insert("value".to_owned(), value);
    map.insert(
        "@type".to_owned(),
        Value::String("Characteristic".to_owned()),
    );
    Characteristic::Other(map)
}

fn typed(name: &str) -> Option<String> {
    Some(name.to_owned())
}

/// A domain order in the v5 shape. `api_base` is the API root
/// (`https://host/tmf-api/productOrderingManagement/v5`).
pub fn from_domain(order: &DomainOrder, api_base: &str) -> ProductOrder {
    let order_href = href(api_base, "productOrder", order.id.as_str());
    let mut parties = vec![RelatedPartyRefOrPartyRoleRef {
        role: Some(CUSTOMER_ROLE.to_owned()),
        party_or_party_role: Some(PartyRefOrPartyRoleRef {
            id: order.customer.as_str().to_owned(),
            referred_type: typed("Customer"),
            at_type: typed("PartyRoleRef"),
            ..PartyRefOrPartyRoleRef::default()
        }),
        at_type: typed("RelatedPartyRefOrPartyRoleRef"),
        ..RelatedPartyRefOrPartyRoleRef::default()
    }];
    parties.extend(
        order
            .related_parties
            .iter()
            .map(|p| RelatedPartyRefOrPartyRoleRef {
                role: (!p.role.is_empty()).then(|| p.role.clone()),
                party_or_party_role: Some(PartyRefOrPartyRoleRef {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    referred_type: p.referred_type.clone(),
                    at_type: typed("PartyRef"),
                    ..PartyRefOrPartyRoleRef::default()
                }),
                at_type: typed("RelatedPartyRefOrPartyRoleRef"),
                ..RelatedPartyRefOrPartyRoleRef::default()
            }),
    );
    let item_ref = |id: &ItemId| ProductOrderItemRef {
        product_order_id: Some(order.id.as_str().to_owned()),
        product_order_item_id: Some(id.as_str().to_owned()),
        product_order_href: Some(order_href.clone()),
        at_type: typed("ProductOrderItemRef"),
        ..ProductOrderItemRef::default()
    };
    let item_refs = |ids: &[ItemId]| non_empty_vec(ids.iter().map(item_ref).collect());
    ProductOrder {
        id: Some(order.id.as_str().to_owned()),
        href: Some(order_href.clone()),
        billing_account: order
            .billing_account
            .as_ref()
            .map(|b| EntityRef::new(b.as_str(), Some("BillingAccountRef"))),
        state: Some(order.state()),
        cancellation_date: order.cancellation_date,
        cancellation_reason: order.cancellation_reason.clone(),
        category: order.category.clone(),
        description: order.description.clone(),
        expected_completion_date: order.expected_completion_date,
        external_id: non_empty_vec(
            order
                .external_ids
                .iter()
                .map(|e| ExternalIdentifier {
                    id: e.id.clone(),
                    owner: e.owner.clone(),
                    external_identifier_type: e.kind.clone(),
                    at_type: typed("ExternalIdentifier"),
                    ..ExternalIdentifier::default()
                })
                .collect(),
        ),
        note: notes_out(&order.notes, Some("Note")),
        payment: payment_out(&order.payment, Some("PaymentRef")),
        priority: Some(order.priority.to_string()),
        quote: order
            .quote
            .as_ref()
            .map(|q| vec![EntityRef::new(q.as_str(), Some("QuoteRef"))]),
        product_order_error_message: non_empty_vec(
            order
                .error_messages
                .iter()
                .map(|e| ProductOrderErrorMessage {
                    code: Some(e.code.clone()),
                    reason: Some(e.reason.clone()),
                    message: Some(e.message.clone()),
                    status: e.status.clone(),
                    timestamp: Some(e.timestamp),
                    product_order_item: item_refs(&e.items),
                    at_type: typed("ProductOrderErrorMessage"),
                    ..ProductOrderErrorMessage::default()
                })
                .collect(),
        ),
        product_order_jeopardy_alert: non_empty_vec(
            order
                .jeopardy_alerts
                .iter()
                .map(|a| ProductOrderJeopardyAlert {
                    id: Some(a.id.clone()),
                    name: Some(a.name.clone()),
                    jeopardy_type: Some(a.jeopardy_type.clone()),
                    message: Some(a.message.clone()),
                    exception: Some(a.exception.clone()),
                    alert_date: Some(a.alert_date),
                    product_order_item: item_refs(&a.items),
                    at_type: typed("ProductOrderJeopardyAlert"),
                    ..ProductOrderJeopardyAlert::default()
                })
                .collect(),
        ),
        product_order_milestone: non_empty_vec(
            order
                .milestones
                .iter()
                .map(|m| ProductOrderMilestone {
                    id: Some(m.id.clone()),
                    name: Some(m.name.clone()),
                    message: m.description.clone(),
                    status: Some(m.status.clone()),
                    milestone_date: Some(m.date),
                    product_order_item: item_refs(&m.items),
                    at_type: typed("ProductOrderMilestone"),
                    ..ProductOrderMilestone::default()
                })
                .collect(),
        ),
        product_order_item: Some(order.items.iter().map(item_out).collect()),
        related_party: Some(parties),
        requested_completion_date: order.requested_completion_date,
        requested_start_date: order.requested_start_date,
        creation_date: Some(order.order_date),
        completion_date: order.completion_date,
        order_date: Some(order.order_date),
        at_type: typed("ProductOrder"),
        ..ProductOrder::default()
    }
}

fn item_out(item: &OrderItem) -> ProductOrderItem {
    let (appointment, appointment_slot) =
        appointment_out(item.appointment.as_ref(), Some("AppointmentRef"));
    ProductOrderItem {
        id: Some(item.id.as_str().to_owned()),
        action: Some(item.action),
        quantity: Some(i64::from(item.quantity)),
        appointment,
        appointment_slot,
        item_total_price: item.price.as_ref().map(|m| vec![price_out(m, true)]),
        product: product_out(&item.product),
        product_offering: item
            .offering
            .as_ref()
            .map(|o| EntityRef::new(o.as_str(), Some("ProductOfferingRef"))),
        product_order_item_relationship: non_empty_vec(relationships_out(
            item,
            Some("OrderItemRelationship"),
        )),
        state: Some(item.state()),
        at_type: typed("ProductOrderItem"),
        ..ProductOrderItem::default()
    }
}

fn product_out(p: &ProductValue) -> Option<ProductRefOrValue> {
    if p.existing.is_none() && p.characteristics.is_empty() && p.place.is_none() {
        return None;
    }
    Some(ProductRefOrValue {
        id: p.existing.as_ref().map(|e| e.as_str().to_owned()),
        product_characteristic: non_empty_vec(
            p.characteristics.iter().map(characteristic_out).collect(),
        ),
        place: p.place.as_ref().map(|a| {
            vec![RelatedPlaceRefOrValue {
                role: Some(SERVICE_ADDRESS_ROLE.to_owned()),
                place: Some(PlaceRefOrValue {
                    id: Some(a.as_str().to_owned()),
                    referred_type: typed("GeographicAddress"),
                    at_type: typed("PlaceRef"),
                    ..PlaceRefOrValue::default()
                }),
                at_type: typed("RelatedPlaceRefOrValue"),
                ..RelatedPlaceRefOrValue::default()
            }]
        }),
        at_type: typed("Product"),
        ..ProductRefOrValue::default()
    })
}

/// A v5 `CancelProductOrder_FVO` as a cancel request in state `acknowledged`.
pub fn cancel_to_domain(
    body: &CancelProductOrderFvo,
    intake: CancelIntake,
) -> Result<CancelRequest, WireError> {
    CancelRequest::new(
        intake,
        &body.product_order,
        body.cancellation_reason.clone(),
        body.requested_cancellation_date,
    )
}

/// A cancel request in the v5 shape.
pub fn cancel_from_domain(request: &CancelRequest, api_base: &str) -> CancelProductOrder {
    let mut order_ref = EntityRef::new(request.order.as_str(), Some("ProductOrderRef"));
    order_ref.href = Some(href(api_base, "productOrder", request.order.as_str()));
    order_ref.referred_type = typed("ProductOrder");
    CancelProductOrder {
        id: Some(request.id.as_str().to_owned()),
        href: Some(href(api_base, "cancelProductOrder", request.id.as_str())),
        product_order: Some(order_ref),
        creation_date: Some(request.created),
        requested_cancellation_date: request.requested_date,
        cancellation_reason: request.reason.clone(),
        state: Some(request.state),
        effective_cancellation_date: request.effective_date,
        at_type: typed("CancelProductOrder"),
        ..CancelProductOrder::default()
    }
}

/// A v5 product order notification carrying the whole order.
pub fn order_event(
    kind: EventKind,
    event_id: impl Into<String>,
    now: DateTime<Utc>,
    order: &DomainOrder,
    api_base: &str,
) -> Result<ProductOrderEvent, WireError> {
    if kind.is_cancel() {
        return Err(WireError::invalid(
            "eventType",
            format!("`{}` is not a product order notification", kind.as_str()),
        ));
    }
    Ok(EventEnvelope::new(
        ApiVersion::V5,
        kind.as_str(),
        event_id,
        now,
        ProductOrderPayload::new(from_domain(order, api_base)),
    ))
}

/// A v5 cancel request notification.
pub fn cancel_event(
    kind: EventKind,
    event_id: impl Into<String>,
    now: DateTime<Utc>,
    request: &CancelRequest,
    api_base: &str,
) -> Result<CancelProductOrderEvent, WireError> {
    if !kind.is_cancel() {
        return Err(WireError::invalid(
            "eventType",
            format!("`{}` is not a cancel request notification", kind.as_str()),
        ));
    }
    Ok(EventEnvelope::new(
        ApiVersion::V5,
        kind.as_str(),
        event_id,
        now,
        CancelProductOrderPayload::new(cancel_from_domain(request, api_base)),
    ))
}
