//! Tests of the lifecycle tables: named scenarios, the roll-up case table, and property tests
//! over random command sequences.

use super::*;
use crate::ids::{CustomerId, OfferingId, OrderId};
use crate::order::{ItemAction, OrderItem, ProductOrder};
use chrono::{Duration, TimeZone};
use proptest::prelude::*;
use rstest::rstest;
use std::collections::HashSet;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

fn order_with(items: usize, draft: bool) -> ProductOrder {
    let items = (1..=items)
        .map(|n| {
            OrderItem::new(
                n.to_string(),
                ItemAction::Add,
                Some(OfferingId::new("PO-X")),
            )
        })
        .collect();
    ProductOrder::new(
        OrderId::new("PO-1"),
        CustomerId::new("C-1"),
        t0(),
        items,
        draft,
    )
    .unwrap()
}

fn item(n: usize, event: ItemEvent) -> OrderCommand {
    OrderCommand::Item {
        item: ItemId::new(n.to_string()),
        event,
    }
}

fn hold() -> OrderCommand {
    OrderCommand::Hold {
        reason: "review".into(),
    }
}

/// Applies the commands in order, failing the test on the first refusal.
fn run(mut order: ProductOrder, commands: &[OrderCommand]) -> ProductOrder {
    for (n, c) in commands.iter().enumerate() {
        order = apply(&order, c, t0() + Duration::minutes(n as i64 + 1))
            .unwrap_or_else(|e| panic!("command {n} {c:?} refused: {e}"));
    }
    order
}

#[test]
fn new_order_is_acknowledged_and_draft_is_draft() {
    assert_eq!(order_with(2, false).state(), OrderState::Acknowledged);
    let draft = order_with(2, true);
    assert_eq!(draft.state(), OrderState::Draft);
    assert_eq!(
        run(draft, &[OrderCommand::Submit]).state(),
        OrderState::Acknowledged
    );
}

#[test]
fn happy_path_to_completed() {
    let o = run(
        order_with(2, false),
        &[
            OrderCommand::Accept,
            item(1, ItemEvent::Start),
            item(1, ItemEvent::Complete),
            item(2, ItemEvent::Start),
            item(2, ItemEvent::Complete),
        ],
    );
    assert_eq!(o.state(), OrderState::Completed);
    assert!(o.completion_date.is_some());
}

#[rstest]
#[case::accepted(&[OrderCommand::Accept], OrderState::InProgressAccepted)]
#[case::first_item_started(&[OrderCommand::Accept, item(1, ItemEvent::Start)], OrderState::InProgress)]
#[case::one_done_other_waiting(
    &[OrderCommand::Accept, item(1, ItemEvent::Start), item(1, ItemEvent::Complete)],
    OrderState::InProgress
)]
#[case::mixed_outcome_is_partial(
    &[OrderCommand::Accept, item(1, ItemEvent::Start), item(1, ItemEvent::Complete),
      item(2, ItemEvent::Start), item(2, ItemEvent::Fail)],
    OrderState::Partial
)]
#[case::all_failed(
    &[OrderCommand::Accept, item(1, ItemEvent::Start), item(1, ItemEvent::Fail),
      item(2, ItemEvent::Start), item(2, ItemEvent::Fail)],
    OrderState::Failed
)]
#[case::partial_item_makes_partial_order(
    &[OrderCommand::Accept, item(1, ItemEvent::Start), item(1, ItemEvent::CompletePartially),
      item(2, ItemEvent::Start), item(2, ItemEvent::Complete)],
    OrderState::Partial
)]
#[case::one_item_held_by_som(
    &[OrderCommand::Accept, item(1, ItemEvent::Start), item(1, ItemEvent::Hold)],
    OrderState::Held
)]
#[case::held_item_resumes_in_progress(
    &[OrderCommand::Accept, item(1, ItemEvent::Start), item(1, ItemEvent::Hold),
      item(1, ItemEvent::Resume)],
    OrderState::InProgress
)]
#[case::validation_hold(&[hold()], OrderState::Held)]
#[case::hold_resolved(&[hold(), OrderCommand::Resume], OrderState::Acknowledged)]
#[case::hold_then_rejected(&[hold(), OrderCommand::Reject { reason: "fraud".into() }], OrderState::Rejected)]
#[case::rejected(&[OrderCommand::Reject { reason: "no offering".into() }], OrderState::Rejected)]
#[case::deposit_pending(&[OrderCommand::Pend { reason: "deposit".into() }], OrderState::Pending)]
#[case::scheduled_after_accept(
    &[OrderCommand::Accept, OrderCommand::Pend { reason: "scheduled".into() }],
    OrderState::Pending
)]
#[case::scheduled_released(
    &[OrderCommand::Accept, OrderCommand::Pend { reason: "scheduled".into() }, OrderCommand::Resume],
    OrderState::InProgressAccepted
)]
#[case::credit_declined(&[hold(), OrderCommand::Cancel { reason: "credit declined".into() }], OrderState::Cancelled)]
#[case::assessing(&[OrderCommand::Accept, OrderCommand::RequestCancellation], OrderState::AssessingCancellation)]
#[case::pending_cancellation(
    &[OrderCommand::Accept, OrderCommand::RequestCancellation,
      OrderCommand::AcceptCancellation { refused: vec![] }],
    OrderState::PendingCancellation
)]
#[case::cancelled(
    &[OrderCommand::Accept, OrderCommand::RequestCancellation,
      OrderCommand::AcceptCancellation { refused: vec![] }, OrderCommand::ConfirmCancellation],
    OrderState::Cancelled
)]
#[case::denied_returns_to_in_progress(
    &[OrderCommand::Accept, item(1, ItemEvent::Start), OrderCommand::RequestCancellation,
      OrderCommand::DenyCancellation],
    OrderState::InProgress
)]
#[case::denied_returns_to_held(
    &[hold(), OrderCommand::RequestCancellation, OrderCommand::DenyCancellation],
    OrderState::Held
)]
#[case::every_item_refused_returns_to_previous(
    &[OrderCommand::Accept, item(1, ItemEvent::Start), OrderCommand::RequestCancellation,
      OrderCommand::AcceptCancellation { refused: vec![ItemId::new("1"), ItemId::new("2")] }],
    OrderState::InProgress
)]
#[case::partly_cancelled_rest_completes(
    &[OrderCommand::Accept, item(1, ItemEvent::Start), OrderCommand::RequestCancellation,
      OrderCommand::AcceptCancellation { refused: vec![ItemId::new("1")] },
      OrderCommand::ConfirmCancellation, item(1, ItemEvent::Complete)],
    OrderState::Completed
)]
fn scenarios(#[case] commands: &[OrderCommand], #[case] expected: OrderState) {
    assert_eq!(run(order_with(2, false), commands).state(), expected);
}

