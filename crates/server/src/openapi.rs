//! The OpenAPI 3 document of everything the server serves, built as data and served at
//! `/openapi.json` (the root `/` points at it).
//!
//! Schemas are not rewritten here: the official TMF622 specifications (`fixtures/tmf/`, embedded
//! at build time) are copied into `components.schemas` under a prefix per version — `v4.` for
//! the Swagger 2 definitions, `v5.` for the OpenAPI 3 schemas — with their internal `$ref`s
//! retargeted, and the operations point at them. What the project adds to the wire (the
//! `stateReason` / `notReversedItem` of a refused cancel request, the `Idempotency-Key` header)
//! is described in the operations.
//!
//! Every `(method, path)` of [`crate::api::routes`] must be an operation here and every
//! operation a route: a test compares both ways. The desk extension and fulfilment document
//! their paths in [`document`], beside TMF622.

use serde_json::{json, Map, Value};

use crate::api::tmf622_base;
use orderdesk_tmf::ApiVersion;

const V4_SPEC: &str = include_str!("../../../fixtures/tmf/TMF622-ProductOrder-v4.0.0.swagger.json");
const V5_SPEC: &str = include_str!("../../../fixtures/tmf/TMF622-ProductOrdering-v5.0.0.oas.yaml");

/// Why the document could not be built (the embedded specifications did not parse).
#[derive(Debug, thiserror::Error)]
pub enum OpenApiError {
    #[error("the embedded TMF622 v4 specification does not parse: {0}")]
    V4(serde_json::Error),
    #[error("the embedded TMF622 v5 specification does not parse: {0}")]
    V5(serde_yaml::Error),
    #[error("the embedded specification has no `{0}`")]
    Missing(&'static str),
}

/// The paths and schemas under construction.
#[derive(Debug, Default)]
pub struct OpenApi {
    paths: Map<String, Value>,
    schemas: Map<String, Value>,
}

impl OpenApi {
    /// Adds `operation` for `method` (lower case: `get`, `post`...) on `path`.
    pub fn operation(&mut self, path: &str, method: &str, operation: Value) {
        let item = self
            .paths
            .entry(path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(item) = item.as_object_mut() {
            item.insert(method.to_owned(), operation);
        }
    }

    /// Adds a schema under `name`.
    pub fn schema(&mut self, name: &str, schema: Value) {
        self.schemas.insert(name.to_owned(), schema);
    }

    fn finish(self) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {
                "title": "Orderdesk central server",
                "version": env!("CARGO_PKG_VERSION"),
                "description": "TMF622 Product Ordering (v4 and v5 from one model) as served by \
                    the Orderdesk central server, the system of record the order desks sync \
                    with. Authenticate with `Authorization: Bearer <token>`. Errors are TMF \
                    error bodies (`v5.Error`). Orders carry a strong `ETag` (`\"3\"`: the order's \
                    version); PATCH and cancel requests honour `If-Match` (412 when stale).",
            },
            "servers": [{"url": "/"}],
            "security": [{"bearer": []}],
            "paths": self.paths,
            "components": {
                "schemas": self.schemas,
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"}
                },
            },
        })
    }
}

/// Every path the server serves.
pub fn document() -> Result<Value, OpenApiError> {
    let mut doc = OpenApi::default();
    official_schemas(&mut doc)?;
    service(&mut doc);
    for version in [ApiVersion::V4, ApiVersion::V5] {
        tmf622(&mut doc, version);
    }
    // The desk extension API (queues, credit exceptions, history, changes feed, live push) and
    // fulfilment (TMF641 listener, inventory, catalog, quotes) document their paths here, e.g.
    // `crate::api::desk::openapi(&mut doc);`.
    crate::api::desk::openapi(&mut doc);
    crate::fulfilment::listener::openapi(&mut doc);
    crate::api::inventory::openapi(&mut doc);
    crate::api::catalog::openapi(&mut doc);
    crate::api::quote::openapi(&mut doc);
    Ok(doc.finish())
}

