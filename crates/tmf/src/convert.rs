//! The parts of the wire ↔ domain mapping that v4 and v5 share: the intake a new order is
//! created with, flattening of nested (bundle) items, item relationships, untyped
//! characteristic values, prices, appointments and notes.
//!
//! The version modules ([`crate::v4`], [`crate::v5`]) read their own shapes into these
//! version-neutral drafts and back; the rules live here once.

use chrono::{DateTime, Utc};
use orderdesk_domain::ids::{CancelRequestId, ItemId, OrderId, PaymentMethodId, UserId};
use orderdesk_domain::lifecycle::CancelState;
use orderdesk_domain::order::{
    Appointment, CharacteristicValue, ItemRelationship, ItemRelationshipType, Note, OrderItem,
    Payment,
};
use orderdesk_domain::Money;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

use crate::common::{
    decimal_to_number, from_value, non_empty, number_to_decimal, rfc3339, AppointmentRef,
    EntityRef, Extra, Money as WireMoney, OrderItemRelationship, OrderPrice, Price, TimePeriod,
};
use crate::error::WireError;

/// What the server knows about a new order that the body does not say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderIntake {
    /// The id the server allocated for the order.
    pub id: OrderId,
    /// The creation time (`orderDate` / `creationDate`).
    pub now: DateTime<Utc>,
    /// The sales channel that submitted the order (`web`, `partner`, `desk`...). Owner of the
    /// v4 `externalId`.
    pub channel: Option<String>,
    /// The authenticated user or machine client.
    pub created_by: Option<UserId>,
}

/// A create body with the intake it arrives with: `domain::ProductOrder::try_from(NewOrder {..})`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder<B> {
    pub body: B,
    pub intake: OrderIntake,
}

/// What the server knows about a new cancel request that the body does not say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelIntake {
    pub id: CancelRequestId,
    pub now: DateTime<Utc>,
}

/// A `CancelProductOrder` task as the project keeps it (the domain has its state machine,
/// [`orderdesk_domain::lifecycle::CancelState`], but no request record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelRequest {
    pub id: CancelRequestId,
    pub order: OrderId,
    pub state: CancelState,
    pub reason: Option<String>,
    pub requested_date: Option<DateTime<Utc>>,
    pub effective_date: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
}

impl CancelRequest {
    /// A fresh request in state `acknowledged`, checked for a non-empty order id.
    pub(crate) fn new(
        intake: CancelIntake,
        order_ref: &EntityRef,
        reason: Option<String>,
        requested_date: Option<DateTime<Utc>>,
    ) -> Result<Self, WireError> {
        non_empty(&order_ref.id, || "productOrder.id".to_owned())?;
        Ok(Self {
            id: intake.id,
            order: OrderId::new(order_ref.id.clone()),
            state: CancelState::Acknowledged,
            reason,
            requested_date,
            effective_date: None,
            created: intake.now,
        })
    }
}

/// Relationship types accepted on the wire, for error messages.
pub(crate) const RELATIONSHIP_TYPES: &str = "reliesOn, dependsOn, requires, enables, bundles, \
     bundledBy, bundled, bundledIn, hasParent, isChildOf, replaces, migratesFrom, migratesTo";

/// How a relationship is written on the item that carries it.
enum RelationshipDirection {
    /// The carrying item has the relationship to the target.
    Own(ItemRelationshipType),
    /// The target has the relationship to the carrying item (`bundles`: parent → child).
    Inverse(ItemRelationshipType),
}

fn classify(kind: &str) -> Option<RelationshipDirection> {
    use RelationshipDirection::{Inverse, Own};
    Some(match kind {
        "bundles" => Inverse(ItemRelationshipType::BundledIn),
        "enables" => Inverse(ItemRelationshipType::ReliesOn),
        "migratesTo" => Inverse(ItemRelationshipType::Replaces),
        "bundledBy" => Own(ItemRelationshipType::BundledIn),
        other => Own(ItemRelationshipType::parse(other)?),
    })
}

