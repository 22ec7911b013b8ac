//! The sync decisions, as pure functions: what to send next ([`next_push`]), what an answer
//! means for an outbox entry ([`classify`]), how long to wait before a retry ([`Backoff`]),
//! whether a refused entry was in fact carried out by an earlier attempt ([`settled`]), which
//! orders a page of the changes feed touches ([`orders_touched`]), whether a pulled order is
//! one of the desk's own creates ([`claims_pulled`]) or replaces the local copy
//! ([`merge_pulled`]), how a change refused as stale is sent again when the user keeps it
//! ([`keep_mine`]), what a refresh of reference data replaces ([`refresh_reference`]), and
//! what the desk's online indicator shows ([`Link`]).
//!
//! No I/O, no clock, no randomness: `now` and the answers are inputs. The engine
//! ([`crate::engine`]) fetches, calls these, and writes what they say.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::client::FeedChange;
use crate::local::{
    EntryId, EntryStatus, LocalSnapshot, OutboxEntry, OutboxOp, ServerOrder, TmfError,
};

// ---------------------------------------------------------------------------------------------
// Push: what to send.

/// Why a pending entry is not sent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Its retry is not due before this time.
    Waiting { until: DateTime<Utc> },
    /// An earlier entry of the same order goes first (per-order FIFO).
    Behind { entry: EntryId },
    /// An earlier entry of the same order was refused or is in conflict: the user decides.
    Blocked { entry: EntryId, status: EntryStatus },
    /// It needs the order's server id, and no create of the order is queued before it.
    NoServerId,
}

/// What one drain pass sends, and why the rest waits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PushPlan {
    /// Entries to send now, in outbox order; at most one per order.
    pub send: Vec<EntryId>,
    /// Pending entries not sent now.
    pub held: Vec<(EntryId, Held)>,
    /// The earliest time a waiting entry comes due.
    pub wake_at: Option<DateTime<Utc>>,
}

/// The next drain pass: entries in outbox order, each order strictly first in first out (an
/// entry waits while an earlier one of its order is unsent — pending, refused or in conflict),
/// entries whose retry is not due skipped.
pub fn next_push(entries: &[OutboxEntry], now: DateTime<Utc>) -> PushPlan {
    let mut sorted: Vec<&OutboxEntry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.id);
    let mut heads: HashMap<&str, &OutboxEntry> = HashMap::new();
    let mut plan = PushPlan::default();
    for entry in sorted {
        if let Some(head) = heads.get(entry.order.as_str()) {
            if entry.status == EntryStatus::Pending {
                let held = match head.status {
                    EntryStatus::Pending => Held::Behind { entry: head.id },
                    status => Held::Blocked {
                        entry: head.id,
                        status,
                    },
                };
                plan.held.push((entry.id, held));
            }
            continue;
        }
        heads.insert(entry.order.as_str(), entry);
        if entry.status != EntryStatus::Pending {
            continue;
        }
        let needs_id = !matches!(entry.op, OutboxOp::Create { .. });
        match entry.next_attempt_at {
            _ if needs_id && entry.server_id.is_none() => {
                plan.held.push((entry.id, Held::NoServerId));
            }
            Some(until) if until > now => {
                plan.held.push((entry.id, Held::Waiting { until }));
                plan.wake_at = Some(plan.wake_at.map_or(until, |w| w.min(until)));
            }
            _ => plan.send.push(entry.id),
        }
    }
    plan
}

/// Exponential backoff: `initial` after the first failure, doubling, at most `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(5 * 60),
        }
    }
}

impl Backoff {
    /// The wait after `attempts` failed attempts (none after none).
    pub fn delay(&self, attempts: u32) -> Duration {
        if attempts == 0 {
            return Duration::ZERO;
        }
        let factor = 1u32.checked_shl(attempts - 1).unwrap_or(u32::MAX);
        self.initial
            .checked_mul(factor)
            .unwrap_or(self.max)
            .min(self.max)
    }
}

/// The longest `Retry-After` honoured: a server asking for more is asked again after this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

/// How an attempt ended, as far as the decision cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The server answered with `status` (and, for an error, its TMF error body).
    Reached {
        status: u16,
        retry_after: Option<Duration>,
        error: Option<TmfError>,
    },
    /// No answer: refused connection, DNS, timeout, a connection cut mid-answer.
    Unreachable { reason: String },
    /// An answer this client cannot read (a success without the order in it...). Resending is
    /// safe: creates are idempotent, and a resent amendment that landed is [`settled`].
    Garbled { reason: String },
}

