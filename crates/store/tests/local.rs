//! The desktop's local store against a real SQLite file in a temp dir: profiles and reopening,
//! local orders with their outbox entries (atomically), lookups and lists, full-text search
//! (hostile input included), merging server copies without clobbering local changes, the
//! outbox's per-order ordering and retry bookkeeping, versions and notes, the queue mirror in
//! the domain's work order and its query plans, reference data and the sync cursor.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use orderdesk_domain::desk::queue::sort_queue;
use orderdesk_domain::desk::{ChangeKind, OrderVersion, QueueEntry, QueueKind};
use orderdesk_domain::order::{ExternalId, RelatedParty};
use orderdesk_domain::priority::AgeingPolicy;
use orderdesk_domain::reference::{OrderHistory, OrderSummary};
use orderdesk_domain::{
    AddressId, CustomerId, ItemAction, OfferingId, OrderId, OrderItem, OrderState, PaymentMethodId,
    Priority, ProductOrder, UserId,
};
use orderdesk_store::local::testkit::{seed_orders, synthetic_queue_entry};
use orderdesk_store::local::{
    KeepLocal, LocalOrder, LocalQueueEntry, LocalQueueQuery, LocalStore, Method, NewOutboxEntry,
    OrderListQuery, OrderSort, OutboxCounts, OutboxKind, PullOutcome, PulledOrder, ReferenceKind,
    ReferenceRow, SearchText, ServerAck, SyncStatus, SyncStatusKind,
};
use orderdesk_store::StoreError;
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

fn open() -> (TempDir, LocalStore) {
    let dir = tempfile::tempdir().unwrap();
    let path = LocalStore::profile_path(dir.path(), "http://127.0.0.1:8080", "U-AGENT-1");
    let store = LocalStore::open(&path).unwrap();
    (dir, store)
}

fn order(id: &str, customer: &str, place: &str) -> ProductOrder {
    let mut item = OrderItem::new("1", ItemAction::Add, Some(OfferingId::new("PO-FIBRE-500")));
    item.product.place = Some(AddressId::new(place));
    let mut o = ProductOrder::new(
        OrderId::new(id),
        CustomerId::new(customer),
        t0(),
        vec![item],
        false,
    )
    .unwrap();
    o.channel = Some("desk".into());
    o.external_ids = vec![ExternalId {
        owner: Some("desk".into()),
        kind: None,
        id: format!("EXT-{id}"),
    }];
    o
}

fn search(name: &str, address: &str) -> SearchText {
    SearchText {
        customer_name: Some(name.into()),
        address: Some(address.into()),
    }
}

fn captured(id: &str) -> LocalOrder {
    LocalOrder::captured(
        order(id, "CUST-1", "ADDR-1"),
        search("Alpha Resident", "Kerkstraat 12, Delft"),
        t0(),
    )
}

fn entry(order: &str, kind: OutboxKind, key: &str) -> NewOutboxEntry {
    NewOutboxEntry {
        order_id: OrderId::new(order),
        kind,
        method: match kind {
            OutboxKind::PatchOrder => Method::Patch,
            _ => Method::Post,
        },
        path: "/tmf-api/productOrderingManagement/v5/productOrder".into(),
        body: Some(json!({"id": order})),
        idempotency_key: key.into(),
        if_match: None,
        created_at: t0(),
    }
}

fn create(order: &str, key: &str) -> NewOutboxEntry {
    entry(order, OutboxKind::CreateOrder, key)
}

fn pulled(order: ProductOrder, version: u32) -> PulledOrder {
    PulledOrder {
        order,
        server_version: version,
        etag: Some(format!("\"{version}\"")),
        search: SearchText::default(),
    }
}

fn ids(orders: &[LocalOrder]) -> Vec<String> {
    orders.iter().map(|o| o.order.id.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------
// Opening, profiles, persistence

#[test]
fn a_profile_gets_its_own_migrated_file_under_the_app_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let a = LocalStore::profile_path(dir.path(), "https://desk.example.com/", "U-AGENT-1");
    let b = LocalStore::profile_path(dir.path(), "https://desk.example.com/", "U-BACK-1");
    assert_ne!(a, b);
    assert!(a.starts_with(dir.path()));
    let store = LocalStore::open(&a).unwrap();
    assert!(a.exists());
    assert_eq!(store.path(), a.as_path());
    assert_eq!(store.schema_version().unwrap(), 7);
    assert_eq!(store.order_count().unwrap(), 0);
    assert_eq!(store.cursor().unwrap(), 0);
    assert_eq!(store.last_sync_at().unwrap(), None);
}

#[test]
fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p").join("local.db");
    {
        let store = LocalStore::open(&path).unwrap();
        store
            .save_local_order(&captured("O-1"), Some(&create("O-1", "k1")))
            .unwrap();
        store.set_cursor(42, t0()).unwrap();
        store
            .put_reference(
                ReferenceKind::Customer,
                &ReferenceRow::new("CUST-1", json!({"name": "Alpha"})),
                t0(),
            )
            .unwrap();
        store
            .replace_queue_entries(
                Some(QueueKind::Held),
                &[synthetic_queue_entry(QueueKind::Held, 1, t0())],
                t0(),
            )
            .unwrap();
    }
    let store = LocalStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 7);
    let o = store.get_order(&OrderId::new("O-1")).unwrap().unwrap();
    assert_eq!(o, captured("O-1"));
    assert_eq!(store.outbox_len().unwrap(), 1);
    assert_eq!(store.cursor().unwrap(), 42);
    assert_eq!(store.last_sync_at().unwrap(), Some(t0()));
    assert!(store
        .get_reference(ReferenceKind::Customer, "CUST-1")
        .unwrap()
        .is_some());
    let q = store
        .list_queue(&LocalQueueQuery::first_page(QueueKind::Held, t0(), 10))
        .unwrap();
    assert_eq!(q.total, 1);
    assert_eq!(store.search("alpha", 10).unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Orders and their outbox entries

#[test]
fn a_local_order_and_its_outbox_entry_are_written_together() {
    let (_d, store) = open();
    let seq = store
        .save_local_order(&captured("O-1"), Some(&create("O-1", "k1")))
        .unwrap()
        .unwrap();
    let stored = store.get_order(&OrderId::new("O-1")).unwrap().unwrap();
    assert_eq!(stored.sync, SyncStatus::AwaitingSync);
    assert_eq!(stored.server_version, None);
    let e = store.outbox_entry(seq).unwrap().unwrap();
    assert_eq!(e.order_id, OrderId::new("O-1"));
    assert_eq!(e.kind, OutboxKind::CreateOrder);
    assert_eq!(e.method, Method::Post);
    assert_eq!(e.body, Some(json!({"id": "O-1"})));
    assert_eq!(e.idempotency_key, "k1");
    assert_eq!((e.attempts, e.failed, e.next_attempt_at), (0, false, t0()));
    // A draft is stored without an entry.
    let draft = LocalOrder::draft(
        order("O-2", "CUST-1", "ADDR-1"),
        SearchText::default(),
        t0(),
    );
    assert_eq!(store.save_local_order(&draft, None).unwrap(), None);
    assert_eq!(store.outbox_len().unwrap(), 1);
}

#[test]
fn a_failing_outbox_entry_leaves_no_order_behind() {
    let (_d, store) = open();
    store
        .save_local_order(&captured("O-1"), Some(&create("O-1", "k1")))
        .unwrap();

    // The entry's idempotency key is taken: the UNIQUE constraint fails after the order's rows
    // were written in the same transaction. Neither the order nor the entry remains.
    let err = store
        .save_local_order(&captured("O-2"), Some(&create("O-2", "k1")))
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Duplicate { entity: "idempotencyKey", id } if id == "k1"),
        "{err:?}"
    );
    assert!(store.get_order(&OrderId::new("O-2")).unwrap().is_none());
    assert!(store.search("EXT-O-2", 10).unwrap().is_empty());
    assert_eq!(store.outbox_len().unwrap(), 1);

    // Same for a change to an existing order: it keeps its previous version.
    let mut changed = captured("O-1");
    changed.order.version = 2;
    changed.order.description = Some("changed".into());
    assert!(store
        .save_local_order(&changed, Some(&entry("O-1", OutboxKind::PatchOrder, "k1")))
        .is_err());
    let kept = store.get_order(&OrderId::new("O-1")).unwrap().unwrap();
    assert_eq!(kept.order.version, 1);
    assert_eq!(kept.order.description, None);

    // A composite write that fails after the save rolls the save back too.
    let r: Result<(), StoreError> = store.write(|tx| {
        tx.save_local_order(&captured("O-3"), Some(&create("O-3", "k3")))?;
        Err(StoreError::Inconsistent("boom".into()))
    });
    assert!(r.is_err());
    assert!(store.get_order(&OrderId::new("O-3")).unwrap().is_none());
    assert_eq!(store.outbox_len().unwrap(), 1);
}

