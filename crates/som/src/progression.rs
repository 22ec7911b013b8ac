//! How a service order progresses, as pure decisions over item states: one step of simulated
//! work ([`ServiceOrderRun::step`]), a cancellation ([`ServiceOrderRun::cancel`]), the item
//! transition table ([`ITEM_TRANSITIONS`]) and the order roll-up table ([`ORDER_ROLL_UP`]).
//!
//! Time is counted in steps; the shell decides how long a step lasts. A step reads the states
//! as they were before it and moves every item at most once, so the outcome depends only on the
//! order and the failure plan, never on timing:
//! - an `acknowledged` item whose dependencies all `completed` starts (`inProgress`), or fails
//!   when its rule fails it at start; when one of its dependencies failed or was cancelled it
//!   fails, naming that dependency;
//! - an `inProgress` item completes, or fails when its rule fails it at completion;
//! - an item flagged point of no return passes it when it starts ([`Change::PointOfNoReturn`]).
//!
//! Leaves to others: reading the wire order ([`crate::admission`]), what the resource and the
//! notifications look like ([`crate::resource`], [`crate::events`]), and the clock.

use orderdesk_domain::decomposition::{ServiceItemCounts, ServiceItemState};
use orderdesk_tmf::tmf641::ServiceOrderState;

use crate::rules::FailureStage;

/// Error code of an item that failed because an item it depends on failed.
pub const DEPENDENCY_FAILED: &str = "DEPENDENCY_FAILED";
/// Error code of an item that failed because an item it depends on was cancelled.
pub const DEPENDENCY_CANCELLED: &str = "DEPENDENCY_CANCELLED";

/// One allowed item transition and why it happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemTransition {
    pub from: ServiceItemState,
    pub to: ServiceItemState,
    pub why: &'static str,
}

/// The item state machine of the simulator. Anything else is refused.
pub const ITEM_TRANSITIONS: &[ItemTransition] = {
    use ServiceItemState as S;
    &[
        ItemTransition {
            from: S::Acknowledged,
            to: S::InProgress,
            why: "every item it depends on completed",
        },
        ItemTransition {
            from: S::Acknowledged,
            to: S::Failed,
            why: "a rule fails it at start, or an item it depends on failed or was cancelled",
        },
        ItemTransition {
            from: S::Acknowledged,
            to: S::Cancelled,
            why: "cancelled before it started",
        },
        ItemTransition {
            from: S::InProgress,
            to: S::Completed,
            why: "its work is done",
        },
        ItemTransition {
            from: S::InProgress,
            to: S::Failed,
            why: "a rule fails it at completion",
        },
        ItemTransition {
            from: S::InProgress,
            to: S::Cancelled,
            why: "cancelled before its point of no return",
        },
    ]
};

/// A transition [`ITEM_TRANSITIONS`] does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("service order item cannot go from `{from}` to `{to}`")]
pub struct RefusedTransition {
    pub from: ServiceItemState,
    pub to: ServiceItemState,
}

/// Checks one item transition against [`ITEM_TRANSITIONS`].
pub fn item_transition(
    from: ServiceItemState,
    to: ServiceItemState,
) -> Result<&'static ItemTransition, RefusedTransition> {
    ITEM_TRANSITIONS
        .iter()
        .find(|t| t.from == from && t.to == to)
        .ok_or(RefusedTransition { from, to })
}

/// One roll-up rule: when `applies` holds for the item states, the order is in `state`.
#[derive(Debug, Clone, Copy)]
pub struct OrderRollUp {
    pub name: &'static str,
    pub applies: fn(&ServiceItemCounts) -> bool,
    pub state: ServiceOrderState,
}

