//! Reference data the order rules read besides the catalog: addresses and exchanges, customers
//! and their credit, installed products, and what other orders exist. Each is a trait so that
//! fixtures serve them now and real systems (a GIS, a credit bureau, TMF637) later.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

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

/// The questions duplicate detection and fraud screening ask about other orders. Each names the
/// order being validated (`except`): a store may hold it already, and it never counts against
/// itself. The questions are narrow on purpose (counts, distinct customers, one matching order)
/// so that a store answers them from its indexes without building a summary of every order of a
/// busy customer.
pub trait OrderHistory {
    /// Orders other than `except` carrying this external id (from any owner).
    fn orders_with_external_id(&self, external_id: &str, except: &OrderId) -> Vec<OrderSummary>;
    /// How many of the customer's orders other than `except` were placed at or after `since`,
    /// counted up to `at_most` (a velocity rule only asks whether a threshold is reached, and a
    /// store must not count a busy customer's every order to say so).
    fn customer_orders_since(
        &self,
        customer: &CustomerId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> usize;
    /// How many orders other than `except` with an item at this address were placed at or after
    /// `since`, counted up to `at_most`.
    fn address_orders_since(
        &self,
        address: &AddressId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> usize;
    /// Distinct customers (at most `at_most`) of the orders other than `except` paid with this
    /// method and placed at or after `since`.
    fn payment_customers_since(
        &self,
        method: &PaymentMethodId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> Vec<CustomerId>;
    /// An open order of the customer other than `except` with an item of this offering and an
    /// item at this place, whatever its age (the oldest when several are).
    fn open_order_with(
        &self,
        customer: &CustomerId,
        offering: &OfferingId,
        place: &AddressId,
        except: &OrderId,
    ) -> Option<OrderSummary>;
}

/// The [`OrderHistory`] answers over summaries in memory, for histories that hold them (tests,
/// the fixtures' orders from before the system): each function takes the candidate summaries an
/// index gave (or all of them) and applies the question's whole condition.
pub mod scan {
    use super::{AddressId, CustomerId, DateTime, OfferingId, OrderId, OrderSummary, Utc};

    pub fn with_external_id<'a>(
        orders: impl IntoIterator<Item = &'a OrderSummary>,
        external_id: &str,
        except: &OrderId,
    ) -> Vec<OrderSummary> {
        orders
            .into_iter()
            .filter(|o| &o.id != except && o.external_ids.iter().any(|e| e == external_id))
            .cloned()
            .collect()
    }

    /// Counts, up to `at_most`, the orders other than `except` placed at or after `since` among
    /// those `keep`s.
    pub fn count_since<'a>(
        orders: impl IntoIterator<Item = &'a OrderSummary>,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
        keep: impl Fn(&OrderSummary) -> bool,
    ) -> usize {
        orders
            .into_iter()
            .filter(|o| &o.id != except && o.order_date >= since && keep(o))
            .take(at_most)
            .count()
    }

    /// The distinct customers (at most `at_most`, in first-seen order) of the orders
    /// `count_since` would count.
    pub fn customers_since<'a>(
        orders: impl IntoIterator<Item = &'a OrderSummary>,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
        keep: impl Fn(&OrderSummary) -> bool,
    ) -> Vec<CustomerId> {
        let mut out: Vec<CustomerId> = Vec::new();
        for o in orders {
            if out.len() >= at_most {
                break;
            }
            if &o.id != except && o.order_date >= since && keep(o) && !out.contains(&o.customer) {
                out.push(o.customer.clone());
            }
        }
        out
    }

    /// The oldest open order of the customer other than `except` with the offering and the place.
    pub fn open_with<'a>(
        orders: impl IntoIterator<Item = &'a OrderSummary>,
        customer: &CustomerId,
        offering: &OfferingId,
        place: &AddressId,
        except: &OrderId,
    ) -> Option<OrderSummary> {
        orders
            .into_iter()
            .filter(|o| {
                &o.id != except
                    && &o.customer == customer
                    && o.is_open()
                    && o.offerings.contains(offering)
                    && o.places.contains(place)
            })
            .min_by_key(|o| o.order_date)
            .cloned()
    }
}

/// Two histories that never hold the same order (the store's orders and the fixtures' orders
/// from before the system, which no store holds) asked as one: counts add up (within the cap),
/// lists are joined (the first source's copy kept), the oldest matching open order wins.
#[derive(Clone, Copy)]
pub struct Merged<'a> {
    pub first: &'a dyn OrderHistory,
    pub then: Option<&'a dyn OrderHistory>,
}

impl fmt::Debug for Merged<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Merged")
            .field("then", &self.then.is_some())
            .finish_non_exhaustive()
    }
}

impl<'a> Merged<'a> {
    pub fn new(first: &'a dyn OrderHistory, then: Option<&'a dyn OrderHistory>) -> Self {
        Self { first, then }
    }

    /// Each source's answer, the first's first.
    fn each<T>(&self, ask: impl Fn(&dyn OrderHistory) -> T) -> impl Iterator<Item = T> {
        let first = ask(self.first);
        std::iter::once(first).chain(self.then.map(ask))
    }
}

