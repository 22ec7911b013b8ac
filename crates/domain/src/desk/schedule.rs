//! Scheduled orders: when an accepted order is released to fulfilment, and when it should be
//! done.
//!
//! `requestedStartDate` is read as the date the customer wants the service from. Fulfilment is
//! released the longest item lead time (in working days, see [`super::calendar`]) before that
//! date, so that the slowest item is ready on time; until then the order waits in `pending`.
//! A release that would fall in the past is "now": the order starts at once and is expected
//! late. The expected completion is the release plus that same lead time.
//!
//! This module decides *which* lifecycle command to issue (`pend` on acceptance, `resume` at the
//! release time); [`crate::lifecycle`] decides whether it is legal. Running a timer that calls
//! [`release_command`] is the server's business.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{add_working_days, sub_working_days};
use crate::catalog::Catalog;
use crate::ids::{ItemId, OfferingId};
use crate::lifecycle::{OrderCommand, OrderState};
use crate::order::{ItemAction, ProductOrder};

/// Prefix of the `pending` reason of an order waiting for its scheduled release. The reason is
/// the one place the order remembers *why* it is pending, so it is what marks the wait.
pub const SCHEDULED_REASON_PREFIX: &str = "scheduled: released at ";

/// When an order is released and expected to complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchedulePlan {
    /// When fulfilment starts; never before the planning instant.
    pub release_at: DateTime<Utc>,
    /// Release plus the longest lead time, in working days.
    pub expected_completion: DateTime<Utc>,
    /// The longest lead time among the items that need work, in working days.
    pub lead_time_days: u32,
    /// Whether the order must wait in `pending` until `release_at`.
    pub wait: bool,
}

/// Why an order cannot be planned. Validation rejects such orders first; the planner refuses
/// rather than guess a lead time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("item `{0}` names no product offering")]
    NoOffering(ItemId),
    #[error("item `{item}` orders `{offering}`, which the catalog does not know")]
    UnknownOffering { item: ItemId, offering: OfferingId },
    #[error("the schedule falls outside the representable dates")]
    OutOfRange,
}

/// Plans the release of `order` at `now`. Items that finished, and `noChange` items, need no
/// work and do not count towards the lead time.
pub fn plan(
    order: &ProductOrder,
    catalog: &dyn Catalog,
    now: DateTime<Utc>,
) -> Result<SchedulePlan, ScheduleError> {
    let mut lead_time_days = 0;
    for item in order
        .items
        .iter()
        .filter(|i| i.action != ItemAction::NoChange && !i.state().is_terminal())
    {
        let offering_id = item
            .offering
            .as_ref()
            .ok_or_else(|| ScheduleError::NoOffering(item.id.clone()))?;
        let offering =
            catalog
                .offering(offering_id)
                .ok_or_else(|| ScheduleError::UnknownOffering {
                    item: item.id.clone(),
                    offering: offering_id.clone(),
                })?;
        lead_time_days = lead_time_days.max(offering.lead_time_days);
    }

    let release_at = match order.requested_start_date {
        Some(start) => sub_working_days(start, lead_time_days)
            .ok_or(ScheduleError::OutOfRange)?
            .max(now),
        None => now,
    };
    let expected_completion =
        add_working_days(release_at, lead_time_days).ok_or(ScheduleError::OutOfRange)?;
    Ok(SchedulePlan {
        release_at,
        expected_completion,
        lead_time_days,
        wait: release_at > now,
    })
}

/// The command to issue right after the order is accepted: `pend` until the release when the
/// order must wait, nothing when it can start at once.
pub fn acceptance_command(plan: &SchedulePlan) -> Option<OrderCommand> {
    plan.wait.then(|| OrderCommand::Pend {
        reason: format!(
            "{SCHEDULED_REASON_PREFIX}{}",
            plan.release_at.to_rfc3339_opts(SecondsFormat::Secs, true)
        ),
    })
}

/// Whether the order is pending because of its schedule (and not, say, for a deposit).
pub fn is_scheduled_wait(order: &ProductOrder) -> bool {
    order.state() == OrderState::Pending
        && order
            .state_reason
            .as_deref()
            .is_some_and(|r| r.starts_with(SCHEDULED_REASON_PREFIX))
}

