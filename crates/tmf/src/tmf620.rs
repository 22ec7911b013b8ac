//! TMF620 Product Catalog Management v5: the subset Orderdesk reads (product offerings, product
//! specifications, product offering prices) and its conversion into the domain catalog
//! ([`orderdesk_domain::catalog`]).
//!
//! # Extension scheme
//!
//! Order rules need facts TMF620 has no field for. They travel in one object named `orderdesk`,
//! placed on the TMF object it qualifies (TMF objects are extensible; every other client ignores
//! an unknown property):
//!
//! - `ProductOffering.orderdesk`: `{technologies: ["GPON", ...], risk: "low"|"medium"|"high",
//!   leadTimeDays, maxPerAccount}`. Missing means: not address-bound, low risk, no lead time,
//!   no limit.
//! - `ProductSpecification.serviceSpecification[].orderdesk` (on each `ServiceSpecificationRef`,
//!   i.e. each CFS): `{mandatory, when: {characteristic, value}, technologies, characteristics,
//!   pointOfNoReturn}`. Missing means: mandatory, any technology, no characteristics, no PONR.
//!
//! Standard fields carry the rest: `lifecycleStatus`, `isSellable`, `validFor`, `category[0].name`
//! (the domain category), `bundledProductOffering`, `productOfferingRelationship` with
//! `relationshipType` `excludes` / `requires` (several `requires` mean "one of them"),
//! `productOfferingTerm[].duration` (the minimum contract), `productSpecCharacteristic` with
//! `minCardinality` ≥ 1 for mandatory and `characteristicValueSpecification` for allowed values
//! (the v4 name `productSpecCharacteristicValue` is accepted too).
//!
//! Unknown fields are kept in each type's `extra` map, so a document read and written again loses
//! nothing. The domain projection is lossy on purpose (value ranges, price alterations, offering
//! level value restrictions are not order rules today).

use chrono::{DateTime, Months, Utc};
use orderdesk_domain::catalog::{
    self as domain, CfsMapping, CharacteristicSpec, LifecycleStatus, OfferingPrice, PriceType,
    RiskClass, Technology, Validity,
};
use orderdesk_domain::{CfsSpecId, Money as DomainMoney, OfferingId, SpecificationId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// TMF `Money`: a currency and an amount. The amount is a JSON number on the wire and a decimal
/// here (a string amount is accepted on input).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub unit: String,
    #[serde(with = "decimal_number")]
    pub value: Decimal,
}

impl From<&Money> for DomainMoney {
    fn from(m: &Money) -> Self {
        DomainMoney::new(m.value, m.unit.clone())
    }
}

impl From<&DomainMoney> for Money {
    fn from(m: &DomainMoney) -> Self {
        Money {
            unit: m.currency.clone(),
            value: m.amount,
        }
    }
}

/// TMF `TimePeriod`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimePeriod {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_time: Option<DateTime<Utc>>,
}

impl From<&TimePeriod> for Validity {
    fn from(p: &TimePeriod) -> Self {
        Validity {
            start: p.start_date_time,
            end: p.end_date_time,
        }
    }
}

/// TMF `Duration`: an amount of time units (`month`, `year`, `day`...).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Duration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
}

impl Duration {
    /// The duration in whole months, when its unit is months or years.
    pub fn months(&self) -> Result<u32, String> {
        let amount = self.amount.ok_or("`amount` is missing")?;
        let factor = match self
            .units
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("month" | "months") => 1,
            Some("year" | "years") => 12,
            Some(other) => return Err(format!("unit `{other}` is not months or years")),
            None => return Err("`units` is missing".into()),
        };
        amount
            .checked_mul(factor)
            .and_then(|m| u32::try_from(m).ok())
            .ok_or_else(|| format!("{amount} is not a number of months"))
    }

    /// `start` plus this duration, when it is expressed in months or years.
    pub fn end_from(&self, start: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let months = self.months().ok()?;
        start.checked_add_months(Months::new(months))
    }
}

/// A TMF `EntityRef` (also `ProductSpecificationRef`, `CategoryRef`, `PlaceRef`, ...).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EntityRef {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        rename = "@referredType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_type: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl EntityRef {
    /// A reference with just `@type` and `id`.
    pub fn new(at_type: &str, id: impl Into<String>) -> Self {
        Self {
            at_type: Some(at_type.to_owned()),
            id: id.into(),
            ..Self::default()
        }
    }
}

