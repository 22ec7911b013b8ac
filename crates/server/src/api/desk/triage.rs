//! What the desk reads off a waiting order, and what working it means — pure functions of the
//! order (and the catalog), no I/O, so the handlers only fetch, call and write.
//!
//! * [`DeskQueue`]: the team queue an entry belongs to. The store keeps one entry per order by
//!   *state* (held, pending, cancellation assessment, jeopardy); the desk splits held and pending
//!   work by *why*: the validation verdict's hold queue (fraud, credit referral, review, capacity,
//!   deposit — routed by the domain's [`HoldQueue::for_result`]), a scheduled wait, or a hold
//!   someone else put on the order.
//! * [`hold_reasons`]: the held results of the verdict that put the order where it is, read back
//!   from its `productOrderErrorMessage`s (the verdict itself is not stored).
//! * [`resolution`]: what "resolve" does to a waiting order: resume it into the lifecycle, or
//!   resume it and validate it again with the checks the desk has just cleared waived; or why it
//!   cannot be resolved that way.
//! * [`new_monthly_charges`]: what the order adds to the customer's monthly bill, for the credit
//!   desk's view of exposure.
//!
//! Left to the domain: the lifecycle (which command is legal), the verdict, the queue order and
//! the claim rules. Left to the handlers: claims, storage, permissions.

use chrono::{DateTime, Utc};
use orderdesk_domain::catalog::Catalog;
use orderdesk_domain::desk::jeopardy::{findings, JeopardyPolicy};
use orderdesk_domain::desk::schedule::is_scheduled_wait;
use orderdesk_domain::desk::{QueueKind, Severity};
use orderdesk_domain::order::ErrorMessage;
use orderdesk_domain::validation::{codes, CheckKind, CheckResult, HoldQueue, Outcome};
use orderdesk_domain::{ItemAction, Money, OrderState, ProductOrder};
use rust_decimal::Decimal;
use std::fmt;

/// The state reason a supervisor's deposit demand gives the order (`deposit required: …`).
pub const DEPOSIT_REASON_PREFIX: &str = "deposit required: ";

/// The team queue a desk entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeskQueue {
    /// Held by fraud screening.
    Fraud,
    /// Held by credit vetting for a supervisor.
    CreditReferral,
    /// Held for a back-office review (duplicates, contract conflicts, catalog data).
    Review,
    /// Held until a port frees up at the exchange.
    Capacity,
    /// Pending until the customer pays a deposit.
    Deposit,
    /// Pending until its scheduled release (the workflow releases it; nothing to work).
    Scheduled,
    /// Held for another reason (fulfilment, a manual hold).
    Held,
    /// Pending for another reason (information from the customer).
    Pending,
    /// A cancel request is being assessed.
    CancellationAssessment,
    /// On the jeopardy board only.
    Jeopardy,
}

impl DeskQueue {
    pub const ALL: &'static [DeskQueue] = &[
        Self::Fraud,
        Self::CreditReferral,
        Self::Review,
        Self::Capacity,
        Self::Deposit,
        Self::Scheduled,
        Self::Held,
        Self::Pending,
        Self::CancellationAssessment,
        Self::Jeopardy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fraud => "fraud",
            Self::CreditReferral => "creditReferral",
            Self::Review => "review",
            Self::Capacity => "capacity",
            Self::Deposit => "deposit",
            Self::Scheduled => "scheduled",
            Self::Held => "held",
            Self::Pending => "pending",
            Self::CancellationAssessment => "cancellationAssessment",
            Self::Jeopardy => "jeopardy",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|q| q.as_str() == s)
    }

    /// Whether deciding the entry is a credit decision (a supervisor's alone).
    pub fn is_credit(self) -> bool {
        matches!(self, Self::CreditReferral | Self::Deposit)
    }

    fn of_hold(queue: HoldQueue) -> Self {
        match queue {
            HoldQueue::Fraud => Self::Fraud,
            HoldQueue::CreditReferral => Self::CreditReferral,
            HoldQueue::Review => Self::Review,
            HoldQueue::Capacity => Self::Capacity,
            HoldQueue::Deposit => Self::Deposit,
        }
    }
}

