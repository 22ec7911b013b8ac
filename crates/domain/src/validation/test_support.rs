//! A small, realistic world for the validation tests: a catalog (fibre, cable, copper and 5G
//! broadband, TV, voice, mobile, a handset, a triple-play bundle, a retired, an expired and a
//! staff-only offering), four addresses, three exchanges, two customers, and empty inventory and
//! order history that each test fills as its scenario needs. Everything lives in `Vec`s so the
//! iteration order (and so every suggestion) is deterministic.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::{Check, CheckResult, ValidationContext, ValidationPolicy};
use crate::catalog::{
    Catalog, CharacteristicSpec, LifecycleStatus, OfferingPrice, PriceType, ProductOffering,
    ProductSpecification, RiskClass, Technology, Validity,
};
use crate::ids::{
    AddressId, CustomerId, ExchangeId, ItemId, OfferingId, OrderId, PaymentMethodId, ProductId,
    SpecificationId,
};
use crate::lifecycle::OrderState;
use crate::money::Money;
use crate::order::{
    Characteristic, CharacteristicValue, ExternalId, ItemAction, ItemRelationship,
    ItemRelationshipType, OrderItem, Payment, ProductOrder,
};
use crate::reference::{
    Address, AddressDirectory, CreditProfile, Customer, CustomerDirectory, CustomerSegment,
    Exchange, Inventory, OrderSummary, ProductInstance, ProductStatus,
};

/// Monday 2 November 2026, 09:00 UTC: "now" in every scenario.
pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

pub(crate) fn eur(amount: i64) -> Money {
    Money::new(Decimal::new(amount, 0), "EUR")
}

pub(crate) const CUSTOMER: &str = "CUST-1";
pub(crate) const BUSINESS: &str = "CUST-2";
pub(crate) const ORDER: &str = "ORD-NEW";

#[derive(Debug, Clone)]
pub(crate) struct TestWorld {
    pub offerings: Vec<ProductOffering>,
    pub specifications: Vec<ProductSpecification>,
    pub addresses: Vec<Address>,
    pub exchanges: Vec<Exchange>,
    pub customers: Vec<Customer>,
    pub credit: Vec<CreditProfile>,
    pub products: Vec<ProductInstance>,
    pub orders: Vec<OrderSummary>,
    pub policy: ValidationPolicy,
    pub now: DateTime<Utc>,
}

fn chars(specs: &[(&str, bool, &[&str], Option<&str>)]) -> Vec<CharacteristicSpec> {
    specs
        .iter()
        .map(|(name, mandatory, allowed, default)| CharacteristicSpec {
            name: (*name).to_owned(),
            mandatory: *mandatory,
            allowed_values: allowed.iter().map(|v| (*v).to_owned()).collect(),
            default_value: default.map(str::to_owned),
        })
        .collect()
}

fn spec(id: &str, characteristics: Vec<CharacteristicSpec>) -> ProductSpecification {
    ProductSpecification {
        id: SpecificationId::new(id),
        name: id.to_owned(),
        characteristics,
        cfs: Vec::new(),
    }
}

fn offering(
    id: &str,
    name: &str,
    category: &str,
    specification: &str,
    technologies: &[Technology],
    monthly: Option<i64>,
    risk: RiskClass,
) -> ProductOffering {
    ProductOffering {
        id: OfferingId::new(id),
        name: name.to_owned(),
        description: None,
        category: category.to_owned(),
        specification: SpecificationId::new(specification),
        lifecycle_status: LifecycleStatus::Launched,
        sellable: true,
        valid_for: Validity::default(),
        bundled: Vec::new(),
        excludes: Vec::new(),
        requires_one_of: Vec::new(),
        technologies: technologies.to_vec(),
        prices: monthly
            .map(|m| OfferingPrice {
                id: format!("{id}-monthly"),
                name: "Monthly".to_owned(),
                price_type: PriceType::Recurring,
                amount: eur(m),
                period: Some("month".to_owned()),
            })
            .into_iter()
            .collect(),
        risk,
        lead_time_days: 5,
        max_per_account: None,
        contract_months: None,
    }
}