/// The `productCatalogManagement` objects Orderdesk reads, as one document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogDocument {
    #[serde(default)]
    pub product_offering: Vec<ProductOffering>,
    #[serde(default)]
    pub product_specification: Vec<ProductSpecification>,
    #[serde(default)]
    pub product_offering_price: Vec<ProductOfferingPrice>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF620 `ProductOffering`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOffering {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_bundle: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_sellable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_for: Option<TimePeriod>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category: Vec<EntityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_specification: Option<EntityRef>,
    /// `ProductOfferingPriceRefOrValue`: a reference into the document's prices, or a price.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_offering_price: Vec<ProductOfferingPrice>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bundled_product_offering: Vec<EntityRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_offering_relationship: Vec<ProductOfferingRelationship>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_offering_term: Vec<ProductOfferingTerm>,
    /// Orderdesk's extension (see the module docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orderdesk: Option<OfferingExtension>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `ProductOffering.orderdesk`: what order rules need and TMF620 has no field for.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferingExtension {
    /// Access technologies (`GPON`, `HFC`, `VDSL`, `5G-FWA`, `ADSL`); empty = not address-bound.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub technologies: Vec<String>,
    /// `low`, `medium` or `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_time_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_account: Option<u32>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF620 `ProductOfferingRelationship`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOfferingRelationship {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `excludes` and `requires` are order rules; other types are kept but not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_type: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF620 `ProductOfferingTerm`: a commitment period.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOfferingTerm {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Duration>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF620 `ProductOfferingPrice`, also used for `ProductOfferingPriceRefOrValue` (a reference
/// carries only `id`, `href` and `name`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOfferingPrice {
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
    /// `recurring`, `oneTime` or `usage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring_charge_period_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring_charge_period_length: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_for: Option<TimePeriod>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ProductOfferingPrice {
    /// Whether this entry carries a price (a value) rather than only pointing at one.
    pub fn is_value(&self) -> bool {
        self.price.is_some()
    }
}

/// TMF620 `ProductSpecification`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductSpecification {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_bundle: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_spec_characteristic: Vec<CharacteristicSpecification>,
    /// The CFS realising the specification, each with its Orderdesk mapping.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_specification: Vec<ServiceSpecificationRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bundled_product_specification: Vec<EntityRef>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF620 v5 `CharacteristicSpecification`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CharacteristicSpecification {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configurable: Option<bool>,
    /// At least 1 makes the characteristic mandatory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_cardinality: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cardinality: Option<i64>,
    #[serde(
        default,
        alias = "productSpecCharacteristicValue",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub characteristic_value_specification: Vec<CharacteristicValueSpecification>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF620 v5 `CharacteristicValueSpecification` (any of its typed subclasses).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CharacteristicValueSpecification {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_of_measure: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// TMF620 `ServiceSpecificationRef`: one CFS of a product specification.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpecificationRef {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    /// The CFS specification id, e.g. `CFS:Internet-Access`.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Orderdesk's mapping details (see the module docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orderdesk: Option<CfsMappingExtension>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `serviceSpecification[].orderdesk`: how the CFS is produced from the product.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CfsMappingExtension {
    /// Default `true`. An optional CFS must name its `when` condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandatory: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<CfsCondition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub technologies: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub characteristics: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point_of_no_return: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The product characteristic value that switches an optional CFS on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CfsCondition {
    pub characteristic: String,
    /// Compared as catalog text: `"mesh"`, `true` and `"true"`, `2` and `"2"` all work.
    pub value: Value,
}

/// Why a TMF620 document could not become the domain catalog. Every variant names the object
/// (`entity` and `id`) and the JSON field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("{entity} `{id}`: `{field}` is missing")]
    Missing {
        entity: &'static str,
        id: String,
        field: String,
    },
    #[error("{entity} `{id}`: `{field}`: {reason}")]
    Invalid {
        entity: &'static str,
        id: String,
        field: String,
        reason: String,
    },
    #[error("{entity} `{id}` appears more than once")]
    Duplicate { entity: &'static str, id: String },
    #[error("{entity} `{id}`: `{field}` refers to `{target}`, which is not in the catalog")]
    Dangling {
        entity: &'static str,
        id: String,
        field: String,
        target: String,
    },
}

const OFFERING: &str = "productOffering";
const SPECIFICATION: &str = "productSpecification";
const PRICE: &str = "productOfferingPrice";

/// The domain catalog a [`CatalogDocument`] converts into.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CatalogParts {
    pub offerings: Vec<domain::ProductOffering>,
    pub specifications: Vec<domain::ProductSpecification>,
}

