//! From service order item states back to the product order item: the states TMF641 reports
//! for a service item, the roll-up rules that turn the states of one product item's service
//! items into the state that product item should be in, and the item event that moves it there.
//!
//! Both are tables, like [`crate::lifecycle`]: [`SERVICE_ROLL_UP_RULES`] (first match wins) and
//! [`ROLL_UP_STEPS`]. Whether the event is then applied, and with what reason, is the caller's
//! business; the lifecycle still refuses anything its own table does not allow.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::lifecycle::{ItemEvent, ItemState};

/// TMF641 `ServiceOrderItemStateType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ServiceItemState {
    Acknowledged,
    Rejected,
    Pending,
    Held,
    InProgress,
    Cancelled,
    Completed,
    Failed,
    AssessingCancellation,
    PendingCancellation,
}

impl ServiceItemState {
    pub const ALL: &'static [ServiceItemState] = &[
        Self::Acknowledged,
        Self::Rejected,
        Self::Pending,
        Self::Held,
        Self::InProgress,
        Self::Cancelled,
        Self::Completed,
        Self::Failed,
        Self::AssessingCancellation,
        Self::PendingCancellation,
    ];

    /// The TMF wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acknowledged => "acknowledged",
            Self::Rejected => "rejected",
            Self::Pending => "pending",
            Self::Held => "held",
            Self::InProgress => "inProgress",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::AssessingCancellation => "assessingCancellation",
            Self::PendingCancellation => "pendingCancellation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|state| state.as_str() == s)
    }

    /// SOM is done with the item.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Rejected | Self::Cancelled | Self::Completed | Self::Failed
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ServiceItemState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many service items are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceItemCounts {
    counts: [usize; 10],
    total: usize,
}

impl ServiceItemCounts {
    pub fn of(states: impl IntoIterator<Item = ServiceItemState>) -> Self {
        let mut c = Self::default();
        for s in states {
            if let Some(n) = c.counts.get_mut(s.index()) {
                *n += 1;
            }
            c.total += 1;
        }
        c
    }

    pub fn get(&self, s: ServiceItemState) -> usize {
        self.counts.get(s.index()).copied().unwrap_or(0)
    }

    pub fn any(&self, s: ServiceItemState) -> bool {
        self.get(s) > 0
    }

    pub fn all(&self, s: ServiceItemState) -> bool {
        self.get(s) == self.total
    }

    pub fn total(&self) -> usize {
        self.total
    }

    /// Every item is in a terminal state.
    pub fn all_finished(&self) -> bool {
        let finished: usize = ServiceItemState::ALL
            .iter()
            .filter(|s| s.is_terminal())
            .map(|s| self.get(*s))
            .sum();
        finished == self.total
    }

    /// Items not cancelled.
    pub fn live(&self) -> usize {
        self.total - self.get(ServiceItemState::Cancelled)
    }
}

/// One roll-up rule: when `applies` holds for the service item states, the product item should
/// be in `target` (`None`: the service states say nothing the product item should follow).
#[derive(Debug, Clone, Copy)]
pub struct ServiceRollUpRule {
    pub name: &'static str,
    pub applies: fn(&ServiceItemCounts) -> bool,
    pub target: Option<ItemState>,
}

/// The roll-up rules from a product item's service items to the product item, first match
/// wins. Finished outcomes come first; among running items a problem (held, pending) outranks
/// progress, so the desk sees fallout as soon as one CFS stalls.
pub const SERVICE_ROLL_UP_RULES: &[ServiceRollUpRule] = {
    use ItemState as I;
    use ServiceItemState as S;
    &[
        // SOM refused a service item: fallout for the desk to resolve, not a customer failure.
        ServiceRollUpRule {
            name: "any rejected",
            applies: |c| c.any(S::Rejected),
            target: Some(I::Held),
        },
        // Cancellation is driven from the product order; SOM only echoes it.
        ServiceRollUpRule {
            name: "cancellation under way",
            applies: |c| c.any(S::AssessingCancellation) || c.any(S::PendingCancellation),
            target: None,
        },
        ServiceRollUpRule {
            name: "all cancelled",
            applies: |c| c.all(S::Cancelled),
            target: Some(I::Cancelled),
        },
        ServiceRollUpRule {
            name: "all finished, every live one completed",
            applies: |c| c.all_finished() && c.get(S::Completed) == c.live(),
            target: Some(I::Completed),
        },
        ServiceRollUpRule {
            name: "all finished, every live one failed",
            applies: |c| c.all_finished() && c.get(S::Failed) == c.live(),
            target: Some(I::Failed),
        },
        ServiceRollUpRule {
            name: "all finished, some completed and some failed",
            applies: |c| c.all_finished(),
            target: Some(I::Partial),
        },
        ServiceRollUpRule {
            name: "any held",
            applies: |c| c.any(S::Held),
            target: Some(I::Held),
        },
        ServiceRollUpRule {
            name: "any pending",
            applies: |c| c.any(S::Pending),
            target: Some(I::Pending),
        },
        ServiceRollUpRule {
            name: "any in progress",
            applies: |c| c.any(S::InProgress),
            target: Some(I::InProgress),
        },
        ServiceRollUpRule {
            name: "all acknowledged",
            applies: |c| c.all(S::Acknowledged),
            target: Some(I::Acknowledged),
        },
        ServiceRollUpRule {
            name: "some finished, others not started",
            applies: |_| true,
            target: Some(I::InProgress),
        },
    ]
};

