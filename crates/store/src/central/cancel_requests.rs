//! TMF622 cancel requests (`CancelProductOrder`): the domain [`CancelRequest`] as JSON, with its
//! order and state as columns for lists. Each write records a change row. The request's steps
//! (and the order's matching update) are decided by the domain's cancellation flow; the server
//! writes both in one [`super::CentralStore::write`].

use chrono::{DateTime, Utc};
use orderdesk_domain::desk::CancelRequest;
use orderdesk_domain::lifecycle::CancelState;
use orderdesk_domain::{CancelRequestId, OrderId};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection};
use serde_json::json;

use super::changes::{self, ChangeOp, Entity};
use super::{CentralStore, CentralTx, Page};
use crate::codec::{count_from_sql, from_json, millis, sql_count, to_json};
use crate::error::{Result, StoreError};

/// Which cancel requests to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CancelRequestQuery {
    pub order: Option<OrderId>,
    pub state: Option<CancelState>,
    pub offset: u64,
    pub limit: u32,
}

fn get(conn: &Connection, id: &CancelRequestId) -> Result<Option<CancelRequest>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM cancel_requests WHERE id = ?1")?;
    let mut rows = stmt.query([id.as_str()])?;
    match rows.next()? {
        Some(r) => Ok(Some(from_json(&r.get::<_, String>(0)?, "cancel request")?)),
        None => Ok(None),
    }
}

fn insert(conn: &Connection, request: &CancelRequest, at: DateTime<Utc>) -> Result<()> {
    let order_exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM orders WHERE id = ?1)")?
        .query_row([request.order.as_str()], |r| r.get(0))?;
    if !order_exists {
        return Err(StoreError::not_found(
            "productOrder",
            request.order.as_str(),
        ));
    }
    let n = conn
        .prepare_cached(
            "INSERT INTO cancel_requests (id, order_id, state, created_at, updated_at, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            request.id.as_str(),
            request.order.as_str(),
            request.state.as_str(),
            millis(request.created_at),
            millis(at),
            to_json(request, "cancel request")?
        ])?;
    if n == 0 {
        return Err(StoreError::duplicate(
            "cancelProductOrder",
            request.id.as_str(),
        ));
    }
    changes::record(
        conn,
        at,
        Entity::CancelProductOrder,
        request.id.as_str(),
        ChangeOp::Create,
        None,
        &json!({ "state": request.state.as_str(), "productOrder": request.order.as_str() }),
    )
}

fn update(conn: &Connection, request: &CancelRequest, at: DateTime<Utc>) -> Result<()> {
    let before = get(conn, &request.id)?
        .ok_or_else(|| StoreError::not_found("cancelProductOrder", request.id.as_str()))?;
    if before.order != request.order {
        return Err(StoreError::Inconsistent(format!(
            "cancel request `{}` belongs to order `{}`, not `{}`",
            request.id, before.order, request.order
        )));
    }
    conn.prepare_cached(
        "UPDATE cancel_requests SET state = ?2, updated_at = ?3, body = ?4 WHERE id = ?1",
    )?
    .execute(params![
        request.id.as_str(),
        request.state.as_str(),
        millis(at),
        to_json(request, "cancel request")?
    ])?;
    let op = if before.state == request.state {
        ChangeOp::Update
    } else {
        ChangeOp::StateChange
    };
    changes::record(
        conn,
        at,
        Entity::CancelProductOrder,
        request.id.as_str(),
        op,
        None,
        &json!({
            "state": request.state.as_str(),
            "previousState": before.state.as_str(),
            "productOrder": request.order.as_str(),
        }),
    )
}

fn list(conn: &Connection, q: &CancelRequestQuery) -> Result<Page<CancelRequest>> {
    let mut conds = Vec::new();
    let mut params: Vec<SqlValue> = Vec::new();
    if let Some(order) = &q.order {
        conds.push("order_id = ?");
        params.push(SqlValue::Text(order.to_string()));
    }
    if let Some(state) = q.state {
        conds.push("state = ?");
        params.push(SqlValue::Text(state.as_str().to_owned()));
    }
    let filter = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM cancel_requests{filter}"))?
        .query_row(params_from_iter(params.iter()), |r| r.get(0))?;
    params.push(SqlValue::Integer(i64::from(q.limit)));
    params.push(SqlValue::Integer(sql_count(q.offset)));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT body FROM cancel_requests{filter} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
    ))?;
    let bodies: Vec<String> = stmt
        .query_map(params_from_iter(params.iter()), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let items = bodies
        .iter()
        .map(|b| from_json(b, "cancel request"))
        .collect::<Result<_>>()?;
    Ok(Page {
        items,
        total: count_from_sql(total),
    })
}

impl CentralStore {
    /// Stores a new cancel request ([`StoreError::Duplicate`] if its id is taken).
    pub fn insert_cancel_request(&self, request: &CancelRequest, at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| tx.insert_cancel_request(request, at))
    }

    pub fn get_cancel_request(&self, id: &CancelRequestId) -> Result<CancelRequest> {
        self.read(|conn| get(conn, id))?
            .ok_or_else(|| StoreError::not_found("cancelProductOrder", id.as_str()))
    }

    /// Replaces a stored cancel request (same id, same order) with its next step.
    pub fn update_cancel_request(&self, request: &CancelRequest, at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| tx.update_cancel_request(request, at))
    }

    pub fn list_cancel_requests(&self, query: &CancelRequestQuery) -> Result<Page<CancelRequest>> {
        self.read(|conn| list(conn, query))
    }
}

impl CentralTx<'_> {
    pub fn insert_cancel_request(&self, request: &CancelRequest, at: DateTime<Utc>) -> Result<()> {
        insert(self.conn(), request, at)
    }

    pub fn get_cancel_request(&self, id: &CancelRequestId) -> Result<Option<CancelRequest>> {
        get(self.conn(), id)
    }

    pub fn update_cancel_request(&self, request: &CancelRequest, at: DateTime<Utc>) -> Result<()> {
        update(self.conn(), request, at)
    }
}
