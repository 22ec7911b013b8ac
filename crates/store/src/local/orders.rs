//! Local orders: the `orders` row (the columns lists filter and sort on, the sync status, the
//! server's version and ETag, the domain `ProductOrder` as JSON), its items and external ids,
//! and its full-text row, always written together, with the outbox entry of the change when
//! there is one.
//!
//! Pulled server copies are merged by [`decide_pull`], a pure function of what is stored: a
//! copy never replaces a local change that has not reached the server. It is recorded beside
//! it as a [`SyncStatus::Conflict`] for the user to resolve ([`LocalStore::accept_server_copy`]
//! keeps the server's; [`LocalStore::keep_local_change`] sends the local change again on top of
//! it; saving a new local version keeps theirs).

use chrono::{DateTime, Utc};
use orderdesk_domain::desk::diff;
use orderdesk_domain::{AddressId, CustomerId, OrderId, OrderState, ProductOrder};
use rusqlite::{params, Connection, ToSql};
use serde::{Deserialize, Serialize};

use super::outbox::{self, NewOutboxEntry};
use super::{search, LocalStore, LocalTx, Page};
use crate::codec::{count_from_sql, from_json, from_millis, millis, sql_count, to_json};
use crate::error::{Result, StoreError};

/// Text the desk shows and searches that the order itself does not hold (the customer's name
/// and the service address are reference data). The caller fills it from its reference data;
/// `None` keeps what is stored when a server copy is merged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SearchText {
    pub customer_name: Option<String>,
    /// The service address as one line ("12 Kerkstraat, 1011 AB Amsterdam").
    pub address: Option<String>,
}

/// Where a local order stands with the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "status",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SyncStatus {
    /// Local only; not to be sent yet.
    Draft,
    /// A change waits in the outbox.
    AwaitingSync,
    /// The local copy is the server's version `server_version`.
    Synced,
    /// The server refused the change (a 4xx): its error code and reason.
    Rejected { code: String, reason: String },
    /// The server has a newer version than the one the local change was made from; the local
    /// change is kept and the server's copy recorded here, for the user to compare and resolve.
    Conflict {
        server_version: u32,
        etag: Option<String>,
        server_order: Box<ProductOrder>,
    },
}

/// [`SyncStatus`] without its data: what lists filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SyncStatusKind {
    Draft,
    AwaitingSync,
    Synced,
    Rejected,
    Conflict,
}

impl SyncStatusKind {
    pub const ALL: &'static [SyncStatusKind] = &[
        Self::Draft,
        Self::AwaitingSync,
        Self::Synced,
        Self::Rejected,
        Self::Conflict,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::AwaitingSync => "awaitingSync",
            Self::Synced => "synced",
            Self::Rejected => "rejected",
            Self::Conflict => "conflict",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

impl SyncStatus {
    pub fn kind(&self) -> SyncStatusKind {
        match self {
            Self::Draft => SyncStatusKind::Draft,
            Self::AwaitingSync => SyncStatusKind::AwaitingSync,
            Self::Synced => SyncStatusKind::Synced,
            Self::Rejected { .. } => SyncStatusKind::Rejected,
            Self::Conflict { .. } => SyncStatusKind::Conflict,
        }
    }
}

/// An order as the desk holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalOrder {
    pub order: ProductOrder,
    pub search: SearchText,
    /// The server's version this copy is based on (the `If-Match` of the next change), if the
    /// server has the order.
    pub server_version: Option<u32>,
    /// The server's ETag for `server_version`, verbatim (`"3"`), for servers whose tags are not
    /// bare version numbers.
    pub etag: Option<String>,
    pub sync: SyncStatus,
    /// The last thing that went wrong syncing this order (a refusal, a network error).
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl LocalOrder {
    /// A new order captured at the desk, to be sent (save it with its outbox entry).
    pub fn captured(order: ProductOrder, search: SearchText, at: DateTime<Utc>) -> Self {
        Self {
            order,
            search,
            server_version: None,
            etag: None,
            sync: SyncStatus::AwaitingSync,
            last_error: None,
            updated_at: at,
        }
    }

    /// A new local draft, not to be sent yet.
    pub fn draft(order: ProductOrder, search: SearchText, at: DateTime<Utc>) -> Self {
        Self {
            sync: SyncStatus::Draft,
            ..Self::captured(order, search, at)
        }
    }
}

/// A server copy of an order, read from the changes feed or a GET.
#[derive(Debug, Clone, PartialEq)]
pub struct PulledOrder {
    pub order: ProductOrder,
    /// The server's version of it (our server: `order.version`, the ETag's number).
    pub server_version: u32,
    pub etag: Option<String>,
    /// `None` fields keep the stored text.
    pub search: SearchText,
}

/// What [`LocalStore::upsert_from_server`] did with a pulled copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullOutcome {
    /// The order was not stored locally; it is now, as synced.
    Inserted,
    /// The local copy was synced; the newer server copy replaced it.
    Applied,
    /// A local change is still unsent but asks for exactly what the server copy holds (the
    /// server's copy of our own change, seen before its acknowledgement): the server copy is
    /// taken, the outbox entry stays and the order still awaits sync.
    Adopted,
    /// A local change is unsent (or was refused, or conflicts already) and the server copy is
    /// newer: the local change is kept and the server copy recorded as a conflict.
    ConflictRecorded,
    /// The server copy is not newer than the one already known: nothing was written.
    SkippedOlder { known: u32 },
}

