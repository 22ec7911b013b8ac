//! The boundary between the sync engine and the desk's local store: [`SyncLocal`], the few
//! calls the engine makes, and the plain values that cross it (outbox entries, the server's copy
//! of an order, what the store knows of an order).
//!
//! The store crate does not appear here: the desk core implements [`SyncLocal`] over its
//! SQLite store, tests over a map. Calls are blocking (SQLite is); the engine makes them on
//! tokio's blocking pool. Each `mark_*` call is one local transaction: the entry's new status and
//! what it means for the order (its server id and version, the server's reason) commit together.

use chrono::{DateTime, Utc};
use orderdesk_domain::ProductOrder;
use orderdesk_tmf::{v4, v5, ApiVersion, WireError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The outbox's own number of an entry: entries are sent in this order (per order, strictly).
pub type EntryId = u64;

/// One local change waiting to reach the server.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub id: EntryId,
    /// The order's local id (what the desk shows before the server has named it).
    pub order: String,
    /// The order's id on the server, once its create has been sent (the store fills it in from
    /// the order when it reads the outbox; a create has none).
    pub server_id: Option<String>,
    pub op: OutboxOp,
    /// Sent as `Idempotency-Key` (creates): a resend after a lost answer is the same request.
    /// The store should also put it in the create body's `externalId`, which any TMF622 server
    /// can match duplicates on.
    pub idempotency_key: String,
    /// Attempts that failed so far (network, 5xx).
    pub attempts: u32,
    /// Not before this time (set by [`SyncLocal::mark_retry`]).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub status: EntryStatus,
}

/// What an entry asks the server to do.
#[derive(Debug, Clone, PartialEq)]
pub enum OutboxOp {
    /// `POST productOrder` with this TMF622 create body (in the client's API version).
    Create { body: Value },
    /// `PATCH productOrder/{id}` with this merge patch; `If-Match` = the version the user edited.
    /// Send `if_match` whenever the user saw a version: without it the server's newer version
    /// would be overwritten.
    Amend { patch: Value, if_match: Option<u32> },
    /// `POST cancelProductOrder` for the order; `If-Match` = the version the user saw.
    Cancel {
        reason: Option<String>,
        requested_at: Option<DateTime<Utc>>,
        if_match: Option<u32>,
    },
}

impl OutboxOp {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Create { .. } => "create",
            Self::Amend { .. } => "amend",
            Self::Cancel { .. } => "cancel",
        }
    }
}

/// Where an entry stands. Sent entries leave the outbox (or are never returned again by
/// [`SyncLocal::pending_outbox`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EntryStatus {
    /// Waiting to be sent, or to be sent again.
    Pending,
    /// The server refused it (4xx); the order shows why. Later entries of the order wait
    /// behind it until the user deals with it (edits and resends, or drops it).
    Failed,
    /// The server's order moved on since the user's edit (412); the order shows both. Later
    /// entries of the order wait behind it, like a failed one.
    Conflict,
}

/// An order as the server answered it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerOrder {
    /// The server's id.
    pub id: String,
    /// The server's version (its `ETag`); `None` from a server that sends none.
    pub version: Option<u32>,
    /// The TMF622 state as the server wrote it.
    pub state: Option<String>,
    /// The API version `body` is in.
    pub api: ApiVersion,
    /// The TMF622 `ProductOrder` JSON, untouched.
    pub body: Value,
}

impl ServerOrder {
    /// The order read back into the domain model.
    pub fn to_domain(&self) -> Result<ProductOrder, WireError> {
        match self.api {
            ApiVersion::V4 => {
                let wire: v4::ProductOrder = orderdesk_tmf::from_value(self.body.clone())?;
                ProductOrder::try_from(&wire)
            }
            ApiVersion::V5 => {
                let wire: v5::ProductOrder = orderdesk_tmf::from_value(self.body.clone())?;
                ProductOrder::try_from(&wire)
            }
        }
    }
}

/// The TMF error body of a refusal: `code`, `reason`, `message`, as the server sent them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TmfError {
    /// The HTTP status.
    pub status: u16,
    pub code: String,
    pub reason: String,
    pub message: Option<String>,
    /// The body as sent, when it was not a TMF error body (a proxy's page...).
    pub raw: Option<String>,
}

impl TmfError {
    /// Reads a response body: a TMF error body, or whatever text came (kept in `raw`).
    pub fn from_body(status: u16, body: &[u8]) -> Self {
        #[derive(Deserialize)]
        struct Wire {
            code: Option<Value>,
            reason: Option<String>,
            message: Option<String>,
        }
        match serde_json::from_slice::<Wire>(body) {
            Ok(w) if w.code.is_some() || w.reason.is_some() => Self {
                status,
                code: match w.code {
                    Some(Value::String(s)) => s,
                    Some(other) => other.to_string(),
                    None => String::new(),
                },
                reason: w.reason.unwrap_or_default(),
                message: w.message,
                raw: None,
            },
            _ => {
                let text = String::from_utf8_lossy(body);
                let text: String = text.chars().take(2000).collect();
                Self {
                    status,
                    code: String::new(),
                    reason: String::new(),
                    message: None,
                    raw: (!text.trim().is_empty()).then_some(text),
                }
            }
        }
    }

