//! The TMF notification envelope and its payloads, shared by TMF622 v4, v5 and TMF641.
//!
//! Every notification is `{eventId, eventTime, eventType, correlationId, domain, title,
//! description, priority, timeOcurred, event: {<resource>: ...}}`; v5 adds `@type` (= the event
//! type), `@baseType: "Event"`, `source`, `reportingSystem` and `relatedParty`. The envelope is
//! generic over its payload so one type reads them all; the version modules name the concrete
//! ones (`v4::ProductOrderEvent`, `v5::ProductOrderEvent`, `tmf641::ServiceOrderEvent`).
//!
//! `timeOcurred` (sic) is what v4 declares and what every v5 example sends, while the v5 schema
//! declares `timeOccurred`: both are read, and v5 notifications write both.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::common::{ApiVersion, EntityRef, Extra, JsonPatchOperation};

/// The notifications of TMF622 (v5 adds the last three product order ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    ProductOrderCreate,
    ProductOrderAttributeValueChange,
    ProductOrderStateChange,
    ProductOrderDelete,
    ProductOrderInformationRequired,
    ProductOrderMilestone,
    ProductOrderJeopardyAlert,
    ProductOrderErrorMessage,
    CancelProductOrderCreate,
    CancelProductOrderStateChange,
    CancelProductOrderInformationRequired,
}

impl EventKind {
    pub const ALL: &'static [EventKind] = &[
        Self::ProductOrderCreate,
        Self::ProductOrderAttributeValueChange,
        Self::ProductOrderStateChange,
        Self::ProductOrderDelete,
        Self::ProductOrderInformationRequired,
        Self::ProductOrderMilestone,
        Self::ProductOrderJeopardyAlert,
        Self::ProductOrderErrorMessage,
        Self::CancelProductOrderCreate,
        Self::CancelProductOrderStateChange,
        Self::CancelProductOrderInformationRequired,
    ];

    /// The `eventType` (and, in v5, `@type`) of the notification.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProductOrderCreate => "ProductOrderCreateEvent",
            Self::ProductOrderAttributeValueChange => "ProductOrderAttributeValueChangeEvent",
            Self::ProductOrderStateChange => "ProductOrderStateChangeEvent",
            Self::ProductOrderDelete => "ProductOrderDeleteEvent",
            Self::ProductOrderInformationRequired => "ProductOrderInformationRequiredEvent",
            Self::ProductOrderMilestone => "ProductOrderMilestoneEvent",
            Self::ProductOrderJeopardyAlert => "ProductOrderJeopardyAlertEvent",
            Self::ProductOrderErrorMessage => "ProductOrderErrorMessageEvent",
            Self::CancelProductOrderCreate => "CancelProductOrderCreateEvent",
            Self::CancelProductOrderStateChange => "CancelProductOrderStateChangeEvent",
            Self::CancelProductOrderInformationRequired => {
                "CancelProductOrderInformationRequiredEvent"
            }
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// Whether `version` defines this notification.
    pub fn exists_in(self, version: ApiVersion) -> bool {
        version == ApiVersion::V5
            || !matches!(
                self,
                Self::ProductOrderMilestone
                    | Self::ProductOrderJeopardyAlert
                    | Self::ProductOrderErrorMessage
            )
    }

    /// Whether the payload is a cancel request rather than an order.
    pub fn is_cancel(self) -> bool {
        matches!(
            self,
            Self::CancelProductOrderCreate
                | Self::CancelProductOrderStateChange
                | Self::CancelProductOrderInformationRequired
        )
    }

    /// The listener path segment (`/listener/productOrderCreateEvent`).
    pub fn listener_path(self) -> String {
        let name = self.as_str();
        let mut chars = name.chars();
        match chars.next() {
            Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
            None => String::new(),
        }
    }
}

