//! Reference data the desk keeps for offline work: the product catalog (TMF620), quotes
//! (TMF648) and a customer's installed products (TMF637), read with TMF630 list queries.
//! The wire types are `orderdesk_tmf`'s; turning them into the domain's catalog is the store's.

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