/// Rewrites every `$ref` starting with `from` to start with `to`.
fn retarget(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(s) if key == "$ref" => {
                        if let Some(rest) = s.strip_prefix(from) {
                            *s = format!("{to}{rest}");
                        }
                    }
                    other => retarget(other, from, to),
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                retarget(v, from, to);
            }
        }
        _ => {}
    }
}

const V4_PREFIX: &str = "#/components/schemas/v4.";
const V5_PREFIX: &str = "#/components/schemas/v5.";

fn official_schemas(doc: &mut OpenApi) -> Result<(), OpenApiError> {
    let v4: Value = serde_json::from_str(V4_SPEC).map_err(OpenApiError::V4)?;
    let Value::Object(definitions) = v4.get("definitions").cloned().unwrap_or(Value::Null) else {
        return Err(OpenApiError::Missing("definitions"));
    };
    for (name, mut schema) in definitions {
        retarget(&mut schema, "#/definitions/", V4_PREFIX);
        doc.schema(&format!("v4.{name}"), schema);
    }
    let v5: Value = serde_yaml::from_str(V5_SPEC).map_err(OpenApiError::V5)?;
    let Some(Value::Object(schemas)) = v5.get("components").and_then(|c| c.get("schemas")).cloned()
    else {
        return Err(OpenApiError::Missing("components.schemas"));
    };
    for (name, mut schema) in schemas {
        retarget(&mut schema, "#/components/schemas/", V5_PREFIX);
        doc.schema(&format!("v5.{name}"), schema);
    }
    Ok(())
}

fn schema_ref(version: ApiVersion, name: &str) -> Value {
    let prefix = match version {
        ApiVersion::V4 => V4_PREFIX,
        ApiVersion::V5 => V5_PREFIX,
    };
    json!({"$ref": format!("{prefix}{name}")})
}

fn error_responses(codes: &[u16]) -> Map<String, Value> {
    let mut out = Map::new();
    for code in codes {
        let description = match code {
            400 => "Bad request: malformed JSON, a wrong type, an unknown query attribute",
            401 => "No or unknown bearer token",
            403 => "The caller's role lacks the right",
            404 => "Not found",
            405 => "Method not allowed",
            409 => "The resource's state refuses the request",
            412 => "`If-Match` names a version that is no longer current",
            413 => "The body is larger than the limit",
            415 => "Unsupported Content-Type",
            422 => "A business rule refuses the request",
            _ => "Internal error",
        };
        out.insert(
            code.to_string(),
            json!({
                "description": description,
                "content": {"application/json": {"schema": schema_ref(ApiVersion::V5, "Error")}},
            }),
        );
    }
    out
}

fn with_errors(mut responses: Map<String, Value>, codes: &[u16]) -> Value {
    responses.extend(error_responses(codes));
    Value::Object(responses)
}

fn list_parameters(extra: &str) -> Value {
    json!([
        {"name": "fields", "in": "query", "required": false, "schema": {"type": "string"},
         "description": "Comma-separated attributes to return (`id`, `href` and `@type` always are); dotted paths reach sub-attributes."},
        {"name": "offset", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}},
        {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": crate::tmf630::MAX_LIMIT},
         "description": "Page size, default 20, capped at 1000."},
        {"name": "sort", "in": "query", "required": false, "schema": {"type": "string"},
         "description": format!("TMF630 sort: `-orderDate,id` (descending with `-`). {extra}")},
    ])
}

fn list_headers() -> Value {
    json!({
        "X-Total-Count": {"description": "How many match the query in all", "schema": {"type": "integer"}},
        "X-Result-Count": {"description": "How many this page holds", "schema": {"type": "integer"}},
    })
}

fn id_parameter(what: &str) -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"},
           "description": format!("Identifier of the {what}")})
}

fn if_match() -> Value {
    json!({"name": "If-Match", "in": "header", "required": false, "schema": {"type": "string"},
           "description": "The order's `ETag` (`\"3\"`); 412 when the order has moved on."})
}

