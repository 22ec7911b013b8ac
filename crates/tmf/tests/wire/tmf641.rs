//! TMF641: the service order built from a decomposition validates against the TMF641 schemas,
//! and SOM's notifications (every service order example of the specification) read into
//! progress updates.

use orderdesk_domain::catalog::Technology;
use orderdesk_domain::decomposition::{
    ServiceAction, ServiceItemState, ServiceOrder, ServiceOrderItem,
};
use orderdesk_domain::ids::{
    AddressId, CfsSpecId, CustomerId, ItemId, OrderId, ServiceId, ServiceOrderId,
    ServiceOrderItemId,
};
use orderdesk_domain::order::Characteristic;
use orderdesk_domain::Priority;
use orderdesk_tmf::tmf641::{self, ServiceOrderState};
use orderdesk_tmf::{from_value, WireError};
use serde_json::{json, Value};

use crate::support::{assert_golden, assert_valid, check, t, tmf641_spec, tmf641_validator};

fn service_order() -> ServiceOrder {
    let access = ServiceOrderItem {
        id: ServiceOrderItemId::new("SOI-1"),
        action: ServiceAction::Add,
        cfs: CfsSpecId::new("CFS:Fibre-Access"),
        service_id: None,
        place: Some(AddressId::new("ADDR-1001")),
        technology: Some(Technology::Gpon),
        characteristics: vec![Characteristic::text("downloadSpeed", "500M")],
        removed_characteristics: vec![],
        from_items: vec![ItemId::new("1")],
        depends_on: vec![],
        point_of_no_return: true,
    };
    let internet = ServiceOrderItem {
        id: ServiceOrderItemId::new("SOI-2"),
        action: ServiceAction::Modify,
        cfs: CfsSpecId::new("CFS:Internet-Access"),
        service_id: Some(ServiceId::new("PRD-9/CFS:Internet-Access")),
        place: None,
        technology: None,
        characteristics: vec![],
        removed_characteristics: vec!["staticIp".into()],
        from_items: vec![ItemId::new("1"), ItemId::new("2")],
        depends_on: vec![ServiceOrderItemId::new("SOI-1")],
        point_of_no_return: false,
    };
    let old_voice = ServiceOrderItem {
        id: ServiceOrderItemId::new("SOI-3"),
        action: ServiceAction::Delete,
        cfs: CfsSpecId::new("CFS:Voice"),
        service_id: Some(ServiceId::new("PRD-8/CFS:Voice")),
        place: None,
        technology: None,
        characteristics: vec![],
        removed_characteristics: vec![],
        from_items: vec![ItemId::new("3")],
        depends_on: vec![
            ServiceOrderItemId::new("SOI-1"),
            ServiceOrderItemId::new("SOI-2"),
        ],
        point_of_no_return: false,
    };
    ServiceOrder {
        id: ServiceOrderId::new("SO-1"),
        product_order: OrderId::new("PO-1001"),
        customer: CustomerId::new("CUST-42"),
        priority: Priority::new(2).unwrap(),
        requested_start_date: Some(t("2026-03-09T00:00:00Z")),
        requested_completion_date: None,
        items: vec![access, internet, old_voice],
    }
}

#[test]
fn the_service_order_validates_and_matches_its_golden_file() {
    let out = serde_json::to_value(tmf641::from_domain(
        &service_order(),
        t("2026-03-03T08:00:00Z"),
    ))
    .unwrap();
    assert_valid(&tmf641_validator("ServiceOrder"), &out, "ServiceOrder");
    assert_valid(
        &tmf641_validator("ServiceOrder_FVO"),
        &out,
        "ServiceOrder_FVO",
    );
    assert_golden("tmf641/service_order.out.json", &out);

    let items = &out["serviceOrderItem"];
    assert_eq!(
        items[1]["serviceOrderItemRelationship"][0]["relationshipType"],
        "dependency"
    );
    assert_eq!(
        items[1]["serviceOrderItemRelationship"][0]["orderItem"]["itemId"],
        "SOI-1"
    );
    assert_eq!(
        items[0]["service"]["serviceCharacteristic"][1]["name"],
        "accessTechnology"
    );
    assert_eq!(
        items[0]["service"]["serviceCharacteristic"][1]["value"],
        "GPON"
    );
    assert_eq!(items[1]["modifyPath"][0]["op"], "remove");
    assert_eq!(items[2]["service"]["state"], "terminated");
    assert_eq!(out["externalReference"][0]["id"], "PO-1001");

    // Not vacuous: an unknown action is refused.
    let mut bad = out.clone();
    bad["serviceOrderItem"][0]["action"] = json!("teleport");
    assert!(check(&tmf641_validator("ServiceOrder"), &bad).is_err());
}

