//! TMF622 v4 ↔ domain.
//!
//! Into the domain: a `ProductOrder_Create` with its [`OrderIntake`] ([`to_domain`]), a stored
//! `ProductOrder` read back (`TryFrom<&ProductOrder>`), a `CancelProductOrder_Create`
//! ([`cancel_to_domain`]). Out of the domain: [`from_domain`], [`cancel_from_domain`] and the
//! notifications ([`order_event`], [`cancel_event`]).
//!
//! v4 specifics: the single `externalId` string is one [`ExternalId`] owned by the intake's
//! channel (and on the way out, the channel's external id, else the first); the order and item
//! states are written as their v4 equivalents (`draft` → `acknowledged`, `inProgress.accepted` →
//! `inProgress`, item `partial` → `failed`); v4 has no milestones, jeopardy alerts or error
//! messages, and its cancel task states stop at `terminatedWithError` (for `rejected` and
//! `cancelled`).

use chrono::{DateTime, Utc};
use orderdesk_domain::ids::{
    AddressId, BillingAccountId, CustomerId, ItemId, OfferingId, OrderId, ProductId, QuoteId,
};
use orderdesk_domain::lifecycle::{CancelState, ItemLifecycle, ItemState};
use orderdesk_domain::order::{
    Characteristic as DomainCharacteristic, ExternalId, OrderItem, ProductValue,
    RelatedParty as DomainParty,
};
use orderdesk_domain::{Priority, ProductOrder as DomainOrder};

use super::{
    CancelProductOrder, CancelProductOrderCreate, CancelProductOrderEvent, Characteristic,
    ProductOrder, ProductOrderCreate, ProductOrderEvent, ProductOrderItem, ProductRefOrValue,
    RelatedParty, RelatedPlaceRefOrValue,
};
use crate::common::{href, non_empty, phase_from_states, ApiVersion, EntityRef, Extra};
use crate::convert::{
    appointment_in, appointment_out, is_customer_role, is_service_address_role, non_empty_vec,
    notes_in, notes_out, payment_in, payment_out, price_in, price_out, quantity,
    relationship_drafts, relationships_out, resolve_items, untyped_json, untyped_value,
    CancelIntake, CancelRequest, ItemDraft, NewOrder, OrderIntake, CUSTOMER_ROLE,
    SERVICE_ADDRESS_ROLE,
};
use crate::error::WireError;
use crate::events::{CancelProductOrderPayload, EventEnvelope, EventKind, ProductOrderPayload};

/// `@referredType` written for a related party whose type the domain does not know (v4 requires
/// one).
pub const DEFAULT_PARTY_REFERRED_TYPE: &str = "Individual";

/// A v4 `ProductOrder_Create` as a new domain order in state `acknowledged`.
pub fn to_domain(body: ProductOrderCreate, intake: OrderIntake) -> Result<DomainOrder, WireError> {
    let wire = ProductOrder::from(body);
    let items = wire.product_order_item.as_deref().unwrap_or_default();
    let drafts = item_drafts(items, true)?;
    let mut order = assemble(&wire, intake.id, intake.now, drafts, false)?;
    order.channel = intake.channel.clone();
    order.created_by = intake.created_by;
    if let Some(id) = &wire.external_id {
        non_empty(id, || "externalId".to_owned())?;
        order.external_ids = vec![ExternalId {
            owner: intake.channel,
            kind: None,
            id: id.clone(),
        }];
    }
    Ok(order)
}

impl TryFrom<NewOrder<ProductOrderCreate>> for DomainOrder {
    type Error = WireError;
    fn try_from(value: NewOrder<ProductOrderCreate>) -> Result<Self, Self::Error> {
        to_domain(value.body, value.intake)
    }
}

impl TryFrom<&ProductOrder> for DomainOrder {
    type Error = WireError;

    /// A stored v4 order read back (e.g. by a client syncing from a server): ids, dates and
    /// states come from the body. The phase flags are inferred from the states.
    fn try_from(wire: &ProductOrder) -> Result<Self, Self::Error> {
        let id = wire
            .id
            .clone()
            .ok_or_else(|| WireError::missing("id", "a stored order has an id"))?;
        non_empty(&id, || "id".to_owned())?;
        let order_date = wire
            .order_date
            .ok_or_else(|| WireError::missing("orderDate", "a stored order has an order date"))?;
        let items = wire.product_order_item.as_deref().unwrap_or_default();
        let drafts = item_drafts(items, false)?;
        let mut order = assemble(wire, OrderId::new(id), order_date, drafts, false)?;
        let states: Vec<ItemState> = order.items.iter().map(OrderItem::state).collect();
        order.phase = phase_from_states(wire.state, &states);
        if let Some(id) = &wire.external_id {
            order.external_ids = vec![ExternalId {
                owner: None,
                kind: None,
                id: id.clone(),
            }];
        }
        Ok(order)
    }
}