#[test]
fn an_entry_must_match_its_order_and_status() {
    let (_d, store) = open();
    let err = store
        .save_local_order(&captured("O-1"), Some(&create("O-9", "k1")))
        .unwrap_err();
    assert!(matches!(err, StoreError::Inconsistent(_)), "{err:?}");
    let draft = LocalOrder::draft(
        order("O-1", "CUST-1", "ADDR-1"),
        SearchText::default(),
        t0(),
    );
    let err = store
        .save_local_order(&draft, Some(&create("O-1", "k1")))
        .unwrap_err();
    assert!(matches!(err, StoreError::Inconsistent(_)), "{err:?}");
    assert_eq!(store.order_count().unwrap(), 0);
    assert_eq!(store.outbox_len().unwrap(), 0);
}

#[test]
fn orders_are_found_by_id_external_id_customer_and_address() {
    let (_d, store) = open();
    for (i, (id, customer, place)) in [
        ("O-1", "CUST-1", "ADDR-1"),
        ("O-2", "CUST-1", "ADDR-2"),
        ("O-3", "CUST-2", "ADDR-1"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut o = order(id, customer, place);
        o.order_date = t0() + mins(i as i64);
        store
            .save_local_order(&LocalOrder::draft(o, SearchText::default(), t0()), None)
            .unwrap();
    }
    assert!(store.get_order(&OrderId::new("nope")).unwrap().is_none());
    let by_ext = store.get_by_external_id("EXT-O-2").unwrap().unwrap();
    assert_eq!(by_ext.order.id, OrderId::new("O-2"));
    assert!(store.get_by_external_id("EXT-nope").unwrap().is_none());
    let of_1 = store
        .orders_of_customer(&CustomerId::new("CUST-1"), 10)
        .unwrap();
    assert_eq!(ids(&of_1), ["O-2", "O-1"]);
    assert_eq!(
        ids(&store
            .orders_of_customer(&CustomerId::new("CUST-1"), 1)
            .unwrap()),
        ["O-2"]
    );
    let at_1 = store
        .orders_at_address(&AddressId::new("ADDR-1"), 10)
        .unwrap();
    assert_eq!(ids(&at_1), ["O-3", "O-1"]);
}

#[test]
fn lists_filter_by_state_and_sync_status_and_page() {
    let (_d, store) = open();
    let now = t0();
    let n = seed_orders(&store, 0, 300, 60, now, 100).unwrap();
    assert_eq!(n, 300);
    // Two local changes on top of the synced population.
    store
        .save_local_order(&captured("LOCAL-1"), Some(&create("LOCAL-1", "k1")))
        .unwrap();
    let draft = LocalOrder::draft(
        order("LOCAL-2", "CUST-1", "ADDR-1"),
        SearchText::default(),
        t0(),
    );
    store.save_local_order(&draft, None).unwrap();

    let all = store.list_orders(&OrderListQuery::default()).unwrap();
    assert_eq!(all.total, 302);
    assert_eq!(all.items.len(), 50);
    let dates: Vec<_> = all.items.iter().map(|o| o.order.order_date).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let asc = store
        .list_orders(&OrderListQuery {
            sort: OrderSort::OrderDateAsc,
            limit: 5,
            ..Default::default()
        })
        .unwrap();
    assert!(asc
        .items
        .windows(2)
        .all(|w| w[0].order.order_date <= w[1].order.order_date));

    let awaiting = store
        .list_orders(&OrderListQuery {
            sync: Some(SyncStatusKind::AwaitingSync),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (awaiting.total, ids(&awaiting.items)),
        (1, vec!["LOCAL-1".to_owned()])
    );

    let held = store
        .list_orders(&OrderListQuery {
            state: Some(OrderState::Held),
            sync: Some(SyncStatusKind::Synced),
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    assert!(held.total > 0);
    assert_eq!(held.items.len() as u64, held.total);
    assert!(held
        .items
        .iter()
        .all(|o| o.order.state() == OrderState::Held));

    // Paging walks the whole list exactly once.
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = store
            .list_orders(&OrderListQuery {
                offset,
                limit: 64,
                ..Default::default()
            })
            .unwrap();
        if page.items.is_empty() {
            break;
        }
        offset += page.items.len() as u64;
        seen.extend(ids(&page.items));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 302);
}

// ---------------------------------------------------------------------------------------------
// Full-text search

fn searchable_store() -> (TempDir, LocalStore) {
    let (d, store) = open();
    let rows = [
        (
            "ORD-1042",
            "CUST-1",
            "Alpha Resident",
            "Kerkstraat 12, 2611 HX Delft",
        ),
        ("ORD-2001", "CUST-2", "Beta Işık", "Molenweg 3, Utrecht"),
        ("ORD-3003", "CUST-3", "Gamma Willow", "Stationsweg 88, Gent"),
        ("ORD-4004", "CUST-4", "Épée Crème", "Julianalaan 5, Delft"),
    ];
    for (id, customer, name, address) in rows {
        let o = order(id, customer, "ADDR-X");
        store
            .save_local_order(&LocalOrder::draft(o, search(name, address), t0()), None)
            .unwrap();
    }
    // A pulled order whose name comes from its customer party only.
    let mut o = order("ORD-5005", "CUST-5", "ADDR-Y");
    o.related_parties = vec![RelatedParty {
        id: "CUST-5".into(),
        role: "Customer".into(),
        name: Some("Demo Business 2001 B.V.".into()),
        referred_type: Some("Organization".into()),
    }];
    store.upsert_from_server(&pulled(o, 1), t0()).unwrap();
    (d, store)
}

#[test]
fn search_finds_orders_by_name_address_and_ids() {
    let (_d, store) = searchable_store();
    let found = |q: &str| {
        let mut v = ids(&store.search(q, 10).unwrap());
        v.sort();
        v
    };
    assert_eq!(found("Resident"), ["ORD-1042"]);
    assert_eq!(found("resi"), ["ORD-1042"], "prefix");
    assert_eq!(found("alpha resident"), ["ORD-1042"]);
    assert_eq!(
        found("alpha willow"),
        Vec::<String>::new(),
        "every word must match"
    );
    assert_eq!(found("epee creme"), ["ORD-4004"], "diacritics fold");
    assert_eq!(found("Delft"), ["ORD-1042", "ORD-4004"]);
    assert_eq!(found("2611"), ["ORD-1042"]);
    assert_eq!(found("kerkstraat 12"), ["ORD-1042"]);
    assert_eq!(found("ORD-2001"), ["ORD-2001"]);
    assert_eq!(found("3003"), ["ORD-3003"]);
    assert_eq!(found("EXT-ORD-3003"), ["ORD-3003"]);
    assert_eq!(found("CUST-4"), ["ORD-4004"]);
    assert_eq!(found("ADDR-Y"), ["ORD-5005"]);
    assert_eq!(
        found("business 2001"),
        ["ORD-5005"],
        "name from the customer party"
    );
    assert_eq!(store.search("ORD", 2).unwrap().len(), 2, "limit");
}

#[test]
fn hostile_search_input_never_fails() {
    let (_d, store) = searchable_store();
    let hostile = [
        "",
        " ",
        "\"",
        "\"\"",
        "\"alpha",
        "alpha\"",
        "*",
        "**",
        "alpha*",
        "*alpha",
        "NEAR",
        "NEAR(",
        "NEAR(alpha resident)",
        "NEAR(alpha resident, 2)",
        "alpha NEAR resident",
        "(",
        ")",
        "((alpha",
        "alpha))",
        "AND",
        "OR",
        "NOT",
        "alpha AND",
        "OR resident",
        "NOT NOT",
        "-alpha",
        "+alpha",
        "^alpha",
        "customer_name:alpha",
        "{customer_name address}:delft",
        ":",
        "'; DROP TABLE orders; --",
        "\u{0}",
        "\u{202e}alpha",
        "alpha\u{0}resident",
        "🙂",
        "a\"b\"c",
        "ORD-1042\" OR \"1=1",
    ];
    let long = "x".repeat(10_000);
    let many = "alpha ".repeat(1000);
    for q in hostile
        .iter()
        .copied()
        .chain([long.as_str(), many.as_str()])
    {
        let r = store.search(q, 10);
        assert!(r.is_ok(), "{q:?}: {r:?}");
    }
    // Quotes and operators are searched as words, not obeyed.
    assert_eq!(ids(&store.search("\"alpha", 10).unwrap()), ["ORD-1042"]);
    assert_eq!(
        ids(&store.search("NEAR(alpha resident)", 10).unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(ids(&store.search("((alpha", 10).unwrap()), ["ORD-1042"]);
    assert!(store.search("*", 10).unwrap().is_empty());
    assert!(store
        .search("'; DROP TABLE orders; --", 10)
        .unwrap()
        .is_empty());
    assert_eq!(store.order_count().unwrap(), 5);
}

// ---------------------------------------------------------------------------------------------
// Merging server copies

#[test]
fn server_copies_insert_apply_and_skip_older() {
    let (_d, store) = open();
    let mut v3 = order("O-1", "CUST-1", "ADDR-1");
    v3.version = 3;
    let p = PulledOrder {
        search: search("Alpha Resident", "Kerkstraat 12"),
        ..pulled(v3.clone(), 3)
    };
    assert_eq!(
        store.upsert_from_server(&p, t0()).unwrap(),
        PullOutcome::Inserted
    );
    let stored = store.get_order(&OrderId::new("O-1")).unwrap().unwrap();
    assert_eq!(stored.sync, SyncStatus::Synced);
    assert_eq!(stored.server_version, Some(3));
    assert_eq!(stored.etag.as_deref(), Some("\"3\""));

    let mut v2 = v3.clone();
    v2.version = 2;
    v2.description = Some("old".into());
    assert_eq!(
        store.upsert_from_server(&pulled(v2, 2), t0()).unwrap(),
        PullOutcome::SkippedOlder { known: 3 }
    );
    assert_eq!(
        store
            .upsert_from_server(&pulled(v3.clone(), 3), t0())
            .unwrap(),
        PullOutcome::SkippedOlder { known: 3 }
    );

    let mut v4 = v3;
    v4.version = 4;
    v4.description = Some("newer".into());
    assert_eq!(
        store
            .upsert_from_server(&pulled(v4, 4), t0() + mins(1))
            .unwrap(),
        PullOutcome::Applied
    );
    let stored = store.get_order(&OrderId::new("O-1")).unwrap().unwrap();
    assert_eq!(stored.order.description.as_deref(), Some("newer"));
    assert_eq!(stored.server_version, Some(4));
    // Search text the pull did not carry is kept.
    assert_eq!(stored.search, search("Alpha Resident", "Kerkstraat 12"));
    assert_eq!(ids(&store.search("resident", 5).unwrap()), ["O-1"]);
}

#[test]
fn a_server_copy_never_overwrites_a_pending_local_change() {
    let (_d, store) = open();
    // Synced at version 2, then changed locally (a patch waits in the outbox).
    let mut base = order("O-1", "CUST-1", "ADDR-1");
    base.version = 2;
    store
        .upsert_from_server(&pulled(base.clone(), 2), t0())
        .unwrap();
    let mut mine = base.clone();
    mine.version = 3;
    mine.description = Some("mine".into());
    let local = LocalOrder {
        server_version: Some(2),
        etag: Some("\"2\"".into()),
        ..LocalOrder::captured(mine.clone(), SearchText::default(), t0())
    };
    let mut patch = entry("O-1", OutboxKind::PatchOrder, "p1");
    patch.if_match = Some("\"2\"".into());
    store.save_local_order(&local, Some(&patch)).unwrap();

    // Another desk changed it meanwhile: version 3 on the server.
    let mut theirs = base.clone();
    theirs.version = 3;
    theirs.description = Some("theirs".into());
    let outcome = store
        .upsert_from_server(&pulled(theirs.clone(), 3), t0() + mins(1))
        .unwrap();
    assert_eq!(outcome, PullOutcome::ConflictRecorded);
    let stored = store.get_order(&OrderId::new("O-1")).unwrap().unwrap();
    assert_eq!(stored.order, mine, "the local change is kept");
    assert_eq!(stored.server_version, Some(2), "still based on version 2");
    let SyncStatus::Conflict {
        server_version,
        etag,
        server_order,
    } = &stored.sync
    else {
        panic!("{:?}", stored.sync);
    };
    assert_eq!((*server_version, etag.as_deref()), (3, Some("\"3\"")));
    assert_eq!(**server_order, theirs);
    assert_eq!(store.outbox_len().unwrap(), 1, "the entry stays");
    let conflicts = store
        .list_orders(&OrderListQuery {
            sync: Some(SyncStatusKind::Conflict),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(conflicts.total, 1);

    // The same copy again, or an older one, changes nothing; a newer one updates the record.
    assert_eq!(
        store
            .upsert_from_server(&pulled(theirs.clone(), 3), t0())
            .unwrap(),
        PullOutcome::SkippedOlder { known: 3 }
    );
    let mut theirs4 = theirs;
    theirs4.version = 4;
    assert_eq!(
        store
            .upsert_from_server(&pulled(theirs4.clone(), 4), t0())
            .unwrap(),
        PullOutcome::ConflictRecorded
    );
    let stored = store.get_order(&OrderId::new("O-1")).unwrap().unwrap();
    assert_eq!(stored.order, mine);
    assert!(matches!(
        stored.sync,
        SyncStatus::Conflict {
            server_version: 4,
            ..
        }
    ));

    // The user keeps the server's version: the local change and its entry go.
    let accepted = store
        .accept_server_copy(&OrderId::new("O-1"), t0() + mins(2))
        .unwrap();
    assert_eq!(accepted.order, theirs4);
    assert_eq!(accepted.sync, SyncStatus::Synced);
    assert_eq!(accepted.server_version, Some(4));
    assert_eq!(store.outbox_len().unwrap(), 0);
    assert_eq!(
        store.get_order(&OrderId::new("O-1")).unwrap().unwrap(),
        accepted
    );
    // Nothing left to accept.
    assert!(matches!(
        store.accept_server_copy(&OrderId::new("O-1"), t0()),
        Err(StoreError::Inconsistent(_))
    ));
}

/// Order O-1 synced at version 2, changed locally (description "mine", a patch with If-Match 2
/// in the outbox, then `later` more entries behind it), and version 3 on the server recorded as
/// a conflict by a 412 on the patch. Returns the patch's entry and the server's copy.
fn conflicted(store: &LocalStore, later: usize) -> (u64, ProductOrder) {
    let mut base = order("O-1", "CUST-1", "ADDR-1");
    base.version = 2;
    store
        .upsert_from_server(&pulled(base.clone(), 2), t0())
        .unwrap();
    let mut mine = base.clone();
    mine.description = Some("mine".into());
    let local = LocalOrder {
        server_version: Some(2),
        etag: Some("\"2\"".into()),
        ..LocalOrder::captured(mine, SearchText::default(), t0())
    };
    let mut patch = entry("O-1", OutboxKind::PatchOrder, "p1");
    patch.body = Some(json!({"description": "mine", "priority": "4"}));
    patch.if_match = Some("\"2\"".into());
    let seq = store
        .save_local_order(&local, Some(&patch))
        .unwrap()
        .unwrap();
    for n in 0..later {
        let mut next = entry("O-1", OutboxKind::CancelOrder, &format!("c{n}"));
        next.if_match = Some("\"2\"".into());
        store.save_local_order(&local, Some(&next)).unwrap();
    }
    store
        .mark_failed(seq, "versionConflict", "changed on the server", t0())
        .unwrap();
    let mut theirs = base;
    theirs.version = 3;
    theirs.category = Some("business".into());
    store
        .upsert_from_server(&pulled(theirs.clone(), 3), t0() + mins(1))
        .unwrap();
    assert!(matches!(
        store.get_order(&OrderId::new("O-1")).unwrap().unwrap().sync,
        SyncStatus::Conflict {
            server_version: 3,
            ..
        }
    ));
    (seq, theirs)
}

#[test]
fn keeping_the_local_change_sends_it_again_on_the_servers_version() {
    let (_d, store) = open();
    let (seq, theirs) = conflicted(&store, 0);
    assert_eq!(
        store.outbox_counts().unwrap(),
        OutboxCounts {
            pending: 0,
            failed: 1
        }
    );

    // Rebased: only the field the user changed, If-Match the server's version.
    let mut shown = theirs.clone();
    shown.description = Some("mine".into());
    let kept = store
        .keep_local_change(
            &OrderId::new("O-1"),
            &KeepLocal::Resend {
                entry: seq,
                body: Some(json!({"description": "mine"})),
                if_match: Some("\"3\"".into()),
                order: Box::new(shown.clone()),
                search: SearchText::default(),
            },
            t0() + mins(2),
        )
        .unwrap();
    assert_eq!(kept.sync, SyncStatus::AwaitingSync);
    assert_eq!(kept.order, shown);
    assert_eq!(
        (kept.server_version, kept.etag.as_deref()),
        (Some(3), Some("\"3\""))
    );
    assert_eq!(
        store.get_order(&OrderId::new("O-1")).unwrap().unwrap(),
        kept
    );

    // The same entry, pending again, due now, its attempts started over.
    assert_eq!(
        store.outbox_counts().unwrap(),
        OutboxCounts {
            pending: 1,
            failed: 0
        }
    );
    let due = store.pending_outbox(t0() + mins(2), 10).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].seq, seq);
    assert_eq!(due[0].body, Some(json!({"description": "mine"})));
    assert_eq!(due[0].if_match.as_deref(), Some("\"3\""));
    assert_eq!(
        (due[0].attempts, due[0].failed, due[0].last_error.clone()),
        (0, false, None)
    );

    // No conflict left to resolve.
    assert!(matches!(
        store.keep_local_change(
            &OrderId::new("O-1"),
            &KeepLocal::AlreadyOnServer { entry: seq },
            t0()
        ),
        Err(StoreError::Inconsistent(_))
    ));
}

#[test]
fn a_local_change_the_server_already_has_is_dropped_keeping_later_ones() {
    let (_d, store) = open();
    let (seq, theirs) = conflicted(&store, 1);
    let kept = store
        .keep_local_change(
            &OrderId::new("O-1"),
            &KeepLocal::AlreadyOnServer { entry: seq },
            t0() + mins(2),
        )
        .unwrap();
    assert_eq!(kept.order, theirs);
    assert_eq!(kept.server_version, Some(3));
    assert_eq!(
        kept.sync,
        SyncStatus::AwaitingSync,
        "the cancel still waits"
    );
    let left = store.outbox_of_order(&OrderId::new("O-1")).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].kind, OutboxKind::CancelOrder);

    // Without later changes the order is simply synced.
    let (_d2, store) = open();
    let (seq, theirs) = conflicted(&store, 0);
    let kept = store
        .keep_local_change(
            &OrderId::new("O-1"),
            &KeepLocal::AlreadyOnServer { entry: seq },
            t0() + mins(2),
        )
        .unwrap();
    assert_eq!((kept.order, kept.sync), (theirs, SyncStatus::Synced));
    assert_eq!(store.outbox_counts().unwrap(), OutboxCounts::default());
}

#[test]
fn only_the_first_change_of_a_conflicting_order_can_be_kept() {
    let (_d, store) = open();
    let (seq, theirs) = conflicted(&store, 1);
    let later = store.outbox_of_order(&OrderId::new("O-1")).unwrap()[1].seq;
    let resend = |entry: u64, order: ProductOrder| KeepLocal::Resend {
        entry,
        body: None,
        if_match: Some("\"3\"".into()),
        order: Box::new(order),
        search: SearchText::default(),
    };
    for (entry, order) in [
        (later, theirs.clone()),
        (seq + 100, theirs.clone()),
        (seq, order("O-2", "CUST-1", "ADDR-1")),
    ] {
        let err = store
            .keep_local_change(&OrderId::new("O-1"), &resend(entry, order), t0())
            .unwrap_err();
        assert!(matches!(err, StoreError::Inconsistent(_)), "{err}");
    }
    // Nothing changed.
    assert_eq!(
        store.outbox_counts().unwrap(),
        OutboxCounts {
            pending: 1,
            failed: 1
        }
    );
    assert!(matches!(
        store.get_order(&OrderId::new("O-1")).unwrap().unwrap().sync,
        SyncStatus::Conflict { .. }
    ));
    // An order that is not in conflict has nothing to keep.
    store.save_local_order(&captured("O-3"), None).unwrap();
    assert!(matches!(
        store.keep_local_change(
            &OrderId::new("O-3"),
            &KeepLocal::AlreadyOnServer { entry: seq },
            t0()
        ),
        Err(StoreError::Inconsistent(_))
    ));
}

#[test]
fn drafts_and_refused_changes_are_not_overwritten_either() {
    let (_d, store) = open();
    let draft = LocalOrder::draft(
        order("O-1", "CUST-1", "ADDR-1"),
        SearchText::default(),
        t0(),
    );
    store.save_local_order(&draft, None).unwrap();
    let mut other = order("O-1", "CUST-9", "ADDR-9");
    other.version = 1;
    assert_eq!(
        store.upsert_from_server(&pulled(other, 1), t0()).unwrap(),
        PullOutcome::ConflictRecorded
    );
    assert_eq!(
        store
            .get_order(&OrderId::new("O-1"))
            .unwrap()
            .unwrap()
            .order,
        draft.order
    );
}

#[test]
fn the_server_copy_of_our_own_unacknowledged_create_is_adopted() {
    let (_d, store) = open();
    let seq = store
        .save_local_order(&captured("O-1"), Some(&create("O-1", "k1")))
        .unwrap()
        .unwrap();
    // The server took the create (and accepted the order), but the answer was lost; the pull
    // brings its copy before the retry.
    let mut theirs = order("O-1", "CUST-1", "ADDR-1");
    theirs.phase.accepted = true;
    theirs.state_reason = Some("accepted".into());
    assert_eq!(
        store
            .upsert_from_server(&pulled(theirs.clone(), 1), t0())
            .unwrap(),
        PullOutcome::Adopted
    );
    let stored = store.get_order(&OrderId::new("O-1")).unwrap().unwrap();
    assert_eq!(stored.order, theirs);
    assert_eq!(stored.sync, SyncStatus::AwaitingSync);
    assert_eq!(stored.server_version, Some(1));
    // The retry is answered idempotently: synced.
    store
        .mark_sent(
            seq,
            &ServerAck {
                version: Some(1),
                etag: Some("\"1\"".into()),
                order: Some(theirs.clone()),
            },
            t0(),
        )
        .unwrap();
    let stored = store.get_order(&OrderId::new("O-1")).unwrap().unwrap();
    assert_eq!((stored.sync, stored.order), (SyncStatus::Synced, theirs));
}

#[test]
fn an_acknowledgement_never_replaces_a_newer_pulled_copy() {
    let (_d, store) = open();
    let seq = store
        .save_local_order(&captured("O-1"), Some(&create("O-1", "k1")))
        .unwrap()
        .unwrap();
    // While the create's answer (version 1) is in flight, the changes feed brings version 2
    // (the server held the order) and the cursor moves past it.
    let mut v1 = order("O-1", "CUST-1", "ADDR-1");
    v1.version = 1;
    v1.state_reason = Some("acknowledged".into());
    let mut v2 = v1.clone();
    v2.version = 2;
    v2.state_reason = Some("held for a credit check".into());
    store
        .upsert_from_server(&pulled(v2.clone(), 2), t0())
        .unwrap();
    store
        .mark_sent(
            seq,
            &ServerAck {
                version: Some(1),
                etag: Some("\"1\"".into()),
                order: Some(v1),
            },
            t0() + mins(1),
        )
        .unwrap();
    let stored = store.get_order(&OrderId::new("O-1")).unwrap().unwrap();
    assert_eq!(
        (
            stored.sync,
            stored.server_version,
            stored.etag.as_deref(),
            stored.order
        ),
        (SyncStatus::Synced, Some(2), Some("\"2\""), v2)
    );
    assert_eq!(store.outbox_counts().unwrap().pending, 0);
}

#[test]
fn an_older_pulled_copy_never_replaces_a_newer_acknowledgement() {
    let (_d, store) = open();
    let seq = store
        .save_local_order(&captured("O-1"), Some(&create("O-1", "k1")))
        .unwrap()
        .unwrap();
    let mut v1 = order("O-1", "CUST-1", "ADDR-1");
    v1.version = 1;
    v1.state_reason = Some("acknowledged".into());
    let mut v2 = v1.clone();
    v2.version = 2;
    v2.state_reason = Some("held for a credit check".into());
    store
        .mark_sent(
            seq,
            &ServerAck {
                version: Some(2),
                etag: Some("\"2\"".into()),
                order: Some(v2.clone()),
            },
            t0(),
        )
        .unwrap();
    // A feed page read before the answer arrived still carries version 1.
    assert_eq!(
        store
            .upsert_from_server(&pulled(v1, 1), t0() + mins(1))
            .unwrap(),
        PullOutcome::SkippedOlder { known: 2 }
    );
    let stored = store.get_order(&OrderId::new("O-1")).unwrap().unwrap();
    assert_eq!(
        (stored.sync, stored.server_version, stored.order),
        (SyncStatus::Synced, Some(2), v2)
    );
}

// ---------------------------------------------------------------------------------------------
// Outbox

#[test]
fn the_outbox_drains_in_order_and_never_lets_a_later_change_overtake() {
    let (_d, store) = open();
    let a1 = store
        .save_local_order(&captured("A"), Some(&create("A", "a1")))
        .unwrap()
        .unwrap();
    let b1 = store
        .save_local_order(&captured("B"), Some(&create("B", "b1")))
        .unwrap()
        .unwrap();
    let mut a_changed = captured("A");
    a_changed.order.version = 2;
    let a2 = store
        .save_local_order(&a_changed, Some(&entry("A", OutboxKind::PatchOrder, "a2")))
        .unwrap()
        .unwrap();
    let c1 = store
        .enqueue(&entry("C", OutboxKind::QueueAction, "c1"))
        .unwrap();
    assert!(a1 < b1 && b1 < a2 && a2 < c1);
    assert_eq!(store.outbox_len().unwrap(), 4);

    let seqs = |now| -> Vec<u64> {
        store
            .pending_outbox(now, 100)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect()
    };
    // A's patch waits for A's create.
    assert_eq!(seqs(t0()), [a1, b1, c1]);
    assert_eq!(store.pending_outbox(t0(), 2).unwrap().len(), 2, "limit");
    // Not due yet: nothing.
    assert!(seqs(t0() - mins(1)).is_empty());

    // A's create fails on the network: retried later, and A's patch still waits behind it.
    let retry_at = t0() + mins(5);
    store
        .mark_retry(a1, "connection refused", retry_at)
        .unwrap();
    assert_eq!(seqs(t0()), [b1, c1]);
    let e = store.outbox_entry(a1).unwrap().unwrap();
    assert_eq!((e.attempts, e.next_attempt_at), (1, retry_at));
    assert_eq!(e.last_error.as_deref(), Some("connection refused"));
    let a = store.get_order(&OrderId::new("A")).unwrap().unwrap();
    assert_eq!(a.last_error.as_deref(), Some("connection refused"));
    assert_eq!(a.sync, SyncStatus::AwaitingSync);
    store
        .mark_retry(a1, "502 Bad Gateway", retry_at + mins(5))
        .unwrap();
    assert_eq!(store.outbox_entry(a1).unwrap().unwrap().attempts, 2);
    assert_eq!(seqs(retry_at + mins(5)), [a1, b1, c1]);

    // B is sent.
    store
        .mark_sent(
            b1,
            &ServerAck {
                version: Some(1),
                etag: Some("\"1\"".into()),
                order: None,
            },
            t0(),
        )
        .unwrap();
    let b = store.get_order(&OrderId::new("B")).unwrap().unwrap();
    assert_eq!((b.sync, b.server_version), (SyncStatus::Synced, Some(1)));

    // A's create is sent; A is not synced yet (its patch waits), and the patch is next.
    let mut a_on_server = captured("A").order;
    a_on_server.description = Some("as the server has it".into());
    store
        .mark_sent(
            a1,
            &ServerAck {
                version: Some(1),
                etag: Some("\"1\"".into()),
                order: Some(a_on_server),
            },
            t0(),
        )
        .unwrap();
    let a = store.get_order(&OrderId::new("A")).unwrap().unwrap();
    assert_eq!(a.sync, SyncStatus::AwaitingSync);
    assert_eq!(
        a.order.version, 2,
        "the local change is kept while its patch waits"
    );
    assert_eq!(a.server_version, Some(1));
    assert_eq!(a.last_error, None);
    assert_eq!(seqs(retry_at + mins(5)), [a2, c1]);

    // The patch is sent: A is synced with the server's copy.
    let mut a_v2 = a_changed.order.clone();
    a_v2.state_reason = Some("server".into());
    store
        .mark_sent(
            a2,
            &ServerAck {
                version: Some(2),
                etag: Some("\"2\"".into()),
                order: Some(a_v2.clone()),
            },
            t0(),
        )
        .unwrap();
    let a = store.get_order(&OrderId::new("A")).unwrap().unwrap();
    assert_eq!(
        (a.sync, a.order, a.server_version),
        (SyncStatus::Synced, a_v2, Some(2))
    );
    assert_eq!(store.outbox_len().unwrap(), 1);

    // Bookkeeping on a sent entry is refused.
    assert!(matches!(
        store.mark_sent(a1, &ServerAck::default(), t0()),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.mark_retry(a1, "x", t0()),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn a_refused_change_is_shown_on_the_order_and_blocks_its_later_changes() {
    let (_d, store) = open();
    let a1 = store
        .save_local_order(&captured("A"), Some(&create("A", "a1")))
        .unwrap()
        .unwrap();
    let mut changed = captured("A");
    changed.order.version = 2;
    let a2 = store
        .save_local_order(&changed, Some(&entry("A", OutboxKind::PatchOrder, "a2")))
        .unwrap()
        .unwrap();
    store
        .mark_failed(a1, "CATALOG_OFFERING_NOT_FOUND", "no such offering", t0())
        .unwrap();
    let a = store.get_order(&OrderId::new("A")).unwrap().unwrap();
    assert_eq!(
        a.sync,
        SyncStatus::Rejected {
            code: "CATALOG_OFFERING_NOT_FOUND".into(),
            reason: "no such offering".into()
        }
    );
    assert_eq!(
        a.last_error.as_deref(),
        Some("CATALOG_OFFERING_NOT_FOUND: no such offering")
    );
    let e = store.outbox_entry(a1).unwrap().unwrap();
    assert!(e.failed);
    assert_eq!(e.attempts, 1);
    assert_eq!(
        store.outbox_counts().unwrap(),
        OutboxCounts {
            pending: 1,
            failed: 1
        }
    );
    assert_eq!(store.outbox_len().unwrap(), 1);
    // Neither the refused create nor the patch behind it is handed out, now or later.
    assert!(store
        .pending_outbox(t0() + Duration::days(1), 10)
        .unwrap()
        .is_empty());
    assert!(matches!(
        store.mark_retry(a1, "x", t0()),
        Err(StoreError::NotFound { .. })
    ));
    let rejected = store
        .list_orders(&OrderListQuery {
            sync: Some(SyncStatusKind::Rejected),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(rejected.total, 1);

    // The user gives the refused create up: the patch behind it is free to go.
    assert!(store.discard_outbox(a1).unwrap());
    assert!(!store.discard_outbox(a1).unwrap());
    let next: Vec<u64> = store
        .pending_outbox(t0(), 10)
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(next, [a2]);
    assert_eq!(store.outbox_of_order(&OrderId::new("A")).unwrap().len(), 1);
}

#[test]
fn a_refused_queue_action_leaves_the_order_as_it_is() {
    let (_d, store) = open();
    store
        .upsert_from_server(&pulled(order("O-1", "CUST-1", "ADDR-1"), 1), t0())
        .unwrap();
    let seq = store
        .enqueue(&entry("O-1", OutboxKind::QueueAction, "claim-1"))
        .unwrap();
    store
        .mark_failed(seq, "claimedByAnother", "claimed by U-BACK-2", t0())
        .unwrap();
    let o = store.get_order(&OrderId::new("O-1")).unwrap().unwrap();
    assert_eq!(o.sync, SyncStatus::Synced);
    assert_eq!(
        o.last_error.as_deref(),
        Some("claimedByAnother: claimed by U-BACK-2")
    );
}

// ---------------------------------------------------------------------------------------------
// Versions and notes

fn version(o: &ProductOrder, n: u32, at: DateTime<Utc>, change: ChangeKind) -> OrderVersion {
    let mut snapshot = o.clone();
    snapshot.version = n;
    OrderVersion {
        version: n,
        at,
        by: UserId::new("U-AGENT-1"),
        reason: format!("v{n}"),
        change,
        snapshot,
    }
}

#[test]
fn versions_are_append_only_and_gap_free() {
    let (_d, store) = open();
    let o = order("O-1", "CUST-1", "ADDR-1");
    let id = OrderId::new("O-1");
    assert!(matches!(
        store.append_version(&id, &version(&o, 1, t0(), ChangeKind::Created)),
        Err(StoreError::NotFound { .. })
    ));
    store
        .save_local_order(
            &LocalOrder::draft(o.clone(), SearchText::default(), t0()),
            None,
        )
        .unwrap();
    let v1 = version(&o, 1, t0(), ChangeKind::Created);
    let v2 = version(&o, 2, t0() + mins(5), ChangeKind::Note);
    assert!(store.append_version(&id, &v1).unwrap());
    assert!(
        !store.append_version(&id, &v1).unwrap(),
        "the same again: no-op"
    );
    assert!(matches!(
        store.append_version(&id, &version(&o, 3, t0() + mins(5), ChangeKind::Note)),
        Err(StoreError::NotNextVersion {
            expected: 2,
            got: 3
        })
    ));
    assert!(matches!(
        store.append_version(&id, &version(&o, 2, t0() - mins(1), ChangeKind::Note)),
        Err(StoreError::Inconsistent(_))
    ));
    let mut wrong = v2.clone();
    wrong.snapshot.version = 7;
    assert!(matches!(
        store.append_version(&id, &wrong),
        Err(StoreError::Inconsistent(_))
    ));
    assert!(store.append_version(&id, &v2).unwrap());
    // A different version 2 is not "the same again".
    let mut other = v2.clone();
    other.reason = "rewritten".into();
    assert!(store.append_version(&id, &other).is_err());
    assert_eq!(store.versions(&id).unwrap(), vec![v1, v2]);
    assert!(store.versions(&OrderId::new("nope")).unwrap().is_empty());
}

#[test]
fn a_note_and_its_outbox_entry_are_written_together() {
    let (_d, store) = open();
    let id = OrderId::new("O-1");
    let author = UserId::new("U-BACK-1");
    // No order: neither note nor entry.
    assert!(matches!(
        store.add_note(
            &id,
            &author,
            t0(),
            "x",
            Some(&entry("O-1", OutboxKind::Note, "n0"))
        ),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.outbox_len().unwrap(), 0);

    store
        .upsert_from_server(&pulled(order("O-1", "CUST-1", "ADDR-1"), 1), t0())
        .unwrap();
    let (note, seq) = store
        .add_note(
            &id,
            &author,
            t0(),
            "called the customer",
            Some(&entry("O-1", OutboxKind::Note, "n1")),
        )
        .unwrap();
    assert!(seq.is_some());
    assert_eq!(note.text, "called the customer");
    // A taken key: the note is not written either.
    assert!(store
        .add_note(
            &id,
            &author,
            t0() + mins(1),
            "dup",
            Some(&entry("O-1", OutboxKind::Note, "n1"))
        )
        .is_err());
    let (_, none) = store
        .add_note(&id, &author, t0() + mins(2), "local only", None)
        .unwrap();
    assert_eq!(none, None);
    let notes = store.notes(&id).unwrap();
    assert_eq!(
        notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
        ["called the customer", "local only"]
    );
    assert_eq!(notes[0], note);
    assert_eq!(store.outbox_len().unwrap(), 1);
}

// ---------------------------------------------------------------------------------------------
// Queue mirror

fn qe(
    order: &str,
    kind: QueueKind,
    priority: u8,
    since: DateTime<Utc>,
    due: Option<DateTime<Utc>>,
    reason: &str,
) -> LocalQueueEntry {
    LocalQueueEntry {
        entry: QueueEntry {
            order: OrderId::new(order),
            customer: CustomerId::new("CUST-1"),
            kind,
            reason: Some(reason.into()),
            priority: Priority::new(priority).unwrap(),
            waiting_since: since,
            sla_due: due,
            claimed_by: None,
        },
        detail: Some(json!({"queue": reason})),
    }
}

fn order_ids(entries: &[LocalQueueEntry]) -> Vec<String> {
    entries.iter().map(|e| e.entry.order.to_string()).collect()
}

#[test]
fn the_queue_mirror_is_replaced_updated_and_listed_in_work_order() {
    let (_d, store) = open();
    let now = t0();
    let held = vec![
        qe(
            "fresh-p0",
            QueueKind::Held,
            0,
            now - mins(10),
            None,
            "review",
        ),
        qe(
            "old-p4",
            QueueKind::Held,
            4,
            now - Duration::hours(9),
            None,
            "fraud",
        ),
        qe(
            "mid-p2",
            QueueKind::Held,
            2,
            now - Duration::hours(1),
            None,
            "review",
        ),
        qe(
            "overdue",
            QueueKind::Held,
            4,
            now - mins(30),
            Some(now - mins(1)),
            "capacity",
        ),
        qe("future", QueueKind::Held, 1, now + mins(30), None, "review"),
    ];
    store
        .replace_queue_entries(Some(QueueKind::Held), &held, now)
        .unwrap();
    store
        .replace_queue_entries(
            Some(QueueKind::Pending),
            &[qe("pend", QueueKind::Pending, 0, now, None, "deposit")],
            now,
        )
        .unwrap();
    let q = LocalQueueQuery::first_page(QueueKind::Held, now, 10);
    let page = store.list_queue(&q).unwrap();
    assert_eq!(page.total, 5);
    // Overdue first; then by rank (priority * 2 h - waited): old-p4 (8 h - 9 h), fresh-p0
    // (-10 min), future (2 h: not aged yet), mid-p2 (4 h - 1 h).
    assert_eq!(
        order_ids(&page.items),
        ["overdue", "old-p4", "fresh-p0", "future", "mid-p2"]
    );
    assert_eq!(page.items[0].detail, Some(json!({"queue": "capacity"})));

    let review = store
        .list_queue(&LocalQueueQuery {
            reason: Some("review".into()),
            ..q.clone()
        })
        .unwrap();
    assert_eq!(review.total, 3);
    assert_eq!(order_ids(&review.items), ["fresh-p0", "future", "mid-p2"]);
    let p4 = store
        .list_queue(&LocalQueueQuery {
            priority: Some(Priority::new(4).unwrap()),
            ..q.clone()
        })
        .unwrap();
    assert_eq!(order_ids(&p4.items), ["overdue", "old-p4"]);
    let second = store
        .list_queue(&LocalQueueQuery {
            offset: 2,
            limit: 2,
            ..q.clone()
        })
        .unwrap();
    assert_eq!(order_ids(&second.items), ["fresh-p0", "future"]);

    // One order may sit in two queues; entries change one by one from the feed.
    store
        .upsert_queue_entry(
            &qe("mid-p2", QueueKind::Jeopardy, 2, now, None, "slaHazard"),
            now,
        )
        .unwrap();
    store
        .upsert_queue_entry(
            &qe(
                "fresh-p0",
                QueueKind::Held,
                3,
                now - mins(10),
                None,
                "review",
            ),
            now,
        )
        .unwrap();
    assert_eq!(
        store
            .queue_entries_of(&OrderId::new("mid-p2"))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store
            .remove_queue_entry(&OrderId::new("mid-p2"), Some(QueueKind::Held))
            .unwrap(),
        1
    );
    let page = store.list_queue(&q).unwrap();
    assert_eq!(
        order_ids(&page.items),
        ["overdue", "old-p4", "future", "fresh-p0"]
    );

    // A full refresh of one queue leaves the others alone, and refuses a stray entry.
    assert!(matches!(
        store.replace_queue_entries(
            Some(QueueKind::Held),
            &[qe("x", QueueKind::Pending, 0, now, None, "r")],
            now
        ),
        Err(StoreError::Inconsistent(_))
    ));
    store
        .replace_queue_entries(Some(QueueKind::Held), &[], now)
        .unwrap();
    assert_eq!(store.list_queue(&q).unwrap().total, 0);
    let pending = store
        .list_queue(&LocalQueueQuery::first_page(QueueKind::Pending, now, 10))
        .unwrap();
    assert_eq!(order_ids(&pending.items), ["pend"]);
    assert_eq!(
        store
            .list_queue(&LocalQueueQuery::first_page(QueueKind::Jeopardy, now, 10))
            .unwrap()
            .total,
        1
    );
    store.replace_queue_entries(None, &[], now).unwrap();
    assert_eq!(
        store.queue_entries_of(&OrderId::new("pend")).unwrap().len(),
        0
    );
}

/// Every page, at many times, filters and ageing steps, is exactly the page of the domain's
/// `sort_queue` over all entries.
#[test]
fn every_queue_page_is_the_domains_work_order() {
    let (_d, store) = open();
    let base = t0() + Duration::milliseconds(123);
    let mut entries: Vec<LocalQueueEntry> = (0..600)
        .map(|n| synthetic_queue_entry(QueueKind::Held, n, base))
        .collect();
    // Ties on rank and on arrival, sub-second arrivals, and arrivals in the future.
    for (i, e) in entries.iter_mut().enumerate().take(40) {
        e.entry.waiting_since =
            base - Duration::seconds(3600) + Duration::milliseconds((i % 4) as i64 * 250);
        e.entry.priority = Priority::new((i % 2) as u8).unwrap();
        e.entry.sla_due = None;
    }
    for e in entries.iter_mut().skip(40).take(10) {
        e.entry.waiting_since = base + mins(20);
    }
    for e in entries.iter_mut().skip(50).take(10) {
        e.entry.sla_due = Some(base - mins(30));
    }
    store
        .replace_queue_entries(Some(QueueKind::Held), &entries, base)
        .unwrap();

    let policies = [
        AgeingPolicy::default(),
        AgeingPolicy {
            step: Duration::minutes(45),
        },
    ];
    let reasons = [None, Some("fraud".to_owned())];
    let priorities = [None, Some(Priority::new(2).unwrap())];
    for now_offset_ms in [0i64, 1, 499, 999, 61_001, 3_600_777, 4 * 3_600_000 + 5] {
        let now = base + Duration::milliseconds(now_offset_ms);
        for policy in &policies {
            for reason in &reasons {
                for priority in &priorities {
                    let mut expected: Vec<QueueEntry> = entries
                        .iter()
                        .map(|e| e.entry.clone())
                        .filter(|e| reason.is_none() || e.reason == *reason)
                        .filter(|e| priority.is_none() || Some(e.priority) == *priority)
                        .collect();
                    sort_queue(&mut expected, policy, now);
                    for (offset, limit) in [
                        (0u64, 25u32),
                        (0, 1),
                        (10, 7),
                        (45, 30),
                        (590, 50),
                        (0, 1000),
                    ] {
                        let q = LocalQueueQuery {
                            kind: Some(QueueKind::Held),
                            reason: reason.clone(),
                            priority: *priority,
                            now,
                            policy: *policy,
                            offset,
                            limit,
                        };
                        let page = store.list_queue(&q).unwrap();
                        assert_eq!(page.total, expected.len() as u64);
                        let want: Vec<QueueEntry> = expected
                            .iter()
                            .skip(offset as usize)
                            .take(limit as usize)
                            .cloned()
                            .collect();
                        let got: Vec<QueueEntry> =
                            page.items.into_iter().map(|e| e.entry).collect();
                        assert_eq!(got, want, "now+{now_offset_ms}ms {policy:?} {reason:?} {priority:?} {offset}/{limit}");
                    }
                }
            }
        }
    }
    // All queues at once (no kind) takes the general path and agrees too.
    let now = base + mins(1);
    let mut expected: Vec<QueueEntry> = entries.iter().map(|e| e.entry.clone()).collect();
    sort_queue(&mut expected, &AgeingPolicy::default(), now);
    let page = store
        .list_queue(&LocalQueueQuery {
            kind: None,
            ..LocalQueueQuery::first_page(QueueKind::Held, now, 100)
        })
        .unwrap();
    let got: Vec<QueueEntry> = page.items.into_iter().map(|e| e.entry).collect();
    assert_eq!(got, expected[..100].to_vec());
}

#[test]
fn the_held_queue_is_read_through_indexes() {
    let (_d, store) = open();
    let now = t0();
    let q = LocalQueueQuery::first_page(QueueKind::Held, now, 50);
    for (query, index) in [
        (q.clone(), "queue_by_rank"),
        (
            LocalQueueQuery {
                reason: Some("fraud".into()),
                ..q.clone()
            },
            "queue_by_reason_rank",
        ),
        (
            LocalQueueQuery {
                priority: Some(Priority::new(0).unwrap()),
                ..q.clone()
            },
            "queue_by_priority_rank",
        ),
    ] {
        let plan = store.queue_query_plan(&query).unwrap();
        assert!(!plan.is_empty());
        for line in &plan {
            assert!(
                line.contains(" USING ")
                    && (line.contains("INDEX") || line.contains("PRIMARY KEY")),
                "{line}\n{plan:#?}"
            );
            assert!(!line.contains("TEMP B-TREE"), "{line}\n{plan:#?}");
        }
        assert!(plan.iter().any(|l| l.contains(index)), "{index}: {plan:#?}");
        assert!(
            plan.iter()
                .any(|l| l.contains("queue_by_due") || l.contains(index)),
            "{plan:#?}"
        );
    }
    let overdue_plan = store.queue_query_plan(&q).unwrap();
    assert!(
        overdue_plan.iter().any(|l| l.contains("queue_by_due")),
        "{overdue_plan:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Reference data, cursor, concurrency

#[test]
fn reference_documents_are_stored_listed_and_replaced() {
    let (_d, store) = open();
    let offering = json!({"id": "PO-FIBRE-500", "@type": "ProductOffering", "name": "Fibre 500"});
    store
        .put_reference(
            ReferenceKind::ProductOffering,
            &ReferenceRow::new("PO-FIBRE-500", offering.clone()),
            t0(),
        )
        .unwrap();
    let products = [
        ReferenceRow::new("P-1", json!({"id": "P-1"})).owned_by("CUST-1"),
        ReferenceRow::new("P-2", json!({"id": "P-2"})).owned_by("CUST-2"),
        ReferenceRow::new("P-3", json!({"id": "P-3"})).owned_by("CUST-1"),
    ];
    assert_eq!(
        store
            .put_references(ReferenceKind::Product, &products, t0())
            .unwrap(),
        3
    );
    let got = store
        .get_reference(ReferenceKind::ProductOffering, "PO-FIBRE-500")
        .unwrap()
        .unwrap();
    assert_eq!(got.json, offering);
    assert!(store
        .get_reference(ReferenceKind::Product, "PO-FIBRE-500")
        .unwrap()
        .is_none());
    let of_1: Vec<String> = store
        .list_reference_of(ReferenceKind::Product, "CUST-1")
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(of_1, ["P-1", "P-3"]);
    assert_eq!(
        store.list_reference(ReferenceKind::Product).unwrap().len(),
        3
    );
    // An update replaces the document.
    store
        .put_reference(
            ReferenceKind::Product,
            &ReferenceRow::new("P-1", json!({"id": "P-1", "status": "terminated"}))
                .owned_by("CUST-1"),
            t0(),
        )
        .unwrap();
    assert_eq!(
        store
            .get_reference(ReferenceKind::Product, "P-1")
            .unwrap()
            .unwrap()
            .json["status"],
        "terminated"
    );
    // A full refresh of one kind leaves the others.
    store
        .replace_references(
            ReferenceKind::Product,
            &[ReferenceRow::new("P-9", json!({"id": "P-9"}))],
            t0(),
        )
        .unwrap();
    let all: Vec<String> = store
        .list_reference(ReferenceKind::Product)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(all, ["P-9"]);
    assert_eq!(
        store
            .list_reference(ReferenceKind::ProductOffering)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn the_cursor_moves_with_the_changes_it_covers() {
    let (_d, store) = open();
    store.set_cursor(10, t0()).unwrap();
    // Pulled changes and the cursor commit together, or not at all.
    let r: Result<(), StoreError> = store.write(|tx| {
        tx.upsert_from_server(&pulled(order("O-1", "CUST-1", "ADDR-1"), 1), t0())?;
        tx.set_cursor(11, t0() + mins(1))?;
        Err(StoreError::Inconsistent("crash".into()))
    });
    assert!(r.is_err());
    assert_eq!(store.cursor().unwrap(), 10);
    assert!(store.get_order(&OrderId::new("O-1")).unwrap().is_none());
    store
        .write(|tx| {
            tx.upsert_from_server(&pulled(order("O-1", "CUST-1", "ADDR-1"), 1), t0())?;
            tx.set_cursor(11, t0() + mins(1))
        })
        .unwrap();
    assert_eq!(store.cursor().unwrap(), 11);
    assert_eq!(store.last_sync_at().unwrap(), Some(t0() + mins(1)));
}

#[test]
fn readers_and_the_writer_work_side_by_side() {
    let (_d, store) = open();
    let store = Arc::new(store);
    let writer = {
        let store = Arc::clone(&store);
        std::thread::spawn(move || {
            for i in 0..200 {
                let id = format!("W-{i}");
                store
                    .save_local_order(&captured(&id), Some(&create(&id, &format!("k{i}"))))
                    .unwrap();
            }
        })
    };
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let mut last = 0;
                for _ in 0..100 {
                    let n = store.outbox_len().unwrap();
                    assert!(n >= last, "committed writes never disappear");
                    last = n;
                    store.search("alpha", 5).unwrap();
                }
            })
        })
        .collect();
    writer.join().unwrap();
    for r in readers {
        r.join().unwrap();
    }
    assert_eq!(store.outbox_len().unwrap(), 200);
    assert_eq!(store.pending_outbox(t0(), 500).unwrap().len(), 200);
}

// ---------------------------------------------------------------------------------------------
// Order history for offline validation

/// The summary offline validation built from a decoded order, lists sorted and deduplicated
/// (the domain's checks ask whether a list contains a value).
fn summary_from_document(o: &ProductOrder) -> OrderSummary {
    let mut s = OrderSummary {
        id: o.id.clone(),
        customer: o.customer.clone(),
        external_ids: o.external_ids.iter().map(|e| e.id.clone()).collect(),
        channel: o.channel.clone(),
        offerings: o.items.iter().filter_map(|i| i.offering.clone()).collect(),
        places: o.places().into_iter().cloned().collect(),
        payment_method: o.payment.method.clone(),
        state: o.state(),
        order_date: o.order_date,
    };
    normalise(&mut s);
    s
}

fn normalise(s: &mut OrderSummary) {
    s.external_ids.sort();
    s.external_ids.dedup();
    s.offerings.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    s.offerings.dedup();
    s.places.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    s.places.dedup();
}

fn normalised(mut found: Vec<OrderSummary>) -> Vec<OrderSummary> {
    for s in &mut found {
        normalise(s);
    }
    found.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    found
}

#[test]
fn order_summaries_say_what_the_documents_say() {
    let (_d, store) = open();
    let now = t0();
    seed_orders(&store, 0, 400, 7, now, 100).unwrap();
    // The desk's own: one paid by a method, one draft (never a summary), one at a shared place.
    let mut paid = order("LOCAL-1", "CUST-1", "ADDR-1");
    paid.payment.method = Some(PaymentMethodId::new("PM-1"));
    store
        .save_local_order(
            &LocalOrder::captured(paid, SearchText::default(), now),
            Some(&create("LOCAL-1", "k1")),
        )
        .unwrap();
    let draft = LocalOrder::draft(
        order("LOCAL-2", "CUST-1", "ADDR-1"),
        SearchText::default(),
        now,
    );
    store.save_local_order(&draft, None).unwrap();

    let all = store
        .list_orders(&OrderListQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
        .items;
    assert_eq!(all.len(), 402);
    let mut customers: Vec<CustomerId> = all.iter().map(|o| o.order.customer.clone()).collect();
    customers.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    customers.dedup();
    let mut places: Vec<AddressId> = all
        .iter()
        .flat_map(|o| o.order.places().into_iter().cloned())
        .collect();
    places.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    places.dedup();
    assert!(
        customers.len() > 2 && places.len() > 2,
        "a varied population"
    );

    // The reference: the documents' summaries (drafts left out), asked by a full scan.
    let documents: Vec<OrderSummary> = all
        .iter()
        .filter(|o| o.order.state() != OrderState::Draft)
        .map(|o| summary_from_document(&o.order))
        .collect();
    let mut offerings: Vec<OfferingId> = documents
        .iter()
        .flat_map(|s| s.offerings.iter().cloned())
        .collect();
    offerings.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    offerings.dedup();
    let excepts = [
        OrderId::new("NEW"),
        OrderId::new("LOCAL-1"),
        OrderId::new("LOCAL-2"),
        all[7].order.id.clone(),
        all[200].order.id.clone(),
    ];
    let mut decided = 0;
    for except in &excepts {
        for since in [now - Duration::days(3650), now - Duration::days(2), now] {
            for customer in &customers {
                let n = store
                    .customer_orders_since(customer, since, except)
                    .unwrap();
                assert_eq!(
                    n,
                    documents.customer_orders_since(customer, since, except, usize::MAX),
                    "{customer} {since} {except}"
                );
                decided += n;
            }
            for place in &places {
                let n = store.address_orders_since(place, since, except).unwrap();
                assert_eq!(
                    n,
                    documents.address_orders_since(place, since, except, usize::MAX),
                    "{place} {since} {except}"
                );
                decided += n;
            }
        }
        for customer in &customers {
            for offering in &offerings {
                for place in &places {
                    let found = store
                        .open_order_with(customer, offering, place, except)
                        .unwrap();
                    let expected = documents.open_order_with(customer, offering, place, except);
                    decided += usize::from(found.is_some());
                    // The oldest (orders placed at the same instant may come in either order),
                    // and what its document says.
                    assert_eq!(
                        found.as_ref().map(|s| s.order_date),
                        expected.map(|s| s.order_date),
                        "{customer} {offering} {place} {except}"
                    );
                    if let Some(found) = found {
                        let document = documents.iter().find(|s| s.id == found.id).unwrap();
                        assert_eq!(normalised(vec![found]), normalised(vec![document.clone()]));
                    }
                }
            }
        }
    }
    assert!(
        decided > 100,
        "the comparison met too few orders: {decided}"
    );
}
