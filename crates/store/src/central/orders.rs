//! Product orders: the `orders` row (the columns lists filter and sort on), its document (the
//! domain `ProductOrder` as JSON and the wire extensions), its child rows (items, parties,
//! external ids), its first and later versions, the per-state counts, its change rows and its
//! notifications, always written together.
//!
//! Idempotent create: in one `IMMEDIATE` transaction, an order whose idempotency key or whose
//! (owner, externalId) is already stored is returned as [`CreateOutcome::Existing`] and nothing
//! is written; concurrent creates of the same order therefore produce exactly one order.
//! Optimistic concurrency: an update names the version it was made from; a stale one is refused
//! with the current version ([`StoreError::VersionConflict`]).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use orderdesk_domain::desk::{ChangeKind, OrderVersion};
use orderdesk_domain::{OrderId, ProductOrder, UserId};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use super::changes::{self, ChangeOp, Entity};
use super::hub::{self, OutboundEvent};
use super::{CentralStore, CentralTx};
use crate::codec::{from_json, from_millis, millis, opt_millis, to_json};
use crate::error::{Result, StoreError};

/// An order as stored: the domain order plus what only the wire needs.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredOrder {
    /// The order; `order.version` is its ETag.
    pub order: ProductOrder,
    /// Fields of the TMF body the domain does not model, echoed back on reads.
    pub extensions: Option<Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A create request.
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    /// Version 1 of the order.
    pub order: &'a ProductOrder,
    pub extensions: Option<&'a Value>,
    /// The client's `Idempotency-Key`; a second create with the same key returns the first order.
    pub idempotency_key: Option<&'a str>,
    pub by: &'a UserId,
    pub at: DateTime<Utc>,
    /// Why, for version 1 of the history (e.g. "captured at the desk").
    pub reason: &'a str,
    /// Notifications to send if (and only if) the order is created.
    pub events: &'a [OutboundEvent],
}

/// What a create did.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateOutcome {
    Created(StoredOrder),
    /// The same idempotency key or (owner, externalId) was already stored: this is that order,
    /// unchanged, and nothing was written.
    Existing(StoredOrder),
}

impl CreateOutcome {
    pub fn order(&self) -> &StoredOrder {
        match self {
            Self::Created(o) | Self::Existing(o) => o,
        }
    }

    pub fn into_order(self) -> StoredOrder {
        match self {
            Self::Created(o) | Self::Existing(o) => o,
        }
    }

    pub fn is_created(&self) -> bool {
        matches!(self, Self::Created(_))
    }
}

/// An accepted change to an order.
#[derive(Debug, Clone)]
pub struct OrderUpdate<'a> {
    /// The order after the change: `order.version == expected_version + 1`.
    pub order: &'a ProductOrder,
    /// The version (ETag) the change was made from.
    pub expected_version: u32,
    /// Its history record: same version number, snapshot of `order`.
    pub version: &'a OrderVersion,
    /// New wire extensions; `None` keeps the stored ones.
    pub extensions: Option<&'a Value>,
    pub events: &'a [OutboundEvent],
}

/// The rows of one order, encoded before the writer lock is taken.
struct OrderRows {
    id: String,
    version: u32,
    state: &'static str,
    customer: String,
    channel: Option<String>,
    priority: u8,
    order_date: i64,
    state_changed_at: i64,
    requested_start: Option<i64>,
    requested_completion: Option<i64>,
    /// When jeopardy assessment next alerts (`scans`), in nanoseconds.
    jeopardy_due: Option<i64>,
    created_by: Option<String>,
    payment_method: Option<String>,
    body: String,
    extensions: Option<String>,
    items: Vec<ItemRow>,
    parties: BTreeSet<(String, String)>,
    external_ids: Vec<ExternalIdRow>,
}

struct ItemRow {
    id: String,
    state: &'static str,
    action: &'static str,
    offering: Option<String>,
    place: Option<String>,
}

struct ExternalIdRow {
    owner: String,
    id: String,
    kind: Option<String>,
}

