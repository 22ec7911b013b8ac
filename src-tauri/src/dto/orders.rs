//! Orders as the lists and the order screen show them.

use orderdesk_desk::orders::OrderFilter;
use orderdesk_domain::desk::diff;
use orderdesk_domain::OrderState;
use orderdesk_store::local::{LocalNote, LocalOrder, Page, SyncStatus, SyncStatusKind};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::capture::DraftDto;
use super::history::FieldChangeDto;
use super::{count, invalid, time};
use crate::error::IpcError;

/// An order in a list.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OrderRowDto {
    /// The local id.
    pub id: String,
    /// The server's id, once the server has the order.
    pub server_id: Option<String>,
    /// TMF622 state (`acknowledged`, `held`...).
    pub state: String,
    /// `draft`, `awaitingSync`, `synced`, `rejected`, `conflict`.
    pub sync_status: String,
    /// For `rejected`: the server's code and reason.
    pub sync_error: Option<String>,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub address: Option<String>,
    pub order_date: String,
    pub priority: String,
    pub items: u32,
    pub version: u32,
    pub server_version: Option<u32>,
    pub last_error: Option<String>,
    pub updated_at: String,
}

impl OrderRowDto {
    pub fn of(o: &LocalOrder, server_id: Option<String>) -> Self {
        let sync_error = match &o.sync {
            SyncStatus::Rejected { code, reason } => Some(format!("{code}: {reason}")),
            _ => None,
        };
        Self {
            id: o.order.id.to_string(),
            server_id,
            state: o.order.state().as_str().to_owned(),
            sync_status: o.sync.kind().as_str().to_owned(),
            sync_error,
            customer_id: o.order.customer.to_string(),
            customer_name: o.search.customer_name.clone(),
            address: o.search.address.clone(),
            order_date: time(o.order.order_date),
            priority: o.order.priority.to_string(),
            items: count(o.order.items.len()),
            version: o.order.version,
            server_version: o.server_version,
            last_error: o.last_error.clone(),
            updated_at: time(o.updated_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OrderPageDto {
    pub items: Vec<OrderRowDto>,
    pub total: u32,
}

impl OrderPageDto {
    pub fn of(page: &Page<LocalOrder>, server_id: impl Fn(&LocalOrder) -> Option<String>) -> Self {
        Self {
            items: page
                .items
                .iter()
                .map(|o| OrderRowDto::of(o, server_id(o)))
                .collect(),
            total: count(page.total),
        }
    }
}

/// Which orders to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OrderFilterDto {
    pub state: Option<String>,
    pub sync_status: Option<String>,
    pub oldest_first: Option<bool>,
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

impl TryFrom<OrderFilterDto> for OrderFilter {
    type Error = IpcError;

    fn try_from(f: OrderFilterDto) -> Result<Self, IpcError> {
        Ok(Self {
            state: f
                .state
                .as_deref()
                .map(|s| OrderState::parse(s).ok_or_else(|| invalid("state", "unknown state")))
                .transpose()?,
            sync: f
                .sync_status
                .as_deref()
                .map(|s| {
                    SyncStatusKind::parse(s).ok_or_else(|| invalid("syncStatus", "unknown status"))
                })
                .transpose()?,
            oldest_first: f.oldest_first.unwrap_or(false),
            offset: u64::from(f.offset.unwrap_or(0)),
            limit: f.limit.unwrap_or(50),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NoteDto {
    pub author: String,
    pub at: String,
    pub text: String,
}

impl From<&LocalNote> for NoteDto {
    fn from(n: &LocalNote) -> Self {
        Self {
            author: n.author.to_string(),
            at: time(n.at),
            text: n.text.clone(),
        }
    }
}

/// A message the server (or validation) left on the order for the customer.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OrderMessageDto {
    pub code: String,
    pub reason: String,
    pub message: String,
    pub at: String,
}

/// The server's newer copy of an order that has a local change: what changed there.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConflictDto {
    pub server_version: u32,
    pub server_state: String,
    /// From the local change to the server's copy.
    pub changes: Vec<FieldChangeDto>,
    pub items_added: Vec<String>,
    pub items_removed: Vec<String>,
}

/// The order screen.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetailDto {
    pub row: OrderRowDto,
    pub content: DraftDto,
    pub state_reason: Option<String>,
    pub messages: Vec<OrderMessageDto>,
    pub notes: Vec<NoteDto>,
    pub conflict: Option<ConflictDto>,
}

impl OrderDetailDto {
    pub fn of(o: &LocalOrder, server_id: Option<String>, notes: &[LocalNote]) -> Self {
        let conflict = match &o.sync {
            SyncStatus::Conflict {
                server_version,
                server_order,
                ..
            } => {
                let delta = diff(&o.order, server_order);
                let mut changes: Vec<FieldChangeDto> =
                    delta.order.iter().map(FieldChangeDto::from).collect();
                for item in &delta.changed {
                    changes.extend(item.changes.iter().map(FieldChangeDto::from));
                }
                Some(ConflictDto {
                    server_version: *server_version,
                    server_state: server_order.state().as_str().to_owned(),
                    changes,
                    items_added: delta.added.iter().map(|i| i.to_string()).collect(),
                    items_removed: delta.removed.iter().map(|i| i.to_string()).collect(),
                })
            }
            _ => None,
        };
        let mut messages: Vec<OrderMessageDto> = o
            .order
            .error_messages
            .iter()
            .map(|m| OrderMessageDto {
                code: m.code.clone(),
                reason: m.reason.clone(),
                message: m.message.clone(),
                at: time(m.timestamp),
            })
            .collect();
        if let SyncStatus::Rejected { code, reason } = &o.sync {
            messages.push(OrderMessageDto {
                code: code.clone(),
                reason: "refused by the server".into(),
                message: reason.clone(),
                at: time(o.updated_at),
            });
        }
        Self {
            row: OrderRowDto::of(o, server_id),
            content: DraftDto::from(&o.order),
            state_reason: o.order.state_reason.clone(),
            messages,
            notes: notes.iter().map(NoteDto::from).collect(),
            conflict,
        }
    }
}
