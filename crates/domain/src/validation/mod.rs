//! The validation pipeline: decides whether a submitted product order is accepted, held (and in
//! which queue) or rejected, and says why, item by item and field by field.
//!
//! Each check is a [`Check`]: a pluggable rule that reads the order and, through the traits in
//! [`ValidationContext`], the catalog, addresses, customers, inventory and other orders, and pushes
//! [`CheckResult`]s: at least one per check, a pass included, so the desk can show a tick per
//! check. [`Pipeline`] runs its checks and folds the results into a [`Verdict`]: any reject
//! rejects the whole order (TMF622 acceptance is all-or-nothing), else any hold holds it in the
//! [`HoldQueue`] of the most pressing hold, else the order is accepted with its warnings.
//!
//! The standard checks, in pipeline order: [`CatalogConformance`], [`AddressQualification`],
//! [`PortCapacity`], [`DuplicateDetection`], [`BusinessRules`], [`FraudScreening`],
//! [`CreditVetting`]. Their codes are listed in [`codes`]; their tunables in
//! [`ValidationPolicy`].
//!
//! Left to others: serving the reference data (fixtures now, real systems later, behind the
//! traits), applying the decision ([`crate::lifecycle::apply`] with [`Decision::command`]),
//! storing verdicts, and the wire shape of `productOrderErrorMessage` (the tmf crate).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::catalog::{Catalog, ProductOffering, Technology};
use crate::ids::{ItemId, OfferingId};
use crate::lifecycle::OrderCommand;
use crate::money::Money;
use crate::order::{ErrorMessage, OrderItem, ProductOrder};
use crate::reference::{Address, AddressDirectory, CustomerDirectory, Inventory, OrderHistory};

mod address;
mod business_rules;
mod capacity;
mod catalog;
pub mod codes;
mod credit;
mod duplicate;
mod fraud;
mod policy;
#[cfg(test)]
mod test_support;

pub use self::address::AddressQualification;
pub use self::business_rules::BusinessRules;
pub use self::capacity::PortCapacity;
pub use self::catalog::CatalogConformance;
pub use self::credit::CreditVetting;
pub use self::duplicate::DuplicateDetection;
pub use self::fraud::FraudScreening;
pub use self::policy::{
    CapacityPolicy, CreditPolicy, FraudPolicy, RiskThresholds, RulesPolicy, ValidationPolicy,
};

/// How bad a result is. Declared from least to most severe, so `max` gives the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// Nothing wrong.
    Pass,
    /// Worth telling the agent; does not stop the order.
    Warn,
    /// Someone (or something: a deposit, free capacity) must act before the order proceeds.
    Hold,
    /// The order cannot be accepted as it is.
    Reject,
}

impl Outcome {
    pub const ALL: &'static [Outcome] = &[Self::Pass, Self::Warn, Self::Hold, Self::Reject];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Hold => "hold",
            Self::Reject => "reject",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which check produced a result. The wire names are stable: the UI and reports key on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CheckKind {
    Catalog,
    Address,
    Credit,
    Fraud,
    Duplicate,
    Inventory,
    BusinessRules,
}

impl CheckKind {
    pub const ALL: &'static [CheckKind] = &[
        Self::Catalog,
        Self::Address,
        Self::Credit,
        Self::Fraud,
        Self::Duplicate,
        Self::Inventory,
        Self::BusinessRules,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Catalog => "catalog",
            Self::Address => "address",
            Self::Credit => "credit",
            Self::Fraud => "fraud",
            Self::Duplicate => "duplicate",
            Self::Inventory => "inventory",
            Self::BusinessRules => "businessRules",
        }
    }

    /// What the desk calls the check.
    pub fn label(self) -> &'static str {
        match self {
            Self::Catalog => "Catalog conformance",
            Self::Address => "Address qualification",
            Self::Credit => "Credit vetting",
            Self::Fraud => "Fraud screening",
            Self::Duplicate => "Duplicate detection",
            Self::Inventory => "Port capacity",
            Self::BusinessRules => "Business rules",
        }
    }
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A way out of a failed check, e.g. "HFC available here: SuperFibre 100 Cable".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub message: String,
    /// The offering to switch to, when the fix is one (the desk offers a one-click swap).
    pub offering: Option<OfferingId>,
}

