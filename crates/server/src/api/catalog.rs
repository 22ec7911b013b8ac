//! TMF620 Product Catalog Management v5, read-only: `productOffering`, `productSpecification`
//! and `productOfferingPrice` (list and retrieve), served as the TMF JSON the store's reference
//! data holds (in demo mode, `fixtures/catalog.json`), with `href` set to this server.
//!
//! Also the pieces the server's other read-only reference collections share (quotes here,
//! [`super::quote`]): a [`Collection`] of stored JSON documents with equality filters on
//! declared attributes (TMF630 `attr=a,b`; dotted attributes reach into objects and arrays),
//! `offset` / `limit` paging with `X-Total-Count` / `X-Result-Count`, `fields` projection, and
//! the OpenAPI description of such a collection. Reading needs the right to read orders (every
//! role).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::Response;
use orderdesk_store::central::{Op, ReferenceKind};
use serde_json::{json, Map, Value};

use super::{json_response, query_pairs, Routes};
use crate::auth::{Permission, User};
use crate::error::ApiError;
use crate::openapi::OpenApi;
use crate::state::AppState;
use crate::tmf630;

/// The root of the catalog API.
pub const BASE: &str = "/tmf-api/productCatalogManagement/v5";

const ALWAYS: &[&str] = &["id", "href", "@type"];

/// A read-only collection of stored reference documents.
#[derive(Debug, Clone, Copy)]
pub struct Collection {
    pub kind: ReferenceKind,
    /// The collection's path from the server root: `/tmf-api/.../productOffering`.
    pub path: &'static str,
    /// Its `@type` and the name of its OpenAPI schema.
    pub resource: &'static str,
    /// `entity` of a 404.
    pub entity: &'static str,
    /// Filterable attributes, each with the JSON paths it matches (any of them).
    pub filters: &'static [(&'static str, &'static [&'static str])],
    /// The schema name in the OpenAPI document.
    pub schema: &'static str,
}

const OFFERINGS: Collection = Collection {
    kind: ReferenceKind::ProductOffering,
    path: "/tmf-api/productCatalogManagement/v5/productOffering",
    resource: "ProductOffering",
    entity: "productOffering",
    filters: &[
        ("lifecycleStatus", &["lifecycleStatus"]),
        ("isSellable", &["isSellable"]),
        ("isBundle", &["isBundle"]),
        ("name", &["name"]),
        ("category.name", &["category.name"]),
        ("productSpecification.id", &["productSpecification.id"]),
    ],
    schema: "tmf620.ProductOffering",
};

const SPECIFICATIONS: Collection = Collection {
    kind: ReferenceKind::ProductSpecification,
    path: "/tmf-api/productCatalogManagement/v5/productSpecification",
    resource: "ProductSpecification",
    entity: "productSpecification",
    filters: &[
        ("lifecycleStatus", &["lifecycleStatus"]),
        ("name", &["name"]),
        ("serviceSpecification.id", &["serviceSpecification.id"]),
    ],
    schema: "tmf620.ProductSpecification",
};

const PRICES: Collection = Collection {
    kind: ReferenceKind::ProductOfferingPrice,
    path: "/tmf-api/productCatalogManagement/v5/productOfferingPrice",
    resource: "ProductOfferingPrice",
    entity: "productOfferingPrice",
    filters: &[
        ("priceType", &["priceType"]),
        ("lifecycleStatus", &["lifecycleStatus"]),
        ("name", &["name"]),
    ],
    schema: "tmf620.ProductOfferingPrice",
};

pub fn routes() -> Routes {
    Routes::new()
        .get(OFFERINGS.path, list_offerings)
        .get(&format!("{}/{{id}}", OFFERINGS.path), get_offering)
        .get(SPECIFICATIONS.path, list_specifications)
        .get(
            &format!("{}/{{id}}", SPECIFICATIONS.path),
            get_specification,
        )
        .get(PRICES.path, list_prices)
        .get(&format!("{}/{{id}}", PRICES.path), get_price)
}

async fn list_offerings(
    State(state): State<AppState>,
    user: User,
    uri: Uri,
) -> Result<Response, ApiError> {
    list(&state, &user, &uri, &OFFERINGS).await
}