/// The command that releases a scheduled order at or after its release time: `resume` when the
/// order waits on its schedule and the plan made at `now` no longer waits. The plan is made
/// afresh so that an amended start date or lead time is honoured.
pub fn release_command(
    order: &ProductOrder,
    catalog: &dyn Catalog,
    now: DateTime<Utc>,
) -> Result<Option<OrderCommand>, ScheduleError> {
    if !is_scheduled_wait(order) {
        return Ok(None);
    }
    let plan = plan(order, catalog, now)?;
    Ok((!plan.wait).then_some(OrderCommand::Resume))
}

/// The latest requested start date an order can have and still be released at `now`, when no
/// item's lead time exceeds `max_lead_time_days` working days (the catalog's longest): an order
/// starting later waits whatever its items. A release timer reads only the pending orders
/// starting by then (and those without a start date), and [`release_command`] decides.
///
/// `n` working days back from a date span at most `7 * (n / 5) + 6` calendar days (whole weeks,
/// then at most four working days with a weekend between), so the bound is `now` plus that.
pub fn latest_start_released_by(now: DateTime<Utc>, max_lead_time_days: u32) -> DateTime<Utc> {
    let days = 7 * i64::from(max_lead_time_days / 5) + 6;
    chrono::Duration::try_days(days)
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The order with its expected completion date set from the plan (a provider-owned field, not a
/// state, so it is set directly).
pub fn with_expected_completion(order: &ProductOrder, plan: &SchedulePlan) -> ProductOrder {
    let mut next = order.clone();
    next.expected_completion_date = Some(plan.expected_completion);
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::testkit::{hours, order, run, t0, TestCatalog};
    use crate::lifecycle::OrderCommand;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;
    use rstest::rstest;

    fn day(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    fn catalog() -> TestCatalog {
        TestCatalog::with(&[("fibre", 5), ("router", 2), ("tv", 0)])
    }

    fn starting(start: Option<DateTime<Utc>>) -> ProductOrder {
        let mut o = order(&[("1", "fibre"), ("2", "router")]);
        o.requested_start_date = start;
        o
    }

    // t0 is Monday 2 Nov 09:00. Fibre takes 5 working days, the router 2: fibre rules.
    #[rstest]
    #[case::no_start_date(None, t0(), day(9, 9), false)]
    #[case::start_in_the_past(Some(day(1, 9)), t0(), day(9, 9), false)]
    #[case::start_too_close(Some(day(5, 9)), t0(), day(9, 9), false)]
    #[case::start_exactly_one_lead_away(Some(day(9, 9)), t0(), day(9, 9), false)]
    #[case::start_far_ahead(Some(day(20, 9)), day(13, 9), day(20, 9), true)]
    // Monday 16th minus 5 working days is Monday 9th.
    #[case::start_on_monday(Some(day(16, 9)), day(9, 9), day(16, 9), true)]
    // Sunday 22nd: five working days back is Monday 16th; ready the Monday after.
    #[case::start_on_sunday(Some(day(22, 9)), day(16, 9), day(23, 9), true)]
    fn plans_release_and_completion(
        #[case] start: Option<DateTime<Utc>>,
        #[case] release_at: DateTime<Utc>,
        #[case] expected_completion: DateTime<Utc>,
        #[case] wait: bool,
    ) {
        let plan = plan(&starting(start), &catalog(), t0()).unwrap();
        assert_eq!(
            plan,
            SchedulePlan {
                release_at,
                expected_completion,
                lead_time_days: 5,
                wait
            }
        );
    }

    #[test]
    fn planned_on_a_saturday_completes_on_a_working_day() {
        let saturday = day(7, 11);
        let plan = plan(&starting(None), &catalog(), saturday).unwrap();
        assert_eq!(plan.release_at, saturday);
        // Saturday + 5 working days = the Friday after next Monday.
        assert_eq!(plan.expected_completion, day(13, 11));
    }

    #[test]
    fn finished_and_no_change_items_do_not_count() {
        let mut o = order(&[("1", "tv"), ("2", "fibre")]);
        o.items[1].action = ItemAction::NoChange;
        assert_eq!(plan(&o, &catalog(), t0()).unwrap().lead_time_days, 0);
        let o = run(
            &order(&[("1", "tv"), ("2", "fibre")]),
            OrderCommand::Cancel {
                reason: "withdrawn".into(),
            },
            t0(),
        );
        assert_eq!(plan(&o, &catalog(), t0()).unwrap().lead_time_days, 0);
    }

    #[test]
    fn refuses_what_it_cannot_plan() {
        let mut o = order(&[("1", "nope")]);
        assert_eq!(
            plan(&o, &catalog(), t0()),
            Err(ScheduleError::UnknownOffering {
                item: ItemId::new("1"),
                offering: OfferingId::new("nope")
            })
        );
        o.items[0].offering = None;
        assert_eq!(
            plan(&o, &catalog(), t0()),
            Err(ScheduleError::NoOffering(ItemId::new("1")))
        );
        let end_of_time = DateTime::<Utc>::MAX_UTC - hours(1);
        assert_eq!(
            plan(&starting(None), &catalog(), end_of_time),
            Err(ScheduleError::OutOfRange)
        );
    }

    #[test]
    fn future_order_pends_on_acceptance_and_resumes_at_release() {
        let catalog = catalog();
        let o = starting(Some(day(20, 9)));
        let accepted = run(&o, OrderCommand::Accept, t0());
        let plan = plan(&accepted, &catalog, t0()).unwrap();
        let pend = acceptance_command(&plan).unwrap();
        assert_eq!(
            pend,
            OrderCommand::Pend {
                reason: "scheduled: released at 2026-11-13T09:00:00Z".into()
            }
        );
        let pending = run(&accepted, pend, t0());
        assert_eq!(pending.state(), OrderState::Pending);
        assert!(is_scheduled_wait(&pending));

        let just_before = plan.release_at - Duration::seconds(1);
        assert_eq!(
            release_command(&pending, &catalog, just_before).unwrap(),
            None
        );
        let resume = release_command(&pending, &catalog, plan.release_at)
            .unwrap()
            .unwrap();
        assert_eq!(resume, OrderCommand::Resume);
        let released = run(&pending, resume, plan.release_at);
        assert_eq!(released.state(), OrderState::InProgressAccepted);
        assert_eq!(
            release_command(&released, &catalog, plan.release_at + hours(1)).unwrap(),
            None
        );
    }

    #[test]
    fn order_that_can_start_gets_no_command() {
        let plan = plan(&starting(Some(day(3, 9))), &catalog(), t0()).unwrap();
        assert_eq!(acceptance_command(&plan), None);
    }

    #[test]
    fn other_pending_orders_are_not_released() {
        let accepted = run(&starting(Some(day(1, 9))), OrderCommand::Accept, t0());
        let pending = run(
            &accepted,
            OrderCommand::Pend {
                reason: "deposit required".into(),
            },
            t0(),
        );
        assert!(!is_scheduled_wait(&pending));
        assert_eq!(
            release_command(&pending, &catalog(), day(30, 9)).unwrap(),
            None
        );
    }

    #[test]
    fn sets_expected_completion() {
        let o = starting(None);
        let plan = plan(&o, &catalog(), t0()).unwrap();
        assert_eq!(
            with_expected_completion(&o, &plan).expected_completion_date,
            Some(day(9, 9))
        );
    }

    proptest! {
        /// No order starting after `latest_start_released_by` is released: its release time,
        /// whatever its lead time up to the maximum, is still ahead.
        #[test]
        fn nothing_starting_later_is_released(
            now_min in 0i64..40_000, after_min in 1i64..40_000, lead in 0u32..40, extra in 0u32..12,
        ) {
            let now = t0() + Duration::minutes(now_min);
            let max = lead + extra;
            let start = latest_start_released_by(now, max) + Duration::minutes(after_min);
            let release = sub_working_days(start, lead).unwrap();
            prop_assert!(release > now, "start {start}, lead {lead}: released at {release}");
        }


        #[test]
        fn release_is_never_before_now_and_completion_never_before_release(
            start_offset in -2000i64..2000, now_offset in 0i64..500,
        ) {
            let now = t0() + Duration::hours(now_offset);
            let o = starting(Some(t0() + Duration::hours(start_offset)));
            let plan = plan(&o, &catalog(), now).unwrap();
            prop_assert!(plan.release_at >= now);
            prop_assert!(plan.expected_completion >= plan.release_at);
            prop_assert_eq!(plan.wait, plan.release_at > now);
            // A plan made at the release time never waits: the order is released then.
            let later = super::plan(&o, &catalog(), plan.release_at).unwrap();
            prop_assert!(!later.wait);
        }
    }
}
