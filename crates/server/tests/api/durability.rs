//! What survives a stop: a restart on the same data dir keeps everything, and the real binary
//! killed with SIGKILL during a burst of creates loses no order it answered 201 for.

use reqwest::StatusCode;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{v4_body, v5_body, TestServer, AGENT, SUPERVISOR, V4, V5};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_everything() {
    let t = TestServer::start().await;
    let a = t
        .create(V4, AGENT, &v4_body("QT-GPON-HAPPY", Some("EXT-KEEP")))
        .await
        .id();
    let b = t
        .create(V5, AGENT, &v5_body("QT-CREDIT-REFER", None))
        .await
        .id();
    let held = t.wait_validated(V5, &b).await;
    assert_eq!(held["state"], "held");
    let cancel = t
        .post(
            &format!("{V5}/cancelProductOrder"),
            AGENT,
            &json!({"productOrder": {"id": b, "@type": "ProductOrderRef"}}),
        )
        .await;
    assert_eq!(cancel.status, StatusCode::CREATED, "{}", cancel.body);
    // Wait for the cancellation to conclude, so that nothing moves across the restart.
    t.wait_for(V5, &b, "cancelled", |o| o["state"] == "cancelled")
        .await;
    let before = t.get(&format!("{V5}/productOrder/{b}"), AGENT).await;

    let t = t.restart().await;
    let after = t.get(&format!("{V5}/productOrder/{b}"), AGENT).await;
    assert_eq!(after.status, StatusCode::OK);
    let without_href = |mut v: serde_json::Value| {
        // The href names the new port.
        v.as_object_mut().unwrap().remove("href");
        v
    };
    assert_eq!(
        without_href(after.body.clone()),
        without_href(before.body.clone())
    );
    assert_eq!(after.header("etag"), before.header("etag"));
    // The order left acknowledged before the stop is validated after the start at the latest.
    let o = t.wait_validated(V4, &a).await;
    assert_ne!(o["state"], "acknowledged");
    let c = t
        .get(&format!("{V5}/cancelProductOrder/{}", cancel.id()), AGENT)
        .await;
    assert_eq!(c.status, StatusCode::OK);
    // The external id is still known: a replay creates nothing.
    let again = t
        .post(
            &format!("{V4}/productOrder"),
            AGENT,
            &v4_body("QT-GPON-HAPPY", Some("EXT-KEEP")),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.id(), a);
    let list = t.get(&format!("{V4}/productOrder"), SUPERVISOR).await;
    assert_eq!(list.header("x-total-count"), Some("2"));
}

/// Starts the binary and reads its `listening on` line.
fn spawn_binary(dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_orderdesk-server"))
        .args(["--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .arg("--demo")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(!url.ends_with(":0"), "the bound port is printed: {url}");
    (child, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_burst_loses_no_acknowledged_order() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = spawn_binary(dir.path());
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let answered = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let (http, url) = (http.clone(), url.clone());
        let (acknowledged, answered) = (Arc::clone(&acknowledged), Arc::clone(&answered));
        tasks.push(tokio::spawn(async move {
            for n in 0..40 {
                let body = v5_body("QT-MOBILE-SIMO", Some(&format!("BURST-{worker}-{n}")));
                let sent = http
                    .post(format!("{url}{V5}/productOrder"))
                    .bearer_auth("demo-integration-web")
                    .json(&body)
                    .send()
                    .await;
                let Ok(response) = sent else { return };
                if response.status() != StatusCode::CREATED {
                    return;
                }
                let Ok(order) = response.json::<serde_json::Value>().await else {
                    return;
                };
                acknowledged
                    .lock()
                    .unwrap()
                    .push(order["id"].as_str().unwrap().to_owned());
                answered.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    // Kill it mid-burst: after some creates were acknowledged, while others are in flight.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while answered.load(Ordering::SeqCst) < 100 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the burst never got going"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for task in tasks {
        task.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 100);
    assert!(
        acknowledged.len() < 16 * 40,
        "the kill came after the burst ended"
    );

    let (mut child, url) = spawn_binary(dir.path());
    let mut missing = Vec::new();
    for id in &acknowledged {
        let r = http
            .get(format!("{url}{V4}/productOrder/{id}"))
            .bearer_auth(AGENT)
            .send()
            .await
            .unwrap();
        if r.status() != StatusCode::OK {
            missing.push(id.clone());
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        missing.is_empty(),
        "lost {} of {} acknowledged orders: {missing:?}",
        missing.len(),
        acknowledged.len()
    );
}
