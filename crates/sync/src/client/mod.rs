//! [`ServerClient`]: the desk's HTTP client of the central server — TMF622 (v4 or v5, any
//! conforming server), the Orderdesk desk extension under `/orderdesk/v1` ([`desk`]), the live
//! push ([`live`]), and the reference data read for offline work ([`reference`]).
//!
//! Every call answers a typed value or a [`SyncError`]; a refusal keeps the server's TMF error
//! body. Orders come back as [`ServerOrder`] (the JSON untouched, plus the version from the
//! `ETag`). The client decides nothing: what to send and what an answer means is
//! [`crate::decide`]'s.

pub mod desk;
pub mod live;
pub mod progress;
pub mod reference;

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

pub use desk::{ChangesPage, FeedChange, Me};
pub use orderdesk_tmf::ApiVersion;

use crate::error::SyncError;
use crate::local::{ServerOrder, TmfError};

/// The TMF622 base path of `api` on a server, as the specification names it.
pub fn tmf622_path(api: ApiVersion) -> &'static str {
    match api {
        ApiVersion::V4 => "/tmf-api/productOrderingManagement/v4",
        ApiVersion::V5 => "/tmf-api/productOrderingManagement/v5",
    }
}

/// Where the server is and how to talk to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The server's root, `http://host:port` (no trailing slash needed).
    pub base_url: String,
    /// The TMF622 version to speak.
    pub api: ApiVersion,
    /// The TMF622 path under the root (default: the specification's, [`tmf622_path`]; empty:
    /// the API is served at the root itself).
    pub tmf622_path: Option<String>,
    /// The user's bearer token.
    pub token: String,
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long one request may take (not the live push, which has none).
    pub request_timeout: Duration,
}

impl Endpoint {
    pub fn new(base_url: impl Into<String>, api: ApiVersion, token: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            api,
            tmf622_path: None,
            token: token.into(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// A TMF630 list query: attribute filters (`state=held`, `creationDate.gt=...`), `fields`,
/// `sort`, paging.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    pub filters: Vec<(String, String)>,
    pub fields: Option<String>,
    pub sort: Option<String>,
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

impl ListQuery {
    pub fn filter(mut self, attribute: impl Into<String>, value: impl Into<String>) -> Self {
        self.filters.push((attribute.into(), value.into()));
        self
    }

    pub fn page(mut self, offset: u32, limit: u32) -> Self {
        self.offset = Some(offset);
        self.limit = Some(limit);
        self
    }

    fn pairs(&self) -> Vec<(String, String)> {
        let mut out = self.filters.clone();
        if let Some(f) = &self.fields {
            out.push(("fields".into(), f.clone()));
        }
        if let Some(s) = &self.sort {
            out.push(("sort".into(), s.clone()));
        }
        if let Some(o) = self.offset {
            out.push(("offset".into(), o.to_string()));
        }
        if let Some(l) = self.limit {
            out.push(("limit".into(), l.to_string()));
        }
        out
    }
}

/// A page of a list, with `X-Total-Count` when the server sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: Option<u64>,
}

/// A created order.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub order: ServerOrder,
    /// The server had it already (`200` + `Idempotent-Replayed`): a resend of a lost answer.
    pub replayed: bool,
}

/// A successful answer, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    fn json<T: DeserializeOwned>(&self) -> Result<T, SyncError> {
        serde_json::from_slice(&self.body).map_err(|e| SyncError::Decode(e.to_string()))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn total(&self) -> Option<u64> {
        self.header("X-Total-Count")
            .and_then(|v| v.trim().parse().ok())
    }

    /// The body as an order in `api`, versioned by the `ETag`; the id from the body, or else
    /// from `Location`.
    fn order(&self, api: ApiVersion) -> Result<ServerOrder, SyncError> {
        let body: Value = self.json()?;
        let id = body
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                self.header(header::LOCATION.as_str())
                    .and_then(|l| l.rsplit('/').next())
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            })
            .ok_or_else(|| SyncError::Decode("the order has no `id`".into()))?;
        Ok(ServerOrder {
            id,
            version: self.header(header::ETAG.as_str()).and_then(parse_etag),
            state: body.get("state").and_then(Value::as_str).map(str::to_owned),
            api,
            body,
        })
    }
}

