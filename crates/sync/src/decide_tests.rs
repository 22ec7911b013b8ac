//! Case tables for the sync decisions.

use super::*;
use chrono::TimeZone;
use orderdesk_tmf::ApiVersion;
use rstest::rstest;
use serde_json::json;

fn t(s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap() + chrono::Duration::seconds(s.into())
}

fn entry(id: EntryId, order: &str, op: &str) -> OutboxEntry {
    let op = match op {
        "create" => OutboxOp::Create {
            body: json!({"externalId": format!("key-{id}")}),
        },
        "amend" => OutboxOp::Amend {
            patch: json!({"description": "x"}),
            if_match: Some(1),
        },
        _ => OutboxOp::Cancel {
            reason: None,
            requested_at: None,
            if_match: None,
        },
    };
    let server_id = (!matches!(op, OutboxOp::Create { .. })).then(|| format!("S-{order}"));
    OutboxEntry {
        id,
        order: order.to_owned(),
        server_id,
        op,
        idempotency_key: format!("key-{id}"),
        attempts: 0,
        next_attempt_at: None,
        status: EntryStatus::Pending,
    }
}

fn waiting(mut e: OutboxEntry, until: u32) -> OutboxEntry {
    e.attempts = 1;
    e.next_attempt_at = Some(t(until));
    e
}

fn with(mut e: OutboxEntry, status: EntryStatus) -> OutboxEntry {
    e.status = status;
    e
}

fn no_id(mut e: OutboxEntry) -> OutboxEntry {
    e.server_id = None;
    e
}

// ---------------------------------------------------------------------------------------------
// next_push

#[rstest]
#[case::empty(vec![], vec![], vec![], None)]
#[case::in_outbox_order_one_per_order(
    vec![entry(3, "B", "create"), entry(1, "A", "create"), entry(2, "A", "amend")],
    vec![1, 3], vec![(2, Held::Behind { entry: 1 })], None)]
#[case::retry_not_due_is_skipped_and_wakes(
    vec![waiting(entry(1, "A", "create"), 30), entry(2, "B", "create")],
    vec![2], vec![(1, Held::Waiting { until: t(30) })], Some(t(30)))]
#[case::retry_due_is_sent(vec![waiting(entry(1, "A", "create"), 0)], vec![1], vec![], None)]
#[case::retry_due_exactly_now(vec![waiting(entry(1, "A", "create"), 10)], vec![1], vec![], None)]
#[case::waiting_head_holds_its_order_only(
    vec![waiting(entry(1, "A", "create"), 60), entry(2, "A", "amend"), entry(3, "B", "amend")],
    vec![3], vec![(1, Held::Waiting { until: t(60) }), (2, Held::Behind { entry: 1 })], Some(t(60)))]
#[case::failed_blocks_the_rest_of_its_order(
    vec![with(entry(1, "A", "create"), EntryStatus::Failed), entry(2, "A", "amend"), entry(3, "A", "cancel")],
    vec![], vec![
        (2, Held::Blocked { entry: 1, status: EntryStatus::Failed }),
        (3, Held::Blocked { entry: 1, status: EntryStatus::Failed }),
    ], None)]
#[case::conflict_blocks_the_rest_of_its_order(
    vec![with(entry(1, "A", "amend"), EntryStatus::Conflict), entry(2, "A", "cancel"), entry(3, "B", "create")],
    vec![3], vec![(2, Held::Blocked { entry: 1, status: EntryStatus::Conflict })], None)]
#[case::amend_without_server_id_waits(vec![no_id(entry(1, "A", "amend"))], vec![], vec![(1, Held::NoServerId)], None)]
#[case::earliest_wake_of_several(
    vec![waiting(entry(1, "A", "create"), 90), waiting(entry(2, "B", "create"), 40)],
    vec![], vec![(1, Held::Waiting { until: t(90) }), (2, Held::Waiting { until: t(40) })], Some(t(40)))]
