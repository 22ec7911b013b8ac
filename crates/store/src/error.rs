//! The store's one error type. Callers branch on the variant (`NotFound` is a 404,
//! `VersionConflict` a 412, `Duplicate` a 409, `InvalidQuery` a 400); everything else is the
//! store failing and maps to a 500.

use orderdesk_domain::desk::ClaimError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} `{id}` not found")]
    NotFound { entity: &'static str, id: String },

    /// Optimistic concurrency: the caller's version (ETag) is stale.
    #[error("version conflict: the stored version is {current}")]
    VersionConflict { current: u32 },

    /// The id (or a unique key such as an external id or a subscription id) is taken.
    #[error("{entity} `{id}` already exists")]
    Duplicate { entity: &'static str, id: String },

    /// A write whose version numbers do not follow: the new order must carry
    /// `expected_version + 1` and its version record the same number.
    #[error("the new version must be {expected}, not {got}")]
    NotNextVersion { expected: u32, got: u32 },

    /// A write that contradicts what is stored in a way no retry fixes (e.g. moving a cancel
    /// request to another order).
    #[error("{0}")]
    Inconsistent(String),

    /// A list query the store cannot run: unknown value, wrong operator for the field, a sort on
    /// a field that is not sortable. The message names the field and value.
    #[error("invalid query: {0}")]
    InvalidQuery(String),

    /// The domain's claim rules refused a claim or release.
    #[error(transparent)]
    Claim(#[from] ClaimError),

    /// A stored document or column that no longer reads as its type.
    #[error("stored {what} is corrupt: {detail}")]
    Corrupt { what: String, detail: String },

    /// A value that could not be written as JSON.
    #[error("cannot encode {what} as JSON: {source}")]
    Encode {
        what: &'static str,
        source: serde_json::Error,
    },

    /// The write was lost with the transaction it was grouped into (the commit failed): nothing
    /// of it was stored, and it may be retried.
    #[error("not committed: {0}")]
    NotCommitted(String),

    /// The database was written by a newer build (a migration this build does not know).
    #[error("database schema version {found} is newer than this build's {known}")]
    SchemaTooNew { found: u32, known: u32 },

    #[error("cannot prepare the data directory: {0}")]
    Io(#[from] std::io::Error),

    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    pub(crate) fn not_found(entity: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            entity,
            id: id.into(),
        }
    }

    pub(crate) fn duplicate(entity: &'static str, id: impl Into<String>) -> Self {
        Self::Duplicate {
            entity,
            id: id.into(),
        }
    }

    pub(crate) fn corrupt(what: impl Into<String>, detail: impl ToString) -> Self {
        Self::Corrupt {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