/// What to do with an entry after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done (`201` created, `200` idempotent replay or update).
    Sent,
    /// Try again after `after`. `pause_all`: the server as a whole is unreachable or down, so the
    /// pass stops rather than fail every other entry the same way.
    Retry {
        after: Duration,
        reason: String,
        pause_all: bool,
    },
    /// Refused for good (4xx): shown on the order with the server's reason, never resent.
    Rejected(TmfError),
    /// `412`: the order moved on since the user's edit. Refresh it and show what changed.
    Conflict,
    /// `401`: the token is not (or no longer) valid. Nothing is wrong with the entry: stop
    /// sending until the user signs in again.
    AuthRequired(TmfError),
}

/// The decision for one attempt, `attempts` being the failures before it.
///
/// | answer | outcome | why |
/// |---|---|---|
/// | 2xx | Sent | 200 on a create is the idempotent replay of one already made |
/// | no answer | Retry, pause all | network down or server stopped |
/// | unreadable answer | Retry | resending is safe (idempotency key, [`settled`]) |
/// | 408, 425, 429 | Retry | the request was fine; `Retry-After` is honoured |
/// | 500 | Retry | may be this request's bad luck: the others go on |
/// | 502, 503, 504 | Retry, pause all | the server (or its proxy) is down |
/// | 501, 505 | Rejected | this server will never do it |
/// | other 5xx, 1xx, 3xx | Retry | a proxy or portal in the way: not the entry's fault |
/// | 401 | AuthRequired | the user's token, not the entry |
/// | 409 | Rejected | the order's state refuses it (cancel of a finished order...) |
/// | 412 | Conflict | stale `If-Match` |
/// | other 4xx | Rejected | 400, 403, 404, 413, 415, 422: resending the same cannot help |
pub fn classify(answer: &Answer, attempts: u32, backoff: &Backoff) -> Outcome {
    let retry = |reason: String, retry_after: Option<Duration>, pause_all: bool| {
        let wait = backoff.delay(attempts.saturating_add(1));
        let after = match retry_after {
            Some(asked) => asked.min(MAX_RETRY_AFTER).max(wait),
            None => wait,
        };
        Outcome::Retry {
            after,
            reason,
            pause_all,
        }
    };
    let (status, retry_after, error) = match answer {
        Answer::Unreachable { reason } => {
            return retry(format!("server unreachable: {reason}"), None, true)
        }
        Answer::Garbled { reason } => {
            return retry(format!("unreadable answer: {reason}"), None, false)
        }
        Answer::Reached {
            status,
            retry_after,
            error,
        } => (*status, *retry_after, error),
    };
    let tmf = || {
        error.clone().unwrap_or(TmfError {
            status,
            ..TmfError::default()
        })
    };
    let said = || tmf().describe();
    match status {
        200..=299 => Outcome::Sent,
        401 => Outcome::AuthRequired(tmf()),
        412 => Outcome::Conflict,
        408 | 425 | 429 => retry(
            format!("server asked to retry: {}", said()),
            retry_after,
            false,
        ),
        400..=499 => Outcome::Rejected(tmf()),
        501 | 505 => Outcome::Rejected(tmf()),
        502..=504 => retry(format!("server unavailable: {}", said()), retry_after, true),
        _ => retry(format!("server error: {}", said()), retry_after, false),
    }
}

/// Whether a refused or conflicting entry was carried out after all (by an earlier attempt
/// whose answer was lost, or by someone else), judged from the server's current order:
/// an amendment whose every field the order already has; a cancel of an order already being
/// cancelled or cancelled. Then the entry is done, not a conflict or a refusal.
pub fn settled(op: &OutboxOp, current: &ServerOrder) -> bool {
    match op {
        OutboxOp::Create { .. } => false,
        OutboxOp::Amend { patch, .. } => patch_applied(&current.body, patch),
        OutboxOp::Cancel { .. } => matches!(
            current.state.as_deref(),
            Some("assessingCancellation" | "pendingCancellation" | "cancelled")
        ),
    }
}

/// Whether an outcome is worth checking against the server's current order with [`settled`].
pub fn worth_reconciling(op: &OutboxOp, outcome: &Outcome) -> bool {
    match (op, outcome) {
        (OutboxOp::Create { .. }, _) => false,
        (_, Outcome::Conflict) => true,
        (OutboxOp::Cancel { .. }, Outcome::Rejected(e)) => e.status == 409,
        _ => false,
    }
}