fn what_to_send(
    #[case] entries: Vec<OutboxEntry>,
    #[case] send: Vec<EntryId>,
    #[case] held: Vec<(EntryId, Held)>,
    #[case] wake_at: Option<DateTime<Utc>>,
) {
    let plan = next_push(&entries, t(10));
    assert_eq!(
        plan,
        PushPlan {
            send,
            held,
            wake_at
        }
    );
}

// ---------------------------------------------------------------------------------------------
// backoff and classify

#[rstest]
#[case(0, 0)]
#[case(1, 1_000)]
#[case(2, 2_000)]
#[case(3, 4_000)]
#[case(9, 256_000)]
#[case(10, 300_000)]
#[case(40, 300_000)]
#[case(u32::MAX, 300_000)]
fn backoff_doubles_up_to_the_cap(#[case] attempts: u32, #[case] millis: u64) {
    assert_eq!(
        Backoff::default().delay(attempts),
        Duration::from_millis(millis)
    );
}

fn reached(status: u16) -> Answer {
    Answer::Reached {
        status,
        retry_after: None,
        error: Some(TmfError {
            status,
            code: "someCode".into(),
            reason: "the server's reason".into(),
            message: None,
            raw: None,
        }),
    }
}

#[derive(Debug, PartialEq)]
enum Kind {
    Sent,
    Retry { secs: u64, pause_all: bool },
    Rejected,
    Conflict,
    Auth,
}

fn kind(o: &Outcome) -> Kind {
    match o {
        Outcome::Sent => Kind::Sent,
        Outcome::Retry {
            after, pause_all, ..
        } => Kind::Retry {
            secs: after.as_secs(),
            pause_all: *pause_all,
        },
        Outcome::Rejected(_) => Kind::Rejected,
        Outcome::Conflict => Kind::Conflict,
        Outcome::AuthRequired(_) => Kind::Auth,
    }
}

#[rstest]
#[case::created(reached(201), 0, Kind::Sent)]
#[case::replayed(reached(200), 3, Kind::Sent)]
#[case::no_content(reached(204), 0, Kind::Sent)]
#[case::unreachable(Answer::Unreachable { reason: "refused".into() }, 0, Kind::Retry { secs: 1, pause_all: true })]
#[case::unreachable_again(Answer::Unreachable { reason: "refused".into() }, 2, Kind::Retry { secs: 4, pause_all: true })]
#[case::garbled(Answer::Garbled { reason: "no id".into() }, 0, Kind::Retry { secs: 1, pause_all: false })]
#[case::internal_error(reached(500), 1, Kind::Retry { secs: 2, pause_all: false })]
#[case::bad_gateway(reached(502), 0, Kind::Retry { secs: 1, pause_all: true })]
#[case::unavailable(reached(503), 0, Kind::Retry { secs: 1, pause_all: true })]
#[case::gateway_timeout(reached(504), 0, Kind::Retry { secs: 1, pause_all: true })]
#[case::not_implemented(reached(501), 0, Kind::Rejected)]
#[case::odd_5xx(reached(599), 0, Kind::Retry { secs: 1, pause_all: false })]
#[case::redirect(reached(302), 0, Kind::Retry { secs: 1, pause_all: false })]
#[case::request_timeout(reached(408), 0, Kind::Retry { secs: 1, pause_all: false })]
#[case::too_early(reached(425), 0, Kind::Retry { secs: 1, pause_all: false })]
#[case::too_many(reached(429), 0, Kind::Retry { secs: 1, pause_all: false })]
#[case::bad_request(reached(400), 0, Kind::Rejected)]
#[case::unauthorized(reached(401), 0, Kind::Auth)]
#[case::forbidden(reached(403), 0, Kind::Rejected)]
#[case::not_found(reached(404), 0, Kind::Rejected)]
#[case::conflicting_state(reached(409), 0, Kind::Rejected)]
#[case::stale_if_match(reached(412), 0, Kind::Conflict)]
#[case::too_large(reached(413), 0, Kind::Rejected)]
#[case::media_type(reached(415), 0, Kind::Rejected)]
#[case::business_rule(reached(422), 5, Kind::Rejected)]
fn what_an_answer_means(#[case] answer: Answer, #[case] attempts: u32, #[case] expected: Kind) {
    assert_eq!(
        kind(&classify(&answer, attempts, &Backoff::default())),
        expected
    );
}

