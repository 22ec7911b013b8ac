//! Hostile input: wrong types, missing fields, unknown states and actions give typed errors that
//! name the field; nothing panics, whatever the JSON.

use orderdesk_domain::ids::OrderId;
use orderdesk_domain::ProductOrder as DomainOrder;
use orderdesk_tmf::common::ErrorBody;
use orderdesk_tmf::{from_slice, from_value, tmf641, v4, v5, ApiVersion, OrderIntake, WireError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

use crate::support::{json_tree, pointers, read_golden, t0};

fn intake() -> OrderIntake {
    OrderIntake {
        id: OrderId::new("new"),
        now: t0(),
        channel: Some("web".into()),
        created_by: None,
    }
}

fn v5_create(body: Value) -> Result<DomainOrder, WireError> {
    let body: v5::ProductOrderFvo = from_value(body)?;
    v5::to_domain(body, intake())
}

fn v4_create(body: Value) -> Result<DomainOrder, WireError> {
    let body: v4::ProductOrderCreate = from_value(body)?;
    v4::to_domain(body, intake())
}

fn customer_v5() -> Value {
    json!([{"role": "Customer", "partyOrPartyRole": {"id": "C1", "@type": "PartyRoleRef"},
            "@type": "RelatedPartyRefOrPartyRoleRef"}])
}

fn customer_v4() -> Value {
    json!([{"id": "C1", "role": "customer", "@referredType": "Individual"}])
}

fn item(extra: Value) -> Value {
    let mut base = json!({"id": "1", "action": "add", "@type": "ProductOrderItem"});
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    base
}

#[test]
fn v5_errors_name_the_field() {
    let cases: Vec<(Value, &str)> = vec![
        (json!("not an object"), ""),
        (json!({"relatedParty": customer_v5()}), ""),
        (
            json!({"productOrderItem": {"id": "1"}, "relatedParty": customer_v5()}),
            "productOrderItem",
        ),
        (
            json!({"productOrderItem": [item(json!({})), {"id": "2", "action": "explode"}],
                   "relatedParty": customer_v5()}),
            "productOrderItem[1].action",
        ),
        (
            json!({"productOrderItem": [{"action": "add"}], "relatedParty": customer_v5()}),
            "productOrderItem[0]",
        ),
        (
            json!({"productOrderItem": [item(json!({"state": "exploded"}))], "relatedParty": customer_v5()}),
            "productOrderItem[0].state",
        ),
        (
            json!({"productOrderItem": [item(json!({"quantity": "two"}))], "relatedParty": customer_v5()}),
            "productOrderItem[0].quantity",
        ),
        (
            json!({"productOrderItem": [item(json!({"quantity": 0}))], "relatedParty": customer_v5()}),
            "productOrderItem[0].quantity",
        ),
        (
            json!({"productOrderItem": [item(json!({}))], "priority": 1, "relatedParty": customer_v5()}),
            "priority",
        ),
        (
            json!({"productOrderItem": [item(json!({}))], "priority": "7", "relatedParty": customer_v5()}),
            "priority",
        ),
        (
            json!({"productOrderItem": [item(json!({}))]}),
            "relatedParty",
        ),
        (
            json!({"productOrderItem": [item(json!({}))],
                   "relatedParty": [{"role": "seller", "partyOrPartyRole": {"id": "S"}}]}),
            "relatedParty",
        ),
        (
            json!({"productOrderItem": [item(json!({}))], "relatedParty": [{"role": "customer"}]}),
            "relatedParty[0].partyOrPartyRole",
        ),
        (
            json!({"productOrderItem": [item(json!({}))],
                   "relatedParty": [{"role": "customer", "partyOrPartyRole": {"id": " "}}]}),
            "relatedParty[0].partyOrPartyRole.id",
        ),
        (
            json!({"productOrderItem": [item(json!({})), item(json!({}))], "relatedParty": customer_v5()}),
            "productOrderItem[1].id",
        ),
        (
            json!({"productOrderItem": [item(json!({"productOrderItemRelationship":
                    [{"id": "9", "relationshipType": "reliesOn"}]}))], "relatedParty": customer_v5()}),
            "productOrderItem[0].productOrderItemRelationship[0].id",
        ),
        (
            json!({"productOrderItem": [item(json!({"productOrderItemRelationship":
                    [{"id": "2", "relationshipType": "marries"}]})), {"id": "2", "action": "add"}],
                   "relatedParty": customer_v5()}),
            "productOrderItem[0].productOrderItemRelationship[0].relationshipType",
        ),
        (
            json!({"productOrderItem": [item(json!({"productOrderItem": [{"id": "1.1", "action": "dance"}]}))],
                   "relatedParty": customer_v5()}),
            "productOrderItem[0].productOrderItem[0].action",
        ),
        (
            json!({"productOrderItem": [item(json!({"product": {"productCharacteristic": [
                    {"@type": "NumberCharacteristic", "name": "n", "value": "ten"}]}}))],
                   "relatedParty": customer_v5()}),
            "productOrderItem[0].product.productCharacteristic[0]",
        ),
        (
            json!({"productOrderItem": [item(json!({"product": {"productCharacteristic": [
                    {"@type": "StringCharacteristic", "value": "x"}]}}))],
                   "relatedParty": customer_v5()}),
            "productOrderItem[0].product.productCharacteristic[0].name",
        ),
        (
            json!({"productOrderItem": [item(json!({"product": {"place": [
                    {"role": "serviceAddress", "place": {"@type": "GeographicAddress", "city": "Gent"}}]}}))],
                   "relatedParty": customer_v5()}),
            "productOrderItem[0].product.place[0].place.id",
        ),
        (
            json!({"productOrderItem": [item(json!({"appointment": {"id": "A",
                    "validFor": {"startDateTime": "2026-01-01T10:00:00Z"}}}))],
                   "relatedParty": customer_v5()}),
            "productOrderItem[0].appointment.validFor.endDateTime",
        ),
        (
            json!({"productOrderItem": [item(json!({}))], "requestedStartDate": "tomorrow",
                   "relatedParty": customer_v5()}),
            "requestedStartDate",
        ),
        (
            json!({"productOrderItem": [item(json!({}))], "requestedInitialState": "held",
                   "relatedParty": customer_v5()}),
            "requestedInitialState",
        ),
        (
            json!({"productOrderItem": [item(json!({}))], "externalId": [{"owner": "x"}],
                   "relatedParty": customer_v5()}),
            "externalId[0]",
        ),
        (
            json!({"productOrderItem": [], "relatedParty": customer_v5()}),
            "productOrderItem",
        ),
    ];
    for (body, field) in cases {
        let err = v5_create(body.clone()).expect_err(&body.to_string());
        assert_eq!(err.field(), field, "{err} for {body}");
        assert!(!err.to_string().is_empty());
        let answer =
            serde_json::to_value(ErrorBody::from_wire_error(&err, ApiVersion::V5)).unwrap();
        assert_eq!(answer["@type"], "Error");
        assert_eq!(answer["status"], "400");
    }
}

#[test]
fn v4_errors_name_the_field() {
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"productOrderItem": [{"id": "1", "action": "add"}, {"id": "2", "action": "upgrade"}],
                   "relatedParty": customer_v4()}),
            "productOrderItem[1].action",
        ),
        (
            json!({"productOrderItem": [{"id": "1"}], "relatedParty": customer_v4()}),
            "productOrderItem[0]",
        ),
        (
            json!({"productOrderItem": [{"id": "1", "action": "add"}]}),
            "relatedParty",
        ),
        (
            json!({"productOrderItem": [{"id": "1", "action": "add"}], "relatedParty": [{"role": "customer"}]}),
            "relatedParty[0]",
        ),
        (
            json!({"productOrderItem": [{"id": "1", "action": "add"}], "externalId": ["a"],
                   "relatedParty": customer_v4()}),
            "externalId",
        ),
        (
            json!({"productOrderItem": [{"id": "1", "action": "add", "product": {"productCharacteristic":
                    [{"name": "x"}]}}], "relatedParty": customer_v4()}),
            "productOrderItem[0].product.productCharacteristic[0]",
        ),
        (
            json!({"productOrderItem": [{"id": "1", "action": "add", "product": {"place":
                    [{"role": "installationAddress"}]}}], "relatedParty": customer_v4()}),
            "productOrderItem[0].product.place[0].id",
        ),
        (
            json!({"productOrderItem": [{"id": "", "action": "add"}], "relatedParty": customer_v4()}),
            "productOrderItem[0].id",
        ),
        (
            json!({"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"name": "x"}}],
                   "relatedParty": customer_v4()}),
            "productOrderItem[0].productOffering",
        ),
        (
            json!({"productOrderItem": [{"id": "1", "action": "add"}], "note": [{"author": "a"}],
                   "relatedParty": customer_v4()}),
            "note[0].text",
        ),
    ];
    for (body, field) in cases {
        let err = v4_create(body.clone()).expect_err(&body.to_string());
        assert_eq!(err.field(), field, "{err} for {body}");
    }
    // A stored order with a state v4 and v5 do not know.
    let err = from_value::<v4::ProductOrder>(json!({"id": "1", "state": "vanished"})).unwrap_err();
    assert_eq!(err.field(), "state");
    let err =
        from_value::<v5::ProductOrder>(json!({"productOrderItem": [{"state": 3}]})).unwrap_err();
    assert_eq!(err.field(), "productOrderItem[0].state");
    let err = from_value::<v5::CancelProductOrder>(json!({"state": "pondering"})).unwrap_err();
    assert_eq!(err.field(), "state");
}

