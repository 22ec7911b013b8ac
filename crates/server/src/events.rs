//! TMF622 notifications: which ones a change raises ([`order_event_kinds`]) and their v4 and v5
//! envelopes ([`order_notifications`], [`cancel_notifications`]), rendered once per change and
//! handed to the store, which queues one delivery per interested hub subscription in the same
//! transaction as the change.
//!
//! A notification exists in a version only if that version defines it: v4 subscribers get no
//! milestone, jeopardy or error message events (v4 reads those as notes and state changes).

use chrono::{DateTime, Utc};
use orderdesk_domain::desk::{CancelRequest, ChangeKind};
use orderdesk_domain::{OrderState, ProductOrder};
use orderdesk_store::central::OutboundEvent;
use orderdesk_tmf::events::EventKind;
use orderdesk_tmf::{v4, v5, ApiVersion, OrderExtensions};
use serde_json::Value;

use crate::error::ApiError;
use crate::representation::wire_cancel_request;
use crate::state::{new_id, Urls};

/// The product order notifications a change from `before` (`None`: the order is new) to
/// `after` raises.
pub fn order_event_kinds(
    before: Option<&ProductOrder>,
    after: &ProductOrder,
    change: &ChangeKind,
) -> Vec<EventKind> {
    let Some(before) = before else {
        return vec![EventKind::ProductOrderCreate];
    };
    let mut kinds = Vec::new();
    let (from, to) = (before.state(), after.state());
    if from != to {
        kinds.push(EventKind::ProductOrderStateChange);
        if to == OrderState::Pending {
            kinds.push(EventKind::ProductOrderInformationRequired);
        }
    }
    if after.error_messages.len() > before.error_messages.len() {
        kinds.push(EventKind::ProductOrderErrorMessage);
    }
    if after.milestones.len() > before.milestones.len() {
        kinds.push(EventKind::ProductOrderMilestone);
    }
    if after.jeopardy_alerts.len() > before.jeopardy_alerts.len() {
        kinds.push(EventKind::ProductOrderJeopardyAlert);
    }
    // An amendment or a note is an attribute change; so is any other change of content that
    // raised nothing more specific (an expected completion date set by the schedule...).
    let requested = matches!(change, ChangeKind::Amendment { .. } | ChangeKind::Note);
    let content_changed = after.notes != before.notes
        || after.expected_completion_date != before.expected_completion_date
        || after.priority != before.priority;
    if requested || (kinds.is_empty() && content_changed) {
        kinds.push(EventKind::ProductOrderAttributeValueChange);
    }
    kinds
}

fn payload<T: serde::Serialize>(
    event: Result<T, orderdesk_tmf::WireError>,
    extensions: Option<&OrderExtensions>,
    version: ApiVersion,
) -> Result<Option<Value>, ApiError> {
    let Ok(event) = event else {
        // The version does not define this notification.
        return Ok(None);
    };
    let mut value = serde_json::to_value(event).map_err(ApiError::internal)?;
    if let (Some(ext), Some(order)) = (
        extensions,
        value
            .get_mut("event")
            .and_then(|e| e.get_mut("productOrder")),
    ) {
        ext.merge(version, order);
    }
    Ok(Some(value))
}

/// The notifications of `kinds` about `order`, in both versions' shapes.
pub fn order_notifications(
    kinds: &[EventKind],
    order: &ProductOrder,
    extensions: Option<&OrderExtensions>,
    now: DateTime<Utc>,
    urls: &Urls,
) -> Result<Vec<OutboundEvent>, ApiError> {
    let (base4, base5) = (urls.tmf622(ApiVersion::V4), urls.tmf622(ApiVersion::V5));
    kinds
        .iter()
        .filter(|k| !k.is_cancel())
        .map(|kind| {
            let id = new_id();
            Ok(OutboundEvent {
                event_type: kind.as_str().to_owned(),
                payload_v4: payload(
                    v4::convert::order_event(*kind, id.clone(), now, order, &base4),
                    extensions,
                    ApiVersion::V4,
                )?,
                payload_v5: payload(
                    v5::convert::order_event(*kind, id, now, order, &base5),
                    extensions,
                    ApiVersion::V5,
                )?,
            })
        })
        .collect()
}

