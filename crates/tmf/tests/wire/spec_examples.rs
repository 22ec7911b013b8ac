//! Every example payload of the official TMF622 specifications parses into the type its place in
//! the specification says, and writes back unchanged (unknown fields included).

use orderdesk_domain::ids::OrderId;
use orderdesk_domain::ProductOrder as DomainOrder;
use orderdesk_tmf::common::JsonPatchOperation;
use orderdesk_tmf::{from_value, v5, OrderIntake};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

use crate::support::{t0, v4_spec, v5_spec};

/// The number of examples in `components.examples` of TMF622 v5.0.0; each is referenced once.
const V5_COMPONENT_EXAMPLES: usize = 34;

/// Parses `value` as `T` and checks that writing it back gives the same JSON.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value, what: &str) -> Result<T, String> {
    let parsed: T = from_value(value.clone()).map_err(|e| format!("{what}: {e}"))?;
    let back = serde_json::to_value(&parsed).map_err(|e| format!("{what}: {e}"))?;
    if &back != value {
        return Err(format!(
            "{what}: the round trip changed the JSON\nbefore: {value}\nafter:  {back}"
        ));
    }
    Ok(parsed)
}

/// Which wire type an example placed under `schema` must parse into.
fn parse_example(schema: &Value, value: &Value, what: &str) -> Result<&'static str, String> {
    // A `oneOf` (PATCH responses: order, list of orders, or nothing) is resolved by the JSON kind.
    if let Some(alternatives) = schema.get("oneOf").and_then(Value::as_array) {
        let fit = alternatives.iter().find(|a| match value {
            Value::Array(_) => a.get("type").and_then(Value::as_str) == Some("array"),
            Value::Object(_) => a.get("$ref").is_some(),
            _ => false,
        });
        return match fit {
            Some(a) => parse_example(a, value, what),
            None => Err(format!("{what}: no alternative of the oneOf fits")),
        };
    }
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        let item = schema["items"]["$ref"].as_str().unwrap_or_default();
        let items = value
            .as_array()
            .ok_or_else(|| format!("{what}: expected a list"))?;
        for (i, v) in items.iter().enumerate() {
            parse_one(item, v, &format!("{what}[{i}]"))?;
        }
        return Ok(match item.rsplit('/').next() {
            Some("ProductOrder") => "list of ProductOrder",
            Some("CancelProductOrder") => "list of CancelProductOrder",
            Some("JsonPatch") => "JSON Patch",
            _ => return Err(format!("{what}: unexpected list of {item}")),
        });
    }
    let reference = schema["$ref"]
        .as_str()
        .ok_or_else(|| format!("{what}: schema without $ref: {schema}"))?;
    parse_one(reference, value, what)
}

fn parse_one(reference: &str, value: &Value, what: &str) -> Result<&'static str, String> {
    let name = reference.rsplit('/').next().unwrap_or_default();
    Ok(match name {
        "ProductOrder_FVO" => {
            let body: v5::ProductOrderFvo = round_trip(value, what)?;
            // Every create example is also a valid new domain order.
            let intake = OrderIntake {
                id: OrderId::new("new-1"),
                now: t0(),
                channel: Some("web".into()),
                created_by: None,
            };
            v5::to_domain(body, intake).map_err(|e| format!("{what}: to domain: {e}"))?;
            "ProductOrder_FVO"
        }
        "ProductOrder_MVO" => {
            round_trip::<v5::ProductOrderMvo>(value, what)?;
            "ProductOrder_MVO"
        }
        "ProductOrder" => {
            round_trip::<v5::ProductOrder>(value, what)?;
            "ProductOrder"
        }
        "CancelProductOrder_FVO" => {
            round_trip::<v5::CancelProductOrderFvo>(value, what)?;
            "CancelProductOrder_FVO"
        }
        "CancelProductOrder" => {
            round_trip::<v5::CancelProductOrder>(value, what)?;
            "CancelProductOrder"
        }
        "JsonPatchOperations" => {
            round_trip::<Vec<JsonPatchOperation>>(value, what)?;
            "JSON Patch"
        }
        "JsonPatch" => {
            round_trip::<JsonPatchOperation>(value, what)?;
            "JSON Patch"
        }
        "Hub" => {
            round_trip::<v5::Hub>(value, what)?;
            "Hub"
        }
        "Hub_FVO" => {
            round_trip::<v5::HubFvo>(value, what)?;
            "Hub_FVO"
        }
        n if n.starts_with("CancelProductOrder") && n.ends_with("Event") => {
            let e: v5::CancelProductOrderEvent = round_trip(value, what)?;
            e.occurred_at()
                .ok_or_else(|| format!("{what}: no time of occurrence"))?;
            "CancelProductOrder event"
        }
        n if n.starts_with("ProductOrder") && n.ends_with("Event") => {
            let e: v5::ProductOrderEvent = round_trip(value, what)?;
            if e.kind().map(|k| k.as_str()) != Some(n) {
                return Err(format!("{what}: eventType does not name {n}"));
            }
            "ProductOrder event"
        }
        other => return Err(format!("{what}: no wire type for schema {other}")),
    })
}

