//! The order, order item and cancel request state machines, as data.
//!
//! Three transition tables ([`ITEM_TRANSITIONS`], [`ORDER_TRANSITIONS`],
//! [`CANCEL_TRANSITIONS`]) are read by one function each. The order state is never stored: it is
//! derived from the item states and two phase flags by the roll-up rules in [`ROLL_UP_RULES`],
//! so an order can never disagree with its items. Order-level commands move every affected item
//! at once and either all items move or none does (acceptance is all-or-nothing).
//!
//! This module knows nothing of validation, credit or PONR policy: those decide *which* command to
//! issue; this module decides whether the command is legal and what state results.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ids::ItemId;
use crate::order::ProductOrder;

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The TMF wire spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Parses the TMF wire spelling.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// TMF622 `ProductOrderStateType` (v5, a superset of v4).
    OrderState {
        Draft => "draft",
        Acknowledged => "acknowledged",
        Rejected => "rejected",
        Pending => "pending",
        Held => "held",
        InProgress => "inProgress",
        InProgressAccepted => "inProgress.accepted",
        Cancelled => "cancelled",
        Completed => "completed",
        Failed => "failed",
        Partial => "partial",
        AssessingCancellation => "assessingCancellation",
        PendingCancellation => "pendingCancellation",
    }
);

wire_enum!(
    /// TMF622 `ProductOrderItemStateType` (v5; v4 lacks `partial`).
    ItemState {
        Acknowledged => "acknowledged",
        Rejected => "rejected",
        Pending => "pending",
        Held => "held",
        InProgress => "inProgress",
        Cancelled => "cancelled",
        Completed => "completed",
        Failed => "failed",
        Partial => "partial",
        AssessingCancellation => "assessingCancellation",
        PendingCancellation => "pendingCancellation",
    }
);

wire_enum!(
    /// TMF622 `TaskStateType`: the state of a `CancelProductOrder` request (v5).
    CancelState {
        Acknowledged => "acknowledged",
        Rejected => "rejected",
        InProgress => "inProgress",
        Cancelled => "cancelled",
        Done => "done",
        TerminatedWithError => "terminatedWithError",
    }
);

impl OrderState {
    /// No command leaves a terminal state.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Rejected | Self::Cancelled | Self::Completed | Self::Failed | Self::Partial
        )
    }

    /// Whether the v4 API knows this state (v4 has no `draft` nor `inProgress.accepted`).
    pub fn v4_equivalent(self) -> OrderState {
        match self {
            Self::Draft => Self::Acknowledged,
            Self::InProgressAccepted => Self::InProgress,
            other => other,
        }
    }
}

impl ItemState {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Rejected | Self::Cancelled | Self::Completed | Self::Failed | Self::Partial
        )
    }

    /// v4 items have no `partial`: a partially delivered item is reported as failed.
    pub fn v4_equivalent(self) -> ItemState {
        match self {
            Self::Partial => Self::Failed,
            other => other,
        }
    }
}

impl CancelState {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Rejected | Self::Cancelled | Self::Done | Self::TerminatedWithError
        )
    }
}

wire_enum!(
    /// What can happen to one order item.
    ItemEvent {
        Reject => "reject",
        Hold => "hold",
        Pend => "pend",
        Resume => "resume",
        Start => "start",
        Complete => "complete",
        CompletePartially => "completePartially",
        Fail => "fail",
        RequestCancellation => "requestCancellation",
        AcceptCancellation => "acceptCancellation",
        DenyCancellation => "denyCancellation",
        ConfirmCancellation => "confirmCancellation",
        Cancel => "cancel",
    }
);

/// Where an item transition leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemTarget {
    To(ItemState),
    /// Back to the working state the item had before it was held or pended.
    Resume,
    /// Back to exactly the state the item had before the cancellation was requested.
    BeforeCancellation,
}

