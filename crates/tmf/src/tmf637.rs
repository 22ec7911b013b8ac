//! TMF637 Product Inventory v5: the `Product` resource and its conversion to and from the
//! domain's installed product ([`orderdesk_domain::reference::ProductInstance`]).
//!
//! Both directions exist because the server serves inventory as TMF637 and creates, updates and
//! terminates products when orders complete. The mapping:
//!
//! | TMF637 | domain |
//! |---|---|
//! | `relatedParty[role=customer]` (v5 `partyOrPartyRole.id`, or v4 `id`) | `customer` |
//! | `productOffering.id`, `productSpecification.id` | `offering`, `specification` |
//! | `productCharacteristic` (typed v5 characteristics) | `characteristics` |
//! | `place[role=installationAddress/serviceAddress]` | `place` |
//! | `realizingService[].name` (the CFS specification) | `services` |
//! | `productTerm[].validFor.endDateTime` (or start + `duration`) | `contract_end` |
//!
//! Realising services are CFS instances; their id is `{product id}/{CFS specification id}`, the
//! key service inventory uses. The statuses `cancelled` and `aborted` (never delivered) read as
//! `terminated`, the domain's only end state.
//!
//! The characteristic and related-party/place wire types here are shared with [`crate::tmf648`].

use chrono::{DateTime, Utc};
use orderdesk_domain::order::{Characteristic as DomainCharacteristic, CharacteristicValue};
use orderdesk_domain::reference::{ProductInstance, ProductStatus};
use orderdesk_domain::{AddressId, CfsSpecId, CustomerId, OfferingId, ProductId, SpecificationId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::tmf620::{decimal_number, Duration, EntityRef, TimePeriod};

/// A product characteristic: v5 typed (`@type` `StringCharacteristic`, `IntegerCharacteristic`,
/// `BooleanCharacteristic`, ...) or v4 untyped (`name`, `valueType`, `value`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Characteristic {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why a characteristic could not become a domain characteristic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("characteristic `{name}`: {reason}")]
pub struct CharacteristicError {
    pub name: String,
    pub reason: String,
}

impl TryFrom<&Characteristic> for DomainCharacteristic {
    type Error = CharacteristicError;

    /// The `@type` decides the kind when present (and the value must fit it); an untyped
    /// characteristic takes the kind of its JSON value.
    fn try_from(c: &Characteristic) -> Result<Self, CharacteristicError> {
        let fail = |reason: String| CharacteristicError {
            name: c.name.clone(),
            reason,
        };
        let value = c
            .value
            .as_ref()
            .ok_or_else(|| fail("`value` is missing".into()))?;
        let kind = c.at_type.as_deref().unwrap_or("");
        let expect = |what: &str| {
            fail(format!(
                "`@type` is {kind} but the value is {value}, not {what}"
            ))
        };
        let converted = match kind {
            "StringCharacteristic" => match value {
                Value::String(s) => CharacteristicValue::Text(s.clone()),
                _ => return Err(expect("a string")),
            },
            "NumberCharacteristic" | "IntegerCharacteristic" | "FloatCharacteristic" => {
                match number_of(value) {
                    Some(n) => n,
                    None => return Err(expect("a number")),
                }
            }
            "BooleanCharacteristic" => match value {
                Value::Bool(b) => CharacteristicValue::Boolean(*b),
                _ => return Err(expect("a boolean")),
            },
            _ => match value {
                Value::Null => return Err(fail("`value` is null".into())),
                Value::String(s) => CharacteristicValue::Text(s.clone()),
                Value::Bool(b) => CharacteristicValue::Boolean(*b),
                Value::Number(_) => match number_of(value) {
                    Some(n) => n,
                    None => return Err(fail(format!("{value} is not a decimal number"))),
                },
                Value::Array(_) | Value::Object(_) => CharacteristicValue::Json(value.clone()),
            },
        };
        Ok(DomainCharacteristic {
            name: c.name.clone(),
            value: converted,
        })
    }
}

fn number_of(value: &Value) -> Option<CharacteristicValue> {
    match value {
        Value::Number(n) => decimal_number::parse(&n.to_string()).map(CharacteristicValue::Number),
        _ => None,
    }
}

impl From<&DomainCharacteristic> for Characteristic {
    /// The v5 typed form: text → `StringCharacteristic`, whole numbers →
    /// `IntegerCharacteristic`, other numbers → `NumberCharacteristic`, booleans →
    /// `BooleanCharacteristic`, objects → `ObjectCharacteristic`, arrays →
    /// `StringArrayCharacteristic` / `NumberArrayCharacteristic` / `ObjectArrayCharacteristic`.
    fn from(c: &DomainCharacteristic) -> Self {
        let (at_type, value_type, value) = match &c.value {
            CharacteristicValue::Text(s) => {
                ("StringCharacteristic", "string", Value::String(s.clone()))
            }
            CharacteristicValue::Number(n) => {
                let value = decimal_number::to_number(n)
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::String(n.to_string()));
                if n.fract().is_zero() && value.is_i64() {
                    ("IntegerCharacteristic", "integer", value)
                } else {
                    ("NumberCharacteristic", "number", value)
                }
            }
            CharacteristicValue::Boolean(b) => {
                ("BooleanCharacteristic", "boolean", Value::Bool(*b))
            }
            CharacteristicValue::Json(v) => {
                let (t, vt) = match v {
                    Value::Array(items) if items.iter().all(Value::is_string) => {
                        ("StringArrayCharacteristic", "array")
                    }
                    Value::Array(items) if items.iter().all(Value::is_number) => {
                        ("NumberArrayCharacteristic", "array")
                    }
                    Value::Array(_) => ("ObjectArrayCharacteristic", "array"),
                    _ => ("ObjectCharacteristic", "object"),
                };
                (t, vt, v.clone())
            }
        };
        Characteristic {
            at_type: Some(at_type.to_owned()),
            id: None,
            name: c.name.clone(),
            value_type: Some(value_type.to_owned()),
            value: Some(value),
            extra: Map::new(),
        }
    }
}

