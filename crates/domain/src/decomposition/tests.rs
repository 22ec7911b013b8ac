//! Case tables and properties for [`super::decompose`]. Test data lives in [`super::support`].

use super::support::*;
use super::*;
use crate::catalog::Technology;
use crate::ids::SequentialIds;
use crate::order::{ItemAction, ItemRelationship, ItemRelationshipType, OrderItem};
use proptest::prelude::*;
use rstest::rstest;
use ItemRelationshipType::{BundledIn, ReliesOn, Replaces};
use ServiceAction::{Add, Delete, Modify};

fn run(items: Vec<OrderItem>) -> Result<Decomposition, DecompositionError> {
    let order = order_of(items);
    let world = World::standard();
    decompose(&order, &world.context(), &mut SequentialIds::new("T"))
}

fn decomposed(items: Vec<OrderItem>) -> Decomposition {
    match run(items) {
        Ok(d) => d,
        Err(e) => panic!("decomposition failed: {e}"),
    }
}

/// `(action, cfs)` of every service item, in output order.
fn summary(d: &Decomposition) -> Vec<(ServiceAction, &str)> {
    d.service_order
        .items
        .iter()
        .map(|i| (i.action, i.cfs.as_str()))
        .collect()
}

fn service<'d>(d: &'d Decomposition, cfs: &str) -> &'d ServiceOrderItem {
    let mut found = d
        .service_order
        .items
        .iter()
        .filter(|i| i.cfs.as_str() == cfs);
    let first = found
        .next()
        .unwrap_or_else(|| panic!("no {cfs} in {:?}", summary(d)));
    assert!(found.next().is_none(), "{cfs} appears more than once");
    first
}

fn item_ids(list: &[&str]) -> Vec<ItemId> {
    list.iter().map(|s| ItemId::new(*s)).collect()
}

fn depends_on<'d>(d: &'d Decomposition, cfs: &str) -> Vec<&'d str> {
    service(d, cfs)
        .depends_on
        .iter()
        .filter_map(|id| d.service_order.item(id))
        .map(|i| i.cfs.as_str())
        .collect()
}

fn skipped(d: &Decomposition) -> Vec<(&str, SkipReason)> {
    d.skipped
        .iter()
        .map(|s| (s.item.as_str(), s.reason.clone()))
        .collect()
}

#[test]
fn a_provide_yields_every_mandatory_cfs_access_first() {
    let d = decomposed(vec![
        add("I1", BB, Some(ADDR_GPON)).with_chars(&[("bandwidth", "500")])
    ]);
    assert_eq!(
        summary(&d),
        vec![
            (Add, "CFS:GPON-Access"),
            (Add, "CFS:Internet-Access"),
            (Add, "CFS:CPE-Management"),
        ]
    );
    let so = &d.service_order;
    assert_eq!(so.id.as_str(), "T-serviceOrder-1");
    assert_eq!(so.product_order.as_str(), "PO-1");
    assert_eq!(so.items[0].id.as_str(), "T-serviceOrderItem-2");
    let internet = service(&d, "CFS:Internet-Access");
    assert_eq!(
        internet.characteristics,
        text_chars(&[("bandwidth", "500"), ("profile", "residential")])
    );
    assert_eq!(internet.place, Some(AddressId::new(ADDR_GPON)));
    assert_eq!(internet.technology, Some(Technology::Gpon));
    assert_eq!(internet.service_id, None);
    assert_eq!(internet.from_items, item_ids(&["I1"]));
    // The router is not on the item: the specification's default flows in.
    assert_eq!(
        service(&d, "CFS:CPE-Management").characteristics,
        text_chars(&[("router", "R1")])
    );
    assert!(service(&d, "CFS:GPON-Access").point_of_no_return);
    assert!(!internet.point_of_no_return);
    assert_eq!(
        depends_on(&d, "CFS:Internet-Access"),
        vec!["CFS:GPON-Access"]
    );
    assert_eq!(
        depends_on(&d, "CFS:CPE-Management"),
        vec!["CFS:GPON-Access"]
    );
    assert!(d.skipped.is_empty());
}

