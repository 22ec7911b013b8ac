//! The HTTP surface: one module per resource, and what they share — the route table
//! ([`Routes`]), the API version of a path ([`Api`]), request bodies ([`RequestBody`]), the
//! `If-Match` / `ETag` pair, and the router with its TMF 404 / 405 fallbacks and panic guard.
//!
//! Every route is added through [`Routes`], which records `(method, path)`: the OpenAPI test
//! compares that table with the document, both ways, so a route cannot go undocumented. The
//! desk extension's and fulfilment's modules add theirs the same way in [`routes`].

pub mod cancel;
pub mod catalog;
pub mod desk;
pub mod hub;
pub mod inventory;
pub mod product_order;
pub mod quote;
pub mod root;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::Uri;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter};
use axum::Router;
use orderdesk_tmf::ApiVersion;
use serde::de::DeserializeOwned;
use std::any::Any;
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::ApiError;
use crate::state::AppState;

/// The path of the TMF622 API of `version`, from the server root.
pub fn tmf622_base(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V4 => "/tmf-api/productOrderingManagement/v4",
        ApiVersion::V5 => "/tmf-api/productOrderingManagement/v5",
    }
}

/// Every route the server serves. Add a module's routes here (the OpenAPI test then insists on
/// their documentation in [`crate::openapi::document`]).
pub fn routes() -> Routes {
    let mut routes = root::routes();
    for version in [ApiVersion::V4, ApiVersion::V5] {
        routes = routes
            .merge(product_order::routes(version))
            .merge(cancel::routes(version))
            .merge(hub::routes(version));
    }
    // Desk extension (queues, credit, history, changes feed, live push) and fulfilment
    // (TMF641 listener, inventory, catalog, quotes): `routes = routes.merge(desk::routes());`
    routes = routes.merge(desk::routes());
    routes = routes
        .merge(crate::fulfilment::listener::routes())
        .merge(inventory::routes())
        .merge(catalog::routes())
        .merge(quote::routes());
    routes
}

/// The router of the whole server, with its fallbacks and guards.
pub fn router(state: AppState) -> Router {
    routes()
        .into_router()
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

async fn no_route(uri: Uri) -> ApiError {
    ApiError::NoRoute(uri.path().to_owned())
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed {
        method: method.to_string(),
        path: uri.path().to_owned(),
    }
}

fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    ApiError::internal(format!("handler panicked: {what}")).into_response()
}

/// The router under construction, with the table of what it serves.
#[derive(Debug, Default)]
pub struct Routes {
    router: Router<AppState>,
    table: Vec<(Method, String)>,
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    fn add<H, T>(mut self, method: Method, filter: MethodFilter, path: &str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, on(filter, handler));
        self.table.push((method, path.to_owned()));
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add(Method::GET, MethodFilter::GET, path, handler)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add(Method::POST, MethodFilter::POST, path, handler)
    }

    pub fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add(Method::PATCH, MethodFilter::PATCH, path, handler)
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add(Method::DELETE, MethodFilter::DELETE, path, handler)
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// `(method, path)` of every route, paths in OpenAPI / axum template form (`/x/{id}`).
    pub fn table(&self) -> &[(Method, String)] {
        &self.table
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// The TMF622 version a request addresses, read from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Api(pub ApiVersion);

impl<S: Send + Sync> FromRequestParts<S> for Api {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let path = parts.uri.path();
        for version in [ApiVersion::V4, ApiVersion::V5] {
            if path.starts_with(tmf622_base(version)) {
                return Ok(Self(version));
            }
        }
        Err(ApiError::NoRoute(path.to_owned()))
    }
}

/// A media type a body may be sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// `application/json`
    Json,
    /// `application/merge-patch+json` (RFC 7396)
    MergePatch,
    /// `application/json-patch+json` (RFC 6902)
    JsonPatch,
}

impl Media {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::MergePatch => "application/merge-patch+json",
            Self::JsonPatch => "application/json-patch+json",
        }
    }

    fn parse(content_type: &str) -> Option<Self> {
        let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
        [Self::Json, Self::MergePatch, Self::JsonPatch]
            .into_iter()
            .find(|m| m.as_str() == essence)
    }
}

/// A request body, read whole up to the configured limit (413 beyond), with its media type.
#[derive(Debug, Clone)]
pub struct RequestBody {
    content_type: Option<String>,
    bytes: Bytes,
}

impl RequestBody {
    /// The body's media type, if it is one of `accepted` (else 415 naming what is accepted).
    pub fn media(
        &self,
        accepted: &'static [Media],
        expected: &'static str,
    ) -> Result<Media, ApiError> {
        let got = self.content_type.as_deref().unwrap_or("");
        Media::parse(got)
            .filter(|m| accepted.contains(m))
            .ok_or_else(|| ApiError::UnsupportedMediaType {
                got: if got.is_empty() {
                    "(none)".to_owned()
                } else {
                    got.to_owned()
                },
                expected,
            })
    }

    /// The body as `T`; malformed JSON or a misfit field is a 400 naming the field.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        Ok(orderdesk_tmf::from_slice(&self.bytes)?)
    }

    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

fn is_length_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        current = e.source();
    }
    false
}

