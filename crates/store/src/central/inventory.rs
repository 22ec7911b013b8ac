//! TMF637 product inventory: the domain [`ProductInstance`] as JSON, with its customer, status,
//! offering and place as columns for lists. Each write records a change row.

use chrono::{DateTime, Utc};
use orderdesk_domain::reference::{ProductInstance, ProductStatus};
use orderdesk_domain::{CustomerId, ProductId};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection};
use serde_json::json;

use super::changes::{self, ChangeOp, Entity};
use super::{CentralStore, CentralTx, Page};
use crate::codec::{count_from_sql, from_json, millis, serde_name, sql_count, to_json};
use crate::error::{Result, StoreError};

/// Which products to list (by id).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductQuery {
    pub customer: Option<CustomerId>,
    pub status: Option<ProductStatus>,
    pub offset: u64,
    pub limit: u32,
}

fn get(conn: &Connection, id: &ProductId) -> Result<Option<ProductInstance>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM products WHERE id = ?1")?;
    let mut rows = stmt.query([id.as_str()])?;
    match rows.next()? {
        Some(r) => Ok(Some(from_json(&r.get::<_, String>(0)?, "product")?)),
        None => Ok(None),
    }
}

fn upsert(conn: &Connection, product: &ProductInstance, at: DateTime<Utc>) -> Result<()> {
    let before = get(conn, &product.id)?;
    let status = serde_name(&product.status, "product status")?;
    conn.prepare_cached(
        "INSERT INTO products (id, customer_id, status, offering_id, place_id, updated_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id,
             status = excluded.status, offering_id = excluded.offering_id,
             place_id = excluded.place_id, updated_at = excluded.updated_at, body = excluded.body",
    )?
    .execute(params![
        product.id.as_str(),
        product.customer.as_str(),
        status,
        product.offering.as_str(),
        product.place.as_ref().map(|p| p.as_str()),
        millis(at),
        to_json(product, "product")?
    ])?;
    let op = match &before {
        None => ChangeOp::Create,
        Some(b) if b.status != product.status => ChangeOp::StateChange,
        Some(_) => ChangeOp::Update,
    };
    changes::record(
        conn,
        at,
        Entity::Product,
        product.id.as_str(),
        op,
        None,
        &json!({ "status": status, "customer": product.customer.as_str() }),
    )
}

fn list(conn: &Connection, q: &ProductQuery) -> Result<Page<ProductInstance>> {
    let mut conds = Vec::new();
    let mut params: Vec<SqlValue> = Vec::new();
    if let Some(customer) = &q.customer {
        conds.push("customer_id = ?");
        params.push(SqlValue::Text(customer.to_string()));
    }
    if let Some(status) = &q.status {
        conds.push("status = ?");
        params.push(SqlValue::Text(serde_name(status, "product status")?));
    }
    let filter = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM products{filter}"))?
        .query_row(params_from_iter(params.iter()), |r| r.get(0))?;
    params.push(SqlValue::Integer(i64::from(q.limit)));
    params.push(SqlValue::Integer(sql_count(q.offset)));
    let bodies: Vec<String> = conn
        .prepare_cached(&format!(
            "SELECT body FROM products{filter} ORDER BY id LIMIT ? OFFSET ?"
        ))?
        .query_map(params_from_iter(params.iter()), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Page {
        items: bodies
            .iter()
            .map(|b| from_json(b, "product"))
            .collect::<Result<_>>()?,
        total: count_from_sql(total),
    })
}

impl CentralStore {
    /// Stores the product, new or changed.
    pub fn upsert_product(&self, product: &ProductInstance, at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| tx.upsert_product(product, at))
    }

    pub fn get_product(&self, id: &ProductId) -> Result<ProductInstance> {
        self.read(|conn| get(conn, id))?
            .ok_or_else(|| StoreError::not_found("product", id.as_str()))
    }

    pub fn list_products(&self, query: &ProductQuery) -> Result<Page<ProductInstance>> {
        self.read(|conn| list(conn, query))
    }

    /// Every product of the customer, live or not (what the domain's `Inventory` reads).
    pub fn products_of(&self, customer: &CustomerId) -> Result<Vec<ProductInstance>> {
        self.list_products(&ProductQuery {
            customer: Some(customer.clone()),
            status: None,
            offset: 0,
            limit: u32::MAX,
        })
        .map(|p| p.items)
    }
}

impl CentralTx<'_> {
    pub fn upsert_product(&self, product: &ProductInstance, at: DateTime<Utc>) -> Result<()> {
        upsert(self.conn(), product, at)
    }

    pub fn get_product(&self, id: &ProductId) -> Result<Option<ProductInstance>> {
        get(self.conn(), id)
    }
}
