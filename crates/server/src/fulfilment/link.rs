//! The server's end of the TMF641 conversation with service order management: an HTTP client
//! of `{som_url}` (create and read service orders, cancel them, subscribe to the hub), the
//! credentials the SOM presents when it notifies the listener, the per-order locks that keep a
//! notification, a submission and a cancellation of one order from interleaving, and the event
//! ids already taken (duplicate notifications are acknowledged and ignored).
//!
//! Listener authentication: the hub subscription's `callback` carries HTTP Basic credentials in
//! its authority (`http://som:<secret>@server/tmf-api/serviceOrdering/v5`), the standard way a
//! URL names its credentials; HTTP clients (the simulator's among them) send them as
//! `Authorization: Basic`. The secret is random per server start, and every start subscribes
//! again, so an old subscription's notifications are refused (401). A SOM that can send
//! headers may instead use the bearer token of a user with the integration role.
//!
//! Everything else (what a notification means) is [`super::progress`]'s business.

use orderdesk_domain::OrderId;
use orderdesk_tmf::tmf641::ServiceOrder;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

/// The user the SOM's notifications and confirmations are recorded by when it authenticates
/// with the listener secret.
pub const SOM_USER: &str = "som";

/// The root of the server's TMF641 listener (`{callback}` of the hub subscription).
pub const LISTENER_BASE: &str = "/tmf-api/serviceOrdering/v5";

/// How long one call to the SOM may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Per-order locks, striped: two orders may share a lock, one order always has the same one.
const LOCKS: usize = 64;

/// How many event ids are remembered.
const SEEN_CAPACITY: usize = 4096;

/// Why a call to the SOM did not give an answer to act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SomCallError {
    /// Not reached, no answer in time, or a 5xx (worth retrying).
    #[error("the SOM could not be reached: {0}")]
    Unreachable(String),
    /// A 4xx: the SOM refuses the request as it stands.
    #[error("the SOM answered {status}: {reason}")]
    Refused { status: u16, reason: String },
    /// A 2xx whose body is not what TMF641 says.
    #[error("the SOM's answer does not read: {0}")]
    Malformed(String),
}

/// Retry delays: doubling from `initial` up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The delay after `attempts` failed attempts (1 = the first failed).
    pub fn delay(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(20);
        self.initial
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.max)
            .min(self.max)
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(30),
        }
    }
}

/// A `CancelServiceOrder` as the SOM answers it, read leniently (a real SOM may leave out what
/// the simulator writes).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelAnswer {
    #[serde(default)]
    pub id: Option<String>,
    /// TMF641 `TaskStateType`: `done`, `terminatedWithError`, `inProgress`...
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default, alias = "ServiceOrder")]
    pub service_order: Option<ServiceOrderRef>,
    /// The project's extension: `{serviceOrderItem: [{itemId, reason}]}` lists the items the
    /// cancellation could not reverse.
    #[serde(default)]
    pub error_message: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ServiceOrderRef {
    pub id: String,
}

/// Why one service order item was not reversed, as the SOM said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotReversedReason {
    Completed,
    PastPointOfNoReturn,
}

impl CancelAnswer {
    /// Whether the SOM is done with the request (`done`, `terminatedWithError`, ...).
    pub fn is_final(&self) -> bool {
        matches!(
            self.state.as_deref(),
            Some("done" | "terminatedWithError" | "cancelled" | "rejected")
        )
    }

    /// The service order items the SOM could not reverse, with its reason (an item it gives
    /// no reason for is taken as past its point of no return).
    pub fn not_reversed(&self) -> Vec<(String, NotReversedReason)> {
        let items = self
            .error_message
            .as_ref()
            .and_then(|m| m.get("serviceOrderItem"))
            .and_then(Value::as_array);
        items
            .into_iter()
            .flatten()
            .filter_map(|i| {
                let id = i.get("itemId").and_then(Value::as_str)?;
                let reason = match i.get("reason").and_then(Value::as_str) {
                    Some("completed") => NotReversedReason::Completed,
                    _ => NotReversedReason::PastPointOfNoReturn,
                };
                Some((id.to_owned(), reason))
            })
            .collect()
    }
}

/// The ids of the notifications already taken, oldest forgotten first.
#[derive(Debug, Default)]
struct SeenEvents {
    order: VecDeque<String>,
    set: HashSet<String>,
}

