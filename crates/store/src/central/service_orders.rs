//! TMF641 service orders produced by decomposition and submitted to service order management:
//! the domain [`ServiceOrder`] as JSON, the order's state and submission time as SOM reports
//! them, and one row per service order item with its state (what the roll-up to the product
//! order items reads). Each write records a change row.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use orderdesk_domain::decomposition::{ServiceItemState, ServiceOrder};
use orderdesk_domain::{OrderId, ServiceOrderId, ServiceOrderItemId};
use rusqlite::{params, Connection};
use serde_json::json;

use super::changes::{self, ChangeOp, Entity};
use super::{CentralStore, CentralTx};
use crate::codec::{from_json, from_opt_millis, millis, opt_millis, to_json};
use crate::error::{Result, StoreError};

/// A service order with what SOM has told about it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredServiceOrder {
    pub order: ServiceOrder,
    /// TMF641 `ServiceOrderStateType` as SOM last reported it (`acknowledged`, `inProgress`...).
    pub state: String,
    /// When it was submitted to SOM; `None` while not yet sent.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Every item's state, in the order's item order.
    pub item_states: Vec<(ServiceOrderItemId, ServiceItemState)>,
}

impl StoredServiceOrder {
    /// A service order not yet submitted: state `acknowledged`, every item `acknowledged`.
    pub fn new(order: ServiceOrder) -> Self {
        let item_states = order
            .items
            .iter()
            .map(|i| (i.id.clone(), ServiceItemState::Acknowledged))
            .collect();
        Self {
            order,
            state: "acknowledged".to_owned(),
            submitted_at: None,
            item_states,
        }
    }

    pub fn item_state(&self, item: &ServiceOrderItemId) -> Option<ServiceItemState> {
        self.item_states
            .iter()
            .find(|(id, _)| id == item)
            .map(|(_, s)| *s)
    }
}

fn get(conn: &Connection, id: &ServiceOrderId) -> Result<Option<StoredServiceOrder>> {
    let row: Option<(String, String, Option<i64>)> = {
        let mut stmt = conn
            .prepare_cached("SELECT body, state, submitted_at FROM service_orders WHERE id = ?1")?;
        let mut rows = stmt.query([id.as_str()])?;
        match rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?)),
            None => None,
        }
    };
    let Some((body, state, submitted_at)) = row else {
        return Ok(None);
    };
    let order: ServiceOrder = from_json(&body, "service order")?;
    let mut stmt = conn.prepare_cached(
        "SELECT item_id, state FROM service_order_items WHERE service_order_id = ?1",
    )?;
    let mut states = HashMap::new();
    let mut rows = stmt.query([id.as_str()])?;
    while let Some(r) = rows.next()? {
        let item: String = r.get(0)?;
        let state: String = r.get(1)?;
        let state = ServiceItemState::parse(&state)
            .ok_or_else(|| StoreError::corrupt("service_order_items.state", &state))?;
        states.insert(item, state);
    }
    let item_states = order
        .items
        .iter()
        .map(|i| {
            states
                .get(i.id.as_str())
                .map(|s| (i.id.clone(), *s))
                .ok_or_else(|| {
                    StoreError::corrupt("service_order_items", format!("no row for `{}`", i.id))
                })
        })
        .collect::<Result<_>>()?;
    Ok(Some(StoredServiceOrder {
        order,
        state,
        submitted_at: from_opt_millis(submitted_at, "service_orders.submitted_at")?,
        item_states,
    }))
}

fn require(conn: &Connection, id: &ServiceOrderId) -> Result<StoredServiceOrder> {
    get(conn, id)?.ok_or_else(|| StoreError::not_found("serviceOrder", id.as_str()))
}

fn save(conn: &Connection, so: &StoredServiceOrder, at: DateTime<Utc>) -> Result<()> {
    let order = &so.order;
    let order_exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM orders WHERE id = ?1)")?
        .query_row([order.product_order.as_str()], |r| r.get(0))?;
    if !order_exists {
        return Err(StoreError::not_found(
            "productOrder",
            order.product_order.as_str(),
        ));
    }
    let before = get(conn, &order.id)?;
    if let Some(b) = &before {
        if b.order.product_order != order.product_order {
            return Err(StoreError::Inconsistent(format!(
                "service order `{}` belongs to product order `{}`, not `{}`",
                order.id, b.order.product_order, order.product_order
            )));
        }
    }
    conn.prepare_cached(
        "INSERT INTO service_orders (id, product_order_id, state, submitted_at, created_at,
             updated_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state,
             submitted_at = excluded.submitted_at, updated_at = excluded.updated_at,
             body = excluded.body",
    )?
    .execute(params![
        order.id.as_str(),
        order.product_order.as_str(),
        so.state,
        opt_millis(so.submitted_at),
        millis(at),
        to_json(order, "service order")?
    ])?;
    conn.prepare_cached("DELETE FROM service_order_items WHERE service_order_id = ?1")?
        .execute([order.id.as_str()])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO service_order_items (service_order_id, item_id, state, cfs,
             product_order_item_ids)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for item in &order.items {
        let state = so
            .item_state(&item.id)
            .unwrap_or(ServiceItemState::Acknowledged);
        insert.execute(params![
            order.id.as_str(),
            item.id.as_str(),
            state.as_str(),
            item.cfs.as_str(),
            to_json(&item.from_items, "product order item ids")?
        ])?;
    }
    let op = match &before {
        None => ChangeOp::Create,
        Some(b) if b.state != so.state => ChangeOp::StateChange,
        Some(_) => ChangeOp::Update,
    };
    changes::record(
        conn,
        at,
        Entity::ServiceOrder,
        order.id.as_str(),
        op,
        None,
        &json!({ "state": so.state, "productOrder": order.product_order.as_str() }),
    )
}

