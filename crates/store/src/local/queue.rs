//! The server's work queues, mirrored for offline reading: replaced wholesale after a full read
//! of the queue, or entry by entry from the changes feed. Lists come back in the domain's work
//! order ([`orderdesk_domain::desk::queue::compare`]): overdue first (earliest due first), then
//! the ageing rank, then arrival, then order id.
//!
//! The rank depends on `now`, so it cannot be indexed as such. But with the default ageing step
//! the rank of an entry that has started waiting is `ceil((rank_key - now) / 1000)` where
//! `rank_key = priority * step_ms + waiting_since_ms` is fixed: walking the index on
//! `(kind, rank_key)` walks the queue in rank order at any `now`. A page is therefore read as:
//! the overdue entries up to the page's end from the `(kind, sla_due)` index; then, if the page
//! reaches past them, the entries up to the page's end by `rank_key`, plus those whose rank
//! ties with the last; plus the (normally none) entries whose waiting starts after `now`. Those
//! few candidates are sorted with the domain's own `compare` and the page is cut from them, so
//! the order is the domain's exactly. Another ageing step, or no queue kind, falls back to
//! sorting in SQL with the same formula.

use chrono::{DateTime, Utc};
use orderdesk_domain::desk::queue::compare;
use orderdesk_domain::desk::{Claim, QueueEntry, QueueKind};
use orderdesk_domain::priority::AgeingPolicy;
use orderdesk_domain::{CustomerId, OrderId, Priority, UserId};
use rusqlite::{params, Connection, ToSql};
use serde_json::Value;

use super::{LocalStore, LocalTx, Page};
use crate::codec::{
    count_from_sql, from_json, from_millis, from_opt_millis, millis, opt_millis, sql_count, to_json,
};
use crate::error::{Result, StoreError};

/// The ageing step `rank_key` is computed with: the domain's default, one level per 2 h.
const RANK_STEP_MS: i64 = 2 * 60 * 60 * 1000;

/// A mirrored queue entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalQueueEntry {
    pub entry: QueueEntry,
    /// The server's row as it sent it (fine-grained queue, hold reasons, effective priority,
    /// jeopardy...), for display; the store does not read it.
    pub detail: Option<Value>,
}

impl From<QueueEntry> for LocalQueueEntry {
    fn from(entry: QueueEntry) -> Self {
        Self {
            entry,
            detail: None,
        }
    }
}

/// A page of a mirrored queue at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalQueueQuery {
    /// One queue, or all of them (the slower path).
    pub kind: Option<QueueKind>,
    /// Only entries with this reason.
    pub reason: Option<String>,
    /// Only entries of this priority.
    pub priority: Option<Priority>,
    /// The time the work order is computed for (SLA due, ageing).
    pub now: DateTime<Utc>,
    pub policy: AgeingPolicy,
    pub offset: u64,
    pub limit: u32,
}

impl LocalQueueQuery {
    /// The first `limit` entries of one queue at `now`, default ageing.
    pub fn first_page(kind: QueueKind, now: DateTime<Utc>, limit: u32) -> Self {
        Self {
            kind: Some(kind),
            reason: None,
            priority: None,
            now,
            policy: AgeingPolicy::default(),
            offset: 0,
            limit,
        }
    }
}

fn kind_name(kind: QueueKind) -> &'static str {
    match kind {
        QueueKind::Held => "held",
        QueueKind::Pending => "pending",
        QueueKind::CancellationAssessment => "cancellationAssessment",
        QueueKind::Jeopardy => "jeopardy",
    }
}

fn parse_kind(s: &str) -> Result<QueueKind> {
    [
        QueueKind::Held,
        QueueKind::Pending,
        QueueKind::CancellationAssessment,
        QueueKind::Jeopardy,
    ]
    .into_iter()
    .find(|k| kind_name(*k) == s)
    .ok_or_else(|| StoreError::corrupt("queue_entries.kind", s))
}

fn rank_key(entry: &QueueEntry) -> i64 {
    i64::from(entry.priority.level()) * RANK_STEP_MS + millis(entry.waiting_since)
}

const COLUMNS: &str = "order_id, kind, customer_id, reason, priority, waiting_since, sla_due,
                       claimed_by, lease_until, detail";

