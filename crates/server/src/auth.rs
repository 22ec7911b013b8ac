//! Who is calling and what they may do.
//!
//! Every request carries `Authorization: Bearer <token>`; the [`User`] extractor looks the token
//! up in the user directory of [`crate::state::AppState`] (loaded from the store at start; in demo
//! mode the store holds `fixtures/users.json`). A missing, malformed or unknown token is a 401.
//!
//! What a role may do is data: [`PERMISSIONS`], one row per right, read by [`allows`]. A handler
//! states the right it needs with [`User::require`] (403 when the role lacks it). The desk
//! extension's rights (queues, credit decisions, history, the changes feed, fulfilment reports)
//! are in the table already, so that the modules serving them only name them.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use orderdesk_domain::UserId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

use crate::error::ApiError;
use crate::state::AppState;

/// The four kinds of caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Captures and amends orders at the desk.
    Agent,
    /// Works the held queues.
    Backoffice,
    /// Decides credit exceptions, administers orders and subscriptions.
    Supervisor,
    /// A machine client: a web shop, a partner portal, the SOM reporting back.
    Integration,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Self::Agent,
        Self::Backoffice,
        Self::Supervisor,
        Self::Integration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Backoffice => "backoffice",
            Self::Supervisor => "supervisor",
            Self::Integration => "integration",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A right a request may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read orders, cancel requests (TMF622 GETs).
    ReadOrders,
    CreateOrder,
    /// PATCH an order (amend requested content, add notes).
    AmendOrder,
    /// DELETE an order: "for administration purposes" (TMF622).
    DeleteOrder,
    /// Create a `CancelProductOrder`.
    CancelOrder,
    /// Register and remove hub listeners.
    ManageHubs,
    /// Claim, release and resolve entries of the desk's work queues.
    WorkQueue,
    /// Approve, require a deposit for, or decline a credit referral.
    DecideCredit,
    /// Read the version history of an order.
    ReadHistory,
    /// Follow the changes feed and the live push.
    ReadChanges,
    /// Report fulfilment progress (the SOM's TMF641 notifications).
    ReportFulfilment,
}

impl Permission {
    /// What the right lets one do, for error messages ("may not delete orders").
    pub fn describe(self) -> &'static str {
        match self {
            Self::ReadOrders => "read orders",
            Self::CreateOrder => "create orders",
            Self::AmendOrder => "amend orders",
            Self::DeleteOrder => "delete orders",
            Self::CancelOrder => "cancel orders",
            Self::ManageHubs => "manage notification subscriptions",
            Self::WorkQueue => "work the desk's queues",
            Self::DecideCredit => "decide credit referrals",
            Self::ReadHistory => "read order history",
            Self::ReadChanges => "follow the changes feed",
            Self::ReportFulfilment => "report fulfilment progress",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Who holds which right. Deleting is administration (supervisors only: a machine client that
/// wants an order gone cancels it); hubs are for machine clients and supervisors (desks use the
/// live push); credit decisions are a supervisor's alone.
pub const PERMISSIONS: &[(Permission, &[Role])] = {
    use Role::{Agent, Backoffice, Integration, Supervisor};
    &[
        (
            Permission::ReadOrders,
            &[Agent, Backoffice, Supervisor, Integration],
        ),
        (
            Permission::CreateOrder,
            &[Agent, Backoffice, Supervisor, Integration],
        ),
        (
            Permission::AmendOrder,
            &[Agent, Backoffice, Supervisor, Integration],
        ),
        (Permission::DeleteOrder, &[Supervisor]),
        (
            Permission::CancelOrder,
            &[Agent, Backoffice, Supervisor, Integration],
        ),
        (Permission::ManageHubs, &[Supervisor, Integration]),
        (Permission::WorkQueue, &[Backoffice, Supervisor]),
        (Permission::DecideCredit, &[Supervisor]),
        (
            Permission::ReadHistory,
            &[Agent, Backoffice, Supervisor, Integration],
        ),
        (
            Permission::ReadChanges,
            &[Agent, Backoffice, Supervisor, Integration],
        ),
        (Permission::ReportFulfilment, &[Integration]),
    ]
};

/// Whether `role` holds `permission` according to [`PERMISSIONS`].
pub fn allows(role: Role, permission: Permission) -> bool {
    PERMISSIONS
        .iter()
        .any(|(p, roles)| *p == permission && roles.contains(&role))
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub role: Role,
}

impl User {
    /// `Ok` when the caller's role holds `permission`, else a 403.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if allows(self.role, permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                role: self.role,
                permission,
            })
        }
    }

    /// The sales channel the caller's orders come from: a machine client is its own channel,
    /// every person works at the desk. External ids are unique per channel.
    pub fn channel(&self) -> String {
        match self.role {
            Role::Integration => self.id.as_str().to_owned(),
            _ => "desk".to_owned(),
        }
    }
}