/// The notification envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventEnvelope<P> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// The v4 spelling, used by every v5 example too.
    #[serde(rename = "timeOcurred", skip_serializing_if = "Option::is_none")]
    pub time_ocurred: Option<DateTime<Utc>>,
    /// The v5 schema spelling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_occurred: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<EntityRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporting_system: Option<EntityRef>,
    /// v5 `RelatedPartyRefOrPartyRoleRef`, TMF641 examples use the flat v4 form: kept as JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_party: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analytic_characteristic: Option<Vec<Value>>,
    pub event: P,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl<P> EventEnvelope<P> {
    /// A notification of `event_type` raised at `now`, in the shape of `version`.
    pub fn new(
        version: ApiVersion,
        event_type: &str,
        event_id: impl Into<String>,
        now: DateTime<Utc>,
        payload: P,
    ) -> Self {
        let v5 = version == ApiVersion::V5;
        Self {
            id: None,
            href: None,
            event_id: Some(event_id.into()),
            event_time: Some(now),
            event_type: Some(event_type.to_owned()),
            correlation_id: None,
            domain: None,
            title: Some(event_type.to_owned()),
            description: None,
            priority: None,
            time_ocurred: Some(now),
            time_occurred: v5.then_some(now),
            source: None,
            reporting_system: None,
            related_party: None,
            analytic_characteristic: None,
            event: payload,
            at_type: v5.then(|| event_type.to_owned()),
            base_type: v5.then(|| "Event".to_owned()),
            schema_location: None,
            extra: Extra::new(),
        }
    }

    /// The event kind named by `eventType` (falling back to `@type`), if TMF622 defines it.
    pub fn kind(&self) -> Option<EventKind> {
        self.event_type
            .as_deref()
            .and_then(EventKind::parse)
            .or_else(|| self.at_type.as_deref().and_then(EventKind::parse))
    }

    /// When it happened, whichever spelling the sender used.
    pub fn occurred_at(&self) -> Option<DateTime<Utc>> {
        self.time_occurred.or(self.time_ocurred).or(self.event_time)
    }
}

/// `event: {productOrder}` (v5 information-required events add `informationRequired`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrderPayload<O> {
    pub product_order: O,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_required: Option<JsonPatchOperation>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl<O> ProductOrderPayload<O> {
    pub fn new(product_order: O) -> Self {
        Self {
            product_order,
            information_required: None,
            extra: Extra::new(),
        }
    }
}

/// `event: {cancelProductOrder}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelProductOrderPayload<C> {
    pub cancel_product_order: C,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_required: Option<JsonPatchOperation>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl<C> CancelProductOrderPayload<C> {
    pub fn new(cancel_product_order: C) -> Self {
        Self {
            cancel_product_order,
            information_required: None,
            extra: Extra::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_know_their_version() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(*k));
            assert!(k.exists_in(ApiVersion::V5));
        }
        assert!(!EventKind::ProductOrderMilestone.exists_in(ApiVersion::V4));
        assert!(EventKind::CancelProductOrderCreate.exists_in(ApiVersion::V4));
        assert_eq!(
            EventKind::ProductOrderCreate.listener_path(),
            "productOrderCreateEvent"
        );
        assert_eq!(
            EventKind::parse("CancelCancelProductOrderCreateEvent"),
            None
        );
    }

    #[test]
    fn v5_envelope_writes_both_time_spellings_and_type() {
        let now = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let e = EventEnvelope::new(ApiVersion::V5, "ProductOrderCreateEvent", "e1", now, 1u8);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["timeOcurred"], v["timeOccurred"]);
        assert_eq!(v["@type"], "ProductOrderCreateEvent");
        assert_eq!(v["@baseType"], "Event");
        let e4 = EventEnvelope::new(ApiVersion::V4, "ProductOrderCreateEvent", "e1", now, 1u8);
        let v4 = serde_json::to_value(&e4).unwrap();
        assert!(v4.get("timeOccurred").is_none() && v4.get("@type").is_none());
        assert_eq!(e4.kind(), Some(EventKind::ProductOrderCreate));
    }
}