fn entry_from_row(r: &rusqlite::Row<'_>) -> Result<LocalQueueEntry> {
    let kind: String = r.get(1)?;
    let priority: u8 = r.get(4)?;
    let claim = match (r.get::<_, Option<String>>(7)?, r.get::<_, Option<i64>>(8)?) {
        (Some(user), Some(until)) => Some(Claim {
            user: UserId::new(user),
            until: from_millis(until, "queue_entries.lease_until")?,
        }),
        _ => None,
    };
    let detail: Option<String> = r.get(9)?;
    Ok(LocalQueueEntry {
        entry: QueueEntry {
            order: OrderId::new(r.get::<_, String>(0)?),
            customer: CustomerId::new(r.get::<_, String>(2)?),
            kind: parse_kind(&kind)?,
            reason: r.get(3)?,
            priority: Priority::new(priority)
                .map_err(|e| StoreError::corrupt("queue_entries.priority", e))?,
            waiting_since: from_millis(r.get(5)?, "queue_entries.waiting_since")?,
            sla_due: from_opt_millis(r.get(6)?, "queue_entries.sla_due")?,
            claimed_by: claim,
        },
        detail: detail
            .map(|d| from_json(&d, "queue_entries.detail"))
            .transpose()?,
    })
}

/// An entry encoded before the writer lock is taken.
struct Encoded<'a> {
    entry: &'a QueueEntry,
    detail: Option<String>,
}

fn encode(entries: &[LocalQueueEntry]) -> Result<Vec<Encoded<'_>>> {
    entries
        .iter()
        .map(|e| {
            Ok(Encoded {
                entry: &e.entry,
                detail: e
                    .detail
                    .as_ref()
                    .map(|d| to_json(d, "queue entry detail"))
                    .transpose()?,
            })
        })
        .collect()
}

fn upsert(conn: &Connection, e: &Encoded<'_>, at: DateTime<Utc>) -> Result<()> {
    let entry = e.entry;
    let claim = entry.claimed_by.as_ref();
    conn.prepare_cached(
        "INSERT INTO queue_entries (order_id, kind, customer_id, reason, priority, waiting_since,
             sla_due, claimed_by, lease_until, rank_key, detail, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (order_id, kind) DO UPDATE SET customer_id = excluded.customer_id,
             reason = excluded.reason, priority = excluded.priority,
             waiting_since = excluded.waiting_since, sla_due = excluded.sla_due,
             claimed_by = excluded.claimed_by, lease_until = excluded.lease_until,
             rank_key = excluded.rank_key, detail = excluded.detail,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        entry.order.as_str(),
        kind_name(entry.kind),
        entry.customer.as_str(),
        entry.reason,
        entry.priority.level(),
        millis(entry.waiting_since),
        opt_millis(entry.sla_due),
        claim.map(|c| c.user.as_str()),
        claim.map(|c| millis(c.until)),
        rank_key(entry),
        e.detail,
        millis(at)
    ])?;
    Ok(())
}

fn replace(
    conn: &Connection,
    kind: Option<QueueKind>,
    entries: &[Encoded<'_>],
    at: DateTime<Utc>,
) -> Result<usize> {
    match kind {
        Some(k) => {
            if let Some(stray) = entries.iter().find(|e| e.entry.kind != k) {
                return Err(StoreError::Inconsistent(format!(
                    "replacing the {} queue with an entry of the {} queue (order `{}`)",
                    kind_name(k),
                    kind_name(stray.entry.kind),
                    stray.entry.order
                )));
            }
            conn.prepare_cached("DELETE FROM queue_entries WHERE kind = ?1")?
                .execute([kind_name(k)])?;
        }
        None => {
            conn.prepare_cached("DELETE FROM queue_entries")?
                .execute([])?;
        }
    }
    for e in entries {
        upsert(conn, e, at)?;
    }
    Ok(entries.len())
}

fn remove(conn: &Connection, order: &OrderId, kind: Option<QueueKind>) -> Result<usize> {
    Ok(match kind {
        Some(k) => conn
            .prepare_cached("DELETE FROM queue_entries WHERE order_id = ?1 AND kind = ?2")?
            .execute(params![order.as_str(), kind_name(k)])?,
        None => conn
            .prepare_cached("DELETE FROM queue_entries WHERE order_id = ?1")?
            .execute([order.as_str()])?,
    })
}

fn of_order(conn: &Connection, order: &OrderId) -> Result<Vec<LocalQueueEntry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM queue_entries WHERE order_id = ?1 ORDER BY kind"
    ))?;
    let out = read_all(stmt.query([order.as_str()])?)?;
    Ok(out)
}

