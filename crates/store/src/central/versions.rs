//! Order versions: the append-only history written by every order create and update (in
//! `orders`), read here. There is deliberately no API to change or remove a version; a trigger
//! refuses an UPDATE of the table, and only purging the whole order removes its history.

use orderdesk_domain::desk::OrderVersion;
use orderdesk_domain::OrderId;
use rusqlite::{Connection, OptionalExtension};

use super::CentralStore;
use crate::codec::from_json;
use crate::error::{Result, StoreError};

fn order_pk(conn: &Connection, id: &OrderId) -> Result<i64> {
    conn.prepare_cached("SELECT pk FROM orders WHERE id = ?1")?
        .query_row([id.as_str()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::not_found("productOrder", id.as_str()))
}

impl CentralStore {
    /// Every version of the order, oldest first.
    pub fn list_versions(&self, order: &OrderId) -> Result<Vec<OrderVersion>> {
        self.read(|conn| {
            let pk = order_pk(conn, order)?;
            let mut stmt = conn.prepare_cached(
                "SELECT body FROM order_versions WHERE order_pk = ?1 ORDER BY version",
            )?;
            let bodies: Vec<String> = stmt
                .query_map([pk], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            bodies
                .iter()
                .map(|b| from_json(b, "order version"))
                .collect()
        })
    }

    /// Version `n` of the order.
    pub fn get_version(&self, order: &OrderId, n: u32) -> Result<OrderVersion> {
        self.read(|conn| {
            let pk = order_pk(conn, order)?;
            let body: Option<String> = conn
                .prepare_cached(
                    "SELECT body FROM order_versions WHERE order_pk = ?1 AND version = ?2",
                )?
                .query_row(rusqlite::params![pk, n], |r| r.get(0))
                .optional()?;
            match body {
                Some(b) => from_json(&b, "order version"),
                None => Err(StoreError::not_found(
                    "orderVersion",
                    format!("{order}/{n}"),
                )),
            }
        })
    }
}