/// What [`decide_pull`] needs to know about the stored order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullBase {
    pub status: SyncStatusKind,
    /// The newest server version known locally: the base version, or the recorded conflict's.
    pub known_version: Option<u32>,
    /// An outbox entry of the order is unsent (pending or refused).
    pub unsent_outbox: bool,
}

impl PullBase {
    /// A local change exists that the server has not taken.
    pub fn is_pending(&self) -> bool {
        self.status != SyncStatusKind::Synced || self.unsent_outbox
    }
}

/// How to merge a pulled server copy of version `incoming` into what is stored (`None`: nothing).
/// `same_content`: the local order asks for exactly what the server copy holds (the domain's
/// [`diff`] of requested content is empty); only read when a local change is pending.
pub fn decide_pull(base: Option<&PullBase>, incoming: u32, same_content: bool) -> PullOutcome {
    let Some(base) = base else {
        return PullOutcome::Inserted;
    };
    if let Some(known) = base.known_version.filter(|k| incoming <= *k) {
        return PullOutcome::SkippedOlder { known };
    }
    if !base.is_pending() {
        return PullOutcome::Applied;
    }
    let adoptable = matches!(
        base.status,
        SyncStatusKind::AwaitingSync | SyncStatusKind::Synced
    );
    if adoptable && same_content {
        PullOutcome::Adopted
    } else {
        PullOutcome::ConflictRecorded
    }
}

/// How a list of orders is sorted. Ties go to the order stored last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderSort {
    #[default]
    OrderDateDesc,
    OrderDateAsc,
}

/// A page of local orders, optionally of one state and one sync status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderListQuery {
    pub state: Option<OrderState>,
    pub sync: Option<SyncStatusKind>,
    pub sort: OrderSort,
    pub offset: u64,
    pub limit: u32,
}