fn read_all(mut rows: rusqlite::Rows<'_>) -> Result<Vec<LocalQueueEntry>> {
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(entry_from_row(r)?);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Listing

/// The filter of a query as SQL and its values, shared by every statement of a listing.
struct Where {
    sql: String,
    args: Vec<Box<dyn ToSql>>,
}

impl Where {
    /// On `queue_entries`, or on `queue_counts` (whose reason column is `reason_key`).
    fn of(q: &LocalQueueQuery, reason_column: &str) -> Self {
        let mut parts = Vec::new();
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        if let Some(kind) = q.kind {
            parts.push("kind = ?".to_owned());
            args.push(Box::new(kind_name(kind)));
        }
        if let Some(reason) = &q.reason {
            parts.push(format!("{reason_column} = ?"));
            args.push(Box::new(reason.clone()));
        }
        if let Some(priority) = q.priority {
            parts.push("priority = ?".to_owned());
            args.push(Box::new(priority.level()));
        }
        let sql = if parts.is_empty() {
            "1".to_owned()
        } else {
            parts.join(" AND ")
        };
        Self { sql, args }
    }

    fn entries(q: &LocalQueueQuery) -> Self {
        Self::of(q, "reason")
    }

    fn counts(q: &LocalQueueQuery) -> Self {
        Self::of(q, "reason_key")
    }
}

/// One statement of a listing: SQL, bound to the filter's values and then to `extra`.
struct Step {
    sql: String,
    extra: Vec<i64>,
}

impl Step {
    fn new(sql: String, extra: Vec<i64>) -> Self {
        Self { sql, extra }
    }

    fn args<'a>(&'a self, w: &'a Where) -> Vec<&'a dyn ToSql> {
        w.args
            .iter()
            .map(|a| a.as_ref())
            .chain(self.extra.iter().map(|v| v as &dyn ToSql))
            .collect()
    }

    fn rows(&self, conn: &Connection, w: &Where) -> Result<Vec<LocalQueueEntry>> {
        let mut stmt = conn.prepare_cached(&self.sql)?;
        let out = read_all(stmt.query(self.args(w).as_slice())?)?;
        Ok(out)
    }

    fn value(&self, conn: &Connection, w: &Where) -> Result<Option<i64>> {
        let mut stmt = conn.prepare_cached(&self.sql)?;
        let mut rows = stmt.query(self.args(w).as_slice())?;
        Ok(match rows.next()? {
            Some(r) => r.get(0)?,
            None => None,
        })
    }

    fn count(&self, conn: &Connection, w: &Where) -> Result<i64> {
        Ok(self.value(conn, w)?.unwrap_or(0))
    }
}

/// The number of entries matching the filters, from the trigger-kept counts.
fn total_step(w: &Where) -> Step {
    Step::new(
        format!(
            "SELECT coalesce(sum(n), 0) FROM queue_counts WHERE {}",
            w.sql
        ),
        vec![],
    )
}

/// The statements of a fast listing. The queue splits into the overdue part (ordered by due
/// time) and the rest (ordered by rank); each is read as a window of positions: the keys at the
/// window's edges are found in the index, the rows before it are counted there, and only the
/// rows between the edges' key groups (equal due times; equal ranks) are read and sorted.
struct FastPlan {
    now: i64,
}

/// Not overdue and already waiting: ranked by `rank_key`.
const STARTED: &str = "(sla_due IS NULL OR sla_due > ?) AND +waiting_since <= ?";
/// Not overdue and waiting only from a later time: not aged, ranked by priority alone.
const FUTURE: &str = "(sla_due IS NULL OR sla_due > ?) AND waiting_since > ?";

impl FastPlan {
    fn overdue_count(&self, w: &Where) -> Step {
        Step::new(
            format!(
                "SELECT count(*) FROM queue_entries WHERE {} AND sla_due <= ?",
                w.sql
            ),
            vec![self.now],
        )
    }

    fn overdue_key_at(&self, w: &Where, i: i64) -> Step {
        Step::new(
            format!(
                "SELECT sla_due FROM queue_entries WHERE {} AND sla_due <= ?
                 ORDER BY sla_due LIMIT 1 OFFSET ?",
                w.sql
            ),
            vec![self.now, i],
        )
    }

    fn overdue_before(&self, w: &Where, key: i64) -> Step {
        Step::new(
            format!(
                "SELECT count(*) FROM queue_entries WHERE {} AND sla_due < ?",
                w.sql
            ),
            vec![key],
        )
    }

    fn overdue_between(&self, w: &Where, lo: i64, hi: i64) -> Step {
        Step::new(
            format!(
                "SELECT {COLUMNS} FROM queue_entries WHERE {} AND sla_due >= ? AND sla_due <= ?",
                w.sql
            ),
            vec![lo, hi.min(self.now)],
        )
    }

    fn future_count(&self, w: &Where) -> Step {
        Step::new(
            format!(
                "SELECT count(*) FROM queue_entries WHERE {} AND {FUTURE}",
                w.sql
            ),
            vec![self.now, self.now],
        )
    }

    fn future(&self, w: &Where) -> Step {
        Step::new(
            format!(
                "SELECT {COLUMNS} FROM queue_entries WHERE {} AND {FUTURE}",
                w.sql
            ),
            vec![self.now, self.now],
        )
    }

    fn started_key_at(&self, w: &Where, i: i64) -> Step {
        Step::new(
            format!(
                "SELECT rank_key FROM queue_entries WHERE {} AND {STARTED}
                 ORDER BY rank_key LIMIT 1 OFFSET ?",
                w.sql
            ),
            vec![self.now, self.now, i],
        )
    }

    fn started_before(&self, w: &Where, key: i64) -> Step {
        Step::new(
            format!(
                "SELECT count(*) FROM queue_entries WHERE {} AND {STARTED} AND rank_key < ?",
                w.sql
            ),
            vec![self.now, self.now, key],
        )
    }

    fn started_between(&self, w: &Where, lo: i64, hi: i64) -> Step {
        Step::new(
            format!(
                "SELECT {COLUMNS} FROM queue_entries
                 WHERE {} AND {STARTED} AND rank_key >= ? AND rank_key <= ?",
                w.sql
            ),
            vec![self.now, self.now, lo, hi],
        )
    }
}

/// The last rank key whose rank (at `now`) is that of `key`: `now + 1000 * ceil((key - now) / 1000)`.
fn rank_ceiling(key: i64, now: i64) -> i64 {
    let d = key.saturating_sub(now);
    let rank = d.div_euclid(1000) + i64::from(d.rem_euclid(1000) != 0);
    now.saturating_add(rank.saturating_mul(1000))
}

/// The first rank key whose rank (at `now`) is that of `key`.
fn rank_floor(key: i64, now: i64) -> i64 {
    rank_ceiling(key, now).saturating_sub(999)
}

/// A part of the queue read by positions: the SQL key of its `i`-th row, the number of rows
/// with a key below a value, the rows with keys in a range, and the bounds of a key's group of
/// rows that the domain may order differently from the key.
struct Part<'p> {
    key_at: &'p dyn Fn(i64) -> Step,
    before: &'p dyn Fn(i64) -> Step,
    between: &'p dyn Fn(i64, i64) -> Step,
    floor: &'p dyn Fn(i64) -> i64,
    ceiling: &'p dyn Fn(i64) -> i64,
}