#[rstest]
#[case::switched_on(BB, &[("staticIp", "true")], "CFS:Static-IP", true)]
#[case::switched_off(BB, &[("staticIp", "false")], "CFS:Static-IP", false)]
#[case::default_is_off(BB, &[], "CFS:Static-IP", false)]
#[case::other_value(BB, &[("staticIp", "maybe")], "CFS:Static-IP", false)]
#[case::multiroom_on(TV, &[("multiroom", "yes")], "CFS:Multiroom", true)]
#[case::multiroom_off(TV, &[("multiroom", "no")], "CFS:Multiroom", false)]
fn an_optional_cfs_follows_its_switch(
    #[case] offering: &str,
    #[case] chars: &[(&str, &str)],
    #[case] cfs: &str,
    #[case] expected: bool,
) {
    let d = decomposed(vec![add("I1", offering, Some(ADDR_GPON)).with_chars(chars)]);
    let present = d.service_order.items.iter().any(|i| i.cfs.as_str() == cfs);
    assert_eq!(present, expected, "{:?}", summary(&d));
}

#[test]
fn a_boolean_switch_matches_its_catalog_text() {
    let mut item = add("I1", BB, Some(ADDR_GPON));
    item.product.characteristics.push(Characteristic {
        name: "staticIp".into(),
        value: CharacteristicValue::Boolean(true),
    });
    let d = decomposed(vec![item]);
    assert_eq!(service(&d, "CFS:Static-IP").action, Add);
}

#[rstest]
#[case::gpon(BB, ADDR_GPON, Some("CFS:GPON-Access"), Technology::Gpon)]
#[case::hfc(BB, ADDR_HFC, Some("CFS:HFC-Access"), Technology::Hfc)]
#[case::first_supported_at_the_address(BB, ADDR_HFC_GPON, Some("CFS:HFC-Access"), Technology::Hfc)]
#[case::fibre_next_to_copper(BB, ADDR_MIGRATE, Some("CFS:GPON-Access"), Technology::Gpon)]
#[case::multicast_over_gpon(TV, ADDR_GPON, Some("CFS:Multicast"), Technology::Gpon)]
#[case::no_multicast_over_hfc(TV, ADDR_HFC, None, Technology::Hfc)]
fn technology_cfs_follow_the_address(
    #[case] offering: &str,
    #[case] place: &str,
    #[case] access: Option<&str>,
    #[case] technology: Technology,
) {
    let d = decomposed(vec![add("I1", offering, Some(place))]);
    let access_cfs: Vec<&str> = d
        .service_order
        .items
        .iter()
        .filter(|i| {
            matches!(
                i.cfs.as_str(),
                "CFS:GPON-Access" | "CFS:HFC-Access" | "CFS:Multicast" | "CFS:ADSL-Access"
            )
        })
        .map(|i| i.cfs.as_str())
        .collect();
    assert_eq!(access_cfs, access.into_iter().collect::<Vec<_>>());
    assert!(d
        .service_order
        .items
        .iter()
        .all(|i| i.technology == Some(technology)));
}

#[test]
fn a_bundle_shares_its_cfs_once_per_place() {
    let d = decomposed(vec![
        add("BUNDLE", TRIPLE, Some(ADDR_GPON)),
        add("BB", BB, None)
            .with_chars(&[("bandwidth", "1000")])
            .related("BUNDLE", BundledIn),
        add("TV", TV, None)
            .with_chars(&[("setTopBox", "STB-4K"), ("router", "R9")])
            .related("BUNDLE", BundledIn),
        add("VOICE", VOICE, None)
            .with_chars(&[("number", "+3221234567")])
            .related("BUNDLE", BundledIn),
    ]);
    assert_eq!(
        summary(&d),
        vec![
            (Add, "CFS:Triple-Play-QoS"),
            (Add, "CFS:GPON-Access"),
            (Add, "CFS:Internet-Access"),
            (Add, "CFS:CPE-Management"),
            (Add, "CFS:Multicast"),
            (Add, "CFS:IPTV"),
            (Add, "CFS:VoIP"),
        ]
    );
    assert_eq!(
        service(&d, "CFS:Internet-Access").from_items,
        item_ids(&["BB", "TV", "VOICE"])
    );
    // Broadband is processed first: its router wins over the TV item's; TV adds the set-top box.
    let cpe = service(&d, "CFS:CPE-Management");
    assert_eq!(cpe.from_items, item_ids(&["BB", "TV"]));
    assert_eq!(
        cpe.characteristics,
        text_chars(&[("router", "R1"), ("setTopBox", "STB-4K")])
    );
    // The children have no place of their own: they are at the bundle's.
    assert!(d
        .service_order
        .items
        .iter()
        .all(|i| i.place == Some(AddressId::new(ADDR_GPON))));
    assert_eq!(
        service(&d, "CFS:Triple-Play-QoS").from_items,
        item_ids(&["BUNDLE"])
    );
}