/// The server's link to one SOM.
pub struct SomLink {
    /// `http://som/tmf-api/serviceOrdering/v5`, no trailing slash.
    api_url: String,
    http: reqwest::Client,
    secret: String,
    /// `Basic base64(som:secret)`, what a notification must carry.
    expected_basic: String,
    locks: Vec<Mutex<()>>,
    seen: std::sync::Mutex<SeenEvents>,
    pub backoff: Backoff,
}

impl fmt::Debug for SomLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SomLink")
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

impl SomLink {
    /// A link to the TMF641 API at `api_url`, accepting notifications that present `secret`.
    pub fn new(api_url: &str, secret: String) -> Result<Self, reqwest::Error> {
        // The SOM is an internal service: no system proxy in between.
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(CALL_TIMEOUT)
            .build()?;
        let expected_basic = format!("{}:{secret}", SOM_USER);
        Ok(Self {
            api_url: api_url.trim_end_matches('/').to_owned(),
            http,
            expected_basic: base64(expected_basic.as_bytes()),
            secret,
            locks: (0..LOCKS).map(|_| Mutex::new(())).collect(),
            seen: std::sync::Mutex::new(SeenEvents::default()),
            backoff: Backoff::default(),
        })
    }

    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// Waits for the lock of `order`.
    pub async fn lock(&self, order: &OrderId) -> MutexGuard<'_, ()> {
        let mut h = DefaultHasher::new();
        order.as_str().hash(&mut h);
        let i = usize::try_from(h.finish() % LOCKS as u64).unwrap_or(0);
        self.locks[i].lock().await
    }

    /// Whether `credentials` (the part after `Basic `) are the listener's.
    pub fn accepts_basic(&self, credentials: &str) -> bool {
        constant_time_eq(
            credentials.trim().as_bytes(),
            self.expected_basic.as_bytes(),
        )
    }

    /// The hub `callback` for a server reachable at `public`: the listener root with the
    /// listener credentials in its authority.
    pub fn callback_url(&self, public: &str) -> Result<String, String> {
        let mut url =
            reqwest::Url::parse(&format!("{}{LISTENER_BASE}", public.trim_end_matches('/')))
                .map_err(|e| format!("`{public}` is not a URL: {e}"))?;
        url.set_username(SOM_USER)
            .and_then(|()| url.set_password(Some(&self.secret)))
            .map_err(|()| format!("`{public}` cannot carry credentials"))?;
        Ok(url.to_string())
    }

    /// Whether a notification with this id was already taken.
    pub fn seen(&self, event_id: &str) -> bool {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .set
            .contains(event_id)
    }

    /// Remembers a notification as taken.
    pub fn remember(&self, event_id: &str) {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.set.insert(event_id.to_owned()) {
            seen.order.push_back(event_id.to_owned());
            while seen.order.len() > SEEN_CAPACITY {
                if let Some(old) = seen.order.pop_front() {
                    seen.set.remove(&old);
                }
            }
        }
    }

    async fn call(&self, request: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), SomCallError> {
        let response = request
            .send()
            .await
            .map_err(|e| SomCallError::Unreachable(e.to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| SomCallError::Unreachable(e.to_string()))?
            .to_vec();
        if (500..600).contains(&status) {
            return Err(SomCallError::Unreachable(format!("status {status}")));
        }
        if !(200..300).contains(&status) {
            return Err(SomCallError::Refused {
                status,
                reason: refusal_reason(&body),
            });
        }
        Ok((status, body))
    }

    fn read<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, SomCallError> {
        orderdesk_tmf::from_slice(body).map_err(|e| SomCallError::Malformed(e.to_string()))
    }

    /// `POST /serviceOrder`.
    pub async fn post_service_order(
        &self,
        order: &ServiceOrder,
    ) -> Result<ServiceOrder, SomCallError> {
        let url = format!("{}/serviceOrder", self.api_url);
        let (_, body) = self.call(self.http.post(url).json(order)).await?;
        Self::read(&body)
    }

    /// `GET /serviceOrder/{id}`; `None` when the SOM does not know it.
    pub async fn get_service_order(&self, id: &str) -> Result<Option<ServiceOrder>, SomCallError> {
        let url = format!("{}/serviceOrder/{id}", self.api_url);
        match self.call(self.http.get(url)).await {
            Ok((_, body)) => Self::read(&body).map(Some),
            Err(SomCallError::Refused { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /cancelServiceOrder`.
    pub async fn cancel_service_order(
        &self,
        id: &str,
        reason: Option<&str>,
    ) -> Result<CancelAnswer, SomCallError> {
        let url = format!("{}/cancelServiceOrder", self.api_url);
        let mut body = json!({
            "@type": "CancelServiceOrder",
            "serviceOrder": {"id": id, "@type": "ServiceOrderRef", "@referredType": "ServiceOrder"},
        });
        if let Some(reason) = reason {
            body["cancellationReason"] = json!(reason);
        }
        let (_, answer) = self.call(self.http.post(url).json(&body)).await?;
        Self::read(&answer)
    }

    /// `POST /hub`: subscribes `callback` to every notification; returns the hub id.
    pub async fn subscribe(&self, callback: &str) -> Result<String, SomCallError> {
        let url = format!("{}/hub", self.api_url);
        let body = json!({"@type": "Hub", "callback": callback});
        let (_, answer) = self.call(self.http.post(url).json(&body)).await?;
        let hub: Value = Self::read(&answer)?;
        Ok(hub
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned())
    }
}

/// The `reason` of a TMF error body, or the body's start.
fn refusal_reason(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            let reason = v.get("reason").and_then(Value::as_str)?.to_owned();
            Some(match v.get("message").and_then(Value::as_str) {
                Some(m) if !m.is_empty() => format!("{reason} ({m})"),
                _ => reason,
            })
        })
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Standard base64 with padding (RFC 4648), what `Authorization: Basic` carries.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_follows_rfc_4648() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("som:s3cret", "c29tOnMzY3JldA=="),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
    }

    #[test]
    fn the_callback_carries_the_listener_credentials() {
        let link = SomLink::new(
            "http://127.0.0.1:1/tmf-api/serviceOrdering/v5/",
            "s3cret".into(),
        )
        .unwrap();
        assert_eq!(
            link.api_url(),
            "http://127.0.0.1:1/tmf-api/serviceOrdering/v5"
        );
        let callback = link.callback_url("http://127.0.0.1:8622/").unwrap();
        assert_eq!(
            callback,
            "http://som:s3cret@127.0.0.1:8622/tmf-api/serviceOrdering/v5"
        );
        assert!(link.accepts_basic("c29tOnMzY3JldA=="));
        assert!(!link.accepts_basic("c29tOnMzY3JldB=="));
        assert!(!link.accepts_basic(""));
    }

    #[test]
    fn seen_events_are_bounded() {
        let link = SomLink::new("http://x", "k".into()).unwrap();
        for i in 0..(SEEN_CAPACITY + 10) {
            link.remember(&format!("e{i}"));
        }
        assert!(!link.seen("e0"));
        assert!(link.seen(&format!("e{}", SEEN_CAPACITY + 9)));
        link.remember("e5000");
        link.remember("e5000");
    }

    #[test]
    fn backoff_doubles_to_its_cap() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(500),
        };
        let ms: Vec<u128> = (1..=5).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(ms, vec![100, 200, 400, 500, 500]);
    }

    #[test]
    fn cancel_answers_name_what_was_not_reversed() {
        let a: CancelAnswer = serde_json::from_value(json!({
            "id": "C-1", "state": "terminatedWithError", "serviceOrder": {"id": "SO-1"},
            "errorMessage": {"serviceOrderItem": [
                {"itemId": "1", "reason": "pastPointOfNoReturn"},
                {"itemId": "2", "reason": "completed"},
                {"itemId": "3"}
            ]}
        }))
        .unwrap();
        assert!(a.is_final());
        assert_eq!(
            a.not_reversed(),
            vec![
                ("1".to_owned(), NotReversedReason::PastPointOfNoReturn),
                ("2".to_owned(), NotReversedReason::Completed),
                ("3".to_owned(), NotReversedReason::PastPointOfNoReturn),
            ]
        );
        let pending: CancelAnswer = serde_json::from_value(json!({"state": "inProgress"})).unwrap();
        assert!(!pending.is_final());
        assert!(pending.not_reversed().is_empty());
    }

    #[test]
    fn refusals_read_the_tmf_reason() {
        assert_eq!(
            refusal_reason(br#"{"code":"x","reason":"bad item","message":"see field `a`"}"#),
            "bad item (see field `a`)"
        );
        assert_eq!(refusal_reason(b"plain"), "plain");
    }
}
