//! Catalog and quotes: finding the quote to order from (by quote id, customer id or name),
//! opening a quote handed over as a TMF648 JSON file, the catalog's offerings and a customer's
//! installed products. All from the locally kept reference data, so it works offline.

use chrono::{DateTime, Utc};
use orderdesk_domain::catalog::Catalog;
use orderdesk_domain::reference::{CustomerDirectory, Inventory, ProductInstance};
use orderdesk_domain::{CustomerId, Money};
use orderdesk_tmf::tmf648::Quote;
use serde::Serialize;

use crate::desk::Desk;
use crate::error::DeskError;
use crate::permission::Permission;
use crate::reference::{quote_row, ReferenceKind, ReferenceSnapshot};

/// How many quotes a search returns at most.
pub const QUOTE_SEARCH_LIMIT: usize = 200;

/// A quote as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteSummary {
    pub id: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub description: Option<String>,
    /// TMF648 state: only `accepted` / `approved` quotes become orders.
    pub state: Option<String>,
    pub quote_date: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    /// Items, nested ones included.
    pub items: usize,
    /// The demo scenario the quote illustrates, if any.
    pub scenario: Option<String>,
}

impl QuoteSummary {
    pub fn of(quote: &Quote, reference: &ReferenceSnapshot) -> Self {
        let customer_id = quote.customer_id().map(str::to_owned);
        let customer_name = customer_id
            .as_deref()
            .and_then(|c| reference.customer(&CustomerId::new(c)))
            .map(|c| c.name.clone());
        Self {
            id: quote.id.clone(),
            customer_id,
            customer_name,
            description: quote.description.clone(),
            state: quote.state.clone(),
            quote_date: quote.quote_date,
            valid_until: quote.valid_for.as_ref().and_then(|v| v.end_date_time),
            items: quote.all_items().len(),
            scenario: quote.orderdesk.as_ref().and_then(|o| o.scenario.clone()),
        }
    }
}

/// An offering as the catalog screen lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferingSummary {
    pub id: String,
    pub name: String,
    pub category: String,
    pub orderable: bool,
    pub monthly: Option<Money>,
    pub one_time: Option<Money>,
    pub technologies: Vec<String>,
}

/// Whether `quote` matches a search: every word is found in the quote id, the customer id or
/// the customer's name (case-insensitive).
fn matches(summary: &QuoteSummary, words: &[String]) -> bool {
    let haystack = format!(
        "{} {} {}",
        summary.id,
        summary.customer_id.as_deref().unwrap_or(""),
        summary.customer_name.as_deref().unwrap_or("")
    )
    .to_lowercase();
    words.iter().all(|w| haystack.contains(w.as_str()))
}

impl Desk {
    /// Quotes whose id, customer id or customer name contain every word of `query` (all quotes
    /// for an empty query), in stored order.
    pub fn find_quotes(&self, query: &str) -> Result<Vec<QuoteSummary>, DeskError> {
        self.require(Permission::ReadCatalog)?;
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let reference = self.reference();
        Ok(reference
            .quotes()
            .iter()
            .map(|q| QuoteSummary::of(q, &reference))
            .filter(|s| matches(s, &words))
            .take(QUOTE_SEARCH_LIMIT)
            .collect())
    }

    /// One quote, whole.
    pub fn quote(&self, id: &str) -> Result<Quote, DeskError> {
        self.require(Permission::ReadCatalog)?;
        self.reference()
            .quote(id)
            .cloned()
            .ok_or_else(|| DeskError::not_found("quote", id))
    }

    /// Reads a TMF648 quote handed over as a JSON file and keeps it with the other quotes (a
    /// quote with the same id is replaced), so it can be ordered from, offline too.
    pub fn open_quote_file(&self, json: &str) -> Result<QuoteSummary, DeskError> {
        self.require(Permission::ReadCatalog)?;
        let quote: Quote = orderdesk_tmf::from_str(json)
            .map_err(|e| DeskError::invalid("quote", e.to_string()))?;
        if quote.id.trim().is_empty() {
            return Err(DeskError::invalid("quote.id", "empty"));
        }
        if quote.customer_id().is_none() {
            return Err(DeskError::invalid(
                "quote.relatedParty",
                "no related party with role `customer` and an id",
            ));
        }
        let row = quote_row(&quote)?;
        self.inner
            .store
            .put_reference(ReferenceKind::Quote, &row, self.now())
            .map_err(DeskError::storage)?;
        self.update_reference(|r| r.add_quote(quote.clone()));
        Ok(QuoteSummary::of(&quote, &self.reference()))
    }

    /// The catalog's offerings, in catalog order.
    pub fn offerings(&self) -> Result<Vec<OfferingSummary>, DeskError> {
        self.require(Permission::ReadCatalog)?;
        let reference = self.reference();
        let now = self.now();
        Ok(reference
            .offerings()
            .map(|o| OfferingSummary {
                id: o.id.to_string(),
                name: o.name.clone(),
                category: o.category.clone(),
                orderable: o.lifecycle_status.is_orderable()
                    && o.sellable
                    && o.valid_for.contains(now),
                monthly: o.monthly_charge().cloned(),
                one_time: o.one_time_charge().cloned(),
                technologies: o
                    .technologies
                    .iter()
                    .map(|t| t.as_str().to_owned())
                    .collect(),
            })
            .collect())
    }

    /// A customer's installed products (the starting points of modify and cease orders).
    pub fn customer_products(&self, customer: &str) -> Result<Vec<ProductInstance>, DeskError> {
        self.require(Permission::ReadCatalog)?;
        Ok(self
            .reference()
            .products_of(&CustomerId::new(customer))
            .into_iter()
            .cloned()
            .collect())
    }
}