impl Default for OrderListQuery {
    fn default() -> Self {
        Self {
            state: None,
            sync: None,
            sort: OrderSort::default(),
            offset: 0,
            limit: 50,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/// The rows of one local order, encoded before the writer lock is taken.
pub(crate) struct OrderRows {
    id: String,
    version: u32,
    state: &'static str,
    customer: String,
    channel: Option<String>,
    payment_method: Option<String>,
    customer_name: Option<String>,
    address: Option<String>,
    priority: u8,
    order_date: i64,
    server_version: Option<u32>,
    etag: Option<String>,
    sync_status: &'static str,
    sync_detail: Option<String>,
    last_error: Option<String>,
    updated_at: i64,
    body: String,
    items: Vec<ItemRow>,
    external_ids: Vec<(String, String)>,
    fts: search::FtsRow,
}

struct ItemRow {
    id: String,
    state: &'static str,
    action: &'static str,
    offering: Option<String>,
    place: Option<String>,
}

fn encode_status(sync: &SyncStatus) -> Result<Option<String>> {
    match sync {
        SyncStatus::Draft | SyncStatus::AwaitingSync | SyncStatus::Synced => Ok(None),
        SyncStatus::Rejected { .. } | SyncStatus::Conflict { .. } => {
            to_json(sync, "sync status").map(Some)
        }
    }
}

impl OrderRows {
    pub(crate) fn encode(lo: &LocalOrder) -> Result<Self> {
        let order = &lo.order;
        let mut external_ids: Vec<(String, String)> = Vec::new();
        for e in &order.external_ids {
            let owner = e
                .owner
                .clone()
                .or_else(|| order.channel.clone())
                .unwrap_or_default();
            let row = (e.id.clone(), owner);
            if !external_ids.contains(&row) {
                external_ids.push(row);
            }
        }
        Ok(Self {
            id: order.id.to_string(),
            version: order.version,
            state: order.state().as_str(),
            customer: order.customer.to_string(),
            channel: order.channel.clone(),
            payment_method: order.payment.method.as_ref().map(ToString::to_string),
            customer_name: lo.search.customer_name.clone(),
            address: lo.search.address.clone(),
            priority: order.priority.level(),
            order_date: millis(order.order_date),
            server_version: lo.server_version,
            etag: lo.etag.clone(),
            sync_status: lo.sync.kind().as_str(),
            sync_detail: encode_status(&lo.sync)?,
            last_error: lo.last_error.clone(),
            updated_at: millis(lo.updated_at),
            body: to_json(order, "product order")?,
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
            external_ids,
            fts: search::FtsRow::of(order, &lo.search),
        })
    }
}

/// Writes the order row (insert or replace by id), its child rows and its FTS row.
pub(crate) fn write_rows(conn: &Connection, rows: &OrderRows) -> Result<i64> {
    let pk: i64 = conn
        .prepare_cached(
            "INSERT INTO orders (id, version, state, customer_id, customer_name, address_text,
                 priority, order_date, server_version, etag, sync_status, sync_detail, last_error,
                 updated_at, body, channel, payment_method)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, state = excluded.state,
                 customer_id = excluded.customer_id, customer_name = excluded.customer_name,
                 address_text = excluded.address_text, priority = excluded.priority,
                 order_date = excluded.order_date, server_version = excluded.server_version,
                 etag = excluded.etag, sync_status = excluded.sync_status,
                 sync_detail = excluded.sync_detail, last_error = excluded.last_error,
                 updated_at = excluded.updated_at, body = excluded.body,
                 channel = excluded.channel, payment_method = excluded.payment_method
             RETURNING pk",
        )?
        .query_row(
            params![
                rows.id,
                rows.version,
                rows.state,
                rows.customer,
                rows.customer_name,
                rows.address,
                rows.priority,
                rows.order_date,
                rows.server_version,
                rows.etag,
                rows.sync_status,
                rows.sync_detail,
                rows.last_error,
                rows.updated_at,
                rows.body,
                rows.channel,
                rows.payment_method
            ],
            |r| r.get(0),
        )?;
    for sql in [
        "DELETE FROM order_items WHERE order_pk = ?1",
        "DELETE FROM order_external_ids WHERE order_pk = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([pk])?;
    }
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
    let mut ext = conn.prepare_cached(
        "INSERT INTO order_external_ids (order_pk, external_id, owner) VALUES (?1, ?2, ?3)",
    )?;
    for (id, owner) in &rows.external_ids {
        ext.execute(params![pk, id, owner])?;
    }
    search::write_row(conn, pk, &rows.fts)?;
    Ok(pk)
}

// ---------------------------------------------------------------------------------------------
// Reading

const COLUMNS: &str = "o.body, o.customer_name, o.address_text, o.server_version, o.etag,
                       o.sync_status, o.sync_detail, o.last_error, o.updated_at";

/// Reads a row selected with [`COLUMNS`] (starting at column 0).
pub(crate) fn order_from_row(r: &rusqlite::Row<'_>) -> Result<LocalOrder> {
    let body: String = r.get(0)?;
    let status: String = r.get(5)?;
    let detail: Option<String> = r.get(6)?;
    let kind = SyncStatusKind::parse(&status)
        .ok_or_else(|| StoreError::corrupt("orders.sync_status", &status))?;
    let sync = match (kind, detail) {
        (SyncStatusKind::Draft, _) => SyncStatus::Draft,
        (SyncStatusKind::AwaitingSync, _) => SyncStatus::AwaitingSync,
        (SyncStatusKind::Synced, _) => SyncStatus::Synced,
        (_, Some(detail)) => {
            let sync: SyncStatus = from_json(&detail, "orders.sync_detail")?;
            if sync.kind() != kind {
                return Err(StoreError::corrupt(
                    "orders.sync_detail",
                    format!("holds {:?} for status {status}", sync.kind()),
                ));
            }
            sync
        }
        (_, None) => {
            return Err(StoreError::corrupt(
                "orders.sync_detail",
                format!("missing for status {status}"),
            ))
        }
    };
    Ok(LocalOrder {
        order: from_json(&body, "orders.body")?,
        search: SearchText {
            customer_name: r.get(1)?,
            address: r.get(2)?,
        },
        server_version: r.get(3)?,
        etag: r.get(4)?,
        sync,
        last_error: r.get(7)?,
        updated_at: from_millis(r.get(8)?, "orders.updated_at")?,
    })
}

pub(crate) fn get(conn: &Connection, id: &str) -> Result<Option<LocalOrder>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM orders o WHERE o.id = ?1"))?;
    let mut rows = stmt.query([id])?;
    rows.next()?.map(order_from_row).transpose()
}

pub(crate) fn require(conn: &Connection, id: &str) -> Result<LocalOrder> {
    get(conn, id)?.ok_or_else(|| StoreError::not_found("productOrder", id))
}

pub(crate) fn exists(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM orders WHERE id = ?1)")?
        .query_row([id], |r| r.get(0))?)
}