#[rstest]
#[case::longer_than_backoff(Some(30), 0, 30)]
#[case::shorter_than_backoff(Some(1), 4, 16)]
#[case::capped(Some(100_000), 0, 3600)]
#[case::absent(None, 0, 1)]
fn retry_after_is_honoured(#[case] asked: Option<u64>, #[case] attempts: u32, #[case] secs: u64) {
    let answer = Answer::Reached {
        status: 429,
        retry_after: asked.map(Duration::from_secs),
        error: None,
    };
    let Outcome::Retry { after, .. } = classify(&answer, attempts, &Backoff::default()) else {
        panic!("not a retry");
    };
    assert_eq!(after, Duration::from_secs(secs));
}

#[test]
fn a_refusal_keeps_the_servers_reason() {
    let Outcome::Rejected(e) = classify(&reached(422), 0, &Backoff::default()) else {
        panic!("not rejected");
    };
    assert_eq!(e.reason, "the server's reason");
    assert_eq!(e.code, "someCode");
    let bare = Answer::Reached {
        status: 400,
        retry_after: None,
        error: None,
    };
    let Outcome::Rejected(e) = classify(&bare, 0, &Backoff::default()) else {
        panic!("not rejected");
    };
    assert_eq!(e.status, 400);
}

// ---------------------------------------------------------------------------------------------
// settled, worth_reconciling, patch_applied

fn server(state: &str, body: Value) -> ServerOrder {
    ServerOrder {
        id: "S-A".into(),
        version: Some(4),
        state: Some(state.into()),
        api: ApiVersion::V5,
        body,
    }
}

#[rstest]
#[case::same_value(json!({"a": 1}), json!({"a": 1, "b": 2}), true)]
#[case::other_value(json!({"a": 2}), json!({"a": 1}), false)]
#[case::missing(json!({"c": 1}), json!({"a": 1}), false)]
#[case::removed(json!({"c": null}), json!({"a": 1}), true)]
#[case::not_removed(json!({"a": null}), json!({"a": 1}), false)]
#[case::nested(json!({"o": {"x": 1}}), json!({"o": {"x": 1, "y": 2}}), true)]
#[case::nested_differs(json!({"o": {"x": 1}}), json!({"o": {"x": 2}}), false)]
#[case::arrays_whole(json!({"n": [1]}), json!({"n": [1, 2]}), false)]
#[case::arrays_equal(json!({"n": [1, 2]}), json!({"n": [1, 2]}), true)]
#[case::empty_patch(json!({}), json!({"a": 1}), true)]
fn patches_already_applied(#[case] patch: Value, #[case] doc: Value, #[case] applied: bool) {
    assert_eq!(patch_applied(&doc, &patch), applied);
}

#[rstest]
#[case::amend_landed("inProgress", json!({"description": "x"}), "amend", true)]
#[case::amend_lost("inProgress", json!({"description": "y"}), "amend", false)]
#[case::cancel_assessing("assessingCancellation", json!({}), "cancel", true)]
#[case::cancel_pending("pendingCancellation", json!({}), "cancel", true)]
#[case::cancel_done("cancelled", json!({}), "cancel", true)]
#[case::cancel_not_yet("completed", json!({}), "cancel", false)]
#[case::create_never("acknowledged", json!({}), "create", false)]
fn earlier_attempts_settle(
    #[case] state: &str,
    #[case] body: Value,
    #[case] op: &str,
    #[case] done: bool,
) {
    assert_eq!(settled(&entry(1, "A", op).op, &server(state, body)), done);
}