/// Converts a list of wire characteristics, failing on the first bad one.
pub fn characteristics_to_domain(
    list: &[Characteristic],
) -> Result<Vec<DomainCharacteristic>, CharacteristicError> {
    list.iter().map(DomainCharacteristic::try_from).collect()
}

/// A related party: v5 `RelatedPartyOrPartyRole` / `RelatedPartyRefOrPartyRoleRef`
/// (`{role, partyOrPartyRole: {id, ...}}`) or v4 `RelatedParty` (`{id, role, ...}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedParty {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(
        rename = "@referredType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_or_party_role: Option<EntityRef>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl RelatedParty {
    /// The party's id, in whichever shape it came.
    pub fn party_id(&self) -> Option<&str> {
        self.party_or_party_role
            .as_ref()
            .map(|p| p.id.as_str())
            .or(self.id.as_deref())
    }

    pub fn party_name(&self) -> Option<&str> {
        self.party_or_party_role
            .as_ref()
            .and_then(|p| p.name.as_deref())
            .or(self.name.as_deref())
    }

    pub fn party_referred_type(&self) -> Option<&str> {
        self.party_or_party_role
            .as_ref()
            .and_then(|p| p.referred_type.as_deref())
            .or(self.referred_type.as_deref())
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.role
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case(role))
    }

    /// The v5 form pointing at a party by id.
    pub fn v5(role: &str, party_id: impl Into<String>) -> Self {
        Self {
            at_type: Some("RelatedPartyOrPartyRole".into()),
            role: Some(role.to_owned()),
            party_or_party_role: Some(EntityRef::new("PartyRef", party_id)),
            ..Self::default()
        }
    }
}

/// A related place: v5 `RelatedPlaceRefOrValue` (`{role, place: {id, ...}}`) or v4
/// (`{id, role, ...}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedPlace {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(
        rename = "@referredType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<EntityRef>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl RelatedPlace {
    pub fn place_id(&self) -> Option<&str> {
        self.place
            .as_ref()
            .map(|p| p.id.as_str())
            .or(self.id.as_deref())
    }

    /// Whether this is where the product is delivered: no role, or a service / installation
    /// address role. A `deliveryAddress` (where a SIM is posted) is not.
    pub fn is_service_place(&self) -> bool {
        match self.role.as_deref() {
            None => true,
            Some(role) => {
                let role = role.to_ascii_lowercase().replace([' ', '_', '-'], "");
                matches!(
                    role.as_str(),
                    "installationaddress" | "serviceaddress" | "installaddress" | "serviceplace"
                )
            }
        }
    }

    /// The v5 form with role `installationAddress`.
    pub fn installation_address(id: impl Into<String>) -> Self {
        let mut place = EntityRef::new("PlaceRef", id);
        place.referred_type = Some("GeographicAddress".into());
        Self {
            at_type: Some("RelatedPlaceRefOrValue".into()),
            role: Some("installationAddress".into()),
            place: Some(place),
            ..Self::default()
        }
    }
}

