//! The desk's shared work: an extension API beside TMF622, under [`BASE`] (`/orderdesk/v1`).
//!
//! * [`queue`]: the held / pending / cancellation queues and the jeopardy board — list, claim a
//!   lease, release, resolve, reject, cancel, add notes;
//! * [`credit`]: credit exceptions — a supervisor approves, requires a deposit, or declines; the
//!   deposit is recorded by the back office;
//! * [`history`]: every version of an order, one version as TMF622 v5, the diff between two;
//! * [`changes`]: the changes feed (a cursor over the store's change rows); [`live`]: the same
//!   rows pushed as server-sent events as they commit;
//! * [`triage`]: the pure reading of a waiting order (its desk queue, its hold reasons, what
//!   resolving it means); [`doc`]: the OpenAPI description of all of the above.
//!
//! Working an order takes a claim (a lease, [`orderdesk_domain::desk::queue`]): every action
//! but notes, claim and release needs the caller's running lease, checked again inside the
//! transaction that writes the action, which releases the lease. Every action is a new order
//! version recorded `by` the caller with `why`, through [`workflow::commit`], so its change rows,
//! notifications and queue entry commit with it. Handlers parse, fetch, ask [`triage`] and the
//! domain, write, answer.

pub mod changes;
pub mod credit;
pub mod doc;
pub mod history;
pub mod live;
pub mod me;
pub mod progress;
pub mod queue;
pub mod triage;

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use orderdesk_domain::desk::queue::is_claimed_by;
use orderdesk_domain::desk::{QueueEntry, VersionError};
use orderdesk_domain::lifecycle::OrderCommand;
use orderdesk_domain::order::Note;
use orderdesk_domain::validation::{Pipeline, Verdict};
use orderdesk_domain::{OrderId, ProductOrder, UserId};
use orderdesk_store::central::{ReferenceKind, StoredOrder};
use orderdesk_store::StoreError;
use orderdesk_tmf::ApiVersion;
use serde::de::DeserializeOwned;

pub use doc::openapi;

use super::{etag, json_response, Media, RequestBody, Routes};
use crate::auth::User;
use crate::error::ApiError;
use crate::representation::{extensions_of, order_json};
use crate::state::{new_id, AppState};
use crate::workflow::{self, lifecycle_step, Step, WorkflowError};
use triage::{DeskQueue, Resolution};

/// The root of the desk extension API.
pub const BASE: &str = "/orderdesk/v1";

/// The longest free text (reason, note, reference) the desk accepts.
const MAX_TEXT: usize = 2000;

/// Every route of the desk extension.
pub fn routes() -> Routes {
    queue::routes()
        .merge(credit::routes())
        .merge(history::routes())
        .merge(changes::routes())
        .merge(live::routes())
        .merge(me::routes())
        .merge(progress::routes())
}

/// Display names of the users, by id, for "claimed by" and "changed by".
#[derive(Debug, Clone, Default)]
pub struct Names(HashMap<String, String>);

impl Names {
    /// The users the store knows (the same documents the token directory was built from).
    pub fn load(store: &orderdesk_store::CentralStore) -> Result<Self, ApiError> {
        let mut names = HashMap::new();
        for (id, doc) in store.list_reference(ReferenceKind::User)? {
            if let Some(name) = doc.get("name").and_then(serde_json::Value::as_str) {
                names.insert(id, name.to_owned());
            }
        }
        Ok(Self(names))
    }

    pub fn name(&self, user: &UserId) -> Option<&str> {
        self.0.get(user.as_str()).map(String::as_str)
    }

    /// `Demo Back-office 1 (U-BACKOFFICE-1)`, or the id alone.
    pub fn describe(&self, user: &UserId) -> String {
        match self.name(user) {
            Some(name) => format!("{name} ({user})"),
            None => user.to_string(),
        }
    }

    /// `{id, name?}`.
    pub fn json(&self, user: &UserId) -> serde_json::Value {
        let mut v = serde_json::json!({ "id": user.as_str() });
        if let Some(name) = self.name(user) {
            v["name"] = serde_json::json!(name);
        }
        v
    }
}

/// An order waiting in a desk queue, as read before acting on it.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub stored: StoredOrder,
    pub entry: QueueEntry,
    pub queue: DeskQueue,
    pub names: Names,
}

/// The order, its queue entry (409 `notInQueue` when it waits in none) and the user names.
pub async fn load_waiting(state: &AppState, id: &str) -> Result<Waiting, ApiError> {
    let id = OrderId::new(id);
    state
        .db(move |store| {
            let stored = store.get_order(&id)?;
            let entry = match store.get_queue_entry(&id) {
                Ok(entry) => entry,
                Err(StoreError::NotFound { .. }) => return Err(not_in_queue(&id)),
                Err(e) => return Err(e.into()),
            };
            let queue = triage::desk_queue(entry.kind, &stored.order);
            Ok(Waiting {
                stored,
                entry,
                queue,
                names: Names::load(store)?,
            })
        })
        .await
}