/// The version an order's `ETag` names: `"3"` or `W/"3"` → 3 (other tags: none).
pub fn parse_etag(tag: &str) -> Option<u32> {
    let tag = tag.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    tag.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(tag)
        .parse()
        .ok()
}

/// `Retry-After` in seconds (an HTTP date is not read: the default backoff applies).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// The client of one server, as one user.
#[derive(Debug, Clone)]
pub struct ServerClient {
    http: reqwest::Client,
    endpoint: Endpoint,
    base: String,
    tmf622: String,
}

impl ServerClient {
    pub fn new(endpoint: Endpoint) -> Result<Self, SyncError> {
        let base = endpoint.base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(SyncError::Invalid(format!(
                "the server URL `{base}` is not an http(s) URL"
            )));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(endpoint.connect_timeout)
            .build()
            .map_err(|e| SyncError::Invalid(e.to_string()))?;
        let path = endpoint
            .tmf622_path
            .clone()
            .unwrap_or_else(|| tmf622_path(endpoint.api).to_owned());
        let tmf622 = match path.trim_matches('/') {
            "" => base.clone(),
            path => format!("{base}/{path}"),
        };
        Ok(Self {
            http,
            endpoint,
            base,
            tmf622,
        })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub fn api(&self) -> ApiVersion {
        self.endpoint.api
    }

    /// `{base}{path}` for a path from the server root.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn request(&self, method: Method, url: &str) -> RequestBuilder {
        self.http
            .request(method, url)
            .bearer_auth(&self.endpoint.token)
            .header(header::ACCEPT, "application/json")
            .timeout(self.endpoint.request_timeout)
    }

    /// Sends; a status of 400 and above becomes a [`SyncError`] with the TMF error body.
    pub(crate) async fn send(&self, request: RequestBuilder) -> Result<Reply, SyncError> {
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport)?.to_vec();
        if status.as_u16() >= 400 {
            let error = TmfError::from_body(status.as_u16(), &body);
            if status == StatusCode::PRECONDITION_FAILED {
                return Err(SyncError::Conflict {
                    current_etag: headers
                        .get(header::ETAG)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                    error: Box::new(error),
                });
            }
            return Err(SyncError::Server {
                status: status.as_u16(),
                error: Box::new(error),
                retry_after: retry_after(&headers),
            });
        }
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> Result<T, SyncError> {
        self.send(self.request(Method::GET, &self.url(path)).query(query))
            .await?
            .json()
    }

    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        url: &str,
        query: &[(String, String)],
    ) -> Result<Page<T>, SyncError> {
        let reply = self
            .send(self.request(Method::GET, url).query(query))
            .await?;
        Ok(Page {
            items: reply.json()?,
            total: reply.total(),
        })
    }

    // -----------------------------------------------------------------------------------------
    // TMF622

    /// `POST productOrder` with `Idempotency-Key`: `201` created, or `200` the replay of an
    /// order this key created already. Both are the order.
    pub async fn create_order(
        &self,
        body: &Value,
        idempotency_key: &str,
    ) -> Result<Created, SyncError> {
        let request = self
            .request(Method::POST, &format!("{}/productOrder", self.tmf622))
            .header("Idempotency-Key", idempotency_key)
            .json(body);
        let reply = self.send(request).await?;
        let replayed = reply.status == StatusCode::OK
            || reply
                .header("Idempotent-Replayed")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        Ok(Created {
            order: reply.order(self.api())?,
            replayed,
        })
    }

    /// `GET productOrder/{id}`, with its version.
    pub async fn get_order(&self, id: &str) -> Result<ServerOrder, SyncError> {
        let url = format!("{}/productOrder/{}", self.tmf622, segment(id));
        self.send(self.request(Method::GET, &url))
            .await?
            .order(self.api())
    }

    /// `GET productOrder` with TMF630 filters. Lists carry no `ETag`: versions are `None`.
    pub async fn list_orders(&self, query: &ListQuery) -> Result<Page<ServerOrder>, SyncError> {
        let page: Page<Value> = self
            .list(&format!("{}/productOrder", self.tmf622), &query.pairs())
            .await?;
        let items = page
            .items
            .into_iter()
            .filter_map(|body| {
                let id = body.get("id").and_then(Value::as_str)?.to_owned();
                Some(ServerOrder {
                    id,
                    version: None,
                    state: body.get("state").and_then(Value::as_str).map(str::to_owned),
                    api: self.api(),
                    body,
                })
            })
            .collect();
        Ok(Page {
            items,
            total: page.total,
        })
    }

    /// `PATCH productOrder/{id}` with a merge patch (`application/merge-patch+json` in v5,
    /// `application/json` in v4) and `If-Match` when given (412 → [`SyncError::Conflict`]).
    pub async fn patch_order(
        &self,
        id: &str,
        patch: &Value,
        if_match: Option<u32>,
    ) -> Result<ServerOrder, SyncError> {
        let url = format!("{}/productOrder/{}", self.tmf622, segment(id));
        let media = match self.api() {
            ApiVersion::V4 => "application/json",
            ApiVersion::V5 => "application/merge-patch+json",
        };
        let body = serde_json::to_vec(patch).map_err(|e| SyncError::Invalid(e.to_string()))?;
        let request = with_if_match(self.request(Method::PATCH, &url), if_match)
            .header(header::CONTENT_TYPE, media)
            .body(body);
        self.send(request).await?.order(self.api())
    }

    /// `POST cancelProductOrder` for the order (`If-Match` = the order's version, when given).
    /// Answers the cancel request as the server wrote it.
    pub async fn cancel_order(
        &self,
        order_id: &str,
        reason: Option<&str>,
        requested_at: Option<DateTime<Utc>>,
        if_match: Option<u32>,
    ) -> Result<Value, SyncError> {
        let mut body = match self.api() {
            ApiVersion::V4 => json!({"productOrder": {"id": order_id}}),
            ApiVersion::V5 => json!({
                "@type": "CancelProductOrder",
                "productOrder": {"id": order_id, "@type": "ProductOrderRef"},
            }),
        };
        if let Some(reason) = reason {
            body["cancellationReason"] = json!(reason);
        }
        if let Some(at) = requested_at {
            body["requestedCancellationDate"] = json!(at);
        }
        let request = with_if_match(
            self.request(Method::POST, &format!("{}/cancelProductOrder", self.tmf622)),
            if_match,
        )
        .json(&body);
        self.send(request).await?.json()
    }
}