#[rstest]
#[case("amend", Outcome::Conflict, true)]
#[case("cancel", Outcome::Conflict, true)]
#[case("create", Outcome::Conflict, false)]
#[case("cancel", Outcome::Rejected(TmfError { status: 409, ..TmfError::default() }), true)]
#[case("cancel", Outcome::Rejected(TmfError { status: 422, ..TmfError::default() }), false)]
#[case("amend", Outcome::Rejected(TmfError { status: 409, ..TmfError::default() }), false)]
#[case("amend", Outcome::Sent, false)]
fn what_is_worth_reconciling(#[case] op: &str, #[case] outcome: Outcome, #[case] worth: bool) {
    assert_eq!(worth_reconciling(&entry(1, "A", op).op, &outcome), worth);
}

// ---------------------------------------------------------------------------------------------
// pull

fn change(seq: u64, entity: &str, id: &str, kind: &str, version: Option<u32>) -> FeedChange {
    FeedChange {
        seq,
        at: t(0),
        entity: entity.into(),
        entity_id: id.into(),
        kind: kind.into(),
        version,
        payload: json!({}),
    }
}

fn touched(order: &str, version: Option<u32>, deleted: bool) -> Touched {
    Touched {
        order: order.into(),
        version,
        deleted,
    }
}

#[rstest]
#[case::empty(vec![], vec![], vec![])]
#[case::one_read_per_order_newest_version(
    vec![change(1, "productOrder", "A", "create", Some(1)), change(2, "productOrder", "B", "create", Some(1)),
         change(3, "productOrder", "A", "stateChange", Some(3))],
    vec![touched("A", Some(3), false), touched("B", Some(1), false)], vec![])]
#[case::queue_rows_refresh_queues(
    vec![change(1, "queueEntry", "A", "claim", None), change(2, "queueEntry", "A", "release", None)],
    vec![], vec!["A"])]
#[case::others_are_left_out(
    vec![change(1, "product", "P", "update", None), change(2, "serviceOrder", "SO", "update", None),
         change(3, "cancelProductOrder", "C", "create", None)],
    vec![], vec![])]
#[case::deleted_last(
    vec![change(1, "productOrder", "A", "update", Some(2)), change(2, "productOrder", "A", "delete", Some(2))],
    vec![touched("A", Some(2), true)], vec![])]
fn what_a_page_touches(
    #[case] changes: Vec<FeedChange>,
    #[case] orders: Vec<Touched>,
    #[case] queue: Vec<&str>,
) {
    let effect = orders_touched(&changes);
    assert_eq!(effect.orders, orders);
    assert_eq!(effect.queue, queue);
}

fn snap(version: Option<u32>, unsent: u32) -> Option<LocalSnapshot> {
    Some(LocalSnapshot {
        server_version: version,
        unsent,
    })
}

#[rstest]
#[case::unknown_here(None, touched("A", Some(1), false), true)]
#[case::behind(snap(Some(2), 0), touched("A", Some(3), false), true)]
#[case::current(snap(Some(3), 0), touched("A", Some(3), false), false)]
#[case::ahead(snap(Some(4), 0), touched("A", Some(3), false), false)]
#[case::no_version_named(snap(Some(4), 0), touched("A", None, false), true)]
#[case::no_local_version(snap(None, 0), touched("A", Some(1), false), true)]
#[case::deleted(snap(Some(1), 0), touched("A", Some(2), true), false)]
fn what_to_read(
    #[case] local: Option<LocalSnapshot>,
    #[case] touched: Touched,
    #[case] fetch: bool,
) {
    assert_eq!(needs_fetch(local.as_ref(), &touched), fetch);
}

fn pulled(version: Option<u32>) -> ServerOrder {
    ServerOrder {
        version,
        ..server("inProgress", json!({}))
    }
}

