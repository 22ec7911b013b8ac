//! The desk's work queues: one entry per order (held, pending, cancellation assessment,
//! jeopardy), its lease-style claim, and the desk's internal notes on an order.
//!
//! A claim is read, decided by the domain's [`orderdesk_domain::desk::queue::claim`] rule and
//! written in one `IMMEDIATE` transaction, so of two concurrent claimers exactly one wins.
//! Lists come back in the domain's work order ([`orderdesk_domain::desk::queue::compare`]):
//! overdue first (earliest due first), then by ageing rank, then arrival, then order id — the
//! rank is computed in SQL from the same formula, so a page is a page of the sorted queue.
//! Notes are internal to the desk and have no change rows.

use chrono::{DateTime, Duration, Utc};
use orderdesk_domain::desk::queue::{self as rules};
use orderdesk_domain::desk::{Claim, QueueEntry, QueueKind};
use orderdesk_domain::priority::AgeingPolicy;
use orderdesk_domain::{CustomerId, OrderId, Priority, UserId};
use rusqlite::{params, Connection};
use serde_json::Value;

use super::changes::{self, ChangeOp, Entity};
use super::{CentralStore, CentralTx, Page};
use crate::codec::{
    count_from_sql, from_millis, from_opt_millis, from_serde_name, millis, opt_millis, serde_name,
    sql_count,
};
use crate::error::{Result, StoreError};

/// A page of a work queue at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    /// One queue, or all of them.
    pub kind: Option<QueueKind>,
    /// The time the work order is computed for (SLA due, ageing).
    pub now: DateTime<Utc>,
    pub policy: AgeingPolicy,
    pub offset: u64,
    pub limit: u32,
}

/// An internal note of the desk on an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskNote {
    pub id: i64,
    pub order: OrderId,
    pub author: UserId,
    pub at: DateTime<Utc>,
    pub text: String,
}

const COLUMNS: &str = "order_id, customer_id, kind, reason, priority, waiting_since, sla_due,
                       claimed_by, lease_until";

fn entry_from_row(r: &rusqlite::Row<'_>) -> Result<QueueEntry> {
    let kind: String = r.get(2)?;
    let priority: u8 = r.get(4)?;
    let claimed_by: Option<String> = r.get(7)?;
    let lease_until: Option<i64> = r.get(8)?;
    let claim = match (claimed_by, lease_until) {
        (Some(user), Some(until)) => Some(Claim {
            user: UserId::new(user),
            until: from_millis(until, "queue_entries.lease_until")?,
        }),
        _ => None,
    };
    Ok(QueueEntry {
        order: OrderId::new(r.get::<_, String>(0)?),
        customer: CustomerId::new(r.get::<_, String>(1)?),
        kind: from_serde_name(&kind, "queue_entries.kind")?,
        reason: r.get(3)?,
        priority: Priority::new(priority)
            .map_err(|e| StoreError::corrupt("queue_entries.priority", e))?,
        waiting_since: from_millis(r.get(5)?, "queue_entries.waiting_since")?,
        sla_due: from_opt_millis(r.get(6)?, "queue_entries.sla_due")?,
        claimed_by: claim,
    })
}

pub(super) fn get(conn: &Connection, order: &OrderId) -> Result<Option<QueueEntry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM queue_entries WHERE order_id = ?1"
    ))?;
    let mut rows = stmt.query([order.as_str()])?;
    rows.next()?.map(entry_from_row).transpose()
}

fn require(conn: &Connection, order: &OrderId) -> Result<QueueEntry> {
    get(conn, order)?.ok_or_else(|| StoreError::not_found("queueEntry", order.as_str()))
}

fn payload(entry: &QueueEntry) -> Result<Value> {
    serde_json::to_value(entry).map_err(|source| StoreError::Encode {
        what: "queue entry",
        source,
    })
}

