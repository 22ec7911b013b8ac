//! The desk against the real server on 127.0.0.1 (in-process, temp data dirs): signing in
//! through `/orderdesk/v1/me`, then capturing while the server is down and seeing each order
//! created exactly once when it is back, tied to its local order. The cross-crate scenarios
//! (conflicts, rejections, restarts mid-drain) live in the workspace's `tests/`.

// Test helpers may fail loudly: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use orderdesk_desk::clock::{Clock, OffsetClock, UuidIds};
use orderdesk_desk::{Desk, DeskConfig, Role};
use orderdesk_fixtures::{ExpectedDecision, Fixtures};
use orderdesk_server::Config;
use orderdesk_store::local::SyncStatusKind;
use orderdesk_sync::decide::Backoff;
use orderdesk_sync::EngineConfig;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

async fn server(port: u16, dir: &std::path::Path) -> orderdesk_server::RunningServer {
    let mut c = Config::new(dir);
    c.demo = true;
    c.addr = format!("127.0.0.1:{port}");
    c.som_step_ms = 10 * 60 * 1000;
    orderdesk_server::start(c).await.unwrap()
}

fn desk_config(data: &std::path::Path, port: u16, token: &str) -> DeskConfig {
    let mut c = DeskConfig::new(data, format!("http://127.0.0.1:{port}"), token);
    c.request_timeout = Duration::from_secs(3);
    c.engine = EngineConfig {
        backoff: Backoff {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(400),
        },
        reconnect: Backoff {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(300),
        },
        poll_interval: Duration::from_millis(200),
        shutdown_grace: Duration::from_secs(1),
        ..EngineConfig::default()
    };
    c
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(OffsetClock::starting_at(
        Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap(),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_captures_reach_the_server_exactly_once_and_stay_one_order() {
    let port = free_port();
    let data = tempfile::tempdir().unwrap();
    let first_server = tempfile::tempdir().unwrap();

    // First sign-in needs the server: the role comes from it.
    let running = server(port, first_server.path()).await;
    let desk = Desk::open(
        desk_config(data.path(), port, "demo-agent-1"),
        clock(),
        Box::new(UuidIds),
    )
    .await
    .unwrap();
    assert_eq!(desk.session().role, Role::Agent);
    assert_eq!(desk.session().user_id.as_str(), "U-AGENT-1");
    desk.close().await;
    drop(desk);
    running.stop().await;

    // Offline: the profile opens with the same role; captures wait in the outbox.
    let mut offline = desk_config(data.path(), port, "demo-agent-1");
    offline.start_sync = false;
    let desk = Desk::open(offline, clock(), Box::new(UuidIds))
        .await
        .unwrap();
    let fixtures = Fixtures::load_default().unwrap();
    let quotes: Vec<String> = fixtures
        .scenarios()
        .iter()
        .filter(|s| s.expect.decision == ExpectedDecision::Accept)
        .map(|s| s.quote.clone())
        .take(2)
        .collect();
    let mut local_ids = Vec::new();
    for q in &quotes {
        let draft = desk.draft_from_quote(q).unwrap();
        local_ids.push(desk.submit(&draft).await.unwrap().order);
    }
    assert_eq!(desk.sync_status().unwrap().pending, 2);

    // The server comes back (a fresh one): each order is created once.
    let second_server = tempfile::tempdir().unwrap();
    let running = server(port, second_server.path()).await;
    desk.start_sync().await;
    assert!(
        desk.await_idle(Duration::from_secs(20)).await.unwrap(),
        "outbox drained"
    );

    let http = reqwest::Client::new();
    let list: Value = http
        .get(format!(
            "http://127.0.0.1:{port}/tmf-api/productOrderingManagement/v5/productOrder?limit=1000"
        ))
        .bearer_auth("demo-supervisor-1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let server_orders = list.as_array().unwrap();
    for local in &local_ids {
        let order = desk.order(local.as_str()).unwrap();
        assert_eq!(order.sync.kind(), SyncStatusKind::Synced, "{local}");
        let server_id = desk
            .server_id_of(&order)
            .expect("the server's id is recorded");
        assert_ne!(server_id, local.as_str());
        let key = order
            .order
            .external_ids
            .iter()
            .find(|e| e.owner.as_deref() == Some("orderdesk-desk"))
            .map(|e| e.id.clone())
            .unwrap();
        let made: Vec<&Value> = server_orders
            .iter()
            .filter(|o| {
                o["externalId"]
                    .as_array()
                    .is_some_and(|ids| ids.iter().any(|e| e["id"] == key.as_str()))
            })
            .collect();
        assert_eq!(made.len(), 1, "{key} created {} times", made.len());
        assert_eq!(made[0]["id"].as_str(), Some(server_id.as_str()));
        // Found by either id, and stored once.
        assert_eq!(desk.order(&server_id).unwrap().order.id, *local);
    }

    // The server's validation moves the orders on; the pull brings that in, to the same rows.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let states: Vec<String> = local_ids
            .iter()
            .map(|l| {
                desk.order(l.as_str())
                    .unwrap()
                    .order
                    .state()
                    .as_str()
                    .to_owned()
            })
            .collect();
        if states.iter().all(|s| s != "acknowledged") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never validated: {states:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(desk.store().order_count().unwrap(), local_ids.len() as u64);
    desk.close().await;
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_tokens_are_refused_and_roles_come_from_the_server() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let running = server(port, dir.path()).await;
    let err = Desk::open(
        desk_config(data.path(), port, "nobody"),
        clock(),
        Box::new(UuidIds),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "unauthorized");
    let mut c = desk_config(data.path(), port, "demo-supervisor-1");
    c.start_sync = false;
    let desk = Desk::open(c, clock(), Box::new(UuidIds)).await.unwrap();
    assert_eq!(desk.session().role, Role::Supervisor);
    assert_eq!(
        desk.refresh_queue().await.map(|_| ()).map_err(|e| e.code()),
        Ok(())
    );
    desk.close().await;
    running.stop().await;
}
