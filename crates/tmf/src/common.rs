//! Wire shapes shared by TMF622 v4, TMF622 v5 and TMF641, and the helpers every version uses.
//!
//! Owns: parsing entry points that name the failing JSON path ([`from_slice`], [`from_value`]),
//! entity references, notes, prices, JSON Patch operations, the TMF error body, and the
//! number/date helpers of the conversions. Version-specific shapes live in [`crate::v4`],
//! [`crate::v5`] and [`crate::tmf641`].
//!
//! Every extensible object carries `#[serde(flatten)] extra`: fields the specification does not
//! list (TMF extension through `@schemaLocation`) are kept there and written back unchanged.

use chrono::{DateTime, Utc};
use orderdesk_domain::lifecycle::{ItemState, OrderPhase, OrderState};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Number, Value};
use std::str::FromStr;

use crate::error::WireError;

/// Fields of a wire object that its Rust type does not name, kept for the round trip.
pub type Extra = Map<String, Value>;

/// The two TMF622 API versions the project speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiVersion {
    V4,
    V5,
}

impl ApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V4 => "v4",
            Self::V5 => "v5",
        }
    }
}

/// How deep `productOrderItem`, `serviceOrderItem` and `product` may nest in one another
/// (bundles of bundles). Each level is a large stack frame in the typed deserialiser; without a
/// bound, a hostile body nested a few dozen levels deep would overflow a worker thread's stack
/// long before serde_json's own limit (128 levels of any JSON) stops it.
pub const MAX_NESTING: usize = 8;

const NESTING_KEYS: &[&str] = &["productOrderItem", "serviceOrderItem", "product"];

/// Parses a request body, naming the JSON path of the first field that does not fit.
///
/// A body that `plainly_within_limits` says is plain is read straight from its bytes into `T`,
/// without an intermediate [`Value`]. Every other body, and every body the direct read refuses,
/// goes through [`Value`] and [`from_value`] as before: that path words every error (a malformed
/// body, the path of a misfit, nesting beyond [`MAX_NESTING`]), so errors are exactly what they
/// always were, and it is the only one that meets hostile nesting.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
    if let Some(parsed) = std::str::from_utf8(bytes)
        .ok()
        .filter(|text| plainly_within_limits(text.as_bytes()))
        .and_then(direct)
    {
        return Ok(parsed);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| WireError::Malformed {
        path: String::new(),
        message: e.to_string(),
    })?;
    from_value(value)
}

/// `T` read straight from `text`, trailing characters refused; `None` on any error (the caller
/// reads the body again through [`Value`] to word it).
fn direct<T: DeserializeOwned>(text: &str) -> Option<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = T::deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(parsed)
}

/// How deep JSON containers may nest for the direct read: below serde_json's own recursion
/// limit (128), so that deeper bodies meet that limit in the [`Value`] path, as they always did.
const MAX_PLAIN_DEPTH: usize = 100;

/// Whether `bytes`, if they are JSON at all, certainly nest no item or product deeper than
/// [`MAX_NESTING`], no container deeper than [`MAX_PLAIN_DEPTH`], and hold no number that could
/// fall outside `f64` (an exponent, or more than 300 digits): the bodies for which the direct
/// read accepts exactly what the [`Value`] path accepts, with a bounded stack. One pass over the
/// bytes, no recursion; it may answer `false` for a body that is fine (a key spelled with an
/// escape counts as a nesting key), never `true` for one [`check_nesting`] refuses. Malformed
/// bytes may get either answer: the parsers refuse them.
fn plainly_within_limits(bytes: &[u8]) -> bool {
    // The open containers: whether each is an object, and its items-and-products depth.
    let mut open: Vec<(bool, usize)> = Vec::with_capacity(32);
    // In an object, whether the next string is a key; the depth of the last key's value.
    let mut expect_key = false;
    let mut key_depth = 0;
    let mut digits = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b.is_ascii_digit() {
            digits += 1;
            if digits > 300 {
                return false;
            }
            continue;
        }
        if digits > 0 && (b == b'e' || b == b'E') {
            return false;
        }
        if b != b'.' {
            digits = 0;
        }
        match b {
            b'{' | b'[' => {
                let depth = match open.last() {
                    None => 0,
                    Some(&(true, _)) => key_depth,
                    Some(&(false, d)) => d,
                };
                if open.len() >= MAX_PLAIN_DEPTH {
                    return false;
                }
                open.push((b == b'{', depth));
                expect_key = b == b'{';
            }
            b'}' | b']' => {
                if open.pop().is_none() {
                    return false;
                }
                expect_key = false;
            }
            b',' => expect_key = matches!(open.last(), Some(&(true, _))),
            b'"' => {
                let start = i;
                let mut escaped = false;
                loop {
                    match bytes.get(i) {
                        None => return false,
                        Some(b'\\') => {
                            escaped = true;
                            i += 2;
                        }
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
                let text = bytes.get(start..i).unwrap_or_default();
                i += 1;
                if let (true, Some(&(true, depth))) = (expect_key, open.last()) {
                    let nests = escaped || NESTING_KEYS.iter().any(|k| k.as_bytes() == text);
                    key_depth = depth + usize::from(nests);
                    if key_depth > MAX_NESTING {
                        return false;
                    }
                    expect_key = false;
                }
            }
            _ => {}
        }
    }
    true
}

/// [`from_slice`] for a `&str`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, WireError> {
    from_slice(text.as_bytes())
}

