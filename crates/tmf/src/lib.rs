//! TMF Open API wire types (serde) and their conversions to and from the domain model.
//!
//! Owns the JSON shapes only: TMF622 v4 and v5, TMF641, TMF637, TMF620, TMF648. Parsing a wire
//! value into a domain value happens here, once (`TryFrom`); the domain never sees JSON.
//!
//! Map of the TMF622/TMF641 part:
//! * [`v4`], [`v5`]: TMF622 Product Ordering resources, create/patch bodies, notifications, and
//!   their conversions (`v4::to_domain`, `v5::to_domain`, `v4::from_domain`, `v5::from_domain`);
//! * [`common`]: shapes both versions share, the TMF error body, path-naming parse functions;
//! * [`convert`]: the mapping rules both versions share and [`OrderIntake`];
//! * [`events`]: the notification envelope;
//! * [`extensions`]: keeping a client's extension and unmapped fields across a store/read;
//! * [`tmf641`]: the Service Ordering subset the server sends to and hears from SOM;
//! * [`error`]: [`WireError`], which names the JSON field at fault.
//!
//! Invariant: nothing here panics on any input; every failure is a [`WireError`].

pub mod common;
pub mod convert;
pub mod error;
pub mod events;
pub mod extensions;
mod shallow;
pub mod tmf620;
pub mod tmf637;
pub mod tmf641;
pub mod tmf648;
pub mod v4;
pub mod v5;

pub use common::{from_slice, from_str, from_value, ApiVersion, ErrorBody};
pub use convert::{CancelIntake, CancelRequest, NewOrder, OrderIntake};
pub use error::WireError;
pub use extensions::OrderExtensions;