impl OrderRows {
    fn encode(order: &ProductOrder, extensions: Option<&Value>) -> Result<Self> {
        let mut external_ids: Vec<ExternalIdRow> = Vec::new();
        for e in &order.external_ids {
            let owner = e
                .owner
                .clone()
                .or_else(|| order.channel.clone())
                .unwrap_or_default();
            if !external_ids
                .iter()
                .any(|x| x.owner == owner && x.id == e.id)
            {
                external_ids.push(ExternalIdRow {
                    owner,
                    id: e.id.clone(),
                    kind: e.kind.clone(),
                });
            }
        }
        let mut parties = BTreeSet::new();
        parties.insert((order.customer.to_string(), "customer".to_owned()));
        for p in &order.related_parties {
            parties.insert((p.id.clone(), p.role.clone()));
        }
        Ok(Self {
            id: order.id.to_string(),
            version: order.version,
            state: order.state().as_str(),
            customer: order.customer.to_string(),
            channel: order.channel.clone(),
            priority: order.priority.level(),
            order_date: millis(order.order_date),
            state_changed_at: millis(order.state_changed_at),
            requested_start: opt_millis(order.requested_start_date),
            requested_completion: opt_millis(order.requested_completion_date),
            jeopardy_due: super::scans::jeopardy_due(order),
            created_by: order.created_by.as_ref().map(ToString::to_string),
            payment_method: order.payment.method.as_ref().map(ToString::to_string),
            body: to_json(order, "product order")?,
            extensions: extensions
                .map(|e| to_json(e, "order extensions"))
                .transpose()?,
            items: order
                .items
                .iter()
                .map(|i| ItemRow {
                    id: i.id.to_string(),
                    state: i.state().as_str(),
                    action: i.action.as_str(),
                    offering: i.offering.as_ref().map(ToString::to_string),
                    place: i.product.place.as_ref().map(ToString::to_string),
                })
                .collect(),
            parties,
            external_ids,
        })
    }

    fn item_states(&self) -> BTreeSet<&'static str> {
        self.items.iter().map(|i| i.state).collect()
    }
}

/// The fields of an [`OrderVersion`] before its snapshot, in its serde order.
#[derive(serde::Serialize)]
struct VersionHead<'a> {
    version: u32,
    at: &'a DateTime<Utc>,
    by: &'a UserId,
    reason: &'a str,
    change: &'a ChangeKind,
}

/// The JSON of `version`, whose snapshot is the order already written as `snapshot_json`: the
/// order is not encoded a second time. The same text `serde_json` writes for the whole
/// [`OrderVersion`] (a test checks it).
fn version_json(version: &OrderVersion, snapshot_json: &str) -> Result<String> {
    let head = to_json(
        &VersionHead {
            version: version.version,
            at: &version.at,
            by: &version.by,
            reason: &version.reason,
            change: &version.change,
        },
        "order version",
    )?;
    let Some(open) = head.strip_suffix('}') else {
        return Err(StoreError::corrupt(
            "order version",
            "its JSON is not an object",
        ));
    };
    let mut out = String::with_capacity(open.len() + snapshot_json.len() + 14);
    out.push_str(open);
    out.push_str(",\"snapshot\":");
    out.push_str(snapshot_json);
    out.push('}');
    Ok(out)
}

/// An encoded create, ready for the writer. It owns everything, so that whichever thread holds
/// the writer can run it (see `group_commit`).
pub(crate) struct EncodedCreate {
    rows: OrderRows,
    version_body: String,
    order: ProductOrder,
    extensions: Option<Value>,
    idempotency_key: Option<String>,
    by: UserId,
    at: DateTime<Utc>,
    events: Vec<OutboundEvent>,
}

impl EncodedCreate {
    pub(crate) fn encode(new: &NewOrder<'_>) -> Result<Self> {
        if new.order.version != 1 {
            return Err(StoreError::NotNextVersion {
                expected: 1,
                got: new.order.version,
            });
        }
        let version = OrderVersion {
            version: 1,
            at: new.at,
            by: new.by.clone(),
            reason: new.reason.to_owned(),
            change: ChangeKind::Created,
            snapshot: new.order.clone(),
        };
        let rows = OrderRows::encode(new.order, new.extensions)?;
        Ok(Self {
            version_body: version_json(&version, &rows.body)?,
            rows,
            order: version.snapshot,
            extensions: new.extensions.cloned(),
            idempotency_key: new.idempotency_key.map(str::to_owned),
            by: version.by,
            at: new.at,
            events: new.events.to_vec(),
        })
    }
}

/// Adds `delta` to the running count of orders with `value` in `dimension`.
fn bump_count(conn: &Connection, dimension: &str, value: &str, delta: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO order_counts (dimension, value, n) VALUES (?1, ?2, ?3)
         ON CONFLICT (dimension, value) DO UPDATE SET n = n + excluded.n",
    )?
    .execute(params![dimension, value, delta])?;
    Ok(())
}