impl Part<'_> {
    /// Positions `a..b` of the part, in the domain's order.
    fn window(
        &self,
        conn: &Connection,
        w: &Where,
        q: &LocalQueueQuery,
        a: i64,
        b: i64,
    ) -> Result<Vec<LocalQueueEntry>> {
        let Some(lo) = (self.key_at)(a).value(conn, w)? else {
            return Ok(Vec::new());
        };
        let lo = (self.floor)(lo);
        let hi = match (self.key_at)(b - 1).value(conn, w)? {
            Some(key) => (self.ceiling)(key),
            None => i64::MAX,
        };
        let before = (self.before)(lo).count(conn, w)?;
        let mut rows = (self.between)(lo, hi).rows(conn, w)?;
        Ok(cut(&mut rows, q, a - before, b - a))
    }
}

/// Sorts rows in the domain's work order and keeps `take` from `skip`.
fn cut(
    rows: &mut Vec<LocalQueueEntry>,
    q: &LocalQueueQuery,
    skip: i64,
    take: i64,
) -> Vec<LocalQueueEntry> {
    rows.sort_by(|a, b| compare(&a.entry, &b.entry, &q.policy, q.now));
    let skip = usize::try_from(skip).unwrap_or(0);
    let take = usize::try_from(take).unwrap_or(0);
    rows.drain(..).skip(skip).take(take).collect()
}

fn uses_fast_path(q: &LocalQueueQuery) -> bool {
    q.kind.is_some() && q.policy.step.num_milliseconds() == RANK_STEP_MS
}