fn not_in_queue(id: &OrderId) -> ApiError {
    ApiError::conflict(
        "notInQueue",
        format!("order `{id}` is not waiting in a desk queue"),
    )
}

/// The claim rule for acting: the caller must hold a running lease on the entry.
pub fn check_claim(
    entry: Option<&QueueEntry>,
    order: &OrderId,
    user: &UserId,
    now: DateTime<Utc>,
    names: &Names,
) -> Result<(), ApiError> {
    let Some(entry) = entry else {
        return Err(not_in_queue(order));
    };
    if is_claimed_by(entry, user, now) {
        return Ok(());
    }
    match entry.active_claim(now) {
        Some(held) => Err(claimed_by_another(order, &held.user, held.until, names)),
        None => Err(ApiError::conflict(
            "claimRequired",
            format!("claim order `{order}` first: POST {BASE}/queue/{order}/claim"),
        )),
    }
}

/// The 409 of an order someone else is working, naming them.
pub fn claimed_by_another(
    order: &OrderId,
    holder: &UserId,
    until: DateTime<Utc>,
    names: &Names,
) -> ApiError {
    ApiError::conflict(
        "claimedByAnother",
        format!(
            "order `{order}` is claimed by {} until {}",
            names.describe(holder),
            until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
    )
}

/// A version the lifecycle refused is a 409 naming the transition; anything else is ours.
pub fn version_error(e: VersionError) -> ApiError {
    match e {
        VersionError::Transition(t) => t.into(),
        other => ApiError::internal(other),
    }
}

fn workflow_error(e: WorkflowError) -> ApiError {
    match e {
        WorkflowError::Version(v) => version_error(v),
        WorkflowError::Schedule(s) => ApiError::unprocessable("scheduleRefused", s.to_string()),
    }
}

/// Validates `order` again with the `waive`d checks left out of the standard pipeline.
async fn revalidate(
    state: &AppState,
    order: ProductOrder,
    waive: &[orderdesk_domain::validation::CheckKind],
    now: DateTime<Utc>,
) -> Result<Verdict, ApiError> {
    let mut pipeline = Pipeline::standard();
    for kind in waive {
        pipeline = pipeline.without(*kind);
    }
    let mut waived = state.clone();
    waived.pipeline = Arc::new(pipeline);
    state
        .db(move |store| workflow::run_pipeline(&waived, store, &order, now))
        .await
}

/// The versions resolving `order` makes: `resume` by the caller (with `note` added), then, for
/// a [`Resolution::Revalidate`], the new verdict carried out by the workflow's own rules.
pub async fn resolution_steps(
    state: &AppState,
    order: &ProductOrder,
    plan: &Resolution,
    by: &UserId,
    why: String,
    note: Option<Note>,
    now: DateTime<Utc>,
) -> Result<Vec<Step>, ApiError> {
    let mut first =
        lifecycle_step(order, &OrderCommand::Resume, now, by, why).map_err(version_error)?;
    if let Some(note) = note {
        first.order.notes.push(note);
        first.version.snapshot = first.order.clone();
    }
    let resumed = first.order.clone();
    let mut steps = vec![first];
    if let Resolution::Revalidate { waive } = plan {
        let verdict = revalidate(state, resumed.clone(), waive, now).await?;
        steps.extend(
            workflow::verdict_steps(&resumed, &verdict, state.catalog(), now)
                .map_err(workflow_error)?,
        );
    }
    Ok(steps)
}

/// Writes an action's versions, provided the caller still holds the claim (checked in the same
/// transaction), and gives the claim back: the work is done. Answers 412 when the order moved
/// on meanwhile.
pub async fn act(
    state: &AppState,
    user: &User,
    waiting: &Waiting,
    steps: Vec<Step>,
    now: DateTime<Utc>,
) -> Result<ProductOrder, ApiError> {
    let order = waiting.stored.order.id.clone();
    let by = user.id.clone();
    let names = waiting.names.clone();
    workflow::commit(state, &waiting.stored, steps, Vec::new(), move |tx| {
        let entry = tx.get_queue_entry(&order)?;
        check_claim(entry.as_ref(), &order, &by, now, &names)?;
        tx.release(&order, &by, now)?;
        Ok(())
    })
    .await
}

/// A note by the caller.
pub fn note_by(user: &User, text: &str, now: DateTime<Utc>) -> Note {
    Note {
        id: Some(new_id()),
        author: Some(user.name.clone()),
        date: Some(now),
        text: text.to_owned(),
    }
}

/// The order as TMF622 v5 JSON with its `ETag`.
pub fn order_response(
    state: &AppState,
    stored: &StoredOrder,
    order: &ProductOrder,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let ext = extensions_of(stored.extensions.as_ref());
    let value = order_json(order, ext.as_ref(), ApiVersion::V5, &state.urls)?;
    let mut response = json_response(status, &value);
    response
        .headers_mut()
        .insert(header::ETAG, etag(order.version));
    Ok(response)
}

/// A JSON body as `T` (400 naming the field); `None` for an empty body when `optional`.
pub fn parse_body<T: DeserializeOwned>(
    body: &RequestBody,
    optional: bool,
) -> Result<Option<T>, ApiError> {
    if optional && body.bytes().iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    body.media(&[Media::Json], "application/json")?;
    body.parse().map(Some)
}

/// A required JSON body as `T`.
pub fn require_body<T: DeserializeOwned>(body: &RequestBody) -> Result<T, ApiError> {
    parse_body(body, false)?
        .ok_or_else(|| ApiError::bad_request("malformedBody", "a body is required"))
}

/// Free text the desk must give (a reason, a note): not blank, at most [`MAX_TEXT`] characters.
pub fn text(field: &'static str, value: &str) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::bad_field(
            "missingField",
            field,
            format!("`{field}` must say something"),
        ));
    }
    if trimmed.chars().count() > MAX_TEXT {
        return Err(ApiError::bad_field(
            "invalidField",
            field,
            format!("`{field}` is longer than {MAX_TEXT} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// An optional piece of free text, checked like [`text`].
pub fn optional_text(field: &'static str, value: Option<&str>) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) if !v.trim().is_empty() => text(field, v).map(Some),
        _ => Ok(None),
    }
}

/// The `href` of an order in TMF622 v5.
pub fn order_href(state: &AppState, id: &OrderId) -> String {
    format!("{}/productOrder/{id}", state.urls.tmf622(ApiVersion::V5))
}

/// Unknown query attributes are a 400, as on TMF622 lists.
pub fn unknown_attribute(name: &str) -> ApiError {
    ApiError::bad_field(
        "unknownAttribute",
        name.to_owned(),
        format!("`{name}` is not a parameter of this resource"),
    )
}

/// A paging number (`offset`, `limit`...) from the query string.
pub fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ApiError> {
    value.trim().parse().map_err(|_| {
        ApiError::bad_field(
            "invalidQuery",
            name.to_owned(),
            format!("`{name}` must be a non-negative whole number, not `{value}`"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::desk::{Claim, QueueKind};
    use orderdesk_domain::{CustomerId, Priority};

    fn entry(claim: Option<(&str, u32)>) -> QueueEntry {
        QueueEntry {
            order: OrderId::new("O-1"),
            customer: CustomerId::new("C-1"),
            kind: QueueKind::Held,
            reason: None,
            priority: Priority::new(2).unwrap(),
            waiting_since: t(8),
            sla_due: None,
            claimed_by: claim.map(|(user, until)| Claim {
                user: UserId::new(user),
                until: t(until),
            }),
        }
    }

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, h, 0, 0).unwrap()
    }

    #[test]
    fn acting_needs_ones_own_running_lease() {
        let names = Names(HashMap::from([("user-b".to_owned(), "User B".to_owned())]));
        let (o, user_a) = (OrderId::new("O-1"), UserId::new("user-a"));
        let code = |r: Result<(), ApiError>| r.err().map(|e| e.code());
        assert_eq!(
            code(check_claim(
                Some(&entry(Some(("user-a", 10)))),
                &o,
                &user_a,
                t(9),
                &names
            )),
            None
        );
        assert_eq!(
            code(check_claim(
                Some(&entry(Some(("user-a", 9)))),
                &o,
                &user_a,
                t(9),
                &names
            )),
            Some("claimRequired")
        );
        assert_eq!(
            code(check_claim(Some(&entry(None)), &o, &user_a, t(9), &names)),
            Some("claimRequired")
        );
        let other = check_claim(
            Some(&entry(Some(("user-b", 10)))),
            &o,
            &user_a,
            t(9),
            &names,
        )
        .unwrap_err();
        assert_eq!(other.code(), "claimedByAnother");
        assert!(other.to_string().contains("User B (user-b)"), "{other}");
        assert_eq!(
            code(check_claim(None, &o, &user_a, t(9), &names)),
            Some("notInQueue")
        );
    }

    #[test]
    fn free_text_is_trimmed_and_bounded() {
        assert_eq!(text("reason", "  ok ").unwrap(), "ok");
        assert!(text("reason", "   ").is_err());
        assert!(text("reason", &"x".repeat(MAX_TEXT + 1)).is_err());
        assert_eq!(optional_text("note", Some(" ")).unwrap(), None);
    }
}