/// The order state from its item states, first match wins.
pub const ORDER_ROLL_UP: &[OrderRollUp] = {
    use ServiceItemState as S;
    use ServiceOrderState as O;
    &[
        OrderRollUp {
            name: "all cancelled",
            applies: |c| c.all(S::Cancelled),
            state: O::Cancelled,
        },
        OrderRollUp {
            name: "all finished, all completed",
            applies: |c| c.all(S::Completed),
            state: O::Completed,
        },
        OrderRollUp {
            name: "all finished, none completed",
            applies: |c| c.all_finished() && !c.any(S::Completed),
            state: O::Failed,
        },
        OrderRollUp {
            name: "all finished, some completed, some failed or cancelled",
            applies: |c| c.all_finished(),
            state: O::Partial,
        },
        OrderRollUp {
            name: "work started",
            applies: |c| c.get(S::Acknowledged) < c.total(),
            state: O::InProgress,
        },
        OrderRollUp {
            name: "nothing started",
            applies: |_| true,
            state: O::Acknowledged,
        },
    ]
};

/// The order state [`ORDER_ROLL_UP`] gives these item states.
pub fn roll_up(states: impl IntoIterator<Item = ServiceItemState>) -> ServiceOrderState {
    let counts = ServiceItemCounts::of(states);
    ORDER_ROLL_UP
        .iter()
        .find(|r| (r.applies)(&counts))
        .map_or(ServiceOrderState::Acknowledged, |r| r.state)
}

/// A failure decided at admission (from a rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFailure {
    pub stage: FailureStage,
    pub code: String,
    pub reason: String,
}

/// Why an item failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    pub code: String,
    pub reason: String,
}

/// One service order item as the simulator works it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRun {
    pub id: String,
    /// Indexes of the items it depends on.
    pub depends_on: Vec<usize>,
    pub point_of_no_return: bool,
    pub failure: Option<PlannedFailure>,
    pub state: ServiceItemState,
    /// Set when a point-of-no-return item starts; such an item is no longer cancelled.
    pub past_point_of_no_return: bool,
}

impl ItemRun {
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            depends_on: Vec::new(),
            point_of_no_return: false,
            failure: None,
            state: ServiceItemState::Acknowledged,
            past_point_of_no_return: false,
        }
    }
}

/// What one decision changed, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Item {
        item: usize,
        from: ServiceItemState,
        to: ServiceItemState,
        error: Option<ItemError>,
    },
    /// The item started and cannot be cancelled any more.
    PointOfNoReturn { item: usize },
    Order {
        from: ServiceOrderState,
        to: ServiceOrderState,
    },
}

/// Why a cancellation left an item alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotReversed {
    /// It had completed before the cancellation arrived.
    Completed,
    /// It is in progress past its point of no return and will run to its end.
    PastPointOfNoReturn,
}

impl NotReversed {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::PastPointOfNoReturn => "pastPointOfNoReturn",
        }
    }
}

/// What a cancellation did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CancelOutcome {
    pub changes: Vec<Change>,
    /// Items cancelled by this request.
    pub cancelled: Vec<usize>,
    /// Items it could not reverse, in item order.
    pub not_reversed: Vec<(usize, NotReversed)>,
}

/// A service order being worked: its items and the rolled-up order state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceOrderRun {
    items: Vec<ItemRun>,
    state: ServiceOrderState,
}

impl ServiceOrderRun {
    /// A run of `items` (dependencies must point inside the list and form no cycle: admission
    /// checks it). Every item starts `acknowledged`.
    pub fn new(items: Vec<ItemRun>) -> Self {
        let state = roll_up(items.iter().map(|i| i.state));
        Self { items, state }
    }

    pub fn items(&self) -> &[ItemRun] {
        &self.items
    }

    pub fn state(&self) -> ServiceOrderState {
        self.state
    }

    /// Every item is in a final state: nothing more will happen.
    pub fn is_finished(&self) -> bool {
        self.items.iter().all(|i| i.state.is_terminal())
    }