/// The state the product item should be in, given the states of the service items realising
/// it. `None` when there are none, or when the states carry nothing to follow.
pub fn product_item_target(
    service_states: impl IntoIterator<Item = ServiceItemState>,
) -> Option<ItemState> {
    let counts = ServiceItemCounts::of(service_states);
    if counts.total() == 0 {
        return None;
    }
    SERVICE_ROLL_UP_RULES
        .iter()
        .find(|rule| (rule.applies)(&counts))
        .and_then(|rule| rule.target)
}

/// `(from, target, event)`: the next item event on the way from `from` to `target`. Some
/// targets take two steps (acknowledged → start → complete); apply the event and ask again.
/// A desk hold is only lifted by service progress, never by service items merely acknowledged.
pub const ROLL_UP_STEPS: &[(ItemState, ItemState, ItemEvent)] = {
    use ItemEvent as E;
    use ItemState as I;
    &[
        (I::Acknowledged, I::InProgress, E::Start),
        (I::Acknowledged, I::Completed, E::Start),
        (I::Acknowledged, I::Failed, E::Start),
        (I::Acknowledged, I::Partial, E::Start),
        (I::Acknowledged, I::Held, E::Hold),
        (I::Acknowledged, I::Pending, E::Pend),
        (I::InProgress, I::Completed, E::Complete),
        (I::InProgress, I::Failed, E::Fail),
        (I::InProgress, I::Partial, E::CompletePartially),
        (I::InProgress, I::Held, E::Hold),
        (I::InProgress, I::Pending, E::Pend),
        (I::Held, I::InProgress, E::Resume),
        (I::Held, I::Completed, E::Resume),
        (I::Held, I::Partial, E::Resume),
        (I::Held, I::Failed, E::Fail),
        (I::Held, I::Pending, E::Pend),
        (I::Pending, I::InProgress, E::Resume),
        (I::Pending, I::Completed, E::Resume),
        (I::Pending, I::Partial, E::Resume),
        (I::Pending, I::Failed, E::Resume),
        (I::Pending, I::Held, E::Hold),
        (I::PendingCancellation, I::Cancelled, E::ConfirmCancellation),
    ]
};

