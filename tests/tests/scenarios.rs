//! Every demo scenario from quote to final state, across the crates: the TMF648 quote becomes a
//! draft order, is submitted and validated, the verdict drives the lifecycle, an accepted order
//! is decomposed into a TMF641 service order and fulfilled under the SOM simulator's rules, and
//! at each step the order still converts to TMF622 v4 and v5 and back.

// Test code: a broken expectation stops the run with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use orderdesk_domain::decomposition::{decompose, ServiceAction, ServiceItemState};
use orderdesk_domain::ids::SequentialIds;
use orderdesk_domain::lifecycle::{apply, OrderCommand, OrderState};
use orderdesk_domain::validation::Decision;
use orderdesk_domain::{OrderId, ProductOrder};
use orderdesk_fixtures::ExpectedDecision;
use orderdesk_scenarios::{fulfil, DemoWorld};

const API: &str = "http://localhost/tmf-api/productOrderingManagement";

/// The order survives TMF622 v4 and v5 as the server would answer it.
fn assert_wire_round_trip(order: &ProductOrder, scenario: &str) {
    let v5 = orderdesk_tmf::v5::from_domain(order, &format!("{API}/v5"));
    let json = serde_json::to_value(&v5).unwrap();
    assert_eq!(
        json["state"],
        order.state().as_str(),
        "{scenario}: v5 state"
    );
    assert!(
        json["orderDate"].is_string() && json["creationDate"].is_string(),
        "{scenario}"
    );
    let back = ProductOrder::try_from(
        &orderdesk_tmf::from_value::<orderdesk_tmf::v5::ProductOrder>(json).unwrap(),
    )
    .unwrap_or_else(|e| panic!("{scenario}: v5 read-back: {e}"));
    assert_eq!(back.state(), order.state(), "{scenario}: v5 round trip");
    assert_eq!(back.items.len(), order.items.len(), "{scenario}");

    let v4 = orderdesk_tmf::v4::from_domain(order, &format!("{API}/v4"));
    let json = serde_json::to_value(&v4).unwrap();
    assert_eq!(
        json["state"],
        order.state().v4_equivalent().as_str(),
        "{scenario}: v4 state"
    );
    let back = ProductOrder::try_from(
        &orderdesk_tmf::from_value::<orderdesk_tmf::v4::ProductOrder>(json).unwrap(),
    )
    .unwrap_or_else(|e| panic!("{scenario}: v4 read-back: {e}"));
    assert_eq!(
        back.state().v4_equivalent(),
        order.state().v4_equivalent(),
        "{scenario}: v4"
    );
}

#[test]
fn every_scenario_from_quote_to_final_state() {
    let world = DemoWorld::load().unwrap();
    let scenarios = world.fixtures.scenarios();
    assert!(
        scenarios.len() >= 20,
        "the demo data lost scenarios: {}",
        scenarios.len()
    );
    let mut accepted = 0;
    for (n, scenario) in scenarios.iter().enumerate() {
        let key = scenario.key.as_str();
        let draft = world
            .fixtures
            .order_from_quote(&scenario.quote, OrderId::new(format!("ORD-{n}")), world.now)
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(draft.state(), OrderState::Draft, "{key}");
        let order = apply(&draft, &OrderCommand::Submit, world.now).unwrap();
        assert_wire_round_trip(&order, key);

        let verdict = world.validate(&order);
        let order = apply(&order, &verdict.decision.command(), world.now)
            .unwrap_or_else(|e| panic!("{key}: verdict refused by the lifecycle: {e}"));
        assert_wire_round_trip(&order, key);

        match (&scenario.expect.decision, &verdict.decision) {
            (ExpectedDecision::Reject, Decision::Reject { .. }) => {
                assert_eq!(order.state(), OrderState::Rejected, "{key}");
                assert!(
                    !verdict.error_messages(world.now).is_empty(),
                    "{key}: no error message"
                );
            }
            (ExpectedDecision::Hold, Decision::Hold { .. }) => {
                let expected = if verdict.deposit().is_some() {
                    OrderState::Pending
                } else {
                    OrderState::Held
                };
                assert_eq!(order.state(), expected, "{key}");
                assert!(order.state_reason.is_some(), "{key}: a hold needs a reason");
            }
            (ExpectedDecision::Accept, Decision::Accept) => {
                accepted += 1;
                assert_eq!(order.state(), OrderState::InProgressAccepted, "{key}");
                check_fulfilment(&world, &order, scenario);
            }
            (expected, got) => panic!("{key}: expected {expected:?}, got {got:?}"),
        }
    }
    assert!(accepted >= 8, "only {accepted} scenarios reach fulfilment");
}

