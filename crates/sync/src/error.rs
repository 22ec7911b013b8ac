//! [`SyncError`]: what a call to the server can fail with. A refusal keeps the server's TMF
//! error body whole, so the desk can show the server's own reason.

use std::time::Duration;

use crate::decide::Answer;
use crate::local::TmfError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// No answer: the server is down or unreachable, the connection broke, or it timed out.
    #[error("the server cannot be reached: {0}")]
    Offline(String),
    /// The server answered with an error status.
    #[error("the server refused: {}", .error.describe())]
    Server {
        status: u16,
        error: Box<TmfError>,
        /// `Retry-After`, when the server sent one.
        retry_after: Option<Duration>,
    },
    /// `412`: `If-Match` named a version that is no longer the order's.
    #[error("the order has changed on the server since (ETag now {current_etag:?})")]
    Conflict {
        current_etag: Option<String>,
        error: Box<TmfError>,
    },
    /// The server answered something this client cannot read.
    #[error("cannot read the server's answer: {0}")]
    Decode(String),
    /// The client was set up wrong (a base URL that is no URL, a header that is no header).
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl SyncError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Server { status, .. } => Some(*status),
            Self::Conflict { .. } => Some(412),
            _ => None,
        }
    }

    /// The server's TMF error body, when it refused.
    pub fn tmf_error(&self) -> Option<&TmfError> {
        match self {
            Self::Server { error, .. } | Self::Conflict { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }

    /// The attempt as the push decision reads it.
    pub fn answer(&self) -> Answer {
        match self {
            Self::Offline(reason) => Answer::Unreachable {
                reason: reason.clone(),
            },
            Self::Server {
                status,
                error,
                retry_after,
            } => Answer::Reached {
                status: *status,
                retry_after: *retry_after,
                error: Some(error.as_ref().clone()),
            },
            Self::Conflict { error, .. } => Answer::Reached {
                status: 412,
                retry_after: None,
                error: Some(error.as_ref().clone()),
            },
            Self::Decode(reason) | Self::Invalid(reason) => Answer::Garbled {
                reason: reason.clone(),
            },
        }
    }
}
