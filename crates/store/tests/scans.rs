//! The narrowed reads behind the server's periodic passes: the orders whose jeopardy assessment
//! has an alert to raise (exactly those the domain's rules flag), and the pending orders whose
//! scheduled release can have come.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use orderdesk_domain::desk::jeopardy::{assess, JeopardyPolicy};
use orderdesk_domain::desk::schedule::SCHEDULED_REASON_PREFIX;
use orderdesk_domain::desk::versions::bump;
use orderdesk_domain::desk::{ChangeKind, OrderVersion};
use orderdesk_domain::ids::SequentialIds;
use orderdesk_domain::lifecycle::{apply, ItemEvent, OrderCommand};
use orderdesk_domain::{
    CustomerId, ItemAction, ItemId, OfferingId, OrderId, OrderItem, OrderState, ProductOrder,
    UserId,
};
use orderdesk_store::central::{CreateOutcome, NewOrder, OrderUpdate};
use orderdesk_store::CentralStore;
use tempfile::TempDir;

/// Monday 2 November 2026, 09:00 UTC.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

fn mins(m: i64) -> Duration {
    Duration::minutes(m)
}

fn ns(n: i64) -> Duration {
    Duration::nanoseconds(n)
}

fn by() -> UserId {
    UserId::new("U-1")
}

fn data_dir(dir: &TempDir) -> std::path::PathBuf {
    dir.path().join("data")
}

fn acknowledged(id: &str, draft: bool) -> ProductOrder {
    let item = OrderItem::new("1", ItemAction::Add, Some(OfferingId::new("PO-FIBRE")));
    ProductOrder::new(
        OrderId::new(id),
        CustomerId::new("C-1"),
        t0(),
        vec![item],
        draft,
    )
    .unwrap()
}

fn run(o: ProductOrder, command: OrderCommand, at: DateTime<Utc>) -> ProductOrder {
    apply(&o, &command, at).unwrap()
}

fn item(event: ItemEvent) -> OrderCommand {
    OrderCommand::Item {
        item: ItemId::new("1"),
        event,
    }
}

fn in_progress(id: &str) -> ProductOrder {
    let o = run(acknowledged(id, false), OrderCommand::Accept, t0());
    run(o, item(ItemEvent::Start), t0())
}

fn dated(
    mut o: ProductOrder,
    expected: Option<DateTime<Utc>>,
    requested: Option<DateTime<Utc>>,
) -> ProductOrder {
    o.expected_completion_date = expected;
    o.requested_completion_date = requested;
    o
}

fn create(store: &CentralStore, o: &ProductOrder) {
    let new = NewOrder {
        order: o,
        extensions: None,
        idempotency_key: None,
        by: &by(),
        at: t0(),
        reason: "test",
        events: &[],
    };
    assert!(matches!(
        store.create_order(&new).unwrap(),
        CreateOutcome::Created(_)
    ));
}

/// Every kind of order the rules treat differently, with its due instant in a comment.
fn population() -> Vec<ProductOrder> {
    let in_two_hours = Some(t0() + mins(120));
    vec![
        // Acknowledged since t0: Hazard at 12 min, Critical at 15 min.
        acknowledged("O-ACK", false),
        // Held since t0: Hazard at 3 h 12 min, Critical at 4 h.
        run(
            acknowledged("O-HELD", false),
            OrderCommand::Hold {
                reason: "review".into(),
            },
            t0(),
        ),
        // Pending on a deposit since t0: two working days.
        run(
            acknowledged("O-DEPOSIT", false),
            OrderCommand::Pend {
                reason: "deposit".into(),
            },
            t0(),
        ),
        // Pending on its schedule: untimed; overdue after its expected completion.
        dated(
            run(
                run(
                    acknowledged("O-SCHEDULED", false),
                    OrderCommand::Accept,
                    t0(),
                ),
                OrderCommand::Pend {
                    reason: format!("{SCHEDULED_REASON_PREFIX}2026-11-20T09:00:00Z"),
                },
                t0(),
            ),
            Some(t0() + mins(600)),
            None,
        ),
        // In progress without dates: nothing can flag it.
        in_progress("O-UNDATED"),
        // In progress, expected in two hours: overdue strictly after that instant.
        dated(in_progress("O-EXPECTED"), in_two_hours, None),
        dated(
            in_progress("O-EXPECTED-NS"),
            in_two_hours.map(|t| t + ns(1)),
            None,
        ),
        // Expected after the requested completion: late already.
        dated(
            in_progress("O-LATE"),
            Some(t0() + mins(300)),
            Some(t0() + mins(200)),
        ),
        // Finished or draft, dates or not: never.
        dated(
            run(in_progress("O-COMPLETED"), item(ItemEvent::Complete), t0()),
            in_two_hours,
            Some(t0()),
        ),
        dated(
            run(
                acknowledged("O-REJECTED", false),
                OrderCommand::Reject {
                    reason: "no".into(),
                },
                t0(),
            ),
            in_two_hours,
            None,
        ),
        dated(acknowledged("O-DRAFT", true), in_two_hours, Some(t0())),
    ]
}