/// Reads an already parsed JSON value into a wire type, naming the path of a misfit.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, WireError> {
    check_nesting(&value)?;
    serde_path_to_error::deserialize(value).map_err(path_error)
}

/// Refuses items or products nested deeper than [`MAX_NESTING`] (iteratively: no recursion).
fn check_nesting(value: &Value) -> Result<(), WireError> {
    let mut stack: Vec<(&Value, usize, String)> = vec![(value, 0, String::new())];
    while let Some((v, depth, path)) = stack.pop() {
        match v {
            Value::Object(map) => {
                for (key, child) in map {
                    let here = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    let depth = depth + usize::from(NESTING_KEYS.contains(&key.as_str()));
                    if depth > MAX_NESTING {
                        return Err(WireError::invalid(
                            here,
                            format!("items and products nest at most {MAX_NESTING} levels deep"),
                        ));
                    }
                    if child.is_object() || child.is_array() {
                        stack.push((child, depth, here));
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    if child.is_object() || child.is_array() {
                        stack.push((child, depth, format!("{path}[{i}]")));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Serialises a wire value to JSON (a `Result`, never a panic).
pub fn to_value<T: Serialize>(value: &T, what: &'static str) -> Result<Value, WireError> {
    serde_json::to_value(value).map_err(|e| WireError::Serialise {
        what,
        message: e.to_string(),
    })
}

fn path_error<E: std::fmt::Display>(e: serde_path_to_error::Error<E>) -> WireError {
    let path = e.path().to_string();
    WireError::Malformed {
        path: if path == "." { String::new() } else { path },
        message: e.inner().to_string(),
    }
}

/// `href` of a resource: `{api_base}/{collection}/{id}`, where `api_base` is the API's root URL
/// (`https://host/tmf-api/productOrderingManagement/v5`) and `collection` e.g. `productOrder`.
pub fn href(api_base: &str, collection: &str, id: &str) -> String {
    format!("{}/{collection}/{id}", api_base.trim_end_matches('/'))
}

/// RFC 3339 in the form serde writes (`2026-01-02T03:04:05.678Z`).
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// A reference to another entity (`BillingAccountRef`, `QuoteRef`, `PaymentRef`,
/// `ProductOfferingRef`, `ProductOrderRef`, `AppointmentRef`...). Identical in v4 and v5 except
/// that v5 requires `@type`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityRef {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "@referredType", skip_serializing_if = "Option::is_none")]
    pub referred_type: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl EntityRef {
    /// A reference with only `id` (and `@type` when given).
    pub fn new(id: impl Into<String>, at_type: Option<&str>) -> Self {
        Self {
            id: id.into(),
            at_type: at_type.map(str::to_owned),
            ..Self::default()
        }
    }
}

pub type BillingAccountRef = EntityRef;
pub type QuoteRef = EntityRef;
pub type PaymentRef = EntityRef;
pub type ProductOfferingRef = EntityRef;
pub type ProductSpecificationRef = EntityRef;
pub type ProductOrderRef = EntityRef;
/// An appointment reference. The project adds `validFor` (`TimePeriod`) as an extension field so
/// that an agreed slot travels with its id; see [`crate::convert::APPOINTMENT_VALID_FOR`].
pub type AppointmentRef = EntityRef;

/// `TimePeriod`: `{startDateTime, endDateTime}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimePeriod {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date_time: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A note on an order or item (`text` is required by v4; v5 leaves everything optional).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `OrderItemRelationship`: `{id, relationshipType}` pointing at another item of the same order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItemRelationship {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship_type: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ProductOrderItemRef` (v5): which items a milestone, alert or error message is about.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOrderItemRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_order_item_id: Option<String>,
    /// Spelled with a capital `P` in the v5 specification.
    #[serde(rename = "ProductOrderHref", skip_serializing_if = "Option::is_none")]
    pub product_order_href: Option<String>,
    #[serde(rename = "@referredType", skip_serializing_if = "Option::is_none")]
    pub referred_type: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Money`: `{unit, value}`; `value` is kept as the exact JSON number.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Number>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Price`: amounts with and without tax.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duty_free_amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_included_amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentage: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<Number>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `OrderPrice`: one price line of an item or of the order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPrice {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurring_charge_period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_of_measure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_alteration: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_offering_price: Option<EntityRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_account: Option<EntityRef>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// RFC 6902 operation names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PatchOp {
    Add,
    Remove,
    Replace,
    Move,
    Copy,
    Test,
}

/// One JSON Patch operation (`JsonPatch` in v5; a PATCH body of `application/json-patch+json`
/// is a `Vec<JsonPatchOperation>`). A present `"value": null` stays `Some(Value::Null)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonPatchOperation {
    pub op: PatchOp,
    pub path: String,
    #[serde(
        default,
        deserialize_with = "present_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

fn present_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// The TMF error body `{code, reason, message, status, referenceError}` (v5 adds the required
/// `@type: "Error"`). One shape for every HTTP error the server answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub code: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_error: Option<String>,
    #[serde(rename = "@type", skip_serializing_if = "Option::is_none")]
    pub at_type: Option<String>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ErrorBody {
    /// An error body for `version` (v5 gets `@type: "Error"`).
    pub fn new(
        version: ApiVersion,
        status: u16,
        code: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            code: code.into(),
            reason: reason.into(),
            message: None,
            status: Some(status.to_string()),
            reference_error: None,
            at_type: match version {
                ApiVersion::V4 => None,
                ApiVersion::V5 => Some("Error".to_owned()),
            },
            base_type: None,
            schema_location: None,
            extra: Extra::new(),
        }
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// The body answering a request that failed to parse or convert: `message` names the field.
    pub fn from_wire_error(error: &WireError, version: ApiVersion) -> Self {
        let body = Self::new(
            version,
            error.http_status(),
            error.code(),
            error.to_string(),
        );
        match error.field() {
            "" => body,
            field => body.with_message(format!("see field `{field}`")),
        }
    }
}

/// A decimal as a JSON number (its shortest exact text; falls back to `f64`).
pub(crate) fn decimal_to_number(d: Decimal) -> Number {
    let text = d.normalize().to_string();
    Number::from_str(&text)
        .ok()
        .or_else(|| text.parse::<f64>().ok().and_then(Number::from_f64))
        .unwrap_or_else(|| Number::from(0))
}

/// A JSON number as a decimal; `None` when it does not fit (e.g. `1e300`).
pub(crate) fn number_to_decimal(n: &Number) -> Option<Decimal> {
    let text = n.to_string();
    Decimal::from_str(&text)
        .ok()
        .or_else(|| Decimal::from_scientific(&text).ok())
}

/// Rebuilds the domain's phase flags from a state read off the wire. The wire carries states,
/// not flags: `accepted` and `fulfilment_started` are inferred (an order that is in progress or
/// finished was accepted; one with an item that started or finished has started delivery).
pub(crate) fn phase_from_states(state: Option<OrderState>, items: &[ItemState]) -> OrderPhase {
    let started = items.iter().any(|s| {
        matches!(
            s,
            ItemState::InProgress | ItemState::Completed | ItemState::Failed | ItemState::Partial
        )
    });
    let accepted = started
        || matches!(
            state,
            Some(
                OrderState::InProgressAccepted
                    | OrderState::InProgress
                    | OrderState::Completed
                    | OrderState::Failed
                    | OrderState::Partial
                    | OrderState::PendingCancellation
            )
        );
    OrderPhase {
        draft: state == Some(OrderState::Draft),
        accepted,
        fulfilment_started: started,
    }
}

/// Requires a non-empty id at `field`.
pub(crate) fn non_empty(value: &str, field: impl FnOnce() -> String) -> Result<(), WireError> {
    if value.trim().is_empty() {
        Err(WireError::invalid(field(), "must not be empty"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_slice_names_the_path() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            items: Vec<Inner>,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            n: u32,
        }
        let err = from_str::<Outer>(r#"{"items":[{"n":1},{"n":"x"}]}"#).unwrap_err();
        assert_eq!(err.field(), "items[1].n");
        let err = from_str::<Outer>("{").unwrap_err();
        assert!(matches!(err, WireError::Malformed { .. }), "{err}");
        let err = from_str::<Outer>(r#"{"items":[]} trailing"#).unwrap_err();
        assert!(matches!(err, WireError::Malformed { .. }), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused_with_its_path() {
        let mut v = serde_json::json!({"id": "leaf"});
        for _ in 0..MAX_NESTING {
            v = serde_json::json!({"productOrderItem": [v]});
        }
        assert!(from_value::<Value>(v.clone()).is_ok());
        let v = serde_json::json!({"productOrderItem": [v]});
        let err = from_value::<Value>(v).unwrap_err();
        assert!(
            err.field()
                .starts_with("productOrderItem[0].productOrderItem[0]"),
            "{err}"
        );
        // Other JSON nests up to serde_json's own limit.
        let deep = "[".repeat(120) + &"]".repeat(120);
        assert!(from_str::<Value>(&deep).is_ok());
    }

    #[test]
    fn the_pre_scan_sends_only_plain_bodies_the_direct_way() {
        let plain = |s: &str| plainly_within_limits(s.as_bytes());
        assert!(plain(
            r#"{"productOrderItem":[{"product":{"id":"1","n":-12.5}}],"x":[true]}"#
        ));
        assert!(plain(
            r#"{"note":"productOrderItem product [[[{{{ \" \\","n":1.25}"#
        ));
        // Escaped keys count as nesting keys; exponents and long numbers go the Value way.
        assert!(!plain(&format!(
            "{}{}",
            r#"{"\u0070roduct":"#.repeat(MAX_NESTING + 1),
            "1".to_owned() + &"}".repeat(MAX_NESTING + 1)
        )));
        assert!(plain(&format!(
            "{}1{}",
            r#"{"\u0070roduct":"#.repeat(MAX_NESTING),
            "}".repeat(MAX_NESTING)
        )));
        assert!(!plain(r#"{"n":1e3}"#));
        assert!(!plain(r#"{"n":1.5E-3}"#));
        assert!(plain(r#"{"t":true,"f":false}"#));
        assert!(!plain(&format!("[{}]", "9".repeat(301))));
        assert!(plain(&format!("[{}]", "9".repeat(300))));
        // Containers: up to MAX_PLAIN_DEPTH.
        let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert!(plain(&deep(MAX_PLAIN_DEPTH)));
        assert!(!plain(&deep(MAX_PLAIN_DEPTH + 1)));
        assert!(!plain(&deep(100_000)));
        assert!(!plain("]"));
        assert!(!plain(r#"{"unterminated"#));
    }

    /// The pre-scan passes exactly the bodies the nesting check passes (when nothing else,
    /// such as an escaped key, makes it cautious).
    #[test]
    fn the_pre_scan_is_at_least_as_strict_as_the_nesting_check() {
        use proptest::prelude::*;
        let key = prop::sample::select(vec![
            "productOrderItem",
            "product",
            "serviceOrderItem",
            "id",
        ]);
        let value = Just(Value::Null).prop_recursive(24, 96, 3, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::btree_map(key.clone(), inner, 0..3).prop_map(|m| {
                    Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                }),
            ]
        });
        let mut runner = proptest::test_runner::TestRunner::default();
        runner
            .run(&value, |v| {
                // No escapes, numbers or deep containers here: the pre-scan answers exactly.
                let refused = check_nesting(&v).is_err();
                let text = v.to_string();
                prop_assert_eq!(refused, !plainly_within_limits(text.as_bytes()), "{}", text);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn decimals_travel_as_exact_numbers() {
        let d = Decimal::from_str("20.50").unwrap();
        let n = decimal_to_number(d);
        assert_eq!(n.to_string(), "20.5");
        assert_eq!(number_to_decimal(&n), Some(d));
        let big = Number::from_f64(1e300).unwrap();
        assert_eq!(number_to_decimal(&big), None);
        let tiny = Number::from_f64(1e-300).unwrap();
        let _must_not_panic = number_to_decimal(&tiny);
        let sci = Number::from_f64(1.5e20).unwrap();
        assert_eq!(
            number_to_decimal(&sci),
            Some(Decimal::from_str("150000000000000000000").unwrap())
        );
    }

    #[test]
    fn patch_keeps_an_explicit_null() {
        let ops: Vec<JsonPatchOperation> =
            from_str(r#"[{"op":"replace","path":"/a","value":null},{"op":"remove","path":"/b"}]"#)
                .unwrap();
        assert_eq!(ops[0].value, Some(Value::Null));
        assert_eq!(ops[1].value, None);
        let back = serde_json::to_value(&ops).unwrap();
        assert_eq!(back[0]["value"], Value::Null);
        assert!(back[1].get("value").is_none());
    }

    #[test]
    fn href_joins_without_double_slash() {
        assert_eq!(
            href("https://h/v5/", "productOrder", "42"),
            "https://h/v5/productOrder/42"
        );
        assert_eq!(
            href("https://h/v5", "productOrder", "42"),
            "https://h/v5/productOrder/42"
        );
    }
}
