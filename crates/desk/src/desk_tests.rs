//! The desk without a server: a profile signed in before, the server unreachable (a closed
//! port on loopback). Capture, local validation and role enforcement must all work so.

use super::*;
use crate::capture::DESK_EXTERNAL_ID_OWNER;
use crate::clock::{ManualClock, UuidIds};
use crate::orders::OrderFilter;
use crate::queue::QueueFilter;
use chrono::TimeZone;
use orderdesk_domain::validation::Outcome;
use orderdesk_domain::{OrderState, SequentialIds};
use orderdesk_fixtures::ExpectedDecision;
use orderdesk_store::local::{OutboxKind, SyncStatusKind};

fn day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap()
}

/// A loopback address nothing listens on.
fn closed_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

struct Offline {
    desk: Desk,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

/// A desk for `role`, opened offline from a session remembered earlier.
async fn offline_desk(role: Role) -> Offline {
    let dir = tempfile::tempdir().unwrap();
    let url = closed_server();
    let token = format!("token-{}", role.as_str());
    let session = Session {
        user_id: format!("U-{}", role.as_str().to_uppercase()).into(),
        name: format!("Test {role}"),
        role,
    };
    Profile::of(dir.path(), &url, &session.user_id)
        .remember(&url, &token, &session, day())
        .unwrap();
    let clock = Arc::new(ManualClock::new(day()));
    let mut config = DeskConfig::new(dir.path(), url, token);
    config.start_sync = false;
    config.request_timeout = Duration::from_secs(2);
    let desk = Desk::open(
        config,
        Arc::clone(&clock) as Arc<dyn Clock>,
        Box::new(SequentialIds::new("T")),
    )
    .await
    .unwrap();
    Offline {
        desk,
        clock,
        _dir: dir,
    }
}

fn fixtures() -> Fixtures {
    Fixtures::load_default().unwrap()
}

/// A scenario quote the fixtures expect to be accepted.
fn accepted_quote(f: &Fixtures) -> String {
    f.scenarios()
        .iter()
        .find(|s| s.expect.decision == ExpectedDecision::Accept)
        .map(|s| s.quote.clone())
        .unwrap()
}

#[tokio::test]
async fn offline_capture_stores_the_order_and_its_create_in_one_go() {
    let t = offline_desk(Role::Agent).await;
    let f = fixtures();
    let quote = accepted_quote(&f);
    let mut events = t.desk.subscribe();

    let draft = t.desk.draft_from_quote(&quote).unwrap();
    let submitted = t.desk.submit(&draft).await.unwrap();
    assert_ne!(submitted.validation.outcome, Outcome::Reject);

    let order = t.desk.order(submitted.order.as_str()).unwrap();
    assert_eq!(order.sync.kind(), SyncStatusKind::AwaitingSync);
    assert_eq!(order.order.state(), OrderState::Acknowledged);
    let key = order
        .order
        .external_ids
        .iter()
        .find(|e| e.owner.as_deref() == Some(DESK_EXTERNAL_ID_OWNER))
        .map(|e| e.id.clone())
        .unwrap();

    let outbox = t.desk.store().outbox_of_order(&order.order.id).unwrap();
    assert_eq!(outbox.len(), 1);
    let entry = &outbox[0];
    assert_eq!(entry.kind, OutboxKind::CreateOrder);
    assert_eq!(entry.seq, submitted.outbox_entry);
    assert_eq!(key, format!("desk-{}", entry.idempotency_key));
    let body = entry.body.as_ref().unwrap();
    assert!(body.get("id").is_none());
    assert!(body["externalId"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == key.as_str()));

    let status = t.desk.sync_status().unwrap();
    assert_eq!(status.pending, 1);
    assert!(!status.online);

    let mut saw_order = false;
    while let Ok(e) = events.try_recv() {
        if matches!(&e, DeskEvent::OrderChanged { order, .. } if order == order_id(&submitted)) {
            saw_order = true;
        }
    }
    assert!(saw_order);

    // A second submit of the same draft is refused: one order, one create.
    let again = t.desk.submit(&draft).await.unwrap_err();
    assert_eq!(again.code(), "invalidInput");
    assert_eq!(t.desk.store().outbox_len().unwrap(), 1);
}

fn order_id(s: &crate::capture::Submitted) -> &str {
    s.order.as_str()
}

#[tokio::test]
async fn a_draft_the_server_would_reject_is_refused_and_nothing_is_stored() {
    let t = offline_desk(Role::Agent).await;
    let f = fixtures();
    let scenario = f
        .scenarios()
        .iter()
        .find(|s| s.expect.decision == ExpectedDecision::Reject)
        .unwrap();
    if let Some(date) = f.quote(&scenario.quote).and_then(|q| q.quote_date) {
        t.clock.set(date);
    }
    let draft = t.desk.draft_from_quote(&scenario.quote).unwrap();
    let err = t.desk.submit(&draft).await.unwrap_err();
    assert_eq!(err.code(), "draftRejected");
    let DeskError::DraftRejected { results } = err else {
        unreachable!()
    };
    assert!(results.iter().any(|r| r.outcome == Outcome::Reject));
    assert_eq!(t.desk.store().order_count().unwrap(), 0);
    assert_eq!(t.desk.store().outbox_len().unwrap(), 0);
}

#[tokio::test]
async fn local_validation_gives_the_fixture_scenarios_their_decisions() {
    let t = offline_desk(Role::Agent).await;
    let f = fixtures();
    let mut checked = 0;
    for scenario in f.scenarios() {
        let Some(quote) = f.quote(&scenario.quote) else {
            continue;
        };
        t.clock.set(quote.quote_date.unwrap_or_else(day));
        let Ok(draft) = t.desk.draft_from_quote(&scenario.quote) else {
            continue;
        };
        let v = t.desk.validate_draft(&draft).unwrap();
        let decision = match v.outcome {
            Outcome::Pass | Outcome::Warn => ExpectedDecision::Accept,
            Outcome::Hold => ExpectedDecision::Hold,
            Outcome::Reject => ExpectedDecision::Reject,
        };
        assert_eq!(
            decision, scenario.expect.decision,
            "{}: {:?}",
            scenario.key, v.reasons
        );
        if let (Some(want), ExpectedDecision::Hold) = (&scenario.expect.queue, decision) {
            assert_eq!(v.hold_queue.as_ref(), Some(want), "{}", scenario.key);
        }
        for code in &scenario.expect.codes {
            assert!(
                v.results.iter().any(|r| &r.code == code),
                "{}: {code} missing from {:?}",
                scenario.key,
                v.reasons
            );
        }
        checked += 1;
    }
    assert!(checked > 5, "only {checked} scenarios checked");
}

#[tokio::test]
async fn roles_decide_what_the_desk_does_before_anything_happens() {
    let agent = offline_desk(Role::Agent).await;
    let forbidden = [
        agent.desk.list_queue(&QueueFilter::default()).unwrap_err(),
        agent.desk.claim("O-1", None).await.unwrap_err(),
        agent.desk.approve_credit("O-1", "ok").await.unwrap_err(),
        agent.desk.versions("O-1").await.unwrap_err(),
        agent.desk.refresh_queue().await.unwrap_err(),
    ];
    for e in forbidden {
        assert_eq!(e.code(), "forbidden", "{e}");
    }
    assert!(agent.desk.list_orders(&OrderFilter::default()).is_ok());

    let backoffice = offline_desk(Role::Backoffice).await;
    assert_eq!(
        backoffice
            .desk
            .list_queue(&QueueFilter::default())
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        backoffice
            .desk
            .decline_credit("O-1", "no")
            .await
            .unwrap_err()
            .code(),
        "forbidden"
    );
    // Allowed, but the server is needed.
    assert_eq!(
        backoffice.desk.claim("O-1", None).await.unwrap_err().code(),
        "offline"
    );

    let supervisor = offline_desk(Role::Supervisor).await;
    assert_eq!(
        supervisor.desk.versions("O-1").await.unwrap_err().code(),
        "offline"
    );
}

#[tokio::test]
async fn a_token_never_seen_cannot_open_a_desk_offline() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = DeskConfig::new(dir.path(), closed_server(), "demo-agent-1");
    config.start_sync = false;
    let err = Desk::open(config, Arc::new(ManualClock::new(day())), Box::new(UuidIds))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "noCachedSession");
}

