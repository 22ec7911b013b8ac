//! TMF648 Quote Management (v4 shape): the `Quote` a CPQ tool hands over, and its conversion into
//! a draft domain [`ProductOrder`] ([`quote_to_order`]).
//!
//! No TMF648 v5 specification is available to the project; the types follow v4's well-known
//! `Quote` (`id`, `href`, `externalId`, `quoteDate`, `state`, `validFor`, `relatedParty`,
//! `billingAccount`, `note`, `quoteItem[]` with `action`, `quantity`, `productOffering`,
//! `product` (characteristics, place, specification, and the installed product's `id` for
//! modify / delete / noChange), `quoteItemRelationship`, `quoteItemPrice`, `quoteTotalPrice`).
//! They also read the v5 spellings shared with TMF622/TMF637 (`partyOrPartyRole`, `place.place`,
//! typed characteristics, an `externalId` array).
//!
//! Orderdesk's extension `orderdesk: {scenario, channel, paymentMethod: {id, holderName}}` carries
//! what a quote has no field for but order rules read (the sales channel, the payment method
//! fraud screening compares).

use chrono::{DateTime, Utc};
use orderdesk_domain::order::{
    Characteristic as DomainCharacteristic, ExternalId, ItemAction, ItemRelationship,
    ItemRelationshipType, Note as DomainNote, OrderItem, OrderShapeError, Payment,
    RelatedParty as DomainParty,
};
use orderdesk_domain::{
    BillingAccountId, CustomerId, ItemId, Money as DomainMoney, OfferingId, OrderId,
    PaymentMethodId, ProductId, ProductOrder, QuoteId,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::tmf620::{EntityRef, Money, TimePeriod};
use crate::tmf637::{
    service_place, Characteristic, CharacteristicError, RelatedParty, RelatedPlace,
};

/// TMF648 `Quote`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<ExternalIds>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `inProgress`, `pending`, `approved`, `accepted`, `cancelled`, `rejected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_for: Option<TimePeriod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_fulfillment_start_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_party: Vec<RelatedParty>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub billing_account: Vec<EntityRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<Note>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quote_item: Vec<QuoteItem>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quote_total_price: Vec<QuotePrice>,
    /// Orderdesk's extension (see the module docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orderdesk: Option<QuoteExtension>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Quote {
    /// The customer's party id (the related party with role `customer`).
    pub fn customer_id(&self) -> Option<&str> {
        self.related_party
            .iter()
            .find(|p| p.has_role("customer"))
            .and_then(RelatedParty::party_id)
    }

    /// Every item, nested ones (v4 bundles) included, parents first.
    pub fn all_items(&self) -> Vec<&QuoteItem> {
        fn walk<'q>(items: &'q [QuoteItem], out: &mut Vec<&'q QuoteItem>) {
            for item in items {
                out.push(item);
                walk(&item.quote_item, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.quote_item, &mut out);
        out
    }
}

/// `externalId`: a string in v4, an array of `ExternalIdentifier` in v5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExternalIds {
    One(String),
    Many(Vec<ExternalIdentifier>),
}

