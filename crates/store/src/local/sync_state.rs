//! Where the pull stands: the changes-feed cursor (the last `seq` applied) and when a pull last
//! finished. Set it in the transaction that applies the pulled changes ([`LocalTx::set_cursor`])
//! so that a crash never skips a change; re-applying one is harmless (older copies are skipped).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::{LocalStore, LocalTx};
use crate::codec::{count_from_sql, from_opt_millis, millis, sql_count};
use crate::error::Result;

fn set(conn: &Connection, cursor: u64, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("UPDATE sync_state SET cursor = ?1, last_sync_at = ?2 WHERE id = 1")?
        .execute(params![sql_count(cursor), millis(at)])?;
    Ok(())
}

impl LocalStore {
    /// The changes-feed cursor to send as `after` (0 before the first pull).
    pub fn cursor(&self) -> Result<u64> {
        self.read(|conn| {
            let c: i64 = conn
                .prepare_cached("SELECT cursor FROM sync_state WHERE id = 1")?
                .query_row([], |r| r.get(0))?;
            Ok(count_from_sql(c))
        })
    }

    /// Records the cursor after a pull that finished at `at`.
    pub fn set_cursor(&self, cursor: u64, at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| tx.set_cursor(cursor, at))
    }

    /// When a pull last finished, if ever.
    pub fn last_sync_at(&self) -> Result<Option<DateTime<Utc>>> {
        self.read(|conn| {
            let at: Option<i64> = conn
                .prepare_cached("SELECT last_sync_at FROM sync_state WHERE id = 1")?
                .query_row([], |r| r.get(0))?;
            from_opt_millis(at, "sync_state.last_sync_at")
        })
    }
}

impl LocalTx<'_> {
    pub fn set_cursor(&self, cursor: u64, at: DateTime<Utc>) -> Result<()> {
        set(self.conn(), cursor, at)
    }
}