async fn get_offering(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    retrieve(&state, &user, &uri, &OFFERINGS, id).await
}

async fn list_specifications(
    State(state): State<AppState>,
    user: User,
    uri: Uri,
) -> Result<Response, ApiError> {
    list(&state, &user, &uri, &SPECIFICATIONS).await
}

async fn get_specification(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    retrieve(&state, &user, &uri, &SPECIFICATIONS, id).await
}

async fn list_prices(
    State(state): State<AppState>,
    user: User,
    uri: Uri,
) -> Result<Response, ApiError> {
    list(&state, &user, &uri, &PRICES).await
}

async fn get_price(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    retrieve(&state, &user, &uri, &PRICES, id).await
}

/// The values a dotted `path` reaches in `value` (arrays are looked into), as text.
fn values_at(value: &Value, path: &[&str], out: &mut Vec<String>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| values_at(v, path, out)),
        _ => match path.split_first() {
            None => match value {
                Value::String(s) => out.push(s.clone()),
                Value::Number(n) => out.push(n.to_string()),
                Value::Bool(b) => out.push(b.to_string()),
                _ => {}
            },
            Some((first, rest)) => {
                if let Some(next) = value.get(*first) {
                    values_at(next, rest, out);
                }
            }
        },
    }
}

/// Whether `doc` has any of `values` at any of `paths`.
pub fn matches(doc: &Value, paths: &[&str], values: &[String]) -> bool {
    let mut found = Vec::new();
    for p in paths {
        let segments: Vec<&str> = p.split('.').collect();
        values_at(doc, &segments, &mut found);
    }
    found.iter().any(|f| values.contains(f))
}

/// One equality condition: the JSON paths an attribute matches and the values it accepts.
pub type Condition<'a> = (&'a [&'static str], Vec<String>);

/// The equality filters of `query` against `filters`: unknown attributes and range operators
/// are a 400 naming them.
pub fn equality_filters<'a>(
    query: &tmf630::ListQuery,
    filters: &'a [(&'static str, &'static [&'static str])],
    what: &str,
) -> Result<Vec<Condition<'a>>, ApiError> {
    if let Some((attribute, _)) = query.sort.first() {
        return Err(ApiError::bad_field(
            "unknownAttribute",
            "sort",
            format!("{what} are listed by id; `{attribute}` cannot sort them"),
        ));
    }
    query
        .filters
        .iter()
        .map(|f| {
            let paths = filters
                .iter()
                .find(|(name, _)| *name == f.attribute)
                .map(|(_, paths)| *paths)
                .ok_or_else(|| {
                    let known: Vec<&str> = filters.iter().map(|(n, _)| *n).collect();
                    ApiError::bad_field(
                        "unknownAttribute",
                        f.attribute.clone(),
                        format!(
                            "`{}` is not an attribute {what} can be filtered on (known: {})",
                            f.attribute,
                            known.join(", ")
                        ),
                    )
                })?;
            if !matches!(f.op, Op::Eq | Op::In) {
                return Err(ApiError::bad_field(
                    "invalidQuery",
                    f.attribute.clone(),
                    format!("`{}` is compared by equality only", f.attribute),
                ));
            }
            Ok((paths, f.values.clone()))
        })
        .collect()
}

/// A page answer: the items, projected, with the count headers.
pub fn page_response(items: Vec<Value>, total: u64, fields: Option<&[String]>) -> Response {
    let items: Vec<Value> = items
        .into_iter()
        .map(|v| match fields {
            Some(f) => tmf630::project(&v, f, ALWAYS),
            None => v,
        })
        .collect();
    let count = items.len();
    let mut response = json_response(StatusCode::OK, &Value::Array(items));
    let headers = response.headers_mut();
    headers.insert("X-Total-Count", HeaderValue::from(total));
    headers.insert("X-Result-Count", HeaderValue::from(count));
    response
}

/// `doc` with its `href` (and `@type` when missing) for this server.
fn presented(mut doc: Value, state: &AppState, c: &Collection, id: &str) -> Value {
    if let Some(obj) = doc.as_object_mut() {
        obj.insert(
            "href".to_owned(),
            Value::String(format!("{}{}/{id}", state.urls.public, c.path)),
        );
        obj.entry("@type")
            .or_insert_with(|| Value::String(c.resource.to_owned()));
    }
    doc
}