/// The spelling the project writes for a relationship, always on the item that has it (the
/// child of a bundle says `bundledBy` its parent), so that a domain order survives a round trip
/// exactly. Reading also accepts the parent-side forms (`bundles`, `enables`, `migratesTo`).
pub(crate) fn relationship_type_out(kind: ItemRelationshipType) -> &'static str {
    match kind {
        ItemRelationshipType::BundledIn => "bundledBy",
        other => other.as_str(),
    }
}

/// One relationship as read from the wire, with its path for errors.
#[derive(Debug, Clone)]
pub(crate) struct RelationshipDraft {
    pub path: String,
    pub target: Option<String>,
    pub kind: Option<String>,
}

/// An item read from the wire, before its relationships are resolved against the whole order.
#[derive(Debug, Clone)]
pub(crate) struct ItemDraft {
    pub path: String,
    pub item: OrderItem,
    /// The bundle item this one was nested in (`productOrderItem[].productOrderItem[]`).
    pub parent: Option<ItemId>,
    pub relationships: Vec<RelationshipDraft>,
}

pub(crate) fn relationship_drafts(
    rels: Option<&[OrderItemRelationship]>,
    item_path: &str,
) -> Vec<RelationshipDraft> {
    rels.unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(j, r)| RelationshipDraft {
            path: format!("{item_path}.productOrderItemRelationship[{j}]"),
            target: r.id.clone(),
            kind: r.relationship_type.clone(),
        })
        .collect()
}

/// Checks item ids and resolves every relationship into the domain's child-side form.
pub(crate) fn resolve_items(drafts: Vec<ItemDraft>) -> Result<Vec<OrderItem>, WireError> {
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        non_empty(d.item.id.as_str(), || format!("{}.id", d.path))?;
        if index.insert(d.item.id.as_str().to_owned(), i).is_some() {
            return Err(WireError::invalid(
                format!("{}.id", d.path),
                format!("item id `{}` appears more than once", d.item.id),
            ));
        }
    }
    let mut items: Vec<OrderItem> = drafts.iter().map(|d| d.item.clone()).collect();
    for (i, d) in drafts.iter().enumerate() {
        if let Some(parent) = &d.parent {
            push_unique(
                &mut items,
                i,
                parent.clone(),
                ItemRelationshipType::BundledIn,
            );
        }
        for rel in &d.relationships {
            let target = rel.target.as_deref().ok_or_else(|| {
                WireError::missing(format!("{}.id", rel.path), "the related item")
            })?;
            let kind = rel.kind.as_deref().ok_or_else(|| {
                WireError::missing(format!("{}.relationshipType", rel.path), "the relationship")
            })?;
            let direction = classify(kind).ok_or_else(|| WireError::UnknownValue {
                field: format!("{}.relationshipType", rel.path),
                value: kind.to_owned(),
                expected: RELATIONSHIP_TYPES,
            })?;
            let Some(&t) = index.get(target) else {
                return Err(WireError::invalid(
                    format!("{}.id", rel.path),
                    format!("`{target}` is not an item of this order"),
                ));
            };
            if t == i {
                return Err(WireError::invalid(
                    format!("{}.id", rel.path),
                    "an item cannot relate to itself",
                ));
            }
            match direction {
                RelationshipDirection::Own(kind) => {
                    push_unique(&mut items, i, ItemId::new(target), kind);
                }
                RelationshipDirection::Inverse(kind) => {
                    push_unique(&mut items, t, d.item.id.clone(), kind);
                }
            }
        }
    }
    Ok(items)
}

fn push_unique(items: &mut [OrderItem], at: usize, target: ItemId, kind: ItemRelationshipType) {
    if let Some(item) = items.get_mut(at) {
        let rel = ItemRelationship { item: target, kind };
        if !item.relationships.contains(&rel) {
            item.relationships.push(rel);
        }
    }
}

/// The wire relationships of one domain item (child side, see [`relationship_type_out`]).
pub(crate) fn relationships_out(
    item: &OrderItem,
    at_type: Option<&str>,
) -> Vec<OrderItemRelationship> {
    item.relationships
        .iter()
        .map(|r| OrderItemRelationship {
            id: Some(r.item.as_str().to_owned()),
            relationship_type: Some(relationship_type_out(r.kind).to_owned()),
            at_type: at_type.map(str::to_owned),
            ..OrderItemRelationship::default()
        })
        .collect()
}

