//! Fulfilment end to end: the real server and the real SOM simulator (started in-process by
//! demo mode on its own 127.0.0.1:0 port, a fast step) over a temp data dir. Orders from the
//! fixture quotes go through decomposition, TMF641 submission and the SOM's notifications to
//! their final state; TMF637 inventory follows; cancellations reach the SOM before and after
//! the point of no return; milestones and jeopardy alerts are recorded; the catalog, inventory
//! and quote APIs serve the fixtures; the TMF641 listener authenticates and ignores repeats.

// clippy.toml allows these inside `#[test]` functions only; the helpers of this test binary fail
// the test the same way on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)]
#[path = "api/support.rs"]
mod support;

use chrono::{DateTime, Utc};
use orderdesk_server::state::Clock;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use support::{
    assert_valid_order, fixtures, v5_body, FixtureClock, TestServer, AGENT, INTEGRATION, V4, V5,
};

const INVENTORY: &str = "/tmf-api/productInventory/v5/product";
const CATALOG: &str = "/tmf-api/productCatalogManagement/v5";
const QUOTES: &str = "/tmf-api/quoteManagement/v4/quote";
const LISTENER: &str = "/tmf-api/serviceOrdering/v5/listener";

/// The fixtures' clock, which a test can move forward.
#[derive(Debug)]
struct ShiftClock {
    base: FixtureClock,
    extra_ms: AtomicI64,
}

impl ShiftClock {
    fn new() -> Self {
        Self {
            base: FixtureClock::new(),
            extra_ms: AtomicI64::new(0),
        }
    }

    fn advance(&self, by: chrono::Duration) {
        self.extra_ms
            .fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }
}

impl Clock for ShiftClock {
    fn now(&self) -> DateTime<Utc> {
        self.base.now() + chrono::Duration::milliseconds(self.extra_ms.load(Ordering::SeqCst))
    }
}

/// A demo server whose SOM takes `step_ms` per item state, on `fixtures` (default: the
/// repository's).
async fn start(step_ms: u64, fixtures_dir: Option<&Path>, clock: Arc<dyn Clock>) -> TestServer {
    start_in(tempfile::tempdir().unwrap(), step_ms, fixtures_dir, clock).await
}

async fn start_in(
    dir: tempfile::TempDir,
    step_ms: u64,
    fixtures_dir: Option<&Path>,
    clock: Arc<dyn Clock>,
) -> TestServer {
    let mut config = support::config(dir.path());
    config.som_step_ms = step_ms;
    if let Some(f) = fixtures_dir {
        config.fixtures = f.to_path_buf();
    }
    let server = orderdesk_server::start_with_clock(config, clock)
        .await
        .unwrap();
    let base = server.url();
    TestServer {
        server: Some(server),
        dir,
        base,
        http: reqwest::Client::new(),
    }
}

async fn fixture_server(step_ms: u64) -> TestServer {
    start(step_ms, None, Arc::new(FixtureClock::new())).await
}

fn som_url(t: &TestServer) -> String {
    t.server.as_ref().unwrap().som_url().unwrap().to_owned()
}

/// The SOM's service orders for a product order.
async fn service_orders(t: &TestServer, order: &str) -> Vec<Value> {
    let all: Value = t
        .http
        .get(format!("{}/serviceOrder?limit=1000", som_url(t)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|so| so["externalReference"][0]["id"] == order)
        .cloned()
        .collect()
}

fn item<'a>(order: &'a Value, id: &str) -> &'a Value {
    order["productOrderItem"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id} in {order}"))
}

fn finished(o: &Value) -> bool {
    matches!(
        o["state"].as_str(),
        Some("completed" | "failed" | "partial" | "cancelled" | "rejected" | "held")
    )
}