fn collect(mut rows: rusqlite::Rows<'_>) -> Result<Vec<LocalOrder>> {
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(order_from_row(row)?);
    }
    Ok(out)
}

fn list(conn: &Connection, q: &OrderListQuery) -> Result<Page<LocalOrder>> {
    let state = q.state.map(OrderState::as_str);
    let sync = q.sync.map(SyncStatusKind::as_str);
    let mut filters = Vec::new();
    let mut args: Vec<&dyn ToSql> = Vec::new();
    if let Some(state) = &state {
        filters.push("o.state = ?");
        args.push(state);
    }
    if let Some(sync) = &sync {
        filters.push("o.sync_status = ?");
        args.push(sync);
    }
    let filter = if filters.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filters.join(" AND "))
    };
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM orders o {filter}"))?
        .query_row(args.as_slice(), |r| r.get(0))?;
    let dir = match q.sort {
        OrderSort::OrderDateDesc => "DESC",
        OrderSort::OrderDateAsc => "ASC",
    };
    let limit = i64::from(q.limit);
    let offset = sql_count(q.offset);
    args.push(&limit);
    args.push(&offset);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM orders o {filter}
         ORDER BY o.order_date {dir}, o.pk {dir} LIMIT ? OFFSET ?"
    ))?;
    let items = collect(stmt.query(args.as_slice())?)?;
    Ok(Page {
        items,
        total: count_from_sql(total),
    })
}