fn set_item_state(
    conn: &Connection,
    id: &ServiceOrderId,
    item: &ServiceOrderItemId,
    state: ServiceItemState,
    at: DateTime<Utc>,
) -> Result<StoredServiceOrder> {
    let n = conn
        .prepare_cached(
            "UPDATE service_order_items SET state = ?3 WHERE service_order_id = ?1 AND item_id = ?2",
        )?
        .execute(params![id.as_str(), item.as_str(), state.as_str()])?;
    if n == 0 {
        return Err(StoreError::not_found(
            "serviceOrderItem",
            format!("{id}/{item}"),
        ));
    }
    conn.prepare_cached("UPDATE service_orders SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![id.as_str(), millis(at)])?;
    let stored = require(conn, id)?;
    changes::record(
        conn,
        at,
        Entity::ServiceOrder,
        id.as_str(),
        ChangeOp::Update,
        None,
        &json!({
            "state": stored.state,
            "productOrder": stored.order.product_order.as_str(),
            "item": item.as_str(),
            "itemState": state.as_str(),
        }),
    )?;
    Ok(stored)
}

fn set_state(
    conn: &Connection,
    id: &ServiceOrderId,
    state: &str,
    submitted_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Result<StoredServiceOrder> {
    let mut stored = require(conn, id)?;
    stored.state = state.to_owned();
    if submitted_at.is_some() {
        stored.submitted_at = submitted_at;
    }
    save(conn, &stored, at)?;
    require(conn, id)
}

impl CentralStore {
    /// Stores the service order (new, or replacing the stored one of the same product order).
    pub fn save_service_order(&self, order: &StoredServiceOrder, at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| tx.save_service_order(order, at))
    }

    pub fn get_service_order(&self, id: &ServiceOrderId) -> Result<StoredServiceOrder> {
        self.read(|conn| require(conn, id))
    }

    /// The product order's service orders, oldest first.
    pub fn list_service_orders(&self, product_order: &OrderId) -> Result<Vec<StoredServiceOrder>> {
        self.read(|conn| {
            let ids: Vec<String> = conn
                .prepare_cached(
                    "SELECT id FROM service_orders WHERE product_order_id = ?1
                     ORDER BY created_at, id",
                )?
                .query_map([product_order.as_str()], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            ids.into_iter()
                .map(|id| require(conn, &ServiceOrderId::new(id)))
                .collect()
        })
    }

    /// Records an item state SOM reported; returns the service order as it now stands.
    pub fn update_service_item_state(
        &self,
        id: &ServiceOrderId,
        item: &ServiceOrderItemId,
        state: ServiceItemState,
        at: DateTime<Utc>,
    ) -> Result<StoredServiceOrder> {
        self.write(|tx| tx.update_service_item_state(id, item, state, at))
    }

    /// Records the service order's state (and, when given, when it was submitted).
    pub fn update_service_order_state(
        &self,
        id: &ServiceOrderId,
        state: &str,
        submitted_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<StoredServiceOrder> {
        self.write(|tx| set_state(tx.conn(), id, state, submitted_at, at))
    }
}

impl CentralTx<'_> {
    pub fn save_service_order(&self, order: &StoredServiceOrder, at: DateTime<Utc>) -> Result<()> {
        save(self.conn(), order, at)
    }

    pub fn get_service_order(&self, id: &ServiceOrderId) -> Result<Option<StoredServiceOrder>> {
        get(self.conn(), id)
    }

    pub fn update_service_item_state(
        &self,
        id: &ServiceOrderId,
        item: &ServiceOrderItemId,
        state: ServiceItemState,
        at: DateTime<Utc>,
    ) -> Result<StoredServiceOrder> {
        set_item_state(self.conn(), id, item, state, at)
    }

    pub fn update_service_order_state(
        &self,
        id: &ServiceOrderId,
        state: &str,
        submitted_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<StoredServiceOrder> {
        set_state(self.conn(), id, state, submitted_at, at)
    }
}
