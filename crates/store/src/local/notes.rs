//! The desk's notes on an order, written locally. A note and the outbox entry that carries it
//! to the server commit together; notes the server already has travel inside the order.

use chrono::{DateTime, Utc};
use orderdesk_domain::{OrderId, UserId};
use rusqlite::{params, Connection};

use super::outbox::{self, NewOutboxEntry};
use super::{orders, LocalStore, LocalTx};
use crate::codec::{from_millis, millis};
use crate::error::{Result, StoreError};

/// A note on an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalNote {
    pub id: i64,
    pub order: OrderId,
    pub author: UserId,
    pub at: DateTime<Utc>,
    pub text: String,
}

fn add(
    conn: &Connection,
    order: &OrderId,
    author: &UserId,
    at: DateTime<Utc>,
    text: &str,
    entry: Option<&outbox::Encoded>,
) -> Result<(LocalNote, Option<u64>)> {
    if !orders::exists(conn, order.as_str())? {
        return Err(StoreError::not_found("productOrder", order.as_str()));
    }
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO order_notes (order_id, author, at, text) VALUES (?1, ?2, ?3, ?4)
             RETURNING id",
        )?
        .query_row(
            params![order.as_str(), author.as_str(), millis(at), text],
            |r| r.get(0),
        )?;
    let seq = entry.map(|e| outbox::insert_encoded(conn, e)).transpose()?;
    let note = LocalNote {
        id,
        order: order.clone(),
        author: author.clone(),
        at: from_millis(millis(at), "order_notes.at")?,
        text: text.to_owned(),
    };
    Ok((note, seq))
}

fn encode(order: &OrderId, entry: Option<&NewOutboxEntry>) -> Result<Option<outbox::Encoded>> {
    match entry {
        Some(e) if e.order_id != *order => Err(StoreError::Inconsistent(format!(
            "the outbox entry is for order `{}`, not `{order}`",
            e.order_id
        ))),
        Some(e) => outbox::Encoded::encode(e).map(Some),
        None => Ok(None),
    }
}

fn list(conn: &Connection, order: &OrderId) -> Result<Vec<LocalNote>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, author, at, text FROM order_notes WHERE order_id = ?1 ORDER BY at, id",
    )?;
    let mut rows = stmt.query([order.as_str()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(LocalNote {
            id: r.get(0)?,
            order: order.clone(),
            author: UserId::new(r.get::<_, String>(1)?),
            at: from_millis(r.get(2)?, "order_notes.at")?,
            text: r.get(3)?,
        });
    }
    Ok(out)
}

impl LocalStore {
    /// Adds a note to a stored order and, in the same transaction, the outbox entry that sends
    /// it; returns the note and the entry's sequence number.
    pub fn add_note(
        &self,
        order: &OrderId,
        author: &UserId,
        at: DateTime<Utc>,
        text: &str,
        outbox: Option<&NewOutboxEntry>,
    ) -> Result<(LocalNote, Option<u64>)> {
        let entry = encode(order, outbox)?;
        self.write(|tx| add(tx.conn(), order, author, at, text, entry.as_ref()))
    }

    /// The order's notes, oldest first.
    pub fn notes(&self, order: &OrderId) -> Result<Vec<LocalNote>> {
        self.read(|conn| list(conn, order))
    }
}

impl LocalTx<'_> {
    pub fn add_note(
        &self,
        order: &OrderId,
        author: &UserId,
        at: DateTime<Utc>,
        text: &str,
        outbox: Option<&NewOutboxEntry>,
    ) -> Result<(LocalNote, Option<u64>)> {
        let entry = encode(order, outbox)?;
        add(self.conn(), order, author, at, text, entry.as_ref())
    }
}
