//! Test data for order types and decomposition: a small in-memory catalog (broadband over
//! GPON/HFC, copper ADSL, IPTV, VoIP, a triple-play bundle, mobile), addresses with different
//! technologies, and an installed base to modify, cease and migrate.

use chrono::{TimeZone, Utc};

use crate::catalog::{
    Catalog, CfsMapping, CharacteristicSpec, LifecycleStatus, ProductOffering,
    ProductSpecification, RiskClass, Technology, Validity,
};
use crate::ids::{
    AddressId, CfsSpecId, CustomerId, ExchangeId, ItemId, OfferingId, OrderId, ProductId,
    SpecificationId,
};
use crate::order::{
    Characteristic, ItemAction, ItemRelationship, ItemRelationshipType, OrderItem, ProductOrder,
};
use crate::reference::{
    Address, AddressDirectory, Exchange, Inventory, ProductInstance, ProductStatus,
};

pub(crate) const BB: &str = "OFF-BB";
/// Same specification as [`BB`], another price plan: migrating to it needs no service work.
pub(crate) const BB_PROMO: &str = "OFF-BB-PROMO";
pub(crate) const ADSL: &str = "OFF-ADSL";
pub(crate) const TV: &str = "OFF-TV";
pub(crate) const VOICE: &str = "OFF-VOICE";
pub(crate) const TRIPLE: &str = "OFF-TRIPLE";
pub(crate) const MOBILE: &str = "OFF-MOBILE";
/// An offering whose specification is missing from the catalog.
pub(crate) const BROKEN: &str = "OFF-BROKEN";

pub(crate) const ADDR_GPON: &str = "ADDR-GPON";
pub(crate) const ADDR_HFC: &str = "ADDR-HFC";
/// HFC listed first, then GPON: broadband chooses HFC here.
pub(crate) const ADDR_HFC_GPON: &str = "ADDR-HFC-GPON";
/// Copper still in place, fibre just arrived.
pub(crate) const ADDR_MIGRATE: &str = "ADDR-MIGRATE";
pub(crate) const ADDR_COPPER: &str = "ADDR-COPPER";

pub(crate) const P_BB: &str = "P-BB";
pub(crate) const P_BB_STATIC: &str = "P-BB-STATIC";
pub(crate) const P_ADSL: &str = "P-ADSL";
pub(crate) const P_TV: &str = "P-TV";
pub(crate) const P_DEAD: &str = "P-DEAD";

pub(crate) const CUSTOMER: &str = "CUST-1";

#[derive(Debug, Default)]
pub(crate) struct TestCatalog {
    pub offerings: Vec<ProductOffering>,
    pub specifications: Vec<ProductSpecification>,
}

impl Catalog for TestCatalog {
    fn offering(&self, id: &OfferingId) -> Option<&ProductOffering> {
        self.offerings.iter().find(|o| &o.id == id)
    }
    fn specification(&self, id: &SpecificationId) -> Option<&ProductSpecification> {
        self.specifications.iter().find(|s| &s.id == id)
    }
    fn offerings(&self) -> Box<dyn Iterator<Item = &ProductOffering> + '_> {
        Box::new(self.offerings.iter())
    }
}

#[derive(Debug, Default)]
pub(crate) struct TestAddresses {
    pub addresses: Vec<Address>,
    pub exchanges: Vec<Exchange>,
}

impl AddressDirectory for TestAddresses {
    fn address(&self, id: &AddressId) -> Option<&Address> {
        self.addresses.iter().find(|a| &a.id == id)
    }
    fn exchange(&self, id: &ExchangeId) -> Option<&Exchange> {
        self.exchanges.iter().find(|e| &e.id == id)
    }
}

#[derive(Debug, Default)]
pub(crate) struct TestInventory {
    pub products: Vec<ProductInstance>,
}

impl Inventory for TestInventory {
    fn product(&self, id: &ProductId) -> Option<&ProductInstance> {
        self.products.iter().find(|p| &p.id == id)
    }
    fn products_of(&self, customer: &CustomerId) -> Vec<&ProductInstance> {
        self.products
            .iter()
            .filter(|p| &p.customer == customer)
            .collect()
    }
}