fn by_external_id(conn: &Connection, external_id: &str) -> Result<Option<LocalOrder>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM order_external_ids e JOIN orders o ON o.pk = e.order_pk
         WHERE e.external_id = ?1 ORDER BY o.order_date DESC, o.pk DESC LIMIT 1"
    ))?;
    let mut rows = stmt.query([external_id])?;
    rows.next()?.map(order_from_row).transpose()
}

fn of_customer(conn: &Connection, customer: &CustomerId, limit: u32) -> Result<Vec<LocalOrder>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM orders o WHERE o.customer_id = ?1
         ORDER BY o.order_date DESC, o.pk DESC LIMIT ?2"
    ))?;
    let out = collect(stmt.query(params![customer.as_str(), limit])?)?;
    Ok(out)
}

fn at_address(conn: &Connection, address: &AddressId, limit: u32) -> Result<Vec<LocalOrder>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM orders o
         WHERE o.pk IN (SELECT order_pk FROM order_items WHERE place_id = ?1)
         ORDER BY o.order_date DESC, o.pk DESC LIMIT ?2"
    ))?;
    let out = collect(stmt.query(params![address.as_str(), limit])?)?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Writing

/// The order's rows and, when given, its outbox entry: both or neither.
fn save(
    conn: &Connection,
    rows: &OrderRows,
    entry: Option<&outbox::Encoded>,
) -> Result<Option<u64>> {
    write_rows(conn, rows)?;
    entry.map(|e| outbox::insert_encoded(conn, e)).transpose()
}

/// An outbox entry must belong to the order it is saved with, and such an order awaits sync.
fn check_entry(order: &LocalOrder, entry: &NewOutboxEntry) -> Result<()> {
    if entry.order_id != order.order.id {
        return Err(StoreError::Inconsistent(format!(
            "the outbox entry is for order `{}`, not `{}`",
            entry.order_id, order.order.id
        )));
    }
    if order.sync != SyncStatus::AwaitingSync {
        return Err(StoreError::Inconsistent(format!(
            "order `{}` has a change in the outbox, so it awaits sync, not {:?}",
            order.order.id,
            order.sync.kind()
        )));
    }
    Ok(())
}

/// Checks and encodes an order and its entry, before any lock is taken.
fn encode_save(
    order: &LocalOrder,
    entry: Option<&NewOutboxEntry>,
) -> Result<(OrderRows, Option<outbox::Encoded>)> {
    if let Some(e) = entry {
        check_entry(order, e)?;
    }
    Ok((
        OrderRows::encode(order)?,
        entry.map(outbox::Encoded::encode).transpose()?,
    ))
}

fn base_of(conn: &Connection, stored: &LocalOrder) -> Result<PullBase> {
    let conflict_version = match &stored.sync {
        SyncStatus::Conflict { server_version, .. } => Some(*server_version),
        _ => None,
    };
    Ok(PullBase {
        status: stored.sync.kind(),
        known_version: stored.server_version.max(conflict_version),
        unsent_outbox: outbox::has_unsent(conn, stored.order.id.as_str())?,
    })
}