#[rstest]
#[case::new_here(None, pulled(Some(1)), MergeDecision::Apply)]
#[case::newer(snap(Some(2), 0), pulled(Some(3)), MergeDecision::Apply)]
#[case::same(snap(Some(3), 0), pulled(Some(3)), MergeDecision::Skip)]
#[case::older(snap(Some(4), 0), pulled(Some(3)), MergeDecision::Skip)]
#[case::older_with_local_edits(snap(Some(4), 2), pulled(Some(3)), MergeDecision::Skip)]
#[case::newer_with_local_edits(snap(Some(2), 1), pulled(Some(3)), MergeDecision::Conflict { unsent: 1 })]
#[case::no_versions(snap(None, 0), pulled(None), MergeDecision::Apply)]
#[case::no_server_version(snap(Some(2), 0), pulled(None), MergeDecision::Apply)]
#[case::no_versions_local_edits(snap(None, 3), pulled(None), MergeDecision::Conflict { unsent: 3 })]
fn how_a_pulled_order_merges(
    #[case] local: Option<LocalSnapshot>,
    #[case] pulled: ServerOrder,
    #[case] decision: MergeDecision,
) {
    assert_eq!(merge_pulled(local.as_ref(), &pulled), decision);
}

#[rstest]
#[case::v4_string(json!({"externalId": "key-1"}), Some(1))]
#[case::v5_list(json!({"externalId": [{"id": "other"}, {"id": "key-2"}]}), Some(2))]
#[case::no_match(json!({"externalId": "key-9"}), None)]
#[case::none(json!({}), None)]
#[case::empty(json!({"externalId": ""}), None)]
fn a_pulled_order_may_be_our_own_create(#[case] body: Value, #[case] entry_id: Option<EntryId>) {
    let mut v5_create = entry(2, "B", "create");
    v5_create.op = OutboxOp::Create {
        body: json!({"externalId": [{"id": "key-2", "owner": "desk"}]}),
    };
    let entries = vec![
        entry(1, "A", "create"),
        v5_create,
        entry(3, "C", "amend"),
        with(entry(4, "D", "create"), EntryStatus::Failed),
    ];
    assert_eq!(
        claims_pulled(&entries, &server("acknowledged", body)),
        entry_id
    );
}

#[test]
fn a_failed_create_claims_nothing() {
    let entries = vec![with(entry(1, "A", "create"), EntryStatus::Failed)];
    let order = server("acknowledged", json!({"externalId": "key-1"}));
    assert_eq!(claims_pulled(&entries, &order), None);
}

// ---------------------------------------------------------------------------------------------
// the online indicator

use ConnectionState::{Degraded, Offline, Online};
use Signal::*;

#[rstest]
#[case::nothing_heard(vec![], Offline)]
#[case::answered_mode_unknown(vec![Answered], Online)]
#[case::unreachable(vec![Answered, Unreachable], Offline)]
#[case::back(vec![Unreachable, Answered], Online)]
#[case::server_errors(vec![Answered, ServerError], Degraded)]
#[case::recovered(vec![ServerError, Answered], Online)]
#[case::extension_without_live(vec![Answered, Extension], Degraded)]
#[case::extension_live(vec![Answered, Extension, LiveUp], Online)]
#[case::live_dropped(vec![Answered, Extension, LiveUp, LiveDown], Degraded)]
#[case::live_lost_with_the_network(vec![Answered, Extension, LiveUp, Unreachable], Offline)]
#[case::back_but_not_live(vec![Extension, LiveUp, Unreachable, Answered], Degraded)]
#[case::generic_polls(vec![Answered, Generic], Online)]
#[case::live_up_means_reachable(vec![Unreachable, Extension, LiveUp], Online)]
#[case::errors_while_live(vec![Extension, LiveUp, ServerError], Degraded)]
fn what_the_indicator_shows(#[case] signals: Vec<Signal>, #[case] state: ConnectionState) {
    let link = signals
        .into_iter()
        .fold(Link::default(), |link, s| link.after(s));
    assert_eq!(link.state(), state);
}

// ---------------------------------------------------------------------------------------------
// keep_mine: a stale change sent again on top of the server's version

fn amend(patch: Value, if_match: u32) -> OutboxOp {
    OutboxOp::Amend {
        patch,
        if_match: Some(if_match),
    }
}