/// Lists a collection (filters, paging, projection).
pub async fn list(
    state: &AppState,
    user: &User,
    uri: &Uri,
    c: &Collection,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadOrders)?;
    let query = tmf630::parse(&query_pairs(uri)?)?;
    let filters = equality_filters(&query, c.filters, &format!("{} lists", c.entity))?;
    let kind = c.kind;
    let docs = state
        .db(move |store| Ok(store.list_reference(kind)?))
        .await?;
    let matching: Vec<(String, Value)> = docs
        .into_iter()
        .filter(|(_, doc)| {
            filters
                .iter()
                .all(|(paths, values)| matches(doc, paths, values))
        })
        .collect();
    let total = matching.len() as u64;
    let offset = usize::try_from(query.offset).unwrap_or(usize::MAX);
    let items = matching
        .into_iter()
        .skip(offset)
        .take(query.limit as usize)
        .map(|(id, doc)| presented(doc, state, c, &id))
        .collect();
    Ok(page_response(items, total, query.fields.as_deref()))
}

/// Retrieves one document of a collection (404 when unknown).
pub async fn retrieve(
    state: &AppState,
    user: &User,
    uri: &Uri,
    c: &Collection,
    id: String,
) -> Result<Response, ApiError> {
    user.require(Permission::ReadOrders)?;
    let query = tmf630::parse(&query_pairs(uri)?)?;
    let (kind, key) = (c.kind, id.clone());
    let doc = state
        .db(move |store| Ok(store.get_reference(kind, &key)?))
        .await?
        .ok_or_else(|| ApiError::not_found(c.entity, id.clone()))?;
    let value = presented(doc, state, c, &id);
    let value = match &query.fields {
        Some(fields) => tmf630::project(&value, fields, ALWAYS),
        None => value,
    };
    Ok(json_response(StatusCode::OK, &value))
}

/// `responses` with the TMF error bodies of `codes` added.
pub fn responses(mut ok: Map<String, Value>, codes: &[u16]) -> Value {
    for code in codes {
        let description = match code {
            400 => "Bad request: malformed JSON, a wrong type, an unknown query attribute",
            401 => "No or unknown credentials",
            403 => "The caller's role lacks the right",
            404 => "Not found",
            413 => "The body is larger than the limit",
            415 => "Unsupported Content-Type",
            _ => "Internal error",
        };
        ok.insert(
            code.to_string(),
            json!({
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/v5.Error"}}},
            }),
        );
    }
    Value::Object(ok)
}

fn list_parameters(filters: &[(&str, &[&str])]) -> Value {
    let mut params = vec![
        json!({"name": "fields", "in": "query", "required": false, "schema": {"type": "string"},
               "description": "Comma-separated attributes to return (`id`, `href` and `@type` always are)."}),
        json!({"name": "offset", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}}),
        json!({"name": "limit", "in": "query", "required": false,
               "schema": {"type": "integer", "minimum": 0, "maximum": tmf630::MAX_LIMIT},
               "description": "Page size, default 20, capped at 1000."}),
    ];
    for (name, _) in filters {
        params.push(
            json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"},
                           "description": "Equality filter; `a,b` is any of the values."}),
        );
    }
    Value::Array(params)
}

/// Documents a collection's list and retrieve operations under `tag`.
pub fn document(doc: &mut OpenApi, c: &Collection, tag: &str, summary: &str) {
    let schema = json!({"$ref": format!("#/components/schemas/{}", c.schema)});
    doc.operation(
        c.path,
        "get",
        json!({
            "tags": [tag], "operationId": format!("list{}", c.resource),
            "summary": format!("List {summary} (equality filters, paging, fields)"),
            "parameters": list_parameters(c.filters),
            "responses": responses(Map::from_iter([("200".to_owned(), json!({
                "description": format!("A page of {summary}"),
                "headers": {
                    "X-Total-Count": {"description": "How many match the query in all", "schema": {"type": "integer"}},
                    "X-Result-Count": {"description": "How many this page holds", "schema": {"type": "integer"}},
                },
                "content": {"application/json": {"schema": {"type": "array", "items": schema}}},
            }))]), &[400, 401, 403, 500]),
        }),
    );
    doc.operation(
        &format!("{}/{{id}}", c.path),
        "get",
        json!({
            "tags": [tag], "operationId": format!("retrieve{}", c.resource),
            "summary": format!("Retrieve one of the {summary}"),
            "parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "fields", "in": "query", "required": false, "schema": {"type": "string"}},
            ],
            "responses": responses(Map::from_iter([("200".to_owned(), json!({
                "description": c.resource,
                "content": {"application/json": {"schema": schema}},
            }))]), &[400, 401, 403, 404, 500]),
        }),
    );
}