/// One finding of one check.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub check: CheckKind,
    pub outcome: Outcome,
    /// Stable machine code (see [`codes`]); the UI switches on it, never on the message.
    pub code: &'static str,
    /// For the agent, in plain words.
    pub message: String,
    /// TMF622 JSON path of the offending field, e.g. `productOrderItem[1].productOffering.id`.
    pub field: Option<String>,
    pub item: Option<ItemId>,
    pub suggestion: Option<Suggestion>,
    /// The sum the result is about: the deposit to collect for `CREDIT_DEPOSIT_REQUIRED`.
    pub amount: Option<Money>,
}

impl CheckResult {
    pub fn new(
        check: CheckKind,
        outcome: Outcome,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            check,
            outcome,
            code,
            message: message.into(),
            field: None,
            item: None,
            suggestion: None,
            amount: None,
        }
    }

    /// Points the result at an item (`index` in `order.items`) and a path below it, e.g.
    /// [`path::OFFERING`].
    pub fn at(mut self, index: usize, item: &OrderItem, below_item: &str) -> Self {
        self.item = Some(item.id.clone());
        self.field = Some(path::item(index, below_item));
        self
    }

    /// Points the result at an item and a full path, e.g. [`path::characteristic`].
    pub fn at_field(mut self, item: &OrderItem, field: String) -> Self {
        self.item = Some(item.id.clone());
        self.field = Some(field);
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn suggest(mut self, message: impl Into<String>, offering: Option<OfferingId>) -> Self {
        self.suggestion = Some(Suggestion {
            message: message.into(),
            offering,
        });
        self
    }

    pub fn with_amount(mut self, amount: Money) -> Self {
        self.amount = Some(amount);
        self
    }
}

/// TMF622 JSON paths for [`CheckResult::field`], so the desk can put a message beside its field.
pub mod path {
    pub const OFFERING: &str = ".productOffering.id";
    /// The offering reference itself, when it is missing altogether.
    pub const OFFERING_REF: &str = ".productOffering";
    pub const PLACE: &str = ".product.place[0].id";
    /// The place reference itself, when it is missing altogether.
    pub const PLACE_REF: &str = ".product.place";
    /// The installed product a modify / delete / noChange item refers to.
    pub const PRODUCT: &str = ".product.id";
    pub const QUANTITY: &str = ".quantity";
    pub const EXTERNAL_ID: &str = "externalId";
    pub const PAYMENT_METHOD: &str = "payment[0].id";
    pub const PAYMENT_HOLDER: &str = "payment[0].name";
    pub const CUSTOMER: &str = "relatedParty[role=customer].id";

    /// `productOrderItem[index]` followed by `below_item`.
    pub fn item(index: usize, below_item: &str) -> String {
        format!("productOrderItem[{index}]{below_item}")
    }

    pub fn characteristic(index: usize, name: &str) -> String {
        format!("productOrderItem[{index}].product.productCharacteristic[name={name}].value")
    }
}

/// Everything a check may read besides the order. Time is passed in: checks never read a clock.
#[derive(Clone, Copy)]
pub struct ValidationContext<'a> {
    pub now: DateTime<Utc>,
    pub catalog: &'a dyn Catalog,
    pub addresses: &'a dyn AddressDirectory,
    pub customers: &'a dyn CustomerDirectory,
    pub inventory: &'a dyn Inventory,
    pub orders: &'a dyn OrderHistory,
    pub policy: &'a ValidationPolicy,
}

impl fmt::Debug for ValidationContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The data sources are trait objects without Debug; the time and policy are what
        // explain a verdict.
        f.debug_struct("ValidationContext")
            .field("now", &self.now)
            .field("policy", self.policy)
            .finish_non_exhaustive()
    }
}

/// One pluggable validation rule. Implementations read their data only through `ctx`, so the
/// same rule runs against fixtures in tests and real systems in production.
pub trait Check: fmt::Debug + Send + Sync {
    fn kind(&self) -> CheckKind;