/// A CFS mapping, mandatory and technology-independent unless changed.
pub(crate) fn cfs(id: &str) -> CfsMapping {
    CfsMapping {
        cfs: CfsSpecId::new(id),
        mandatory: true,
        when: None,
        technologies: Vec::new(),
        characteristics: Vec::new(),
        point_of_no_return: false,
    }
}

pub(crate) trait MappingExt {
    fn when(self, name: &str, value: &str) -> Self;
    fn over(self, technologies: &[Technology]) -> Self;
    fn carrying(self, names: &[&str]) -> Self;
    fn ponr(self) -> Self;
}

impl MappingExt for CfsMapping {
    fn when(mut self, name: &str, value: &str) -> Self {
        self.mandatory = false;
        self.when = Some((name.to_owned(), value.to_owned()));
        self
    }
    fn over(mut self, technologies: &[Technology]) -> Self {
        self.technologies = technologies.to_vec();
        self
    }
    fn carrying(mut self, names: &[&str]) -> Self {
        self.characteristics = names.iter().map(|n| (*n).to_owned()).collect();
        self
    }
    fn ponr(mut self) -> Self {
        self.point_of_no_return = true;
        self
    }
}

fn char_spec(name: &str, default: Option<&str>) -> CharacteristicSpec {
    CharacteristicSpec {
        name: name.to_owned(),
        mandatory: false,
        allowed_values: Vec::new(),
        default_value: default.map(str::to_owned),
    }
}

pub(crate) fn offering(
    id: &str,
    spec: &str,
    technologies: &[Technology],
    bundled: &[&str],
) -> ProductOffering {
    ProductOffering {
        id: OfferingId::new(id),
        name: id.to_owned(),
        description: None,
        category: if bundled.is_empty() {
            "broadband"
        } else {
            "bundle"
        }
        .to_owned(),
        specification: SpecificationId::new(spec),
        lifecycle_status: LifecycleStatus::Launched,
        sellable: true,
        valid_for: Validity::default(),
        bundled: bundled.iter().map(|b| OfferingId::new(*b)).collect(),
        excludes: Vec::new(),
        requires_one_of: Vec::new(),
        technologies: technologies.to_vec(),
        prices: Vec::new(),
        risk: RiskClass::Low,
        lead_time_days: 5,
        max_per_account: None,
        contract_months: None,
    }
}

pub(crate) fn specification(
    id: &str,
    characteristics: Vec<CharacteristicSpec>,
    cfs: Vec<CfsMapping>,
) -> ProductSpecification {
    ProductSpecification {
        id: SpecificationId::new(id),
        name: id.to_owned(),
        characteristics,
        cfs,
    }
}

fn address(id: &str, technologies: &[Technology]) -> Address {
    Address {
        id: AddressId::new(id),
        street: "1 Test Street".into(),
        city: "Testville".into(),
        postcode: "1000".into(),
        country: "BE".into(),
        exchange: Some(ExchangeId::new("EX-1")),
        technologies: technologies.to_vec(),
    }
}

fn instance(
    id: &str,
    offering: &str,
    spec: &str,
    place: Option<&str>,
    characteristics: &[(&str, &str)],
    services: &[&str],
) -> ProductInstance {
    ProductInstance {
        id: ProductId::new(id),
        customer: CustomerId::new(CUSTOMER),
        offering: OfferingId::new(offering),
        specification: SpecificationId::new(spec),
        name: id.to_owned(),
        status: ProductStatus::Active,
        characteristics: text_chars(characteristics),
        place: place.map(AddressId::new),
        services: services.iter().map(|s| CfsSpecId::new(*s)).collect(),
        start_date: None,
        contract_end: None,
    }
}

pub(crate) fn text_chars(list: &[(&str, &str)]) -> Vec<Characteristic> {
    list.iter()
        .map(|(n, v)| Characteristic::text(*n, *v))
        .collect()
}

/// The reference data every decomposition test reads.
#[derive(Debug, Default)]
pub(crate) struct World {
    pub catalog: TestCatalog,
    pub addresses: TestAddresses,
    pub inventory: TestInventory,
}

