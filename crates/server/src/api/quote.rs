//! TMF648 Quote Management v4, read-only: `/tmf-api/quoteManagement/v4/quote` (list,
//! retrieve), the CPQ quotes the store's reference data holds (in demo mode,
//! `fixtures/quotes.json`), with `href` set to this server. A desk or a web shop turns a quote
//! into a TMF622 create body; the server does not order from quotes itself.
//!
//! Filters: `relatedParty.id` (any related party: the customer, the sales agent, the
//! integration), `state`, `externalId`; paging and `fields` as for the catalog
//! ([`super::catalog`]).

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use orderdesk_store::central::ReferenceKind;
use serde_json::json;

use super::catalog::{self, Collection};
use super::Routes;
use crate::auth::User;
use crate::error::ApiError;
use crate::openapi::OpenApi;
use crate::state::AppState;

const QUOTES: Collection = Collection {
    kind: ReferenceKind::Quote,
    path: "/tmf-api/quoteManagement/v4/quote",
    resource: "Quote",
    entity: "quote",
    filters: &[
        (
            "relatedParty.id",
            &["relatedParty.id", "relatedParty.partyOrPartyRole.id"],
        ),
        ("state", &["state"]),
        ("externalId", &["externalId", "externalId.id"]),
    ],
    schema: "tmf648.Quote",
};

pub fn routes() -> Routes {
    Routes::new()
        .get(QUOTES.path, list)
        .get(&format!("{}/{{id}}", QUOTES.path), retrieve)
}

async fn list(State(state): State<AppState>, user: User, uri: Uri) -> Result<Response, ApiError> {
    catalog::list(&state, &user, &uri, &QUOTES).await
}

async fn retrieve(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    catalog::retrieve(&state, &user, &uri, &QUOTES, id).await
}

/// The quote API's OpenAPI operations and schema.
pub fn openapi(doc: &mut OpenApi) {
    doc.schema(
        QUOTES.schema,
        catalog::resource_schema(
            "TMF648 (v4 shape) Quote as the CPQ tool handed it over (Orderdesk's `orderdesk` extension: scenario, channel, payment method).",
            json!({
                "id": {"type": "string"}, "href": {"type": "string"}, "@type": {"type": "string"},
                "state": {"type": "string"}, "quoteDate": {"type": "string", "format": "date-time"},
                "relatedParty": {"type": "array", "items": {"type": "object"}},
                "quoteItem": {"type": "array", "items": {"type": "object"}},
                "quoteTotalPrice": {"type": "array", "items": {"type": "object"}},
            }),
        ),
    );
    catalog::document(doc, &QUOTES, "TMF648 quotes", "quotes");
}