    /// How many steps the order takes when nothing fails: two per item on its longest chain of
    /// dependencies.
    pub fn planned_steps(&self) -> u32 {
        // Depth of each item; a dependency cycle (which admission refuses) counts once.
        let n = self.items.len();
        let mut depth: Vec<Option<u32>> = vec![None; n];
        for start in 0..n {
            let mut stack = vec![(start, false)];
            let mut on_path = vec![false; n];
            while let Some((i, expanded)) = stack.pop() {
                if depth[i].is_some() {
                    continue;
                }
                let deps = &self.items[i].depends_on;
                if expanded {
                    on_path[i] = false;
                    let d = deps
                        .iter()
                        .filter_map(|&d| depth.get(d).copied().flatten())
                        .max()
                        .unwrap_or(0);
                    depth[i] = Some(d + 1);
                } else {
                    on_path[i] = true;
                    stack.push((i, true));
                    for &d in deps {
                        if d < n && depth[d].is_none() && !on_path[d] {
                            stack.push((d, false));
                        }
                    }
                }
            }
        }
        2 * depth.into_iter().flatten().max().unwrap_or(0)
    }

    /// One step of work. See the module docs for the rules.
    pub fn step(&mut self) -> Vec<Change> {
        use ServiceItemState as S;
        let before: Vec<ServiceItemState> = self.items.iter().map(|i| i.state).collect();
        let mut changes = Vec::new();
        for i in 0..self.items.len() {
            let item = &self.items[i];
            let decision = match item.state {
                S::Acknowledged => {
                    let broken = item.depends_on.iter().find_map(|&d| {
                        let state = before.get(d).copied()?;
                        let code = match state {
                            S::Failed | S::Rejected => DEPENDENCY_FAILED,
                            S::Cancelled => DEPENDENCY_CANCELLED,
                            _ => return None,
                        };
                        let dep = self.items.get(d).map_or("?", |x| x.id.as_str());
                        Some(ItemError {
                            code: code.to_owned(),
                            reason: format!(
                                "item `{}` depends on item `{dep}`, which {}",
                                item.id,
                                if state == S::Cancelled {
                                    "was cancelled"
                                } else {
                                    "failed"
                                }
                            ),
                        })
                    });
                    let ready = item
                        .depends_on
                        .iter()
                        .all(|&d| before.get(d) == Some(&S::Completed));
                    match (broken, &item.failure) {
                        (Some(error), _) => Some((S::Failed, Some(error))),
                        (None, _) if !ready => None,
                        (None, Some(f)) if f.stage == FailureStage::Start => {
                            Some((S::Failed, Some(failure_error(f))))
                        }
                        (None, _) => Some((S::InProgress, None)),
                    }
                }
                S::InProgress => match &item.failure {
                    Some(f) if f.stage == FailureStage::Completion => {
                        Some((S::Failed, Some(failure_error(f))))
                    }
                    _ => Some((S::Completed, None)),
                },
                _ => None,
            };
            if let Some((to, error)) = decision {
                if let Ok(change) = self.move_item(i, to, error) {
                    changes.push(change);
                    let item = &mut self.items[i];
                    if to == S::InProgress && item.point_of_no_return {
                        item.past_point_of_no_return = true;
                        changes.push(Change::PointOfNoReturn { item: i });
                    }
                }
            }
        }
        changes.extend(self.roll_up());
        changes
    }

    /// Cancels every item that has not finished and is not past its point of no return; the
    /// others carry on and are reported in [`CancelOutcome::not_reversed`].
    pub fn cancel(&mut self) -> CancelOutcome {
        use ServiceItemState as S;
        let mut outcome = CancelOutcome::default();
        for i in 0..self.items.len() {
            let item = &self.items[i];
            match item.state {
                S::Completed => outcome.not_reversed.push((i, NotReversed::Completed)),
                S::InProgress if item.past_point_of_no_return => outcome
                    .not_reversed
                    .push((i, NotReversed::PastPointOfNoReturn)),
                S::Acknowledged | S::InProgress => {
                    if let Ok(change) = self.move_item(i, S::Cancelled, None) {
                        outcome.changes.push(change);
                        outcome.cancelled.push(i);
                    }
                }
                _ => {}
            }
        }
        outcome.changes.extend(self.roll_up());
        outcome
    }

