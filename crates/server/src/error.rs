//! The one HTTP error of the server: every failure a handler, an extractor, the router's
//! fallbacks or the panic guard can produce is an [`ApiError`], answered as the TMF error body
//! `{code, reason, message, status, referenceError?, @type: "Error"}` with its status.
//!
//! Mapping, in one place: bad JSON, wrong types, unknown filter attributes → 400 naming the
//! field; missing or unknown token → 401; a role without the right → 403; unknown id or route →
//! 404; wrong method → 405; a state change the lifecycle refuses → 409; stale `If-Match` → 412;
//! body over the limit → 413; wrong `Content-Type` → 415; a business rule refusing the request
//! (amending past the point of no return, cancelling what cannot be cancelled) → 422. Only the
//! server failing itself (the store, a bug caught by the panic guard) answers 500, and then
//! without internals in the body: the details go to the log.
//!
//! `@type: "Error"` is written for both API versions: v5 requires it and v4's `Error` schema
//! allows it, so one body shape serves every path, the unknown ones included.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use orderdesk_domain::lifecycle::TransitionError;
use orderdesk_store::StoreError;
use orderdesk_tmf::{ApiVersion, ErrorBody, WireError};

use crate::auth::{Permission, Role};

/// A failed request, as the client is told about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Malformed JSON, a wrong type, a missing or invalid field, an unknown query attribute.
    #[error("{reason}")]
    BadRequest {
        code: &'static str,
        reason: String,
        /// The JSON path or query parameter at fault.
        field: Option<String>,
    },
    #[error("authentication required: {0}")]
    Unauthenticated(&'static str),
    #[error("a user with role `{role}` may not {permission}")]
    Forbidden { role: Role, permission: Permission },
    #[error("{entity} `{id}` does not exist")]
    NotFound { entity: &'static str, id: String },
    #[error("no resource is served at `{0}`")]
    NoRoute(String),
    #[error("`{method}` is not allowed on `{path}`")]
    MethodNotAllowed { method: String, path: String },
    /// The resource's state does not allow the request (a lifecycle refusal).
    #[error("{reason}")]
    Conflict {
        code: &'static str,
        reason: String,
        reference: Option<String>,
    },
    /// `If-Match` names a version that is no longer the current one.
    #[error("the order is at version {current}; `If-Match` named another")]
    PreconditionFailed { current: u32 },
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("`Content-Type: {got}` is not accepted here; send {expected}")]
    UnsupportedMediaType { got: String, expected: &'static str },
    /// A business rule refuses the request as it stands.
    #[error("{reason}")]
    Unprocessable {
        code: &'static str,
        reason: String,
        reference: Option<String>,
    },
    /// The server failed; `detail` is logged, never sent.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

impl ApiError {
    pub fn bad_request(code: &'static str, reason: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            reason: reason.into(),
            field: None,
        }
    }

    pub fn bad_field(
        code: &'static str,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::BadRequest {
            code,
            reason: reason.into(),
            field: Some(field.into()),
        }
    }

    pub fn not_found(entity: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            entity,
            id: id.into(),
        }
    }

    pub fn conflict(code: &'static str, reason: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            reason: reason.into(),
            reference: None,
        }
    }

    pub fn unprocessable(code: &'static str, reason: impl Into<String>) -> Self {
        Self::Unprocessable {
            code,
            reason: reason.into(),
            reference: None,
        }
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::Internal {
            detail: detail.to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } | Self::NoRoute(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable `code` of the body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unprocessable { code, .. } => code,
            Self::Unauthenticated(_) => "unauthenticated",
            Self::Forbidden { .. } => "forbidden",
            Self::NotFound { .. } => "notFound",
            Self::NoRoute(_) => "noSuchResource",
            Self::MethodNotAllowed { .. } => "methodNotAllowed",
            Self::PreconditionFailed { .. } => "staleVersion",
            Self::PayloadTooLarge { .. } => "payloadTooLarge",
            Self::UnsupportedMediaType { .. } => "unsupportedMediaType",
            Self::Internal { .. } => "internalError",
        }
    }

    /// The TMF error body.
    pub fn body(&self) -> ErrorBody {
        let reason = match self {
            Self::Internal { .. } => "the server failed to handle the request".to_owned(),
            other => other.to_string(),
        };
        let mut body = ErrorBody::new(ApiVersion::V5, self.status().as_u16(), self.code(), reason);
        match self {
            Self::BadRequest {
                field: Some(field), ..
            } if !field.is_empty() => body.message = Some(format!("see field `{field}`")),
            Self::Conflict {
                reference: Some(r), ..
            }
            | Self::Unprocessable {
                reference: Some(r), ..
            } => body.reference_error = Some(r.clone()),
            _ => {}
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal { detail } = &self {
            tracing::error!(%detail, "request failed");
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.body()).unwrap_or_else(|_| {
            br#"{"code":"internalError","reason":"error body","@type":"Error"}"#.to_vec()
        });
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=utf-8"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<WireError> for ApiError {
    fn from(e: WireError) -> Self {
        match e {
            WireError::Serialise { .. } => Self::internal(e),
            other => Self::BadRequest {
                code: other.code(),
                field: Some(other.field().to_owned()),
                reason: other.to_string(),
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, id } => Self::NotFound { entity, id },
            StoreError::VersionConflict { current } => Self::PreconditionFailed { current },
            StoreError::Duplicate { entity, id } => Self::Conflict {
                code: "duplicate",
                reason: format!("{entity} `{id}` already exists"),
                reference: None,
            },
            StoreError::InvalidQuery(reason) => Self::bad_request("invalidQuery", reason),
            StoreError::Claim(claim) => Self::conflict("claimRefused", claim.to_string()),
            other => Self::internal(other),
        }
    }
}

impl From<TransitionError> for ApiError {
    fn from(e: TransitionError) -> Self {
        Self::conflict("stateChangeRefused", e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_is_a_tmf_body_with_its_status() {
        let cases = [
            (
                ApiError::bad_field("malformedBody", "productOrderItem[0].action", "bad"),
                400,
            ),
            (ApiError::Unauthenticated("no token"), 401),
            (
                ApiError::Forbidden {
                    role: Role::Agent,
                    permission: Permission::DeleteOrder,
                },
                403,
            ),
            (ApiError::not_found("productOrder", "x"), 404),
            (ApiError::NoRoute("/nope".into()), 404),
            (
                ApiError::MethodNotAllowed {
                    method: "PUT".into(),
                    path: "/x".into(),
                },
                405,
            ),
            (ApiError::conflict("stateChangeRefused", "no"), 409),
            (ApiError::PreconditionFailed { current: 3 }, 412),
            (ApiError::PayloadTooLarge { limit: 10 }, 413),
            (
                ApiError::UnsupportedMediaType {
                    got: "text/plain".into(),
                    expected: "application/json",
                },
                415,
            ),
            (ApiError::unprocessable("pastPointOfNoReturn", "no"), 422),
            (ApiError::internal("disk on fire"), 500),
        ];
        for (error, status) in cases {
            assert_eq!(error.status().as_u16(), status, "{error}");
            let body = serde_json::to_value(error.body()).unwrap();
            assert_eq!(body["status"], status.to_string());
            assert_eq!(body["@type"], "Error");
            assert!(body["code"].as_str().is_some_and(|c| !c.is_empty()));
            assert!(body["reason"].as_str().is_some_and(|c| !c.is_empty()));
        }
    }

    #[test]
    fn internal_details_stay_in_the_log() {
        let body = ApiError::internal("SQLite: disk I/O error at /secret/path").body();
        assert!(!serde_json::to_string(&body).unwrap().contains("secret"));
    }

    #[test]
    fn the_field_at_fault_is_named() {
        let body = ApiError::bad_field("unknownAttribute", "colour", "no such attribute").body();
        assert_eq!(body.message.as_deref(), Some("see field `colour`"));
    }
}