/// A quantity from the wire (default 1; must be 1..=u32::MAX).
pub(crate) fn quantity(q: Option<i64>, path: &str) -> Result<u32, WireError> {
    match q {
        None => Ok(1),
        Some(n) => u32::try_from(n).ok().filter(|n| *n > 0).ok_or_else(|| {
            WireError::invalid(
                format!("{path}.quantity"),
                format!("must be at least 1, not {n}"),
            )
        }),
    }
}

/// An untyped characteristic value (v4 `value`, v5 base `Characteristic`): strings, numbers
/// (that fit a decimal) and booleans become typed; anything else is kept verbatim.
pub(crate) fn untyped_value(value: &Value) -> CharacteristicValue {
    match value {
        Value::String(s) => CharacteristicValue::Text(s.clone()),
        Value::Bool(b) => CharacteristicValue::Boolean(*b),
        Value::Number(n) => number_to_decimal(n)
            .map(CharacteristicValue::Number)
            .unwrap_or_else(|| CharacteristicValue::Json(value.clone())),
        other => CharacteristicValue::Json(other.clone()),
    }
}

/// The untyped JSON of a domain characteristic value.
pub(crate) fn untyped_json(value: &CharacteristicValue) -> Value {
    match value {
        CharacteristicValue::Text(s) => Value::String(s.clone()),
        CharacteristicValue::Boolean(b) => Value::Bool(*b),
        CharacteristicValue::Number(d) => Value::Number(decimal_to_number(*d)),
        CharacteristicValue::Json(v) => v.clone(),
    }
}

/// Whether the item's `itemTotalPrice` is the domain's agreed price: exactly one line whose
/// `price.taxIncludedAmount` has a currency and a decimal amount. Otherwise the lines are kept
/// as they came (see [`crate::extensions`]) and the domain has no price.
pub(crate) fn price_in(prices: Option<&[OrderPrice]>) -> Option<Money> {
    let [line] = prices? else { return None };
    let amount = line.price.as_ref()?.tax_included_amount.as_ref()?;
    let unit = amount.unit.as_ref()?;
    let value = number_to_decimal(amount.value.as_ref()?)?;
    Some(Money::new(value, unit.clone()))
}

/// The domain's agreed price as one `itemTotalPrice` line.
pub(crate) fn price_out(money: &Money, typed: bool) -> OrderPrice {
    OrderPrice {
        name: Some("total".to_owned()),
        price_type: Some("total".to_owned()),
        price: Some(Price {
            tax_included_amount: Some(WireMoney {
                unit: Some(money.currency.clone()),
                value: Some(decimal_to_number(money.amount)),
                extra: Extra::new(),
            }),
            at_type: typed.then(|| "Price".to_owned()),
            ..Price::default()
        }),
        at_type: typed.then(|| "OrderPrice".to_owned()),
        ..OrderPrice::default()
    }
}

/// The extension field carrying an appointment's slot on an `AppointmentRef`.
pub const APPOINTMENT_VALID_FOR: &str = "validFor";

/// The appointment of an item: a referenced appointment with its slot in `validFor` (an
/// extension: TMF622 `AppointmentRef` has only the id), or an agreed slot without an appointment
/// id (`appointmentSlot`, a project extension on the item). A reference without `validFor` has
/// no slot the domain can hold: it is left to the extensions.
pub(crate) fn appointment_in(
    reference: Option<&AppointmentRef>,
    slot: Option<&TimePeriod>,
    path: &str,
) -> Result<Option<Appointment>, WireError> {
    if let Some(r) = reference {
        if let Some(valid_for) = r.extra.get(APPOINTMENT_VALID_FOR) {
            let field = format!("{path}.appointment.{APPOINTMENT_VALID_FOR}");
            let period: TimePeriod = from_value(valid_for.clone()).map_err(|e| {
                WireError::invalid(field.clone(), format!("not a time period: {e}"))
            })?;
            let (start, end) = period_bounds(&period, &field)?;
            return Ok(Some(Appointment {
                id: Some(r.id.clone()),
                start,
                end,
            }));
        }
    }
    match slot {
        Some(period) => {
            let (start, end) = period_bounds(period, &format!("{path}.appointmentSlot"))?;
            Ok(Some(Appointment {
                id: None,
                start,
                end,
            }))
        }
        None => Ok(None),
    }
}