fn upsert_from_server(
    conn: &Connection,
    pulled: &PulledOrder,
    at: DateTime<Utc>,
) -> Result<PullOutcome> {
    let stored = get(conn, pulled.order.id.as_str())?;
    let base = stored.as_ref().map(|s| base_of(conn, s)).transpose()?;
    let same_content = match (&stored, &base) {
        (Some(s), Some(b)) if b.is_pending() => diff(&s.order, &pulled.order).is_empty(),
        _ => false,
    };
    let outcome = decide_pull(base.as_ref(), pulled.server_version, same_content);
    let search = SearchText {
        customer_name: pulled
            .search
            .customer_name
            .clone()
            .or_else(|| stored.as_ref().and_then(|s| s.search.customer_name.clone())),
        address: pulled
            .search
            .address
            .clone()
            .or_else(|| stored.as_ref().and_then(|s| s.search.address.clone())),
    };
    let next = match (outcome, stored) {
        (PullOutcome::SkippedOlder { .. }, _) => None,
        (PullOutcome::Inserted | PullOutcome::Applied, _) => Some(LocalOrder {
            order: pulled.order.clone(),
            search,
            server_version: Some(pulled.server_version),
            etag: pulled.etag.clone(),
            sync: SyncStatus::Synced,
            last_error: None,
            updated_at: at,
        }),
        (PullOutcome::Adopted, Some(stored)) => Some(LocalOrder {
            order: pulled.order.clone(),
            search,
            server_version: Some(pulled.server_version),
            etag: pulled.etag.clone(),
            updated_at: at,
            ..stored
        }),
        (PullOutcome::ConflictRecorded, Some(stored)) => Some(LocalOrder {
            sync: SyncStatus::Conflict {
                server_version: pulled.server_version,
                etag: pulled.etag.clone(),
                server_order: Box::new(pulled.order.clone()),
            },
            search,
            updated_at: at,
            ..stored
        }),
        (PullOutcome::Adopted | PullOutcome::ConflictRecorded, None) => {
            return Err(StoreError::Inconsistent(format!(
                "order `{}`: a merge decided without a stored order",
                pulled.order.id
            )))
        }
    };
    if let Some(next) = next {
        write_rows(conn, &OrderRows::encode(&next)?)?;
    }
    Ok(outcome)
}

fn accept_server_copy(conn: &Connection, id: &OrderId, at: DateTime<Utc>) -> Result<LocalOrder> {
    let stored = require(conn, id.as_str())?;
    let SyncStatus::Conflict {
        server_version,
        etag,
        server_order,
    } = stored.sync
    else {
        return Err(StoreError::Inconsistent(format!(
            "order `{id}` has no server copy to accept: it is {:?}",
            stored.sync.kind()
        )));
    };
    outbox::discard_of_order(conn, id.as_str())?;
    let next = LocalOrder {
        order: *server_order,
        search: stored.search,
        server_version: Some(server_version),
        etag,
        sync: SyncStatus::Synced,
        last_error: None,
        updated_at: at,
    };
    write_rows(conn, &OrderRows::encode(&next)?)?;
    Ok(next)
}

/// How a conflict is resolved keeping the local change ([`LocalStore::keep_local_change`]).
#[derive(Debug, Clone, PartialEq)]
pub enum KeepLocal {
    /// The change goes to the server again: outbox entry `entry` (the order's first) is pending
    /// again with `body` and `if_match` (the change rebased on the recorded server version), and
    /// the order shows `order` (the change applied to the server's copy), awaiting sync.
    Resend {
        entry: u64,
        body: Option<serde_json::Value>,
        if_match: Option<String>,
        order: Box<ProductOrder>,
        search: SearchText,
    },
    /// The server's copy already holds the change: entry `entry` is dropped and the server's
    /// copy taken (still awaiting sync when later changes of the order wait).
    AlreadyOnServer { entry: u64 },
}