#[test]
fn cfs_at_different_places_or_without_a_place_are_not_shared() {
    let d = decomposed(vec![
        add("HOME", BB, Some(ADDR_GPON)),
        add("OFFICE", BB, Some(ADDR_HFC)),
        add("SIM1", MOBILE, None).with_chars(&[("msisdn", "+32470000001")]),
        add("SIM2", MOBILE, None).with_chars(&[("msisdn", "+32470000002")]),
    ]);
    let count = |cfs: &str| {
        d.service_order
            .items
            .iter()
            .filter(|i| i.cfs.as_str() == cfs)
            .count()
    };
    assert_eq!(count("CFS:Internet-Access"), 2);
    assert_eq!(count("CFS:Mobile-Voice"), 2);
}

#[test]
fn a_large_order_still_shares_every_cfs_once() {
    // 25 distinct (CFS, place) pairs: past the point where the shared-add index becomes a map.
    let mut items = Vec::new();
    for round in 0..2 {
        for place in [ADDR_GPON, ADDR_HFC, ADDR_HFC_GPON, ADDR_MIGRATE] {
            for offering in [BB, TV, VOICE] {
                items.push(add(
                    &format!("{offering}-{place}-{round}"),
                    offering,
                    Some(place),
                ));
            }
        }
        items.push(add(&format!("TV-COPPER-{round}"), TV, Some(ADDR_COPPER)));
    }
    let d = decomposed(items);
    assert_eq!(d.service_order.items.len(), 25);
    for service in &d.service_order.items {
        assert_eq!(service.action, Add);
        assert!(service.from_items.len() >= 2, "{} not shared", service.cfs);
    }
}

#[test]
fn item_dependencies_carry_over_to_service_items() {
    // TV is listed first but relies on broadband: broadband's service items come first.
    let d = decomposed(vec![
        add("TV", TV, Some(ADDR_GPON)).related("BB", ReliesOn),
        add("BB", BB, Some(ADDR_GPON)),
    ]);
    assert_eq!(
        summary(&d),
        vec![
            (Add, "CFS:GPON-Access"),
            (Add, "CFS:Internet-Access"),
            (Add, "CFS:CPE-Management"),
            (Add, "CFS:Multicast"),
            (Add, "CFS:IPTV"),
        ]
    );
    let broadband = [
        "CFS:GPON-Access",
        "CFS:Internet-Access",
        "CFS:CPE-Management",
    ];
    assert_eq!(depends_on(&d, "CFS:Multicast"), broadband);
    assert_eq!(
        depends_on(&d, "CFS:IPTV"),
        [broadband.as_slice(), &["CFS:Multicast"]].concat()
    );
    // The shared items keep broadband's own dependency and gain none pointing forward.
    assert_eq!(
        depends_on(&d, "CFS:Internet-Access"),
        vec!["CFS:GPON-Access"]
    );
    assert_eq!(
        depends_on(&d, "CFS:CPE-Management"),
        vec!["CFS:GPON-Access"]
    );
}

