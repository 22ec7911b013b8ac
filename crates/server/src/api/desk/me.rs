//! Who the caller is (`{BASE}/me`): the user and role behind the bearer token, so that a desk
//! signing in with a token learns whose desk it is and which commands to offer. Any known token
//! may ask; an unknown one is a 401 like everywhere else. A TMF622 server without the desk
//! extension answers this path with a 404, which is how a client tells the two apart.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::BASE;
use crate::api::{json_response, Routes};
use crate::auth::User;
use crate::error::ApiError;
use crate::openapi::OpenApi;

pub fn routes() -> Routes {
    Routes::new().get(&format!("{BASE}/me"), me)
}

async fn me(user: User) -> Result<Response, ApiError> {
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "id": user.id.as_str(),
            "name": user.name,
            "role": user.role.as_str(),
        }),
    ))
}

/// The operation and its `DeskMe` schema.
pub fn openapi(doc: &mut OpenApi) {
    doc.schema(
        "DeskMe",
        json!({"type": "object", "required": ["id", "name", "role"], "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "role": {"type": "string", "enum": crate::auth::Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>()}}}),
    );
    doc.operation(
        &format!("{BASE}/me"),
        "get",
        json!({
            "tags": ["Desk (orderdesk/v1)"], "operationId": "desk_me",
            "summary": "The caller: the user and role behind the bearer token",
            "description": "Any known token. A desk calls it at sign-in; a server without the desk extension answers 404.",
            "responses": {
                "200": {"description": "The caller",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeskMe"}}}},
                "401": {"description": "No or unknown bearer token",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/v5.Error"}}}},
                "500": {"description": "Internal error",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/v5.Error"}}}},
            },
        }),
    );
}