impl OrderHistory for Merged<'_> {
    fn orders_with_external_id(&self, external_id: &str, except: &OrderId) -> Vec<OrderSummary> {
        let mut out: Vec<OrderSummary> = Vec::new();
        for o in self
            .each(|h| h.orders_with_external_id(external_id, except))
            .flatten()
        {
            if !out.iter().any(|seen| seen.id == o.id) {
                out.push(o);
            }
        }
        out
    }

    fn customer_orders_since(
        &self,
        customer: &CustomerId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> usize {
        self.each(|h| h.customer_orders_since(customer, since, except, at_most))
            .sum::<usize>()
            .min(at_most)
    }

    fn address_orders_since(
        &self,
        address: &AddressId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> usize {
        self.each(|h| h.address_orders_since(address, since, except, at_most))
            .sum::<usize>()
            .min(at_most)
    }

    fn payment_customers_since(
        &self,
        method: &PaymentMethodId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> Vec<CustomerId> {
        let mut out: Vec<CustomerId> = Vec::new();
        for customer in self
            .each(|h| h.payment_customers_since(method, since, except, at_most))
            .flatten()
        {
            if out.len() < at_most && !out.contains(&customer) {
                out.push(customer);
            }
        }
        out
    }

    fn open_order_with(
        &self,
        customer: &CustomerId,
        offering: &OfferingId,
        place: &AddressId,
        except: &OrderId,
    ) -> Option<OrderSummary> {
        self.each(|h| h.open_order_with(customer, offering, place, except))
            .flatten()
            .min_by_key(|o| o.order_date)
    }
}

/// A plain list of summaries is a history (scanned in full).
impl OrderHistory for Vec<OrderSummary> {
    fn orders_with_external_id(&self, external_id: &str, except: &OrderId) -> Vec<OrderSummary> {
        scan::with_external_id(self, external_id, except)
    }

    fn customer_orders_since(
        &self,
        customer: &CustomerId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> usize {
        scan::count_since(self, since, except, at_most, |o| &o.customer == customer)
    }

    fn address_orders_since(
        &self,
        address: &AddressId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> usize {
        scan::count_since(self, since, except, at_most, |o| o.places.contains(address))
    }

    fn payment_customers_since(
        &self,
        method: &PaymentMethodId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> Vec<CustomerId> {
        scan::customers_since(self, since, except, at_most, |o| {
            o.payment_method.as_ref() == Some(method)
        })
    }

    fn open_order_with(
        &self,
        customer: &CustomerId,
        offering: &OfferingId,
        place: &AddressId,
        except: &OrderId,
    ) -> Option<OrderSummary> {
        scan::open_with(self, customer, offering, place, except)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn summary(id: &str, customer: &str, hour: u32, state: OrderState) -> OrderSummary {
        OrderSummary {
            id: OrderId::new(id),
            customer: CustomerId::new(customer),
            external_ids: vec!["EXT-1".into()],
            channel: None,
            offerings: vec![OfferingId::new("PO-1")],
            places: vec![AddressId::new("A-1")],
            payment_method: Some(PaymentMethodId::new("PM-1")),
            state,
            order_date: Utc.with_ymd_and_hms(2026, 11, 27, hour, 0, 0).unwrap(),
        }
    }

    /// Two sources asked as one: counts add up within the cap, lists are joined without
    /// repeats, the oldest matching open order of either wins.
    #[test]
    fn merged_histories_answer_as_one() {
        let store = vec![
            summary("S-1", "C-1", 9, OrderState::Held),
            summary("S-2", "C-2", 10, OrderState::Completed),
        ];
        let seeds = vec![
            summary("F-1", "C-1", 8, OrderState::InProgress),
            summary("F-2", "C-3", 7, OrderState::Cancelled),
        ];
        let merged = Merged::new(&store, Some(&seeds));
        let none = OrderId::new("NEW");
        let since = Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap();
        let c1 = CustomerId::new("C-1");
        let (a1, pm1, po1) = (
            AddressId::new("A-1"),
            PaymentMethodId::new("PM-1"),
            OfferingId::new("PO-1"),
        );

        assert_eq!(merged.customer_orders_since(&c1, since, &none, 9), 2);
        assert_eq!(merged.address_orders_since(&a1, since, &none, 9), 4);
        assert_eq!(merged.address_orders_since(&a1, since, &none, 3), 3);
        assert_eq!(
            merged.address_orders_since(&a1, since, &OrderId::new("F-1"), 9),
            3
        );
        let customers = merged.payment_customers_since(&pm1, since, &none, 9);
        assert_eq!(customers.len(), 3, "{customers:?}");
        assert_eq!(
            merged.payment_customers_since(&pm1, since, &none, 2).len(),
            2
        );
        let ids: Vec<String> = merged
            .orders_with_external_id("EXT-1", &none)
            .into_iter()
            .map(|o| o.id.to_string())
            .collect();
        assert_eq!(ids, ["S-1", "S-2", "F-1", "F-2"]);
        // The seeds' open order is older than the store's.
        assert_eq!(
            merged.open_order_with(&c1, &po1, &a1, &none).map(|o| o.id),
            Some(OrderId::new("F-1"))
        );
        assert_eq!(
            merged
                .open_order_with(&c1, &po1, &a1, &OrderId::new("F-1"))
                .map(|o| o.id),
            Some(OrderId::new("S-1"))
        );
        // Without a second source it is the first one.
        let alone = Merged::new(&store, None);
        assert_eq!(alone.customer_orders_since(&c1, since, &none, 9), 1);
    }
}