/// Whether [`appointment_in`] consumes this reference.
pub(crate) fn appointment_ref_is_mapped(reference: &AppointmentRef) -> bool {
    reference.extra.contains_key(APPOINTMENT_VALID_FOR)
}

fn period_bounds(
    period: &TimePeriod,
    field: &str,
) -> Result<(DateTime<Utc>, DateTime<Utc>), WireError> {
    let start = period
        .start_date_time
        .ok_or_else(|| WireError::missing(format!("{field}.startDateTime"), "the slot start"))?;
    let end = period
        .end_date_time
        .ok_or_else(|| WireError::missing(format!("{field}.endDateTime"), "the slot end"))?;
    if end < start {
        return Err(WireError::invalid(
            field.to_owned(),
            "the slot ends before it starts",
        ));
    }
    Ok((start, end))
}

/// The wire form of a domain appointment: `(appointment, appointmentSlot)`.
pub(crate) fn appointment_out(
    appointment: Option<&Appointment>,
    at_type: Option<&str>,
) -> (Option<AppointmentRef>, Option<TimePeriod>) {
    let Some(a) = appointment else {
        return (None, None);
    };
    let period = TimePeriod {
        start_date_time: Some(a.start),
        end_date_time: Some(a.end),
        extra: Extra::new(),
    };
    match &a.id {
        Some(id) => {
            let mut r = EntityRef::new(id.clone(), at_type);
            r.extra.insert(
                APPOINTMENT_VALID_FOR.to_owned(),
                serde_json::json!({
                    "startDateTime": rfc3339(a.start),
                    "endDateTime": rfc3339(a.end),
                }),
            );
            (Some(r), None)
        }
        None => (None, Some(period)),
    }
}

/// Order-level payment references → the domain's payment (the first reference: its id is the
/// payment method, its name the holder's name).
pub(crate) fn payment_in(refs: Option<&[EntityRef]>) -> Payment {
    match refs.and_then(|r| r.first()) {
        Some(r) => Payment {
            method: Some(PaymentMethodId::new(r.id.clone())),
            holder_name: r.name.clone(),
        },
        None => Payment::default(),
    }
}

pub(crate) fn payment_out(payment: &Payment, at_type: Option<&str>) -> Option<Vec<EntityRef>> {
    let method = payment.method.as_ref()?;
    let mut r = EntityRef::new(method.as_str(), at_type);
    r.name = payment.holder_name.clone();
    Some(vec![r])
}

pub(crate) fn notes_in(
    notes: Option<&[crate::common::Note]>,
    path: &str,
) -> Result<Vec<Note>, WireError> {
    notes
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let text = n
                .text
                .clone()
                .ok_or_else(|| WireError::missing(format!("{path}[{i}].text"), "the note text"))?;
            Ok(Note {
                id: n.id.clone(),
                author: n.author.clone(),
                date: n.date,
                text,
            })
        })
        .collect()
}

pub(crate) fn notes_out(notes: &[Note], at_type: Option<&str>) -> Option<Vec<crate::common::Note>> {
    non_empty_vec(
        notes
            .iter()
            .map(|n| crate::common::Note {
                id: n.id.clone(),
                author: n.author.clone(),
                date: n.date,
                text: Some(n.text.clone()),
                at_type: at_type.map(str::to_owned),
                ..crate::common::Note::default()
            })
            .collect(),
    )
}

/// `None` for an empty list, so that empty arrays are not written.
pub(crate) fn non_empty_vec<T>(v: Vec<T>) -> Option<Vec<T>> {
    if v.is_empty() {
        None
    } else {
        Some(v)
    }
}