pub(super) fn upsert(
    conn: &Connection,
    entry: &QueueEntry,
    at: DateTime<Utc>,
) -> Result<QueueEntry> {
    let order_exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM orders WHERE id = ?1)")?
        .query_row([entry.order.as_str()], |r| r.get(0))?;
    if !order_exists {
        return Err(StoreError::not_found("productOrder", entry.order.as_str()));
    }
    let existing = get(conn, &entry.order)?;
    let claim = entry.claimed_by.as_ref();
    conn.prepare_cached(
        "INSERT INTO queue_entries (order_id, customer_id, kind, reason, priority, waiting_since,
             sla_due, claimed_by, lease_until, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (order_id) DO UPDATE SET customer_id = excluded.customer_id,
             kind = excluded.kind, reason = excluded.reason, priority = excluded.priority,
             waiting_since = excluded.waiting_since, sla_due = excluded.sla_due,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        entry.order.as_str(),
        entry.customer.as_str(),
        serde_name(&entry.kind, "queue kind")?,
        entry.reason,
        entry.priority.level(),
        millis(entry.waiting_since),
        opt_millis(entry.sla_due),
        claim.map(|c| c.user.as_str()),
        claim.map(|c| millis(c.until)),
        millis(at)
    ])?;
    let stored = require(conn, &entry.order)?;
    let op = if existing.is_some() {
        ChangeOp::Update
    } else {
        ChangeOp::Create
    };
    changes::record(
        conn,
        at,
        Entity::QueueEntry,
        entry.order.as_str(),
        op,
        None,
        &payload(&stored)?,
    )?;
    Ok(stored)
}

pub(super) fn remove(conn: &Connection, order: &OrderId, at: DateTime<Utc>) -> Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM queue_entries WHERE order_id = ?1")?
        .execute([order.as_str()])?;
    if n > 0 {
        changes::record(
            conn,
            at,
            Entity::QueueEntry,
            order.as_str(),
            ChangeOp::Delete,
            None,
            &Value::Null,
        )?;
    }
    Ok(n > 0)
}

fn set_claim(
    conn: &Connection,
    order: &OrderId,
    claim: Option<&Claim>,
    at: DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE queue_entries SET claimed_by = ?2, lease_until = ?3, updated_at = ?4
         WHERE order_id = ?1",
    )?
    .execute(params![
        order.as_str(),
        claim.map(|c| c.user.as_str()),
        claim.map(|c| millis(c.until)),
        millis(at)
    ])?;
    Ok(())
}

fn claim(
    conn: &Connection,
    order: &OrderId,
    user: &UserId,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<QueueEntry> {
    let entry = require(conn, order)?;
    let granted = rules::claim(&entry, user, now, lease)?;
    set_claim(conn, order, Some(&granted), now)?;
    let claimed = QueueEntry {
        claimed_by: Some(granted),
        ..entry
    };
    changes::record(
        conn,
        now,
        Entity::QueueEntry,
        order.as_str(),
        ChangeOp::Claim,
        None,
        &payload(&claimed)?,
    )?;
    Ok(claimed)
}

fn release(
    conn: &Connection,
    order: &OrderId,
    user: &UserId,
    now: DateTime<Utc>,
) -> Result<QueueEntry> {
    let entry = require(conn, order)?;
    rules::release(&entry, user, now)?;
    if entry.claimed_by.is_none() {
        return Ok(entry);
    }
    set_claim(conn, order, None, now)?;
    let released = QueueEntry {
        claimed_by: None,
        ..entry
    };
    changes::record(
        conn,
        now,
        Entity::QueueEntry,
        order.as_str(),
        ChangeOp::Release,
        None,
        &payload(&released)?,
    )?;
    Ok(released)
}

fn list(conn: &Connection, q: &QueueQuery) -> Result<Page<QueueEntry>> {
    let kind = q.kind.map(|k| serde_name(&k, "queue kind")).transpose()?;
    let total: i64 = conn
        .prepare_cached("SELECT count(*) FROM queue_entries WHERE ?1 IS NULL OR kind = ?1")?
        .query_row([&kind], |r| r.get(0))?;
    let step = q.policy.step.num_seconds().max(1);
    // The domain's order: overdue (earliest due first), then the ageing rank
    // `priority * step - max(0, seconds waited)`, then arrival, then order id.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM queue_entries
         WHERE ?1 IS NULL OR kind = ?1
         ORDER BY (sla_due IS NOT NULL AND sla_due <= ?2) DESC,
                  CASE WHEN sla_due <= ?2 THEN sla_due END,
                  priority * ?3 - max(0, (?2 - waiting_since) / 1000),
                  waiting_since, order_id, kind
         LIMIT ?4 OFFSET ?5"
    ))?;
    let mut rows = stmt.query(params![
        kind,
        millis(q.now),
        step,
        q.limit,
        sql_count(q.offset)
    ])?;
    let mut items = Vec::new();
    while let Some(row) = rows.next()? {
        items.push(entry_from_row(row)?);
    }
    Ok(Page {
        items,
        total: count_from_sql(total),
    })
}

