//! TMF Open API wire types (serde) and their conversions to and from the domain model.
//!
//! Owns the JSON shapes only: TMF622 v4 and v5, TMF641, TMF637, TMF620, TMF648. Parsing a wire
//! value into a domain value happens here, once (`TryFrom`); the domain never sees JSON.

pub mod tmf620;
pub mod tmf637;
pub mod tmf648;
