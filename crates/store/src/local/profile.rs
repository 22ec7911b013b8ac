//! Where a user profile's database lives: one file per (server, user) in the app-data directory
//! the desktop hands in (its platform directory in the app, a temp dir in tests).
//!
//! The file name is derived, not chosen: readable slugs of the server's host and the user id,
//! plus a stable 64-bit FNV-1a hash of the normalised pair, so that two profiles whose slugs
//! collide (`a/b` and `a_b`) still get different files, and the same profile gets the same file
//! in every build (std's hasher is not stable across Rust releases, hence FNV).

use std::path::{Path, PathBuf};

/// The longest slug kept from the server URL or the user id.
const SLUG_MAX: usize = 40;

/// `app_data_dir/profiles/<server>__<user>-<hash>.db`, e.g.
/// `profiles/desk.example.com_8443__u-agent-1-3f2a….db`. Pure: touches no file.
///
/// The server URL is normalised first (trimmed, scheme and host lower-cased, trailing `/`
/// dropped), so `https://Desk.example.com/` and `https://desk.example.com` are one profile.
/// The name uses only `[a-z0-9._-]`, is never empty, never starts with a dot and stays short
/// whatever the inputs, so it is a valid file name on Windows, macOS and Linux.
pub fn profile_path(app_data_dir: &Path, server_url: &str, user_id: &str) -> PathBuf {
    let server = normalise_url(server_url);
    let user = user_id.trim();
    let mut hasher = Fnv1a::default();
    hasher.write(server.as_bytes());
    hasher.write(&[0]);
    hasher.write(user.as_bytes());
    let host = server
        .split_once("://")
        .map_or(server.as_str(), |(_, rest)| rest);
    let name = format!(
        "{}__{}-{:016x}.db",
        slug(host, "server"),
        slug(user, "user"),
        hasher.finish()
    );
    app_data_dir.join("profiles").join(name)
}

/// Trimmed, scheme and authority lower-cased, trailing slashes dropped.
fn normalise_url(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s.to_ascii_lowercase()), r),
        None => (None, url),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = authority.to_ascii_lowercase();
    match scheme {
        Some(s) => format!("{s}://{authority}{path}"),
        None => format!("{authority}{path}"),
    }
}

/// Lower-case ASCII letters and digits kept, runs of anything else become one `_`, at most
/// [`SLUG_MAX`] characters, `fallback` when nothing is left.
fn slug(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if out.len() >= SLUG_MAX {
            break;
        }
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches(|c| c == '_' || c == '.' || c == '-');
    if trimmed.is_empty() {
        fallback.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// 64-bit FNV-1a: tiny, dependency-free and stable forever.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(url: &str, user: &str) -> String {
        profile_path(Path::new("/data"), url, user)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn the_name_is_readable_stable_and_under_profiles() {
        let p = profile_path(
            Path::new("/data"),
            "https://desk.example.com:8443",
            "U-AGENT-1",
        );
        assert_eq!(p.parent().unwrap(), Path::new("/data/profiles"));
        let n = name("https://desk.example.com:8443", "U-AGENT-1");
        assert!(n.starts_with("desk.example.com_8443__u-agent-1-"), "{n}");
        assert!(n.ends_with(".db"));
        // FNV-1a is fixed: the same inputs name the same file in every build.
        assert_eq!(n, name("https://desk.example.com:8443", "U-AGENT-1"));
    }

    #[test]
    fn equivalent_urls_are_one_profile() {
        let a = name("https://Desk.Example.com/", "u1");
        assert_eq!(a, name("  https://desk.example.com ", "u1"));
        assert_eq!(a, name("HTTPS://DESK.EXAMPLE.COM//", "u1"));
        // A path is part of the server's identity and keeps its case.
        assert_ne!(name("https://h/api/A", "u1"), name("https://h/api/a", "u1"));
    }

    #[test]
    fn different_profiles_never_share_a_file() {
        let cases = [
            ("http://h", "a/b"),
            ("http://h", "a_b"),
            ("http://h", "a b"),
            ("http://h", "A/B"),
            ("http://h:1", "a"),
            ("http://h_1", "a"),
            ("https://h", "a"),
            ("http://h", "a"),
        ];
        let names: std::collections::HashSet<String> =
            cases.iter().map(|(u, user)| name(u, user)).collect();
        assert_eq!(names.len(), cases.len());
    }

    #[test]
    fn hostile_inputs_make_a_safe_short_name() {
        let long = "x".repeat(5000);
        for (url, user) in [
            ("", ""),
            ("../../etc", "../passwd"),
            ("http://h", "CON"),
            ("http://h", "..."),
            ("http://h", "\u{0}\u{202e}ünïcødé\\:*?\"<>|"),
            (long.as_str(), long.as_str()),
        ] {
            let n = name(url, user);
            assert!(n.len() <= 2 * SLUG_MAX + 24, "{n}");
            assert!(!n.starts_with('.'), "{n}");
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
                "{n}"
            );
            let p = profile_path(Path::new("/data"), url, user);
            assert_eq!(p.parent().unwrap(), Path::new("/data/profiles"));
        }
    }
}
