//! TMF hub subscriptions and the notification outbox.
//!
//! An event is enqueued in the transaction of the change that caused it, one delivery row per
//! subscription that wants it, carrying the payload of that subscription's API version. The
//! notifier (the server's) polls [`CentralStore::due_deliveries`], POSTs, and records each
//! attempt with [`CentralStore::mark_delivered`] or [`CentralStore::mark_failed`]; the retry
//! policy (when to try again, when to give up) is the notifier's.
//!
//! Matching a subscription's `query` is deliberately narrow: only `eventType=A,B` clauses are
//! understood (a subscription without one gets every event); any other clause is ignored here
//! and left to the notifier.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::{CentralStore, CentralTx};
use crate::codec::{count_from_sql, from_json, from_millis, from_opt_millis, millis, opt_millis};
use crate::error::{Result, StoreError};

/// The TMF622 API version a subscriber registered through; it receives that version's payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    V4,
    V5,
}

impl ApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V4 => "v4",
            Self::V5 => "v5",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "v4" => Some(Self::V4),
            "v5" => Some(Self::V5),
            _ => None,
        }
    }
}

/// A notification to fan out. A version without a payload has no such event (v4 has no
/// milestone event, for instance): its subscribers are skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundEvent {
    /// `eventType`, e.g. `ProductOrderStateChangeEvent`.
    pub event_type: String,
    pub payload_v4: Option<Value>,
    pub payload_v5: Option<Value>,
}

