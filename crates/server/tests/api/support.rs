//! Shared helpers: a real server on 127.0.0.1:0 over a temp data dir in demo mode, an HTTP
//! client speaking as the demo users, create bodies made from the fixture quotes, bounded
//! polling, and JSON-schema validators built from the official specifications.

use chrono::{DateTime, TimeZone, Utc};
use jsonschema::{Draft, Validator};
use orderdesk_fixtures::Fixtures;
use orderdesk_server::state::Clock;
use orderdesk_server::{Config, RunningServer};
use orderdesk_tmf::{v4, v5};
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub const AGENT: &str = "demo-agent-1";
pub const BACKOFFICE: &str = "demo-backoffice-1";
pub const SUPERVISOR: &str = "demo-supervisor-1";
pub const INTEGRATION: &str = "demo-integration-web";

pub const V4: &str = "/tmf-api/productOrderingManagement/v4";
pub const V5: &str = "/tmf-api/productOrderingManagement/v5";

/// The day the fixtures are dated: their quotes are valid and their credit checks fresh.
pub fn fixture_day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap()
}

/// The system clock moved to the fixtures' day: time flows (retries come due), and validation
/// sees the data as its scenarios describe it whenever the tests run.
#[derive(Debug)]
pub struct FixtureClock {
    offset: chrono::Duration,
}

impl FixtureClock {
    pub fn new() -> Self {
        Self {
            offset: fixture_day() - Utc::now(),
        }
    }
}

impl Clock for FixtureClock {
    fn now(&self) -> DateTime<Utc> {
        use chrono::SubsecRound;
        (Utc::now() + self.offset).trunc_subsecs(3)
    }
}

/// A server under test with its data directory.
pub struct TestServer {
    pub server: Option<RunningServer>,
    pub dir: tempfile::TempDir,
    pub base: String,
    pub http: reqwest::Client,
}

pub fn config(dir: &Path) -> Config {
    let mut c = Config::new(dir);
    c.demo = true;
    c.hub_retry_initial_ms = 50;
    c.hub_retry_max_ms = 400;
    c.hub_poll_ms = 50;
    c
}

impl TestServer {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir).await
    }

    /// A server whose SOM simulator never moves an item during the test: accepted orders stay
    /// `inProgress.accepted`, for tests that list or compare states.
    pub async fn start_quiet() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::start_with(dir, |c| c.som_step_ms = 10 * 60 * 1000).await
    }

    pub async fn start_in(dir: tempfile::TempDir) -> Self {
        Self::start_with(dir, |_| {}).await
    }

    pub async fn start_with(dir: tempfile::TempDir, adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = config(dir.path());
        adjust(&mut config);
        let server = orderdesk_server::start_with_clock(config, Arc::new(FixtureClock::new()))
            .await
            .unwrap();
        let base = server.url();
        Self {
            server: Some(server),
            dir,
            base,
            http: reqwest::Client::new(),
        }
    }

    /// Stops the server and starts a new one on the same data directory.
    pub async fn restart(mut self) -> Self {
        if let Some(s) = self.server.take() {
            s.stop().await;
        }
        Self::start_in(self.dir).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let r = self.http.request(method, self.url(path));
        match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Answer {
        let mut r = self.request(method, path, Some(token));
        if let Some(b) = body {
            r = r.json(b);
        }
        Answer::of(r.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.send(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, token, Some(body)).await
    }

    /// Creates an order and returns the 201 answer.
    pub async fn create(&self, base: &str, token: &str, body: &Value) -> Answer {
        let a = self
            .post(&format!("{base}/productOrder"), token, body)
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        a
    }

    /// Polls the order until `done` holds (at most 20 s), returning the last body.
    pub async fn wait_for(
        &self,
        base: &str,
        id: &str,
        what: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        self.poll(&format!("{base}/productOrder/{id}"), what, done)
            .await
    }

    /// GETs `path` (as an agent) until `done` holds (at most 20 s), returning the last body.
    pub async fn poll(&self, path: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let a = self.get(path, AGENT).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            if done(&a.body) {
                return a.body;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{path} never got {what}: {}",
                a.body
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Polls until the order has left `acknowledged` (validated), returning it.
    pub async fn wait_validated(&self, base: &str, id: &str) -> Value {
        self.wait_for(base, id, "validated", |o| o["state"] != "acknowledged")
            .await
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub async fn of(r: reqwest::Response) -> Self {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(_) => Value::String(text),
            }
        };
        Self {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap().to_owned()
    }

    /// Asserts a TMF error body with `status`, valid against both versions' `Error` schemas.
    pub fn assert_error(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.body["status"], status.to_string(), "{}", self.body);
        assert_eq!(self.body["@type"], "Error");
        assert!(self.body["code"].as_str().is_some_and(|c| !c.is_empty()));
        assert!(self.body["reason"].as_str().is_some_and(|c| !c.is_empty()));
        assert_valid(v4_schema("Error"), &self.body, "v4 error");
        assert_valid(v5_schema("Error"), &self.body, "v5 error");
        &self.body
    }
}

// ---------------------------------------------------------------------------------------------
// Create bodies from the fixture quotes.

pub fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| Fixtures::load_default().unwrap())
}