#[test]
fn a_modify_sends_only_the_changed_characteristics() {
    let d = decomposed(vec![modify(
        "I1",
        P_BB,
        Some(BB),
        &[
            ("bandwidth", "1000"),
            ("router", "R1"),
            ("staticIp", "false"),
        ],
    )]);
    assert_eq!(summary(&d), vec![(Modify, "CFS:Internet-Access")]);
    let internet = service(&d, "CFS:Internet-Access");
    assert_eq!(
        internet.characteristics,
        text_chars(&[("bandwidth", "1000")])
    );
    assert_eq!(
        internet.service_id,
        Some(ServiceId::new("P-BB/CFS:Internet-Access"))
    );
    assert_eq!(internet.place, Some(AddressId::new(ADDR_GPON)));
    assert!(internet.removed_characteristics.is_empty());
    assert!(d.skipped.is_empty());
}

#[test]
fn a_modify_leaves_catalog_drift_alone() {
    // The TV instance predates the multicast CFS the catalog now maps; a package change must
    // not smuggle a multicast add in, nor delete the EPG CFS the catalog no longer maps.
    let d = decomposed(vec![modify("I1", P_TV, None, &[("package", "premium")])]);
    assert_eq!(summary(&d), vec![(Modify, "CFS:IPTV")]);
    assert_eq!(
        service(&d, "CFS:IPTV").characteristics,
        text_chars(&[("package", "premium")])
    );
}

#[test]
fn a_modify_removing_a_mapped_characteristic_says_so() {
    let d = decomposed(vec![modify(
        "I1",
        P_BB,
        None,
        &[("bandwidth", "500"), ("staticIp", "false")],
    )]);
    assert_eq!(summary(&d), vec![(Modify, "CFS:CPE-Management")]);
    let cpe = service(&d, "CFS:CPE-Management");
    assert!(cpe.characteristics.is_empty());
    assert_eq!(cpe.removed_characteristics, vec!["router".to_owned()]);
}

#[rstest]
#[case::identical(
    modify("I1", P_BB, None, &[("bandwidth", "500"), ("router", "R1"), ("staticIp", "false")]),
    SkipReason::NoServiceRelevantChange
)]
#[case::unmapped_characteristic(
    modify(
        "I1",
        P_BB,
        None,
        &[("bandwidth", "500"), ("router", "R1"), ("staticIp", "false"), ("marketing", "no")]
    ),
    SkipReason::NoServiceRelevantChange
)]
#[case::new_price_plan_same_specification(
    modify(
        "I1",
        P_BB,
        Some(BB_PROMO),
        &[("bandwidth", "500"), ("router", "R1"), ("staticIp", "false")]
    ),
    SkipReason::NoServiceRelevantChange
)]
#[case::no_change(no_change("I1", P_BB), SkipReason::NoChange)]
fn an_item_without_service_work_is_skipped(#[case] item: OrderItem, #[case] reason: SkipReason) {
    let d = decomposed(vec![item]);
    assert_eq!(summary(&d), vec![]);
    assert_eq!(skipped(&d), vec![("I1", reason)]);
}

#[rstest]
#[case::switched_on(P_BB, "true", Add, None)]
#[case::switched_off(P_BB_STATIC, "false", Delete, Some("P-BB-STATIC/CFS:Static-IP"))]
fn a_modify_switches_an_optional_cfs(
    #[case] product: &str,
    #[case] static_ip: &str,
    #[case] action: ServiceAction,
    #[case] service_id: Option<&str>,
) {
    let d = decomposed(vec![modify(
        "I1",
        product,
        None,
        &[
            ("bandwidth", "500"),
            ("router", "R1"),
            ("staticIp", static_ip),
        ],
    )]);
    assert_eq!(summary(&d), vec![(action, "CFS:Static-IP")]);
    assert_eq!(
        service(&d, "CFS:Static-IP").service_id,
        service_id.map(ServiceId::new)
    );
}

