//! Item-level progress of one order, for the order screen: from the server when it answers
//! (`GET /orderdesk/v1/orders/{id}/progress`: service items, milestones, jeopardy, the timeline
//! of versions, the cancellation's outcome), else from the local copy.
//!
//! The local copy knows the product items and their states, the milestones and jeopardy alerts
//! the last pull brought, and the order's notes; it knows nothing of service items (they stay
//! empty) and keeps no version history, so its timeline is built from the order's own dated
//! facts (received, notes, milestones, jeopardy alerts). [`OrderProgress::fetched_at`] tells the
//! two apart: `None` is the local copy.

use chrono::{DateTime, Utc};
use orderdesk_domain::catalog::Catalog;
use orderdesk_domain::{OrderState, ProductOrder};
use orderdesk_store::local::LocalOrder;
use orderdesk_sync::client::desk::UserRef;
use orderdesk_sync::client::progress::{
    CancellationOutcome, ItemProgress, ProgressJeopardy, ProgressMilestone, TimelineEvent,
};
use orderdesk_sync::SyncError;

use crate::desk::{map_sync, Desk};
use crate::error::DeskError;
use crate::permission::Permission;

/// An order's progress as the order screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderProgress {
    /// The id the desk knows the order by: the local id, or the server's for an order this
    /// desk never held.
    pub order_id: String,
    pub server_id: Option<String>,
    /// TMF622 order state.
    pub state: String,
    pub items: Vec<ItemProgress>,
    pub milestones: Vec<ProgressMilestone>,
    pub jeopardy_alerts: Vec<ProgressJeopardy>,
    /// Oldest first.
    pub timeline: Vec<TimelineEvent>,
    pub cancellation: Option<CancellationOutcome>,
    /// When the server answered; `None`: read from the local copy only.
    pub fetched_at: Option<DateTime<Utc>>,
}

impl Desk {
    /// The order's progress, by its local id (or the server's): the server's view when it can
    /// be reached, else the local copy's (see the module docs). An order this desk does not hold
    /// needs the server (`offline` without it).
    pub async fn order_progress(&self, id: &str) -> Result<OrderProgress, DeskError> {
        self.require(Permission::ReadOrders)?;
        let local = self.inner.local.find(id).map_err(DeskError::storage)?;
        let server_id = match &local {
            Some(order) => self.server_id_of(order),
            None => Some(id.to_owned()),
        };
        let Some(sid) = server_id else {
            // Not on the server yet: only the local copy exists.
            return local
                .map(|o| self.local_progress(&o))
                .ok_or_else(|| DeskError::not_found("order", id));
        };
        match self.client().order_progress(&sid).await {
            Ok(p) => Ok(OrderProgress {
                order_id: local
                    .as_ref()
                    .map_or_else(|| p.order_id.clone(), |o| o.order.id.to_string()),
                server_id: Some(sid),
                state: p.state,
                items: p.items,
                milestones: p.milestones,
                jeopardy_alerts: p.jeopardy_alerts,
                timeline: p.timeline,
                cancellation: p.cancellation,
                fetched_at: Some(self.now()),
            }),
            // A server without the endpoint (a generic TMF622 server), or one that cannot be
            // reached: the local copy, when there is one.
            Err(e) if local.is_some() && falls_back(&e) => local
                .map(|o| self.local_progress(&o))
                .ok_or_else(|| DeskError::not_found("order", id)),
            Err(e) => Err(map_sync(e, "reading the order's progress")),
        }
    }

    fn local_progress(&self, order: &LocalOrder) -> OrderProgress {
        let reference = self.reference();
        local_progress(order, self.server_id_of(order), reference.catalog())
    }
}

/// Whether a failed progress read is answered from the local copy instead.
fn falls_back(e: &SyncError) -> bool {
    matches!(e, SyncError::Offline(_)) || matches!(e.status(), Some(404 | 405 | 501))
}

