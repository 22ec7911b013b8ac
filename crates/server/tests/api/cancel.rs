//! cancelProductOrder in v4 and v5: an accepted cancellation, a refused one (visible on GET),
//! a stale `If-Match`, lists.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{
    assert_valid, assert_valid_order, v4_body, v4_schema, v5_body, v5_schema, Answer, TestServer,
    AGENT, V4, V5,
};

/// Polls a cancel request (at most 30 s) until it is in `state`.
async fn wait_cancel(t: &TestServer, id: &str, state: &str) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let a = t.get(&format!("{V5}/cancelProductOrder/{id}"), AGENT).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        if a.body["state"] == state {
            return a.body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "cancel request {id} never got {state}: {}",
            a.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_order_is_cancelled() {
    let t = TestServer::start().await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();
    let o = t.wait_validated(V5, &id).await;
    assert!(
        o["state"].as_str().unwrap().starts_with("inProgress"),
        "{o}"
    );

    let a = t
        .post(
            &format!("{V5}/cancelProductOrder"),
            AGENT,
            &json!({
                "@type": "CancelProductOrder",
                "productOrder": {"id": id, "@type": "ProductOrderRef"},
                "cancellationReason": "customer moved abroad"
            }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_valid(v5_schema("CancelProductOrder"), &a.body, "v5 cancel");
    // Accepted: `inProgress` while the SOM reverses its service orders (or `done` at once
    // when nothing downstream had started).
    assert!(
        matches!(a.body["state"].as_str(), Some("inProgress" | "done")),
        "{}",
        a.body
    );
    assert_eq!(a.header("location"), a.body["href"].as_str());
    let cancel_id = a.id();
    wait_cancel(&t, &cancel_id, "done").await;

    let order = t.get(&format!("{V5}/productOrder/{id}"), AGENT).await;
    assert_eq!(order.body["state"], "cancelled", "{}", order.body);
    assert_eq!(order.body["cancellationReason"], "customer moved abroad");
    assert_valid_order(V5, &order.body);

    for base in [V4, V5] {
        let got = t
            .get(&format!("{base}/cancelProductOrder/{cancel_id}"), AGENT)
            .await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.body["state"], "done");
        if base == V4 {
            assert_valid(v4_schema("CancelProductOrder"), &got.body, "v4 cancel");
        } else {
            assert_valid(v5_schema("CancelProductOrder"), &got.body, "v5 cancel");
        }
        let list = t
            .get(
                &format!("{base}/cancelProductOrder?productOrder.id={id}"),
                AGENT,
            )
            .await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.header("x-total-count"), Some("1"));
        assert_eq!(list.body[0]["id"], cancel_id.as_str());
    }
    // A second cancel of the now cancelled order is refused.
    let again = t
        .post(
            &format!("{V4}/cancelProductOrder"),
            AGENT,
            &json!({"productOrder": {"id": id}}),
        )
        .await;
    again.assert_error(409);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_order_cannot_be_cancelled_and_the_request_says_why() {
    let t = TestServer::start().await;
    let id = t
        .create(V4, AGENT, &v4_body("QT-CREDIT-DECLINE", None))
        .await
        .id();
    let o = t.wait_validated(V4, &id).await;
    assert_eq!(o["state"], "rejected");
    let a = t
        .post(
            &format!("{V4}/cancelProductOrder"),
            AGENT,
            &json!({"productOrder": {"id": id}, "cancellationReason": "changed my mind"}),
        )
        .await;
    let body = a.assert_error(409);
    assert!(
        body["reason"].as_str().unwrap().contains("rejected"),
        "{body}"
    );
    let href = body["referenceError"].as_str().unwrap().to_owned();
    let path = href
        .split_once("/tmf-api")
        .map(|(_, p)| format!("/tmf-api{p}"))
        .unwrap();
    let got = t.get(&path, AGENT).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(
        got.body["state"], "terminatedWithError",
        "v4 has no `rejected`"
    );
    assert!(got.body["stateReason"]
        .as_str()
        .unwrap()
        .contains("rejected"));
    assert_valid(
        v4_schema("CancelProductOrder"),
        &got.body,
        "v4 refused cancel",
    );
    let v5 = t.get(&path.replace("/v4/", "/v5/"), AGENT).await;
    assert_eq!(v5.body["state"], "rejected");
    assert_valid(
        v5_schema("CancelProductOrder"),
        &v5.body,
        "v5 refused cancel",
    );
    // The order is untouched.
    let order = t.get(&format!("{V4}/productOrder/{id}"), AGENT).await;
    assert_eq!(order.body["state"], "rejected");
    let refused = t
        .get(&format!("{V5}/cancelProductOrder?state=rejected"), AGENT)
        .await;
    assert_eq!(refused.header("x-total-count"), Some("1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_honours_if_match_and_knows_its_orders() {
    let t = TestServer::start().await;
    let created = t.create(V5, AGENT, &v5_body("QT-CREDIT-REFER", None)).await;
    let id = created.id();
    let held = t.wait_validated(V5, &id).await;
    assert_eq!(held["state"], "held");
    // Version 1 was the create; validation made version 2.
    let stale = Answer::of(
        t.request(
            Method::POST,
            &format!("{V5}/cancelProductOrder"),
            Some(AGENT),
        )
        .header("if-match", "\"1\"")
        .json(&json!({"productOrder": {"id": id, "@type": "ProductOrderRef"}}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    stale.assert_error(412);
    let order = t.get(&format!("{V5}/productOrder/{id}"), AGENT).await;
    assert_eq!(
        order.body["state"], "held",
        "a refused precondition changes nothing"
    );

    let current = order.header("etag").unwrap().to_owned();
    let ok = Answer::of(
        t.request(
            Method::POST,
            &format!("{V5}/cancelProductOrder"),
            Some(AGENT),
        )
        .header("if-match", current)
        .json(&json!({"productOrder": {"id": id, "@type": "ProductOrderRef"}}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);

    t.post(
        &format!("{V5}/cancelProductOrder"),
        AGENT,
        &json!({"productOrder": {"id": "no-such-order", "@type": "ProductOrderRef"}}),
    )
    .await
    .assert_error(404);
    t.get(&format!("{V4}/cancelProductOrder/nope"), AGENT)
        .await
        .assert_error(404);
    t.post(
        &format!("{V5}/cancelProductOrder"),
        AGENT,
        &json!({"productOrder": {}}),
    )
    .await
    .assert_error(400);
}