#[tokio::test]
async fn machine_clients_cannot_use_the_desk() {
    let dir = tempfile::tempdir().unwrap();
    let url = closed_server();
    let session = Session {
        user_id: "U-INTEGRATION-WEB".into(),
        name: "Web shop".into(),
        role: Role::Integration,
    };
    Profile::of(dir.path(), &url, &session.user_id)
        .remember(&url, "demo-integration-web", &session, day())
        .unwrap();
    let mut config = DeskConfig::new(dir.path(), url, "demo-integration-web");
    config.start_sync = false;
    let err = Desk::open(config, Arc::new(ManualClock::new(day())), Box::new(UuidIds))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[tokio::test]
async fn drafts_are_kept_locally_and_never_sent() {
    let t = offline_desk(Role::Agent).await;
    let f = fixtures();
    let draft = t.desk.draft_from_quote(&accepted_quote(&f)).unwrap();
    let saved = t.desk.save_draft(&draft).unwrap();
    assert_eq!(saved.sync.kind(), SyncStatusKind::Draft);
    assert_eq!(t.desk.drafts(10).unwrap().len(), 1);
    assert_eq!(t.desk.store().outbox_len().unwrap(), 0);
    let preview = t.desk.decomposition_preview(&draft).unwrap();
    assert!(!preview.service_order.items.is_empty() || !preview.skipped.is_empty());
    // Submitting the saved draft replaces it by the order.
    t.desk.submit(&draft).await.unwrap();
    assert!(t.desk.drafts(10).unwrap().is_empty());
    assert_eq!(t.desk.store().order_count().unwrap(), 1);
}

#[tokio::test]
async fn cancelling_offline_waits_in_the_outbox_behind_the_create() {
    let t = offline_desk(Role::Agent).await;
    let f = fixtures();
    let draft = t.desk.draft_from_quote(&accepted_quote(&f)).unwrap();
    let submitted = t.desk.submit(&draft).await.unwrap();
    t.desk
        .cancel_order(submitted.order.as_str(), "customer changed their mind")
        .await
        .unwrap();
    let outbox = t.desk.store().outbox_of_order(&submitted.order).unwrap();
    let kinds: Vec<_> = outbox.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![OutboxKind::CreateOrder, OutboxKind::CancelOrder]
    );
    // The engine sees only the create: the cancel needs the server's id first.
    use orderdesk_sync::SyncLocal;
    let pending = t.desk.inner.local.pending_outbox().unwrap();
    assert_eq!(pending.len(), 1);
    assert!(matches!(
        pending[0].op,
        orderdesk_sync::OutboxOp::Create { .. }
    ));
}