/// A loose schema for a TMF resource the server passes through as stored.
pub fn resource_schema(description: &str, properties: Value) -> Value {
    json!({
        "type": "object",
        "description": description,
        "required": ["id", "href"],
        "properties": properties,
        "additionalProperties": true,
    })
}

/// The catalog's OpenAPI operations and schemas.
pub fn openapi(doc: &mut OpenApi) {
    let common = |extra: Value| {
        let mut props = json!({
            "id": {"type": "string"}, "href": {"type": "string"}, "@type": {"type": "string"},
            "name": {"type": "string"}, "lifecycleStatus": {"type": "string"},
        });
        if let (Some(p), Value::Object(e)) = (props.as_object_mut(), extra) {
            p.extend(e);
        }
        props
    };
    doc.schema(
        OFFERINGS.schema,
        resource_schema(
            "TMF620 v5 ProductOffering as the catalog holds it (Orderdesk's `orderdesk` extension included).",
            common(json!({"isSellable": {"type": "boolean"}, "isBundle": {"type": "boolean"},
                          "productSpecification": {"type": "object"}, "productOfferingPrice": {"type": "array", "items": {"type": "object"}}})),
        ),
    );
    doc.schema(
        SPECIFICATIONS.schema,
        resource_schema(
            "TMF620 v5 ProductSpecification (`serviceSpecification[]` are the CFS it maps to).",
            common(
                json!({"productSpecCharacteristic": {"type": "array", "items": {"type": "object"}},
                          "serviceSpecification": {"type": "array", "items": {"type": "object"}}}),
            ),
        ),
    );
    doc.schema(
        PRICES.schema,
        resource_schema(
            "TMF620 v5 ProductOfferingPrice.",
            common(json!({"priceType": {"type": "string"}, "price": {"type": "object"}})),
        ),
    );
    let tag = "TMF620 catalog";
    document(doc, &OFFERINGS, tag, "product offerings");
    document(doc, &SPECIFICATIONS, tag, "product specifications");
    document(doc, &PRICES, tag, "product offering prices");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_attributes_reach_into_arrays() {
        let doc = json!({
            "category": [{"name": "broadband"}, {"name": "fibre"}],
            "isSellable": true,
            "relatedParty": [{"role": "customer", "partyOrPartyRole": {"id": "CUST-1"}}],
        });
        let v = |s: &str| vec![s.to_owned()];
        assert!(matches(&doc, &["category.name"], &v("fibre")));
        assert!(!matches(&doc, &["category.name"], &v("tv")));
        assert!(matches(&doc, &["isSellable"], &v("true")));
        assert!(matches(
            &doc,
            &["relatedParty.id", "relatedParty.partyOrPartyRole.id"],
            &v("CUST-1")
        ));
        assert!(matches(
            &doc,
            &["category.name"],
            &["tv".to_owned(), "broadband".to_owned()]
        ));
    }

    #[test]
    fn unknown_attributes_and_ranges_are_refused() {
        let q = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            tmf630::parse(&pairs).unwrap()
        };
        assert!(equality_filters(
            &q(&[("lifecycleStatus", "Launched")]),
            OFFERINGS.filters,
            "x"
        )
        .is_ok());
        assert!(equality_filters(&q(&[("colour", "red")]), OFFERINGS.filters, "x").is_err());
        assert!(equality_filters(&q(&[("name.gt", "a")]), OFFERINGS.filters, "x").is_err());
        assert!(equality_filters(&q(&[("sort", "name")]), OFFERINGS.filters, "x").is_err());
    }
}