/// The fields v4 shares with the domain, for a new or a stored order.
fn assemble(
    wire: &ProductOrder,
    id: OrderId,
    order_date: DateTime<Utc>,
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
    let mut order = DomainOrder::new(id, customer, order_date, items, draft)?;
    order.related_parties = related_parties;
    if let Some(p) = &wire.priority {
        order.priority =
            Priority::parse(p).map_err(|e| WireError::invalid("priority", e.to_string()))?;
    }
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
    Ok(order)
}

/// The customer (first party with role `customer`, any case) and the other parties.
fn parties_in(parties: &[RelatedParty]) -> Result<(CustomerId, Vec<DomainParty>), WireError> {
    let at = parties
        .iter()
        .position(|p| is_customer_role(p.role.as_deref()))
        .ok_or_else(|| {
            WireError::missing("relatedParty", "no related party has the role `customer`")
        })?;
    let mut customer = None;
    let mut others = Vec::new();
    for (i, p) in parties.iter().enumerate() {
        non_empty(&p.id, || format!("relatedParty[{i}].id"))?;
        if i == at {
            customer = Some(CustomerId::new(p.id.clone()));
        } else {
            others.push(DomainParty {
                id: p.id.clone(),
                role: p.role.clone().unwrap_or_default(),
                name: p.name.clone(),
                referred_type: p.referred_type.clone(),
            });
        }
    }
    let customer = customer.ok_or_else(|| {
        WireError::missing("relatedParty", "no related party has the role `customer`")
    })?;
    Ok((customer, others))
}

