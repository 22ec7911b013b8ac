//! `cancelProductOrder` (TMF622 v4 and v5): list, retrieve, create.
//!
//! Creating a cancel request assesses it at once with the domain's cancellation flow
//! ([`orderdesk_domain::desk::cancellation`]) and stores the request whatever the outcome, so
//! that `GET cancelProductOrder/{id}` always tells what happened:
//! * the order is not open (finished, a draft, already being cancelled): the request is stored
//!   `rejected` (v4: `terminatedWithError`) and the answer is **409** with the reason and, in
//!   `referenceError`, the request's `href`;
//! * nothing can be cancelled any more (every item finished or past its point of no return):
//!   stored `rejected`, answered **422**, the same way;
//! * otherwise 201: the order goes through `assessingCancellation` to `pendingCancellation`
//!   (items past PONR carry on, listed in the request's `notReversedItem`), and the request is
//!   `inProgress` while fulfilment reverses downstream work — or, without fulfilment, confirmed
//!   at once (`done` / `terminatedWithError`, the order `cancelled` or on with what could not be
//!   reversed).
//!
//! `If-Match` on a create names the version of the *order* being cancelled (412 when stale).

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use orderdesk_domain::desk::cancellation::{self, decision_command};
use orderdesk_domain::desk::{CancelRejection, CancelRequest};
use orderdesk_domain::lifecycle::{CancelState, OrderCommand};
use orderdesk_domain::{CancelRequestId, OrderId, UserId};
use orderdesk_store::central::CancelRequestQuery;
use orderdesk_tmf::convert::CancelIntake;
use orderdesk_tmf::events::EventKind;
use orderdesk_tmf::{v4, v5, ApiVersion};
use serde_json::Value;

use super::{check_if_match, json_response, query_pairs, Api, Media, RequestBody, Routes};
use crate::auth::{Permission, User};
use crate::error::ApiError;
use crate::events::cancel_notifications;
use crate::representation::{cancel_json, rejection_reason};
use crate::state::{new_id, AppState, ServerEvent};
use crate::tmf630;
use crate::workflow::{commit, confirm_steps, lifecycle_step, SYSTEM_USER};

pub fn routes(version: ApiVersion) -> Routes {
    let base = super::tmf622_base(version);
    Routes::new()
        .get(&format!("{base}/cancelProductOrder"), list)
        .post(&format!("{base}/cancelProductOrder"), create)
        .get(&format!("{base}/cancelProductOrder/{{id}}"), retrieve)
}

const ALWAYS: &[&str] = &["id", "href", "@type"];

/// The list filters a cancel request list understands.
fn cancel_query(q: &tmf630::ListQuery) -> Result<CancelRequestQuery, ApiError> {
    let mut out = CancelRequestQuery {
        order: None,
        state: None,
        offset: q.offset,
        limit: q.limit,
    };
    for f in &q.filters {
        let one = || -> Result<&str, ApiError> {
            match f.values.as_slice() {
                [v] if matches!(f.op, orderdesk_store::central::Op::Eq) => Ok(v),
                _ => Err(ApiError::bad_field(
                    "invalidQuery",
                    f.attribute.clone(),
                    format!("`{}` takes one value, by equality", f.attribute),
                )),
            }
        };
        match f.attribute.as_str() {
            "productOrder.id" => out.order = Some(OrderId::new(one()?)),
            "state" => {
                let v = one()?;
                out.state = Some(CancelState::parse(v).ok_or_else(|| {
                    ApiError::bad_field(
                        "invalidQuery",
                        "state",
                        format!("`{v}` is not a cancel request state"),
                    )
                })?);
            }
            other => {
                return Err(ApiError::bad_field(
                    "unknownAttribute",
                    other,
                    format!("`{other}` is not an attribute a cancel request list can filter on"),
                ))
            }
        }
    }
    if let Some((attribute, _)) = q.sort.first() {
        return Err(ApiError::bad_field(
            "unknownAttribute",
            "sort",
            format!("cancel requests are listed newest first; `{attribute}` cannot sort them"),
        ));
    }
    Ok(out)
}

async fn list(
    State(state): State<AppState>,
    Api(version): Api,
    user: User,
    uri: Uri,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadOrders)?;
    let query = tmf630::parse(&query_pairs(&uri)?)?;
    let store_query = cancel_query(&query)?;
    let page = state
        .db(move |store| Ok(store.list_cancel_requests(&store_query)?))
        .await?;
    let items = page
        .items
        .iter()
        .map(|r| {
            let value = cancel_json(r, version, &state.urls)?;
            Ok(match &query.fields {
                Some(fields) => tmf630::project(&value, fields, ALWAYS),
                None => value,
            })
        })
        .collect::<Result<Vec<Value>, ApiError>>()?;
    let count = items.len();
    let mut response = json_response(StatusCode::OK, &Value::Array(items));
    let headers = response.headers_mut();
    headers.insert("X-Total-Count", HeaderValue::from(page.total));
    headers.insert("X-Result-Count", HeaderValue::from(count));
    Ok(response)
}

async fn retrieve(
    State(state): State<AppState>,
    Api(version): Api,
    user: User,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadOrders)?;
    let query = tmf630::parse(&query_pairs(&uri)?)?;
    let id = CancelRequestId::new(id);
    let request = state
        .db(move |store| Ok(store.get_cancel_request(&id)?))
        .await?;
    let value = cancel_json(&request, version, &state.urls)?;
    let value = match &query.fields {
        Some(fields) => tmf630::project(&value, fields, ALWAYS),
        None => value,
    };
    Ok(json_response(StatusCode::OK, &value))
}