fn keep_local_change(
    conn: &Connection,
    id: &OrderId,
    resolution: &KeepLocal,
    at: DateTime<Utc>,
) -> Result<LocalOrder> {
    let stored = require(conn, id.as_str())?;
    let SyncStatus::Conflict {
        server_version,
        etag,
        server_order,
    } = stored.sync
    else {
        return Err(StoreError::Inconsistent(format!(
            "order `{id}` has no conflict to resolve: it is {:?}",
            stored.sync.kind()
        )));
    };
    let entry = match resolution {
        KeepLocal::Resend { entry, .. } | KeepLocal::AlreadyOnServer { entry } => *entry,
    };
    let head = outbox::head_of_order(conn, id)?;
    if head.as_ref().map(|h| h.seq) != Some(entry) {
        return Err(StoreError::Inconsistent(format!(
            "outbox entry {entry} is not the first unsent change of order `{id}`"
        )));
    }
    let next = match resolution {
        KeepLocal::Resend {
            body,
            if_match,
            order,
            search,
            ..
        } => {
            if order.id != *id {
                return Err(StoreError::Inconsistent(format!(
                    "the kept change is for order `{}`, not `{id}`",
                    order.id
                )));
            }
            outbox::rearm(conn, entry, body.as_ref(), if_match.as_deref(), at)?;
            LocalOrder {
                order: (**order).clone(),
                search: search.clone(),
                server_version: Some(server_version),
                etag,
                sync: SyncStatus::AwaitingSync,
                last_error: None,
                updated_at: at,
            }
        }
        KeepLocal::AlreadyOnServer { .. } => {
            outbox::discard_seq(conn, entry)?;
            let unsent_left = outbox::has_unsent(conn, id.as_str())?;
            LocalOrder {
                order: *server_order,
                search: stored.search,
                server_version: Some(server_version),
                etag,
                sync: if unsent_left {
                    SyncStatus::AwaitingSync
                } else {
                    SyncStatus::Synced
                },
                last_error: None,
                updated_at: at,
            }
        }
    };
    write_rows(conn, &OrderRows::encode(&next)?)?;
    Ok(next)
}

impl LocalStore {
    /// Stores a local order (new or changed) and, in the same transaction, the outbox entry that
    /// carries the change to the server; returns the entry's sequence number. With an entry the
    /// order must be [`SyncStatus::AwaitingSync`]. Nothing is written if anything fails.
    pub fn save_local_order(
        &self,
        order: &LocalOrder,
        outbox: Option<&NewOutboxEntry>,
    ) -> Result<Option<u64>> {
        let (rows, entry) = encode_save(order, outbox)?;
        self.write(|tx| save(tx.conn(), &rows, entry.as_ref()))
    }

    /// Merges a server copy: see [`decide_pull`]. Never replaces an unsent local change.
    pub fn upsert_from_server(
        &self,
        pulled: &PulledOrder,
        at: DateTime<Utc>,
    ) -> Result<PullOutcome> {
        self.write(|tx| tx.upsert_from_server(pulled, at))
    }

    /// Resolves a conflict by taking the recorded server copy: the local change and its unsent
    /// outbox entries are dropped. Refused unless the order is in [`SyncStatus::Conflict`].
    pub fn accept_server_copy(&self, id: &OrderId, at: DateTime<Utc>) -> Result<LocalOrder> {
        self.write(|tx| tx.accept_server_copy(id, at))
    }

    /// Resolves a conflict by keeping the local change: see [`KeepLocal`]. Refused unless the
    /// order is in [`SyncStatus::Conflict`] and the entry is the order's first unsent change.
    pub fn keep_local_change(
        &self,
        id: &OrderId,
        resolution: &KeepLocal,
        at: DateTime<Utc>,
    ) -> Result<LocalOrder> {
        self.write(|tx| keep_local_change(tx.conn(), id, resolution, at))
    }

    pub fn get_order(&self, id: &OrderId) -> Result<Option<LocalOrder>> {
        self.read(|conn| get(conn, id.as_str()))
    }

    /// The order carrying this external id (from any owner); the newest when several do.
    pub fn get_by_external_id(&self, external_id: &str) -> Result<Option<LocalOrder>> {
        self.read(|conn| by_external_id(conn, external_id))
    }

    /// The customer's orders, newest first.
    pub fn orders_of_customer(&self, customer: &CustomerId, limit: u32) -> Result<Vec<LocalOrder>> {
        self.read(|conn| of_customer(conn, customer, limit))
    }

    /// Orders with an item at this address, newest first.
    pub fn orders_at_address(&self, address: &AddressId, limit: u32) -> Result<Vec<LocalOrder>> {
        self.read(|conn| at_address(conn, address, limit))
    }

    /// A page of orders and the number matching the filters.
    pub fn list_orders(&self, query: &OrderListQuery) -> Result<Page<LocalOrder>> {
        self.read(|conn| list(conn, query))
    }