impl fmt::Display for DeskQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The check that produced an error message: named by its label (what the server writes in
/// `reason`), else by the code's prefix (`FRAUD_…`).
pub fn check_of(message: &ErrorMessage) -> Option<CheckKind> {
    if let Some(kind) = CheckKind::ALL
        .iter()
        .copied()
        .find(|k| k.label() == message.reason)
    {
        return Some(kind);
    }
    let prefix = message.code.split('_').next().unwrap_or("");
    let kind = match prefix {
        "CATALOG" => CheckKind::Catalog,
        "ADDRESS" => CheckKind::Address,
        "INVENTORY" => CheckKind::Inventory,
        "DUPLICATE" => CheckKind::Duplicate,
        "RULE" => CheckKind::BusinessRules,
        "FRAUD" => CheckKind::Fraud,
        "CREDIT" => CheckKind::Credit,
        _ => return None,
    };
    Some(kind)
}

/// The held results of the verdict behind the order's current stay in `held` / `pending`: the
/// error messages with status `hold` written when the order entered its state (the newest such
/// batch, not older than the stay). Empty when something other than validation put it there.
pub fn hold_reasons(order: &ProductOrder) -> Vec<&ErrorMessage> {
    if !matches!(order.state(), OrderState::Held | OrderState::Pending) {
        return Vec::new();
    }
    let held = || {
        order
            .error_messages
            .iter()
            .filter(|m| m.status.as_deref() == Some(Outcome::Hold.as_str()))
            .filter(|m| m.timestamp >= order.state_changed_at)
    };
    let Some(latest) = held().map(|m| m.timestamp).max() else {
        return Vec::new();
    };
    held().filter(|m| m.timestamp == latest).collect()
}

/// The domain's routing of one held result. It reads the code only to tell a deposit from a
/// referral, so any other code stands for "not a deposit".
fn hold_queue_of(kind: CheckKind, code: &str) -> HoldQueue {
    let code = if code == codes::CREDIT_DEPOSIT_REQUIRED {
        codes::CREDIT_DEPOSIT_REQUIRED
    } else {
        codes::CHECK_SILENT
    };
    HoldQueue::for_result(&CheckResult::new(kind, Outcome::Hold, code, String::new()))
}

/// The desk queue of an entry of `kind` for `order`.
pub fn desk_queue(kind: QueueKind, order: &ProductOrder) -> DeskQueue {
    match kind {
        QueueKind::CancellationAssessment => return DeskQueue::CancellationAssessment,
        QueueKind::Jeopardy => return DeskQueue::Jeopardy,
        QueueKind::Held | QueueKind::Pending => {}
    }
    let state = order.state();
    if is_scheduled_wait(order) {
        return DeskQueue::Scheduled;
    }
    let by_supervisor = order
        .state_reason
        .as_deref()
        .is_some_and(|r| r.starts_with(DEPOSIT_REASON_PREFIX));
    if state == OrderState::Pending && by_supervisor {
        return DeskQueue::Deposit;
    }
    let verdict = hold_reasons(order)
        .into_iter()
        .filter_map(|m| check_of(m).map(|k| hold_queue_of(k, &m.code)))
        .max();
    match (verdict, state) {
        (Some(queue), _) => DeskQueue::of_hold(queue),
        (None, OrderState::Pending) => DeskQueue::Pending,
        (None, _) if kind == QueueKind::Pending => DeskQueue::Pending,
        (None, _) => DeskQueue::Held,
    }
}

/// The worst jeopardy the order is in at `now` (the domain's SLA table and dates), if any.
pub fn jeopardy(order: &ProductOrder, now: DateTime<Utc>) -> Option<Severity> {
    findings(order, now, &JeopardyPolicy::default())
        .into_iter()
        .map(|f| f.severity)
        .max()
}

/// What resolving a waiting order does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The order had been accepted (held or pended in flight): resume it where it was.
    Resume,
    /// The order waits for validation's sake: resume it and validate it again, with the checks
    /// the desk has cleared left out (their holds are what the desk resolved).
    Revalidate { waive: Vec<CheckKind> },
}

