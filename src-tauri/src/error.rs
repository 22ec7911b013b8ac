//! [`IpcError`]: the one error every command returns. `code` is machine-readable and stable
//! (the UI switches on it, never on `message`): the desk core's codes ([`DeskError::code`]) plus
//! the shell's own `notSignedIn` and `internal`.

use orderdesk_desk::DeskError;
use serde::{Deserialize, Serialize};
use specta::Type;

/// What a failed command answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct IpcError {
    /// Stable machine code: `forbidden`, `offline`, `notFound`, `draftRejected`...
    pub code: String,
    /// For people.
    pub message: String,
}

/// The codes only the shell raises.
pub const SHELL_CODES: &[&str] = &["notSignedIn", "internal"];

impl IpcError {
    pub fn not_signed_in() -> Self {
        Self {
            code: "notSignedIn".into(),
            message: "sign in first".into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: "internal".into(),
            message: message.into(),
        }
    }
}

impl From<DeskError> for IpcError {
    fn from(e: DeskError) -> Self {
        Self {
            code: e.code().to_owned(),
            message: e.to_string(),
        }
    }
}

/// What commands return.
pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desk_errors_keep_their_code() {
        let e: IpcError = DeskError::Unauthorized.into();
        assert_eq!(e.code, "unauthorized");
        for c in SHELL_CODES {
            assert!(!DeskError::CODES.contains(c), "{c} is the desk's too");
        }
    }
}