/// A v5 `ExternalIdentifier`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalIdentifier {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_identifier_type: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Quote.orderdesk`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteExtension {
    /// The demo scenario the quote illustrates (fixtures only), e.g. `exchange-full`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// The sales channel: `desk`, `web`, `partner`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethodRef>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The payment method the customer chose, with the name on it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethodRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF648 `QuoteItem`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteItem {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    pub id: String,
    /// `add`, `modify`, `delete` or `noChange`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_offering: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<QuoteProduct>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quote_item_relationship: Vec<QuoteItemRelationship>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quote_item_price: Vec<QuotePrice>,
    /// Child items (a v4 bundle): they become items related to this one by `bundled`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quote_item: Vec<QuoteItem>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The product of a quote item (`ProductRefOrValue`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteProduct {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    /// The installed product, for modify / delete / noChange.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_specification: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_characteristic: Vec<Characteristic>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub place: Vec<RelatedPlace>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF648 `QuoteItemRelationship`: `id` is the other item.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteItemRelationship {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    pub id: String,
    /// `reliesOn`, `bundled`, `replaces` (and their synonyms, see the domain's
    /// `ItemRelationshipType::parse`).
    pub relationship_type: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF648 `QuotePrice` (item or total).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotePrice {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring_charge_period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_offering_price: Option<EntityRef>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF `Price`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_included_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duty_free_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF `Note`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateTime<Utc>>,
    pub text: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why a quote could not become an order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("quote `{quote}` has no relatedParty with role `customer` and an id")]
    NoCustomer { quote: String },
    #[error("quote `{quote}` names two customers, `{first}` and `{second}`")]
    TwoCustomers {
        quote: String,
        first: String,
        second: String,
    },
    #[error("quote `{quote}` is `{state}`: only an accepted or approved quote becomes an order")]
    NotAccepted { quote: String, state: String },
    #[error("quote `{quote}` expired at {end}")]
    Expired { quote: String, end: DateTime<Utc> },
    #[error("quote `{quote}`: `{field}`: {reason}")]
    Invalid {
        quote: String,
        field: String,
        reason: String,
    },
    #[error("quote `{quote}`: quoteItem `{item}`: {source}")]
    Characteristic {
        quote: String,
        item: String,
        source: CharacteristicError,
    },
    #[error("quote `{quote}`: {source}")]
    Shape {
        quote: String,
        source: OrderShapeError,
    },
}

/// Quote states from which an order may be placed.
const ORDERABLE_STATES: &[&str] = &["accepted", "approved"];

/// Builds a draft product order from an accepted quote: the customer from `relatedParty`
/// (role `customer`), one item per quote item (nested items included, related to their parent
/// by `bundled`), characteristics, service place, installed product, relationships and the
/// agreed price (the sum of the item's tax-included prices), `order.quote` = the quote id.
///
/// `now` is the order date and decides whether the quote is still valid (`validFor`).
pub fn quote_to_order(
    quote: &Quote,
    id: OrderId,
    now: DateTime<Utc>,
) -> Result<ProductOrder, QuoteError> {
    let qid = &quote.id;
    let invalid = |field: String, reason: String| QuoteError::Invalid {
        quote: qid.clone(),
        field,
        reason,
    };

    if let Some(state) = &quote.state {
        if !ORDERABLE_STATES
            .iter()
            .any(|s| s.eq_ignore_ascii_case(state))
        {
            return Err(QuoteError::NotAccepted {
                quote: qid.clone(),
                state: state.clone(),
            });
        }
    }
    if let Some(end) = quote.valid_for.as_ref().and_then(|v| v.end_date_time) {
        if end <= now {
            return Err(QuoteError::Expired {
                quote: qid.clone(),
                end,
            });
        }
    }

    let mut customer: Option<&str> = None;
    let mut related_parties = Vec::new();
    for (i, party) in quote.related_party.iter().enumerate() {
        let party_id = party.party_id();
        if party.has_role("customer") {
            match (customer, party_id) {
                (_, None) => {
                    return Err(invalid(
                        format!("relatedParty[{i}].id"),
                        "the customer has no id".into(),
                    ))
                }
                (Some(first), Some(second)) if first != second => {
                    return Err(QuoteError::TwoCustomers {
                        quote: qid.clone(),
                        first: first.to_owned(),
                        second: second.to_owned(),
                    })
                }
                (_, Some(p)) => customer = Some(p),
            }
            continue;
        }
        let party_id =
            party_id.ok_or_else(|| invalid(format!("relatedParty[{i}].id"), "missing".into()))?;
        related_parties.push(DomainParty {
            id: party_id.to_owned(),
            role: party.role.clone().unwrap_or_default(),
            name: party.party_name().map(str::to_owned),
            referred_type: party.party_referred_type().map(str::to_owned),
        });
    }
    let customer = customer.ok_or_else(|| QuoteError::NoCustomer { quote: qid.clone() })?;

    let mut items = Vec::new();
    for (i, item) in quote.quote_item.iter().enumerate() {
        convert_item(quote, item, format!("quoteItem[{i}]"), None, &mut items)?;
    }

    let mut order =
        ProductOrder::new(id, CustomerId::new(customer), now, items, true).map_err(|source| {
            QuoteError::Shape {
                quote: qid.clone(),
                source,
            }
        })?;

    let ext = quote.orderdesk.clone().unwrap_or_default();
    order.channel = ext.channel.clone();
    order.external_ids = match &quote.external_id {
        None => Vec::new(),
        Some(ExternalIds::One(id)) => vec![ExternalId {
            owner: ext.channel.clone(),
            kind: None,
            id: id.clone(),
        }],
        Some(ExternalIds::Many(list)) => list
            .iter()
            .map(|e| ExternalId {
                owner: e.owner.clone(),
                kind: e.external_identifier_type.clone(),
                id: e.id.clone(),
            })
            .collect(),
    };
    order.related_parties = related_parties;
    order.billing_account = quote
        .billing_account
        .first()
        .map(|b| BillingAccountId::new(b.id.clone()));
    order.payment = ext
        .payment_method
        .as_ref()
        .map(|p| Payment {
            method: Some(PaymentMethodId::new(p.id.clone())),
            holder_name: p.holder_name.clone(),
        })
        .unwrap_or_default();
    order.category = quote.category.clone();
    order.description = quote.description.clone();
    order.requested_start_date = quote.expected_fulfillment_start_date;
    order.quote = Some(QuoteId::new(qid.clone()));
    order.notes = quote
        .note
        .iter()
        .map(|n| DomainNote {
            id: n.id.clone(),
            author: n.author.clone(),
            date: n.date,
            text: n.text.clone(),
        })
        .collect();
    Ok(order)
}