/// Why a waiting order cannot be resolved by the desk this way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotResolvable {
    #[error("the order is `{0}`: only held and pending orders are resolved")]
    NotWaiting(OrderState),
    #[error("the order waits for a deposit: record it (creditExceptions/{{id}}/depositRecorded) or have a supervisor approve without one")]
    AwaitsDeposit,
    #[error("the order waits for its scheduled release; it moves on by itself")]
    Scheduled,
}

/// What resolving `order`, waiting in `queue`, does — the checks whose holds put it there are
/// waived on the new validation (a credit referral's credit check, a fraud hold's screening...),
/// every other check runs again.
pub fn resolution(queue: DeskQueue, order: &ProductOrder) -> Result<Resolution, NotResolvable> {
    let state = order.state();
    if !matches!(state, OrderState::Held | OrderState::Pending) {
        return Err(NotResolvable::NotWaiting(state));
    }
    match queue {
        DeskQueue::Scheduled => return Err(NotResolvable::Scheduled),
        DeskQueue::Deposit => return Err(NotResolvable::AwaitsDeposit),
        _ => {}
    }
    if order.phase.accepted {
        return Ok(Resolution::Resume);
    }
    let mut waive: Vec<CheckKind> = hold_reasons(order)
        .into_iter()
        .filter_map(check_of)
        .collect();
    if queue == DeskQueue::CreditReferral && !waive.contains(&CheckKind::Credit) {
        waive.push(CheckKind::Credit);
    }
    waive.sort();
    waive.dedup();
    Ok(Resolution::Revalidate { waive })
}

/// The credit decisions' resolution: approving (with or without a collected deposit) waives the
/// credit check and validates again; the order must be waiting in a credit queue.
pub fn credit_approval(queue: DeskQueue, order: &ProductOrder) -> Result<Resolution, NotCredit> {
    let state = order.state();
    if !queue.is_credit() || !matches!(state, OrderState::Held | OrderState::Pending) {
        return Err(NotCredit { queue, state });
    }
    if order.phase.accepted {
        return Ok(Resolution::Resume);
    }
    // A decision (or a deposit collected) settles credit; other holds of the same verdict were
    // less pressing and are checked again.
    Ok(Resolution::Revalidate {
        waive: vec![CheckKind::Credit],
    })
}

/// An order that is not a credit exception.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the order is `{state}` in the `{queue}` queue, not waiting for a credit decision")]
pub struct NotCredit {
    pub queue: DeskQueue,
    pub state: OrderState,
}

/// The monthly charges the order adds (recurring prices of added items, times their quantity)
/// and removes (ceased items), in `currency`; charges in another currency are left out and
/// reported. Modifies and no-change items are taken as price-neutral, as credit vetting takes
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyCharges {
    pub added: Money,
    pub removed: Money,
    pub foreign: Vec<String>,
}