#[rstest]
#[case::only_mine_changed(
    json!({"description": "mine", "priority": "1"}),
    Some(json!({"description": "old", "priority": "1"})),
    json!({"description": "old", "priority": "1"}),
    Some((json!({"description": "mine"}), vec![])))]
#[case::theirs_kept_where_i_changed_nothing(
    json!({"description": "old", "priority": "0"}),
    Some(json!({"description": "old", "priority": "1"})),
    json!({"description": "theirs", "priority": "1"}),
    Some((json!({"priority": "0"}), vec![])))]
#[case::both_changed_the_same_field_mine_wins(
    json!({"description": "mine", "priority": "1"}),
    Some(json!({"description": "old", "priority": "1"})),
    json!({"description": "theirs", "priority": "2"}),
    Some((json!({"description": "mine"}), vec!["description"])))]
#[case::the_server_has_it_already(
    json!({"description": "same"}),
    Some(json!({"description": "old"})),
    json!({"description": "same"}),
    None)]
#[case::a_field_new_on_both_sides(
    json!({"category": "business"}),
    Some(json!({})),
    json!({"category": "consumer"}),
    Some((json!({"category": "business"}), vec!["category"])))]
#[case::a_field_only_i_added(
    json!({"category": "business"}),
    Some(json!({})),
    json!({}),
    Some((json!({"category": "business"}), vec![])))]
#[case::no_base_sends_what_differs_and_names_nothing(
    json!({"description": "mine", "priority": "1"}),
    None,
    json!({"description": "theirs", "priority": "1"}),
    Some((json!({"description": "mine"}), vec![])))]
#[case::no_base_and_nothing_differs(
    json!({"description": "mine"}),
    None,
    json!({"description": "mine"}),
    None)]
#[case::items_are_one_field(
    json!({"productOrderItem": [{"id": "1", "quantity": 2}]}),
    Some(json!({"productOrderItem": [{"id": "1", "quantity": 1}]})),
    json!({"productOrderItem": [{"id": "1", "quantity": 1}], "description": "theirs"}),
    Some((json!({"productOrderItem": [{"id": "1", "quantity": 2}]}), vec![])))]
fn a_kept_amendment_is_rebased(
    #[case] mine: Value,
    #[case] base: Option<Value>,
    #[case] theirs: Value,
    #[case] expected: Option<(Value, Vec<&str>)>,
) {
    let got = keep_mine(&amend(mine, 3), base.as_ref(), &theirs, Some(5));
    let expected = match expected {
        Some((patch, overridden)) => KeepMine::Resend {
            op: amend(patch, 5),
            overridden: overridden.into_iter().map(str::to_owned).collect(),
        },
        None => KeepMine::AlreadyThere,
    };
    assert_eq!(got, expected);
}

#[test]
fn a_kept_cancel_is_sent_again_with_the_new_version() {
    let at = t(0);
    let cancel = OutboxOp::Cancel {
        reason: Some("moved abroad".into()),
        requested_at: Some(at),
        if_match: Some(3),
    };
    assert_eq!(
        keep_mine(&cancel, None, &json!({"state": "inProgress"}), Some(7)),
        KeepMine::Resend {
            op: OutboxOp::Cancel {
                reason: Some("moved abroad".into()),
                requested_at: Some(at),
                if_match: Some(7),
            },
            overridden: vec![],
        }
    );
}

#[test]
fn a_create_has_nothing_to_keep() {
    let create = OutboxOp::Create { body: json!({}) };
    assert_eq!(
        keep_mine(&create, None, &json!({}), Some(2)),
        KeepMine::NotAChange
    );
}