#[test]
fn cancellation_of_a_draft() {
    let o = run(
        order_with(1, true),
        &[OrderCommand::Cancel {
            reason: "abandoned".into(),
        }],
    );
    assert_eq!(o.state(), OrderState::Cancelled);
    assert_eq!(o.cancellation_reason.as_deref(), Some("abandoned"));
}

#[rstest]
#[case::accept_twice(&[OrderCommand::Accept], OrderCommand::Accept)]
#[case::reject_after_accept(&[OrderCommand::Accept], OrderCommand::Reject { reason: "x".into() })]
#[case::cancel_after_start(
    &[OrderCommand::Accept, item(1, ItemEvent::Start)],
    OrderCommand::Cancel { reason: "x".into() }
)]
#[case::item_progress_before_accept(&[], item(1, ItemEvent::Start))]
#[case::submit_non_draft(&[], OrderCommand::Submit)]
#[case::resume_without_hold(&[], OrderCommand::Resume)]
#[case::deny_without_request(&[OrderCommand::Accept], OrderCommand::DenyCancellation)]
#[case::nothing_after_completed(
    &[OrderCommand::Accept, item(1, ItemEvent::Start), item(1, ItemEvent::Complete),
      item(2, ItemEvent::Start), item(2, ItemEvent::Complete)],
    OrderCommand::RequestCancellation
)]
#[case::complete_before_start(&[OrderCommand::Accept], item(1, ItemEvent::Complete))]
#[case::hold_a_draft(&[], OrderCommand::Hold { reason: "x".into() })]
fn refused_commands(#[case] setup: &[OrderCommand], #[case] refused: OrderCommand) {
    let draft = matches!(refused, OrderCommand::Hold { .. }) && setup.is_empty();
    let before = run(order_with(2, draft), setup);
    let err = apply(&before, &refused, t0() + Duration::days(1)).unwrap_err();
    assert!(
        !matches!(err, TransitionError::Inconsistent { .. }),
        "{err}"
    );
}