    /// What to show: the reason, the message, or the raw body.
    pub fn describe(&self) -> String {
        let mut out = format!("{}", self.status);
        if !self.code.is_empty() {
            out.push_str(&format!(" {}", self.code));
        }
        if !self.reason.is_empty() {
            out.push_str(&format!(": {}", self.reason));
        }
        if let Some(m) = &self.message {
            out.push_str(&format!(" ({m})"));
        }
        if let Some(raw) = &self.raw {
            out.push_str(&format!(": {raw}"));
        }
        out
    }
}

/// What the local store knows of an order the server has, for merging a pulled change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LocalSnapshot {
    /// The server version the local copy is at (`None`: not known).
    pub server_version: Option<u32>,
    /// Local changes to the order not yet accepted by the server (pending, failed or in
    /// conflict).
    pub unsent: u32,
}

/// Why a local store call failed (its own error, boxed: the engine only reports it).
#[derive(Debug, thiserror::Error)]
#[error("local store: {0}")]
pub struct LocalError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

impl LocalError {
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(e))
    }

    pub fn msg(message: impl Into<String>) -> Self {
        Self(message.into().into())
    }
}

pub type LocalResult<T> = Result<T, LocalError>;

/// The calls the sync engine makes on the desk's local store.
///
/// Outbox: [`pending_outbox`](Self::pending_outbox) → one of `mark_sent` / `mark_retry` /
/// `mark_failed` / `mark_conflict` per attempt. Pull: [`snapshot`](Self::snapshot) →
/// `apply_pulled` or `refresh_order`, then `set_cursor` once a page is applied.
pub trait SyncLocal: Send + Sync {
    /// Every entry not yet sent (pending, failed, conflict), any order. The engine sorts them.
    fn pending_outbox(&self) -> LocalResult<Vec<OutboxEntry>>;

    /// The server accepted the entry: it leaves the outbox; the order takes the server's id
    /// (a create: it stops showing "awaiting sync") and, when the answer carried the order, its
    /// version and content (a cancel answers the cancel request: the order comes by the pull).
    fn mark_sent(
        &self,
        entry: EntryId,
        server_id: &str,
        order: Option<&ServerOrder>,
    ) -> LocalResult<()>;

    /// The entry failed in a way worth retrying: `attempts` so far, not before `next_attempt_at`.
    fn mark_retry(
        &self,
        entry: EntryId,
        attempts: u32,
        next_attempt_at: DateTime<Utc>,
        reason: &str,
    ) -> LocalResult<()>;

    /// The server refused the entry (4xx): keep it as failed and show `error` on the order.
    fn mark_failed(&self, entry: EntryId, error: &TmfError) -> LocalResult<()>;

    /// The order moved on on the server (412): keep the entry aside as a conflict, store
    /// `current` as the order's server copy, and let the user see both. Never apply the entry.
    fn mark_conflict(&self, entry: EntryId, current: &ServerOrder) -> LocalResult<()>;

    /// What the store knows of the order with this server id (`None`: not known here).
    fn snapshot(&self, server_id: &str) -> LocalResult<Option<LocalSnapshot>>;

    /// A newer server copy of an order without unsent local changes: store it as the order.
    /// Returns whether anything changed.
    fn apply_pulled(&self, order: &ServerOrder) -> LocalResult<bool>;

    /// A newer server copy of an order that has unsent local changes: store it as the order's
    /// server copy beside the local changes, which stay queued (their `If-Match` will tell).
    fn refresh_order(&self, order: &ServerOrder) -> LocalResult<()>;

    /// The changes-feed cursor: the last `seq` applied (`None`: never pulled).
    fn cursor(&self) -> LocalResult<Option<u64>>;

    fn set_cursor(&self, cursor: u64) -> LocalResult<()>;

    /// Server ids of the open (not final) orders the store holds: what a generic TMF622 server
    /// (no changes feed) is polled for.
    fn open_orders(&self) -> LocalResult<Vec<String>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_keep_what_the_server_said() {
        let tmf = TmfError::from_body(
            422,
            br#"{"code":"amendmentRejected","reason":"past PONR","message":"item 2","status":"422"}"#,
        );
        assert_eq!(tmf.code, "amendmentRejected");
        assert_eq!(tmf.reason, "past PONR");
        assert_eq!(tmf.message.as_deref(), Some("item 2"));
        assert_eq!(tmf.describe(), "422 amendmentRejected: past PONR (item 2)");
        let numeric = TmfError::from_body(400, br#"{"code":40,"reason":"bad"}"#);
        assert_eq!(numeric.code, "40");
        let page = TmfError::from_body(502, b"<html>bad gateway</html>");
        assert_eq!(page.raw.as_deref(), Some("<html>bad gateway</html>"));
        assert_eq!(page.describe(), "502: <html>bad gateway</html>");
    }
}