    pub fn order_count(&self) -> Result<u64> {
        self.read(|conn| {
            let n: i64 = conn.query_row("SELECT count(*) FROM orders", [], |r| r.get(0))?;
            Ok(count_from_sql(n))
        })
    }
}

impl LocalTx<'_> {
    pub fn save_local_order(
        &self,
        order: &LocalOrder,
        outbox: Option<&NewOutboxEntry>,
    ) -> Result<Option<u64>> {
        let (rows, entry) = encode_save(order, outbox)?;
        save(self.conn(), &rows, entry.as_ref())
    }

    pub fn upsert_from_server(
        &self,
        pulled: &PulledOrder,
        at: DateTime<Utc>,
    ) -> Result<PullOutcome> {
        upsert_from_server(self.conn(), pulled, at)
    }

    pub fn accept_server_copy(&self, id: &OrderId, at: DateTime<Utc>) -> Result<LocalOrder> {
        accept_server_copy(self.conn(), id, at)
    }

    pub fn get_order(&self, id: &OrderId) -> Result<Option<LocalOrder>> {
        get(self.conn(), id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PullOutcome as O;
    use SyncStatusKind as S;

    fn base(status: SyncStatusKind, known: Option<u32>, unsent: bool) -> PullBase {
        PullBase {
            status,
            known_version: known,
            unsent_outbox: unsent,
        }
    }

    /// (stored, incoming version, same requested content, expected)
    #[test]
    fn pull_decisions() {
        let cases: &[(Option<PullBase>, u32, bool, PullOutcome)] = &[
            (None, 1, false, O::Inserted),
            (Some(base(S::Synced, Some(2), false)), 3, false, O::Applied),
            (Some(base(S::Synced, None, false)), 1, false, O::Applied),
            (
                Some(base(S::Synced, Some(3), false)),
                3,
                false,
                O::SkippedOlder { known: 3 },
            ),
            (
                Some(base(S::Synced, Some(4), false)),
                2,
                true,
                O::SkippedOlder { known: 4 },
            ),
            // A local change waits: the server copy never replaces it...
            (
                Some(base(S::AwaitingSync, Some(2), true)),
                3,
                false,
                O::ConflictRecorded,
            ),
            (
                Some(base(S::AwaitingSync, None, true)),
                1,
                false,
                O::ConflictRecorded,
            ),
            // ...unless it is the same request (our own change, echoed before its ack).
            (Some(base(S::AwaitingSync, None, true)), 1, true, O::Adopted),
            (
                Some(base(S::AwaitingSync, Some(2), true)),
                2,
                true,
                O::SkippedOlder { known: 2 },
            ),
            // A synced row with a stray unsent entry is still pending.
            (
                Some(base(S::Synced, Some(2), true)),
                3,
                false,
                O::ConflictRecorded,
            ),
            (Some(base(S::Synced, Some(2), true)), 3, true, O::Adopted),
            // Drafts, refusals and conflicts keep the user's content until resolved.
            (
                Some(base(S::Draft, None, false)),
                1,
                true,
                O::ConflictRecorded,
            ),
            (
                Some(base(S::Rejected, Some(1), true)),
                2,
                true,
                O::ConflictRecorded,
            ),
            (
                Some(base(S::Conflict, Some(5), true)),
                6,
                false,
                O::ConflictRecorded,
            ),
            (
                Some(base(S::Conflict, Some(5), true)),
                5,
                false,
                O::SkippedOlder { known: 5 },
            ),
        ];
        for (i, (stored, incoming, same, expected)) in cases.iter().enumerate() {
            assert_eq!(
                decide_pull(stored.as_ref(), *incoming, *same),
                *expected,
                "case {i}: {stored:?} <- v{incoming} same={same}"
            );
        }
    }

    #[test]
    fn sync_status_kinds_round_trip() {
        for k in SyncStatusKind::ALL {
            assert_eq!(SyncStatusKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(SyncStatusKind::parse("nope"), None);
    }
}