#[test]
fn a_move_rebuilds_the_access_and_moves_the_rest() {
    let mut item = modify(
        "I1",
        P_BB,
        None,
        &[
            ("bandwidth", "500"),
            ("router", "R1"),
            ("staticIp", "false"),
        ],
    );
    item.product.place = Some(AddressId::new(ADDR_HFC));
    let d = decomposed(vec![item]);
    assert_eq!(
        summary(&d),
        vec![
            (Add, "CFS:HFC-Access"),
            (Modify, "CFS:Internet-Access"),
            (Modify, "CFS:CPE-Management"),
            (Delete, "CFS:GPON-Access"),
        ]
    );
    assert_eq!(
        service(&d, "CFS:Internet-Access").place,
        Some(AddressId::new(ADDR_HFC))
    );
    assert_eq!(
        service(&d, "CFS:GPON-Access").place,
        Some(AddressId::new(ADDR_GPON))
    );
    assert_eq!(
        depends_on(&d, "CFS:GPON-Access"),
        vec![
            "CFS:HFC-Access",
            "CFS:Internet-Access",
            "CFS:CPE-Management"
        ]
    );
}

#[test]
fn a_cease_deletes_every_installed_cfs() {
    let d = decomposed(vec![delete("I1", P_TV)]);
    // Including the EPG CFS today's catalog no longer maps.
    assert_eq!(
        summary(&d),
        vec![
            (Delete, "CFS:IPTV"),
            (Delete, "CFS:Internet-Access"),
            (Delete, "CFS:CPE-Management"),
            (Delete, "CFS:Legacy-EPG"),
        ]
    );
    let epg = service(&d, "CFS:Legacy-EPG");
    assert_eq!(epg.service_id, Some(ServiceId::new("P-TV/CFS:Legacy-EPG")));
    assert_eq!(epg.place, Some(AddressId::new(ADDR_GPON)));
    assert!(d
        .service_order
        .items
        .iter()
        .all(|i| i.characteristics.is_empty() && i.depends_on.is_empty()));
}

#[test]
fn a_cease_keeps_the_catalog_point_of_no_return() {
    let d = decomposed(vec![delete("I1", P_BB)]);
    assert!(service(&d, "CFS:GPON-Access").point_of_no_return);
    assert!(!service(&d, "CFS:Internet-Access").point_of_no_return);
}

/// Copper to fibre at the same address: new access added, shared internet modified, copper
/// access deleted once the rest is in place. The router is unchanged: no CPE work.
fn assert_copper_to_fibre(d: &Decomposition) {
    assert_eq!(
        summary(d),
        vec![
            (Add, "CFS:GPON-Access"),
            (Modify, "CFS:Internet-Access"),
            (Delete, "CFS:ADSL-Access"),
        ]
    );
    let internet = service(d, "CFS:Internet-Access");
    assert_eq!(
        internet.service_id,
        Some(ServiceId::new("P-ADSL/CFS:Internet-Access"))
    );
    assert_eq!(
        internet.characteristics,
        text_chars(&[("bandwidth", "1000")])
    );
    assert_eq!(internet.technology, Some(Technology::Gpon));
    assert_eq!(
        depends_on(d, "CFS:Internet-Access"),
        vec!["CFS:GPON-Access"]
    );
    assert_eq!(
        depends_on(d, "CFS:ADSL-Access"),
        vec!["CFS:GPON-Access", "CFS:Internet-Access"]
    );
    assert_eq!(
        service(d, "CFS:ADSL-Access").service_id,
        Some(ServiceId::new("P-ADSL/CFS:ADSL-Access"))
    );
}

#[test]
fn a_modify_to_another_offering_migrates() {
    let d = decomposed(vec![modify(
        "I1",
        P_ADSL,
        Some(BB),
        &[("bandwidth", "1000"), ("router", "R1")],
    )]);
    assert_copper_to_fibre(&d);
    assert!(d
        .service_order
        .items
        .iter()
        .all(|i| i.from_items == item_ids(&["I1"])));
}

#[test]
fn a_migrate_pair_splits_the_work_between_its_items() {
    let d = decomposed(vec![
        delete("OLD", P_ADSL),
        add("NEW", BB, Some(ADDR_MIGRATE))
            .with_chars(&[("bandwidth", "1000"), ("router", "R1")])
            .related("OLD", Replaces),
    ]);
    assert_copper_to_fibre(&d);
    assert_eq!(
        service(&d, "CFS:GPON-Access").from_items,
        item_ids(&["NEW"])
    );
    assert_eq!(
        service(&d, "CFS:Internet-Access").from_items,
        item_ids(&["NEW", "OLD"])
    );
    assert_eq!(
        service(&d, "CFS:ADSL-Access").from_items,
        item_ids(&["OLD"])
    );
    assert!(d.skipped.is_empty());
}

