//! The tunables of the standard checks, with defaults an operator can start from. Built once by
//! the shell (from configuration) and passed in through the context; the checks hold no settings
//! of their own.

use chrono::Duration;
use rust_decimal::Decimal;

use crate::catalog::RiskClass;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ValidationPolicy {
    pub credit: CreditPolicy,
    pub fraud: FraudPolicy,
    pub capacity: CapacityPolicy,
    pub rules: RulesPolicy,
}

/// A bureau score threshold per risk class of what is sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskThresholds {
    pub low: u16,
    pub medium: u16,
    pub high: u16,
}

impl RiskThresholds {
    pub fn for_risk(&self, risk: RiskClass) -> u16 {
        match risk {
            RiskClass::Low => self.low,
            RiskClass::Medium => self.medium,
            RiskClass::High => self.high,
        }
    }
}

/// Credit vetting bands, on a 0..=999 bureau score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditPolicy {
    /// Below this score the order is declined, whatever it sells.
    pub decline_below: u16,
    /// Below this score a supervisor decides.
    pub refer_below: u16,
    /// Below this score, per the riskiest offering added, a deposit is asked for.
    pub deposit_below: RiskThresholds,
    /// The deposit is this many months of the order's new recurring charges...
    pub deposit_months: u32,
    /// ...and never less than this (in the credit profile's currency).
    pub minimum_deposit: Decimal,
    /// Arrears above this decline; any arrears below it refer.
    pub arrears_decline_above: Decimal,
    /// A bureau check older than this is not trusted: the order is referred for a fresh one.
    pub max_profile_age: Duration,
}

impl Default for CreditPolicy {
    /// Bands in the spirit of common bureau scorecards: under 300 is a decline, 300-499 goes to a
    /// supervisor, and deposits are asked below 550 for medium-risk (contract broadband) and below
    /// 650 for high-risk (handsets on instalments); low-risk products never need one.
    fn default() -> Self {
        Self {
            decline_below: 300,
            refer_below: 500,
            deposit_below: RiskThresholds {
                low: 0,
                medium: 550,
                high: 650,
            },
            deposit_months: 3,
            minimum_deposit: Decimal::new(50, 0),
            arrears_decline_above: Decimal::new(250, 0),
            max_profile_age: Duration::days(90),
        }
    }
}

/// Velocity limits. Each count includes the order being validated; a count at or above the
/// limit holds the order for the fraud team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FraudPolicy {
    pub customer_window: Duration,
    pub customer_orders_hold_at: usize,
    pub address_window: Duration,
    pub address_orders_hold_at: usize,
    pub payment_window: Duration,
    /// Distinct customers paying with one payment method.
    pub payment_customers_hold_at: usize,
    /// Warn when a customer with no products and no recent orders buys a high-risk product.
    pub warn_new_customer_high_risk: bool,
}

impl Default for FraudPolicy {
    fn default() -> Self {
        Self {
            customer_window: Duration::hours(24),
            customer_orders_hold_at: 3,
            address_window: Duration::days(7),
            address_orders_hold_at: 5,
            payment_window: Duration::days(7),
            payment_customers_hold_at: 3,
            warn_new_customer_high_risk: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityPolicy {
    /// Offering categories whose add takes an access port at the exchange. Services riding on
    /// the broadband line (IPTV, VoIP) share its port.
    pub port_categories: Vec<String>,
    /// Warn when fewer ports than this remain once the order has taken its own.
    pub low_ports_warn_below: u32,
}

impl Default for CapacityPolicy {
    fn default() -> Self {
        Self {
            port_categories: vec!["broadband".to_owned()],
            low_ports_warn_below: 5,
        }
    }
}

impl CapacityPolicy {
    pub fn takes_port(&self, category: &str) -> bool {
        self.port_categories.iter().any(|c| c == category)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesPolicy {
    /// Per-category caps for residential customers, when the offering sets no
    /// `max_per_account` of its own (business accounts legitimately run dozens of lines).
    pub residential_limits: Vec<(String, u32)>,
    /// The age a residential customer must have reached on the order date to sign a contract
    /// (a minimum term): minors cannot enter credit agreements in most jurisdictions.
    pub minimum_contract_age: u32,
    /// Categories that carry voice calls and so need a validated service address for emergency
    /// caller location (EU EECC art. 109, US RAY BAUM'S Act), even when not address-bound.
    pub emergency_address_categories: Vec<String>,
    /// At most one contract bundle per customer: a second one usually means a migration was
    /// entered as an add without ceasing the old bundle.
    pub one_contract_bundle: bool,
}

impl Default for RulesPolicy {
    fn default() -> Self {
        Self {
            residential_limits: vec![("mobile".to_owned(), 10), ("broadband".to_owned(), 3)],
            minimum_contract_age: 18,
            emergency_address_categories: vec!["voice".to_owned()],
            one_contract_bundle: true,
        }
    }
}

impl RulesPolicy {
    pub fn residential_limit(&self, category: &str) -> Option<u32> {
        self.residential_limits
            .iter()
            .find(|(c, _)| c == category)
            .map(|(_, n)| *n)
    }

    pub fn needs_emergency_address(&self, category: &str) -> bool {
        self.emergency_address_categories
            .iter()
            .any(|c| c == category)
    }
}