impl World {
    pub fn standard() -> Self {
        use Technology::{Adsl, Gpon, Hfc, Vdsl};
        let catalog = TestCatalog {
            offerings: vec![
                offering(BB, "SPEC-BB", &[Gpon, Hfc], &[]),
                offering(BB_PROMO, "SPEC-BB", &[Gpon, Hfc], &[]),
                offering(ADSL, "SPEC-ADSL", &[Adsl], &[]),
                offering(TV, "SPEC-TV", &[], &[]),
                offering(VOICE, "SPEC-VOICE", &[Gpon, Hfc], &[]),
                offering(TRIPLE, "SPEC-TRIPLE", &[], &[BB, TV, VOICE]),
                offering(MOBILE, "SPEC-MOBILE", &[], &[]),
                offering(BROKEN, "SPEC-MISSING", &[], &[]),
            ],
            specifications: vec![
                specification(
                    "SPEC-BB",
                    vec![
                        char_spec("bandwidth", None),
                        char_spec("router", Some("R1")),
                        char_spec("staticIp", Some("false")),
                        char_spec("profile", Some("residential")),
                    ],
                    vec![
                        cfs("CFS:GPON-Access").over(&[Gpon]).ponr(),
                        cfs("CFS:HFC-Access").over(&[Hfc]).ponr(),
                        cfs("CFS:Internet-Access").carrying(&["bandwidth", "profile"]),
                        cfs("CFS:CPE-Management").carrying(&["router"]),
                        cfs("CFS:Static-IP").when("staticIp", "true"),
                    ],
                ),
                specification(
                    "SPEC-ADSL",
                    vec![char_spec("bandwidth", None), char_spec("router", None)],
                    vec![
                        cfs("CFS:ADSL-Access").over(&[Adsl]),
                        cfs("CFS:Internet-Access").carrying(&["bandwidth"]),
                        cfs("CFS:CPE-Management").carrying(&["router"]),
                    ],
                ),
                specification(
                    "SPEC-TV",
                    vec![char_spec("package", Some("basic"))],
                    vec![
                        cfs("CFS:IPTV").carrying(&["package"]),
                        cfs("CFS:Internet-Access"),
                        cfs("CFS:CPE-Management").carrying(&["setTopBox", "router"]),
                        cfs("CFS:Multicast").over(&[Gpon, Vdsl]),
                        cfs("CFS:Multiroom").when("multiroom", "yes"),
                    ],
                ),
                specification(
                    "SPEC-VOICE",
                    vec![],
                    vec![
                        cfs("CFS:VoIP").carrying(&["number"]),
                        cfs("CFS:Internet-Access"),
                    ],
                ),
                specification("SPEC-TRIPLE", vec![], vec![cfs("CFS:Triple-Play-QoS")]),
                specification(
                    "SPEC-MOBILE",
                    vec![],
                    vec![
                        cfs("CFS:Mobile-Voice").carrying(&["msisdn"]),
                        cfs("CFS:Mobile-Data").when("data", "on"),
                    ],
                ),
            ],
        };
        let addresses = TestAddresses {
            addresses: vec![
                address(ADDR_GPON, &[Gpon, Vdsl]),
                address(ADDR_HFC, &[Hfc]),
                address(ADDR_HFC_GPON, &[Hfc, Gpon]),
                address(ADDR_MIGRATE, &[Gpon, Adsl]),
                address(ADDR_COPPER, &[Adsl]),
            ],
            exchanges: Vec::new(),
        };
        let bb_services = [
            "CFS:GPON-Access",
            "CFS:Internet-Access",
            "CFS:CPE-Management",
        ];
        let mut dead = instance(P_DEAD, BB, "SPEC-BB", Some(ADDR_GPON), &[], &bb_services);
        dead.status = ProductStatus::Terminated;
        let inventory = TestInventory {
            products: vec![
                instance(
                    P_BB,
                    BB,
                    "SPEC-BB",
                    Some(ADDR_GPON),
                    &[
                        ("bandwidth", "500"),
                        ("router", "R1"),
                        ("staticIp", "false"),
                    ],
                    &bb_services,
                ),
                instance(
                    P_BB_STATIC,
                    BB,
                    "SPEC-BB",
                    Some(ADDR_GPON),
                    &[("bandwidth", "500"), ("router", "R1"), ("staticIp", "true")],
                    &[
                        "CFS:GPON-Access",
                        "CFS:Internet-Access",
                        "CFS:CPE-Management",
                        "CFS:Static-IP",
                    ],
                ),
                instance(
                    P_ADSL,
                    ADSL,
                    "SPEC-ADSL",
                    Some(ADDR_MIGRATE),
                    &[("bandwidth", "16"), ("router", "R1")],
                    &[
                        "CFS:ADSL-Access",
                        "CFS:Internet-Access",
                        "CFS:CPE-Management",
                    ],
                ),
                instance(
                    P_TV,
                    TV,
                    "SPEC-TV",
                    Some(ADDR_GPON),
                    &[("package", "basic")],
                    // Decomposed under an older catalog: the EPG CFS is no longer mapped,
                    // and the multicast CFS was not mapped yet.
                    &[
                        "CFS:IPTV",
                        "CFS:Internet-Access",
                        "CFS:CPE-Management",
                        "CFS:Legacy-EPG",
                    ],
                ),
                dead,
            ],
        };
        Self {
            catalog,
            addresses,
            inventory,
        }
    }

