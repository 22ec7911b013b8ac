//! Reference data the desk keeps for offline work: the product catalog (TMF620), quotes
//! (TMF648) and a customer's installed products (TMF637), read with TMF630 list queries, page by
//! page or (the `all_*` reads of a refresh) whole. The wire types are `orderdesk_tmf`'s; what a
//! refresh replaces is [`crate::decide::refresh_reference`]'s, storing it the desk's.

use orderdesk_tmf::{tmf620, tmf637, tmf648};
use reqwest::Method;
use serde::de::DeserializeOwned;

use super::{segment, ListQuery, Page, ServerClient};
use crate::error::SyncError;

pub const OFFERINGS: &str = "/tmf-api/productCatalogManagement/v5/productOffering";
pub const SPECIFICATIONS: &str = "/tmf-api/productCatalogManagement/v5/productSpecification";
pub const PRICES: &str = "/tmf-api/productCatalogManagement/v5/productOfferingPrice";
pub const QUOTES: &str = "/tmf-api/quoteManagement/v4/quote";
pub const PRODUCTS: &str = "/tmf-api/productInventory/v5/product";

/// The page size of a whole-collection read (the server's largest page).
pub const WHOLE_PAGE: u32 = 1000;

/// The most documents a whole-collection read takes: beyond, the server is taken to ignore
/// paging, and the read fails rather than loop.
pub const WHOLE_MAX: usize = 1_000_000;

impl ServerClient {
    async fn one<T: DeserializeOwned>(&self, path: &str, id: &str) -> Result<T, SyncError> {
        let url = self.url(&format!("{path}/{}", segment(id)));
        self.send(self.request(Method::GET, &url)).await?.json()
    }

    async fn many<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &ListQuery,
    ) -> Result<Page<T>, SyncError> {
        self.list(&self.url(path), &query.pairs()).await
    }

    /// Every document of a collection, page after page until `X-Total-Count` (or a short page)
    /// says it is all. Fails when any page does: a refresh never sees part of a collection.
    async fn whole<T: DeserializeOwned>(
        &self,
        path: &str,
        query: ListQuery,
    ) -> Result<Vec<T>, SyncError> {
        let mut out: Vec<T> = Vec::new();
        loop {
            let offset = u32::try_from(out.len())
                .map_err(|_| SyncError::Invalid(format!("{path}: too many documents")))?;
            let page: Page<T> = self
                .many(path, &query.clone().page(offset, WHOLE_PAGE))
                .await?;
            let got = page.items.len();
            out.extend(page.items);
            let done = match page.total {
                Some(total) => out.len() as u64 >= total,
                None => got < WHOLE_PAGE as usize,
            };
            if done || got == 0 {
                return Ok(out);
            }
            if out.len() > WHOLE_MAX {
                return Err(SyncError::Invalid(format!(
                    "{path}: more than {WHOLE_MAX} documents; the server seems to ignore paging"
                )));
            }
        }
    }

    /// The whole catalog's offerings.
    pub async fn all_offerings(&self) -> Result<Vec<tmf620::ProductOffering>, SyncError> {
        self.whole(OFFERINGS, ListQuery::default()).await
    }

    /// The whole catalog's product specifications.
    pub async fn all_specifications(&self) -> Result<Vec<tmf620::ProductSpecification>, SyncError> {
        self.whole(SPECIFICATIONS, ListQuery::default()).await
    }

    /// The whole catalog's prices.
    pub async fn all_prices(&self) -> Result<Vec<tmf620::ProductOfferingPrice>, SyncError> {
        self.whole(PRICES, ListQuery::default()).await
    }

    /// Every quote the server holds.
    pub async fn all_quotes(&self) -> Result<Vec<tmf648::Quote>, SyncError> {
        self.whole(QUOTES, ListQuery::default()).await
    }

    /// Every installed product of one customer (`relatedParty.id`), whatever its status.
    pub async fn all_products_of(&self, customer: &str) -> Result<Vec<tmf637::Product>, SyncError> {
        self.whole(
            PRODUCTS,
            ListQuery::default().filter("relatedParty.id", customer),
        )
        .await
    }

    pub async fn offerings(
        &self,
        query: &ListQuery,
    ) -> Result<Page<tmf620::ProductOffering>, SyncError> {
        self.many(OFFERINGS, query).await
    }

    pub async fn offering(&self, id: &str) -> Result<tmf620::ProductOffering, SyncError> {
        self.one(OFFERINGS, id).await
    }

    pub async fn specifications(
        &self,
        query: &ListQuery,
    ) -> Result<Page<tmf620::ProductSpecification>, SyncError> {
        self.many(SPECIFICATIONS, query).await
    }

    pub async fn prices(
        &self,
        query: &ListQuery,
    ) -> Result<Page<tmf620::ProductOfferingPrice>, SyncError> {
        self.many(PRICES, query).await
    }

    pub async fn quotes(&self, query: &ListQuery) -> Result<Page<tmf648::Quote>, SyncError> {
        self.many(QUOTES, query).await
    }

    pub async fn quote(&self, id: &str) -> Result<tmf648::Quote, SyncError> {
        self.one(QUOTES, id).await
    }

    /// Installed products; filter a customer's with `relatedParty.id=<customer>`.
    pub async fn products(&self, query: &ListQuery) -> Result<Page<tmf637::Product>, SyncError> {
        self.many(PRODUCTS, query).await
    }
}
