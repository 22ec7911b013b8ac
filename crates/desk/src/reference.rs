//! The reference data the desk validates against while it may be offline: the catalog (TMF620),
//! addresses and exchanges, customers and their credit, installed products (TMF637), the quotes
//! agents order from (TMF648) and the orders that existed when the demo started.
//!
//! A [`ReferenceSnapshot`] is built once (from the fixtures, or from the rows the local store
//! keeps) into the fixtures crate's in-memory indexes and implements the domain's data traits,
//! so the domain pipeline runs on it exactly as it runs on the server. It is persisted as
//! [`ReferenceRow`]s: one JSON document per (kind, id), the same shape the central store keeps,
//! so a later refresh from the server replaces rows without a schema change.
//!
//! Left to others: storing the rows (the local store), fetching fresh catalog and inventory
//! documents (the sync client; [`crate::refresh`] puts them here), and what the data means for
//! an order (the domain).

use chrono::{DateTime, Utc};
use orderdesk_domain::catalog::{Catalog, ProductOffering, ProductSpecification};
use orderdesk_domain::reference::{
    Address, AddressDirectory, CreditProfile, Customer, CustomerDirectory, Exchange, Inventory,
    ProductInstance,
};
use orderdesk_domain::{AddressId, CustomerId, ExchangeId, OfferingId, ProductId, SpecificationId};
use orderdesk_fixtures::{
    Fixtures, InMemoryAddresses, InMemoryCatalog, InMemoryCustomers, InMemoryInventory,
    InMemoryOrders,
};
pub use orderdesk_store::local::{ReferenceKind, ReferenceRow};
use orderdesk_tmf::tmf620::{self, CatalogDocument};
use orderdesk_tmf::tmf637::Product;
use orderdesk_tmf::tmf648::Quote;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;

/// Reference rows grouped by kind, as the store lists them.
pub type ReferenceRows = Vec<(ReferenceKind, Vec<ReferenceRow>)>;

/// Why stored reference rows could not become a snapshot. Names the document.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("reference document {} `{id}`: {message}", kind.as_str())]
    Document {
        kind: ReferenceKind,
        id: String,
        message: String,
    },
    #[error("the stored catalog does not hold together: {0}")]
    Catalog(#[from] orderdesk_tmf::tmf620::CatalogError),
    #[error("cannot encode reference document {} `{id}`: {message}", kind.as_str())]
    Encode {
        kind: ReferenceKind,
        id: String,
        message: String,
    },
}

/// Reference data in memory, one hash probe per lookup.
#[derive(Debug, Clone, Default)]
pub struct ReferenceSnapshot {
    catalog: InMemoryCatalog,
    addresses: InMemoryAddresses,
    customers: InMemoryCustomers,
    inventory: InMemoryInventory,
    quotes: Vec<Quote>,
    quote_index: HashMap<String, usize>,
    prior_orders: InMemoryOrders,
    rows: usize,
}

impl ReferenceSnapshot {
    /// The demo operator's data, through the same rows a store keeps (so a snapshot read back
    /// from the store is the same), with the fixture orders dated relative to `now` as the
    /// orders that existed before the desk.
    pub fn from_fixtures(fixtures: &Fixtures, now: DateTime<Utc>) -> Result<Self, ReferenceError> {
        let mut snapshot = Self::from_rows(&fixture_rows(fixtures)?)?;
        snapshot.prior_orders = fixtures.order_history(now);
        Ok(snapshot)
    }

