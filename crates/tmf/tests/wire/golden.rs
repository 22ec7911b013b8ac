//! Golden payloads. Inputs (`tests/golden/v4/*.json`) are written in the shape of the TMF622 v4
//! conformance kit's requests, since the v4 specification has no examples; outputs
//! (`*.out.json`) pin what the project serialises (`UPDATE_GOLDEN=1` rewrites them).

use orderdesk_domain::ids::{CancelRequestId, ItemId, OrderId};
use orderdesk_domain::lifecycle::CancelState;
use orderdesk_domain::order::{CharacteristicValue, ItemRelationshipType};
use orderdesk_domain::{ItemAction, ItemState};
use orderdesk_tmf::common::ErrorBody;
use orderdesk_tmf::events::EventKind;
use orderdesk_tmf::{
    from_str, from_value, v4, v5, ApiVersion, CancelIntake, OrderExtensions, OrderIntake, WireError,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::support::{
    assert_golden, assert_valid, minimal_order, read_golden, rich_order, t, t0, v4_validator,
    V4_BASE, V5_BASE,
};

fn intake(id: &str) -> OrderIntake {
    OrderIntake {
        id: OrderId::new(id),
        now: t0(),
        channel: Some("web".into()),
        created_by: None,
    }
}

fn exact_round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let json = read_golden(name);
    let parsed: T = from_value(json.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(serde_json::to_value(&parsed).unwrap(), json, "{name}");
    parsed
}

#[test]
fn v4_golden_requests_parse_round_trip_and_match_the_schema() {
    for (file, definition) in [
        ("v4/create_full.json", "ProductOrder_Create"),
        ("v4/create_minimal.json", "ProductOrder_Create"),
        ("v4/cancel_create.json", "CancelProductOrder_Create"),
        ("v4/hub.json", "EventSubscriptionInput"),
        ("v4/state_change_event.json", "ProductOrderStateChangeEvent"),
    ] {
        assert_valid(&v4_validator(definition), &read_golden(file), file);
    }
    exact_round_trip::<v4::ProductOrderCreate>("v4/create_full.json");
    exact_round_trip::<v4::ProductOrderCreate>("v4/create_minimal.json");
    exact_round_trip::<v4::ProductOrderUpdate>("v4/update.json");
    exact_round_trip::<v4::CancelProductOrderCreate>("v4/cancel_create.json");
    exact_round_trip::<v4::EventSubscriptionInput>("v4/hub.json");
    let event = exact_round_trip::<v4::ProductOrderEvent>("v4/state_change_event.json");
    assert_eq!(event.kind(), Some(EventKind::ProductOrderStateChange));
    assert_eq!(event.occurred_at(), Some(t("2026-03-03T08:00:00Z")));
}

/// The spec quirk: `ProductOrder_Update` requires `productOrderItem`, so a literal validator
/// refuses a partial PATCH; our type accepts it.
#[test]
fn v4_update_quirk_is_the_only_schema_complaint() {
    let update = read_golden("v4/update.json");
    let err = crate::support::check(&v4_validator("ProductOrder_Update"), &update).unwrap_err();
    assert!(err.contains("productOrderItem"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let parsed: v4::ProductOrderUpdate = from_value(update).unwrap();
    assert!(parsed.product_order_item.is_none());
}

#[test]
fn v4_full_create_becomes_the_domain_order() {
    let body: v4::ProductOrderCreate = from_value(read_golden("v4/create_full.json")).unwrap();
    let ext = OrderExtensions::from_v4(&body).unwrap();
    let order = v4::to_domain(body, intake("PO-9")).unwrap();
    assert_eq!(order.customer.as_str(), "CUST-42");
    assert_eq!(order.related_parties.len(), 1);
    assert_eq!(order.related_parties[0].role, "salesAgent");
    assert_eq!(order.external_ids.len(), 1);
    assert_eq!(order.external_ids[0].owner.as_deref(), Some("web"));
    assert_eq!(order.external_ids[0].id, "WEB-20260302-0001");
    assert_eq!(order.priority.to_string(), "1");
    assert_eq!(order.billing_account.as_ref().unwrap().as_str(), "BA-3");
    assert_eq!(order.quote.as_ref().unwrap().as_str(), "Q-88");
    assert_eq!(order.payment.method.as_ref().unwrap().as_str(), "PM-CARD-1");
    assert_eq!(
        order.payment.holder_name.as_deref(),
        Some("Account Holder A")
    );
    assert_eq!(order.notes[0].text, "Please call before arrival");
    assert_eq!(order.order_date, t0());
    assert_eq!(order.state().as_str(), "acknowledged");
    let ids: Vec<&str> = order.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        ["1", "2", "3", "3.1"],
        "nested bundle children are flattened"
    );
    let fibre = &order.items[0];
    assert_eq!(fibre.product.place.as_ref().unwrap().as_str(), "ADDR-1001");
    assert_eq!(
        fibre.product.characteristic("staticIps"),
        Some(&CharacteristicValue::Number(2.into()))
    );
    assert_eq!(
        fibre.product.characteristic("wifiCalling"),
        Some(&CharacteristicValue::Boolean(true))
    );
    assert_eq!(
        fibre.product.characteristic("installNotes"),
        Some(&CharacteristicValue::Json(json!({"floor": 3})))
    );
    let slot = fibre.appointment.as_ref().unwrap();
    assert_eq!(slot.id.as_deref(), Some("APT-77"));
    assert_eq!(slot.end, t("2026-03-10T12:00:00Z"));
    assert_eq!(
        fibre.price, None,
        "itemPrice is not the agreed total: kept, not mapped"
    );
    assert_eq!(
        order.items[1].relationships[0].kind,
        ItemRelationshipType::ReliesOn
    );
    assert_eq!(
        order.items[3].relationships[0].kind,
        ItemRelationshipType::BundledIn
    );
    assert_eq!(order.items[3].relationships[0].item, ItemId::new("3"));

    // What the domain does not hold comes back on the way out, in v4.
    let out = ext
        .apply_to(ApiVersion::V4, &v4::from_domain(&order, V4_BASE))
        .unwrap();
    assert_eq!(out["x-salesCampaign"], "SPRING26");
    assert_eq!(out["channel"][0]["id"], "web");
    assert_eq!(out["notificationContact"], "account-holder-a@example.com");
    assert_eq!(
        out["productOrderItem"][0]["itemPrice"][0]["name"],
        "Monthly fee"
    );
    assert_eq!(
        out["productOrderItem"][0]["product"]["productSpecification"]["id"],
        "PS-FIBRE"
    );
    assert_valid(
        &v4_validator("ProductOrder"),
        &out,
        "v4 order with extensions",
    );
    // In v5 only the extension field survives: the v4 `channel` shape is not v5's.
    let out5 = ext
        .apply_to(ApiVersion::V5, &v5::from_domain(&order, V5_BASE))
        .unwrap();
    assert_eq!(out5["x-salesCampaign"], "SPRING26");
    assert!(out5.get("channel").is_none());
}

/// The conformance kit posts an item with only `id` and `action`: it converts (the order is
/// created, and rejected later through the lifecycle), and the answer carries every field the
/// kit checks.
#[test]
fn v4_minimal_create_converts_and_answers_what_the_kit_checks() {
    let body: v4::ProductOrderCreate = from_value(read_golden("v4/create_minimal.json")).unwrap();
    let order = v4::to_domain(body, intake("PO-2")).unwrap();
    assert_eq!(order.items[0].offering, None);
    assert_eq!(order.items[0].action, ItemAction::Add);
    let out = serde_json::to_value(v4::from_domain(&order, V4_BASE)).unwrap();
    for field in [
        "id",
        "href",
        "orderDate",
        "state",
        "relatedParty",
        "productOrderItem",
    ] {
        assert!(out.get(field).is_some(), "{field} missing from {out}");
    }
    assert_eq!(
        out["href"],
        format!("{V4_BASE}/productOrder/PO-2"),
        "href is the Location of the order"
    );
    assert_valid(&v4_validator("ProductOrder"), &out, "minimal v4 order");
}

#[test]
fn v4_cancel_create_becomes_a_request() {
    let body: v4::CancelProductOrderCreate =
        from_value(read_golden("v4/cancel_create.json")).unwrap();
    let req = v4::convert::cancel_to_domain(
        &body,
        CancelIntake {
            id: CancelRequestId::new("C-1"),
            now: t0(),
        },
    )
    .unwrap();
    assert_eq!(req.order.as_str(), "PO-1001");
    assert_eq!(req.state, CancelState::Acknowledged);
    assert_eq!(req.reason.as_deref(), Some("Customer moved abroad"));
}

#[test]
fn serialised_outputs_match_their_golden_files() {
    let rich = rich_order();
    assert_golden(
        "v4/order_rich.out.json",
        &serde_json::to_value(v4::from_domain(&rich, V4_BASE)).unwrap(),
    );
    assert_golden(
        "v4/order_minimal.out.json",
        &serde_json::to_value(v4::from_domain(&minimal_order(), V4_BASE)).unwrap(),
    );
    assert_golden(
        "v5/order_rich.out.json",
        &serde_json::to_value(v5::from_domain(&rich, V5_BASE)).unwrap(),
    );
    let mut request = orderdesk_tmf::CancelRequest {
        id: CancelRequestId::new("C-1"),
        order: OrderId::new("PO-1001"),
        state: CancelState::Rejected,
        reason: Some("Customer moved abroad".into()),
        requested_date: Some(t("2026-03-05T00:00:00Z")),
        effective_date: None,
        created: t0(),
    };
    assert_golden(
        "v5/cancel.out.json",
        &serde_json::to_value(v5::convert::cancel_from_domain(&request, V5_BASE)).unwrap(),
    );
    let v4_cancel =
        serde_json::to_value(v4::convert::cancel_from_domain(&request, V4_BASE)).unwrap();
    assert_eq!(
        v4_cancel["state"], "terminatedWithError",
        "v4 has no `rejected` task state"
    );
    request.state = CancelState::Done;
    assert_golden(
        "v4/cancel.out.json",
        &serde_json::to_value(v4::convert::cancel_from_domain(&request, V4_BASE)).unwrap(),
    );
    let at = t("2026-03-03T08:00:00Z");
    assert_golden(
        "v5/event_state_change.out.json",
        &serde_json::to_value(
            v5::convert::order_event(
                EventKind::ProductOrderStateChange,
                "EV-9",
                at,
                &minimal_order(),
                V5_BASE,
            )
            .unwrap(),
        )
        .unwrap(),
    );
    assert_golden(
        "v4/event_state_change.out.json",
        &serde_json::to_value(
            v4::convert::order_event(
                EventKind::ProductOrderStateChange,
                "EV-9",
                at,
                &minimal_order(),
                V4_BASE,
            )
            .unwrap(),
        )
        .unwrap(),
    );
    let err = from_str::<v5::ProductOrderFvo>(
        r#"{"productOrderItem":[{"id":"1","action":"add"},{"id":"2","action":"explode"}]}"#,
    )
    .unwrap_err();
    assert_golden(
        "v5/error.out.json",
        &serde_json::to_value(ErrorBody::from_wire_error(&err, ApiVersion::V5)).unwrap(),
    );
    assert_golden(
        "v4/error.out.json",
        &serde_json::to_value(ErrorBody::from_wire_error(&err, ApiVersion::V4)).unwrap(),
    );
    assert!(matches!(err, WireError::Malformed { .. }));
}

/// The states each version writes: v5 as the domain says, v4 its equivalents.
#[test]
fn states_are_written_per_version() {
    let mut order = minimal_order();
    order.phase.draft = true;
    assert_eq!(
        v5::from_domain(&order, V5_BASE).state.unwrap().as_str(),
        "draft"
    );
    assert_eq!(
        v4::from_domain(&order, V4_BASE).state.unwrap().as_str(),
        "acknowledged"
    );
    order.phase.draft = false;
    order.phase.accepted = true;
    assert_eq!(
        v5::from_domain(&order, V5_BASE).state.unwrap().as_str(),
        "inProgress.accepted"
    );
    assert_eq!(
        v4::from_domain(&order, V4_BASE).state.unwrap().as_str(),
        "inProgress"
    );
    order.items[0].lifecycle.state = ItemState::Partial;
    let v4_item = v4::from_domain(&order, V4_BASE).product_order_item.unwrap()[0].state;
    assert_eq!(v4_item, Some(ItemState::Failed));
    let v5_item = v5::from_domain(&order, V5_BASE).product_order_item.unwrap()[0].state;
    assert_eq!(v5_item, Some(ItemState::Partial));
    let v5 = serde_json::to_value(v5::from_domain(&order, V5_BASE)).unwrap();
    assert_eq!(v5["creationDate"], v5["orderDate"], "v5 writes both dates");
    let _: Value = v5;
}