fn address(id: &str, street: &str, exchange: Option<&str>, technologies: &[Technology]) -> Address {
    Address {
        id: AddressId::new(id),
        street: street.to_owned(),
        city: "Northtown".to_owned(),
        postcode: "1000".to_owned(),
        country: "AT".to_owned(),
        exchange: exchange.map(ExchangeId::new),
        technologies: technologies.to_vec(),
    }
}

fn ids(list: &[&str]) -> Vec<OfferingId> {
    list.iter().map(|s| OfferingId::new(*s)).collect()
}

impl TestWorld {
    pub(crate) fn new() -> Self {
        use RiskClass::{High, Low, Medium};
        use Technology::{FiveGFwa, Gpon, Hfc, Vdsl};

        let mut fibre = offering(
            "FIBRE-500",
            "SuperFibre 500",
            "broadband",
            "SPEC-BB",
            &[Gpon],
            Some(45),
            Medium,
        );
        fibre.contract_months = Some(24);
        let mut cable = offering(
            "CABLE-100",
            "SuperFibre 100 Cable",
            "broadband",
            "SPEC-BB",
            &[Hfc],
            Some(35),
            Medium,
        );
        cable.contract_months = Some(24);
        let copper = offering(
            "COPPER-50",
            "Copper 50",
            "broadband",
            "SPEC-BB",
            &[Vdsl],
            Some(30),
            Low,
        );
        let fwa = offering(
            "FWA-200",
            "5G Home 200",
            "broadband",
            "SPEC-BB",
            &[FiveGFwa],
            Some(40),
            Low,
        );
        let mut retired = offering(
            "FIBRE-300-OLD",
            "SuperFibre 300 (2023)",
            "broadband",
            "SPEC-BB",
            &[Gpon],
            Some(42),
            Medium,
        );
        retired.lifecycle_status = LifecycleStatus::Retired;
        let mut expired = offering(
            "SUMMER-DEAL",
            "Summer Fibre Deal",
            "broadband",
            "SPEC-BB",
            &[Gpon],
            Some(29),
            Medium,
        );
        expired.valid_for = Validity {
            start: Some(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()),
            end: Some(Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).unwrap()),
        };
        let mut staff = offering(
            "STAFF-FIBRE",
            "Staff Fibre",
            "broadband",
            "SPEC-BB",
            &[Gpon],
            Some(10),
            Low,
        );
        staff.sellable = false;
        let mut tv = offering("TV-BASIC", "TV Basic", "tv", "SPEC-TV", &[], Some(15), Low);
        tv.requires_one_of = ids(&["FIBRE-500", "CABLE-100"]);
        let mut voice = offering(
            "VOICE-HOME",
            "Home Phone",
            "voice",
            "SPEC-VOICE",
            &[],
            Some(10),
            Low,
        );
        voice.excludes = ids(&["VOICE-PAYG"]);
        let payg = offering(
            "VOICE-PAYG",
            "Home Phone Pay-as-you-go",
            "voice",
            "SPEC-VOICE",
            &[],
            None,
            Low,
        );
        let mut mobile = offering(
            "MOBILE-10",
            "Mobile 10GB",
            "mobile",
            "SPEC-MOBILE",
            &[],
            Some(15),
            Low,
        );
        mobile.max_per_account = Some(5);
        let prepaid = offering(
            "PREPAID-SIM",
            "Prepaid SIM",
            "mobile",
            "SPEC-MOBILE",
            &[],
            None,
            Low,
        );
        let mut phone = offering(
            "PHONE-X",
            "Phone X 256GB",
            "equipment",
            "SPEC-HANDSET",
            &[],
            Some(40),
            High,
        );
        phone.contract_months = Some(24);
        let basic_phone = offering(
            "PHONE-BASIC",
            "Basic Phone",
            "equipment",
            "SPEC-HANDSET",
            &[],
            None,
            Low,
        );
        let mut triple = offering(
            "HOME-TRIPLE",
            "Home Triple",
            "bundle",
            "SPEC-BUNDLE",
            &[],
            None,
            Medium,
        );
        triple.bundled = ids(&["FIBRE-500", "TV-BASIC", "VOICE-HOME"]);
        triple.contract_months = Some(24);
        let mut duo = offering(
            "HOME-DUO",
            "Home Duo",
            "bundle",
            "SPEC-BUNDLE",
            &[],
            None,
            Medium,
        );
        duo.bundled = ids(&["CABLE-100", "TV-BASIC"]);
        duo.contract_months = Some(12);