/// The item transition table: (from, event, target). Anything not listed is refused.
pub const ITEM_TRANSITIONS: &[(ItemState, ItemEvent, ItemTarget)] = {
    use ItemEvent as E;
    use ItemState as S;
    use ItemTarget::{BeforeCancellation, Resume, To};
    &[
        (S::Acknowledged, E::Reject, To(S::Rejected)),
        (S::Acknowledged, E::Hold, To(S::Held)),
        (S::Acknowledged, E::Pend, To(S::Pending)),
        (S::Acknowledged, E::Start, To(S::InProgress)),
        (S::Acknowledged, E::Cancel, To(S::Cancelled)),
        (
            S::Acknowledged,
            E::RequestCancellation,
            To(S::AssessingCancellation),
        ),
        (S::Pending, E::Resume, Resume),
        (S::Pending, E::Hold, To(S::Held)),
        (S::Pending, E::Reject, To(S::Rejected)),
        (S::Pending, E::Cancel, To(S::Cancelled)),
        (
            S::Pending,
            E::RequestCancellation,
            To(S::AssessingCancellation),
        ),
        (S::Held, E::Resume, Resume),
        (S::Held, E::Pend, To(S::Pending)),
        (S::Held, E::Reject, To(S::Rejected)),
        (S::Held, E::Cancel, To(S::Cancelled)),
        (S::Held, E::Fail, To(S::Failed)),
        (
            S::Held,
            E::RequestCancellation,
            To(S::AssessingCancellation),
        ),
        (S::InProgress, E::Hold, To(S::Held)),
        (S::InProgress, E::Pend, To(S::Pending)),
        (S::InProgress, E::Complete, To(S::Completed)),
        (S::InProgress, E::CompletePartially, To(S::Partial)),
        (S::InProgress, E::Fail, To(S::Failed)),
        (
            S::InProgress,
            E::RequestCancellation,
            To(S::AssessingCancellation),
        ),
        (
            S::AssessingCancellation,
            E::AcceptCancellation,
            To(S::PendingCancellation),
        ),
        (
            S::AssessingCancellation,
            E::DenyCancellation,
            BeforeCancellation,
        ),
        (
            S::PendingCancellation,
            E::ConfirmCancellation,
            To(S::Cancelled),
        ),
    ]
};

/// An item's state plus what it must remember to go back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemLifecycle {
    pub state: ItemState,
    /// The working state (`acknowledged` or `inProgress`) to resume to after held / pending.
    pub resume_to: Option<ItemState>,
    /// The exact state before `assessingCancellation`, restored when the cancel is denied.
    pub before_cancellation: Option<ItemState>,
}

impl Default for ItemLifecycle {
    fn default() -> Self {
        Self {
            state: ItemState::Acknowledged,
            resume_to: None,
            before_cancellation: None,
        }
    }
}

impl ItemLifecycle {
    pub fn new(state: ItemState) -> Self {
        Self {
            state,
            ..Self::default()
        }
    }

    /// Looks the event up in [`ITEM_TRANSITIONS`] and returns the item's next lifecycle.
    pub fn apply(self, event: ItemEvent) -> Result<ItemLifecycle, ItemRefusal> {
        let target = ITEM_TRANSITIONS
            .iter()
            .find(|(from, ev, _)| *from == self.state && *ev == event)
            .map(|(_, _, to)| *to)
            .ok_or(ItemRefusal {
                from: self.state,
                event,
            })?;
        let mut next = self;
        next.state = match target {
            ItemTarget::To(state) => state,
            ItemTarget::Resume => self.resume_to.unwrap_or(ItemState::Acknowledged),
            ItemTarget::BeforeCancellation => {
                self.before_cancellation.unwrap_or(ItemState::Acknowledged)
            }
        };
        match (self.state, next.state) {
            (
                ItemState::Acknowledged | ItemState::InProgress,
                ItemState::Held | ItemState::Pending,
            ) => {
                next.resume_to = Some(self.state);
            }
            (_, ItemState::AssessingCancellation) => next.before_cancellation = Some(self.state),
            _ => {}
        }
        if matches!(target, ItemTarget::Resume) {
            next.resume_to = None;
        }
        if matches!(target, ItemTarget::BeforeCancellation) {
            next.before_cancellation = None;
        }
        Ok(next)
    }
}

