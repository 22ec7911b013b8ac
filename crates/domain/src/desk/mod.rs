//! Order desk rules.
