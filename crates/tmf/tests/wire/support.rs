//! Shared test helpers: the official specifications, JSON-schema validators built from them,
//! golden files, and domain orders to convert.

use chrono::{DateTime, TimeZone, Utc};
use jsonschema::{Draft, Validator};
use orderdesk_domain::ids::{
    AddressId, BillingAccountId, CustomerId, ItemId, OfferingId, OrderId, PaymentMethodId,
    ProductId, QuoteId,
};
use orderdesk_domain::lifecycle::{apply, ItemEvent, OrderCommand};
use orderdesk_domain::order::{
    Appointment, Characteristic, CharacteristicValue, ErrorMessage, ExternalId, ItemRelationship,
    ItemRelationshipType, JeopardyAlert, Milestone, Note, OrderItem, Payment, RelatedParty,
};
use orderdesk_domain::{ItemAction, Money, Priority, ProductOrder};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::str::FromStr;

pub const V4_BASE: &str = "https://orderdesk.example/tmf-api/productOrderingManagement/v4";
pub const V5_BASE: &str = "https://orderdesk.example/tmf-api/productOrderingManagement/v5";

pub fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tmf")
}

pub fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

pub fn load_yaml(name: &str) -> Value {
    let path = spec_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

pub fn v5_spec() -> Value {
    load_yaml("TMF622-ProductOrdering-v5.0.0.oas.yaml")
}

pub fn tmf641_spec() -> Value {
    load_yaml("TMF641-ServiceOrdering-v5.0.0.oas.yaml")
}

pub fn v4_spec() -> Value {
    let path = spec_dir().join("TMF622-ProductOrder-v4.0.0.swagger.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// A golden file under `tests/golden/`. Set `UPDATE_GOLDEN=1` to (re)write it from `actual`.
pub fn assert_golden(name: &str, actual: &Value) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let text = serde_json::to_string_pretty(actual).unwrap() + "\n";
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        return;
    }
    let expected = read_golden(name);
    assert_eq!(
        actual,
        &expected,
        "{name} differs from the golden file (UPDATE_GOLDEN=1 rewrites it):\n{}",
        serde_json::to_string_pretty(actual).unwrap()
    );
}

pub fn read_golden(name: &str) -> Value {
    let path = golden_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path:?}: {e} (UPDATE_GOLDEN=1 writes missing output files)"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// JSON-schema validators built from the specifications.

/// A validator for `#/definitions/{name}` of the v4 Swagger document (draft 4).
pub fn v4_validator(name: &str) -> Validator {
    let spec = v4_spec();
    let root = json!({
        "definitions": spec["definitions"],
        "allOf": [{"$ref": format!("#/definitions/{name}")}],
    });
    build(Draft::Draft4, &root)
}

/// The v5 components as JSON Schema (draft 7) — see [`openapi_schemas`].
pub fn v5_validator(name: &str) -> Validator {
    openapi_validator(&v5_spec(), name, &[])
}

/// TMF641 v5. `ServiceOrderItemStateType` is declared as an object in the official document
/// (a known defect): it is replaced by the TMF641 string enum before validating.
pub fn tmf641_validator(name: &str) -> Validator {
    let item_states = json!({
        "type": "string",
        "enum": ["acknowledged", "rejected", "pending", "held", "inProgress", "cancelled",
                 "completed", "failed", "assessingCancellation", "pendingCancellation"]
    });
    openapi_validator(
        &tmf641_spec(),
        name,
        &[("ServiceOrderItemStateType", item_states)],
    )
}

fn openapi_validator(spec: &Value, name: &str, replace: &[(&str, Value)]) -> Validator {
    let mut schemas = openapi_schemas(&spec["components"]["schemas"]);
    for (k, v) in replace {
        assert!(schemas.contains_key(*k), "{k} is not a schema of the spec");
        schemas.insert((*k).to_owned(), v.clone());
    }
    assert!(
        schemas.contains_key(name),
        "{name} is not a schema of the spec"
    );
    let root = json!({
        "components": {"schemas": schemas},
        "allOf": [{"$ref": format!("#/components/schemas/{name}")}],
    });
    build(Draft::Draft7, &root)
}

fn build(draft: Draft, root: &Value) -> Validator {
    jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true)
        .build(root)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}"))
}