/// An item event the table does not allow from the item's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an item in state `{from}` cannot {event}")]
pub struct ItemRefusal {
    pub from: ItemState,
    pub event: ItemEvent,
}

/// Order-level flags that, with the item states, determine the order state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct OrderPhase {
    /// Created with `requestedInitialState = draft` and not yet submitted.
    pub draft: bool,
    /// Validation accepted the whole order.
    pub accepted: bool,
    /// Fulfilment has reported progress on at least one item: from here on the order can no
    /// longer be rejected or cancelled outright, only through a cancellation request.
    pub fulfilment_started: bool,
}

/// One roll-up rule: when `applies` holds for the item states, the order is in `state`.
#[derive(Debug, Clone, Copy)]
pub struct RollUpRule {
    pub name: &'static str,
    pub applies: fn(&ItemCounts) -> bool,
    pub state: OrderState,
}

/// How many items are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemCounts {
    counts: [usize; 11],
    total: usize,
}

impl ItemCounts {
    pub fn of(states: impl IntoIterator<Item = ItemState>) -> Self {
        let mut c = Self::default();
        for s in states {
            c.counts[Self::index(s)] += 1;
            c.total += 1;
        }
        c
    }

    fn index(s: ItemState) -> usize {
        ItemState::ALL.iter().position(|x| *x == s).unwrap_or(0)
    }

    pub fn get(&self, s: ItemState) -> usize {
        self.counts[Self::index(s)]
    }

    pub fn any(&self, s: ItemState) -> bool {
        self.get(s) > 0
    }

    pub fn all(&self, s: ItemState) -> bool {
        self.get(s) == self.total
    }

    /// Items not cancelled.
    fn live(&self) -> usize {
        self.total - self.get(ItemState::Cancelled)
    }

    fn terminal(&self) -> usize {
        ItemState::ALL
            .iter()
            .filter(|s| s.is_terminal())
            .map(|s| self.get(*s))
            .sum()
    }
}

/// The roll-up rules, first match wins. `Acknowledged` becomes `inProgress.accepted` once the
/// order is accepted, and `draft` overrides everything; see [`roll_up`].
pub const ROLL_UP_RULES: &[RollUpRule] = {
    use ItemState as I;
    use OrderState as O;
    &[
        // An order with nothing to deliver cannot be accepted.
        RollUpRule {
            name: "no items",
            applies: |c| c.total == 0,
            state: O::Rejected,
        },
        // Acceptance is all-or-nothing: one rejected item rejects the order.
        RollUpRule {
            name: "any rejected",
            applies: |c| c.any(I::Rejected),
            state: O::Rejected,
        },
        RollUpRule {
            name: "all cancelled",
            applies: |c| c.all(I::Cancelled),
            state: O::Cancelled,
        },
        RollUpRule {
            name: "any pending cancellation",
            applies: |c| c.any(I::PendingCancellation),
            state: O::PendingCancellation,
        },
        RollUpRule {
            name: "any assessing cancellation",
            applies: |c| c.any(I::AssessingCancellation),
            state: O::AssessingCancellation,
        },
        RollUpRule {
            name: "any held",
            applies: |c| c.any(I::Held),
            state: O::Held,
        },
        RollUpRule {
            name: "any pending",
            applies: |c| c.any(I::Pending),
            state: O::Pending,
        },
        RollUpRule {
            name: "any in progress",
            applies: |c| c.any(I::InProgress),
            state: O::InProgress,
        },
        RollUpRule {
            name: "all acknowledged",
            applies: |c| c.all(I::Acknowledged),
            state: O::Acknowledged,
        },
        RollUpRule {
            name: "all live items completed",
            applies: |c| c.terminal() == c.total && c.get(I::Completed) == c.live(),
            state: O::Completed,
        },
        RollUpRule {
            name: "all live items failed",
            applies: |c| c.terminal() == c.total && c.get(I::Failed) == c.live(),
            state: O::Failed,
        },
        RollUpRule {
            name: "all items finished, mixed outcomes",
            applies: |c| c.terminal() == c.total,
            state: O::Partial,
        },
        RollUpRule {
            name: "some items finished, others not started",
            applies: |_| true,
            state: O::InProgress,
        },
    ]
};

