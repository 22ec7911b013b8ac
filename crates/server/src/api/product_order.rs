//! `productOrder` (TMF622 v4 and v5): list, create, retrieve, patch, delete.
//!
//! * Create answers 201 with `Location` = `href` and `ETag`; the order is stored `acknowledged`
//!   (or `draft`) and the workflow validates it afterwards. A repeated create — the same
//!   `Idempotency-Key` from the same user, or the same `externalId` from the same channel —
//!   answers **200** with the order the first request created (its current state), the same
//!   `Location`, and `Idempotent-Replayed: true`; nothing is created.
//! * PATCH: v4 takes `application/json` (a merge patch, as TMF630 reads it) and
//!   `application/merge-patch+json`; v5 adds `application/json-patch+json`. What may change is
//!   [`crate::amend`]'s decision; `If-Match` is honoured (412 when stale).
//! * DELETE is an administrator's purge (204).

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use orderdesk_domain::validation::Outcome;
use orderdesk_domain::OrderId;
use orderdesk_store::central::NewOrder;
use orderdesk_tmf::common::JsonPatchOperation;
use orderdesk_tmf::events::EventKind;
use orderdesk_tmf::{v4, v5, ApiVersion, OrderExtensions, OrderIntake};
use serde_json::Value;

use super::{
    check_if_match, etag, json_bytes_response, json_response, query_pairs, Api, Media, RequestBody,
    Routes,
};
use crate::amend::plan_patch;
use crate::auth::{Permission, User};
use crate::error::ApiError;
use crate::events::order_notifications;
use crate::patch::{json_patch, merge_patch, pointer_to_path};
use crate::representation::{extensions_of, order_body, order_json};
use crate::state::{new_id, AppState, ServerEvent};
use crate::tmf630;
use crate::workflow::{self, commit_order_change};

/// Fields a `fields=` projection always keeps.
const ALWAYS: &[&str] = &["id", "href", "@type"];

/// The longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY: usize = 255;

pub fn routes(version: ApiVersion) -> Routes {
    let base = super::tmf622_base(version);
    Routes::new()
        .get(&format!("{base}/productOrder"), list)
        .post(&format!("{base}/productOrder"), create)
        .get(&format!("{base}/productOrder/{{id}}"), retrieve)
        .patch(&format!("{base}/productOrder/{{id}}"), patch)
        .delete(&format!("{base}/productOrder/{{id}}"), delete)
}

fn with_order_headers(mut response: Response, href: Option<&str>, version: u32) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::ETAG, super::etag(version));
    if let Some(href) = href.and_then(|h| HeaderValue::from_str(h).ok()) {
        headers.insert(header::LOCATION, href);
    }
    response
}

async fn list(
    State(state): State<AppState>,
    Api(version): Api,
    user: User,
    uri: Uri,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadOrders)?;
    let query = tmf630::parse(&query_pairs(&uri)?)?;
    let store_query = tmf630::order_query(&query, version)?;
    let page = state
        .read(move |store| Ok(store.list_orders(&store_query)?))
        .await?;
    let count = page.items.len();
    let body = match &query.fields {
        // The whole orders: each written straight to JSON text, joined into the array.
        None => {
            let mut body = Vec::with_capacity(2_048 * count.max(1));
            body.push(b'[');
            for (n, stored) in page.items.iter().enumerate() {
                if n > 0 {
                    body.push(b',');
                }
                let ext = extensions_of(stored.extensions.as_ref());
                body.extend(order_body(
                    &stored.order,
                    ext.as_ref(),
                    version,
                    &state.urls,
                )?);
            }
            body.push(b']');
            body
        }
        Some(fields) => {
            let mut items = Vec::with_capacity(count);
            for stored in &page.items {
                let ext = extensions_of(stored.extensions.as_ref());
                let value = order_json(&stored.order, ext.as_ref(), version, &state.urls)?;
                items.push(tmf630::project(&value, fields, ALWAYS));
            }
            serde_json::to_vec(&Value::Array(items)).map_err(ApiError::internal)?
        }
    };
    let mut response = json_bytes_response(StatusCode::OK, body);
    let headers = response.headers_mut();
    headers.insert("X-Total-Count", HeaderValue::from(page.total));
    headers.insert("X-Result-Count", HeaderValue::from(count));
    Ok(response)
}

