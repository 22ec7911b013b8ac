//! The live push (`{BASE}/live`): the changes feed as server-sent events, each change sent as it
//! commits — `id:` its `seq`, `event: change`, `data:` the change as the feed writes it.
//!
//! The store is the truth and the broadcast of [`AppState::events`] only rings the bell: on
//! every ring (and every [`POLL`] in case a writer did not ring) the stream reads the store's
//! changes after the last `seq` it sent. So a follower never misses or repeats a change, whether
//! it starts live (no cursor: from the newest change), replays first (`?after=<seq>`, or the
//! `Last-Event-ID` header an `EventSource` sends when it reconnects), or falls behind the
//! broadcast. `?order=<id>` keeps the changes about one product order (the order, its queue
//! entry, its cancel requests and service orders: item progress). Keep-alive comments every
//! 15 s hold idle connections open through proxies.
//!
//! The stream never ends by itself, so it is only served to a client that asks for it with
//! `Accept: text/event-stream` (as `EventSource` does); any other gets a 406 TMF error pointing
//! at the changes feed, rather than a response that never finishes.
//!
//! Right: [`Permission::ReadChanges`].

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use super::changes::{change_json, concerns_order};
use super::{number, unknown_attribute, BASE};
use crate::api::{json_response, query_pairs, Routes};
use crate::auth::{Permission, User};
use crate::error::ApiError;
use crate::state::{AppState, ServerEvent};

/// How often the stream looks at the store when nothing rang.
pub const POLL: Duration = Duration::from_millis(250);
/// Changes read from the store at once.
const PAGE: u32 = 500;
/// Events buffered for a slow client before the stream waits for it.
const BUFFER: usize = 64;

pub fn routes() -> Routes {
    Routes::new().get(&format!("{BASE}/live"), live)
}

async fn live(
    State(state): State<AppState>,
    user: User,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadChanges)?;
    if !accepts_event_stream(&headers) {
        return Ok(not_acceptable());
    }
    let (mut after, mut order) = (None, None);
    for (key, value) in query_pairs(&uri)? {
        match key.as_str() {
            "after" => after = Some(number::<u64>("after", &value)?),
            "order" if !value.trim().is_empty() => order = Some(value.trim().to_owned()),
            "order" => {}
            other => return Err(unknown_attribute(other)),
        }
    }
    if after.is_none() {
        if let Some(last) = headers.get("Last-Event-ID") {
            let last = last.to_str().map_err(|_| {
                ApiError::bad_field(
                    "invalidHeader",
                    "Last-Event-ID",
                    "`Last-Event-ID` is not text",
                )
            })?;
            after = Some(number("Last-Event-ID", last)?);
        }
    }
    // Subscribe before reading where to start: whatever commits after the read rings.
    let doorbell = state.events.subscribe();
    let cursor = match after {
        Some(cursor) => cursor,
        None => state.db(|store| Ok(store.latest_cursor()?)).await?,
    };
    let (tx, rx) = mpsc::channel(BUFFER);
    let hello = Event::default().comment(format!("following changes after {cursor}"));
    // A fresh channel has room: the comment goes out first, whatever the follower does.
    let _ = tx.try_send(Ok::<_, Infallible>(hello));
    tokio::spawn(follow(state, doorbell, cursor, order, tx));
    Ok(Sse::new(ReceiverStream::new(rx))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

/// Whether `Accept` names `text/event-stream` (a wildcard does not: see the module comment).
fn accepts_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|m| m.split(';').next())
        .any(|m| m.trim().eq_ignore_ascii_case("text/event-stream"))
}

fn not_acceptable() -> Response {
    let body = orderdesk_tmf::ErrorBody::new(
        orderdesk_tmf::ApiVersion::V5,
        StatusCode::NOT_ACCEPTABLE.as_u16(),
        "notAcceptable",
        format!(
            "`{BASE}/live` is an event stream: send `Accept: text/event-stream`, \
             or read `{BASE}/changes`"
        ),
    );
    let value = serde_json::to_value(body).unwrap_or(serde_json::Value::Null);
    json_response(StatusCode::NOT_ACCEPTABLE, &value)
}

/// Sends every change after `cursor` (about `order`, when given) until the client goes away
/// or the server stops.
async fn follow(
    state: AppState,
    mut doorbell: broadcast::Receiver<ServerEvent>,
    mut cursor: u64,
    order: Option<String>,
    tx: mpsc::Sender<Result<Event, Infallible>>,
) {
    loop {
        loop {
            let page = match state
                .db(move |store| Ok(store.changes_since(cursor, PAGE)?))
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!(error = %e, "the live push cannot read the changes; retrying");
                    break;
                }
            };
            let full = page.len() == PAGE as usize;
            for change in page {
                cursor = change.seq;
                if order
                    .as_deref()
                    .is_some_and(|o| !concerns_order(&change, o))
                {
                    continue;
                }
                let event = Event::default()
                    .id(change.seq.to_string())
                    .event("change")
                    .data(change_json(&change).to_string());
                if tx.send(Ok(event)).await.is_err() {
                    return;
                }
            }
            if !full {
                break;
            }
        }
        tokio::select! {
            () = tx.closed() => return,
            // The workflow's channel closes when the server stops its tasks: end the stream
            // then, so that the graceful shutdown is not held up by an open push.
            () = state.workflow.closed() => return,
            rang = doorbell.recv() => match rang {
                Ok(_) | Err(RecvError::Lagged(_)) => {
                    // One read serves every ring so far.
                    while doorbell.try_recv().is_ok() {}
                }
                Err(RecvError::Closed) => return,
            },
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn only_an_explicit_event_stream_is_accepted() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
            h
        };
        assert!(accepts_event_stream(&with("text/event-stream")));
        assert!(accepts_event_stream(&with(
            "application/json, Text/Event-Stream;q=0.9"
        )));
        assert!(!accepts_event_stream(&with("*/*")));
        assert!(!accepts_event_stream(&HeaderMap::new()));
    }
}