fn item_states_of(conn: &Connection, pk: i64) -> Result<BTreeSet<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT DISTINCT state FROM order_items WHERE order_pk = ?1")?;
    let states = stmt
        .query_map([pk], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(states)
}

fn insert_children(conn: &Connection, pk: i64, rows: &OrderRows) -> Result<()> {
    let mut items = conn.prepare_cached(
        "INSERT INTO order_items
             (order_pk, item_id, state, action, offering_id, place_id, order_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for i in &rows.items {
        items.execute(params![
            pk,
            i.id,
            i.state,
            i.action,
            i.offering,
            i.place,
            rows.order_date
        ])?;
    }
    let mut parties = conn.prepare_cached(
        "INSERT INTO order_parties (order_pk, party_id, role) VALUES (?1, ?2, ?3)",
    )?;
    for (party, role) in &rows.parties {
        parties.execute(params![pk, party, role])?;
    }
    let mut taken = conn.prepare_cached(
        "SELECT o.id FROM order_external_ids e JOIN orders o ON o.pk = e.order_pk
         WHERE e.owner = ?1 AND e.external_id = ?2 AND e.order_pk <> ?3",
    )?;
    let mut ext = conn.prepare_cached(
        "INSERT INTO order_external_ids (owner, external_id, order_pk, kind) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for e in &rows.external_ids {
        let holder: Option<String> = taken
            .query_row(params![e.owner, e.id, pk], |r| r.get(0))
            .optional()?;
        if holder.is_some() {
            return Err(StoreError::duplicate(
                "externalId",
                format!("{}/{}", e.owner, e.id),
            ));
        }
        ext.execute(params![e.owner, e.id, pk, e.kind])?;
    }
    Ok(())
}

fn delete_children(conn: &Connection, pk: i64) -> Result<()> {
    for sql in [
        "DELETE FROM order_items WHERE order_pk = ?1",
        "DELETE FROM order_parties WHERE order_pk = ?1",
        "DELETE FROM order_external_ids WHERE order_pk = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([pk])?;
    }
    Ok(())
}

fn insert_version(
    conn: &Connection,
    pk: i64,
    version: u32,
    at: DateTime<Utc>,
    by: &UserId,
    body: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO order_versions (order_pk, version, at, by_user, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![pk, version, millis(at), by.as_str(), body])?;
    Ok(())
}

const SELECT_STORED: &str = "SELECT d.body, d.extensions, o.created_at, o.updated_at
     FROM orders o JOIN order_documents d ON d.order_pk = o.pk";

fn stored_from_row(r: &rusqlite::Row<'_>) -> Result<StoredOrder> {
    let body: String = r.get(0)?;
    let extensions: Option<String> = r.get(1)?;
    Ok(StoredOrder {
        order: from_json(&body, "order document")?,
        extensions: extensions
            .map(|e| from_json(&e, "order extensions"))
            .transpose()?,
        created_at: from_millis(r.get(2)?, "orders.created_at")?,
        updated_at: from_millis(r.get(3)?, "orders.updated_at")?,
    })
}

pub(crate) fn get_by_id(conn: &Connection, id: &str) -> Result<Option<StoredOrder>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT_STORED} WHERE o.id = ?1"))?;
    let mut rows = stmt.query([id])?;
    rows.next()?.map(stored_from_row).transpose()
}

pub(crate) fn get_by_pk(conn: &Connection, pk: i64) -> Result<Option<StoredOrder>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT_STORED} WHERE o.pk = ?1"))?;
    let mut rows = stmt.query([pk])?;
    rows.next()?.map(stored_from_row).transpose()
}

fn load_pk(conn: &Connection, pk: i64) -> Result<StoredOrder> {
    get_by_pk(conn, pk)?.ok_or_else(|| StoreError::corrupt("orders", format!("row {pk} vanished")))
}

