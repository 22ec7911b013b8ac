//! Reference data for offline validation: one JSON document per (kind, id), kept as the server
//! served it (TMF620 catalog objects, TMF637 products, addresses, customers, credit profiles...),
//! so the desk core can rebuild the fixtures crate's in-memory indexes without the network.
//! The store does not interpret the documents; `owner` (the customer a product or a credit
//! profile belongs to) is given by the caller and makes a customer's documents one index range.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::{LocalStore, LocalTx};
use crate::codec::{from_json, millis, to_json};
use crate::error::Result;

/// The kinds of reference document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    /// TMF620 `ProductOffering`.
    ProductOffering,
    /// TMF620 `ProductSpecification`.
    ProductSpecification,
    /// TMF620 `ProductOfferingPrice`.
    ProductOfferingPrice,
    Address,
    Exchange,
    Customer,
    CreditProfile,
    PaymentMethod,
    /// TMF637 `Product`: an installed product (owner: its customer).
    Product,
    /// TMF648 `Quote`.
    Quote,
}

impl ReferenceKind {
    pub const ALL: &'static [ReferenceKind] = &[
        Self::ProductOffering,
        Self::ProductSpecification,
        Self::ProductOfferingPrice,
        Self::Address,
        Self::Exchange,
        Self::Customer,
        Self::CreditProfile,
        Self::PaymentMethod,
        Self::Product,
        Self::Quote,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProductOffering => "productOffering",
            Self::ProductSpecification => "productSpecification",
            Self::ProductOfferingPrice => "productOfferingPrice",
            Self::Address => "address",
            Self::Exchange => "exchange",
            Self::Customer => "customer",
            Self::CreditProfile => "creditProfile",
            Self::PaymentMethod => "paymentMethod",
            Self::Product => "product",
            Self::Quote => "quote",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// One reference document.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceRow {
    pub id: String,
    /// The customer the document belongs to, if any.
    pub owner: Option<String>,
    pub json: Value,
}

impl ReferenceRow {
    pub fn new(id: impl Into<String>, json: Value) -> Self {
        Self {
            id: id.into(),
            owner: None,
            json,
        }
    }

    pub fn owned_by(mut self, owner: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self
    }
}

/// One kind's share of a refresh from the server: documents to write (new or changed) and ids to
/// delete (no longer served).
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceChange {
    pub kind: ReferenceKind,
    pub write: Vec<ReferenceRow>,
    pub delete: Vec<String>,
}

fn delete(conn: &Connection, kind: ReferenceKind, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM reference WHERE kind = ?1 AND id = ?2")?
        .execute(params![kind.as_str(), id])?
        > 0)
}

fn put(
    conn: &Connection,
    kind: ReferenceKind,
    id: &str,
    owner: Option<&str>,
    json: &str,
    at: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO reference (kind, id, owner, json, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (kind, id) DO UPDATE SET owner = excluded.owner, json = excluded.json,
             updated_at = excluded.updated_at",
    )?
    .execute(params![kind.as_str(), id, owner, json, at])?;
    Ok(())
}

fn put_all(
    conn: &Connection,
    kind: ReferenceKind,
    rows: &[(&ReferenceRow, String)],
    at: DateTime<Utc>,
) -> Result<usize> {
    for (row, json) in rows {
        put(conn, kind, &row.id, row.owner.as_deref(), json, millis(at))?;
    }
    Ok(rows.len())
}

fn encode(rows: &[ReferenceRow]) -> Result<Vec<(&ReferenceRow, String)>> {
    rows.iter()
        .map(|r| Ok((r, to_json(&r.json, "reference document")?)))
        .collect()
}

fn read_rows(mut rows: rusqlite::Rows<'_>) -> Result<Vec<ReferenceRow>> {
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(ReferenceRow {
            id: r.get(0)?,
            owner: r.get(1)?,
            json: from_json(&r.get::<_, String>(2)?, "reference.json")?,
        });
    }
    Ok(out)
}

impl LocalStore {
    /// Stores (or replaces) one document.
    pub fn put_reference(
        &self,
        kind: ReferenceKind,
        row: &ReferenceRow,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.put_references(kind, std::slice::from_ref(row), at)
            .map(|_| ())
    }

    /// Stores (or replaces) many documents of one kind in one transaction.
    pub fn put_references(
        &self,
        kind: ReferenceKind,
        rows: &[ReferenceRow],
        at: DateTime<Utc>,
    ) -> Result<usize> {
        let encoded = encode(rows)?;
        self.write(|tx| put_all(tx.conn(), kind, &encoded, at))
    }

