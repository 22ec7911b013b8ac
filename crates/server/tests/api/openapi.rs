//! The served OpenAPI document, against the live router: every documented operation is routed
//! (never the router's "no such resource" 404 nor a 405), and the document is the one the code
//! builds.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{Answer, TestServer, SUPERVISOR};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_served() {
    let t = TestServer::start().await;
    let doc = Answer::of(
        t.request(Method::GET, "/openapi.json", None)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body, orderdesk_server::openapi::document().unwrap());
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc.body["paths"].as_object().unwrap();
    assert!(paths.len() >= 12, "{:?}", paths.keys());
    let mut probed = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "no-such-id");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut r = t.request(method.clone(), &concrete, Some(SUPERVISOR));
            if matches!(method, Method::POST | Method::PATCH) {
                r = r.header("content-type", "application/json").body("{}");
            }
            let a = Answer::of(r.send().await.unwrap()).await;
            assert_ne!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_ne!(a.status.as_u16(), 500, "{method} {path}: {}", a.body);
            if a.status == StatusCode::NOT_FOUND {
                assert_ne!(
                    a.body["code"],
                    Value::from("noSuchResource"),
                    "{method} {path} is not routed"
                );
            }
            probed += 1;
        }
    }
    assert!(probed >= 20, "only {probed} operations probed");
}
