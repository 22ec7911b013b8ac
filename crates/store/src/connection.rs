//! Opening SQLite connections the one way this crate does: every pragma set here, once, at
//! open; a writer plus a small pool of read-only connections.
//!
//! Durability: WAL with `synchronous = NORMAL`. A commit is appended to the WAL without an fsync;
//! the WAL is synced at each checkpoint. The database is therefore never corrupted and a
//! committed transaction survives the process being killed at any point; only an operating
//! system crash or power loss may lose the last transactions before the last checkpoint (the
//! file stays consistent). Readers in WAL mode see the last committed snapshot and never wait
//! for the writer, nor the writer for them.
//!
//! Checkpoints (copying the WAL back into the database file, with its two fsyncs) can run off
//! the commit path in a [`Checkpointer`] thread: on a slow disk, a checkpoint taken by the
//! committing writer every thousand pages costs more than the writes themselves.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, TryLockError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Result, StoreError};

/// How the store opens its database.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Read-only connections for concurrent readers (at least 1).
    pub readers: usize,
    /// How long a connection waits for a lock held by another process before failing.
    pub busy_timeout: Duration,
    /// Page cache per connection, in MiB.
    pub cache_mib: u32,
    /// Memory-mapped I/O window, in MiB (0 disables). Mapped pages are shared between the
    /// connections through the OS page cache.
    pub mmap_mib: u32,
    /// Prepared statements kept per connection (`prepare_cached`).
    pub statement_cache: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            readers: 4,
            busy_timeout: Duration::from_secs(5),
            cache_mib: 32,
            mmap_mib: 1024,
            statement_cache: 128,
        }
    }
}

fn common_pragmas(conn: &Connection, options: &StoreOptions) -> Result<()> {
    conn.busy_timeout(options.busy_timeout)?;
    conn.set_prepared_statement_cache_capacity(options.statement_cache);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -i64::from(options.cache_mib) * 1024)?;
    conn.pragma_update(None, "mmap_size", i64::from(options.mmap_mib) * 1024 * 1024)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Plans from the schema only (they never look at bound values): otherwise SQLite marks
    // `col = ?` statements for re-preparation on rebinding, and rusqlite's statement cache
    // clears bindings on every return, so each cached lookup was parsed and planned again.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

/// The one read-write connection. Creates the file when missing.
pub(crate) fn open_writer(path: &Path, options: &StoreOptions) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::corrupt(
            "journal mode",
            format!("SQLite kept journal_mode={mode}, WAL is required"),
        ));
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Keep the WAL file from growing without bound after a burst of writes.
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    common_pragmas(&conn, options)?;
    Ok(conn)
}

/// A read-only connection on a database the writer has already created and migrated.
pub(crate) fn open_reader(path: &Path, options: &StoreOptions) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    common_pragmas(&conn, options)?;
    Ok(conn)
}

/// Locks a connection mutex; a panic in another thread while it held the lock left the
/// connection usable (an open transaction is rolled back when its guard drops).
pub(crate) fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Read-only connections, each behind its own mutex, handed out round-robin: a caller takes the
/// first free one from its starting point, and waits on its starting one only when all are busy.
#[derive(Debug)]
pub(crate) struct ReadPool {
    conns: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

impl ReadPool {
    pub(crate) fn open(path: &Path, options: &StoreOptions) -> Result<Self> {
        let conns = (0..options.readers.max(1))
            .map(|_| open_reader(path, options).map(Mutex::new))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            conns,
            next: AtomicUsize::new(0),
        })
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let n = self.conns.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        for i in 0..n {
            match self.conns[(start + i) % n].try_lock() {
                Ok(guard) => return f(&guard),
                Err(TryLockError::Poisoned(poisoned)) => return f(&poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        f(&lock(&self.conns[start]))
    }

    /// [`Self::with`] inside one read transaction, so that several statements (a page and its
    /// total, an order and its child rows) read the same committed snapshot.
    pub(crate) fn snapshot<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.with(|conn| {
            let tx = conn.unchecked_transaction()?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
    }
}

/// How often the [`Checkpointer`] checkpoints. Each checkpoint syncs the WAL and the database
/// file; under a burst of creates (~50,000 WAL pages a second) ten checkpoints a second meant
/// twenty fsyncs a second, and commits that stalled behind them on this machine's disk: the
/// creates' p99 was 41–48 ms with 100 ms against 22–31 ms with one second (alternating runs of
/// the same build, BENCHMARKS.md). A page rewritten by many commits within the second is also
/// copied once instead of once per tick.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// The WAL size (pages) at which the writer checkpoints by itself, should the [`Checkpointer`]
/// fall behind: a bound on the WAL (512 MiB), not the normal path. A second of a create burst
/// writes up to ~50,000 pages, and the WAL can only start over once a checkpoint copied all of
/// it, so the bound sits well above what one [`CHECKPOINT_EVERY`] adds.
pub(crate) const WRITER_CHECKPOINT_PAGES: i64 = 131_072;

/// What the WAL file is cut back to when it starts over (bytes): above what it normally holds,
/// so that it is not shrunk and grown again with every checkpoint.
pub(crate) const WAL_SIZE_LIMIT: i64 = 256 * 1024 * 1024;

/// Checkpoints the WAL from a thread of its own (`PRAGMA wal_checkpoint(PASSIVE)`, which waits
/// for nobody), so that commits never pay for one. Stopped and joined when dropped. A failed
/// checkpoint (busy, I/O) is simply retried at the next tick; the writer's own
/// [`WRITER_CHECKPOINT_PAGES`] bounds the WAL meanwhile.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub(crate) fn start(path: &Path, options: &StoreOptions) -> Result<Self> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(options.busy_timeout)?;
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let signal = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("orderdesk-checkpoint".to_owned())
            .spawn(move || checkpoint_until_stopped(&conn, &signal))?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

fn checkpoint_until_stopped(conn: &Connection, stop: &(Mutex<bool>, Condvar)) {
    let (flag, wake) = stop;
    loop {
        {
            let stopped = flag.lock().unwrap_or_else(PoisonError::into_inner);
            let (stopped, _) = wake
                .wait_timeout_while(stopped, CHECKPOINT_EVERY, |stopped| !*stopped)
                .unwrap_or_else(PoisonError::into_inner);
            if *stopped {
                return;
            }
        }
        // (busy, log frames, checkpointed frames); a failure is retried at the next tick.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (flag, wake) = &*self.stop;
        *flag.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
