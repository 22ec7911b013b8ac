//! Order history: versions, diffs, and the search over the server's orders.

use orderdesk_desk::history_search::{DateBound, HistoryFilter, HistoryPage, HistoryRow};
use orderdesk_domain::desk::FieldChange;
use orderdesk_domain::OrderState;
use orderdesk_sync::client::desk::{FieldChange as WireFieldChange, OrderDiff, OrderVersion};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::{count, invalid, time};
use crate::error::IpcError;

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

/// What to search the server's order history for; every criterion is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryFilterDto {
    /// A customer id, or words of the customer's name.
    pub customer: Option<String>,
    /// The user id of the agent who captured the order.
    pub agent: Option<String>,
    /// `desk`, or an integration channel.
    pub channel: Option<String>,
    /// TMF622 order state.
    pub state: Option<String>,
    /// `YYYY-MM-DD` (from the start of the day) or RFC 3339.
    pub from: Option<String>,
    /// `YYYY-MM-DD` (to the end of the day) or RFC 3339.
    pub to: Option<String>,
    pub offset: Option<u32>,
    /// Default 20, at most 100.
    pub limit: Option<u32>,
}

impl TryFrom<HistoryFilterDto> for HistoryFilter {
    type Error = IpcError;

    fn try_from(f: HistoryFilterDto) -> Result<Self, IpcError> {
        let bound = |field: &str, s: &Option<String>| {
            s.as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| DateBound::parse(field, s))
                .transpose()
        };
        Ok(Self {
            state: f
                .state
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    OrderState::parse(s.trim()).ok_or_else(|| invalid("state", "unknown state"))
                })
                .transpose()?,
            from: bound("from", &f.from)?,
            to: bound("to", &f.to)?,
            customer: f.customer,
            agent: f.agent,
            channel: f.channel,
            offset: f.offset.unwrap_or(0),
            limit: f.limit.unwrap_or(20),
        })
    }
}

/// An order found in the server's history.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryRowDto {
    /// The server's id.
    pub order_id: String,
    /// The local id, when this desk holds the order.
    pub local_id: Option<String>,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub state: String,
    pub channel: Option<String>,
    /// The agent who captured it at a desk.
    pub created_by: Option<String>,
    pub order_date: String,
    pub version: u32,
    pub items: u32,
}

impl From<&HistoryRow> for HistoryRowDto {
    fn from(r: &HistoryRow) -> Self {
        Self {
            order_id: r.order_id.clone(),
            local_id: r.local_id.clone(),
            customer_id: r.customer_id.clone(),
            customer_name: r.customer_name.clone(),
            state: r.state.as_str().to_owned(),
            channel: r.channel.clone(),
            created_by: r.created_by.clone(),
            order_date: time(r.order_date),
            version: r.version,
            items: count(r.items),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPageDto {
    pub items: Vec<HistoryRowDto>,
    pub total: u32,
}

impl From<&HistoryPage> for HistoryPageDto {
    fn from(p: &HistoryPage) -> Self {
        Self {
            items: p.items.iter().map(HistoryRowDto::from).collect(),
            total: count(p.total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_filters_parse_once_naming_the_field() {
        let f = HistoryFilter::try_from(HistoryFilterDto {
            state: Some("held".into()),
            from: Some("2026-11-01".into()),
            to: Some(" ".into()),
            ..HistoryFilterDto::default()
        })
        .unwrap();
        assert_eq!(f.state, Some(OrderState::Held));
        assert!(matches!(f.from, Some(DateBound::Day(_))));
        assert_eq!(f.to, None);
        assert_eq!((f.offset, f.limit), (0, 20));

        let bad_state = HistoryFilter::try_from(HistoryFilterDto {
            state: Some("lost".into()),
            ..HistoryFilterDto::default()
        })
        .unwrap_err();
        assert_eq!(bad_state.code, "invalidInput");
        assert!(bad_state.message.contains("`state`"));
        let bad_date = HistoryFilter::try_from(HistoryFilterDto {
            to: Some("soon".into()),
            ..HistoryFilterDto::default()
        })
        .unwrap_err();
        assert_eq!(bad_date.code, "invalidInput");
        assert!(bad_date.message.contains("`to`"), "{}", bad_date.message);
    }
}