    /// Builds the snapshot from stored rows. Rows of one kind and id replace each other (the
    /// last wins), so a refresh may simply append.
    pub fn from_rows(rows: &[(ReferenceKind, Vec<ReferenceRow>)]) -> Result<Self, ReferenceError> {
        let mut catalog = CatalogDocument::default();
        let mut snapshot = Self::default();
        for (kind, rows) in rows {
            let kind = *kind;
            for row in rows {
                snapshot.rows += 1;
                match kind {
                    ReferenceKind::ProductOffering => {
                        catalog.product_offering.push(parse(kind, row)?)
                    }
                    ReferenceKind::ProductSpecification => {
                        catalog.product_specification.push(parse(kind, row)?)
                    }
                    ReferenceKind::ProductOfferingPrice => {
                        catalog.product_offering_price.push(parse(kind, row)?)
                    }
                    ReferenceKind::Address => {
                        snapshot.addresses.insert_address(parse(kind, row)?, None);
                    }
                    ReferenceKind::Exchange => {
                        snapshot.addresses.insert_exchange(parse(kind, row)?);
                    }
                    ReferenceKind::Customer => {
                        snapshot
                            .customers
                            .insert_customer(parse(kind, row)?, None, Vec::new());
                    }
                    ReferenceKind::CreditProfile => {
                        snapshot.customers.insert_credit_profile(parse(kind, row)?);
                    }
                    ReferenceKind::PaymentMethod => {
                        snapshot.customers.insert_payment_method(parse(kind, row)?);
                    }
                    ReferenceKind::Product => {
                        let product: Product = parse(kind, row)?;
                        let instance = ProductInstance::try_from(&product).map_err(|e| {
                            ReferenceError::Document {
                                kind,
                                id: row.id.clone(),
                                message: e.to_string(),
                            }
                        })?;
                        snapshot.inventory.upsert(instance);
                    }
                    ReferenceKind::Quote => snapshot.push_quote(parse(kind, row)?),
                }
            }
        }
        snapshot.catalog = InMemoryCatalog::new(catalog.to_domain()?);
        Ok(snapshot)
    }

    /// Sets the orders that existed before the desk (duplicate and velocity checks read them).
    pub fn with_prior_orders(mut self, orders: InMemoryOrders) -> Self {
        self.prior_orders = orders;
        self
    }

    fn push_quote(&mut self, quote: Quote) {
        match self.quote_index.get(&quote.id) {
            Some(&i) => self.quotes[i] = quote,
            None => {
                self.quote_index.insert(quote.id.clone(), self.quotes.len());
                self.quotes.push(quote);
            }
        }
    }

    /// How many documents the snapshot was built from (0: nothing is known yet).
    pub fn row_count(&self) -> usize {
        self.rows
    }

    pub fn catalog(&self) -> &InMemoryCatalog {
        &self.catalog
    }

    pub fn addresses(&self) -> &InMemoryAddresses {
        &self.addresses
    }

    pub fn customers(&self) -> &InMemoryCustomers {
        &self.customers
    }

    pub fn inventory(&self) -> &InMemoryInventory {
        &self.inventory
    }

    /// The orders that existed before this desk captured any.
    pub fn prior_orders(&self) -> &InMemoryOrders {
        &self.prior_orders
    }

    /// Every quote, in stored order.
    pub fn quotes(&self) -> &[Quote] {
        &self.quotes
    }

    pub fn quote(&self, id: &str) -> Option<&Quote> {
        self.quote_index.get(id).map(|&i| &self.quotes[i])
    }

    /// Records a quote opened from a file, so that it can be ordered from like the others.
    pub fn add_quote(&mut self, quote: Quote) {
        self.push_quote(quote);
    }

    /// Replaces (or adds) installed products, e.g. a customer's inventory read from the server.
    pub fn upsert_products(&mut self, products: impl IntoIterator<Item = ProductInstance>) {
        for p in products {
            self.inventory.upsert(p);
        }
    }
}

fn parse<T: DeserializeOwned>(
    kind: ReferenceKind,
    row: &ReferenceRow,
) -> Result<T, ReferenceError> {
    serde_json::from_value(row.json.clone()).map_err(|e| ReferenceError::Document {
        kind,
        id: row.id.clone(),
        message: e.to_string(),
    })
}

fn row<T: Serialize>(
    kind: ReferenceKind,
    id: &str,
    owner: Option<&str>,
    value: &T,
) -> Result<ReferenceRow, ReferenceError> {
    let json = serde_json::to_value(value).map_err(|e| ReferenceError::Encode {
        kind,
        id: id.to_owned(),
        message: e.to_string(),
    })?;
    let row = ReferenceRow::new(id, json);
    Ok(match owner {
        Some(o) => row.owned_by(o),
        None => row,
    })
}