impl CatalogDocument {
    /// Converts every offering and specification, checking that ids are unique and that every
    /// reference (specification, price, bundled offering, relationship) resolves in the document.
    pub fn to_domain(&self) -> Result<CatalogParts, CatalogError> {
        let mut prices: HashMap<&str, &ProductOfferingPrice> = HashMap::new();
        for (i, price) in self.product_offering_price.iter().enumerate() {
            let id = price.id.as_deref().ok_or_else(|| CatalogError::Missing {
                entity: PRICE,
                id: format!("#{i}"),
                field: "id".into(),
            })?;
            if prices.insert(id, price).is_some() {
                return Err(CatalogError::Duplicate {
                    entity: PRICE,
                    id: id.to_owned(),
                });
            }
        }

        let mut specifications = Vec::with_capacity(self.product_specification.len());
        let mut spec_ids = HashSet::new();
        for spec in &self.product_specification {
            if !spec_ids.insert(spec.id.as_str()) {
                return Err(CatalogError::Duplicate {
                    entity: SPECIFICATION,
                    id: spec.id.clone(),
                });
            }
            specifications.push(domain::ProductSpecification::try_from(spec)?);
        }
        for spec in &self.product_specification {
            for (i, bundled) in spec.bundled_product_specification.iter().enumerate() {
                if !spec_ids.contains(bundled.id.as_str()) {
                    return Err(CatalogError::Dangling {
                        entity: SPECIFICATION,
                        id: spec.id.clone(),
                        field: format!("bundledProductSpecification[{i}].id"),
                        target: bundled.id.clone(),
                    });
                }
            }
        }

        let offering_ids: HashSet<&str> = self
            .product_offering
            .iter()
            .map(|o| o.id.as_str())
            .collect();
        let mut offerings = Vec::with_capacity(self.product_offering.len());
        let mut seen = HashSet::new();
        for offering in &self.product_offering {
            if !seen.insert(offering.id.as_str()) {
                return Err(CatalogError::Duplicate {
                    entity: OFFERING,
                    id: offering.id.clone(),
                });
            }
            let converted = offering_to_domain(offering, &prices)?;
            if !spec_ids.contains(converted.specification.as_str()) {
                return Err(dangling(
                    offering,
                    "productSpecification.id",
                    converted.specification.as_str(),
                ));
            }
            for (i, b) in offering.bundled_product_offering.iter().enumerate() {
                if !offering_ids.contains(b.id.as_str()) {
                    return Err(dangling(
                        offering,
                        &format!("bundledProductOffering[{i}].id"),
                        &b.id,
                    ));
                }
            }
            for (i, r) in offering.product_offering_relationship.iter().enumerate() {
                if !offering_ids.contains(r.id.as_str()) {
                    return Err(dangling(
                        offering,
                        &format!("productOfferingRelationship[{i}].id"),
                        &r.id,
                    ));
                }
            }
            offerings.push(converted);
        }
        Ok(CatalogParts {
            offerings,
            specifications,
        })
    }
}

fn dangling(offering: &ProductOffering, field: &str, target: &str) -> CatalogError {
    CatalogError::Dangling {
        entity: OFFERING,
        id: offering.id.clone(),
        field: field.to_owned(),
        target: target.to_owned(),
    }
}