impl FromRequest<AppState> for RequestBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.max_body_bytes;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let body: Body = req.into_body();
        let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
            if is_length_limit(&e) {
                ApiError::PayloadTooLarge { limit }
            } else {
                ApiError::bad_request("unreadableBody", format!("the body could not be read: {e}"))
            }
        })?;
        Ok(Self {
            content_type,
            bytes,
        })
    }
}

/// The strong ETag of an order version: `"3"`.
pub fn etag(version: u32) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// Checks `If-Match` against the current version: absent or `*` passes; otherwise one of the
/// listed entity tags must be the current one (`"3"`; a weak `W/"3"` is read as the same
/// version, since the server only ever sends strong tags). A stale tag is a 412.
pub fn check_if_match(headers: &HeaderMap, current: u32) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(());
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::bad_field("invalidHeader", "If-Match", "`If-Match` is not text"))?;
    let mut any = false;
    for tag in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        any = true;
        if tag == "*" {
            return Ok(());
        }
        let opaque = tag.strip_prefix("W/").unwrap_or(tag);
        let inner = opaque
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .ok_or_else(|| {
                ApiError::bad_field(
                    "invalidHeader",
                    "If-Match",
                    format!("`{tag}` is not an entity tag (send the ETag, quotes included)"),
                )
            })?;
        if inner.parse::<u32>().ok() == Some(current) {
            return Ok(());
        }
    }
    if !any {
        return Err(ApiError::bad_field(
            "invalidHeader",
            "If-Match",
            "`If-Match` is empty",
        ));
    }
    Err(ApiError::PreconditionFailed { current })
}

/// A JSON response with `Content-Type: application/json;charset=utf-8`.
pub fn json_response(status: axum::http::StatusCode, value: &serde_json::Value) -> Response {
    json_bytes_response(status, serde_json::to_vec(value).unwrap_or_default())
}

/// [`json_response`] for a body already written as JSON text.
pub fn json_bytes_response(status: axum::http::StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    response
}

/// The query string as decoded pairs (a malformed one is a 400).
pub fn query_pairs(uri: &axum::http::Uri) -> Result<Vec<(String, String)>, ApiError> {
    let Some(query) = uri.query() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        out.push((decode(key)?, decode(value)?));
    }
    Ok(out)
}

/// `application/x-www-form-urlencoded` decoding of one component (`+` is a space).
fn decode(s: &str) -> Result<String, ApiError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        ApiError::bad_request(
                            "invalidQuery",
                            format!("the query string has a bad percent-escape in `{s}`"),
                        )
                    })?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| {
        ApiError::bad_request("invalidQuery", "the query string is not UTF-8 once decoded")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_reads_strong_weak_star_and_lists() {
        let headers = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_MATCH, HeaderValue::from_str(v).unwrap());
            h
        };
        assert!(check_if_match(&HeaderMap::new(), 3).is_ok());
        assert!(check_if_match(&headers("\"3\""), 3).is_ok());
        assert!(check_if_match(&headers("W/\"3\""), 3).is_ok());
        assert!(check_if_match(&headers("*"), 3).is_ok());
        assert!(check_if_match(&headers("\"1\", \"3\""), 3).is_ok());
        assert_eq!(
            check_if_match(&headers("\"2\""), 3),
            Err(ApiError::PreconditionFailed { current: 3 })
        );
        assert!(matches!(
            check_if_match(&headers("3"), 3),
            Err(ApiError::BadRequest { .. })
        ));
    }

    /// A handler that panics still answers a TMF 500 body, and the server keeps serving.
    #[tokio::test]
    async fn a_panic_answers_a_tmf_500() {
        async fn boom() -> &'static str {
            let v: Vec<u8> = Vec::new();
            #[allow(clippy::indexing_slicing)]
            let _ = v[1];
            "unreachable"
        }
        async fn fine() -> &'static str {
            "fine"
        }
        let app: Router = Router::new()
            .route("/boom", axum::routing::get(boom))
            .route("/fine", axum::routing::get(fine))
            .layer(CatchPanicLayer::custom(panic_response));
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(tcp, app).await });
        let r = reqwest::get(format!("http://{addr}/boom")).await.unwrap();
        assert_eq!(r.status().as_u16(), 500);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["@type"], "Error");
        assert_eq!(body["status"], "500");
        assert_eq!(body["code"], "internalError");
        let r = reqwest::get(format!("http://{addr}/fine")).await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }

    #[test]
    fn media_types_ignore_parameters_and_case() {
        assert_eq!(
            Media::parse("application/json;charset=utf-8"),
            Some(Media::Json)
        );
        assert_eq!(
            Media::parse("Application/Merge-Patch+JSON"),
            Some(Media::MergePatch)
        );
        assert_eq!(Media::parse("text/plain"), None);
    }

    #[test]
    fn query_strings_decode() {
        let uri: axum::http::Uri = "/x?state=held%2Cpending&relatedParty.id=%27+OR+1%3D1+--&flag"
            .parse()
            .unwrap();
        assert_eq!(
            query_pairs(&uri).unwrap(),
            vec![
                ("state".to_owned(), "held,pending".to_owned()),
                ("relatedParty.id".to_owned(), "' OR 1=1 --".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
        let bad: axum::http::Uri = "/x?a=%ZZ".parse().unwrap();
        assert!(query_pairs(&bad).is_err());
    }
}