/// The order state for these item states and phase flags.
pub fn roll_up(items: impl IntoIterator<Item = ItemState>, phase: OrderPhase) -> OrderState {
    if phase.draft {
        return OrderState::Draft;
    }
    let counts = ItemCounts::of(items);
    let state = ROLL_UP_RULES
        .iter()
        .find(|rule| (rule.applies)(&counts))
        .map_or(OrderState::InProgress, |rule| rule.state);
    if state == OrderState::Acknowledged && phase.accepted {
        OrderState::InProgressAccepted
    } else {
        state
    }
}

pub fn derive_order_state(order: &ProductOrder) -> OrderState {
    roll_up(order.items.iter().map(|i| i.state()), order.phase)
}

wire_enum!(
    /// The kinds of order-level command, for the order transition table.
    OrderCommandKind {
        Submit => "submit",
        Accept => "accept",
        Reject => "reject",
        Hold => "hold",
        Pend => "pend",
        Resume => "resume",
        Cancel => "cancel",
        RequestCancellation => "requestCancellation",
        AcceptCancellation => "acceptCancellation",
        DenyCancellation => "denyCancellation",
        ConfirmCancellation => "confirmCancellation",
        Item => "itemEvent",
    }
);

/// A change to an order's lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "camelCase")]
pub enum OrderCommand {
    /// A draft is submitted for validation.
    Submit,
    /// Validation accepted every item.
    Accept,
    /// Validation (or a back-office user) refused the order.
    Reject { reason: String },
    /// The order cannot progress until someone acts (review, credit referral, SOM issue).
    Hold { reason: String },
    /// The order waits for information or a date (deposit, future start date).
    Pend { reason: String },
    /// The hold / pend is resolved.
    Resume,
    /// The order is abandoned before delivery started (credit declined, customer withdrew).
    Cancel { reason: String },
    /// A `CancelProductOrder` arrived: every unfinished item is assessed.
    RequestCancellation,
    /// The cancel is accepted, except for the listed items (past their point of no return),
    /// which go back to where they were.
    AcceptCancellation { refused: Vec<ItemId> },
    /// The cancel is denied: every assessed item goes back to where it was.
    DenyCancellation,
    /// Downstream confirmed the cancellation of every item pending cancellation.
    ConfirmCancellation,
    /// Fulfilment progress of one item (from the service order).
    Item { item: ItemId, event: ItemEvent },
}

impl OrderCommand {
    pub fn kind(&self) -> OrderCommandKind {
        match self {
            Self::Submit => OrderCommandKind::Submit,
            Self::Accept => OrderCommandKind::Accept,
            Self::Reject { .. } => OrderCommandKind::Reject,
            Self::Hold { .. } => OrderCommandKind::Hold,
            Self::Pend { .. } => OrderCommandKind::Pend,
            Self::Resume => OrderCommandKind::Resume,
            Self::Cancel { .. } => OrderCommandKind::Cancel,
            Self::RequestCancellation => OrderCommandKind::RequestCancellation,
            Self::AcceptCancellation { .. } => OrderCommandKind::AcceptCancellation,
            Self::DenyCancellation => OrderCommandKind::DenyCancellation,
            Self::ConfirmCancellation => OrderCommandKind::ConfirmCancellation,
            Self::Item { .. } => OrderCommandKind::Item,
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Self::Reject { reason }
            | Self::Hold { reason }
            | Self::Pend { reason }
            | Self::Cancel { reason } => Some(reason),
            _ => None,
        }
    }
}

/// Extra conditions an order transition needs beyond its `from` state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    None,
    /// Only before validation accepted the order.
    NotAccepted,
    /// Only once validation accepted the order.
    Accepted,
    /// Only before any item started delivery.
    NotStarted,
}