#[test]
fn refusals_are_typed_and_name_the_transition() {
    let o = order_with(2, false);
    let err = apply(&o, &OrderCommand::Submit, t0()).unwrap_err();
    assert_eq!(
        err,
        TransitionError::OrderRefused {
            from: OrderState::Acknowledged,
            command: OrderCommandKind::Submit
        }
    );
    let accepted = run(o, &[OrderCommand::Accept]);
    let err = apply(&accepted, &item(9, ItemEvent::Start), t0()).unwrap_err();
    assert_eq!(err, TransitionError::UnknownItem(ItemId::new("9")));
    let err = apply(&accepted, &item(1, ItemEvent::Reject), t0()).unwrap_err();
    assert_eq!(err, TransitionError::NotASingleItemEvent(ItemEvent::Reject));
    let err = apply(&accepted, &item(1, ItemEvent::Complete), t0()).unwrap_err();
    assert!(matches!(
        err,
        TransitionError::ItemRefused {
            refusal: ItemRefusal {
                from: ItemState::Acknowledged,
                event: ItemEvent::Complete
            },
            ..
        }
    ));
    assert!(err.to_string().contains("acknowledged"));
}

#[test]
fn state_reason_and_clock() {
    let o = run(order_with(1, false), &[hold()]);
    assert_eq!(o.state_reason.as_deref(), Some("review"));
    assert_eq!(o.state_changed_at, t0() + Duration::minutes(1));
    let o = run(o, &[OrderCommand::Resume]);
    assert_eq!(o.state_reason, None);
}

#[rstest]
#[case(&[], OrderPhase::default(), OrderState::Rejected)]
#[case(&[ItemState::Acknowledged], OrderPhase { draft: true, ..OrderPhase::default() }, OrderState::Draft)]
#[case(&[ItemState::Acknowledged, ItemState::Acknowledged], OrderPhase::default(), OrderState::Acknowledged)]
#[case(&[ItemState::Acknowledged], OrderPhase { accepted: true, ..OrderPhase::default() }, OrderState::InProgressAccepted)]
#[case(&[ItemState::Completed, ItemState::Completed], OrderPhase::default(), OrderState::Completed)]
#[case(&[ItemState::Completed, ItemState::Cancelled], OrderPhase::default(), OrderState::Completed)]
#[case(&[ItemState::Failed, ItemState::Failed], OrderPhase::default(), OrderState::Failed)]
#[case(&[ItemState::Failed, ItemState::Cancelled], OrderPhase::default(), OrderState::Failed)]
#[case(&[ItemState::Completed, ItemState::Failed], OrderPhase::default(), OrderState::Partial)]
#[case(&[ItemState::Partial], OrderPhase::default(), OrderState::Partial)]
#[case(&[ItemState::Cancelled, ItemState::Cancelled], OrderPhase::default(), OrderState::Cancelled)]
#[case(&[ItemState::Completed, ItemState::Held], OrderPhase::default(), OrderState::Held)]
#[case(&[ItemState::InProgress, ItemState::Held], OrderPhase::default(), OrderState::Held)]
#[case(&[ItemState::InProgress, ItemState::Pending], OrderPhase::default(), OrderState::Pending)]
#[case(&[ItemState::Held, ItemState::Pending], OrderPhase::default(), OrderState::Held)]
#[case(&[ItemState::InProgress, ItemState::Completed], OrderPhase::default(), OrderState::InProgress)]
#[case(&[ItemState::Acknowledged, ItemState::Completed], OrderPhase::default(), OrderState::InProgress)]
#[case(&[ItemState::Rejected, ItemState::Rejected], OrderPhase::default(), OrderState::Rejected)]
#[case(&[ItemState::Rejected, ItemState::Completed], OrderPhase::default(), OrderState::Rejected)]
#[case(&[ItemState::AssessingCancellation, ItemState::Held], OrderPhase::default(), OrderState::AssessingCancellation)]
#[case(&[ItemState::PendingCancellation, ItemState::InProgress], OrderPhase::default(), OrderState::PendingCancellation)]
#[case(&[ItemState::PendingCancellation, ItemState::AssessingCancellation], OrderPhase::default(), OrderState::PendingCancellation)]
fn roll_up_table(
    #[case] items: &[ItemState],
    #[case] phase: OrderPhase,
    #[case] expected: OrderState,
) {
    assert_eq!(roll_up(items.iter().copied(), phase), expected);
}

#[test]
fn every_state_is_in_the_tables() {
    for s in ItemState::ALL {
        assert!(
            ITEM_TRANSITIONS
                .iter()
                .any(|(from, _, to)| from == s || *to == ItemTarget::To(*s)),
            "item state {s} missing from the item table"
        );
    }
    for s in OrderState::ALL {
        assert!(
            ORDER_TRANSITIONS
                .iter()
                .any(|t| t.from.contains(s) || t.to.contains(s)),
            "order state {s} missing from the order table"
        );
        assert_eq!(OrderState::parse(s.as_str()), Some(*s));
    }
    for s in CancelState::ALL {
        assert!(
            CANCEL_TRANSITIONS.iter().any(|(f, _, t)| f == s || t == s),
            "{s}"
        );
    }
}