/// Whether applying the RFC 7396 merge `patch` to `doc` would change nothing.
pub fn patch_applied(doc: &Value, patch: &Value) -> bool {
    match patch {
        Value::Object(fields) => {
            let Value::Object(target) = doc else {
                return false;
            };
            fields
                .iter()
                .all(|(key, value)| match (value, target.get(key)) {
                    (Value::Null, None) => true,
                    (Value::Null, Some(_)) => false,
                    (_, None) => false,
                    (value, Some(have)) => patch_applied(have, value),
                })
        }
        other => doc == other,
    }
}

// ---------------------------------------------------------------------------------------------
// Conflict: keeping the local change.

/// How a change refused with `412` is sent again on top of the server's newer version, when the
/// user keeps it ("keep mine") instead of taking the server's copy.
#[derive(Debug, Clone, PartialEq)]
pub enum KeepMine {
    /// Send `op` (the rebased change, `If-Match` = the server's version). `overridden`: the
    /// fields both sides changed since the edited version, where the local value wins.
    Resend {
        op: OutboxOp,
        overridden: Vec<String>,
    },
    /// The server's order already holds every field the local change set: nothing to send.
    AlreadyThere,
    /// A create has no server version to go on top of: there is nothing to keep.
    NotAChange,
}

/// The local change `op` re-applied on top of the server's version `theirs_version`.
///
/// For an amendment, `base` is the merge patch of the order as it stood at the version the user
/// edited, and `theirs` the same for the server's current order (both in the shape of the
/// patch). Per top-level field of the patch:
///
/// | local = base | local = theirs | theirs = base | the field |
/// |---|---|---|---|
/// | yes | – | – | left out: the user did not change it, the server's value stays |
/// | no | yes | – | left out: the server has it already |
/// | no | no | yes | sent: only the user changed it |
/// | no | no | no | sent and named in `overridden`: both changed it, the user's wins |
///
/// Without `base` (a server that keeps no versions) every field the server does not already
/// have is sent, and none is known to be overridden. A cancel is sent again as it was, with the
/// new `If-Match`. An amendment with no field left is [`KeepMine::AlreadyThere`].
pub fn keep_mine(
    op: &OutboxOp,
    base: Option<&Value>,
    theirs: &Value,
    theirs_version: Option<u32>,
) -> KeepMine {
    match op {
        OutboxOp::Create { .. } => KeepMine::NotAChange,
        OutboxOp::Cancel {
            reason,
            requested_at,
            ..
        } => KeepMine::Resend {
            op: OutboxOp::Cancel {
                reason: reason.clone(),
                requested_at: *requested_at,
                if_match: theirs_version,
            },
            overridden: Vec::new(),
        },
        OutboxOp::Amend { patch, .. } => {
            let Value::Object(fields) = patch else {
                return KeepMine::AlreadyThere;
            };
            let mut rebased = serde_json::Map::new();
            let mut overridden = Vec::new();
            for (field, mine) in fields {
                let in_base = base.map(|b| b.get(field));
                if in_base.is_some_and(|b| b == Some(mine)) {
                    continue;
                }
                let in_theirs = theirs.get(field);
                if in_theirs == Some(mine) {
                    continue;
                }
                if in_base.is_some_and(|b| b != in_theirs) {
                    overridden.push(field.clone());
                }
                rebased.insert(field.clone(), mine.clone());
            }
            if rebased.is_empty() {
                return KeepMine::AlreadyThere;
            }
            KeepMine::Resend {
                op: OutboxOp::Amend {
                    patch: Value::Object(rebased),
                    if_match: theirs_version,
                },
                overridden,
            }
        }
    }
}