/// One row of the order transition table.
#[derive(Debug, Clone, Copy)]
pub struct OrderTransition {
    pub command: OrderCommandKind,
    pub from: &'static [OrderState],
    pub guard: Guard,
    /// The states the order may be in afterwards (derived by the roll-up).
    pub to: &'static [OrderState],
}

/// The order transition table. Anything not listed is refused.
pub const ORDER_TRANSITIONS: &[OrderTransition] = {
    use OrderCommandKind as C;
    use OrderState as O;
    const OPEN: &[O] = &[
        O::Acknowledged,
        O::InProgressAccepted,
        O::InProgress,
        O::Held,
        O::Pending,
    ];
    const AFTER_ITEM: &[O] = &[
        O::InProgressAccepted,
        O::InProgress,
        O::Held,
        O::Pending,
        O::Completed,
        O::Failed,
        O::Partial,
        O::Cancelled,
        O::PendingCancellation,
    ];
    &[
        OrderTransition {
            command: C::Submit,
            from: &[O::Draft],
            guard: Guard::None,
            to: &[O::Acknowledged],
        },
        OrderTransition {
            command: C::Accept,
            from: &[O::Acknowledged],
            guard: Guard::NotAccepted,
            to: &[O::InProgressAccepted],
        },
        OrderTransition {
            command: C::Reject,
            from: &[O::Acknowledged, O::Held, O::Pending],
            guard: Guard::NotAccepted,
            to: &[O::Rejected],
        },
        OrderTransition {
            command: C::Hold,
            from: &[
                O::Acknowledged,
                O::InProgressAccepted,
                O::InProgress,
                O::Pending,
            ],
            guard: Guard::None,
            to: &[O::Held],
        },
        OrderTransition {
            command: C::Pend,
            from: &[
                O::Acknowledged,
                O::InProgressAccepted,
                O::InProgress,
                O::Held,
            ],
            guard: Guard::None,
            to: &[O::Pending],
        },
        OrderTransition {
            command: C::Resume,
            from: &[O::Held, O::Pending],
            guard: Guard::None,
            to: &[O::Acknowledged, O::InProgressAccepted, O::InProgress],
        },
        OrderTransition {
            command: C::Cancel,
            from: &[
                O::Draft,
                O::Acknowledged,
                O::InProgressAccepted,
                O::Held,
                O::Pending,
            ],
            guard: Guard::NotStarted,
            to: &[O::Cancelled],
        },
        OrderTransition {
            command: C::RequestCancellation,
            from: OPEN,
            guard: Guard::None,
            to: &[O::AssessingCancellation],
        },
        OrderTransition {
            command: C::AcceptCancellation,
            from: &[O::AssessingCancellation],
            guard: Guard::None,
            to: &[
                O::PendingCancellation,
                // Every assessed item was refused: the order is back where it was.
                O::Acknowledged,
                O::InProgressAccepted,
                O::InProgress,
                O::Held,
                O::Pending,
            ],
        },
        OrderTransition {
            command: C::DenyCancellation,
            from: &[O::AssessingCancellation],
            guard: Guard::None,
            to: OPEN,
        },
        OrderTransition {
            command: C::ConfirmCancellation,
            from: &[O::PendingCancellation],
            guard: Guard::None,
            to: &[
                O::Cancelled,
                O::Completed,
                O::Failed,
                O::Partial,
                O::InProgress,
                O::Held,
                O::Pending,
            ],
        },
        OrderTransition {
            command: C::Item,
            from: &[
                O::InProgressAccepted,
                O::InProgress,
                O::Held,
                O::Pending,
                O::PendingCancellation,
            ],
            guard: Guard::Accepted,
            to: AFTER_ITEM,
        },
    ]
};

/// Item events that may arrive for a single item (fulfilment progress). Rejection, outright
/// cancellation and cancellation requests are order-level only.
pub const SINGLE_ITEM_EVENTS: &[ItemEvent] = &[
    ItemEvent::Start,
    ItemEvent::Complete,
    ItemEvent::CompletePartially,
    ItemEvent::Fail,
    ItemEvent::Hold,
    ItemEvent::Pend,
    ItemEvent::Resume,
    ItemEvent::ConfirmCancellation,
];

