//! The TMF641 notifications the simulator sends, and which of them a hub subscription wants.
//!
//! Every notification is the v5 envelope of `orderdesk_tmf::events` (`eventId`, `eventTime`,
//! `eventType`, `@type`, `@baseType: "Event"`, `timeOcurred`/`timeOccurred`, `correlationId`
//! = the service order id, `description`, `source`/`reportingSystem`) around
//! `event: {serviceOrder: <the full resource after the change>}`, or
//! `event: {cancelServiceOrder: ...}` for a cancel request. It is POSTed to
//! `{callback}/listener/{eventType with a lower-case first letter}`, e.g.
//! `{callback}/listener/serviceOrderStateChangeEvent` (TMF convention: the hub's `callback` is
//! the listener base).

use chrono::{DateTime, Utc};
use orderdesk_tmf::common::{ApiVersion, EntityRef, Extra};
use orderdesk_tmf::events::EventEnvelope;
use orderdesk_tmf::tmf641::{ServiceOrder, ServiceOrderPayload};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::wire::CancelServiceOrder;

/// The notifications the simulator raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A service order was accepted (`acknowledged`).
    ServiceOrderCreate,
    /// The order's state changed.
    ServiceOrderStateChange,
    /// An item's state (and, on failure, its `errorMessage`) changed.
    ServiceOrderAttributeValueChange,
    /// A milestone was reached (`pointOfNoReturn`).
    ServiceOrderMilestone,
    /// A cancel request reached its final state.
    CancelServiceOrderStateChange,
}

impl EventType {
    pub const ALL: &'static [EventType] = &[
        Self::ServiceOrderCreate,
        Self::ServiceOrderStateChange,
        Self::ServiceOrderAttributeValueChange,
        Self::ServiceOrderMilestone,
        Self::CancelServiceOrderStateChange,
    ];

    /// `eventType` and `@type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ServiceOrderCreate => "ServiceOrderCreateEvent",
            Self::ServiceOrderStateChange => "ServiceOrderStateChangeEvent",
            Self::ServiceOrderAttributeValueChange => "ServiceOrderAttributeValueChangeEvent",
            Self::ServiceOrderMilestone => "ServiceOrderMilestoneEvent",
            Self::CancelServiceOrderStateChange => "CancelServiceOrderStateChangeEvent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == s)
    }

    /// The listener path segment: `serviceOrderStateChangeEvent`.
    pub fn listener_name(self) -> String {
        let name = self.as_str();
        let mut chars = name.chars();
        match chars.next() {
            Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
            None => String::new(),
        }
    }

    /// Where a subscriber with `callback` hears this notification.
    pub fn listener_url(self, callback: &str) -> String {
        format!(
            "{}/listener/{}",
            callback.trim_end_matches('/'),
            self.listener_name()
        )
    }
}

/// `event: {cancelServiceOrder}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelServiceOrderPayload {
    #[serde(alias = "CancelServiceOrder")]
    pub cancel_service_order: CancelServiceOrder,
    #[serde(flatten)]
    pub extra: Extra,
}

fn envelope<P>(
    event: EventType,
    event_id: String,
    now: DateTime<Utc>,
    correlation: &str,
    description: String,
    payload: P,
) -> EventEnvelope<P> {
    let mut e = EventEnvelope::new(ApiVersion::V5, event.as_str(), event_id, now, payload);
    let reporter = EntityRef {
        name: Some("Orderdesk SOM simulator".to_owned()),
        referred_type: Some("LogicalResource".to_owned()),
        ..EntityRef::new("orderdesk-som", Some("ReportingResource"))
    };
    e.correlation_id = Some(correlation.to_owned());
    e.domain = Some("ServiceOrdering".to_owned());
    e.description = Some(description);
    e.source = Some(reporter.clone());
    e.reporting_system = Some(reporter);
    e
}

