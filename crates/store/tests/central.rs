//! The central store against a real SQLite file in a temp dir: orders (create, idempotency,
//! versions, optimistic concurrency), lists and their query plans, the changes feed, queues and
//! claims, cancel requests, the hub outbox, service orders, inventory, reference data,
//! persistence across reopen, and the domain's `OrderHistory`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::{Arc, Barrier};

use chrono::{DateTime, Duration, TimeZone, Utc};
use orderdesk_domain::decomposition::{
    ServiceAction, ServiceItemState, ServiceOrder, ServiceOrderItem,
};
use orderdesk_domain::desk::queue::sort_queue;
use orderdesk_domain::desk::versions::record;
use orderdesk_domain::desk::{
    CancelRequest, ChangeKind, ClaimError, OrderVersion, QueueEntry, QueueKind,
};
use orderdesk_domain::lifecycle::{CancelState, OrderCommand};
use orderdesk_domain::order::{ExternalId, RelatedParty};
use orderdesk_domain::priority::AgeingPolicy;
use orderdesk_domain::reference::{OrderHistory, ProductInstance, ProductStatus};
use orderdesk_domain::{
    AddressId, CancelRequestId, CfsSpecId, CustomerId, ItemAction, ItemId, ItemState, OfferingId,
    OrderId, OrderItem, OrderState, PaymentMethodId, Priority, ProductId, ProductOrder,
    ServiceOrderId, ServiceOrderItemId, SpecificationId, UserId,
};
use orderdesk_store::central::{
    ApiVersion, CancelRequestQuery, ChangeOp, CreateOutcome, Direction, Entity, Filter, NewOrder,
    NewSubscription, Op, OrderField, OrderQuery, OrderUpdate, OutboundEvent, ProductQuery,
    QueueQuery, ReferenceKind, StoredOrder, StoredServiceOrder,
};
use orderdesk_store::testkit::{load_synthetic, synthetic_order};
use orderdesk_store::{CentralStore, StoreError};
use serde_json::json;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Builders

/// Monday 2 November 2026, 09:00 UTC.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

fn mins(m: i64) -> Duration {
    Duration::minutes(m)
}

fn open() -> (TempDir, CentralStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = CentralStore::open(&dir.path().join("data")).unwrap();
    (dir, store)
}

fn agent() -> UserId {
    UserId::new("U-AGENT-1")
}

/// An acknowledged order with one `add` item of `PO-FIBRE` at `ADDR-<customer>`.
fn order(id: &str, customer: &str, at: DateTime<Utc>) -> ProductOrder {
    let mut item = OrderItem::new("1", ItemAction::Add, Some(OfferingId::new("PO-FIBRE")));
    item.product.place = Some(AddressId::new(format!("ADDR-{customer}")));
    let mut o = ProductOrder::new(
        OrderId::new(id),
        CustomerId::new(customer),
        at,
        vec![item],
        false,
    )
    .unwrap();
    o.channel = Some("web".to_owned());
    o
}

fn with_external(mut o: ProductOrder, owner: Option<&str>, ext: &str) -> ProductOrder {
    o.external_ids.push(ExternalId {
        owner: owner.map(str::to_owned),
        kind: None,
        id: ext.to_owned(),
    });
    o
}

fn new_order<'a>(o: &'a ProductOrder, by: &'a UserId, key: Option<&'a str>) -> NewOrder<'a> {
    NewOrder {
        order: o,
        extensions: None,
        idempotency_key: key,
        by,
        at: o.order_date,
        reason: "captured",
        events: &[],
    }
}

fn create(store: &CentralStore, o: &ProductOrder) -> StoredOrder {
    match store.create_order(&new_order(o, &agent(), None)).unwrap() {
        CreateOutcome::Created(s) => s,
        CreateOutcome::Existing(s) => panic!("{} already existed", s.order.id),
    }
}

/// Applies `command` to the stored order and stores the result.
fn apply(store: &CentralStore, id: &str, command: OrderCommand, at: DateTime<Utc>) -> StoredOrder {
    let current = store.get_order(&OrderId::new(id)).unwrap().order;
    let (next, version) = record(&current, &command, at, &agent(), "desk").unwrap();
    store
        .update_order(&OrderUpdate {
            order: &next,
            expected_version: current.version,
            version: &version,
            extensions: None,
            events: &[],
        })
        .unwrap()
}

fn hold(reason: &str) -> OrderCommand {
    OrderCommand::Hold {
        reason: reason.to_owned(),
    }
}

fn ids(orders: &[StoredOrder]) -> Vec<String> {
    orders.iter().map(|o| o.order.id.to_string()).collect()
}

fn raw(store: &CentralStore) -> rusqlite::Connection {
    rusqlite::Connection::open(store.path()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Orders: create, get, update, delete

#[test]
fn create_get_update_and_version_conflict() {
    let (_d, store) = open();
    let o = order("O-1", "C-1", t0());
    let ext = json!({"@type": "ProductOrder", "x-channelRef": {"code": 7}});
    let created = store
        .create_order(&NewOrder {
            extensions: Some(&ext),
            ..new_order(&o, &agent(), None)
        })
        .unwrap();
    assert!(created.is_created());
    let got = store.get_order(&o.id).unwrap();
    assert_eq!(got.order, o);
    assert_eq!(got.extensions, Some(ext.clone()));
    assert_eq!(got.created_at, t0());

    let held = apply(&store, "O-1", hold("credit referral"), t0() + mins(5));
    assert_eq!(held.order.version, 2);
    assert_eq!(held.order.state(), OrderState::Held);
    assert_eq!(
        held.extensions,
        Some(ext.clone()),
        "None keeps the extensions"
    );
    assert_eq!(store.get_order(&o.id).unwrap().order, held.order);

    // A stale writer (made from version 1) loses.
    let (stale, version) =
        record(&o, &OrderCommand::Accept, t0() + mins(6), &agent(), "x").unwrap();
    let err = store
        .update_order(&OrderUpdate {
            order: &stale,
            expected_version: 1,
            version: &version,
            extensions: None,
            events: &[],
        })
        .unwrap_err();
    assert!(
        matches!(err, StoreError::VersionConflict { current: 2 }),
        "{err}"
    );

    // Version numbers that do not follow are the caller's mistake.
    let mut skipped = held.order.clone();
    skipped.version = 4;
    let err = store
        .update_order(&OrderUpdate {
            order: &skipped,
            expected_version: 2,
            version: &OrderVersion {
                version: 4,
                at: t0(),
                by: agent(),
                reason: "x".into(),
                change: ChangeKind::Note,
                snapshot: skipped.clone(),
            },
            extensions: None,
            events: &[],
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotNextVersion {
                expected: 3,
                got: 4
            }
        ),
        "{err}"
    );

    assert!(matches!(
        store.get_order(&OrderId::new("nope")),
        Err(StoreError::NotFound { .. })
    ));
    let missing = order("O-404", "C-1", t0());
    let (next, version) = record(&missing, &OrderCommand::Accept, t0(), &agent(), "x").unwrap();
    assert!(matches!(
        store.update_order(&OrderUpdate {
            order: &next,
            expected_version: 1,
            version: &version,
            extensions: None,
            events: &[],
        }),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn a_new_order_must_be_version_one_and_its_id_unique() {
    let (_d, store) = open();
    let mut o = order("O-1", "C-1", t0());
    create(&store, &o);
    assert!(matches!(
        store.create_order(&new_order(&o, &agent(), None)),
        Err(StoreError::Duplicate {
            entity: "productOrder",
            ..
        })
    ));
    o.id = OrderId::new("O-2");
    o.version = 3;
    assert!(matches!(
        store.create_order(&new_order(&o, &agent(), None)),
        Err(StoreError::NotNextVersion {
            expected: 1,
            got: 3
        })
    ));
}

#[test]
fn idempotent_create_by_key() {
    let (_d, store) = open();
    let a = order("O-1", "C-1", t0());
    let b = order("O-2", "C-1", t0());
    let first = store
        .create_order(&new_order(&a, &agent(), Some("key-1")))
        .unwrap();
    assert!(first.is_created());
    let cursor = store.latest_cursor().unwrap();
    // The same key returns the first order, whatever the second body says, and writes nothing.
    let again = store
        .create_order(&new_order(&b, &agent(), Some("key-1")))
        .unwrap();
    assert!(matches!(&again, CreateOutcome::Existing(s) if s.order.id == a.id));
    assert_eq!(store.latest_cursor().unwrap(), cursor);
    assert!(matches!(
        store.get_order(&b.id),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.list_versions(&a.id).unwrap().len(), 1);
    // Another key is another order.
    assert!(store
        .create_order(&new_order(&b, &agent(), Some("key-2")))
        .unwrap()
        .is_created());
}

#[test]
fn idempotent_create_by_owner_and_external_id() {
    let (_d, store) = open();
    let a = with_external(order("O-1", "C-1", t0()), Some("web"), "CART-9");
    create(&store, &a);
    // Same owner and id: the first order.
    let b = with_external(order("O-2", "C-1", t0()), Some("web"), "CART-9");
    let out = store.create_order(&new_order(&b, &agent(), None)).unwrap();
    assert!(matches!(&out, CreateOutcome::Existing(s) if s.order.id == a.id));
    // No owner: the order's channel (`web`) owns it.
    let c = with_external(order("O-3", "C-1", t0()), None, "CART-9");
    assert!(!store
        .create_order(&new_order(&c, &agent(), None))
        .unwrap()
        .is_created());
    // Another owner's id of the same spelling is another order.
    let d = with_external(order("O-4", "C-1", t0()), Some("partner"), "CART-9");
    assert!(store
        .create_order(&new_order(&d, &agent(), None))
        .unwrap()
        .is_created());
}

#[test]
fn racing_creates_store_exactly_one_order() {
    let (_d, store) = open();
    let store = Arc::new(store);
    for (name, keyed) in [("by key", true), ("by external id", false)] {
        let threads = 8;
        let barrier = Arc::new(Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    let o = with_external(
                        order(&format!("R-{keyed}-{i}"), "C-1", t0()),
                        Some("web"),
                        &format!("EXT-{keyed}"),
                    );
                    let by = agent();
                    let key = keyed.then_some("race-key");
                    barrier.wait();
                    store.create_order(&new_order(&o, &by, key)).unwrap()
                })
            })
            .collect();
        let outcomes: Vec<CreateOutcome> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let created = outcomes.iter().filter(|o| o.is_created()).count();
        assert_eq!(created, 1, "{name}");
        let winners: HashSet<&OrderId> = outcomes.iter().map(|o| &o.order().order.id).collect();
        assert_eq!(winners.len(), 1, "{name}: every caller sees the same order");
    }
}

/// Concurrent creates and updates are committed in groups; each caller still gets its own
/// outcome, and a failing write does not take its neighbours down with it.
#[test]
fn concurrent_writes_each_get_their_own_outcome() {
    let (_d, store) = open();
    let store = Arc::new(store);
    let threads = 24;
    let barrier = Arc::new(Barrier::new(threads));
    // Pairs of threads create the same order id: one wins, one is told it is a duplicate.
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let o = order(&format!("G-{}", i / 2), "C-1", t0());
                barrier.wait();
                store.create_order(&new_order(&o, &agent(), None))
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let created = results
        .iter()
        .filter(|r| matches!(r, Ok(CreateOutcome::Created(_))))
        .count();
    let duplicates = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Err(StoreError::Duplicate {
                    entity: "productOrder",
                    ..
                })
            )
        })
        .count();
    assert_eq!(
        (created, duplicates),
        (threads / 2, threads / 2),
        "{results:?}"
    );
    assert_eq!(store.order_count().unwrap(), (threads / 2) as u64);
    for i in 0..threads / 2 {
        let id = OrderId::new(format!("G-{i}"));
        assert_eq!(store.list_versions(&id).unwrap().len(), 1);
    }

    // Everyone updates G-0 from version 1: exactly one wins.
    let barrier = Arc::new(Barrier::new(threads));
    let base = store.get_order(&OrderId::new("G-0")).unwrap().order;
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let (store, barrier, base) = (Arc::clone(&store), Arc::clone(&barrier), base.clone());
            std::thread::spawn(move || {
                let by = UserId::new(format!("U-{i}"));
                let (next, version) =
                    record(&base, &hold("race"), t0() + mins(1), &by, "x").unwrap();
                barrier.wait();
                store.update_order(&OrderUpdate {
                    order: &next,
                    expected_version: 1,
                    version: &version,
                    extensions: None,
                    events: &[],
                })
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| matches!(e, StoreError::VersionConflict { current: 2 })));
    assert_eq!(store.list_versions(&base.id).unwrap().len(), 2);
    let creates = store
        .changes_since(0, 1000)
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == ChangeOp::Create)
        .count();
    assert_eq!(creates, threads / 2, "no change row from a failed write");
    assert_counts_match(&store);
}

