//! Reference data loaded in demo mode: one JSON document per (kind, id). The store does not
//! interpret the documents, except for a user's `token`, which an expression index makes a
//! lookup (`user_by_token`). Demo loading happens only into an empty database
//! ([`CentralStore::is_empty`]).

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::{CentralStore, CentralTx};
use crate::codec::{from_json, to_json};
use crate::error::Result;

/// The kinds of reference document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    ProductOffering,
    ProductSpecification,
    ProductOfferingPrice,
    Quote,
    Address,
    Exchange,
    Customer,
    CreditProfile,
    /// `{id, name, role, token}`; found by token.
    User,
    SomRule,
}

impl ReferenceKind {
    pub const ALL: &'static [ReferenceKind] = &[
        Self::ProductOffering,
        Self::ProductSpecification,
        Self::ProductOfferingPrice,
        Self::Quote,
        Self::Address,
        Self::Exchange,
        Self::Customer,
        Self::CreditProfile,
        Self::User,
        Self::SomRule,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProductOffering => "productOffering",
            Self::ProductSpecification => "productSpecification",
            Self::ProductOfferingPrice => "productOfferingPrice",
            Self::Quote => "quote",
            Self::Address => "address",
            Self::Exchange => "exchange",
            Self::Customer => "customer",
            Self::CreditProfile => "creditProfile",
            Self::User => "user",
            Self::SomRule => "somRule",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

fn put(conn: &Connection, kind: ReferenceKind, id: &str, doc: &Value) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO reference (kind, id, json) VALUES (?1, ?2, ?3)
         ON CONFLICT (kind, id) DO UPDATE SET json = excluded.json",
    )?
    .execute(params![
        kind.as_str(),
        id,
        to_json(doc, "reference document")?
    ])?;
    Ok(())
}

impl CentralStore {
    /// Stores (or replaces) one reference document.
    pub fn put_reference(&self, kind: ReferenceKind, id: &str, doc: &Value) -> Result<()> {
        self.write(|tx| tx.put_reference(kind, id, doc))
    }

    /// Stores many documents of one kind in one transaction (demo load).
    pub fn put_references<'a>(
        &self,
        kind: ReferenceKind,
        docs: impl IntoIterator<Item = (&'a str, &'a Value)>,
    ) -> Result<usize> {
        self.write(|tx| {
            let mut n = 0;
            for (id, doc) in docs {
                tx.put_reference(kind, id, doc)?;
                n += 1;
            }
            Ok(n)
        })
    }

    pub fn get_reference(&self, kind: ReferenceKind, id: &str) -> Result<Option<Value>> {
        self.read(|conn| {
            let json: Option<String> = conn
                .prepare_cached("SELECT json FROM reference WHERE kind = ?1 AND id = ?2")?
                .query_row(params![kind.as_str(), id], |r| r.get(0))
                .optional()?;
            json.map(|j| from_json(&j, "reference document"))
                .transpose()
        })
    }

    /// Every document of a kind, by id.
    pub fn list_reference(&self, kind: ReferenceKind) -> Result<Vec<(String, Value)>> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT id, json FROM reference WHERE kind = ?1 ORDER BY id")?;
            let rows: Vec<(String, String)> = stmt
                .query_map([kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            rows.into_iter()
                .map(|(id, j)| Ok((id, from_json(&j, "reference document")?)))
                .collect()
        })
    }

    /// The user document whose `token` is `token`.
    pub fn user_by_token(&self, token: &str) -> Result<Option<Value>> {
        self.read(|conn| {
            let json: Option<String> = conn
                .prepare_cached(
                    "SELECT json FROM reference
                     WHERE kind = 'user' AND json_extract(json, '$.token') = ?1",
                )?
                .query_row([token], |r| r.get(0))
                .optional()?;
            json.map(|j| from_json(&j, "user")).transpose()
        })
    }

    /// No order and no reference document yet: the only state `--demo` loads into.
    pub fn is_empty(&self) -> Result<bool> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM orders) AND NOT EXISTS (SELECT 1 FROM reference)",
                [],
                |r| r.get(0),
            )?)
        })
    }
}

impl CentralTx<'_> {
    pub fn put_reference(&self, kind: ReferenceKind, id: &str, doc: &Value) -> Result<()> {
        put(self.conn(), kind, id, doc)
    }
}