/// The fixtures as rows, for a first start: TMF620, TMF637 and TMF648 documents as in the
/// files, domain values for addresses, exchanges, customers, credit and payment methods.
pub fn fixture_rows(fixtures: &Fixtures) -> Result<ReferenceRows, ReferenceError> {
    use ReferenceKind as K;
    let catalog = &fixtures.tmf().catalog;
    let mut out: ReferenceRows = Vec::new();
    let mut push = |kind: K, rows: Vec<ReferenceRow>| out.push((kind, rows));

    push(
        K::ProductOffering,
        catalog
            .product_offering
            .iter()
            .map(offering_row)
            .collect::<Result<_, _>>()?,
    );
    push(
        K::ProductSpecification,
        catalog
            .product_specification
            .iter()
            .map(specification_row)
            .collect::<Result<_, _>>()?,
    );
    push(
        K::ProductOfferingPrice,
        catalog
            .product_offering_price
            .iter()
            .enumerate()
            .map(|(i, p)| price_row(i, p))
            .collect::<Result<_, _>>()?,
    );
    push(
        K::Address,
        fixtures
            .addresses()
            .addresses()
            .iter()
            .map(|a| row(K::Address, a.id.as_str(), None, a))
            .collect::<Result<_, _>>()?,
    );
    push(
        K::Exchange,
        fixtures
            .addresses()
            .exchanges()
            .iter()
            .map(|e| row(K::Exchange, e.id.as_str(), None, e))
            .collect::<Result<_, _>>()?,
    );
    let customers = fixtures.customers();
    push(
        K::Customer,
        customers
            .customers()
            .iter()
            .map(|c| row(K::Customer, c.id.as_str(), None, c))
            .collect::<Result<_, _>>()?,
    );
    push(
        K::CreditProfile,
        customers
            .customers()
            .iter()
            .filter_map(|c| customers.credit_profile(&c.id))
            .map(|p| {
                row(
                    K::CreditProfile,
                    p.customer.as_str(),
                    Some(p.customer.as_str()),
                    p,
                )
            })
            .collect::<Result<_, _>>()?,
    );
    let mut methods: Vec<_> = customers.payment_methods().collect();
    methods.sort_by(|a, b| a.id.cmp(&b.id));
    push(
        K::PaymentMethod,
        methods
            .into_iter()
            .map(|m| {
                row(
                    K::PaymentMethod,
                    m.id.as_str(),
                    Some(m.customer.as_str()),
                    m,
                )
            })
            .collect::<Result<_, _>>()?,
    );
    push(
        K::Product,
        fixtures
            .tmf()
            .inventory
            .iter()
            .enumerate()
            .map(|(i, p)| product_row(p, i))
            .collect::<Result<_, _>>()?,
    );
    push(
        K::Quote,
        fixtures
            .quotes()
            .iter()
            .map(quote_row)
            .collect::<Result<_, _>>()?,
    );
    Ok(out)
}

/// A TMF620 offering as a row.
pub fn offering_row(offering: &tmf620::ProductOffering) -> Result<ReferenceRow, ReferenceError> {
    row(ReferenceKind::ProductOffering, &offering.id, None, offering)
}

/// A TMF620 product specification as a row.
pub fn specification_row(
    spec: &tmf620::ProductSpecification,
) -> Result<ReferenceRow, ReferenceError> {
    row(ReferenceKind::ProductSpecification, &spec.id, None, spec)
}

/// A TMF620 price as a row; `index` names one without an id.
pub fn price_row(
    index: usize,
    price: &tmf620::ProductOfferingPrice,
) -> Result<ReferenceRow, ReferenceError> {
    let id = price.id.clone().unwrap_or_else(|| format!("price-{index}"));
    row(ReferenceKind::ProductOfferingPrice, &id, None, price)
}

/// A quote as a row (owner: its customer), e.g. a quote opened from a file.
pub fn quote_row(quote: &Quote) -> Result<ReferenceRow, ReferenceError> {
    row(ReferenceKind::Quote, &quote.id, quote.customer_id(), quote)
}