/// The caller's idempotency key, scoped to the caller (keys of two clients never collide).
fn idempotency_key(headers: &HeaderMap, user: &User) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY)
        .ok_or_else(|| {
            ApiError::bad_field(
                "invalidHeader",
                "Idempotency-Key",
                format!("`Idempotency-Key` must be 1 to {MAX_IDEMPOTENCY_KEY} visible characters"),
            )
        })?;
    Ok(Some(format!("{}\u{1f}{key}", user.id)))
}

async fn create(
    State(state): State<AppState>,
    Api(version): Api,
    user: User,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::CreateOrder)?;
    body.media(&[Media::Json], "application/json")?;
    let now = state.now();
    let intake = OrderIntake {
        id: OrderId::new(new_id()),
        now,
        channel: Some(user.channel()),
        created_by: Some(user.id.clone()),
    };
    let (order, extensions) = match version {
        ApiVersion::V4 => {
            let wire: v4::ProductOrderCreate = body.parse()?;
            let ext = OrderExtensions::from_v4(&wire)?;
            (v4::to_domain(wire, intake)?, ext)
        }
        ApiVersion::V5 => {
            let wire: v5::ProductOrderFvo = body.parse()?;
            let ext = OrderExtensions::from_v5(&wire)?;
            (v5::to_domain(wire, intake)?, ext)
        }
    };
    let key = idempotency_key(&headers, &user)?;
    let ext_json = if extensions.is_empty() {
        None
    } else {
        Some(serde_json::to_value(&extensions).map_err(ApiError::internal)?)
    };
    // Held until the create committed: a hub registered meanwhile waits (see `subscribers`).
    let notifiable = state.subscribers.for_change().await;
    let events = if notifiable.any {
        order_notifications(
            &[EventKind::ProductOrderCreate],
            &order,
            Some(&extensions),
            now,
            &state.urls,
        )?
    } else {
        Vec::new()
    };
    let by = user.id.clone();
    let reason = format!(
        "created through TMF622 {} by {}",
        version.as_str(),
        user.name
    );
    let outcome = state
        .create_order(&NewOrder {
            order: &order,
            extensions: ext_json.as_ref(),
            idempotency_key: key.as_deref(),
            by: &by,
            at: now,
            reason: &reason,
            events: &events,
        })
        .await?;
    drop(notifiable);
    let created = outcome.is_created();
    let stored = outcome.into_order();
    let ext = if created {
        // What was stored is what was sent: no need to read the stored extensions back.
        (!extensions.is_empty()).then_some(extensions)
    } else {
        extensions_of(stored.extensions.as_ref())
    };
    let body = order_body(&stored.order, ext.as_ref(), version, &state.urls)?;
    let href = orderdesk_tmf::common::href(
        &state.urls.tmf622(version),
        "productOrder",
        stored.order.id.as_str(),
    );
    let status = if created {
        state.announce(ServerEvent {
            entity: "productOrder",
            id: stored.order.id.to_string(),
            kind: "create",
            version: Some(stored.order.version),
            state: Some(stored.order.state().as_str().to_owned()),
            at: now,
        });
        state.kick_workflow(&stored.order.id);
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = with_order_headers(
        json_bytes_response(status, body),
        Some(&href),
        stored.order.version,
    );
    if !created {
        response
            .headers_mut()
            .insert("Idempotent-Replayed", HeaderValue::from_static("true"));
    }
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
    let order_id = OrderId::new(id);
    let stored = state
        .read(move |store| Ok(store.get_order(&order_id)?))
        .await?;
    let ext = extensions_of(stored.extensions.as_ref());
    let body = match &query.fields {
        None => order_body(&stored.order, ext.as_ref(), version, &state.urls)?,
        Some(fields) => {
            let value = order_json(&stored.order, ext.as_ref(), version, &state.urls)?;
            serde_json::to_vec(&tmf630::project(&value, fields, ALWAYS))
                .map_err(ApiError::internal)?
        }
    };
    let mut response = json_bytes_response(StatusCode::OK, body);
    response
        .headers_mut()
        .insert(header::ETAG, etag(stored.order.version));
    Ok(response)
}

/// A PATCH body, read per its media type.
enum PatchDocument {
    Merge(Value),
    Operations(Vec<JsonPatchOperation>),
}

