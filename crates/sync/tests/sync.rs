//! The sync client and engine against the real server, started in-process on 127.0.0.1 over a
//! temp data dir (the server's own test helper), with an in-memory local store
//! ([`memory::Memory`]): offline capture sent exactly once when the server comes, a refusal
//! shown with the server's reason, a stale edit kept as a conflict, another desk's orders pulled
//! from the feed and pushed live within a second, and a generic TMF622 v4 server polled by id.

// clippy.toml allows these inside `#[test]` functions only; the helpers of this test binary fail
// the test the same way on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "sync/memory.rs"]
mod memory;
#[allow(dead_code)]
#[path = "../../server/tests/api/support.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use orderdesk_sync::decide::{Backoff, ConnectionState};
use orderdesk_sync::{
    ApiVersion, Endpoint, EngineConfig, EntryStatus, ServerClient, ServerMode, SyncEngine,
    SyncEvent, SyncHandle, SyncLocal,
};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::broadcast;

use memory::Memory;
use support::{v4_body, v5_body, TestServer, AGENT, SUPERVISOR, V4, V5};

const OTHER_DESK: &str = "demo-agent-2";

fn config() -> EngineConfig {
    EngineConfig {
        backoff: Backoff {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(400),
        },
        reconnect: Backoff {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(300),
        },
        poll_interval: Duration::from_millis(200),
        // Long: a change that arrives within a second came by the live push.
        live_poll_interval: Duration::from_secs(30),
        live_idle: Duration::from_secs(45),
        feed_page: 100,
        shutdown_grace: Duration::from_secs(1),
        push_in_flight: 8,
    }
}

fn start(endpoint: Endpoint, memory: &Arc<Memory>) -> (SyncHandle, broadcast::Receiver<SyncEvent>) {
    let (events, rx) = broadcast::channel(4096);
    let client = ServerClient::new(endpoint).unwrap();
    let local: Arc<dyn SyncLocal> = Arc::clone(memory) as Arc<dyn SyncLocal>;
    let engine =
        SyncEngine::spawn_with(config(), client, local, Arc::new(chrono::Utc::now), events);
    (engine, rx)
}

fn desk(t: &TestServer) -> Endpoint {
    Endpoint::new(t.base.clone(), ApiVersion::V5, AGENT)
}

async fn eventually(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn event(
    rx: &mut broadcast::Receiver<SyncEvent>,
    what: &str,
    within: Duration,
    mut wanted: impl FnMut(&SyncEvent) -> bool,
) -> SyncEvent {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(e)) if wanted(&e) => return e,
            Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(e)) => panic!("events closed while waiting for {what}: {e}"),
            Err(_) => panic!("no event within {within:?}: {what}"),
        }
    }
}

