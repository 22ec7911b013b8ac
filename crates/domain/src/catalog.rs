//! The product catalog as order rules need it (a projection of TMF620): offerings, their
//! specifications, characteristics, prices, and the mapping of each specification to the
//! customer-facing services (CFS) that fulfil it.
//!
//! The core reads the catalog through the [`Catalog`] trait; the fixtures crate serves it from
//! JSON today and a TMF620 client can serve it later.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ids::{CfsSpecId, OfferingId, SpecificationId};
use crate::money::Money;

/// An access technology at an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Technology {
    #[serde(rename = "GPON")]
    Gpon,
    #[serde(rename = "HFC")]
    Hfc,
    #[serde(rename = "VDSL")]
    Vdsl,
    #[serde(rename = "5G-FWA")]
    FiveGFwa,
    /// Copper ADSL, kept for migrations away from it.
    #[serde(rename = "ADSL")]
    Adsl,
}

impl Technology {
    pub const ALL: &'static [Technology] = &[
        Self::Gpon,
        Self::Hfc,
        Self::Vdsl,
        Self::FiveGFwa,
        Self::Adsl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gpon => "GPON",
            Self::Hfc => "HFC",
            Self::Vdsl => "VDSL",
            Self::FiveGFwa => "5G-FWA",
            Self::Adsl => "ADSL",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Technology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// TMF620 lifecycle status of an offering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LifecycleStatus {
    InDesign,
    InTest,
    Active,
    Launched,
    Retired,
    Obsolete,
}

impl LifecycleStatus {
    /// Whether new orders may use an offering in this status.
    pub fn is_orderable(self) -> bool {
        matches!(self, Self::Active | Self::Launched)
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "indesign" | "in design" => Self::InDesign,
            "intest" | "in test" => Self::InTest,
            "active" => Self::Active,
            "launched" => Self::Launched,
            "retired" => Self::Retired,
            "obsolete" => Self::Obsolete,
            _ => return None,
        })
    }
}

/// A validity window (TMF `validFor`); an open end means "until further notice".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Validity {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

impl Validity {
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| s <= at) && self.end.is_none_or(|e| at < e)
    }
}

/// How much credit risk selling an offering carries (handsets and contracts weigh more).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RiskClass {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PriceType {
    Recurring,
    OneTime,
    Usage,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferingPrice {
    pub id: String,
    pub name: String,
    pub price_type: PriceType,
    /// Including tax.
    pub amount: Money,
    /// For recurring prices, e.g. `month`.
    pub period: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOffering {
    pub id: OfferingId,
    pub name: String,
    pub description: Option<String>,
    /// `broadband`, `tv`, `voice`, `mobile`, `addon`, `equipment`, `bundle`.
    pub category: String,
    pub specification: SpecificationId,
    pub lifecycle_status: LifecycleStatus,
    pub sellable: bool,
    pub valid_for: Validity,
    /// For a bundle: the offerings it is made of.
    pub bundled: Vec<OfferingId>,
    /// Offerings that may not be ordered alongside this one (on the order or the account).
    pub excludes: Vec<OfferingId>,
    /// Offerings of which one must be present, on the order or already installed (an add-on's
    /// base product).
    pub requires_one_of: Vec<OfferingId>,
    /// Access technologies the offering is delivered over; empty when not address-bound.
    pub technologies: Vec<Technology>,
    pub prices: Vec<OfferingPrice>,
    pub risk: RiskClass,
    /// Working days from release to the service being ready.
    pub lead_time_days: u32,
    /// At most this many of the offering per billing account / customer.
    pub max_per_account: Option<u32>,
    /// Minimum contract term in months, if the offering carries one.
    pub contract_months: Option<u32>,
}

impl ProductOffering {
    pub fn is_address_bound(&self) -> bool {
        !self.technologies.is_empty()
    }

    pub fn is_bundle(&self) -> bool {
        !self.bundled.is_empty()
    }

    /// The recurring monthly charge, if any (used for credit exposure).
    pub fn monthly_charge(&self) -> Option<&Money> {
        self.prices
            .iter()
            .find(|p| p.price_type == PriceType::Recurring)
            .map(|p| &p.amount)
    }

    pub fn one_time_charge(&self) -> Option<&Money> {
        self.prices
            .iter()
            .find(|p| p.price_type == PriceType::OneTime)
            .map(|p| &p.amount)
    }
}

/// A characteristic the specification defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharacteristicSpec {
    pub name: String,
    pub mandatory: bool,
    /// Allowed values as text; empty means free text.
    pub allowed_values: Vec<String>,
    pub default_value: Option<String>,
}

/// One CFS a product specification is realised by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CfsMapping {
    pub cfs: CfsSpecId,
    /// Mandatory CFS are always produced; optional ones only when `when` holds.
    pub mandatory: bool,
    /// For optional CFS: the product characteristic (name, value) that switches it on.
    pub when: Option<(String, String)>,
    /// Only produced at addresses served by one of these technologies; empty = any.
    pub technologies: Vec<Technology>,
    /// Product characteristics that flow into this CFS: a modify that changes none of them
    /// produces no work for it.
    pub characteristics: Vec<String>,
    /// The CFS whose delivery passes the point of no return (e.g. a truck roll is booked).
    pub point_of_no_return: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSpecification {
    pub id: SpecificationId,
    pub name: String,
    pub characteristics: Vec<CharacteristicSpec>,
    pub cfs: Vec<CfsMapping>,
}

impl ProductSpecification {
    pub fn characteristic(&self, name: &str) -> Option<&CharacteristicSpec> {
        self.characteristics.iter().find(|c| c.name == name)
    }
}

/// Read access to the product catalog.
pub trait Catalog {
    fn offering(&self, id: &OfferingId) -> Option<&ProductOffering>;
    fn specification(&self, id: &SpecificationId) -> Option<&ProductSpecification>;
    /// Every offering, for suggestions ("HFC available here: SuperFibre 100 Cable").
    fn offerings(&self) -> Box<dyn Iterator<Item = &ProductOffering> + '_>;
}