    pub fn context(&self) -> super::DecompositionContext<'_> {
        super::DecompositionContext {
            catalog: &self.catalog,
            addresses: &self.addresses,
            inventory: &self.inventory,
        }
    }
}

pub(crate) fn add(id: &str, offering: &str, place: Option<&str>) -> OrderItem {
    let mut item = OrderItem::new(id, ItemAction::Add, Some(OfferingId::new(offering)));
    item.product.place = place.map(AddressId::new);
    item
}

pub(crate) fn modify(
    id: &str,
    product: &str,
    offering: Option<&str>,
    characteristics: &[(&str, &str)],
) -> OrderItem {
    let mut item = OrderItem::new(id, ItemAction::Modify, offering.map(OfferingId::new));
    item.product.existing = Some(ProductId::new(product));
    item.product.characteristics = text_chars(characteristics);
    item
}

pub(crate) fn delete(id: &str, product: &str) -> OrderItem {
    let mut item = OrderItem::new(id, ItemAction::Delete, None);
    item.product.existing = Some(ProductId::new(product));
    item
}

pub(crate) fn no_change(id: &str, product: &str) -> OrderItem {
    let mut item = OrderItem::new(id, ItemAction::NoChange, None);
    item.product.existing = Some(ProductId::new(product));
    item
}

pub(crate) trait ItemExt {
    fn with_chars(self, characteristics: &[(&str, &str)]) -> Self;
    fn related(self, target: &str, kind: ItemRelationshipType) -> Self;
}

impl ItemExt for OrderItem {
    fn with_chars(mut self, characteristics: &[(&str, &str)]) -> Self {
        self.product.characteristics = text_chars(characteristics);
        self
    }
    fn related(mut self, target: &str, kind: ItemRelationshipType) -> Self {
        self.relationships.push(ItemRelationship {
            item: ItemId::new(target),
            kind,
        });
        self
    }
}

/// A well-formed order of these items.
pub(crate) fn order_of(items: Vec<OrderItem>) -> ProductOrder {
    let date = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    ProductOrder::new(
        OrderId::new("PO-1"),
        CustomerId::new(CUSTOMER),
        date,
        items,
        false,
    )
    .unwrap()
}

/// An order of add items related as listed: `(id, [(target, kind)])`.
pub(crate) fn order_with_relationships(
    items: &[(&str, Vec<(&str, ItemRelationshipType)>)],
) -> ProductOrder {
    order_of(
        items
            .iter()
            .map(|(id, rels)| {
                rels.iter()
                    .fold(add(id, MOBILE, None), |item, (target, kind)| {
                        item.related(target, *kind)
                    })
            })
            .collect(),
    )
}