#[test]
fn cancel_request_table() {
    use CancelEvent as E;
    use CancelState as S;
    assert_eq!(
        apply_cancel_event(S::Acknowledged, E::Accept),
        Ok(S::InProgress)
    );
    assert_eq!(apply_cancel_event(S::InProgress, E::Finish), Ok(S::Done));
    assert_eq!(
        apply_cancel_event(S::InProgress, E::FinishWithError),
        Ok(S::TerminatedWithError)
    );
    assert_eq!(
        apply_cancel_event(S::Acknowledged, E::Reject),
        Ok(S::Rejected)
    );
    assert_eq!(
        apply_cancel_event(S::Acknowledged, E::Withdraw),
        Ok(S::Cancelled)
    );
    for terminal in S::ALL.iter().filter(|s| s.is_terminal()) {
        for e in E::ALL {
            assert_eq!(
                apply_cancel_event(*terminal, *e),
                Err(CancelRefusal {
                    from: *terminal,
                    event: *e
                })
            );
        }
    }
}

fn command_strategy(items: usize) -> impl Strategy<Value = OrderCommand> {
    let reason = || Just("r".to_owned());
    let order_level = prop_oneof![
        Just(OrderCommand::Submit),
        Just(OrderCommand::Accept),
        reason().prop_map(|reason| OrderCommand::Reject { reason }),
        reason().prop_map(|reason| OrderCommand::Hold { reason }),
        reason().prop_map(|reason| OrderCommand::Pend { reason }),
        Just(OrderCommand::Resume),
        reason().prop_map(|reason| OrderCommand::Cancel { reason }),
        Just(OrderCommand::RequestCancellation),
        proptest::collection::vec(1..=items, 0..=items).prop_map(|ns| {
            OrderCommand::AcceptCancellation {
                refused: ns.into_iter().map(|n| ItemId::new(n.to_string())).collect(),
            }
        }),
        Just(OrderCommand::DenyCancellation),
        Just(OrderCommand::ConfirmCancellation),
    ];
    // Item events are the bulk of real traffic: weight them up.
    let item_level = (
        1..=items + 1,
        proptest::sample::select(ItemEvent::ALL.to_vec()),
    )
        .prop_map(|(n, event)| item(n, event));
    prop_oneof![3 => order_level, 4 => item_level]
}

fn scenario_strategy() -> impl Strategy<Value = (usize, bool, Vec<OrderCommand>)> {
    (1usize..=5, any::<bool>()).prop_flat_map(|(items, draft)| {
        (
            Just(items),
            Just(draft),
            proptest::collection::vec(command_strategy(items), 0..40),
        )
    })
}

