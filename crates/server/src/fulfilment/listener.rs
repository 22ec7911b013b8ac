//! The server's TMF641 listener: `POST /tmf-api/serviceOrdering/v5/listener/{eventName}`, where
//! the SOM's hub delivers its notifications (`{callback}/listener/{eventType}` with a
//! lower-case first letter).
//!
//! * Service order notifications (`serviceOrderCreateEvent`, `…StateChangeEvent`,
//!   `…AttributeValueChangeEvent`, `…MilestoneEvent`, `…JeopardyEvent`,
//!   `…InformationRequiredEvent`) carry the whole service order; it is applied by
//!   [`super::progress`] (item states, milestones, roll-up, inventory, jeopardy).
//! * `cancelServiceOrderStateChangeEvent` concludes a cancellation the SOM finished later than
//!   it answered.
//! * `serviceOrderDeleteEvent` and the other cancel request events are acknowledged and
//!   ignored; any other event name is a 404.
//!
//! Authentication ([`super::link`]): HTTP Basic with the listener secret of the hub
//! subscription (recorded as the user `som`), or the bearer token of a user allowed to report
//! fulfilment (the integration role; recorded as that user). A notification whose `eventId`
//! was already taken is acknowledged without effect; item states that are not news change
//! nothing either, so redelivery is harmless. Answer: 204, or a TMF error body (the SOM retries
//! 5xx and drops 4xx).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use orderdesk_domain::UserId;
use orderdesk_tmf::events::EventEnvelope;
use orderdesk_tmf::tmf641::ServiceOrderEvent;
use serde::Deserialize;
use serde_json::{json, Map};

use super::link::{CancelAnswer, SomLink, LISTENER_BASE, SOM_USER};
use super::som;
use crate::api::{Media, RequestBody, Routes};
use crate::auth::Permission;
use crate::error::ApiError;
use crate::state::AppState;

/// What the listener does with a notification, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listened {
    ServiceOrder,
    Cancel,
    Ignored,
}

fn listened(event_name: &str) -> Option<Listened> {
    Some(match event_name {
        "serviceOrderCreateEvent"
        | "serviceOrderStateChangeEvent"
        | "serviceOrderAttributeValueChangeEvent"
        | "serviceOrderMilestoneEvent"
        | "serviceOrderJeopardyEvent"
        | "serviceOrderInformationRequiredEvent" => Listened::ServiceOrder,
        "cancelServiceOrderStateChangeEvent" => Listened::Cancel,
        "serviceOrderDeleteEvent"
        | "cancelServiceOrderCreateEvent"
        | "cancelServiceOrderInformationRequiredEvent" => Listened::Ignored,
        _ => return None,
    })
}

/// The listener path of `eventName`.
pub fn path() -> String {
    format!("{LISTENER_BASE}/listener/{{eventName}}")
}

pub fn routes() -> Routes {
    Routes::new().post(&path(), notify)
}

/// Who is reporting: the SOM with the listener secret, or a user allowed to report.
fn reporter(state: &AppState, link: &SomLink, headers: &HeaderMap) -> Result<UserId, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthenticated(
            "send the hub subscription's credentials or `Authorization: Bearer <token>`",
        ))?
        .to_str()
        .map_err(|_| ApiError::Unauthenticated("the `Authorization` header is not text"))?;
    let (scheme, credentials) = value
        .trim()
        .split_once(' ')
        .ok_or(ApiError::Unauthenticated(
            "the `Authorization` header is malformed",
        ))?;
    if scheme.eq_ignore_ascii_case("basic") {
        if link.accepts_basic(credentials) {
            return Ok(UserId::new(SOM_USER));
        }
        return Err(ApiError::Unauthenticated(
            "the listener credentials are not known",
        ));
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        let user = state
            .users
            .by_token(credentials.trim())
            .ok_or(ApiError::Unauthenticated("the token is not known"))?;
        user.require(Permission::ReportFulfilment)?;
        return Ok(user.id.clone());
    }
    Err(ApiError::Unauthenticated(
        "the `Authorization` scheme is not Basic or Bearer",
    ))
}

/// `event: {cancelServiceOrder}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CancelPayload {
    #[serde(alias = "CancelServiceOrder")]
    cancel_service_order: CancelAnswer,
}

