//! `GET /orderdesk/v1/orders/{id}/progress`: a provide order worked by the SOM simulator shows
//! its service items and their states, its milestones and a timeline of its versions; a
//! cancelled order shows what was reversed; any desk role may read it; unknown ids and tokens
//! get TMF error bodies.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{v5_body, Answer, TestServer, AGENT, BACKOFFICE, SUPERVISOR, V5};

fn progress_path(id: &str) -> String {
    format!("/orderdesk/v1/orders/{id}/progress")
}

fn finished(o: &Value) -> bool {
    matches!(
        o["state"].as_str(),
        Some("completed" | "failed" | "partial" | "cancelled" | "rejected" | "held")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fulfilled_provide_shows_its_service_items_and_their_states() {
    let dir = tempfile::tempdir().unwrap();
    let t = TestServer::start_with(dir, |c| c.som_step_ms = 20).await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();
    let done = t.wait_for(V5, &id, "completion", finished).await;
    assert_eq!(done["state"], "completed", "{done}");

    // The SOM reports each service item, then its service order: the order can be completed a
    // moment before the last service order's own state arrives.
    t.poll(&progress_path(&id), "every service order completed", |p| {
        p["items"].as_array().is_some_and(|items| {
            items.iter().all(|i| {
                i["serviceItems"]
                    .as_array()
                    .is_some_and(|s| s.iter().all(|s| s["serviceOrderState"] == "completed"))
            })
        })
    })
    .await;
    let a = t.get(&progress_path(&id), AGENT).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let p = &a.body;
    assert_eq!(p["orderId"], id.as_str());
    assert_eq!(p["state"], "completed");
    assert_eq!(
        a.header("etag"),
        Some(format!("\"{}\"", p["version"]).as_str())
    );

    let items = p["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{p}");
    let item = &items[0];
    assert_eq!(item["itemId"], "1");
    assert_eq!(item["action"], "add");
    assert_eq!(item["offeringId"], "PO-SF200-HOME");
    assert!(
        item["offeringName"].as_str().is_some_and(|n| !n.is_empty()),
        "{item}"
    );
    assert_eq!(item["state"], "completed");
    assert!(item["pointOfNoReturn"].is_string(), "{item}");

    // The decomposition: access, internet and CPE management, each delivered by the SOM.
    let services = item["serviceItems"].as_array().unwrap();
    let mut cfs: Vec<&str> = services
        .iter()
        .map(|s| s["cfs"].as_str().unwrap())
        .collect();
    cfs.sort_unstable();
    assert_eq!(
        cfs,
        [
            "CFS:CPE-Management",
            "CFS:GPON-Access",
            "CFS:Internet-Access"
        ],
        "{p}"
    );
    for s in services {
        assert_eq!(s["state"], "completed", "{s}");
        assert_eq!(s["action"], "add", "{s}");
        assert_eq!(s["serviceOrderState"], "completed", "{s}");
        assert!(s["serviceOrderId"].as_str().is_some_and(|i| !i.is_empty()));
        assert!(s["errorMessage"].is_null(), "{s}");
    }
    let access = services
        .iter()
        .find(|s| s["cfs"] == "CFS:GPON-Access")
        .unwrap();
    assert_eq!(access["pointOfNoReturn"], true, "{access}");

    // The PONR milestone, on the item.
    let milestones = p["milestones"].as_array().unwrap();
    let ponr = milestones
        .iter()
        .find(|m| m["name"] == "pointOfNoReturn")
        .unwrap_or_else(|| panic!("no PONR milestone: {p}"));
    assert_eq!(ponr["itemIds"], json!(["1"]));

    // The timeline: every version, oldest first, the first one the agent's create.
    let versions = t
        .get(&format!("/orderdesk/v1/orders/{id}/versions"), SUPERVISOR)
        .await;
    let timeline = p["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), versions.body.as_array().unwrap().len());
    assert_eq!(timeline[0]["kind"], "created");
    assert_eq!(timeline[0]["by"]["id"], "U-AGENT-1");
    assert!(timeline
        .windows(2)
        .all(|w| w[0]["version"].as_u64() < w[1]["version"].as_u64()));
    assert!(
        timeline
            .iter()
            .any(|e| e["kind"] == "lifecycle" && e["title"] == "Item 1 completed"),
        "{p}"
    );
    assert!(p["cancellation"].is_null());

    // Any desk role reads it.
    for token in [BACKOFFICE, SUPERVISOR] {
        let other = t.get(&progress_path(&id), token).await;
        assert_eq!(other.status, StatusCode::OK, "{}", other.body);
        assert_eq!(other.body["items"], p["items"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_order_shows_what_was_reversed() {
    let t = TestServer::start_quiet().await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();
    t.wait_validated(V5, &id).await;
    let a = t
        .post(
            &format!("{V5}/cancelProductOrder"),
            AGENT,
            &json!({
                "@type": "CancelProductOrder",
                "productOrder": {"id": id, "@type": "ProductOrderRef"},
                "cancellationReason": "customer withdrew"
            }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);

    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    let p = loop {
        let p = t.get(&progress_path(&id), AGENT).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        if p.body["cancellation"]["state"] == "done" {
            break p.body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "cancellation never done: {}",
            p.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    };
    assert_eq!(p["state"], "cancelled", "{p}");
    let c = &p["cancellation"];
    assert_eq!(c["reason"], "customer withdrew");
    assert!(c["requestedAt"].is_string());
    assert_eq!(c["notReversed"], json!([]));
    let reversed: Vec<&str> = c["reversed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(reversed.contains(&"1"), "{p}");
    // Every service item is cancelled, and listed as reversed.
    for s in p["items"][0]["serviceItems"].as_array().unwrap() {
        assert_eq!(s["state"], "cancelled", "{s}");
        assert!(reversed.contains(&s["id"].as_str().unwrap()), "{p}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_orders_and_tokens_are_refused() {
    let t = TestServer::start_quiet().await;
    t.get(&progress_path("no-such-order"), AGENT)
        .await
        .assert_error(404);
    t.get(&progress_path("no-such-order"), "no-such-token")
        .await
        .assert_error(401);
    let none = Answer::of(
        t.request(Method::GET, &progress_path("x"), None)
            .send()
            .await
            .unwrap(),
    )
    .await;
    none.assert_error(401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_item_the_som_fails_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let t = TestServer::start_with(dir, |c| c.som_step_ms = 20).await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-SOM-FAIL-STATIC-IP", None))
        .await
        .id();
    let o = t.wait_for(V5, &id, "its end", finished).await;
    assert_eq!(o["state"], "partial", "{o}");

    let p = t.get(&progress_path(&id), AGENT).await.body;
    assert_eq!(p["state"], "partial");
    let items = p["items"].as_array().unwrap();
    let failed = items.iter().find(|i| i["itemId"] == "3").unwrap();
    assert_eq!(failed["state"], "failed", "{p}");
    let static_ip = failed["serviceItems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["cfs"] == "CFS:Static-IP")
        .unwrap_or_else(|| panic!("no static IP service item: {p}"));
    assert_eq!(static_ip["state"], "failed");
    assert!(
        static_ip["errorMessage"]
            .as_str()
            .is_some_and(|m| m.starts_with("IP_POOL_EXHAUSTED: ")),
        "{static_ip}"
    );
    // The items delivered whole carry no error.
    for item in items.iter().filter(|i| i["itemId"] != "3") {
        assert_eq!(item["state"], "completed", "{item}");
        for s in item["serviceItems"].as_array().unwrap() {
            assert!(s["errorMessage"].is_null(), "{s}");
        }
    }
}