/// What must hold of every order the lifecycle can produce.
fn check_invariants(order: &ProductOrder) -> Result<(), TestCaseError> {
    let states: Vec<ItemState> = order.items.iter().map(|i| i.state()).collect();
    let state = order.state();
    // Acceptance is all-or-nothing: never some rejected and some not (items cancelled before
    // the rejection have left the order and do not count).
    let rejected = states.iter().filter(|s| **s == ItemState::Rejected).count();
    let cancelled = states
        .iter()
        .filter(|s| **s == ItemState::Cancelled)
        .count();
    prop_assert!(
        rejected == 0 || rejected + cancelled == states.len(),
        "mixed rejection: {:?}",
        states
    );
    if order.phase.draft {
        prop_assert!(states.iter().all(|s| *s == ItemState::Acknowledged));
        prop_assert_eq!(state, OrderState::Draft);
    }
    if !order.phase.accepted {
        prop_assert!(
            !states.iter().any(|s| matches!(
                s,
                ItemState::InProgress
                    | ItemState::Completed
                    | ItemState::Failed
                    | ItemState::Partial
            )),
            "delivery before acceptance: {:?}",
            states
        );
    }
    // The roll-up, restated independently of the rule table.
    let live: Vec<_> = states
        .iter()
        .filter(|s| **s != ItemState::Cancelled)
        .collect();
    let all_terminal = states.iter().all(|s| s.is_terminal());
    if !order.phase.draft && rejected == 0 {
        if states.iter().all(|s| *s == ItemState::Cancelled) {
            prop_assert_eq!(state, OrderState::Cancelled);
        } else if all_terminal && live.iter().all(|s| **s == ItemState::Completed) {
            prop_assert_eq!(state, OrderState::Completed);
        } else if all_terminal && live.iter().all(|s| **s == ItemState::Failed) {
            prop_assert_eq!(state, OrderState::Failed);
        } else if all_terminal {
            prop_assert_eq!(state, OrderState::Partial);
        } else if states.contains(&ItemState::PendingCancellation) {
            prop_assert_eq!(state, OrderState::PendingCancellation);
        } else if states.contains(&ItemState::AssessingCancellation) {
            prop_assert_eq!(state, OrderState::AssessingCancellation);
        } else if states.contains(&ItemState::Held) {
            prop_assert_eq!(state, OrderState::Held);
        } else if states.contains(&ItemState::Pending) {
            prop_assert_eq!(state, OrderState::Pending);
        } else if states.iter().all(|s| *s == ItemState::Acknowledged) {
            let expected = if order.phase.accepted {
                OrderState::InProgressAccepted
            } else {
                OrderState::Acknowledged
            };
            prop_assert_eq!(state, expected);
        } else {
            prop_assert_eq!(state, OrderState::InProgress);
        }
    } else if rejected > 0 {
        prop_assert_eq!(state, OrderState::Rejected);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// No sequence of commands reaches an illegal state or breaks the roll-up, a refused
    /// command changes nothing, and a finished order accepts no further command.
    #[test]
    fn no_sequence_breaks_the_lifecycle((items, draft, commands) in scenario_strategy()) {
        let mut order = order_with(items, draft);
        let mut now = t0();
        for command in &commands {
            now += Duration::minutes(7);
            let before = order.state();
            match apply(&order, command, now) {
                Ok(next) => {
                    prop_assert!(!before.is_terminal(), "{before} accepted {command:?}");
                    prop_assert!(next.state_changed_at >= order.state_changed_at);
                    prop_assert_eq!(next.items.len(), order.items.len());
                    check_invariants(&next)?;
                    order = next;
                }
                Err(TransitionError::Inconsistent { from, command, to }) => {
                    prop_assert!(false, "table inconsistency: {from} --{command}--> {to}");
                }
                Err(_) => {}
            }
        }
    }

    /// Item states only ever move along the item table.
    #[test]
    fn items_follow_their_table((items, draft, commands) in scenario_strategy()) {
        let mut order = order_with(items, draft);
        for command in &commands {
            if let Ok(next) = apply(&order, command, t0()) {
                for (a, b) in order.items.iter().zip(&next.items) {
                    if a.state() != b.state() {
                        prop_assert!(
                            ITEM_TRANSITIONS.iter().any(|(from, _, _)| *from == a.state()),
                            "{} left a terminal state", a.state()
                        );
                        prop_assert!(!a.state().is_terminal());
                    }
                }
                order = next;
            }
        }
    }
}

#[test]
fn random_walks_reach_every_order_state() {
    // Breadth-first over command sequences from both a draft and a submitted order: every
    // state of the v4 and v5 enums must be reachable through the public API.
    let mut seen: HashSet<OrderState> = HashSet::new();
    let mut frontier = vec![order_with(2, true), order_with(2, false)];
    let commands: Vec<OrderCommand> = {
        let mut c = vec![
            OrderCommand::Submit,
            OrderCommand::Accept,
            OrderCommand::Reject { reason: "r".into() },
            hold(),
            OrderCommand::Pend { reason: "p".into() },
            OrderCommand::Resume,
            OrderCommand::Cancel { reason: "c".into() },
            OrderCommand::RequestCancellation,
            OrderCommand::AcceptCancellation { refused: vec![] },
            OrderCommand::AcceptCancellation {
                refused: vec![ItemId::new("1")],
            },
            OrderCommand::DenyCancellation,
            OrderCommand::ConfirmCancellation,
        ];
        for n in 1..=2 {
            for e in SINGLE_ITEM_EVENTS {
                c.push(item(n, *e));
            }
        }
        c
    };
    for _depth in 0..6 {
        let mut next_frontier = Vec::new();
        let mut states_here = HashSet::new();
        for order in &frontier {
            seen.insert(order.state());
            for c in &commands {
                if let Ok(next) = apply(order, c, t0()) {
                    let key: Vec<_> = next.items.iter().map(|i| i.lifecycle).collect();
                    if states_here.insert((key, next.phase)) {
                        next_frontier.push(next);
                    }
                }
            }
        }
        frontier = next_frontier;
    }
    for o in &frontier {
        seen.insert(o.state());
    }
    for s in OrderState::ALL {
        assert!(seen.contains(s), "order state {s} is unreachable");
    }
}