fn add_note(
    conn: &Connection,
    order: &OrderId,
    author: &UserId,
    at: DateTime<Utc>,
    text: &str,
) -> Result<DeskNote> {
    let order_exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM orders WHERE id = ?1)")?
        .query_row([order.as_str()], |r| r.get(0))?;
    if !order_exists {
        return Err(StoreError::not_found("productOrder", order.as_str()));
    }
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO desk_notes (order_id, author, at, text) VALUES (?1, ?2, ?3, ?4)
             RETURNING id",
        )?
        .query_row(
            params![order.as_str(), author.as_str(), millis(at), text],
            |r| r.get(0),
        )?;
    Ok(DeskNote {
        id,
        order: order.clone(),
        author: author.clone(),
        at: from_millis(millis(at), "desk_notes.at")?,
        text: text.to_owned(),
    })
}

impl CentralStore {
    /// Puts the order in a queue or updates its entry. A stored claim is kept (claims change only
    /// through [`Self::claim`] and [`Self::release`]); a new entry takes `entry.claimed_by`.
    pub fn upsert_queue_entry(&self, entry: &QueueEntry, at: DateTime<Utc>) -> Result<QueueEntry> {
        self.write(|tx| tx.upsert_queue_entry(entry, at))
    }

    /// Takes the order out of its queue; `false` when it was in none.
    pub fn remove_queue_entry(&self, order: &OrderId, at: DateTime<Utc>) -> Result<bool> {
        self.write(|tx| tx.remove_queue_entry(order, at))
    }

    pub fn get_queue_entry(&self, order: &OrderId) -> Result<QueueEntry> {
        self.read(|conn| require(conn, order))
    }

    /// A page of a queue (or of all queues) in work order at `query.now`.
    pub fn list_queue(&self, query: &QueueQuery) -> Result<Page<QueueEntry>> {
        self.read(|conn| list(conn, query))
    }

    /// Claims the entry for `user` for `lease` from `now` ([`StoreError::Claim`] while another
    /// user's lease runs). Returns the entry with its claim.
    pub fn claim(
        &self,
        order: &OrderId,
        user: &UserId,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<QueueEntry> {
        self.write(|tx| tx.claim(order, user, now, lease))
    }

    /// Gives the entry back; only the holder of a running lease may, and releasing a free entry
    /// succeeds.
    pub fn release(
        &self,
        order: &OrderId,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> Result<QueueEntry> {
        self.write(|tx| tx.release(order, user, now))
    }

    pub fn add_desk_note(
        &self,
        order: &OrderId,
        author: &UserId,
        at: DateTime<Utc>,
        text: &str,
    ) -> Result<DeskNote> {
        self.write(|tx| add_note(tx.conn(), order, author, at, text))
    }

    /// The order's desk notes, oldest first.
    pub fn list_desk_notes(&self, order: &OrderId) -> Result<Vec<DeskNote>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, author, at, text FROM desk_notes WHERE order_id = ?1 ORDER BY at, id",
            )?;
            let mut rows = stmt.query([order.as_str()])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(DeskNote {
                    id: r.get(0)?,
                    order: order.clone(),
                    author: UserId::new(r.get::<_, String>(1)?),
                    at: from_millis(r.get(2)?, "desk_notes.at")?,
                    text: r.get(3)?,
                });
            }
            Ok(out)
        })
    }
}

impl CentralTx<'_> {
    pub fn upsert_queue_entry(&self, entry: &QueueEntry, at: DateTime<Utc>) -> Result<QueueEntry> {
        upsert(self.conn(), entry, at)
    }

    pub fn remove_queue_entry(&self, order: &OrderId, at: DateTime<Utc>) -> Result<bool> {
        remove(self.conn(), order, at)
    }

    pub fn get_queue_entry(&self, order: &OrderId) -> Result<Option<QueueEntry>> {
        get(self.conn(), order)
    }

    pub fn claim(
        &self,
        order: &OrderId,
        user: &UserId,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<QueueEntry> {
        claim(self.conn(), order, user, now, lease)
    }

    pub fn release(
        &self,
        order: &OrderId,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> Result<QueueEntry> {
        release(self.conn(), order, user, now)
    }
}
