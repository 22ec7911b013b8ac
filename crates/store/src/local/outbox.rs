//! The outbox: changes waiting for the server, each written in the transaction of the local
//! change it carries, each with its own `Idempotency-Key` so that sending it twice is harmless.
//!
//! Order: entries are numbered in commit order (`seq`, never reused). [`LocalStore::pending_outbox`]
//! hands out, in `seq` order, only the *first* unsent entry of each order, and only once it is
//! due: a later change of an order never overtakes an earlier one (a patch never reaches the
//! server before its create), while different orders drain independently, so a batch can be
//! sent concurrently.
//!
//! Bookkeeping: [`LocalStore::mark_sent`] deletes the entry and, when it was the order's last,
//! marks the order synced (taking the server's copy from the acknowledgement when given);
//! [`LocalStore::mark_retry`] counts an attempt and sets the next one (network errors, 5xx: the
//! backoff is the sync engine's decision); [`LocalStore::mark_failed`] keeps a refused entry
//! (4xx) as `failed`, blocking its order's later entries, and shows the refusal on the order
//! until the user discards or replaces the change.

use chrono::{DateTime, Utc};
use orderdesk_domain::{OrderId, ProductOrder};
use rusqlite::{params, Connection};
use serde_json::Value;

use super::orders::{self, LocalOrder, OrderRows, SyncStatus};
use super::{is_unique_violation, LocalStore, LocalTx};
use crate::codec::{count_from_sql, from_json, from_millis, millis, sql_count, to_json};
use crate::error::{Result, StoreError};

/// What an outbox entry does on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxKind {
    /// `POST /productOrder`.
    CreateOrder,
    /// `PATCH /productOrder/{id}` (an amendment), with `If-Match`.
    PatchOrder,
    /// `POST /cancelProductOrder`.
    CancelOrder,
    /// A desk queue action: claim, release, resolve, reject, cancel.
    QueueAction,
    /// A credit decision (approve, require deposit, decline, deposit recorded).
    CreditAction,
    /// A desk note on an order.
    Note,
}

impl OutboxKind {
    pub const ALL: &'static [OutboxKind] = &[
        Self::CreateOrder,
        Self::PatchOrder,
        Self::CancelOrder,
        Self::QueueAction,
        Self::CreditAction,
        Self::Note,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreateOrder => "createOrder",
            Self::PatchOrder => "patchOrder",
            Self::CancelOrder => "cancelOrder",
            Self::QueueAction => "queueAction",
            Self::CreditAction => "creditAction",
            Self::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// Whether a refusal of this change is a refusal of the order's content, shown as the
    /// order's [`SyncStatus::Rejected`]. A refused claim or note leaves the order as it is and
    /// only sets its `last_error`.
    pub fn changes_the_order(self) -> bool {
        matches!(
            self,
            Self::CreateOrder | Self::PatchOrder | Self::CancelOrder
        )
    }
}

/// The HTTP method of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub const ALL: &'static [Method] = &[Self::Post, Self::Put, Self::Patch, Self::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// A change to send, as the caller writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutboxEntry {
    /// The order the change is about (entries of one order are sent one after the other).
    pub order_id: OrderId,
    pub kind: OutboxKind,
    pub method: Method,
    /// Relative to the server's base URL, e.g. `/tmf-api/productOrderingManagement/v5/productOrder`.
    pub path: String,
    pub body: Option<Value>,
    /// Unique per entry; sent as `Idempotency-Key`.
    pub idempotency_key: String,
    pub if_match: Option<String>,
    /// Also the first time the entry is due.
    pub created_at: DateTime<Utc>,
}

/// A stored outbox entry.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub seq: u64,
    pub order_id: OrderId,
    pub kind: OutboxKind,
    pub method: Method,
    pub path: String,
    pub body: Option<Value>,
    pub idempotency_key: String,
    pub if_match: Option<String>,
    /// The server refused it (4xx): it waits for the user, not for a retry.
    pub failed: bool,
    /// Attempts made so far (retries and the refusal; not the success).
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The server's answer to a sent entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServerAck {
    /// The order's version after the change (our server: the `ETag`'s number).
    pub version: Option<u32>,
    pub etag: Option<String>,
    /// The order as the server now has it (the response body), if the change returned one.
    pub order: Option<ProductOrder>,
}

/// Unsent entries: `pending` ones drain; `failed` ones wait for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    pub pending: u64,
    pub failed: u64,
}