/// Every service order example of TMF641 (resources and notifications, not cancellations) is
/// read; notifications give their progress.
#[test]
fn every_tmf641_service_order_example_is_read() {
    let spec = tmf641_spec();
    let examples = spec["components"]["examples"].as_object().unwrap();
    let mut orders = 0;
    let mut events = 0;
    let mut patches = 0;
    for (name, ex) in examples {
        let value = ex["value"].clone();
        if name.starts_with("cancel")
            || name.starts_with("CancelServiceOrder")
            || name.starts_with("CreateCancel")
        {
            continue;
        }
        if name.contains("partialupdate") && name.ends_with("_request") {
            // Merge-patch and JSON-patch bodies.
            if value.is_array() {
                from_value::<Vec<orderdesk_tmf::common::JsonPatchOperation>>(value)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            } else {
                from_value::<tmf641::ServiceOrder>(value).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            patches += 1;
        } else if name.ends_with("Event_request") {
            let e: tmf641::ServiceOrderEvent =
                from_value(value).unwrap_or_else(|e| panic!("{name}: {e}"));
            let progress = e.progress().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!progress.service_order.as_str().is_empty());
            events += 1;
        } else if let Value::Array(list) = &value {
            for v in list {
                from_value::<tmf641::ServiceOrder>(v.clone())
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            orders += 1;
        } else {
            from_value::<tmf641::ServiceOrder>(value).unwrap_or_else(|e| panic!("{name}: {e}"));
            orders += 1;
        }
    }
    assert_eq!((orders, events, patches), (12, 7, 4));

    let change = &examples["ServiceOrderStateChangeEvent_request"]["value"];
    let e: tmf641::ServiceOrderEvent = from_value(change.clone()).unwrap();
    let p = e.progress().unwrap();
    assert_eq!(p.service_order.as_str(), "5351");
    assert_eq!(p.state, Some(ServiceOrderState::InProgress));
    let milestone = &examples["ServiceOrderMilestoneEvent_request"]["value"];
    let e: tmf641::ServiceOrderEvent = from_value(milestone.clone()).unwrap();
    let p = e.progress().unwrap();
    assert_eq!(
        p.items,
        vec![(ServiceOrderItemId::new("1"), ServiceItemState::InProgress)],
        "`InProgress` as the examples spell it"
    );
}

#[test]
fn som_item_updates_are_read_and_checked() {
    let event = json!({
        "eventId": "e1",
        "eventType": "ServiceOrderStateChangeEvent",
        "event": {"ServiceOrder": {
            "id": "SO-1",
            "state": "partial",
            "serviceOrderItem": [
                {"id": "SOI-1", "state": "completed"},
                {"id": "SOI-2", "state": "failed", "serviceOrderItem": [
                    {"id": "SOI-2.1", "state": "assessingCancellation"}
                ]},
                {"id": "SOI-3"}
            ]
        }}
    });
    let e: tmf641::ServiceOrderEvent = from_value(event).unwrap();
    let p = e.progress().unwrap();
    assert_eq!(p.state, Some(ServiceOrderState::Partial));
    let states: Vec<(&str, ServiceItemState)> =
        p.items.iter().map(|(id, s)| (id.as_str(), *s)).collect();
    assert_eq!(
        states,
        [
            ("SOI-1", ServiceItemState::Completed),
            ("SOI-2", ServiceItemState::Failed),
            ("SOI-2.1", ServiceItemState::AssessingCancellation),
        ]
    );

    let bad_state = json!({"event": {"serviceOrder": {"id": "SO-1",
        "serviceOrderItem": [{"id": "1", "state": "vaporised"}]}}});
    let err = from_value::<tmf641::ServiceOrderEvent>(bad_state).unwrap_err();
    assert_eq!(err.field(), "event.serviceOrder.serviceOrderItem[0].state");
    let no_id = json!({"event": {"serviceOrder": {"state": "completed"}}});
    let e: tmf641::ServiceOrderEvent = from_value(no_id).unwrap();
    assert!(
        matches!(e.progress(), Err(WireError::Missing { ref field, .. }) if field == "event.serviceOrder.id")
    );
    let item_without_id = json!({"event": {"serviceOrder": {"id": "SO-1",
        "serviceOrderItem": [{"state": "completed"}]}}});
    let e: tmf641::ServiceOrderEvent = from_value(item_without_id).unwrap();
    assert_eq!(
        e.progress().unwrap_err().field(),
        "event.serviceOrder.serviceOrderItem[0].id"
    );
    assert!(tmf641::is_dependency("dependsOn") && !tmf641::is_dependency("excludes"));
}
