//! What a request to the simulator can fail with, and the TMF error body each becomes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use orderdesk_tmf::common::{ApiVersion, ErrorBody};
use orderdesk_tmf::error::WireError;

/// A refused request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SomError {
    /// The body is not JSON, has a field of the wrong type, or fails a check (names the field).
    #[error(transparent)]
    Body(#[from] WireError),
    /// The body could not be read at all (too large, not UTF-8...).
    #[error("the body could not be read: {reason}")]
    UnreadableBody { status: u16, reason: String },
    /// A query or path parameter is unusable.
    #[error("parameter `{name}`: {reason}")]
    Parameter { name: String, reason: String },
    #[error("{resource} `{id}` does not exist")]
    NotFound { resource: &'static str, id: String },
    #[error("serviceOrder `{id}` already exists")]
    DuplicateId { id: String },
    #[error("no route for this path")]
    NoRoute,
    #[error("method not allowed on this resource")]
    MethodNotAllowed,
}

impl SomError {
    fn status(&self) -> u16 {
        match self {
            Self::Body(e) => e.http_status(),
            Self::UnreadableBody { status, .. } => *status,
            Self::Parameter { .. } => 400,
            Self::NotFound { .. } | Self::NoRoute => 404,
            Self::DuplicateId { .. } => 409,
            Self::MethodNotAllowed => 405,
        }
    }

    /// The TMF error body (v5: `@type: "Error"`); `message` names the field when there is one.
    pub fn body(&self) -> ErrorBody {
        let status = self.status();
        let v5 = ApiVersion::V5;
        match self {
            Self::Body(e) => ErrorBody::from_wire_error(e, v5),
            Self::UnreadableBody { .. } => {
                ErrorBody::new(v5, status, "unreadableBody", self.to_string())
            }
            Self::Parameter { name, .. } => {
                ErrorBody::new(v5, status, "invalidParameter", self.to_string())
                    .with_message(format!("see parameter `{name}`"))
            }
            Self::NotFound { .. } | Self::NoRoute => {
                ErrorBody::new(v5, status, "notFound", self.to_string())
            }
            Self::DuplicateId { .. } => ErrorBody::new(v5, status, "duplicateId", self.to_string())
                .with_message("see field `id`; GET the existing order instead"),
            Self::MethodNotAllowed => {
                ErrorBody::new(v5, status, "methodNotAllowed", self.to_string())
            }
        }
    }
}

impl IntoResponse for SomError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_carry_code_reason_status_and_type() {
        let e = SomError::Body(WireError::Missing {
            field: "serviceOrderItem[0].action".into(),
            why: "needed".into(),
        });
        let v = serde_json::to_value(e.body()).unwrap();
        assert_eq!(v["code"], "missingField");
        assert_eq!(v["status"], "400");
        assert_eq!(v["@type"], "Error");
        assert!(v["message"]
            .as_str()
            .unwrap()
            .contains("serviceOrderItem[0].action"));
        let v = serde_json::to_value(
            SomError::NotFound {
                resource: "serviceOrder",
                id: "x".into(),
            }
            .body(),
        )
        .unwrap();
        assert_eq!(
            (v["code"].as_str(), v["status"].as_str()),
            (Some("notFound"), Some("404"))
        );
    }
}
