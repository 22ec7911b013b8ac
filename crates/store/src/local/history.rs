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
use rusqlite::{params, Connection, Params};

use super::LocalStore;
use crate::codec::{from_json, from_millis, millis};
use crate::error::{Result, StoreError};

/// The columns of a summary, selected from `orders o`; `WHERE`, `ORDER BY` and `LIMIT` follow.
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

fn summaries(conn: &Connection, sql: &str, params: impl Params) -> Result<Vec<OrderSummary>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT_SUMMARY} {sql}"))?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(summary_from_row(row)?);
    }
    Ok(out)
}

/// The terminal states, as stored: constants of the domain spelled into the SQL, so the
/// statement is cached once.
fn terminal_states() -> String {
    OrderState::ALL
        .iter()
        .filter(|s| s.is_terminal())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

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
