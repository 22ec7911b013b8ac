//! Cancelling an order that is already in flight (TMF622 `CancelProductOrder`).
//!
//! The request and the order move together, one pure step at a time, so the server can persist
//! between steps and downstream systems can take their time:
//!
//! 1. [`begin`]: the request is `acknowledged`; the order goes to `assessingCancellation`. An
//!    order that is not open (finished, a draft, already being cancelled) gets its request
//!    `rejected` at once and is left alone.
//! 2. [`decide`]: every item is assessed ([`assess_cancellation`]): finished items and items
//!    past their point of no return cannot be reversed. If nothing is cancellable, the order is
//!    denied and returns exactly to where it was (e.g. `inProgress`) and the request is
//!    `rejected`; otherwise the cancellable items go to `pendingCancellation`, the others back
//!    to where they were, and the request is `inProgress`.
//! 3. [`confirm`]: downstream confirmed the reversal; those items are `cancelled` and the
//!    request is `done`, or `terminatedWithError` when some items could not be reversed (they
//!    carry on, listed in [`CancelRequest::not_reversed`]).
//!
//! States change only through [`crate::lifecycle::apply`] and
//! [`crate::lifecycle::apply_cancel_event`]. Telling downstream to reverse work is the
//! decomposition's and the server's business.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CancelRequestId, ItemId, OrderId, UserId};
use crate::lifecycle::{
    apply, apply_cancel_event, CancelEvent, CancelRefusal, CancelState, ItemState, OrderCommand,
    OrderState, TransitionError,
};
use crate::order::ProductOrder;

/// Why one item cannot be cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum NotCancellableReason {
    /// Delivery passed the point of no return at `since`.
    PastPointOfNoReturn { since: DateTime<Utc> },
    /// The item already finished in this state.
    Finished { state: ItemState },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCancellable {
    pub item: ItemId,
    pub reason: NotCancellableReason,
}

/// Which items of an order a cancellation can still reverse.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CancellationAssessment {
    pub cancellable: Vec<ItemId>,
    pub refused: Vec<NotCancellable>,
}

/// Assesses every item of `order` at `now`. Items already cancelled are in neither list: there
/// is nothing left to reverse and nothing was refused.
pub fn assess_cancellation(order: &ProductOrder, now: DateTime<Utc>) -> CancellationAssessment {
    let mut out = CancellationAssessment::default();
    for item in &order.items {
        let state = item.state();
        if state == ItemState::Cancelled {
            continue;
        }
        let refusal = if state.is_terminal() {
            Some(NotCancellableReason::Finished { state })
        } else {
            item.point_of_no_return
                .filter(|since| *since <= now)
                .map(|since| NotCancellableReason::PastPointOfNoReturn { since })
        };
        match refusal {
            Some(reason) => out.refused.push(NotCancellable {
                item: item.id.clone(),
                reason,
            }),
            None => out.cancellable.push(item.id.clone()),
        }
    }
    out
}

/// The lifecycle command that concludes an assessment: accept (except the refused items) when
/// anything can be cancelled, deny otherwise.
pub fn decision_command(assessment: &CancellationAssessment) -> OrderCommand {
    if assessment.cancellable.is_empty() {
        OrderCommand::DenyCancellation
    } else {
        OrderCommand::AcceptCancellation {
            refused: assessment.refused.iter().map(|r| r.item.clone()).collect(),
        }
    }
}

/// Why a whole cancel request was turned down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum CancelRejection {
    /// The order is finished, a draft, or already being cancelled.
    OrderNotOpen { state: OrderState },
    /// Every item is finished or past its point of no return.
    NothingCancellable,
}

/// A TMF622 `CancelProductOrder`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelRequest {
    pub id: CancelRequestId,
    pub order: OrderId,
    pub reason: Option<String>,
    pub requested_by: UserId,
    pub created_at: DateTime<Utc>,
    pub state: CancelState,
    /// When the requester wants the order cancelled (TMF `requestedCancellationDate`).
    pub requested_cancellation_date: Option<DateTime<Utc>>,
    /// When the cancellation took effect (TMF `effectiveCancellationDate`).
    pub effective_cancellation_date: Option<DateTime<Utc>>,
    /// Items the cancellation could not reverse; they carry on.
    pub not_reversed: Vec<NotCancellable>,
    /// Why the whole request was turned down, when it was.
    pub rejection: Option<CancelRejection>,
}