fn etag_header() -> Value {
    json!({"ETag": {"description": "The order's version, a strong entity tag", "schema": {"type": "string"}}})
}

fn tmf622(doc: &mut OpenApi, version: ApiVersion) {
    let base = tmf622_base(version);
    let v = version.as_str();
    let tag = format!("TMF622 {v}");
    let (create_schema, patch_schema, cancel_create, hub_in, hub_out) = match version {
        ApiVersion::V4 => (
            "ProductOrder_Create",
            "ProductOrder_Update",
            "CancelProductOrder_Create",
            "EventSubscriptionInput",
            "EventSubscription",
        ),
        ApiVersion::V5 => (
            "ProductOrder_FVO",
            "ProductOrder_MVO",
            "CancelProductOrder_FVO",
            "Hub_FVO",
            "Hub",
        ),
    };
    let order = schema_ref(version, "ProductOrder");
    let cancel = schema_ref(version, "CancelProductOrder");
    let filters = "Filters: `state`, `priority`, `orderDate` / `creationDate`, \
        `requestedStartDate`, `requestedCompletionDate` (with `.gt`, `.gte`, `.lt`, `.lte`), \
        `id`, `externalId`, `relatedParty.id`, `relatedParty.role`, `channel.id`, \
        `productOrderItem.state`, `productOrderItem.action`, \
        `productOrderItem.productOffering.id`, `productOrderItem.product.place.id`; \
        `a,b` is any of the values. Another attribute is a 400.";

    let mut list_params = list_parameters(filters);
    if let Some(a) = list_params.as_array_mut() {
        a.push(
            json!({"name": "state", "in": "query", "required": false, "schema": {"type": "string"},
                      "description": "Example filter: `held,pending`."}),
        );
    }
    doc.operation(
        &format!("{base}/productOrder"),
        "get",
        json!({
            "tags": [tag], "operationId": format!("{v}_listProductOrder"),
            "summary": "List or find product orders (TMF630 filters, sort, fields, paging)",
            "parameters": list_params,
            "responses": with_errors(
                Map::from_iter([("200".to_owned(), json!({
                    "description": "A page of orders",
                    "headers": list_headers(),
                    "content": {"application/json": {"schema": {"type": "array", "items": order}}},
                }))]),
                &[400, 401, 403, 500],
            ),
        }),
    );
    let mut post_params = vec![json!({
        "name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string", "maxLength": 255},
        "description": "Repeating a create with the same key (per user) returns the first order with 200 and `Idempotent-Replayed: true`; so does the same `externalId` from the same channel."
    })];
    if version == ApiVersion::V5 {
        post_params.push(json!({"name": "fields", "in": "query", "required": false, "schema": {"type": "string"}}));
    }
    doc.operation(
        &format!("{base}/productOrder"),
        "post",
        json!({
            "tags": [tag], "operationId": format!("{v}_createProductOrder"),
            "summary": "Create a product order; it is validated asynchronously",
            "parameters": post_params,
            "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref(version, create_schema)}}},
            "responses": with_errors(
                Map::from_iter([
                    ("201".to_owned(), json!({
                        "description": "Created; `Location` is the order's `href`",
                        "headers": {"Location": {"schema": {"type": "string"}}, "ETag": etag_header()["ETag"]},
                        "content": {"application/json": {"schema": order}},
                    })),
                    ("200".to_owned(), json!({
                        "description": "A repeated create (same Idempotency-Key or externalId): the original order; nothing was created",
                        "headers": {"Location": {"schema": {"type": "string"}}, "Idempotent-Replayed": {"schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": order}},
                    })),
                ]),
                &[400, 401, 403, 413, 415, 500],
            ),
        }),
    );
    doc.operation(
        &format!("{base}/productOrder/{{id}}"),
        "get",
        json!({
            "tags": [tag], "operationId": format!("{v}_retrieveProductOrder"),
            "summary": "Retrieve a product order",
            "parameters": [id_parameter("product order"),
                           {"name": "fields", "in": "query", "required": false, "schema": {"type": "string"}}],
            "responses": with_errors(
                Map::from_iter([("200".to_owned(), json!({
                    "description": "The order",
                    "headers": etag_header(),
                    "content": {"application/json": {"schema": order}},
                }))]),
                &[400, 401, 403, 404, 500],
            ),
        }),
    );
    let mut patch_content = Map::new();
    let merge = json!({"schema": schema_ref(version, patch_schema)});
    patch_content.insert("application/json".to_owned(), merge.clone());
    patch_content.insert("application/merge-patch+json".to_owned(), merge);
    if version == ApiVersion::V5 {
        patch_content.insert(
            "application/json-patch+json".to_owned(),
            json!({"schema": schema_ref(version, "JsonPatchOperations")}),
        );
    }
    doc.operation(
        &format!("{base}/productOrder/{{id}}"),
        "patch",
        json!({
            "tags": [tag], "operationId": format!("{v}_patchProductOrder"),
            "summary": "Amend a product order",
            "description": "Applies the patch to the order's JSON, then re-parses and re-validates it. \
                Amendable: priority, category, description, requestedStartDate, requestedCompletionDate, \
                billingAccount, payment, relatedParty, productOrderItem (not items past their point of no \
                return: 422), and new notes. A v5 draft is submitted with `state: acknowledged`. Any other \
                change (id, href, state, dates the server sets, externalId, item states...) is a 400 naming the field.",
            "parameters": [id_parameter("product order"), if_match()],
            "requestBody": {"required": true, "content": patch_content},
            "responses": with_errors(
                Map::from_iter([("200".to_owned(), json!({
                    "description": "The amended order",
                    "headers": etag_header(),
                    "content": {"application/json": {"schema": order}},
                }))]),
                &[400, 401, 403, 404, 409, 412, 413, 415, 422, 500],
            ),
        }),
    );
    doc.operation(
        &format!("{base}/productOrder/{{id}}"),
        "delete",
        json!({
            "tags": [tag], "operationId": format!("{v}_deleteProductOrder"),
            "summary": "Delete a product order (administration: supervisors only)",
            "parameters": [id_parameter("product order"), if_match()],
            "responses": with_errors(
                Map::from_iter([("204".to_owned(), json!({"description": "Deleted"}))]),
                &[401, 403, 404, 412, 500],
            ),
        }),
    );
    doc.operation(
        &format!("{base}/cancelProductOrder"),
        "get",
        json!({
            "tags": [tag], "operationId": format!("{v}_listCancelProductOrder"),
            "summary": "List cancel requests, newest first",
            "parameters": list_parameters("Filters: `productOrder.id`, `state` (one value each)."),
            "responses": with_errors(
                Map::from_iter([("200".to_owned(), json!({
                    "description": "A page of cancel requests",
                    "headers": list_headers(),
                    "content": {"application/json": {"schema": {"type": "array", "items": cancel}}},
                }))]),
                &[400, 401, 403, 500],
            ),
        }),
    );
    doc.operation(
        &format!("{base}/cancelProductOrder"),
        "post",
        json!({
            "tags": [tag], "operationId": format!("{v}_createCancelProductOrder"),
            "summary": "Cancel a product order",
            "description": "Assessed at once. 201: accepted (`inProgress`, or `done` / `terminatedWithError` \
                when nothing downstream has to be reversed); items past their point of no return are listed \
                in the extension field `notReversedItem`. An impossible cancel is stored `rejected` \
                (v4: `terminatedWithError`) with its reason in `stateReason`, and answered 409 (the order is \
                not open) or 422 (every item is finished or past its point of no return), `referenceError` \
                being the stored request's `href`. `If-Match` names the order's version.",
            "parameters": [if_match()],
            "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref(version, cancel_create)}}},
            "responses": with_errors(
                Map::from_iter([("201".to_owned(), json!({
                    "description": "The cancel request",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                    "content": {"application/json": {"schema": cancel}},
                }))]),
                &[400, 401, 403, 404, 409, 412, 413, 415, 422, 500],
            ),
        }),
    );
    doc.operation(
        &format!("{base}/cancelProductOrder/{{id}}"),
        "get",
        json!({
            "tags": [tag], "operationId": format!("{v}_retrieveCancelProductOrder"),
            "summary": "Retrieve a cancel request",
            "parameters": [id_parameter("cancel request"),
                           {"name": "fields", "in": "query", "required": false, "schema": {"type": "string"}}],
            "responses": with_errors(
                Map::from_iter([("200".to_owned(), json!({
                    "description": "The cancel request",
                    "content": {"application/json": {"schema": cancel}},
                }))]),
                &[400, 401, 403, 404, 500],
            ),
        }),
    );
    doc.operation(
        &format!("{base}/hub"),
        "post",
        json!({
            "tags": [tag], "operationId": format!("{v}_registerListener"),
            "summary": "Subscribe to notifications",
            "description": "Every notification of this API version is POSTed to `{callback}/listener/{eventName}` \
                (e.g. `/listener/productOrderStateChangeEvent`) and retried with exponential backoff until a 2xx \
                answer or until the subscription is deleted. `query` may restrict the events: \
                `eventType=ProductOrderStateChangeEvent,ProductOrderCreateEvent`.",
            "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref(version, hub_in)}}},
            "responses": with_errors(
                Map::from_iter([("201".to_owned(), json!({
                    "description": "Subscribed",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                    "content": {"application/json": {"schema": schema_ref(version, hub_out)}},
                }))]),
                &[400, 401, 403, 413, 415, 500],
            ),
        }),
    );
    doc.operation(
        &format!("{base}/hub/{{id}}"),
        "delete",
        json!({
            "tags": [tag], "operationId": format!("{v}_unregisterListener"),
            "summary": "Unsubscribe; notifications still owed are dropped",
            "parameters": [id_parameter("subscription")],
            "responses": with_errors(
                Map::from_iter([("204".to_owned(), json!({"description": "Unsubscribed"}))]),
                &[401, 403, 404, 500],
            ),
        }),
    );
}