/// Applies the RFC 7396 merge `patch` to `doc` (what the server does with an amendment): the
/// desk shows the rebased change on the server's copy before the server has answered.
pub fn apply_merge_patch(doc: &mut Value, patch: &Value) {
    let Value::Object(fields) = patch else {
        *doc = patch.clone();
        return;
    };
    if !doc.is_object() {
        *doc = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(target) = doc {
        for (key, value) in fields {
            if value.is_null() {
                target.remove(key);
            } else {
                apply_merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reference data: what a refresh replaces.

/// What the server answered when asked for a whole collection of reference documents (the
/// catalog's offerings, a customer's products...).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Listing<'a> {
    /// Every document, all pages read: `(id, document)`.
    Complete(&'a [(&'a str, &'a Value)]),
    /// The server does not serve the collection (404: a generic TMF622 server).
    NotServed,
    /// It could not be read whole (no answer, an error, a page missing).
    Failed,
}

/// Why a refresh leaves the stored copy of a collection as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeepReason {
    NotServed,
    Failed,
    /// The server listed nothing while the desk holds documents: taken as a server without
    /// that data, not as a catalog withdrawn whole (offline validation would refuse everything).
    EmptyListing,
}

/// What a refresh does to the stored copy of one collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshPlan {
    /// Keep the last copy (for offline use).
    Keep(KeepReason),
    /// Write the documents `write` names (new or changed, in the listing's order; the last of
    /// an id listed twice wins) and delete those `delete` names (stored, no longer listed; only
    /// when pruning). `unchanged` documents are left as they are.
    Apply {
        write: Vec<String>,
        delete: Vec<String>,
        unchanged: usize,
    },
}

impl RefreshPlan {
    /// Whether the plan changes anything.
    pub fn changes(&self) -> bool {
        matches!(self, Self::Apply { write, delete, .. } if !write.is_empty() || !delete.is_empty())
    }
}

/// How a collection's stored copy `stored` follows the server's `listing`: the server's copy
/// replaces it whole — new and changed documents written, documents the server no longer lists
/// deleted when `prune` (not for collections the desk adds to itself, like quotes opened from
/// files) — unless the listing is missing, failed, or empty where the desk holds documents: then
/// the last copy stays.
pub fn refresh_reference(
    stored: &[(&str, &Value)],
    listing: Listing<'_>,
    prune: bool,
) -> RefreshPlan {
    let fetched = match listing {
        Listing::NotServed => return RefreshPlan::Keep(KeepReason::NotServed),
        Listing::Failed => return RefreshPlan::Keep(KeepReason::Failed),
        Listing::Complete(fetched) => fetched,
    };
    if fetched.is_empty() && !stored.is_empty() {
        return RefreshPlan::Keep(KeepReason::EmptyListing);
    }
    let have: HashMap<&str, &Value> = stored.iter().copied().collect();
    let mut latest: HashMap<&str, &Value> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (id, doc) in fetched {
        if latest.insert(id, doc).is_none() {
            order.push(id);
        }
    }
    let mut write = Vec::new();
    let mut unchanged = 0;
    for id in order {
        if have.get(id) == latest.get(id) {
            unchanged += 1;
        } else {
            write.push(id.to_owned());
        }
    }
    let mut delete: Vec<String> = if prune {
        stored
            .iter()
            .filter(|(id, _)| !latest.contains_key(id))
            .map(|(id, _)| (*id).to_owned())
            .collect()
    } else {
        Vec::new()
    };
    delete.sort();
    delete.dedup();
    RefreshPlan::Apply {
        write,
        delete,
        unchanged,
    }
}

// ---------------------------------------------------------------------------------------------
// Pull: what a page of the feed touches, and how a pulled order merges.

/// A product order a page of the changes feed touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touched {
    /// The server id.
    pub order: String,
    /// The newest version the page names (`None`: none named).
    pub version: Option<u32>,
    /// The page's last row about the order deleted it.
    pub deleted: bool,
}

/// What a page of the feed means for the desk: the orders to read (once each, newest version,
/// in first-seen order), and the orders whose queue entry changed (claims, holds).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageEffect {
    pub orders: Vec<Touched>,
    pub queue: Vec<String>,
}

/// Reads a page of the feed. Product order rows name the order to read; queue entry rows
/// only tell the queue views to refresh (a claim is no new order version). Cancel requests
/// and service orders move the order itself when they matter (a state change writes its own
/// product order row), and products are not the desk's: both are left out.
pub fn orders_touched(changes: &[FeedChange]) -> PageEffect {
    let mut effect = PageEffect::default();
    for change in changes {
        match change.entity.as_str() {
            "productOrder" => {
                let deleted = change.kind == "delete";
                match effect
                    .orders
                    .iter_mut()
                    .find(|t| t.order == change.entity_id)
                {
                    Some(t) => {
                        t.version = t.version.max(change.version);
                        t.deleted = deleted;
                    }
                    None => effect.orders.push(Touched {
                        order: change.entity_id.clone(),
                        version: change.version,
                        deleted,
                    }),
                }
            }
            "queueEntry" if !effect.queue.contains(&change.entity_id) => {
                effect.queue.push(change.entity_id.clone());
            }
            _ => {}
        }
    }
    effect
}

/// The pending create that made `pulled`, when the pull sees the order before the push heard
/// the answer (a lost answer, a crash between send and mark): matched on `externalId`, which the
/// store sets from the entry's idempotency key. The entry is then sent, not a new order.
pub fn claims_pulled(entries: &[OutboxEntry], pulled: &ServerOrder) -> Option<EntryId> {
    let theirs = external_ids(&pulled.body);
    if theirs.is_empty() {
        return None;
    }
    entries
        .iter()
        .filter(|e| e.status == EntryStatus::Pending)
        .find(|e| match &e.op {
            OutboxOp::Create { body } => external_ids(body).iter().any(|id| theirs.contains(id)),
            _ => false,
        })
        .map(|e| e.id)
}

/// The external ids of a TMF622 order: v4 `externalId` is a string, v5 a list of
/// `ExternalIdentifier`s.
pub fn external_ids(order: &Value) -> Vec<&str> {
    match order.get("externalId") {
        Some(Value::String(id)) if !id.is_empty() => vec![id.as_str()],
        Some(Value::Array(ids)) => ids
            .iter()
            .filter_map(|e| e.get("id").and_then(Value::as_str))
            .filter(|id| !id.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a touched order must be read: not when the local copy is already at (or past) the
/// version the feed names.
pub fn needs_fetch(local: Option<&LocalSnapshot>, touched: &Touched) -> bool {
    if touched.deleted {
        return false;
    }
    match (local.and_then(|l| l.server_version), touched.version) {
        (Some(have), Some(named)) => named > have,
        _ => true,
    }
}

/// What to do with a pulled order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeDecision {
    /// New here, or newer than the local copy, which has no unsent changes: store it.
    Apply,
    /// Not newer than the local copy.
    Skip,
    /// Newer, but the desk has `unsent` local changes to the order: store it beside them as the
    /// server copy ([`crate::SyncLocal::refresh_order`]); the changes stay queued, and their
    /// `If-Match` makes the server refuse them (412 → conflict) rather than overwrite.
    Conflict { unsent: u32 },
}

/// How a pulled order merges into the local store.
///
/// Versions decide when both are known; a server that sends no version (a generic TMF622
/// server without ETags) is taken at its word, and the store tells whether anything changed.
pub fn merge_pulled(local: Option<&LocalSnapshot>, pulled: &ServerOrder) -> MergeDecision {
    let Some(local) = local else {
        return MergeDecision::Apply;
    };
    if let (Some(have), Some(got)) = (local.server_version, pulled.version) {
        if got <= have {
            return MergeDecision::Skip;
        }
    }
    if local.unsent > 0 {
        MergeDecision::Conflict {
            unsent: local.unsent,
        }
    } else {
        MergeDecision::Apply
    }
}

// ---------------------------------------------------------------------------------------------
// The online indicator.

/// What the desk shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionState {
    /// The server answers and changes arrive as they happen (or, from a generic TMF622 server,
    /// by polling, which is all it offers).
    Online,
    /// The server answers, but with errors, or the live push is down and the desk polls.
    Degraded,
    /// No answer from the server: work is kept locally and sent when it returns.
    Offline,
}

/// What the engine learns about the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// A request was answered (any status below 500).
    Answered,
    /// A request got no answer.
    Unreachable,
    /// The server answered 5xx.
    ServerError,
    /// The server has the desk extension (live push expected).
    Extension,
    /// The server is a generic TMF622 server (no live push).
    Generic,
    LiveUp,
    LiveDown,
}

/// The state of the link to the server, as the signals left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Link {
    /// `None` until anything was heard; `Some(true)` answered, `Some(false)` unreachable.
    pub reachable: Option<bool>,
    pub failing: bool,
    /// `None` until detected; `Some(true)` with the desk extension.
    pub extension: Option<bool>,
    pub live: bool,
}

impl Link {
    pub fn after(self, signal: Signal) -> Self {
        let mut next = self;
        match signal {
            Signal::Answered => {
                next.reachable = Some(true);
                next.failing = false;
            }
            Signal::Unreachable => {
                next.reachable = Some(false);
                next.live = false;
            }
            Signal::ServerError => {
                next.reachable = Some(true);
                next.failing = true;
            }
            Signal::Extension => next.extension = Some(true),
            Signal::Generic => {
                next.extension = Some(false);
                next.live = false;
            }
            Signal::LiveUp => {
                next.reachable = Some(true);
                next.live = true;
            }
            Signal::LiveDown => next.live = false,
        }
        next
    }

    pub fn state(&self) -> ConnectionState {
        match (self.reachable, self.failing, self.extension, self.live) {
            (None | Some(false), ..) => ConnectionState::Offline,
            (Some(true), true, ..) => ConnectionState::Degraded,
            (Some(true), false, Some(true), false) => ConnectionState::Degraded,
            (Some(true), false, ..) => ConnectionState::Online,
        }
    }
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
