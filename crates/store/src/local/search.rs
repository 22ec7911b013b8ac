//! Full-text search over local orders: the customer's name (and id), the address text (and
//! address ids), the order id and its external ids, in one FTS5 table whose rowid is the order's.
//!
//! User input never reaches FTS5 syntax: [`fts_query`] keeps only runs of letters and digits of
//! each word, quotes each word as a phrase and makes it a prefix (`"resi"*`), and joins the
//! words with AND. Quotes, `*`, `^`, `:`, parentheses, `NEAR`, `AND`/`OR`/`NOT` are therefore
//! either dropped or searched as plain words; input with no letter or digit finds nothing.

use orderdesk_domain::ProductOrder;
use rusqlite::{params, Connection};

use super::orders::{order_from_row, LocalOrder, SearchText};
use super::LocalStore;
use crate::error::Result;

/// Words of a query beyond this are ignored; a word is cut at [`MAX_WORD`] characters.
const MAX_WORDS: usize = 8;
const MAX_WORD: usize = 64;

/// The text of an order's FTS row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FtsRow {
    order_id: String,
    external_ids: String,
    customer: String,
    address: String,
}

impl FtsRow {
    pub(crate) fn of(order: &ProductOrder, search: &SearchText) -> Self {
        let party_name = order
            .related_parties
            .iter()
            .find(|p| p.role.eq_ignore_ascii_case("customer"))
            .and_then(|p| p.name.clone());
        let name = search.customer_name.clone().or(party_name);
        let customer = [name.as_deref(), Some(order.customer.as_str())]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let mut address: Vec<&str> = search.address.as_deref().into_iter().collect();
        address.extend(order.places().into_iter().map(|p| p.as_str()));
        Self {
            order_id: order.id.to_string(),
            external_ids: order
                .external_ids
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            customer,
            address: address.join(" "),
        }
    }
}

pub(crate) fn write_row(conn: &Connection, pk: i64, row: &FtsRow) -> Result<()> {
    conn.prepare_cached("DELETE FROM orders_fts WHERE rowid = ?1")?
        .execute([pk])?;
    conn.prepare_cached(
        "INSERT INTO orders_fts (rowid, order_id, external_ids, customer_name, address)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        pk,
        row.order_id,
        row.external_ids,
        row.customer,
        row.address
    ])?;
    Ok(())
}

/// The FTS5 query for what a user typed, or `None` when it holds nothing searchable.
/// `Alpha "Res` → `"alpha"* AND "jan"*`; `ORD-1042` → `"ORD 1042"*`.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .filter_map(|word| {
            let runs: Vec<String> = word
                .split(|c: char| !c.is_alphanumeric())
                .filter(|run| !run.is_empty())
                .map(str::to_owned)
                .collect();
            let phrase: String = runs.join(" ").chars().take(MAX_WORD).collect();
            let phrase = phrase.trim().to_owned();
            (!phrase.is_empty()).then(|| format!("\"{phrase}\"*"))
        })
        .take(MAX_WORDS)
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}

fn search(conn: &Connection, text: &str, limit: u32) -> Result<Vec<LocalOrder>> {
    let Some(query) = fts_query(text) else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare_cached(
        // The best `limit` row ids first, from the FTS index alone; only those orders are read.
        "SELECT o.body, o.customer_name, o.address_text, o.server_version, o.etag,
                o.sync_status, o.sync_detail, o.last_error, o.updated_at
         FROM (SELECT rowid AS pk, rank AS score FROM orders_fts WHERE orders_fts MATCH ?1
               ORDER BY rank, rowid DESC LIMIT ?2) AS hit
         JOIN orders o ON o.pk = hit.pk
         ORDER BY hit.score, hit.pk DESC",
    )?;
    let mut rows = stmt.query(params![query, limit])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(order_from_row(row)?);
    }
    Ok(out)
}

impl LocalStore {
    /// Orders whose customer name, address, order id or external id contain words starting
    /// with each word of `text`, best match (BM25) first, then the latest stored. Any input is
    /// safe: text without a letter or digit finds nothing.
    pub fn search(&self, text: &str, limit: u32) -> Result<Vec<LocalOrder>> {
        self.read(|conn| search(conn, text, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_quoted_prefix_phrases() {
        let cases: &[(&str, Option<&str>)] = &[
            ("", None),
            ("   ", None),
            ("*", None),
            ("\"", None),
            ("( ) * : ^ - +", None),
            ("alpha", Some("\"alpha\"*")),
            ("Alpha \"Res", Some("\"Alpha\"* AND \"Res\"*")),
            ("ORD-1042", Some("\"ORD 1042\"*")),
            ("a NEAR b", Some("\"a\"* AND \"NEAR\"* AND \"b\"*")),
            ("NEAR(a b)", Some("\"NEAR a\"* AND \"b\"*")),
            ("x OR y", Some("\"x\"* AND \"OR\"* AND \"y\"*")),
            ("col:val", Some("\"col val\"*")),
            ("Ünïcødé", Some("\"Ünïcødé\"*")),
        ];
        for (input, expected) in cases {
            assert_eq!(fts_query(input).as_deref(), *expected, "{input:?}");
        }
    }

    #[test]
    fn long_queries_are_bounded() {
        let q = fts_query(&"abcdefghij".repeat(100)).unwrap();
        assert_eq!(q.len(), MAX_WORD + 3);
        let q = fts_query(&"w ".repeat(100)).unwrap();
        assert_eq!(q.matches("AND").count(), MAX_WORDS - 1);
    }
}
