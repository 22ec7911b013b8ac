//! TMF637 Product Inventory v5, read-only: `/tmf-api/productInventory/v5/product` (list,
//! retrieve). Products are the domain's installed products in the store, written as TMF637 by
//! `orderdesk_tmf::tmf637`: the demo's installed base, and what fulfilment created, updated or
//! terminated when order items completed ([`crate::fulfilment::inventory`]).
//!
//! Filters (served by the store's indexes): `relatedParty.id` (the customer) and `status`
//! (`active`, `terminated`...), one value each; `offset` / `limit` with `X-Total-Count` and
//! `X-Result-Count`; `fields`. Products are listed by id.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use orderdesk_domain::reference::ProductInstance;
use orderdesk_domain::{CustomerId, ProductId};
use orderdesk_store::central::{Op, ProductQuery};
use orderdesk_tmf::tmf637;
use serde_json::{json, Value};

use super::catalog::{self, page_response, responses};
use super::{json_response, query_pairs, Routes};
use crate::auth::{Permission, User};
use crate::error::ApiError;
use crate::openapi::OpenApi;
use crate::state::{AppState, Urls};
use crate::tmf630;

/// The product collection's path.
pub const PRODUCTS: &str = "/tmf-api/productInventory/v5/product";

const FILTERS: &[&str] = &["relatedParty.id", "status"];

pub fn routes() -> Routes {
    Routes::new()
        .get(PRODUCTS, list)
        .get(&format!("{PRODUCTS}/{{id}}"), retrieve)
}

/// The TMF637 JSON of an installed product, with its `href`.
pub fn product_json(product: &ProductInstance, urls: &Urls) -> Result<Value, ApiError> {
    let mut wire = tmf637::Product::from(product);
    wire.href = Some(format!("{}{PRODUCTS}/{}", urls.public, product.id));
    serde_json::to_value(wire).map_err(ApiError::internal)
}

fn product_query(q: &tmf630::ListQuery) -> Result<ProductQuery, ApiError> {
    if let Some((attribute, _)) = q.sort.first() {
        return Err(ApiError::bad_field(
            "unknownAttribute",
            "sort",
            format!("products are listed by id; `{attribute}` cannot sort them"),
        ));
    }
    let mut out = ProductQuery {
        customer: None,
        status: None,
        offset: q.offset,
        limit: q.limit,
    };
    for f in &q.filters {
        let one = || -> Result<&str, ApiError> {
            match f.values.as_slice() {
                [v] if matches!(f.op, Op::Eq) => Ok(v),
                _ => Err(ApiError::bad_field(
                    "invalidQuery",
                    f.attribute.clone(),
                    format!("`{}` takes one value, by equality", f.attribute),
                )),
            }
        };
        match f.attribute.as_str() {
            "relatedParty.id" => out.customer = Some(CustomerId::new(one()?)),
            "status" => {
                let v = one()?;
                out.status = Some(tmf637::status_from_wire(v).ok_or_else(|| {
                    ApiError::bad_field(
                        "invalidQuery",
                        "status",
                        format!("`{v}` is not a TMF637 product status"),
                    )
                })?);
            }
            other => {
                return Err(ApiError::bad_field(
                    "unknownAttribute",
                    other,
                    format!(
                        "`{other}` is not an attribute products can be filtered on (known: {})",
                        FILTERS.join(", ")
                    ),
                ))
            }
        }
    }
    Ok(out)
}

async fn list(State(state): State<AppState>, user: User, uri: Uri) -> Result<Response, ApiError> {
    user.require(Permission::ReadOrders)?;
    let query = tmf630::parse(&query_pairs(&uri)?)?;
    let store_query = product_query(&query)?;
    let page = state
        .db(move |store| Ok(store.list_products(&store_query)?))
        .await?;
    let items = page
        .items
        .iter()
        .map(|p| product_json(p, &state.urls))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page_response(items, page.total, query.fields.as_deref()))
}

