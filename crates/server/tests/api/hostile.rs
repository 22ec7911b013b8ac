//! Malformed and hostile input, and who may do what: every refusal is a 4xx TMF error body;
//! nothing panics, nothing answers 500.

use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

use crate::support::{
    v5_body, Answer, TestServer, AGENT, BACKOFFICE, INTEGRATION, SUPERVISOR, V4, V5,
};

async fn raw(
    t: &TestServer,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Answer {
    let mut r = t.request(method, path, Some(AGENT)).body(body);
    if let Some(ct) = content_type {
        r = r.header("content-type", ct);
    }
    Answer::of(r.send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_are_400_naming_the_field() {
    let t = TestServer::start().await;
    for base in [V4, V5] {
        let path = format!("{base}/productOrder");
        let customer = if base == V4 {
            json!({"id": "CUST-1001", "role": "customer"})
        } else {
            json!({"role": "customer", "partyOrPartyRole": {"id": "CUST-1001", "@type": "PartyRef"}})
        };
        let cases: Vec<(Vec<u8>, Option<&str>)> = vec![
            (b"{".to_vec(), None),
            (b"".to_vec(), None),
            (b"[]".to_vec(), None),
            (b"null".to_vec(), None),
            (
                br#"{"productOrderItem": "nope"}"#.to_vec(),
                Some("productOrderItem"),
            ),
            (
                br#"{"productOrderItem": [{"id": "1", "action": "explode"}]}"#.to_vec(),
                Some("productOrderItem[0].action"),
            ),
            (
                br#"{"productOrderItem": [{"id": 7, "action": "add"}]}"#.to_vec(),
                Some("productOrderItem[0].id"),
            ),
            (
                br#"{"productOrderItem": [{"id": "1", "action": "add", "quantity": "many"}]}"#
                    .to_vec(),
                Some("productOrderItem[0].quantity"),
            ),
            (
                json!({"productOrderItem": [], "relatedParty": [customer.clone()]})
                    .to_string()
                    .into_bytes(),
                Some("productOrderItem"),
            ),
            (
                br#"{"productOrderItem": [{"id": "1", "action": "add"}]}"#.to_vec(),
                Some("relatedParty"),
            ),
            (b"\xff\xfe not utf-8".to_vec(), None),
        ];
        for (body, field) in cases {
            let a = raw(
                &t,
                Method::POST,
                &path,
                Some("application/json"),
                body.clone(),
            )
            .await;
            let err = a.assert_error(400);
            if let Some(field) = field {
                let text = format!("{} {}", err["reason"], err["message"]);
                assert!(
                    text.contains(field),
                    "{}: {err}",
                    String::from_utf8_lossy(&body)
                );
            }
        }
        let priority = json!({"priority": 3});
        let mut body = v5_body("QT-GPON-HAPPY", None);
        body["priority"] = priority["priority"].clone();
        let a = t.post(&path, AGENT, &body).await;
        let err = a.assert_error(400);
        assert!(
            err["message"].as_str().unwrap().contains("priority"),
            "{err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_huge_and_mistyped_requests() {
    let t = TestServer::start().await;
    let path = format!("{V5}/productOrder");
    // Items nested far deeper than any bundle.
    let mut item = json!({"id": "leaf", "action": "add"});
    for i in 0..40 {
        item = json!({"id": format!("n{i}"), "action": "add", "productOrderItem": [item]});
    }
    let a = t
        .post(&path, AGENT, &json!({"productOrderItem": [item]}))
        .await;
    a.assert_error(400);
    // JSON nested past any parser's patience.
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    raw(
        &t,
        Method::POST,
        &path,
        Some("application/json"),
        deep.into_bytes(),
    )
    .await
    .assert_error(400);
    // Over the body limit (1 MiB): announced by Content-Length (refused before any of it is
    // read), or streamed without a length (refused once the limit is passed).
    let announced = raw_post(&t, &path, "Content-Length: 2097152", 0, 0).await;
    assert!(announced.starts_with("HTTP/1.1 413"), "{announced}");
    assert!(announced.contains("\"@type\":\"Error\""), "{announced}");
    let streamed = raw_post(&t, &path, "Transfer-Encoding: chunked", 40, 64 * 1024).await;
    assert!(streamed.starts_with("HTTP/1.1 413"), "{streamed}");
    assert!(streamed.contains("\"@type\":\"Error\""), "{streamed}");
    // Wrong or missing content type.
    for ct in [Some("text/plain"), Some("application/xml"), None] {
        raw(
            &t,
            Method::POST,
            &path,
            ct,
            br#"{"productOrderItem": []}"#.to_vec(),
        )
        .await
        .assert_error(415);
    }
}

/// POSTs over a raw connection with `framing` (a Content-Length or Transfer-Encoding header)
/// and, when `chunks` > 0, that many chunks of `size` spaces; returns what the server answered.
/// The answer is read while the body is still being written: the server may refuse and close
/// before the client is done.
async fn raw_post(t: &TestServer, path: &str, framing: &str, chunks: usize, size: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = t.base.trim_start_matches("http://").to_owned();
    let tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut read, mut write) = tcp.into_split();
    let reader = tokio::spawn(async move {
        let mut answer = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            let next = tokio::time::timeout(Duration::from_secs(10), read.read(&mut buf)).await;
            match next {
                Ok(Ok(n)) if n > 0 => {
                    answer.extend_from_slice(&buf[..n]);
                    if String::from_utf8_lossy(&answer).contains("\"@type\":\"Error\"") {
                        break;
                    }
                }
                _ => break,
            }
        }
        String::from_utf8_lossy(&answer).into_owned()
    });
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {AGENT}\r\n\
         Content-Type: application/json\r\n{framing}\r\n\r\n"
    );
    write.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("{size:x}\r\n{}\r\n", " ".repeat(size));
    for _ in 0..chunks {
        if write.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    if chunks > 0 {
        let _ = write.write_all(b"0\r\n\r\n").await;
    }
    reader.await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_filters_are_values_or_400s() {
    let t = TestServer::start().await;
    t.create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None)).await;
    for base in [V4, V5] {
        for query in [
            "relatedParty.id=%27%20OR%201%3D1%20--",
            "id=1%27%3B%20DROP%20TABLE%20orders%3B%20--",
            "externalId=%22%29%20OR%20%28%221%22%3D%221",
            "productOrderItem.productOffering.id=x%27%20UNION%20SELECT%20*%20FROM%20reference%20--",
        ] {
            let a = t.get(&format!("{base}/productOrder?{query}"), AGENT).await;
            assert_eq!(a.status, StatusCode::OK, "{query}: {}", a.body);
            assert_eq!(a.body, json!([]), "{query}");
            assert_eq!(a.header("x-total-count"), Some("0"));
        }
        for query in [
            "state=held%27%20OR%20%271%27%3D%271",
            "priority=1%20OR%201%3D1",
            "orderDate.gt=2020%27--",
            "1%3D1=1",
            "state%3Dheld%20OR%201%3D1=x",
            "sort=orderDate%3B%20DROP%20TABLE%20orders",
            "limit=1%3B%20DROP%20TABLE%20orders",
            "relatedParty.id=%ZZ",
        ] {
            t.get(&format!("{base}/productOrder?{query}"), AGENT)
                .await
                .assert_error(400);
        }
    }
    // The table is still there.
    let a = t.get(&format!("{V5}/productOrder"), AGENT).await;
    assert_eq!(a.header("x-total-count"), Some("1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_and_methods_are_tmf_errors() {
    let t = TestServer::start().await;
    for path in [
        "/nope",
        "/tmf-api/productOrderingManagement/v3/productOrder",
        &format!("{V5}/productOrders"),
    ] {
        let a = Answer::of(
            t.request(Method::GET, path, Some(AGENT))
                .send()
                .await
                .unwrap(),
        )
        .await;
        a.assert_error(404);
    }
    for (method, path) in [
        (Method::PUT, format!("{V5}/productOrder/x")),
        (Method::DELETE, format!("{V4}/productOrder")),
        (Method::PATCH, format!("{V5}/cancelProductOrder/x")),
        (Method::GET, format!("{V5}/hub")),
    ] {
        let a = Answer::of(
            t.request(method.clone(), &path, Some(AGENT))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        a.assert_error(405);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_roles() {
    let t = TestServer::start().await;
    let path = format!("{V5}/productOrder");
    let none = Answer::of(t.request(Method::GET, &path, None).send().await.unwrap()).await;
    none.assert_error(401);
    assert_eq!(none.header("www-authenticate"), Some("Bearer"));
    for token in ["nope", "", "demo-agent-1 extra"] {
        let a = Answer::of(
            t.request(Method::GET, &path, Some(token))
                .send()
                .await
                .unwrap(),
        )
        .await;
        a.assert_error(401);
    }
    let basic = Answer::of(
        t.request(Method::GET, &path, None)
            .header("authorization", "Basic ZGVtbzpkZW1v")
            .send()
            .await
            .unwrap(),
    )
    .await;
    basic.assert_error(401);
    // Every role reads and creates.
    for token in [AGENT, BACKOFFICE, SUPERVISOR, INTEGRATION] {
        assert_eq!(t.get(&path, token).await.status, StatusCode::OK);
    }
    // Only supervisors delete; only integrations and supervisors manage hubs.
    let id = t
        .create(V5, BACKOFFICE, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();
    for token in [AGENT, BACKOFFICE, INTEGRATION] {
        t.send(Method::DELETE, &format!("{path}/{id}"), token, None)
            .await
            .assert_error(403);
    }
    for token in [AGENT, BACKOFFICE] {
        t.post(
            &format!("{V4}/hub"),
            token,
            &json!({"callback": "http://127.0.0.1:9/x"}),
        )
        .await
        .assert_error(403);
    }
    // The unauthenticated root and document.
    let root = Answer::of(t.request(Method::GET, "/", None).send().await.unwrap()).await;
    assert_eq!(root.status, StatusCode::OK);
    assert!(root.body["openapi"]
        .as_str()
        .unwrap()
        .ends_with("/openapi.json"));
}