fn fast_list(conn: &Connection, q: &LocalQueueQuery) -> Result<Page<LocalQueueEntry>> {
    let counts = Where::counts(q);
    let total = total_step(&counts).count(conn, &counts)?;
    let offset = sql_count(q.offset);
    let want = offset.saturating_add(i64::from(q.limit)).min(total);
    if offset >= want {
        return Ok(Page {
            items: Vec::new(),
            total: count_from_sql(total),
        });
    }
    let w = Where::entries(q);
    let plan = FastPlan { now: millis(q.now) };
    let now = plan.now;
    let overdue_part = Part {
        key_at: &|i| plan.overdue_key_at(&w, i),
        before: &|key| plan.overdue_before(&w, key),
        between: &|lo, hi| plan.overdue_between(&w, lo, hi),
        floor: &|key| key,
        ceiling: &|key| key,
    };
    // The page ends among overdue entries (the common first page of a busy queue): no need to
    // count them all.
    if plan.overdue_key_at(&w, want - 1).value(conn, &w)?.is_some() {
        let items = overdue_part.window(conn, &w, q, offset, want)?;
        return Ok(Page {
            items,
            total: count_from_sql(total),
        });
    }
    let mut items = Vec::new();
    let overdue = plan.overdue_count(&w).count(conn, &w)?;
    if offset < overdue {
        items.extend(overdue_part.window(conn, &w, q, offset, overdue)?);
    }
    if want > overdue {
        let (a, b) = ((offset - overdue).max(0), want - overdue);
        if plan.future_count(&w).count(conn, &w)? == 0 {
            let part = Part {
                key_at: &|i| plan.started_key_at(&w, i),
                before: &|key| plan.started_before(&w, key),
                between: &|lo, hi| plan.started_between(&w, lo, hi),
                floor: &|key| rank_floor(key, now),
                ceiling: &|key| rank_ceiling(key, now),
            };
            items.extend(part.window(conn, &w, q, a, b)?);
        } else {
            // Entries not aged yet interleave with the ranked ones: read the ranked ones from
            // the start up to the window's end, add them all, and sort.
            let hi = match plan.started_key_at(&w, b - 1).value(conn, &w)? {
                Some(key) => rank_ceiling(key, now),
                None => i64::MAX,
            };
            let mut rows = plan.started_between(&w, i64::MIN, hi).rows(conn, &w)?;
            rows.extend(plan.future(&w).rows(conn, &w)?);
            items.extend(cut(&mut rows, q, a, b - a));
        }
    }
    Ok(Page {
        items,
        total: count_from_sql(total),
    })
}

/// Any ageing step, any kind: the rank computed per row in SQL (as the central store does).
fn sorted_step(w: &Where, q: &LocalQueueQuery) -> Step {
    let now = millis(q.now);
    Step::new(
        format!(
            "SELECT {COLUMNS} FROM queue_entries WHERE {}
             ORDER BY (sla_due IS NOT NULL AND sla_due <= ?) DESC,
                      CASE WHEN sla_due <= ? THEN sla_due END,
                      priority * ? - max(0, (? - waiting_since) / 1000),
                      waiting_since, order_id, kind
             LIMIT ? OFFSET ?",
            w.sql
        ),
        vec![
            now,
            now,
            q.policy.step.num_seconds().max(1),
            now,
            i64::from(q.limit),
            sql_count(q.offset),
        ],
    )
}

fn sorted_list(conn: &Connection, q: &LocalQueueQuery) -> Result<Page<LocalQueueEntry>> {
    let counts = Where::counts(q);
    let total = total_step(&counts).count(conn, &counts)?;
    let w = Where::entries(q);
    let items = sorted_step(&w, q).rows(conn, &w)?;
    Ok(Page {
        items,
        total: count_from_sql(total),
    })
}

fn list(conn: &Connection, q: &LocalQueueQuery) -> Result<Page<LocalQueueEntry>> {
    if uses_fast_path(q) {
        fast_list(conn, q)
    } else {
        sorted_list(conn, q)
    }
}

/// `EXPLAIN QUERY PLAN` of every statement a listing can run, one line per plan row.
fn plan(conn: &Connection, q: &LocalQueueQuery) -> Result<Vec<String>> {
    let counts = Where::counts(q);
    let w = Where::entries(q);
    let mut steps = vec![(total_step(&counts), &counts)];
    if uses_fast_path(q) {
        let p = FastPlan { now: millis(q.now) };
        for step in [
            p.overdue_count(&w),
            p.overdue_key_at(&w, 0),
            p.overdue_before(&w, 0),
            p.overdue_between(&w, 0, 0),
            p.future_count(&w),
            p.future(&w),
            p.started_key_at(&w, 0),
            p.started_before(&w, 0),
            p.started_between(&w, 0, 0),
        ] {
            steps.push((step, &w));
        }
    } else {
        steps.push((sorted_step(&w, q), &w));
    }
    let mut out = Vec::new();
    for (step, w) in &steps {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", step.sql))?;
        let mut rows = stmt.query(step.args(w).as_slice())?;
        while let Some(r) = rows.next()? {
            out.push(r.get::<_, String>(3)?);
        }
    }
    Ok(out)
}