fn patch_document(version: ApiVersion, body: &RequestBody) -> Result<PatchDocument, ApiError> {
    let media = match version {
        ApiVersion::V4 => body.media(
            &[Media::Json, Media::MergePatch],
            "application/json or application/merge-patch+json",
        )?,
        ApiVersion::V5 => body.media(
            &[Media::Json, Media::MergePatch, Media::JsonPatch],
            "application/merge-patch+json, application/json-patch+json or application/json",
        )?,
    };
    Ok(match media {
        Media::JsonPatch => PatchDocument::Operations(body.parse()?),
        Media::Json | Media::MergePatch => {
            let value: Value = body.parse()?;
            if !value.is_object() {
                return Err(ApiError::bad_request(
                    "malformedBody",
                    "a merge patch of an order is a JSON object",
                ));
            }
            PatchDocument::Merge(value)
        }
    })
}

async fn patch(
    State(state): State<AppState>,
    Api(version): Api,
    user: User,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::AmendOrder)?;
    let document = patch_document(version, &body)?;
    let order_id = OrderId::new(id);
    let stored = state
        .db(move |store| Ok(store.get_order(&order_id)?))
        .await?;
    check_if_match(&headers, stored.order.version)?;
    let ext = extensions_of(stored.extensions.as_ref());
    let before = order_json(&stored.order, ext.as_ref(), version, &state.urls)?;
    let after = match document {
        PatchDocument::Merge(p) => {
            let mut doc = before.clone();
            merge_patch(&mut doc, &p);
            doc
        }
        PatchDocument::Operations(ops) => json_patch(&before, &ops).map_err(|e| {
            let field = pointer_to_path(e.pointer());
            match e {
                crate::patch::PatchError::TestFailed { .. } => ApiError::Conflict {
                    code: "patchTestFailed",
                    reason: e.to_string(),
                    reference: None,
                },
                _ => ApiError::bad_field("invalidPatch", field, e.to_string()),
            }
        })?,
    };
    let now = state.now();
    let plan = plan_patch(
        &stored.order,
        &before,
        &after,
        version,
        now,
        &user.id,
        &user.name,
    )?;
    let Some(amended) = plan.steps.last().map(|s| s.order.clone()) else {
        let mut response = json_response(StatusCode::OK, &before);
        response
            .headers_mut()
            .insert(header::ETAG, etag(stored.order.version));
        return Ok(response);
    };
    if plan.items_changed && stored.order.phase.accepted {
        revalidate(&state, amended.clone()).await?;
    }
    let order = commit_order_change(&state, &stored, plan.steps).await?;
    if plan.submitted {
        state.kick_workflow(&order.id);
    }
    let value = order_json(&order, ext.as_ref(), version, &state.urls)?;
    let mut response = json_response(StatusCode::OK, &value);
    response
        .headers_mut()
        .insert(header::ETAG, etag(order.version));
    Ok(response)
}

/// Runs the validation pipeline over an amended order already past validation: a rejecting
/// result refuses the amendment (422, each reason named); holds and warnings do not stop an
/// order in flight.
async fn revalidate(
    state: &AppState,
    order: orderdesk_domain::ProductOrder,
) -> Result<(), ApiError> {
    let st = state.clone();
    let now = state.now();
    let verdict = state
        .db(move |store| workflow::run_pipeline(&st, store, &order, now))
        .await?;
    let rejections: Vec<String> = verdict
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::Reject)
        .map(|r| match &r.field {
            Some(field) => format!("{} ({field}): {}", r.code, r.message),
            None => format!("{}: {}", r.code, r.message),
        })
        .collect();
    if rejections.is_empty() {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            "amendmentRejected",
            format!(
                "the amended order does not validate: {}",
                rejections.join("; ")
            ),
        ))
    }
}

async fn delete(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    user.require(Permission::DeleteOrder)?;
    let order_id = OrderId::new(id);
    let lookup = order_id.clone();
    let stored = state.db(move |store| Ok(store.get_order(&lookup)?)).await?;
    check_if_match(&headers, stored.order.version)?;
    let now = state.now();
    let ext = extensions_of(stored.extensions.as_ref());
    let events = order_notifications(
        &[EventKind::ProductOrderDelete],
        &stored.order,
        ext.as_ref(),
        now,
        &state.urls,
    )?;
    let version = stored.order.version;
    state
        .db(move |store| Ok(store.delete_order(&order_id, now, &events)?))
        .await?;
    state.announce(ServerEvent {
        entity: "productOrder",
        id: stored.order.id.to_string(),
        kind: "delete",
        version: Some(version),
        state: None,
        at: now,
    });
    let mut response = axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT);
    response.headers_mut().remove(header::CONTENT_TYPE);
    Ok(response)
}
