//! Drafts (the order form), local validation results, the decomposition preview.
//!
//! [`DraftDto`] is the order as the capture form edits it; it goes back to the desk through
//! `TryFrom<DraftDto> for ProductOrder`, the one place a UI draft becomes a domain order.

use orderdesk_desk::capture::{CheckView, LocalValidation, Submitted};
use orderdesk_domain::decomposition::{Decomposition, SkipReason};
use orderdesk_domain::order::{
    Appointment, Characteristic, CharacteristicValue, ExternalId, ItemAction, ItemRelationship,
    ItemRelationshipType, OrderItem, Payment, ProductOrder, RelatedParty,
};
use orderdesk_domain::{
    AddressId, BillingAccountId, CustomerId, ItemId, OfferingId, OrderId, PaymentMethodId,
    Priority, ProductId, QuoteId,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::str::FromStr;

use super::{invalid, parse_opt_time, parse_time, time, MoneyDto};
use crate::error::IpcError;

/// A characteristic: `kind` says how to read `value` (`text`, `number`, `boolean`, `json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CharacteristicDto {
    pub name: String,
    pub value: String,
    pub kind: String,
}

impl From<&Characteristic> for CharacteristicDto {
    fn from(c: &Characteristic) -> Self {
        let (kind, value) = match &c.value {
            CharacteristicValue::Text(s) => ("text", s.clone()),
            CharacteristicValue::Number(n) => ("number", n.normalize().to_string()),
            CharacteristicValue::Boolean(b) => ("boolean", b.to_string()),
            CharacteristicValue::Json(v) => ("json", v.to_string()),
        };
        Self {
            name: c.name.clone(),
            value,
            kind: kind.to_owned(),
        }
    }
}

