//! Fulfilment: the hand-over of accepted orders to delivery, as a trait the server holds in
//! [`crate::state::AppState::fulfilment`], and its TMF641 implementation.
//!
//! The workflow ([`crate::workflow`]) calls [`Fulfilment::submit`] once an order is accepted,
//! stored in `inProgress.accepted` and released by its schedule; the cancellation API calls
//! [`Fulfilment::cancel`] once a cancel request was accepted and some items wait in
//! `pendingCancellation`. An implementation decomposes, talks to the SOM (TMF641), and reports
//! progress back through the order's lifecycle (recording versions with
//! [`crate::workflow::commit_order_change`] and, for cancellations,
//! [`crate::workflow::confirm_cancellation`]).
//!
//! Without an implementation (`AppState::fulfilment` is `None`) accepted orders stay in
//! `inProgress.accepted` (nothing delivers them, and nothing pretends to), and accepted
//! cancellations are confirmed at once (nothing downstream has to be reversed).
//!
//! The implementation, [`som::SomFulfilment`], is split by what each part owns:
//! * [`link`]: the TMF641 client of the SOM (`{som_url}/serviceOrder`, `/cancelServiceOrder`,
//!   `/hub`), the listener credentials, the per-order locks and the seen event ids;
//! * [`som`]: submission (decompose, store, post with retries; a refusal holds the order),
//!   cancellation downstream, and the background tasks (hub subscription, start-up resync,
//!   periodic jeopardy assessment);
//! * [`progress`]: what a SOM report does to the stored service order and the product order
//!   (item states, follow-up service orders, milestones and PONR, roll-up, inventory,
//!   jeopardy), written in one transaction;
//! * [`rollup`] and [`inventory`]: the pure decisions those rely on (which service items
//!   realise which product item, the product item events, the TMF637 products an item's
//!   completion creates, updates or terminates);
//! * [`listener`]: the TMF641 listener routes the SOM notifies.
//!
//! Invariant: no SQL (the store crate) and no business rule of the desk (the domain crate):
//! this module fetches, asks the domain, writes, and talks HTTP to the SOM.

pub mod inventory;
pub mod link;
pub mod listener;
pub mod progress;
pub mod rollup;
pub mod som;

pub use link::SomLink;
pub use som::SomFulfilment;

use orderdesk_domain::desk::CancelRequest;
use orderdesk_domain::ProductOrder;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::state::AppState;

/// A future returned by a [`Fulfilment`] method.
pub type FulfilmentFuture<'a> =
    Pin<Box<dyn Future<Output = Result<(), FulfilmentError>> + Send + 'a>>;

/// Why fulfilment could not take an order or a cancellation. The order stays where it is (and
/// the error is logged); the implementation decides whether it retries.
#[derive(Debug, thiserror::Error)]
pub enum FulfilmentError {
    #[error("the SOM could not be reached: {0}")]
    Unreachable(String),
    #[error("the SOM refused the service order: {0}")]
    Refused(String),
    #[error("the order cannot be decomposed: {0}")]
    Decomposition(String),
    #[error("{0}")]
    Other(String),
}

/// Delivers accepted orders and reverses cancelled ones.
pub trait Fulfilment: Send + Sync + fmt::Debug {
    /// Starts delivering `order` (stored, accepted, released). Returns once the hand-over is
    /// done (e.g. the service order was posted), not once delivery is.
    fn submit<'a>(&'a self, state: &'a AppState, order: &'a ProductOrder) -> FulfilmentFuture<'a>;

    /// Reverses the delivery of the items of `order` pending cancellation under `request` and,
    /// once downstream confirms, concludes the request with
    /// [`crate::workflow::confirm_cancellation`].
    fn cancel<'a>(
        &'a self,
        state: &'a AppState,
        order: &'a ProductOrder,
        request: &'a CancelRequest,
    ) -> FulfilmentFuture<'a>;
}
