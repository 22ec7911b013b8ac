//! The desktop core (`orderdesk-desk`, no window) against the real central server: in-process
//! on a loopback port with a temp data dir, or (to be killed with `SIGKILL`) the
//! `orderdesk-server` binary as a child process; each desk with a temp profile. These are the "done when" scenarios: offline capture created exactly once,
//! a server killed mid-drain, a change from another desk pulled in, a conflict surfaced, a 4xx
//! shown on the order, and a supervisor's command refused to an agent before any request.
//!
//! Every wait is bounded; a timeout is a failure with what was last seen.

// Test helpers may fail loudly: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use orderdesk_desk as desk;
use orderdesk_desk::clock::{Clock, OffsetClock, UuidIds};
use orderdesk_desk::{Desk, DeskConfig, Role};
use orderdesk_domain::order::ExternalId;
use orderdesk_domain::Priority;
use orderdesk_fixtures::{ExpectedDecision, Fixtures};
use orderdesk_scenarios::server_process::ServerProcess;
use orderdesk_server::{Config, RunningServer};
use orderdesk_store::local::{LocalOrder, SyncStatus, SyncStatusKind};
use orderdesk_sync::decide::Backoff;
use orderdesk_sync::{EngineConfig, SyncEvent};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

const AGENT: &str = "demo-agent-1";
const OTHER_AGENT: &str = "demo-agent-2";
const SUPERVISOR: &str = "demo-supervisor-1";
const V5: &str = "/tmf-api/productOrderingManagement/v5/productOrder";

// ---------------------------------------------------------------------------------------------
// Harness

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The real server on `port` over `dir`; retries the bind briefly, since a server just stopped
/// on the same port may still be letting go of it.
async fn server(port: u16, dir: &Path) -> RunningServer {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut c = Config::new(dir);
        c.demo = true;
        c.addr = format!("127.0.0.1:{port}");
        // Fulfilment stays put: the orders' states are the validation's, not the simulator's.
        c.som_step_ms = 10 * 60 * 1000;
        match orderdesk_server::start(c).await {
            Ok(s) => return s,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("server on {port} did not start: {e}"),
        }
    }
}

fn desk_config(data: &Path, port: u16, token: &str, start_sync: bool) -> DeskConfig {
    let mut c = DeskConfig::new(data, format!("http://127.0.0.1:{port}"), token);
    c.request_timeout = Duration::from_secs(3);
    c.start_sync = start_sync;
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

async fn open(data: &Path, port: u16, token: &str, start_sync: bool) -> Desk {
    Desk::open(
        desk_config(data, port, token, start_sync),
        clock(),
        Box::new(UuidIds),
    )
    .await
    .unwrap()
}

/// Signs `token` in once (the role comes from the server), so the profile opens offline later.
async fn sign_in_once(data: &Path, port: u16, token: &str) {
    let desk = open(data, port, token, false).await;
    desk.close().await;
}

/// Quotes the demo data accepts, to capture from (cycled when more orders are wanted).
fn accepted_quotes() -> Vec<String> {
    let fixtures = Fixtures::load_default().unwrap();
    let quotes: Vec<String> = fixtures
        .scenarios()
        .iter()
        .filter(|s| s.expect.decision == ExpectedDecision::Accept)
        .map(|s| s.quote.clone())
        .collect();
    assert!(!quotes.is_empty(), "the demo data has accepted quotes");
    quotes
}

/// Captures `n` orders from the demo quotes; returns their local ids.
async fn capture(desk: &Desk, n: usize) -> Vec<String> {
    let quotes = accepted_quotes();
    let mut ids = Vec::new();
    for (i, q) in quotes.iter().cycle().take(n).enumerate() {
        let mut draft = desk.draft_from_quote(q).unwrap();
        // A quote carries its own order reference: each capture gets one of its own, as a
        // second order from the same quote would be refused as a duplicate.
        draft.external_ids = vec![ExternalId {
            owner: None,
            kind: None,
            id: format!("{}-{i}", draft.id),
        }];
        ids.push(desk.submit(&draft).await.unwrap().order.to_string());
    }
    ids
}

/// The external id the desk's create carries for the order's idempotency key.
fn desk_key(order: &LocalOrder) -> String {
    order
        .order
        .external_ids
        .iter()
        .find(|e| e.owner.as_deref() == Some("orderdesk-desk"))
        .map(|e| e.id.clone())
        .expect("a submitted order carries the desk's key")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Every order on the server, as the supervisor lists them.
async fn server_orders(port: u16) -> Vec<Value> {
    let list: Value = http()
        .get(format!("http://127.0.0.1:{port}{V5}?limit=1000"))
        .bearer_auth(SUPERVISOR)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.as_array().expect("a list of orders").clone()
}

/// The server's orders carrying `key` as an external id.
fn with_key<'a>(orders: &'a [Value], key: &str) -> Vec<&'a Value> {
    orders
        .iter()
        .filter(|o| {
            o["externalId"]
                .as_array()
                .is_some_and(|ids| ids.iter().any(|e| e["id"] == key))
        })
        .collect()
}