fn check_fulfilment(
    world: &DemoWorld,
    order: &ProductOrder,
    scenario: &orderdesk_fixtures::Scenario,
) {
    let key = scenario.key.as_str();
    let mut ids = SequentialIds::new(key);
    let decomposition = decompose(order, &world.decomposition_context(), &mut ids)
        .unwrap_or_else(|e| panic!("{key}: decomposition: {e}"));
    let service_order = &decomposition.service_order;
    // Every product item is either served by a service item or explicitly skipped.
    for item in &order.items {
        let served = service_order
            .items
            .iter()
            .any(|s| s.from_items.contains(&item.id));
        let skipped = decomposition.skipped.iter().any(|s| s.item == item.id);
        assert!(
            served ^ skipped,
            "{key}: item {} served={served} skipped={skipped}",
            item.id
        );
    }
    // The TMF641 body the server submits carries every service item and its dependencies.
    let tmf641 =
        serde_json::to_value(orderdesk_tmf::tmf641::from_domain(service_order, world.now)).unwrap();
    let wire_items = tmf641["serviceOrderItem"].as_array().unwrap();
    assert_eq!(wire_items.len(), service_order.items.len(), "{key}");
    let dependencies: usize = service_order.items.iter().map(|s| s.depends_on.len()).sum();
    let wire_dependencies: usize = wire_items
        .iter()
        .map(|i| {
            i["serviceOrderItemRelationship"]
                .as_array()
                .map_or(0, Vec::len)
        })
        .sum();
    assert_eq!(
        wire_dependencies, dependencies,
        "{key}: dependencies lost on the wire"
    );
    for (s, w) in service_order.items.iter().zip(wire_items) {
        let action = match s.action {
            ServiceAction::Add => "add",
            ServiceAction::Modify => "modify",
            ServiceAction::Delete => "delete",
            ServiceAction::NoChange => "noChange",
        };
        assert_eq!(w["action"], action, "{key}");
        // SOM learns which deliveries pass the point of no return from the item itself.
        assert_eq!(
            w["orderdesk"]["pointOfNoReturn"].as_bool().unwrap_or(false),
            s.point_of_no_return,
            "{key}: PONR flag of {}",
            s.cfs
        );
    }

    let run = fulfil(order, &decomposition, world.fixtures.som(), world.now)
        .unwrap_or_else(|e| panic!("{key}: fulfilment refused by the lifecycle: {e}"));
    let expected = scenario.expect.final_state.unwrap_or(OrderState::Completed);
    assert_eq!(run.order.state(), expected, "{key}: final state");
    assert!(run.order.completion_date.is_some(), "{key}");
    let failed: Vec<_> = run
        .service_states
        .iter()
        .filter(|(_, s)| *s == ServiceItemState::Failed)
        .map(|(cfs, _)| cfs.clone())
        .collect();
    for cfs in &scenario.expect.failed_cfs {
        assert!(
            failed.contains(cfs),
            "{key}: expected {cfs} to fail, failed: {failed:?}"
        );
    }
    if scenario.expect.failed_cfs.is_empty() {
        assert!(failed.is_empty(), "{key}: unexpected failures {failed:?}");
    }
    assert_wire_round_trip(&run.order, key);
}

#[test]
fn modify_and_cease_scenarios_touch_only_what_changes() {
    let world = DemoWorld::load().unwrap();
    let decompose_scenario = |key: &str| {
        let quote = world.fixtures.quote_for_scenario(key).unwrap().id.clone();
        let order = world
            .fixtures
            .order_from_quote(&quote, OrderId::new(key), world.now)
            .unwrap();
        let mut ids = SequentialIds::new(key);
        decompose(&order, &world.decomposition_context(), &mut ids).unwrap()
    };
    // A speed change is one modify of the internet access service, nothing else.
    let modify = decompose_scenario("modify-speed");
    let actions: Vec<_> = modify
        .service_order
        .items
        .iter()
        .map(|s| (s.action, s.cfs.as_str().to_owned()))
        .collect();
    assert_eq!(
        actions,
        vec![(ServiceAction::Modify, "CFS:Internet-Access".to_owned())]
    );
    // A cease deletes every service of the installed product and adds nothing.
    let cease = decompose_scenario("cease");
    assert!(!cease.service_order.items.is_empty());
    assert!(cease
        .service_order
        .items
        .iter()
        .all(|s| s.action == ServiceAction::Delete));
    // A copper-to-fibre migration builds the fibre access before removing the copper one.
    let migrate = decompose_scenario("migrate-copper-to-fibre");
    let position = |action, cfs: &str| {
        migrate
            .service_order
            .items
            .iter()
            .position(|s| s.action == action && s.cfs.as_str() == cfs)
    };
    let add = position(ServiceAction::Add, "CFS:GPON-Access").expect("fibre access added");
    let delete = position(ServiceAction::Delete, "CFS:VDSL-Access").expect("copper removed");
    assert!(add < delete);
}
