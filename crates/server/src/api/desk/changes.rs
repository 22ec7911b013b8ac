//! The changes feed (`{BASE}/changes`): every change to orders, queue entries, cancel
//! requests, service orders (item progress) and products, in commit order, read by cursor.
//!
//! The rows are the store's changes table, written in the same transaction as the change, so
//! the feed is complete and gap-free: `seq` increases in commit order and a follower that asks
//! for `after=<the last seq it saw>` gets exactly the rows it has not seen. `nextCursor` is what
//! to send next (the last `seq` of the page, or `after` when nothing is new). Payloads are small
//! summaries; a follower reads the entity for its full state. [`super::live`] pushes the same
//! rows as they commit.
//!
//! Right: [`Permission::ReadChanges`].

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use orderdesk_store::central::Change;
use serde_json::{json, Value};

use super::{number, unknown_attribute, BASE};
use crate::api::{json_response, query_pairs, Routes};
use crate::auth::{Permission, User};
use crate::error::ApiError;
use crate::state::AppState;

/// Page size when `limit` is not given, and the most one page holds.
pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

pub fn routes() -> Routes {
    Routes::new().get(&format!("{BASE}/changes"), list)
}

/// One change as the feed and the live push write it.
pub fn change_json(c: &Change) -> Value {
    json!({
        "seq": c.seq,
        "at": c.at,
        "entity": c.entity.as_str(),
        "entityId": c.entity_id,
        "kind": c.kind.as_str(),
        "version": c.version,
        "payload": c.payload,
    })
}

/// The product order a change concerns: the order itself, its queue entry, or a cancel
/// request or service order naming it.
pub fn concerns_order(c: &Change, order: &str) -> bool {
    use orderdesk_store::central::Entity;
    match c.entity {
        Entity::ProductOrder | Entity::QueueEntry => c.entity_id == order,
        _ => c.payload.get("productOrder").and_then(Value::as_str) == Some(order),
    }
}

async fn list(State(state): State<AppState>, user: User, uri: Uri) -> Result<Response, ApiError> {
    user.require(Permission::ReadChanges)?;
    let (mut after, mut limit) = (0u64, DEFAULT_LIMIT);
    for (key, value) in query_pairs(&uri)? {
        match key.as_str() {
            "after" => after = number("after", &value)?,
            "limit" => {
                limit = number("limit", &value)?;
                if limit == 0 {
                    return Err(ApiError::bad_field(
                        "invalidQuery",
                        "limit",
                        "`limit` must be at least 1",
                    ));
                }
                limit = limit.min(MAX_LIMIT);
            }
            other => return Err(unknown_attribute(other)),
        }
    }
    let changes = state
        .db(move |store| Ok(store.changes_since(after, limit)?))
        .await?;
    let next = changes.last().map_or(after, |c| c.seq);
    let body = json!({
        "changes": changes.iter().map(change_json).collect::<Vec<_>>(),
        "nextCursor": next,
        "hasMore": changes.len() == limit as usize,
    });
    Ok(json_response(StatusCode::OK, &body))
}
