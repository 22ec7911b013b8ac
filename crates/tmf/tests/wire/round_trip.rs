//! Domain → wire → JSON → wire → domain gives the same order, for the fields the version
//! carries; generated orders also validate against the schemas on the way.

use chrono::{DateTime, Duration, Utc};
use orderdesk_domain::ids::{
    AddressId, BillingAccountId, CustomerId, ItemId, OfferingId, OrderId, PaymentMethodId,
    ProductId, QuoteId,
};
use orderdesk_domain::lifecycle::{ItemLifecycle, OrderPhase};
use orderdesk_domain::order::{
    Appointment, Characteristic, CharacteristicValue, ErrorMessage, ExternalId, ItemRelationship,
    ItemRelationshipType, JeopardyAlert, Milestone, Note, Payment, RelatedParty,
};
use orderdesk_domain::{ItemAction, ItemState, Money, OrderItem, Priority, ProductOrder};
use orderdesk_tmf::v4::convert::DEFAULT_PARTY_REFERRED_TYPE;
use orderdesk_tmf::{from_str, v4, v5};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rust_decimal::Decimal;
use serde_json::json;

use crate::support::{
    check, minimal_order, rich_order, t0, v4_validator, v5_validator, V4_BASE, V5_BASE,
};

/// What a stored order read back from the wire cannot know: bookkeeping the wire does not carry
/// (version, channel, creator, state reason and time, PONR, remembered states) and the phase
/// flags, which are rebuilt from the states (the *state* is compared separately).
fn normalise(mut o: ProductOrder) -> ProductOrder {
    o.version = 1;
    o.channel = None;
    o.created_by = None;
    o.state_reason = None;
    o.state_changed_at = o.order_date;
    o.phase = OrderPhase::default();
    for i in &mut o.items {
        i.lifecycle = ItemLifecycle::new(i.lifecycle.state);
        i.point_of_no_return = None;
    }
    if o.payment.method.is_none() {
        o.payment = Payment::default();
    }
    o
}

/// v4 carries one external id (the channel's), no milestones, alerts or error messages, and
/// always a party type; item `partial` travels as `failed`.
fn normalise_v4(o: ProductOrder) -> ProductOrder {
    let kept = o
        .external_id_from(o.channel.as_deref())
        .or_else(|| o.external_ids.first())
        .map(|e| ExternalId {
            owner: None,
            kind: None,
            id: e.id.clone(),
        });
    let mut o = normalise(o);
    o.external_ids = kept.into_iter().collect();
    o.milestones.clear();
    o.jeopardy_alerts.clear();
    o.error_messages.clear();
    for p in &mut o.related_parties {
        p.referred_type
            .get_or_insert_with(|| DEFAULT_PARTY_REFERRED_TYPE.to_owned());
    }
    for i in &mut o.items {
        i.lifecycle = ItemLifecycle::new(i.lifecycle.state.v4_equivalent());
    }
    o
}

fn via_v5(order: &ProductOrder) -> ProductOrder {
    let text = serde_json::to_string(&v5::from_domain(order, V5_BASE)).unwrap();
    let wire: v5::ProductOrder = from_str(&text).unwrap();
    ProductOrder::try_from(&wire).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn via_v4(order: &ProductOrder) -> ProductOrder {
    let text = serde_json::to_string(&v4::from_domain(order, V4_BASE)).unwrap();
    let wire: v4::ProductOrder = from_str(&text).unwrap();
    ProductOrder::try_from(&wire).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn assert_v5_round_trip(order: &ProductOrder) -> Result<(), TestCaseError> {
    let back = via_v5(order);
    prop_assert_eq!(back.state(), order.state());
    prop_assert_eq!(normalise(back), normalise(order.clone()));
    Ok(())
}

fn assert_v4_round_trip(order: &ProductOrder) -> Result<(), TestCaseError> {
    let back = via_v4(order);
    let expected = normalise_v4(order.clone());
    let mut expected_state = expected.clone();
    expected_state.phase = order.phase;
    prop_assert_eq!(
        back.state().v4_equivalent(),
        expected_state.state().v4_equivalent()
    );
    prop_assert_eq!(normalise_v4(back), expected);
    Ok(())
}

#[test]
fn rich_and_minimal_orders_survive_v5_and_v4() {
    for order in [rich_order(), minimal_order()] {
        assert_v5_round_trip(&order).unwrap();
        assert_v4_round_trip(&order).unwrap();
    }
    // Something is actually compared: the rich order is not the minimal one after the trip.
    assert_ne!(normalise(via_v5(&rich_order())), normalise(minimal_order()));
    assert_eq!(via_v5(&rich_order()).state().as_str(), "inProgress");
}

// ---------------------------------------------------------------------------------------------
// Generated orders.

fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._-]{0,7}"
}