impl LocalStore {
    /// Makes `entries` the whole of one queue (`Some(kind)`) or of all queues (`None`), in one
    /// transaction: readers see the old queue or the new one.
    pub fn replace_queue_entries(
        &self,
        kind: Option<QueueKind>,
        entries: &[LocalQueueEntry],
        at: DateTime<Utc>,
    ) -> Result<usize> {
        let encoded = encode(entries)?;
        self.write(|tx| replace(tx.conn(), kind, &encoded, at))
    }

    /// Adds or updates one entry (a queue change from the feed).
    pub fn upsert_queue_entry(&self, entry: &LocalQueueEntry, at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| tx.upsert_queue_entry(entry, at))
    }

    /// Takes the order out of one queue (or all); returns how many entries went.
    pub fn remove_queue_entry(&self, order: &OrderId, kind: Option<QueueKind>) -> Result<usize> {
        self.write(|tx| tx.remove_queue_entry(order, kind))
    }

    /// The order's entries (at most one per queue).
    pub fn queue_entries_of(&self, order: &OrderId) -> Result<Vec<LocalQueueEntry>> {
        self.read(|conn| of_order(conn, order))
    }

    /// A page of a queue in the domain's work order at `query.now`, and the number of entries
    /// matching the filters.
    pub fn list_queue(&self, query: &LocalQueueQuery) -> Result<Page<LocalQueueEntry>> {
        self.read(|conn| list(conn, query))
    }

    /// The query plans of [`Self::list_queue`]'s statements for `query` (for tests and tuning).
    pub fn queue_query_plan(&self, query: &LocalQueueQuery) -> Result<Vec<String>> {
        self.read(|conn| plan(conn, query))
    }
}

impl LocalTx<'_> {
    pub fn replace_queue_entries(
        &self,
        kind: Option<QueueKind>,
        entries: &[LocalQueueEntry],
        at: DateTime<Utc>,
    ) -> Result<usize> {
        replace(self.conn(), kind, &encode(entries)?, at)
    }

    pub fn upsert_queue_entry(&self, entry: &LocalQueueEntry, at: DateTime<Utc>) -> Result<()> {
        let encoded = encode(std::slice::from_ref(entry))?;
        encoded.iter().try_for_each(|e| upsert(self.conn(), e, at))
    }

    pub fn remove_queue_entry(&self, order: &OrderId, kind: Option<QueueKind>) -> Result<usize> {
        remove(self.conn(), order, kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn the_rank_of_a_key_is_that_of_the_domain() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap() + Duration::milliseconds(437);
        let policy = AgeingPolicy::default();
        for p in 0..=4u8 {
            for waited_ms in [
                0i64, 1, 562, 563, 999, 1000, 1001, 7_199_999, 7_200_000, 86_400_123,
            ] {
                let since = now - Duration::milliseconds(waited_ms);
                let priority = Priority::new(p).unwrap();
                let e = QueueEntry {
                    order: OrderId::new("o"),
                    customer: CustomerId::new("c"),
                    kind: QueueKind::Held,
                    reason: None,
                    priority,
                    waiting_since: since,
                    sla_due: None,
                    claimed_by: None,
                };
                let key = rank_key(&e);
                let domain = policy.rank(priority, since, now).score();
                let n = millis(now);
                // rank = ceil((key - now) / 1000), and rank_ceiling is the last key of that rank.
                assert_eq!(
                    (rank_ceiling(key, n) - n) / 1000,
                    domain,
                    "p{p} waited {waited_ms}"
                );
                assert!(rank_ceiling(key, n) >= key && rank_ceiling(key, n) - key < 1000);
            }
        }
    }

    #[test]
    fn kind_names_round_trip() {
        for k in [
            QueueKind::Held,
            QueueKind::Pending,
            QueueKind::CancellationAssessment,
            QueueKind::Jeopardy,
        ] {
            assert_eq!(parse_kind(kind_name(k)).unwrap(), k);
        }
        assert!(parse_kind("nope").is_err());
    }
}