    /// Appends this check's findings to `out`: at least one, a pass when nothing is wrong. Must
    /// not panic, whatever the order holds (unknown offerings, dangling places...).
    fn run(&self, order: &ProductOrder, ctx: &ValidationContext<'_>, out: &mut Vec<CheckResult>);
}

/// An ordered set of checks.
#[derive(Debug, Default)]
pub struct Pipeline {
    checks: Vec<Box<dyn Check>>,
}

impl Pipeline {
    /// A pipeline with no checks; it accepts every order.
    pub fn new() -> Self {
        Self::default()
    }

    /// The seven standard checks. Structural checks come first and credit last, so a reader of
    /// the results meets "what is wrong with the order" before "what is wrong with the customer".
    /// Every check runs whatever the earlier ones found: the agent fixes everything in one pass.
    pub fn standard() -> Self {
        Self::new()
            .with(CatalogConformance)
            .with(AddressQualification)
            .with(PortCapacity)
            .with(DuplicateDetection)
            .with(BusinessRules)
            .with(FraudScreening)
            .with(CreditVetting)
    }

    /// Appends a check.
    pub fn with(mut self, check: impl Check + 'static) -> Self {
        self.checks.push(Box::new(check));
        self
    }

    /// Removes every check of this kind (e.g. a partner channel that vets credit itself).
    pub fn without(mut self, kind: CheckKind) -> Self {
        self.checks.retain(|c| c.kind() != kind);
        self
    }

    /// The kinds of the checks, in running order.
    pub fn kinds(&self) -> impl Iterator<Item = CheckKind> + '_ {
        self.checks.iter().map(|c| c.kind())
    }

    pub fn validate(&self, order: &ProductOrder, ctx: &ValidationContext<'_>) -> Verdict {
        let mut results = Vec::with_capacity(self.checks.len() * 2);
        for check in &self.checks {
            let before = results.len();
            check.run(order, ctx, &mut results);
            if results.len() == before {
                // A plugged-in check that reports nothing cannot be told from one that was
                // skipped: hold rather than accept unseen.
                results.push(CheckResult::new(
                    check.kind(),
                    Outcome::Hold,
                    codes::CHECK_SILENT,
                    format!("{} reported no result", check.kind().label()),
                ));
            }
        }
        Verdict::from_results(results)
    }
}

/// The queue a held order waits in. Declared from least to most pressing: when several holds
/// apply, the order goes to the most pressing one, because its outcome can make the others moot
/// (no point collecting a deposit from a fraudster, or waiting for a port a supervisor may
/// refuse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HoldQueue {
    /// Pending until the customer pays a deposit (the order goes to `pending`, not `held`).
    Deposit,
    /// Waiting for free ports at the serving exchange.
    Capacity,
    /// A back-office agent reviews it (duplicates, contract conflicts, catalog data issues).
    Review,
    /// A credit supervisor approves or declines it.
    CreditReferral,
    /// The fraud team screens it.
    Fraud,
}

impl HoldQueue {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deposit => "deposit",
            Self::Capacity => "capacity",
            Self::Review => "review",
            Self::CreditReferral => "creditReferral",
            Self::Fraud => "fraud",
        }
    }

    /// Where a held result sends the order. Routed by check kind, so a plugged-in check lands in
    /// the queue of the team that owns its kind; only the deposit is routed by code.
    pub fn for_result(result: &CheckResult) -> Self {
        match result.check {
            CheckKind::Fraud => Self::Fraud,
            CheckKind::Credit if result.code == codes::CREDIT_DEPOSIT_REQUIRED => Self::Deposit,
            CheckKind::Credit => Self::CreditReferral,
            CheckKind::Inventory => Self::Capacity,
            CheckKind::Catalog
            | CheckKind::Address
            | CheckKind::Duplicate
            | CheckKind::BusinessRules => Self::Review,
        }
    }
}

impl fmt::Display for HoldQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an order is held or rejected: the deciding results, without the passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    pub check: CheckKind,
    pub code: &'static str,
    pub message: String,
    pub item: Option<ItemId>,
}

impl Reason {
    fn of(result: &CheckResult) -> Self {
        Self {
            check: result.check,
            code: result.code,
            message: result.message.clone(),
            item: result.item.clone(),
        }
    }
}

/// What happens to the order next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "camelCase")]
pub enum Decision {
    Accept,
    Hold {
        queue: HoldQueue,
        reasons: Vec<Reason>,
    },
    Reject {
        reasons: Vec<Reason>,
    },
}