const SERVER_FIELDS: &[&str] = &[
    "id",
    "href",
    "state",
    "orderDate",
    "creationDate",
    "completionDate",
    "expectedCompletionDate",
    "requestedInitialState",
    "productOrderErrorMessage",
    "productOrderMilestone",
    "productOrderJeopardyAlert",
];

fn strip(mut v: Value) -> Value {
    if let Some(obj) = v.as_object_mut() {
        for f in SERVER_FIELDS {
            obj.remove(*f);
        }
        if let Some(items) = obj
            .get_mut("productOrderItem")
            .and_then(Value::as_array_mut)
        {
            for item in items {
                if let Some(item) = item.as_object_mut() {
                    item.remove("state");
                }
            }
        }
    }
    v
}

/// The v5 create body of a fixture quote, with `external` as its external id (or none).
pub fn v5_body(quote: &str, external: Option<&str>) -> Value {
    let order = fixtures()
        .order_from_quote(quote, "draft".into(), fixture_day())
        .unwrap();
    let mut v = strip(serde_json::to_value(v5::from_domain(&order, "http://x")).unwrap());
    match external {
        Some(e) => {
            v["externalId"] = json!([{"id": e, "owner": "web", "@type": "ExternalIdentifier"}])
        }
        None => {
            v.as_object_mut().unwrap().remove("externalId");
        }
    }
    v
}

/// The v4 create body of a fixture quote.
pub fn v4_body(quote: &str, external: Option<&str>) -> Value {
    let order = fixtures()
        .order_from_quote(quote, "draft".into(), fixture_day())
        .unwrap();
    let mut v = strip(serde_json::to_value(v4::from_domain(&order, "http://x")).unwrap());
    match external {
        Some(e) => v["externalId"] = json!(e),
        None => {
            v.as_object_mut().unwrap().remove("externalId");
        }
    }
    v
}

/// The conformance kit's order: one item with only `id` and `action`.
pub fn ctk_body() -> Value {
    json!({
        "productOrderItem": [{"id": "1", "action": "add"}],
        "relatedParty": [{"id": "CUST-1001", "role": "customer", "@referredType": "Individual"}]
    })
}

// ---------------------------------------------------------------------------------------------
// JSON-schema validators built from the official specifications (the same conversion as
// `crates/tmf/tests/wire/support.rs`: OpenAPI 3.0 components → draft 7 with `@type` dispatch).

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tmf")
}

fn v4_spec() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        let text =
            std::fs::read_to_string(spec_dir().join("TMF622-ProductOrder-v4.0.0.swagger.json"))
                .unwrap();
        serde_json::from_str(&text).unwrap()
    })
}

fn v5_spec() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        let text =
            std::fs::read_to_string(spec_dir().join("TMF622-ProductOrdering-v5.0.0.oas.yaml"))
                .unwrap();
        serde_yaml::from_str(&text).unwrap()
    })
}

fn cached(
    cache: &'static OnceLock<std::sync::Mutex<Vec<(String, &'static Validator)>>>,
    name: &str,
    build: impl FnOnce() -> Validator,
) -> &'static Validator {
    let lock = cache.get_or_init(Default::default);
    let mut known = lock.lock().unwrap();
    if let Some((_, v)) = known.iter().find(|(n, _)| n == name) {
        return v;
    }
    let v: &'static Validator = Box::leak(Box::new(build()));
    known.push((name.to_owned(), v));
    v
}

/// `#/definitions/{name}` of the v4 Swagger document (draft 4).
pub fn v4_schema(name: &str) -> &'static Validator {
    static C: OnceLock<std::sync::Mutex<Vec<(String, &'static Validator)>>> = OnceLock::new();
    cached(&C, name, || {
        let root = json!({
            "definitions": v4_spec()["definitions"],
            "allOf": [{"$ref": format!("#/definitions/{name}")}],
        });
        build(Draft::Draft4, &root)
    })
}

/// `#/components/schemas/{name}` of the v5 document (draft 7).
pub fn v5_schema(name: &str) -> &'static Validator {
    static C: OnceLock<std::sync::Mutex<Vec<(String, &'static Validator)>>> = OnceLock::new();
    cached(&C, name, || {
        let schemas = openapi_schemas(&v5_spec()["components"]["schemas"]);
        assert!(schemas.contains_key(name), "{name} is not a v5 schema");
        let root = json!({
            "components": {"schemas": schemas},
            "allOf": [{"$ref": format!("#/components/schemas/{name}")}],
        });
        build(Draft::Draft7, &root)
    })
}

fn build(draft: Draft, root: &Value) -> Validator {
    jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true)
        .build(root)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}"))
}

pub fn assert_valid(validator: &Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}\n{}",
        errors.join("\n"),
        serde_json::to_string_pretty(instance).unwrap()
    );
}

