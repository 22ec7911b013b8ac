//! The domain's [`OrderSummary`] read from an `orders` table's columns and its child rows
//! (items, external ids), never from the order's JSON document. The central and the local
//! stores share these columns, so both histories (`central::history`, `local::history`) read
//! through here.

use orderdesk_domain::reference::OrderSummary;
use orderdesk_domain::{AddressId, CustomerId, OfferingId, OrderId, OrderState};
use rusqlite::{Connection, Params};

use crate::codec::{from_json, from_millis};
use crate::error::{Result, StoreError};

/// The columns of a summary, selected from `orders o`; `WHERE` and `ORDER BY` follow.
pub(crate) const SELECT_SUMMARY: &str =
    "SELECT o.id, o.customer_id, o.channel, o.payment_method, o.state,
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
pub(crate) fn summaries(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<Vec<OrderSummary>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT_SUMMARY} {sql}"))?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(summary_from_row(row)?);
    }
    Ok(out)
}

/// The terminal states, as stored, for "every open order".
pub(crate) fn terminal_states() -> String {
    OrderState::ALL
        .iter()
        .filter(|s| s.is_terminal())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statement of [`oldest_open_with`] for a store whose "open" leaves out `closed` (a list of
/// quoted states, constants of the domain spelled into the SQL so the statement is cached
/// once). The customer's orders are walked oldest first through `orders_by_customer_date`, so
/// the first match ends the walk.
pub(crate) fn oldest_open_with_sql(closed: &str) -> String {
    format!(
        "{SELECT_SUMMARY}
         WHERE o.customer_id = ?1 AND o.id <> ?4
           AND o.state NOT IN ({closed})
           AND EXISTS (SELECT 1 FROM order_items i
                        WHERE i.order_pk = o.pk AND i.offering_id = ?2)
           AND EXISTS (SELECT 1 FROM order_items i
                        WHERE i.order_pk = o.pk AND i.place_id = ?3)
         ORDER BY o.order_date, o.pk LIMIT 1"
    )
}

/// The oldest open order of the customer other than `except` with an item of `offering` and an
/// item at `place` (duplicate detection), with `sql` from [`oldest_open_with_sql`].
pub(crate) fn oldest_open_with(
    conn: &Connection,
    sql: &str,
    customer: &CustomerId,
    offering: &OfferingId,
    place: &AddressId,
    except: &OrderId,
) -> Result<Option<OrderSummary>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params![
        customer.as_str(),
        offering.as_str(),
        place.as_str(),
        except.as_str()
    ])?;
    rows.next()?.map(summary_from_row).transpose()
}
