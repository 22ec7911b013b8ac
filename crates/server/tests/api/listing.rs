//! TMF630 lists of product orders in v4 and v5: filters (equality, comma OR, ranges, dotted
//! attributes), sort, `fields`, paging headers.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{assert_valid_order, v4_body, v5_body, TestServer, AGENT, V4, V5};

async fn ids(t: &TestServer, path: &str) -> (Vec<String>, crate::support::Answer) {
    let a = t.get(path, AGENT).await;
    assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.body);
    let ids = a
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, a)
}

/// Five validated orders: three accepted, one rejected, one held.
async fn five_orders(t: &TestServer) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (quote, state) in [
        ("QT-GPON-HAPPY", "inProgress.accepted"),
        ("QT-CREDIT-DECLINE", "rejected"),
        ("QT-MOBILE-SIMO", "inProgress.accepted"),
        ("QT-CREDIT-REFER", "held"),
        ("QT-BUNDLE-TRIPLE", "inProgress.accepted"),
    ] {
        let id = t.create(V5, AGENT, &v5_body(quote, None)).await.id();
        let o = t.wait_validated(V5, &id).await;
        assert_eq!(o["state"], state, "{quote}: {o}");
        out.push((id, state));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_sort_fields_and_paging() {
    let t = TestServer::start_quiet().await;
    let orders = five_orders(&t).await;

    for base in [V4, V5] {
        let (all, a) = ids(&t, &format!("{base}/productOrder")).await;
        assert_eq!(all.len(), 5);
        assert_eq!(a.header("x-total-count"), Some("5"));
        assert_eq!(a.header("x-result-count"), Some("5"));
        for order in a.body.as_array().unwrap() {
            assert_valid_order(base, order);
        }
        // Newest first by default.
        assert_eq!(all[0], orders[4].0);

        let (page, a) = ids(
            &t,
            &format!("{base}/productOrder?offset=1&limit=2&sort=orderDate"),
        )
        .await;
        assert_eq!(page, vec![orders[1].0.clone(), orders[2].0.clone()]);
        assert_eq!(a.header("x-total-count"), Some("5"));
        assert_eq!(a.header("x-result-count"), Some("2"));

        let (rejected, _) = ids(&t, &format!("{base}/productOrder?state=rejected")).await;
        assert_eq!(rejected, vec![orders[1].0.clone()]);
        let (either, a) = ids(
            &t,
            &format!("{base}/productOrder?state=rejected,held&sort=orderDate"),
        )
        .await;
        assert_eq!(either, vec![orders[1].0.clone(), orders[3].0.clone()]);
        assert_eq!(a.header("x-total-count"), Some("2"));

        let (held_items, _) = ids(
            &t,
            &format!("{base}/productOrder?productOrderItem.state=held"),
        )
        .await;
        assert_eq!(held_items, vec![orders[3].0.clone()]);

        let (future, _) = ids(&t, &format!("{base}/productOrder?orderDate.gt=2100-01-01")).await;
        assert!(future.is_empty());
        let (past, _) = ids(
            &t,
            &format!("{base}/productOrder?orderDate.lte=2100-01-01T00:00:00Z"),
        )
        .await;
        assert_eq!(past.len(), 5);

        let (mine, _) = ids(
            &t,
            &format!("{base}/productOrder?relatedParty.id=CUST-1001&relatedParty.role=customer"),
        )
        .await;
        assert_eq!(
            mine,
            vec![orders[0].0.clone()],
            "the GPON order is CUST-1001's"
        );

        let (fields, a) = ids(
            &t,
            &format!("{base}/productOrder?fields=state,productOrderItem.state&limit=1"),
        )
        .await;
        assert_eq!(fields.len(), 1);
        let o = &a.body[0];
        let mut keys: Vec<&String> = o.as_object().unwrap().keys().collect();
        keys.sort();
        let expected: Vec<&str> = if base == V5 {
            vec!["@type", "href", "id", "productOrderItem", "state"]
        } else {
            vec!["href", "id", "productOrderItem", "state"]
        };
        assert_eq!(keys, expected, "{o}");
        assert!(o["productOrderItem"][0]
            .as_object()
            .unwrap()
            .keys()
            .eq(["state"].iter()));
    }

    // v4 reads `inProgress` as its own: the v5 `inProgress.accepted` orders included.
    let (v4_in_progress, _) = ids(&t, &format!("{V4}/productOrder?state=inProgress")).await;
    assert_eq!(v4_in_progress.len(), 3);
    let (v5_in_progress, _) = ids(&t, &format!("{V5}/productOrder?state=inProgress")).await;
    assert!(v5_in_progress.is_empty());
    let (v5_accepted, _) = ids(&t, &format!("{V5}/productOrder?state=inProgress.accepted")).await;
    assert_eq!(v5_accepted.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn descending_sort_and_limits() {
    let t = TestServer::start().await;
    let mut created = Vec::new();
    for _ in 0..3 {
        created.push(
            t.create(V4, AGENT, &v4_body("QT-GPON-HAPPY", None))
                .await
                .id(),
        );
    }
    let (desc, _) = ids(&t, &format!("{V4}/productOrder?sort=-orderDate,id")).await;
    let mut expected = created.clone();
    expected.reverse();
    assert_eq!(desc, expected);
    let (none, a) = ids(&t, &format!("{V4}/productOrder?limit=0")).await;
    assert!(none.is_empty());
    assert_eq!(a.header("x-total-count"), Some("3"));
    let (capped, _) = ids(&t, &format!("{V4}/productOrder?limit=100000")).await;
    assert_eq!(capped.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_queries_are_400_naming_the_attribute() {
    let t = TestServer::start().await;
    t.create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None)).await;
    for (query, named) in [
        ("colour=red", "colour"),
        ("sort=-colour", "sort"),
        ("limit=-5", "limit"),
        ("offset=abc", "offset"),
        ("state=exploded", "state"),
        ("orderDate.gt=yesterday", "orderDate"),
        ("state.gt=held", "state"),
        ("relatedParty.name=x", "relatedParty.name"),
    ] {
        for base in [V4, V5] {
            let a = t.get(&format!("{base}/productOrder?{query}"), AGENT).await;
            let body: &Value = a.assert_error(400);
            let text = format!("{} {}", body["reason"], body["message"]);
            assert!(text.contains(named), "{query}: {body}");
        }
    }
}