/// The item event that moves a product item in state `current` towards what its service items
/// say ([`product_item_target`]); `None` when it is already there or no step leads there.
pub fn product_item_event(
    current: ItemState,
    service_states: impl IntoIterator<Item = ServiceItemState>,
) -> Option<ItemEvent> {
    let target = product_item_target(service_states)?;
    ROLL_UP_STEPS
        .iter()
        .find(|(from, to, _)| *from == current && *to == target)
        .map(|(_, _, event)| *event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::ItemLifecycle;
    use proptest::prelude::*;
    use rstest::rstest;
    use ServiceItemState as S;

    #[rstest]
    #[case::none(&[], None)]
    #[case::all_completed(&[S::Completed, S::Completed], Some(ItemState::Completed))]
    #[case::completed_and_cancelled(&[S::Completed, S::Cancelled], Some(ItemState::Completed))]
    #[case::all_failed(&[S::Failed, S::Failed], Some(ItemState::Failed))]
    #[case::some_completed_some_failed(&[S::Completed, S::Failed], Some(ItemState::Partial))]
    #[case::all_cancelled(&[S::Cancelled, S::Cancelled], Some(ItemState::Cancelled))]
    #[case::any_in_progress(&[S::Completed, S::InProgress], Some(ItemState::InProgress))]
    #[case::failed_while_others_run(&[S::Failed, S::InProgress], Some(ItemState::InProgress))]
    #[case::held_beats_in_progress(&[S::InProgress, S::Held], Some(ItemState::Held))]
    #[case::pending(&[S::Acknowledged, S::Pending], Some(ItemState::Pending))]
    #[case::rejected_is_fallout(&[S::Rejected, S::Completed], Some(ItemState::Held))]
    #[case::all_acknowledged(&[S::Acknowledged], Some(ItemState::Acknowledged))]
    #[case::finished_and_not_started(&[S::Completed, S::Acknowledged], Some(ItemState::InProgress))]
    #[case::cancellation_echo(&[S::PendingCancellation, S::Completed], None)]
    fn rolls_service_states_up_to_the_product_item(
        #[case] states: &[ServiceItemState],
        #[case] expected: Option<ItemState>,
    ) {
        assert_eq!(product_item_target(states.iter().copied()), expected);
    }

    #[rstest]
    #[case::start(ItemState::Acknowledged, &[S::InProgress], Some(ItemEvent::Start))]
    #[case::complete(ItemState::InProgress, &[S::Completed], Some(ItemEvent::Complete))]
    #[case::already_there(ItemState::InProgress, &[S::InProgress], None)]
    #[case::partial(
        ItemState::InProgress,
        &[S::Completed, S::Failed],
        Some(ItemEvent::CompletePartially)
    )]
    #[case::resume_after_fallout(ItemState::Held, &[S::InProgress], Some(ItemEvent::Resume))]
    #[case::desk_hold_not_lifted_by_acks(ItemState::Held, &[S::Acknowledged], None)]
    #[case::terminal_stays(ItemState::Completed, &[S::Failed], None)]
    #[case::confirm_cancel(
        ItemState::PendingCancellation,
        &[S::Cancelled],
        Some(ItemEvent::ConfirmCancellation)
    )]
    fn picks_the_next_item_event(
        #[case] current: ItemState,
        #[case] states: &[ServiceItemState],
        #[case] expected: Option<ItemEvent>,
    ) {
        assert_eq!(
            product_item_event(current, states.iter().copied()),
            expected
        );
    }

    #[test]
    fn parses_every_wire_state() {
        for state in ServiceItemState::ALL {
            assert_eq!(ServiceItemState::parse(state.as_str()), Some(*state));
        }
        assert_eq!(ServiceItemState::parse("partial"), None);
    }

    #[test]
    fn every_step_is_allowed_by_the_item_lifecycle() {
        for (from, target, event) in ROLL_UP_STEPS {
            for resume_to in [
                None,
                Some(ItemState::Acknowledged),
                Some(ItemState::InProgress),
            ] {
                let lifecycle = ItemLifecycle {
                    state: *from,
                    resume_to,
                    before_cancellation: None,
                };
                let next = lifecycle.apply(*event);
                assert!(next.is_ok(), "{from} -> {target}: {event} refused");
            }
        }
    }

    fn any_state() -> impl Strategy<Value = ItemState> {
        proptest::sample::select(ItemState::ALL)
    }

    proptest! {
        /// Following the events from any item state reaches a fixed point within a few steps,
        /// and every event on the way is one the item lifecycle accepts.
        #[test]
        fn following_the_roll_up_is_legal_and_terminates(
            state in any_state(),
            resume_to in proptest::option::of(proptest::sample::select(
                &[ItemState::Acknowledged, ItemState::InProgress][..]
            )),
            services in proptest::collection::vec(
                proptest::sample::select(ServiceItemState::ALL),
                0..6,
            ),
        ) {
            let mut lifecycle = ItemLifecycle { state, resume_to, before_cancellation: None };
            let mut steps = 0;
            while let Some(event) = product_item_event(lifecycle.state, services.iter().copied()) {
                lifecycle = match lifecycle.apply(event) {
                    Ok(next) => next,
                    Err(refusal) => return Err(TestCaseError::fail(refusal.to_string())),
                };
                steps += 1;
                prop_assert!(steps <= 3, "no fixed point after 3 steps");
            }
            if let Some(target) = product_item_target(services.iter().copied()) {
                let one_step_away =
                    ROLL_UP_STEPS.iter().any(|(f, t, _)| *f == state && *t == target);
                if one_step_away {
                    prop_assert_eq!(lifecycle.state, target);
                }
            }
        }
    }
}
