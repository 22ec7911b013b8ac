//! What the project serialises validates against the official JSON schemas: v4 against the
//! Swagger `definitions` (draft 4), v5 against `components.schemas` turned into draft 7 with the
//! `@type` discriminators enforced (see `support::openapi_schemas`).

use orderdesk_domain::ids::{CancelRequestId, OrderId};
use orderdesk_domain::lifecycle::CancelState;
use orderdesk_tmf::common::ErrorBody;
use orderdesk_tmf::events::EventKind;
use orderdesk_tmf::{from_str, v4, v5, ApiVersion, CancelRequest};
use serde_json::{json, Value};

use crate::support::{
    assert_valid, check, minimal_order, rich_order, t, t0, v4_validator, v5_validator, V4_BASE,
    V5_BASE,
};

fn cancel_request(state: CancelState) -> CancelRequest {
    CancelRequest {
        id: CancelRequestId::new("C-1"),
        order: OrderId::new("PO-1001"),
        state,
        reason: Some("moved".into()),
        requested_date: Some(t("2026-03-05T00:00:00Z")),
        effective_date: Some(t("2026-03-05T10:00:00Z")),
        created: t0(),
    }
}

fn parse_error() -> orderdesk_tmf::WireError {
    from_str::<v5::ProductOrderFvo>(r#"{"productOrderItem":[{"id":"1","action":"nope"}]}"#)
        .unwrap_err()
}

#[test]
fn v4_outputs_validate() {
    let order_schema = v4_validator("ProductOrder");
    for (what, order) in [("rich", rich_order()), ("minimal", minimal_order())] {
        let out = serde_json::to_value(v4::from_domain(&order, V4_BASE)).unwrap();
        assert_valid(&order_schema, &out, what);
    }
    let cancel_schema = v4_validator("CancelProductOrder");
    for state in CancelState::ALL {
        let out = serde_json::to_value(v4::convert::cancel_from_domain(
            &cancel_request(*state),
            V4_BASE,
        ))
        .unwrap();
        assert_valid(&cancel_schema, &out, state.as_str());
    }
    for kind in EventKind::ALL
        .iter()
        .filter(|k| k.exists_in(ApiVersion::V4))
    {
        let now = t("2026-03-03T08:00:00Z");
        let out = if kind.is_cancel() {
            let req = cancel_request(CancelState::InProgress);
            serde_json::to_value(
                v4::convert::cancel_event(*kind, "e1", now, &req, V4_BASE).unwrap(),
            )
        } else {
            serde_json::to_value(
                v4::convert::order_event(*kind, "e1", now, &rich_order(), V4_BASE).unwrap(),
            )
        }
        .unwrap();
        assert_valid(&v4_validator(kind.as_str()), &out, kind.as_str());
    }
    assert!(v4::convert::order_event(
        EventKind::ProductOrderMilestone,
        "e1",
        t0(),
        &minimal_order(),
        V4_BASE
    )
    .is_err());
    let error =
        serde_json::to_value(ErrorBody::from_wire_error(&parse_error(), ApiVersion::V4)).unwrap();
    assert_valid(&v4_validator("Error"), &error, "v4 error");
    let hub = serde_json::to_value(v4::EventSubscription {
        id: "h1".into(),
        callback: "https://crm.example/listener".into(),
        query: None,
        extra: Default::default(),
    })
    .unwrap();
    assert_valid(&v4_validator("EventSubscription"), &hub, "v4 hub");
}

#[test]
fn v5_outputs_validate() {
    let order_schema = v5_validator("ProductOrder");
    for (what, order) in [("rich", rich_order()), ("minimal", minimal_order())] {
        let out = serde_json::to_value(v5::from_domain(&order, V5_BASE)).unwrap();
        assert_valid(&order_schema, &out, what);
    }
    let cancel_schema = v5_validator("CancelProductOrder");
    for state in CancelState::ALL {
        let out = serde_json::to_value(v5::convert::cancel_from_domain(
            &cancel_request(*state),
            V5_BASE,
        ))
        .unwrap();
        assert_valid(&cancel_schema, &out, state.as_str());
    }
    for kind in EventKind::ALL {
        let now = t("2026-03-03T08:00:00Z");
        let out = if kind.is_cancel() {
            let req = cancel_request(CancelState::InProgress);
            serde_json::to_value(
                v5::convert::cancel_event(*kind, "e1", now, &req, V5_BASE).unwrap(),
            )
        } else {
            serde_json::to_value(
                v5::convert::order_event(*kind, "e1", now, &rich_order(), V5_BASE).unwrap(),
            )
        }
        .unwrap();
        assert_valid(&v5_validator(kind.as_str()), &out, kind.as_str());
    }
    let error =
        serde_json::to_value(ErrorBody::from_wire_error(&parse_error(), ApiVersion::V5)).unwrap();
    assert_valid(&v5_validator("Error"), &error, "v5 error");
    let hub = serde_json::to_value(v5::Hub {
        id: Some("h1".into()),
        href: Some(format!("{V5_BASE}/hub/h1")),
        callback: "https://crm.example/listener".into(),
        query: None,
        at_type: Some("Hub".into()),
        extra: Default::default(),
    })
    .unwrap();
    assert_valid(&v5_validator("Hub"), &hub, "v5 hub");
}

/// The validators are not vacuous: they refuse what the specifications refuse.
#[test]
fn the_validators_refuse_invalid_documents() {
    let v5_order = serde_json::to_value(v5::from_domain(&rich_order(), V5_BASE)).unwrap();
    let mut cases: Vec<(&str, Value)> = Vec::new();
    let mut bad = v5_order.clone();
    bad["state"] = json!("exploded");
    cases.push(("unknown order state", bad));
    let mut bad = v5_order.clone();
    bad.as_object_mut().unwrap().remove("@type");
    cases.push(("missing @type", bad));
    let mut bad = v5_order.clone();
    bad["productOrderItem"][0]["product"]["productCharacteristic"][1]["value"] = json!("two");
    cases.push(("NumberCharacteristic with a string value", bad));
    let mut bad = v5_order.clone();
    bad["relatedParty"][0]["partyOrPartyRole"]["@type"] = json!("Martian");
    cases.push(("party subtype outside the discriminator mapping", bad));
    let mut bad = v5_order.clone();
    bad["productOrderItem"] = json!([]);
    cases.push(("no items", bad));
    let mut bad = v5_order;
    bad["creationDate"] = json!("yesterday");
    cases.push(("not a date-time", bad));
    let schema = v5_validator("ProductOrder");
    for (what, doc) in &cases {
        assert!(check(&schema, doc).is_err(), "v5 accepted: {what}");
    }

    let v4_order = serde_json::to_value(v4::from_domain(&rich_order(), V4_BASE)).unwrap();
    let mut bad = v4_order.clone();
    bad["productOrderItem"][1]["state"] = json!("partial");
    let schema = v4_validator("ProductOrder");
    assert!(
        check(&schema, &bad).is_err(),
        "v4 has no item state `partial`"
    );
    let mut bad = v4_order;
    bad["relatedParty"][0]
        .as_object_mut()
        .unwrap()
        .remove("@referredType");
    assert!(
        check(&schema, &bad).is_err(),
        "v4 RelatedParty needs @referredType"
    );
    let error = json!({"code": "x", "reason": "y"});
    assert!(
        check(&v5_validator("Error"), &error).is_err(),
        "v5 Error needs @type"
    );
    assert!(check(&v4_validator("Error"), &error).is_ok());
}