/// The stored order this create repeats, if any.
fn existing_for(conn: &Connection, create: &EncodedCreate) -> Result<Option<i64>> {
    if let Some(key) = &create.idempotency_key {
        let pk: Option<i64> = conn
            .prepare_cached("SELECT pk FROM orders WHERE idempotency_key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        if pk.is_some() {
            return Ok(pk);
        }
    }
    let mut by_external = conn.prepare_cached(
        "SELECT order_pk FROM order_external_ids WHERE owner = ?1 AND external_id = ?2",
    )?;
    for e in &create.rows.external_ids {
        let pk: Option<i64> = by_external
            .query_row(params![e.owner, e.id], |r| r.get(0))
            .optional()?;
        if pk.is_some() {
            return Ok(pk);
        }
    }
    Ok(None)
}

pub(crate) fn create(conn: &Connection, create: &EncodedCreate) -> Result<CreateOutcome> {
    if let Some(pk) = existing_for(conn, create)? {
        return Ok(CreateOutcome::Existing(load_pk(conn, pk)?));
    }
    let (rows, new) = (&create.rows, create);
    let at = millis(new.at);
    let inserted = conn
        .prepare_cached(
            "INSERT INTO orders (id, version, state, customer_id, channel, priority, order_date,
                 state_changed_at, requested_start, requested_completion, created_by,
                 payment_method, idempotency_key, created_at, updated_at, jeopardy_due)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15)
             ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            rows.id,
            rows.version,
            rows.state,
            rows.customer,
            rows.channel,
            rows.priority,
            rows.order_date,
            rows.state_changed_at,
            rows.requested_start,
            rows.requested_completion,
            rows.created_by,
            rows.payment_method,
            new.idempotency_key,
            at,
            rows.jeopardy_due
        ])?;
    if inserted == 0 {
        return Err(StoreError::duplicate("productOrder", &rows.id));
    }
    let pk = conn.last_insert_rowid();
    conn.prepare_cached(
        "INSERT INTO order_documents (order_pk, body, extensions) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![pk, rows.body, rows.extensions])?;
    insert_children(conn, pk, rows)?;
    bump_count(conn, "state", rows.state, 1)?;
    for s in rows.item_states() {
        bump_count(conn, "itemState", s, 1)?;
    }
    insert_version(conn, pk, 1, new.at, &new.by, &create.version_body)?;
    changes::record(
        conn,
        new.at,
        Entity::ProductOrder,
        &rows.id,
        ChangeOp::Create,
        Some(1),
        &json!({ "version": 1, "state": rows.state, "change": "created" }),
    )?;
    hub::enqueue(conn, &new.events, new.at)?;
    Ok(CreateOutcome::Created(StoredOrder {
        order: new.order.clone(),
        extensions: new.extensions.clone(),
        created_at: from_millis(at, "created_at")?,
        updated_at: from_millis(at, "updated_at")?,
    }))
}

/// An encoded update, ready for the writer; owns everything, like [`EncodedCreate`].
pub(crate) struct EncodedUpdate {
    rows: OrderRows,
    version_body: String,
    order: ProductOrder,
    expected_version: u32,
    at: DateTime<Utc>,
    by: UserId,
    change: &'static str,
    extensions: Option<Value>,
    events: Vec<OutboundEvent>,
}

impl EncodedUpdate {
    pub(crate) fn encode(update: &OrderUpdate<'_>) -> Result<Self> {
        let expected =
            update
                .expected_version
                .checked_add(1)
                .ok_or(StoreError::NotNextVersion {
                    expected: u32::MAX,
                    got: update.order.version,
                })?;
        for got in [
            update.order.version,
            update.version.version,
            update.version.snapshot.version,
        ] {
            if got != expected {
                return Err(StoreError::NotNextVersion { expected, got });
            }
        }
        let rows = OrderRows::encode(update.order, update.extensions)?;
        // The version's snapshot is the order itself (the usual case): its document is reused.
        let version_body = if update.version.snapshot == *update.order {
            version_json(update.version, &rows.body)?
        } else {
            to_json(update.version, "order version")?
        };
        Ok(Self {
            rows,
            version_body,
            order: update.order.clone(),
            expected_version: update.expected_version,
            at: update.version.at,
            by: update.version.by.clone(),
            change: change_name(&update.version.change),
            extensions: update.extensions.cloned(),
            events: update.events.to_vec(),
        })
    }
}

fn change_name(change: &ChangeKind) -> &'static str {
    match change {
        ChangeKind::Created => "created",
        ChangeKind::Lifecycle { .. } => "lifecycle",
        ChangeKind::Amendment { .. } => "amendment",
        ChangeKind::Note => "note",
        ChangeKind::Milestone => "milestone",
        ChangeKind::Jeopardy => "jeopardy",
    }
}