/// The users the server knows, by bearer token. Built once at start from the store.
#[derive(Debug, Clone, Default)]
pub struct UserDirectory {
    by_token: HashMap<String, User>,
}

impl UserDirectory {
    pub fn new(users: impl IntoIterator<Item = (String, User)>) -> Self {
        Self {
            by_token: users.into_iter().collect(),
        }
    }

    pub fn by_token(&self, token: &str) -> Option<&User> {
        self.by_token.get(token)
    }

    pub fn len(&self) -> usize {
        self.by_token.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_token.is_empty()
    }
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer_token(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthenticated(
            "send `Authorization: Bearer <token>`",
        ))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthenticated("the `Authorization` header is not text"))?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or(ApiError::Unauthenticated(
            "the `Authorization` header is not `Bearer <token>`",
        ))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthenticated(
            "the `Authorization` header is not `Bearer <token>`",
        ));
    }
    Ok(token.trim())
}

impl FromRequestParts<AppState> for User {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts)?;
        state
            .users
            .by_token(token)
            .cloned()
            .ok_or(ApiError::Unauthenticated("the token is not known"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    #[test]
    fn every_permission_has_one_row_and_every_row_a_role() {
        let all = [
            Permission::ReadOrders,
            Permission::CreateOrder,
            Permission::AmendOrder,
            Permission::DeleteOrder,
            Permission::CancelOrder,
            Permission::ManageHubs,
            Permission::WorkQueue,
            Permission::DecideCredit,
            Permission::ReadHistory,
            Permission::ReadChanges,
            Permission::ReportFulfilment,
        ];
        for p in all {
            let rows = PERMISSIONS.iter().filter(|(q, _)| *q == p).count();
            assert_eq!(rows, 1, "{p:?}");
        }
        assert!(PERMISSIONS.iter().all(|(_, roles)| !roles.is_empty()));
    }

    #[test]
    fn the_table_decides() {
        let cases = [
            (Role::Agent, Permission::CreateOrder, true),
            (Role::Agent, Permission::DeleteOrder, false),
            (Role::Integration, Permission::DeleteOrder, false),
            (Role::Supervisor, Permission::DeleteOrder, true),
            (Role::Agent, Permission::ManageHubs, false),
            (Role::Integration, Permission::ManageHubs, true),
            (Role::Backoffice, Permission::DecideCredit, false),
            (Role::Supervisor, Permission::DecideCredit, true),
            (Role::Agent, Permission::WorkQueue, false),
            (Role::Backoffice, Permission::WorkQueue, true),
        ];
        for (role, permission, expected) in cases {
            assert_eq!(allows(role, permission), expected, "{role} {permission}");
        }
    }

    #[test]
    fn bearer_tokens_are_read_strictly() {
        let parts = |value: Option<&str>| {
            let mut b = Request::builder();
            if let Some(v) = value {
                b = b.header(header::AUTHORIZATION, v);
            }
            b.body(()).unwrap().into_parts().0
        };
        assert_eq!(bearer_token(&parts(Some("Bearer abc"))), Ok("abc"));
        assert_eq!(bearer_token(&parts(Some("bearer  abc "))), Ok("abc"));
        for bad in [
            None,
            Some("Basic abc"),
            Some("Bearer"),
            Some("Bearer   "),
            Some("abc"),
        ] {
            assert!(
                matches!(bearer_token(&parts(bad)), Err(ApiError::Unauthenticated(_))),
                "{bad:?}"
            );
        }
    }
}