/// Products of a customer, by offering.
async fn products_of(t: &TestServer, customer: &str) -> Vec<Value> {
    let a = t
        .get(
            &format!("{INVENTORY}?relatedParty.id={customer}&limit=100"),
            AGENT,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body.as_array().unwrap().clone()
}

fn services_of(product: &Value) -> Vec<String> {
    product["realizingService"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|r| r["name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Polls a cancel request until `done` holds.
async fn wait_cancel(t: &TestServer, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let a = t.get(&format!("{V5}/cancelProductOrder/{id}"), AGENT).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        if done(&a.body) {
            return a.body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "cancel request stuck: {}",
            a.body
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_provide_goes_from_quote_to_completed_with_inventory() {
    let t = fixture_server(60).await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();

    // In flight: the item's progress is visible on GET.
    let in_flight = t
        .wait_for(V5, &id, "an item in progress", |o| {
            o["state"] == "inProgress" && item(o, "1")["state"] == "inProgress" || finished(o)
        })
        .await;
    assert_eq!(in_flight["state"], "inProgress", "{in_flight}");
    assert_valid_order(V5, &in_flight);

    let done = t.wait_for(V5, &id, "completion", finished).await;
    assert_eq!(done["state"], "completed", "{done}");
    assert_eq!(item(&done, "1")["state"], "completed");
    assert!(done["completionDate"].is_string());
    assert_valid_order(V5, &done);
    // The point of no return passed with the GPON access, as a v5 milestone and a v4 note.
    let milestones = done["productOrderMilestone"].as_array().unwrap();
    assert!(
        milestones.iter().any(|m| m["name"] == "pointOfNoReturn"),
        "{done}"
    );
    let v4 = t.get(&format!("{V4}/productOrder/{id}"), AGENT).await;
    assert_eq!(v4.body["state"], "completed");
    assert!(v4.body["note"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["text"].as_str().unwrap().contains("pointOfNoReturn")));
    assert_valid_order(V4, &v4.body);

    // The SOM delivered the service order the domain decomposed.
    let sos = service_orders(&t, &id).await;
    assert_eq!(sos.len(), 1);
    assert_eq!(sos[0]["state"], "completed");
    assert_eq!(sos[0]["serviceOrderItem"].as_array().unwrap().len(), 3);

    // TMF637: the new product, active, realised by the CFS delivered.
    let products = products_of(&t, "CUST-1001").await;
    assert_eq!(products.len(), 1, "{products:?}");
    let p = &products[0];
    assert_eq!(p["status"], "active");
    assert_eq!(p["productOffering"]["id"], "PO-SF200-HOME");
    assert_eq!(p["place"][0]["place"]["id"], "ADDR-AMS-0001");
    let services = services_of(p);
    for cfs in [
        "CFS:GPON-Access",
        "CFS:Internet-Access",
        "CFS:CPE-Management",
    ] {
        assert!(services.contains(&cfs.to_owned()), "{services:?}");
    }
    let pid = p["id"].as_str().unwrap();
    let got = t.get(&format!("{INVENTORY}/{pid}"), AGENT).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["href"], p["href"]);
    assert!(got.body["href"]
        .as_str()
        .unwrap()
        .ends_with(&format!("{INVENTORY}/{pid}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_modify_and_a_cease_update_and_terminate_inventory() {
    let t = fixture_server(20).await;
    let modify = t
        .create(V5, AGENT, &v5_body("QT-MODIFY-SPEED", None))
        .await
        .id();
    let cease = t
        .create(V5, AGENT, &v5_body("QT-CEASE-IPTV", None))
        .await
        .id();
    for id in [&modify, &cease] {
        let o = t.wait_for(V5, id, "completion", finished).await;
        assert_eq!(o["state"], "completed", "{o}");
    }

    // Modify: only internet access changed downstream; the instance has the new speed.
    let sos = service_orders(&t, &modify).await;
    let items = sos[0]["serviceOrderItem"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["action"], "modify");
    let p = t.get(&format!("{INVENTORY}/PRD-100001"), AGENT).await;
    assert_eq!(p.body["status"], "active");
    let speed = p.body["productCharacteristic"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "downloadSpeed")
        .unwrap();
    assert_eq!(
        speed["value"].to_string().trim_matches('"'),
        "500",
        "{}",
        p.body
    );
    // The router (noChange) is untouched and its item completed without service work.
    let router = t.get(&format!("{INVENTORY}/PRD-100002"), AGENT).await;
    assert_eq!(router.body["status"], "active");
    let o = t.get(&format!("{V5}/productOrder/{modify}"), AGENT).await;
    assert_eq!(item(&o.body, "2")["state"], "completed");

    // Cease: the IPTV product is terminated, the broadband stays.
    let tv = t.get(&format!("{INVENTORY}/PRD-100011"), AGENT).await;
    assert_eq!(tv.body["status"], "terminated", "{}", tv.body);
    let bb = t.get(&format!("{INVENTORY}/PRD-100010"), AGENT).await;
    assert_eq!(bb.body["status"], "active");
    let terminated = t
        .get(
            &format!("{INVENTORY}?relatedParty.id=CUST-1012&status=terminated"),
            AGENT,
        )
        .await;
    assert_eq!(terminated.header("x-total-count"), Some("1"));
    assert_eq!(terminated.body[0]["id"], "PRD-100011");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_som_failure_ends_the_order_partial() {
    let t = fixture_server(20).await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-SOM-FAIL-STATIC-IP", None))
        .await
        .id();
    let o = t.wait_for(V5, &id, "its end", finished).await;
    assert_eq!(o["state"], "partial", "{o}");
    assert_eq!(item(&o, "1")["state"], "completed");
    assert_eq!(item(&o, "2")["state"], "completed");
    assert_eq!(item(&o, "3")["state"], "failed");
    let errors = o["productOrderErrorMessage"].as_array().unwrap();
    let failure = errors
        .iter()
        .find(|e| e["code"] == "IP_POOL_EXHAUSTED")
        .unwrap_or_else(|| panic!("{o}"));
    assert_eq!(
        failure["productOrderItem"][0]["productOrderItemId"], "3",
        "{failure}"
    );
    assert_valid_order(V5, &o);
    let v4 = t.get(&format!("{V4}/productOrder/{id}"), AGENT).await;
    assert_eq!(item(&v4.body, "3")["state"], "failed");
    assert!(v4.body["note"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["text"].as_str().unwrap().contains("IP_POOL_EXHAUSTED")));
    // Inventory has what was delivered whole: the fibre and the router, no static IP.
    let offerings: Vec<String> = products_of(&t, "CUST-2002")
        .await
        .iter()
        .filter(|p| p["id"].as_str().unwrap().contains(&id))
        .map(|p| p["productOffering"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(offerings.len(), 2, "{offerings:?}");
    assert!(!offerings.contains(&"PO-STATIC-IP".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_whose_every_item_fails_is_failed() {
    // A test-local copy of the fixtures whose SOM fails GPON access at the happy path's address.
    let dir = tempfile::tempdir().unwrap();
    let source = fixtures().dir().to_path_buf();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let rules = json!({"failures": [{
        "cfs": "CFS:GPON-Access", "address": "ADDR-AMS-0001", "stage": "start",
        "code": "NO_FIBRE_SPLICE", "reason": "no free splice in the street cabinet"
    }]});
    std::fs::write(dir.path().join("som.json"), rules.to_string()).unwrap();

    let t = start(20, Some(dir.path()), Arc::new(FixtureClock::new())).await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();
    let o = t.wait_for(V5, &id, "its end", finished).await;
    assert_eq!(o["state"], "failed", "{o}");
    assert_eq!(item(&o, "1")["state"], "failed");
    assert!(o["productOrderErrorMessage"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["code"] == "NO_FIBRE_SPLICE"));
    assert_eq!(service_orders(&t, &id).await[0]["state"], "failed");
    assert!(products_of(&t, "CUST-1001").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_before_the_point_of_no_return_cancels_the_service_order() {
    let t = fixture_server(700).await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();
    let accepted = t.wait_validated(V5, &id).await;
    assert_eq!(accepted["state"], "inProgress.accepted", "{accepted}");
    // Submitted, but the SOM has not started the (PONR) access yet.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while service_orders(&t, &id).await.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "never submitted");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let a = t
        .post(
            &format!("{V5}/cancelProductOrder"),
            AGENT,
            &json!({"productOrder": {"id": id, "@type": "ProductOrderRef"},
                    "cancellationReason": "moving abroad", "@type": "CancelProductOrder"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(
        a.body["state"], "inProgress",
        "the SOM is asked first: {}",
        a.body
    );
    let request = wait_cancel(&t, &a.id(), |r| r["state"] != "inProgress").await;
    assert_eq!(request["state"], "done", "{request}");
    assert!(request.get("notReversedItem").is_none());

    let o = t.get(&format!("{V5}/productOrder/{id}"), AGENT).await;
    assert_eq!(o.body["state"], "cancelled", "{}", o.body);
    assert_eq!(o.body["cancellationReason"], "moving abroad");
    let sos = service_orders(&t, &id).await;
    assert_eq!(sos[0]["state"], "cancelled", "{}", sos[0]);
    assert!(products_of(&t, "CUST-1001").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_after_the_point_of_no_return_reports_what_carries_on() {
    let t = fixture_server(300).await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-MULTI-DEPENDENCIES", None))
        .await
        .id();
    // Item 1's fibre access (PONR: an engineer is booked) has started.
    let o = t
        .wait_for(V5, &id, "the point of no return", |o| {
            o["productOrderMilestone"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["name"] == "pointOfNoReturn"))
                || finished(o)
        })
        .await;
    assert_eq!(o["state"], "inProgress", "{o}");

    let a = t
        .post(
            &format!("{V5}/cancelProductOrder"),
            AGENT,
            &json!({"productOrder": {"id": id, "@type": "ProductOrderRef"},
                    "cancellationReason": "budget cut", "@type": "CancelProductOrder"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let request = wait_cancel(&t, &a.id(), |r| r["state"] != "inProgress").await;
    assert_eq!(request["state"], "terminatedWithError", "{request}");
    let not_reversed = request["notReversedItem"].as_array().unwrap();
    assert_eq!(not_reversed.len(), 1, "{request}");
    assert_eq!(not_reversed[0]["productOrderItemId"], "1", "{request}");
    assert_eq!(not_reversed[0]["reason"], "pastPointOfNoReturn");

    // The other items are cancelled; item 1 carries on and the order completes.
    let o = t.wait_for(V5, &id, "completion", finished).await;
    assert_eq!(o["state"], "completed", "{o}");
    assert_eq!(item(&o, "1")["state"], "completed");
    for i in ["2", "3", "4"] {
        assert_eq!(item(&o, i)["state"], "cancelled", "item {i}: {o}");
    }
    // Downstream: the first service order was cancelled except the access past its PONR; what
    // item 1 still needed was ordered again.
    let sos = service_orders(&t, &id).await;
    assert_eq!(sos.len(), 2, "{sos:?}");
    let first_items = sos[0]["serviceOrderItem"].as_array().unwrap();
    assert!(first_items.iter().any(|i| i["state"] == "cancelled"));
    assert_eq!(sos[1]["state"], "completed");
    // Inventory: item 1's business fibre, realised by the access and the services re-ordered.
    let products: Vec<Value> = products_of(&t, "CUST-2001")
        .await
        .into_iter()
        .filter(|p| p["id"].as_str().unwrap().contains(&id))
        .collect();
    assert_eq!(products.len(), 1, "{products:?}");
    assert_eq!(products[0]["productOffering"]["id"], "PO-BIZ-FIBRE-1000");
    let services = services_of(&products[0]);
    assert!(
        services.contains(&"CFS:GPON-Access".to_owned()),
        "{services:?}"
    );
    assert!(
        services.contains(&"CFS:Internet-Access".to_owned()),
        "{services:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn milestones_and_jeopardy_alerts_are_recorded() {
    let clock = Arc::new(ShiftClock::new());
    let t = start(400, None, clock.clone()).await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();
    let o = t
        .wait_for(V5, &id, "delivery under way", |o| {
            item(o, "1")["state"] == "inProgress" || finished(o)
        })
        .await;
    assert_eq!(o["state"], "inProgress", "{o}");
    assert!(o["productOrderJeopardyAlert"].is_null(), "{o}");
    // A month passes: the expected completion date is long gone.
    clock.advance(chrono::Duration::days(30));
    let o = t
        .wait_for(V5, &id, "a jeopardy alert", |o| {
            o["productOrderJeopardyAlert"].is_array() || finished(o)
        })
        .await;
    let alerts = o["productOrderJeopardyAlert"]
        .as_array()
        .unwrap_or_else(|| panic!("{o}"));
    let overdue = alerts
        .iter()
        .find(|a| a["name"] == "overdue")
        .unwrap_or_else(|| panic!("{o}"));
    assert_eq!(overdue["jeopardyType"], "Critical");
    assert!(o["productOrderMilestone"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["name"] == "pointOfNoReturn" && m["status"] == "Completed"));
    assert_valid_order(V5, &o);
    // v4 has neither: both are notes there.
    let v4 = t.get(&format!("{V4}/productOrder/{id}"), AGENT).await;
    let notes: Vec<String> = v4.body["note"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap().to_owned())
        .collect();
    assert!(notes.iter().any(|n| n.starts_with("Jeopardy")), "{notes:?}");
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("Milestone pointOfNoReturn")),
        "{notes:?}"
    );
    assert_valid_order(V4, &v4.body);
    let done = t.wait_for(V5, &id, "completion", finished).await;
    assert_eq!(done["state"], "completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_gets_its_work_to_a_new_som() {
    let t = fixture_server(150).await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-MOBILE-SIMO", None))
        .await
        .id();
    t.wait_validated(V5, &id).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while service_orders(&t, &id).await.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "never submitted");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The server stops, and its in-process SOM with it (which forgets everything).
    let mut t = t;
    t.server.take().unwrap().stop().await;
    let t = start_in(t.dir, 20, None, Arc::new(FixtureClock::new())).await;
    let o = t.wait_for(V5, &id, "completion", finished).await;
    assert_eq!(o["state"], "completed", "{o}");
    assert_eq!(
        service_orders(&t, &id).await.len(),
        1,
        "posted again to the new SOM"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_authenticates_and_takes_each_notification_once() {
    let t = fixture_server(20).await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();
    let done = t.wait_for(V5, &id, "completion", finished).await;
    assert_eq!(done["state"], "completed");
    let so = service_orders(&t, &id).await.remove(0);
    let event = json!({
        "eventId": "dup-1", "eventType": "ServiceOrderStateChangeEvent",
        "@type": "ServiceOrderStateChangeEvent", "eventTime": "2026-11-26T10:00:00Z",
        "event": {"serviceOrder": so}
    });
    let url = format!("{LISTENER}/serviceOrderStateChangeEvent");

    let anonymous = support::Answer::of(
        t.request(reqwest::Method::POST, &url, None)
            .json(&event)
            .send()
            .await
            .unwrap(),
    )
    .await;
    anonymous.assert_error(401);
    let forged = support::Answer::of(
        t.request(reqwest::Method::POST, &url, None)
            .basic_auth("som", Some("guessed"))
            .json(&event)
            .send()
            .await
            .unwrap(),
    )
    .await;
    forged.assert_error(401);
    t.post(&url, AGENT, &event).await.assert_error(403);

    // An integration user may report; a repeat (or stale news) changes nothing.
    let before = t.get(&format!("{V5}/productOrder/{id}"), AGENT).await;
    for _ in 0..2 {
        let a = t.post(&url, INTEGRATION, &event).await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
    }
    let after = t.get(&format!("{V5}/productOrder/{id}"), AGENT).await;
    assert_eq!(before.header("etag"), after.header("etag"));

    let mut unknown = event.clone();
    unknown["eventId"] = json!("other");
    unknown["event"]["serviceOrder"]["id"] = json!("SO-nobody-knows");
    t.post(&url, INTEGRATION, &unknown).await.assert_error(404);
    t.post(
        &format!("{LISTENER}/productOrderCreateEvent"),
        INTEGRATION,
        &event,
    )
    .await
    .assert_error(404);
    t.post(
        &url,
        INTEGRATION,
        &json!({"event": {"serviceOrder": {"state": 3}}}),
    )
    .await
    .assert_error(400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_inventory_and_quotes_are_served() {
    let t = fixture_server(1500).await;

    // TMF620 catalog.
    let offerings = t.get(&format!("{CATALOG}/productOffering"), AGENT).await;
    assert_eq!(offerings.status, StatusCode::OK, "{}", offerings.body);
    let total: usize = offerings.header("x-total-count").unwrap().parse().unwrap();
    assert_eq!(total, fixtures().tmf().catalog.product_offering.len());
    assert_eq!(
        offerings.header("x-result-count").unwrap(),
        total.min(20).to_string()
    );
    let launched = t
        .get(
            &format!("{CATALOG}/productOffering?lifecycleStatus=Retired&fields=name"),
            AGENT,
        )
        .await;
    assert_eq!(launched.status, StatusCode::OK);
    assert!(launched
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["id"] == "PO-ADSL-8"));
    assert!(
        launched.body[0].get("lifecycleStatus").is_none(),
        "projected: {}",
        launched.body
    );
    let one = t
        .get(&format!("{CATALOG}/productOffering/PO-SF200-HOME"), AGENT)
        .await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["name"], "SuperFibre 200 Home");
    assert!(one.body["href"]
        .as_str()
        .unwrap()
        .ends_with("/productOffering/PO-SF200-HOME"));
    let spec = t
        .get(
            &format!("{CATALOG}/productSpecification/PS-HOME-BROADBAND"),
            AGENT,
        )
        .await;
    assert_eq!(spec.status, StatusCode::OK);
    let prices = t
        .get(&format!("{CATALOG}/productOfferingPrice?limit=3"), AGENT)
        .await;
    assert_eq!(prices.header("x-result-count"), Some("3"));
    let price_id = prices.body[0]["id"].as_str().unwrap();
    let price = t
        .get(&format!("{CATALOG}/productOfferingPrice/{price_id}"), AGENT)
        .await;
    assert_eq!(price.status, StatusCode::OK);
    for path in [
        "productOffering/PO-NOPE",
        "productSpecification/PS-NOPE",
        "productOfferingPrice/POP-NOPE",
    ] {
        t.get(&format!("{CATALOG}/{path}"), AGENT)
            .await
            .assert_error(404);
    }
    t.get(&format!("{CATALOG}/productOffering?colour=red"), AGENT)
        .await
        .assert_error(400);

    // TMF648 quotes.
    let quotes = t
        .get(&format!("{QUOTES}?relatedParty.id=CUST-1001"), AGENT)
        .await;
    assert_eq!(quotes.status, StatusCode::OK);
    assert_eq!(quotes.header("x-total-count"), Some("1"));
    assert_eq!(quotes.body[0]["id"], "QT-GPON-HAPPY");
    let all = t.get(&format!("{QUOTES}?limit=5&offset=5"), AGENT).await;
    assert_eq!(
        all.header("x-total-count").unwrap(),
        fixtures().quotes().len().to_string()
    );
    assert_eq!(all.header("x-result-count"), Some("5"));
    let q = t.get(&format!("{QUOTES}/QT-CEASE-IPTV"), AGENT).await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(q.body["href"]
        .as_str()
        .unwrap()
        .ends_with("/quoteManagement/v4/quote/QT-CEASE-IPTV"));
    t.get(&format!("{QUOTES}/QT-NOPE"), AGENT)
        .await
        .assert_error(404);

    // TMF637 inventory.
    let sims = t
        .get(
            &format!("{INVENTORY}?relatedParty.id=CUST-1014&status=active&limit=2"),
            AGENT,
        )
        .await;
    assert_eq!(sims.header("x-total-count"), Some("5"));
    assert_eq!(sims.header("x-result-count"), Some("2"));
    let p = t.get(&format!("{INVENTORY}/PRD-100001"), INTEGRATION).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(
        p.body["relatedParty"][0]["partyOrPartyRole"]["id"],
        "CUST-1011"
    );
    t.get(&format!("{INVENTORY}/PRD-NOPE"), AGENT)
        .await
        .assert_error(404);
    t.get(&format!("{INVENTORY}?status=lost"), AGENT)
        .await
        .assert_error(400);
    support::Answer::of(
        t.request(reqwest::Method::GET, INVENTORY, None)
            .send()
            .await
            .unwrap(),
    )
    .await
    .assert_error(401);
}