/// A service order notification carrying the whole resource.
pub fn service_order_event(
    event: EventType,
    event_id: String,
    now: DateTime<Utc>,
    order: &ServiceOrder,
    description: String,
) -> Result<Value, serde_json::Error> {
    let correlation = order.id.clone().unwrap_or_default();
    let payload = ServiceOrderPayload {
        service_order: order.clone(),
        extra: Extra::new(),
    };
    serde_json::to_value(envelope(
        event,
        event_id,
        now,
        &correlation,
        description,
        payload,
    ))
}

/// A `CancelServiceOrderStateChangeEvent`.
pub fn cancel_event(
    event_id: String,
    now: DateTime<Utc>,
    cancel: &CancelServiceOrder,
    description: String,
) -> Result<Value, serde_json::Error> {
    let payload = CancelServiceOrderPayload {
        cancel_service_order: cancel.clone(),
        extra: Extra::new(),
    };
    serde_json::to_value(envelope(
        EventType::CancelServiceOrderStateChange,
        event_id,
        now,
        &cancel.service_order.id,
        description,
        payload,
    ))
}

/// Which notifications a subscription wants, from its hub `query`.
///
/// Understood: `eventType=A,B` (or `eventType=A&eventType=B`) with the TMF event type names.
/// Without an `eventType` term every notification is sent; other terms are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventFilter {
    only: Option<Vec<String>>,
}

impl EventFilter {
    pub fn parse(query: Option<&str>) -> Self {
        let mut only: Option<Vec<String>> = None;
        for term in query.unwrap_or_default().split('&') {
            let Some((key, values)) = term.split_once('=') else {
                continue;
            };
            if key.trim() == "eventType" {
                only.get_or_insert_with(Vec::new).extend(
                    values
                        .split(',')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned),
                );
            }
        }
        Self { only }
    }

    pub fn accepts(&self, event: EventType) -> bool {
        match &self.only {
            None => true,
            Some(types) => types.iter().any(|t| t == event.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listener_urls_follow_the_tmf_convention() {
        assert_eq!(
            EventType::ServiceOrderStateChange.listener_url("http://h:1/tmf-api/x/v5/"),
            "http://h:1/tmf-api/x/v5/listener/serviceOrderStateChangeEvent"
        );
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
        }
    }

    #[test]
    fn hub_queries_filter_by_event_type() {
        let all = EventFilter::parse(None);
        assert!(EventType::ALL.iter().all(|t| all.accepts(*t)));
        let f = EventFilter::parse(Some(
            "eventType=ServiceOrderStateChangeEvent,ServiceOrderMilestoneEvent&x=y",
        ));
        assert!(f.accepts(EventType::ServiceOrderStateChange));
        assert!(f.accepts(EventType::ServiceOrderMilestone));
        assert!(!f.accepts(EventType::ServiceOrderAttributeValueChange));
        let f = EventFilter::parse(Some("eventType=CancelServiceOrderStateChangeEvent"));
        assert!(f.accepts(EventType::CancelServiceOrderStateChange));
        assert!(!f.accepts(EventType::ServiceOrderCreate));
    }

    #[test]
    fn events_read_back_with_the_tmf641_types() {
        let order: ServiceOrder = orderdesk_tmf::from_value(serde_json::json!({
            "id": "SO-1", "state": "inProgress",
            "serviceOrderItem": [{"id": "1", "action": "add", "state": "completed"}]
        }))
        .unwrap();
        let now = Utc::now();
        let v = service_order_event(
            EventType::ServiceOrderStateChange,
            "SO-1-3".into(),
            now,
            &order,
            "d".into(),
        )
        .unwrap();
        assert_eq!(v["eventType"], "ServiceOrderStateChangeEvent");
        assert_eq!(v["@type"], "ServiceOrderStateChangeEvent");
        assert_eq!(v["correlationId"], "SO-1");
        let back: orderdesk_tmf::tmf641::ServiceOrderEvent = orderdesk_tmf::from_value(v).unwrap();
        let progress = back.progress().unwrap();
        assert_eq!(progress.items.len(), 1);
    }
}
