//! [`DeskError`]: everything a desk method can fail with, each variant named for what went
//! wrong, each with a stable machine code ([`DeskError::code`]) that the IPC error carries and
//! the UI switches on. Messages are for people; codes are the contract.

use std::path::PathBuf;

use crate::permission::{Permission, Role};
use crate::reference::ReferenceError;

/// One finding of local validation, as a refusal carries it.
pub use crate::capture::CheckView;

/// Why a desk method failed.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// The signed-in role lacks the right (checked before anything else happens).
    #[error("role `{role}` may not {action}")]
    Forbidden { action: Permission, role: Role },

    /// The server does not know the token.
    #[error("the server does not accept this token")]
    Unauthorized,

    /// This needs the server and the server cannot be reached.
    #[error("{action} needs the server, which cannot be reached: {reason}")]
    Offline {
        action: &'static str,
        reason: String,
    },

    /// First sign-in of this token on this machine, and the server cannot be reached to say who
    /// it belongs to.
    #[error("this token has never signed in here and the server cannot be reached: {reason}")]
    NoCachedSession { reason: String },

    #[error("{what} `{id}` not found")]
    NotFound { what: &'static str, id: String },

    /// An argument is unusable (an empty reason, a draft without items...). Names the field.
    #[error("`{field}`: {reason}")]
    InvalidInput { field: String, reason: String },

    /// Local validation rejects the draft: it would be rejected by the server too.
    #[error("the order would be rejected: {}", summary(.results))]
    DraftRejected { results: Vec<CheckView> },

    /// A quote cannot become an order (not accepted, expired, malformed).
    #[error(transparent)]
    QuoteUnusable(#[from] orderdesk_tmf::tmf648::QuoteError),

    /// Another user holds the queue entry's claim.
    #[error("{message}")]
    ClaimedByAnother { message: String },

    /// The action needs the caller's running claim on the queue entry.
    #[error("{message}")]
    ClaimRequired { message: String },

    /// The order changed on the server since the version the user acted on (412): it has been
    /// refreshed; look again.
    #[error("order `{order}` changed on the server; it has been refreshed: {message}")]
    VersionConflict { order: String, message: String },

    /// The server refused the request (409 / 422 / other 4xx): `server_code` is its TMF code.
    #[error("the server refused: {message}")]
    Refused {
        status: u16,
        server_code: String,
        message: String,
    },

    /// The server failed (5xx) or answered something unreadable.
    #[error("the server failed: {message}")]
    Server { message: String },

    /// The local database failed.
    #[error("local store: {0}")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),

    /// The locally kept reference data cannot be read.
    #[error(transparent)]
    Reference(#[from] ReferenceError),

    /// The user's profile directory cannot be written.
    #[error("profile {}: {source}", path.display())]
    Profile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A stored or received order could not be read into the domain model.
    #[error("order `{order}` cannot be read: {message}")]
    Unreadable { order: String, message: String },
}

impl DeskError {
    /// The stable machine code: what the IPC error carries and the UI switches on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Forbidden { .. } => "forbidden",
            Self::Unauthorized => "unauthorized",
            Self::Offline { .. } => "offline",
            Self::NoCachedSession { .. } => "noCachedSession",
            Self::NotFound { .. } => "notFound",
            Self::InvalidInput { .. } => "invalidInput",
            Self::DraftRejected { .. } => "draftRejected",
            Self::QuoteUnusable(_) => "quoteUnusable",
            Self::ClaimedByAnother { .. } => "claimedByAnother",
            Self::ClaimRequired { .. } => "claimRequired",
            Self::VersionConflict { .. } => "versionConflict",
            Self::Refused { .. } => "refused",
            Self::Server { .. } => "serverError",
            Self::Storage(_) => "storage",
            Self::Reference(_) => "referenceData",
            Self::Profile { .. } => "profile",
            Self::Unreadable { .. } => "unreadable",
        }
    }

    /// Every code [`DeskError::code`] can return, for the IPC documentation and its test.
    pub const CODES: &'static [&'static str] = &[
        "forbidden",
        "unauthorized",
        "offline",
        "noCachedSession",
        "notFound",
        "invalidInput",
        "draftRejected",
        "quoteUnusable",
        "claimedByAnother",
        "claimRequired",
        "versionConflict",
        "refused",
        "serverError",
        "storage",
        "referenceData",
        "profile",
        "unreadable",
    ];

    pub(crate) fn storage(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Storage(Box::new(e))
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            what,
            id: id.into(),
        }
    }

    /// Whether the failure is the network's: the action may succeed later.
    pub fn is_offline(&self) -> bool {
        matches!(self, Self::Offline { .. } | Self::NoCachedSession { .. })
    }
}

fn summary(results: &[CheckView]) -> String {
    let rejects: Vec<&str> = results
        .iter()
        .filter(|r| r.outcome == orderdesk_domain::validation::Outcome::Reject)
        .map(|r| r.code.as_str())
        .collect();
    rejects.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_listed() {
        let mut seen = std::collections::HashSet::new();
        for c in DeskError::CODES {
            assert!(seen.insert(*c), "{c} twice");
        }
        let samples = [
            DeskError::Unauthorized,
            DeskError::not_found("order", "O-1"),
            DeskError::invalid("reason", "empty"),
            DeskError::Forbidden {
                action: Permission::DecideCredit,
                role: Role::Agent,
            },
        ];
        for e in samples {
            assert!(DeskError::CODES.contains(&e.code()), "{}", e.code());
        }
    }

    #[test]
    fn forbidden_names_role_and_action() {
        let e = DeskError::Forbidden {
            action: Permission::WorkQueue,
            role: Role::Agent,
        };
        assert_eq!(e.to_string(), "role `agent` may not work the queues");
    }
}