/// Converts one offering. Price references are resolved in `prices` (by id); inline prices are
/// read as they are.
pub fn offering_to_domain(
    offering: &ProductOffering,
    prices: &HashMap<&str, &ProductOfferingPrice>,
) -> Result<domain::ProductOffering, CatalogError> {
    let id = &offering.id;
    let missing = |field: &str| CatalogError::Missing {
        entity: OFFERING,
        id: id.clone(),
        field: field.to_owned(),
    };
    let invalid = |field: &str, reason: String| CatalogError::Invalid {
        entity: OFFERING,
        id: id.clone(),
        field: field.to_owned(),
        reason,
    };

    let name = offering.name.clone().ok_or_else(|| missing("name"))?;
    let category = offering
        .category
        .first()
        .and_then(|c| c.name.as_deref())
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| missing("category[0].name"))?;
    let specification = offering
        .product_specification
        .as_ref()
        .map(|s| SpecificationId::new(s.id.clone()))
        .ok_or_else(|| missing("productSpecification"))?;
    let status_text = offering
        .lifecycle_status
        .as_deref()
        .ok_or_else(|| missing("lifecycleStatus"))?;
    let lifecycle_status = LifecycleStatus::parse(status_text).ok_or_else(|| {
        invalid(
            "lifecycleStatus",
            format!("`{status_text}` is not a TMF620 lifecycle status"),
        )
    })?;

    let bundled: Vec<OfferingId> = offering
        .bundled_product_offering
        .iter()
        .map(|b| OfferingId::new(b.id.clone()))
        .collect();
    if offering.is_bundle == Some(true) && bundled.is_empty() {
        return Err(invalid(
            "bundledProductOffering",
            "isBundle is true but no offering is bundled".into(),
        ));
    }

    let mut excludes = Vec::new();
    let mut requires_one_of = Vec::new();
    for rel in &offering.product_offering_relationship {
        match rel.relationship_type.as_deref() {
            Some(t) if t.eq_ignore_ascii_case("excludes") => {
                excludes.push(OfferingId::new(rel.id.clone()))
            }
            Some(t) if t.eq_ignore_ascii_case("requires") => {
                requires_one_of.push(OfferingId::new(rel.id.clone()))
            }
            _ => {}
        }
    }

    let mut domain_prices = Vec::with_capacity(offering.product_offering_price.len());
    for (i, entry) in offering.product_offering_price.iter().enumerate() {
        let price = if entry.is_value() {
            entry
        } else {
            let pid = entry
                .id
                .as_deref()
                .ok_or_else(|| missing(&format!("productOfferingPrice[{i}].id")))?;
            prices
                .get(pid)
                .copied()
                .ok_or_else(|| dangling(offering, &format!("productOfferingPrice[{i}].id"), pid))?
        };
        domain_prices.push(OfferingPrice::try_from(price)?);
    }

    let contract_months = match offering
        .product_offering_term
        .iter()
        .enumerate()
        .find_map(|(i, t)| t.duration.as_ref().map(|d| (i, d)))
    {
        Some((i, d)) => Some(
            d.months()
                .map_err(|reason| invalid(&format!("productOfferingTerm[{i}].duration"), reason))?,
        ),
        None => None,
    };

    let ext = offering.orderdesk.clone().unwrap_or_default();
    let technologies = parse_technologies(&ext.technologies)
        .map_err(|(i, t)| invalid(&format!("orderdesk.technologies[{i}]"), unknown_tech(&t)))?;
    let risk = match ext.risk.as_deref() {
        None => RiskClass::Low,
        Some(r) => parse_risk(r).ok_or_else(|| {
            invalid(
                "orderdesk.risk",
                format!("`{r}` is not low, medium or high"),
            )
        })?,
    };

    Ok(domain::ProductOffering {
        id: OfferingId::new(id.clone()),
        name,
        description: offering.description.clone(),
        category,
        specification,
        lifecycle_status,
        sellable: offering.is_sellable.unwrap_or(true),
        valid_for: offering
            .valid_for
            .as_ref()
            .map(Validity::from)
            .unwrap_or_default(),
        bundled,
        excludes,
        requires_one_of,
        technologies,
        prices: domain_prices,
        risk,
        lead_time_days: ext.lead_time_days.unwrap_or(0),
        max_per_account: ext.max_per_account,
        contract_months,
    })
}

impl TryFrom<&ProductOfferingPrice> for OfferingPrice {
    type Error = CatalogError;

    fn try_from(p: &ProductOfferingPrice) -> Result<Self, CatalogError> {
        let id = p.id.clone().unwrap_or_default();
        let missing = |field: &str| CatalogError::Missing {
            entity: PRICE,
            id: id.clone(),
            field: field.to_owned(),
        };
        let kind = p
            .price_type
            .as_deref()
            .ok_or_else(|| missing("priceType"))?;
        let price_type = parse_price_type(kind).ok_or_else(|| CatalogError::Invalid {
            entity: PRICE,
            id: id.clone(),
            field: "priceType".into(),
            reason: format!("`{kind}` is not recurring, oneTime or usage"),
        })?;
        let amount = p.price.as_ref().ok_or_else(|| missing("price"))?;
        Ok(OfferingPrice {
            id: id.clone(),
            name: p.name.clone().unwrap_or_else(|| id.clone()),
            price_type,
            amount: DomainMoney::from(amount),
            period: p.recurring_charge_period_type.clone(),
        })
    }
}

impl TryFrom<&ProductSpecification> for domain::ProductSpecification {
    type Error = CatalogError;

    fn try_from(spec: &ProductSpecification) -> Result<Self, CatalogError> {
        let id = &spec.id;
        let invalid = |field: String, reason: String| CatalogError::Invalid {
            entity: SPECIFICATION,
            id: id.clone(),
            field,
            reason,
        };
        let name = spec.name.clone().ok_or_else(|| CatalogError::Missing {
            entity: SPECIFICATION,
            id: id.clone(),
            field: "name".into(),
        })?;

        let mut characteristics: Vec<CharacteristicSpec> = Vec::new();
        for (i, c) in spec.product_spec_characteristic.iter().enumerate() {
            if characteristics.iter().any(|k| k.name == c.name) {
                return Err(invalid(
                    format!("productSpecCharacteristic[{i}].name"),
                    format!("`{}` is defined twice", c.name),
                ));
            }
            let mut allowed_values = Vec::new();
            let mut default_value = None;
            for (j, v) in c.characteristic_value_specification.iter().enumerate() {
                // A value specification without a value is a range or a regex: not a list entry.
                let Some(value) = &v.value else { continue };
                let text = value_text(value).ok_or_else(|| {
                    invalid(
                        format!(
                            "productSpecCharacteristic[{i}].characteristicValueSpecification[{j}].value"
                        ),
                        "an allowed value must be a string, a number or a boolean".into(),
                    )
                })?;
                if v.is_default == Some(true) && default_value.is_none() {
                    default_value = Some(text.clone());
                }
                allowed_values.push(text);
            }
            characteristics.push(CharacteristicSpec {
                name: c.name.clone(),
                mandatory: c.min_cardinality.unwrap_or(0) >= 1,
                allowed_values,
                default_value,
            });
        }

        let mut cfs = Vec::with_capacity(spec.service_specification.len());
        for (i, s) in spec.service_specification.iter().enumerate() {
            cfs.push(cfs_mapping(spec, i, s, &characteristics)?);
        }
        Ok(domain::ProductSpecification {
            id: SpecificationId::new(id.clone()),
            name,
            characteristics,
            cfs,
        })
    }
}