    fn move_item(
        &mut self,
        i: usize,
        to: ServiceItemState,
        error: Option<ItemError>,
    ) -> Result<Change, RefusedTransition> {
        let Some(item) = self.items.get_mut(i) else {
            return Err(RefusedTransition { from: to, to });
        };
        let from = item.state;
        item_transition(from, to)?;
        item.state = to;
        Ok(Change::Item {
            item: i,
            from,
            to,
            error,
        })
    }

    fn roll_up(&mut self) -> Option<Change> {
        let to = roll_up(self.items.iter().map(|i| i.state));
        let from = self.state;
        (to != from).then(|| {
            self.state = to;
            Change::Order { from, to }
        })
    }
}

fn failure_error(f: &PlannedFailure) -> ItemError {
    ItemError {
        code: f.code.clone(),
        reason: f.reason.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ServiceItemState as S;
    use ServiceOrderState as O;

    fn item(id: &str, deps: &[usize]) -> ItemRun {
        ItemRun {
            depends_on: deps.to_vec(),
            ..ItemRun::new(id)
        }
    }

    fn failing(mut i: ItemRun, stage: FailureStage) -> ItemRun {
        i.failure = Some(PlannedFailure {
            stage,
            code: "BROKEN".into(),
            reason: "the network says no".into(),
        });
        i
    }

    fn ponr(mut i: ItemRun) -> ItemRun {
        i.point_of_no_return = true;
        i
    }

    fn states(run: &ServiceOrderRun) -> Vec<S> {
        run.items().iter().map(|i| i.state).collect()
    }

    /// Steps until finished; the states after each step.
    fn trace(run: &mut ServiceOrderRun) -> Vec<Vec<S>> {
        let mut out = Vec::new();
        for _ in 0..50 {
            if run.is_finished() {
                break;
            }
            run.step();
            out.push(states(run));
        }
        out
    }

    #[test]
    fn roll_up_table() {
        let cases: &[(&[S], O)] = &[
            (&[S::Acknowledged, S::Acknowledged], O::Acknowledged),
            (&[S::Acknowledged, S::InProgress], O::InProgress),
            (&[S::Completed, S::Acknowledged], O::InProgress),
            (&[S::Failed, S::Acknowledged], O::InProgress),
            (&[S::Completed, S::Completed], O::Completed),
            (&[S::Failed, S::Failed], O::Failed),
            (&[S::Failed, S::Cancelled], O::Failed),
            (&[S::Cancelled, S::Cancelled], O::Cancelled),
            (&[S::Completed, S::Failed], O::Partial),
            (&[S::Completed, S::Cancelled], O::Partial),
        ];
        for (items, expected) in cases {
            assert_eq!(roll_up(items.iter().copied()), *expected, "{items:?}");
        }
    }

    #[test]
    fn transition_table_refuses_the_rest() {
        for from in S::ALL {
            for to in S::ALL {
                let listed = ITEM_TRANSITIONS
                    .iter()
                    .any(|t| t.from == *from && t.to == *to);
                assert_eq!(item_transition(*from, *to).is_ok(), listed, "{from} → {to}");
            }
        }
        let err = item_transition(S::Completed, S::Cancelled).unwrap_err();
        assert_eq!(
            err.to_string(),
            "service order item cannot go from `completed` to `cancelled`"
        );
    }

    #[test]
    fn independent_items_run_together_and_dependents_wait() {
        let mut run = ServiceOrderRun::new(vec![item("1", &[]), item("2", &[0]), item("3", &[])]);
        assert_eq!(run.planned_steps(), 4);
        let t = trace(&mut run);
        assert_eq!(
            t,
            vec![
                vec![S::InProgress, S::Acknowledged, S::InProgress],
                vec![S::Completed, S::Acknowledged, S::Completed],
                vec![S::Completed, S::InProgress, S::Completed],
                vec![S::Completed, S::Completed, S::Completed],
            ]
        );
        assert_eq!(run.state(), O::Completed);
    }

    #[test]
    fn a_step_reports_items_then_milestones_then_the_order() {
        let mut run = ServiceOrderRun::new(vec![ponr(item("1", &[])), item("2", &[])]);
        let changes = run.step();
        assert_eq!(
            changes,
            vec![
                Change::Item {
                    item: 0,
                    from: S::Acknowledged,
                    to: S::InProgress,
                    error: None
                },
                Change::PointOfNoReturn { item: 0 },
                Change::Item {
                    item: 1,
                    from: S::Acknowledged,
                    to: S::InProgress,
                    error: None
                },
                Change::Order {
                    from: O::Acknowledged,
                    to: O::InProgress
                },
            ]
        );
    }

    #[test]
    fn failures_at_start_and_completion_and_their_dependents() {
        let mut run = ServiceOrderRun::new(vec![
            item("access", &[]),
            failing(item("ip", &[0]), FailureStage::Completion),
            item("after-ip", &[1]),
            failing(item("tv", &[]), FailureStage::Start),
            item("after-tv", &[3]),
        ]);
        let t = trace(&mut run);
        assert_eq!(
            t[0],
            vec![
                S::InProgress,
                S::Acknowledged,
                S::Acknowledged,
                S::Failed,
                S::Acknowledged
            ]
        );
        assert_eq!(
            t[1],
            vec![
                S::Completed,
                S::Acknowledged,
                S::Acknowledged,
                S::Failed,
                S::Failed
            ]
        );
        assert_eq!(
            t[2],
            vec![
                S::Completed,
                S::InProgress,
                S::Acknowledged,
                S::Failed,
                S::Failed
            ]
        );
        assert_eq!(
            t[3],
            vec![
                S::Completed,
                S::Failed,
                S::Acknowledged,
                S::Failed,
                S::Failed
            ]
        );
        assert_eq!(
            t[4],
            vec![S::Completed, S::Failed, S::Failed, S::Failed, S::Failed]
        );
        assert_eq!(t.len(), 5);
        assert_eq!(run.state(), O::Partial);
    }

    #[test]
    fn a_dependent_names_the_dependency_that_failed() {
        let mut run = ServiceOrderRun::new(vec![
            failing(item("a", &[]), FailureStage::Start),
            item("b", &[0]),
        ]);
        let first = run.step();
        assert!(
            matches!(&first[0], Change::Item { to: S::Failed, error: Some(e), .. } if e.code == "BROKEN")
        );
        let second = run.step();
        let Change::Item { error: Some(e), .. } = &second[0] else {
            panic!("{second:?}");
        };
        assert_eq!(e.code, DEPENDENCY_FAILED);
        assert_eq!(e.reason, "item `b` depends on item `a`, which failed");
        assert_eq!(run.state(), O::Failed);
    }

    #[test]
    fn cancel_before_the_point_of_no_return_cancels_everything() {
        let mut run = ServiceOrderRun::new(vec![ponr(item("a", &[])), item("b", &[0])]);
        let outcome = run.cancel();
        assert_eq!(outcome.cancelled, vec![0, 1]);
        assert!(outcome.not_reversed.is_empty());
        assert_eq!(run.state(), O::Cancelled);
        assert!(run.is_finished());
    }

    #[test]
    fn cancel_after_the_point_of_no_return_lets_those_items_finish() {
        let mut run = ServiceOrderRun::new(vec![
            item("done", &[]),
            item("gate", &[0]),
            ponr(item("ponr", &[0])),
            item("later", &[2]),
        ]);
        run.step();
        run.step();
        run.step();
        assert_eq!(
            states(&run),
            vec![S::Completed, S::InProgress, S::InProgress, S::Acknowledged]
        );
        let outcome = run.cancel();
        assert_eq!(outcome.cancelled, vec![1, 3]);
        assert_eq!(
            outcome.not_reversed,
            vec![
                (0, NotReversed::Completed),
                (2, NotReversed::PastPointOfNoReturn)
            ]
        );
        assert_eq!(run.state(), O::InProgress);
        trace(&mut run);
        assert_eq!(
            states(&run),
            vec![S::Completed, S::Cancelled, S::Completed, S::Cancelled]
        );
        assert_eq!(run.state(), O::Partial);
    }

    #[test]
    fn runs_are_deterministic() {
        let make = || {
            ServiceOrderRun::new(vec![
                item("1", &[]),
                failing(item("2", &[0]), FailureStage::Completion),
                ponr(item("3", &[0])),
                item("4", &[1, 2]),
            ])
        };
        let (mut a, mut b) = (make(), make());
        assert_eq!(trace(&mut a), trace(&mut b));
        assert_eq!(a, b);
    }

    /// An order of up to 8 items: per item its earlier dependencies, a planned failure, a
    /// point of no return flag; and the step (if any) before which a cancel arrives.
    fn order_strategy() -> impl Strategy<Value = (Vec<ItemRun>, Option<usize>)> {
        let spec = (
            proptest::collection::vec(any::<bool>(), 8),
            prop_oneof![
                Just(None),
                Just(Some(FailureStage::Start)),
                Just(Some(FailureStage::Completion))
            ],
            any::<bool>(),
        );
        (
            proptest::collection::vec(spec, 1..=8),
            proptest::option::of(0usize..12),
        )
            .prop_map(|(specs, cancel_at)| {
                let items = specs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (deps, fails, ponr_flag))| {
                        let mut it = item(&i.to_string(), &[]);
                        it.depends_on = (0..i).filter(|&d| deps[d]).collect();
                        it.point_of_no_return = ponr_flag;
                        match fails {
                            Some(stage) => failing(it, stage),
                            None => it,
                        }
                    })
                    .collect();
                (items, cancel_at)
            })
    }

    proptest! {
        #[test]
        fn every_run_keeps_the_rules((items, cancel_at) in order_strategy()) {
            let n = items.len();
            let mut run = ServiceOrderRun::new(items);
            let mut history = vec![states(&run)];
            for k in 0..(3 * n + 2) {
                if cancel_at == Some(k) {
                    let outcome = run.cancel();
                    for (i, why) in &outcome.not_reversed {
                        let item = &run.items()[*i];
                        match why {
                            NotReversed::Completed => prop_assert_eq!(item.state, S::Completed),
                            NotReversed::PastPointOfNoReturn => {
                                prop_assert!(item.past_point_of_no_return);
                                prop_assert_eq!(item.state, S::InProgress);
                            }
                        }
                    }
                    history.push(states(&run));
                }
                run.step();
                history.push(states(&run));
            }
            prop_assert!(run.is_finished(), "not finished: {:?}", states(&run));
            prop_assert_eq!(run.state(), roll_up(states(&run)));
            for pair in history.windows(2) {
                let (before, after) = (&pair[0], &pair[1]);
                for (i, item) in run.items().iter().enumerate() {
                    if before[i] != after[i] {
                        prop_assert!(item_transition(before[i], after[i]).is_ok());
                    }
                    // An item starts only once everything it depends on has completed.
                    if before[i] == S::Acknowledged && after[i] == S::InProgress {
                        prop_assert!(item.depends_on.iter().all(|&d| before[d] == S::Completed));
                    }
                }
            }
            for item in run.items() {
                if item.failure.is_some() {
                    prop_assert_ne!(item.state, S::Completed);
                }
                if item.past_point_of_no_return {
                    prop_assert_ne!(item.state, S::Cancelled);
                }
                if cancel_at.is_none() && item.failure.is_none()
                    && item.depends_on.iter().all(|&d| run.items()[d].state == S::Completed)
                {
                    prop_assert_eq!(item.state, S::Completed);
                }
            }
        }
    }

    #[test]
    fn planned_steps_follow_the_longest_chain() {
        let run = ServiceOrderRun::new(vec![
            item("1", &[]),
            item("2", &[0]),
            item("3", &[1]),
            item("4", &[0]),
        ]);
        assert_eq!(run.planned_steps(), 6);
        // Dependencies may point forward in a TMF641 order.
        let run = ServiceOrderRun::new(vec![item("1", &[1]), item("2", &[])]);
        assert_eq!(run.planned_steps(), 4);
    }
}