/// The orders the domain's assessment alerts at `now`, as the store holds them.
fn flagged(store: &CentralStore, ids: &[OrderId], now: DateTime<Utc>) -> BTreeSet<String> {
    ids.iter()
        .map(|id| store.get_order(id).unwrap().order)
        .filter(|o| {
            !assess(
                o,
                now,
                &JeopardyPolicy::default(),
                &mut SequentialIds::new("J"),
            )
            .is_empty()
        })
        .map(|o| o.id.to_string())
        .collect()
}

fn due(store: &CentralStore, now: DateTime<Utc>) -> BTreeSet<String> {
    let ids = store.orders_with_jeopardy_due(now).unwrap();
    let set: BTreeSet<String> = ids.iter().map(ToString::to_string).collect();
    assert_eq!(set.len(), ids.len(), "no order twice");
    set
}

fn probes() -> Vec<DateTime<Utc>> {
    let mut out = vec![t0() - mins(1)];
    for m in [0, 12, 15, 120, 192, 240, 600, 60 * 24 * 2, 60 * 24 * 30] {
        for n in [-1, 0, 1, 2] {
            out.push(t0() + mins(m) + ns(n));
        }
    }
    out
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn jeopardy_due_reads_exactly_the_orders_assessment_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let store = CentralStore::open(&data_dir(&dir)).unwrap();
    let orders = population();
    for o in &orders {
        create(&store, o);
    }
    let ids: Vec<OrderId> = orders.iter().map(|o| o.id.clone()).collect();
    for now in probes() {
        assert_eq!(due(&store, now), flagged(&store, &ids, now), "at {now}");
    }
    // The edges, spelled out.
    let at_two_hours = due(&store, t0() + mins(120));
    assert!(
        !at_two_hours.contains("O-EXPECTED"),
        "expected exactly now: not yet overdue"
    );
    assert!(due(&store, t0() + mins(120) + ns(1)).contains("O-EXPECTED"));
    assert!(!due(&store, t0() + mins(120) + ns(1)).contains("O-EXPECTED-NS"));
    assert_eq!(due(&store, t0() - mins(1)), set(&["O-LATE"]));
    let never = set(&["O-UNDATED", "O-COMPLETED", "O-REJECTED", "O-DRAFT"]);
    let late = due(&store, t0() + mins(60 * 24 * 365));
    assert!(late.is_disjoint(&never), "{late:?}");
    assert_eq!(late.len(), orders.len() - never.len());
}

/// Raising the alerts moves the order to its next threshold, or off the list.
#[test]
fn alerting_moves_the_order_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = CentralStore::open(&data_dir(&dir)).unwrap();
    let orders = population();
    for o in &orders {
        create(&store, o);
    }
    let ids: Vec<OrderId> = orders.iter().map(|o| o.id.clone()).collect();
    let mut alert_ids = SequentialIds::new("A");
    for now in [
        t0() + mins(200),
        t0() + mins(250),
        t0() + mins(60 * 24 * 30),
    ] {
        for id in store.orders_with_jeopardy_due(now).unwrap() {
            let current = store.get_order(&id).unwrap().order;
            let alerts = assess(&current, now, &JeopardyPolicy::default(), &mut alert_ids);
            assert!(!alerts.is_empty(), "{id} was read but has nothing to alert");
            let mut next = bump(&current).unwrap();
            next.jeopardy_alerts.extend(alerts);
            let version = OrderVersion {
                version: next.version,
                at: now,
                by: by(),
                reason: "jeopardy".into(),
                change: ChangeKind::Jeopardy,
                snapshot: next.clone(),
            };
            store
                .update_order(&OrderUpdate {
                    order: &next,
                    expected_version: current.version,
                    version: &version,
                    extensions: None,
                    events: &[],
                })
                .unwrap();
        }
        assert!(due(&store, now).is_empty(), "everything due was alerted");
        for later in probes() {
            assert_eq!(
                due(&store, later),
                flagged(&store, &ids, later),
                "at {later}"
            );
        }
    }
    // Held: the Hazard raised at 3 h 20 min, the Critical still to come at 4 h.
    let held = store.get_order(&OrderId::new("O-HELD")).unwrap().order;
    assert_eq!(held.jeopardy_alerts.len(), 2, "Hazard, then Critical");
}