#[test]
fn an_update_cannot_take_another_orders_external_id() {
    let (_d, store) = open();
    create(
        &store,
        &with_external(order("O-1", "C-1", t0()), Some("web"), "X-1"),
    );
    let b = create(
        &store,
        &with_external(order("O-2", "C-1", t0()), Some("web"), "X-2"),
    )
    .order;
    let (mut next, _) = record(&b, &hold("r"), t0(), &agent(), "x").unwrap();
    next.external_ids[0].id = "X-1".to_owned();
    let version = OrderVersion {
        version: 2,
        at: t0(),
        by: agent(),
        reason: "x".into(),
        change: ChangeKind::Note,
        snapshot: next.clone(),
    };
    let err = store
        .update_order(&OrderUpdate {
            order: &next,
            expected_version: 1,
            version: &version,
            extensions: None,
            events: &[],
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Duplicate {
                entity: "externalId",
                ..
            }
        ),
        "{err}"
    );
    // Rolled back whole: still version 1, still acknowledged.
    let stored = store.get_order(&b.id).unwrap().order;
    assert_eq!(
        (stored.version, stored.state()),
        (1, OrderState::Acknowledged)
    );
    assert_eq!(store.list_versions(&b.id).unwrap().len(), 1);
}

#[test]
fn a_composite_write_commits_all_or_nothing() {
    let (_d, store) = open();
    let o = create(&store, &order("O-1", "C-1", t0())).order;
    let before = store.latest_cursor().unwrap();
    let result: Result<(), StoreError> = store.write(|tx| {
        let (next, version) = record(&o, &hold("r"), t0(), &agent(), "x")
            .map_err(|e| StoreError::Inconsistent(e.to_string()))?;
        tx.update_order(&OrderUpdate {
            order: &next,
            expected_version: 1,
            version: &version,
            extensions: None,
            events: &[],
        })?;
        tx.upsert_queue_entry(&QueueEntry::for_order(&next, QueueKind::Held, None), t0())?;
        Err(StoreError::Inconsistent("changed my mind".into()))
    });
    assert!(result.is_err());
    assert_eq!(store.get_order(&o.id).unwrap().order.version, 1);
    assert!(store.get_queue_entry(&o.id).is_err());
    assert_eq!(store.latest_cursor().unwrap(), before);
}

/// Readers use their own connections: while a write transaction is open (and has written),
/// they read the last committed state without waiting.
#[test]
fn reads_do_not_wait_for_the_writer() {
    let (_d, store) = open();
    let o = create(&store, &order("O-1", "C-1", t0())).order;
    let store = Arc::new(store);
    let (started_tx, started) = std::sync::mpsc::channel();
    let (finish, finish_rx) = std::sync::mpsc::channel::<()>();
    let writer = {
        let (store, o) = (Arc::clone(&store), o.clone());
        std::thread::spawn(move || {
            store.write(|tx| {
                let (next, version) = record(&o, &hold("r"), t0(), &agent(), "x").unwrap();
                tx.update_order(&OrderUpdate {
                    order: &next,
                    expected_version: 1,
                    version: &version,
                    extensions: None,
                    events: &[],
                })?;
                started_tx.send(()).unwrap();
                finish_rx.recv().unwrap();
                Ok::<_, StoreError>(())
            })
        })
    };
    started.recv().unwrap();
    assert_eq!(store.get_order(&o.id).unwrap().order.version, 1);
    assert_eq!(store.list_orders(&OrderQuery::default()).unwrap().total, 1);
    assert_eq!(store.list_versions(&o.id).unwrap().len(), 1);
    finish.send(()).unwrap();
    writer.join().unwrap().unwrap();
    assert_eq!(store.get_order(&o.id).unwrap().order.version, 2);
}

