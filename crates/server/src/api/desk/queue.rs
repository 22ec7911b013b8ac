//! The held / pending / cancellation queues and the jeopardy board (`{BASE}/queue`).
//!
//! * `GET queue` lists entries in the domain's work order ([`sort_queue`]: overdue SLA first,
//!   then ageing rank, arrival, order id), each with its desk queue and hold reasons, priority
//!   and *effective* priority ([`AgeingPolicy`]), age, SLA due and jeopardy, and the running
//!   claim. Filters: `kind` (a desk queue or store queue name, comma = any; `jeopardy` is every
//!   entry whose order is in jeopardy), `reason` (a validation code, or words of the reason),
//!   `priority`, `claimedBy` (a user id, `me`, `none` or `any`), `q` (free text over order,
//!   customer and reasons), `sort`, `offset` / `limit` (TMF paging headers). Queues are
//!   desk-sized, so the filters run over the stored entries of the queue in memory.
//! * `claim` takes a lease (`leaseSeconds`, default 15 minutes): atomic in the store, so of two
//!   concurrent claimers exactly one wins and the other gets 409 naming the holder; the holder
//!   re-claiming extends it. `release` gives it back (idempotent for the holder).
//! * `resolve`, `reject` and `cancel` need the caller's lease; they write the order's next
//!   versions and release the lease (see [`super`]). `notes` needs no lease.
//!
//! Rights: working the queues is [`Permission::WorkQueue`] (back office, supervisors), reading
//! them too; a note is an amendment ([`Permission::AmendOrder`]); resolving a credit exception
//! is a credit decision ([`Permission::DecideCredit`]).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use orderdesk_domain::desk::queue::sort_queue;
use orderdesk_domain::desk::{ChangeKind, QueueEntry, QueueKind, Severity};
use orderdesk_domain::lifecycle::OrderCommand;
use orderdesk_domain::priority::AgeingPolicy;
use orderdesk_domain::{OrderId, Priority};
use orderdesk_store::central::{QueueQuery, StoredOrder};
use orderdesk_store::StoreError;
use serde::Deserialize;
use serde_json::{json, Value};
use std::cmp::Ordering;

use super::triage::{self, DeskQueue};
use super::{
    act, check_claim, claimed_by_another, load_waiting, note_by, number, optional_text, order_href,
    order_response, parse_body, require_body, resolution_steps, text, unknown_attribute,
    version_error, Names, BASE,
};
use crate::api::{check_if_match, json_response, query_pairs, RequestBody, Routes};
use crate::auth::{Permission, User};
use crate::error::ApiError;
use crate::state::{AppState, ServerEvent};
use crate::tmf630::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::workflow::{self, commit_order_change, content_step, lifecycle_step};

/// A claim's lease when the body names none.
pub const DEFAULT_LEASE_SECONDS: i64 = 15 * 60;
/// The longest lease: a working day.
pub const MAX_LEASE_SECONDS: i64 = 8 * 60 * 60;

pub fn routes() -> Routes {
    Routes::new()
        .get(&format!("{BASE}/queue"), list)
        .get(&format!("{BASE}/queue/{{orderId}}"), retrieve)
        .post(&format!("{BASE}/queue/{{orderId}}/claim"), claim)
        .post(&format!("{BASE}/queue/{{orderId}}/release"), release)
        .post(&format!("{BASE}/queue/{{orderId}}/resolve"), resolve)
        .post(&format!("{BASE}/queue/{{orderId}}/reject"), reject)
        .post(&format!("{BASE}/queue/{{orderId}}/cancel"), cancel)
        .post(&format!("{BASE}/queue/{{orderId}}/notes"), add_note)
}

/// One entry of the board with its order, read at `now`.
#[derive(Debug, Clone)]
pub struct Row {
    pub entry: QueueEntry,
    pub stored: StoredOrder,
    pub queue: DeskQueue,
    pub jeopardy: Option<Severity>,
}