/// The notifications of `kinds` about a cancel request, in both versions' shapes.
pub fn cancel_notifications(
    kinds: &[EventKind],
    request: &CancelRequest,
    now: DateTime<Utc>,
    urls: &Urls,
) -> Result<Vec<OutboundEvent>, ApiError> {
    let (base4, base5) = (urls.tmf622(ApiVersion::V4), urls.tmf622(ApiVersion::V5));
    let wire = wire_cancel_request(request);
    kinds
        .iter()
        .filter(|k| k.is_cancel())
        .map(|kind| {
            let id = new_id();
            Ok(OutboundEvent {
                event_type: kind.as_str().to_owned(),
                payload_v4: payload(
                    v4::convert::cancel_event(*kind, id.clone(), now, &wire, &base4),
                    None,
                    ApiVersion::V4,
                )?,
                payload_v5: payload(
                    v5::convert::cancel_event(*kind, id, now, &wire, &base5),
                    None,
                    ApiVersion::V5,
                )?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::lifecycle::{apply, OrderCommand};
    use orderdesk_domain::order::{ErrorMessage, Note};
    use orderdesk_domain::{ItemAction, OrderItem};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
    }

    fn order() -> ProductOrder {
        ProductOrder::new(
            "O-1".into(),
            "CUST-1001".into(),
            t0(),
            vec![OrderItem::new(
                "1",
                ItemAction::Add,
                Some("PO-SF200-HOME".into()),
            )],
            false,
        )
        .unwrap()
    }

    fn urls() -> Urls {
        Urls {
            public: "http://127.0.0.1:1".to_owned(),
        }
    }

    #[test]
    fn which_notifications_a_change_raises() {
        let o = order();
        assert_eq!(
            order_event_kinds(None, &o, &ChangeKind::Created),
            vec![EventKind::ProductOrderCreate]
        );
        let command = OrderCommand::Reject {
            reason: "no".into(),
        };
        let mut rejected = apply(&o, &command, t0()).unwrap();
        rejected.error_messages.push(ErrorMessage {
            code: "X".into(),
            reason: "r".into(),
            message: "m".into(),
            status: None,
            timestamp: t0(),
            items: Vec::new(),
        });
        rejected.notes.push(Note {
            id: None,
            author: None,
            date: None,
            text: "no".into(),
        });
        let kinds = order_event_kinds(Some(&o), &rejected, &ChangeKind::Lifecycle { command });
        assert_eq!(
            kinds,
            vec![
                EventKind::ProductOrderStateChange,
                EventKind::ProductOrderErrorMessage
            ]
        );
        let command = OrderCommand::Pend {
            reason: "deposit".into(),
        };
        let pending = apply(&o, &command, t0()).unwrap();
        assert_eq!(
            order_event_kinds(Some(&o), &pending, &ChangeKind::Lifecycle { command }),
            vec![
                EventKind::ProductOrderStateChange,
                EventKind::ProductOrderInformationRequired
            ]
        );
        let mut noted = o.clone();
        noted.notes.push(Note {
            id: None,
            author: None,
            date: None,
            text: "call first".into(),
        });
        assert_eq!(
            order_event_kinds(Some(&o), &noted, &ChangeKind::Note),
            vec![EventKind::ProductOrderAttributeValueChange]
        );
    }

    #[test]
    fn v4_gets_only_what_v4_defines() {
        let events = order_notifications(
            &[
                EventKind::ProductOrderStateChange,
                EventKind::ProductOrderErrorMessage,
            ],
            &order(),
            None,
            t0(),
            &urls(),
        )
        .unwrap();
        assert!(events[0].payload_v4.is_some() && events[0].payload_v5.is_some());
        assert!(events[1].payload_v4.is_none() && events[1].payload_v5.is_some());
        let v5 = events[0].payload_v5.as_ref().unwrap();
        assert_eq!(v5["eventType"], "ProductOrderStateChangeEvent");
        assert_eq!(v5["event"]["productOrder"]["id"], "O-1");
    }
}