/// The service address among related places (see [`RelatedPlace::is_service_place`]).
pub fn service_place(places: &[RelatedPlace]) -> Option<AddressId> {
    places
        .iter()
        .filter(|p| p.is_service_place())
        .find_map(|p| p.place_id())
        .map(AddressId::new)
}

/// TMF637 `ProductTerm`: a commitment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductTerm {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_for: Option<TimePeriod>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF637 v5 `Product`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_bundle: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_customer_visible: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_serial_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_offering: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_specification: Option<EntityRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_characteristic: Vec<Characteristic>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub place: Vec<RelatedPlace>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_party: Vec<RelatedParty>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub realizing_service: Vec<EntityRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_term: Vec<ProductTerm>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why a TMF637 product could not become a domain product instance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProductError {
    #[error("product `{product}`: `{field}` is missing")]
    Missing { product: String, field: String },
    #[error("product `{product}`: `{field}`: {reason}")]
    Invalid {
        product: String,
        field: String,
        reason: String,
    },
    #[error("product `{product}`: productCharacteristic[{index}]: {source}")]
    Characteristic {
        product: String,
        index: usize,
        source: CharacteristicError,
    },
}

/// The TMF637 `ProductStatusType` spelling of a domain status.
pub fn status_to_wire(status: ProductStatus) -> &'static str {
    match status {
        ProductStatus::Created => "created",
        ProductStatus::PendingActive => "pendingActive",
        ProductStatus::Active => "active",
        ProductStatus::Suspended => "suspended",
        ProductStatus::PendingTerminate => "pendingTerminate",
        ProductStatus::Terminated => "terminated",
    }
}

/// Parses a TMF637 status (the spec's `"aborted "` with its trailing space included).
pub fn status_from_wire(s: &str) -> Option<ProductStatus> {
    Some(match s.trim() {
        "created" => ProductStatus::Created,
        "pendingActive" => ProductStatus::PendingActive,
        "active" => ProductStatus::Active,
        "suspended" => ProductStatus::Suspended,
        "pendingTerminate" => ProductStatus::PendingTerminate,
        "terminated" | "cancelled" | "aborted" => ProductStatus::Terminated,
        _ => return None,
    })
}

/// The service instance id of a CFS realising a product (service inventory's key).
pub fn realizing_service_id(product: &ProductId, cfs: &CfsSpecId) -> String {
    format!("{}/{}", product.as_str(), cfs.as_str())
}

impl TryFrom<&Product> for ProductInstance {
    type Error = ProductError;

