//! `from_slice` reads a body straight from its bytes; it must answer exactly what reading it
//! through a `serde_json::Value` answers (the same value, or the same error naming the same
//! path), whatever the bytes.

use orderdesk_tmf::{from_slice, from_value, tmf641, v4, v5, WireError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::support::{json_tree, pointers, read_golden, rich_order, V5_BASE};

/// The reference: the body parsed into a `Value`, then read into `T` (the former `from_slice`).
fn through_value<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| WireError::Malformed {
        path: String::new(),
        message: e.to_string(),
    })?;
    from_value(value)
}

fn same<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Result<(), String> {
    let answer = |r: Result<T, WireError>| match r {
        Ok(v) => Ok(serde_json::to_string(&v).unwrap()),
        Err(e) => Err((e.to_string(), e.field().to_owned())),
    };
    let direct = answer(from_slice::<T>(bytes));
    let reference = answer(through_value::<T>(bytes));
    if direct == reference {
        Ok(())
    } else {
        Err(format!(
            "{}\n  direct:    {direct:?}\n  reference: {reference:?}",
            String::from_utf8_lossy(bytes)
        ))
    }
}

fn all_same(bytes: &[u8]) -> Result<(), String> {
    same::<v5::ProductOrderFvo>(bytes)?;
    same::<v5::ProductOrder>(bytes)?;
    same::<v4::ProductOrderCreate>(bytes)?;
    same::<v5::CancelProductOrderFvo>(bytes)?;
    same::<tmf641::ServiceOrder>(bytes)?;
    same::<Vec<orderdesk_tmf::common::JsonPatchOperation>>(bytes)?;
    same::<Value>(bytes)
}

fn bodies() -> Vec<Value> {
    let mut v5_create = serde_json::to_value(v5::from_domain(&rich_order(), V5_BASE)).unwrap();
    if let Some(o) = v5_create.as_object_mut() {
        o.remove("id");
        o.remove("state");
    }
    vec![
        read_golden("v4/create_full.json"),
        read_golden("v4/create_minimal.json"),
        read_golden("v4/update.json"),
        serde_json::to_value(v5::from_domain(&rich_order(), V5_BASE)).unwrap(),
        v5_create,
    ]
}

#[test]
fn realistic_bodies_parse_alike() {
    for body in bodies() {
        all_same(body.to_string().as_bytes()).unwrap();
        all_same(serde_json::to_string_pretty(&body).unwrap().as_bytes()).unwrap();
    }
}

#[test]
fn edge_cases_parse_alike() {
    let cases: Vec<&[u8]> = vec![
        b"",
        b" ",
        b"{",
        b"}",
        b"[",
        b"null",
        b"{} x",
        b"{}  \n",
        b"\xff\xfe",
        b"{\"productOrderItem\": [], \"productOrderItem\": []}",
        b"{\"description\": \"a\", \"description\": \"b\", \"productOrderItem\": []}",
        b"{\"x-ext\": 1, \"x-ext\": 2, \"productOrderItem\": []}",
        b"{\"x-ext\": 1e400, \"productOrderItem\": []}",
        b"{\"x-ext\": 1.5e3, \"productOrderItem\": []}",
        b"{\"x-ext\": \"\xff\", \"productOrderItem\": []}",
        b"{\"x-ext\": \"\\ud800\", \"productOrderItem\": []}",
        b"{\"\\u0070roductOrderItem\": []}",
        b"{\"productOrderItem\": [{\"id\": \"1\", \"action\": \"add\", \"quantity\": 1e0}]}",
        b"{\"productOrderItem\": [{\"id\": \"1\", \"action\": \"add\", \"quantity\": 1.0}]}",
        b"{\"productOrderItem\": [{\"id\": \"1\", \"action\": \"add\", \"quantity\": -0}]}",
        b"{\"productOrderItem\": [{\"id\": \"1\\\"\", \"action\": \"add\"}]}",
    ];
    for bytes in cases {
        all_same(bytes).unwrap();
    }
    let long = format!(
        "{{\"x-ext\": {}, \"productOrderItem\": []}}",
        "9".repeat(400)
    );
    all_same(long.as_bytes()).unwrap();
    for depth in [99, 100, 101, 127, 128, 129, 1_000] {
        let deep = format!(
            "{{\"productOrderItem\": [], \"x-ext\": {}{}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        all_same(deep.as_bytes()).unwrap();
    }
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    all_same(deep.as_bytes()).unwrap();
}

/// Items nested as deep as allowed parse straight from the bytes; one level more is refused
/// with its path, as before.
#[test]
fn nesting_at_and_past_the_limit_parses_alike() {
    let leaf = json!({"id": "leaf", "action": "add", "@type": "ProductOrderItem",
                      "product": {"id": "P", "@type": "Product", "x-ext": [[[[1]]]]}});
    let mut item = leaf;
    // The leaf's item and product are two levels; its parents the rest.
    let mut depth = 2;
    while depth < orderdesk_tmf::common::MAX_NESTING {
        item = json!({"id": format!("i{depth}"), "action": "add", "@type": "ProductOrderItem",
                      "productOrderItem": [item]});
        depth += 1;
    }
    let ok = json!({"productOrderItem": [item.clone()], "@type": "ProductOrder"});
    all_same(ok.to_string().as_bytes()).unwrap();
    assert!(from_slice::<v5::ProductOrderFvo>(ok.to_string().as_bytes()).is_ok());
    let too_deep = json!({"productOrderItem": [{"id": "top", "action": "add",
        "productOrderItem": [item]}], "@type": "ProductOrder"});
    all_same(too_deep.to_string().as_bytes()).unwrap();
    let err = from_slice::<v5::ProductOrderFvo>(too_deep.to_string().as_bytes()).unwrap_err();
    assert!(err.field().starts_with("productOrderItem[0]."), "{err}");
}

/// Realistic bodies with one value replaced, then cut, spliced or left whole.
#[test]
fn mutated_bodies_parse_alike() {
    let bodies: Vec<String> = bodies().iter().map(Value::to_string).collect();
    let mut runner = TestRunner::new(Config {
        cases: 384,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(
                0..bodies.len(),
                any::<prop::sample::Index>(),
                json_tree(12, 0..3, 0..4),
                any::<prop::sample::Index>(),
                0..4u8,
            ),
            |(which, at, replacement, cut, how)| {
                let mut body: Value = serde_json::from_str(&bodies[which]).unwrap();
                let paths = pointers(&body);
                if let Some(slot) = body.pointer_mut(&paths[at.index(paths.len())]) {
                    *slot = replacement;
                }
                let text = body.to_string().into_bytes();
                let n = cut.index(text.len() + 1);
                let bytes = match how {
                    0 => text,
                    1 => text[..n].to_vec(),
                    2 => [&text[..n], &text[..]].concat(),
                    _ => [&text[..n], b"\"productOrderItem\":".as_slice(), &text[n..]].concat(),
                };
                all_same(&bytes).map_err(TestCaseError::fail)
            },
        )
        .unwrap();
}

#[test]
fn arbitrary_json_parses_alike() {
    let mut runner = TestRunner::new(Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&json_tree(12, 0..3, 0..4), |v| {
            all_same(v.to_string().as_bytes()).map_err(TestCaseError::fail)?;
            let wrapped = json!({"productOrderItem": [v], "@type": "ProductOrder"});
            all_same(wrapped.to_string().as_bytes()).map_err(TestCaseError::fail)
        })
        .unwrap();
}