async fn retrieve(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadOrders)?;
    let query = tmf630::parse(&query_pairs(&uri)?)?;
    let id = ProductId::new(id);
    let product = state.db(move |store| Ok(store.get_product(&id)?)).await?;
    let value = product_json(&product, &state.urls)?;
    let value = match &query.fields {
        Some(fields) => tmf630::project(&value, fields, &["id", "href", "@type"]),
        None => value,
    };
    Ok(json_response(StatusCode::OK, &value))
}

/// The inventory API's OpenAPI operations and schema.
pub fn openapi(doc: &mut OpenApi) {
    doc.schema(
        "tmf637.Product",
        catalog::resource_schema(
            "TMF637 v5 Product: an installed product (`realizingService[]` are its CFS instances, `{product}/{CFS}`).",
            json!({
                "id": {"type": "string"}, "href": {"type": "string"}, "@type": {"type": "string"},
                "name": {"type": "string"},
                "status": {"type": "string", "enum": ["created", "pendingActive", "active", "suspended", "pendingTerminate", "terminated"]},
                "startDate": {"type": "string", "format": "date-time"},
                "productOffering": {"type": "object"}, "productSpecification": {"type": "object"},
                "productCharacteristic": {"type": "array", "items": {"type": "object"}},
                "place": {"type": "array", "items": {"type": "object"}},
                "relatedParty": {"type": "array", "items": {"type": "object"}},
                "realizingService": {"type": "array", "items": {"type": "object"}},
                "productTerm": {"type": "array", "items": {"type": "object"}},
            }),
        ),
    );
    let schema = json!({"$ref": "#/components/schemas/tmf637.Product"});
    let tag = "TMF637 inventory";
    doc.operation(
        PRODUCTS,
        "get",
        json!({
            "tags": [tag], "operationId": "listProduct",
            "summary": "List installed products (filters `relatedParty.id`, `status`; paging; fields)",
            "parameters": [
                {"name": "relatedParty.id", "in": "query", "required": false, "schema": {"type": "string"},
                 "description": "The customer, one value."},
                {"name": "status", "in": "query", "required": false, "schema": {"type": "string"},
                 "description": "A TMF637 product status, one value."},
                {"name": "fields", "in": "query", "required": false, "schema": {"type": "string"}},
                {"name": "offset", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}},
                {"name": "limit", "in": "query", "required": false,
                 "schema": {"type": "integer", "minimum": 0, "maximum": tmf630::MAX_LIMIT}},
            ],
            "responses": responses(serde_json::Map::from_iter([("200".to_owned(), json!({
                "description": "A page of products",
                "headers": {
                    "X-Total-Count": {"description": "How many match the query in all", "schema": {"type": "integer"}},
                    "X-Result-Count": {"description": "How many this page holds", "schema": {"type": "integer"}},
                },
                "content": {"application/json": {"schema": {"type": "array", "items": schema}}},
            }))]), &[400, 401, 403, 500]),
        }),
    );
    doc.operation(
        &format!("{PRODUCTS}/{{id}}"),
        "get",
        json!({
            "tags": [tag], "operationId": "retrieveProduct",
            "summary": "Retrieve an installed product",
            "parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "fields", "in": "query", "required": false, "schema": {"type": "string"}},
            ],
            "responses": responses(serde_json::Map::from_iter([("200".to_owned(), json!({
                "description": "The product",
                "content": {"application/json": {"schema": schema}},
            }))]), &[400, 401, 403, 404, 500]),
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderdesk_domain::reference::ProductStatus;

    fn query(pairs: &[(&str, &str)]) -> Result<ProductQuery, ApiError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        product_query(&tmf630::parse(&pairs)?)
    }

    #[test]
    fn product_lists_filter_by_customer_and_status() {
        let q = query(&[
            ("relatedParty.id", "CUST-1011"),
            ("status", "active"),
            ("limit", "5"),
        ])
        .unwrap();
        assert_eq!(q.customer, Some(CustomerId::new("CUST-1011")));
        assert_eq!(q.status, Some(ProductStatus::Active));
        assert_eq!(q.limit, 5);
        assert!(query(&[("status", "lost")]).is_err());
        assert!(query(&[("colour", "red")]).is_err());
        assert!(query(&[("status", "active,terminated")]).is_err());
        assert!(query(&[("sort", "id")]).is_err());
    }
}
