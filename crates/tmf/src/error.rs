//! Why a wire value could not be read or could not become a domain value.
//!
//! Every variant names the JSON field it is about, as a path in the request body
//! (`productOrderItem[1].action`, `relatedParty`), so the server can answer a TMF error body the
//! client can act on. Nothing in this crate panics on hostile input: it returns a [`WireError`].

use orderdesk_domain::order::OrderShapeError;

/// A wire body that could not be parsed or converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Not JSON, or a field has the wrong JSON type, or an enum field (state, action...) holds a
    /// value the specification does not list. `path` is empty for the body itself.
    #[error("{}: {message}", display_path(path))]
    Malformed { path: String, message: String },
    /// A field the conversion needs is absent.
    #[error("`{field}` is required: {why}")]
    Missing { field: String, why: String },
    /// A field is present but its value cannot be used.
    #[error("`{field}`: {reason}")]
    Invalid { field: String, reason: String },
    /// A string field holds a value outside the set this project understands.
    #[error("`{field}`: {value:?} is not one of {expected}")]
    UnknownValue {
        field: String,
        value: String,
        expected: &'static str,
    },
    /// The items do not form a well-formed order (caught by the domain's shape check).
    #[error("`productOrderItem`: {0}")]
    Shape(OrderShapeError),
    /// A value of ours could not be serialised (never expected; reported instead of panicking).
    #[error("could not serialise `{what}`: {message}")]
    Serialise { what: &'static str, message: String },
}

fn display_path(path: &str) -> String {
    if path.is_empty() || path == "." {
        "the body".to_owned()
    } else {
        format!("`{path}`")
    }
}

impl WireError {
    /// The JSON path of the offending field (`""` for the whole body).
    pub fn field(&self) -> &str {
        match self {
            Self::Malformed { path, .. } => path,
            Self::Missing { field, .. }
            | Self::Invalid { field, .. }
            | Self::UnknownValue { field, .. } => field,
            Self::Shape(_) => "productOrderItem",
            Self::Serialise { .. } => "",
        }
    }

    /// A stable, machine-readable code for the TMF error body's `code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "malformedBody",
            Self::Missing { .. } => "missingField",
            Self::Invalid { .. } => "invalidField",
            Self::UnknownValue { .. } => "unknownValue",
            Self::Shape(_) => "invalidOrderShape",
            Self::Serialise { .. } => "internalError",
        }
    }

    /// The HTTP status the server should answer with.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::Serialise { .. } => 500,
            _ => 400,
        }
    }

    pub(crate) fn missing(field: impl Into<String>, why: impl Into<String>) -> Self {
        Self::Missing {
            field: field.into(),
            why: why.into(),
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl From<OrderShapeError> for WireError {
    fn from(value: OrderShapeError) -> Self {
        Self::Shape(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field() {
        let e = WireError::Malformed {
            path: "productOrderItem[1].action".into(),
            message: "unknown variant `explode`".into(),
        };
        assert_eq!(
            e.to_string(),
            "`productOrderItem[1].action`: unknown variant `explode`"
        );
        assert_eq!(e.field(), "productOrderItem[1].action");
        let body = WireError::Malformed {
            path: ".".into(),
            message: "expected value".into(),
        };
        assert_eq!(body.to_string(), "the body: expected value");
        assert_eq!(
            WireError::missing("relatedParty", "no party with role `customer`").to_string(),
            "`relatedParty` is required: no party with role `customer`"
        );
    }
}
