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

use super::LocalStore;
use crate::codec::millis;
use crate::error::Result;
use crate::summary::{summaries, terminal_states};

fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

impl LocalStore {
    /// How many of the customer's orders other than `except` (drafts left out) were placed at
    /// or after `since`: the index's count, less the drafts (few, read through
    /// `orders_by_state_date`) and `except` (one lookup by id).
    pub fn customer_orders_since(
        &self,
        customer: &CustomerId,
        since: DateTime<Utc>,
        except: &OrderId,
    ) -> Result<usize> {
        let sql = format!(
            "SELECT (SELECT count(*) FROM orders WHERE customer_id = ?1 AND order_date >= ?2)
                  - (SELECT count(*) FROM orders
                      WHERE state = '{draft}' AND order_date >= ?2 AND customer_id = ?1)
                  - (SELECT count(*) FROM orders
                      WHERE id = ?3 AND customer_id = ?1 AND order_date >= ?2
                        AND state <> '{draft}')",
            draft = OrderState::Draft.as_str()
        );
        self.read(|conn| {
            let n: i64 = conn.prepare_cached(&sql)?.query_row(
                params![customer.as_str(), millis(since), except.as_str()],
                |r| r.get(0),
            )?;
            Ok(count(n))
        })
    }

    /// How many orders other than `except` (drafts left out) with an item at this address were
    /// placed at or after `since`.
    pub fn address_orders_since(
        &self,
        address: &AddressId,
        since: DateTime<Utc>,
        except: &OrderId,
    ) -> Result<usize> {
        let sql = format!(
            "SELECT count(*) FROM orders o
              WHERE o.pk IN (SELECT order_pk FROM order_items WHERE place_id = ?1)
                AND o.order_date >= ?2 AND o.id <> ?3 AND o.state <> '{}'",
            OrderState::Draft.as_str()
        );
        self.read(|conn| {
            let n: i64 = conn.prepare_cached(&sql)?.query_row(
                params![address.as_str(), millis(since), except.as_str()],
                |r| r.get(0),
            )?;
            Ok(count(n))
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
        let sql = format!(
            "WHERE o.customer_id = ?1 AND o.id <> ?4
               AND o.state NOT IN ('{}', {})
               AND EXISTS (SELECT 1 FROM order_items i
                            WHERE i.order_pk = o.pk AND i.offering_id = ?2)
               AND EXISTS (SELECT 1 FROM order_items i
                            WHERE i.order_pk = o.pk AND i.place_id = ?3)
             ORDER BY o.order_date, o.pk LIMIT 1",
            OrderState::Draft.as_str(),
            terminal_states()
        );
        self.read(|conn| {
            let found = summaries(
                conn,
                &sql,
                params![
                    customer.as_str(),
                    offering.as_str(),
                    place.as_str(),
                    except.as_str()
                ],
            )?;
            Ok(found.into_iter().next())
        })
    }
}
