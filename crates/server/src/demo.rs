//! Demo mode: the fixtures loaded into an empty database, and the SOM simulator started with the
//! failure rules stored there.
//!
//! What goes in, in one transaction (so a crash leaves the database empty and the next start
//! loads again): the TMF620 catalog objects as they are in `catalog.json` (the server builds the
//! domain catalog from them and serves them), TMF648 quotes, the domain's addresses, exchanges,
//! customers and credit profiles, the users with their tokens, the SOM failure rules, and the
//! installed products (TMF637 inventory). A database that holds anything is left alone.
//!
//! Not stored: `orders.json`, the order summaries duplicate and fraud screening see as "already
//! placed" (their dates are relative to now): demo mode keeps them in memory
//! ([`crate::state::AppState::seed_history`]).

use chrono::{DateTime, Utc};
use orderdesk_fixtures::Fixtures;
use orderdesk_store::central::ReferenceKind;
use orderdesk_store::{CentralStore, CentralTx, StoreError};
use serde::Serialize;
use serde_json::Value;

/// Why the demo data could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot encode {what} `{id}`: {source}")]
    Encode {
        what: &'static str,
        id: String,
        source: serde_json::Error,
    },
}

fn put_all<'a, T: Serialize + 'a>(
    tx: &CentralTx<'_>,
    kind: ReferenceKind,
    items: impl IntoIterator<Item = (String, &'a T)>,
) -> Result<usize, DemoError> {
    let mut n = 0;
    for (id, item) in items {
        let doc: Value = serde_json::to_value(item).map_err(|source| DemoError::Encode {
            what: kind.as_str(),
            id: id.clone(),
            source,
        })?;
        tx.put_reference(kind, &id, &doc)?;
        n += 1;
    }
    Ok(n)
}

/// Loads the fixtures into `store` if it is empty; `false` when it was not (nothing loaded).
pub fn seed(
    store: &CentralStore,
    fixtures: &Fixtures,
    now: DateTime<Utc>,
) -> Result<bool, DemoError> {
    if !store.is_empty()? {
        return Ok(false);
    }
    let tmf = fixtures.tmf();
    store.write(|tx| {
        put_all(
            tx,
            ReferenceKind::ProductOffering,
            tmf.catalog
                .product_offering
                .iter()
                .map(|o| (o.id.clone(), o)),
        )?;
        put_all(
            tx,
            ReferenceKind::ProductSpecification,
            tmf.catalog
                .product_specification
                .iter()
                .map(|s| (s.id.clone(), s)),
        )?;
        put_all(
            tx,
            ReferenceKind::ProductOfferingPrice,
            tmf.catalog
                .product_offering_price
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.clone().unwrap_or_else(|| format!("#{i}")), p)),
        )?;
        put_all(
            tx,
            ReferenceKind::Quote,
            tmf.quotes.iter().map(|q| (q.id.clone(), q)),
        )?;
        put_all(
            tx,
            ReferenceKind::Address,
            fixtures
                .addresses()
                .addresses()
                .iter()
                .map(|a| (a.id.to_string(), a)),
        )?;
        put_all(
            tx,
            ReferenceKind::Exchange,
            fixtures
                .addresses()
                .exchanges()
                .iter()
                .map(|e| (e.id.to_string(), e)),
        )?;
        put_all(
            tx,
            ReferenceKind::Customer,
            fixtures
                .customers()
                .customers()
                .iter()
                .map(|c| (c.id.to_string(), c)),
        )?;
        put_all(
            tx,
            ReferenceKind::CreditProfile,
            fixtures
                .customers()
                .credit_profiles()
                .map(|p| (p.customer.to_string(), p)),
        )?;
        put_all(
            tx,
            ReferenceKind::User,
            fixtures.users().iter().map(|u| (u.id.to_string(), u)),
        )?;
        put_all(
            tx,
            ReferenceKind::SomRule,
            fixtures
                .som()
                .failures
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("{i:04}"), r)),
        )?;
        for product in fixtures.inventory().products() {
            tx.upsert_product(product, now)?;
        }
        Ok::<_, DemoError>(())
    })?;
    Ok(true)
}

/// The SOM failure rules stored by [`seed`], as the simulator reads them (`som.json`'s shape).
pub fn som_rules(store: &CentralStore) -> Result<String, StoreError> {
    let rules: Vec<Value> = store
        .list_reference(ReferenceKind::SomRule)?
        .into_iter()
        .map(|(_, doc)| doc)
        .collect();
    Ok(serde_json::json!({ "failures": rules }).to_string())
}
