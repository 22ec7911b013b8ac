//! Who may do what at the desk, as data: [`PERMISSIONS`], one row per right, read by [`allows`].
//!
//! The role comes from the server (`GET /orderdesk/v1/me`), never from the UI, and every
//! [`crate::Desk`] method names the right it needs before it touches anything, so hiding a
//! button in the UI is a courtesy, not the check. The rows mirror the server's own table
//! (`crates/server/src/auth.rs`): what the desk refuses, the server would refuse too, and the
//! desk refuses it first, offline included. The desk is stricter in one place: version history
//! is a supervisor's screen here, though the server serves it to every role.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The roles a person signs in to the desk with. Machine clients (`integration`) use the TMF622
/// API directly; the desk knows the role only to refuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Captures orders from quotes, follows and amends them.
    Agent,
    /// Works the held and pending queues.
    Backoffice,
    /// Decides credit exceptions and reads order history.
    Supervisor,
    /// A machine client: holds no desk right.
    Integration,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Self::Agent,
        Self::Backoffice,
        Self::Supervisor,
        Self::Integration,
    ];

    /// The server's spelling.
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

/// A right a desk method needs. One per screen area, so the table reads like the desk's menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Permission {
    /// Sign in at all: the desk is for people.
    UseDesk,
    /// Browse the catalog, find and open quotes.
    ReadCatalog,
    /// Turn quotes into orders: drafts, local validation, submission, modify and cease.
    CaptureOrders,
    /// List, read and search orders; add notes.
    ReadOrders,
    /// Amend or cancel an order.
    ChangeOrders,
    /// Claim, release, resolve, reject and cancel entries of the held / pending queues.
    WorkQueue,
    /// Approve, require a deposit for, or decline a credit referral.
    DecideCredit,
    /// Read an order's versions and the diff between two.
    ReadHistory,
    /// See and drive synchronisation (status, sync now).
    ReadSyncStatus,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Self::UseDesk,
        Self::ReadCatalog,
        Self::CaptureOrders,
        Self::ReadOrders,
        Self::ChangeOrders,
        Self::WorkQueue,
        Self::DecideCredit,
        Self::ReadHistory,
        Self::ReadSyncStatus,
    ];

    /// What the right lets one do, for messages ("an agent may not work the queues").
    pub fn describe(self) -> &'static str {
        match self {
            Self::UseDesk => "use the desk",
            Self::ReadCatalog => "browse the catalog and quotes",
            Self::CaptureOrders => "capture orders",
            Self::ReadOrders => "read orders",
            Self::ChangeOrders => "amend or cancel orders",
            Self::WorkQueue => "work the queues",
            Self::DecideCredit => "decide credit exceptions",
            Self::ReadHistory => "read order history",
            Self::ReadSyncStatus => "see the sync status",
        }
    }

    /// The stable name the IPC error carries in its message context.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UseDesk => "useDesk",
            Self::ReadCatalog => "readCatalog",
            Self::CaptureOrders => "captureOrders",
            Self::ReadOrders => "readOrders",
            Self::ChangeOrders => "changeOrders",
            Self::WorkQueue => "workQueue",
            Self::DecideCredit => "decideCredit",
            Self::ReadHistory => "readHistory",
            Self::ReadSyncStatus => "readSyncStatus",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Who holds which right. Each role holds the one before it plus its own: an agent captures
/// and follows orders; the back office also works the queues; a supervisor also decides credit
/// and reads history. Integration users hold nothing here.
pub const PERMISSIONS: &[(Permission, &[Role])] = {
    use Role::{Agent, Backoffice, Supervisor};
    &[
        (Permission::UseDesk, &[Agent, Backoffice, Supervisor]),
        (Permission::ReadCatalog, &[Agent, Backoffice, Supervisor]),
        (Permission::CaptureOrders, &[Agent, Backoffice, Supervisor]),
        (Permission::ReadOrders, &[Agent, Backoffice, Supervisor]),
        (Permission::ChangeOrders, &[Agent, Backoffice, Supervisor]),
        (Permission::WorkQueue, &[Backoffice, Supervisor]),
        (Permission::DecideCredit, &[Supervisor]),
        (Permission::ReadHistory, &[Supervisor]),
        (Permission::ReadSyncStatus, &[Agent, Backoffice, Supervisor]),
    ]
};

/// Whether `role` holds `permission` according to [`PERMISSIONS`].
pub fn allows(role: Role, permission: Permission) -> bool {
    PERMISSIONS
        .iter()
        .any(|(p, roles)| *p == permission && roles.contains(&role))
}

/// Every right `role` holds, in table order (the UI builds its menu from it).
pub fn rights_of(role: Role) -> Vec<Permission> {
    PERMISSIONS
        .iter()
        .filter(|(_, roles)| roles.contains(&role))
        .map(|(p, _)| *p)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_has_one_row() {
        for p in Permission::ALL {
            let rows = PERMISSIONS.iter().filter(|(q, _)| q == p).count();
            assert_eq!(rows, 1, "{p:?}");
        }
        assert_eq!(PERMISSIONS.len(), Permission::ALL.len());
    }

    #[test]
    fn the_table_decides() {
        use Permission::*;
        use Role::*;
        let cases = [
            (Agent, UseDesk, true),
            (Agent, CaptureOrders, true),
            (Agent, ReadOrders, true),
            (Agent, ChangeOrders, true),
            (Agent, WorkQueue, false),
            (Agent, DecideCredit, false),
            (Agent, ReadHistory, false),
            (Backoffice, CaptureOrders, true),
            (Backoffice, WorkQueue, true),
            (Backoffice, DecideCredit, false),
            (Backoffice, ReadHistory, false),
            (Supervisor, WorkQueue, true),
            (Supervisor, DecideCredit, true),
            (Supervisor, ReadHistory, true),
            (Integration, UseDesk, false),
            (Integration, ReadOrders, false),
        ];
        for (role, permission, expected) in cases {
            assert_eq!(allows(role, permission), expected, "{role} {permission:?}");
        }
    }

    #[test]
    fn each_role_holds_the_rights_of_the_one_before() {
        let agent = rights_of(Role::Agent);
        let backoffice = rights_of(Role::Backoffice);
        let supervisor = rights_of(Role::Supervisor);
        assert!(agent.iter().all(|p| backoffice.contains(p)));
        assert!(backoffice.iter().all(|p| supervisor.contains(p)));
        assert!(rights_of(Role::Integration).is_empty());
    }

    #[test]
    fn roles_parse_the_server_spelling() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
