//! The desk extension (`/orderdesk/v1`): the held queue with reasons, priority and age; claims
//! (two back-office users at once, lease expiry); resolve, reject, cancel and notes recorded by
//! their user; credit exceptions decided by a supervisor only; deposits; history and diffs; the
//! changes feed and the live push.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::time::{timeout, Instant};

use crate::support::{
    assert_valid_order, v5_body, Answer, TestServer, AGENT, BACKOFFICE, SUPERVISOR, V5,
};

const BACKOFFICE_2: &str = "demo-backoffice-2";
const DESK: &str = "/orderdesk/v1";

/// Creates the order of a fixture quote and waits until validation has decided it.
async fn validated(t: &TestServer, quote: &str) -> (String, Value) {
    let id = t.create(V5, AGENT, &v5_body(quote, None)).await.id();
    let order = t.wait_validated(V5, &id).await;
    (id, order)
}

async fn claim(t: &TestServer, id: &str, token: &str, lease: Option<i64>) -> Answer {
    let body = lease.map_or(json!({}), |s| json!({"leaseSeconds": s}));
    t.post(&format!("{DESK}/queue/{id}/claim"), token, &body)
        .await
}

async fn act(t: &TestServer, id: &str, action: &str, token: &str, body: Value) -> Answer {
    t.post(&format!("{DESK}/queue/{id}/{action}"), token, &body)
        .await
}

async fn decide(t: &TestServer, id: &str, decision: &str, token: &str, body: Value) -> Answer {
    t.post(
        &format!("{DESK}/creditExceptions/{id}/{decision}"),
        token,
        &body,
    )
    .await
}

async fn versions(t: &TestServer, id: &str) -> Vec<Value> {
    let a = t
        .get(&format!("{DESK}/orders/{id}/versions"), SUPERVISOR)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body.as_array().unwrap().clone()
}