impl CancelRequest {
    /// A request as received, `acknowledged`.
    pub fn new(
        id: CancelRequestId,
        order: OrderId,
        reason: Option<String>,
        requested_by: UserId,
        requested_cancellation_date: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            order,
            reason,
            requested_by,
            created_at: now,
            state: CancelState::Acknowledged,
            requested_cancellation_date,
            effective_cancellation_date: None,
            not_reversed: Vec::new(),
            rejection: None,
        }
    }

    fn moved(&self, event: CancelEvent) -> Result<CancelRequest, CancellationError> {
        Ok(CancelRequest {
            state: apply_cancel_event(self.state, event)?,
            ..self.clone()
        })
    }
}

/// The request and its order after a step.
#[derive(Debug, Clone, PartialEq)]
pub struct CancellationStep {
    pub request: CancelRequest,
    pub order: ProductOrder,
}

/// A step that cannot be taken (the caller's mistake, not the customer's: those end in a
/// rejected request instead).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CancellationError {
    #[error("cancel request is for order `{request}`, not `{order}`")]
    OtherOrder { request: OrderId, order: OrderId },
    #[error("cancel request in state `{0}` cannot be started again")]
    AlreadyStarted(CancelState),
    #[error(transparent)]
    Request(#[from] CancelRefusal),
    #[error(transparent)]
    Order(#[from] TransitionError),
}

fn check_same_order(
    request: &CancelRequest,
    order: &ProductOrder,
) -> Result<(), CancellationError> {
    if request.order == order.id {
        Ok(())
    } else {
        Err(CancellationError::OtherOrder {
            request: request.order.clone(),
            order: order.id.clone(),
        })
    }
}

/// Step 1: the order starts assessing the cancellation, or the request is rejected because the
/// order is not open.
pub fn begin(
    request: &CancelRequest,
    order: &ProductOrder,
    now: DateTime<Utc>,
) -> Result<CancellationStep, CancellationError> {
    check_same_order(request, order)?;
    if request.state != CancelState::Acknowledged {
        return Err(CancellationError::AlreadyStarted(request.state));
    }
    match apply(order, &OrderCommand::RequestCancellation, now) {
        Ok(assessing) => Ok(CancellationStep {
            request: request.clone(),
            order: assessing,
        }),
        Err(TransitionError::OrderRefused { from, .. }) => Ok(CancellationStep {
            request: CancelRequest {
                rejection: Some(CancelRejection::OrderNotOpen { state: from }),
                ..request.moved(CancelEvent::Reject)?
            },
            order: order.clone(),
        }),
        Err(other) => Err(other.into()),
    }
}

/// Step 2: assess the order (in `assessingCancellation`) and accept or deny.
pub fn decide(
    request: &CancelRequest,
    order: &ProductOrder,
    now: DateTime<Utc>,
) -> Result<CancellationStep, CancellationError> {
    check_same_order(request, order)?;
    let assessment = assess_cancellation(order, now);
    let command = decision_command(&assessment);
    let (event, rejection) = match command {
        OrderCommand::DenyCancellation => (
            CancelEvent::Reject,
            Some(CancelRejection::NothingCancellable),
        ),
        _ => (CancelEvent::Accept, None),
    };
    let request = CancelRequest {
        not_reversed: assessment.refused,
        rejection,
        ..request.moved(event)?
    };
    let order = apply(order, &command, now)?;
    Ok(CancellationStep { request, order })
}

/// Steps 1 and 2 at once, for a server that assesses as soon as the request arrives.
pub fn begin_and_decide(
    request: &CancelRequest,
    order: &ProductOrder,
    now: DateTime<Utc>,
) -> Result<CancellationStep, CancellationError> {
    let begun = begin(request, order, now)?;
    if begun.request.state.is_terminal() {
        return Ok(begun);
    }
    decide(&begun.request, &begun.order, now)
}

/// Step 3: downstream confirmed; the pending items are cancelled and the request finishes.
pub fn confirm(
    request: &CancelRequest,
    order: &ProductOrder,
    now: DateTime<Utc>,
) -> Result<CancellationStep, CancellationError> {
    check_same_order(request, order)?;
    let event = if request.not_reversed.is_empty() {
        CancelEvent::Finish
    } else {
        CancelEvent::FinishWithError
    };
    let request = CancelRequest {
        effective_cancellation_date: Some(now),
        ..request.moved(event)?
    };
    let mut order = apply(order, &OrderCommand::ConfirmCancellation, now)?;
    if order.state() == OrderState::Cancelled && order.cancellation_reason.is_none() {
        order.cancellation_reason.clone_from(&request.reason);
    }
    Ok(CancellationStep { request, order })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::testkit::{hours, in_progress, order, past_ponr, run, t0};
    use proptest::prelude::*;
    use rstest::rstest;

    /// Items 1 and 2 in delivery, 3 accepted but not started.
    fn flowing() -> ProductOrder {
        in_progress(
            &order(&[("1", "fibre"), ("2", "router"), ("3", "tv")]),
            &["1", "2"],
            t0(),
        )
    }

    fn request() -> CancelRequest {
        CancelRequest::new(
            "CR-1".into(),
            "O-1".into(),
            Some("moving abroad".into()),
            "user-a".into(),
            None,
            t0() + hours(1),
        )
    }

    fn states(o: &ProductOrder) -> Vec<ItemState> {
        o.items.iter().map(|i| i.state()).collect()
    }

    #[test]
    fn before_ponr_everything_is_cancelled() {
        let now = t0() + hours(1);
        let begun = begin(&request(), &flowing(), now).unwrap();
        assert_eq!(begun.order.state(), OrderState::AssessingCancellation);
        assert_eq!(begun.request.state, CancelState::Acknowledged);

        let decided = decide(&begun.request, &begun.order, now).unwrap();
        assert_eq!(decided.order.state(), OrderState::PendingCancellation);
        assert_eq!(decided.request.state, CancelState::InProgress);
        assert!(decided.request.not_reversed.is_empty());

        let done = confirm(&decided.request, &decided.order, now + hours(2)).unwrap();
        assert_eq!(done.order.state(), OrderState::Cancelled);
        assert_eq!(done.order.cancellation_date, Some(now + hours(2)));
        assert_eq!(
            done.order.cancellation_reason.as_deref(),
            Some("moving abroad")
        );
        assert_eq!(done.request.state, CancelState::Done);
        assert_eq!(
            done.request.effective_cancellation_date,
            Some(now + hours(2))
        );
    }

    #[test]
    fn after_ponr_the_request_is_denied_and_the_order_carries_on() {
        let current = past_ponr(past_ponr(flowing(), "1", t0()), "2", t0());
        // Item 3 finished already: nothing at all is cancellable.
        let current = run(
            &current,
            OrderCommand::Item {
                item: "3".into(),
                event: crate::lifecycle::ItemEvent::Start,
            },
            t0(),
        );
        let current = run(
            &current,
            OrderCommand::Item {
                item: "3".into(),
                event: crate::lifecycle::ItemEvent::Complete,
            },
            t0(),
        );
        let step = begin_and_decide(&request(), &current, t0() + hours(1)).unwrap();
        assert_eq!(step.order.state(), OrderState::InProgress);
        assert_eq!(states(&step.order), states(&current));
        assert_eq!(step.request.state, CancelState::Rejected);
        assert_eq!(
            step.request.rejection,
            Some(CancelRejection::NothingCancellable)
        );
        assert_eq!(
            step.request.not_reversed,
            vec![
                NotCancellable {
                    item: "1".into(),
                    reason: NotCancellableReason::PastPointOfNoReturn { since: t0() }
                },
                NotCancellable {
                    item: "2".into(),
                    reason: NotCancellableReason::PastPointOfNoReturn { since: t0() }
                },
                NotCancellable {
                    item: "3".into(),
                    reason: NotCancellableReason::Finished {
                        state: ItemState::Completed
                    }
                },
            ]
        );
        assert!(confirm(&step.request, &step.order, t0() + hours(2)).is_err());
    }

    #[rstest]
    #[case::held(OrderCommand::Hold { reason: "fault".into() }, OrderState::Held)]
    #[case::pending(OrderCommand::Pend { reason: "access".into() }, OrderState::Pending)]
    fn denial_returns_to_the_previous_state(
        #[case] command: OrderCommand,
        #[case] expected: OrderState,
    ) {
        let current = run(
            &past_ponr(order(&[("1", "fibre")]), "1", t0()),
            command,
            t0(),
        );
        let step = begin_and_decide(&request(), &current, t0() + hours(1)).unwrap();
        assert_eq!(step.order.state(), expected);
        assert_eq!(step.order.items[0].lifecycle, current.items[0].lifecycle);
    }

    #[test]
    fn mixed_some_items_cancelled_others_continue() {
        let current = past_ponr(flowing(), "1", t0());
        let now = t0() + hours(1);
        let decided = begin_and_decide(&request(), &current, now).unwrap();
        assert_eq!(decided.order.state(), OrderState::PendingCancellation);
        assert_eq!(
            states(&decided.order),
            [
                ItemState::InProgress,
                ItemState::PendingCancellation,
                ItemState::PendingCancellation
            ]
        );
        assert_eq!(decided.request.state, CancelState::InProgress);

        let done = confirm(&decided.request, &decided.order, now).unwrap();
        assert_eq!(
            states(&done.order),
            [
                ItemState::InProgress,
                ItemState::Cancelled,
                ItemState::Cancelled
            ]
        );
        assert_eq!(done.order.state(), OrderState::InProgress);
        assert_eq!(done.order.cancellation_reason, None);
        assert_eq!(done.request.state, CancelState::TerminatedWithError);
        assert_eq!(
            done.request
                .not_reversed
                .iter()
                .map(|n| n.item.as_str())
                .collect::<Vec<_>>(),
            ["1"]
        );
    }

    #[rstest]
    #[case::finished(run(&order(&[("1", "fibre")]), OrderCommand::Reject { reason: "x".into() }, t0()), OrderState::Rejected)]
    #[case::already_cancelling(run(&order(&[("1", "fibre")]), OrderCommand::RequestCancellation, t0()), OrderState::AssessingCancellation)]
    fn orders_that_are_not_open_reject_the_request(
        #[case] current: ProductOrder,
        #[case] state: OrderState,
    ) {
        let step = begin(&request(), &current, t0()).unwrap();
        assert_eq!(step.request.state, CancelState::Rejected);
        assert_eq!(
            step.request.rejection,
            Some(CancelRejection::OrderNotOpen { state })
        );
        assert_eq!(step.order, current);
    }

    #[test]
    fn steps_out_of_turn_are_errors() {
        let mut other = request();
        other.order = "O-2".into();
        assert!(matches!(
            begin(&other, &flowing(), t0()),
            Err(CancellationError::OtherOrder { .. })
        ));
        let decided = begin_and_decide(&request(), &flowing(), t0()).unwrap();
        assert_eq!(
            begin(&decided.request, &decided.order, t0()),
            Err(CancellationError::AlreadyStarted(CancelState::InProgress))
        );
        assert!(matches!(
            decide(&decided.request, &decided.order, t0()),
            Err(CancellationError::Request(_))
        ));
        // Deciding on an order that is not assessing is refused by the lifecycle.
        assert!(matches!(
            decide(&request(), &flowing(), t0()),
            Err(CancellationError::Order(_))
        ));
    }

    #[test]
    fn assessment_ignores_cancelled_items_and_future_ponr() {
        let current = run(
            &order(&[("1", "fibre")]),
            OrderCommand::Cancel { reason: "x".into() },
            t0(),
        );
        assert_eq!(
            assess_cancellation(&current, t0()),
            CancellationAssessment::default()
        );
        let later = past_ponr(flowing(), "1", t0() + hours(5));
        assert_eq!(assess_cancellation(&later, t0()).cancellable.len(), 3);
        assert_eq!(
            assess_cancellation(&later, t0() + hours(5))
                .cancellable
                .len(),
            2
        );
    }

    proptest! {
        #[test]
        fn items_past_ponr_are_never_cancelled(
            ponr in prop::collection::vec(any::<bool>(), 3),
            started in prop::collection::vec(any::<bool>(), 3),
        ) {
            let mut current = order(&[("1", "fibre"), ("2", "router"), ("3", "tv")]);
            current = run(&current, OrderCommand::Accept, t0());
            for (i, s) in started.iter().enumerate() {
                if *s {
                    current = run(&current, OrderCommand::Item {
                        item: current.items[i].id.clone(),
                        event: crate::lifecycle::ItemEvent::Start,
                    }, t0());
                }
                if ponr[i] {
                    current.items[i].point_of_no_return = Some(t0());
                }
            }
            let now = t0() + hours(1);
            let mut step = begin_and_decide(&request(), &current, now).unwrap();
            if step.request.state == CancelState::InProgress {
                step = confirm(&step.request, &step.order, now).unwrap();
            }
            prop_assert!(step.request.state.is_terminal());
            for (before, after) in current.items.iter().zip(&step.order.items) {
                if before.is_past_point_of_no_return(now) {
                    prop_assert_eq!(after.lifecycle, before.lifecycle);
                } else {
                    prop_assert_eq!(after.state(), ItemState::Cancelled);
                }
            }
            let all_cancelled = ponr.iter().all(|p| !p);
            prop_assert_eq!(step.request.state == CancelState::Done, all_cancelled);
        }
    }
}