        Self {
            offerings: vec![
                fibre,
                cable,
                copper,
                fwa,
                retired,
                expired,
                staff,
                tv,
                voice,
                payg,
                mobile,
                prepaid,
                phone,
                basic_phone,
                triple,
                duo,
            ],
            specifications: vec![
                spec(
                    "SPEC-BB",
                    chars(&[
                        ("speed", true, &["100", "500", "1000"], None),
                        ("router", true, &["standard", "wifi7"], Some("standard")),
                    ]),
                ),
                spec(
                    "SPEC-TV",
                    chars(&[("package", false, &["basic", "sports"], None)]),
                ),
                spec("SPEC-VOICE", chars(&[("number", false, &[], None)])),
                spec(
                    "SPEC-MOBILE",
                    chars(&[("sim", true, &["physical", "esim"], Some("esim"))]),
                ),
                spec(
                    "SPEC-HANDSET",
                    chars(&[("colour", false, &["black", "white"], None)]),
                ),
                spec("SPEC-BUNDLE", Vec::new()),
            ],
            addresses: vec![
                address(
                    "ADDR-GPON",
                    "1 Fibre Street",
                    Some("EX-NORTH"),
                    &[Gpon, Vdsl],
                ),
                address("ADDR-HFC", "2 Cable Road", Some("EX-SOUTH"), &[Hfc]),
                address("ADDR-RURAL", "3 Field Lane", None, &[]),
                address("ADDR-BUSY", "4 Busy Avenue", Some("EX-BUSY"), &[Gpon, Hfc]),
            ],
            exchanges: vec![
                Exchange {
                    id: ExchangeId::new("EX-NORTH"),
                    name: "Northtown Central".to_owned(),
                    free_ports: vec![(Gpon, 40), (Vdsl, 12)],
                },
                Exchange {
                    id: ExchangeId::new("EX-SOUTH"),
                    name: "Southtown Headend".to_owned(),
                    free_ports: vec![(Hfc, 30)],
                },
                Exchange {
                    id: ExchangeId::new("EX-BUSY"),
                    name: "Busy Avenue OLT".to_owned(),
                    free_ports: vec![(Gpon, 0), (Hfc, 20)],
                },
            ],
            customers: vec![
                Customer {
                    id: CustomerId::new(CUSTOMER),
                    name: "Holder Müsli".to_owned(),
                    segment: CustomerSegment::Residential,
                    verified_name: Some("Holder Müsli".to_owned()),
                    date_of_birth: NaiveDate::from_ymd_opt(1985, 4, 12),
                    email: Some("holder@example.org".to_owned()),
                },
                Customer {
                    id: CustomerId::new(BUSINESS),
                    name: "Demo Business GmbH".to_owned(),
                    segment: CustomerSegment::Business,
                    verified_name: Some("Demo Business GmbH".to_owned()),
                    date_of_birth: None,
                    email: None,
                },
            ],
            credit: vec![
                CreditProfile {
                    customer: CustomerId::new(CUSTOMER),
                    score: 720,
                    monthly_exposure: eur(40),
                    exposure_limit: eur(300),
                    arrears: eur(0),
                    checked_at: t0() - Duration::days(10),
                },
                CreditProfile {
                    customer: CustomerId::new(BUSINESS),
                    score: 810,
                    monthly_exposure: eur(900),
                    exposure_limit: eur(5000),
                    arrears: eur(0),
                    checked_at: t0() - Duration::days(30),
                },
            ],
            products: Vec::new(),
            orders: Vec::new(),
            policy: ValidationPolicy::default(),
            now: t0(),
        }
    }

    /// [`TestWorld::new`] with a history: the customer has fibre under contract, a terminated
    /// line and an open order; another customer owns `P-OTHER`.
    pub(crate) fn lived_in() -> Self {
        let mut w = Self::new();
        w.install("P-1", "FIBRE-500").contract_end = Some(t0() + Duration::days(200));
        w.install("P-GONE", "COPPER-50").status = ProductStatus::Terminated;
        w.install("P-TV", "TV-BASIC");
        w.install("P-OTHER", "MOBILE-10").customer = CustomerId::new(BUSINESS);
        let open = w.past_order("ORD-OPEN", Duration::hours(3));
        open.offerings = ids(&["CABLE-100"]);
        open.places = vec![AddressId::new("ADDR-HFC")];
        open.external_ids = vec!["WEB-1".to_owned()];
        w
    }

    pub(crate) fn ctx(&self) -> ValidationContext<'_> {
        ValidationContext {
            now: self.now,
            catalog: self,
            addresses: self,
            customers: self,
            inventory: self,
            orders: &self.orders,
            policy: &self.policy,
        }
    }

    /// An order of the customer's, placed now, paid by its card.
    pub(crate) fn order(&self, items: Vec<OrderItem>) -> ProductOrder {
        let mut order = ProductOrder::new(
            OrderId::new(ORDER),
            CustomerId::new(CUSTOMER),
            self.now,
            items,
            false,
        )
        .unwrap();
        order.payment = Payment {
            method: Some(PaymentMethodId::new("PM-HOLDER")),
            holder_name: Some("HOLDER MUESLI".to_owned()),
        };
        order
    }

    pub(crate) fn run(&self, check: &dyn Check, order: &ProductOrder) -> Vec<CheckResult> {
        let mut out = Vec::new();
        check.run(order, &self.ctx(), &mut out);
        assert!(!out.is_empty(), "{check:?} reported nothing");
        assert!(
            out.iter().all(|r| r.check == check.kind()),
            "{check:?} reported for another kind"
        );
        out
    }

    pub(crate) fn offering_mut(&mut self, id: &str) -> &mut ProductOffering {
        self.offerings
            .iter_mut()
            .find(|o| o.id.as_str() == id)
            .unwrap()
    }

    pub(crate) fn customer_mut(&mut self) -> &mut Customer {
        self.customers
            .iter_mut()
            .find(|c| c.id.as_str() == CUSTOMER)
            .unwrap()
    }

    pub(crate) fn credit_mut(&mut self) -> &mut CreditProfile {
        self.credit
            .iter_mut()
            .find(|c| c.customer.as_str() == CUSTOMER)
            .unwrap()
    }

    pub(crate) fn exchange_mut(&mut self, id: &str) -> &mut Exchange {
        self.exchanges
            .iter_mut()
            .find(|e| e.id.as_str() == id)
            .unwrap()
    }

    /// Installs an active product of `offering` for the customer at `ADDR-GPON`.
    pub(crate) fn install(&mut self, id: &str, offering: &str) -> &mut ProductInstance {
        let specification = self
            .offerings
            .iter()
            .find(|o| o.id.as_str() == offering)
            .map_or_else(
                || SpecificationId::new("SPEC-?"),
                |o| o.specification.clone(),
            );
        self.products.push(ProductInstance {
            id: ProductId::new(id),
            customer: CustomerId::new(CUSTOMER),
            offering: OfferingId::new(offering),
            specification,
            name: offering.to_owned(),
            status: ProductStatus::Active,
            characteristics: Vec::new(),
            place: Some(AddressId::new("ADDR-GPON")),
            services: Vec::new(),
            start_date: Some(t0() - Duration::days(400)),
            contract_end: None,
        });
        self.products.last_mut().unwrap()
    }

    /// Records another order of the customer's placed `ago` before now, in progress, paid by
    /// its card.
    pub(crate) fn past_order(&mut self, id: &str, ago: Duration) -> &mut OrderSummary {
        self.orders.push(OrderSummary {
            id: OrderId::new(id),
            customer: CustomerId::new(CUSTOMER),
            external_ids: Vec::new(),
            channel: Some("web".to_owned()),
            offerings: Vec::new(),
            places: Vec::new(),
            payment_method: Some(PaymentMethodId::new("PM-HOLDER")),
            state: OrderState::InProgress,
            order_date: self.now - ago,
        });
        self.orders.last_mut().unwrap()
    }
}

