//! The order screen's progress and the supervisor's history search against the real server on
//! 127.0.0.1 (in-process, temp data dirs, its SOM simulator on a fast step): an agent's provide
//! order, fulfilled by the simulator, shows its service items and their states; a supervisor
//! whose desk never held it finds it in history by agent, customer name, channel, state and
//! date, and opens its progress, versions and diff by the server's id.

// Test helpers may fail loudly: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, TimeZone, Utc};
use orderdesk_desk::clock::{Clock, OffsetClock, UuidIds};
use orderdesk_desk::history_search::{DateBound, HistoryFilter};
use orderdesk_desk::{Desk, DeskConfig};
use orderdesk_domain::OrderState;
use orderdesk_fixtures::Fixtures;
use orderdesk_server::Config;
use std::sync::Arc;
use std::time::Duration;

fn fixture_day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap()
}

/// The server's clock moved to the fixtures' day (time still flows: the simulator's steps).
#[derive(Debug)]
struct FixtureClock {
    offset: chrono::Duration,
}

impl orderdesk_server::state::Clock for FixtureClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}

async fn server(dir: &std::path::Path) -> orderdesk_server::RunningServer {
    let mut c = Config::new(dir);
    c.demo = true;
    c.addr = "127.0.0.1:0".to_owned();
    c.som_step_ms = 20;
    let clock = FixtureClock {
        offset: fixture_day() - Utc::now(),
    };
    orderdesk_server::start_with_clock(c, Arc::new(clock))
        .await
        .unwrap()
}

async fn open(data: &std::path::Path, url: &str, token: &str, sync: bool) -> Desk {
    let mut c = DeskConfig::new(data, url, token);
    c.request_timeout = Duration::from_secs(5);
    c.start_sync = sync;
    let clock: Arc<dyn Clock> = Arc::new(OffsetClock::starting_at(fixture_day()));
    Desk::open(c, clock, Box::new(UuidIds)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fulfilled_order_shows_its_service_items_and_is_found_in_history() {
    let server_dir = tempfile::tempdir().unwrap();
    let running = server(server_dir.path()).await;
    let url = running.url();

    // The agent captures a provide order; the SOM simulator delivers it.
    let agent_data = tempfile::tempdir().unwrap();
    let agent = open(agent_data.path(), &url, "demo-agent-1", true).await;
    let draft = agent.draft_from_quote("QT-GPON-HAPPY").unwrap();
    let local_id = agent.submit(&draft).await.unwrap().order.to_string();
    assert!(agent.await_idle(Duration::from_secs(20)).await.unwrap());

    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let progress = loop {
        let p = agent.order_progress(&local_id).await.unwrap();
        // The service order reports its own state after its items': wait for that too, or the
        // supervisor's later read sees a newer service order state than this one.
        let settled = p.items.iter().all(|i| {
            i.service_items
                .iter()
                .all(|s| s.service_order_state.as_deref() == Some("completed"))
        });
        if p.state == "completed" && settled {
            break p;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never completed: {p:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(progress.order_id, local_id, "the desk's own id");
    let server_id = progress.server_id.clone().unwrap();
    assert_ne!(server_id, local_id);
    assert!(progress.fetched_at.is_some(), "read from the server");
    let item = &progress.items[0];
    assert_eq!(item.state, "completed");
    let mut cfs: Vec<&str> = item.service_items.iter().map(|s| s.cfs.as_str()).collect();
    cfs.sort_unstable();
    assert_eq!(
        cfs,
        [
            "CFS:CPE-Management",
            "CFS:GPON-Access",
            "CFS:Internet-Access"
        ]
    );
    assert!(item.service_items.iter().all(|s| s.state == "completed"));
    assert!(progress
        .milestones
        .iter()
        .any(|m| m.name == "pointOfNoReturn"));
    assert_eq!(progress.timeline[0].kind, "created");

    // A supervisor whose desk never held the order (no sync) finds it in history.
    let sup_data = tempfile::tempdir().unwrap();
    let supervisor = open(sup_data.path(), &url, "demo-supervisor-1", false).await;
    let by_agent = supervisor
        .search_history(&HistoryFilter {
            agent: Some("U-AGENT-1".into()),
            channel: Some("desk".into()),
            limit: 20,
            ..HistoryFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(by_agent.total, 1, "{by_agent:?}");
    let row = &by_agent.items[0];
    assert_eq!(row.order_id, server_id);
    assert_eq!(row.local_id, None, "the supervisor's desk does not hold it");
    assert_eq!(row.created_by.as_deref(), Some("U-AGENT-1"));
    assert_eq!(row.channel.as_deref(), Some("desk"));
    assert_eq!(row.state, OrderState::Completed);
    assert_eq!(row.items, 1);
    let fixtures = Fixtures::load_default().unwrap();
    let name = fixtures
        .customers()
        .customers()
        .iter()
        .find(|c| c.id.as_str() == row.customer_id)
        .map(|c| c.name.clone())
        .unwrap();
    assert_eq!(row.customer_name.as_deref(), Some(name.as_str()));

    // Its versions and diff open by the server's id; the row's version is the latest.
    let versions = supervisor.versions(&server_id).await.unwrap();
    assert_eq!(row.version, versions.last().unwrap().version);
    let diff = supervisor.diff(&server_id, None, None).await.unwrap();
    assert_eq!(diff.to, row.version);
    let seen = supervisor.order_progress(&server_id).await.unwrap();
    assert_eq!(seen.order_id, server_id);
    assert_eq!(seen.items, progress.items);

    // The agent's own desk knows its local id.
    let agent_view = agent
        .order(&local_id)
        .map(|o| agent.server_id_of(&o))
        .unwrap();
    assert_eq!(agent_view.as_deref(), Some(server_id.as_str()));

    // Every criterion narrows to it, or away from it.
    let today = DateBound::Day(fixture_day().date_naive());
    let word = name.split_whitespace().last().unwrap().to_lowercase();
    let cases = [
        (
            HistoryFilter {
                customer: Some(word.clone()),
                agent: Some("U-AGENT-1".into()),
                channel: Some("desk".into()),
                state: Some(OrderState::Completed),
                from: Some(today),
                to: Some(today),
                ..HistoryFilter::default()
            },
            true,
        ),
        (
            HistoryFilter {
                customer: Some(row.customer_id.clone()),
                ..HistoryFilter::default()
            },
            true,
        ),
        (
            HistoryFilter {
                state: Some(OrderState::Held),
                agent: Some("U-AGENT-1".into()),
                ..HistoryFilter::default()
            },
            false,
        ),
        (
            HistoryFilter {
                agent: Some("U-AGENT-2".into()),
                customer: Some(row.customer_id.clone()),
                ..HistoryFilter::default()
            },
            false,
        ),
        (
            HistoryFilter {
                from: Some(DateBound::Day(
                    fixture_day().date_naive().succ_opt().unwrap(),
                )),
                agent: Some("U-AGENT-1".into()),
                ..HistoryFilter::default()
            },
            false,
        ),
    ];
    for (mut filter, found) in cases {
        filter.limit = 50;
        let page = supervisor.search_history(&filter).await.unwrap();
        assert_eq!(
            page.items.iter().any(|r| r.order_id == server_id),
            found,
            "{filter:?}: {page:?}"
        );
    }

    // History is a supervisor's screen.
    let refused = agent
        .search_history(&HistoryFilter::default())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "forbidden");

    agent.close().await;
    supervisor.close().await;
    running.stop().await;
}