/// Finds every `examples` map of the requestBodies and responses (and, to be sure nothing is
/// missed, of the paths), resolving `$ref`s into `components.examples`.
#[test]
fn every_v5_example_parses_into_its_type_and_round_trips() {
    let spec = v5_spec();
    let components = spec["components"]["examples"]
        .as_object()
        .expect("components.examples");
    assert_eq!(components.len(), V5_COMPONENT_EXAMPLES);

    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_type: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut inline = 0;
    let mut failures = Vec::new();
    let mut total = 0;

    for section in ["requestBodies", "responses"] {
        let entries = spec["components"][section].as_object().expect(section);
        for (name, body) in entries {
            let Some(content) = body.get("content").and_then(Value::as_object) else {
                continue;
            };
            for (media, media_body) in content {
                let Some(examples) = media_body.get("examples").and_then(Value::as_object) else {
                    continue;
                };
                for (ex_name, ex) in examples {
                    let what = format!("{section}/{name}/{media}/{ex_name}");
                    let value = match ex.get("$ref").and_then(Value::as_str) {
                        Some(r) => {
                            let key = r.trim_start_matches("#/components/examples/");
                            *used.entry(key.to_owned()).or_default() += 1;
                            components[key]["value"].clone()
                        }
                        None => {
                            inline += 1;
                            ex["value"].clone()
                        }
                    };
                    total += 1;
                    match parse_example(&media_body["schema"], &value, &what) {
                        Ok(kind) => *by_type.entry(kind).or_default() += 1,
                        Err(e) => failures.push(e),
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    // Paths only reference the components above: no inline example hides there.
    let paths = serde_json::to_string(&spec["paths"]).unwrap();
    assert!(!paths.contains("\"examples\"") && !paths.contains("\"example\""));
    assert_eq!(inline, 0, "the v5 document has no inline examples");

    // Every component example was reached exactly once: none silently skipped.
    assert_eq!(used.len(), V5_COMPONENT_EXAMPLES, "{used:?}");
    assert!(used.values().all(|n| *n == 1), "{used:?}");
    assert_eq!(total, V5_COMPONENT_EXAMPLES);
    let expected: BTreeMap<&str, usize> = [
        ("ProductOrder_FVO", 3),
        ("ProductOrder_MVO", 2),
        ("JSON Patch", 2),
        ("ProductOrder", 9),
        ("list of ProductOrder", 2),
        ("CancelProductOrder_FVO", 1),
        ("CancelProductOrder", 2),
        ("list of CancelProductOrder", 2),
        ("ProductOrder event", 8),
        ("CancelProductOrder event", 3),
    ]
    .into_iter()
    .collect();
    assert_eq!(by_type, expected);
}

/// The stored-order examples that carry a customer read back into the domain.
#[test]
fn v5_order_examples_read_back_into_the_domain() {
    let spec = v5_spec();
    let examples = &spec["components"]["examples"];
    for key in [
        "retrieveProductOrderById1_response",
        "retrieveProductOrderById2_response",
        "CreateProductOrder1_response",
        "CreateProductOrder2_response",
        "CreateProductOrder_with_intent_specification_response",
    ] {
        let wire: v5::ProductOrder = from_value(examples[key]["value"].clone()).unwrap();
        let order = DomainOrder::try_from(&wire).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(order.id.as_str(), wire.id.as_deref().unwrap());
        assert_eq!(order.customer.as_str(), "ff55-hjy4", "{key}");
        assert_eq!(order.priority.to_string(), "1");
        assert_eq!(
            order.items.len(),
            wire.product_order_item.as_ref().unwrap().len()
        );
    }
    // The first example bundles 110, 120, 130 under 100; 120 and 130 rely on 110.
    let wire: v5::ProductOrder =
        from_value(examples["retrieveProductOrderById1_response"]["value"].clone()).unwrap();
    let order = DomainOrder::try_from(&wire).unwrap();
    let rels = |id: &str| {
        order
            .items
            .iter()
            .find(|i| i.id.as_str() == id)
            .unwrap()
            .relationships
            .iter()
            .map(|r| format!("{}:{}", r.kind.as_str(), r.item))
            .collect::<Vec<_>>()
    };
    assert_eq!(rels("100"), Vec::<String>::new());
    assert_eq!(rels("110"), vec!["bundled:100"]);
    assert_eq!(rels("120"), vec!["bundled:100", "reliesOn:110"]);
    assert_eq!(order.state().as_str(), "completed");
}

/// The v4 Swagger document carries no example payload at all (no `example`, `examples` or
/// `x-example` anywhere): v4 is covered by the golden payloads in `tests/golden/v4/`.
#[test]
fn the_v4_specification_has_no_example_payloads() {
    fn count(v: &Value, hits: &mut Vec<String>, at: &str) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    if k == "example" || k == "examples" || k == "x-example" {
                        hits.push(format!("{at}/{k}"));
                    }
                    count(child, hits, &format!("{at}/{k}"));
                }
            }
            Value::Array(items) => items.iter().for_each(|c| count(c, hits, at)),
            _ => {}
        }
    }
    let spec = v4_spec();
    assert_eq!(spec["swagger"], "2.0");
    assert!(spec["definitions"]["ProductOrder"].is_object());
    let mut hits = Vec::new();
    count(&spec, &mut hits, "");
    assert!(hits.is_empty(), "{hits:?}");
}