    fn try_from(p: &Product) -> Result<Self, ProductError> {
        let id = p.id.clone().ok_or_else(|| ProductError::Missing {
            product: p.name.clone().unwrap_or_default(),
            field: "id".into(),
        })?;
        let missing = |field: &str| ProductError::Missing {
            product: id.clone(),
            field: field.to_owned(),
        };
        let invalid = |field: String, reason: String| ProductError::Invalid {
            product: id.clone(),
            field,
            reason,
        };

        let customer = p
            .related_party
            .iter()
            .find(|r| r.has_role("customer"))
            .and_then(RelatedParty::party_id)
            .ok_or_else(|| missing("relatedParty[role=customer]"))?;
        let offering = p
            .product_offering
            .as_ref()
            .ok_or_else(|| missing("productOffering"))?;
        let specification = p
            .product_specification
            .as_ref()
            .ok_or_else(|| missing("productSpecification"))?;
        let status_text = p.status.as_deref().ok_or_else(|| missing("status"))?;
        let status = status_from_wire(status_text).ok_or_else(|| {
            invalid(
                "status".into(),
                format!("`{status_text}` is not a TMF637 product status"),
            )
        })?;

        let mut characteristics = Vec::with_capacity(p.product_characteristic.len());
        for (index, c) in p.product_characteristic.iter().enumerate() {
            characteristics.push(DomainCharacteristic::try_from(c).map_err(|source| {
                ProductError::Characteristic {
                    product: id.clone(),
                    index,
                    source,
                }
            })?);
        }

        let mut services = Vec::with_capacity(p.realizing_service.len());
        for (i, s) in p.realizing_service.iter().enumerate() {
            let cfs = s
                .name
                .as_deref()
                .ok_or_else(|| missing(&format!("realizingService[{i}].name")))?;
            services.push(CfsSpecId::new(cfs));
        }

        let mut contract_end: Option<DateTime<Utc>> = None;
        for (i, term) in p.product_term.iter().enumerate() {
            let period = term.valid_for.as_ref();
            let end = match period.and_then(|v| v.end_date_time) {
                Some(end) => Some(end),
                None => match &term.duration {
                    Some(d) => {
                        let start = period
                            .and_then(|v| v.start_date_time)
                            .or(p.start_date)
                            .ok_or_else(|| missing(&format!("productTerm[{i}].validFor")))?;
                        Some(d.end_from(start).ok_or_else(|| {
                            invalid(
                                format!("productTerm[{i}].duration"),
                                "not a number of months or years".into(),
                            )
                        })?)
                    }
                    None => None,
                },
            };
            contract_end = contract_end.max(end);
        }

        Ok(ProductInstance {
            id: ProductId::new(id.clone()),
            customer: CustomerId::new(customer),
            offering: OfferingId::new(offering.id.clone()),
            specification: SpecificationId::new(specification.id.clone()),
            name: p
                .name
                .clone()
                .or_else(|| offering.name.clone())
                .unwrap_or_else(|| offering.id.clone()),
            status,
            characteristics,
            place: service_place(&p.place),
            services,
            start_date: p.start_date,
            contract_end,
        })
    }
}

