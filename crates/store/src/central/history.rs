//! What other orders look like, for duplicate detection and fraud velocity: the domain's
//! [`OrderHistory`] read from indexes (external ids, customer + order date, item place, payment
//! method + order date).
//!
//! A summary is built from the `orders` columns and the order's child rows (items, external
//! ids), never from the order's JSON document: validation asks for every open order of a
//! customer, and decoding each document made its cost grow with the customer's open orders.
//! The columns say the same as the document (they are written from it in the same
//! transaction); the lists inside a summary follow the child rows' key order (item id, external
//! id owner) instead of the document's, which changes nothing for the domain's checks (they ask
//! whether a list contains a value).
//!
//! The trait cannot fail, so its methods answer "none" when the database does; the `try_`
//! methods say why, for callers that must tell a failure from an empty history.

use chrono::{DateTime, Utc};
use orderdesk_domain::reference::{OrderHistory, OrderSummary};
use orderdesk_domain::{AddressId, CustomerId, PaymentMethodId};

use super::CentralStore;
use crate::codec::millis;
use crate::error::Result;
use crate::summary::{summaries, terminal_states};

impl CentralStore {
    pub fn try_orders_with_external_id(&self, external_id: &str) -> Result<Vec<OrderSummary>> {
        self.read(|conn| {
            summaries(
                conn,
                "WHERE o.pk IN (SELECT order_pk FROM order_external_ids WHERE external_id = ?1)
                 ORDER BY o.pk",
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
            "WHERE o.customer_id = ?1
               AND (o.order_date >= ?2 OR o.state NOT IN ({}))
             ORDER BY o.order_date, o.pk",
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
                "WHERE o.pk IN (SELECT order_pk FROM order_items WHERE place_id = ?1)
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
                "WHERE o.payment_method = ?1 AND o.order_date >= ?2
                 ORDER BY o.order_date, o.pk",
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