/// Why a lifecycle command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("an order in state `{from}` cannot {command}")]
    OrderRefused {
        from: OrderState,
        command: OrderCommandKind,
    },
    #[error("an order in state `{from}` cannot {command}: {why}")]
    GuardFailed {
        from: OrderState,
        command: OrderCommandKind,
        why: &'static str,
    },
    #[error("item `{item}`: {refusal}")]
    ItemRefused { item: ItemId, refusal: ItemRefusal },
    #[error("the order has no item `{0}`")]
    UnknownItem(ItemId),
    #[error("`{0}` applies to the whole order, not to a single item")]
    NotASingleItemEvent(ItemEvent),
    #[error("`{command}` from `{from}` would lead to `{to}`, which the table does not allow")]
    Inconsistent {
        from: OrderState,
        command: OrderCommandKind,
        to: OrderState,
    },
}

/// Applies a lifecycle command to an order, returning the changed order. Pure: `now` stamps the
/// state change. Either every affected item moves, or the command is refused and nothing moves.
pub fn apply(
    order: &ProductOrder,
    command: &OrderCommand,
    now: DateTime<Utc>,
) -> Result<ProductOrder, TransitionError> {
    let from = order.state();
    let kind = command.kind();
    let row = ORDER_TRANSITIONS
        .iter()
        .find(|t| t.command == kind && t.from.contains(&from))
        .ok_or(TransitionError::OrderRefused {
            from,
            command: kind,
        })?;
    let guard_failure = match row.guard {
        Guard::None => None,
        Guard::NotAccepted if order.phase.accepted => Some("the order was already accepted"),
        Guard::Accepted if !order.phase.accepted => Some("the order has not been accepted"),
        Guard::NotStarted if order.phase.fulfilment_started => {
            Some("delivery has started; request a cancellation instead")
        }
        _ => None,
    };
    if let Some(why) = guard_failure {
        return Err(TransitionError::GuardFailed {
            from,
            command: kind,
            why,
        });
    }

    let mut next = order.clone();
    match command {
        OrderCommand::Submit => next.phase.draft = false,
        OrderCommand::Accept => next.phase.accepted = true,
        OrderCommand::Item { item, event } => {
            if !SINGLE_ITEM_EVENTS.contains(event) {
                return Err(TransitionError::NotASingleItemEvent(*event));
            }
            let target = next
                .item_mut(item)
                .ok_or_else(|| TransitionError::UnknownItem(item.clone()))?;
            target.lifecycle =
                target
                    .lifecycle
                    .apply(*event)
                    .map_err(|refusal| TransitionError::ItemRefused {
                        item: item.clone(),
                        refusal,
                    })?;
            // Any progress report means the item is with fulfilment downstream.
            next.phase.fulfilment_started = true;
        }
        OrderCommand::AcceptCancellation { refused } => {
            for item in &mut next.items {
                if item.state() != ItemState::AssessingCancellation {
                    continue;
                }
                let event = if refused.contains(&item.id) {
                    ItemEvent::DenyCancellation
                } else {
                    ItemEvent::AcceptCancellation
                };
                move_item(item, event)?;
            }
        }
        _ => {
            let event = order_event_for_items(kind);
            for item in &mut next.items {
                if item_takes_part(item.state(), event) {
                    move_item(item, event)?;
                }
            }
            if kind == OrderCommandKind::Cancel || kind == OrderCommandKind::Submit {
                next.phase.draft = false;
            }
        }
    }

    let to = next.state();
    if !row.to.contains(&to) {
        return Err(TransitionError::Inconsistent {
            from,
            command: kind,
            to,
        });
    }
    if let Some(reason) = command.reason() {
        next.state_reason = Some(reason.to_owned());
    } else if matches!(kind, OrderCommandKind::Resume | OrderCommandKind::Accept) {
        next.state_reason = None;
    }
    if kind == OrderCommandKind::Cancel || to == OrderState::Cancelled {
        next.cancellation_date.get_or_insert(now);
        if let Some(reason) = command.reason() {
            next.cancellation_reason = Some(reason.to_owned());
        }
    }
    if matches!(
        to,
        OrderState::Completed | OrderState::Failed | OrderState::Partial
    ) {
        next.completion_date.get_or_insert(now);
    }
    if to != from {
        next.state_changed_at = now;
    }
    Ok(next)
}