fn external_ids(order: &Value) -> Vec<String> {
    match &order["externalId"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(ids) => ids
            .iter()
            .filter_map(|e| e["id"].as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Captured while the server is down; the server starts; every order is created exactly once,
/// even though the desk lost the first answer (its write failed after the server had created
/// the order, so it sent again with the same idempotency key).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_capture_is_created_exactly_once_when_the_server_comes() {
    let port = free_port();
    let memory = Arc::new(Memory::default());
    let first = memory.capture("L-1", v5_body("QT-GPON-HAPPY", None), false);
    memory.capture("L-2", v5_body("QT-MOBILE-SIMO", None), false);
    memory.with(|s| s.fail_mark_sent = 1);
    let endpoint = Endpoint::new(format!("http://127.0.0.1:{port}"), ApiVersion::V5, AGENT);
    let (engine, _rx) = start(endpoint, &memory);

    eventually("a first attempt fails", Duration::from_secs(5), || {
        memory.entry(first).is_some_and(|e| e.attempts >= 1)
    })
    .await;
    assert_eq!(engine.status().connection, ConnectionState::Offline);
    assert_eq!(engine.status().pending, 2);
    assert_eq!(memory.unsent(), 2, "awaiting sync");

    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |c| {
        c.addr = format!("127.0.0.1:{port}");
        c.som_step_ms = 10 * 60 * 1000;
    })
    .await;
    eventually("the outbox drains", Duration::from_secs(10), || {
        memory.unsent() == 0
    })
    .await;

    let list = t
        .get(&format!("{V5}/productOrder?limit=1000"), SUPERVISOR)
        .await;
    let orders = list.body.as_array().unwrap();
    for (local, key) in [("L-1", "desk-L-1"), ("L-2", "desk-L-2")] {
        let made: Vec<&Value> = orders
            .iter()
            .filter(|o| external_ids(o).iter().any(|k| k == key))
            .collect();
        assert_eq!(made.len(), 1, "{key} created {} times", made.len());
        assert_eq!(
            memory.server_id(local).as_deref(),
            made[0]["id"].as_str(),
            "{local} knows its server order"
        );
    }
    assert_eq!(memory.with(|s| s.sent.len()), 2);
    assert_eq!(
        memory.with(|s| s.fail_mark_sent),
        0,
        "the lost answer happened"
    );
    eventually("online with the live push", Duration::from_secs(5), || {
        engine.status().connection == ConnectionState::Online
    })
    .await;
    // The lost answer's create may be recorded by the pull while the push pauses; the status
    // counts it once the push looks again.
    eventually(
        "nothing pending in the status",
        Duration::from_secs(10),
        || engine.status().pending == 0,
    )
    .await;
    engine.shutdown().await;
}

/// Many orders captured offline go out side by side (several creates in flight, while the pull
/// reads the server's copies of the very orders being created): each is created exactly once,
/// each local order learns its server id, and the desk ends up holding the server's copy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_drains_side_by_side_exactly_once() {
    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |c| {
        c.som_step_ms = 10 * 60 * 1000;
    })
    .await;
    let memory = Arc::new(Memory::default());
    let quotes = ["QT-GPON-HAPPY", "QT-MOBILE-SIMO"];
    let locals: Vec<String> = (0..24).map(|n| format!("L-{n}")).collect();
    for (n, local) in locals.iter().enumerate() {
        memory.capture(local, v5_body(quotes[n % quotes.len()], None), false);
    }
    let (engine, _rx) = start(desk(&t), &memory);
    eventually("the outbox drains", Duration::from_secs(30), || {
        memory.unsent() == 0
    })
    .await;

    let list = t
        .get(&format!("{V5}/productOrder?limit=1000"), SUPERVISOR)
        .await;
    let orders = list.body.as_array().unwrap();
    for local in &locals {
        let key = format!("desk-{local}");
        let made: Vec<&Value> = orders
            .iter()
            .filter(|o| external_ids(o).contains(&key))
            .collect();
        assert_eq!(made.len(), 1, "{key} created {} times", made.len());
        let server_id = made[0]["id"].as_str().unwrap();
        assert_eq!(
            memory.server_id(local).as_deref(),
            Some(server_id),
            "{local}"
        );
        assert!(
            memory.order(server_id).is_some(),
            "{local}: the server's copy is held"
        );
    }
    assert_eq!(memory.with(|s| s.sent.len()), locals.len());
    assert!(memory.with(|s| s.errors.is_empty()));
    engine.shutdown().await;
}

/// A 4xx is not retried: the entry fails with the server's own reason, shown on the order; what
/// the desk queued after it for the same order waits; other orders go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_shown_with_the_servers_reason() {
    let t = TestServer::start_quiet().await;
    let memory = Arc::new(Memory::default());
    let mut body = v5_body("QT-GPON-HAPPY", None);
    body.as_object_mut().unwrap().remove("relatedParty");
    let bad = memory.capture("L-BAD", body, false);
    let behind = memory.amend("L-BAD", json!({"description": "x"}), Some(1));
    memory.capture("L-GOOD", v5_body("QT-MOBILE-SIMO", None), false);
    let (engine, mut rx) = start(desk(&t), &memory);

    let SyncEvent::Rejected {
        entry,
        order,
        error,
    } = event(&mut rx, "the rejection", Duration::from_secs(10), |e| {
        matches!(e, SyncEvent::Rejected { .. })
    })
    .await
    else {
        unreachable!()
    };
    assert_eq!((entry, order.as_str()), (bad, "L-BAD"));
    assert_eq!(error.status, 400);
    assert!(!error.code.is_empty(), "{error:?}");
    assert!(error.reason.contains("relatedParty"), "{error:?}");
    assert_eq!(memory.with(|s| s.errors.get("L-BAD").cloned()), Some(error));
    assert_eq!(memory.entry(bad).unwrap().status, EntryStatus::Failed);

    eventually("the good order is sent", Duration::from_secs(10), || {
        memory.server_id("L-GOOD").is_some()
    })
    .await;
    eventually("the status counts", Duration::from_secs(5), || {
        let s = engine.status();
        (s.pending, s.stuck) == (1, 1)
    })
    .await;
    let waiting = memory.entry(behind).unwrap();
    assert_eq!(
        (waiting.status, waiting.attempts),
        (EntryStatus::Pending, 0),
        "never sent"
    );
    engine.shutdown().await;
}