impl From<&ProductInstance> for Product {
    /// The TMF637 v5 view of an installed product. `href` is left to the server, which knows its
    /// base URL.
    fn from(i: &ProductInstance) -> Self {
        Product {
            at_type: Some("Product".into()),
            id: Some(i.id.as_str().to_owned()),
            name: Some(i.name.clone()),
            status: Some(status_to_wire(i.status).to_owned()),
            start_date: i.start_date,
            product_offering: Some(EntityRef::new("ProductOfferingRef", i.offering.as_str())),
            product_specification: Some(EntityRef::new(
                "ProductSpecificationRef",
                i.specification.as_str(),
            )),
            product_characteristic: i.characteristics.iter().map(Characteristic::from).collect(),
            place: i
                .place
                .iter()
                .map(|a| RelatedPlace::installation_address(a.as_str()))
                .collect(),
            related_party: vec![RelatedParty::v5("customer", i.customer.as_str())],
            realizing_service: i
                .services
                .iter()
                .map(|cfs| {
                    let mut r = EntityRef::new("ServiceRef", realizing_service_id(&i.id, cfs));
                    r.name = Some(cfs.as_str().to_owned());
                    r.referred_type = Some("Service".into());
                    r
                })
                .collect(),
            product_term: i
                .contract_end
                .map(|end| ProductTerm {
                    at_type: Some("ProductTerm".into()),
                    name: Some("minimum term".into()),
                    valid_for: Some(TimePeriod {
                        start_date_time: i.start_date,
                        end_date_time: Some(end),
                    }),
                    ..ProductTerm::default()
                })
                .into_iter()
                .collect(),
            ..Product::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use serde_json::json;
    use std::str::FromStr;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn wire() -> Value {
        json!({
            "@type": "Product",
            "id": "PRD-1",
            "href": "/tmf-api/productInventory/v5/product/PRD-1",
            "name": "SuperFibre 200 Home",
            "status": "active",
            "startDate": "2025-03-10T08:00:00Z",
            "productOffering": {"@type": "ProductOfferingRef", "id": "PO-SF200-HOME"},
            "productSpecification": {"@type": "ProductSpecificationRef", "id": "PS-HOME-BROADBAND"},
            "productCharacteristic": [
                {"@type": "IntegerCharacteristic", "name": "downloadSpeed", "valueType": "integer", "value": 200},
                {"@type": "StringCharacteristic", "name": "wifiProfile", "valueType": "string", "value": "mesh"},
                {"@type": "BooleanCharacteristic", "name": "numberPorting", "valueType": "boolean", "value": false}
            ],
            "place": [{"@type": "RelatedPlaceRefOrValue", "role": "installationAddress",
                       "place": {"@type": "PlaceRef", "id": "ADDR-1", "@referredType": "GeographicAddress"}}],
            "relatedParty": [
                {"@type": "RelatedPartyOrPartyRole", "role": "payer",
                 "partyOrPartyRole": {"@type": "PartyRef", "id": "CUST-9"}},
                {"@type": "RelatedPartyOrPartyRole", "role": "customer",
                 "partyOrPartyRole": {"@type": "PartyRef", "id": "CUST-1", "name": "Resident 1"}}
            ],
            "realizingService": [
                {"@type": "ServiceRef", "id": "PRD-1/CFS:Internet-Access", "name": "CFS:Internet-Access"},
                {"@type": "ServiceRef", "id": "PRD-1/CFS:GPON-Access", "name": "CFS:GPON-Access"}
            ],
            "productTerm": [{"@type": "ProductTerm", "name": "12 months",
                             "duration": {"amount": 12, "units": "month"},
                             "validFor": {"startDateTime": "2025-03-10T08:00:00Z"}}],
            "productSerialNumber": "SN-1",
            "productPrice": [{"priceType": "recurring"}]
        })
    }

    fn product(v: Value) -> Product {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_product_round_trips_without_losing_fields() {
        let original = wire();
        let p = product(original.clone());
        assert_eq!(serde_json::to_value(&p).unwrap(), original);
        assert!(p.extra.contains_key("productPrice"));
    }

    #[test]
    fn converts_to_the_domain() {
        let i = ProductInstance::try_from(&product(wire())).unwrap();
        assert_eq!(i.customer, CustomerId::new("CUST-1"));
        assert_eq!(i.offering, OfferingId::new("PO-SF200-HOME"));
        assert_eq!(i.status, ProductStatus::Active);
        assert_eq!(i.place, Some(AddressId::new("ADDR-1")));
        assert_eq!(
            i.characteristics[0].value,
            CharacteristicValue::Number(Decimal::from(200))
        );
        assert_eq!(
            i.characteristics[1].value,
            CharacteristicValue::Text("mesh".into())
        );
        assert_eq!(
            i.characteristics[2].value,
            CharacteristicValue::Boolean(false)
        );
        assert_eq!(
            i.services,
            vec![
                CfsSpecId::new("CFS:Internet-Access"),
                CfsSpecId::new("CFS:GPON-Access")
            ]
        );
        // No end date in validFor: start + 12 months.
        assert_eq!(i.contract_end, Some(at("2026-03-10T08:00:00Z")));
    }

    #[test]
    fn domain_to_wire_and_back_is_lossless() {
        let mut i = ProductInstance::try_from(&product(wire())).unwrap();
        i.characteristics.push(DomainCharacteristic {
            name: "ratio".into(),
            value: CharacteristicValue::Number(Decimal::from_str("0.75").unwrap()),
        });
        i.characteristics.push(DomainCharacteristic {
            name: "vlans".into(),
            value: CharacteristicValue::Json(json!(["100", "200"])),
        });
        let p = Product::from(&i);
        assert_eq!(
            p.product_characteristic[0].at_type.as_deref(),
            Some("IntegerCharacteristic")
        );
        assert_eq!(
            p.product_characteristic[3].at_type.as_deref(),
            Some("NumberCharacteristic")
        );
        assert_eq!(
            p.product_characteristic[4].at_type.as_deref(),
            Some("StringArrayCharacteristic")
        );
        assert_eq!(p.realizing_service[1].id, "PRD-1/CFS:GPON-Access");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["relatedParty"][0]["partyOrPartyRole"]["id"], "CUST-1");
        assert_eq!(json["place"][0]["place"]["id"], "ADDR-1");
        let back = ProductInstance::try_from(&product(json)).unwrap();
        assert_eq!(back, i);
    }

    #[test]
    fn v4_shapes_are_read_too() {
        let mut v = wire();
        v["relatedParty"] = json!([{"id": "CUST-4", "role": "Customer"}]);
        v["place"] = json!([{"id": "ADDR-4", "role": "deliveryAddress"}, {"id": "ADDR-5", "role": "serviceAddress"}]);
        v["productCharacteristic"] =
            json!([{"name": "downloadSpeed", "valueType": "integer", "value": 500}]);
        v["status"] = json!("aborted ");
        let i = ProductInstance::try_from(&product(v)).unwrap();
        assert_eq!(i.customer, CustomerId::new("CUST-4"));
        assert_eq!(i.place, Some(AddressId::new("ADDR-5")));
        assert_eq!(i.status, ProductStatus::Terminated);
        assert_eq!(
            i.characteristics[0].value,
            CharacteristicValue::Number(Decimal::from(500))
        );
    }

    #[test]
    fn the_latest_term_end_is_the_contract_end() {
        let mut v = wire();
        v["productTerm"] = json!([
            {"validFor": {"endDateTime": "2027-01-01T00:00:00Z"}},
            {"validFor": {"endDateTime": "2028-01-01T00:00:00Z"}},
            {"name": "no dates"}
        ]);
        let i = ProductInstance::try_from(&product(v)).unwrap();
        assert_eq!(i.contract_end, Some(at("2028-01-01T00:00:00Z")));
    }

    fn error_of(edit: impl FnOnce(&mut Value)) -> ProductError {
        let mut v = wire();
        edit(&mut v);
        ProductInstance::try_from(&product(v)).unwrap_err()
    }

    #[test]
    fn conversion_errors_name_the_field() {
        let e = error_of(|v| v["relatedParty"] = json!([{"role": "payer", "id": "X"}]));
        assert!(
            matches!(&e, ProductError::Missing { field, .. } if field == "relatedParty[role=customer]"),
            "{e}"
        );
        let e = error_of(|v| v["status"] = json!("lost"));
        assert!(
            matches!(&e, ProductError::Invalid { field, .. } if field == "status"),
            "{e}"
        );
        let e = error_of(|v| {
            v.as_object_mut().unwrap().remove("productSpecification");
        });
        assert!(
            matches!(&e, ProductError::Missing { field, .. } if field == "productSpecification"),
            "{e}"
        );
        let e = error_of(|v| v["productCharacteristic"][1]["value"] = json!(3));
        assert!(
            matches!(&e, ProductError::Characteristic { index: 1, source, .. } if source.name == "wifiProfile"),
            "{e}"
        );
        let e = error_of(|v| v["realizingService"][0] = json!({"id": "S-1"}));
        assert!(
            matches!(&e, ProductError::Missing { field, .. } if field == "realizingService[0].name"),
            "{e}"
        );
        let e = error_of(|v| v["productTerm"][0]["duration"]["units"] = json!("fortnight"));
        assert!(
            matches!(&e, ProductError::Invalid { field, .. } if field == "productTerm[0].duration"),
            "{e}"
        );
        let e = error_of(|v| {
            v.as_object_mut().unwrap().remove("id");
        });
        assert!(
            matches!(&e, ProductError::Missing { field, .. } if field == "id"),
            "{e}"
        );
    }

    #[test]
    fn characteristic_kinds() {
        let c = |v: Value| serde_json::from_value::<Characteristic>(v).unwrap();
        let d = |v: Value| DomainCharacteristic::try_from(&c(v));
        assert!(d(json!({"@type": "BooleanCharacteristic", "name": "x", "value": "yes"})).is_err());
        assert!(d(json!({"@type": "IntegerCharacteristic", "name": "x", "value": "7"})).is_err());
        assert!(d(json!({"name": "x"})).is_err());
        assert!(d(json!({"name": "x", "value": null})).is_err());
        assert_eq!(
            d(json!({"@type": "ObjectCharacteristic", "name": "x", "value": {"a": 1}}))
                .unwrap()
                .value,
            CharacteristicValue::Json(json!({"a": 1}))
        );
        assert_eq!(
            d(json!({"name": "x", "value": 1.25})).unwrap().value,
            CharacteristicValue::Number(Decimal::from_str("1.25").unwrap())
        );
    }
}