impl Catalog for TestWorld {
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

impl AddressDirectory for TestWorld {
    fn address(&self, id: &AddressId) -> Option<&Address> {
        self.addresses.iter().find(|a| &a.id == id)
    }
    fn exchange(&self, id: &ExchangeId) -> Option<&Exchange> {
        self.exchanges.iter().find(|e| &e.id == id)
    }
}

impl CustomerDirectory for TestWorld {
    fn customer(&self, id: &CustomerId) -> Option<&Customer> {
        self.customers.iter().find(|c| &c.id == id)
    }
    fn credit_profile(&self, id: &CustomerId) -> Option<&CreditProfile> {
        self.credit.iter().find(|c| &c.customer == id)
    }
}

impl Inventory for TestWorld {
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

// ---- Order items ----

pub(crate) fn add(id: &str, offering: &str) -> OrderItem {
    OrderItem::new(id, ItemAction::Add, Some(OfferingId::new(offering)))
}

pub(crate) fn change(id: &str, action: ItemAction, offering: &str, product: &str) -> OrderItem {
    OrderItem::new(id, action, Some(OfferingId::new(offering))).existing(product)
}

/// SuperFibre 500 at 1 Fibre Street (GPON), 500 Mbit/s: passes every check for the customer.
pub(crate) fn fibre(id: &str) -> OrderItem {
    add(id, "FIBRE-500").at("ADDR-GPON").with("speed", "500")
}

/// Fluent tweaks for order items in scenarios.
pub(crate) trait ItemBuilder {
    fn at(self, place: &str) -> Self;
    fn with(self, name: &str, value: &str) -> Self;
    fn existing(self, product: &str) -> Self;
    fn bundled_in(self, parent: &str) -> Self;
    fn replaces(self, other: &str) -> Self;
    fn quantity(self, n: u32) -> Self;
}

impl ItemBuilder for OrderItem {
    fn at(mut self, place: &str) -> Self {
        self.product.place = Some(AddressId::new(place));
        self
    }
    fn with(mut self, name: &str, value: &str) -> Self {
        self.product
            .characteristics
            .push(Characteristic::text(name, value));
        self
    }
    fn existing(mut self, product: &str) -> Self {
        self.product.existing = Some(ProductId::new(product));
        self
    }
    fn bundled_in(mut self, parent: &str) -> Self {
        self.relationships.push(ItemRelationship {
            item: ItemId::new(parent),
            kind: ItemRelationshipType::BundledIn,
        });
        self
    }
    fn replaces(mut self, other: &str) -> Self {
        self.relationships.push(ItemRelationship {
            item: ItemId::new(other),
            kind: ItemRelationshipType::Replaces,
        });
        self
    }
    fn quantity(mut self, n: u32) -> Self {
        self.quantity = n;
        self
    }
}

// ---- Assertions ----

pub(crate) fn codes_of(results: &[CheckResult]) -> Vec<&'static str> {
    results.iter().map(|r| r.code).collect()
}

/// The one result with `code`; fails the test if there is none or several.
pub(crate) fn only<'r>(results: &'r [CheckResult], code: &str) -> &'r CheckResult {
    let found: Vec<_> = results.iter().filter(|r| r.code == code).collect();
    assert_eq!(found.len(), 1, "expected one {code} in {results:#?}");
    found[0]
}

