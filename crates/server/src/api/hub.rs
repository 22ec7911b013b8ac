//! `hub` (TMF622 v4 and v5): register (POST, 201 `{id, callback, query}`) and remove (DELETE,
//! 204) a notification listener. A subscription receives the notifications of the API version
//! it registered through; the hub notifier ([`crate::notifier`]) POSTs each one to
//! `{callback}/listener/{eventName}` (`.../listener/productOrderStateChangeEvent`), the TMF
//! convention for a client's listener endpoints. `query` may restrict the events:
//! `eventType=ProductOrderStateChangeEvent,ProductOrderCreateEvent`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use orderdesk_store::central::{ApiVersion as HubVersion, NewSubscription};
use orderdesk_tmf::{v4, v5, ApiVersion};
use serde_json::Value;

use super::{json_response, Api, Media, RequestBody, Routes};
use crate::auth::{Permission, User};
use crate::error::ApiError;
use crate::state::{new_id, AppState};

pub fn routes(version: ApiVersion) -> Routes {
    let base = super::tmf622_base(version);
    Routes::new()
        .post(&format!("{base}/hub"), register)
        .delete(&format!("{base}/hub/{{id}}"), unregister)
}

/// Checks that a callback is an absolute `http(s)` URL.
fn check_callback(callback: &str) -> Result<(), ApiError> {
    let url = reqwest::Url::parse(callback).map_err(|e| {
        ApiError::bad_field(
            "invalidField",
            "callback",
            format!("`callback` is not an absolute URL: {e}"),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ApiError::bad_field(
            "invalidField",
            "callback",
            "`callback` must be an http or https URL",
        ));
    }
    Ok(())
}

async fn register(
    State(state): State<AppState>,
    Api(version): Api,
    user: User,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::ManageHubs)?;
    body.media(&[Media::Json], "application/json")?;
    let (callback, query) = match version {
        ApiVersion::V4 => {
            let b: v4::EventSubscriptionInput = body.parse()?;
            (b.callback, b.query)
        }
        ApiVersion::V5 => {
            let b: v5::HubFvo = body.parse()?;
            (b.callback, b.query)
        }
    };
    check_callback(&callback)?;
    let id = new_id();
    let href = format!("{}/hub/{id}", state.urls.tmf622(version));
    let now = state.now();
    let (sub_id, sub_callback, sub_query) = (id.clone(), callback.clone(), query.clone());
    let registering = state.subscribers.registering().await;
    state
        .db(move |store| {
            Ok(store.create_subscription(&NewSubscription {
                id: &sub_id,
                callback: &sub_callback,
                query: sub_query.as_deref(),
                api_version: match version {
                    ApiVersion::V4 => HubVersion::V4,
                    ApiVersion::V5 => HubVersion::V5,
                },
                at: now,
            })?)
        })
        .await?;
    registering.set(true);
    drop(registering);
    let value: Value = match version {
        ApiVersion::V4 => serde_json::to_value(v4::EventSubscription {
            id,
            callback,
            query,
            extra: Default::default(),
        }),
        ApiVersion::V5 => serde_json::to_value(v5::Hub {
            id: Some(id),
            href: Some(href.clone()),
            callback,
            query,
            at_type: Some("Hub".to_owned()),
            extra: Default::default(),
        }),
    }
    .map_err(ApiError::internal)?;
    let mut response = json_response(StatusCode::CREATED, &value);
    if let Ok(location) = HeaderValue::from_str(&href) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn unregister(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    user.require(Permission::ManageHubs)?;
    let registering = state.subscribers.registering().await;
    let remaining = state
        .db(move |store| {
            store.delete_subscription(&id)?;
            Ok(store.list_subscriptions()?.len())
        })
        .await?;
    registering.set(remaining > 0);
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_are_absolute_http_urls() {
        assert!(check_callback("http://127.0.0.1:9000/crm").is_ok());
        assert!(check_callback("https://crm.example/api/").is_ok());
        for bad in [
            "/relative",
            "ftp://x/y",
            "not a url",
            "http://",
            "javascript:alert(1)",
        ] {
            assert!(check_callback(bad).is_err(), "{bad}");
        }
    }
}
