//! Jeopardy management: spotting orders at risk and raising TMF622 v5
//! `productOrderJeopardyAlert`s.
//!
//! Three conditions, each with its own alert `name`:
//! - `timeInState`: the order has sat in its state longer than the state's SLA
//!   ([`JeopardyPolicy::slas`], a data table). `Hazard` once `warn_at_percent` of the SLA is
//!   used, `Critical` once it is used up. `inProgress` has no time-in-state SLA: delivery is
//!   timed against the expected completion date below. An order pending on its schedule
//!   ([`super::schedule::is_scheduled_wait`]) is waiting on purpose and is not timed.
//! - `completionDate`: the expected completion is after the requested completion: the promise
//!   will be missed unless something changes. `Critical`.
//! - `overdue`: the expected completion has passed and the order is not finished. `Critical`.
//!
//! `jeopardyType` carries the severity, as the v5 spec describes it ("type of jeopardy/risk like
//! Normal, Hazard, Critical"); `exception` carries a stable key of the condition *instance*
//! (state and entry time, or the dates compared). Assessment is idempotent: an alert is raised
//! only if no alert with the same key and the same or a higher severity is already on the
//! order, so the server may assess as often as it likes. A new stay in a state, or a re-planned
//! date, is a new instance and alerts again.
//!
//! Drafts and finished orders are never in jeopardy. Sending the alerts (events, e-mail) and
//! running the assessment periodically belong to the server.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::calendar::add_working_days;
use super::schedule::is_scheduled_wait;
use crate::ids::{IdSource, ItemId};
use crate::lifecycle::{ItemState, OrderState};
use crate::order::{JeopardyAlert, ProductOrder};

/// How serious a jeopardy is, spelled as the v5 `jeopardyType` examples spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    /// At risk: most of the allowed time is used.
    Hazard,
    /// The SLA or the promised date is missed, or will be.
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hazard => "Hazard",
            Self::Critical => "Critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Hazard" => Some(Self::Hazard),
            "Critical" => Some(Self::Critical),
            _ => None,
        }
    }
}

/// How long an order may stay in a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaLimit {
    /// Wall-clock time, for states someone must act on within hours.
    Elapsed(Duration),
    /// Working days (see [`super::calendar`]), for states that wait on the customer or a
    /// back office.
    WorkingDays(u32),
}

impl fmt::Display for SlaLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Elapsed(d) => f.write_str(&human(*d)),
            Self::WorkingDays(1) => f.write_str("1 working day"),
            Self::WorkingDays(n) => write!(f, "{n} working days"),
        }
    }
}

/// One row of the SLA table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateSla {
    pub state: OrderState,
    pub limit: SlaLimit,
}

/// The desk's jeopardy rules. Operators tune the table; the code reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JeopardyPolicy {
    /// States not listed are not timed.
    pub slas: Vec<StateSla>,
    /// Share of the SLA after which a `Hazard` is raised (80 = at 80 %).
    pub warn_at_percent: u8,
}

impl Default for JeopardyPolicy {
    fn default() -> Self {
        use OrderState as S;
        use SlaLimit::{Elapsed, WorkingDays};
        let sla = |state, limit| StateSla { state, limit };
        Self {
            slas: vec![
                // Validation runs on receipt; a quarter of an hour means it is stuck.
                sla(S::Acknowledged, Elapsed(Duration::minutes(15))),
                // Accepted but no item started: decomposition or the SOM has not picked it up.
                sla(S::InProgressAccepted, Elapsed(Duration::hours(1))),
                // Held orders need the desk: a half working day.
                sla(S::Held, Elapsed(Duration::hours(4))),
                // Pending waits on the customer (documents, deposit).
                sla(S::Pending, WorkingDays(2)),
                sla(S::AssessingCancellation, Elapsed(Duration::hours(1))),
                // Downstream reversal of delivered work.
                sla(S::PendingCancellation, WorkingDays(1)),
            ],
            warn_at_percent: 80,
        }
    }
}

impl JeopardyPolicy {
    pub fn sla(&self, state: OrderState) -> Option<SlaLimit> {
        self.slas.iter().find(|s| s.state == state).map(|s| s.limit)
    }
}

/// A condition that puts an order at risk, with what identifies this instance of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    TimeInState {
        state: OrderState,
        since: DateTime<Utc>,
        limit: SlaLimit,
        deadline: DateTime<Utc>,
    },
    PredictedLate {
        expected: DateTime<Utc>,
        requested: DateTime<Utc>,
    },
    Overdue {
        expected: DateTime<Utc>,
    },
}

