//! Who is signed in, and where their profile lives.
//!
//! Signing in is a server URL and a bearer token (the demo users' tokens). The server says who
//! the token belongs to and which role it has (`GET /orderdesk/v1/me`); the desk never takes a
//! role from the UI. Each user has a profile directory under the app-data directory holding
//! their SQLite database and the last [`Session`] the server confirmed, so the desk can start
//! offline with the same token and the same rights. Only a SHA-256 digest of the token is kept.

use chrono::{DateTime, Utc};
use orderdesk_domain::UserId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::error::DeskError;
use crate::permission::{allows, rights_of, Permission, Role};

/// The signed-in user, as the server described them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
}

impl Session {
    /// `Ok` when the role holds `permission`, else [`DeskError::Forbidden`].
    pub fn require(&self, permission: Permission) -> Result<(), DeskError> {
        if allows(self.role, permission) {
            Ok(())
        } else {
            Err(DeskError::Forbidden {
                action: permission,
                role: self.role,
            })
        }
    }

    /// Every right the session holds.
    pub fn rights(&self) -> Vec<Permission> {
        rights_of(self.role)
    }
}

/// What the profile remembers of the last confirmed sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedSession {
    server_url: String,
    token_sha256: String,
    session: Session,
    confirmed_at: DateTime<Utc>,
}

const PROFILES_DIR: &str = "profiles";
const SESSION_FILE: &str = "session.json";
const DATABASE_FILE: &str = "desk.sqlite3";

/// One user's directory under the app-data directory: `profiles/<user>-<server digest>/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    dir: PathBuf,
}

impl Profile {
    /// The profile of `user` on the server at `server_url` (not created yet).
    pub fn of(data_dir: &Path, server_url: &str, user: &UserId) -> Self {
        let server = hex_digest(normalise_url(server_url).as_bytes());
        let name = format!("{}-{}", safe_name(user.as_str()), &server[..12]);
        Self {
            dir: data_dir.join(PROFILES_DIR).join(name),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The user's local database.
    pub fn database(&self) -> PathBuf {
        self.dir.join(DATABASE_FILE)
    }

    /// Creates the directory and remembers `session` as confirmed for this token.
    pub fn remember(
        &self,
        server_url: &str,
        token: &str,
        session: &Session,
        now: DateTime<Utc>,
    ) -> Result<(), DeskError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| DeskError::Profile {
            path: self.dir.clone(),
            source,
        })?;
        let cached = CachedSession {
            server_url: normalise_url(server_url),
            token_sha256: hex_digest(token.as_bytes()),
            session: session.clone(),
            confirmed_at: now,
        };
        let path = self.dir.join(SESSION_FILE);
        let tmp = self.dir.join(format!("{SESSION_FILE}.tmp"));
        let json = serde_json::to_vec_pretty(&cached).map_err(|e| DeskError::Profile {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        // Written aside and renamed, so a crash never leaves half a session behind.
        std::fs::write(&tmp, json)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|source| DeskError::Profile { path, source })
    }

    /// The profile and session last confirmed for this server and token, if any: how the desk
    /// starts while the server is unreachable.
    pub fn find_cached(data_dir: &Path, server_url: &str, token: &str) -> Option<(Self, Session)> {
        let url = normalise_url(server_url);
        let digest = hex_digest(token.as_bytes());
        let entries = std::fs::read_dir(data_dir.join(PROFILES_DIR)).ok()?;
        let mut best: Option<(Self, CachedSession)> = None;
        for entry in entries.flatten() {
            let dir = entry.path();
            let Ok(bytes) = std::fs::read(dir.join(SESSION_FILE)) else {
                continue;
            };
            let Ok(cached) = serde_json::from_slice::<CachedSession>(&bytes) else {
                continue;
            };
            if cached.server_url != url || cached.token_sha256 != digest {
                continue;
            }
            if best
                .as_ref()
                .is_none_or(|(_, b)| b.confirmed_at < cached.confirmed_at)
            {
                best = Some((Self { dir }, cached));
            }
        }
        best.map(|(p, c)| (p, c.session))
    }
}

/// The URL as profiles compare it: no trailing slash, scheme and host in lower case.
fn normalise_url(url: &str) -> String {
    let trimmed = url.trim().trim_end_matches('/');
    match trimmed.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
            let mut out = format!(
                "{}://{}",
                scheme.to_ascii_lowercase(),
                host.to_ascii_lowercase()
            );
            if !path.is_empty() {
                out.push('/');
                out.push_str(path);
            }
            out
        }
        None => trimmed.to_owned(),
    }
}

/// A directory name from a user id: letters, digits, `-`, `_` and `.` kept, the rest `_`.
fn safe_name(id: &str) -> String {
    let name: String = id
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        "user".to_owned()
    } else {
        name
    }
}

fn hex_digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn session(role: Role) -> Session {
        Session {
            user_id: UserId::new("U-AGENT-1"),
            name: "Demo Agent 1".into(),
            role,
        }
    }

    #[test]
    fn a_remembered_session_is_found_by_server_and_token_only() {
        let dir = tempfile::tempdir().unwrap();
        let url = "http://127.0.0.1:8080/";
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap();
        let profile = Profile::of(dir.path(), url, &UserId::new("U-AGENT-1"));
        profile
            .remember(url, "demo-agent-1", &session(Role::Agent), at)
            .unwrap();

        let (found, s) =
            Profile::find_cached(dir.path(), "HTTP://127.0.0.1:8080", "demo-agent-1").unwrap();
        assert_eq!(found, profile);
        assert_eq!(s, session(Role::Agent));
        assert!(Profile::find_cached(dir.path(), url, "demo-agent-2").is_none());
        assert!(Profile::find_cached(dir.path(), "http://other:8080", "demo-agent-1").is_none());

        let text = std::fs::read_to_string(profile.dir().join(SESSION_FILE)).unwrap();
        assert!(
            !text.contains("demo-agent-1"),
            "the token itself is never stored"
        );
    }

    #[test]
    fn profiles_are_per_user_and_server_and_safe_as_names() {
        let d = Path::new("/data");
        let a = Profile::of(d, "http://a", &UserId::new("U-1"));
        let b = Profile::of(d, "http://b", &UserId::new("U-1"));
        let c = Profile::of(d, "http://a", &UserId::new("../../etc"));
        assert_ne!(a, b);
        assert!(c.dir().starts_with("/data/profiles"));
        assert_eq!(c.dir().parent(), Some(Path::new("/data/profiles")));
    }

    #[test]
    fn sessions_check_rights_through_the_table() {
        assert!(session(Role::Agent)
            .require(Permission::CaptureOrders)
            .is_ok());
        let err = session(Role::Agent)
            .require(Permission::DecideCredit)
            .unwrap_err();
        assert_eq!(err.code(), "forbidden");
        assert!(session(Role::Supervisor)
            .rights()
            .contains(&Permission::ReadHistory));
    }
}