/// An entry encoded before the writer lock is taken.
#[derive(Debug)]
pub(crate) struct Encoded {
    order_id: String,
    kind: &'static str,
    method: &'static str,
    path: String,
    body: Option<String>,
    idempotency_key: String,
    if_match: Option<String>,
    created_at: i64,
}

impl Encoded {
    pub(crate) fn encode(e: &NewOutboxEntry) -> Result<Self> {
        Ok(Self {
            order_id: e.order_id.to_string(),
            kind: e.kind.as_str(),
            method: e.method.as_str(),
            path: e.path.clone(),
            body: e
                .body
                .as_ref()
                .map(|b| to_json(b, "outbox body"))
                .transpose()?,
            idempotency_key: e.idempotency_key.clone(),
            if_match: e.if_match.clone(),
            created_at: millis(e.created_at),
        })
    }
}

pub(crate) fn insert_encoded(conn: &Connection, e: &Encoded) -> Result<u64> {
    let seq: i64 = conn
        .prepare_cached(
            "INSERT INTO outbox (order_id, kind, method, path, body, idempotency_key, if_match,
                 next_attempt_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
             RETURNING seq",
        )?
        .query_row(
            params![
                e.order_id,
                e.kind,
                e.method,
                e.path,
                e.body,
                e.idempotency_key,
                e.if_match,
                e.created_at
            ],
            |r| r.get(0),
        )
        .map_err(|err| {
            if is_unique_violation(&err) {
                StoreError::duplicate("idempotencyKey", e.idempotency_key.clone())
            } else {
                err.into()
            }
        })?;
    Ok(count_from_sql(seq))
}

pub(crate) fn insert(conn: &Connection, e: &NewOutboxEntry) -> Result<u64> {
    insert_encoded(conn, &Encoded::encode(e)?)
}

pub(crate) fn has_unsent(conn: &Connection, order_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE order_id = ?1)")?
        .query_row([order_id], |r| r.get(0))?)
}

/// Deletes every unsent entry of the order; returns how many.
pub(crate) fn discard_of_order(conn: &Connection, order_id: &str) -> Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM outbox WHERE order_id = ?1")?
        .execute([order_id])?)
}

const COLUMNS: &str = "seq, order_id, kind, method, path, body, idempotency_key, if_match, state,
                       attempts, next_attempt_at, last_error, created_at";

fn entry_from_row(r: &rusqlite::Row<'_>) -> Result<OutboxEntry> {
    let kind: String = r.get(2)?;
    let method: String = r.get(3)?;
    let body: Option<String> = r.get(5)?;
    let state: String = r.get(8)?;
    Ok(OutboxEntry {
        seq: count_from_sql(r.get(0)?),
        order_id: OrderId::new(r.get::<_, String>(1)?),
        kind: OutboxKind::parse(&kind).ok_or_else(|| StoreError::corrupt("outbox.kind", &kind))?,
        method: Method::parse(&method)
            .ok_or_else(|| StoreError::corrupt("outbox.method", &method))?,
        path: r.get(4)?,
        body: body.map(|b| from_json(&b, "outbox.body")).transpose()?,
        idempotency_key: r.get(6)?,
        if_match: r.get(7)?,
        failed: state == "failed",
        attempts: r.get(9)?,
        next_attempt_at: from_millis(r.get(10)?, "outbox.next_attempt_at")?,
        last_error: r.get(11)?,
        created_at: from_millis(r.get(12)?, "outbox.created_at")?,
    })
}

fn require(conn: &Connection, seq: u64) -> Result<OutboxEntry> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM outbox WHERE seq = ?1"))?;
    let mut rows = stmt.query([sql_count(seq)])?;
    rows.next()?
        .map(entry_from_row)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("outboxEntry", seq.to_string()))
}

fn pending(conn: &Connection, now: DateTime<Utc>, limit: u32) -> Result<Vec<OutboxEntry>> {
    // The head of each order's chain, once due. `outbox_by_order` answers the NOT EXISTS.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM outbox o
         WHERE o.state = 'pending' AND o.next_attempt_at <= ?1
           AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.order_id = o.order_id AND e.seq < o.seq)
         ORDER BY o.seq LIMIT ?2"
    ))?;
    let mut rows = stmt.query(params![millis(now), limit])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(entry_from_row(r)?);
    }
    Ok(out)
}

fn of_order(conn: &Connection, order_id: &OrderId) -> Result<Vec<OutboxEntry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE order_id = ?1 ORDER BY seq"
    ))?;
    let mut rows = stmt.query([order_id.as_str()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(entry_from_row(r)?);
    }
    Ok(out)
}