impl Condition {
    /// The alert `name`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::TimeInState { .. } => "timeInState",
            Self::PredictedLate { .. } => "completionDate",
            Self::Overdue { .. } => "overdue",
        }
    }

    /// The alert `exception`: stable for one instance of the condition, different for another.
    pub fn key(&self) -> String {
        match self {
            Self::TimeInState { state, since, .. } => {
                format!("timeInState:{state}:since={}", stamp(*since))
            }
            Self::PredictedLate {
                expected,
                requested,
            } => format!(
                "completionDate:expected={}:requested={}",
                stamp(*expected),
                stamp(*requested)
            ),
            Self::Overdue { expected } => format!("overdue:expected={}", stamp(*expected)),
        }
    }
}

/// A condition found on an order at some severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub condition: Condition,
    pub severity: Severity,
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `2d 3h 5m`, leaving out units that are zero (`4h`, `15m`).
fn human(d: Duration) -> String {
    let total = d.num_minutes().max(0);
    let parts: Vec<String> = [
        (total / (24 * 60), "d"),
        ((total / 60) % 24, "h"),
        (total % 60, "m"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, unit)| format!("{n}{unit}"))
    .collect();
    if parts.is_empty() {
        "0m".to_owned()
    } else {
        parts.join(" ")
    }
}

/// When the SLA of the order's current state runs out, if the state is timed. Feeds
/// [`super::queue::QueueEntry::sla_due`].
pub fn sla_deadline(order: &ProductOrder, policy: &JeopardyPolicy) -> Option<DateTime<Utc>> {
    let state = order.state();
    if state == OrderState::Draft || state.is_terminal() || is_scheduled_wait(order) {
        return None;
    }
    let since = order.state_changed_at;
    match policy.sla(state)? {
        SlaLimit::Elapsed(d) => since.checked_add_signed(d),
        SlaLimit::WorkingDays(n) => add_working_days(since, n),
    }
}

