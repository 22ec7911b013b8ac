//! The IPC commands, one module per screen area. Each is a one-screen adapter named verb_noun:
//! take the signed-in desk from the state, convert the DTO, call the desk core, convert the
//! answer, map the error. No SQL, no HTTP, no business `if` here: the desk core decides,
//! including whether the signed-in role may do it.

pub mod approvals;
pub mod capture;
pub mod catalog;
pub mod history;
pub mod orders;
pub mod queue;
pub mod session;
pub mod sync;
