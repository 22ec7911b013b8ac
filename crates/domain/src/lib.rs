//! Orderdesk's domain core: the product order, its lifecycle, validation, decomposition into
//! service orders, and the order desk's rules (priority, scheduling, jeopardy, PONR,
//! amendments, cancellation, versions).
//!
//! Invariant: no I/O. No clock, no randomness, no network, no database: time (`now`) and ids are
//! passed in, reference data is read through traits ([`catalog::Catalog`],
//! [`reference::AddressDirectory`], ...). Both the desktop and the server build on this crate.

pub mod catalog;
pub mod decomposition;
pub mod desk;
pub mod ids;
pub mod lifecycle;
pub mod money;
pub mod order;
pub mod order_type;
pub mod priority;
pub mod reference;
pub mod validation;

pub use ids::*;
pub use lifecycle::{ItemState, OrderState};
pub use money::Money;
pub use order::{ItemAction, OrderItem, ProductOrder};
pub use priority::Priority;