fn codes(entry: &Value) -> Vec<&str> {
    entry["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_held_queue_lists_reasons_priority_and_age() {
    let t = TestServer::start().await;
    let scenarios = [
        (
            "QT-EXCHANGE-FULL",
            "capacity",
            "held",
            "INVENTORY_EXCHANGE_FULL",
        ),
        (
            "QT-FRAUD-VELOCITY",
            "fraud",
            "held",
            "FRAUD_VELOCITY_PAYMENT",
        ),
        (
            "QT-IDENTITY-MISMATCH",
            "fraud",
            "held",
            "FRAUD_IDENTITY_MISMATCH",
        ),
        ("QT-CREDIT-REFER", "creditReferral", "held", "CREDIT_REFER"),
        (
            "QT-CREDIT-DEPOSIT",
            "deposit",
            "pending",
            "CREDIT_DEPOSIT_REQUIRED",
        ),
        (
            "QT-NO-CREDIT-PROFILE",
            "creditReferral",
            "held",
            "CREDIT_REFER",
        ),
    ];
    let mut ids = Vec::new();
    for (quote, ..) in scenarios {
        ids.push(t.create(V5, AGENT, &v5_body(quote, None)).await.id());
    }
    for id in &ids {
        t.wait_validated(V5, id).await;
    }

    let all = t.get(&format!("{DESK}/queue?limit=100"), BACKOFFICE).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(all.header("x-total-count"), Some("6"), "{}", all.body);
    assert_eq!(all.header("x-result-count"), Some("6"));
    let entries = all.body.as_array().unwrap();
    for ((quote, queue, state, code), id) in scenarios.iter().zip(&ids) {
        let e = entries
            .iter()
            .find(|e| e["orderId"] == json!(id))
            .unwrap_or_else(|| panic!("{quote} is not listed: {}", all.body));
        assert_eq!(e["queue"], *queue, "{quote}: {e}");
        assert_eq!(e["state"], *state, "{quote}: {e}");
        assert!(codes(e).contains(code), "{quote}: {e}");
        assert!(
            e["reason"].as_str().is_some_and(|r| !r.is_empty()),
            "{quote}: {e}"
        );
        assert!(
            e["priority"].is_string() && e["effectivePriority"].is_string(),
            "{e}"
        );
        assert!(e["ageSeconds"].as_i64().is_some_and(|a| a >= 0), "{e}");
        assert!(
            e["waitingSince"].is_string() && e["slaDue"].is_string(),
            "{quote}: {e}"
        );
        assert!(e["customer"]["name"].is_string(), "{e}");
        assert_eq!(e["claim"], Value::Null);
    }

    // Filters and paging.
    let count = |a: &Answer| a.header("x-total-count").unwrap().parse::<usize>().unwrap();
    let credit = t
        .get(&format!("{DESK}/queue?kind=creditReferral"), BACKOFFICE)
        .await;
    assert_eq!(count(&credit), 2, "{}", credit.body);
    let fraud = t
        .get(&format!("{DESK}/queue?kind=fraud,capacity"), BACKOFFICE)
        .await;
    assert_eq!(count(&fraud), 3, "{}", fraud.body);
    let by_code = t
        .get(&format!("{DESK}/queue?reason=CREDIT_REFER"), BACKOFFICE)
        .await;
    assert_eq!(count(&by_code), 2, "{}", by_code.body);
    let pending = t
        .get(&format!("{DESK}/queue?kind=pending"), BACKOFFICE)
        .await;
    assert_eq!(count(&pending), 1, "{}", pending.body);
    let by_name = t
        .get(&format!("{DESK}/queue?q=resident%201004"), BACKOFFICE)
        .await;
    assert_eq!(
        by_name.body[0]["orderId"],
        json!(ids[0]),
        "{}",
        by_name.body
    );
    let page = t
        .get(
            &format!("{DESK}/queue?limit=2&offset=1&sort=-age"),
            SUPERVISOR,
        )
        .await;
    assert_eq!(page.header("x-result-count"), Some("2"));
    assert_eq!(count(&page), 6);
    let bad = t
        .get(&format!("{DESK}/queue?kind=nonsense"), BACKOFFICE)
        .await;
    bad.assert_error(400);
    // Agents capture orders; the queues are the back office's.
    t.get(&format!("{DESK}/queue"), AGENT)
        .await
        .assert_error(403);
    let anonymous = Answer::of(
        t.request(Method::GET, &format!("{DESK}/queue"), None)
            .send()
            .await
            .unwrap(),
    )
    .await;
    anonymous.assert_error(401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_back_office_users_claim_at_once_and_one_wins() {
    let t = TestServer::start().await;
    let (id, _) = validated(&t, "QT-EXCHANGE-FULL").await;

    let (a, b) = tokio::join!(
        claim(&t, &id, BACKOFFICE, None),
        claim(&t, &id, BACKOFFICE_2, None)
    );
    let (winner, loser, loser_token, holder_name) = match (a.status, b.status) {
        (StatusCode::OK, StatusCode::CONFLICT) => (a, b, BACKOFFICE_2, "Demo Back-office 1"),
        (StatusCode::CONFLICT, StatusCode::OK) => (b, a, BACKOFFICE, "Demo Back-office 2"),
        other => panic!(
            "exactly one claim must win: {other:?} {} {}",
            a.body, b.body
        ),
    };
    let refusal = loser.assert_error(409);
    assert_eq!(refusal["code"], "claimedByAnother");
    assert!(
        refusal["reason"].as_str().unwrap().contains(holder_name),
        "{refusal}"
    );
    assert_eq!(winner.body["claim"]["user"]["name"], holder_name);
    assert!(winner.body["claim"]["remainingSeconds"].as_i64().unwrap() > 800);

    // The loser can neither act nor release; the holder can release, then the other claims.
    let refused = act(
        &t,
        &id,
        "resolve",
        loser_token,
        json!({"reason": "mine now"}),
    )
    .await;
    assert_eq!(refused.assert_error(409)["code"], "claimedByAnother");
    act(&t, &id, "release", loser_token, json!({}))
        .await
        .assert_error(409);
    let winner_token = if loser_token == BACKOFFICE {
        BACKOFFICE_2
    } else {
        BACKOFFICE
    };
    let released = act(&t, &id, "release", winner_token, json!({})).await;
    assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    assert_eq!(released.body["claim"], Value::Null);

    // A lease expires: a short one, then the other user's claim goes through once it has.
    let short = claim(&t, &id, loser_token, Some(2)).await;
    assert_eq!(short.status, StatusCode::OK, "{}", short.body);
    claim(&t, &id, winner_token, None).await.assert_error(409);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let a = claim(&t, &id, winner_token, None).await;
        if a.status == StatusCode::OK {
            assert_eq!(a.body["claim"]["user"]["name"], holder_name);
            break;
        }
        assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
        assert!(
            Instant::now() < deadline,
            "the 2-second lease never expired"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    claim(&t, &id, AGENT, None).await.assert_error(403);
    claim(&t, &id, BACKOFFICE, Some(0)).await.assert_error(400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolve_reject_cancel_and_notes_are_versions_by_their_user() {
    let t = TestServer::start().await;
    let (full, _) = validated(&t, "QT-EXCHANGE-FULL").await;
    let (mismatch, _) = validated(&t, "QT-IDENTITY-MISMATCH").await;
    let (velocity, _) = validated(&t, "QT-FRAUD-VELOCITY").await;

    // A note needs no claim, and any desk role may write one.
    let noted = act(
        &t,
        &full,
        "notes",
        AGENT,
        json!({"text": "customer called about the port"}),
    )
    .await;
    assert_eq!(noted.status, StatusCode::CREATED, "{}", noted.body);
    let note = noted.body["note"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["text"] == "customer called about the port")
        .unwrap_or_else(|| panic!("note missing: {}", noted.body));
    assert_eq!(note["author"], "Demo Agent 1");
    assert!(note["date"].is_string());
    act(&t, &full, "notes", AGENT, json!({"text": "  "}))
        .await
        .assert_error(400);

    // Acting needs the claim.
    let unclaimed = act(
        &t,
        &full,
        "resolve",
        BACKOFFICE,
        json!({"reason": "ports added"}),
    )
    .await;
    assert_eq!(unclaimed.assert_error(409)["code"], "claimRequired");
    assert_eq!(
        claim(&t, &full, BACKOFFICE, None).await.status,
        StatusCode::OK
    );
    act(&t, &full, "resolve", BACKOFFICE, json!({}))
        .await
        .assert_error(400);
    let stale = t
        .request(
            Method::POST,
            &format!("{DESK}/queue/{full}/resolve"),
            Some(BACKOFFICE),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"reason": "ports added"}))
        .send()
        .await
        .unwrap();
    Answer::of(stale).await.assert_error(412);

    // Resolving a capacity hold validates again without the capacity check: accepted.
    let resolved = act(
        &t,
        &full,
        "resolve",
        BACKOFFICE,
        json!({"reason": "two ports freed at EX-ALM-POORT", "note": "checked with planning"}),
    )
    .await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.body);
    assert_eq!(
        resolved.body["state"], "inProgress.accepted",
        "{}",
        resolved.body
    );
    assert_valid_order(V5, &resolved.body);
    t.get(&format!("{DESK}/queue/{full}"), BACKOFFICE)
        .await
        .assert_error(404);
    let history = versions(&t, &full).await;
    let by_desk = history
        .iter()
        .find(|v| v["reason"].as_str().unwrap().contains("two ports freed"))
        .unwrap_or_else(|| panic!("no resolve version: {history:?}"));
    assert_eq!(by_desk["by"]["id"], "U-BACKOFFICE-1");
    assert_eq!(by_desk["by"]["name"], "Demo Back-office 1");
    assert_eq!(by_desk["changeKind"], "lifecycle");
    assert_eq!(history.last().unwrap()["by"]["id"], "system");
    assert!(history
        .iter()
        .any(|v| v["changeKind"] == "note" && v["by"]["id"] == "U-AGENT-1"));

    // Reject and cancel, each with the reason, by the claim holder.
    assert_eq!(
        claim(&t, &mismatch, BACKOFFICE_2, None).await.status,
        StatusCode::OK
    );
    let rejected = act(
        &t,
        &mismatch,
        "reject",
        BACKOFFICE_2,
        json!({"reason": "identity fraud confirmed"}),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(rejected.body["state"], "rejected");
    let last = versions(&t, &mismatch).await.pop().unwrap();
    assert_eq!(last["by"]["name"], "Demo Back-office 2");
    assert!(
        last["reason"]
            .as_str()
            .unwrap()
            .contains("identity fraud confirmed"),
        "{last}"
    );

    assert_eq!(
        claim(&t, &velocity, SUPERVISOR, None).await.status,
        StatusCode::OK
    );
    let cancelled = act(
        &t,
        &velocity,
        "cancel",
        SUPERVISOR,
        json!({"reason": "customer withdrew"}),
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["state"], "cancelled");
    let last = versions(&t, &velocity).await.pop().unwrap();
    assert_eq!(last["by"]["id"], "U-SUPERVISOR-1");
    assert_eq!(last["change"]["command"]["command"], "cancel");
    // The order has left the queue: nothing more to act on.
    act(
        &t,
        &velocity,
        "cancel",
        SUPERVISOR,
        json!({"reason": "again"}),
    )
    .await
    .assert_error(409);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_approves_a_credit_referral_agents_and_back_office_cannot() {
    let t = TestServer::start().await;
    let (id, order) = validated(&t, "QT-CREDIT-REFER").await;
    assert_eq!(order["state"], "held", "{order}");

    t.get(&format!("{DESK}/creditExceptions"), AGENT)
        .await
        .assert_error(403);
    t.get(&format!("{DESK}/creditExceptions"), BACKOFFICE)
        .await
        .assert_error(403);
    let list = t.get(&format!("{DESK}/creditExceptions"), SUPERVISOR).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let e = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["orderId"] == json!(id))
        .unwrap_or_else(|| panic!("not listed: {}", list.body));
    assert_eq!(e["queue"], "creditReferral");
    assert_eq!(e["creditProfile"]["score"], 420);
    assert_eq!(e["creditProfile"]["arrears"]["value"], json!(85.4));
    assert_eq!(e["newMonthlyCharges"]["added"]["value"], json!(42.5));
    assert_eq!(e["exposure"]["after"]["value"], json!(42.5));
    assert_eq!(e["exposure"]["withinLimit"], true);

    // The back office may claim the order, but neither it nor an agent may approve it.
    assert_eq!(
        claim(&t, &id, BACKOFFICE, None).await.status,
        StatusCode::OK
    );
    let reason = json!({"reason": "long-standing customer, arrears being paid"});
    decide(&t, &id, "approve", AGENT, reason.clone())
        .await
        .assert_error(403);
    decide(&t, &id, "approve", BACKOFFICE, reason.clone())
        .await
        .assert_error(403);
    act(&t, &id, "resolve", BACKOFFICE, reason.clone())
        .await
        .assert_error(403);
    // While the back office holds it, the supervisor is told who does.
    let busy = decide(&t, &id, "approve", SUPERVISOR, reason.clone()).await;
    assert!(busy.assert_error(409)["reason"]
        .as_str()
        .unwrap()
        .contains("Demo Back-office 1"));
    act(&t, &id, "release", BACKOFFICE, json!({})).await;

    assert_eq!(
        claim(&t, &id, SUPERVISOR, None).await.status,
        StatusCode::OK
    );
    let approved = decide(&t, &id, "approve", SUPERVISOR, reason).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(
        approved.body["state"], "inProgress.accepted",
        "{}",
        approved.body
    );
    let history = versions(&t, &id).await;
    let approval = history
        .iter()
        .find(|v| v["reason"].as_str().unwrap().starts_with("credit approved"))
        .unwrap_or_else(|| panic!("{history:?}"));
    assert_eq!(approval["by"]["id"], "U-SUPERVISOR-1");
    let list = t.get(&format!("{DESK}/creditExceptions"), SUPERVISOR).await;
    assert!(!list
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["orderId"] == json!(id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deposits_are_required_and_recorded_and_a_decline_cancels() {
    let t = TestServer::start().await;
    let (referred, _) = validated(&t, "QT-NO-CREDIT-PROFILE").await;
    let (deposit, order) = validated(&t, "QT-CREDIT-DEPOSIT").await;
    assert_eq!(order["state"], "pending", "{order}");

    // Require a deposit: the referral pends until it is recorded.
    assert_eq!(
        claim(&t, &referred, SUPERVISOR, None).await.status,
        StatusCode::OK
    );
    let demand =
        json!({"amount": {"value": 150, "unit": "EUR"}, "reason": "new customer, no bureau file"});
    decide(&t, &referred, "requireDeposit", BACKOFFICE, demand.clone())
        .await
        .assert_error(403);
    let bad = json!({"amount": {"value": -1}, "reason": "x"});
    decide(&t, &referred, "requireDeposit", SUPERVISOR, bad)
        .await
        .assert_error(400);
    let pending = decide(&t, &referred, "requireDeposit", SUPERVISOR, demand).await;
    assert_eq!(pending.status, StatusCode::OK, "{}", pending.body);
    assert_eq!(pending.body["state"], "pending");
    let entry = t.get(&format!("{DESK}/queue/{referred}"), BACKOFFICE).await;
    assert_eq!(entry.body["queue"], "deposit", "{}", entry.body);
    assert!(
        entry.body["reason"]
            .as_str()
            .unwrap()
            .starts_with("deposit required: 150"),
        "{}",
        entry.body
    );
    // Resolving does not skip the deposit.
    assert_eq!(
        claim(&t, &referred, BACKOFFICE, None).await.status,
        StatusCode::OK
    );
    let skip = act(
        &t,
        &referred,
        "resolve",
        BACKOFFICE,
        json!({"reason": "skip"}),
    )
    .await;
    assert_eq!(skip.status, StatusCode::FORBIDDEN, "{}", skip.body);
    let recorded = decide(
        &t,
        &referred,
        "depositRecorded",
        BACKOFFICE,
        json!({"reference": "PAY-2026-0042"}),
    )
    .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);
    assert_eq!(
        recorded.body["state"], "inProgress.accepted",
        "{}",
        recorded.body
    );
    let history = versions(&t, &referred).await;
    assert!(history.iter().any(|v| v["by"]["id"] == "U-BACKOFFICE-1"
        && v["reason"].as_str().unwrap().contains("PAY-2026-0042")));
    assert!(history.iter().any(|v| v["by"]["id"] == "U-SUPERVISOR-1"
        && v["reason"].as_str().unwrap().contains("deposit required")));

    // The order validation pended for a deposit is declined: cancelled with the reason.
    let listed = t
        .get(
            &format!("{DESK}/creditExceptions?queue=deposit"),
            SUPERVISOR,
        )
        .await;
    assert!(
        listed
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["orderId"] == json!(deposit)),
        "{}",
        listed.body
    );
    assert_eq!(
        claim(&t, &deposit, SUPERVISOR, None).await.status,
        StatusCode::OK
    );
    decide(&t, &deposit, "decline", AGENT, json!({"reason": "no"}))
        .await
        .assert_error(403);
    let declined = decide(
        &t,
        &deposit,
        "decline",
        SUPERVISOR,
        json!({"reason": "deposit refused by the customer"}),
    )
    .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    assert_eq!(declined.body["state"], "cancelled");
    let last = versions(&t, &deposit).await.pop().unwrap();
    assert!(
        last["reason"]
            .as_str()
            .unwrap()
            .contains("deposit refused by the customer"),
        "{last}"
    );
    assert_eq!(
        last["change"]["command"]["reason"],
        "credit declined: deposit refused by the customer"
    );
}

/// TMF622 has no field for why an order changed: a note added by the amending patch says it,
/// and the version records it as its reason.
#[tokio::test]
async fn a_note_added_by_an_amendment_is_the_versions_reason() {
    let t = TestServer::start().await;
    let (id, order) = validated(&t, "QT-EXCHANGE-FULL").await;
    let mut notes = order["note"].as_array().cloned().unwrap_or_default();
    notes.push(json!({"text": "customer asked for an earlier slot", "author": "Demo Agent 1"}));
    let patched = t
        .request(
            Method::PATCH,
            &format!("{V5}/productOrder/{id}"),
            Some(AGENT),
        )
        .header("content-type", "application/merge-patch+json")
        .body(json!({"description": "moved forward", "note": notes}).to_string())
        .send()
        .await
        .unwrap();
    let patched = Answer::of(patched).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert!(
        patched.body["note"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"] == "customer asked for an earlier slot"),
        "{}",
        patched.body
    );

    let amendment = versions(&t, &id).await.pop().unwrap();
    assert_eq!(amendment["changeKind"], "amendment");
    assert_eq!(
        amendment["reason"],
        "amended by Demo Agent 1: customer asked for an earlier slot"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_lists_versions_and_diffs_an_amended_order() {
    let t = TestServer::start().await;
    let (id, order) = validated(&t, "QT-EXCHANGE-FULL").await;
    let before = order["priority"].as_str().unwrap_or("4").to_owned();
    let after = if before == "1" { "2" } else { "1" };
    let patched = t
        .request(
            Method::PATCH,
            &format!("{V5}/productOrder/{id}"),
            Some(AGENT),
        )
        .header("content-type", "application/merge-patch+json")
        .body(json!({"priority": after}).to_string())
        .send()
        .await
        .unwrap();
    let patched = Answer::of(patched).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);

    let history = versions(&t, &id).await;
    assert!(history.len() >= 3, "{history:?}");
    assert_eq!(history[0]["version"], 1);
    assert_eq!(history[0]["changeKind"], "created");
    assert_eq!(
        history[0]["by"],
        json!({"id": "U-AGENT-1", "name": "Demo Agent 1"})
    );
    assert_eq!(history[1]["by"]["id"], "system");
    assert_eq!(history[1]["state"], "held");
    let amendment = history.last().unwrap();
    assert_eq!(amendment["changeKind"], "amendment");
    assert_eq!(amendment["by"]["id"], "U-AGENT-1");
    let latest = amendment["version"].as_u64().unwrap();

    let diff = t
        .get(
            &format!("{DESK}/orders/{id}/diff?from=1&to={latest}"),
            SUPERVISOR,
        )
        .await;
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.body);
    let change = diff.body["order"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "priority")
        .unwrap_or_else(|| panic!("{}", diff.body));
    assert_eq!(change["before"], json!(before));
    assert_eq!(change["after"], json!(after));
    assert_eq!(
        diff.body["versions"].as_array().unwrap().len() as u64,
        latest - 1
    );
    // The default compares the last two versions.
    let last_two = t.get(&format!("{DESK}/orders/{id}/diff"), SUPERVISOR).await;
    assert_eq!(last_two.body["from"], latest - 1);

    let first = t
        .get(&format!("{DESK}/orders/{id}/versions/1"), BACKOFFICE)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["state"], "acknowledged");
    assert_eq!(first.body["priority"], json!(before));
    assert_valid_order(V5, &first.body);

    t.get(&format!("{DESK}/orders/{id}/versions/99"), SUPERVISOR)
        .await
        .assert_error(404);
    t.get(
        &format!("{DESK}/orders/{id}/diff?from={latest}&to=1"),
        SUPERVISOR,
    )
    .await
    .assert_error(400);
    t.get(&format!("{DESK}/orders/nope/versions"), SUPERVISOR)
        .await
        .assert_error(404);
    // Append-only: nothing writes a version here.
    t.post(
        &format!("{DESK}/orders/{id}/versions"),
        SUPERVISOR,
        &json!({}),
    )
    .await
    .assert_error(405);
}

/// Every change after `cursor`, read `page` at a time.
async fn feed(t: &TestServer, mut cursor: u64, page: u32) -> (Vec<Value>, u64) {
    let mut out = Vec::new();
    loop {
        let a = t
            .get(
                &format!("{DESK}/changes?after={cursor}&limit={page}"),
                AGENT,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let changes = a.body["changes"].as_array().unwrap();
        out.extend(changes.iter().cloned());
        cursor = a.body["nextCursor"].as_u64().unwrap();
        if !a.body["hasMore"].as_bool().unwrap() {
            return (out, cursor);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_changes_feed_returns_every_change_after_a_cursor() {
    let t = TestServer::start().await;
    let (_, start) = feed(&t, 0, 1000).await;
    let (id, _) = validated(&t, "QT-EXCHANGE-FULL").await;
    assert_eq!(
        claim(&t, &id, BACKOFFICE, None).await.status,
        StatusCode::OK
    );
    act(
        &t,
        &id,
        "notes",
        BACKOFFICE,
        json!({"text": "looking into it"}),
    )
    .await;
    act(&t, &id, "release", BACKOFFICE, json!({})).await;

    let (small_pages, end) = feed(&t, start, 2).await;
    let (one_page, end_again) = feed(&t, start, 1000).await;
    assert_eq!(small_pages, one_page);
    assert_eq!(end, end_again);
    let seqs: Vec<u64> = one_page
        .iter()
        .map(|c| c["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs.first(), Some(&(start + 1)), "{one_page:?}");
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "gaps: {seqs:?}");
    assert_eq!(seqs.last(), Some(&end));
    let kinds: Vec<(String, String)> = one_page
        .iter()
        .filter(|c| c["entityId"] == json!(id))
        .map(|c| {
            (
                c["entity"].as_str().unwrap().to_owned(),
                c["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("productOrder", "create"),
        ("productOrder", "stateChange"),
        ("queueEntry", "create"),
        ("queueEntry", "claim"),
        ("productOrder", "update"),
        ("queueEntry", "release"),
    ] {
        assert!(
            kinds.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} missing from {kinds:?}"
        );
    }
    // Nothing new: the cursor stays.
    let (nothing, same) = feed(&t, end, 10).await;
    assert!(nothing.is_empty());
    assert_eq!(same, end);
    t.get(&format!("{DESK}/changes?after=-1"), AGENT)
        .await
        .assert_error(400);
}

/// Server-sent events read off a response, with a bounded wait.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(t: &TestServer, query: &str) -> Self {
        let response = t
            .request(Method::GET, &format!("{DESK}/live{query}"), Some(AGENT))
            .header("Accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        let mut events = Self {
            response,
            buffer: String::new(),
        };
        // The stream says where it starts before anything else: it is following.
        let hello = events.next_block(Duration::from_secs(5)).await;
        assert!(hello.starts_with(": following"), "{hello}");
        events
    }

    /// The next block (event or comment), within `wait`.
    async fn next_block(&mut self, wait: Duration) -> String {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block = self.buffer[..end].to_owned();
                self.buffer.drain(..end + 2);
                return block;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let chunk = timeout(left, self.response.chunk())
                .await
                .expect("no event in time")
                .unwrap()
                .expect("the stream ended");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next change event within `wait` (keep-alive comments skipped).
    async fn next_change(&mut self, wait: Duration) -> Value {
        let deadline = Instant::now() + wait;
        loop {
            let block = self
                .next_block(deadline.saturating_duration_since(Instant::now()))
                .await;
            if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) {
                assert!(block.contains("event: change"), "{block}");
                let change: Value = serde_json::from_str(data).unwrap();
                assert!(block.contains(&format!("id: {}", change["seq"])), "{block}");
                return change;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_push_delivers_an_orders_change_within_a_second() {
    let mut t = TestServer::start().await;
    let (_, start) = feed(&t, 0, 1000).await;
    let (id, _) = validated(&t, "QT-EXCHANGE-FULL").await;
    let (other, _) = validated(&t, "QT-CREDIT-REFER").await;

    let mut live = Events::open(&t, &format!("?order={id}")).await;
    // A change to another order is not sent on this stream; the watched order's is, at once.
    act(&t, &other, "notes", AGENT, json!({"text": "unrelated"})).await;
    let began = Instant::now();
    let noted = act(&t, &id, "notes", AGENT, json!({"text": "watch this"})).await;
    assert_eq!(noted.status, StatusCode::CREATED);
    let change = live.next_change(Duration::from_secs(1)).await;
    assert!(began.elapsed() < Duration::from_secs(1));
    assert_eq!(change["entityId"], json!(id), "{change}");
    assert_eq!(change["entity"], "productOrder");
    assert_eq!(change["kind"], "update", "{change}");

    // Replay from a cursor, then live, nothing lost or repeated.
    let mut replay = Events::open(&t, &format!("?after={start}")).await;
    let (expected, _) = feed(&t, start, 1000).await;
    for want in &expected {
        let got = replay.next_change(Duration::from_secs(5)).await;
        assert_eq!(&got, want);
    }
    claim(&t, &id, BACKOFFICE, None).await;
    let claimed = replay.next_change(Duration::from_secs(1)).await;
    assert_eq!(claimed["kind"], "claim");
    assert_eq!(
        claimed["seq"],
        expected.last().unwrap()["seq"].as_u64().unwrap() + 1
    );

    // Without asking for an event stream there is none.
    let plain = t.get(&format!("{DESK}/live"), AGENT).await;
    plain.assert_error(406);

    // An open stream does not hold up the server's graceful stop: it ends.
    let server = t.server.take().unwrap();
    timeout(Duration::from_secs(5), server.stop())
        .await
        .expect("the server did not stop with a live stream open");
    let end = timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = replay.response.chunk().await {}
    })
    .await;
    assert!(end.is_ok(), "the live stream did not end with the server");
    drop(live);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_watching_an_order_sees_item_progress_within_a_second() {
    let t = TestServer::start().await;
    let clock = t.server.as_ref().unwrap().state().clone();
    let id = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();
    let mut live = Events::open(&t, &format!("?order={id}")).await;
    // Validation, hand-over to the SOM simulator, and its item reports, each pushed as it
    // commits: measured against the server's own clock.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (mut item_reports, mut order_changes) = (0, 0);
    while item_reports < 2 || order_changes < 2 {
        let change = live
            .next_change(deadline.saturating_duration_since(Instant::now()))
            .await;
        let at: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(change["at"].clone()).unwrap();
        let lag = clock.now() - at;
        assert!(
            lag < chrono::Duration::seconds(1),
            "{change} arrived after {lag}"
        );
        match change["entity"].as_str() {
            Some("serviceOrder") if change["payload"]["itemState"].is_string() => item_reports += 1,
            Some("productOrder") => order_changes += 1,
            _ => {}
        }
    }
}