fn cfs_mapping(
    spec: &ProductSpecification,
    index: usize,
    service: &ServiceSpecificationRef,
    characteristics: &[CharacteristicSpec],
) -> Result<CfsMapping, CatalogError> {
    let at = |field: &str| format!("serviceSpecification[{index}].orderdesk.{field}");
    let invalid = |field: String, reason: String| CatalogError::Invalid {
        entity: SPECIFICATION,
        id: spec.id.clone(),
        field,
        reason,
    };
    let undefined = |field: String, name: &str| CatalogError::Dangling {
        entity: SPECIFICATION,
        id: spec.id.clone(),
        field,
        target: name.to_owned(),
    };
    let ext = service.orderdesk.clone().unwrap_or_default();
    let mandatory = ext.mandatory.unwrap_or(true);
    let when = match &ext.when {
        None => None,
        Some(cond) => {
            let value = value_text(&cond.value).ok_or_else(|| {
                invalid(
                    at("when.value"),
                    "must be a string, a number or a boolean".into(),
                )
            })?;
            let Some(c) = characteristics
                .iter()
                .find(|c| c.name == cond.characteristic)
            else {
                return Err(undefined(at("when.characteristic"), &cond.characteristic));
            };
            if !c.allowed_values.is_empty() && !c.allowed_values.contains(&value) {
                return Err(invalid(
                    at("when.value"),
                    format!("`{value}` is not an allowed value of `{}`", c.name),
                ));
            }
            Some((cond.characteristic.clone(), value))
        }
    };
    match (mandatory, &when) {
        (false, None) => {
            return Err(invalid(
                at("when"),
                "an optional CFS needs the condition that switches it on".into(),
            ))
        }
        (true, Some(_)) => {
            return Err(invalid(
                at("when"),
                "a mandatory CFS is always produced; drop `when` or set `mandatory` to false"
                    .into(),
            ))
        }
        _ => {}
    }
    for (j, name) in ext.characteristics.iter().enumerate() {
        if !characteristics.iter().any(|c| &c.name == name) {
            return Err(undefined(at(&format!("characteristics[{j}]")), name));
        }
    }
    let technologies = parse_technologies(&ext.technologies)
        .map_err(|(j, t)| invalid(at(&format!("technologies[{j}]")), unknown_tech(&t)))?;
    Ok(CfsMapping {
        cfs: CfsSpecId::new(service.id.clone()),
        mandatory,
        when,
        technologies,
        characteristics: ext.characteristics.clone(),
        point_of_no_return: ext.point_of_no_return.unwrap_or(false),
    })
}

fn parse_technologies(list: &[String]) -> Result<Vec<Technology>, (usize, String)> {
    list.iter()
        .enumerate()
        .map(|(i, t)| Technology::parse(t).ok_or_else(|| (i, t.clone())))
        .collect()
}

fn unknown_tech(t: &str) -> String {
    let known: Vec<&str> = Technology::ALL.iter().map(|t| t.as_str()).collect();
    format!("`{t}` is not one of {}", known.join(", "))
}

fn parse_risk(s: &str) -> Option<RiskClass> {
    match s.to_ascii_lowercase().as_str() {
        "low" => Some(RiskClass::Low),
        "medium" => Some(RiskClass::Medium),
        "high" => Some(RiskClass::High),
        _ => None,
    }
}

fn parse_price_type(s: &str) -> Option<PriceType> {
    match s.to_ascii_lowercase().replace([' ', '-', '_'], "").as_str() {
        "recurring" => Some(PriceType::Recurring),
        "onetime" => Some(PriceType::OneTime),
        "usage" => Some(PriceType::Usage),
        _ => None,
    }
}

/// A JSON scalar as the catalog lists values: strings as they are, numbers normalised (`200`,
/// `1.5`), booleans as `true`/`false`. `None` for null, arrays and objects.
pub fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(
            decimal_number::parse(&n.to_string())
                .map(|d| d.normalize().to_string())
                .unwrap_or_else(|| n.to_string()),
        ),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Serde for a decimal that TMF writes as a JSON number. Reading goes through the number's