#[test]
fn bytes_that_are_not_json_are_errors() {
    for bytes in [
        &b""[..],
        b"{",
        b"\xff\xfe",
        b"[1,2",
        b"{\"productOrderItem\": [] } trailing",
        b"null",
    ] {
        let err = from_slice::<v5::ProductOrderFvo>(bytes).unwrap_err();
        assert!(matches!(err, WireError::Malformed { .. }), "{err}");
    }
    // Deep nesting stops at the parser's recursion limit, not the stack.
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    assert!(from_slice::<v5::ProductOrderFvo>(deep.as_bytes()).is_err());
    let deep_items = "{\"id\":\"x\",\"action\":\"add\",\"productOrderItem\":[".repeat(5_000);
    let body = format!(
        "{{\"productOrderItem\":[{deep_items}{}]}}",
        "]}".repeat(5_000)
    );
    assert!(from_slice::<v5::ProductOrderFvo>(body.as_bytes()).is_err());
}

// ---------------------------------------------------------------------------------------------
// Properties: arbitrary JSON, and valid bodies with one value replaced.

/// Runs every parser and conversion on `v`; returning at all (no panic) is the property.
fn feed(v: &Value) {
    let _ = v5_create(v.clone());
    let _ = v4_create(v.clone());
    if let Ok(o) = from_value::<v5::ProductOrder>(v.clone()) {
        let _ = DomainOrder::try_from(&o);
        let _ = serde_json::to_value(&o);
    }
    if let Ok(o) = from_value::<v4::ProductOrder>(v.clone()) {
        let _ = DomainOrder::try_from(&o);
    }
    if let Ok(b) = from_value::<v5::ProductOrderFvo>(v.clone()) {
        let _ = orderdesk_tmf::OrderExtensions::from_v5(&b);
    }
    if let Ok(e) = from_value::<tmf641::ServiceOrderEvent>(v.clone()) {
        let _ = e.progress();
    }
    let _ = from_value::<v5::ProductOrderEvent>(v.clone());
    let _ = from_value::<v5::CancelProductOrderFvo>(v.clone());
    let _ = from_value::<Vec<orderdesk_tmf::common::JsonPatchOperation>>(v.clone());
    let _ = from_slice::<v5::ProductOrderFvo>(v.to_string().as_bytes());
}

