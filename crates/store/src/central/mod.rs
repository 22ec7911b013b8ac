//! The central server's store: the system of record for product orders and everything the
//! server keeps about them (versions, the changes feed, queues and claims, cancel requests, hub
//! subscriptions and their outbox, service orders, product inventory, demo reference data).
//!
//! One module per table or aggregate; each holds all of its SQL. Every write runs in one short
//! `BEGIN IMMEDIATE` transaction on the single writer connection and writes, in that same
//! transaction, its row in the changes feed and its notifications in the outbox. Reads run on a
//! small pool of read-only connections and never wait for the writer (WAL). Order creates and
//! updates (and prepared order changes: an order's versions with its queue entry) from concurrent
//! callers are committed together (`group_commit`): one transaction, each caller answered after
//! the commit.
//!
//! The API is synchronous and [`CentralStore`] is `Send + Sync`: the server calls it from
//! `spawn_blocking` or a thread of its own. Composite writes (an order update, its queue entry,
//! a cancel request and their events, all or nothing) go through [`CentralStore::write`] and the
//! methods of [`CentralTx`]; the single-purpose methods on the store are those wrapped in their
//! own transaction. What the store does not decide: whether a change is allowed (the domain's
//! rules do that; the store only enforces versions, uniqueness and the claim rule it is handed).

mod cancel_requests;
mod changes;
mod group_commit;
mod history;
mod hub;
mod inventory;
mod order_change;
mod order_query;
mod orders;
mod queue;
mod reference;
mod scans;
mod service_orders;
mod versions;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::codec::millis;
use crate::connection::{
    lock, open_writer, Checkpointer, ReadPool, StoreOptions, WAL_SIZE_LIMIT,
    WRITER_CHECKPOINT_PAGES,
};
use crate::error::{Result, StoreError};
use crate::migrations;

pub use cancel_requests::CancelRequestQuery;
pub use changes::{Change, ChangeOp, Entity};
pub use hub::{ApiVersion, Delivery, DeliveryRecord, NewSubscription, OutboundEvent, Subscription};
pub use inventory::ProductQuery;
pub use order_change::{PreparedChange, QueueSync};
pub use order_query::{Direction, Filter, Op, OrderField, OrderQuery, QueryPlan};
pub use orders::{CreateOutcome, NewOrder, OrderUpdate, StoredOrder};
pub use queue::{DeskNote, QueueQuery};
pub use reference::ReferenceKind;
pub use service_orders::StoredServiceOrder;

/// One page of a list and the number of rows matching the whole query (`X-Total-Count`).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// The central server's database (`<data_dir>/orderdesk.db`).
#[derive(Debug)]
pub struct CentralStore {
    writer: Arc<Mutex<Connection>>,
    /// Commits the creates, updates and prepared changes queued meanwhile together (see
    /// `group_commit`).
    committer: group_commit::Committer,
    readers: ReadPool,
    path: PathBuf,
    /// Checkpoints the WAL off the commit path; stopped when the store is dropped.
    _checkpointer: Checkpointer,
}

/// A write transaction on the central store, handed to the closure of [`CentralStore::write`].
/// Everything done through it commits together or not at all.
#[derive(Debug)]
pub struct CentralTx<'c> {
    tx: Transaction<'c>,
}

impl CentralTx<'_> {
    fn conn(&self) -> &Connection {
        &self.tx
    }
}

impl CentralStore {
    /// The database file's name inside the data directory.
    pub const FILE_NAME: &'static str = "orderdesk.db";

    /// Opens (creating the directory and the file when missing) and migrates the database.
    pub fn open(data_dir: &Path) -> Result<Self> {
        Self::open_with(data_dir, &StoreOptions::default())
    }

    pub fn open_with(data_dir: &Path, options: &StoreOptions) -> Result<Self> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(Self::FILE_NAME);
        let mut writer = open_writer(&path, options)?;
        migrations::apply(&mut writer, migrations::CENTRAL, millis(Utc::now()))?;
        scans::fill_jeopardy_due(&mut writer)?;
        // Checkpoints run in their own thread; the writer checkpoints only if it falls behind.
        writer.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)?;
        writer.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
        let writer = Arc::new(Mutex::new(writer));
        let readers = ReadPool::open(&path, options)?;
        let checkpointer = Checkpointer::start(&path, options)?;
        Ok(Self {
            committer: group_commit::Committer::start(Arc::clone(&writer))?,
            writer,
            readers,
            path,
            _checkpointer: checkpointer,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The last schema migration applied.
    pub fn schema_version(&self) -> Result<u32> {
        self.read(|conn| {
            Ok(conn.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))?)
        })
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on the writer and commits when it returns
    /// `Ok`; an `Err` (or a panic) rolls everything back. Writers queue here, one at a time, so
    /// keep `f` short: decide before, write inside.
    pub fn write<T, E>(&self, f: impl FnOnce(&CentralTx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let ctx = CentralTx { tx };
        let out = f(&ctx)?;
        ctx.tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Runs `f` on a read-only connection in one read transaction (one consistent snapshot).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.readers.snapshot(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_is_send_and_sync() {
        fn assert<T: Send + Sync>() {}
        assert::<CentralStore>();
    }
}
