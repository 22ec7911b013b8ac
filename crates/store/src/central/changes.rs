//! The changes feed: an append-only log with one row per change to a synced entity, written in
//! the change's own transaction, read by cursor (`seq`). Desks and other followers poll
//! [`CentralStore::changes_since`] with the last `seq` they saw.
//!
//! Payloads are small summaries (state, version, what happened), not documents: a follower that
//! needs the entity reads its current state, so several changes to one entity between two polls
//! cost one read.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde_json::Value;

use super::{CentralStore, CentralTx};
use crate::codec::{count_from_sql, from_json, from_millis, millis, sql_count};
use crate::error::{Result, StoreError};

/// What kind of thing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    ProductOrder,
    QueueEntry,
    CancelProductOrder,
    ServiceOrder,
    Product,
}

impl Entity {
    pub const ALL: &'static [Entity] = &[
        Self::ProductOrder,
        Self::QueueEntry,
        Self::CancelProductOrder,
        Self::ServiceOrder,
        Self::Product,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProductOrder => "productOrder",
            Self::QueueEntry => "queueEntry",
            Self::CancelProductOrder => "cancelProductOrder",
            Self::ServiceOrder => "serviceOrder",
            Self::Product => "product",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|e| e.as_str() == s)
    }
}

/// What happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeOp {
    Create,
    /// Any change that is not a state change.
    Update,
    StateChange,
    Delete,
    /// A queue entry was claimed (or its lease extended).
    Claim,
    /// A queue entry's claim was given back.
    Release,
}

impl ChangeOp {
    pub const ALL: &'static [ChangeOp] = &[
        Self::Create,
        Self::Update,
        Self::StateChange,
        Self::Delete,
        Self::Claim,
        Self::Release,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::StateChange => "stateChange",
            Self::Delete => "delete",
            Self::Claim => "claim",
            Self::Release => "release",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// One row of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The cursor: strictly increasing, in commit order, never reused.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub entity: Entity,
    pub entity_id: String,
    pub kind: ChangeOp,
    /// The entity's version after the change, for versioned entities (product orders).
    pub version: Option<u32>,
    pub payload: Value,
}

/// Appends a change; every write module calls this inside its transaction.
pub(crate) fn record(
    conn: &Connection,
    at: DateTime<Utc>,
    entity: Entity,
    entity_id: &str,
    kind: ChangeOp,
    version: Option<u32>,
    payload: &Value,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO changes (at, entity, entity_id, kind, version, payload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        millis(at),
        entity.as_str(),
        entity_id,
        kind.as_str(),
        version,
        payload.to_string()
    ])?;
    Ok(())
}

fn since(conn: &Connection, cursor: u64, limit: u32) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, entity, entity_id, kind, version, payload
         FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![sql_count(cursor), limit], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<u32>>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, at, entity, entity_id, kind, version, payload) = row?;
        out.push(Change {
            seq: count_from_sql(seq),
            at: from_millis(at, "changes.at")?,
            entity: Entity::parse(&entity)
                .ok_or_else(|| StoreError::corrupt("changes.entity", &entity))?,
            entity_id,
            kind: ChangeOp::parse(&kind)
                .ok_or_else(|| StoreError::corrupt("changes.kind", &kind))?,
            version,
            payload: from_json(&payload, "changes.payload")?,
        });
    }
    Ok(out)
}

impl CentralStore {
    /// Up to `limit` changes after `cursor` (0 reads from the start), oldest first.
    pub fn changes_since(&self, cursor: u64, limit: u32) -> Result<Vec<Change>> {
        self.read(|conn| since(conn, cursor, limit))
    }

    /// The `seq` of the newest change (0 when there is none): a new follower starts here.
    pub fn latest_cursor(&self) -> Result<u64> {
        self.read(|conn| {
            let seq: i64 =
                conn.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
                    r.get(0)
                })?;
            Ok(count_from_sql(seq))
        })
    }
}

impl CentralTx<'_> {
    /// Records a change to an entity the store does not write itself (the server's own
    /// bookkeeping), in this transaction.
    pub fn record_change(
        &self,
        at: DateTime<Utc>,
        entity: Entity,
        entity_id: &str,
        kind: ChangeOp,
        version: Option<u32>,
        payload: &Value,
    ) -> Result<()> {
        record(self.conn(), at, entity, entity_id, kind, version, payload)
    }
}