/// Whether a related place's role is the service address the domain keeps.
pub(crate) fn is_service_address_role(role: Option<&str>) -> bool {
    role.is_some_and(|r| {
        r.eq_ignore_ascii_case("serviceAddress") || r.eq_ignore_ascii_case("installationAddress")
    })
}

/// The role the project writes for an item's service address.
pub(crate) const SERVICE_ADDRESS_ROLE: &str = "serviceAddress";

/// Whether a related party's role is the customer.
pub(crate) fn is_customer_role(role: Option<&str>) -> bool {
    role.is_some_and(|r| r.eq_ignore_ascii_case("customer"))
}

/// The role the project writes for the customer.
pub(crate) const CUSTOMER_ROLE: &str = "customer";

#[cfg(test)]
mod tests {
    use super::*;
    use orderdesk_domain::ItemAction;

    fn draft(id: &str, rels: &[(&str, &str)], parent: Option<&str>) -> ItemDraft {
        ItemDraft {
            path: format!("productOrderItem[{id}]"),
            item: OrderItem::new(id, ItemAction::Add, None),
            parent: parent.map(ItemId::new),
            relationships: rels
                .iter()
                .map(|(t, k)| RelationshipDraft {
                    path: format!("p{id}"),
                    target: Some((*t).to_owned()),
                    kind: Some((*k).to_owned()),
                })
                .collect(),
        }
    }

    #[test]
    fn parent_side_bundles_become_child_side_bundled_in() {
        let items = resolve_items(vec![
            draft("100", &[("110", "bundles"), ("120", "bundles")], None),
            draft("110", &[], None),
            draft("120", &[("110", "reliesOn"), ("100", "bundledBy")], None),
        ])
        .unwrap();
        assert!(items[0].relationships.is_empty());
        assert_eq!(
            items[1].relationships,
            vec![ItemRelationship {
                item: ItemId::new("100"),
                kind: ItemRelationshipType::BundledIn
            }]
        );
        // `bundles` from 100 and `bundledBy` on 120 say the same thing once.
        assert_eq!(items[2].relationships.len(), 2);
    }

    #[test]
    fn nested_children_get_bundled_in_their_parent() {
        let items = resolve_items(vec![draft("1", &[], None), draft("2", &[], Some("1"))]).unwrap();
        assert_eq!(items[1].relationships[0].item, ItemId::new("1"));
        assert_eq!(
            items[1].relationships[0].kind,
            ItemRelationshipType::BundledIn
        );
    }

    #[test]
    fn bad_relationships_name_the_field() {
        let e = resolve_items(vec![draft("1", &[("9", "reliesOn")], None)]).unwrap_err();
        assert_eq!(e.field(), "p1.id");
        let e = resolve_items(vec![draft("1", &[("1", "reliesOn")], None)]).unwrap_err();
        assert_eq!(e.field(), "p1.id");
        let e = resolve_items(vec![
            draft("1", &[("2", "frobnicates")], None),
            draft("2", &[], None),
        ])
        .unwrap_err();
        assert_eq!(e.field(), "p1.relationshipType");
        let e = resolve_items(vec![draft("1", &[], None), draft("1", &[], None)]).unwrap_err();
        assert_eq!(e.field(), "productOrderItem[1].id");
    }

    #[test]
    fn quantity_must_be_positive_and_fit() {
        assert_eq!(quantity(None, "i").unwrap(), 1);
        assert_eq!(quantity(Some(3), "i").unwrap(), 3);
        for bad in [0, -1, i64::from(u32::MAX) + 1] {
            assert_eq!(quantity(Some(bad), "i").unwrap_err().field(), "i.quantity");
        }
    }

    #[test]
    fn untyped_values_round_trip() {
        for v in [
            serde_json::json!("fibre"),
            serde_json::json!(true),
            serde_json::json!(12.5),
            serde_json::json!({"a": [1, 2]}),
            serde_json::json!([1, "x"]),
        ] {
            assert_eq!(untyped_json(&untyped_value(&v)), v);
        }
        // Too big for a decimal: kept as JSON rather than refused.
        let huge = serde_json::json!(1e300);
        assert!(matches!(untyped_value(&huge), CharacteristicValue::Json(_)));
    }
}
