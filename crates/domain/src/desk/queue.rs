//! The desk's work queues (held, pending, cancellation assessment, jeopardy board): what an
//! entry is, in which order entries are worked, and who may work one.
//!
//! Ordering: entries whose SLA is already due come first, earliest due first; the rest follow
//! the ageing rank of [`crate::priority::AgeingPolicy`], so a priority-4 order that has waited
//! long enough overtakes fresh priority-0 work and nothing starves. Ties go to the earlier
//! arrival, then to the order id, so the order is total and stable across calls.
//!
//! Claims are leases: a user claims an entry until a time; another user may take it only once
//! the lease has expired, so a desk agent who goes home never blocks an order for long. This
//! module only decides; storing entries and claims (and racing writers) is the server's job.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

use crate::ids::{CustomerId, OrderId, UserId};
use crate::lifecycle::OrderState;
use crate::order::ProductOrder;
use crate::priority::{AgeingPolicy, Priority};

/// Which queue an entry sits in. The derived order only breaks ties when one order sits in two
/// queues; it carries no meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QueueKind {
    /// Held: someone must resolve an issue (review, credit referral, fulfilment fault).
    Held,
    /// Pending: waiting for information or a date.
    Pending,
    /// A cancel request is being assessed.
    CancellationAssessment,
    /// The order carries a jeopardy alert (see [`super::jeopardy`]).
    Jeopardy,
}

impl QueueKind {
    /// The work queue an order in `state` belongs to, if any. The jeopardy board is fed by
    /// alerts, not by a state.
    pub fn for_state(state: OrderState) -> Option<QueueKind> {
        match state {
            OrderState::Held => Some(Self::Held),
            OrderState::Pending => Some(Self::Pending),
            OrderState::AssessingCancellation => Some(Self::CancellationAssessment),
            _ => None,
        }
    }
}

/// A lease on a queue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub user: UserId,
    /// The lease holds while `now < until`.
    pub until: DateTime<Utc>,
}

impl Claim {
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        now < self.until
    }
}

/// One order waiting in a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub order: OrderId,
    pub customer: CustomerId,
    pub kind: QueueKind,
    /// Why the order is here, as the desk reads it (the order's state reason or the alert).
    pub reason: Option<String>,
    pub priority: Priority,
    pub waiting_since: DateTime<Utc>,
    /// When the SLA of the entry's state runs out, if it has one.
    pub sla_due: Option<DateTime<Utc>>,
    pub claimed_by: Option<Claim>,
}

impl QueueEntry {
    /// An unclaimed entry for `order`, waiting since it entered its current state.
    pub fn for_order(
        order: &ProductOrder,
        kind: QueueKind,
        sla_due: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            order: order.id.clone(),
            customer: order.customer.clone(),
            kind,
            reason: order.state_reason.clone(),
            priority: order.priority,
            waiting_since: order.state_changed_at,
            sla_due,
            claimed_by: None,
        }
    }

    /// The claim, if it has not expired.
    pub fn active_claim(&self, now: DateTime<Utc>) -> Option<&Claim> {
        self.claimed_by.as_ref().filter(|c| c.is_active(now))
    }

    fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.sla_due.is_some_and(|due| due <= now)
    }
}

/// How two entries compare in the work order at `now` (`Less` is worked first).
pub fn compare(
    a: &QueueEntry,
    b: &QueueEntry,
    policy: &AgeingPolicy,
    now: DateTime<Utc>,
) -> Ordering {
    let (a_due, b_due) = (a.is_overdue(now), b.is_overdue(now));
    b_due
        .cmp(&a_due)
        .then_with(|| {
            if a_due && b_due {
                a.sla_due.cmp(&b.sla_due)
            } else {
                Ordering::Equal
            }
        })
        .then_with(|| {
            policy
                .rank(a.priority, a.waiting_since, now)
                .cmp(&policy.rank(b.priority, b.waiting_since, now))
        })
        .then_with(|| a.waiting_since.cmp(&b.waiting_since))
        .then_with(|| a.order.cmp(&b.order))
        .then_with(|| a.kind.cmp(&b.kind))
}

/// Sorts entries into the order they should be worked at `now`.
pub fn sort_queue(entries: &mut [QueueEntry], policy: &AgeingPolicy, now: DateTime<Utc>) {
    entries.sort_by(|a, b| compare(a, b, policy, now));
}

/// Why a claim or release was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    #[error("order `{order}` is claimed by `{holder}` until {until}")]
    ClaimedByAnother {
        order: OrderId,
        holder: UserId,
        until: DateTime<Utc>,
    },
    #[error("a lease must be longer than zero, not {0}")]
    InvalidLease(Duration),
    #[error("a lease of {0} from now ends outside the representable dates")]
    LeaseOutOfRange(Duration),
}

