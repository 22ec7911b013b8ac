//! The SOM simulator over HTTP: a real simulator on `127.0.0.1:0` with short steps, a real hub
//! subscriber (a small axum listener on `127.0.0.1:0` recording what it is sent), and reqwest
//! as the client. Covers the happy path and its notification order, dependencies, failure
//! rules, cancellation before and after the point of no return, refusals, delivery retries,
//! hub deletion, and the binary's start-up line.

// clippy.toml allows these inside `#[test]` functions only; the helpers fail the test the same way.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use orderdesk_som::{spawn, FailureRules, RetryPolicy, RunningSom, SomConfig};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

const FAST_RETRY: RetryPolicy = RetryPolicy {
    first: Duration::from_millis(10),
    max: Duration::from_millis(100),
    attempt_timeout: Duration::from_secs(2),
};

/// What the test's hub subscriber received: `(path, body)` in arrival order.
#[derive(Clone, Default)]
struct Recorder {
    received: Arc<Mutex<Vec<(String, Value)>>>,
    /// Requests to answer 503 before accepting any.
    refuse_first: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
}

async fn record(
    State(r): State<Recorder>,
    Path(event): Path<String>,
    Json(body): Json<Value>,
) -> StatusCode {
    let left = r.refuse_first.load(Ordering::SeqCst);
    if left > 0 {
        r.refuse_first.store(left - 1, Ordering::SeqCst);
        r.refused.fetch_add(1, Ordering::SeqCst);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    r.received.lock().unwrap().push((event, body));
    StatusCode::NO_CONTENT
}

/// Starts a listener; its callback (listener base) is `http://ADDR/hooks`.
async fn subscriber(refuse_first: usize) -> (Recorder, String) {
    let recorder = Recorder::default();
    recorder.refuse_first.store(refuse_first, Ordering::SeqCst);
    let app = Router::new()
        .route("/hooks/listener/{event}", post(record))
        .with_state(recorder.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (recorder, format!("http://{addr}/hooks"))
}

struct Harness {
    som: RunningSom,
    http: reqwest::Client,
    recorder: Recorder,
}

async fn start_with(
    rules: Value,
    step_ms: u64,
    refuse_first: usize,
    retry: RetryPolicy,
) -> Harness {
    let rules = FailureRules::parse(&rules.to_string()).unwrap();
    let config = SomConfig::new(rules)
        .with_step(Duration::from_millis(step_ms))
        .with_retry(retry);
    let som = spawn(TcpListener::bind("127.0.0.1:0").await.unwrap(), config)
        .await
        .unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let (recorder, callback) = subscriber(refuse_first).await;
    let h = Harness {
        som,
        http,
        recorder,
    };
    let (status, hub) = h.post("/hub", json!({"callback": callback})).await;
    assert_eq!(status, 201, "{hub}");
    assert_eq!(hub["callback"], callback);
    h
}

async fn start(rules: Value, step_ms: u64) -> Harness {
    start_with(rules, step_ms, 0, FAST_RETRY).await
}

impl Harness {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.som.api_url())
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.post_raw(path, body.to_string()).await
    }

    async fn post_raw(&self, path: &str, body: String) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.http.get(self.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    fn received(&self) -> Vec<(String, Value)> {
        self.recorder.received.lock().unwrap().clone()
    }

    /// The notifications about `order`, once `done` holds for their summaries (5 s at most).
    async fn wait_for(&self, order: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let s = summaries(&self.received(), order);
            if done(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out; so far: {s:#?}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Waits for the order's final state, then a little longer to catch anything after it.
    async fn run_to_end(&self, order: &str) -> Vec<String> {
        self.wait_for(order, |s| s.iter().any(|e| is_final(e)))
            .await;
        tokio::time::sleep(Duration::from_millis(60)).await;
        summaries(&self.received(), order)
    }
}

fn is_final(summary: &str) -> bool {
    ["completed", "failed", "partial", "cancelled"]
        .iter()
        .any(|s| summary == format!("order {s}"))
}

/// One line per notification about `order`: `order <state>`, `<item> <state>` (the item whose
/// state differs from the previous notification's snapshot), `<item> pointOfNoReturn`, or
/// `cancel <state>`. Also checks the listener path matches the event type.
fn summaries(received: &[(String, Value)], order: &str) -> Vec<String> {
    let mut items: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for (path, e) in received {
        let kind = e["eventType"].as_str().unwrap();
        assert_eq!(e["@type"], kind);
        let mut expected_path = kind.to_owned();
        expected_path[..1].make_ascii_lowercase();
        assert_eq!(path, &expected_path);
        if kind == "CancelServiceOrderStateChangeEvent" {
            let c = &e["event"]["cancelServiceOrder"];
            if c["serviceOrder"]["id"] == order {
                out.push(format!("cancel {}", c["state"].as_str().unwrap()));
            }
            continue;
        }
        let so = &e["event"]["serviceOrder"];
        if so["id"] != order {
            continue;
        }
        let mut changed = Vec::new();
        for item in so["serviceOrderItem"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap().to_owned();
            let state = item["state"].as_str().unwrap().to_owned();
            if items.insert(id.clone(), state.clone()).as_ref() != Some(&state) {
                changed.push(format!("{id} {state}"));
            }
        }
        match kind {
            "ServiceOrderCreateEvent" | "ServiceOrderStateChangeEvent" => {
                out.push(format!("order {}", so["state"].as_str().unwrap()));
            }
            "ServiceOrderAttributeValueChangeEvent" => {
                assert_eq!(changed.len(), 1, "one item per notification: {changed:?}");
                out.extend(changed);
            }
            "ServiceOrderMilestoneEvent" => {
                let m = so["milestone"].as_array().unwrap().last().unwrap();
                assert_eq!(m["name"], "pointOfNoReturn");
                let item = m["serviceOrderItem"][0]["itemId"].as_str().unwrap();
                out.push(format!("{item} pointOfNoReturn"));
            }
            other => panic!("unexpected {other}"),
        }
    }
    out
}

fn item(id: &str, cfs: &str, depends_on: &[&str]) -> Value {
    let mut v = json!({
        "id": id,
        "action": "add",
        "@type": "ServiceOrderItem",
        "service": {
            "@type": "Service",
            "state": "active",
            "serviceSpecification": {"id": cfs, "@type": "ServiceSpecificationRef"},
            "place": [{"role": "serviceAddress", "place": {"id": "ADDR-1", "@type": "PlaceRef"}}],
            "serviceCharacteristic": [
                {"name": "downloadSpeed", "value": 500, "@type": "IntegerCharacteristic"}
            ]
        }
    });
    if !depends_on.is_empty() {
        v["serviceOrderItemRelationship"] = depends_on
            .iter()
            .map(|d| json!({"relationshipType": "dependency", "orderItem": {"itemId": d}}))
            .collect();
    }
    v
}

fn ponr(mut item: Value) -> Value {
    item["orderdesk"] = json!({"pointOfNoReturn": true});
    item
}

fn at(mut item: Value, address: &str) -> Value {
    item["service"]["place"][0]["place"]["id"] = json!(address);
    item
}

fn order(id: &str, items: Vec<Value>) -> Value {
    json!({"id": id, "@type": "ServiceOrder", "serviceOrderItem": items})
}

fn no_rules() -> Value {
    json!({"failures": []})
}

#[tokio::test]
async fn happy_path_completes_and_reports_every_change_in_order() {
    let h = start(no_rules(), 20).await;
    let body = json!({
        "id": "SO-1",
        "@type": "ServiceOrder",
        "@baseType": "ServiceOrder",
        "vendorField": {"kept": true},
        "externalReference": [{"id": "PO-1", "externalReferenceType": "ProductOrder"}],
        "serviceOrderItem": [
            item("access", "CFS:Internet-Access", &[]),
            item("wifi", "CFS:WiFi-Management", &["access"]),
            item("tv", "CFS:IPTV", &[])
        ]
    });
    let r = h
        .http
        .post(h.url("/serviceOrder"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, h.url("/serviceOrder/SO-1"));
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["state"], "acknowledged");
    assert_eq!(created["href"], location);
    assert_eq!(created["serviceOrderItem"][1]["state"], "acknowledged");
    assert!(created["expectedCompletionDate"].is_string());

    let events = h.run_to_end("SO-1").await;
    assert_eq!(
        events,
        [
            "order acknowledged",
            "access inProgress",
            "tv inProgress",
            "order inProgress",
            "access completed",
            "tv completed",
            "wifi inProgress",
            "wifi completed",
            "order completed",
        ]
    );
    // Event ids count up per order; every notification is a TMF641 v5 envelope.
    let received = h.received();
    for (n, (_, e)) in received.iter().enumerate() {
        assert_eq!(e["eventId"], format!("SO-1:{}", n + 1));
        assert_eq!(e["@baseType"], "Event");
        assert_eq!(e["correlationId"], "SO-1");
        assert!(e["eventTime"].is_string());
        let parsed: orderdesk_tmf::tmf641::ServiceOrderEvent =
            orderdesk_tmf::from_value(e.clone()).unwrap();
        parsed.progress().unwrap();
    }

    let (status, got) = h.get("/serviceOrder/SO-1").await;
    assert_eq!(status, 200);
    assert_eq!(got["state"], "completed");
    assert!(got["serviceOrderItem"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["state"] == "completed"));
    assert!(got["startDate"].is_string() && got["completionDate"].is_string());
    assert_eq!(got["vendorField"], json!({"kept": true}));
    assert_eq!(got["@baseType"], "ServiceOrder");
    assert_eq!(got["externalReference"][0]["id"], "PO-1");
    assert!(got.get("errorMessage").is_none());
}

#[tokio::test]
async fn dependencies_hold_items_back_whatever_their_position() {
    let h = start(no_rules(), 15).await;
    let (status, _) = h
        .post(
            "/serviceOrder",
            order(
                "SO-DEP",
                vec![
                    item("c", "CFS:C", &["b"]),
                    item("b", "CFS:B", &["a"]),
                    item("a", "CFS:A", &[]),
                    item("d", "CFS:D", &["a", "c"]),
                ],
            ),
        )
        .await;
    assert_eq!(status, 201);
    let events = h.run_to_end("SO-DEP").await;
    let pos = |s: &str| {
        events
            .iter()
            .position(|e| e == s)
            .unwrap_or_else(|| panic!("no `{s}` in {events:#?}"))
    };
    assert!(pos("a completed") < pos("b inProgress"));
    assert!(pos("b completed") < pos("c inProgress"));
    assert!(pos("c completed") < pos("d inProgress"));
    assert_eq!(events.last().unwrap(), "order completed");
    assert_eq!(events.len(), 1 + 8 + 2);
}

#[tokio::test]
async fn a_failure_rule_fails_its_item_and_the_items_that_depend_on_it() {
    let rules = json!({"failures": [{
        "cfs": "CFS:Static-IP", "address": "ADDR-DLF-0001",
        "code": "IP_POOL_EXHAUSTED", "reason": "No free /29 in the pool"
    }]});
    let h = start(rules, 15).await;
    let items = || {
        vec![
            at(item("access", "CFS:Internet-Access", &[]), "ADDR-DLF-0001"),
            at(item("ip", "CFS:Static-IP", &["access"]), "ADDR-DLF-0001"),
            at(item("dns", "CFS:Reverse-DNS", &["ip"]), "ADDR-DLF-0001"),
        ]
    };
    let (status, _) = h.post("/serviceOrder", order("SO-F1", items())).await;
    assert_eq!(status, 201);
    let events = h.run_to_end("SO-F1").await;
    assert_eq!(
        events,
        [
            "order acknowledged",
            "access inProgress",
            "order inProgress",
            "access completed",
            "ip inProgress",
            "ip failed",
            "dns failed",
            "order partial",
        ]
    );
    let (_, got) = h.get("/serviceOrder/SO-F1").await;
    assert_eq!(got["state"], "partial");
    let ip = &got["serviceOrderItem"][1]["errorMessage"][0];
    assert_eq!(ip["code"], "IP_POOL_EXHAUSTED");
    assert_eq!(ip["reason"], "No free /29 in the pool");
    assert_eq!(ip["@type"], "ServiceOrderItemErrorMessage");
    let dns = &got["serviceOrderItem"][2]["errorMessage"][0];
    assert_eq!(dns["code"], "DEPENDENCY_FAILED");
    assert_eq!(
        dns["reason"],
        "item `dns` depends on item `ip`, which failed"
    );
    assert_eq!(got["errorMessage"]["code"], "SERVICE_ORDER_ITEMS_FAILED");
    let refs: Vec<&str> = got["errorMessage"]["serviceOrderItem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["itemId"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["ip", "dns"]);

    // Deterministic: the same order again runs the same way.
    h.post("/serviceOrder", order("SO-F2", items())).await;
    let again = h.run_to_end("SO-F2").await;
    assert_eq!(again, events);

    // Elsewhere the rule does not apply.
    let elsewhere: Vec<Value> = items().into_iter().map(|i| at(i, "ADDR-OTHER")).collect();
    h.post("/serviceOrder", order("SO-F3", elsewhere)).await;
    let other = h.run_to_end("SO-F3").await;
    assert_eq!(other.last().unwrap(), "order completed");
}

#[tokio::test]
async fn a_rule_on_a_characteristic_can_fail_an_item_at_start() {
    let rules = json!({"failures": [{
        "cfs": "CFS:IPTV", "characteristic": {"name": "downloadSpeed", "value": "500"},
        "code": "NO_MULTICAST", "reason": "No multicast at this speed", "stage": "start"
    }]});
    let h = start(rules, 15).await;
    h.post(
        "/serviceOrder",
        order("SO-S", vec![item("tv", "CFS:IPTV", &[])]),
    )
    .await;
    let events = h.run_to_end("SO-S").await;
    assert_eq!(events, ["order acknowledged", "tv failed", "order failed"]);
    let (_, got) = h.get("/serviceOrder/SO-S").await;
    assert_eq!(got["errorMessage"]["code"], "NO_MULTICAST");
    assert_eq!(
        got["serviceOrderItem"][0]["errorMessage"][0]["code"],
        "NO_MULTICAST"
    );
}

#[tokio::test]
async fn cancel_before_the_point_of_no_return_cancels_everything() {
    let h = start(no_rules(), 150).await;
    h.post(
        "/serviceOrder",
        order(
            "SO-C1",
            vec![
                item("access", "CFS:A", &[]),
                ponr(item("ont", "CFS:GPON-Access", &["access"])),
            ],
        ),
    )
    .await;
    h.wait_for("SO-C1", |s| s.iter().any(|e| e == "access inProgress"))
        .await;
    let (status, cancel) = h
        .post(
            "/cancelServiceOrder",
            json!({"serviceOrder": {"id": "SO-C1", "@referredType": "ServiceOrder"},
                   "cancellationReason": "customer changed their mind",
                   "@type": "CancelServiceOrder"}),
        )
        .await;
    assert_eq!(status, 201, "{cancel}");
    assert_eq!(cancel["state"], "done");
    assert!(cancel.get("errorMessage").is_none());
    assert!(cancel["effectiveCancellationDate"].is_string());
    let events = h.run_to_end("SO-C1").await;
    assert_eq!(
        events,
        [
            "order acknowledged",
            "access inProgress",
            "order inProgress",
            "access cancelled",
            "ont cancelled",
            "order cancelled",
            "cancel done",
        ]
    );
    let (status, again) = h
        .get(&format!(
            "/cancelServiceOrder/{}",
            cancel["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!((status, &again), (200, &cancel));
    let (_, got) = h.get("/serviceOrder/SO-C1").await;
    assert_eq!(got["state"], "cancelled");
    assert_eq!(got["cancellationReason"], "customer changed their mind");
}

#[tokio::test]
async fn cancel_after_the_point_of_no_return_reports_what_could_not_be_reversed() {
    let h = start(no_rules(), 150).await;
    h.post(
        "/serviceOrder",
        order(
            "SO-C2",
            vec![
                ponr(item("ont", "CFS:GPON-Access", &[])),
                item("wifi", "CFS:WiFi-Management", &["ont"]),
            ],
        ),
    )
    .await;
    h.wait_for("SO-C2", |s| s.iter().any(|e| e == "ont pointOfNoReturn"))
        .await;
    let (status, cancel) = h
        .post(
            "/cancelServiceOrder",
            json!({"serviceOrder": {"id": "SO-C2"}}),
        )
        .await;
    assert_eq!(status, 201, "{cancel}");
    assert_eq!(cancel["state"], "terminatedWithError");
    let err = &cancel["errorMessage"];
    assert_eq!(err["code"], "ITEMS_NOT_REVERSIBLE");
    assert_eq!(err["serviceOrderItem"][0]["itemId"], "ont");
    assert_eq!(err["serviceOrderItem"][0]["reason"], "pastPointOfNoReturn");
    assert_eq!(err["serviceOrderItem"].as_array().unwrap().len(), 1);
    let events = h.run_to_end("SO-C2").await;
    assert_eq!(
        events,
        [
            "order acknowledged",
            "ont inProgress",
            "ont pointOfNoReturn",
            "order inProgress",
            "wifi cancelled",
            "cancel terminatedWithError",
            "ont completed",
            "order partial",
        ]
    );
    let (_, got) = h.get("/serviceOrder/SO-C2").await;
    assert_eq!(got["milestone"][0]["name"], "pointOfNoReturn");
    let note = got["note"][0]["text"].as_str().unwrap();
    assert!(
        note.contains("item `ont` is past its point of no return"),
        "{note}"
    );
}

#[tokio::test]
async fn bad_input_gets_tmf_error_bodies() {
    let h = start(no_rules(), 20).await;
    let cases: Vec<(&str, String, u16, &str, &str)> = vec![
        ("/serviceOrder", "{".into(), 400, "malformedBody", ""),
        ("/serviceOrder", "[]".into(), 400, "malformedBody", ""),
        ("/serviceOrder", json!({"serviceOrderItem": "x"}).to_string(), 400, "malformedBody", "serviceOrderItem"),
        (
            "/serviceOrder",
            json!({"serviceOrderItem": [{"id": "1", "action": "explode", "service": {}}]}).to_string(),
            400,
            "malformedBody",
            "serviceOrderItem[0].action",
        ),
        (
            "/serviceOrder",
            json!({"serviceOrderItem": [{"id": "1", "action": "add", "state": "exploded", "service": {}}]}).to_string(),
            400,
            "malformedBody",
            "serviceOrderItem[0].state",
        ),
        (
            "/serviceOrder",
            json!({"serviceOrderItem": [{"id": "1", "service": {}}]}).to_string(),
            400,
            "missingField",
            "serviceOrderItem[0].action",
        ),
        ("/serviceOrder", json!({}).to_string(), 400, "missingField", "serviceOrderItem"),
        ("/cancelServiceOrder", json!({}).to_string(), 400, "missingField", "serviceOrder"),
        ("/cancelServiceOrder", json!({"serviceOrder": {"id": "nope"}}).to_string(), 404, "notFound", ""),
        ("/hub", json!({"callback": "not a url"}).to_string(), 400, "invalidField", "callback"),
        ("/hub", json!({"callback": 7}).to_string(), 400, "malformedBody", "callback"),
    ];
    for (path, body, status, code, field) in cases {
        let (got, e) = h.post_raw(path, body.clone()).await;
        assert_eq!(got, status, "{path} {body}: {e}");
        assert_eq!(e["code"], code, "{path} {body}: {e}");
        assert_eq!(e["status"], status.to_string());
        assert_eq!(e["@type"], "Error");
        assert!(e["reason"].is_string());
        if !field.is_empty() {
            let message = e["message"].as_str().unwrap_or_default();
            assert!(
                message.contains(&format!("`{field}`")),
                "{path} {body}: {e}"
            );
        }
    }
    for path in [
        "/serviceOrder/unknown",
        "/cancelServiceOrder/unknown",
        "/nothing-here",
    ] {
        let (status, e) = h.get(path).await;
        assert_eq!(
            (status, e["@type"].as_str()),
            (404, Some("Error")),
            "{path}: {e}"
        );
    }
    let r = h.http.delete(h.url("/hub/unknown")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = h.http.delete(h.url("/serviceOrder")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["@type"], "Error");
    let (status, e) = h.get("/serviceOrder?limit=lots").await;
    assert_eq!(
        (status, e["code"].as_str()),
        (400, Some("invalidParameter"))
    );
    // A duplicate id is a conflict, and leaves the first order alone.
    let o = order("SO-DUP", vec![item("1", "CFS:A", &[])]);
    assert_eq!(h.post("/serviceOrder", o.clone()).await.0, 201);
    let (status, e) = h.post("/serviceOrder", o).await;
    assert_eq!((status, e["code"].as_str()), (409, Some("duplicateId")));
}

#[tokio::test]
async fn listing_filters_by_state_and_pages() {
    let h = start(
        json!({"failures": [{"cfs": "CFS:Bad", "reason": "no", "stage": "start"}]}),
        10,
    )
    .await;
    for n in 0..3 {
        h.post(
            "/serviceOrder",
            order(&format!("SO-OK-{n}"), vec![item("1", "CFS:A", &[])]),
        )
        .await;
    }
    h.post(
        "/serviceOrder",
        order("SO-BAD", vec![item("1", "CFS:Bad", &[])]),
    )
    .await;
    for id in ["SO-OK-0", "SO-OK-1", "SO-OK-2", "SO-BAD"] {
        h.run_to_end(id).await;
    }
    // An order without an id gets one.
    let (status, anonymous) = h
        .post(
            "/serviceOrder",
            json!({"serviceOrderItem": [item("1", "CFS:A", &[])]}),
        )
        .await;
    assert_eq!(status, 201);
    assert!(!anonymous["id"].as_str().unwrap().is_empty());

    let r = h
        .http
        .get(h.url("/serviceOrder?state=completed&offset=1&limit=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-total-count"], "3");
    assert_eq!(r.headers()["x-result-count"], "1");
    let page: Value = r.json().await.unwrap();
    assert_eq!(page[0]["id"], "SO-OK-1");
    let (_, failed) = h.get("/serviceOrder?state=failed,partial").await;
    assert_eq!(failed.as_array().unwrap().len(), 1);
    assert_eq!(failed[0]["id"], "SO-BAD");
    let (_, all) = h.get("/serviceOrder").await;
    assert_eq!(all.as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn delivery_is_retried_and_stays_in_order() {
    // The subscriber answers 503 to the first three attempts: 0.1 + 0.2 + 0.4 s of backoff.
    let h = start_with(no_rules(), 20, 3, RetryPolicy::default()).await;
    h.post(
        "/serviceOrder",
        order(
            "SO-R",
            vec![item("a", "CFS:A", &[]), item("b", "CFS:B", &["a"])],
        ),
    )
    .await;
    let events = h.run_to_end("SO-R").await;
    assert_eq!(h.recorder.refused.load(Ordering::SeqCst), 3);
    assert_eq!(
        events,
        [
            "order acknowledged",
            "a inProgress",
            "order inProgress",
            "a completed",
            "b inProgress",
            "b completed",
            "order completed",
        ]
    );
    let ids: Vec<String> = h
        .received()
        .iter()
        .map(|(_, e)| e["eventId"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (1..=ids.len()).map(|n| format!("SO-R:{n}")).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn a_deleted_hub_hears_nothing_more_and_queries_filter() {
    let h = start(no_rules(), 10).await;
    let (second, callback) = subscriber(0).await;
    let (_, hub) = h.post("/hub", json!({"callback": callback})).await;
    let hub_id = hub["id"].as_str().unwrap();
    let (status, _) = h.get(&format!("/hub/{hub_id}")).await;
    assert_eq!(status, 200);
    let r = h
        .http
        .delete(h.url(&format!("/hub/{hub_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (third, callback) = subscriber(0).await;
    let (status, _) = h
        .post(
            "/hub",
            json!({"callback": callback, "query": "eventType=ServiceOrderStateChangeEvent"}),
        )
        .await;
    assert_eq!(status, 201);
    h.post(
        "/serviceOrder",
        order("SO-H", vec![item("1", "CFS:A", &[])]),
    )
    .await;
    h.run_to_end("SO-H").await;
    assert!(second.received.lock().unwrap().is_empty());
    let states: Vec<String> = third
        .received
        .lock()
        .unwrap()
        .iter()
        .map(|(path, e)| {
            assert_eq!(path, "serviceOrderStateChangeEvent");
            e["event"]["serviceOrder"]["state"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(states, ["inProgress", "completed"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_announces_its_address_and_serves() {
    use std::io::BufRead;
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/som.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_orderdesk-som"))
        .args(["--addr", "127.0.0.1:0", "--rules", rules, "--step-ms", "20"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        line
    })
    .await
    .unwrap();
    let base = line
        .trim_end()
        .strip_prefix("listening on http://127.0.0.1:")
        .map(|port| format!("http://127.0.0.1:{port}"))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = http
        .get(format!("{base}/tmf-api/serviceOrdering/v5/serviceOrder"))
        .send()
        .await
        .unwrap();
    let status = r.status();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, 200);
}