/// Every condition the order is in at `now`, at the highest severity reached, whether or not
/// it was already alerted.
pub fn findings(order: &ProductOrder, now: DateTime<Utc>, policy: &JeopardyPolicy) -> Vec<Finding> {
    let state = order.state();
    if state == OrderState::Draft || state.is_terminal() {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let (Some(limit), Some(deadline)) = (policy.sla(state), sla_deadline(order, policy)) {
        let since = order.state_changed_at;
        let severity = if now >= deadline {
            Some(Severity::Critical)
        } else if now >= warn_at(since, deadline, policy.warn_at_percent) {
            Some(Severity::Hazard)
        } else {
            None
        };
        if let Some(severity) = severity {
            out.push(Finding {
                condition: Condition::TimeInState {
                    state,
                    since,
                    limit,
                    deadline,
                },
                severity,
            });
        }
    }
    if let Some(expected) = order.expected_completion_date {
        if let Some(requested) = order.requested_completion_date {
            if expected > requested {
                out.push(Finding {
                    condition: Condition::PredictedLate {
                        expected,
                        requested,
                    },
                    severity: Severity::Critical,
                });
            }
        }
        if now > expected {
            out.push(Finding {
                condition: Condition::Overdue { expected },
                severity: Severity::Critical,
            });
        }
    }
    out
}

/// The instant `percent` of the way from `since` to `deadline` (the deadline itself from 100).
fn warn_at(since: DateTime<Utc>, deadline: DateTime<Utc>, percent: u8) -> DateTime<Utc> {
    let window = (deadline - since).num_seconds().max(0);
    let offset = window / 100 * i64::from(percent.min(100))
        + window % 100 * i64::from(percent.min(100)) / 100;
    since
        .checked_add_signed(Duration::seconds(offset))
        .unwrap_or(deadline)
}

/// The alerts to add to the order at `now`: one per finding not already alerted at the same or
/// a higher severity. The caller appends them to `order.jeopardy_alerts` (and records a
/// version); assessing the result again returns nothing.
pub fn assess(
    order: &ProductOrder,
    now: DateTime<Utc>,
    policy: &JeopardyPolicy,
    ids: &mut dyn IdSource,
) -> Vec<JeopardyAlert> {
    findings(order, now, policy)
        .into_iter()
        .filter(|f| !already_alerted(order, f))
        .map(|f| alert(order, &f, now, ids))
        .collect()
}

/// The first instant at which [`assess`] raises an alert on `order` as it stands, or `None`
/// when it never would (a draft or finished order, an untimed state without an expected
/// completion date, or every condition already alerted at its highest severity). For every
/// `now`: `assess(order, now, ..)` is not empty exactly when this is `Some(t)` with `t <= now`
/// (`DateTime::<Utc>::MIN_UTC` when it already is, whatever `now`). A store keeps it as a
/// column, updated with every write of the order, so that a periodic assessment reads only the
/// orders that have something to alert.
pub fn next_alert_at(order: &ProductOrder, policy: &JeopardyPolicy) -> Option<DateTime<Utc>> {
    let state = order.state();
    if state == OrderState::Draft || state.is_terminal() {
        return None;
    }
    let unalerted = |condition: Condition, severity: Severity| {
        !already_alerted(
            order,
            &Finding {
                condition,
                severity,
            },
        )
    };
    let mut first: Option<DateTime<Utc>> = None;
    let mut candidate = |at: DateTime<Utc>| first = Some(first.map_or(at, |f| f.min(at)));
    if let (Some(limit), Some(deadline)) = (policy.sla(state), sla_deadline(order, policy)) {
        let since = order.state_changed_at;
        let condition = Condition::TimeInState {
            state,
            since,
            limit,
            deadline,
        };
        // A Critical alert also covers the Hazard: an unalerted Hazard means nothing is alerted.
        if unalerted(condition, Severity::Hazard) {
            candidate(warn_at(since, deadline, policy.warn_at_percent).min(deadline));
        } else if unalerted(condition, Severity::Critical) {
            candidate(deadline);
        }
    }
    if let Some(expected) = order.expected_completion_date {
        if let Some(requested) = order.requested_completion_date.filter(|r| expected > *r) {
            if unalerted(
                Condition::PredictedLate {
                    expected,
                    requested,
                },
                Severity::Critical,
            ) {
                candidate(DateTime::<Utc>::MIN_UTC);
            }
        }
        // Overdue once `now > expected`: from the next representable instant.
        if unalerted(Condition::Overdue { expected }, Severity::Critical) {
            if let Some(after) = expected.checked_add_signed(Duration::nanoseconds(1)) {
                candidate(after);
            }
        }
    }
    first
}

fn already_alerted(order: &ProductOrder, finding: &Finding) -> bool {
    let key = finding.condition.key();
    order.jeopardy_alerts.iter().any(|a| {
        a.exception == key
            && Severity::parse(&a.jeopardy_type).is_some_and(|s| s >= finding.severity)
    })
}

fn alert(
    order: &ProductOrder,
    finding: &Finding,
    now: DateTime<Utc>,
    ids: &mut dyn IdSource,
) -> JeopardyAlert {
    let (message, items) = match finding.condition {
        Condition::TimeInState {
            state,
            since,
            limit,
            ..
        } => {
            let spent = human(now - since);
            let message = match finding.severity {
                Severity::Hazard => format!(
                    "{state} for {spent}, nearing its SLA of {limit} (since {})",
                    stamp(since)
                ),
                Severity::Critical => format!(
                    "{state} for {spent}, past its SLA of {limit} (since {})",
                    stamp(since)
                ),
            };
            (message, items_in(order, item_state_for(state)))
        }
        Condition::PredictedLate {
            expected,
            requested,
        } => (
            format!(
                "expected completion {} is after the requested completion {}",
                stamp(expected),
                stamp(requested)
            ),
            items_in(order, None),
        ),
        Condition::Overdue { expected } => (
            format!(
                "expected completion {} has passed and the order is still {}",
                stamp(expected),
                order.state()
            ),
            items_in(order, None),
        ),
    };
    JeopardyAlert {
        id: ids.next_id("jeopardyAlert"),
        name: finding.condition.name().to_owned(),
        jeopardy_type: finding.severity.as_str().to_owned(),
        message,
        alert_date: now,
        exception: finding.condition.key(),
        items,
    }
}

/// The item state that puts an order in `state`, where there is one.
fn item_state_for(state: OrderState) -> Option<ItemState> {
    match state {
        OrderState::Acknowledged | OrderState::InProgressAccepted => Some(ItemState::Acknowledged),
        OrderState::Held => Some(ItemState::Held),
        OrderState::Pending => Some(ItemState::Pending),
        OrderState::InProgress => Some(ItemState::InProgress),
        OrderState::AssessingCancellation => Some(ItemState::AssessingCancellation),
        OrderState::PendingCancellation => Some(ItemState::PendingCancellation),
        _ => None,
    }
}

/// The unfinished items, or only those in `state` when given.
fn items_in(order: &ProductOrder, state: Option<ItemState>) -> Vec<ItemId> {
    order
        .items
        .iter()
        .filter(|i| match state {
            Some(s) => i.state() == s,
            None => !i.state().is_terminal(),
        })
        .map(|i| i.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::schedule::SCHEDULED_REASON_PREFIX;
    use crate::desk::testkit::{hours, in_progress, order, run, t0};
    use crate::ids::SequentialIds;
    use crate::lifecycle::OrderCommand;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use rstest::rstest;

    fn minutes(m: i64) -> Duration {
        Duration::minutes(m)
    }

    fn two() -> ProductOrder {
        order(&[("1", "fibre"), ("2", "router")])
    }

    fn held(at: DateTime<Utc>) -> ProductOrder {
        run(
            &two(),
            OrderCommand::Hold {
                reason: "credit referral".into(),
            },
            at,
        )
    }

    fn severities(o: &ProductOrder, now: DateTime<Utc>) -> Vec<(&'static str, Severity)> {
        findings(o, now, &JeopardyPolicy::default())
            .into_iter()
            .map(|f| (f.condition.name(), f.severity))
            .collect()
    }

    #[rstest]
    #[case::acknowledged_fresh(two(), minutes(11), None)]
    #[case::acknowledged_80_percent(two(), minutes(12), Some(Severity::Hazard))]
    #[case::acknowledged_sla_used(two(), minutes(15), Some(Severity::Critical))]
    #[case::held_3h(held(t0()), hours(3), None)]
    #[case::held_3h12(held(t0()), minutes(192), Some(Severity::Hazard))]
    #[case::held_4h(held(t0()), hours(4), Some(Severity::Critical))]
    #[case::in_progress_untimed(in_progress(&two(), &["1"], t0()), hours(500), None)]
    fn time_in_state(
        #[case] o: ProductOrder,
        #[case] after: Duration,
        #[case] expected: Option<Severity>,
    ) {
        let got: Vec<_> = severities(&o, t0() + after);
        assert_eq!(
            got,
            expected
                .map(|s| ("timeInState", s))
                .into_iter()
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn pending_is_timed_in_working_days() {
        // Pended Friday 09:00; two working days end Tuesday 09:00 (96 h); 80 % is Monday 13:48.
        let friday = Utc.with_ymd_and_hms(2026, 11, 6, 9, 0, 0).unwrap();
        let pending = run(
            &two(),
            OrderCommand::Pend {
                reason: "deposit".into(),
            },
            friday,
        );
        let monday = |h, m| Utc.with_ymd_and_hms(2026, 11, 9, h, m, 0).unwrap();
        assert_eq!(severities(&pending, monday(13, 47)), []);
        assert_eq!(
            severities(&pending, monday(13, 48)),
            [("timeInState", Severity::Hazard)]
        );
        assert_eq!(
            severities(&pending, friday + hours(96)),
            [("timeInState", Severity::Critical)]
        );
        assert_eq!(
            sla_deadline(&pending, &JeopardyPolicy::default()),
            Some(friday + hours(96))
        );
    }

    #[test]
    fn scheduled_wait_is_not_timed() {
        let accepted = run(&two(), OrderCommand::Accept, t0());
        let scheduled = run(
            &accepted,
            OrderCommand::Pend {
                reason: format!("{SCHEDULED_REASON_PREFIX}2026-12-01T09:00:00Z"),
            },
            t0(),
        );
        assert_eq!(severities(&scheduled, t0() + hours(24 * 20)), []);
        assert_eq!(sla_deadline(&scheduled, &JeopardyPolicy::default()), None);
    }

    #[test]
    fn completion_dates() {
        let mut o = in_progress(&two(), &["1"], t0());
        o.requested_completion_date = Some(t0() + hours(48));
        o.expected_completion_date = Some(t0() + hours(72));
        assert_eq!(
            severities(&o, t0()),
            [("completionDate", Severity::Critical)]
        );
        assert_eq!(
            severities(&o, t0() + hours(73)),
            [
                ("completionDate", Severity::Critical),
                ("overdue", Severity::Critical)
            ]
        );
        o.expected_completion_date = Some(t0() + hours(24));
        assert_eq!(severities(&o, t0() + hours(24)), []);
    }

    #[test]
    fn finished_and_draft_orders_are_never_in_jeopardy() {
        let mut done = run(&two(), OrderCommand::Cancel { reason: "x".into() }, t0());
        done.expected_completion_date = Some(t0());
        assert_eq!(severities(&done, t0() + hours(100)), []);
        let mut draft = two();
        draft.phase.draft = true;
        assert_eq!(severities(&draft, t0() + hours(100)), []);
    }

    #[test]
    fn raises_v5_alerts_once() {
        let mut ids = SequentialIds::new("T");
        let policy = JeopardyPolicy::default();
        let mut o = held(t0());
        let now = t0() + hours(4) + minutes(10);
        let alerts = assess(&o, now, &policy, &mut ids);
        assert_eq!(
            alerts,
            vec![JeopardyAlert {
                id: "T-jeopardyAlert-1".into(),
                name: "timeInState".into(),
                jeopardy_type: "Critical".into(),
                message: "held for 4h 10m, past its SLA of 4h (since 2026-11-02T09:00:00Z)".into(),
                alert_date: now,
                exception: "timeInState:held:since=2026-11-02T09:00:00Z".into(),
                items: vec!["1".into(), "2".into()],
            }]
        );
        o.jeopardy_alerts.extend(alerts);
        assert_eq!(assess(&o, now + hours(1), &policy, &mut ids), []);
    }

    #[test]
    fn escalates_from_hazard_to_critical_but_never_back() {
        let mut ids = SequentialIds::new("T");
        let policy = JeopardyPolicy::default();
        let mut o = held(t0());
        let hazard = assess(&o, t0() + hours(3) + minutes(30), &policy, &mut ids);
        assert_eq!(hazard.len(), 1);
        assert_eq!(hazard[0].jeopardy_type, "Hazard");
        o.jeopardy_alerts.extend(hazard);
        assert_eq!(
            assess(&o, t0() + hours(3) + minutes(40), &policy, &mut ids),
            []
        );
        let critical = assess(&o, t0() + hours(5), &policy, &mut ids);
        assert_eq!(critical.len(), 1);
        assert_eq!(critical[0].jeopardy_type, "Critical");

        let mut straight = held(t0());
        straight.jeopardy_alerts.extend(critical);
        assert_eq!(
            assess(&straight, t0() + hours(3) + minutes(30), &policy, &mut ids),
            []
        );
    }

    #[test]
    fn a_new_stay_in_the_state_alerts_again() {
        let mut ids = SequentialIds::new("T");
        let policy = JeopardyPolicy::default();
        let mut o = held(t0());
        o.jeopardy_alerts = assess(&o, t0() + hours(5), &policy, &mut ids);
        let resumed = run(&o, OrderCommand::Resume, t0() + hours(5));
        let again = run(
            &resumed,
            OrderCommand::Hold {
                reason: "again".into(),
            },
            t0() + hours(6),
        );
        let alerts = assess(&again, t0() + hours(11), &policy, &mut ids);
        assert_eq!(alerts.len(), 1);
        assert_eq!(
            alerts[0].exception,
            "timeInState:held:since=2026-11-02T15:00:00Z"
        );
    }

    #[test]
    fn only_items_in_the_state_are_named() {
        let accepted = run(&two(), OrderCommand::Accept, t0());
        let o = run(
            &accepted,
            OrderCommand::Item {
                item: "2".into(),
                event: crate::lifecycle::ItemEvent::Hold,
            },
            t0(),
        );
        let alerts = assess(
            &o,
            t0() + hours(5),
            &JeopardyPolicy::default(),
            &mut SequentialIds::new(""),
        );
        assert_eq!(alerts[0].items, vec![ItemId::new("2")]);
    }

    #[test]
    fn warn_threshold_edges() {
        let d = t0() + hours(10);
        assert_eq!(warn_at(t0(), d, 0), t0());
        assert_eq!(warn_at(t0(), d, 80), t0() + hours(8));
        assert_eq!(warn_at(t0(), d, 200), d);
        assert_eq!(warn_at(d, t0(), 80), d);
    }

    #[test]
    fn next_alert_edges() {
        let policy = JeopardyPolicy::default();
        let next = |o: &ProductOrder| next_alert_at(o, &policy);
        // Held at t0: Hazard at 80 % of 4 h, then Critical at 4 h once the Hazard is alerted.
        let mut o = held(t0());
        assert_eq!(next(&o), Some(t0() + minutes(192)));
        o.jeopardy_alerts = assess(
            &o,
            t0() + minutes(192),
            &policy,
            &mut SequentialIds::new("J"),
        );
        assert_eq!(next(&o), Some(t0() + hours(4)));
        o.jeopardy_alerts = assess(&o, t0() + hours(4), &policy, &mut SequentialIds::new("K"));
        assert_eq!(next(&o), None);
        // In progress: untimed, unless an expected completion date is set.
        let mut o = in_progress(&two(), &["1"], t0());
        assert_eq!(next(&o), None);
        o.expected_completion_date = Some(t0() + hours(10));
        assert!(next(&o) > Some(t0() + hours(10)));
        assert!(assess(&o, t0() + hours(10), &policy, &mut SequentialIds::new("L")).is_empty());
        o.requested_completion_date = Some(t0() + hours(9));
        assert_eq!(next(&o), Some(DateTime::<Utc>::MIN_UTC));
        // Finished orders never.
        let mut done = run(
            &two(),
            OrderCommand::Reject {
                reason: "no".into(),
            },
            t0(),
        );
        done.expected_completion_date = Some(t0());
        assert_eq!(next(&done), None);
    }

    proptest! {
        /// `next_alert_at` answers, for every instant, whether assessment would alert.
        #[test]
        fn next_alert_at_says_when_assessment_alerts(
            command in 0u8..6, entered_min in 0i64..600, steps in prop::collection::vec(0i64..6_000, 1..5),
            expected_h in prop::option::of(0i64..400), requested_h in prop::option::of(0i64..400),
            probe_ns in -2i64..3,
        ) {
            let policy = JeopardyPolicy::default();
            let entered = t0() + minutes(entered_min);
            let mut o = match command {
                0 => two(),
                1 => held(entered),
                2 => run(&two(), OrderCommand::Pend { reason: "docs".into() }, entered),
                3 => run(&two(), OrderCommand::Pend {
                    reason: format!("{SCHEDULED_REASON_PREFIX}2026-12-01T00:00:00Z"),
                }, entered),
                4 => run(&two(), OrderCommand::Reject { reason: "no".into() }, entered),
                _ => in_progress(&two(), &["1"], entered),
            };
            o.expected_completion_date = expected_h.map(|h| t0() + hours(h));
            o.requested_completion_date = requested_h.map(|h| t0() + hours(h));
            let mut ids = SequentialIds::new("P");
            let mut now = entered;
            for step in steps {
                now += minutes(step);
                let next = next_alert_at(&o, &policy);
                // At the instant itself, just before and just after it, and at `now`.
                let mut probes = vec![now];
                if let Some(t) = next.filter(|t| *t > DateTime::<Utc>::MIN_UTC) {
                    probes.push(t + Duration::nanoseconds(probe_ns));
                }
                for at in probes {
                    let alerts = assess(&o, at, &policy, &mut ids);
                    prop_assert_eq!(!alerts.is_empty(), next.is_some_and(|t| t <= at), "at {}", at);
                }
                let alerts = assess(&o, now, &policy, &mut ids);
                o.jeopardy_alerts.extend(alerts);
            }
        }

        #[test]
        fn assessment_is_idempotent(
            command in 0u8..4, entered_min in 0i64..600, now_min in 0i64..20_000,
            expected_h in prop::option::of(0i64..400), requested_h in prop::option::of(0i64..400),
        ) {
            let policy = JeopardyPolicy::default();
            let entered = t0() + minutes(entered_min);
            let mut o = match command {
                0 => two(),
                1 => held(entered),
                2 => run(&two(), OrderCommand::Pend { reason: "docs".into() }, entered),
                _ => in_progress(&two(), &["1"], entered),
            };
            o.expected_completion_date = expected_h.map(|h| t0() + hours(h));
            o.requested_completion_date = requested_h.map(|h| t0() + hours(h));
            let now = entered + minutes(now_min);
            let mut ids = SequentialIds::new("P");
            let first = assess(&o, now, &policy, &mut ids);
            // One alert per condition at most, each with a fresh id.
            let mut keys: Vec<&str> = first.iter().map(|a| a.exception.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            prop_assert_eq!(keys.len(), first.len());
            o.jeopardy_alerts.extend(first);
            prop_assert_eq!(assess(&o, now, &policy, &mut ids), vec![]);
            // Later assessments only raise new conditions or escalate known ones.
            for a in assess(&o, now + hours(50), &policy, &mut ids) {
                let severity = Severity::parse(&a.jeopardy_type).unwrap();
                prop_assert!(o
                    .jeopardy_alerts
                    .iter()
                    .filter(|old| old.exception == a.exception)
                    .all(|old| Severity::parse(&old.jeopardy_type).unwrap() < severity));
            }
        }
    }
}
