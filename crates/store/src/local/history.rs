//! What the desk's own orders look like to offline validation (duplicate detection, fraud
//! velocity): the answers to the domain's [`OrderHistory`] questions, read from indexes as the
//! central store does (`central::history`). Velocity questions are counts over
//! `orders_by_customer_date` and `order_items_by_place`; the one summary validation needs in
//! full (an open order adding the offering at the place) is built from the `orders` columns and
//! the child rows (`crate::summary`), never from the order's JSON document, so capture does not
//! slow down as a customer's orders pile up.
//!
//! Drafts are left out (they are not orders yet).
//!
//! [`OrderHistory`]: orderdesk_domain::reference::OrderHistory

use chrono::{DateTime, Utc};
use orderdesk_domain::reference::OrderSummary;
use orderdesk_domain::{AddressId, CustomerId, OfferingId, OrderId, OrderState};
use rusqlite::params;
use std::sync::LazyLock;

use super::LocalStore;
use crate::codec::millis;
use crate::error::Result;
use crate::summary::{oldest_open_with, oldest_open_with_sql, terminal_states};

/// `?1` the customer, `?2` the start of the window, `?3` the order left out.
static CUSTOMER_COUNT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT (SELECT count(*) FROM orders
                  WHERE customer_id = ?1 AND order_date >= ?2
                    AND pk IS NOT (SELECT pk FROM orders WHERE id = ?3))
              - (SELECT count(*) FROM orders INDEXED BY orders_by_state_date
                  WHERE state = '{draft}' AND order_date >= ?2 AND customer_id = ?1
                    AND id <> ?3)",
        draft = OrderState::Draft.as_str()
    )
});

/// `?1` the place, `?2` the start of the window, `?3` the order left out.
static ADDRESS_COUNT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT (SELECT count(DISTINCT order_pk) FROM order_items
                  WHERE place_id = ?1 AND order_date >= ?2
                    AND order_pk IS NOT (SELECT pk FROM orders WHERE id = ?3))
              - (SELECT count(*) FROM orders o INDEXED BY orders_by_state_date
                  WHERE o.state = '{draft}' AND o.order_date >= ?2 AND o.id <> ?3
                    AND EXISTS (SELECT 1 FROM order_items i
                                 WHERE i.order_pk = o.pk AND i.place_id = ?1))",
        draft = OrderState::Draft.as_str()
    )
});

/// The oldest open order with an offering at a place: open is neither terminal nor a draft.
static OPEN_WITH: LazyLock<String> = LazyLock::new(|| {
    oldest_open_with_sql(&format!(
        "'{}', {}",
        OrderState::Draft.as_str(),
        terminal_states()
    ))
});

impl LocalStore {
    /// How many of the customer's orders other than `except` (drafts left out) were placed at
    /// or after `since`: the count of `orders_by_customer_date`, less the drafts (few, read
    /// through `orders_by_state_date`).
    pub fn customer_orders_since(
        &self,
        customer: &CustomerId,
        since: DateTime<Utc>,
        except: &OrderId,
    ) -> Result<usize> {
        self.count(&CUSTOMER_COUNT, customer.as_str(), since, except)
    }

    /// How many orders other than `except` (drafts left out) with an item at this address were
    /// placed at or after `since`: the count of `order_items_by_place` (which holds the order
    /// date, migration 0006), less the drafts.
    pub fn address_orders_since(
        &self,
        address: &AddressId,
        since: DateTime<Utc>,
        except: &OrderId,
    ) -> Result<usize> {
        self.count(&ADDRESS_COUNT, address.as_str(), since, except)
    }

    fn count(&self, sql: &str, key: &str, since: DateTime<Utc>, except: &OrderId) -> Result<usize> {
        self.read(|conn| {
            let n: i64 = conn
                .prepare_cached(sql)?
                .query_row(params![key, millis(since), except.as_str()], |r| r.get(0))?;
            Ok(usize::try_from(n).unwrap_or(0))
        })
    }

    /// The oldest open order of the customer other than `except` (drafts left out) with an item
    /// of this offering and an item at this place.
    pub fn open_order_with(
        &self,
        customer: &CustomerId,
        offering: &OfferingId,
        place: &AddressId,
        except: &OrderId,
    ) -> Result<Option<OrderSummary>> {
        self.read(|conn| oldest_open_with(conn, &OPEN_WITH, customer, offering, place, except))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The velocity counts read one covering index each (plus the few drafts, through the
    /// state index, and the lookup of the validated order by id): no order row per order.
    #[test]
    fn velocity_counts_read_covering_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(&dir.path().join("local.db")).unwrap();
        for (sql, index) in [
            (&*CUSTOMER_COUNT, "orders_by_customer_date"),
            (&*ADDRESS_COUNT, "order_items_by_place"),
        ] {
            let plan = store
                .read(|conn| {
                    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let rows = stmt
                        .query_map(params!["X", 0, "O-1"], |r| r.get::<_, String>(3))?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    Ok(rows.join("; "))
                })
                .unwrap();
            assert!(
                plan.contains(&format!("USING COVERING INDEX {index}")),
                "{index}: {plan}"
            );
            assert!(
                plan.contains("orders_by_state_date (state=? AND order_date>?)"),
                "{index}: the drafts by state: {plan}"
            );
        }
    }
}