fn text() -> impl Strategy<Value = String> {
    "[ -~]{0,12}"
}

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..400_000_000, 0i64..1000)
        .prop_map(|(s, ms)| t0() + Duration::seconds(s - 200_000_000) + Duration::milliseconds(ms))
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (-100_000_000_000i64..100_000_000_000, 0u32..=4)
        .prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale))
}

fn value() -> impl Strategy<Value = CharacteristicValue> {
    prop_oneof![
        text().prop_map(CharacteristicValue::Text),
        decimal().prop_map(CharacteristicValue::Number),
        any::<bool>().prop_map(CharacteristicValue::Boolean),
        (text(), any::<i32>())
            .prop_map(|(k, v)| CharacteristicValue::Json(json!({ k: v, "nested": [v] }))),
        prop::collection::vec(any::<i32>(), 0..3).prop_map(|v| CharacteristicValue::Json(json!(v))),
        prop::collection::vec(text(), 1..3).prop_map(|v| CharacteristicValue::Json(json!(v))),
        (any::<bool>(), text()).prop_map(|(b, s)| CharacteristicValue::Json(json!([b, s]))),
    ]
}

fn item_state() -> impl Strategy<Value = ItemState> {
    prop::sample::select(ItemState::ALL.to_vec())
}

#[derive(Debug, Clone)]
struct ItemSeed {
    action: ItemAction,
    quantity: u32,
    offering: Option<String>,
    existing: Option<String>,
    characteristics: Vec<CharacteristicValue>,
    place: Option<String>,
    appointment: Option<(Option<String>, DateTime<Utc>, i64)>,
    price: Option<Decimal>,
    relation: Option<(usize, ItemRelationshipType)>,
    state: ItemState,
}

fn item_seed() -> impl Strategy<Value = ItemSeed> {
    (
        prop::sample::select(vec![
            ItemAction::Add,
            ItemAction::Modify,
            ItemAction::Delete,
            ItemAction::NoChange,
        ]),
        1u32..50,
        prop::option::of(id()),
        prop::option::of(id()),
        prop::collection::vec(value(), 0..4),
        prop::option::of(id()),
        prop::option::of((prop::option::of(id()), time(), 0i64..86_400)),
        prop::option::of(decimal()),
        prop::option::of((
            any::<prop::sample::Index>(),
            prop::sample::select(vec![
                ItemRelationshipType::ReliesOn,
                ItemRelationshipType::BundledIn,
                ItemRelationshipType::Replaces,
            ]),
        )),
        item_state(),
    )
        .prop_map(
            |(
                action,
                quantity,
                offering,
                existing,
                characteristics,
                place,
                appointment,
                price,
                relation,
                state,
            )| {
                ItemSeed {
                    action,
                    quantity,
                    offering,
                    existing,
                    characteristics,
                    place,
                    appointment,
                    price,
                    relation: relation.map(|(i, k)| (i.index(usize::MAX), k)),
                    state,
                }
            },
        )
}

