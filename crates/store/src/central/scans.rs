//! The reads behind the server's periodic passes, narrowed to the orders each pass can affect.
//!
//! * Jeopardy: `orders.jeopardy_due` holds, for every order, when the domain's assessment next
//!   raises an alert on it as stored ([`next_alert_at`] under the default [`JeopardyPolicy`],
//!   the one the server assesses with), in nanoseconds; it is written with every order write
//!   (`orders::OrderRows`). [`CentralStore::orders_with_jeopardy_due`] reads, by its partial
//!   index, exactly the orders whose assessment at `now` would alert. Rows written before the
//!   column existed are marked due by the migration and computed when the store opens
//!   ([`fill_jeopardy_due`]).
//! * Scheduled release: [`CentralStore::pending_orders_starting_by`] reads the pending orders
//!   whose requested start is not after a cutoff (the caller derives it from the longest lead
//!   time, see `orderdesk_domain::desk::schedule::latest_start_released_by`), and those without
//!   one; orders pending for other reasons are among them, the domain tells them apart.

use chrono::{DateTime, Utc};
use orderdesk_domain::desk::jeopardy::{next_alert_at, JeopardyPolicy};
use orderdesk_domain::lifecycle::OrderState;
use orderdesk_domain::{OrderId, ProductOrder};
use rusqlite::{params, Connection, TransactionBehavior};

use super::orders::get_by_pk;
use super::{CentralStore, StoredOrder};
use crate::codec::{from_json, millis};
use crate::error::{Result, StoreError};

/// Rows marked by migration 6 as "due, not computed yet" (`i64::MIN`: before any instant).
const NOT_COMPUTED: i64 = i64::MIN;

/// How many rows [`fill_jeopardy_due`] computes per transaction.
const FILL_BATCH: usize = 1_000;

/// An instant as the `jeopardy_due` column keeps it: nanoseconds since the epoch, clamped to
/// the `i64` range (years 1677 to 2262), which keeps `column <= now` exact for every `now` in it.
pub(crate) fn due_nanos(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(if at.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// The `jeopardy_due` value of `order`.
pub(crate) fn jeopardy_due(order: &ProductOrder) -> Option<i64> {
    next_alert_at(order, &JeopardyPolicy::default()).map(due_nanos)
}

/// Computes `jeopardy_due` for the rows migration 6 left marked, from their documents. Run once
/// per open, on the writer, before anything else writes; after the first open only the orders
/// genuinely due since forever (a promise already missed, not yet alerted) are still marked, and
/// they are few.
pub(crate) fn fill_jeopardy_due(conn: &mut Connection) -> Result<()> {
    let pks: Vec<i64> = conn
        .prepare("SELECT pk FROM orders WHERE jeopardy_due = ?1")?
        .query_map([NOT_COMPUTED], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for batch in pks.chunks(FILL_BATCH) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut read = tx.prepare_cached(
                "SELECT d.body FROM order_documents d JOIN orders o ON o.pk = d.order_pk
                  WHERE d.order_pk = ?1 AND o.jeopardy_due = ?2",
            )?;
            let mut write =
                tx.prepare_cached("UPDATE orders SET jeopardy_due = ?2 WHERE pk = ?1")?;
            for pk in batch {
                let mut rows = read.query(params![pk, NOT_COMPUTED])?;
                let Some(row) = rows.next()? else { continue };
                let body: String = row.get(0)?;
                let order: ProductOrder = from_json(&body, "order document")?;
                let due = jeopardy_due(&order);
                if due != Some(NOT_COMPUTED) {
                    write.execute(params![pk, due])?;
                }
            }
        }
        tx.commit()?;
    }
    Ok(())
}

impl CentralStore {
    /// The orders on which jeopardy assessment at `now` raises at least one alert, soonest due
    /// first: exactly those, read by index (the orders whose alerts are all raised, and those no
    /// rule can flag, are not read).
    pub fn orders_with_jeopardy_due(&self, now: DateTime<Utc>) -> Result<Vec<OrderId>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id FROM orders WHERE jeopardy_due <= ?1 ORDER BY jeopardy_due, pk",
            )?;
            let ids = stmt
                .query_map([due_nanos(now)], |r| r.get::<_, String>(0))?
                .map(|id| id.map(OrderId::new))
                .collect::<rusqlite::Result<_>>()?;
            Ok(ids)
        })
    }

    /// The `pending` orders whose requested start date is at or before `latest_start`, or that
    /// have none, oldest first (by order date). In one read snapshot.
    pub fn pending_orders_starting_by(
        &self,
        latest_start: DateTime<Utc>,
    ) -> Result<Vec<StoredOrder>> {
        self.read(|conn| {
            // By the state index: the pending orders are few, orders with a requested start
            // (finished ones included) are many.
            let pks: Vec<i64> = conn
                .prepare_cached(
                    "SELECT pk FROM orders INDEXED BY orders_by_state_date
                      WHERE state = ?1 AND (requested_start IS NULL OR requested_start <= ?2)
                      ORDER BY order_date, pk",
                )?
                .query_map(
                    params![OrderState::Pending.as_str(), millis(latest_start)],
                    |r| r.get(0),
                )?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::with_capacity(pks.len());
            for pk in pks {
                out.push(
                    get_by_pk(conn, pk)?.ok_or_else(|| {
                        StoreError::corrupt("orders", format!("row {pk} vanished"))
                    })?,
                );
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn due_nanos_clamps_and_keeps_order() {
        let t = Utc.with_ymd_and_hms(2026, 11, 27, 1, 2, 3).unwrap();
        assert_eq!(due_nanos(t), t.timestamp_nanos_opt().unwrap());
        assert_eq!(due_nanos(DateTime::<Utc>::MIN_UTC), i64::MIN);
        assert_eq!(due_nanos(DateTime::<Utc>::MAX_UTC), i64::MAX);
        let a = t + chrono::Duration::nanoseconds(1);
        assert!(due_nanos(a) > due_nanos(t));
    }
}
