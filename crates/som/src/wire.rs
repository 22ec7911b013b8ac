//! TMF641 shapes the simulator needs that `orderdesk_tmf::tmf641` does not have (yet): the
//! cancel request (`CancelServiceOrder`, `TaskStateType`), milestones, and error messages.
//!
//! `CancelServiceOrder` carries one extension, `errorMessage` (shaped like TMF641
//! `ServiceOrderErrorMessage`), listing the items the cancellation could not reverse, each
//! `serviceOrderItem[]` reference with an extra `reason`: `completed` or `pastPointOfNoReturn`.

use chrono::{DateTime, Utc};
use orderdesk_tmf::common::{EntityRef, Extra};
use orderdesk_tmf::tmf641::ServiceOrderItemRef;
use serde::{Deserialize, Serialize};

/// The `name` of the milestone raised when a point-of-no-return item starts.
pub const POINT_OF_NO_RETURN_MILESTONE: &str = "pointOfNoReturn";

/// TMF641 `TaskStateType`: the state of a cancel request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TaskState {
    Acknowledged,
    Rejected,
    InProgress,
    Cancelled,
    Done,
    TerminatedWithError,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acknowledged => "acknowledged",
            Self::Rejected => "rejected",
            Self::InProgress => "inProgress",
            Self::Cancelled => "cancelled",
            Self::Done => "done",
            Self::TerminatedWithError => "terminatedWithError",
        }
    }
}

/// `CancelServiceOrder_FVO`: the body of `POST /cancelServiceOrder`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelServiceOrderFvo {
    /// The spec requires both spellings; either is read.
    #[serde(alias = "ServiceOrder", skip_serializing_if = "Option::is_none")]
    pub service_order: Option<EntityRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_cancellation_date: Option<DateTime<Utc>>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CancelServiceOrder`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelServiceOrder {
    pub id: String,
    pub href: String,
    pub service_order: EntityRef,
    pub state: TaskState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_cancellation_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_cancellation_date: Option<DateTime<Utc>>,
    /// Extension: the items that could not be reversed (absent when there are none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<ServiceOrderErrorMessage>,
    #[serde(rename = "@type")]
    pub at_type: String,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ServiceOrderErrorMessage`: on a failed or partial order, and on a cancel request that could
/// not reverse everything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceOrderErrorMessage {
    pub code: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub timestamp: DateTime<Utc>,
    pub service_order_item: Vec<ServiceOrderItemRef>,
    #[serde(rename = "@type")]
    pub at_type: String,
}

/// `ServiceOrderItemErrorMessage`: why an item failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceOrderItemErrorMessage {
    pub code: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub timestamp: DateTime<Utc>,
    #[serde(rename = "@type")]
    pub at_type: String,
}

/// `ServiceOrderMilestone`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceOrderMilestone {
    pub id: String,
    pub name: String,
    pub description: String,
    /// `Completed`: the simulator only records milestones reached.
    pub status: String,
    pub milestone_date: DateTime<Utc>,
    pub service_order_item: Vec<ServiceOrderItemRef>,
    #[serde(rename = "@type")]
    pub at_type: String,
}

/// A reference to item `item_id` of service order `order_id`.
pub fn item_ref(order_id: &str, order_href: &str, item_id: &str) -> ServiceOrderItemRef {
    ServiceOrderItemRef {
        item_id: Some(item_id.to_owned()),
        service_order_id: Some(order_id.to_owned()),
        service_order_href: Some(order_href.to_owned()),
        at_type: Some("ServiceOrderItemRef".to_owned()),
        ..ServiceOrderItemRef::default()
    }
}