#[test]
fn the_delete_half_of_a_migrate_without_service_work_is_skipped() {
    let d = decomposed(vec![
        delete("OLD", P_BB),
        add("NEW", BB_PROMO, None)
            .with_chars(&[
                ("bandwidth", "500"),
                ("router", "R1"),
                ("staticIp", "false"),
            ])
            .related("OLD", Replaces),
    ]);
    assert_eq!(summary(&d), vec![]);
    assert_eq!(
        skipped(&d),
        vec![
            ("OLD", SkipReason::Replaced { by: "NEW".into() }),
            ("NEW", SkipReason::NoServiceRelevantChange),
        ]
    );
}

#[rstest]
#[case::add_without_offering(
    vec![OrderItem::new("I1", ItemAction::Add, None)],
    DecompositionError::MissingOffering { item: "I1".into() }
)]
#[case::unknown_offering(
    vec![add("I1", "OFF-NOPE", Some(ADDR_GPON))],
    DecompositionError::UnknownOffering { item: "I1".into(), offering: "OFF-NOPE".into() }
)]
#[case::unknown_specification(
    vec![add("I1", BROKEN, None)],
    DecompositionError::UnknownSpecification {
        item: "I1".into(), specification: "SPEC-MISSING".into()
    }
)]
#[case::address_bound_offering_without_address(
    vec![add("I1", BB, None)],
    DecompositionError::MissingAddress { item: "I1".into() }
)]
#[case::technology_cfs_without_address(
    vec![add("I1", TV, None)],
    DecompositionError::MissingAddress { item: "I1".into() }
)]
#[case::unknown_address(
    vec![add("I1", BB, Some("ADDR-NOWHERE"))],
    DecompositionError::UnknownAddress { item: "I1".into(), address: "ADDR-NOWHERE".into() }
)]
#[case::no_supported_technology(
    vec![add("I1", BB, Some(ADDR_COPPER))],
    DecompositionError::NoSupportedTechnology {
        item: "I1".into(), address: ADDR_COPPER.into(), offering: BB.into()
    }
)]
#[case::cycle(
    vec![
        add("A", MOBILE, None).related("B", ReliesOn),
        add("B", MOBILE, None).related("A", ReliesOn),
    ],
    DecompositionError::Classification(OrderTypeError::DependencyCycle {
        items: item_ids(&["A", "B"])
    })
)]
#[case::cease_of_an_unknown_instance(
    vec![delete("I1", "P-NOWHERE")],
    DecompositionError::Classification(OrderTypeError::UnknownInstance {
        item: "I1".into(), product: "P-NOWHERE".into()
    })
)]
fn refuses_what_it_cannot_decompose(
    #[case] items: Vec<OrderItem>,
    #[case] expected: DecompositionError,
) {
    assert_eq!(run(items), Err(expected));
}

#[test]
fn the_same_order_and_ids_give_the_same_service_order() {
    let items = || {
        vec![
            add("BUNDLE", TRIPLE, Some(ADDR_GPON)),
            add("BB", BB, None).related("BUNDLE", BundledIn),
            add("TV", TV, None)
                .related("BUNDLE", BundledIn)
                .related("BB", ReliesOn),
            modify("M", P_ADSL, Some(BB), &[("bandwidth", "1000")]),
            delete("C", P_TV),
            no_change("N", P_BB),
        ]
    };
    let first = decomposed(items());
    let second = decomposed(items());
    assert_eq!(first, second);
    assert!(!first.service_order.items.is_empty());
}

