//! Checkpoints off the commit path. SQLite's automatic checkpoint runs inside the commit that
//! crosses its threshold: that commit copies ~4 MB from the WAL into the database and fsyncs
//! both, tens of milliseconds on a laptop disk, and the capture that happens to make it is the
//! desk's p99. So the writer's automatic checkpoint is pushed out to a backstop, and a thread
//! with its own connection runs a `PASSIVE` checkpoint a few times a second instead. A passive
//! checkpoint never blocks the writer or the readers, so commits only ever append to the WAL.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use crate::connection::{open_writer, StoreOptions};
use crate::error::Result;

/// How often the thread checkpoints.
const INTERVAL: Duration = Duration::from_millis(250);
/// WAL pages after which the writer checkpoints itself, should the thread fall behind
/// (SQLite's default is 1000).
pub(crate) const WRITER_BACKSTOP_PAGES: i64 = 16_384;

/// The checkpointing thread; stopped (after a last checkpoint) and joined on drop.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

fn checkpoint(conn: &Connection) {
    // Busy or not, a failed pass is retried at the next tick; the backstop bounds the WAL.
    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
}

impl Checkpointer {
    pub(crate) fn start(path: &Path, options: &StoreOptions) -> Result<Self> {
        let conn = open_writer(
            path,
            &StoreOptions {
                readers: 1,
                cache_mib: 1,
                mmap_mib: 0,
                statement_cache: 4,
                ..options.clone()
            },
        )?;
        let (stop, ticks) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("orderdesk-local-checkpoint".to_owned())
            .spawn(move || loop {
                match ticks.recv_timeout(INTERVAL) {
                    Err(RecvTimeoutError::Timeout) => checkpoint(&conn),
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                        checkpoint(&conn);
                        break;
                    }
                }
            })?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