// ---- Arbitrary orders, for "never panics" properties ----

fn pick<T: Clone + std::fmt::Debug + 'static>(values: &[T]) -> impl Strategy<Value = T> {
    prop::sample::select(values.to_vec())
}

fn any_item() -> impl Strategy<Value = (OrderItem, Vec<(usize, ItemRelationshipType)>)> {
    let offering = pick(&[
        None,
        Some("FIBRE-500"),
        Some("CABLE-100"),
        Some("FIBRE-300-OLD"),
        Some("STAFF-FIBRE"),
        Some("TV-BASIC"),
        Some("VOICE-HOME"),
        Some("VOICE-PAYG"),
        Some("MOBILE-10"),
        Some("PHONE-X"),
        Some("HOME-TRIPLE"),
        Some("NO-SUCH-OFFERING"),
    ]);
    let place = pick(&[
        None,
        Some("ADDR-GPON"),
        Some("ADDR-HFC"),
        Some("ADDR-RURAL"),
        Some("ADDR-BUSY"),
        Some("ADDR-NOWHERE"),
    ]);
    let existing = pick(&[
        None,
        Some("P-1"),
        Some("P-GONE"),
        Some("P-OTHER"),
        Some("P-?"),
    ]);
    let action = pick(&[
        ItemAction::Add,
        ItemAction::Modify,
        ItemAction::Delete,
        ItemAction::NoChange,
    ]);
    let characteristic = (
        pick(&["speed", "router", "sim", "colour", "bogus"]),
        prop_oneof![
            pick(&["100", "500", "esim", "black", ""])
                .prop_map(|v| CharacteristicValue::Text(v.to_owned())),
            any::<i64>().prop_map(|n| CharacteristicValue::Number(Decimal::from(n))),
            any::<bool>().prop_map(CharacteristicValue::Boolean),
        ],
    );
    let relationship = (
        0usize..8,
        pick(&[
            ItemRelationshipType::BundledIn,
            ItemRelationshipType::Replaces,
            ItemRelationshipType::ReliesOn,
        ]),
    );
    (
        offering,
        place,
        existing,
        action,
        prop_oneof![Just(1u32), Just(2), any::<u32>()],
        prop::collection::vec(characteristic, 0..4),
        prop::collection::vec(relationship, 0..3),
    )
        .prop_map(
            |(offering, place, existing, action, quantity, characteristics, relationships)| {
                let mut item = OrderItem::new("?", action, offering.map(OfferingId::new));
                item.product.place = place.map(AddressId::new);
                item.product.existing = existing.map(ProductId::new);
                item.quantity = quantity;
                item.product.characteristics = characteristics
                    .into_iter()
                    .map(|(name, value)| Characteristic {
                        name: name.to_owned(),
                        value,
                    })
                    .collect();
                (item, relationships)
            },
        )
}