/// Both counts from `outbox_by_state` alone (the rows hold the request bodies).
const COUNTS: &str = "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending'),
                             (SELECT count(*) FROM outbox WHERE state = 'failed')";

fn counts(conn: &Connection) -> Result<OutboxCounts> {
    let (pending, failed): (i64, i64) = conn
        .prepare_cached(COUNTS)?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(OutboxCounts {
        pending: count_from_sql(pending),
        failed: count_from_sql(failed),
    })
}

/// What an acknowledged entry does to its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterSent {
    /// The order's last unsent change reached the server (or the order was synced already):
    /// synced, taking the server's copy when the answer carries one and `take_ack` says so.
    Synced { take_ack: bool },
    /// Other changes still wait (or a conflict or refusal is shown): only the server's version
    /// is recorded (when `take_ack`), and the last error cleared unless a refusal or conflict is
    /// what it says.
    KeepStatus { clear_error: bool, take_ack: bool },
}

/// Pure: the order's status after one of its entries was acknowledged with `acked_version`.
///
/// An answer never moves the order backwards: when a newer server copy is stored already (the
/// changes feed brought version 2 while the create's answer, version 1, was in flight), the
/// answer's version, tag and document are dropped (`take_ack: false`) and the newer copy kept.
/// The feed's cursor has moved past that version, so nothing would bring it back.
pub(crate) fn after_sent(
    order: &LocalOrder,
    unsent_left: bool,
    acked_version: Option<u32>,
) -> AfterSent {
    let take_ack = !matches!(
        (order.server_version, acked_version),
        (Some(stored), Some(acked)) if stored > acked
    );
    let in_step = matches!(order.sync, SyncStatus::AwaitingSync | SyncStatus::Synced);
    if !unsent_left && in_step {
        AfterSent::Synced { take_ack }
    } else {
        AfterSent::KeepStatus {
            clear_error: in_step,
            take_ack,
        }
    }
}

fn mark_sent(conn: &Connection, seq: u64, ack: &ServerAck, at: DateTime<Utc>) -> Result<()> {
    let entry = require(conn, seq)?;
    conn.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?
        .execute([sql_count(seq)])?;
    let Some(order) = orders::get(conn, entry.order_id.as_str())? else {
        return Ok(());
    };
    let unsent_left = has_unsent(conn, entry.order_id.as_str())?;
    let decision = after_sent(&order, unsent_left, ack.version);
    let take_ack = match decision {
        AfterSent::Synced { take_ack } | AfterSent::KeepStatus { take_ack, .. } => take_ack,
    };
    let (server_version, etag, document) = if take_ack {
        (
            ack.version.or(order.server_version),
            ack.etag.clone().or_else(|| order.etag.clone()),
            ack.order.clone(),
        )
    } else {
        (order.server_version, order.etag.clone(), None)
    };
    let next = match decision {
        AfterSent::Synced { .. } => LocalOrder {
            order: document.unwrap_or(order.order),
            sync: SyncStatus::Synced,
            server_version,
            etag,
            last_error: None,
            updated_at: at,
            ..order
        },
        AfterSent::KeepStatus { clear_error, .. } => LocalOrder {
            server_version,
            etag,
            last_error: if clear_error { None } else { order.last_error },
            updated_at: at,
            ..order
        },
    };
    orders::write_rows(conn, &OrderRows::encode(&next)?)?;
    Ok(())
}

fn mark_retry(
    conn: &Connection,
    seq: u64,
    error: &str,
    next_attempt_at: DateTime<Utc>,
) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3
             WHERE seq = ?1 AND state = 'pending'",
        )?
        .execute(params![sql_count(seq), error, millis(next_attempt_at)])?;
    if n == 0 {
        return Err(StoreError::not_found("pendingOutboxEntry", seq.to_string()));
    }
    let order_id: String = conn
        .prepare_cached("SELECT order_id FROM outbox WHERE seq = ?1")?
        .query_row([sql_count(seq)], |r| r.get(0))?;
    conn.prepare_cached("UPDATE orders SET last_error = ?2 WHERE id = ?1")?
        .execute(params![order_id, error])?;
    Ok(())
}