#[tokio::test]
async fn quotes_are_found_and_opened_from_files() {
    let t = offline_desk(Role::Agent).await;
    let f = fixtures();
    let all = t.desk.find_quotes("").unwrap();
    assert_eq!(
        all.len(),
        f.quotes().len().min(crate::catalog::QUOTE_SEARCH_LIMIT)
    );
    let q = &f.quotes()[0];
    let found = t.desk.find_quotes(&q.id.to_lowercase()).unwrap();
    assert!(found.iter().any(|s| s.id == q.id));
    let customer = q.customer_id().unwrap();
    assert!(t
        .desk
        .find_quotes(customer)
        .unwrap()
        .iter()
        .all(|s| s.customer_id.as_deref() == Some(customer)
            || s.id.to_lowercase().contains(&customer.to_lowercase())));

    let mut copy = q.clone();
    copy.id = "Q-FROM-FILE".into();
    let summary = t
        .desk
        .open_quote_file(&serde_json::to_string(&copy).unwrap())
        .unwrap();
    assert_eq!(summary.id, "Q-FROM-FILE");
    assert!(t.desk.draft_from_quote("Q-FROM-FILE").is_ok());
    assert_eq!(
        t.desk.open_quote_file("{\"id\": 3}").unwrap_err().code(),
        "invalidInput"
    );
}
