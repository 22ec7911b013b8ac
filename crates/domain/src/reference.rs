//! Reference data the order rules read besides the catalog: addresses and exchanges, customers
//! and their credit, installed products, and what other orders exist. Each is a trait so that
//! fixtures serve them now and real systems (a GIS, a credit bureau, TMF637) later.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::Technology;
use crate::ids::{
    AddressId, CfsSpecId, CustomerId, ExchangeId, OfferingId, OrderId, PaymentMethodId, ProductId,
    SpecificationId,
};
use crate::lifecycle::OrderState;
use crate::money::Money;
use crate::order::Characteristic;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub id: AddressId,
    pub street: String,
    pub city: String,
    pub postcode: String,
    pub country: String,
    /// The exchange / headend serving the address, if any network reaches it.
    pub exchange: Option<ExchangeId>,
    /// Technologies available at the address, best first.
    pub technologies: Vec<Technology>,
}

impl Address {
    pub fn is_serviceable(&self) -> bool {
        self.exchange.is_some() && !self.technologies.is_empty()
    }

    pub fn one_line(&self) -> String {
        format!("{}, {} {}", self.street, self.postcode, self.city)
    }
}

/// Free access ports at an exchange, per technology.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    pub id: ExchangeId,
    pub name: String,
    pub free_ports: Vec<(Technology, u32)>,
}

impl Exchange {
    pub fn free_ports(&self, technology: Technology) -> u32 {
        self.free_ports
            .iter()
            .find(|(t, _)| *t == technology)
            .map_or(0, |(_, n)| *n)
    }
}

pub trait AddressDirectory {
    fn address(&self, id: &AddressId) -> Option<&Address>;
    fn exchange(&self, id: &ExchangeId) -> Option<&Exchange>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CustomerSegment {
    Residential,
    Business,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    pub segment: CustomerSegment,
    /// The name on the verified identity document.
    pub verified_name: Option<String>,
    pub date_of_birth: Option<chrono::NaiveDate>,
    pub email: Option<String>,
}

/// What the credit bureau and the operator's own ledger say about a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditProfile {
    pub customer: CustomerId,
    /// Bureau score, 0..=999 (higher is better).
    pub score: u16,
    /// Recurring charges the customer already owes per month, across all products.
    pub monthly_exposure: Money,
    /// The most the operator lets this customer owe per month.
    pub exposure_limit: Money,
    /// Unpaid balance past due.
    pub arrears: Money,
    pub checked_at: DateTime<Utc>,
}

pub trait CustomerDirectory {
    fn customer(&self, id: &CustomerId) -> Option<&Customer>;
    fn credit_profile(&self, id: &CustomerId) -> Option<&CreditProfile>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ProductStatus {
    Created,
    PendingActive,
    Active,
    Suspended,
    PendingTerminate,
    Terminated,
}

/// An installed product (TMF637 `Product`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductInstance {
    pub id: ProductId,
    pub customer: CustomerId,
    pub offering: OfferingId,
    pub specification: SpecificationId,
    pub name: String,
    pub status: ProductStatus,
    pub characteristics: Vec<Characteristic>,
    pub place: Option<AddressId>,
    /// The CFS instances realising it, as they were decomposed when it was provided.
    pub services: Vec<CfsSpecId>,
    pub start_date: Option<DateTime<Utc>>,
    /// End of the minimum term, for early-termination and contract rules.
    pub contract_end: Option<DateTime<Utc>>,
}

impl ProductInstance {
    pub fn is_live(&self) -> bool {
        !matches!(
            self.status,
            ProductStatus::Terminated | ProductStatus::PendingTerminate
        )
    }
}

pub trait Inventory {
    fn product(&self, id: &ProductId) -> Option<&ProductInstance>;
    /// Every product of the customer, live or not.
    fn products_of(&self, customer: &CustomerId) -> Vec<&ProductInstance>;
}

/// What other orders look like, as duplicate detection and fraud screening need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: OrderId,
    pub customer: CustomerId,
    pub external_ids: Vec<String>,
    pub channel: Option<String>,
    pub offerings: Vec<OfferingId>,
    pub places: Vec<AddressId>,
    pub payment_method: Option<PaymentMethodId>,
    pub state: OrderState,
    pub order_date: DateTime<Utc>,
}

impl OrderSummary {
    pub fn is_open(&self) -> bool {
        !self.state.is_terminal()
    }
}

pub trait OrderHistory {
    /// Orders carrying this external id (from any owner).
    fn orders_with_external_id(&self, external_id: &str) -> Vec<OrderSummary>;
    /// The customer's orders placed at or after `since`, plus every open one.
    fn orders_of_customer(&self, customer: &CustomerId, since: DateTime<Utc>) -> Vec<OrderSummary>;
    /// Orders for this address placed at or after `since`.
    fn orders_at_address(&self, address: &AddressId, since: DateTime<Utc>) -> Vec<OrderSummary>;
    /// Orders paid with this method placed at or after `since`.
    fn orders_with_payment(
        &self,
        method: &PaymentMethodId,
        since: DateTime<Utc>,
    ) -> Vec<OrderSummary>;
}