#[rstest]
#[case::replace_and_add(json!({"a": 1, "b": 2}), json!({"a": 3, "c": 4}), json!({"a": 3, "b": 2, "c": 4}))]
#[case::null_removes(json!({"a": 1, "b": 2}), json!({"b": null}), json!({"a": 1}))]
#[case::nested(json!({"a": {"x": 1, "y": 2}}), json!({"a": {"y": null, "z": 3}}), json!({"a": {"x": 1, "z": 3}}))]
#[case::arrays_are_replaced(json!({"a": [1, 2]}), json!({"a": [3]}), json!({"a": [3]}))]
#[case::object_over_a_scalar(json!({"a": 1}), json!({"a": {"b": 1, "c": null}}), json!({"a": {"b": 1}}))]
#[case::a_scalar_patch_replaces(json!({"a": 1}), json!("x"), json!("x"))]
fn merge_patches_apply_as_rfc_7396_says(
    #[case] mut doc: Value,
    #[case] patch: Value,
    #[case] expected: Value,
) {
    apply_merge_patch(&mut doc, &patch);
    assert_eq!(doc, expected);
    // Applied, it is what `patch_applied` recognises as already there.
    assert!(patch_applied(&doc, &patch));
}

// ---------------------------------------------------------------------------------------------
// refresh_reference: what a refresh of reference data replaces

type Docs = Vec<(&'static str, Value)>;

fn refs(docs: &Docs) -> Vec<(&str, &Value)> {
    docs.iter().map(|(id, v)| (*id, v)).collect()
}

fn apply(write: &[&str], delete: &[&str], unchanged: usize) -> RefreshPlan {
    RefreshPlan::Apply {
        write: write.iter().map(|s| (*s).to_owned()).collect(),
        delete: delete.iter().map(|s| (*s).to_owned()).collect(),
        unchanged,
    }
}

#[rstest]
#[case::first_copy(vec![], Some(vec![("A", json!(1)), ("B", json!(2))]), true, apply(&["A", "B"], &[], 0))]
#[case::nothing_changed(vec![("A", json!(1))], Some(vec![("A", json!(1))]), true, apply(&[], &[], 1))]
#[case::a_changed_document(
    vec![("A", json!({"v": 1})), ("B", json!(2))],
    Some(vec![("A", json!({"v": 2})), ("B", json!(2))]), true, apply(&["A"], &[], 1))]
#[case::a_new_and_a_withdrawn_document(
    vec![("A", json!(1)), ("B", json!(2))],
    Some(vec![("A", json!(1)), ("C", json!(3))]), true, apply(&["C"], &["B"], 1))]
#[case::withdrawn_kept_without_pruning(
    vec![("A", json!(1)), ("B", json!(2))],
    Some(vec![("A", json!(1)), ("C", json!(3))]), false, apply(&["C"], &[], 1))]
#[case::listed_twice_the_last_wins(
    vec![("A", json!(1))],
    Some(vec![("A", json!(2)), ("A", json!(1))]), true, apply(&[], &[], 1))]
#[case::listed_twice_and_changed(
    vec![("A", json!(1))],
    Some(vec![("A", json!(1)), ("A", json!(3))]), true, apply(&["A"], &[], 0))]
#[case::empty_listing_keeps_the_last_copy(
    vec![("A", json!(1))], Some(vec![]), true, RefreshPlan::Keep(KeepReason::EmptyListing))]
#[case::empty_both(vec![], Some(vec![]), true, apply(&[], &[], 0))]
#[case::not_served(vec![("A", json!(1))], None, true, RefreshPlan::Keep(KeepReason::NotServed))]
fn what_a_refresh_replaces(
    #[case] stored: Docs,
    #[case] fetched: Option<Docs>,
    #[case] prune: bool,
    #[case] expected: RefreshPlan,
) {
    let stored = refs(&stored);
    let plan = match &fetched {
        Some(f) => refresh_reference(&stored, Listing::Complete(&refs(f)), prune),
        None => refresh_reference(&stored, Listing::NotServed, prune),
    };
    assert_eq!(plan, expected);
    let changes = matches!(&expected, RefreshPlan::Apply { write, delete, .. }
        if !write.is_empty() || !delete.is_empty());
    assert_eq!(plan.changes(), changes);
}

#[test]
fn a_failed_listing_keeps_the_last_copy() {
    let stored = json!(1);
    assert_eq!(
        refresh_reference(&[("A", &stored)], Listing::Failed, true),
        RefreshPlan::Keep(KeepReason::Failed)
    );
}