impl Decision {
    /// Any reject rejects; else any hold holds, in the most pressing queue; else accept.
    /// The reasons are the results of the deciding severity.
    pub fn from_results(results: &[CheckResult]) -> Self {
        let worst = results
            .iter()
            .map(|r| r.outcome)
            .max()
            .unwrap_or(Outcome::Pass);
        let reasons = || {
            results
                .iter()
                .filter(|r| r.outcome == worst)
                .map(Reason::of)
                .collect()
        };
        match worst {
            Outcome::Pass | Outcome::Warn => Self::Accept,
            Outcome::Reject => Self::Reject { reasons: reasons() },
            Outcome::Hold => Self::Hold {
                queue: results
                    .iter()
                    .filter(|r| r.outcome == Outcome::Hold)
                    .map(HoldQueue::for_result)
                    .max()
                    .unwrap_or(HoldQueue::Review),
                reasons: reasons(),
            },
        }
    }

    pub fn reasons(&self) -> &[Reason] {
        match self {
            Self::Accept => &[],
            Self::Hold { reasons, .. } | Self::Reject { reasons } => reasons,
        }
    }

    /// The lifecycle command that carries the decision out. A deposit pends the order (TMF
    /// `pending`: waiting for the customer) rather than holding it (`held`: provider side).
    pub fn command(&self) -> OrderCommand {
        match self {
            Self::Accept => OrderCommand::Accept,
            Self::Reject { reasons } => OrderCommand::Reject {
                reason: summary(reasons),
            },
            Self::Hold {
                queue: HoldQueue::Deposit,
                reasons,
            } => OrderCommand::Pend {
                reason: summary(reasons),
            },
            Self::Hold { reasons, .. } => OrderCommand::Hold {
                reason: summary(reasons),
            },
        }
    }
}

/// A one-line state reason: the first reason in full, the count of the others (the full list
/// travels in `productOrderErrorMessage`).
fn summary(reasons: &[Reason]) -> String {
    match reasons {
        [] => String::new(),
        [only] => format!("{}: {}", only.code, only.message),
        [first, rest @ ..] => format!(
            "{}: {} (and {} more)",
            first.code,
            first.message,
            rest.len()
        ),
    }
}

/// Every result of a validation run, and the decision they lead to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub results: Vec<CheckResult>,
    pub decision: Decision,
}

impl Verdict {
    pub fn from_results(results: Vec<CheckResult>) -> Self {
        let decision = Decision::from_results(&results);
        Self { results, decision }
    }

    /// The most severe outcome among the results.
    pub fn outcome(&self) -> Outcome {
        self.results
            .iter()
            .map(|r| r.outcome)
            .max()
            .unwrap_or(Outcome::Pass)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &CheckResult> {
        self.results.iter().filter(|r| r.outcome == Outcome::Warn)
    }

    /// The deposit to collect before the order proceeds, if credit vetting asked for one.
    pub fn deposit(&self) -> Option<&Money> {
        self.results
            .iter()
            .find(|r| r.code == codes::CREDIT_DEPOSIT_REQUIRED && r.outcome == Outcome::Hold)
            .and_then(|r| r.amount.as_ref())
    }

    /// The v5 `productOrderErrorMessage` entries: one per held or rejected result, so the
    /// customer sees every problem, not only the deciding ones.
    pub fn error_messages(&self, now: DateTime<Utc>) -> Vec<ErrorMessage> {
        self.results
            .iter()
            .filter(|r| r.outcome >= Outcome::Hold)
            .map(|r| ErrorMessage {
                code: r.code.to_owned(),
                reason: r.check.label().to_owned(),
                message: match &r.suggestion {
                    Some(s) => format!("{} Suggestion: {}", r.message, s.message),
                    None => r.message.clone(),
                },
                status: Some(r.outcome.as_str().to_owned()),
                timestamp: now,
                items: r.item.iter().cloned().collect(),
            })
            .collect()
    }
}

// ---- Shared by the checks ----

/// Whether new sales of `offering` are allowed at `at`: orderable lifecycle, sellable, in its
/// validity window.
pub(crate) fn on_sale(offering: &ProductOffering, at: DateTime<Utc>) -> bool {
    offering.lifecycle_status.is_orderable() && offering.sellable && offering.valid_for.contains(at)
}

/// The technology that would carry `offering` at `address`: the best one (the address lists
/// them best first) that the offering is delivered over.
pub(crate) fn serving_technology(
    offering: &ProductOffering,
    address: &Address,
) -> Option<Technology> {
    address
        .technologies
        .iter()
        .copied()
        .find(|t| offering.technologies.contains(t))
}

/// An offering on sale at `at`, of the same category as `like`, that `accept` approves; the one
/// closest in monthly price, so the suggestion is a like-for-like swap. Ties go to the smaller id
/// so the answer does not depend on the catalog's iteration order.
pub(crate) fn alternative<'c>(
    catalog: &'c dyn Catalog,
    like: &ProductOffering,
    at: DateTime<Utc>,
    accept: impl Fn(&ProductOffering) -> bool,
) -> Option<&'c ProductOffering> {
    let target = monthly_amount(like);
    catalog
        .offerings()
        .filter(|o| o.id != like.id && o.category == like.category && on_sale(o, at) && accept(o))
        .min_by(|a, b| {
            price_distance(a, target)
                .cmp(&price_distance(b, target))
                .then_with(|| a.id.cmp(&b.id))
        })
}