#[test]
fn the_roll_up_reads_the_service_items_of_one_product_item() {
    let d = decomposed(vec![
        add("BB", BB, Some(ADDR_GPON)),
        add("TV", TV, Some(ADDR_GPON)),
    ]);
    let tv = ItemId::new("TV");
    // Every TV service item completed except the shared internet access, still running.
    let states = d.service_order.items_of(&tv).map(|s| {
        if s.from_items.len() > 1 {
            ServiceItemState::InProgress
        } else {
            ServiceItemState::Completed
        }
    });
    assert_eq!(
        product_item_event(crate::ItemState::Acknowledged, states),
        Some(crate::lifecycle::ItemEvent::Start)
    );
}

// --- properties -------------------------------------------------------------------------

/// What generated orders are made of. Seeds index into these lists.
struct Pools {
    actions: &'static [ItemAction],
    offerings: &'static [Option<&'static str>],
    places: &'static [Option<&'static str>],
    products: &'static [Option<&'static str>],
    kinds: &'static [ItemRelationshipType],
    /// Relationships to the item itself, to no item, or forward (cycles) turn up.
    wild_relationships: bool,
}

/// Anything, including unknown, dead and missing references: decomposition refuses, never
/// panics.
const ANYTHING: Pools = Pools {
    actions: &[
        ItemAction::Add,
        ItemAction::Modify,
        ItemAction::Delete,
        ItemAction::NoChange,
    ],
    offerings: &[
        Some(BB),
        Some(BB_PROMO),
        Some(ADSL),
        Some(TV),
        Some(VOICE),
        Some(TRIPLE),
        Some(MOBILE),
        Some(BROKEN),
        Some("OFF-NOPE"),
        None,
    ],
    places: &[
        Some(ADDR_GPON),
        Some(ADDR_HFC),
        Some(ADDR_HFC_GPON),
        Some(ADDR_MIGRATE),
        Some(ADDR_COPPER),
        Some("ADDR-NOWHERE"),
        None,
    ],
    products: &[
        Some(P_BB),
        Some(P_BB_STATIC),
        Some(P_ADSL),
        Some(P_TV),
        Some(P_DEAD),
        Some("P-NOWHERE"),
        None,
    ],
    kinds: &[ReliesOn, BundledIn, Replaces],
    wild_relationships: true,
};

/// Orders validation would mostly let through, so that most decompose and exercise the
/// invariants: known references, relationships only to earlier items.
const SENSIBLE: Pools = Pools {
    actions: &[
        ItemAction::Add,
        ItemAction::Add,
        ItemAction::Modify,
        ItemAction::Delete,
        ItemAction::NoChange,
    ],
    offerings: &[
        Some(BB),
        Some(BB),
        Some(BB_PROMO),
        Some(TV),
        Some(VOICE),
        Some(TRIPLE),
        Some(MOBILE),
        None,
    ],
    places: &[
        Some(ADDR_GPON),
        Some(ADDR_GPON),
        Some(ADDR_HFC),
        Some(ADDR_HFC_GPON),
        Some(ADDR_MIGRATE),
        None,
    ],
    products: &[Some(P_BB), Some(P_BB_STATIC), Some(P_ADSL), Some(P_TV)],
    kinds: &[ReliesOn, ReliesOn, BundledIn, BundledIn, Replaces],
    wild_relationships: false,
};

const CHARS: [(&str, &str); 6] = [
    ("bandwidth", "1000"),
    ("router", "R2"),
    ("staticIp", "true"),
    ("multiroom", "yes"),
    ("setTopBox", "STB-4K"),
    ("data", "on"),
];

/// `(action, offering, place, product, characteristics mask, [(target, kind)])`.
type ItemSeed = (usize, usize, usize, usize, u8, Vec<(usize, usize)>);

fn order_seeds(pools: &'static Pools) -> impl Strategy<Value = Vec<ItemSeed>> {
    let item = (
        0..pools.actions.len(),
        0..pools.offerings.len(),
        0..pools.places.len(),
        0..pools.products.len(),
        any::<u8>(),
        proptest::collection::vec((0usize..8, 0..pools.kinds.len()), 0..3),
    );
    proptest::collection::vec(item, 1..6)
}

