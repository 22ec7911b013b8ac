//! An order's versions (the domain's [`OrderVersion`]: who, when, why, what, and a snapshot),
//! append-only: a version must follow the last one stored and not be dated before it, so the
//! history read back is a gap-free, time-ordered chain (an `UPDATE` is refused by a trigger).
//! Appending a version that is already stored, unchanged, is a no-op, so a history pulled
//! twice is harmless.

use orderdesk_domain::desk::OrderVersion;
use orderdesk_domain::OrderId;
use rusqlite::{params, Connection, OptionalExtension};

use super::{orders, LocalStore, LocalTx};
use crate::codec::{from_json, from_millis, millis, to_json};
use crate::error::{Result, StoreError};

fn append(conn: &Connection, order: &OrderId, version: &OrderVersion, body: &str) -> Result<bool> {
    if !orders::exists(conn, order.as_str())? {
        return Err(StoreError::not_found("productOrder", order.as_str()));
    }
    if version.snapshot.id != *order || version.snapshot.version != version.version {
        return Err(StoreError::Inconsistent(format!(
            "version {} of order `{order}` holds a snapshot of `{}` version {}",
            version.version, version.snapshot.id, version.snapshot.version
        )));
    }
    let last: Option<(u32, i64, String)> = conn
        .prepare_cached(
            "SELECT version, at, body FROM order_versions WHERE order_id = ?1
             ORDER BY version DESC LIMIT 1",
        )?
        .query_row([order.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    if let Some((n, _, stored)) = &last {
        if *n == version.version && stored == body {
            return Ok(false);
        }
    }
    let expected = last.as_ref().map_or(1, |(n, _, _)| n + 1);
    if version.version != expected {
        return Err(StoreError::NotNextVersion {
            expected,
            got: version.version,
        });
    }
    if let Some((_, at, _)) = last.filter(|(_, at, _)| *at > millis(version.at)) {
        return Err(StoreError::Inconsistent(format!(
            "version {} of order `{order}` is dated before version {}, at {}",
            version.version,
            expected - 1,
            from_millis(at, "order_versions.at")?
        )));
    }
    conn.prepare_cached(
        "INSERT INTO order_versions (order_id, version, at, by_user, body)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        order.as_str(),
        version.version,
        millis(version.at),
        version.by.as_str(),
        body
    ])?;
    Ok(true)
}

fn list(conn: &Connection, order: &OrderId) -> Result<Vec<OrderVersion>> {
    let mut stmt = conn
        .prepare_cached("SELECT body FROM order_versions WHERE order_id = ?1 ORDER BY version")?;
    let mut rows = stmt.query([order.as_str()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(from_json(&r.get::<_, String>(0)?, "order_versions.body")?);
    }
    Ok(out)
}

impl LocalStore {
    /// Appends the next version of a stored order; `false` when that exact version was already
    /// stored. Refuses a gap ([`StoreError::NotNextVersion`]), a version dated before the last,
    /// and a snapshot of another order or version ([`StoreError::Inconsistent`]).
    pub fn append_version(&self, order: &OrderId, version: &OrderVersion) -> Result<bool> {
        let body = to_json(version, "order version")?;
        self.write(|tx| append(tx.conn(), order, version, &body))
    }

    /// The order's versions, oldest first.
    pub fn versions(&self, order: &OrderId) -> Result<Vec<OrderVersion>> {
        self.read(|conn| list(conn, order))
    }
}

impl LocalTx<'_> {
    pub fn append_version(&self, order: &OrderId, version: &OrderVersion) -> Result<bool> {
        append(
            self.conn(),
            order,
            version,
            &to_json(version, "order version")?,
        )
    }
}