/// Rows written before the column existed are marked due by the migration, and opening the
/// store computes them.
#[test]
fn rows_from_before_the_column_are_computed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let orders = population();
    {
        let store = CentralStore::open(&data_dir(&dir)).unwrap();
        for o in &orders {
            create(&store, o);
        }
    }
    {
        // What migration 6 leaves behind on an existing database.
        let conn =
            rusqlite::Connection::open(data_dir(&dir).join(CentralStore::FILE_NAME)).unwrap();
        conn.execute("UPDATE orders SET jeopardy_due = NULL", [])
            .unwrap();
        let sql = include_str!("../migrations/central/0006_jeopardy_due.sql");
        let update = &sql[sql.find("UPDATE orders").unwrap()..];
        let marked = conn.execute(update, []).unwrap();
        assert_eq!(
            marked,
            orders.len() - 3,
            "all but completed, rejected, draft"
        );
    }
    let store = CentralStore::open(&data_dir(&dir)).unwrap();
    let ids: Vec<OrderId> = orders.iter().map(|o| o.id.clone()).collect();
    for now in probes() {
        assert_eq!(due(&store, now), flagged(&store, &ids, now), "at {now}");
    }
}

#[test]
fn pending_orders_starting_by_reads_pending_orders_up_to_the_cutoff() {
    let dir = tempfile::tempdir().unwrap();
    let store = CentralStore::open(&data_dir(&dir)).unwrap();
    let cutoff = t0() + mins(60 * 24 * 20);
    let pending = |id: &str, start: Option<DateTime<Utc>>| {
        let mut o = run(
            run(acknowledged(id, false), OrderCommand::Accept, t0()),
            OrderCommand::Pend {
                reason: format!("{SCHEDULED_REASON_PREFIX}2026-11-20T09:00:00Z"),
            },
            t0(),
        );
        o.requested_start_date = start;
        o
    };
    let mut held = run(
        acknowledged("O-HELD", false),
        OrderCommand::Hold {
            reason: "review".into(),
        },
        t0(),
    );
    held.requested_start_date = Some(t0());
    let mut started = in_progress("O-STARTED");
    started.requested_start_date = Some(t0());
    for o in [
        pending("O-PAST", Some(t0() - mins(60 * 24 * 400))),
        pending("O-SOON", Some(t0() + mins(60))),
        pending("O-AT-CUTOFF", Some(cutoff)),
        pending("O-AFTER-CUTOFF", Some(cutoff + Duration::milliseconds(1))),
        pending("O-FAR", Some(cutoff + mins(60 * 24 * 365))),
        pending("O-UNDATED", None),
        held,
        started,
    ] {
        create(&store, &o);
    }
    let got: BTreeSet<String> = store
        .pending_orders_starting_by(cutoff)
        .unwrap()
        .into_iter()
        .inspect(|s| assert_eq!(s.order.state(), OrderState::Pending))
        .map(|s| s.order.id.to_string())
        .collect();
    assert_eq!(got, set(&["O-PAST", "O-SOON", "O-AT-CUTOFF", "O-UNDATED"]));
}

/// Both reads go by index: the jeopardy read by its partial index, sorted by it; the release
/// read by the state (the pending orders are few; orders with a requested start are many).
#[test]
fn the_scans_read_by_index() {
    let dir = tempfile::tempdir().unwrap();
    drop(CentralStore::open(&data_dir(&dir)).unwrap());
    let conn = rusqlite::Connection::open(data_dir(&dir).join(CentralStore::FILE_NAME)).unwrap();
    let plan = |sql: &str| -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>();
        rows.join("; ")
    };
    let jeopardy = plan("SELECT id FROM orders WHERE jeopardy_due <= 5 ORDER BY jeopardy_due, pk");
    assert!(
        jeopardy.contains("orders_by_jeopardy_due") && !jeopardy.contains("TEMP B-TREE"),
        "{jeopardy}"
    );
    let release = plan(
        "SELECT pk FROM orders INDEXED BY orders_by_state_date
          WHERE state = 'pending' AND (requested_start IS NULL OR requested_start <= 5)
          ORDER BY order_date, pk",
    );
    assert!(
        release.contains("orders_by_state_date (state=?)"),
        "{release}"
    );
}