/// shortest text form, so `39.95` stays exactly `39.95`; a string amount is accepted too.
pub(crate) mod decimal_number {
    use rust_decimal::prelude::ToPrimitive;
    use rust_decimal::Decimal;
    use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::{Number, Value};
    use std::str::FromStr;

    pub fn parse(text: &str) -> Option<Decimal> {
        Decimal::from_str(text)
            .or_else(|_| Decimal::from_scientific(text))
            .ok()
    }

    pub fn to_number(d: &Decimal) -> Option<Number> {
        if d.fract().is_zero() {
            if let Some(i) = d.to_i64() {
                return Some(Number::from(i));
            }
        }
        d.to_f64().and_then(Number::from_f64)
    }

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        match to_number(d) {
            Some(n) => n.serialize(s),
            None => s.serialize_str(&d.to_string()),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let text = match Value::deserialize(d)? {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s,
            other => {
                return Err(de::Error::custom(format!(
                    "expected a number, found {other}"
                )))
            }
        };
        parse(&text).ok_or_else(|| de::Error::custom(format!("`{text}` is not a decimal number")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use serde_json::json;
    use std::str::FromStr;

    fn broadband_spec() -> Value {
        json!({
            "@type": "ProductSpecification",
            "id": "PS-BB",
            "name": "Broadband",
            "productSpecCharacteristic": [
                {"@type": "CharacteristicSpecification", "name": "downloadSpeed", "valueType": "integer",
                 "minCardinality": 1, "maxCardinality": 1,
                 "characteristicValueSpecification": [
                    {"@type": "IntegerCharacteristicValueSpecification", "value": 100},
                    {"@type": "IntegerCharacteristicValueSpecification", "value": 200, "isDefault": true}
                 ]},
                {"@type": "CharacteristicSpecification", "name": "wifiProfile", "minCardinality": 0,
                 "productSpecCharacteristicValue": [{"value": "standard"}, {"value": "mesh"}]}
            ],
            "serviceSpecification": [
                {"@type": "ServiceSpecificationRef", "id": "CFS:Internet-Access",
                 "orderdesk": {"characteristics": ["downloadSpeed"]}},
                {"@type": "ServiceSpecificationRef", "id": "CFS:GPON-Access",
                 "orderdesk": {"technologies": ["GPON"], "pointOfNoReturn": true}},
                {"@type": "ServiceSpecificationRef", "id": "CFS:Mesh-WiFi",
                 "orderdesk": {"mandatory": false, "when": {"characteristic": "wifiProfile", "value": "mesh"}}}
            ],
            "lastUpdate": "2026-01-01T00:00:00Z"
        })
    }

    fn document() -> Value {
        json!({
            "productOffering": [
                {"@type": "ProductOffering", "id": "PO-BB", "name": "Fibre 200",
                 "lifecycleStatus": "Launched", "isSellable": true,
                 "validFor": {"startDateTime": "2026-01-01T00:00:00Z"},
                 "category": [{"id": "CAT-BB", "name": "Broadband"}],
                 "productSpecification": {"id": "PS-BB"},
                 "productOfferingPrice": [
                    {"@type": "ProductOfferingPriceRef", "id": "POP-BB-M"},
                    {"@type": "ProductOfferingPrice", "name": "install", "priceType": "oneTime",
                     "price": {"unit": "EUR", "value": 49.95}}
                 ],
                 "productOfferingRelationship": [
                    {"id": "PO-OLD", "relationshipType": "excludes"},
                    {"id": "PO-OLD", "relationshipType": "exchangableTo"}
                 ],
                 "productOfferingTerm": [{"name": "1 year", "duration": {"amount": 1, "units": "year"}}],
                 "orderdesk": {"technologies": ["GPON"], "risk": "medium", "leadTimeDays": 10, "maxPerAccount": 2}},
                {"@type": "ProductOffering", "id": "PO-OLD", "name": "Copper 8",
                 "lifecycleStatus": "retired", "isSellable": false,
                 "category": [{"id": "CAT-BB", "name": "broadband"}],
                 "productSpecification": {"id": "PS-BB"}}
            ],
            "productSpecification": [broadband_spec()],
            "productOfferingPrice": [
                {"@type": "ProductOfferingPrice", "id": "POP-BB-M", "name": "monthly",
                 "priceType": "recurring", "recurringChargePeriodType": "month",
                 "price": {"unit": "EUR", "value": 39.95}}
            ]
        })
    }

    fn parse(v: Value) -> CatalogDocument {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_document_round_trips_without_losing_fields() {
        let original = document();
        let doc = parse(original.clone());
        // The v4 name of the allowed values is read, and written under its v5 name.
        let mut expected = original;
        let wifi = &mut expected["productSpecification"][0]["productSpecCharacteristic"][1];
        let values = wifi
            .as_object_mut()
            .unwrap()
            .remove("productSpecCharacteristicValue")
            .unwrap();
        wifi["characteristicValueSpecification"] = values;
        assert_eq!(serde_json::to_value(&doc).unwrap(), expected);
        assert!(doc.product_specification[0]
            .extra
            .contains_key("lastUpdate"));
    }

    #[test]
    fn converts_offerings_with_prices_terms_relationships_and_extension() {
        let parts = parse(document()).to_domain().unwrap();
        let bb = &parts.offerings[0];
        assert_eq!(bb.category, "broadband");
        assert_eq!(bb.lifecycle_status, LifecycleStatus::Launched);
        assert_eq!(bb.technologies, vec![Technology::Gpon]);
        assert_eq!(bb.risk, RiskClass::Medium);
        assert_eq!(bb.lead_time_days, 10);
        assert_eq!(bb.max_per_account, Some(2));
        assert_eq!(bb.contract_months, Some(12));
        assert_eq!(bb.excludes, vec![OfferingId::new("PO-OLD")]);
        assert!(bb.requires_one_of.is_empty());
        assert_eq!(
            bb.monthly_charge().unwrap().amount,
            Decimal::from_str("39.95").unwrap()
        );
        assert_eq!(
            bb.one_time_charge().unwrap().amount,
            Decimal::from_str("49.95").unwrap()
        );
        assert_eq!(bb.prices[0].period.as_deref(), Some("month"));
        let old = &parts.offerings[1];
        assert_eq!(old.lifecycle_status, LifecycleStatus::Retired);
        assert!(!old.sellable);
        assert!(!old.is_address_bound());
        assert_eq!(old.risk, RiskClass::Low);
        assert_eq!(old.contract_months, None);
    }

    #[test]
    fn converts_characteristics_and_cfs_mappings() {
        let parts = parse(document()).to_domain().unwrap();
        let spec = &parts.specifications[0];
        let speed = spec.characteristic("downloadSpeed").unwrap();
        assert!(speed.mandatory);
        assert_eq!(speed.allowed_values, vec!["100", "200"]);
        assert_eq!(speed.default_value.as_deref(), Some("200"));
        let wifi = spec.characteristic("wifiProfile").unwrap();
        assert!(!wifi.mandatory);
        assert_eq!(wifi.allowed_values, vec!["standard", "mesh"]);
        assert_eq!(spec.cfs.len(), 3);
        assert!(spec.cfs[0].mandatory && spec.cfs[0].technologies.is_empty());
        assert_eq!(spec.cfs[0].characteristics, vec!["downloadSpeed"]);
        assert!(spec.cfs[1].point_of_no_return);
        assert_eq!(spec.cfs[1].technologies, vec![Technology::Gpon]);
        assert!(!spec.cfs[2].mandatory);
        assert_eq!(
            spec.cfs[2].when,
            Some(("wifiProfile".to_owned(), "mesh".to_owned()))
        );
    }

    fn error_of(edit: impl FnOnce(&mut Value)) -> CatalogError {
        let mut doc = document();
        edit(&mut doc);
        parse(doc).to_domain().unwrap_err()
    }

    #[test]
    fn conversion_errors_name_the_object_and_field() {
        let e = error_of(|d| d["productOffering"][0]["lifecycleStatus"] = json!("Bogus"));
        assert!(
            matches!(&e, CatalogError::Invalid { id, field, .. } if id == "PO-BB" && field == "lifecycleStatus"),
            "{e}"
        );

        let e = error_of(|d| {
            d["productOffering"][0]["orderdesk"]["technologies"] = json!(["GPON", "DOCSIS"])
        });
        assert!(
            matches!(&e, CatalogError::Invalid { field, .. } if field == "orderdesk.technologies[1]"),
            "{e}"
        );

        let e = error_of(|d| {
            d["productOffering"][0]
                .as_object_mut()
                .unwrap()
                .remove("category");
        });
        assert!(
            matches!(&e, CatalogError::Missing { field, .. } if field == "category[0].name"),
            "{e}"
        );

        let e = error_of(|d| d["productOffering"][0]["productSpecification"]["id"] = json!("PS-X"));
        assert!(
            matches!(&e, CatalogError::Dangling { target, .. } if target == "PS-X"),
            "{e}"
        );

        let e =
            error_of(|d| d["productOffering"][0]["productOfferingPrice"][0]["id"] = json!("POP-X"));
        assert!(
            matches!(&e, CatalogError::Dangling { field, .. } if field == "productOfferingPrice[0].id"),
            "{e}"
        );

        let e = error_of(|d| {
            d["productOffering"][0]["productOfferingTerm"][0]["duration"]["units"] = json!("week")
        });
        assert!(
            matches!(&e, CatalogError::Invalid { field, .. } if field == "productOfferingTerm[0].duration"),
            "{e}"
        );

        let e = error_of(|d| d["productOfferingPrice"][0]["priceType"] = json!("discount"));
        assert!(
            matches!(&e, CatalogError::Invalid { entity, field, .. } if *entity == PRICE && field == "priceType"),
            "{e}"
        );

        let e = error_of(|d| {
            let o = d["productOffering"][0].clone();
            d["productOffering"].as_array_mut().unwrap().push(o);
        });
        assert!(matches!(e, CatalogError::Duplicate { .. }), "{e}");
    }

    #[test]
    fn cfs_mapping_errors_name_the_field() {
        let e = error_of(|d| {
            d["productSpecification"][0]["serviceSpecification"][2]["orderdesk"]["when"]["value"] =
                json!("ultra")
        });
        assert!(
            matches!(&e, CatalogError::Invalid { field, .. } if field == "serviceSpecification[2].orderdesk.when.value"),
            "{e}"
        );
        let e = error_of(|d| {
            d["productSpecification"][0]["serviceSpecification"][2]["orderdesk"]
                .as_object_mut()
                .unwrap()
                .remove("when");
        });
        assert!(
            matches!(&e, CatalogError::Invalid { field, .. } if field == "serviceSpecification[2].orderdesk.when"),
            "{e}"
        );
        let e = error_of(|d| {
            d["productSpecification"][0]["serviceSpecification"][0]["orderdesk"]
                ["characteristics"] = json!(["uploadSpeed"])
        });
        assert!(
            matches!(&e, CatalogError::Dangling { field, target, .. }
                if field == "serviceSpecification[0].orderdesk.characteristics[0]" && target == "uploadSpeed"),
            "{e}"
        );
        let e = error_of(|d| {
            d["productSpecification"][0]["serviceSpecification"][0]["orderdesk"]["when"] =
                json!({"characteristic": "wifiProfile", "value": "mesh"})
        });
        assert!(matches!(&e, CatalogError::Invalid { .. }), "{e}");
    }

    #[test]
    fn a_bundle_must_bundle_something() {
        let e = error_of(|d| d["productOffering"][0]["isBundle"] = json!(true));
        assert!(
            matches!(&e, CatalogError::Invalid { field, .. } if field == "bundledProductOffering"),
            "{e}"
        );
    }

    #[test]
    fn money_reads_numbers_and_strings_exactly_and_writes_numbers() {
        let m: Money = serde_json::from_value(json!({"unit": "EUR", "value": 39.95})).unwrap();
        assert_eq!(m.value, Decimal::from_str("39.95").unwrap());
        let m: Money = serde_json::from_value(json!({"unit": "EUR", "value": "0.10"})).unwrap();
        assert_eq!(m.value, Decimal::from_str("0.10").unwrap());
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            json!({"unit": "EUR", "value": 0.1})
        );
        let whole = Money {
            unit: "EUR".into(),
            value: Decimal::from(5),
        };
        assert_eq!(
            serde_json::to_string(&whole).unwrap(),
            r#"{"unit":"EUR","value":5}"#
        );
        assert!(serde_json::from_value::<Money>(json!({"unit": "EUR", "value": "abc"})).is_err());
        assert!(serde_json::from_value::<Money>(json!({"unit": "EUR", "value": [1]})).is_err());
    }

    #[test]
    fn durations_in_months_and_years() {
        let d = |amount, units: &str| Duration {
            amount: Some(amount),
            units: Some(units.into()),
        };
        assert_eq!(d(24, "month").months(), Ok(24));
        assert_eq!(d(2, "Years").months(), Ok(24));
        assert!(d(-1, "month").months().is_err());
        assert!(d(30, "day").months().is_err());
        assert!(Duration::default().months().is_err());
        let start = DateTime::parse_from_rfc3339("2026-01-31T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            d(1, "month").end_from(start).unwrap().to_rfc3339(),
            "2026-02-28T00:00:00+00:00"
        );
    }

    #[test]
    fn value_text_matches_the_domain_characteristic_text() {
        assert_eq!(value_text(&json!("mesh")).as_deref(), Some("mesh"));
        assert_eq!(value_text(&json!(200)).as_deref(), Some("200"));
        assert_eq!(value_text(&json!(1.50)).as_deref(), Some("1.5"));
        assert_eq!(value_text(&json!(true)).as_deref(), Some("true"));
        assert_eq!(value_text(&json!(null)), None);
        assert_eq!(value_text(&json!({"a": 1})), None);
    }
}