fn order() -> impl Strategy<Value = ProductOrder> {
    let parties = prop::collection::vec(
        (
            id(),
            "[a-z][a-zA-Z]{0,8}",
            prop::option::of(text()),
            prop::option::of(prop::sample::select(vec!["Individual", "Organization"])),
        ),
        0..3,
    );
    let external = prop::collection::vec(
        (
            prop::option::of("[a-z]{1,5}"),
            prop::option::of("[a-zA-Z]{1,6}"),
            id(),
        ),
        0..3,
    );
    let milestones = prop::collection::vec(
        (
            id(),
            text(),
            prop::option::of(text()),
            time(),
            prop::sample::select(vec!["Yet-To-Reach", "Completed", "Violated"]),
        ),
        0..2,
    );
    let dates = (
        prop::option::of(time()),
        prop::option::of(time()),
        prop::option::of(time()),
        prop::option::of(time()),
        prop::option::of(time()),
    );
    (
        (id(), id(), time(), prop::collection::vec(item_seed(), 1..6)),
        (parties, external, milestones, dates),
        (
            0u8..=4,
            prop::option::of(text()),
            prop::option::of(text()),
            prop::option::of(id()),
            prop::option::of((id(), prop::option::of(text()))),
            prop::option::of(id()),
            prop::collection::vec(
                (
                    prop::option::of(id()),
                    prop::option::of(text()),
                    prop::option::of(time()),
                    text(),
                ),
                0..2,
            ),
            (any::<bool>(), any::<bool>(), any::<bool>()),
            prop::option::of("[a-z]{1,5}"),
            prop::option::of(text()),
        ),
    )
        .prop_map(
            |(
                (order_id, customer, created, seeds),
                (parties, external, milestones, dates),
                rest,
            )| {
                let (
                    priority,
                    category,
                    description,
                    billing,
                    payment,
                    quote,
                    notes,
                    phase,
                    channel,
                    cancel_reason,
                ) = rest;
                let ids: Vec<String> = (0..seeds.len()).map(|i| format!("{}", i + 1)).collect();
                let items: Vec<OrderItem> = seeds
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let mut item = OrderItem::new(
                            ids[i].as_str(),
                            s.action,
                            s.offering.clone().map(OfferingId::new),
                        );
                        item.quantity = s.quantity;
                        item.product.existing = s.existing.clone().map(ProductId::new);
                        item.product.characteristics = s
                            .characteristics
                            .iter()
                            .enumerate()
                            .map(|(k, v)| Characteristic {
                                name: format!("c{k}"),
                                value: v.clone(),
                            })
                            .collect();
                        item.product.place = s.place.clone().map(AddressId::new);
                        item.appointment =
                            s.appointment.clone().map(|(aid, start, secs)| Appointment {
                                id: aid,
                                start,
                                end: start + Duration::seconds(secs),
                            });
                        item.price = s.price.map(|d| Money::new(d, "EUR"));
                        if let (Some((target, kind)), true) = (s.relation, i > 0) {
                            item.relationships.push(ItemRelationship {
                                item: ItemId::new(ids[target % i].as_str()),
                                kind,
                            });
                        }
                        item.lifecycle = ItemLifecycle::new(s.state);
                        item
                    })
                    .collect();
                let first = ItemId::new("1");
                let mut o = ProductOrder::new(
                    OrderId::new(order_id),
                    CustomerId::new(customer),
                    created,
                    items,
                    false,
                )
                .expect("generated orders are well-formed");
                o.related_parties = parties
                    .into_iter()
                    .map(|(pid, role, name, rt)| RelatedParty {
                        id: pid,
                        role,
                        name,
                        referred_type: rt.map(str::to_owned),
                    })
                    .collect();
                o.external_ids = external
                    .into_iter()
                    .map(|(owner, kind, eid)| ExternalId {
                        owner,
                        kind,
                        id: eid,
                    })
                    .collect();
                o.channel = channel;
                o.milestones = milestones
                    .into_iter()
                    .map(|(mid, name, description, date, status)| Milestone {
                        id: mid,
                        name,
                        description,
                        date,
                        status: status.to_owned(),
                        items: vec![first.clone()],
                    })
                    .collect();
                if let Some(d) = o.requested_start_date.or(dates.0) {
                    o.jeopardy_alerts = vec![JeopardyAlert {
                        id: "J1".into(),
                        name: "late".into(),
                        jeopardy_type: "delay".into(),
                        message: "running late".into(),
                        alert_date: d,
                        exception: "x".into(),
                        items: vec![first.clone()],
                    }];
                    o.error_messages = vec![ErrorMessage {
                        code: "E1".into(),
                        reason: "r".into(),
                        message: "m".into(),
                        status: None,
                        timestamp: d,
                        items: vec![],
                    }];
                }
                (
                    o.requested_start_date,
                    o.requested_completion_date,
                    o.expected_completion_date,
                    o.completion_date,
                    o.cancellation_date,
                ) = dates;
                o.priority = Priority::new(priority).expect("0..=4");
                o.category = category;
                o.description = description;
                o.billing_account = billing.map(BillingAccountId::new);
                o.payment = payment
                    .map(|(m, h)| Payment {
                        method: Some(PaymentMethodId::new(m)),
                        holder_name: h,
                    })
                    .unwrap_or_default();
                o.quote = quote.map(QuoteId::new);
                o.notes = notes
                    .into_iter()
                    .map(|(nid, author, date, text)| Note {
                        id: nid,
                        author,
                        date,
                        text,
                    })
                    .collect();
                o.phase = OrderPhase {
                    draft: phase.0,
                    accepted: phase.1,
                    fulfilment_started: phase.2,
                };
                if o.phase.draft {
                    // A draft has not been submitted: its items are all still acknowledged.
                    for i in &mut o.items {
                        i.lifecycle = ItemLifecycle::new(ItemState::Acknowledged);
                    }
                }
                o.cancellation_reason = cancel_reason;
                o
            },
        )
}