fn service(doc: &mut OpenApi) {
    doc.operation(
        "/",
        "get",
        json!({
            "tags": ["service"], "operationId": "root", "security": [],
            "summary": "What this server serves, and where its OpenAPI document is",
            "responses": {"200": {"description": "Service index", "content": {"application/json": {"schema": {"type": "object"}}}}},
        }),
    );
    doc.operation(
        "/openapi.json",
        "get",
        json!({
            "tags": ["service"], "operationId": "openapi", "security": [],
            "summary": "This document",
            "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {"schema": {"type": "object"}}}}},
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The router and the document describe the same `(method, path)` pairs, both ways.
    #[test]
    fn every_route_is_documented_and_every_operation_served() {
        let doc = document().unwrap();
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .map(move |m| (m.to_uppercase(), path.clone()))
            })
            .collect();
        let served: BTreeSet<(String, String)> = crate::api::routes()
            .table()
            .iter()
            .map(|(m, p)| (m.to_string(), p.clone()))
            .collect();
        let undocumented: Vec<_> = served.difference(&documented).collect();
        let unserved: Vec<_> = documented.difference(&served).collect();
        assert!(
            undocumented.is_empty(),
            "served but not documented: {undocumented:?}"
        );
        assert!(
            unserved.is_empty(),
            "documented but not served: {unserved:?}"
        );
    }

    /// Every `$ref` of the document resolves inside it.
    #[test]
    fn every_reference_resolves() {
        let doc = document().unwrap();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let mut stack = vec![&doc];
        let mut checked = 0;
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref") {
                        let name = r
                            .strip_prefix("#/components/schemas/")
                            .unwrap_or_else(|| panic!("reference outside components.schemas: {r}"));
                        assert!(schemas.contains_key(name), "dangling {r}");
                        checked += 1;
                    }
                    stack.extend(map.values());
                }
                Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
        assert!(checked > 100, "only {checked} references checked");
        assert!(schemas.contains_key("v4.ProductOrder") && schemas.contains_key("v5.ProductOrder"));
    }
}