/// The desk edits version n while another desk's change makes n + 1: the server answers 412,
/// the engine reads the order again, keeps the desk's edit aside as a conflict with what
/// changed, and the other desk's change stands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_edit_is_a_conflict_not_an_overwrite() {
    let t = TestServer::start_quiet().await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", Some("ext-conflict")))
        .await
        .id();
    t.wait_validated(V5, &id).await;
    let seen = ServerClient::new(desk(&t))
        .unwrap()
        .get_order(&id)
        .await
        .unwrap();
    let edited = seen.version.unwrap();
    let memory = Arc::new(Memory::default());
    memory.hold("L-C", seen);
    let theirs = t
        .send(
            Method::PATCH,
            &format!("{V5}/productOrder/{id}"),
            OTHER_DESK,
            Some(&json!({"description": "theirs"})),
        )
        .await;
    assert_eq!(theirs.status.as_u16(), 200, "{}", theirs.body);
    let mine = memory.amend("L-C", json!({"description": "mine"}), Some(edited));
    let (engine, mut rx) = start(desk(&t), &memory);

    let SyncEvent::Conflict {
        entry,
        order,
        edited: was,
        current,
        diff,
        ..
    } = event(&mut rx, "the conflict", Duration::from_secs(10), |e| {
        matches!(e, SyncEvent::Conflict { .. })
    })
    .await
    else {
        unreachable!()
    };
    assert_eq!((entry, order.as_str(), was), (mine, "L-C", Some(edited)));
    assert!(current.version.unwrap() > edited);
    assert_eq!(current.body["description"], "theirs");
    let diff = diff.expect("the desk extension tells what changed");
    assert_eq!((diff.from, diff.to), (edited, current.version.unwrap()));
    assert!(
        diff.order.iter().any(|c| c.path.contains("description")),
        "{diff:?}"
    );

    assert_eq!(memory.entry(mine).unwrap().status, EntryStatus::Conflict);
    assert_eq!(
        memory.order(&id).unwrap().body["description"],
        "theirs",
        "the local copy is the server's"
    );
    let server = t.get(&format!("{V5}/productOrder/{id}"), AGENT).await;
    assert_eq!(server.body["description"], "theirs", "not overwritten");
    engine.shutdown().await;
}

/// Another desk's order is pulled from the changes feed when the engine starts; once the live
/// push is up, a new one arrives within a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_desks_orders_arrive_by_the_feed_and_live_within_a_second() {
    let t = TestServer::start_quiet().await;
    let earlier = t
        .create(V5, OTHER_DESK, &v5_body("QT-GPON-HAPPY", Some("other-1")))
        .await
        .id();
    let memory = Arc::new(Memory::default());
    let (engine, mut rx) = start(desk(&t), &memory);

    event(
        &mut rx,
        "the earlier order",
        Duration::from_secs(10),
        |e| matches!(e, SyncEvent::OrderChanged { id } if *id == earlier),
    )
    .await;
    assert!(memory.order(&earlier).is_some());
    eventually("the live push is up", Duration::from_secs(10), || {
        engine.status().connection == ConnectionState::Online
    })
    .await;
    let status = engine.status();
    assert_eq!(status.mode, ServerMode::Extension);
    let me = status.me.expect("the server says who the token is");
    assert_eq!((me.id.as_str(), me.role.as_str()), ("U-AGENT-1", "agent"));
    eventually("the cursor is stored", Duration::from_secs(5), || {
        memory.with(|s| s.cursor).is_some_and(|c| c > 0)
    })
    .await;
    while rx.try_recv().is_ok() {}

    let asked = Instant::now();
    let later = t
        .create(V5, OTHER_DESK, &v5_body("QT-MOBILE-SIMO", Some("other-2")))
        .await
        .id();
    event(
        &mut rx,
        "the new order, live",
        Duration::from_secs(1),
        |e| matches!(e, SyncEvent::OrderChanged { id } if *id == later),
    )
    .await;
    assert!(asked.elapsed() < Duration::from_secs(1));
    assert!(memory.order(&later).is_some());
    engine.shutdown().await;
}

