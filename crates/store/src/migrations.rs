//! Embedded, append-only schema migrations.
//!
//! Each database kind has its list of SQL files (`migrations/<kind>/NNNN_name.sql`), compiled
//! into the binary. Opening a database applies, in order and each in its own transaction, the
//! ones its `schema_version` table does not record yet. A migration once released is never
//! edited: a schema change is a new file at the end of the list. A database that records a
//! version this build does not know is refused rather than guessed at.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::error::{Result, StoreError};

/// One schema step.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// 1, 2, 3...: the file's number.
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// The central server's schema, oldest first. Append only.
pub const CENTRAL: &[Migration] = &[
    Migration {
        version: 1,
        name: "orders",
        sql: include_str!("../migrations/central/0001_orders.sql"),
    },
    Migration {
        version: 2,
        name: "desk",
        sql: include_str!("../migrations/central/0002_desk.sql"),
    },
    Migration {
        version: 3,
        name: "hub",
        sql: include_str!("../migrations/central/0003_hub.sql"),
    },
    Migration {
        version: 4,
        name: "fulfilment",
        sql: include_str!("../migrations/central/0004_fulfilment.sql"),
    },
    Migration {
        version: 5,
        name: "reference",
        sql: include_str!("../migrations/central/0005_reference.sql"),
    },
    Migration {
        version: 6,
        name: "jeopardy_due",
        sql: include_str!("../migrations/central/0006_jeopardy_due.sql"),
    },
    Migration {
        version: 7,
        name: "velocity_indexes",
        sql: include_str!("../migrations/central/0007_velocity_indexes.sql"),
    },
    Migration {
        version: 8,
        name: "history_index_columns",
        sql: include_str!("../migrations/central/0008_history_index_columns.sql"),
    },
];

/// Brings the database up to the last of `migrations`; returns the versions applied now.
pub(crate) fn apply(
    conn: &mut Connection,
    migrations: &[Migration],
    now_ms: i64,
) -> Result<Vec<u32>> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
             version    INTEGER PRIMARY KEY,
             name       TEXT    NOT NULL,
             applied_at INTEGER NOT NULL
         );",
    )?;
    let known = migrations.last().map_or(0, |m| m.version);
    let mut applied = Vec::new();
    for migration in migrations {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: Option<u32> = tx
            .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
            .optional()?
            .flatten();
        if let Some(found) = found.filter(|f| *f > known) {
            return Err(StoreError::SchemaTooNew { found, known });
        }
        let done: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_version WHERE version = ?1)",
            [migration.version],
            |r| r.get(0),
        )?;
        if done {
            continue;
        }
        tx.execute_batch(migration.sql)?;
        tx.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![migration.version, migration.name, now_ms],
        )?;
        tx.commit()?;
        applied.push(migration.version);
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_migrations_are_numbered_one_by_one() {
        for (i, m) in CENTRAL.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{}", m.name);
        }
    }

    /// Every file in `migrations/central` is listed, with the number and name of its file name.
    #[test]
    fn every_central_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/central");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let listed: Vec<String> = CENTRAL
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(files, listed);
    }

    #[test]
    fn applies_once_and_refuses_a_newer_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        let all: Vec<u32> = CENTRAL.iter().map(|m| m.version).collect();
        assert_eq!(apply(&mut conn, CENTRAL, 0).unwrap(), all);
        assert!(apply(&mut conn, CENTRAL, 0).unwrap().is_empty());
        let newest = all.last().copied().unwrap();
        assert!(matches!(
            apply(&mut conn, &CENTRAL[..2], 0),
            Err(StoreError::SchemaTooNew { found, known: 2 }) if found == newest
        ));
    }
}