impl CharacteristicDto {
    fn parse(&self, field: &str) -> Result<Characteristic, IpcError> {
        if self.name.trim().is_empty() {
            return Err(invalid(&format!("{field}.name"), "empty"));
        }
        let value = match self.kind.as_str() {
            "text" | "" => CharacteristicValue::Text(self.value.clone()),
            "number" => CharacteristicValue::Number(
                Decimal::from_str(self.value.trim())
                    .map_err(|_| invalid(&format!("{field}.value"), "not a number"))?,
            ),
            "boolean" => CharacteristicValue::Boolean(match self.value.trim() {
                "true" => true,
                "false" => false,
                _ => return Err(invalid(&format!("{field}.value"), "not true or false")),
            }),
            "json" => CharacteristicValue::Json(
                serde_json::from_str(&self.value)
                    .map_err(|_| invalid(&format!("{field}.value"), "not JSON"))?,
            ),
            other => {
                return Err(invalid(
                    &format!("{field}.kind"),
                    format!("unknown kind `{other}`"),
                ))
            }
        };
        Ok(Characteristic {
            name: self.name.trim().to_owned(),
            value,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExternalIdDto {
    pub id: String,
    pub owner: Option<String>,
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PartyDto {
    pub id: String,
    pub role: String,
    pub name: Option<String>,
    pub referred_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RelationshipDto {
    pub item_id: String,
    /// `reliesOn`, `bundled`, `replaces`.
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentDto {
    pub id: Option<String>,
    pub start: String,
    pub end: String,
}

/// One line of the order form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftItemDto {
    pub id: String,
    /// `add`, `modify`, `delete`, `noChange`.
    pub action: String,
    pub quantity: u32,
    pub offering_id: Option<String>,
    /// The installed product a modify / delete acts on.
    pub product_id: Option<String>,
    pub place_id: Option<String>,
    pub characteristics: Vec<CharacteristicDto>,
    pub relationships: Vec<RelationshipDto>,
    pub appointment: Option<AppointmentDto>,
    pub price: Option<MoneyDto>,
    /// Shown only; ignored when the draft comes back.
    pub state: String,
}

/// The order form: a draft, or an order's requested content for an amendment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftDto {
    /// The local id (a fresh one for a new draft).
    pub id: String,
    pub customer_id: String,
    pub quote_id: Option<String>,
    pub channel: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    /// TMF priority "0" (highest) .. "4".
    pub priority: String,
    pub order_date: String,
    pub requested_start_date: Option<String>,
    pub requested_completion_date: Option<String>,
    pub billing_account_id: Option<String>,
    pub payment_method_id: Option<String>,
    pub payment_holder_name: Option<String>,
    pub external_ids: Vec<ExternalIdDto>,
    pub related_parties: Vec<PartyDto>,
    pub created_by: Option<String>,
    pub items: Vec<DraftItemDto>,
    /// Shown only; ignored when the draft comes back.
    pub state: String,
}

impl From<&ProductOrder> for DraftDto {
    fn from(o: &ProductOrder) -> Self {
        Self {
            id: o.id.to_string(),
            customer_id: o.customer.to_string(),
            quote_id: o.quote.as_ref().map(|q| q.to_string()),
            channel: o.channel.clone(),
            description: o.description.clone(),
            category: o.category.clone(),
            priority: o.priority.to_string(),
            order_date: time(o.order_date),
            requested_start_date: o.requested_start_date.map(time),
            requested_completion_date: o.requested_completion_date.map(time),
            billing_account_id: o.billing_account.as_ref().map(|b| b.to_string()),
            payment_method_id: o.payment.method.as_ref().map(|m| m.to_string()),
            payment_holder_name: o.payment.holder_name.clone(),
            external_ids: o
                .external_ids
                .iter()
                .map(|e| ExternalIdDto {
                    id: e.id.clone(),
                    owner: e.owner.clone(),
                    kind: e.kind.clone(),
                })
                .collect(),
            related_parties: o
                .related_parties
                .iter()
                .map(|p| PartyDto {
                    id: p.id.clone(),
                    role: p.role.clone(),
                    name: p.name.clone(),
                    referred_type: p.referred_type.clone(),
                })
                .collect(),
            created_by: o.created_by.as_ref().map(|u| u.to_string()),
            items: o.items.iter().map(DraftItemDto::from).collect(),
            state: o.state().as_str().to_owned(),
        }
    }
}

impl From<&OrderItem> for DraftItemDto {
    fn from(i: &OrderItem) -> Self {
        Self {
            id: i.id.to_string(),
            action: i.action.as_str().to_owned(),
            quantity: i.quantity,
            offering_id: i.offering.as_ref().map(|o| o.to_string()),
            product_id: i.product.existing.as_ref().map(|p| p.to_string()),
            place_id: i.product.place.as_ref().map(|p| p.to_string()),
            characteristics: i
                .product
                .characteristics
                .iter()
                .map(CharacteristicDto::from)
                .collect(),
            relationships: i
                .relationships
                .iter()
                .map(|r| RelationshipDto {
                    item_id: r.item.to_string(),
                    kind: r.kind.as_str().to_owned(),
                })
                .collect(),
            appointment: i.appointment.as_ref().map(|a| AppointmentDto {
                id: a.id.clone(),
                start: time(a.start),
                end: time(a.end),
            }),
            price: i.price.as_ref().map(MoneyDto::from),
            state: i.state().as_str().to_owned(),
        }
    }
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn item(dto: &DraftItemDto, index: usize) -> Result<OrderItem, IpcError> {
    let at = |f: &str| format!("items[{index}].{f}");
    let action =
        ItemAction::parse(&dto.action).ok_or_else(|| invalid(&at("action"), "unknown action"))?;
    if dto.id.trim().is_empty() {
        return Err(invalid(&at("id"), "empty"));
    }
    let mut out = OrderItem::new(
        ItemId::new(dto.id.trim()),
        action,
        non_empty(&dto.offering_id).map(OfferingId::new),
    );
    out.quantity = dto.quantity;
    out.product.existing = non_empty(&dto.product_id).map(ProductId::new);
    out.product.place = non_empty(&dto.place_id).map(AddressId::new);
    out.product.characteristics = dto
        .characteristics
        .iter()
        .enumerate()
        .map(|(j, c)| c.parse(&at(&format!("characteristics[{j}]"))))
        .collect::<Result<_, _>>()?;
    out.relationships = dto
        .relationships
        .iter()
        .enumerate()
        .map(|(j, r)| {
            Ok(ItemRelationship {
                item: ItemId::new(r.item_id.trim()),
                kind: ItemRelationshipType::parse(&r.kind).ok_or_else(|| {
                    invalid(&at(&format!("relationships[{j}].kind")), "unknown kind")
                })?,
            })
        })
        .collect::<Result<_, IpcError>>()?;
    out.appointment = dto
        .appointment
        .as_ref()
        .map(|a| {
            Ok::<_, IpcError>(Appointment {
                id: non_empty(&a.id),
                start: parse_time(&at("appointment.start"), &a.start)?,
                end: parse_time(&at("appointment.end"), &a.end)?,
            })
        })
        .transpose()?;
    out.price = dto
        .price
        .as_ref()
        .map(|p| p.parse(&at("price")))
        .transpose()?;
    Ok(out)
}

impl TryFrom<DraftDto> for ProductOrder {
    type Error = IpcError;

    fn try_from(dto: DraftDto) -> Result<Self, IpcError> {
        if dto.id.trim().is_empty() {
            return Err(invalid("id", "empty"));
        }
        if dto.customer_id.trim().is_empty() {
            return Err(invalid("customerId", "empty"));
        }
        let items = dto
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| item(it, i))
            .collect::<Result<Vec<_>, _>>()?;
        let mut order = ProductOrder::new(
            OrderId::new(dto.id.trim()),
            CustomerId::new(dto.customer_id.trim()),
            parse_time("orderDate", &dto.order_date)?,
            items,
            true,
        )
        .map_err(|e| invalid("items", e.to_string()))?;
        order.quote = non_empty(&dto.quote_id).map(QuoteId::new);
        order.channel = non_empty(&dto.channel);
        order.description = non_empty(&dto.description);
        order.category = non_empty(&dto.category);
        order.priority =
            Priority::parse(dto.priority.trim()).map_err(|e| invalid("priority", e.0))?;
        order.requested_start_date =
            parse_opt_time("requestedStartDate", &dto.requested_start_date)?;
        order.requested_completion_date =
            parse_opt_time("requestedCompletionDate", &dto.requested_completion_date)?;
        order.billing_account = non_empty(&dto.billing_account_id).map(BillingAccountId::new);
        order.payment = Payment {
            method: non_empty(&dto.payment_method_id).map(PaymentMethodId::new),
            holder_name: non_empty(&dto.payment_holder_name),
        };
        order.external_ids = dto
            .external_ids
            .iter()
            .filter(|e| !e.id.trim().is_empty())
            .map(|e| ExternalId {
                owner: non_empty(&e.owner),
                kind: non_empty(&e.kind),
                id: e.id.trim().to_owned(),
            })
            .collect();
        order.related_parties = dto
            .related_parties
            .iter()
            .filter(|p| !p.id.trim().is_empty())
            .map(|p| RelatedParty {
                id: p.id.trim().to_owned(),
                role: p.role.trim().to_owned(),
                name: non_empty(&p.name),
                referred_type: non_empty(&p.referred_type),
            })
            .collect();
        order.created_by = non_empty(&dto.created_by).map(Into::into);
        Ok(order)
    }
}

/// One finding of local validation.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckDto {
    /// `catalog`, `address`, `credit`, `fraud`, `duplicate`, `inventory`, `businessRules`.
    pub check: String,
    pub label: String,
    /// `pass`, `warn`, `hold`, `reject`.
    pub outcome: String,
    /// Stable validation code (`ADDRESS_NOT_SERVICEABLE`).
    pub code: String,
    pub message: String,
    /// TMF622 path of the field at fault.
    pub field: Option<String>,
    pub item_id: Option<String>,
    pub suggestion: Option<String>,
    pub suggested_offering_id: Option<String>,
    pub amount: Option<MoneyDto>,
}

impl From<&CheckView> for CheckDto {
    fn from(c: &CheckView) -> Self {
        Self {
            check: c.check.as_str().to_owned(),
            label: c.label.to_owned(),
            outcome: c.outcome.as_str().to_owned(),
            code: c.code.clone(),
            message: c.message.clone(),
            field: c.field.clone(),
            item_id: c.item.clone(),
            suggestion: c.suggestion.clone(),
            suggested_offering_id: c.suggested_offering.clone(),
            amount: c.amount.as_ref().map(MoneyDto::from),
        }
    }
}

/// What local validation says of a draft.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ValidationDto {
    /// The most severe outcome.
    pub outcome: String,
    pub hold_queue: Option<String>,
    pub reasons: Vec<String>,
    pub results: Vec<CheckDto>,
}

impl From<&LocalValidation> for ValidationDto {
    fn from(v: &LocalValidation) -> Self {
        Self {
            outcome: v.outcome.as_str().to_owned(),
            hold_queue: v.hold_queue.clone(),
            reasons: v.reasons.clone(),
            results: v.results.iter().map(CheckDto::from).collect(),
        }
    }
}

/// A submitted order: stored locally, awaiting sync.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SubmittedDto {
    pub order_id: String,
    pub validation: ValidationDto,
}

impl From<&Submitted> for SubmittedDto {
    fn from(s: &Submitted) -> Self {
        Self {
            order_id: s.order.to_string(),
            validation: ValidationDto::from(&s.validation),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServiceItemDto {
    pub id: String,
    pub action: String,
    pub cfs: String,
    pub place_id: Option<String>,
    pub technology: Option<String>,
    pub characteristics: Vec<CharacteristicDto>,
    pub from_items: Vec<String>,
    pub depends_on: Vec<String>,
    pub point_of_no_return: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SkippedItemDto {
    pub item_id: String,
    /// `noChange`, `noServiceRelevantChange`, `noApplicableCfs`, `noInstalledServices`,
    /// `replaced`.
    pub reason: String,
}

/// The service order a draft would decompose into.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DecompositionDto {
    pub items: Vec<ServiceItemDto>,
    pub skipped: Vec<SkippedItemDto>,
}

impl From<&Decomposition> for DecompositionDto {
    fn from(d: &Decomposition) -> Self {
        Self {
            items: d
                .service_order
                .items
                .iter()
                .map(|i| ServiceItemDto {
                    id: i.id.to_string(),
                    action: i.action.as_str().to_owned(),
                    cfs: i.cfs.to_string(),
                    place_id: i.place.as_ref().map(|p| p.to_string()),
                    technology: i.technology.map(|t| t.as_str().to_owned()),
                    characteristics: i
                        .characteristics
                        .iter()
                        .map(CharacteristicDto::from)
                        .collect(),
                    from_items: i.from_items.iter().map(|x| x.to_string()).collect(),
                    depends_on: i.depends_on.iter().map(|x| x.to_string()).collect(),
                    point_of_no_return: i.point_of_no_return,
                })
                .collect(),
            skipped: d
                .skipped
                .iter()
                .map(|s| SkippedItemDto {
                    item_id: s.item.to_string(),
                    reason: match &s.reason {
                        SkipReason::NoChange => "noChange",
                        SkipReason::NoServiceRelevantChange => "noServiceRelevantChange",
                        SkipReason::NoApplicableCfs => "noApplicableCfs",
                        SkipReason::NoInstalledServices => "noInstalledServices",
                        SkipReason::Replaced { .. } => "replaced",
                    }
                    .to_owned(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_fixtures::Fixtures;

    #[test]
    fn every_fixture_quote_round_trips_through_the_form() {
        let fixtures = Fixtures::load_default().unwrap();
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 26, 10, 0, 0)
            .unwrap();
        for q in fixtures.quotes() {
            let Ok(order) = fixtures.order_from_quote(&q.id, "L-1".into(), now) else {
                continue;
            };
            let back = ProductOrder::try_from(DraftDto::from(&order)).unwrap();
            assert_eq!(back, order, "{}", q.id);
        }
    }

    #[test]
    fn a_bad_form_names_the_field() {
        let fixtures = Fixtures::load_default().unwrap();
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 26, 10, 0, 0)
            .unwrap();
        let order = fixtures
            .order_from_quote(&fixtures.quotes()[0].id, "L-1".into(), now)
            .unwrap();
        let mut dto = DraftDto::from(&order);
        dto.items[0].action = "explode".into();
        let e = ProductOrder::try_from(dto).unwrap_err();
        assert_eq!(e.code, "invalidInput");
        assert!(e.message.contains("items[0].action"), "{}", e.message);
    }
}