/// Generated orders: the round trip through each version keeps every field that version
/// carries, and what is written validates against the specification.
#[test]
fn generated_orders_round_trip_and_validate() {
    let v5_schema = v5_validator("ProductOrder");
    let v4_schema = v4_validator("ProductOrder");
    let mut runner = TestRunner::new(Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&order(), |order| {
            assert_v5_round_trip(&order)?;
            assert_v4_round_trip(&order)?;
            let out5 = serde_json::to_value(v5::from_domain(&order, V5_BASE)).unwrap();
            if let Err(e) = check(&v5_schema, &out5) {
                return Err(TestCaseError::fail(format!("v5 invalid: {e}\n{out5}")));
            }
            let out4 = serde_json::to_value(v4::from_domain(&order, V4_BASE)).unwrap();
            if let Err(e) = check(&v4_schema, &out4) {
                return Err(TestCaseError::fail(format!("v4 invalid: {e}\n{out4}")));
            }
            Ok(())
        })
        .unwrap();
}

/// A wire order survives JSON → wire → JSON with unknown fields at every level.
#[test]
fn unknown_fields_survive_the_wire_round_trip() {
    let mut v = serde_json::to_value(v5::from_domain(&rich_order(), V5_BASE)).unwrap();
    v["x-order"] = json!({"deep": [1, {"a": null}]});
    v["productOrderItem"][0]["x-item"] = json!(true);
    v["productOrderItem"][0]["product"]["x-product"] = json!("p");
    v["productOrderItem"][0]["product"]["productCharacteristic"][0]["x-char"] = json!(1.5);
    v["productOrderItem"][0]["product"]["productCharacteristic"]
        .as_array_mut()
        .unwrap()
        .push(json!({"@type": "GeoCharacteristic", "name": "geo", "value": {"lat": 50.8}}));
    v["relatedParty"][0]["partyOrPartyRole"]["x-party"] = json!([]);
    v["productOrderItem"][0]["appointment"]["x-appt"] = json!("a");
    let wire: v5::ProductOrder = from_str(&v.to_string()).unwrap();
    assert_eq!(serde_json::to_value(&wire).unwrap(), v);

    let mut v = serde_json::to_value(v4::from_domain(&rich_order(), V4_BASE)).unwrap();
    v["x-order"] = json!(1);
    v["productOrderItem"][0]["product"]["place"][0]["x-place"] = json!({"floor": 2});
    let wire: v4::ProductOrder = from_str(&v.to_string()).unwrap();
    assert_eq!(serde_json::to_value(&wire).unwrap(), v);
}