/// The progress the local copy tells: items and their states without service items,
/// milestones, jeopardy alerts, a timeline of the order's dated facts, and the cancellation as
/// far as the order's state shows it.
pub fn local_progress(
    local: &LocalOrder,
    server_id: Option<String>,
    catalog: &dyn Catalog,
) -> OrderProgress {
    let order = &local.order;
    OrderProgress {
        order_id: order.id.to_string(),
        server_id,
        state: order.state().as_str().to_owned(),
        items: order
            .items
            .iter()
            .map(|i| ItemProgress {
                item_id: i.id.to_string(),
                action: i.action.as_str().to_owned(),
                offering_id: i.offering.as_ref().map(ToString::to_string),
                offering_name: i
                    .offering
                    .as_ref()
                    .and_then(|o| catalog.offering(o))
                    .map(|o| o.name.clone()),
                state: i.state().as_str().to_owned(),
                point_of_no_return: i.point_of_no_return,
                service_items: Vec::new(),
            })
            .collect(),
        milestones: order
            .milestones
            .iter()
            .map(|m| ProgressMilestone {
                id: Some(m.id.clone()),
                name: m.name.clone(),
                description: m.description.clone(),
                status: Some(m.status.clone()),
                date: m.date,
                item_ids: m.items.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        jeopardy_alerts: order
            .jeopardy_alerts
            .iter()
            .map(|a| ProgressJeopardy {
                id: Some(a.id.clone()),
                name: a.name.clone(),
                alert_type: Some(a.jeopardy_type.clone()),
                message: Some(a.message.clone()),
                date: a.alert_date,
                item_ids: a.items.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        timeline: local_timeline(order),
        cancellation: local_cancellation(order),
        fetched_at: None,
    }
}

/// The order's dated facts, oldest first: received, notes, milestones, jeopardy alerts.
fn local_timeline(order: &ProductOrder) -> Vec<TimelineEvent> {
    let mut events = vec![TimelineEvent {
        at: order.order_date,
        kind: "created".to_owned(),
        title: "Order captured".to_owned(),
        detail: order.channel.as_ref().map(|c| format!("channel {c}")),
        by: order.created_by.as_ref().map(|u| UserRef {
            id: u.to_string(),
            name: None,
        }),
    }];
    events.extend(order.notes.iter().filter_map(|n| {
        Some(TimelineEvent {
            at: n.date?,
            kind: "note".to_owned(),
            title: "Note added".to_owned(),
            detail: Some(n.text.clone()),
            by: n.author.as_ref().map(|a| UserRef {
                id: a.clone(),
                name: None,
            }),
        })
    }));
    events.extend(order.milestones.iter().map(|m| TimelineEvent {
        at: m.date,
        kind: "milestone".to_owned(),
        title: format!("Milestone {}", m.name),
        detail: m.description.clone(),
        by: None,
    }));
    events.extend(order.jeopardy_alerts.iter().map(|a| TimelineEvent {
        at: a.alert_date,
        kind: "jeopardy".to_owned(),
        title: format!("Jeopardy {}: {}", a.jeopardy_type, a.name),
        detail: Some(a.message.clone()),
        by: None,
    }));
    // Stable: facts of the same instant keep the order above.
    events.sort_by_key(|e| e.at);
    events
}

/// The cancellation as the order's state shows it: a request being assessed
/// (`acknowledged`), reversing downstream (`inProgress`), or done; `None` when the order shows
/// none. What downstream could not reverse is known to the server only.
fn local_cancellation(order: &ProductOrder) -> Option<CancellationOutcome> {
    let state = match order.state() {
        OrderState::AssessingCancellation => "acknowledged",
        OrderState::PendingCancellation => "inProgress",
        OrderState::Cancelled if order.cancellation_reason.is_some() => "done",
        _ => return None,
    };
    Some(CancellationOutcome {
        state: state.to_owned(),
        reason: order.cancellation_reason.clone(),
        requested_at: None,
        reversed: order
            .items
            .iter()
            .filter(|i| i.state() == orderdesk_domain::ItemState::Cancelled)
            .map(|i| i.id.to_string())
            .collect(),
        not_reversed: Vec::new(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::lifecycle::{apply, OrderCommand};
    use orderdesk_domain::order::{JeopardyAlert, Milestone, Note};
    use orderdesk_domain::{ItemAction, OrderItem};
    use orderdesk_fixtures::Fixtures;
    use orderdesk_store::local::SearchText;

    fn t(min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, min, 0).unwrap()
    }

    fn order() -> ProductOrder {
        let items = vec![
            OrderItem::new("1", ItemAction::Add, Some("PO-SF200-HOME".into())),
            OrderItem::new("2", ItemAction::Add, Some("PO-GONE".into())),
        ];
        let mut o =
            ProductOrder::new("L-1".into(), "CUST-1001".into(), t(0), items, false).unwrap();
        o.channel = Some("desk".into());
        o.created_by = Some("U-AGENT-1".into());
        apply(&o, &OrderCommand::Accept, t(1)).unwrap()
    }

    #[test]
    fn the_local_copy_gives_items_and_dated_facts_without_service_items() {
        let mut o = order();
        o.notes.push(Note {
            id: None,
            author: Some("orderdesk-fulfilment".into()),
            date: Some(t(7)),
            text: "Item 1 inProgress".into(),
        });
        o.notes.push(Note {
            id: None,
            author: None,
            date: None,
            text: "undated: left out".into(),
        });
        o.milestones.push(Milestone {
            id: "M-1".into(),
            name: "pointOfNoReturn".into(),
            description: None,
            date: t(5),
            status: "Completed".into(),
            items: vec!["1".into()],
        });
        o.jeopardy_alerts.push(JeopardyAlert {
            id: "J-1".into(),
            name: "slaAtRisk".into(),
            jeopardy_type: "Hazard".into(),
            message: "80 % of the SLA used".into(),
            alert_date: t(9),
            exception: "sla".into(),
            items: Vec::new(),
        });
        let local = LocalOrder::captured(o, SearchText::default(), t(0));
        let fixtures = Fixtures::load_default().unwrap();
        let p = local_progress(&local, Some("S-1".into()), fixtures.catalog());

        assert_eq!(p.order_id, "L-1");
        assert_eq!(p.server_id.as_deref(), Some("S-1"));
        assert_eq!(p.fetched_at, None);
        assert_eq!(p.state, "inProgress.accepted");
        let items: Vec<(&str, &str, bool)> = p
            .items
            .iter()
            .map(|i| {
                (
                    i.item_id.as_str(),
                    i.state.as_str(),
                    i.service_items.is_empty(),
                )
            })
            .collect();
        let expected: Vec<(&str, &str, bool)> = local
            .order
            .items
            .iter()
            .map(|i| (i.id.as_str(), i.state().as_str(), true))
            .collect();
        assert_eq!(items, expected);
        assert!(p.items[0].offering_name.is_some());
        assert_eq!(p.items[1].offering_name, None);
        assert_eq!(p.milestones[0].item_ids, ["1"]);
        assert_eq!(p.jeopardy_alerts[0].alert_type.as_deref(), Some("Hazard"));
        let timeline: Vec<(&str, DateTime<Utc>)> =
            p.timeline.iter().map(|e| (e.kind.as_str(), e.at)).collect();
        assert_eq!(
            timeline,
            [
                ("created", t(0)),
                ("milestone", t(5)),
                ("note", t(7)),
                ("jeopardy", t(9))
            ]
        );
        assert_eq!(p.timeline[0].by.as_ref().unwrap().id, "U-AGENT-1");
        assert_eq!(p.cancellation, None);
    }

    #[test]
    fn a_cancellation_shows_as_far_as_the_order_state_tells() {
        let o = order();
        let assessing = apply(&o, &OrderCommand::RequestCancellation, t(2)).unwrap();
        let c = local_cancellation(&assessing).unwrap();
        assert_eq!(c.state, "acknowledged");
        assert!(c.not_reversed.is_empty());
        let pending = apply(
            &assessing,
            &OrderCommand::AcceptCancellation {
                refused: Vec::new(),
            },
            t(3),
        )
        .unwrap();
        assert_eq!(local_cancellation(&pending).unwrap().state, "inProgress");
        let mut done = apply(&pending, &OrderCommand::ConfirmCancellation, t(4)).unwrap();
        done.cancellation_reason = Some("customer withdrew".into());
        let c = local_cancellation(&done).unwrap();
        assert_eq!(c.state, "done");
        assert_eq!(c.reversed, ["1", "2"]);
        assert_eq!(local_cancellation(&o), None);
    }

    /// A desk for `role`, opened offline (nothing listens on its server's port) from a session
    /// remembered earlier.
    pub(crate) async fn offline_desk(role: crate::Role) -> (crate::Desk, tempfile::TempDir) {
        use crate::clock::{Clock, ManualClock};
        use crate::session::{Profile, Session};
        use std::sync::Arc;
        let dir = tempfile::tempdir().unwrap();
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let url = format!("http://127.0.0.1:{port}");
        let token = format!("token-{role}");
        let session = Session {
            user_id: format!("U-{}", role.as_str().to_uppercase()).into(),
            name: format!("Test {role}"),
            role,
        };
        Profile::of(dir.path(), &url, &session.user_id)
            .remember(&url, &token, &session, t(0))
            .unwrap();
        let mut config = crate::DeskConfig::new(dir.path(), url, token);
        config.start_sync = false;
        config.request_timeout = std::time::Duration::from_secs(2);
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap(),
        ));
        let desk = crate::Desk::open(
            config,
            clock,
            Box::new(orderdesk_domain::SequentialIds::new("T")),
        )
        .await
        .unwrap();
        (desk, dir)
    }

    #[tokio::test]
    async fn offline_the_order_screen_reads_the_local_copy() {
        let (desk, _dir) = offline_desk(crate::Role::Agent).await;
        let fixtures = Fixtures::load_default().unwrap();
        let quote = fixtures
            .scenarios()
            .iter()
            .find(|s| s.expect.decision == orderdesk_fixtures::ExpectedDecision::Accept)
            .map(|s| s.quote.clone())
            .unwrap();
        let draft = desk.draft_from_quote(&quote).unwrap();
        let local_id = desk.submit(&draft).await.unwrap().order.to_string();

        let p = desk.order_progress(&local_id).await.unwrap();
        assert_eq!(p.order_id, local_id);
        assert_eq!(p.server_id, None, "not on the server yet");
        assert_eq!(p.fetched_at, None);
        let order = desk.order(&local_id).unwrap().order;
        assert_eq!(p.state, order.state().as_str());
        assert_eq!(p.items.len(), order.items.len());
        assert!(p.items.iter().all(|i| i.service_items.is_empty()));
        assert!(p.items.iter().all(|i| i.offering_name.is_some()), "{p:?}");
        assert_eq!(p.timeline[0].kind, "created");

        // An order this desk does not hold needs the server.
        let e = desk.order_progress("S-UNKNOWN").await.unwrap_err();
        assert_eq!(e.code(), "offline", "{e}");
    }

    #[test]
    fn only_an_unreachable_server_or_a_missing_endpoint_falls_back() {
        assert!(falls_back(&SyncError::Offline("refused".into())));
        let status = |status: u16| SyncError::Server {
            status,
            error: Box::default(),
            retry_after: None,
        };
        assert!(falls_back(&status(404)));
        assert!(falls_back(&status(501)));
        assert!(!falls_back(&status(403)));
        assert!(!falls_back(&status(500)));
        assert!(!falls_back(&SyncError::Decode("x".into())));
    }
}
