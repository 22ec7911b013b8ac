//! Order history.

use orderdesk_domain::desk::FieldChange;
use orderdesk_sync::client::desk::{FieldChange as WireFieldChange, OrderDiff, OrderVersion};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::time;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FieldChangeDto {
    /// TMF-like path, e.g. `productOrderItem[2].product.productCharacteristic.speed`.
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl From<&FieldChange> for FieldChangeDto {
    fn from(c: &FieldChange) -> Self {
        Self {
            path: c.path.clone(),
            before: c.before.clone(),
            after: c.after.clone(),
        }
    }
}

impl From<&WireFieldChange> for FieldChangeDto {
    fn from(c: &WireFieldChange) -> Self {
        Self {
            path: c.path.clone(),
            before: c.before.clone(),
            after: c.after.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VersionDto {
    pub version: u32,
    pub at: String,
    pub by_id: String,
    pub by_name: Option<String>,
    pub reason: String,
    pub change_kind: String,
    /// The order state after the version.
    pub state: String,
}

impl From<&OrderVersion> for VersionDto {
    fn from(v: &OrderVersion) -> Self {
        Self {
            version: v.version,
            at: time(v.at),
            by_id: v.by.id.clone(),
            by_name: v.by.name.clone(),
            reason: v.reason.clone(),
            change_kind: v.change_kind.clone(),
            state: v.state.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ItemChangesDto {
    pub item_id: String,
    pub changes: Vec<FieldChangeDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DiffDto {
    pub from: u32,
    pub to: u32,
    pub order: Vec<FieldChangeDto>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<ItemChangesDto>,
}

impl From<&OrderDiff> for DiffDto {
    fn from(d: &OrderDiff) -> Self {
        Self {
            from: d.from,
            to: d.to,
            order: d.order.iter().map(FieldChangeDto::from).collect(),
            added: d.added.clone(),
            removed: d.removed.clone(),
            changed: d
                .changed
                .iter()
                .map(|c| ItemChangesDto {
                    item_id: c.item.clone(),
                    changes: c.changes.iter().map(FieldChangeDto::from).collect(),
                })
                .collect(),
        }
    }
}