/// Each local order is on the server exactly once, under the id the desk recorded.
async fn assert_created_once(desk: &Desk, port: u16, local_ids: &[String]) {
    let orders = server_orders(port).await;
    for local in local_ids {
        let order = desk.order(local).unwrap();
        assert_eq!(order.sync.kind(), SyncStatusKind::Synced, "{local}");
        let key = desk_key(&order);
        let made = with_key(&orders, &key);
        assert_eq!(made.len(), 1, "{key} created {} times", made.len());
        let server_id = desk
            .server_id_of(&order)
            .expect("the server's id is recorded");
        assert_eq!(made[0]["id"].as_str(), Some(server_id.as_str()), "{key}");
    }
}

/// The server's copy of an order and its version (ETag).
async fn server_order(port: u16, id: &str) -> (Value, u32) {
    let resp = http()
        .get(format!("http://127.0.0.1:{port}{V5}/{id}"))
        .bearer_auth(SUPERVISOR)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "GET {id}");
    let version = resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.trim_start_matches("W/").trim_matches('"').parse().ok())
        .expect("an ETag");
    (resp.json().await.unwrap(), version)
}

/// Polls `check` every 50 ms until it answers `Some`, or fails after `limit` with `what`.
async fn eventually<T>(limit: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(t) = check() {
            return t;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Submits one order online and waits until the desk's copy is the server's settled version
/// (the server's validation has moved it on and the desk pulled that). Returns (local, server id,
/// version).
async fn synced_order(desk: &Desk, port: u16) -> (String, String, u32) {
    let local = capture(desk, 1).await.remove(0);
    assert!(desk.await_idle(Duration::from_secs(10)).await.unwrap());
    let sid = desk.server_id_of(&desk.order(&local).unwrap()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (body, version) = server_order(port, &sid).await;
        let mine = desk.order(&local).unwrap();
        let settled = body["state"] != "acknowledged";
        if settled && mine.server_version == Some(version) && mine.sync == SyncStatus::Synced {
            return (local, sid, version);
        }
        assert!(
            Instant::now() < deadline,
            "never settled: server {} v{version}, desk v{:?} {:?}",
            body["state"],
            mine.server_version,
            mine.sync.kind()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn described(desk: &Desk, local: &str, text: &str) -> orderdesk_domain::ProductOrder {
    let mut desired = desk.order(local).unwrap().order;
    desired.description = Some(text.to_owned());
    desired
}

// ---------------------------------------------------------------------------------------------
// Scenarios

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_captured_while_the_server_is_down_are_created_once_when_it_starts() {
    let port = free_port();
    let (data, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let running = server(port, dir.path()).await;
    sign_in_once(data.path(), port, AGENT).await;
    running.stop().await;

    // Down: the desk opens from its profile, syncing, and captures.
    let desk = open(data.path(), port, AGENT, true).await;
    let local_ids = capture(&desk, 6).await;
    for id in &local_ids {
        assert_eq!(
            desk.order(id).unwrap().sync.kind(),
            SyncStatusKind::AwaitingSync
        );
    }
    // The engine keeps trying against nothing: still nothing sent.
    assert!(!desk.await_idle(Duration::from_millis(500)).await.unwrap());
    assert_eq!(desk.sync_status().unwrap().pending, 6);

    // The server starts (same data, same port): the engine reconnects by itself.
    let running = server(port, dir.path()).await;
    assert!(
        desk.await_idle(Duration::from_secs(15)).await.unwrap(),
        "the outbox drained"
    );
    assert_created_once(&desk, port, &local_ids).await;
    desk.close().await;
    running.stop().await;
}

/// The real `orderdesk-server` binary on `addr` over `dir` (see `server_process`), started off
/// the async workers. Orders stay where validation put them (the simulator's steps are long).
async fn server_process(addr: &str, dir: &Path) -> ServerProcess {
    let (addr, dir) = (addr.to_owned(), dir.to_owned());
    tokio::task::spawn_blocking(move || {
        ServerProcess::start(
            &addr,
            &dir,
            &["--som-step-ms", "600000"],
            Duration::from_secs(20),
        )
    })
    .await
    .unwrap()
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Waits for `n` more acknowledged creates; counts the replays (a create the server already
/// had, its first answer lost) among them.
async fn acknowledged(
    events: &mut tokio::sync::broadcast::Receiver<SyncEvent>,
    n: usize,
    replays: &mut usize,
    server: &ServerProcess,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = 0;
    while seen < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, events.recv()).await {
            Ok(Ok(SyncEvent::Sent { replayed, .. })) => {
                seen += 1;
                *replays += usize::from(replayed);
            }
            Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(e)) => panic!("sync events ended: {e}"),
            Err(_) => panic!("nothing was sent:\n{}", server.log_tail()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_process_killed_mid_drain_and_restarted_still_creates_each_order_once() {
    const ORDERS: usize = 60;
    const KILLS: u64 = 4;
    let (data, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut server = server_process("127.0.0.1:0", dir.path()).await;
    let port = server.port();
    let addr = format!("127.0.0.1:{port}");
    sign_in_once(data.path(), port, AGENT).await;

    // Captured offline (the engine not yet started): the whole batch waits in the outbox.
    let desk = open(data.path(), port, AGENT, false).await;
    let local_ids = capture(&desk, ORDERS).await;
    assert_eq!(desk.store().outbox_counts().unwrap().pending, ORDERS as u64);
    let mut events = desk.subscribe_sync();
    desk.start_sync().await;

    // Killed with SIGKILL a few creates into the drain, each time a little later after an
    // acknowledgement (0, 1, 2, 3 ms), so that the next create is on the wire, being written,
    // or answered but not yet heard; restarted on the same data dir and port (the desk keeps
    // its server URL) while the engine retries.
    let mut replays = 0;
    let mut unsent_at_kills = Vec::new();
    for kill in 0..KILLS {
        acknowledged(&mut events, 3, &mut replays, &server).await;
        tokio::time::sleep(Duration::from_millis(kill)).await;
        server.kill().unwrap();
        let unsent = desk.store().outbox_counts().unwrap().pending;
        assert!(
            unsent > 0,
            "the drain was over before kill {kill}: nothing tested"
        );
        unsent_at_kills.push(unsent);
        tokio::time::sleep(Duration::from_millis(300)).await;
        server = server_process(&addr, dir.path()).await;
        assert_eq!(server.port(), port);
    }

    let drained = tokio::time::timeout(Duration::from_secs(30), async {
        while desk.store().outbox_counts().unwrap().pending > 0 {
            desk.sync_now().await;
            match tokio::time::timeout(Duration::from_millis(100), events.recv()).await {
                Ok(Ok(SyncEvent::Sent { replayed: true, .. })) => replays += 1,
                Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return,
                _ => {}
            }
        }
    })
    .await;
    assert!(
        drained.is_ok(),
        "the outbox did not drain after the restarts:\n{}",
        server.log_tail()
    );
    let counts = desk.store().outbox_counts().unwrap();
    assert_eq!(
        (counts.pending, counts.failed),
        (0, 0),
        "the outbox is empty"
    );
    assert_created_once(&desk, port, &local_ids).await;
    let ours = server_orders(port)
        .await
        .iter()
        .filter(|o| {
            o["externalId"].as_array().is_some_and(|ids| {
                ids.iter()
                    .any(|e| e["owner"] == desk::capture::DESK_EXTERNAL_ID_OWNER)
            })
        })
        .count();
    assert_eq!(ours, ORDERS, "exactly the captured orders, no extra ones");
    eprintln!(
        "{KILLS} kills with {unsent_at_kills:?} of {ORDERS} unsent; {replays} creates were \
         answered as replays (landed before a kill, answer lost)"
    );
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_at_another_desk_is_pulled_into_this_one() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let (data_a, data_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let running = server(port, dir.path()).await;
    let a = open(data_a.path(), port, AGENT, true).await;
    let b = open(data_b.path(), port, OTHER_AGENT, true).await;

    let (local_a, sid, _) = synced_order(&a, port).await;

    // Desk B learns of A's order from the changes feed, then amends it.
    eventually(Duration::from_secs(10), "desk B to pull A's order", || {
        b.order(&sid).ok().filter(|o| o.sync == SyncStatus::Synced)
    })
    .await;
    let local_b = b.order(&sid).unwrap().order.id.to_string();
    let text = "customer asked for a morning install (desk B)";
    b.amend_order(&local_b, &described(&b, &local_b, text), "customer call")
        .await
        .unwrap();
    assert!(b.await_idle(Duration::from_secs(10)).await.unwrap());
    assert_eq!(b.order(&local_b).unwrap().sync, SyncStatus::Synced);

    // Desk A, which did nothing, sees it on its own copy of the order.
    let started = Instant::now();
    let seen = eventually(Duration::from_secs(10), "desk A to pull B's change", || {
        a.order(&local_a)
            .ok()
            .filter(|o| o.order.description.as_deref() == Some(text))
    })
    .await;
    assert_eq!(seen.sync, SyncStatus::Synced);
    assert_eq!(a.server_id_of(&seen).as_deref(), Some(sid.as_str()));
    eprintln!("desk A saw desk B's change after {:?}", started.elapsed());
    a.close().await;
    b.close().await;
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_amendment_is_surfaced_as_a_conflict_not_written_over_the_server() {
    let port = free_port();
    let (data, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let running = server(port, dir.path()).await;
    let desk = open(data.path(), port, AGENT, true).await;
    let (local, sid, version) = synced_order(&desk, port).await;

    // The desk goes quiet; meanwhile someone else amends the order from the same version.
    desk.stop_sync().await;
    let theirs = "changed at the back office";
    let resp = http()
        .patch(format!("http://127.0.0.1:{port}{V5}/{sid}"))
        .bearer_auth(SUPERVISOR)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", format!("\"{version}\""))
        .body(json!({ "description": theirs }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        200,
        "{}",
        resp.text().await.unwrap_or_default()
    );

    // The desk amends what it still holds (version `version`) and syncs.
    let mine = "changed at the desk";
    let amended = desk
        .amend_order(&local, &described(&desk, &local, mine), "customer call")
        .await
        .unwrap();
    assert_eq!(amended.server_version, Some(version));
    desk.start_sync().await;
    assert!(desk.await_idle(Duration::from_secs(10)).await.unwrap());

    let order = desk.order(&local).unwrap();
    let SyncStatus::Conflict {
        server_version,
        server_order: kept_server_copy,
        ..
    } = &order.sync
    else {
        panic!("expected a conflict, got {:?}", order.sync);
    };
    assert!(
        *server_version > version,
        "the server's newer version is shown"
    );
    assert_eq!(kept_server_copy.description.as_deref(), Some(theirs));
    assert_eq!(
        order.order.description.as_deref(),
        Some(mine),
        "the desk's change is kept"
    );
    let (on_server, _) = server_order(port, &sid).await;
    assert_eq!(on_server["description"], theirs, "not overwritten");
    assert!(desk.sync_status().unwrap().needs_attention >= 1);
    desk.close().await;
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_resolved_keeping_mine_lands_on_top_of_the_servers_version() {
    let port = free_port();
    let (data, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let running = server(port, dir.path()).await;
    let desk = open(data.path(), port, AGENT, true).await;
    let (local, sid, version) = synced_order(&desk, port).await;

    // Meanwhile, at the back office: a new description and a category.
    desk.stop_sync().await;
    let resp = http()
        .patch(format!("http://127.0.0.1:{port}{V5}/{sid}"))
        .bearer_auth(SUPERVISOR)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", format!("\"{version}\""))
        .body(json!({ "description": "theirs", "category": "back office" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        200,
        "{}",
        resp.text().await.unwrap_or_default()
    );

    // At the desk, from the version it holds: another priority and another category.
    let mut desired = desk.order(&local).unwrap().order;
    let priority = if desired.priority == Priority::HIGHEST {
        Priority::LOWEST
    } else {
        Priority::HIGHEST
    };
    desired.priority = priority;
    desired.category = Some("desk".to_owned());
    desk.amend_order(&local, &desired, "customer call")
        .await
        .unwrap();
    desk.start_sync().await;
    assert!(desk.await_idle(Duration::from_secs(10)).await.unwrap());
    let conflict = desk.order(&local).unwrap();
    let SyncStatus::Conflict { server_version, .. } = conflict.sync else {
        panic!("expected a conflict, got {:?}", conflict.sync);
    };

    // Keep mine: sent again on top of the server's version.
    let kept = desk.keep_local_change(&local).await.unwrap();
    assert_eq!(kept.sync, SyncStatus::AwaitingSync);
    assert_eq!(kept.server_version, Some(server_version));
    assert_eq!(
        kept.order.description.as_deref(),
        Some("theirs"),
        "shown on their copy"
    );
    assert!(desk.await_idle(Duration::from_secs(10)).await.unwrap());

    let (on_server, now) = server_order(port, &sid).await;
    assert!(now > server_version, "a new version on top of theirs");
    assert_eq!(
        on_server["description"], "theirs",
        "their change I did not touch stays"
    );
    assert_eq!(
        on_server["category"], "desk",
        "where both changed, mine wins"
    );
    assert_eq!(
        on_server["priority"],
        priority.to_string(),
        "my change landed"
    );
    assert!(
        on_server["note"]
            .as_array()
            .is_some_and(|notes| notes.iter().any(|n| n["text"] == "customer call")),
        "the amendment's reason travels as a note: {on_server}"
    );
    let counts = desk.store().outbox_counts().unwrap();
    assert_eq!((counts.pending, counts.failed), (0, 0));
    let mine = eventually(
        Duration::from_secs(10),
        "the desk to hold the result",
        || {
            desk.order(&local)
                .ok()
                .filter(|o| o.sync == SyncStatus::Synced && o.server_version >= Some(now))
        },
    )
    .await;
    assert_eq!(mine.order.description.as_deref(), Some("theirs"));
    assert_eq!(mine.order.category.as_deref(), Some("desk"));
    assert_eq!(mine.order.priority, priority);

    // Nothing left to keep.
    let err = desk.keep_local_change(&local).await.unwrap_err();
    assert_eq!(err.code(), "invalidInput", "{err}");
    desk.close().await;
    running.stop().await;
}

/// The ids of every `productOffering` reference in a JSON document.
fn offerings_in(doc: &Value, out: &mut Vec<String>) {
    match doc {
        Value::Object(fields) => {
            for (key, value) in fields {
                match (key.as_str(), value["id"].as_str()) {
                    ("productOffering", Some(id)) => out.push(id.to_owned()),
                    _ => offerings_in(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| offerings_in(v, out)),
        _ => {}
    }
}

/// The demo fixtures' JSON files copied to `to`, with `change` made to each parsed file first.
fn fixtures_copy(to: &Path, change: impl Fn(&str, &mut Value)) {
    let from = orderdesk_fixtures::Fixtures::default_dir();
    for entry in std::fs::read_dir(&from).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let mut doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        change(&name, &mut doc);
        std::fs::write(to.join(&name), serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    }
}

fn codes(validation: &desk::capture::LocalValidation) -> Vec<String> {
    validation.results.iter().map(|r| r.code.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_brings_the_servers_catalog_and_inventory_changes_to_local_validation() {
    let port = free_port();
    let (data, dir, fixtures) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    // The desk's first start seeds its copy from the demo fixtures as they are. A quote the
    // demo accepts (every offering it names), and an installed product that is live.
    let quote = accepted_quotes().remove(0);
    let world = Fixtures::load_default().unwrap();
    let mut offerings = Vec::new();
    offerings_in(
        &serde_json::to_value(world.quotes().iter().find(|q| q.id == quote).unwrap()).unwrap(),
        &mut offerings,
    );
    assert!(!offerings.is_empty(), "the quote names offerings");
    let product = world
        .tmf()
        .inventory
        .iter()
        .find(|p| p.status.as_deref() == Some("active"))
        .and_then(|p| p.id.clone())
        .unwrap();

    // The server's catalog stops selling that offering; the product is terminated there.
    fixtures_copy(fixtures.path(), |name, doc| match name {
        "catalog.json" => {
            for o in doc["productOffering"].as_array_mut().unwrap() {
                if offerings.iter().any(|id| o["id"] == id.as_str()) {
                    o["isSellable"] = json!(false);
                }
            }
        }
        "inventory.json" => {
            for p in doc["product"].as_array_mut().unwrap() {
                if p["id"] == product.as_str() {
                    p["status"] = json!("terminated");
                    p["terminationDate"] = json!("2026-11-01T00:00:00Z");
                }
            }
        }
        _ => {}
    });
    let mut config = Config::new(dir.path());
    config.demo = true;
    config.addr = format!("127.0.0.1:{port}");
    config.fixtures = fixtures.path().to_owned();
    config.som_step_ms = 10 * 60 * 1000;
    let running = orderdesk_server::start(config).await.unwrap();

    // Signed in with the sync engine stopped: the desk's copy is still the first start's.
    let desk = open(data.path(), port, AGENT, false).await;
    let order = desk.draft_from_quote(&quote).unwrap();
    let modify = desk.start_modify(&product).unwrap();
    let before = desk.validate_draft(&order).unwrap();
    assert!(!before.is_rejected(), "{:?}", before.reasons);
    let modify_before = desk.validate_draft(&modify).unwrap();
    assert!(
        !codes(&modify_before).contains(&"CATALOG_PRODUCT_NOT_LIVE".to_owned()),
        "{:?}",
        modify_before.reasons
    );

    let report = desk.refresh_reference().await.unwrap();
    assert!(report.written >= 2, "{report:?}");
    assert!(report.kept.is_empty(), "{report:?}");
    let after = desk.validate_draft(&order).unwrap();
    assert!(after.is_rejected());
    assert!(
        codes(&after).contains(&"CATALOG_OFFERING_NOT_SELLABLE".to_owned()),
        "{:?}",
        after.reasons
    );
    let modify_after = desk.validate_draft(&modify).unwrap();
    assert!(
        codes(&modify_after).contains(&"CATALOG_PRODUCT_NOT_LIVE".to_owned()),
        "{:?}",
        modify_after.reasons
    );
    // Nothing new on the server: a second refresh writes nothing.
    let again = desk.refresh_reference().await.unwrap();
    assert_eq!((again.written, again.deleted), (0, 0), "{again:?}");
    assert!(again.unchanged > 0);
    desk.close().await;

    // Offline, the refreshed copy is what the desk validates against (it was stored), and a
    // refresh says it is offline without touching it.
    running.stop().await;
    let offline = open(data.path(), port, AGENT, false).await;
    let err = offline.refresh_reference().await.unwrap_err();
    assert!(err.is_offline(), "{err}");
    let kept = offline.validate_draft(&order).unwrap();
    assert!(
        codes(&kept).contains(&"CATALOG_OFFERING_NOT_SELLABLE".to_owned()),
        "{:?}",
        kept.reasons
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_the_server_refuses_shows_its_reason_on_the_order() {
    let port = free_port();
    let (data, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let running = server(port, dir.path()).await;
    let desk = open(data.path(), port, AGENT, true).await;
    let (local, sid, version) = synced_order(&desk, port).await;

    // An amendment the domain allows locally (nothing past its point of no return) but the
    // server's re-validation of the accepted order refuses: the offering is not in its catalog.
    let mut desired = desk.order(&local).unwrap().order;
    desired.items[0].offering = Some("PO-WITHDRAWN-OFFER".into());
    desk.amend_order(&local, &desired, "customer wants the new offer")
        .await
        .unwrap();
    assert!(desk.await_idle(Duration::from_secs(10)).await.unwrap());

    let order = desk.order(&local).unwrap();
    let SyncStatus::Rejected { code, reason } = &order.sync else {
        panic!("expected a refusal, got {:?}", order.sync);
    };
    assert_eq!(code, "amendmentRejected", "{reason}");
    assert!(
        reason.contains("CATALOG_OFFERING_NOT_FOUND") && reason.contains("PO-WITHDRAWN-OFFER"),
        "the server's reason is on the order: {reason}"
    );
    assert!(desk.sync_status().unwrap().needs_attention >= 1);
    // Refused, not retried: the server's order is untouched.
    let (on_server, now) = server_order(port, &sid).await;
    assert_eq!(now, version, "{on_server}");
    eprintln!("refused with {code}: {reason}");
    desk.close().await;
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_cannot_decide_credit_even_before_asking_the_server() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let (agent_data, sup_data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let running = server(port, dir.path()).await;
    sign_in_once(agent_data.path(), port, AGENT).await;
    sign_in_once(sup_data.path(), port, SUPERVISOR).await;
    // The server is gone: any request would fail as `offline`, so `forbidden` is the desk's own.
    running.stop().await;

    let agent = open(agent_data.path(), port, AGENT, false).await;
    assert_eq!(agent.session().role, Role::Agent);
    let err = agent
        .approve_credit("O-ANY", "looks fine")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "forbidden", "{err}");
    let err = agent.credit_exceptions(None).await.unwrap_err();
    assert_eq!(err.code(), "forbidden", "{err}");

    // The same calls by a supervisor get past the check (to the offline fallbacks).
    let supervisor = open(sup_data.path(), port, SUPERVISOR, false).await;
    assert_eq!(supervisor.session().role, Role::Supervisor);
    assert!(supervisor.credit_exceptions(None).await.is_ok());
    let err = supervisor
        .approve_credit("O-ANY", "looks fine")
        .await
        .unwrap_err();
    assert_ne!(err.code(), "forbidden", "{err}");
}
