//! The domain's [`OrderHistory`] — what other orders look like to duplicate detection and fraud
//! velocity — answered from indexes (external ids, customer + order date, item place, payment
//! method + order date), so that a validation costs a few index seeks however many orders the
//! customer, the address or the payment method already has.
//!
//! The velocity questions are answered from one index each, without reading an order row:
//! the customer's count from `orders_by_customer_date`, the address's from
//! `order_items_by_place` (which holds the order date, migration 0007), the payment method's
//! customers from `orders_by_payment_date` (which holds the customer). The order being validated
//! is taken off by its `pk` (in every index), looked up once by id.
//! The one summary validation needs in full (an open order that already adds the offering at the
//! place) is built from the `orders` columns and the child rows (`crate::summary`), never from
//! the JSON document.
//!
//! The trait cannot fail, so its methods answer "none" when the database does; the `try_`
//! methods say why, for callers that must tell a failure from an empty history.

use chrono::{DateTime, Utc};
use orderdesk_domain::reference::{OrderHistory, OrderSummary};
use orderdesk_domain::{AddressId, CustomerId, OfferingId, OrderId, PaymentMethodId};
use rusqlite::params;
use std::sync::LazyLock;

use super::CentralStore;
use crate::codec::millis;
use crate::error::Result;
use crate::summary::{oldest_open_with, oldest_open_with_sql, summaries, terminal_states};

/// The customer's orders in a window, from `orders_by_customer_date` alone, counted up to
/// `?4`. `?1` the customer, `?2` the start of the window, `?3` the order left out.
const CUSTOMER_COUNT: &str = "SELECT count(*) FROM (SELECT 1 FROM orders
    WHERE customer_id = ?1 AND order_date >= ?2
    AND pk IS NOT (SELECT pk FROM orders WHERE id = ?3)
    LIMIT ?4)";

/// The orders with an item at a place in a window, from `order_items_by_place` alone, counted
/// up to `?4`.
const ADDRESS_COUNT: &str = "SELECT count(*) FROM (SELECT DISTINCT order_pk FROM order_items
    WHERE place_id = ?1 AND order_date >= ?2
    AND order_pk IS NOT (SELECT pk FROM orders WHERE id = ?3)
    LIMIT ?4)";

/// The customers (up to `?4`) a payment method paid for in a window, from
/// `orders_by_payment_date` alone, grouped in the index's (customer) order.
const PAYMENT_CUSTOMERS: &str = "SELECT customer_id FROM orders
    WHERE payment_method = ?1 AND order_date >= ?2
    AND pk IS NOT (SELECT pk FROM orders WHERE id = ?3)
    GROUP BY customer_id LIMIT ?4";

/// The oldest open order with an offering at a place: open is not terminal.
static OPEN_WITH: LazyLock<String> = LazyLock::new(|| oldest_open_with_sql(&terminal_states()));

/// A cap as SQLite's `LIMIT` (a negative limit would mean none).
fn limit(at_most: usize) -> i64 {
    i64::try_from(at_most).unwrap_or(i64::MAX)
}

impl CentralStore {
    pub fn try_orders_with_external_id(
        &self,
        external_id: &str,
        except: &OrderId,
    ) -> Result<Vec<OrderSummary>> {
        self.read(|conn| {
            summaries(
                conn,
                "WHERE o.pk IN (SELECT order_pk FROM order_external_ids WHERE external_id = ?1)
                   AND o.id <> ?2
                 ORDER BY o.pk",
                [external_id, except.as_str()],
            )
        })
    }