/// A generic TMF622 v4 server (here: the v4 API served as a server's root, with no desk
/// extension beside it): the engine finds no `me`, creates through v4, and polls the open
/// orders it holds by id, following the server's own changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generic_v4_server_is_polled_by_id() {
    let t = TestServer::start_quiet().await;
    let mut endpoint = Endpoint::new(format!("{}{V4}", t.base), ApiVersion::V4, AGENT);
    endpoint.tmf622_path = Some(String::new());
    let memory = Arc::new(Memory::default());
    memory.capture("L-G", v4_body("QT-GPON-HAPPY", None), true);
    let (engine, _rx) = start(endpoint, &memory);

    eventually("sent", Duration::from_secs(10), || memory.unsent() == 0).await;
    eventually("detected", Duration::from_secs(5), || {
        engine.status().mode != ServerMode::Unknown
    })
    .await;
    let status = engine.status();
    assert_eq!(status.mode, ServerMode::Generic);
    assert_eq!(status.me, None);
    let id = memory.server_id("L-G").unwrap();
    let validated = t.wait_validated(V4, &id).await;
    assert_ne!(validated["state"], "acknowledged");
    let client = ServerClient::new({
        let mut e = Endpoint::new(t.base.clone(), ApiVersion::V4, AGENT);
        e.tmf622_path = Some(V4.to_owned());
        e
    })
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let server = client.get_order(&id).await.unwrap();
        let local = memory.order(&id).unwrap();
        if local.version == server.version && local.body == server.body {
            assert_eq!(local.api, ApiVersion::V4);
            break;
        }
        assert!(Instant::now() < deadline, "the poll never caught up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(engine.status().connection, ConnectionState::Online);
    engine.shutdown().await;
}

/// The desk extension's and the reference data's answers decode into the client's types: a
/// supervisor works a credit referral through the client alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_calls_decode() {
    let t = TestServer::start_quiet().await;
    let id = t
        .create(V5, AGENT, &v5_body("QT-CREDIT-REFER", Some("ext-refer")))
        .await
        .id();
    t.wait_validated(V5, &id).await;
    let client =
        ServerClient::new(Endpoint::new(t.base.clone(), ApiVersion::V5, SUPERVISOR)).unwrap();

    let me = client.whoami().await.unwrap().unwrap();
    assert_eq!(me.role, "supervisor");
    let queue = client
        .queue(&orderdesk_sync::client::desk::QueueQuery::default())
        .await
        .unwrap();
    let entry = queue.items.iter().find(|e| e.order_id == id).unwrap();
    assert_eq!(entry.queue, "creditReferral");
    assert!(queue.total.is_some_and(|n| n >= 1));
    let claimed = client.claim(&id, Some(600)).await.unwrap();
    assert_eq!(claimed.claim.unwrap().user.id, me.id);
    let credit = client
        .credit_exceptions(Some("creditReferral"), None, None)
        .await
        .unwrap();
    let exception = credit.items.iter().find(|e| e.order_id == id).unwrap();
    assert!(
        exception.extra.contains_key("creditProfile"),
        "{exception:?}"
    );
    let noted = client
        .add_note(&id, "called the customer", Some(entry.order_version))
        .await
        .unwrap();
    assert_eq!(noted.version, Some(entry.order_version + 1));
    let stale = client
        .approve_credit(&id, "good payer", Some(entry.order_version))
        .await
        .unwrap_err();
    assert_eq!(stale.status(), Some(412), "{stale}");
    let approved = client
        .approve_credit(&id, "good payer", noted.version)
        .await
        .unwrap();
    assert!(approved.version > noted.version);
    let versions = client.versions(&id).await.unwrap();
    assert_eq!(versions.first().map(|v| v.version), Some(1));
    assert!(versions.iter().any(|v| v.change_kind == "note"));
    let diff = client.diff(&id, Some(1), approved.version).await.unwrap();
    assert_eq!(diff.from, 1);
    let first = client.version(&id, 1).await.unwrap();
    assert_eq!(first.state.as_deref(), Some("acknowledged"));
    let refused = client.release("no-such-order").await.unwrap_err();
    let tmf = refused.tmf_error().expect("the server's error body");
    assert!(!tmf.reason.is_empty() && !tmf.code.is_empty(), "{tmf:?}");

    let changes = client.changes(0, 5).await.unwrap();
    assert_eq!(changes.changes.len(), 5);
    assert!(changes.has_more);
    let offerings = client
        .offerings(&orderdesk_sync::client::ListQuery::default())
        .await
        .unwrap();
    assert!(!offerings.items.is_empty());
    let quote = client.quote("QT-GPON-HAPPY").await.unwrap();
    assert_eq!(quote.id, "QT-GPON-HAPPY");
    let customer = approved.to_domain().unwrap().customer.to_string();
    let products = client
        .products(&orderdesk_sync::client::ListQuery::default().filter("relatedParty.id", customer))
        .await
        .unwrap();
    assert!(products.total.is_some());
    let listed = client
        .list_orders(&orderdesk_sync::client::ListQuery::default().filter("state", "held"))
        .await
        .unwrap();
    assert!(listed
        .items
        .iter()
        .all(|o| o.state.as_deref() == Some("held")));
}