/// A TMF637 product as a row (owner: its customer); `index` names one without an id.
pub fn product_row(product: &Product, index: usize) -> Result<ReferenceRow, ReferenceError> {
    let id = product
        .id
        .clone()
        .unwrap_or_else(|| format!("product-{index}"));
    let owner = product
        .related_party
        .iter()
        .find(|p| p.has_role("customer"))
        .and_then(|p| p.party_id())
        .map(str::to_owned);
    row(ReferenceKind::Product, &id, owner.as_deref(), product)
}

impl Catalog for ReferenceSnapshot {
    fn offering(&self, id: &OfferingId) -> Option<&ProductOffering> {
        self.catalog.offering(id)
    }

    fn specification(&self, id: &SpecificationId) -> Option<&ProductSpecification> {
        self.catalog.specification(id)
    }

    fn offerings(&self) -> Box<dyn Iterator<Item = &ProductOffering> + '_> {
        self.catalog.offerings()
    }
}

impl AddressDirectory for ReferenceSnapshot {
    fn address(&self, id: &AddressId) -> Option<&Address> {
        self.addresses.address(id)
    }

    fn exchange(&self, id: &ExchangeId) -> Option<&Exchange> {
        self.addresses.exchange(id)
    }
}

impl CustomerDirectory for ReferenceSnapshot {
    fn customer(&self, id: &CustomerId) -> Option<&Customer> {
        self.customers.customer(id)
    }

    fn credit_profile(&self, id: &CustomerId) -> Option<&CreditProfile> {
        self.customers.credit_profile(id)
    }
}

impl Inventory for ReferenceSnapshot {
    fn product(&self, id: &ProductId) -> Option<&ProductInstance> {
        self.inventory.product(id)
    }

    fn products_of(&self, customer: &CustomerId) -> Vec<&ProductInstance> {
        self.inventory.products_of(customer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap()
    }

    #[test]
    fn rows_rebuild_the_fixture_snapshot() {
        let fixtures = Fixtures::load_default().unwrap();
        let rows = fixture_rows(&fixtures).unwrap();
        let snapshot = ReferenceSnapshot::from_rows(&rows).unwrap();
        let count: usize = rows.iter().map(|(_, r)| r.len()).sum();
        assert_eq!(snapshot.row_count(), count);
        assert_eq!(
            snapshot.catalog().offerings().count(),
            fixtures.catalog().offerings().count()
        );
        assert_eq!(snapshot.quotes().len(), fixtures.quotes().len());
        assert_eq!(snapshot.inventory().len(), fixtures.inventory().len());
        for p in fixtures.inventory().products() {
            assert_eq!(snapshot.product(&p.id), Some(p));
        }
        for c in fixtures.customers().customers() {
            assert_eq!(snapshot.customer(&c.id), Some(c));
            assert_eq!(
                snapshot.credit_profile(&c.id),
                fixtures.customers().credit_profile(&c.id)
            );
        }
        for a in fixtures.addresses().addresses() {
            assert_eq!(snapshot.address(&a.id), Some(a));
        }
        let with_history = ReferenceSnapshot::from_fixtures(&fixtures, day()).unwrap();
        assert_eq!(
            with_history.prior_orders().len(),
            fixtures.seed_orders().len()
        );
    }

    #[test]
    fn a_broken_row_is_named() {
        let rows = vec![(
            ReferenceKind::Customer,
            vec![ReferenceRow::new("C-1", serde_json::json!({"id": 3}))],
        )];
        let err = ReferenceSnapshot::from_rows(&rows).unwrap_err().to_string();
        assert!(err.contains("customer `C-1`"), "{err}");
    }

    #[test]
    fn later_quote_rows_replace_earlier_ones() {
        let fixtures = Fixtures::load_default().unwrap();
        let mut q = fixtures.quotes()[0].clone();
        let first = quote_row(&q).unwrap();
        q.description = Some("changed".into());
        let second = quote_row(&q).unwrap();
        let snapshot =
            ReferenceSnapshot::from_rows(&[(ReferenceKind::Quote, vec![first, second])]).unwrap();
        assert_eq!(snapshot.quotes().len(), 1);
        assert_eq!(
            snapshot.quote(&q.id).and_then(|q| q.description.as_deref()),
            Some("changed")
        );
    }
}
