//! What the desk's own orders look like to offline validation (duplicate detection, fraud
//! velocity): the domain's [`OrderSummary`] read from the `orders` columns and the order's child
//! rows (items, external ids), never from the order's JSON document, as the central store does
//! (`central::history`). Decoding up to 500 documents per customer and per address made capture
//! slow down as a customer's orders piled up.
//!
//! Drafts are left out (they are not orders yet). The lists inside a summary follow the child
//! rows' key order instead of the document's, which changes nothing for the domain's checks
//! (they ask whether a list contains a value).

use chrono::{DateTime, Utc};
use orderdesk_domain::reference::OrderSummary;
use orderdesk_domain::{AddressId, CustomerId, OrderState};
use rusqlite::params;

use super::LocalStore;
use crate::codec::millis;
use crate::error::Result;
use crate::summary::{summaries, terminal_states};

impl LocalStore {
    /// Summaries of the customer's orders placed at or after `since`, plus every open one;
    /// drafts left out; newest first, at most `limit`.
    pub fn order_summaries_of_customer(
        &self,
        customer: &CustomerId,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OrderSummary>> {
        let sql = format!(
            "WHERE o.customer_id = ?1 AND o.state <> '{}'
               AND (o.order_date >= ?2 OR o.state NOT IN ({}))
             ORDER BY o.order_date DESC, o.pk DESC LIMIT ?3",
            OrderState::Draft.as_str(),
            terminal_states()
        );
        self.read(|conn| summaries(conn, &sql, params![customer.as_str(), millis(since), limit]))
    }

    /// Summaries of the orders with an item at this address placed at or after `since`;
    /// drafts left out; newest first, at most `limit`.
    pub fn order_summaries_at_address(
        &self,
        address: &AddressId,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OrderSummary>> {
        let sql = format!(
            "WHERE o.pk IN (SELECT order_pk FROM order_items WHERE place_id = ?1)
               AND o.order_date >= ?2 AND o.state <> '{}'
             ORDER BY o.order_date DESC, o.pk DESC LIMIT ?3",
            OrderState::Draft.as_str()
        );
        self.read(|conn| summaries(conn, &sql, params![address.as_str(), millis(since), limit]))
    }
}