    pub fn try_customer_orders_since(
        &self,
        customer: &CustomerId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> Result<usize> {
        self.read(|conn| {
            let count: i64 = conn.prepare_cached(CUSTOMER_COUNT)?.query_row(
                params![
                    customer.as_str(),
                    millis(since),
                    except.as_str(),
                    limit(at_most)
                ],
                |r| r.get(0),
            )?;
            Ok(usize::try_from(count).unwrap_or(0))
        })
    }

    pub fn try_address_orders_since(
        &self,
        address: &AddressId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> Result<usize> {
        self.read(|conn| {
            let count: i64 = conn.prepare_cached(ADDRESS_COUNT)?.query_row(
                params![
                    address.as_str(),
                    millis(since),
                    except.as_str(),
                    limit(at_most)
                ],
                |r| r.get(0),
            )?;
            Ok(usize::try_from(count).unwrap_or(0))
        })
    }

    pub fn try_payment_customers_since(
        &self,
        method: &PaymentMethodId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> Result<Vec<CustomerId>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(PAYMENT_CUSTOMERS)?;
            let rows = stmt.query_map(
                params![
                    method.as_str(),
                    millis(since),
                    except.as_str(),
                    limit(at_most)
                ],
                |r| r.get::<_, String>(0),
            )?;
            let mut out = Vec::new();
            for customer in rows {
                out.push(CustomerId::new(customer?));
            }
            Ok(out)
        })
    }

    pub fn try_open_order_with(
        &self,
        customer: &CustomerId,
        offering: &OfferingId,
        place: &AddressId,
        except: &OrderId,
    ) -> Result<Option<OrderSummary>> {
        self.read(|conn| oldest_open_with(conn, &OPEN_WITH, customer, offering, place, except))
    }
}

impl OrderHistory for CentralStore {
    fn orders_with_external_id(&self, external_id: &str, except: &OrderId) -> Vec<OrderSummary> {
        self.try_orders_with_external_id(external_id, except)
            .unwrap_or_default()
    }

    fn customer_orders_since(
        &self,
        customer: &CustomerId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> usize {
        self.try_customer_orders_since(customer, since, except, at_most)
            .unwrap_or_default()
    }

    fn address_orders_since(
        &self,
        address: &AddressId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> usize {
        self.try_address_orders_since(address, since, except, at_most)
            .unwrap_or_default()
    }

    fn payment_customers_since(
        &self,
        method: &PaymentMethodId,
        since: DateTime<Utc>,
        except: &OrderId,
        at_most: usize,
    ) -> Vec<CustomerId> {
        self.try_payment_customers_since(method, since, except, at_most)
            .unwrap_or_default()
    }

    fn open_order_with(
        &self,
        customer: &CustomerId,
        offering: &OfferingId,
        place: &AddressId,
        except: &OrderId,
    ) -> Option<OrderSummary> {
        self.try_open_order_with(customer, offering, place, except)
            .ok()
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The velocity questions never read an order row: each is one covering index range (plus
    /// the one lookup of the validated order's `pk` by id).
    #[test]
    fn velocity_questions_read_one_covering_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = CentralStore::open(dir.path()).unwrap();
        let plan = |sql: &str| -> String {
            store
                .read(|conn| {
                    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let rows = stmt
                        .query_map(params!["X", 0, "O-1", 5], |r| r.get::<_, String>(3))?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    Ok(rows.join("; "))
                })
                .unwrap()
        };
        for (sql, index) in [
            (CUSTOMER_COUNT, "orders_by_customer_date"),
            (ADDRESS_COUNT, "order_items_by_place"),
            (PAYMENT_CUSTOMERS, "orders_by_payment_date"),
        ] {
            let plan = plan(sql);
            assert!(
                plan.contains(&format!("USING COVERING INDEX {index}")),
                "{index}: {plan}"
            );
            if index == "orders_by_payment_date" {
                assert!(!plan.contains("TEMP B-TREE"), "{index}: {plan}");
            }
            // The only other access is the lookup of the order being validated, by id (and the
            // scan of the capped subquery's own rows).
            let other = plan
                .split("; ")
                .filter(|step| step.contains("SEARCH") || step.contains("SCAN"))
                .filter(|step| !step.contains(index) && !step.contains("(subquery"))
                .collect::<Vec<_>>();
            assert!(
                other.iter().all(|s| s.contains("(id=?)")),
                "{index}: {plan}"
            );
        }
    }
}
