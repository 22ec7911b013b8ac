//! The JSON the server answers with and notifies: a stored order or cancel request in the shape
//! of TMF622 v4 or v5, through the tmf crate's conversions, with the fields the client sent that
//! the domain does not model merged back in ([`OrderExtensions`]).
//!
//! A cancel request the server turned down also says why, in two extension fields of
//! `CancelProductOrder` (the specification has none for it): `stateReason` (one line) and
//! `notReversedItem` (the items a cancellation could not reverse, each with its reason).

use orderdesk_domain::desk::{
    CancelRejection, CancelRequest, NotCancellable, NotCancellableReason,
};
use orderdesk_domain::ProductOrder;
use orderdesk_tmf::{v4, v5, ApiVersion, OrderExtensions};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::state::Urls;

/// The stored extensions, when they read as [`OrderExtensions`]. A document that does not (it
/// was written by another build) is ignored rather than failing every read of the order.
pub fn extensions_of(stored: Option<&Value>) -> Option<OrderExtensions> {
    let value = stored?;
    match serde_json::from_value(value.clone()) {
        Ok(ext) => Some(ext),
        Err(e) => {
            tracing::warn!(error = %e, "stored order extensions do not read; ignored");
            None
        }
    }
}

/// A product order as `version` JSON.
pub fn order_json(
    order: &ProductOrder,
    extensions: Option<&OrderExtensions>,
    version: ApiVersion,
    urls: &Urls,
) -> Result<Value, ApiError> {
    let base = urls.tmf622(version);
    let mut value = match version {
        ApiVersion::V4 => serde_json::to_value(v4::from_domain(order, &base)),
        ApiVersion::V5 => serde_json::to_value(v5::from_domain(order, &base)),
    }
    .map_err(ApiError::internal)?;
    if let Some(ext) = extensions {
        ext.merge(version, &mut value);
    }
    Ok(value)
}

/// A product order as `version` JSON text: [`order_json`]'s document, written straight from the
/// wire struct when there are no extensions to merge (the common case: no `serde_json::Value`
/// tree is built), through [`order_json`] otherwise.
pub fn order_body(
    order: &ProductOrder,
    extensions: Option<&OrderExtensions>,
    version: ApiVersion,
    urls: &Urls,
) -> Result<Vec<u8>, ApiError> {
    if let Some(ext) = extensions.filter(|e| !e.is_empty()) {
        let value = order_json(order, Some(ext), version, urls)?;
        return serde_json::to_vec(&value).map_err(ApiError::internal);
    }
    let base = urls.tmf622(version);
    match version {
        ApiVersion::V4 => serde_json::to_vec(&v4::from_domain(order, &base)),
        ApiVersion::V5 => serde_json::to_vec(&v5::from_domain(order, &base)),
    }
    .map_err(ApiError::internal)
}

/// The tmf crate's record of a cancel request, from the domain's.
pub fn wire_cancel_request(request: &CancelRequest) -> orderdesk_tmf::CancelRequest {
    orderdesk_tmf::CancelRequest {
        id: request.id.clone(),
        order: request.order.clone(),
        state: request.state,
        reason: request.reason.clone(),
        requested_date: request.requested_cancellation_date,
        effective_date: request.effective_cancellation_date,
        created: request.created_at,
    }
}

/// Why a cancel request was turned down, in one line.
pub fn rejection_reason(rejection: &CancelRejection) -> String {
    match rejection {
        CancelRejection::OrderNotOpen { state } => {
            format!("the order is `{state}`: only an open order can be cancelled")
        }
        CancelRejection::NothingCancellable => {
            "every item is finished or past its point of no return: nothing can be cancelled"
                .to_owned()
        }
    }
}

fn not_reversed_json(items: &[NotCancellable]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|n| match &n.reason {
                NotCancellableReason::PastPointOfNoReturn { since } => json!({
                    "productOrderItemId": n.item.as_str(),
                    "reason": "pastPointOfNoReturn",
                    "since": since,
                }),
                NotCancellableReason::Finished { state } => json!({
                    "productOrderItemId": n.item.as_str(),
                    "reason": "finished",
                    "state": state.as_str(),
                }),
            })
            .collect(),
    )
}

/// A cancel request as `version` JSON.
pub fn cancel_json(
    request: &CancelRequest,
    version: ApiVersion,
    urls: &Urls,
) -> Result<Value, ApiError> {
    let base = urls.tmf622(version);
    let wire = wire_cancel_request(request);
    let mut value = match version {
        ApiVersion::V4 => serde_json::to_value(v4::convert::cancel_from_domain(&wire, &base)),
        ApiVersion::V5 => serde_json::to_value(v5::convert::cancel_from_domain(&wire, &base)),
    }
    .map_err(ApiError::internal)?;
    if let Some(obj) = value.as_object_mut() {
        if let Some(rejection) = &request.rejection {
            obj.insert("stateReason".to_owned(), json!(rejection_reason(rejection)));
        }
        if !request.not_reversed.is_empty() {
            obj.insert(
                "notReversedItem".to_owned(),
                not_reversed_json(&request.not_reversed),
            );
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use orderdesk_domain::lifecycle::{CancelState, OrderState};

    fn urls() -> Urls {
        Urls {
            public: "http://127.0.0.1:1".to_owned(),
        }
    }

    #[test]
    fn an_order_body_is_the_order_json() {
        let fixtures = orderdesk_fixtures::Fixtures::load_default().unwrap();
        let t = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        let order = fixtures
            .order_from_quote("QT-GPON-HAPPY", "O-1".into(), t)
            .unwrap();
        let mut body = serde_json::to_value(v5::from_domain(&order, "http://x")).unwrap();
        body.as_object_mut()
            .unwrap()
            .insert("x-channelRef".to_owned(), json!({"basket": 7}));
        let wire: v5::ProductOrderFvo = serde_json::from_value(body).unwrap();
        let with = OrderExtensions::from_v5(&wire).unwrap();
        assert!(!with.is_empty());
        for version in [ApiVersion::V4, ApiVersion::V5] {
            for ext in [None, Some(&with)] {
                let bytes = order_body(&order, ext, version, &urls()).unwrap();
                let read: Value = serde_json::from_slice(&bytes).unwrap();
                assert_eq!(
                    read,
                    order_json(&order, ext, version, &urls()).unwrap(),
                    "{version:?}, extensions: {}",
                    ext.is_some()
                );
            }
        }
        let read: Value = serde_json::from_slice(
            &order_body(&order, Some(&with), ApiVersion::V5, &urls()).unwrap(),
        )
        .unwrap();
        assert_eq!(read["x-channelRef"]["basket"], 7);
    }

    #[test]
    fn a_rejected_cancel_request_says_why() {
        let t = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
        let mut request = CancelRequest::new(
            "C-1".into(),
            "O-1".into(),
            Some("moved".into()),
            "U-1".into(),
            None,
            t,
        );
        request.state = CancelState::Rejected;
        request.rejection = Some(CancelRejection::OrderNotOpen {
            state: OrderState::Completed,
        });
        for version in [ApiVersion::V4, ApiVersion::V5] {
            let v = cancel_json(&request, version, &urls()).unwrap();
            assert!(v["stateReason"].as_str().unwrap().contains("completed"));
            assert_eq!(v["id"], "C-1");
            assert_eq!(
                v["href"],
                format!("http://127.0.0.1:1/tmf-api/productOrderingManagement/{}/cancelProductOrder/C-1", version.as_str())
            );
        }
        let v4 = cancel_json(&request, ApiVersion::V4, &urls()).unwrap();
        assert_eq!(v4["state"], "terminatedWithError");
    }
}