    /// Makes `rows` the whole of `kind` (a full refresh of the catalog, say), in one transaction:
    /// readers see the old set or the new one, never a mix.
    pub fn replace_references(
        &self,
        kind: ReferenceKind,
        rows: &[ReferenceRow],
        at: DateTime<Utc>,
    ) -> Result<usize> {
        let encoded = encode(rows)?;
        self.write(|tx| {
            tx.conn()
                .prepare_cached("DELETE FROM reference WHERE kind = ?1")?
                .execute([kind.as_str()])?;
            put_all(tx.conn(), kind, &encoded, at)
        })
    }

    /// Applies a refresh, every kind in one transaction: readers see the reference data before it
    /// or after it, never a mix. Returns how many documents were written and deleted.
    pub fn apply_reference_changes(
        &self,
        changes: &[ReferenceChange],
        at: DateTime<Utc>,
    ) -> Result<(usize, usize)> {
        let encoded = changes
            .iter()
            .map(|c| Ok((c, encode(&c.write)?)))
            .collect::<Result<Vec<_>>>()?;
        self.write(|tx| {
            let (mut written, mut deleted) = (0, 0);
            for (change, rows) in &encoded {
                written += put_all(tx.conn(), change.kind, rows, at)?;
                for id in &change.delete {
                    deleted += usize::from(delete(tx.conn(), change.kind, id)?);
                }
            }
            Ok((written, deleted))
        })
    }

    pub fn get_reference(&self, kind: ReferenceKind, id: &str) -> Result<Option<ReferenceRow>> {
        self.read(|conn| {
            let row: Option<(Option<String>, String)> = conn
                .prepare_cached("SELECT owner, json FROM reference WHERE kind = ?1 AND id = ?2")?
                .query_row(params![kind.as_str(), id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            row.map(|(owner, json)| {
                Ok(ReferenceRow {
                    id: id.to_owned(),
                    owner,
                    json: from_json(&json, "reference.json")?,
                })
            })
            .transpose()
        })
    }

    /// Every document of a kind, by id.
    pub fn list_reference(&self, kind: ReferenceKind) -> Result<Vec<ReferenceRow>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, owner, json FROM reference WHERE kind = ?1 ORDER BY id",
            )?;
            let out = read_rows(stmt.query([kind.as_str()])?)?;
            Ok(out)
        })
    }

    /// The documents of a kind that belong to `owner` (a customer's products), by id.
    pub fn list_reference_of(&self, kind: ReferenceKind, owner: &str) -> Result<Vec<ReferenceRow>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, owner, json FROM reference WHERE kind = ?1 AND owner = ?2 ORDER BY id",
            )?;
            let out = read_rows(stmt.query(params![kind.as_str(), owner])?)?;
            Ok(out)
        })
    }
}

impl LocalTx<'_> {
    pub fn put_reference(
        &self,
        kind: ReferenceKind,
        row: &ReferenceRow,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let json = to_json(&row.json, "reference document")?;
        put(
            self.conn(),
            kind,
            &row.id,
            row.owner.as_deref(),
            &json,
            millis(at),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, v: i64) -> ReferenceRow {
        ReferenceRow::new(id, serde_json::json!({ "v": v }))
    }

    #[test]
    fn a_refresh_writes_and_deletes_in_one_go() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(&dir.path().join("p.sqlite")).unwrap();
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let offering = ReferenceKind::ProductOffering;
        store
            .put_references(offering, &[row("A", 1), row("B", 1)], at)
            .unwrap();
        store
            .put_references(ReferenceKind::Product, &[row("P", 1).owned_by("C-1")], at)
            .unwrap();
        let changes = [
            ReferenceChange {
                kind: offering,
                write: vec![row("A", 2), row("C", 1)],
                delete: vec!["B".into(), "gone-already".into()],
            },
            ReferenceChange {
                kind: ReferenceKind::Product,
                write: vec![],
                delete: vec!["P".into()],
            },
        ];
        assert_eq!(store.apply_reference_changes(&changes, at).unwrap(), (2, 2));
        assert_eq!(
            store.list_reference(offering).unwrap(),
            vec![row("A", 2), row("C", 1)]
        );
        assert!(store
            .list_reference_of(ReferenceKind::Product, "C-1")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn kinds_round_trip() {
        for k in ReferenceKind::ALL {
            assert_eq!(ReferenceKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(ReferenceKind::parse("user"), None);
    }
}