impl OutboundEvent {
    fn payload(&self, version: ApiVersion) -> Option<&Value> {
        match version {
            ApiVersion::V4 => self.payload_v4.as_ref(),
            ApiVersion::V5 => self.payload_v5.as_ref(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSubscription<'a> {
    pub id: &'a str,
    pub callback: &'a str,
    pub query: Option<&'a str>,
    pub api_version: ApiVersion,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub callback: String,
    pub query: Option<String>,
    pub api_version: ApiVersion,
    pub created_at: DateTime<Utc>,
}

/// A pending delivery with what the notifier needs to attempt it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: i64,
    pub subscription_id: String,
    pub callback: String,
    pub api_version: ApiVersion,
    pub event_type: String,
    pub payload: Value,
    /// Attempts made so far.
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// Whether a subscription with `query` wants events of `event_type`.
pub(crate) fn accepts(query: Option<&str>, event_type: &str) -> bool {
    let Some(query) = query else { return true };
    let mut wanted = query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|clause| clause.split_once('='))
        .filter(|(key, _)| key.trim().eq_ignore_ascii_case("eventType"))
        .peekable();
    if wanted.peek().is_none() {
        return true;
    }
    wanted.any(|(_, values)| values.split(',').any(|v| v.trim() == event_type))
}

/// Fans `events` out to every subscription that wants them, in the caller's transaction.
pub(crate) fn enqueue(
    conn: &Connection,
    events: &[OutboundEvent],
    at: DateTime<Utc>,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut subs = conn.prepare_cached("SELECT id, query, api_version FROM hub_subscriptions")?;
    let subs: Vec<(String, Option<String>, String)> = subs
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if subs.is_empty() {
        return Ok(());
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO deliveries (subscription_id, event_type, payload, created_at, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
    )?;
    for event in events {
        let mut encoded: [Option<String>; 2] = [None, None];
        for (id, query, version) in &subs {
            let version = ApiVersion::parse(version)
                .ok_or_else(|| StoreError::corrupt("hub_subscriptions.api_version", version))?;
            if !accepts(query.as_deref(), &event.event_type) {
                continue;
            }
            let Some(payload) = event.payload(version) else {
                continue;
            };
            let slot = &mut encoded[usize::from(version == ApiVersion::V5)];
            let text: &str = slot.get_or_insert_with(|| payload.to_string());
            insert.execute(params![id, event.event_type, text, millis(at)])?;
        }
    }
    Ok(())
}

fn subscription_from_row(r: &rusqlite::Row<'_>) -> Result<Subscription> {
    let version: String = r.get(3)?;
    Ok(Subscription {
        id: r.get(0)?,
        callback: r.get(1)?,
        query: r.get(2)?,
        api_version: ApiVersion::parse(&version)
            .ok_or_else(|| StoreError::corrupt("hub_subscriptions.api_version", &version))?,
        created_at: from_millis(r.get(4)?, "hub_subscriptions.created_at")?,
    })
}

impl CentralStore {
    pub fn create_subscription(&self, new: &NewSubscription<'_>) -> Result<Subscription> {
        self.write(|tx| {
            let inserted = tx
                .conn()
                .prepare_cached(
                    "INSERT INTO hub_subscriptions (id, callback, query, api_version, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![
                    new.id,
                    new.callback,
                    new.query,
                    new.api_version.as_str(),
                    millis(new.at)
                ])?;
            if inserted == 0 {
                return Err(StoreError::duplicate("hubSubscription", new.id));
            }
            Ok(Subscription {
                id: new.id.to_owned(),
                callback: new.callback.to_owned(),
                query: new.query.map(str::to_owned),
                api_version: new.api_version,
                created_at: from_millis(millis(new.at), "created_at")?,
            })
        })
    }

    /// Removes the subscription and every delivery still owed to it.
    pub fn delete_subscription(&self, id: &str) -> Result<()> {
        self.write(|tx| {
            let n = tx
                .conn()
                .prepare_cached("DELETE FROM hub_subscriptions WHERE id = ?1")?
                .execute([id])?;
            if n == 0 {
                return Err(StoreError::not_found("hubSubscription", id));
            }
            Ok(())
        })
    }

    pub fn get_subscription(&self, id: &str) -> Result<Subscription> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, callback, query, api_version, created_at
                 FROM hub_subscriptions WHERE id = ?1",
            )?;
            let mut rows = stmt.query([id])?;
            match rows.next()? {
                Some(row) => subscription_from_row(row),
                None => Err(StoreError::not_found("hubSubscription", id)),
            }
        })
    }

    /// Every subscription, oldest first.
    pub fn list_subscriptions(&self) -> Result<Vec<Subscription>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, callback, query, api_version, created_at
                 FROM hub_subscriptions ORDER BY created_at, id",
            )?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(subscription_from_row(row)?);
            }
            Ok(out)
        })
    }

    /// Fans an event out on its own (for events no store write causes).
    pub fn enqueue_event(&self, event: &OutboundEvent, at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| tx.enqueue_events(std::slice::from_ref(event), at))
    }

    /// Deliveries whose next attempt is due at `now`, earliest first.
    pub fn due_deliveries(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Delivery>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT d.id, d.subscription_id, s.callback, s.api_version, d.event_type,
                        d.payload, d.attempts, d.next_attempt_at, d.last_error
                 FROM deliveries d JOIN hub_subscriptions s ON s.id = d.subscription_id
                 WHERE d.delivered_at IS NULL AND d.next_attempt_at IS NOT NULL
                   AND d.next_attempt_at <= ?1
                 ORDER BY d.next_attempt_at, d.id LIMIT ?2",
            )?;
            let mut rows = stmt.query(params![millis(now), limit])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let version: String = r.get(3)?;
                let payload: String = r.get(5)?;
                out.push(Delivery {
                    id: r.get(0)?,
                    subscription_id: r.get(1)?,
                    callback: r.get(2)?,
                    api_version: ApiVersion::parse(&version).ok_or_else(|| {
                        StoreError::corrupt("hub_subscriptions.api_version", &version)
                    })?,
                    event_type: r.get(4)?,
                    payload: from_json(&payload, "deliveries.payload")?,
                    attempts: r.get(6)?,
                    next_attempt_at: from_millis(r.get(7)?, "deliveries.next_attempt_at")?,
                    last_error: r.get(8)?,
                });
            }
            Ok(out)
        })
    }

    /// The delivery succeeded: it is never due again.
    pub fn mark_delivered(&self, id: i64, at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            let n = tx
                .conn()
                .prepare_cached(
                    "UPDATE deliveries SET delivered_at = ?2, next_attempt_at = NULL,
                            attempts = attempts + 1
                     WHERE id = ?1",
                )?
                .execute(params![id, millis(at)])?;
            if n == 0 {
                return Err(StoreError::not_found("delivery", id.to_string()));
            }
            Ok(())
        })
    }

    /// The attempt failed: try again at `next_attempt_at`, or never (`None`: given up; the row
    /// stays, with its last error, for inspection).
    pub fn mark_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.write(|tx| {
            let n = tx
                .conn()
                .prepare_cached(
                    "UPDATE deliveries SET last_error = ?2, next_attempt_at = ?3,
                            attempts = attempts + 1
                     WHERE id = ?1 AND delivered_at IS NULL",
                )?
                .execute(params![id, error, opt_millis(next_attempt_at)])?;
            if n == 0 {
                return Err(StoreError::not_found("delivery", id.to_string()));
            }
            Ok(())
        })
    }

    /// Deletes deliveries that succeeded before `before`; returns how many.
    pub fn purge_delivered(&self, before: DateTime<Utc>) -> Result<u64> {
        self.write(|tx| {
            let n = tx
                .conn()
                .prepare_cached(
                    "DELETE FROM deliveries WHERE delivered_at IS NOT NULL AND delivered_at < ?1",
                )?
                .execute([millis(before)])?;
            Ok(n as u64)
        })
    }

    /// One delivery, whatever its state (for inspection and tests).
    pub fn get_delivery(&self, id: i64) -> Result<DeliveryRecord> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT subscription_id, event_type, attempts, next_attempt_at, delivered_at,
                        last_error
                 FROM deliveries WHERE id = ?1",
            )?
            .query_row([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .optional()?
            .ok_or_else(|| StoreError::not_found("delivery", id.to_string()))
            .and_then(
                |(subscription_id, event_type, attempts, next, delivered, last_error)| {
                    Ok(DeliveryRecord {
                        id,
                        subscription_id,
                        event_type,
                        attempts,
                        next_attempt_at: from_opt_millis(next, "deliveries.next_attempt_at")?,
                        delivered_at: from_opt_millis(delivered, "deliveries.delivered_at")?,
                        last_error,
                    })
                },
            )
        })
    }

    /// How many deliveries are still owed (due now or later), across all subscriptions.
    pub fn pending_delivery_count(&self) -> Result<u64> {
        self.read(|conn| {
            let n: i64 = conn.query_row(
                "SELECT count(*) FROM deliveries
                 WHERE delivered_at IS NULL AND next_attempt_at IS NOT NULL",
                [],
                |r| r.get(0),
            )?;
            Ok(count_from_sql(n))
        })
    }
}

/// A delivery's bookkeeping, delivered or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: i64,
    pub subscription_id: String,
    pub event_type: String,
    pub attempts: u32,
    /// `None` once delivered or given up.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl CentralTx<'_> {
    /// Fans events out in this transaction: they are delivered only if it commits.
    pub fn enqueue_events(&self, events: &[OutboundEvent], at: DateTime<Utc>) -> Result<()> {
        enqueue(self.conn(), events, at)
    }
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn event_type_queries() {
        let state = "ProductOrderStateChangeEvent";
        assert!(accepts(None, state));
        assert!(accepts(Some(""), state));
        assert!(accepts(
            Some("eventType=ProductOrderStateChangeEvent"),
            state
        ));
        assert!(accepts(
            Some("?eventType=ProductOrderCreateEvent,ProductOrderStateChangeEvent"),
            state
        ));
        assert!(!accepts(Some("eventType=ProductOrderCreateEvent"), state));
        assert!(accepts(Some("event.productOrder.state=completed"), state));
        assert!(!accepts(
            Some("eventType=ProductOrderCreateEvent&event.productOrder.state=completed"),
            state
        ));
    }
}