#[test]
fn arbitrary_json_never_panics() {
    let mut runner = TestRunner::new(Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&json_tree(5, 0..4, 0..6), |v| {
            feed(&v);
            let mut wrapped =
                json!({"productOrderItem": [v.clone()], "relatedParty": customer_v5()});
            feed(&wrapped);
            wrapped["productOrderItem"] = json!([{"id": "1", "action": "add", "product": v}]);
            feed(&wrapped);
            Ok(())
        })
        .unwrap();
}

/// A valid body with any one value replaced by arbitrary JSON: parse and conversion either
/// succeed or fail with an error naming a field; they never panic.
#[test]
fn mutated_valid_bodies_never_panic() {
    let bodies = [
        read_golden("v4/create_full.json"),
        serde_json::to_value(v5::from_domain(
            &crate::support::rich_order(),
            crate::support::V5_BASE,
        ))
        .unwrap(),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(
                0..bodies.len(),
                any::<prop::sample::Index>(),
                json_tree(5, 0..4, 0..6),
            ),
            |(which, at, replacement)| {
                let mut body = bodies[which].clone();
                let paths = pointers(&body);
                let pointer = &paths[at.index(paths.len())];
                if let Some(slot) = body.pointer_mut(pointer) {
                    *slot = replacement;
                }
                feed(&body);
                for result in [v5_create(body.clone()), v4_create(body.clone())] {
                    if let Err(e) = result {
                        prop_assert!(!e.to_string().is_empty());
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}