fn monthly_amount(offering: &ProductOffering) -> Decimal {
    offering
        .monthly_charge()
        .map_or(Decimal::ZERO, |m| m.amount)
}

fn price_distance(offering: &ProductOffering, target: Decimal) -> Decimal {
    monthly_amount(offering)
        .checked_sub(target)
        .map_or(Decimal::MAX, |d| d.abs())
}

/// The catalog name of an offering id, or the id when the catalog does not know it.
pub(crate) fn offering_name(catalog: &dyn Catalog, id: &OfferingId) -> String {
    catalog
        .offering(id)
        .map_or_else(|| id.to_string(), |o| o.name.clone())
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    fn result(check: CheckKind, outcome: Outcome, code: &'static str) -> CheckResult {
        CheckResult::new(check, outcome, code, code.to_lowercase())
    }

    #[rstest]
    #[case::nothing(&[], "accept", None)]
    #[case::only_passes(&[(CheckKind::Catalog, Outcome::Pass, codes::CATALOG_OK)], "accept", None)]
    #[case::warnings_accept(
        &[(CheckKind::Inventory, Outcome::Warn, codes::INVENTORY_LOW_CAPACITY),
          (CheckKind::Catalog, Outcome::Pass, codes::CATALOG_OK)],
        "accept", None)]
    #[case::deposit_pends(
        &[(CheckKind::Credit, Outcome::Hold, codes::CREDIT_DEPOSIT_REQUIRED)],
        "hold", Some(HoldQueue::Deposit))]
    #[case::referral_beats_deposit_and_capacity(
        &[(CheckKind::Inventory, Outcome::Hold, codes::INVENTORY_EXCHANGE_FULL),
          (CheckKind::Credit, Outcome::Hold, codes::CREDIT_REFER),
          (CheckKind::Credit, Outcome::Hold, codes::CREDIT_DEPOSIT_REQUIRED)],
        "hold", Some(HoldQueue::CreditReferral))]
    #[case::fraud_beats_everything_held(
        &[(CheckKind::Credit, Outcome::Hold, codes::CREDIT_REFER),
          (CheckKind::Fraud, Outcome::Hold, codes::FRAUD_VELOCITY_CUSTOMER),
          (CheckKind::Duplicate, Outcome::Hold, codes::DUPLICATE_OPEN_ORDER)],
        "hold", Some(HoldQueue::Fraud))]
    #[case::review_beats_capacity(
        &[(CheckKind::Inventory, Outcome::Hold, codes::INVENTORY_EXCHANGE_FULL),
          (CheckKind::Duplicate, Outcome::Hold, codes::DUPLICATE_OPEN_ORDER)],
        "hold", Some(HoldQueue::Review))]
    #[case::capacity_beats_deposit(
        &[(CheckKind::Credit, Outcome::Hold, codes::CREDIT_DEPOSIT_REQUIRED),
          (CheckKind::Inventory, Outcome::Hold, codes::INVENTORY_EXCHANGE_FULL)],
        "hold", Some(HoldQueue::Capacity))]
    #[case::any_reject_rejects(
        &[(CheckKind::Fraud, Outcome::Hold, codes::FRAUD_IDENTITY_MISMATCH),
          (CheckKind::Address, Outcome::Reject, codes::ADDRESS_TECHNOLOGY_UNAVAILABLE),
          (CheckKind::Credit, Outcome::Pass, codes::CREDIT_OK)],
        "reject", None)]
    fn decision_table(
        #[case] found: &[(CheckKind, Outcome, &'static str)],
        #[case] expected: &str,
        #[case] queue: Option<HoldQueue>,
    ) {
        let results: Vec<_> = found.iter().map(|&(k, o, c)| result(k, o, c)).collect();
        let decision = Decision::from_results(&results);
        let (name, got_queue) = match &decision {
            Decision::Accept => ("accept", None),
            Decision::Hold { queue, .. } => ("hold", Some(*queue)),
            Decision::Reject { .. } => ("reject", None),
        };
        assert_eq!((name, got_queue), (expected, queue));
        let worst = found.iter().map(|f| f.1).max().unwrap_or(Outcome::Pass);
        let expected_reasons: Vec<_> = if worst >= Outcome::Hold {
            found.iter().filter(|f| f.1 == worst).map(|f| f.2).collect()
        } else {
            Vec::new()
        };
        let reasons: Vec<_> = decision.reasons().iter().map(|r| r.code).collect();
        assert_eq!(reasons, expected_reasons);
    }

    #[rstest]
    #[case::accept(Outcome::Pass, codes::CATALOG_OK, CheckKind::Catalog, "accept")]
    #[case::reject(Outcome::Reject, codes::CREDIT_DECLINED, CheckKind::Credit, "reject")]
    #[case::hold(Outcome::Hold, codes::CREDIT_REFER, CheckKind::Credit, "hold")]
    #[case::deposit_pends(
        Outcome::Hold,
        codes::CREDIT_DEPOSIT_REQUIRED,
        CheckKind::Credit,
        "pend"
    )]
    fn decision_maps_to_lifecycle_command(
        #[case] outcome: Outcome,
        #[case] code: &'static str,
        #[case] check: CheckKind,
        #[case] expected: &str,
    ) {
        let decision = Decision::from_results(&[result(check, outcome, code)]);
        let command = decision.command();
        let (kind, reason) = match &command {
            OrderCommand::Accept => ("accept", None),
            OrderCommand::Reject { reason } => ("reject", Some(reason)),
            OrderCommand::Hold { reason } => ("hold", Some(reason)),
            OrderCommand::Pend { reason } => ("pend", Some(reason)),
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(kind, expected);
        if let Some(reason) = reason {
            assert!(reason.starts_with(code), "{reason}");
        }
    }

    #[test]
    fn state_reason_counts_the_other_reasons() {
        let results = [
            result(
                CheckKind::Catalog,
                Outcome::Reject,
                codes::CATALOG_OFFERING_NOT_FOUND,
            ),
            result(
                CheckKind::Address,
                Outcome::Reject,
                codes::ADDRESS_NOT_FOUND,
            ),
            result(CheckKind::Credit, Outcome::Reject, codes::CREDIT_DECLINED),
        ];
        let OrderCommand::Reject { reason } = Decision::from_results(&results).command() else {
            panic!("expected a reject");
        };
        assert_eq!(
            reason,
            "CATALOG_OFFERING_NOT_FOUND: catalog_offering_not_found (and 2 more)"
        );
    }

    #[test]
    fn error_messages_list_every_hold_and_reject_with_its_suggestion() {
        let now = t0();
        let item = OrderItem::new("7", crate::order::ItemAction::Add, None);
        let verdict = Verdict::from_results(vec![
            result(CheckKind::Catalog, Outcome::Pass, codes::CATALOG_OK),
            result(
                CheckKind::Inventory,
                Outcome::Warn,
                codes::INVENTORY_LOW_CAPACITY,
            ),
            result(
                CheckKind::Address,
                Outcome::Reject,
                codes::ADDRESS_TECHNOLOGY_UNAVAILABLE,
            )
            .at(0, &item, path::OFFERING)
            .suggest("HFC available here: SuperFibre 100 Cable", None),
            result(
                CheckKind::Fraud,
                Outcome::Hold,
                codes::FRAUD_IDENTITY_MISMATCH,
            ),
        ]);
        let messages = verdict.error_messages(now);
        let codes: Vec<_> = messages.iter().map(|m| m.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                codes::ADDRESS_TECHNOLOGY_UNAVAILABLE,
                codes::FRAUD_IDENTITY_MISMATCH
            ]
        );
        assert_eq!(messages[0].items, [ItemId::new("7")]);
        assert_eq!(messages[0].reason, "Address qualification");
        assert_eq!(messages[0].status.as_deref(), Some("reject"));
        assert!(messages[0]
            .message
            .ends_with("Suggestion: HFC available here: SuperFibre 100 Cable"));
        assert!(messages.iter().all(|m| m.timestamp == now));
    }

    #[test]
    fn wire_names_are_stable() {
        let json = serde_json::to_value(CheckKind::ALL).unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                "catalog",
                "address",
                "credit",
                "fraud",
                "duplicate",
                "inventory",
                "businessRules"
            ])
        );
        for kind in CheckKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        for outcome in Outcome::ALL {
            assert_eq!(serde_json::to_value(outcome).unwrap(), outcome.as_str());
        }
        for queue in [
            HoldQueue::Deposit,
            HoldQueue::Capacity,
            HoldQueue::Review,
            HoldQueue::CreditReferral,
            HoldQueue::Fraud,
        ] {
            assert_eq!(serde_json::to_value(queue).unwrap(), queue.as_str());
        }
    }

    #[test]
    fn a_clean_order_is_accepted_with_a_pass_from_every_check() {
        let w = TestWorld::new();
        let verdict = Pipeline::standard().validate(&w.order(vec![fibre("1")]), &w.ctx());
        assert_eq!(verdict.decision, Decision::Accept, "{:#?}", verdict.results);
        for kind in CheckKind::ALL {
            assert!(
                verdict
                    .results
                    .iter()
                    .any(|r| r.check == *kind && r.outcome == Outcome::Pass),
                "no pass from {kind}"
            );
        }
        assert_eq!(verdict.decision.command(), OrderCommand::Accept);
    }

    #[test]
    fn standard_pipeline_runs_every_kind_once_in_order() {
        let kinds: Vec<_> = Pipeline::standard().kinds().collect();
        assert_eq!(
            kinds,
            [
                CheckKind::Catalog,
                CheckKind::Address,
                CheckKind::Inventory,
                CheckKind::Duplicate,
                CheckKind::BusinessRules,
                CheckKind::Fraud,
                CheckKind::Credit
            ]
        );
    }

    #[test]
    fn a_removed_check_no_longer_decides() {
        let mut w = TestWorld::new();
        w.credit_mut().score = 100;
        let order = w.order(vec![fibre("1")]);
        let full = Pipeline::standard().validate(&order, &w.ctx());
        assert!(matches!(full.decision, Decision::Reject { .. }));
        let partner = Pipeline::standard()
            .without(CheckKind::Credit)
            .validate(&order, &w.ctx());
        assert_eq!(partner.decision, Decision::Accept);
        assert!(partner.results.iter().all(|r| r.check != CheckKind::Credit));
    }

    /// A plugged-in rule: orders from the `partner` channel need a review.
    #[derive(Debug)]
    struct PartnerReview;

    impl Check for PartnerReview {
        fn kind(&self) -> CheckKind {
            CheckKind::BusinessRules
        }
        fn run(&self, order: &ProductOrder, _: &ValidationContext<'_>, out: &mut Vec<CheckResult>) {
            let outcome = if order.channel.as_deref() == Some("partner") {
                Outcome::Hold
            } else {
                Outcome::Pass
            };
            out.push(CheckResult::new(
                self.kind(),
                outcome,
                "RULE_PARTNER_REVIEW",
                "partner",
            ));
        }
    }

    #[test]
    fn a_plugged_in_check_takes_part_in_the_decision() {
        let w = TestWorld::new();
        let mut order = w.order(vec![fibre("1")]);
        let pipeline = Pipeline::standard().with(PartnerReview);
        assert_eq!(
            pipeline.validate(&order, &w.ctx()).decision,
            Decision::Accept
        );
        order.channel = Some("partner".into());
        let verdict = pipeline.validate(&order, &w.ctx());
        let Decision::Hold { queue, reasons } = &verdict.decision else {
            panic!("expected a hold, got {:?}", verdict.decision);
        };
        assert_eq!(*queue, HoldQueue::Review);
        assert_eq!(reasons[0].code, "RULE_PARTNER_REVIEW");
    }

    #[derive(Debug)]
    struct Silent;

    impl Check for Silent {
        fn kind(&self) -> CheckKind {
            CheckKind::Fraud
        }
        fn run(&self, _: &ProductOrder, _: &ValidationContext<'_>, _: &mut Vec<CheckResult>) {}
    }

    #[test]
    fn a_check_that_says_nothing_holds_the_order() {
        let w = TestWorld::new();
        let verdict = Pipeline::new()
            .with(Silent)
            .validate(&w.order(vec![fibre("1")]), &w.ctx());
        assert_eq!(verdict.results.len(), 1);
        assert_eq!(verdict.results[0].code, codes::CHECK_SILENT);
        assert!(matches!(
            verdict.decision,
            Decision::Hold {
                queue: HoldQueue::Fraud,
                ..
            }
        ));
    }

    #[test]
    fn deposit_is_read_from_the_credit_result() {
        let amount = Money::new(Decimal::new(135, 0), "EUR");
        let verdict = Verdict::from_results(vec![result(
            CheckKind::Credit,
            Outcome::Hold,
            codes::CREDIT_DEPOSIT_REQUIRED,
        )
        .with_amount(amount.clone())]);
        assert_eq!(verdict.deposit(), Some(&amount));
        assert_eq!(Verdict::from_results(Vec::new()).deposit(), None);
    }

    fn any_result() -> impl Strategy<Value = CheckResult> {
        (
            prop::sample::select(CheckKind::ALL),
            prop::sample::select(Outcome::ALL),
            prop::sample::select(
                &[
                    codes::CATALOG_OK,
                    codes::CREDIT_DEPOSIT_REQUIRED,
                    codes::CREDIT_REFER,
                    codes::FRAUD_VELOCITY_ADDRESS,
                    codes::INVENTORY_EXCHANGE_FULL,
                    codes::RULE_MAX_PER_ACCOUNT,
                ][..],
            ),
        )
            .prop_map(|(k, o, c)| result(k, o, c))
    }

    proptest! {
        #[test]
        fn the_decision_is_the_most_severe_result(results in prop::collection::vec(any_result(), 0..12)) {
            let decision = Decision::from_results(&results);
            let worst = results.iter().map(|r| r.outcome).max().unwrap_or(Outcome::Pass);
            match &decision {
                Decision::Accept => prop_assert!(worst <= Outcome::Warn),
                Decision::Reject { reasons } => {
                    prop_assert_eq!(worst, Outcome::Reject);
                    prop_assert_eq!(reasons.len(), results.iter().filter(|r| r.outcome == Outcome::Reject).count());
                }
                Decision::Hold { queue, reasons } => {
                    prop_assert_eq!(worst, Outcome::Hold);
                    prop_assert_eq!(reasons.len(), results.iter().filter(|r| r.outcome == Outcome::Hold).count());
                    for r in results.iter().filter(|r| r.outcome == Outcome::Hold) {
                        prop_assert!(HoldQueue::for_result(r) <= *queue);
                    }
                }
            }
        }

        #[test]
        fn the_pipeline_never_panics_and_every_check_answers(order in any_order()) {
            let w = TestWorld::lived_in();
            let verdict = Pipeline::standard().validate(&order, &w.ctx());
            for kind in CheckKind::ALL {
                prop_assert!(verdict.results.iter().any(|r| r.check == *kind), "no result from {}", kind);
            }
            prop_assert_eq!(&verdict.decision, &Decision::from_results(&verdict.results));
            for r in &verdict.results {
                if let Some(item) = &r.item {
                    prop_assert!(order.item(item).is_some());
                }
            }
        }
    }
}