/// Validates, listing every violation with its instance path.
pub fn check(validator: &Validator, instance: &Value) -> Result<(), String> {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

pub fn assert_valid(validator: &Validator, instance: &Value, what: &str) {
    if let Err(e) = check(validator, instance) {
        panic!(
            "{what} does not validate:\n{e}\n{}",
            serde_json::to_string_pretty(instance).unwrap()
        );
    }
}

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// OpenAPI 3.0 component schemas → JSON Schema draft 7:
/// * `nullable: true` becomes a `"null"` in `type`;
/// * `oneOf` + `discriminator` (e.g. `PartyRefOrPartyRoleRef`, `PlaceRefOrValue`,
///   `ProductRefOrValue`) becomes a dispatch on `@type`: `@type` is required, must be a mapping
///   key, and the mapped schema applies (a plain `oneOf` would fail whenever an object matches
///   two alternatives, as every `{id, @type}` reference does);
/// * the explicit `mapping` is completed with OpenAPI's implicit one (see
///   [`with_implicit_mapping`]);
/// * a base schema with a `discriminator` mapping to subtypes (e.g. `Characteristic` →
///   `StringCharacteristic`...) gets a `Name__poly` twin that also applies the mapped subtype,
///   and every *use* of the base (not the `allOf` inheritance of its subtypes) points at it, so
///   that a `NumberCharacteristic` with a string value fails.
pub fn openapi_schemas(schemas: &Value) -> Map<String, Value> {
    let Value::Object(schemas) = schemas else {
        panic!("components.schemas is not an object");
    };
    let mut out = Map::new();
    let mut poly = Vec::new();
    for (name, schema) in schemas {
        let mut schema = schema.clone();
        strip_nullable(&mut schema);
        let mapping = schema
            .get("discriminator")
            .and_then(|d| d.get("mapping"))
            .and_then(Value::as_object)
            .map(|m| with_implicit_mapping(name, &schema, m, schemas));
        if let Some(mapping) = mapping {
            if let Some(Value::Array(_)) = schema.get("oneOf") {
                if let Some(obj) = schema.as_object_mut() {
                    obj.remove("oneOf");
                    let dispatch = dispatch(&mapping, None);
                    let all_of = obj.entry("allOf").or_insert_with(|| json!([]));
                    if let Some(a) = all_of.as_array_mut() {
                        a.push(dispatch);
                    }
                }
            } else {
                let own = format!("{SCHEMA_PREFIX}{name}");
                let others = mapping
                    .values()
                    .any(|v| v.as_str().is_some_and(|t| t != own));
                if others {
                    poly.push((name.clone(), dispatch(&mapping, Some(&own))));
                }
            }
        }
        out.insert(name.clone(), schema);
    }
    let poly_names: Vec<String> = poly.iter().map(|(n, _)| n.clone()).collect();
    for schema in out.values_mut() {
        retarget(schema, &poly_names, false);
    }
    for (name, dispatch) in poly {
        out.insert(
            format!("{name}__poly"),
            json!({"allOf": [{"$ref": format!("{SCHEMA_PREFIX}{name}")}, dispatch]}),
        );
    }
    out
}

/// OpenAPI's implicit mapping: a `@type` naming a schema that is one of the `oneOf`
/// alternatives, or that inherits (`allOf`) from the base, is valid even when the explicit
/// mapping forgets it (TMF622 v5 lists no `BooleanCharacteristic` under `Characteristic`).
fn with_implicit_mapping(
    name: &str,
    schema: &Value,
    explicit: &Map<String, Value>,
    schemas: &Map<String, Value>,
) -> Map<String, Value> {
    let mut mapping = explicit.clone();
    let own = format!("{SCHEMA_PREFIX}{name}");
    let mut implicit: Vec<String> = schema
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|alt| alt.get("$ref").and_then(Value::as_str).map(str::to_owned))
        .collect();
    for (other, s) in schemas {
        let inherits = s
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|parts| parts.iter().any(|p| p.get("$ref") == Some(&json!(own))));
        if inherits {
            implicit.push(format!("{SCHEMA_PREFIX}{other}"));
        }
    }
    for target in implicit {
        let key = target.trim_start_matches(SCHEMA_PREFIX);
        // `Foo_FVO` is written with `@type: Foo`.
        let key = key
            .strip_suffix("_FVO")
            .or_else(|| key.strip_suffix("_MVO"))
            .unwrap_or(key)
            .to_owned();
        let already = mapping.contains_key(&key) || mapping.values().any(|v| v == &json!(target));
        if !already {
            mapping.insert(key, Value::String(target));
        }
    }
    mapping
}

fn dispatch(mapping: &Map<String, Value>, skip: Option<&str>) -> Value {
    let keys: Vec<&String> = mapping.keys().collect();
    let mut branches =
        vec![json!({"required": ["@type"], "properties": {"@type": {"enum": keys}}})];
    for (key, target) in mapping {
        let Some(target) = target.as_str() else {
            continue;
        };
        if Some(target) == skip {
            continue;
        }
        branches.push(json!({
            "if": {"required": ["@type"], "properties": {"@type": {"const": key}}},
            "then": {"$ref": target},
        }));
    }
    json!({"allOf": branches})
}

