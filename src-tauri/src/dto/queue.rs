//! The work queues.

use orderdesk_desk::queue::{parse_kind, QueueFilter};
use orderdesk_domain::Priority;
use orderdesk_store::local::{LocalQueueEntry, Page};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use super::{count, invalid, opt_time, time};
use crate::error::IpcError;

/// One validation finding an order is held for.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HoldReasonDto {
    pub code: String,
    pub message: String,
}

/// An order waiting in a queue.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntryDto {
    /// The server's order id.
    pub order_id: String,
    /// `held`, `pending`, `cancellationAssessment`, `jeopardy`.
    pub kind: String,
    /// The fine-grained queue (`review`, `creditReferral`, `deposit`...), when known.
    pub queue: Option<String>,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub reason: Option<String>,
    pub reasons: Vec<HoldReasonDto>,
    pub priority: String,
    pub effective_priority: Option<String>,
    pub waiting_since: String,
    pub sla_due: Option<String>,
    pub jeopardy: Option<String>,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<String>,
}

fn text(detail: Option<&Value>, key: &str) -> Option<String> {
    detail
        .and_then(|d| d.get(key))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

impl From<&LocalQueueEntry> for QueueEntryDto {
    fn from(e: &LocalQueueEntry) -> Self {
        let detail = e.detail.as_ref();
        let reasons = detail
            .and_then(|d| d.get("reasons"))
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|r| HoldReasonDto {
                        code: r
                            .get("code")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        message: r
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let entry = &e.entry;
        let kind = serde_json::to_value(entry.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        Self {
            order_id: entry.order.to_string(),
            kind,
            queue: text(detail, "queue"),
            customer_id: entry.customer.to_string(),
            customer_name: detail
                .and_then(|d| d.get("customer"))
                .and_then(|c| c.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            reason: entry.reason.clone(),
            reasons,
            priority: entry.priority.to_string(),
            effective_priority: text(detail, "effectivePriority"),
            waiting_since: time(entry.waiting_since),
            sla_due: opt_time(entry.sla_due),
            jeopardy: text(detail, "jeopardy"),
            claimed_by: entry.claimed_by.as_ref().map(|c| c.user.to_string()),
            claimed_until: entry.claimed_by.as_ref().map(|c| time(c.until)),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QueuePageDto {
    pub items: Vec<QueueEntryDto>,
    pub total: u32,
}

impl From<&Page<LocalQueueEntry>> for QueuePageDto {
    fn from(p: &Page<LocalQueueEntry>) -> Self {
        Self {
            items: p.items.iter().map(QueueEntryDto::from).collect(),
            total: count(p.total),
        }
    }
}

/// Which part of the queues to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QueueFilterDto {
    pub kind: Option<String>,
    pub reason: Option<String>,
    pub priority: Option<String>,
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

impl TryFrom<QueueFilterDto> for QueueFilter {
    type Error = IpcError;

    fn try_from(f: QueueFilterDto) -> Result<Self, IpcError> {
        Ok(Self {
            kind: f
                .kind
                .as_deref()
                .map(|k| parse_kind(k).ok_or_else(|| invalid("kind", "unknown queue")))
                .transpose()?,
            reason: f.reason.filter(|r| !r.trim().is_empty()),
            priority: f
                .priority
                .as_deref()
                .map(|p| Priority::parse(p).map_err(|e| invalid("priority", e.0)))
                .transpose()?,
            offset: u64::from(f.offset.unwrap_or(0)),
            limit: f.limit.unwrap_or(50),
        })
    }
}