/// Every entry of the store queue `kind` (or of all), in work order at `now`, with its order,
/// and the user names.
pub async fn load_board(
    state: &AppState,
    kind: Option<QueueKind>,
    now: DateTime<Utc>,
) -> Result<(Vec<Row>, Names), ApiError> {
    const PAGE: u32 = 1000;
    state
        .db(move |store| {
            let mut entries = Vec::new();
            let mut offset = 0u64;
            loop {
                let page = store.list_queue(&QueueQuery {
                    kind,
                    now,
                    policy: AgeingPolicy::default(),
                    offset,
                    limit: PAGE,
                })?;
                let n = page.items.len();
                entries.extend(page.items);
                if n < PAGE as usize {
                    break;
                }
                offset += u64::from(PAGE);
            }
            // The store sorts with the same formula; the domain's comparison is the reference.
            sort_queue(&mut entries, &AgeingPolicy::default(), now);
            let mut rows = Vec::with_capacity(entries.len());
            for entry in entries {
                let stored = match store.get_order(&entry.order) {
                    Ok(stored) => stored,
                    // Purged between the two reads.
                    Err(StoreError::NotFound { .. }) => continue,
                    Err(e) => return Err(e.into()),
                };
                rows.push(Row {
                    queue: triage::desk_queue(entry.kind, &stored.order),
                    jeopardy: triage::jeopardy(&stored.order, now),
                    entry,
                    stored,
                });
            }
            Ok((rows, Names::load(store)?))
        })
        .await
}

fn kind_name(kind: QueueKind) -> &'static str {
    match kind {
        QueueKind::Held => "held",
        QueueKind::Pending => "pending",
        QueueKind::CancellationAssessment => "cancellationAssessment",
        QueueKind::Jeopardy => "jeopardy",
    }
}

fn seconds(d: Duration) -> i64 {
    d.num_seconds()
}