/// Claims `entry` for `user` for `lease` from `now`. Refused while another user's lease runs;
/// the holder re-claiming extends the lease (never shortens it); an expired lease is free.
pub fn claim(
    entry: &QueueEntry,
    user: &UserId,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Claim, ClaimError> {
    if lease <= Duration::zero() {
        return Err(ClaimError::InvalidLease(lease));
    }
    let until = now
        .checked_add_signed(lease)
        .ok_or(ClaimError::LeaseOutOfRange(lease))?;
    match entry.active_claim(now) {
        Some(held) if &held.user != user => Err(ClaimError::ClaimedByAnother {
            order: entry.order.clone(),
            holder: held.user.clone(),
            until: held.until,
        }),
        Some(held) => Ok(Claim {
            user: user.clone(),
            until: until.max(held.until),
        }),
        None => Ok(Claim {
            user: user.clone(),
            until,
        }),
    }
}

/// Gives the entry back. Only the holder of a running lease may release it; releasing an entry
/// nobody holds (or whose lease expired) is a no-op that succeeds, so a retried release is
/// harmless. On success the caller stores `claimed_by = None`.
pub fn release(entry: &QueueEntry, user: &UserId, now: DateTime<Utc>) -> Result<(), ClaimError> {
    match entry.active_claim(now) {
        Some(held) if &held.user != user => Err(ClaimError::ClaimedByAnother {
            order: entry.order.clone(),
            holder: held.user.clone(),
            until: held.until,
        }),
        _ => Ok(()),
    }
}

/// Whether `user` holds a running lease on the entry.
pub fn is_claimed_by(entry: &QueueEntry, user: &UserId, now: DateTime<Utc>) -> bool {
    entry.active_claim(now).is_some_and(|c| &c.user == user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::testkit::{hours, order, run, t0};
    use crate::lifecycle::OrderCommand;
    use proptest::prelude::*;
    use rstest::rstest;

    fn entry(id: &str, priority: u8, since: DateTime<Utc>) -> QueueEntry {
        QueueEntry {
            order: OrderId::new(id),
            customer: CustomerId::new("C-1"),
            kind: QueueKind::Held,
            reason: None,
            priority: Priority::new(priority).unwrap(),
            waiting_since: since,
            sla_due: None,
            claimed_by: None,
        }
    }

    fn ids(entries: &[QueueEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.order.as_str()).collect()
    }

    fn user_a() -> UserId {
        UserId::new("user-a")
    }

    fn user_b() -> UserId {
        UserId::new("user-b")
    }

    #[test]
    fn higher_priority_first_then_older_first() {
        let mut q = vec![
            entry("low", 4, t0()),
            entry("high-new", 0, t0() + hours(1)),
            entry("high-old", 0, t0()),
        ];
        sort_queue(&mut q, &AgeingPolicy::default(), t0() + hours(1));
        assert_eq!(ids(&q), ["high-old", "high-new", "low"]);
    }

    #[test]
    fn low_priority_does_not_starve() {
        let policy = AgeingPolicy::default();
        let now = t0() + policy.time_to_overtake(Priority::LOWEST, Priority::HIGHEST);
        let mut q = vec![entry("fresh-urgent", 0, now), entry("old-low", 4, t0())];
        sort_queue(&mut q, &policy, now);
        assert_eq!(ids(&q), ["old-low", "fresh-urgent"]);
    }

    #[test]
    fn overdue_sla_comes_first_earliest_due_first() {
        let now = t0() + hours(5);
        let mut q = vec![
            entry("urgent", 0, now),
            QueueEntry {
                sla_due: Some(t0() + hours(4)),
                ..entry("due-later", 4, now)
            },
            QueueEntry {
                sla_due: Some(t0() + hours(1)),
                ..entry("due-first", 4, now)
            },
            QueueEntry {
                sla_due: Some(now + hours(1)),
                ..entry("not-yet-due", 4, now)
            },
        ];
        sort_queue(&mut q, &AgeingPolicy::default(), now);
        assert_eq!(ids(&q), ["due-first", "due-later", "urgent", "not-yet-due"]);
    }

    #[test]
    fn entry_from_a_held_order() {
        let held = run(
            &order(&[("1", "fibre")]),
            OrderCommand::Hold {
                reason: "credit referral".into(),
            },
            t0() + hours(1),
        );
        let kind = QueueKind::for_state(held.state()).unwrap();
        let e = QueueEntry::for_order(&held, kind, Some(t0() + hours(5)));
        assert_eq!(e.kind, QueueKind::Held);
        assert_eq!(e.reason.as_deref(), Some("credit referral"));
        assert_eq!(e.waiting_since, t0() + hours(1));
        assert_eq!(QueueKind::for_state(OrderState::InProgress), None);
    }

    #[rstest]
    #[case::unclaimed(None, user_a(), Ok(t0() + hours(1)))]
    #[case::own_claim_extends(Some((user_a(), t0() + Duration::minutes(30))), user_a(), Ok(t0() + hours(1)))]
    #[case::own_longer_claim_is_kept(Some((user_a(), t0() + hours(3))), user_a(), Ok(t0() + hours(3)))]
    #[case::expired_claim_is_free(Some((user_b(), t0())), user_a(), Ok(t0() + hours(1)))]
    #[case::other_users_claim(Some((user_b(), t0() + hours(2))), user_a(), Err(user_b()))]
    fn claims(
        #[case] held: Option<(UserId, DateTime<Utc>)>,
        #[case] user: UserId,
        #[case] expected: Result<DateTime<Utc>, UserId>,
    ) {
        let e = QueueEntry {
            claimed_by: held.map(|(user, until)| Claim { user, until }),
            ..entry("O-1", 2, t0())
        };
        let got = claim(&e, &user, t0(), hours(1));
        match expected {
            Ok(until) => assert_eq!(got, Ok(Claim { user, until })),
            Err(holder) => assert_eq!(
                got,
                Err(ClaimError::ClaimedByAnother {
                    order: OrderId::new("O-1"),
                    holder,
                    until: t0() + hours(2)
                })
            ),
        }
    }

    #[test]
    fn refuses_silly_leases() {
        let e = entry("O-1", 2, t0());
        assert_eq!(
            claim(&e, &user_a(), t0(), Duration::zero()),
            Err(ClaimError::InvalidLease(Duration::zero()))
        );
        assert!(matches!(
            claim(&e, &user_a(), DateTime::<Utc>::MAX_UTC, hours(1)),
            Err(ClaimError::LeaseOutOfRange(_))
        ));
    }

    #[test]
    fn release_and_is_claimed_by() {
        let e = QueueEntry {
            claimed_by: Some(Claim {
                user: user_a(),
                until: t0() + hours(1),
            }),
            ..entry("O-1", 2, t0())
        };
        assert!(is_claimed_by(&e, &user_a(), t0()));
        assert!(!is_claimed_by(&e, &user_b(), t0()));
        assert!(!is_claimed_by(&e, &user_a(), t0() + hours(1)));
        assert!(release(&e, &user_a(), t0()).is_ok());
        assert!(matches!(
            release(&e, &user_b(), t0()),
            Err(ClaimError::ClaimedByAnother { .. })
        ));
        // Once the lease ran out anyone may release (it is free anyway).
        assert!(release(&e, &user_b(), t0() + hours(1)).is_ok());
    }

    proptest! {
        #[test]
        fn a_running_lease_excludes_everyone_else(
            lease_min in 1i64..600, at_min in 0i64..1200, other in "[a-c]",
        ) {
            let e = entry("O-1", 2, t0());
            let mine = claim(&e, &user_a(), t0(), Duration::minutes(lease_min)).unwrap();
            let e = QueueEntry { claimed_by: Some(mine.clone()), ..e };
            let now = t0() + Duration::minutes(at_min);
            let other = UserId::new(other);
            let taken = claim(&e, &other, now, Duration::minutes(10));
            prop_assert_eq!(taken.is_ok(), now >= mine.until || other == user_a());
        }

        #[test]
        fn sorting_is_total_and_stable(
            raw in proptest::collection::vec((0u8..=4, 0i64..48, proptest::option::of(0i64..48)), 0..12),
            now_h in 0i64..60,
        ) {
            let now = t0() + hours(now_h);
            let entries: Vec<QueueEntry> = raw
                .iter()
                .enumerate()
                .map(|(i, (p, since, due))| QueueEntry {
                    sla_due: due.map(|d| t0() + hours(d)),
                    ..entry(&format!("O-{i}"), *p, t0() + hours(*since))
                })
                .collect();
            let policy = AgeingPolicy::default();
            let mut once = entries.clone();
            sort_queue(&mut once, &policy, now);
            let mut reversed: Vec<QueueEntry> = entries.into_iter().rev().collect();
            sort_queue(&mut reversed, &policy, now);
            prop_assert_eq!(&once, &reversed);
            // Every overdue entry precedes every entry that is not overdue.
            let first_fresh = once.iter().position(|e| !e.is_overdue(now)).unwrap_or(once.len());
            prop_assert!(once[first_fresh..].iter().all(|e| !e.is_overdue(now)));
        }
    }
}
