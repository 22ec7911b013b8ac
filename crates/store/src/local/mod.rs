//! The desktop's local store: one SQLite database per user profile, holding what the desk needs
//! to work offline and to sync without losing or repeating anything.
//!
//! - [`orders`]: local orders (the domain order, its server version/ETag, its sync status), their
//!   items and external ids, the full-text index, and the merge of pulled server copies.
//! - [`search`]: FTS5 search over customer name, address, order id and external ids.
//! - [`versions`], [`notes`]: an order's append-only history and the desk's notes.
//! - [`queue`]: the server's work queues, mirrored for offline reading, in the domain's order.
//! - [`reference`]: catalog, addresses, customers, credit, inventory as JSON documents.
//! - [`outbox`]: changes waiting for the server, written with the change they carry.
//! - [`sync_state`]: the changes-feed cursor. [`profile`]: where a profile's database lives.
//!
//! Conventions are the central store's: embedded append-only migrations (`migrations/local`),
//! pragmas set once at open (WAL, `synchronous=NORMAL`, `busy_timeout`, `foreign_keys`), one
//! writer connection behind a mutex running short `BEGIN IMMEDIATE` transactions, a small pool
//! of read-only connections that never wait for it, `prepare_cached` statements, [`StoreError`].
//! One addition: WAL checkpoints run on a thread of their own (`checkpoint`), not inside the
//! commit of whichever capture crosses the threshold.
//! Composite writes (pulled orders and the cursor; resolving a conflict) go through
//! [`LocalStore::write`] and [`LocalTx`].
//!
//! What it leaves to others: what to send and when, how to back off, what a 4xx means (the
//! sync engine decides; the store records), and the desk's validation (the domain; the store
//! only keeps the reference data it reads).

mod checkpoint;
pub mod history;
pub mod notes;
pub mod orders;
pub mod outbox;
pub mod profile;
pub mod queue;
pub mod reference;
pub mod search;
pub mod sync_state;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod versions;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use checkpoint::{Checkpointer, WRITER_BACKSTOP_PAGES};

use crate::codec::millis;
use crate::connection::{lock, open_writer, ReadPool, StoreOptions};
use crate::error::{Result, StoreError};
use crate::migrations::{self, Migration};

pub use crate::central::Page;
pub use notes::LocalNote;
pub use orders::{
    decide_pull, KeepLocal, LocalOrder, OrderListQuery, OrderSort, PullBase, PullOutcome,
    PulledOrder, SearchText, SyncStatus, SyncStatusKind,
};
pub use outbox::{Method, NewOutboxEntry, OutboxCounts, OutboxEntry, OutboxKind, ServerAck};
pub use profile::profile_path;
pub use queue::{LocalQueueEntry, LocalQueueQuery};
pub use reference::{ReferenceChange, ReferenceKind, ReferenceRow};
pub use search::fts_query;

/// The local schema, oldest first. Append only.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "orders",
        sql: include_str!("../../migrations/local/0001_orders.sql"),
    },
    Migration {
        version: 2,
        name: "queue",
        sql: include_str!("../../migrations/local/0002_queue.sql"),
    },
    Migration {
        version: 3,
        name: "reference",
        sql: include_str!("../../migrations/local/0003_reference.sql"),
    },
    Migration {
        version: 4,
        name: "sync",
        sql: include_str!("../../migrations/local/0004_sync.sql"),
    },
    Migration {
        version: 5,
        name: "order_summary",
        sql: include_str!("../../migrations/local/0005_order_summary.sql"),
    },
    Migration {
        version: 6,
        name: "velocity_index",
        sql: include_str!("../../migrations/local/0006_velocity_index.sql"),
    },
    Migration {
        version: 7,
        name: "outbox_by_state",
        sql: include_str!("../../migrations/local/0007_outbox_by_state.sql"),
    },
];

/// A user profile's database on the desktop.
#[derive(Debug)]
pub struct LocalStore {
    writer: Mutex<Connection>,
    readers: ReadPool,
    path: PathBuf,
    /// Declared last: dropped (stopped, joined) after the connections above are closed.
    _checkpointer: Checkpointer,
}

/// A write transaction on the local store, handed to the closure of [`LocalStore::write`].
/// Everything done through it commits together or not at all.
#[derive(Debug)]
pub struct LocalTx<'c> {
    tx: Transaction<'c>,
}

impl LocalTx<'_> {
    fn conn(&self) -> &Connection {
        &self.tx
    }
}

impl LocalStore {
    /// The desktop's defaults: two readers (the UI and the sync engine), a small page cache
    /// and no memory map. The desk shares the machine with its web view: a mapped database counts
    /// in the app's resident memory page by page as the user lists orders (33 MB for the first
    /// page of 100,000, up to the whole window after paging through them), while reads through a
    /// 4 MiB cache per connection bound it at about 12 MiB, and the kernel's page cache, which
    /// no process is charged for, keeps those reads fast (BENCHMARKS.md, "Desktop app: launch
    /// and memory").
    pub fn default_options() -> StoreOptions {
        StoreOptions {
            readers: 2,
            busy_timeout: Duration::from_secs(5),
            cache_mib: 4,
            mmap_mib: 0,
            statement_cache: 128,
        }
    }

    /// The database file of a profile: see [`profile_path`].
    pub fn profile_path(app_data_dir: &Path, server_url: &str, user_id: &str) -> PathBuf {
        profile_path(app_data_dir, server_url, user_id)
    }

    /// Opens (creating the parent directory and the file when missing) and migrates the
    /// database at `path`, with [`Self::default_options`].
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, &Self::default_options())
    }

    pub fn open_with(path: &Path, options: &StoreOptions) -> Result<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let mut writer = open_writer(path, options)?;
        migrations::apply(&mut writer, MIGRATIONS, millis(Utc::now()))?;
        writer.pragma_update(None, "wal_autocheckpoint", WRITER_BACKSTOP_PAGES)?;
        let readers = ReadPool::open(path, options)?;
        let checkpointer = Checkpointer::start(path, options)?;
        Ok(Self {
            writer: Mutex::new(writer),
            readers,
            path: path.to_owned(),
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
    /// `Ok`; an `Err` (or a panic) rolls everything back. Keep `f` short: decide before, write
    /// inside.
    pub fn write<T, E>(&self, f: impl FnOnce(&LocalTx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let ctx = LocalTx { tx };
        let out = f(&ctx)?;
        ctx.tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Runs `f` on a read-only connection in one read transaction (one consistent snapshot).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.readers.snapshot(f)
    }
}

/// A UNIQUE/PRIMARY KEY violation, told apart from other failures so it can be named.
fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_is_send_and_sync() {
        fn assert<T: Send + Sync>() {}
        assert::<LocalStore>();
    }

    #[test]
    fn local_migrations_are_numbered_one_by_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{}", m.name);
        }
    }

    /// Every file in `migrations/local` is listed, with the number and name of its file name.
    #[test]
    fn every_local_file_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/local");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(files, listed);
    }

    #[test]
    fn migrations_apply_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        let all: Vec<u32> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(migrations::apply(&mut conn, MIGRATIONS, 0).unwrap(), all);
        assert!(migrations::apply(&mut conn, MIGRATIONS, 0)
            .unwrap()
            .is_empty());
    }
}