fn strip_nullable(v: &mut Value) {
    match v {
        Value::Object(obj) => {
            if obj.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(Value::String(t)) = obj.get("type").cloned() {
                    obj.insert("type".into(), json!([t, "null"]));
                }
            }
            for child in obj.values_mut() {
                strip_nullable(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nullable),
        _ => {}
    }
}

/// Points uses of polymorphic bases at their `__poly` twin; `allOf` members (inheritance) keep
/// pointing at the base.
fn retarget(v: &mut Value, poly: &[String], in_all_of: bool) {
    match v {
        Value::Object(obj) => {
            if !in_all_of {
                if let Some(Value::String(r)) = obj.get_mut("$ref") {
                    if let Some(name) = r.strip_prefix(SCHEMA_PREFIX) {
                        if poly.iter().any(|p| p == name) {
                            *r = format!("{SCHEMA_PREFIX}{name}__poly");
                        }
                    }
                }
            }
            for (k, child) in obj.iter_mut() {
                if k == "allOf" {
                    if let Value::Array(items) = child {
                        for item in items {
                            retarget(item, poly, true);
                        }
                    }
                } else {
                    retarget(child, poly, false);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| retarget(i, poly, false)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Domain orders.

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .with_timezone(&Utc)
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap()
}

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// An order using every field the domain and the wire share, accepted, with the broadband
/// item in progress.
pub fn rich_order() -> ProductOrder {
    let mut broadband = OrderItem::new("1", ItemAction::Add, Some(OfferingId::new("PO-FIBRE-500")));
    broadband.product.characteristics = vec![
        Characteristic::text("downloadSpeed", "500M"),
        Characteristic {
            name: "staticIps".into(),
            value: CharacteristicValue::Number(dec("2")),
        },
        Characteristic {
            name: "contractMonths".into(),
            value: CharacteristicValue::Number(dec("12.5")),
        },
        Characteristic {
            name: "wifiCalling".into(),
            value: CharacteristicValue::Boolean(true),
        },
        Characteristic {
            name: "installNotes".into(),
            value: CharacteristicValue::Json(json!({"floor": 3, "access": ["key", "code"]})),
        },
        Characteristic {
            name: "vlans".into(),
            value: CharacteristicValue::Json(json!([10, 20])),
        },
    ];
    broadband.product.place = Some(AddressId::new("ADDR-1001"));
    broadband.appointment = Some(Appointment {
        id: Some("APT-77".into()),
        start: t("2026-03-10T08:00:00Z"),
        end: t("2026-03-10T12:00:00Z"),
    });
    broadband.price = Some(Money::new(dec("39.99"), "EUR"));

    let mut router = OrderItem::new("2", ItemAction::Add, Some(OfferingId::new("PO-ROUTER")));
    router.relationships = vec![ItemRelationship {
        item: ItemId::new("1"),
        kind: ItemRelationshipType::ReliesOn,
    }];
    router.appointment = Some(Appointment {
        id: None,
        start: t("2026-03-10T08:00:00Z"),
        end: t("2026-03-10T10:00:00.250Z"),
    });

    let mut tv = OrderItem::new("3", ItemAction::Add, Some(OfferingId::new("PO-TV-BUNDLE")));
    tv.quantity = 2;
    let mut tv_box = OrderItem::new("3.1", ItemAction::Add, Some(OfferingId::new("PO-TV-BOX")));
    tv_box.relationships = vec![ItemRelationship {
        item: ItemId::new("3"),
        kind: ItemRelationshipType::BundledIn,
    }];

    let mut old_voice = OrderItem::new("4", ItemAction::Modify, Some(OfferingId::new("PO-VOICE")));
    old_voice.product.existing = Some(ProductId::new("PRD-9"));
    old_voice.product.characteristics = vec![Characteristic::text("number", "+3227001234")];

    let mut order = ProductOrder::new(
        OrderId::new("PO-1001"),
        CustomerId::new("CUST-42"),
        t0(),
        vec![broadband, router, tv, tv_box, old_voice],
        false,
    )
    .unwrap();
    order.external_ids = vec![
        ExternalId {
            owner: Some("web".into()),
            kind: Some("basketId".into()),
            id: "B-555".into(),
        },
        ExternalId {
            owner: Some("crm".into()),
            kind: None,
            id: "CRM-1".into(),
        },
    ];
    order.channel = Some("web".into());
    order.related_parties = vec![RelatedParty {
        id: "AGENT-7".into(),
        role: "salesAgent".into(),
        name: Some("Sales Agent A".into()),
        referred_type: Some("Individual".into()),
    }];
    order.billing_account = Some(BillingAccountId::new("BA-3"));
    order.payment = Payment {
        method: Some(PaymentMethodId::new("PM-CARD-1")),
        holder_name: Some("Account Holder A".into()),
    };
    order.priority = Priority::new(1).unwrap();
    order.category = Some("residential".into());
    order.description = Some("Fibre, router and TV".into());
    order.requested_start_date = Some(t("2026-03-09T00:00:00Z"));
    order.requested_completion_date = Some(t("2026-03-20T00:00:00Z"));
    order.expected_completion_date = Some(t("2026-03-18T17:00:00Z"));
    order.quote = Some(QuoteId::new("Q-88"));
    order.notes = vec![Note {
        id: Some("n1".into()),
        author: Some("desk".into()),
        date: Some(t("2026-03-02T09:31:00Z")),
        text: "Customer prefers mornings".into(),
    }];
    order.milestones = vec![Milestone {
        id: "M1".into(),
        name: "accepted".into(),
        description: Some("order accepted".into()),
        date: t("2026-03-02T09:35:00Z"),
        status: "Completed".into(),
        items: vec![ItemId::new("1"), ItemId::new("2")],
    }];
    order.jeopardy_alerts = vec![JeopardyAlert {
        id: "J1".into(),
        name: "install at risk".into(),
        jeopardy_type: "AppointmentInformation".into(),
        message: "technician capacity low".into(),
        alert_date: t("2026-03-05T10:00:00Z"),
        exception: "capacity".into(),
        items: vec![ItemId::new("1")],
    }];
    order.error_messages = vec![ErrorMessage {
        code: "E-ADDR".into(),
        reason: "address unverified".into(),
        message: "the address needs a floor".into(),
        status: Some("resolved".into()),
        timestamp: t("2026-03-02T09:32:00Z"),
        items: vec![ItemId::new("1")],
    }];
    let now = t("2026-03-03T08:00:00Z");
    let order = apply(&order, &OrderCommand::Accept, now).unwrap();
    apply(
        &order,
        &OrderCommand::Item {
            item: ItemId::new("1"),
            event: ItemEvent::Start,
        },
        now,
    )
    .unwrap()
}

/// One item with only id and action, the customer, nothing else.
pub fn minimal_order() -> ProductOrder {
    ProductOrder::new(
        OrderId::new("PO-2"),
        CustomerId::new("CUST-1"),
        t0(),
        vec![OrderItem::new("1", ItemAction::Add, None)],
        false,
    )
    .unwrap()
}

/// Every JSON pointer of a document (objects' members and arrays' elements), root excluded.
pub fn pointers(v: &Value) -> Vec<String> {
    fn walk(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                    out.push(p.clone());
                    walk(child, p, out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let p = format!("{at}/{i}");
                    out.push(p.clone());
                    walk(child, p, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, String::new(), &mut out);
    out
}

// ---- Generators of arbitrary JSON (hostile input, the direct parse) ----

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "id",
        "action",
        "state",
        "productOrderItem",
        "relatedParty",
        "role",
        "customer",
        "partyOrPartyRole",
        "@type",
        "product",
        "productCharacteristic",
        "value",
        "name",
        "place",
        "quantity",
        "priority",
        "externalId",
        "productOrderItemRelationship",
        "relationshipType",
        "appointment",
        "validFor",
        "startDateTime",
        "event",
        "serviceOrder",
        "serviceOrderItem",
        "productOffering",
        "note",
        "text",
        "x-ext",
        "p\"roduct",
    ])
    .prop_map(str::to_owned)
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![
            "add",
            "modify",
            "customer",
            "Customer",
            "inProgress",
            "draft",
            "1",
            "4",
            "9",
            "",
            "StringCharacteristic",
            "NumberCharacteristic",
            "ObjectCharacteristic",
            "bundles",
            "reliesOn",
            "serviceAddress",
            "2026-01-01T00:00:00Z",
            "1e400",
            "\"",
            "\\",
            "PartyRoleRef",
        ])
        .prop_map(Value::from),
        "[ -~]{0,6}".prop_map(Value::from),
    ]
}

/// Arbitrary JSON over TMF-ish keys and values: `depth` levels at most, arrays of `items` and
/// objects of `fields` entries.
pub fn json_tree(
    depth: u32,
    items: std::ops::Range<usize>,
    fields: std::ops::Range<usize>,
) -> impl Strategy<Value = Value> {
    scalar().prop_recursive(depth, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), items.clone()).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, fields.clone())
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