#[test]
fn delete_purges_the_order_and_what_hangs_off_it() {
    let (_d, store) = open();
    let o = create(&store, &order("O-1", "C-1", t0())).order;
    let held = apply(&store, "O-1", hold("review"), t0() + mins(1)).order;
    store
        .upsert_queue_entry(&QueueEntry::for_order(&held, QueueKind::Held, None), t0())
        .unwrap();
    store
        .add_desk_note(&o.id, &agent(), t0(), "called the customer")
        .unwrap();
    let req = CancelRequest::new(
        CancelRequestId::new("CR-1"),
        o.id.clone(),
        None,
        agent(),
        None,
        t0(),
    );
    store.insert_cancel_request(&req, t0()).unwrap();
    let so = service_order("SO-1", "O-1");
    store
        .save_service_order(&StoredServiceOrder::new(so), t0())
        .unwrap();

    store.delete_order(&o.id, t0() + mins(2), &[]).unwrap();
    assert!(matches!(
        store.get_order(&o.id),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.list_versions(&o.id),
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.get_queue_entry(&o.id).is_err());
    assert!(store.get_cancel_request(&req.id).is_err());
    assert!(store
        .get_service_order(&ServiceOrderId::new("SO-1"))
        .is_err());
    assert!(store.list_desk_notes(&o.id).unwrap().is_empty());
    assert_eq!(store.order_count().unwrap(), 0);
    let last = store.changes_since(0, 100).unwrap().pop().unwrap();
    assert_eq!(
        (last.entity, last.kind, last.entity_id.as_str()),
        (Entity::ProductOrder, ChangeOp::Delete, "O-1")
    );
    assert!(matches!(
        store.delete_order(&o.id, t0(), &[]),
        Err(StoreError::NotFound { .. })
    ));
    assert_counts_match(&store);
}

/// The running counts equal what a full count finds.
fn assert_counts_match(store: &CentralStore) {
    let conn = raw(store);
    let actual: Vec<(String, i64)> = conn
        .prepare("SELECT state, count(*) FROM orders GROUP BY state ORDER BY state")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let counted: Vec<(String, i64)> = conn
        .prepare(
            "SELECT value, n FROM order_counts WHERE dimension = 'state' AND n <> 0 ORDER BY value",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(counted, actual, "state counts");
    let actual: Vec<(String, i64)> = conn
        .prepare(
            "SELECT state, count(DISTINCT order_pk) FROM order_items GROUP BY state ORDER BY state",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let counted: Vec<(String, i64)> = conn
        .prepare(
            "SELECT value, n FROM order_counts WHERE dimension = 'itemState' AND n <> 0 ORDER BY value",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(counted, actual, "item state counts");
}

// ---------------------------------------------------------------------------------------------
// Lists

/// A dozen hand-made orders covering every filterable field.
fn list_fixture(store: &CentralStore) {
    for i in 0..12u32 {
        let at = t0() - Duration::days(i64::from(i));
        let customer = format!("C-{}", i % 3);
        let mut o = order(&format!("L-{i:02}"), &customer, at);
        o.channel = Some(["web", "desk"][i as usize % 2].to_owned());
        o.priority = Priority::new((i % 5) as u8).unwrap();
        o.related_parties.push(RelatedParty {
            id: format!("U-{}", i % 2),
            role: if i % 4 == 0 { "partner" } else { "agent" }.to_owned(),
            name: None,
            referred_type: None,
        });
        o.requested_start_date = (i % 3 == 0).then(|| at + Duration::days(10));
        o.external_ids.push(ExternalId {
            owner: None,
            kind: None,
            id: format!("X-{i}"),
        });
        let mut second = OrderItem::new(
            "2",
            ItemAction::Modify,
            Some(OfferingId::new(format!("PO-{}", i % 4))),
        );
        second.product.place = Some(AddressId::new("ADDR-SHARED"));
        o.items.push(second);
        o.created_by = Some(UserId::new(format!("U-{}", i % 2)));
        create(store, &o);
        match i % 4 {
            1 => {
                apply(store, &o.id.to_string(), hold("credit"), at + mins(1));
            }
            2 => {
                apply(
                    store,
                    &o.id.to_string(),
                    OrderCommand::Pend {
                        reason: "deposit".into(),
                    },
                    at + mins(1),
                );
            }
            _ => {}
        }
    }
}

fn query(filters: Vec<Filter>) -> OrderQuery {
    OrderQuery {
        filters,
        sort: vec![(OrderField::Id, Direction::Asc)],
        offset: 0,
        limit: 100,
    }
}

fn listed(store: &CentralStore, q: &OrderQuery) -> (Vec<String>, u64) {
    let page = store.list_orders(q).unwrap();
    (ids(&page.items), page.total)
}

fn names(range: impl IntoIterator<Item = u32>) -> Vec<String> {
    range.into_iter().map(|i| format!("L-{i:02}")).collect()
}

#[test]
fn list_filters_each_field_and_operator() {
    let (_d, store) = open();
    list_fixture(&store);
    let day = |d: i64| (t0() - Duration::days(d)).to_rfc3339();
    let cases: Vec<(Vec<Filter>, Vec<u32>)> = vec![
        (vec![Filter::eq(OrderField::State, "held")], vec![1, 5, 9]),
        (
            vec![Filter::new(OrderField::State, Op::In, &["held", "pending"])],
            vec![1, 2, 5, 6, 9, 10],
        ),
        (vec![Filter::eq(OrderField::Id, "L-03")], vec![3]),
        (
            vec![Filter::new(
                OrderField::Id,
                Op::In,
                &["L-03", "L-04", "nope"],
            )],
            vec![3, 4],
        ),
        (
            vec![Filter::new(OrderField::Id, Op::Gte, &["L-10"])],
            vec![10, 11],
        ),
        (
            vec![Filter::eq(OrderField::Customer, "C-1")],
            vec![1, 4, 7, 10],
        ),
        (
            vec![Filter::eq(OrderField::RelatedPartyId, "C-1")],
            vec![1, 4, 7, 10],
        ),
        (
            vec![Filter::eq(OrderField::RelatedPartyId, "U-0")],
            vec![0, 2, 4, 6, 8, 10],
        ),
        (
            vec![Filter::eq(OrderField::RelatedPartyRole, "partner")],
            vec![0, 4, 8],
        ),
        // Party filters hold on one party: U-1 is never a partner.
        (
            vec![
                Filter::eq(OrderField::RelatedPartyId, "U-1"),
                Filter::eq(OrderField::RelatedPartyRole, "partner"),
            ],
            vec![],
        ),
        (
            vec![
                Filter::eq(OrderField::RelatedPartyId, "U-0"),
                Filter::eq(OrderField::RelatedPartyRole, "partner"),
            ],
            vec![0, 4, 8],
        ),
        (
            vec![Filter::eq(OrderField::Channel, "desk")],
            vec![1, 3, 5, 7, 9, 11],
        ),
        (vec![Filter::eq(OrderField::ExternalId, "X-7")], vec![7]),
        (
            vec![Filter::new(OrderField::ExternalId, Op::In, &["X-7", "X-8"])],
            vec![7, 8],
        ),
        (vec![Filter::eq(OrderField::Priority, "0")], vec![0, 5, 10]),
        (
            vec![Filter::new(OrderField::Priority, Op::Lt, &["2"])],
            vec![0, 1, 5, 6, 10, 11],
        ),
        (
            vec![Filter::new(OrderField::Priority, Op::Gt, &["3"])],
            vec![4, 9],
        ),
        (
            vec![Filter::new(OrderField::OrderDate, Op::Gte, &[&day(2)])],
            vec![0, 1, 2],
        ),
        (
            vec![Filter::new(OrderField::OrderDate, Op::Gt, &[&day(2)])],
            vec![0, 1],
        ),
        (
            vec![Filter::new(OrderField::CreationDate, Op::Lt, &[&day(10)])],
            vec![11],
        ),
        (
            vec![Filter::new(OrderField::OrderDate, Op::Lte, &[&day(10)])],
            vec![10, 11],
        ),
        (
            vec![
                Filter::new(OrderField::OrderDate, Op::Gte, &[&day(5)]),
                Filter::new(OrderField::OrderDate, Op::Lt, &[&day(3)]),
            ],
            vec![4, 5],
        ),
        (
            vec![Filter::new(
                OrderField::RequestedStartDate,
                Op::Gte,
                &[&day(0)],
            )],
            vec![0, 3, 6, 9],
        ),
        (
            vec![Filter::new(
                OrderField::RequestedStartDate,
                Op::Gt,
                &[&day(-5)],
            )],
            vec![0, 3],
        ),
        (
            vec![Filter::eq(OrderField::CreatedBy, "U-1")],
            vec![1, 3, 5, 7, 9, 11],
        ),
        (
            vec![Filter::new(OrderField::StateChangedAt, Op::Gte, &[&day(1)])],
            vec![0, 1],
        ),
        (
            vec![Filter::eq(OrderField::ItemState, "held")],
            vec![1, 5, 9],
        ),
        (
            vec![Filter::new(
                OrderField::ItemState,
                Op::In,
                &["held", "pending"],
            )],
            vec![1, 2, 5, 6, 9, 10],
        ),
        (
            vec![Filter::eq(OrderField::ItemOfferingId, "PO-1")],
            vec![1, 5, 9],
        ),
        (
            vec![Filter::eq(OrderField::ItemOfferingId, "PO-FIBRE")],
            (0..12).collect(),
        ),
        (
            vec![Filter::eq(OrderField::ItemAction, "modify")],
            (0..12).collect(),
        ),
        (
            vec![Filter::eq(OrderField::ItemPlaceId, "ADDR-C-2")],
            vec![2, 5, 8, 11],
        ),
        // Item filters hold on one item: the held items of L-01 are PO-FIBRE and PO-1, both
        // held; no item is both `add` and `PO-1`.
        (
            vec![
                Filter::eq(OrderField::ItemState, "held"),
                Filter::eq(OrderField::ItemOfferingId, "PO-1"),
            ],
            vec![1, 5, 9],
        ),
        (
            vec![
                Filter::eq(OrderField::ItemAction, "add"),
                Filter::eq(OrderField::ItemOfferingId, "PO-1"),
            ],
            vec![],
        ),
        // Order, item, party and external-id filters together.
        (
            vec![
                Filter::eq(OrderField::State, "held"),
                Filter::eq(OrderField::Customer, "C-1"),
                Filter::eq(OrderField::ItemOfferingId, "PO-1"),
                Filter::eq(OrderField::RelatedPartyId, "U-1"),
                Filter::new(OrderField::ExternalId, Op::In, &["X-1", "X-5"]),
            ],
            vec![1],
        ),
        (vec![], (0..12).collect()),
    ];
    for (filters, expected) in cases {
        let q = query(filters.clone());
        let (got, total) = listed(&store, &q);
        assert_eq!(got, names(expected.clone()), "{filters:?}");
        assert_eq!(total, expected.len() as u64, "total of {filters:?}");
    }
}

#[test]
fn list_sorts_and_pages_with_a_total() {
    let (_d, store) = open();
    list_fixture(&store);
    // Default: newest order date first.
    let page = store
        .list_orders(&OrderQuery {
            limit: 5,
            ..OrderQuery::default()
        })
        .unwrap();
    assert_eq!((ids(&page.items), page.total), (names(0..5), 12));
    let page = store
        .list_orders(&OrderQuery {
            offset: 10,
            limit: 5,
            ..OrderQuery::default()
        })
        .unwrap();
    assert_eq!((ids(&page.items), page.total), (names(10..12), 12));
    let past_the_end = store
        .list_orders(&OrderQuery {
            offset: 12,
            ..OrderQuery::default()
        })
        .unwrap();
    assert_eq!((past_the_end.items.len(), past_the_end.total), (0, 12));

    let sorted = |sort: Vec<(OrderField, Direction)>| {
        listed(
            &store,
            &OrderQuery {
                sort,
                ..query(vec![])
            },
        )
        .0
    };
    assert_eq!(
        sorted(vec![(OrderField::OrderDate, Direction::Asc)]),
        names((0..12).rev())
    );
    assert_eq!(
        sorted(vec![(OrderField::Id, Direction::Desc)]),
        names((0..12).rev())
    );
    // Priority ascending, then newest first within one priority.
    assert_eq!(
        sorted(vec![
            (OrderField::Priority, Direction::Asc),
            (OrderField::OrderDate, Direction::Desc)
        ]),
        names([0, 5, 10, 1, 6, 11, 2, 7, 3, 8, 4, 9])
    );
    assert_eq!(
        sorted(vec![
            (OrderField::State, Direction::Asc),
            (OrderField::Id, Direction::Asc)
        ]),
        names([0, 3, 4, 7, 8, 11, 1, 5, 9, 2, 6, 10])
    );
    // Pages of a filtered list tile it exactly.
    let held_or_pending = vec![Filter::new(OrderField::State, Op::In, &["held", "pending"])];
    let mut seen = Vec::new();
    for offset in (0..6).step_by(4) {
        let page = store
            .list_orders(&OrderQuery {
                filters: held_or_pending.clone(),
                sort: vec![(OrderField::OrderDate, Direction::Desc)],
                offset,
                limit: 4,
            })
            .unwrap();
        assert_eq!(page.total, 6);
        seen.extend(ids(&page.items));
    }
    assert_eq!(seen, names([1, 2, 5, 6, 9, 10]));
}

#[test]
fn list_refuses_queries_it_cannot_run() {
    let (_d, store) = open();
    for q in [
        query(vec![Filter::eq(OrderField::State, "sleeping")]),
        query(vec![Filter::new(
            OrderField::OrderDate,
            Op::Gte,
            &["last tuesday"],
        )]),
        query(vec![Filter::new(OrderField::ItemState, Op::Lt, &["held"])]),
        OrderQuery {
            sort: vec![(OrderField::ExternalId, Direction::Asc)],
            ..OrderQuery::default()
        },
    ] {
        assert!(
            matches!(store.list_orders(&q), Err(StoreError::InvalidQuery(_))),
            "{q:?}"
        );
    }
}

/// The list agrees with a plain in-memory evaluation over a synthetic population, for both
/// shapes the store picks between (few matches: child index first; many: date index first).
#[test]
fn list_agrees_with_an_in_memory_model() {
    let (_d, store) = open();
    let now = t0();
    let n = 2_000;
    load_synthetic(&store, n, now).unwrap();
    let all: Vec<ProductOrder> = (0..n).map(|i| synthetic_order(i, n / 4, now)).collect();
    let newest = |a: &&ProductOrder, b: &&ProductOrder| {
        b.order_date.cmp(&a.order_date).then_with(|| {
            let num = |o: &ProductOrder| o.id.as_str()[4..].parse::<u64>().unwrap();
            num(b).cmp(&num(a))
        })
    };
    type Pred = Box<dyn Fn(&ProductOrder) -> bool>;
    let has_item = |state: ItemState| -> Pred {
        Box::new(move |o| o.items.iter().any(|i| i.state() == state))
    };
    let cases: Vec<(&str, Vec<Filter>, Pred)> = vec![
        (
            "item completed",
            vec![Filter::eq(OrderField::ItemState, "completed")],
            has_item(ItemState::Completed),
        ),
        (
            "item held",
            vec![Filter::eq(OrderField::ItemState, "held")],
            has_item(ItemState::Held),
        ),
        (
            "item held or failed",
            vec![Filter::new(
                OrderField::ItemState,
                Op::In,
                &["held", "failed"],
            )],
            Box::new(|o| {
                o.items
                    .iter()
                    .any(|i| matches!(i.state(), ItemState::Held | ItemState::Failed))
            }),
        ),
        (
            "offering PO-7",
            vec![Filter::eq(OrderField::ItemOfferingId, "PO-7")],
            Box::new(|o| {
                o.items
                    .iter()
                    .any(|i| i.offering.as_ref().is_some_and(|x| x.as_str() == "PO-7"))
            }),
        ),
        (
            "agent U-AGENT-3",
            vec![Filter::eq(OrderField::RelatedPartyId, "U-AGENT-3")],
            Box::new(|o| o.related_parties.iter().any(|p| p.id == "U-AGENT-3")),
        ),
        (
            "inProgress with a completed item",
            vec![
                Filter::eq(OrderField::State, "inProgress"),
                Filter::eq(OrderField::ItemState, "inProgress"),
            ],
            Box::new(|o| {
                o.state() == OrderState::InProgress
                    && o.items.iter().any(|i| i.state() == ItemState::InProgress)
            }),
        ),
        (
            "web channel",
            vec![Filter::eq(OrderField::Channel, "web")],
            Box::new(|o| o.channel.as_deref() == Some("web")),
        ),
    ];
    for (name, filters, pred) in cases {
        let mut expected: Vec<&ProductOrder> = all.iter().filter(|o| pred(o)).collect();
        expected.sort_by(newest);
        for (offset, limit) in [(0, 20), (0, 100), (37, 25)] {
            let q = OrderQuery {
                filters: filters.clone(),
                sort: Vec::new(),
                offset,
                limit,
            };
            let page = store.list_orders(&q).unwrap();
            let want: Vec<String> = expected
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .map(|o| o.id.to_string())
                .collect();
            assert_eq!(page.total, expected.len() as u64, "{name}");
            assert_eq!(ids(&page.items), want, "{name} at {offset}+{limit}");
        }
    }
    // Both shapes were exercised.
    let probing = |f: Filter| {
        store
            .explain_order_query(&query_newest(vec![f]))
            .unwrap()
            .probing
    };
    assert!(probing(Filter::eq(OrderField::ItemState, "completed")));
    assert!(!probing(Filter::eq(OrderField::ItemState, "held")));
    assert_counts_match(&store);
}

fn query_newest(filters: Vec<Filter>) -> OrderQuery {
    OrderQuery {
        filters,
        sort: vec![(OrderField::OrderDate, Direction::Desc)],
        offset: 0,
        limit: 20,
    }
}

/// The desk's common lists are served from indexes: no table is scanned whole, and no child
/// table is scanned at all. (Walking the order-date index for a page is by design: it stops
/// after the page.)
#[test]
fn common_lists_are_served_from_indexes() {
    let (_d, store) = open();
    load_synthetic(&store, 3_000, t0()).unwrap();
    let month_ago = (t0() - Duration::days(30)).to_rfc3339();
    let cases: Vec<(&str, Vec<Filter>)> = vec![
        (
            "state=held, -orderDate",
            vec![Filter::eq(OrderField::State, "held")],
        ),
        (
            "state in",
            vec![Filter::new(
                OrderField::State,
                Op::In,
                &["acknowledged", "held", "pending"],
            )],
        ),
        (
            "relatedParty.id (customer)",
            vec![Filter::eq(OrderField::RelatedPartyId, "CUST-42")],
        ),
        (
            "relatedParty.id (agent)",
            vec![Filter::eq(OrderField::RelatedPartyId, "U-AGENT-3")],
        ),
        (
            "customer",
            vec![Filter::eq(OrderField::Customer, "CUST-42")],
        ),
        (
            "item state held",
            vec![Filter::eq(OrderField::ItemState, "held")],
        ),
        (
            "item state completed",
            vec![Filter::eq(OrderField::ItemState, "completed")],
        ),
        (
            "item state + offering",
            vec![
                Filter::eq(OrderField::ItemState, "held"),
                Filter::eq(OrderField::ItemOfferingId, "PO-7"),
            ],
        ),
        (
            "orderDate.gte",
            vec![Filter::new(OrderField::OrderDate, Op::Gte, &[&month_ago])],
        ),
        (
            "state + orderDate.gte",
            vec![
                Filter::eq(OrderField::State, "held"),
                Filter::new(OrderField::OrderDate, Op::Gte, &[&month_ago]),
            ],
        ),
        (
            "externalId",
            vec![Filter::eq(OrderField::ExternalId, "EXT-42")],
        ),
        ("no filter", vec![]),
    ];
    for (name, filters) in cases {
        let plan = store.explain_order_query(&query_newest(filters)).unwrap();
        for line in plan.page.iter().chain(&plan.count) {
            let scan = line.starts_with("SCAN ");
            let whole_table = scan && !line.contains(" INDEX ");
            let child_scan = scan && !line.starts_with("SCAN o ");
            assert!(!whole_table && !child_scan, "{name}: `{line}` in {plan:#?}");
        }
        if !plan.probing {
            // Without probing, the only scan allowed is the date index for an unfiltered
            // or date-ranged list.
            for line in &plan.page {
                assert!(
                    !line.starts_with("SCAN")
                        || line.contains("orders_by_date")
                        || line.contains("orders_by_state_date"),
                    "{name}: `{line}`"
                );
            }
        }
        println!("{name}: {plan:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Versions and the changes feed

#[test]
fn versions_are_append_only_and_in_order() {
    let (_d, store) = open();
    let o = create(&store, &order("O-1", "C-1", t0())).order;
    apply(&store, "O-1", hold("credit referral"), t0() + mins(1));
    apply(&store, "O-1", OrderCommand::Resume, t0() + mins(2));
    apply(&store, "O-1", OrderCommand::Accept, t0() + mins(3));
    let versions = store.list_versions(&o.id).unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(versions[0].change, ChangeKind::Created);
    assert_eq!(versions[0].snapshot, o);
    assert_eq!(versions[0].by, agent());
    assert!(matches!(versions[1].change, ChangeKind::Lifecycle { .. }));
    assert_eq!(versions[3].snapshot, store.get_order(&o.id).unwrap().order);
    assert_eq!(store.get_version(&o.id, 2).unwrap(), versions[1]);
    assert!(matches!(
        store.get_version(&o.id, 9),
        Err(StoreError::NotFound { .. })
    ));
    // The domain's log accepts the chain as read back.
    orderdesk_domain::desk::OrderHistoryLog::from_versions(o.id.clone(), versions).unwrap();
    // Not even SQL can rewrite history.
    let err = raw(&store)
        .execute("UPDATE order_versions SET by_user = 'mallory'", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = raw(&store)
        .execute("UPDATE changes SET kind = 'x'", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn the_changes_feed_reads_by_cursor() {
    let (_d, store) = open();
    assert_eq!(store.latest_cursor().unwrap(), 0);
    assert!(store.changes_since(0, 10).unwrap().is_empty());
    let o = create(&store, &order("O-1", "C-1", t0())).order;
    let start = store.latest_cursor().unwrap();
    let held = apply(&store, "O-1", hold("r"), t0() + mins(1)).order;
    let mut note = held.clone();
    note.notes.push(orderdesk_domain::order::Note {
        id: None,
        author: None,
        date: None,
        text: "hello".into(),
    });
    note.version = 3;
    store
        .update_order(&OrderUpdate {
            order: &note,
            expected_version: 2,
            version: &OrderVersion {
                version: 3,
                at: t0() + mins(2),
                by: agent(),
                reason: "note".into(),
                change: ChangeKind::Note,
                snapshot: note.clone(),
            },
            extensions: None,
            events: &[],
        })
        .unwrap();
    store
        .upsert_queue_entry(
            &QueueEntry::for_order(&held, QueueKind::Held, None),
            t0() + mins(3),
        )
        .unwrap();
    store
        .claim(&o.id, &agent(), t0() + mins(4), mins(30))
        .unwrap();

    let all = store.changes_since(0, 100).unwrap();
    let summary: Vec<(Entity, ChangeOp, Option<u32>)> =
        all.iter().map(|c| (c.entity, c.kind, c.version)).collect();
    assert_eq!(
        summary,
        [
            (Entity::ProductOrder, ChangeOp::Create, Some(1)),
            (Entity::ProductOrder, ChangeOp::StateChange, Some(2)),
            (Entity::ProductOrder, ChangeOp::Update, Some(3)),
            (Entity::QueueEntry, ChangeOp::Create, None),
            (Entity::QueueEntry, ChangeOp::Claim, None),
        ]
    );
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(all[1].payload["previousState"], "acknowledged");
    assert_eq!(all[1].payload["state"], "held");
    assert_eq!(all[2].payload["change"], "note");
    assert_eq!(all[1].at, t0() + mins(1));
    // Reading on from a cursor, a page at a time.
    let next = store.changes_since(start, 2).unwrap();
    assert_eq!(
        next.iter().map(|c| c.seq).collect::<Vec<_>>(),
        [all[1].seq, all[2].seq]
    );
    let rest = store.changes_since(next[1].seq, 100).unwrap();
    assert_eq!(rest.len(), 2);
    assert_eq!(store.latest_cursor().unwrap(), all[4].seq);
}

// ---------------------------------------------------------------------------------------------
// Queues and claims

fn queued(
    store: &CentralStore,
    id: &str,
    priority: u8,
    since: DateTime<Utc>,
    due: Option<DateTime<Utc>>,
) -> QueueEntry {
    let mut o = order(id, "C-1", since);
    o.priority = Priority::new(priority).unwrap();
    create(store, &o);
    let held = apply(store, id, hold("review"), since);
    let entry = QueueEntry::for_order(&held.order, QueueKind::Held, due);
    store.upsert_queue_entry(&entry, since).unwrap()
}

#[test]
fn queue_lists_in_the_domains_work_order() {
    let (_d, store) = open();
    let mut entries = vec![
        queued(&store, "Q-low-old", 4, t0(), None),
        queued(&store, "Q-high-new", 0, t0() + Duration::hours(6), None),
        queued(&store, "Q-high-old", 0, t0() + Duration::hours(1), None),
        queued(
            &store,
            "Q-due-later",
            3,
            t0() + Duration::hours(7),
            Some(t0() + Duration::hours(8)),
        ),
        queued(
            &store,
            "Q-due-first",
            4,
            t0() + Duration::hours(7),
            Some(t0() + Duration::hours(7)),
        ),
        queued(
            &store,
            "Q-not-due",
            2,
            t0() + Duration::hours(2),
            Some(t0() + Duration::hours(20)),
        ),
        queued(&store, "Q-mid", 2, t0() + Duration::hours(3), None),
    ];
    let now = t0() + Duration::hours(9);
    let policy = AgeingPolicy::default();
    sort_queue(&mut entries, &policy, now);
    let page = store
        .list_queue(&QueueQuery {
            kind: Some(QueueKind::Held),
            now,
            policy,
            offset: 0,
            limit: 100,
        })
        .unwrap();
    assert_eq!(page.total, 7);
    assert_eq!(page.items, entries);
    let second = store
        .list_queue(&QueueQuery {
            kind: None,
            now,
            policy,
            offset: 2,
            limit: 3,
        })
        .unwrap();
    assert_eq!(second.items, entries[2..5]);
    let pending = store
        .list_queue(&QueueQuery {
            kind: Some(QueueKind::Pending),
            now,
            policy,
            offset: 0,
            limit: 10,
        })
        .unwrap();
    assert_eq!((pending.items.len(), pending.total), (0, 0));
}

#[test]
fn claims_are_leases_and_only_one_claimer_wins() {
    let (_d, store) = open();
    let e = queued(&store, "O-1", 2, t0(), None);
    let (alice, bob) = (UserId::new("alice"), UserId::new("bob"));

    // Two desks claim at the same instant: exactly one wins.
    let store = Arc::new(store);
    for round in 0..10 {
        let now = t0() + Duration::hours(10 * round);
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = [alice.clone(), bob.clone()]
            .into_iter()
            .map(|user| {
                let (store, barrier, order) =
                    (Arc::clone(&store), Arc::clone(&barrier), e.order.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    store.claim(&order, &user, now, Duration::hours(1))
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(
            matches!(
                loser,
                StoreError::Claim(ClaimError::ClaimedByAnother { .. })
            ),
            "{loser}"
        );
        let holder = winners[0].claimed_by.clone().unwrap();
        assert_eq!(
            store.get_queue_entry(&e.order).unwrap().claimed_by,
            Some(holder)
        );
    }

    // A fresh entry: alice claims; bob is refused while the lease runs, wins once it expired.
    let e = queued(&store, "O-2", 2, t0(), None);
    let claimed = store
        .claim(&e.order, &alice, t0(), Duration::minutes(30))
        .unwrap();
    assert_eq!(claimed.claimed_by.as_ref().unwrap().until, t0() + mins(30));
    assert!(store
        .claim(&e.order, &bob, t0() + mins(29), mins(30))
        .is_err());
    assert!(matches!(
        store.release(&e.order, &bob, t0() + mins(10)),
        Err(StoreError::Claim(_))
    ));
    // Alice extends; re-claiming never shortens.
    let extended = store
        .claim(&e.order, &alice, t0() + mins(20), mins(60))
        .unwrap();
    assert_eq!(extended.claimed_by.unwrap().until, t0() + mins(80));
    let taken = store
        .claim(&e.order, &bob, t0() + mins(80), mins(15))
        .unwrap();
    assert_eq!(taken.claimed_by.unwrap().user, bob);
    // Re-upserting the entry (a new reason) keeps bob's claim.
    let mut changed = e.clone();
    changed.reason = Some("credit referral".into());
    changed.claimed_by = None;
    let kept = store.upsert_queue_entry(&changed, t0() + mins(81)).unwrap();
    assert_eq!(kept.reason.as_deref(), Some("credit referral"));
    assert_eq!(kept.claimed_by.unwrap().user, bob);
    // Release by the holder; a second release is harmless.
    assert!(store
        .release(&e.order, &bob, t0() + mins(82))
        .unwrap()
        .claimed_by
        .is_none());
    assert!(store.release(&e.order, &bob, t0() + mins(83)).is_ok());
    assert!(store
        .get_queue_entry(&e.order)
        .unwrap()
        .claimed_by
        .is_none());

    assert!(store.remove_queue_entry(&e.order, t0()).unwrap());
    assert!(!store.remove_queue_entry(&e.order, t0()).unwrap());
    assert!(matches!(
        store.claim(&e.order, &alice, t0(), mins(5)),
        Err(StoreError::NotFound { .. })
    ));
    // An entry needs its order.
    let ghost = QueueEntry {
        order: OrderId::new("ghost"),
        ..e
    };
    assert!(matches!(
        store.upsert_queue_entry(&ghost, t0()),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn desk_notes_belong_to_the_order() {
    let (_d, store) = open();
    let o = create(&store, &order("O-1", "C-1", t0())).order;
    store
        .add_desk_note(&o.id, &agent(), t0() + mins(2), "second")
        .unwrap();
    store
        .add_desk_note(&o.id, &UserId::new("bob"), t0() + mins(1), "first")
        .unwrap();
    let notes = store.list_desk_notes(&o.id).unwrap();
    assert_eq!(
        notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
        ["first", "second"]
    );
    assert_eq!(notes[0].author, UserId::new("bob"));
    assert!(matches!(
        store.add_desk_note(&OrderId::new("ghost"), &agent(), t0(), "x"),
        Err(StoreError::NotFound { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Cancel requests

#[test]
fn cancel_requests_are_stored_listed_and_updated() {
    let (_d, store) = open();
    create(&store, &order("O-1", "C-1", t0()));
    create(&store, &order("O-2", "C-1", t0()));
    let r1 = CancelRequest::new(
        CancelRequestId::new("CR-1"),
        OrderId::new("O-1"),
        Some("moved".into()),
        agent(),
        None,
        t0(),
    );
    let r2 = CancelRequest::new(
        CancelRequestId::new("CR-2"),
        OrderId::new("O-2"),
        None,
        agent(),
        None,
        t0() + mins(1),
    );
    store.insert_cancel_request(&r1, t0()).unwrap();
    store.insert_cancel_request(&r2, t0() + mins(1)).unwrap();
    assert!(matches!(
        store.insert_cancel_request(&r1, t0()),
        Err(StoreError::Duplicate { .. })
    ));
    assert_eq!(store.get_cancel_request(&r1.id).unwrap(), r1);

    let done = CancelRequest {
        state: CancelState::Done,
        effective_cancellation_date: Some(t0() + mins(5)),
        ..r1.clone()
    };
    store.update_cancel_request(&done, t0() + mins(5)).unwrap();
    assert_eq!(store.get_cancel_request(&r1.id).unwrap(), done);

    let all = store
        .list_cancel_requests(&CancelRequestQuery {
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!((all.total, all.items.len()), (2, 2));
    assert_eq!(all.items[0].id, r2.id, "newest first");
    let of_o1 = store
        .list_cancel_requests(&CancelRequestQuery {
            order: Some(OrderId::new("O-1")),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(of_o1.items, vec![done.clone()]);
    let acknowledged = store
        .list_cancel_requests(&CancelRequestQuery {
            state: Some(CancelState::Acknowledged),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(acknowledged.items, vec![r2.clone()]);

    let moved = CancelRequest {
        order: OrderId::new("O-2"),
        ..done
    };
    assert!(matches!(
        store.update_cancel_request(&moved, t0()),
        Err(StoreError::Inconsistent(_))
    ));
    let ghost = CancelRequest {
        id: CancelRequestId::new("CR-9"),
        ..r2.clone()
    };
    assert!(matches!(
        store.update_cancel_request(&ghost, t0()),
        Err(StoreError::NotFound { .. })
    ));
    let orphan = CancelRequest {
        id: CancelRequestId::new("CR-8"),
        order: OrderId::new("ghost"),
        ..r2
    };
    assert!(matches!(
        store.insert_cancel_request(&orphan, t0()),
        Err(StoreError::NotFound { .. })
    ));

    let changes: Vec<(ChangeOp, String)> = store
        .changes_since(0, 100)
        .unwrap()
        .into_iter()
        .filter(|c| c.entity == Entity::CancelProductOrder)
        .map(|c| (c.kind, c.entity_id))
        .collect();
    assert_eq!(
        changes,
        [
            (ChangeOp::Create, "CR-1".to_owned()),
            (ChangeOp::Create, "CR-2".to_owned()),
            (ChangeOp::StateChange, "CR-1".to_owned())
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Hub subscriptions and the outbox

fn event(kind: &str, v4: bool) -> OutboundEvent {
    OutboundEvent {
        event_type: kind.to_owned(),
        payload_v4: v4.then(|| json!({"eventType": kind, "v": 4})),
        payload_v5: Some(json!({"eventType": kind, "v": 5})),
    }
}

#[test]
fn events_fan_out_with_the_write_and_retries_are_recorded() {
    let (_d, store) = open();
    let sub = |id: &str, query: Option<&str>, api_version| {
        store
            .create_subscription(&NewSubscription {
                id,
                callback: "http://127.0.0.1:9/listener",
                query,
                api_version,
                at: t0(),
            })
            .unwrap()
    };
    sub("S-all-v4", None, ApiVersion::V4);
    sub(
        "S-state-v5",
        Some("eventType=ProductOrderStateChangeEvent"),
        ApiVersion::V5,
    );
    sub(
        "S-milestone-v4",
        Some("eventType=ProductOrderMilestoneEvent"),
        ApiVersion::V4,
    );
    assert!(matches!(
        store.create_subscription(&NewSubscription {
            id: "S-all-v4",
            callback: "x",
            query: None,
            api_version: ApiVersion::V5,
            at: t0()
        }),
        Err(StoreError::Duplicate { .. })
    ));
    assert_eq!(store.list_subscriptions().unwrap().len(), 3);
    assert_eq!(
        store.get_subscription("S-state-v5").unwrap().api_version,
        ApiVersion::V5
    );

    // Created with its create event: only the catch-all subscriber wants it.
    let o = order("O-1", "C-1", t0());
    let created = [event("ProductOrderCreateEvent", true)];
    store
        .create_order(&NewOrder {
            events: &created,
            ..new_order(&o, &agent(), None)
        })
        .unwrap();
    // A state change reaches both interested subscribers, each in its version.
    let (next, version) = record(&o, &hold("r"), t0() + mins(1), &agent(), "x").unwrap();
    let state = [
        event("ProductOrderStateChangeEvent", true),
        event("ProductOrderMilestoneEvent", false),
    ];
    store
        .update_order(&OrderUpdate {
            order: &next,
            expected_version: 1,
            version: &version,
            extensions: None,
            events: &state,
        })
        .unwrap();
    // A refused write sends nothing.
    assert!(store
        .update_order(&OrderUpdate {
            order: &next,
            expected_version: 1,
            version: &version,
            extensions: None,
            events: &state,
        })
        .is_err());

    let due = store.due_deliveries(t0() + mins(1), 100).unwrap();
    let got: Vec<(&str, &str, i64)> = due
        .iter()
        .map(|d| {
            (
                d.subscription_id.as_str(),
                d.event_type.as_str(),
                d.payload["v"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("S-all-v4", "ProductOrderCreateEvent", 4),
            ("S-all-v4", "ProductOrderStateChangeEvent", 4),
            ("S-state-v5", "ProductOrderStateChangeEvent", 5),
        ],
        "the v4 milestone subscriber gets no milestone event: v4 has none"
    );
    assert!(
        store
            .due_deliveries(t0() - mins(1), 100)
            .unwrap()
            .is_empty(),
        "not due before it was enqueued"
    );
    assert_eq!(due[0].callback, "http://127.0.0.1:9/listener");

    // Delivered once; failed with a retry; failed and given up.
    store.mark_delivered(due[0].id, t0() + mins(2)).unwrap();
    store
        .mark_failed(due[1].id, "connection refused", Some(t0() + mins(10)))
        .unwrap();
    store.mark_failed(due[2].id, "410 Gone", None).unwrap();
    assert!(store
        .due_deliveries(t0() + mins(5), 100)
        .unwrap()
        .is_empty());
    let retry = store.due_deliveries(t0() + mins(10), 100).unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!(
        (
            retry[0].id,
            retry[0].attempts,
            retry[0].last_error.as_deref()
        ),
        (due[1].id, 1, Some("connection refused"))
    );
    let delivered = store.get_delivery(due[0].id).unwrap();
    assert_eq!(
        (delivered.attempts, delivered.delivered_at),
        (1, Some(t0() + mins(2)))
    );
    let dead = store.get_delivery(due[2].id).unwrap();
    assert_eq!(
        (
            dead.attempts,
            dead.next_attempt_at,
            dead.last_error.as_deref()
        ),
        (1, None, Some("410 Gone"))
    );
    assert!(matches!(
        store.mark_delivered(999, t0()),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.pending_delivery_count().unwrap(), 1);

    // Standalone events; deleting a subscription drops what it is still owed.
    store
        .enqueue_event(
            &event("ProductOrderStateChangeEvent", true),
            t0() + mins(11),
        )
        .unwrap();
    assert_eq!(store.pending_delivery_count().unwrap(), 3);
    store.delete_subscription("S-all-v4").unwrap();
    assert_eq!(store.pending_delivery_count().unwrap(), 1);
    assert!(matches!(
        store.delete_subscription("S-all-v4"),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store.purge_delivered(t0() + mins(60)).unwrap(),
        0,
        "its delivered rows went with it"
    );
}

// ---------------------------------------------------------------------------------------------
// Service orders and inventory

fn service_order(id: &str, product_order: &str) -> ServiceOrder {
    let item = |n: &str, cfs: &str, from: &[&str]| ServiceOrderItem {
        id: ServiceOrderItemId::new(n),
        action: ServiceAction::Add,
        cfs: CfsSpecId::new(cfs),
        service_id: None,
        place: Some(AddressId::new("ADDR-1")),
        technology: None,
        characteristics: Vec::new(),
        removed_characteristics: Vec::new(),
        from_items: from.iter().map(|i| ItemId::new(*i)).collect(),
        depends_on: Vec::new(),
        point_of_no_return: false,
    };
    ServiceOrder {
        id: ServiceOrderId::new(id),
        product_order: OrderId::new(product_order),
        customer: CustomerId::new("C-1"),
        priority: Priority::default(),
        requested_start_date: None,
        requested_completion_date: None,
        items: vec![
            item("2", "CFS:Access", &["1"]),
            item("1", "CFS:Internet", &["1", "2"]),
        ],
    }
}

#[test]
fn service_orders_keep_their_item_states() {
    let (_d, store) = open();
    create(&store, &order("O-1", "C-1", t0()));
    let so = StoredServiceOrder::new(service_order("SO-1", "O-1"));
    store.save_service_order(&so, t0()).unwrap();
    assert_eq!(store.get_service_order(&so.order.id).unwrap(), so);

    let submitted = store
        .update_service_order_state(
            &so.order.id,
            "inProgress",
            Some(t0() + mins(1)),
            t0() + mins(1),
        )
        .unwrap();
    assert_eq!(
        (submitted.state.as_str(), submitted.submitted_at),
        ("inProgress", Some(t0() + mins(1)))
    );
    let after = store
        .update_service_item_state(
            &so.order.id,
            &ServiceOrderItemId::new("1"),
            ServiceItemState::Completed,
            t0() + mins(2),
        )
        .unwrap();
    assert_eq!(
        after.item_states,
        [
            (ServiceOrderItemId::new("2"), ServiceItemState::Acknowledged),
            (ServiceOrderItemId::new("1"), ServiceItemState::Completed)
        ],
        "in the order's item order"
    );
    assert_eq!(store.get_service_order(&so.order.id).unwrap(), after);
    assert!(matches!(
        store.update_service_item_state(
            &so.order.id,
            &ServiceOrderItemId::new("9"),
            ServiceItemState::Failed,
            t0()
        ),
        Err(StoreError::NotFound { .. })
    ));

    store
        .save_service_order(
            &StoredServiceOrder::new(service_order("SO-2", "O-1")),
            t0() + mins(3),
        )
        .unwrap();
    let listed = store.list_service_orders(&OrderId::new("O-1")).unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|s| s.order.id.as_str())
            .collect::<Vec<_>>(),
        ["SO-1", "SO-2"]
    );
    assert!(store
        .list_service_orders(&OrderId::new("O-2"))
        .unwrap()
        .is_empty());
    assert!(matches!(
        store.save_service_order(
            &StoredServiceOrder::new(service_order("SO-3", "ghost")),
            t0()
        ),
        Err(StoreError::NotFound { .. })
    ));
    let changes: Vec<ChangeOp> = store
        .changes_since(0, 100)
        .unwrap()
        .into_iter()
        .filter(|c| c.entity == Entity::ServiceOrder)
        .map(|c| c.kind)
        .collect();
    assert_eq!(
        changes,
        [
            ChangeOp::Create,
            ChangeOp::StateChange,
            ChangeOp::Update,
            ChangeOp::Create
        ]
    );
}

fn product(id: &str, customer: &str, status: ProductStatus) -> ProductInstance {
    ProductInstance {
        id: ProductId::new(id),
        customer: CustomerId::new(customer),
        offering: OfferingId::new("PO-FIBRE"),
        specification: SpecificationId::new("PS-FIBRE"),
        name: "Fibre 500".into(),
        status,
        characteristics: Vec::new(),
        place: Some(AddressId::new("ADDR-1")),
        services: vec![CfsSpecId::new("CFS:Internet")],
        start_date: Some(t0()),
        contract_end: None,
    }
}

#[test]
fn inventory_upserts_and_lists_by_customer_and_status() {
    let (_d, store) = open();
    store
        .upsert_product(&product("P-1", "C-1", ProductStatus::Active), t0())
        .unwrap();
    store
        .upsert_product(&product("P-2", "C-1", ProductStatus::PendingActive), t0())
        .unwrap();
    store
        .upsert_product(&product("P-3", "C-2", ProductStatus::Active), t0())
        .unwrap();
    let terminated = product("P-1", "C-1", ProductStatus::Terminated);
    store.upsert_product(&terminated, t0() + mins(1)).unwrap();
    assert_eq!(
        store.get_product(&ProductId::new("P-1")).unwrap(),
        terminated
    );
    assert!(matches!(
        store.get_product(&ProductId::new("P-9")),
        Err(StoreError::NotFound { .. })
    ));

    let list = |customer: Option<&str>, status| {
        let page = store
            .list_products(&ProductQuery {
                customer: customer.map(CustomerId::new),
                status,
                offset: 0,
                limit: 10,
            })
            .unwrap();
        (
            page.items
                .iter()
                .map(|p| p.id.to_string())
                .collect::<Vec<_>>(),
            page.total,
        )
    };
    assert_eq!(
        list(Some("C-1"), None),
        (vec!["P-1".to_owned(), "P-2".to_owned()], 2)
    );
    assert_eq!(
        list(None, Some(ProductStatus::Active)),
        (vec!["P-3".to_owned()], 1)
    );
    assert_eq!(
        list(Some("C-1"), Some(ProductStatus::PendingActive)),
        (vec!["P-2".to_owned()], 1)
    );
    assert_eq!(list(None, None).1, 3);
    assert_eq!(store.products_of(&CustomerId::new("C-1")).unwrap().len(), 2);
    let changes: Vec<ChangeOp> = store
        .changes_since(0, 100)
        .unwrap()
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(
        changes,
        [
            ChangeOp::Create,
            ChangeOp::Create,
            ChangeOp::Create,
            ChangeOp::StateChange
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Reference data, persistence, order history

#[test]
fn reference_data_loads_into_an_empty_store() {
    let (_d, store) = open();
    assert!(store.is_empty().unwrap());
    let users = [
        (
            "U-1",
            json!({"id": "U-1", "name": "Anouk", "role": "agent", "token": "tok-1"}),
        ),
        (
            "U-2",
            json!({"id": "U-2", "name": "Jeroen", "role": "supervisor", "token": "tok-2"}),
        ),
    ];
    let n = store
        .put_references(
            ReferenceKind::User,
            users.iter().map(|(id, doc)| (*id, doc)),
        )
        .unwrap();
    assert_eq!(n, 2);
    store
        .put_reference(
            ReferenceKind::ProductOffering,
            "PO-1",
            &json!({"id": "PO-1", "name": "Fibre"}),
        )
        .unwrap();
    assert!(!store.is_empty().unwrap());
    assert_eq!(
        store.user_by_token("tok-2").unwrap(),
        Some(users[1].1.clone())
    );
    assert_eq!(store.user_by_token("nope").unwrap(), None);
    assert_eq!(store.list_reference(ReferenceKind::User).unwrap().len(), 2);
    assert_eq!(
        store
            .get_reference(ReferenceKind::ProductOffering, "PO-1")
            .unwrap()
            .unwrap()["name"],
        "Fibre"
    );
    assert_eq!(
        store.get_reference(ReferenceKind::Quote, "PO-1").unwrap(),
        None
    );
    // Replacing keeps one document per (kind, id).
    store
        .put_reference(
            ReferenceKind::ProductOffering,
            "PO-1",
            &json!({"id": "PO-1", "name": "Fibre 2"}),
        )
        .unwrap();
    assert_eq!(
        store
            .list_reference(ReferenceKind::ProductOffering)
            .unwrap()
            .len(),
        1
    );
    for kind in ReferenceKind::ALL {
        assert_eq!(ReferenceKind::parse(kind.as_str()), Some(*kind));
    }
    // The token lookup uses its index.
    let plan: Vec<String> = raw(&store)
        .prepare("EXPLAIN QUERY PLAN SELECT json FROM reference WHERE kind = 'user' AND json_extract(json, '$.token') = ?1")
        .unwrap()
        .query_map(["tok-1"], |r| r.get(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        plan.iter().any(|l| l.contains("reference_users_by_token")),
        "{plan:?}"
    );
}

#[test]
fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested/data");
    let cursor;
    {
        let store = CentralStore::open(&data).unwrap();
        let o = create(
            &store,
            &with_external(order("O-1", "C-1", t0()), Some("web"), "X-1"),
        )
        .order;
        let held = apply(&store, "O-1", hold("r"), t0() + mins(1)).order;
        store
            .upsert_queue_entry(&QueueEntry::for_order(&held, QueueKind::Held, None), t0())
            .unwrap();
        store
            .claim(&o.id, &agent(), t0(), Duration::hours(1))
            .unwrap();
        store
            .create_subscription(&NewSubscription {
                id: "S-1",
                callback: "http://x",
                query: None,
                api_version: ApiVersion::V5,
                at: t0(),
            })
            .unwrap();
        store
            .enqueue_event(&event("ProductOrderStateChangeEvent", true), t0())
            .unwrap();
        store
            .put_reference(ReferenceKind::User, "U-1", &json!({"token": "t"}))
            .unwrap();
        store
            .upsert_product(&product("P-1", "C-1", ProductStatus::Active), t0())
            .unwrap();
        cursor = store.latest_cursor().unwrap();
    }
    assert!(data.join(CentralStore::FILE_NAME).exists());
    let store = CentralStore::open(&data).unwrap();
    assert_eq!(store.schema_version().unwrap(), 8);
    let o = store.get_order(&OrderId::new("O-1")).unwrap().order;
    assert_eq!((o.version, o.state()), (2, OrderState::Held));
    assert_eq!(store.list_versions(&o.id).unwrap().len(), 2);
    assert_eq!(
        store
            .get_queue_entry(&o.id)
            .unwrap()
            .claimed_by
            .unwrap()
            .user,
        agent()
    );
    assert_eq!(store.latest_cursor().unwrap(), cursor);
    assert_eq!(store.due_deliveries(t0(), 10).unwrap().len(), 1);
    assert!(store.user_by_token("t").unwrap().is_some());
    assert!(store.get_product(&ProductId::new("P-1")).is_ok());
    // Idempotency survives too.
    let again = with_external(order("O-2", "C-1", t0()), Some("web"), "X-1");
    assert!(!store
        .create_order(&new_order(&again, &agent(), None))
        .unwrap()
        .is_created());
    // And the new changes carry on after the old cursor.
    apply(&store, "O-1", OrderCommand::Resume, t0() + mins(2));
    assert!(store.latest_cursor().unwrap() > cursor);
}

#[test]
fn order_history_reads_duplicates_and_velocity() {
    let (_d, store) = open();
    let mut a = with_external(
        order("O-1", "C-1", t0() - Duration::days(40)),
        Some("web"),
        "CART-1",
    );
    a.payment.method = Some(PaymentMethodId::new("PM-1"));
    create(&store, &a); // old but open
    let mut b = with_external(
        order("O-2", "C-1", t0() - Duration::days(2)),
        Some("shop"),
        "CART-1",
    );
    b.payment.method = Some(PaymentMethodId::new("PM-1"));
    create(&store, &b);
    let c = order("O-3", "C-1", t0() - Duration::days(50));
    create(&store, &c);
    apply(
        &store,
        "O-3",
        OrderCommand::Cancel {
            reason: "withdrawn".into(),
        },
        t0() - Duration::days(49),
    ); // old and closed
    create(&store, &order("O-4", "C-2", t0()));

    let ids = |v: Vec<orderdesk_domain::reference::OrderSummary>| {
        v.into_iter().map(|s| s.id.to_string()).collect::<Vec<_>>()
    };
    let since = t0() - Duration::days(30);
    let none = OrderId::new("NEW");
    let c1 = CustomerId::new("C-1");
    let pm1 = PaymentMethodId::new("PM-1");
    let place = AddressId::new("ADDR-C-1");
    let fibre = OfferingId::new("PO-FIBRE");
    assert_eq!(
        ids(store.orders_with_external_id("CART-1", &none)),
        ["O-1", "O-2"]
    );
    assert_eq!(
        ids(store.orders_with_external_id("CART-1", &OrderId::new("O-1"))),
        ["O-2"]
    );
    // Placed in the window: the old open order does not count for velocity.
    assert_eq!(store.customer_orders_since(&c1, since, &none, 99), 1);
    assert_eq!(
        store.customer_orders_since(&c1, since, &OrderId::new("O-2"), 99),
        0
    );
    assert_eq!(
        store.customer_orders_since(&c1, t0() - Duration::days(60), &none, 99),
        3
    );
    // The order being validated is not counted even when another customer's.
    assert_eq!(
        store.customer_orders_since(&c1, since, &OrderId::new("O-4"), 99),
        1
    );
    assert_eq!(store.address_orders_since(&place, since, &none, 99), 1);
    assert_eq!(
        store.address_orders_since(&place, since, &OrderId::new("O-2"), 99),
        0
    );
    assert_eq!(
        store.payment_customers_since(&pm1, since, &none, 99),
        std::slice::from_ref(&c1)
    );
    assert!(store
        .payment_customers_since(&pm1, since, &OrderId::new("O-2"), 99)
        .is_empty());
    // The oldest open order with the offering at the place, however old; not the cancelled one.
    let open = |except: &str| {
        store
            .open_order_with(&c1, &fibre, &place, &OrderId::new(except))
            .map(|s| s.id.to_string())
    };
    assert_eq!(open("NEW").as_deref(), Some("O-1"));
    assert_eq!(open("O-1").as_deref(), Some("O-2"));
    assert!(store
        .open_order_with(&c1, &OfferingId::new("PO-TV"), &place, &none)
        .is_none());
    let summary = store.orders_with_external_id("CART-1", &none).remove(1);
    assert_eq!(summary.customer, CustomerId::new("C-1"));
    assert_eq!(summary.offerings, [OfferingId::new("PO-FIBRE")]);
    assert_eq!(summary.places, [AddressId::new("ADDR-C-1")]);
    assert_eq!(summary.channel.as_deref(), Some("web"));
    assert!(summary.is_open());
    assert!(store.orders_with_external_id("nope", &none).is_empty());
}

/// The summary the history used to build by decoding the order's document: the reference the
/// column-built summaries are checked against.
fn summary_from_document(order: &ProductOrder) -> orderdesk_domain::reference::OrderSummary {
    let mut offerings = Vec::new();
    for item in &order.items {
        if let Some(o) = &item.offering {
            if !offerings.contains(o) {
                offerings.push(o.clone());
            }
        }
    }
    orderdesk_domain::reference::OrderSummary {
        id: order.id.clone(),
        customer: order.customer.clone(),
        external_ids: order.external_ids.iter().map(|e| e.id.clone()).collect(),
        channel: order.channel.clone(),
        offerings,
        places: order.places().into_iter().cloned().collect(),
        payment_method: order.payment.method.clone(),
        state: order.state(),
        order_date: order.order_date,
    }
}

/// A summary with its lists sorted: the store lists them in key order, the document in item
/// order, and the domain only asks whether they contain a value.
fn sorted(
    mut s: orderdesk_domain::reference::OrderSummary,
) -> orderdesk_domain::reference::OrderSummary {
    s.external_ids.sort();
    s.offerings.sort();
    s.places.sort();
    s
}

#[test]
fn history_answers_from_indexes_match_the_documents() {
    let (_d, store) = open();
    let mut all = Vec::new();
    for n in 0..12u32 {
        let customer = format!("C-{}", n % 3);
        let at = t0() - Duration::hours(i64::from(n) * 20);
        let mut o = order(&format!("O-{n}"), &customer, at);
        // Items in an order their ids do not sort in, offerings repeated, one item without a
        // place, one at a second address.
        for (k, offering, place) in [
            ("10", "PO-TV", Some(format!("ADDR-{customer}"))),
            ("2", "PO-FIBRE", Some(format!("ADDR-X-{}", n % 2))),
            ("3", "PO-MOBILE", None),
        ]
        .into_iter()
        .take(usize::try_from(n % 4).unwrap())
        {
            let mut item = OrderItem::new(k, ItemAction::Add, Some(OfferingId::new(offering)));
            item.product.place = place.map(AddressId::new);
            o.items.push(item);
        }
        if n % 2 == 0 {
            // Two owners share each cart reference.
            let owner = if n % 4 == 0 { "web" } else { "partner" };
            o = with_external(o, Some(owner), &format!("CART-{}", n / 4));
        }
        if n % 3 == 0 {
            o = with_external(o, Some("shop"), &format!("SHOP-{n}"));
        }
        if n % 5 != 0 {
            o.payment.method = Some(PaymentMethodId::new(format!("PM-{}", n % 2)));
        }
        if n == 7 {
            o.channel = None;
        }
        create(&store, &o);
        all.push(o.id.to_string());
    }
    // Some orders move on (the child rows are rewritten on update).
    apply(&store, "O-1", hold("credit"), t0());
    apply(
        &store,
        "O-4",
        OrderCommand::Cancel {
            reason: "withdrawn".into(),
        },
        t0(),
    );

    // The reference: every order's summary decoded from its document, asked by a full scan.
    let documents: Vec<orderdesk_domain::reference::OrderSummary> = all
        .iter()
        .map(|id| summary_from_document(&store.get_order(&OrderId::new(id)).unwrap().order))
        .collect();
    let sorted_list = |list: Vec<orderdesk_domain::reference::OrderSummary>| {
        let mut list: Vec<_> = list.into_iter().map(sorted).collect();
        list.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        list
    };
    let sorted_ids = |mut list: Vec<CustomerId>| {
        list.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        list
    };
    let mut excepts: Vec<OrderId> = vec![OrderId::new("NEW")];
    excepts.extend(["O-0", "O-1", "O-6", "O-9"].map(OrderId::new));
    let windows = [t0() - Duration::days(30), t0() - Duration::hours(70), t0()];
    let places: Vec<AddressId> = ["ADDR-C-0", "ADDR-C-1", "ADDR-C-2", "ADDR-X-0", "ADDR-X-1"]
        .map(AddressId::new)
        .to_vec();
    let mut decided = 0;
    for cap in [1, 2, usize::MAX] {
        for except in &excepts {
            for external in ["CART-0", "CART-1", "SHOP-9", "SHOP-0", "nope"] {
                assert_eq!(
                    sorted_list(store.orders_with_external_id(external, except)),
                    sorted_list(documents.orders_with_external_id(external, except)),
                    "external id {external} except {except}"
                );
            }
            for since in windows {
                for c in 0..3 {
                    let customer = CustomerId::new(format!("C-{c}"));
                    let count = store.customer_orders_since(&customer, since, except, cap);
                    assert_eq!(
                        count,
                        documents.customer_orders_since(&customer, since, except, cap),
                        "customer {customer} since {since} except {except}"
                    );
                    decided += count;
                }
                for place in &places {
                    let count = store.address_orders_since(place, since, except, cap);
                    assert_eq!(
                        count,
                        documents.address_orders_since(place, since, except, cap),
                        "address {place} since {since} except {except}"
                    );
                    decided += count;
                }
                for pm in ["PM-0", "PM-1", "PM-9"] {
                    let pm = PaymentMethodId::new(pm);
                    // Under a cap, which customers come first is each source's order.
                    let (mut got, mut want) = (
                        store.payment_customers_since(&pm, since, except, cap),
                        documents.payment_customers_since(&pm, since, except, cap),
                    );
                    if cap != usize::MAX {
                        (got, want) = (
                            vec![CustomerId::new(""); got.len()],
                            vec![CustomerId::new(""); want.len()],
                        );
                    }
                    assert_eq!(
                        sorted_ids(got),
                        sorted_ids(want),
                        "payment {pm} since {since} except {except} cap {cap}"
                    );
                }
            }
            for c in 0..3 {
                let customer = CustomerId::new(format!("C-{c}"));
                for offering in ["PO-TV", "PO-FIBRE", "PO-MOBILE"] {
                    let offering = OfferingId::new(offering);
                    for place in &places {
                        let found = store.open_order_with(&customer, &offering, place, except);
                        decided += usize::from(found.is_some());
                        assert_eq!(
                            found.map(sorted),
                            documents
                                .open_order_with(&customer, &offering, place, except)
                                .map(sorted),
                            "open {customer} {offering} {place} except {except}"
                        );
                    }
                }
            }
        }
    }
    assert!(decided > 50, "the comparison met too few orders: {decided}");
}