async fn create(
    State(state): State<AppState>,
    Api(version): Api,
    user: User,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::CancelOrder)?;
    body.media(&[Media::Json], "application/json")?;
    let now = state.now();
    let intake = CancelIntake {
        id: CancelRequestId::new(new_id()),
        now,
    };
    let wire = match version {
        ApiVersion::V4 => {
            let body: v4::CancelProductOrderCreate = body.parse()?;
            v4::convert::cancel_to_domain(&body, intake)?
        }
        ApiVersion::V5 => {
            let body: v5::CancelProductOrderFvo = body.parse()?;
            v5::convert::cancel_to_domain(&body, intake)?
        }
    };
    let request = CancelRequest::new(
        wire.id,
        wire.order,
        wire.reason,
        user.id.clone(),
        wire.requested_date,
        now,
    );
    let order_id = request.order.clone();
    let stored = state
        .db(move |store| Ok(store.get_order(&order_id)?))
        .await?;
    check_if_match(&headers, stored.order.version)?;

    let begun = cancellation::begin(&request, &stored.order, now)
        .map_err(|e| ApiError::conflict("stateChangeRefused", e.to_string()))?;
    let mut steps = Vec::new();
    let request = if begun.request.state.is_terminal() {
        begun.request
    } else {
        let assessing = lifecycle_step(
            &stored.order,
            &OrderCommand::RequestCancellation,
            now,
            &user.id,
            format!("cancellation requested by {}", user.name),
        )
        .map_err(ApiError::internal)?;
        let decided = cancellation::decide(&begun.request, &assessing.order, now)
            .map_err(|e| ApiError::conflict("stateChangeRefused", e.to_string()))?;
        if decided.request.state.is_terminal() {
            // Nothing can be cancelled: the order stays exactly where it was.
            decided.request
        } else {
            let assessment = cancellation::assess_cancellation(&assessing.order, now);
            let accepted = lifecycle_step(
                &assessing.order,
                &decision_command(&assessment),
                now,
                &user.id,
                "cancellation assessed",
            )
            .map_err(ApiError::internal)?;
            steps.push(assessing);
            steps.push(accepted);
            decided.request
        }
    };
    // Nothing downstream to reverse: the cancellation is confirmed in the same write.
    let confirm_now = request.state == CancelState::InProgress && state.fulfilment.is_none();
    let request = if confirm_now {
        let from = steps.last().map_or(&stored.order, |s| &s.order);
        let (confirmed, step) = confirm_steps(&request, from, now, &UserId::new(SYSTEM_USER))?;
        steps.push(step);
        confirmed
    } else {
        request
    };

    let mut kinds = vec![EventKind::CancelProductOrderCreate];
    if request.state != CancelState::Acknowledged {
        kinds.push(EventKind::CancelProductOrderStateChange);
    }
    let events = cancel_notifications(&kinds, &request, now, &state.urls)?;
    let to_store = request.clone();
    let order = commit(&state, &stored, steps, events, move |tx| {
        tx.insert_cancel_request(&to_store, now)?;
        Ok(())
    })
    .await?;
    state.announce(ServerEvent {
        entity: "cancelProductOrder",
        id: request.id.to_string(),
        kind: "create",
        version: None,
        state: Some(request.state.as_str().to_owned()),
        at: now,
    });

    let value = cancel_json(&request, version, &state.urls)?;
    let href = value.get("href").and_then(Value::as_str).map(str::to_owned);
    if let Some(rejection) = &request.rejection {
        let reason = rejection_reason(rejection);
        let error = match rejection {
            CancelRejection::OrderNotOpen { .. } => ApiError::Conflict {
                code: "orderNotCancellable",
                reason,
                reference: href.clone(),
            },
            CancelRejection::NothingCancellable => ApiError::Unprocessable {
                code: "nothingCancellable",
                reason,
                reference: href.clone(),
            },
        };
        let mut response = error.into_response();
        if let Some(href) = href.and_then(|h| HeaderValue::from_str(&h).ok()) {
            response.headers_mut().insert(header::LOCATION, href);
        }
        return Ok(response);
    }
    if request.state == CancelState::InProgress {
        if let Some(fulfilment) = &state.fulfilment {
            if let Err(e) = fulfilment.cancel(&state, &order, &request).await {
                tracing::warn!(request = %request.id, error = %e, "fulfilment did not take the cancellation");
            }
        }
    }
    let mut response = json_response(StatusCode::CREATED, &value);
    if let Some(href) = href.and_then(|h| HeaderValue::from_str(&h).ok()) {
        response.headers_mut().insert(header::LOCATION, href);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Result<CancelRequestQuery, ApiError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        cancel_query(&tmf630::parse(&pairs)?)
    }

    #[test]
    fn cancel_lists_filter_by_order_and_state_only() {
        let q = query(&[
            ("productOrder.id", "O-1"),
            ("state", "done"),
            ("limit", "5"),
        ])
        .unwrap();
        assert_eq!(q.order, Some(OrderId::new("O-1")));
        assert_eq!(q.state, Some(CancelState::Done));
        assert_eq!(q.limit, 5);
        assert!(query(&[("state", "exploded")]).is_err());
        assert!(query(&[("colour", "red")]).is_err());
        assert!(query(&[("state", "done,rejected")]).is_err());
        assert!(query(&[("sort", "id")]).is_err());
    }
}
