//! What other orders look like, for duplicate detection and fraud velocity: the domain's
//! [`OrderHistory`] read from indexes (external ids, customer + order date, item place, payment
//! method + order date).
//!
//! The trait cannot fail, so its methods answer "none" when the database does; the `try_`
//! methods say why, for callers that must tell a failure from an empty history.

use chrono::{DateTime, Utc};
use orderdesk_domain::reference::{OrderHistory, OrderSummary};
use orderdesk_domain::{AddressId, CustomerId, OrderState, PaymentMethodId, ProductOrder};
use rusqlite::{Connection, Params};

use super::orders::get_by_pk;
use super::CentralStore;
use crate::codec::millis;
use crate::error::Result;

fn summary(order: &ProductOrder) -> OrderSummary {
    let mut offerings = Vec::new();
    for item in &order.items {
        if let Some(o) = &item.offering {
            if !offerings.contains(o) {
                offerings.push(o.clone());
            }
        }
    }
    OrderSummary {
        id: order.id.clone(),
        customer: order.customer.clone(),
        external_ids: order.external_ids.iter().map(|e| e.id.clone()).collect(),
        channel: order.channel.clone(),
        offerings,
        places: order.places().into_iter().cloned().collect(),
        payment_method: order.payment.method.clone(),
        state: order.state(),
        order_date: order.order_date,
    }
}

/// The summaries of the orders whose keys `sql` selects, in key order.
fn summaries(conn: &Connection, sql: &str, params: impl Params) -> Result<Vec<OrderSummary>> {
    let pks: Vec<i64> = conn
        .prepare_cached(sql)?
        .query_map(params, |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(pks.len());
    for pk in pks {
        if let Some(stored) = get_by_pk(conn, pk)? {
            out.push(summary(&stored.order));
        }
    }
    Ok(out)
}

/// The terminal states, as stored, for "every open order".
fn terminal_states() -> String {
    OrderState::ALL
        .iter()
        .filter(|s| s.is_terminal())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl CentralStore {
    pub fn try_orders_with_external_id(&self, external_id: &str) -> Result<Vec<OrderSummary>> {
        self.read(|conn| {
            summaries(
                conn,
                "SELECT DISTINCT order_pk FROM order_external_ids WHERE external_id = ?1
                 ORDER BY order_pk",
                [external_id],
            )
        })
    }

    pub fn try_orders_of_customer(
        &self,
        customer: &CustomerId,
        since: DateTime<Utc>,
    ) -> Result<Vec<OrderSummary>> {
        // The terminal states are constants of the domain, not input: spelled into the SQL so
        // the statement is cached once.
        let sql = format!(
            "SELECT pk FROM orders WHERE customer_id = ?1
               AND (order_date >= ?2 OR state NOT IN ({}))
             ORDER BY order_date, pk",
            terminal_states()
        );
        self.read(|conn| {
            summaries(
                conn,
                &sql,
                rusqlite::params![customer.as_str(), millis(since)],
            )
        })
    }

    pub fn try_orders_at_address(
        &self,
        address: &AddressId,
        since: DateTime<Utc>,
    ) -> Result<Vec<OrderSummary>> {
        self.read(|conn| {
            summaries(
                conn,
                "SELECT o.pk FROM orders o
                 WHERE o.pk IN (SELECT order_pk FROM order_items WHERE place_id = ?1)
                   AND o.order_date >= ?2
                 ORDER BY o.order_date, o.pk",
                rusqlite::params![address.as_str(), millis(since)],
            )
        })
    }

    pub fn try_orders_with_payment(
        &self,
        method: &PaymentMethodId,
        since: DateTime<Utc>,
    ) -> Result<Vec<OrderSummary>> {
        self.read(|conn| {
            summaries(
                conn,
                "SELECT pk FROM orders WHERE payment_method = ?1 AND order_date >= ?2
                 ORDER BY order_date, pk",
                rusqlite::params![method.as_str(), millis(since)],
            )
        })
    }
}

impl OrderHistory for CentralStore {
    fn orders_with_external_id(&self, external_id: &str) -> Vec<OrderSummary> {
        self.try_orders_with_external_id(external_id)
            .unwrap_or_default()
    }

    fn orders_of_customer(&self, customer: &CustomerId, since: DateTime<Utc>) -> Vec<OrderSummary> {
        self.try_orders_of_customer(customer, since)
            .unwrap_or_default()
    }

    fn orders_at_address(&self, address: &AddressId, since: DateTime<Utc>) -> Vec<OrderSummary> {
        self.try_orders_at_address(address, since)
            .unwrap_or_default()
    }

    fn orders_with_payment(
        &self,
        method: &PaymentMethodId,
        since: DateTime<Utc>,
    ) -> Vec<OrderSummary> {
        self.try_orders_with_payment(method, since)
            .unwrap_or_default()
    }
}
