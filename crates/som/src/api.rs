//! The HTTP face of the simulator: TMF641 v5 routes under [`crate::API_PATH`], each a thin
//! adapter from the request to a [`Simulator`] call and from its answer (or [`SomError`]) to a
//! response. Every refusal is a TMF error body; no input makes a handler panic or answer 500.
//!
//! | method | path                          | answer                                       |
//! |--------|-------------------------------|----------------------------------------------|
//! | POST   | `/serviceOrder`               | 201 + `Location`, the order (`acknowledged`) |
//! | GET    | `/serviceOrder`               | 200, `state`/`offset`/`limit`, `X-Total-Count`, `X-Result-Count` |
//! | GET    | `/serviceOrder/{id}`          | 200 or 404                                   |
//! | POST   | `/cancelServiceOrder`         | 201 + `Location`, `done` / `terminatedWithError` |
//! | GET    | `/cancelServiceOrder`         | 200, `offset`/`limit`, counts as above       |
//! | GET    | `/cancelServiceOrder/{id}`    | 200 or 404                                   |
//! | POST   | `/hub`                        | 201 + `Location`, `{id, callback, query}`    |
//! | GET    | `/hub/{id}`                   | 200 or 404                                   |
//! | DELETE | `/hub/{id}`                   | 204 or 404                                   |

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use orderdesk_tmf::tmf641::ServiceOrderState;
use serde::Serialize;
use std::sync::Arc;

use crate::error::SomError;
use crate::simulator::{OrderQuery, Page, Simulator};
use crate::API_PATH;

type Shared = State<Arc<Simulator>>;

pub(crate) fn router(simulator: Arc<Simulator>) -> Router {
    let at = |path: &str| format!("{API_PATH}{path}");
    Router::new()
        .route(&at("/serviceOrder"), post(create_order).get(list_orders))
        .route(&at("/serviceOrder/{id}"), get(get_order))
        .route(
            &at("/cancelServiceOrder"),
            post(create_cancel).get(list_cancels),
        )
        .route(&at("/cancelServiceOrder/{id}"), get(get_cancel))
        .route(&at("/hub"), post(create_hub))
        .route(&at("/hub/{id}"), get(get_hub).delete(delete_hub))
        .method_not_allowed_fallback(|| async { SomError::MethodNotAllowed })
        .fallback(|| async { SomError::NoRoute })
        .with_state(simulator)
}

async fn create_order(State(som): Shared, body: Result<Bytes, BytesRejection>) -> Response {
    let created = body.map_err(unreadable).and_then(|b| som.create_order(&b));
    created_at(created, |o| o.href.clone())
}

async fn get_order(State(som): Shared, id: Result<Path<String>, PathRejection>) -> Response {
    answer(id.map_err(bad_path).and_then(|Path(id)| som.order(&id)))
}

async fn list_orders(
    State(som): Shared,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let listed = query
        .map_err(bad_query)
        .and_then(|Query(q)| order_query(&q))
        .map(|q| som.orders(&q));
    listing(listed)
}

async fn create_cancel(State(som): Shared, body: Result<Bytes, BytesRejection>) -> Response {
    let created = body.map_err(unreadable).and_then(|b| som.cancel(&b));
    created_at(created, |c| Some(c.href.clone()))
}

async fn get_cancel(State(som): Shared, id: Result<Path<String>, PathRejection>) -> Response {
    answer(
        id.map_err(bad_path)
            .and_then(|Path(id)| som.cancel_request(&id)),
    )
}

async fn list_cancels(
    State(som): Shared,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let listed = query
        .map_err(bad_query)
        .and_then(|Query(q)| order_query(&q))
        .map(|q| som.cancel_requests(q.offset, q.limit));
    listing(listed)
}

async fn create_hub(State(som): Shared, body: Result<Bytes, BytesRejection>) -> Response {
    let created = body.map_err(unreadable).and_then(|b| som.subscribe(&b));
    created_at(created, |h| h.href.clone())
}

async fn get_hub(State(som): Shared, id: Result<Path<String>, PathRejection>) -> Response {
    answer(id.map_err(bad_path).and_then(|Path(id)| som.hub(&id)))
}

async fn delete_hub(State(som): Shared, id: Result<Path<String>, PathRejection>) -> Response {
    match id
        .map_err(bad_path)
        .and_then(|Path(id)| som.unsubscribe(&id))
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

/// Reads `state` (comma-separated TMF states), `offset` and `limit`; other attributes (`fields`
/// included) are ignored.
fn order_query(pairs: &[(String, String)]) -> Result<OrderQuery, SomError> {
    let mut q = OrderQuery::default();
    for (name, value) in pairs {
        match name.as_str() {
            "state" => {
                let states = value
                    .split(',')
                    .map(|s| {
                        ServiceOrderState::parse(s.trim()).ok_or_else(|| SomError::Parameter {
                            name: "state".to_owned(),
                            reason: format!("`{s}` is not a ServiceOrderStateType"),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                q.states.get_or_insert_with(Vec::new).extend(states);
            }
            "offset" => q.offset = number(name, value)?,
            "limit" => q.limit = Some(number(name, value)?),
            _ => {}
        }
    }
    Ok(q)
}

fn number(name: &str, value: &str) -> Result<usize, SomError> {
    value.trim().parse().map_err(|_| SomError::Parameter {
        name: name.to_owned(),
        reason: format!("`{value}` is not a non-negative integer"),
    })
}

fn answer<T: Serialize>(result: Result<T, SomError>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(e) => e.into_response(),
    }
}

fn created_at<T: Serialize>(
    result: Result<T, SomError>,
    href: impl Fn(&T) -> Option<String>,
) -> Response {
    match result {
        Ok(value) => {
            let mut headers = HeaderMap::new();
            if let Some(location) = href(&value).and_then(|h| HeaderValue::from_str(&h).ok()) {
                headers.insert(header::LOCATION, location);
            }
            (StatusCode::CREATED, headers, Json(value)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

fn listing<T: Serialize>(result: Result<Page<T>, SomError>) -> Response {
    match result {
        Ok(page) => {
            let mut headers = HeaderMap::new();
            headers.insert(
                HeaderName::from_static("x-total-count"),
                HeaderValue::from(page.total),
            );
            headers.insert(
                HeaderName::from_static("x-result-count"),
                HeaderValue::from(page.items.len()),
            );
            (StatusCode::OK, headers, Json(page.items)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

fn unreadable(rejection: BytesRejection) -> SomError {
    SomError::UnreadableBody {
        status: rejection.status().as_u16(),
        reason: rejection.body_text(),
    }
}

fn bad_path(rejection: PathRejection) -> SomError {
    SomError::Parameter {
        name: "id".to_owned(),
        reason: rejection.body_text(),
    }
}

fn bad_query(rejection: QueryRejection) -> SomError {
    SomError::Parameter {
        name: "query".to_owned(),
        reason: rejection.body_text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn list_queries() {
        let q = order_query(&pairs(&[
            ("state", "inProgress,Completed"),
            ("offset", "2"),
            ("limit", "5"),
            ("fields", "id"),
        ]))
        .unwrap();
        assert_eq!(
            q.states,
            Some(vec![
                ServiceOrderState::InProgress,
                ServiceOrderState::Completed
            ])
        );
        assert_eq!((q.offset, q.limit), (2, Some(5)));
        for bad in [("state", "done"), ("offset", "-1"), ("limit", "x")] {
            let err = order_query(&pairs(&[bad])).unwrap_err();
            assert!(
                matches!(&err, SomError::Parameter { name, .. } if name == bad.0),
                "{err}"
            );
        }
    }
}