fn mark_failed(
    conn: &Connection,
    seq: u64,
    code: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let entry = require(conn, seq)?;
    let error = format!("{code}: {reason}");
    conn.prepare_cached(
        "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2
         WHERE seq = ?1",
    )?
    .execute(params![sql_count(seq), error])?;
    let Some(order) = orders::get(conn, entry.order_id.as_str())? else {
        return Ok(());
    };
    let sync = if entry.kind.changes_the_order() {
        SyncStatus::Rejected {
            code: code.to_owned(),
            reason: reason.to_owned(),
        }
    } else {
        order.sync.clone()
    };
    let next = LocalOrder {
        sync,
        last_error: Some(error),
        updated_at: at,
        ..order
    };
    orders::write_rows(conn, &OrderRows::encode(&next)?)?;
    Ok(())
}

/// Makes a refused entry pending again, due at `at`, with a new body and `If-Match` (the change
/// rebased on the server's newer version): its attempts start over.
pub(crate) fn rearm(
    conn: &Connection,
    seq: u64,
    body: Option<&Value>,
    if_match: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    let body = body.map(|b| to_json(b, "outbox body")).transpose()?;
    let n = conn
        .prepare_cached(
            "UPDATE outbox SET state = 'pending', body = ?2, if_match = ?3, attempts = 0,
                 next_attempt_at = ?4, last_error = NULL
             WHERE seq = ?1",
        )?
        .execute(params![sql_count(seq), body, if_match, millis(at)])?;
    if n == 0 {
        return Err(StoreError::not_found("outboxEntry", seq.to_string()));
    }
    Ok(())
}

/// The order's first unsent entry (the one the others wait behind), if any.
pub(crate) fn head_of_order(conn: &Connection, order_id: &OrderId) -> Result<Option<OutboxEntry>> {
    Ok(of_order(conn, order_id)?.into_iter().next())
}

pub(crate) fn discard_seq(conn: &Connection, seq: u64) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM outbox WHERE seq = ?1")?
        .execute([sql_count(seq)])?
        > 0)
}

impl LocalStore {
    /// Adds a change that goes with no local order write (a queue action, a credit decision);
    /// returns its sequence number.
    pub fn enqueue(&self, entry: &NewOutboxEntry) -> Result<u64> {
        let encoded = Encoded::encode(entry)?;
        self.write(|tx| insert_encoded(tx.conn(), &encoded))
    }

    /// Up to `limit` entries to send now, oldest first: the first unsent entry of each order,
    /// if it is due at `now`.
    pub fn pending_outbox(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<OutboxEntry>> {
        self.read(|conn| pending(conn, now, limit))
    }

    pub fn outbox_entry(&self, seq: u64) -> Result<Option<OutboxEntry>> {
        self.read(|conn| match require(conn, seq) {
            Ok(e) => Ok(Some(e)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        })
    }

    /// The order's unsent entries, oldest first.
    pub fn outbox_of_order(&self, order_id: &OrderId) -> Result<Vec<OutboxEntry>> {
        self.read(|conn| of_order(conn, order_id))
    }

    /// Changes waiting to be sent ("N changes await sync"); refused ones are not counted.
    pub fn outbox_len(&self) -> Result<u64> {
        Ok(self.outbox_counts()?.pending)
    }

    pub fn outbox_counts(&self) -> Result<OutboxCounts> {
        self.read(counts)
    }

    /// The server took the entry: it is deleted, and the order records the server's version;
    /// when it was the order's last unsent change, the order is synced (with the server's copy
    /// from `ack.order` when given). An answer older than the stored server copy (one the feed
    /// brought while the answer was in flight) never replaces it.
    pub fn mark_sent(&self, seq: u64, ack: &ServerAck, at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| tx.mark_sent(seq, ack, at))
    }

    /// The entry could not be delivered (network, 5xx): one more attempt counted, the next one
    /// at `next_attempt_at`; the error is shown on the order.
    pub fn mark_retry(&self, seq: u64, error: &str, next_attempt_at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| tx.mark_retry(seq, error, next_attempt_at))
    }

    /// The server refused the entry (4xx, TMF error `code` and `reason`): it is kept as failed
    /// and blocks the order's later entries; an order change becomes
    /// [`SyncStatus::Rejected`], any other kind only sets the order's `last_error`.
    pub fn mark_failed(&self, seq: u64, code: &str, reason: &str, at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| tx.mark_failed(seq, code, reason, at))
    }

    /// Drops an unsent entry (the user gave up the change); `false` when there was none.
    pub fn discard_outbox(&self, seq: u64) -> Result<bool> {
        self.write(|tx| tx.discard_outbox(seq))
    }
}

