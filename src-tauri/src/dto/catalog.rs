//! Quotes, offerings and installed products.

use orderdesk_desk::catalog::{OfferingSummary, QuoteSummary};
use orderdesk_domain::reference::ProductInstance;
use serde::{Deserialize, Serialize};
use specta::Type;

use super::capture::CharacteristicDto;
use super::{count, opt_time, MoneyDto};

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QuoteSummaryDto {
    pub id: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub description: Option<String>,
    pub state: Option<String>,
    pub quote_date: Option<String>,
    pub valid_until: Option<String>,
    pub items: u32,
    pub scenario: Option<String>,
}

impl From<QuoteSummary> for QuoteSummaryDto {
    fn from(q: QuoteSummary) -> Self {
        Self {
            id: q.id,
            customer_id: q.customer_id,
            customer_name: q.customer_name,
            description: q.description,
            state: q.state,
            quote_date: opt_time(q.quote_date),
            valid_until: opt_time(q.valid_until),
            items: count(q.items),
            scenario: q.scenario,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OfferingDto {
    pub id: String,
    pub name: String,
    pub category: String,
    pub orderable: bool,
    pub monthly: Option<MoneyDto>,
    pub one_time: Option<MoneyDto>,
    pub technologies: Vec<String>,
}

impl From<OfferingSummary> for OfferingDto {
    fn from(o: OfferingSummary) -> Self {
        Self {
            id: o.id,
            name: o.name,
            category: o.category,
            orderable: o.orderable,
            monthly: o.monthly.as_ref().map(MoneyDto::from),
            one_time: o.one_time.as_ref().map(MoneyDto::from),
            technologies: o.technologies,
        }
    }
}

/// An installed product: where modify and cease orders start.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProductDto {
    pub id: String,
    pub name: String,
    pub offering_id: String,
    pub status: String,
    pub live: bool,
    pub place_id: Option<String>,
    pub characteristics: Vec<CharacteristicDto>,
    pub contract_end: Option<String>,
}

impl From<ProductInstance> for ProductDto {
    fn from(p: ProductInstance) -> Self {
        let status = serde_json::to_value(p.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        Self {
            live: p.is_live(),
            id: p.id.to_string(),
            name: p.name,
            offering_id: p.offering.to_string(),
            status,
            place_id: p.place.map(|a| a.to_string()),
            characteristics: p
                .characteristics
                .iter()
                .map(CharacteristicDto::from)
                .collect(),
            contract_end: opt_time(p.contract_end),
        }
    }
}