/// An order as the API version's `ProductOrder` schema wants it.
pub fn assert_valid_order(base: &str, order: &Value) {
    if base == V4 {
        assert_valid(v4_schema("ProductOrder"), order, "v4 order");
    } else {
        assert_valid(v5_schema("ProductOrder"), order, "v5 order");
    }
}

const SCHEMA_PREFIX: &str = "#/components/schemas/";

fn openapi_schemas(schemas: &Value) -> Map<String, Value> {
    let Value::Object(schemas) = schemas else {
        panic!("components.schemas is not an object");
    };
    let mut out = Map::new();
    let mut poly = Vec::new();
    for (name, schema) in schemas {
        let mut schema = schema.clone();
        strip_nullable(&mut schema);
        let mapping = schema
            .get("discriminator")
            .and_then(|d| d.get("mapping"))
            .and_then(Value::as_object)
            .map(|m| with_implicit_mapping(name, &schema, m, schemas));
        if let Some(mapping) = mapping {
            if let Some(Value::Array(_)) = schema.get("oneOf") {
                let obj = schema.as_object_mut().unwrap();
                obj.remove("oneOf");
                let dispatch = dispatch(&mapping, None);
                let all_of = obj.entry("allOf").or_insert_with(|| json!([]));
                all_of.as_array_mut().unwrap().push(dispatch);
            } else {
                let own = format!("{SCHEMA_PREFIX}{name}");
                let others = mapping
                    .values()
                    .any(|v| v.as_str().is_some_and(|t| t != own));
                if others {
                    poly.push((name.clone(), dispatch(&mapping, Some(&own))));
                }
            }
        }
        out.insert(name.clone(), schema);
    }
    let poly_names: Vec<String> = poly.iter().map(|(n, _)| n.clone()).collect();
    for schema in out.values_mut() {
        retarget(schema, &poly_names, false);
    }
    for (name, dispatch) in poly {
        out.insert(
            format!("{name}__poly"),
            json!({"allOf": [{"$ref": format!("{SCHEMA_PREFIX}{name}")}, dispatch]}),
        );
    }
    out
}

fn with_implicit_mapping(
    name: &str,
    schema: &Value,
    explicit: &Map<String, Value>,
    schemas: &Map<String, Value>,
) -> Map<String, Value> {
    let mut mapping = explicit.clone();
    let own = format!("{SCHEMA_PREFIX}{name}");
    let mut implicit: Vec<String> = schema
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|alt| alt.get("$ref").and_then(Value::as_str).map(str::to_owned))
        .collect();
    for (other, s) in schemas {
        let inherits = s
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|parts| parts.iter().any(|p| p.get("$ref") == Some(&json!(own))));
        if inherits {
            implicit.push(format!("{SCHEMA_PREFIX}{other}"));
        }
    }
    for target in implicit {
        let key = target.trim_start_matches(SCHEMA_PREFIX);
        let key = key
            .strip_suffix("_FVO")
            .or_else(|| key.strip_suffix("_MVO"))
            .unwrap_or(key)
            .to_owned();
        let already = mapping.contains_key(&key) || mapping.values().any(|v| v == &json!(target));
        if !already {
            mapping.insert(key, Value::String(target));
        }
    }
    mapping
}

fn dispatch(mapping: &Map<String, Value>, skip: Option<&str>) -> Value {
    let keys: Vec<&String> = mapping.keys().collect();
    let mut branches =
        vec![json!({"required": ["@type"], "properties": {"@type": {"enum": keys}}})];
    for (key, target) in mapping {
        let Some(target) = target.as_str() else {
            continue;
        };
        if Some(target) == skip {
            continue;
        }
        branches.push(json!({
            "if": {"required": ["@type"], "properties": {"@type": {"const": key}}},
            "then": {"$ref": target},
        }));
    }
    json!({"allOf": branches})
}

fn strip_nullable(v: &mut Value) {
    match v {
        Value::Object(obj) => {
            if obj.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(Value::String(t)) = obj.get("type").cloned() {
                    obj.insert("type".into(), json!([t, "null"]));
                }
            }
            for child in obj.values_mut() {
                strip_nullable(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nullable),
        _ => {}
    }
}

fn retarget(v: &mut Value, poly: &[String], in_all_of: bool) {
    match v {
        Value::Object(obj) => {
            if !in_all_of {
                if let Some(Value::String(r)) = obj.get_mut("$ref") {
                    if let Some(name) = r.strip_prefix(SCHEMA_PREFIX) {
                        if poly.iter().any(|p| p == name) {
                            *r = format!("{SCHEMA_PREFIX}{name}__poly");
                        }
                    }
                }
            }
            for (k, child) in obj.iter_mut() {
                if k == "allOf" {
                    if let Value::Array(items) = child {
                        for item in items {
                            retarget(item, poly, true);
                        }
                    }
                } else {
                    retarget(child, poly, false);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| retarget(i, poly, false)),
        _ => {}
    }
}
