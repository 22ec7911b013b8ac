//! Order history (`{BASE}/orders/{id}/...`): read-only views of the store's append-only
//! versions — there is no endpoint that writes one (every change to an order writes its own).
//!
//! * `versions`: every version, oldest first: number, time, who (id and name), why, what kind
//!   of change (the domain's [`ChangeKind`], with its lifecycle command or amendment delta), the
//!   order state it left;
//! * `versions/{n}`: the order as it stood at version `n`, as TMF622 v5 JSON;
//! * `diff?from=n&to=m`: the domain's [`diff`] of the requested content between two versions
//!   (field paths such as `productOrderItem[2].product.productCharacteristic.speed`, before
//!   and after), with the versions in between.
//!
//! Right: [`Permission::ReadHistory`].

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use orderdesk_domain::desk::{diff, OrderVersion};
use orderdesk_domain::OrderId;
use orderdesk_tmf::ApiVersion;
use serde_json::{json, Value};

use super::{number, unknown_attribute, Names, BASE};
use crate::api::{etag, json_response, query_pairs, Routes};
use crate::auth::{Permission, User};
use crate::error::ApiError;
use crate::representation::{extensions_of, order_json};
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(&format!("{BASE}/orders/{{id}}/versions"), list)
        .get(&format!("{BASE}/orders/{{id}}/versions/{{n}}"), retrieve)
        .get(&format!("{BASE}/orders/{{id}}/diff"), compare)
}

/// One version without its snapshot.
fn summary(v: &OrderVersion, names: &Names) -> Value {
    let change = serde_json::to_value(&v.change).unwrap_or(Value::Null);
    json!({
        "version": v.version,
        "at": v.at,
        "by": names.json(&v.by),
        "reason": v.reason,
        "changeKind": change.get("kind").cloned().unwrap_or(Value::Null),
        "change": change,
        "state": v.snapshot.state().as_str(),
        "href": format!("{BASE}/orders/{}/versions/{}", v.snapshot.id, v.version),
    })
}

async fn list(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadHistory)?;
    let order = OrderId::new(id);
    let (versions, names) = state
        .db(move |store| Ok((store.list_versions(&order)?, Names::load(store)?)))
        .await?;
    let items: Vec<Value> = versions.iter().map(|v| summary(v, &names)).collect();
    let mut response = json_response(StatusCode::OK, &Value::Array(items));
    let headers = response.headers_mut();
    headers.insert("X-Total-Count", HeaderValue::from(versions.len()));
    headers.insert("X-Result-Count", HeaderValue::from(versions.len()));
    Ok(response)
}

async fn retrieve(
    State(state): State<AppState>,
    user: User,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadHistory)?;
    let n: u32 = number("n", &n)?;
    let order = OrderId::new(id);
    let (version, extensions) = state
        .db(move |store| {
            let version = store.get_version(&order, n)?;
            let extensions = store.get_order(&order)?.extensions;
            Ok((version, extensions))
        })
        .await?;
    let ext = extensions_of(extensions.as_ref());
    let value = order_json(&version.snapshot, ext.as_ref(), ApiVersion::V5, &state.urls)?;
    let mut response = json_response(StatusCode::OK, &value);
    response
        .headers_mut()
        .insert(header::ETAG, etag(version.version));
    Ok(response)
}

async fn compare(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadHistory)?;
    let (mut from, mut to) = (None, None);
    for (key, value) in query_pairs(&uri)? {
        match key.as_str() {
            "from" => from = Some(number::<u32>("from", &value)?),
            "to" => to = Some(number::<u32>("to", &value)?),
            other => return Err(unknown_attribute(other)),
        }
    }
    let order = OrderId::new(id);
    let (versions, names) = state
        .db(move |store| Ok((store.list_versions(&order)?, Names::load(store)?)))
        .await?;
    let latest = versions.last().map_or(0, |v| v.version);
    let to = to.unwrap_or(latest);
    let from = from.unwrap_or_else(|| to.saturating_sub(1).max(1));
    let find = |n: u32, field: &'static str| {
        versions.iter().find(|v| v.version == n).ok_or_else(|| {
            ApiError::bad_field(
                "invalidQuery",
                field,
                format!("the order has versions 1 to {latest}, not {n}"),
            )
        })
    };
    let (a, b) = (find(from, "from")?, find(to, "to")?);
    if from > to {
        return Err(ApiError::bad_field(
            "invalidQuery",
            "from",
            format!("`from` ({from}) must not be after `to` ({to})"),
        ));
    }
    let delta = diff(&a.snapshot, &b.snapshot);
    let between: Vec<Value> = versions
        .iter()
        .filter(|v| v.version > from && v.version <= to)
        .map(|v| summary(v, &names))
        .collect();
    let body = json!({
        "from": from,
        "to": to,
        "order": delta.order,
        "added": delta.added,
        "removed": delta.removed,
        "changed": delta.changed,
        "versions": between,
    });
    Ok(json_response(StatusCode::OK, &body))
}