pub(crate) fn update(conn: &Connection, enc: &EncodedUpdate) -> Result<StoredOrder> {
    let (rows, upd) = (&enc.rows, enc);
    let current: Option<(i64, u32, String, i64)> = conn
        .prepare_cached("SELECT pk, version, state, created_at FROM orders WHERE id = ?1")?
        .query_row([&rows.id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((pk, version, old_state, created_at)) = current else {
        return Err(StoreError::not_found("productOrder", &rows.id));
    };
    if version != upd.expected_version {
        return Err(StoreError::VersionConflict { current: version });
    }
    let at = upd.at;
    let old_item_states = item_states_of(conn, pk)?;
    conn.prepare_cached(
        "UPDATE orders SET version = ?2, state = ?3, customer_id = ?4, channel = ?5, priority = ?6,
             order_date = ?7, state_changed_at = ?8, requested_start = ?9,
             requested_completion = ?10, created_by = ?11, payment_method = ?12, updated_at = ?13,
             jeopardy_due = ?14
         WHERE pk = ?1",
    )?
    .execute(params![
        pk,
        rows.version,
        rows.state,
        rows.customer,
        rows.channel,
        rows.priority,
        rows.order_date,
        rows.state_changed_at,
        rows.requested_start,
        rows.requested_completion,
        rows.created_by,
        rows.payment_method,
        millis(at),
        rows.jeopardy_due
    ])?;
    let extensions: Option<Value> = match &rows.extensions {
        Some(e) => {
            conn.prepare_cached(
                "UPDATE order_documents SET body = ?2, extensions = ?3 WHERE order_pk = ?1",
            )?
            .execute(params![pk, rows.body, e])?;
            upd.extensions.clone()
        }
        None => {
            let kept: Option<String> = conn
                .prepare_cached(
                    "UPDATE order_documents SET body = ?2 WHERE order_pk = ?1 RETURNING extensions",
                )?
                .query_row(params![pk, rows.body], |r| r.get(0))?;
            kept.map(|e| from_json(&e, "order extensions"))
                .transpose()?
        }
    };
    delete_children(conn, pk)?;
    insert_children(conn, pk, rows)?;
    if old_state != rows.state {
        bump_count(conn, "state", &old_state, -1)?;
        bump_count(conn, "state", rows.state, 1)?;
    }
    let new_item_states = rows.item_states();
    for s in &old_item_states {
        if !new_item_states.contains(s.as_str()) {
            bump_count(conn, "itemState", s, -1)?;
        }
    }
    for s in &new_item_states {
        if !old_item_states.contains(*s) {
            bump_count(conn, "itemState", s, 1)?;
        }
    }
    insert_version(conn, pk, rows.version, at, &upd.by, &enc.version_body)?;
    let state_changed = old_state != rows.state;
    changes::record(
        conn,
        at,
        Entity::ProductOrder,
        &rows.id,
        if state_changed {
            ChangeOp::StateChange
        } else {
            ChangeOp::Update
        },
        Some(rows.version),
        &json!({
            "version": rows.version,
            "state": rows.state,
            "previousState": old_state,
            "change": upd.change,
        }),
    )?;
    hub::enqueue(conn, &upd.events, at)?;
    Ok(StoredOrder {
        order: upd.order.clone(),
        extensions,
        created_at: from_millis(created_at, "orders.created_at")?,
        updated_at: from_millis(millis(at), "updated_at")?,
    })
}

pub(crate) fn delete(
    conn: &Connection,
    id: &OrderId,
    at: DateTime<Utc>,
    events: &[OutboundEvent],
) -> Result<()> {
    let current: Option<(i64, u32, String)> = conn
        .prepare_cached("SELECT pk, version, state FROM orders WHERE id = ?1")?
        .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((pk, version, state)) = current else {
        return Err(StoreError::not_found("productOrder", id.as_str()));
    };
    for s in item_states_of(conn, pk)? {
        bump_count(conn, "itemState", &s, -1)?;
    }
    bump_count(conn, "state", &state, -1)?;
    conn.prepare_cached("DELETE FROM orders WHERE pk = ?1")?
        .execute([pk])?;
    changes::record(
        conn,
        at,
        Entity::ProductOrder,
        id.as_str(),
        ChangeOp::Delete,
        Some(version),
        &json!({ "version": version, "state": state }),
    )?;
    hub::enqueue(conn, events, at)
}

impl CentralStore {
    /// Stores a new order with its version 1, its change row and its notifications, or returns
    /// the order it repeats (same idempotency key, or same owner and external id).
    pub fn create_order(&self, new: &NewOrder<'_>) -> Result<CreateOutcome> {
        self.submit_create(EncodedCreate::encode(new)?)
    }

    /// [`Self::create_order`] for a caller that does not block a thread on the commit (an async
    /// server): the order is encoded here, and `then` is called with the result once the batch it
    /// joined committed (or failed). `then` runs on the store's committer thread, so it must only
    /// hand the result over (send it on a channel). An order that cannot be encoded is refused
    /// here, and `then` is not called.
    pub fn create_order_then(
        &self,
        new: &NewOrder<'_>,
        then: impl FnOnce(Result<CreateOutcome>) + Send + 'static,
    ) -> Result<()> {
        self.submit_create_then(EncodedCreate::encode(new)?, then);
        Ok(())
    }

    /// The order, or [`StoreError::NotFound`].
    pub fn get_order(&self, id: &OrderId) -> Result<StoredOrder> {
        self.readers
            .with(|conn| get_by_id(conn, id.as_str()))?
            .ok_or_else(|| StoreError::not_found("productOrder", id.as_str()))
    }

    /// Applies an accepted change; [`StoreError::VersionConflict`] when the order moved on
    /// since `expected_version`.
    pub fn update_order(&self, update: &OrderUpdate<'_>) -> Result<StoredOrder> {
        self.submit_update(EncodedUpdate::encode(update)?)
    }

    /// Removes the order and everything hanging off it (versions, queue entry, notes, cancel
    /// requests, service orders). An administrator's purge: the change row remains.
    pub fn delete_order(
        &self,
        id: &OrderId,
        at: DateTime<Utc>,
        events: &[OutboundEvent],
    ) -> Result<()> {
        self.write(|tx| delete(tx.conn(), id, at, events))
    }

    /// How many orders are stored.
    pub fn order_count(&self) -> Result<u64> {
        self.read(|conn| {
            let n: i64 = conn.query_row(
                "SELECT coalesce(sum(n), 0) FROM order_counts WHERE dimension = 'state'",
                [],
                |r| r.get(0),
            )?;
            Ok(crate::codec::count_from_sql(n))
        })
    }
}

impl CentralTx<'_> {
    pub fn create_order(&self, new: &NewOrder<'_>) -> Result<CreateOutcome> {
        create(self.conn(), &EncodedCreate::encode(new)?)
    }

    /// The order as this transaction sees it (for read-modify-write).
    pub fn get_order(&self, id: &OrderId) -> Result<StoredOrder> {
        get_by_id(self.conn(), id.as_str())?
            .ok_or_else(|| StoreError::not_found("productOrder", id.as_str()))
    }

    pub fn update_order(&self, update: &OrderUpdate<'_>) -> Result<StoredOrder> {
        self::update(self.conn(), &EncodedUpdate::encode(update)?)
    }

    pub fn delete_order(
        &self,
        id: &OrderId,
        at: DateTime<Utc>,
        events: &[OutboundEvent],
    ) -> Result<()> {
        delete(self.conn(), id, at, events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::lifecycle::OrderCommand;
    use orderdesk_domain::{CustomerId, ItemAction, OfferingId, OrderItem};

    #[test]
    fn a_version_reuses_the_order_document_and_reads_the_same() {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        let order = ProductOrder::new(
            OrderId::new("O-1"),
            CustomerId::new("C-1"),
            at,
            vec![OrderItem::new(
                "1",
                ItemAction::Add,
                Some(OfferingId::new("PO-FIBRE")),
            )],
            false,
        )
        .unwrap();
        for change in [
            ChangeKind::Created,
            ChangeKind::Note,
            ChangeKind::Lifecycle {
                command: OrderCommand::Hold {
                    reason: "a \"quoted\" reason".to_owned(),
                },
            },
        ] {
            let version = OrderVersion {
                version: 1,
                at,
                by: UserId::new("U-1"),
                reason: "captured \u{1f} at the desk".to_owned(),
                change,
                snapshot: order.clone(),
            };
            let body = to_json(&order, "order").unwrap();
            assert_eq!(
                version_json(&version, &body).unwrap(),
                to_json(&version, "version").unwrap()
            );
        }
    }
}
