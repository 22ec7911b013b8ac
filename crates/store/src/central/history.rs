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
use orderdesk_domain::{AddressId, CustomerId, OrderState, PaymentMethodId};
use rusqlite::{Connection, Params};

use super::CentralStore;
use crate::codec::{from_json, from_millis, millis};
use crate::error::{Result, StoreError};

/// The columns of a summary, selected from `orders o`; `WHERE` and `ORDER BY` follow.
const SELECT_SUMMARY: &str = "SELECT o.id, o.customer_id, o.channel, o.payment_method, o.state,
        o.order_date,
        (SELECT json_group_array(json_array(i.offering_id, i.place_id))
           FROM order_items i WHERE i.order_pk = o.pk),
        (SELECT json_group_array(e.external_id)
           FROM order_external_ids e WHERE e.order_pk = o.pk)
     FROM orders o";

fn push_new<T: PartialEq>(list: &mut Vec<T>, value: Option<T>) {
    if let Some(v) = value {
        if !list.contains(&v) {
            list.push(v);
        }
    }
}

fn summary_from_row(r: &rusqlite::Row<'_>) -> Result<OrderSummary> {
    let id: String = r.get(0)?;
    let state: String = r.get(4)?;
    let items: String = r.get(6)?;
    let external_ids: String = r.get(7)?;
    let items: Vec<(Option<String>, Option<String>)> =
        from_json(&items, "order_items of a summary")?;
    let mut offerings = Vec::new();
    let mut places = Vec::new();
    for (offering, place) in items {
        push_new(&mut offerings, offering.map(Into::into));
        push_new(&mut places, place.map(Into::into));
    }
    Ok(OrderSummary {
        customer: r.get::<_, String>(1)?.into(),
        external_ids: from_json(&external_ids, "order_external_ids of a summary")?,
        channel: r.get(2)?,
        offerings,
        places,
        payment_method: r.get::<_, Option<String>>(3)?.map(Into::into),
        state: OrderState::parse(&state)
            .ok_or_else(|| StoreError::corrupt("orders.state", format!("{id}: {state}")))?,
        order_date: from_millis(r.get(5)?, "orders.order_date")?,
        id: id.into(),
    })
}

/// The summaries of the orders `sql` (a `WHERE` and `ORDER BY` over `orders o`) selects.
fn summaries(conn: &Connection, sql: &str, params: impl Params) -> Result<Vec<OrderSummary>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT_SUMMARY} {sql}"))?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(summary_from_row(row)?);
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