fn with_if_match(request: RequestBuilder, if_match: Option<u32>) -> RequestBuilder {
    match if_match.and_then(|v| HeaderValue::from_str(&format!("\"{v}\"")).ok()) {
        Some(tag) => request.header(header::IF_MATCH, tag),
        None => request,
    }
}

/// A path segment, percent-encoded where a URL needs it.
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A transport failure: no answer, or an answer cut off.
fn transport(e: reqwest::Error) -> SyncError {
    use std::error::Error as _;
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        reason.push_str(&format!(": {s}"));
        source = s.source();
    }
    if e.is_builder() {
        SyncError::Invalid(reason)
    } else if e.is_decode() {
        SyncError::Decode(reason)
    } else {
        SyncError::Offline(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("\"3\"", Some(3))]
    #[case("W/\"12\"", Some(12))]
    #[case(" \"7\" ", Some(7))]
    #[case("7", Some(7))]
    #[case("\"abc\"", None)]
    #[case("", None)]
    fn etags_name_versions(#[case] tag: &str, #[case] version: Option<u32>) {
        assert_eq!(parse_etag(tag), version);
    }

    #[test]
    fn segments_are_escaped() {
        assert_eq!(segment("O-1.a_b~"), "O-1.a_b~");
        assert_eq!(segment("a/b c?"), "a%2Fb%20c%3F");
    }

    #[test]
    fn list_queries_become_pairs() {
        let q = ListQuery {
            fields: Some("id,state".into()),
            ..ListQuery::default()
        }
        .filter("state", "held")
        .page(20, 10);
        assert_eq!(
            q.pairs(),
            vec![
                ("state".to_owned(), "held".to_owned()),
                ("fields".into(), "id,state".into()),
                ("offset".into(), "20".into()),
                ("limit".into(), "10".into()),
            ]
        );
    }

    #[test]
    fn only_http_urls() {
        let e = ServerClient::new(Endpoint::new("ftp://x", ApiVersion::V5, "t"));
        assert!(matches!(e, Err(SyncError::Invalid(_))));
        let c = ServerClient::new(Endpoint::new("http://h:1/", ApiVersion::V4, "t")).unwrap();
        assert_eq!(c.tmf622, "http://h:1/tmf-api/productOrderingManagement/v4");
    }
}