impl LocalTx<'_> {
    pub fn enqueue(&self, entry: &NewOutboxEntry) -> Result<u64> {
        insert(self.conn(), entry)
    }

    pub fn mark_sent(&self, seq: u64, ack: &ServerAck, at: DateTime<Utc>) -> Result<()> {
        mark_sent(self.conn(), seq, ack, at)
    }

    pub fn mark_retry(&self, seq: u64, error: &str, next_attempt_at: DateTime<Utc>) -> Result<()> {
        mark_retry(self.conn(), seq, error, next_attempt_at)
    }

    pub fn mark_failed(&self, seq: u64, code: &str, reason: &str, at: DateTime<Utc>) -> Result<()> {
        mark_failed(self.conn(), seq, code, reason, at)
    }

    pub fn discard_outbox(&self, seq: u64) -> Result<bool> {
        discard_seq(self.conn(), seq)
    }

    /// Drops every unsent entry of the order (before saving a replacement change).
    pub fn discard_outbox_of_order(&self, order_id: &OrderId) -> Result<usize> {
        discard_of_order(self.conn(), order_id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::orders::SearchText;
    use chrono::TimeZone;
    use orderdesk_domain::{CustomerId, ItemAction, OrderItem};

    /// The status bar's counts never read an entry's row (its request body).
    #[test]
    fn the_counts_read_the_state_index_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::local::LocalStore::open(&dir.path().join("local.db")).unwrap();
        let plan = store
            .read(|conn| {
                let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {COUNTS}"))?;
                let rows = stmt
                    .query_map([], |r| r.get::<_, String>(3))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows.join("; "))
            })
            .unwrap();
        assert_eq!(
            plan.matches("USING COVERING INDEX outbox_by_state (state=?)")
                .count(),
            2,
            "{plan}"
        );
    }

    fn order(sync: SyncStatus) -> LocalOrder {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let o = ProductOrder::new(
            OrderId::new("O-1"),
            CustomerId::new("C-1"),
            at,
            vec![OrderItem::new("1", ItemAction::Add, None)],
            false,
        )
        .unwrap();
        LocalOrder {
            sync,
            ..LocalOrder::captured(o, SearchText::default(), at)
        }
    }

    fn keep(clear_error: bool) -> AfterSent {
        AfterSent::KeepStatus {
            clear_error,
            take_ack: true,
        }
    }

    const SYNCED: AfterSent = AfterSent::Synced { take_ack: true };

    #[test]
    fn after_an_ack() {
        let rejected = SyncStatus::Rejected {
            code: "400".into(),
            reason: "bad".into(),
        };
        let cases = [
            (SyncStatus::AwaitingSync, false, SYNCED),
            (SyncStatus::AwaitingSync, true, keep(true)),
            (SyncStatus::Synced, false, SYNCED),
            (SyncStatus::Synced, true, keep(true)),
            (SyncStatus::Draft, false, keep(false)),
            (rejected.clone(), false, keep(false)),
            (rejected, true, keep(false)),
        ];
        for (sync, left, expected) in cases {
            assert_eq!(
                after_sent(&order(sync.clone()), left, Some(1)),
                expected,
                "{sync:?} {left}"
            );
        }
    }

    #[test]
    fn an_ack_never_moves_the_order_backwards() {
        // (stored server version, acknowledged version, unsent left, expected)
        let cases = [
            (None, Some(1), false, SYNCED),
            (None, None, false, SYNCED),
            (Some(1), Some(1), false, SYNCED),
            (Some(1), Some(2), false, SYNCED),
            (Some(3), None, false, SYNCED),
            // The feed brought a newer copy while the answer was in flight: keep it.
            (
                Some(2),
                Some(1),
                false,
                AfterSent::Synced { take_ack: false },
            ),
            (
                Some(2),
                Some(1),
                true,
                AfterSent::KeepStatus {
                    clear_error: true,
                    take_ack: false,
                },
            ),
            (Some(2), Some(3), true, keep(true)),
        ];
        for (stored, acked, left, expected) in cases {
            let o = LocalOrder {
                server_version: stored,
                ..order(SyncStatus::AwaitingSync)
            };
            assert_eq!(
                after_sent(&o, left, acked),
                expected,
                "{stored:?} {acked:?} {left}"
            );
        }
    }

    #[test]
    fn names_round_trip() {
        for k in OutboxKind::ALL {
            assert_eq!(OutboxKind::parse(k.as_str()), Some(*k));
        }
        for m in Method::ALL {
            assert_eq!(Method::parse(m.as_str()), Some(*m));
        }
    }
}