pub fn new_monthly_charges(
    order: &ProductOrder,
    catalog: &dyn Catalog,
    currency: &str,
) -> MonthlyCharges {
    let mut added = Decimal::ZERO;
    let mut removed = Decimal::ZERO;
    let mut foreign = Vec::new();
    for item in &order.items {
        let sum = match item.action {
            ItemAction::Add => &mut added,
            ItemAction::Delete => &mut removed,
            ItemAction::Modify | ItemAction::NoChange => continue,
        };
        let Some(monthly) = item
            .offering
            .as_ref()
            .and_then(|id| catalog.offering(id))
            .and_then(|o| o.monthly_charge())
        else {
            continue;
        };
        if monthly.currency != currency {
            if !foreign.contains(&monthly.currency) {
                foreign.push(monthly.currency.clone());
            }
            continue;
        }
        *sum = monthly
            .amount
            .checked_mul(Decimal::from(item.quantity))
            .and_then(|m| sum.checked_add(m))
            .unwrap_or(Decimal::MAX);
    }
    MonthlyCharges {
        added: Money::new(added, currency),
        removed: Money::new(removed, currency),
        foreign,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::lifecycle::{apply, OrderCommand};
    use orderdesk_domain::order::ErrorMessage;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, h, 0, 0).unwrap()
    }

    fn fixtures() -> orderdesk_fixtures::Fixtures {
        orderdesk_fixtures::Fixtures::load_default().unwrap()
    }

    fn order() -> ProductOrder {
        fixtures()
            .order_from_quote("QT-CREDIT-REFER", "O-1".into(), t(9))
            .unwrap()
    }

    fn submitted(order: &ProductOrder, at: DateTime<Utc>) -> ProductOrder {
        if order.state() == OrderState::Draft {
            apply(order, &OrderCommand::Submit, at).unwrap()
        } else {
            order.clone()
        }
    }

    fn message(code: &str, kind: CheckKind, status: &str, at: DateTime<Utc>) -> ErrorMessage {
        ErrorMessage {
            code: code.to_owned(),
            reason: kind.label().to_owned(),
            message: "m".to_owned(),
            status: Some(status.to_owned()),
            timestamp: at,
            items: Vec::new(),
        }
    }

    fn held(messages: &[(&str, CheckKind)], at: DateTime<Utc>) -> ProductOrder {
        let o = submitted(&order(), t(9));
        let mut o = apply(&o, &OrderCommand::Hold { reason: "x".into() }, at).unwrap();
        for (code, kind) in messages {
            o.error_messages.push(message(code, *kind, "hold", at));
        }
        o
    }

    #[test]
    fn the_most_pressing_hold_of_the_verdict_names_the_queue() {
        let cases: &[(&[(&str, CheckKind)], DeskQueue)] = &[
            (
                &[(codes::CREDIT_REFER, CheckKind::Credit)],
                DeskQueue::CreditReferral,
            ),
            (
                &[(codes::INVENTORY_EXCHANGE_FULL, CheckKind::Inventory)],
                DeskQueue::Capacity,
            ),
            (
                &[
                    (codes::INVENTORY_EXCHANGE_FULL, CheckKind::Inventory),
                    (codes::CREDIT_REFER, CheckKind::Credit),
                ],
                DeskQueue::CreditReferral,
            ),
            (
                &[
                    (codes::FRAUD_VELOCITY_PAYMENT, CheckKind::Fraud),
                    (codes::CREDIT_REFER, CheckKind::Credit),
                ],
                DeskQueue::Fraud,
            ),
            (
                &[(codes::DUPLICATE_OPEN_ORDER, CheckKind::Duplicate)],
                DeskQueue::Review,
            ),
            (&[], DeskQueue::Held),
        ];
        for (messages, expected) in cases {
            let o = held(messages, t(10));
            assert_eq!(desk_queue(QueueKind::Held, &o), *expected, "{messages:?}");
        }
    }

    #[test]
    fn messages_of_an_earlier_stay_do_not_count() {
        let mut o = held(&[], t(10));
        o.error_messages.push(message(
            codes::CREDIT_REFER,
            CheckKind::Credit,
            "hold",
            t(9),
        ));
        assert!(hold_reasons(&o).is_empty());
        assert_eq!(desk_queue(QueueKind::Held, &o), DeskQueue::Held);
    }

    #[test]
    fn deposits_by_the_verdict_or_by_a_supervisor() {
        let o = submitted(&order(), t(9));
        let mut verdict = apply(
            &o,
            &OrderCommand::Pend {
                reason: "CREDIT_DEPOSIT_REQUIRED: x".into(),
            },
            t(10),
        )
        .unwrap();
        verdict.error_messages.push(message(
            codes::CREDIT_DEPOSIT_REQUIRED,
            CheckKind::Credit,
            "hold",
            t(10),
        ));
        assert_eq!(desk_queue(QueueKind::Pending, &verdict), DeskQueue::Deposit);
        let by_supervisor = apply(
            &held(&[(codes::CREDIT_REFER, CheckKind::Credit)], t(10)),
            &OrderCommand::Pend {
                reason: format!("{DEPOSIT_REASON_PREFIX}100 EUR"),
            },
            t(11),
        )
        .unwrap();
        assert_eq!(
            desk_queue(QueueKind::Pending, &by_supervisor),
            DeskQueue::Deposit
        );
        assert_eq!(
            resolution(DeskQueue::Deposit, &by_supervisor),
            Err(NotResolvable::AwaitsDeposit)
        );
        assert_eq!(
            credit_approval(DeskQueue::Deposit, &by_supervisor),
            Ok(Resolution::Revalidate {
                waive: vec![CheckKind::Credit]
            })
        );
    }

    #[test]
    fn resolving_waives_what_held_the_order() {
        let o = held(
            &[
                (codes::FRAUD_IDENTITY_MISMATCH, CheckKind::Fraud),
                (codes::INVENTORY_EXCHANGE_FULL, CheckKind::Inventory),
            ],
            t(10),
        );
        let queue = desk_queue(QueueKind::Held, &o);
        assert_eq!(queue, DeskQueue::Fraud);
        assert_eq!(
            resolution(queue, &o),
            Ok(Resolution::Revalidate {
                waive: vec![CheckKind::Fraud, CheckKind::Inventory]
            })
        );
        let credit = held(&[(codes::CREDIT_REFER, CheckKind::Credit)], t(10));
        assert_eq!(
            resolution(DeskQueue::CreditReferral, &credit),
            Ok(Resolution::Revalidate {
                waive: vec![CheckKind::Credit]
            })
        );
    }

    #[test]
    fn accepted_orders_resume_and_finished_ones_are_not_resolved() {
        let o = submitted(&order(), t(9));
        let accepted = apply(&o, &OrderCommand::Accept, t(10)).unwrap();
        let held = apply(
            &accepted,
            &OrderCommand::Hold {
                reason: "SOM fault".into(),
            },
            t(11),
        )
        .unwrap();
        assert_eq!(desk_queue(QueueKind::Held, &held), DeskQueue::Held);
        assert_eq!(resolution(DeskQueue::Held, &held), Ok(Resolution::Resume));
        assert_eq!(
            resolution(DeskQueue::Held, &accepted),
            Err(NotResolvable::NotWaiting(OrderState::InProgressAccepted))
        );
        assert!(credit_approval(DeskQueue::Fraud, &held).is_err());
    }

    #[test]
    fn codes_name_their_check_without_a_label() {
        let mut m = message(
            codes::FRAUD_VELOCITY_CUSTOMER,
            CheckKind::Fraud,
            "hold",
            t(1),
        );
        m.reason = "something else".into();
        assert_eq!(check_of(&m), Some(CheckKind::Fraud));
        m.code = "PLUGGED_IN".into();
        assert_eq!(check_of(&m), None);
    }

    #[test]
    fn monthly_charges_of_the_added_items() {
        let f = fixtures();
        let catalog = f.catalog();
        let deposit = f
            .order_from_quote("QT-CREDIT-DEPOSIT", "O-2".into(), t(9))
            .unwrap();
        let charges = new_monthly_charges(&deposit, catalog, "EUR");
        // SuperFibre 200 (49.95) + IPTV (17.50), as the scenario's deposit of 3 × 67.45 says.
        assert_eq!(charges.added.amount, Decimal::new(6745, 2));
        assert_eq!(charges.removed.amount, Decimal::ZERO);
        assert!(charges.foreign.is_empty());
        assert!(new_monthly_charges(&deposit, catalog, "USD")
            .foreign
            .contains(&"EUR".to_owned()));
    }
}
