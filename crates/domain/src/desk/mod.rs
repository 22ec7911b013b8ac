//! The order desk's rules: which work comes first, when scheduled orders are released, when an
//! order is in jeopardy, when an item is past its point of no return, how an in-flight order is
//! amended or cancelled, and the history of who changed what, when and why.
//!
//! Everything here decides; nothing acts. Each rule is a pure function of the order, the
//! catalog or policy it needs, `now` and (for new alert ids) an [`crate::IdSource`]. State
//! changes are expressed as [`crate::lifecycle::OrderCommand`]s or applied through
//! [`crate::lifecycle`], never by assigning states. Storing queue claims, running timers that
//! release scheduled orders or assess jeopardy, and telling downstream systems are the
//! server's and the desktop's business.
//!
//! - [`queue`]: held / pending / cancellation / jeopardy queues, work order with ageing, leases.
//! - [`schedule`]: release and expected completion of orders with a future start date.
//! - [`jeopardy`]: per-state SLAs and completion dates, raising v5 jeopardy alerts.
//! - [`ponr`]: the point of no return per item.
//! - [`amendment`]: a new version of an in-flight order, refused past PONR.
//! - [`cancellation`]: the `CancelProductOrder` flow, item by item.
//! - [`versions`]: order versions (who, when, why), the append-only history and [`diff`].
//! - [`calendar`]: working days (Monday to Friday, UTC), shared by lead times and SLAs.

pub mod amendment;
pub mod calendar;
pub mod cancellation;
pub mod jeopardy;
pub mod ponr;
pub mod queue;
pub mod schedule;
pub mod versions;

#[cfg(test)]
mod testkit;

// Types, and the functions whose names say what they do without their module. The rest are
// reached through their module (`schedule::plan`, `cancellation::begin`, `queue::claim`...).
pub use amendment::{amend, Amendment, AmendmentError};
pub use cancellation::{
    assess_cancellation, CancelRejection, CancelRequest, CancellationAssessment, CancellationError,
    CancellationStep, NotCancellable, NotCancellableReason,
};
pub use jeopardy::{JeopardyPolicy, Severity, SlaLimit, StateSla};
pub use ponr::{is_past_ponr, PonrSignal};
pub use queue::{Claim, ClaimError, QueueEntry, QueueKind};
pub use schedule::{ScheduleError, SchedulePlan};
pub use versions::{
    diff, ChangeKind, FieldChange, ItemDelta, OrderDelta, OrderHistoryLog, OrderVersion,
    VersionError,
};