fn convert_item(
    quote: &Quote,
    item: &QuoteItem,
    path: String,
    parent: Option<&ItemId>,
    out: &mut Vec<OrderItem>,
) -> Result<(), QuoteError> {
    let invalid = |field: &str, reason: String| QuoteError::Invalid {
        quote: quote.id.clone(),
        field: format!("{path}.{field}"),
        reason,
    };
    let action_text = item
        .action
        .as_deref()
        .ok_or_else(|| invalid("action", "missing".into()))?;
    let action = ItemAction::parse(action_text).ok_or_else(|| {
        invalid(
            "action",
            format!("`{action_text}` is not add, modify, delete or noChange"),
        )
    })?;
    let quantity = match item.quantity {
        None => 1,
        Some(q) => {
            u32::try_from(q).map_err(|_| invalid("quantity", format!("{q} is not a quantity")))?
        }
    };

    let mut order_item = OrderItem::new(
        ItemId::new(item.id.clone()),
        action,
        item.product_offering
            .as_ref()
            .map(|o| OfferingId::new(o.id.clone())),
    );
    order_item.quantity = quantity;

    if let Some(product) = &item.product {
        order_item.product.existing = product.id.clone().map(ProductId::new);
        order_item.product.place = service_place(&product.place);
        for c in &product.product_characteristic {
            let converted =
                DomainCharacteristic::try_from(c).map_err(|source| QuoteError::Characteristic {
                    quote: quote.id.clone(),
                    item: item.id.clone(),
                    source,
                })?;
            order_item.product.characteristics.push(converted);
        }
    }

    for (j, rel) in item.quote_item_relationship.iter().enumerate() {
        let kind = ItemRelationshipType::parse(&rel.relationship_type).ok_or_else(|| {
            invalid(
                &format!("quoteItemRelationship[{j}].relationshipType"),
                format!(
                    "`{}` is not reliesOn, bundled or replaces",
                    rel.relationship_type
                ),
            )
        })?;
        order_item.relationships.push(ItemRelationship {
            item: ItemId::new(rel.id.clone()),
            kind,
        });
    }
    if let Some(parent) = parent {
        let already = order_item
            .relationships
            .iter()
            .any(|r| r.kind == ItemRelationshipType::BundledIn && &r.item == parent);
        if !already {
            order_item.relationships.push(ItemRelationship {
                item: parent.clone(),
                kind: ItemRelationshipType::BundledIn,
            });
        }
    }

    let mut price: Option<DomainMoney> = None;
    for (j, p) in item.quote_item_price.iter().enumerate() {
        let amount = p
            .price
            .as_ref()
            .and_then(|p| p.tax_included_amount.as_ref())
            .ok_or_else(|| {
                invalid(
                    &format!("quoteItemPrice[{j}].price.taxIncludedAmount"),
                    "missing".into(),
                )
            })?;
        price = Some(match price {
            None => DomainMoney::from(amount),
            Some(mut sum) if sum.currency == amount.unit => {
                sum.amount += amount.value;
                sum
            }
            Some(sum) => {
                return Err(invalid(
                    &format!("quoteItemPrice[{j}].price.taxIncludedAmount.unit"),
                    format!(
                        "`{}` differs from the item's `{}`",
                        amount.unit, sum.currency
                    ),
                ))
            }
        });
    }
    order_item.price = price;

    let id = order_item.id.clone();
    out.push(order_item);
    for (k, child) in item.quote_item.iter().enumerate() {
        convert_item(
            quote,
            child,
            format!("{path}.quoteItem[{k}]"),
            Some(&id),
            out,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderdesk_domain::order::CharacteristicValue;
    use orderdesk_domain::{AddressId, OrderState};
    use rust_decimal::Decimal;
    use serde_json::json;
    use std::str::FromStr;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-26T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn wire() -> Value {
        json!({
            "@type": "Quote",
            "id": "QT-1",
            "href": "/tmf-api/quoteManagement/v4/quote/QT-1",
            "externalId": "WEB-42",
            "description": "Fibre with a static IP",
            "category": "residential",
            "state": "accepted",
            "quoteDate": "2026-11-20T09:00:00Z",
            "validFor": {"startDateTime": "2026-11-20T09:00:00Z", "endDateTime": "2026-12-20T09:00:00Z"},
            "expectedFulfillmentStartDate": "2026-12-01T00:00:00Z",
            "relatedParty": [
                {"@type": "RelatedParty", "id": "U-AGENT-1", "name": "Demo Agent 1", "role": "salesAgent"},
                {"@type": "RelatedParty", "id": "CUST-1", "name": "Resident 1", "role": "customer", "@referredType": "Individual"}
            ],
            "billingAccount": [{"@type": "BillingAccountRef", "id": "BA-1"}],
            "note": [{"@type": "Note", "author": "Demo Agent 1", "date": "2026-11-20T09:05:00Z", "text": "Call first"}],
            "quoteItem": [
                {"@type": "QuoteItem", "id": "1", "action": "add", "state": "approved", "quantity": 1,
                 "productOffering": {"@type": "ProductOfferingRef", "id": "PO-SF200-HOME"},
                 "product": {"@type": "Product",
                    "productSpecification": {"id": "PS-HOME-BROADBAND"},
                    "productCharacteristic": [
                        {"name": "downloadSpeed", "valueType": "integer", "value": 200},
                        {"name": "wifiProfile", "valueType": "string", "value": "mesh"}
                    ],
                    "place": [{"id": "ADDR-1", "role": "installationAddress", "@referredType": "GeographicAddress"}]},
                 "quoteItemPrice": [
                    {"@type": "QuotePrice", "priceType": "recurring", "recurringChargePeriod": "month",
                     "price": {"@type": "Price", "taxIncludedAmount": {"unit": "EUR", "value": 49.95},
                               "dutyFreeAmount": {"unit": "EUR", "value": 41.28}, "taxRate": 21},
                     "productOfferingPrice": {"id": "POP-SF200-HOME-MONTHLY"}},
                    {"@type": "QuotePrice", "priceType": "oneTime",
                     "price": {"@type": "Price", "taxIncludedAmount": {"unit": "EUR", "value": 49.95}}}
                 ]},
                {"@type": "QuoteItem", "id": "2", "action": "add",
                 "productOffering": {"id": "PO-STATIC-IP"},
                 "product": {"productCharacteristic": [{"@type": "IntegerCharacteristic", "name": "ipCount", "value": 8}],
                             "place": [{"role": "installationAddress", "place": {"id": "ADDR-1"}}]},
                 "quoteItemRelationship": [{"@type": "QuoteItemRelationship", "id": "1", "relationshipType": "reliesOn"}]}
            ],
            "quoteTotalPrice": [{"priceType": "recurring", "price": {"taxIncludedAmount": {"unit": "EUR", "value": 57.45}}}],
            "orderdesk": {"scenario": "demo", "channel": "web", "paymentMethod": {"id": "PM-1", "holderName": "R. 1"}},
            "agreement": [{"id": "AG-1"}]
        })
    }

    fn quote(v: Value) -> Quote {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_quote_round_trips_without_losing_fields() {
        let original = wire();
        let q = quote(original.clone());
        assert_eq!(serde_json::to_value(&q).unwrap(), original);
        assert!(q.extra.contains_key("agreement"));
        assert_eq!(q.customer_id(), Some("CUST-1"));
    }

    #[test]
    fn converts_to_a_draft_order() {
        let order = quote_to_order(&quote(wire()), OrderId::new("ORD-1"), now()).unwrap();
        assert_eq!(order.state(), OrderState::Draft);
        assert_eq!(order.customer, CustomerId::new("CUST-1"));
        assert_eq!(order.quote, Some(QuoteId::new("QT-1")));
        assert_eq!(order.order_date, now());
        assert_eq!(order.channel.as_deref(), Some("web"));
        assert_eq!(order.external_ids.len(), 1);
        assert_eq!(order.external_ids[0].id, "WEB-42");
        assert_eq!(order.external_ids[0].owner.as_deref(), Some("web"));
        assert_eq!(order.billing_account, Some(BillingAccountId::new("BA-1")));
        assert_eq!(order.payment.method, Some(PaymentMethodId::new("PM-1")));
        assert_eq!(order.payment.holder_name.as_deref(), Some("R. 1"));
        assert_eq!(order.related_parties.len(), 1);
        assert_eq!(order.related_parties[0].role, "salesAgent");
        assert_eq!(order.notes[0].text, "Call first");
        assert!(order.requested_start_date.is_some());

        let fibre = &order.items[0];
        assert_eq!(fibre.action, ItemAction::Add);
        assert_eq!(fibre.offering, Some(OfferingId::new("PO-SF200-HOME")));
        assert_eq!(fibre.product.place, Some(AddressId::new("ADDR-1")));
        assert_eq!(
            fibre.product.characteristic("downloadSpeed"),
            Some(&CharacteristicValue::Number(Decimal::from(200)))
        );
        assert_eq!(
            fibre.price.as_ref().map(|m| m.amount),
            Some(Decimal::from_str("99.90").unwrap())
        );
        let ip = &order.items[1];
        assert_eq!(ip.product.place, Some(AddressId::new("ADDR-1")));
        assert_eq!(ip.relationships[0].kind, ItemRelationshipType::ReliesOn);
        assert_eq!(ip.relationships[0].item, ItemId::new("1"));
        assert_eq!(ip.price, None);
    }

    #[test]
    fn nested_items_become_bundled_children() {
        let mut v = wire();
        let child = v["quoteItem"][1].clone();
        v["quoteItem"].as_array_mut().unwrap().truncate(1);
        v["quoteItem"][0]["quoteItem"] = json!([child]);
        let order = quote_to_order(&quote(v), OrderId::new("ORD-1"), now()).unwrap();
        assert_eq!(order.items.len(), 2);
        let rels = &order.items[1].relationships;
        assert!(rels
            .iter()
            .any(|r| r.kind == ItemRelationshipType::BundledIn && r.item == ItemId::new("1")));
    }

    #[test]
    fn v5_external_ids_keep_their_owner() {
        let mut v = wire();
        v["externalId"] =
            json!([{"owner": "partner", "externalIdentifierType": "po", "id": "P-7"}]);
        let order = quote_to_order(&quote(v), OrderId::new("ORD-1"), now()).unwrap();
        assert_eq!(order.external_ids[0].owner.as_deref(), Some("partner"));
        assert_eq!(order.external_ids[0].kind.as_deref(), Some("po"));
    }

    fn error_of(edit: impl FnOnce(&mut Value)) -> QuoteError {
        let mut v = wire();
        edit(&mut v);
        quote_to_order(&quote(v), OrderId::new("ORD-1"), now()).unwrap_err()
    }

    #[test]
    fn conversion_errors_name_the_field() {
        let e = error_of(|v| v["relatedParty"][1]["role"] = json!("payer"));
        assert!(matches!(e, QuoteError::NoCustomer { .. }), "{e}");
        let e = error_of(|v| {
            v["relatedParty"]
                .as_array_mut()
                .unwrap()
                .push(json!({"id": "CUST-2", "role": "Customer"}))
        });
        assert!(matches!(e, QuoteError::TwoCustomers { .. }), "{e}");
        let e = error_of(|v| v["state"] = json!("cancelled"));
        assert!(matches!(e, QuoteError::NotAccepted { .. }), "{e}");
        let e = error_of(|v| v["validFor"]["endDateTime"] = json!("2026-11-26T09:59:59Z"));
        assert!(matches!(e, QuoteError::Expired { .. }), "{e}");
        let e = error_of(|v| v["quoteItem"][1]["action"] = json!("upgrade"));
        assert!(
            matches!(&e, QuoteError::Invalid { field, .. } if field == "quoteItem[1].action"),
            "{e}"
        );
        let e = error_of(|v| v["quoteItem"][0]["quantity"] = json!(-2));
        assert!(
            matches!(&e, QuoteError::Invalid { field, .. } if field == "quoteItem[0].quantity"),
            "{e}"
        );
        let e = error_of(|v| {
            v["quoteItem"][1]["quoteItemRelationship"][0]["relationshipType"] = json!("likes")
        });
        assert!(
            matches!(&e, QuoteError::Invalid { field, .. }
                if field == "quoteItem[1].quoteItemRelationship[0].relationshipType"),
            "{e}"
        );
        let e = error_of(|v| {
            v["quoteItem"][0]["quoteItemPrice"][1]["price"]["taxIncludedAmount"]["unit"] =
                json!("GBP")
        });
        assert!(
            matches!(&e, QuoteError::Invalid { field, .. }
                if field == "quoteItem[0].quoteItemPrice[1].price.taxIncludedAmount.unit"),
            "{e}"
        );
        let e = error_of(|v| {
            v["quoteItem"][1]["product"]["productCharacteristic"][0]["value"] = json!("eight")
        });
        assert!(
            matches!(&e, QuoteError::Characteristic { item, .. } if item == "2"),
            "{e}"
        );
        let e = error_of(|v| v["quoteItem"][1]["quoteItemRelationship"][0]["id"] = json!("9"));
        assert!(
            matches!(
                e,
                QuoteError::Shape {
                    source: OrderShapeError::DanglingRelationship { .. },
                    ..
                }
            ),
            "{e}"
        );
        let e = error_of(|v| v["quoteItem"][0]["quantity"] = json!(0));
        assert!(
            matches!(
                e,
                QuoteError::Shape {
                    source: OrderShapeError::ZeroQuantity(_),
                    ..
                }
            ),
            "{e}"
        );
        let e = error_of(|v| v["quoteItem"] = json!([]));
        assert!(
            matches!(
                e,
                QuoteError::Shape {
                    source: OrderShapeError::NoItems,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn a_quote_without_state_or_validity_still_converts() {
        let mut v = wire();
        let o = v.as_object_mut().unwrap();
        o.remove("state");
        o.remove("validFor");
        o.remove("orderdesk");
        let order = quote_to_order(&quote(v), OrderId::new("ORD-1"), now()).unwrap();
        assert_eq!(order.channel, None);
        assert_eq!(order.external_ids[0].owner, None);
        assert_eq!(order.payment, Payment::default());
    }
}