/// Flattens the items (nested bundle children included) into drafts, in document order.
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
    let offering = match &it.product_offering {
        Some(o) => {
            non_empty(&o.id, || format!("{path}.productOffering.id"))?;
            Some(OfferingId::new(o.id.clone()))
        }
        None => None,
    };
    let mut item = OrderItem::new(it.id.clone(), it.action, offering);
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
        .map(|c| DomainCharacteristic {
            name: c.name.clone(),
            value: untyped_value(&c.value),
        })
        .collect();
    let mut place = None;
    for (j, rp) in p.place.as_deref().unwrap_or_default().iter().enumerate() {
        if is_service_address_role(rp.role.as_deref()) {
            let id = rp.id.as_deref().ok_or_else(|| {
                WireError::missing(format!("{path}.place[{j}].id"), "the service address id")
            })?;
            non_empty(id, || format!("{path}.place[{j}].id"))?;
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

/// A domain order in the v4 shape. `api_base` is the API root
/// (`https://host/tmf-api/productOrderingManagement/v4`).
pub fn from_domain(order: &DomainOrder, api_base: &str) -> ProductOrder {
    let external_id = order
        .external_id_from(order.channel.as_deref())
        .or_else(|| order.external_ids.first())
        .map(|e| e.id.clone());
    let mut parties = vec![RelatedParty {
        id: order.customer.as_str().to_owned(),
        role: Some(CUSTOMER_ROLE.to_owned()),
        referred_type: Some("Customer".to_owned()),
        ..RelatedParty::default()
    }];
    parties.extend(order.related_parties.iter().map(|p| {
        RelatedParty {
            id: p.id.clone(),
            name: p.name.clone(),
            role: (!p.role.is_empty()).then(|| p.role.clone()),
            referred_type: Some(
                p.referred_type
                    .clone()
                    .unwrap_or_else(|| DEFAULT_PARTY_REFERRED_TYPE.to_owned()),
            ),
            ..RelatedParty::default()
        }
    }));
    ProductOrder {
        id: Some(order.id.as_str().to_owned()),
        href: Some(href(api_base, "productOrder", order.id.as_str())),
        cancellation_date: order.cancellation_date,
        cancellation_reason: order.cancellation_reason.clone(),
        category: order.category.clone(),
        completion_date: order.completion_date,
        description: order.description.clone(),
        expected_completion_date: order.expected_completion_date,
        external_id,
        order_date: Some(order.order_date),
        priority: Some(order.priority.to_string()),
        requested_completion_date: order.requested_completion_date,
        requested_start_date: order.requested_start_date,
        billing_account: order
            .billing_account
            .as_ref()
            .map(|b| EntityRef::new(b.as_str(), None)),
        note: notes_out(&order.notes, None),
        payment: payment_out(&order.payment, None),
        product_order_item: Some(order.items.iter().map(item_out).collect()),
        quote: order
            .quote
            .as_ref()
            .map(|q| vec![EntityRef::new(q.as_str(), None)]),
        related_party: Some(parties),
        state: Some(order.state().v4_equivalent()),
        ..ProductOrder::default()
    }
}

fn item_out(item: &OrderItem) -> ProductOrderItem {
    let (appointment, appointment_slot) = appointment_out(item.appointment.as_ref(), None);
    let mut out = ProductOrderItem::new(item.id.as_str(), item.action);
    out.quantity = Some(i64::from(item.quantity));
    out.state = Some(item.state().v4_equivalent());
    out.product_offering = item
        .offering
        .as_ref()
        .map(|o| EntityRef::new(o.as_str(), None));
    out.product = product_out(&item.product);
    out.product_order_item_relationship = non_empty_vec(relationships_out(item, None));
    out.appointment = appointment;
    out.appointment_slot = appointment_slot;
    out.item_total_price = item.price.as_ref().map(|m| vec![price_out(m, false)]);
    out
}

fn product_out(p: &ProductValue) -> Option<ProductRefOrValue> {
    if p.existing.is_none() && p.characteristics.is_empty() && p.place.is_none() {
        return None;
    }
    Some(ProductRefOrValue {
        id: p.existing.as_ref().map(|e| e.as_str().to_owned()),
        product_characteristic: non_empty_vec(
            p.characteristics
                .iter()
                .map(|c| Characteristic {
                    name: c.name.clone(),
                    value: untyped_json(&c.value),
                    value_type: None,
                    at_type: None,
                    base_type: None,
                    schema_location: None,
                    extra: Extra::new(),
                })
                .collect(),
        ),
        place: p.place.as_ref().map(|a| {
            vec![RelatedPlaceRefOrValue {
                id: Some(a.as_str().to_owned()),
                role: Some(SERVICE_ADDRESS_ROLE.to_owned()),
                referred_type: Some("GeographicAddress".to_owned()),
                ..RelatedPlaceRefOrValue::default()
            }]
        }),
        ..ProductRefOrValue::default()
    })
}

/// A v4 `CancelProductOrder_Create` as a cancel request in state `acknowledged`.
pub fn cancel_to_domain(
    body: &CancelProductOrderCreate,
    intake: CancelIntake,
) -> Result<CancelRequest, WireError> {
    CancelRequest::new(
        intake,
        &body.product_order,
        body.cancellation_reason.clone(),
        body.requested_cancellation_date,
    )
}

/// The v4 task state of a cancel request (v4 has no `rejected` nor `cancelled`).
pub fn cancel_state_v4(state: CancelState) -> CancelState {
    match state {
        CancelState::Rejected | CancelState::Cancelled => CancelState::TerminatedWithError,
        other => other,
    }
}

/// A cancel request in the v4 shape.
pub fn cancel_from_domain(request: &CancelRequest, api_base: &str) -> CancelProductOrder {
    let mut order_ref = EntityRef::new(request.order.as_str(), None);
    order_ref.href = Some(href(api_base, "productOrder", request.order.as_str()));
    CancelProductOrder {
        id: Some(request.id.as_str().to_owned()),
        href: Some(href(api_base, "cancelProductOrder", request.id.as_str())),
        cancellation_reason: request.reason.clone(),
        effective_cancellation_date: request.effective_date,
        requested_cancellation_date: request.requested_date,
        product_order: order_ref,
        state: Some(cancel_state_v4(request.state)),
        ..CancelProductOrder::default()
    }
}

/// A v4 product order notification carrying the whole order.
pub fn order_event(
    kind: EventKind,
    event_id: impl Into<String>,
    now: DateTime<Utc>,
    order: &DomainOrder,
    api_base: &str,
) -> Result<ProductOrderEvent, WireError> {
    if kind.is_cancel() || !kind.exists_in(ApiVersion::V4) {
        return Err(WireError::invalid(
            "eventType",
            format!("`{}` is not a v4 product order notification", kind.as_str()),
        ));
    }
    Ok(EventEnvelope::new(
        ApiVersion::V4,
        kind.as_str(),
        event_id,
        now,
        ProductOrderPayload::new(from_domain(order, api_base)),
    ))
}

/// A v4 cancel request notification.
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
        ApiVersion::V4,
        kind.as_str(),
        event_id,
        now,
        CancelProductOrderPayload::new(cancel_from_domain(request, api_base)),
    ))
}
