//! The service's own resources: `/` (what is served, and where the OpenAPI document is) and
//! `/openapi.json`. Neither needs a token.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use orderdesk_tmf::ApiVersion;
use serde_json::json;

use super::{json_response, Routes};
use crate::error::ApiError;
use crate::openapi;
use crate::state::AppState;

pub fn routes() -> Routes {
    Routes::new().get("/", index).get("/openapi.json", document)
}

async fn index(State(state): State<AppState>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({
            "name": "orderdesk-server",
            "version": env!("CARGO_PKG_VERSION"),
            "openapi": format!("{}/openapi.json", state.urls.public),
            "apis": [
                {"name": "TMF622 Product Ordering", "version": "4.0.0",
                 "url": state.urls.tmf622(ApiVersion::V4)},
                {"name": "TMF622 Product Ordering", "version": "5.0.0",
                 "url": state.urls.tmf622(ApiVersion::V5)},
            ],
            "authentication": "Authorization: Bearer <token>",
        }),
    )
}

async fn document(State(state): State<AppState>) -> Result<Response, ApiError> {
    let cached = match state.openapi.get() {
        Some(bytes) => bytes.clone(),
        None => {
            let built = tokio::task::spawn_blocking(|| {
                openapi::document().map(|d| serde_json::to_vec(&d).unwrap_or_default())
            })
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
            state
                .openapi
                .get_or_init(|| axum::body::Bytes::from(built))
                .clone()
        }
    };
    let mut response = axum::response::IntoResponse::into_response((StatusCode::OK, cached));
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}
