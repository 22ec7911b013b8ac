//! productOrder in v4 and v5: create, retrieve, the lifecycle after create, PATCH (merge and
//! JSON Patch), DELETE, optimistic concurrency and idempotent create.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{
    assert_valid_order, ctk_body, v4_body, v5_body, TestServer, AGENT, INTEGRATION, SUPERVISOR, V4,
    V5,
};

/// The conformance kit's mandatory fields, `Location` = `href`, and the schema.
fn assert_created(base: &str, a: &crate::support::Answer) {
    for field in [
        "id",
        "href",
        "orderDate",
        "state",
        "relatedParty",
        "productOrderItem",
    ] {
        assert!(!a.body[field].is_null(), "{field} missing: {}", a.body);
    }
    if base == V5 {
        assert!(a.body["creationDate"].is_string());
        assert_eq!(a.body["creationDate"], a.body["orderDate"]);
    }
    assert_eq!(a.header("location"), a.body["href"].as_str());
    assert!(a.body["href"]
        .as_str()
        .unwrap()
        .contains(&format!("{base}/productOrder/")));
    assert_eq!(a.header("etag"), Some("\"1\""));
    assert_valid_order(base, &a.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_and_retrieve_in_both_versions() {
    let t = TestServer::start().await;
    for (base, body) in [
        (V4, v4_body("QT-GPON-HAPPY", None)),
        (V5, v5_body("QT-GPON-HAPPY", None)),
    ] {
        let a = t.create(base, AGENT, &body).await;
        assert_created(base, &a);
        assert_eq!(a.body["state"], "acknowledged");
        let id = a.id();
        let got = t.get(&format!("{base}/productOrder/{id}"), AGENT).await;
        assert_eq!(got.status, StatusCode::OK);
        for field in [
            "id",
            "href",
            "orderDate",
            "state",
            "relatedParty",
            "productOrderItem",
        ] {
            assert!(!got.body[field].is_null(), "{field}");
        }
        assert!(got.header("etag").is_some());
        assert_valid_order(base, &got.body);
        // The same order reads in the other version too.
        let other = if base == V4 { V5 } else { V4 };
        let across = t.get(&format!("{other}/productOrder/{id}"), AGENT).await;
        assert_eq!(across.status, StatusCode::OK);
        assert_valid_order(other, &across.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lifecycle_moves_on_after_create() {
    let t = TestServer::start_quiet().await;
    let happy = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();
    let declined = t
        .create(V5, AGENT, &v5_body("QT-CREDIT-DECLINE", None))
        .await
        .id();
    let referred = t
        .create(V4, AGENT, &v4_body("QT-CREDIT-REFER", None))
        .await
        .id();
    let deposit = t
        .create(V5, AGENT, &v5_body("QT-CREDIT-DEPOSIT", None))
        .await
        .id();

    let o = t.wait_validated(V5, &happy).await;
    assert_eq!(o["state"], "inProgress.accepted", "{o}");
    assert!(o["expectedCompletionDate"].is_string(), "scheduled: {o}");
    assert_valid_order(V5, &o);
    let v4 = t.get(&format!("{V4}/productOrder/{happy}"), AGENT).await;
    assert_eq!(v4.body["state"], "inProgress");

    let o = t.wait_validated(V5, &declined).await;
    assert_eq!(o["state"], "rejected", "{o}");
    let messages = o["productOrderErrorMessage"].as_array().unwrap();
    assert!(
        messages.iter().any(|m| m["code"] == "CREDIT_DECLINED"),
        "{o}"
    );
    assert_valid_order(V5, &o);
    let v4 = t.get(&format!("{V4}/productOrder/{declined}"), AGENT).await;
    assert_eq!(v4.body["state"], "rejected");
    let notes = v4.body["note"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["text"].as_str().unwrap().contains("CREDIT_DECLINED")),
        "v4 reads the reason as a note: {}",
        v4.body
    );
    assert_valid_order(V4, &v4.body);

    let o = t.wait_validated(V4, &referred).await;
    assert_eq!(o["state"], "held", "{o}");
    assert_valid_order(V4, &o);
    // The held order waits in the desk's queue, and its history names who did what.
    let store = std::sync::Arc::clone(&t.server.as_ref().unwrap().state().store);
    let id = orderdesk_domain::OrderId::new(referred.clone());
    let (entry, versions) = tokio::task::spawn_blocking(move || {
        (
            store.get_queue_entry(&id).unwrap(),
            store.list_versions(&id).unwrap(),
        )
    })
    .await
    .unwrap();
    assert_eq!(entry.kind, orderdesk_domain::desk::QueueKind::Held);
    assert!(entry.reason.unwrap().contains("CREDIT_REFER"));
    let by: Vec<&str> = versions.iter().map(|v| v.by.as_str()).collect();
    assert_eq!(by, vec!["U-AGENT-1", "system"]);
    let o = t.wait_validated(V5, &deposit).await;
    assert_eq!(o["state"], "pending", "{o}");
    assert_valid_order(V5, &o);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_without_an_offering_is_accepted_then_rejected() {
    let t = TestServer::start().await;
    let a = t.create(V4, INTEGRATION, &ctk_body()).await;
    assert_created(V4, &a);
    let o = t.wait_validated(V4, &a.id()).await;
    assert_eq!(o["state"], "rejected", "{o}");
    assert_valid_order(V4, &o);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_orders_are_404() {
    let t = TestServer::start().await;
    for base in [V4, V5] {
        t.get(&format!("{base}/productOrder/nope"), AGENT)
            .await
            .assert_error(404);
        t.send(
            Method::PATCH,
            &format!("{base}/productOrder/nope"),
            AGENT,
            Some(&json!({"priority": "1"})),
        )
        .await
        .assert_error(404);
        t.send(
            Method::DELETE,
            &format!("{base}/productOrder/nope"),
            SUPERVISOR,
            None,
        )
        .await
        .assert_error(404);
    }
}

async fn patch_as(
    t: &TestServer,
    path: &str,
    content_type: &str,
    if_match: Option<&str>,
    body: &Value,
) -> crate::support::Answer {
    let mut r = t
        .request(Method::PATCH, path, Some(AGENT))
        .header("content-type", content_type)
        .body(body.to_string());
    if let Some(tag) = if_match {
        r = r.header("if-match", tag);
    }
    crate::support::Answer::of(r.send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_amends_in_both_versions_and_honours_if_match() {
    let t = TestServer::start().await;
    for base in [V4, V5] {
        // A declined order is finished: wait for a validated, open one instead.
        let id = t
            .create(base, AGENT, &v4_or_v5(base, "QT-CREDIT-REFER"))
            .await
            .id();
        let held = t.wait_validated(base, &id).await;
        assert_eq!(held["state"], "held");
        let path = format!("{base}/productOrder/{id}");
        let current = t.get(&path, AGENT).await;
        let tag = current.header("etag").unwrap().to_owned();

        let a = patch_as(
            &t,
            &path,
            "application/json",
            Some(&tag),
            &json!({"priority": "1"}),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.body["priority"], "1");
        assert_valid_order(base, &a.body);
        let new_tag = a.header("etag").unwrap().to_owned();
        assert_ne!(new_tag, tag);

        // The old ETag is stale now.
        let stale = patch_as(
            &t,
            &path,
            "application/merge-patch+json",
            Some(&tag),
            &json!({"priority": "2"}),
        )
        .await;
        stale.assert_error(412);
        // A note, with the current ETag.
        let noted = patch_as(
            &t,
            &path,
            "application/merge-patch+json",
            Some(&new_tag),
            &json!({"note": [{"text": "customer prefers mornings"}]}),
        )
        .await;
        assert_eq!(noted.status, StatusCode::OK, "{}", noted.body);
        assert!(noted.body["note"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"] == "customer prefers mornings" && n["author"] == "Demo Agent 1"));

        // Server-owned fields are refused by name.
        for (patch, field) in [
            (json!({"state": "completed"}), "state"),
            (json!({"id": "other"}), "id"),
            (json!({"orderDate": "2020-01-01T00:00:00Z"}), "orderDate"),
        ] {
            let a = patch_as(&t, &path, "application/merge-patch+json", None, &patch).await;
            let body = a.assert_error(400);
            assert!(body["message"].as_str().unwrap().contains(field), "{body}");
        }
    }
}

fn v4_or_v5(base: &str, quote: &str) -> Value {
    if base == V4 {
        v4_body(quote, None)
    } else {
        v5_body(quote, None)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v5_takes_json_patch_and_refuses_item_states() {
    let t = TestServer::start().await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-CREDIT-REFER", None))
        .await
        .id();
    t.wait_validated(V5, &id).await;
    let path = format!("{V5}/productOrder/{id}");
    let a = patch_as(
        &t,
        &path,
        "application/json-patch+json",
        None,
        &json!([
            {"op": "test", "path": "/state", "value": "held"},
            {"op": "replace", "path": "/priority", "value": "0"},
            {"op": "add", "path": "/description", "value": "urgent: business customer"}
        ]),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["priority"], "0");
    assert_eq!(a.body["description"], "urgent: business customer");
    assert_valid_order(V5, &a.body);

    let refused = patch_as(
        &t,
        &path,
        "application/json-patch+json",
        None,
        &json!([{"op": "replace", "path": "/productOrderItem/0/state", "value": "completed"}]),
    )
    .await;
    let body = refused.assert_error(400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("productOrderItem[0].state"),
        "{body}"
    );

    let bad_pointer = patch_as(
        &t,
        &path,
        "application/json-patch+json",
        None,
        &json!([{"op": "remove", "path": "/nothing/here"}]),
    )
    .await;
    bad_pointer.assert_error(400);

    // v4 has no JSON Patch.
    let v4 = patch_as(
        &t,
        &format!("{V4}/productOrder/{id}"),
        "application/json-patch+json",
        None,
        &json!([{"op": "replace", "path": "/priority", "value": "0"}]),
    )
    .await;
    v4.assert_error(415);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patching_a_finished_order_is_a_conflict() {
    let t = TestServer::start().await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-CREDIT-DECLINE", None))
        .await
        .id();
    let o = t.wait_validated(V5, &id).await;
    assert_eq!(o["state"], "rejected");
    let a = patch_as(
        &t,
        &format!("{V5}/productOrder/{id}"),
        "application/merge-patch+json",
        None,
        &json!({"priority": "0"}),
    )
    .await;
    a.assert_error(409);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_is_for_supervisors() {
    let t = TestServer::start().await;
    let id = t
        .create(V4, AGENT, &v4_body("QT-GPON-HAPPY", None))
        .await
        .id();
    for base in [V4, V5] {
        t.send(
            Method::DELETE,
            &format!("{base}/productOrder/{id}"),
            AGENT,
            None,
        )
        .await
        .assert_error(403);
    }
    let a = t
        .send(
            Method::DELETE,
            &format!("{V5}/productOrder/{id}"),
            SUPERVISOR,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    t.get(&format!("{V4}/productOrder/{id}"), AGENT)
        .await
        .assert_error(404);
    let id = t
        .create(V5, AGENT, &v5_body("QT-MOBILE-SIMO", None))
        .await
        .id();
    let a = t
        .send(
            Method::DELETE,
            &format!("{V4}/productOrder/{id}"),
            SUPERVISOR,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    t.get(&format!("{V5}/productOrder/{id}"), AGENT)
        .await
        .assert_error(404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_creates_create_nothing() {
    let t = TestServer::start().await;
    // The same externalId from the same channel, in v4 and in v5.
    for (base, body) in [
        (V4, v4_body("QT-GPON-HAPPY", Some("EXT-4-1"))),
        (V5, v5_body("QT-GPON-HAPPY", Some("EXT-5-1"))),
    ] {
        let first = t.create(base, INTEGRATION, &body).await;
        let again = t
            .post(&format!("{base}/productOrder"), INTEGRATION, &body)
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.id(), first.id());
        assert_eq!(again.header("location"), first.header("location"));
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_valid_order(base, &again.body);
    }
    // The same Idempotency-Key, without an external id.
    let body = v5_body("QT-GPON-HAPPY", None);
    let send = || {
        t.request(Method::POST, &format!("{V5}/productOrder"), Some(AGENT))
            .header("idempotency-key", "k-123")
            .json(&body)
            .send()
    };
    let first = crate::support::Answer::of(send().await.unwrap()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = crate::support::Answer::of(send().await.unwrap()).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.id(), first.id());
    // Another user's identical key is another request.
    let other = crate::support::Answer::of(
        t.request(
            Method::POST,
            &format!("{V5}/productOrder"),
            Some(INTEGRATION),
        )
        .header("idempotency-key", "k-123")
        .json(&body)
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(other.status, StatusCode::CREATED);
    assert_ne!(other.id(), first.id());
    let list = t.get(&format!("{V5}/productOrder?limit=100"), AGENT).await;
    assert_eq!(list.header("x-total-count"), Some("4"), "{}", list.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_identical_creates_make_one_order() {
    let t = TestServer::start().await;
    let body = v5_body("QT-GPON-HAPPY", Some("EXT-RACE"));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let http = t.http.clone();
        let url = t.url(&format!("{V5}/productOrder"));
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .bearer_auth(INTEGRATION)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            let v: Value = r.json().await.unwrap();
            (status, v["id"].as_str().unwrap().to_owned())
        }));
    }
    let mut created = 0;
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        let (status, id) = task.await.unwrap();
        created += usize::from(status == StatusCode::CREATED);
        ids.insert(id);
    }
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amendment_of_an_accepted_order_is_validated_again() {
    let t = TestServer::start_quiet().await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();
    let o = t.wait_validated(V5, &id).await;
    assert_eq!(o["state"], "inProgress.accepted");
    let path = format!("{V5}/productOrder/{id}");
    let mut items = o["productOrderItem"].as_array().unwrap().clone();
    items.push(json!({
        "id": "99", "action": "add", "@type": "ProductOrderItem",
        "productOffering": {"id": "PO-DOES-NOT-EXIST", "@type": "ProductOfferingRef"}
    }));
    let a = patch_as(
        &t,
        &path,
        "application/merge-patch+json",
        None,
        &json!({"productOrderItem": items}),
    )
    .await;
    let body = a.assert_error(422);
    assert!(
        body["reason"]
            .as_str()
            .unwrap()
            .contains("PO-DOES-NOT-EXIST"),
        "{body}"
    );
    let unchanged = t.get(&path, AGENT).await;
    assert_eq!(
        unchanged.body["productOrderItem"].as_array().unwrap().len(),
        1
    );
}