fn move_item(item: &mut crate::order::OrderItem, event: ItemEvent) -> Result<(), TransitionError> {
    item.lifecycle =
        item.lifecycle
            .apply(event)
            .map_err(|refusal| TransitionError::ItemRefused {
                item: item.id.clone(),
                refusal,
            })?;
    Ok(())
}

/// The item event an order-level command sends to its items.
fn order_event_for_items(kind: OrderCommandKind) -> ItemEvent {
    match kind {
        OrderCommandKind::Reject => ItemEvent::Reject,
        OrderCommandKind::Hold => ItemEvent::Hold,
        OrderCommandKind::Pend => ItemEvent::Pend,
        OrderCommandKind::Resume => ItemEvent::Resume,
        OrderCommandKind::Cancel => ItemEvent::Cancel,
        OrderCommandKind::RequestCancellation => ItemEvent::RequestCancellation,
        OrderCommandKind::DenyCancellation => ItemEvent::DenyCancellation,
        OrderCommandKind::ConfirmCancellation => ItemEvent::ConfirmCancellation,
        // Submit and Accept change phase flags only; the remaining kinds are handled by the
        // caller. `Start` is harmless here because no item takes part for these kinds.
        OrderCommandKind::Submit
        | OrderCommandKind::Accept
        | OrderCommandKind::AcceptCancellation
        | OrderCommandKind::Item => ItemEvent::Start,
    }
}

/// Which items an order-level command moves: the unfinished ones it applies to.
fn item_takes_part(state: ItemState, event: ItemEvent) -> bool {
    match event {
        ItemEvent::Resume => matches!(state, ItemState::Held | ItemState::Pending),
        ItemEvent::DenyCancellation => state == ItemState::AssessingCancellation,
        ItemEvent::ConfirmCancellation => state == ItemState::PendingCancellation,
        ItemEvent::Hold => !state.is_terminal() && state != ItemState::Held,
        ItemEvent::Pend => !state.is_terminal() && state != ItemState::Pending,
        ItemEvent::Start => false,
        _ => !state.is_terminal(),
    }
}

wire_enum!(
    /// Event on a cancel request.
    CancelEvent {
        Accept => "accept",
        Reject => "reject",
        Finish => "finish",
        FinishWithError => "finishWithError",
        Withdraw => "withdraw",
    }
);

/// The cancel request transition table.
pub const CANCEL_TRANSITIONS: &[(CancelState, CancelEvent, CancelState)] = {
    use CancelEvent as E;
    use CancelState as S;
    &[
        (S::Acknowledged, E::Accept, S::InProgress),
        (S::Acknowledged, E::Reject, S::Rejected),
        (S::Acknowledged, E::Withdraw, S::Cancelled),
        (S::InProgress, E::Finish, S::Done),
        (S::InProgress, E::FinishWithError, S::TerminatedWithError),
        (S::InProgress, E::Withdraw, S::Cancelled),
    ]
};

/// An event the cancel request table does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a cancel request in state `{from}` cannot {event}")]
pub struct CancelRefusal {
    pub from: CancelState,
    pub event: CancelEvent,
}

pub fn apply_cancel_event(
    from: CancelState,
    event: CancelEvent,
) -> Result<CancelState, CancelRefusal> {
    CANCEL_TRANSITIONS
        .iter()
        .find(|(f, e, _)| *f == from && *e == event)
        .map(|(_, _, to)| *to)
        .ok_or(CancelRefusal { from, event })
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