/// An order from seeds. With wild relationships, an item may relate to itself, to an item
/// that is not in the order, or to a later item (cycles); otherwise only to earlier items.
fn order_from(seeds: &[ItemSeed], pools: &Pools) -> ProductOrder {
    let items: Vec<OrderItem> = seeds
        .iter()
        .enumerate()
        .map(|(k, (action, offering, place, product, mask, _))| {
            let mut item = OrderItem::new(
                format!("I{k}"),
                pools.actions[*action],
                pools.offerings[*offering].map(OfferingId::new),
            );
            item.product.place = pools.places[*place].map(AddressId::new);
            if item.action != ItemAction::Add || pools.wild_relationships {
                item.product.existing = pools.products[*product].map(ProductId::new);
            }
            item.product.characteristics = CHARS
                .iter()
                .enumerate()
                .filter(|(bit, _)| mask & (1 << bit) != 0)
                .map(|(_, (n, v))| Characteristic::text(*n, *v))
                .collect();
            item
        })
        .collect();
    let n = items.len();
    let mut order = order_of(items);
    for (k, seed) in seeds.iter().enumerate() {
        for &(target, kind) in &seed.5 {
            let target = match (pools.wild_relationships, target) {
                (true, 7) => format!("I{}", n + 1),
                (true, _) => format!("I{}", target % n),
                (false, _) if k == 0 => continue,
                (false, _) => format!("I{}", target % k),
            };
            order.items[k].relationships.push(ItemRelationship {
                item: ItemId::new(target),
                kind: pools.kinds[kind],
            });
        }
    }
    order
}

/// Decomposes twice (determinism) and checks the invariants of any service order produced.
/// Returns whether the order decomposed.
fn check_invariants(order: &ProductOrder) -> Result<bool, TestCaseError> {
    let world = World::standard();
    let first = decompose(order, &world.context(), &mut SequentialIds::new("P"));
    let again = decompose(order, &world.context(), &mut SequentialIds::new("P"));
    prop_assert_eq!(&first, &again, "not deterministic");
    let Ok(d) = first else { return Ok(false) };
    let items = &d.service_order.items;
    let order_ids: Vec<&ItemId> = order.items.iter().map(|i| &i.id).collect();
    for (k, service) in items.iter().enumerate() {
        prop_assert!(!service.from_items.is_empty());
        for from in &service.from_items {
            prop_assert!(order_ids.contains(&from), "{} is not an order item", from);
        }
        // Every dependency points to an earlier item of the same service order: no cycles.
        for dep in &service.depends_on {
            let at = items.iter().position(|i| &i.id == dep);
            prop_assert!(
                at.is_some_and(|at| at < k),
                "{} depends on {}",
                service.id,
                dep
            );
        }
        prop_assert_eq!(
            service.service_id.is_some(),
            service.action != ServiceAction::Add,
            "only adds lack a service instance"
        );
        if service.action == ServiceAction::Add && service.place.is_some() {
            let twins = items.iter().filter(|i| {
                i.action == ServiceAction::Add && i.cfs == service.cfs && i.place == service.place
            });
            prop_assert_eq!(twins.count(), 1, "{} added twice at one place", service.cfs);
        }
    }
    let ids: std::collections::HashSet<&ServiceOrderItemId> = items.iter().map(|i| &i.id).collect();
    prop_assert_eq!(ids.len(), items.len(), "service item ids repeat");
    // Every product item is realised by a service item or skipped, never both or neither.
    for item in &order.items {
        let realised = items.iter().any(|s| s.from_items.contains(&item.id));
        let skipped = d.skipped.iter().filter(|s| s.item == item.id).count();
        prop_assert_eq!(usize::from(realised) + skipped, 1, "item {}", item.id);
    }
    Ok(true)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decomposition_never_panics_on_any_order(seeds in order_seeds(&ANYTHING)) {
        check_invariants(&order_from(&seeds, &ANYTHING))?;
    }

    #[test]
    fn decomposition_keeps_its_invariants_on_sensible_orders(seeds in order_seeds(&SENSIBLE)) {
        check_invariants(&order_from(&seeds, &SENSIBLE))?;
    }
}