/// Orders the wire layer could never produce as well as ones it could: unknown offerings and
/// places, dangling and self relationships, zero and huge quantities, odd names and dates.
pub(crate) fn any_order() -> impl Strategy<Value = ProductOrder> {
    (
        prop::collection::vec(any_item(), 1..7),
        pick(&[CUSTOMER, BUSINESS, "CUST-UNKNOWN"]),
        prop::collection::vec(pick(&["WEB-1", "WEB-2", ""]), 0..2),
        prop::option::of("\\PC{0,24}"),
        prop::option::of(pick(&["PM-HOLDER", "PM-OTHER"])),
        -4_000_000i64..4_000_000,
    )
        .prop_map(|(items, customer, external, holder, method, offset)| {
            let count = items.len();
            let world = TestWorld::new();
            let mut order = world.order(vec![add("seed", "FIBRE-500")]);
            order.items = items
                .into_iter()
                .enumerate()
                .map(|(n, (mut item, relationships))| {
                    item.id = ItemId::new(n.to_string());
                    item.relationships = relationships
                        .into_iter()
                        .map(|(target, kind)| ItemRelationship {
                            // Targets past the end dangle on purpose.
                            item: ItemId::new((target % (count + 1)).to_string()),
                            kind,
                        })
                        .collect();
                    item
                })
                .collect();
            order.customer = CustomerId::new(customer);
            order.external_ids = external
                .into_iter()
                .map(|id| ExternalId {
                    owner: Some("web".to_owned()),
                    kind: None,
                    id: id.to_owned(),
                })
                .collect();
            order.payment = Payment {
                method: method.map(PaymentMethodId::new),
                holder_name: holder,
            };
            order.order_date = t0() + Duration::seconds(offset * 60);
            order
        })
}