async fn notify(
    State(state): State<AppState>,
    Path(event_name): Path<String>,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    let Some(link) = state.som_link.clone() else {
        return Err(ApiError::NoRoute(format!(
            "{LISTENER_BASE}/listener/{event_name}"
        )));
    };
    let by = reporter(&state, &link, &headers)?;
    let kind =
        listened(&event_name).ok_or_else(|| ApiError::not_found("listener", event_name.clone()))?;
    body.media(&[Media::Json], "application/json")?;
    match kind {
        Listened::Ignored => {}
        Listened::ServiceOrder => {
            let event: ServiceOrderEvent = body.parse()?;
            let id = event.event_id.clone().or_else(|| event.id.clone());
            if id.as_deref().is_some_and(|id| link.seen(id)) {
                return Ok(StatusCode::NO_CONTENT.into_response());
            }
            som::report(&state, &link, &event.event.service_order, &by).await?;
            if let Some(id) = id {
                link.remember(&id);
            }
        }
        Listened::Cancel => {
            let event: EventEnvelope<CancelPayload> = body.parse()?;
            let id = event.event_id.clone().or_else(|| event.id.clone());
            if id.as_deref().is_some_and(|id| link.seen(id)) {
                return Ok(StatusCode::NO_CONTENT.into_response());
            }
            som::cancel_reported(&state, &link, &event.event.cancel_service_order, &by).await?;
            if let Some(id) = id {
                link.remember(&id);
            }
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The listener's OpenAPI operation.
pub fn openapi(doc: &mut crate::openapi::OpenApi) {
    let names = [
        "serviceOrderCreateEvent",
        "serviceOrderStateChangeEvent",
        "serviceOrderAttributeValueChangeEvent",
        "serviceOrderMilestoneEvent",
        "serviceOrderJeopardyEvent",
        "serviceOrderInformationRequiredEvent",
        "serviceOrderDeleteEvent",
        "cancelServiceOrderCreateEvent",
        "cancelServiceOrderStateChangeEvent",
        "cancelServiceOrderInformationRequiredEvent",
    ];
    doc.schema(
        "tmf641.Event",
        json!({
            "type": "object",
            "description": "A TMF641 v5 notification: the event envelope (`eventId`, `eventTime`, `eventType`, `@type`...) around `event: {serviceOrder}` (the whole service order after the change) or `event: {cancelServiceOrder}`.",
            "required": ["event"],
            "properties": {
                "eventId": {"type": "string"},
                "eventTime": {"type": "string", "format": "date-time"},
                "eventType": {"type": "string"},
                "@type": {"type": "string"},
                "event": {"type": "object", "properties": {
                    "serviceOrder": {"type": "object", "description": "TMF641 ServiceOrder"},
                    "cancelServiceOrder": {"type": "object", "description": "TMF641 CancelServiceOrder"}
                }}
            }
        }),
    );
    doc.operation(
        &path(),
        "post",
        json!({
            "tags": ["TMF641 listener"],
            "operationId": "listenServiceOrderEvent",
            "summary": "Receive a TMF641 notification from the SOM (the hub callback of the server's subscription)",
            "description": "Service order notifications move the product order: service item states roll up into item and order states, milestones are recorded (a `pointOfNoReturn` milestone takes items past their point of no return), completed items update TMF637 inventory, jeopardy is assessed. Duplicate `eventId`s are acknowledged without effect. Authentication: `Authorization: Basic` with the credentials the server put in the authority of its hub `callback` (user `som`, a secret new at every start), or `Authorization: Bearer` with the token of a user with the integration role.",
            "security": [],
            "parameters": [{"name": "eventName", "in": "path", "required": true,
                "schema": {"type": "string", "enum": names}}],
            "requestBody": {"required": true, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/tmf641.Event"}}}},
            "responses": crate::api::catalog::responses(
                Map::from_iter([("204".to_owned(), json!({"description": "Taken"}))]),
                &[400, 401, 403, 404, 413, 415, 500],
            ),
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_event_name_is_listened_to() {
        for name in [
            "serviceOrderStateChangeEvent",
            "serviceOrderAttributeValueChangeEvent",
            "serviceOrderMilestoneEvent",
        ] {
            assert_eq!(listened(name), Some(Listened::ServiceOrder));
        }
        assert_eq!(
            listened("cancelServiceOrderStateChangeEvent"),
            Some(Listened::Cancel)
        );
        assert_eq!(listened("serviceOrderDeleteEvent"), Some(Listened::Ignored));
        assert_eq!(listened("productOrderStateChangeEvent"), None);
    }
}