/// The JSON of one board entry (see the `DeskQueueEntry` schema in [`super::doc`]).
pub fn row_json(state: &AppState, row: &Row, names: &Names, now: DateTime<Utc>) -> Value {
    let order = &row.stored.order;
    let entry = &row.entry;
    let ageing = AgeingPolicy::default();
    let reasons: Vec<Value> = triage::hold_reasons(order)
        .into_iter()
        .map(|m| {
            json!({
                "code": m.code,
                "check": triage::check_of(m).map(|k| k.as_str()),
                "message": m.message,
                "productOrderItemId": m.items.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let customer = state.customers().customer(&entry.customer);
    let claim = entry.active_claim(now).map(|c| {
        json!({
            "user": names.json(&c.user),
            "until": c.until,
            "remainingSeconds": seconds(c.until - now),
        })
    });
    json!({
        "orderId": entry.order.as_str(),
        "href": order_href(state, &entry.order),
        "kind": kind_name(entry.kind),
        "queue": row.queue.as_str(),
        "state": order.state().as_str(),
        "orderVersion": order.version,
        "customer": {
            "id": entry.customer.as_str(),
            "name": customer.map(|c| c.name.as_str()),
        },
        "reason": entry.reason.as_deref().or(order.state_reason.as_deref()),
        "reasons": reasons,
        "priority": entry.priority.level().to_string(),
        "effectivePriority": ageing
            .effective_priority(entry.priority, entry.waiting_since, now)
            .level()
            .to_string(),
        "waitingSince": entry.waiting_since,
        "ageSeconds": seconds(now - entry.waiting_since).max(0),
        "slaDue": entry.sla_due,
        "slaRemainingSeconds": entry.sla_due.map(|due| seconds(due - now)),
        "overdue": entry.sla_due.is_some_and(|due| due <= now),
        "jeopardy": row.jeopardy.map(Severity::as_str),
        "claim": claim,
    })
}

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortKey {
    /// The domain's work order.
    Work,
    WaitingSince,
    Priority,
    EffectivePriority,
    SlaDue,
}

/// Who must hold the claim.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ClaimFilter {
    User(String),
    None,
    Any,
}

/// The list's query string.
#[derive(Debug, Clone)]
struct ListParams {
    kinds: Vec<DeskQueue>,
    reasons: Vec<String>,
    priorities: Vec<Priority>,
    claimed_by: Option<ClaimFilter>,
    q: Option<String>,
    sort: (SortKey, bool),
    offset: usize,
    limit: usize,
}

fn values(v: &str) -> impl Iterator<Item = &str> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty())
}

impl ListParams {
    fn parse(pairs: &[(String, String)], user: &User) -> Result<Self, ApiError> {
        let mut p = Self {
            kinds: Vec::new(),
            reasons: Vec::new(),
            priorities: Vec::new(),
            claimed_by: None,
            q: None,
            sort: (SortKey::Work, false),
            offset: 0,
            limit: DEFAULT_LIMIT as usize,
        };
        for (key, value) in pairs {
            match key.as_str() {
                "kind" | "queue" => {
                    for v in values(value) {
                        p.kinds.push(DeskQueue::parse(v).ok_or_else(|| {
                            ApiError::bad_field(
                                "invalidQuery",
                                key.clone(),
                                format!(
                                    "`{v}` is not a queue; one of {}",
                                    DeskQueue::ALL
                                        .iter()
                                        .map(|q| q.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            )
                        })?);
                    }
                }
                "reason" => p.reasons.extend(values(value).map(str::to_lowercase)),
                "priority" => {
                    for v in values(value) {
                        p.priorities.push(
                            Priority::parse(v).map_err(|e| {
                                ApiError::bad_field("invalidQuery", "priority", e.0)
                            })?,
                        );
                    }
                }
                "claimedBy" => {
                    p.claimed_by = Some(match value.trim() {
                        "me" => ClaimFilter::User(user.id.to_string()),
                        "none" => ClaimFilter::None,
                        "any" => ClaimFilter::Any,
                        "" => {
                            return Err(ApiError::bad_field(
                                "invalidQuery",
                                "claimedBy",
                                "`claimedBy` is a user id, `me`, `none` or `any`",
                            ))
                        }
                        id => ClaimFilter::User(id.to_owned()),
                    })
                }
                "q" => {
                    let q = value.trim().to_lowercase();
                    p.q = (!q.is_empty()).then_some(q);
                }
                "sort" => {
                    let (descending, name) = match value.trim().strip_prefix('-') {
                        Some(rest) => (true, rest),
                        None => (false, value.trim()),
                    };
                    let key = match name {
                        "" | "work" => SortKey::Work,
                        "waitingSince" => SortKey::WaitingSince,
                        "age" => {
                            p.sort = (SortKey::WaitingSince, !descending);
                            continue;
                        }
                        "priority" => SortKey::Priority,
                        "effectivePriority" => SortKey::EffectivePriority,
                        "slaDue" => SortKey::SlaDue,
                        other => {
                            return Err(ApiError::bad_field(
                                "invalidQuery",
                                "sort",
                                format!(
                                    "cannot sort the queue by `{other}`: work, age, waitingSince, \
                                     priority, effectivePriority or slaDue (`-` for descending)"
                                ),
                            ))
                        }
                    };
                    p.sort = (key, descending);
                }
                "offset" => p.offset = number("offset", value)?,
                "limit" => {
                    let limit: usize = number("limit", value)?;
                    p.limit = limit.min(MAX_LIMIT as usize);
                }
                other => return Err(unknown_attribute(other)),
            }
        }
        Ok(p)
    }

    /// The one store queue the kinds asked for live in, if they all live in one.
    fn store_kind(&self) -> Option<QueueKind> {
        let mut kinds = self.kinds.iter().map(|q| match q {
            DeskQueue::Fraud
            | DeskQueue::CreditReferral
            | DeskQueue::Review
            | DeskQueue::Capacity
            | DeskQueue::Held => Some(QueueKind::Held),
            DeskQueue::Deposit | DeskQueue::Scheduled | DeskQueue::Pending => {
                Some(QueueKind::Pending)
            }
            DeskQueue::CancellationAssessment => Some(QueueKind::CancellationAssessment),
            DeskQueue::Jeopardy => None,
        });
        let first = kinds.next()??;
        kinds.all(|k| k == Some(first)).then_some(first)
    }

    fn matches(&self, row: &Row, names: &Names, state: &AppState, now: DateTime<Utc>) -> bool {
        let entry = &row.entry;
        let kind_ok = self.kinds.is_empty()
            || self.kinds.iter().any(|k| {
                *k == row.queue
                    || k.as_str() == kind_name(entry.kind)
                    || (*k == DeskQueue::Jeopardy && row.jeopardy.is_some())
            });
        if !kind_ok {
            return false;
        }
        if !self.priorities.is_empty() && !self.priorities.contains(&entry.priority) {
            return false;
        }
        let claim = entry.active_claim(now);
        let claim_ok = match &self.claimed_by {
            None => true,
            Some(ClaimFilter::None) => claim.is_none(),
            Some(ClaimFilter::Any) => claim.is_some(),
            Some(ClaimFilter::User(id)) => claim.is_some_and(|c| c.user.as_str() == id),
        };
        if !claim_ok {
            return false;
        }
        let reason = entry
            .reason
            .as_deref()
            .or(row.stored.order.state_reason.as_deref())
            .unwrap_or("")
            .to_lowercase();
        let codes: Vec<String> = triage::hold_reasons(&row.stored.order)
            .into_iter()
            .map(|m| m.code.to_lowercase())
            .collect();
        if !self.reasons.is_empty()
            && !self
                .reasons
                .iter()
                .any(|r| codes.iter().any(|c| c == r) || reason.contains(r.as_str()))
        {
            return false;
        }
        if let Some(q) = &self.q {
            let customer = state
                .customers()
                .customer(&entry.customer)
                .map(|c| c.name.to_lowercase())
                .unwrap_or_default();
            let claimer = claim
                .and_then(|c| names.name(&c.user))
                .map(str::to_lowercase)
                .unwrap_or_default();
            let hay = [
                entry.order.as_str().to_lowercase(),
                entry.customer.as_str().to_lowercase(),
                customer,
                reason,
                claimer,
            ];
            if !hay.iter().any(|h| h.contains(q.as_str()))
                && !codes.iter().any(|c| c.contains(q.as_str()))
            {
                return false;
            }
        }
        true
    }

    fn compare(&self, a: &Row, b: &Row, now: DateTime<Utc>) -> Ordering {
        let ageing = AgeingPolicy::default();
        let (key, descending) = self.sort;
        let ord = match key {
            SortKey::Work => Ordering::Equal,
            SortKey::WaitingSince => a.entry.waiting_since.cmp(&b.entry.waiting_since),
            SortKey::Priority => a.entry.priority.cmp(&b.entry.priority),
            SortKey::EffectivePriority => ageing
                .effective_priority(a.entry.priority, a.entry.waiting_since, now)
                .cmp(&ageing.effective_priority(b.entry.priority, b.entry.waiting_since, now)),
            // Entries without an SLA come last either way.
            SortKey::SlaDue => match (a.entry.sla_due, b.entry.sla_due) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        if descending {
            ord.reverse()
        } else {
            ord
        }
    }
}

async fn list(State(state): State<AppState>, user: User, uri: Uri) -> Result<Response, ApiError> {
    user.require(Permission::WorkQueue)?;
    let params = ListParams::parse(&query_pairs(&uri)?, &user)?;
    let now = state.now();
    let (rows, names) = load_board(&state, params.store_kind(), now).await?;
    let mut rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| params.matches(r, &names, &state, now))
        .collect();
    // Stable: ties keep the work order.
    rows.sort_by(|a, b| params.compare(a, b, now));
    let total = rows.len();
    let page: Vec<Value> = rows
        .iter()
        .skip(params.offset)
        .take(params.limit)
        .map(|r| row_json(&state, r, &names, now))
        .collect();
    let count = page.len();
    let mut response = json_response(StatusCode::OK, &Value::Array(page));
    let headers = response.headers_mut();
    headers.insert("X-Total-Count", HeaderValue::from(total));
    headers.insert("X-Result-Count", HeaderValue::from(count));
    Ok(response)
}

/// One entry, as the list shows it.
async fn entry_response(
    state: &AppState,
    id: OrderId,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let now = state.now();
    let (row, names) = state
        .db(move |store| {
            let entry = store.get_queue_entry(&id)?;
            let stored = store.get_order(&id)?;
            let names = Names::load(store)?;
            Ok((
                Row {
                    queue: triage::desk_queue(entry.kind, &stored.order),
                    jeopardy: triage::jeopardy(&stored.order, now),
                    entry,
                    stored,
                },
                names,
            ))
        })
        .await?;
    Ok(json_response(status, &row_json(state, &row, &names, now)))
}

async fn retrieve(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    user.require(Permission::WorkQueue)?;
    entry_response(&state, OrderId::new(id), StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClaimBody {
    lease_seconds: Option<i64>,
}

fn lease(body: Option<ClaimBody>) -> Result<Duration, ApiError> {
    let seconds = body
        .and_then(|b| b.lease_seconds)
        .unwrap_or(DEFAULT_LEASE_SECONDS);
    if !(1..=MAX_LEASE_SECONDS).contains(&seconds) {
        return Err(ApiError::bad_field(
            "invalidField",
            "leaseSeconds",
            format!("a lease lasts 1 to {MAX_LEASE_SECONDS} seconds, not {seconds}"),
        ));
    }
    Ok(Duration::seconds(seconds))
}

/// A claim or release refused by the domain's rule: 409 naming who holds the order.
fn claim_refused(e: StoreError, names: &Names) -> ApiError {
    match e {
        StoreError::Claim(orderdesk_domain::desk::ClaimError::ClaimedByAnother {
            order,
            holder,
            until,
        }) => claimed_by_another(&order, &holder, until, names),
        StoreError::Claim(other) => {
            ApiError::bad_field("invalidField", "leaseSeconds", other.to_string())
        }
        other => other.into(),
    }
}

fn announce_claim(state: &AppState, id: &OrderId, kind: &'static str, at: DateTime<Utc>) {
    state.announce(ServerEvent {
        entity: "queueEntry",
        id: id.to_string(),
        kind,
        version: None,
        state: None,
        at,
    });
}

async fn claim(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::WorkQueue)?;
    let lease = lease(parse_body(&body, true)?)?;
    let now = state.now();
    let order = OrderId::new(id);
    let (who, target) = (user.id.clone(), order.clone());
    state
        .db(move |store| match store.claim(&target, &who, now, lease) {
            Ok(_) => Ok(()),
            Err(e) => Err(claim_refused(e, &Names::load(store)?)),
        })
        .await?;
    announce_claim(&state, &order, "claim", now);
    entry_response(&state, order, StatusCode::OK).await
}

async fn release(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    user.require(Permission::WorkQueue)?;
    let now = state.now();
    let order = OrderId::new(id);
    let (who, target) = (user.id.clone(), order.clone());
    let released = state
        .db(move |store| {
            let before = store.get_queue_entry(&target)?;
            match store.release(&target, &who, now) {
                Ok(_) => Ok(before.active_claim(now).is_some()),
                Err(e) => Err(claim_refused(e, &Names::load(store)?)),
            }
        })
        .await?;
    if released {
        announce_claim(&state, &order, "release", now);
    }
    entry_response(&state, order, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResolveBody {
    reason: String,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ReasonBody {
    pub reason: String,
}

async fn resolve(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::WorkQueue)?;
    let body: ResolveBody = require_body(&body)?;
    let reason = text("reason", &body.reason)?;
    let note = optional_text("note", body.note.as_deref())?;
    let waiting = load_waiting(&state, &id).await?;
    check_if_match(&headers, waiting.stored.order.version)?;
    if waiting.queue.is_credit() {
        user.require(Permission::DecideCredit)?;
    }
    let now = state.now();
    let order = &waiting.stored.order;
    check_claim(
        Some(&waiting.entry),
        &order.id,
        &user.id,
        now,
        &waiting.names,
    )?;
    let plan = triage::resolution(waiting.queue, order)
        .map_err(|e| ApiError::conflict("notResolvable", e.to_string()))?;
    let note = note.map(|n| note_by(&user, &n, now));
    let why = format!("resolved ({} queue): {reason}", waiting.queue);
    let steps = resolution_steps(&state, order, &plan, &user.id, why, note, now).await?;
    let order = act(&state, &user, &waiting, steps, now).await?;
    workflow::hand_over(&state, &order).await;
    order_response(&state, &waiting.stored, &order, StatusCode::OK)
}

/// Applies `command` to a claimed waiting order as the caller, with `why` in its history.
pub(super) async fn decide(
    state: &AppState,
    user: &User,
    id: &str,
    headers: &HeaderMap,
    command: impl FnOnce(&super::Waiting) -> Result<(OrderCommand, String), ApiError>,
) -> Result<Response, ApiError> {
    let waiting = load_waiting(state, id).await?;
    check_if_match(headers, waiting.stored.order.version)?;
    let now = state.now();
    let order = &waiting.stored.order;
    check_claim(
        Some(&waiting.entry),
        &order.id,
        &user.id,
        now,
        &waiting.names,
    )?;
    let (command, why) = command(&waiting)?;
    let step = lifecycle_step(order, &command, now, &user.id, why).map_err(version_error)?;
    let order = act(state, user, &waiting, vec![step], now).await?;
    order_response(state, &waiting.stored, &order, StatusCode::OK)
}

async fn reject(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::WorkQueue)?;
    let body: ReasonBody = require_body(&body)?;
    let reason = text("reason", &body.reason)?;
    decide(&state, &user, &id, &headers, |w| {
        Ok((
            OrderCommand::Reject {
                reason: reason.clone(),
            },
            format!("rejected ({} queue): {reason}", w.queue),
        ))
    })
    .await
}

async fn cancel(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::WorkQueue)?;
    let body: ReasonBody = require_body(&body)?;
    let reason = text("reason", &body.reason)?;
    decide(&state, &user, &id, &headers, |w| {
        Ok((
            OrderCommand::Cancel {
                reason: reason.clone(),
            },
            format!("cancelled ({} queue): {reason}", w.queue),
        ))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NoteBody {
    text: String,
}

async fn add_note(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::AmendOrder)?;
    let body: NoteBody = require_body(&body)?;
    let note_text = text("text", &body.text)?;
    let order_id = OrderId::new(id);
    let stored = state
        .db(move |store| Ok(store.get_order(&order_id)?))
        .await?;
    check_if_match(&headers, stored.order.version)?;
    let now = state.now();
    let note = note_by(&user, &note_text, now);
    let step = content_step(
        &stored.order,
        ChangeKind::Note,
        now,
        &user.id,
        format!("note by {}", user.name),
        |next| next.notes.push(note),
    )
    .map_err(version_error)?;
    let order = commit_order_change(&state, &stored, vec![step]).await?;
    order_response(&state, &stored, &order, StatusCode::CREATED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn user() -> User {
        User {
            id: "U-1".into(),
            name: "Demo Back-office 1".into(),
            role: Role::Backoffice,
        }
    }

    fn parse(q: &[(&str, &str)]) -> Result<ListParams, ApiError> {
        let pairs: Vec<(String, String)> = q
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ListParams::parse(&pairs, &user())
    }

    #[test]
    fn list_parameters_read_strictly() {
        let p = parse(&[
            ("kind", "creditReferral,fraud"),
            ("claimedBy", "me"),
            ("sort", "-age"),
            ("limit", "5000"),
        ])
        .unwrap();
        assert_eq!(p.kinds, vec![DeskQueue::CreditReferral, DeskQueue::Fraud]);
        assert_eq!(p.claimed_by, Some(ClaimFilter::User("U-1".into())));
        assert_eq!(p.sort, (SortKey::WaitingSince, false));
        assert_eq!(p.limit, MAX_LIMIT as usize);
        assert_eq!(p.store_kind(), Some(QueueKind::Held));
        assert_eq!(
            parse(&[("kind", "deposit,held")]).unwrap().store_kind(),
            None
        );
        assert_eq!(parse(&[("kind", "jeopardy")]).unwrap().store_kind(), None);
        for bad in [
            ("kind", "nope"),
            ("priority", "9"),
            ("sort", "colour"),
            ("offset", "-1"),
            ("colour", "red"),
        ] {
            assert!(parse(&[bad]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn leases_are_bounded() {
        assert_eq!(
            lease(None).unwrap(),
            Duration::seconds(DEFAULT_LEASE_SECONDS)
        );
        assert!(lease(Some(ClaimBody {
            lease_seconds: Some(0)
        }))
        .is_err());
        assert!(lease(Some(ClaimBody {
            lease_seconds: Some(MAX_LEASE_SECONDS + 1)
        }))
        .is_err());
    }
}
