//! Keeping what a client sent that the domain does not hold, so a GET returns it.
//!
//! A wire body round-trips by itself (every object's unknown fields sit in its `extra` map), but
//! a create body becomes a domain order, and the domain keeps only what the desk works with.
//! [`OrderExtensions`] is what falls through, captured at intake for the order, each item and
//! each item's product:
//! * `unknown`: fields the specification does not define (TMF extension, described by
//!   `@schemaLocation`). They are written back in **either** API version;
//! * `unmapped`: fields the specification of the capture version defines but the domain does not
//!   model (`channel`, `agreement`, `orderTotalPrice`, `itemPrice`, `itemTerm`,
//!   `productSpecification`, an appointment reference without a slot...). They are written back
//!   in the **same** version only, since their shape differs between v4 and v5.
//!
//! How the server uses it: capture with [`OrderExtensions::from_v5`] / [`OrderExtensions::from_v4`]
//! before converting the body, store the value beside the order (it is serde), and answer with
//! [`OrderExtensions::apply_to`] over `v5::from_domain(..)` / `v4::from_domain(..)`. Merging
//! never overwrites: a field the domain emits wins over a kept one. Items are matched by id.
//! What is not kept: places with roles other than the service address, payments and quotes
//! beyond the first (the domain holds one of each).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use crate::common::{to_value, ApiVersion, Extra};
use crate::convert::{appointment_ref_is_mapped, price_in};
use crate::error::WireError;
use crate::shallow::fields_except;
use crate::{v4, v5};

/// Order fields the domain maps (v5).
const ORDER_MAPPED_V5: &[&str] = &[
    "id",
    "href",
    "@type",
    "state",
    "creationDate",
    "orderDate",
    "requestedInitialState",
    "priority",
    "category",
    "description",
    "externalId",
    "relatedParty",
    "billingAccount",
    "payment",
    "quote",
    "productOrderItem",
    "note",
    "productOrderMilestone",
    "productOrderJeopardyAlert",
    "productOrderErrorMessage",
    "requestedStartDate",
    "requestedCompletionDate",
    "expectedCompletionDate",
    "completionDate",
    "cancellationDate",
    "cancellationReason",
];

/// Order fields the domain maps (v4).
const ORDER_MAPPED_V4: &[&str] = &[
    "id",
    "href",
    "@type",
    "state",
    "orderDate",
    "priority",
    "category",
    "description",
    "externalId",
    "relatedParty",
    "billingAccount",
    "payment",
    "quote",
    "productOrderItem",
    "note",
    "requestedStartDate",
    "requestedCompletionDate",
    "expectedCompletionDate",
    "completionDate",
    "cancellationDate",
    "cancellationReason",
];

/// Item fields the domain always maps (`appointment` and `itemTotalPrice` only when they carry
/// what the domain holds).
const ITEM_MAPPED: &[&str] = &[
    "id",
    "action",
    "quantity",
    "state",
    "@type",
    "productOffering",
    "product",
    "productOrderItemRelationship",
    "productOrderItem",
    "appointmentSlot",
];

const PRODUCT_MAPPED: &[&str] = &["id", "@type", "productCharacteristic", "place"];

/// What one wire object carried beyond the domain.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KeptFields {
    /// Not in the specification: written back in any version.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
    /// In the capture version's specification, not in the domain: same version only.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub unmapped: Map<String, Value>,
}

impl KeptFields {
    /// The fields of `object` (a wire object, `what` in errors) that the domain does not map:
    /// those in its `extra` (unknown) and those the version defines but `mapped` and
    /// `also_mapped` do not name (unmapped). Only those fields are serialised.
    fn capture<T: Serialize>(
        object: &T,
        what: &'static str,
        extra: &Extra,
        mapped: &[&str],
        also_mapped: &[&str],
    ) -> Result<Self, WireError> {
        let skip = |key: &str| {
            !extra.contains_key(key) && (mapped.contains(&key) || also_mapped.contains(&key))
        };
        let fields = fields_except(object, &skip).map_err(|e| WireError::Serialise {
            what,
            message: e.to_string(),
        })?;
        let mut kept = Self::default();
        for (key, value) in fields {
            if extra.contains_key(&key) {
                kept.unknown.insert(key, value);
            } else {
                kept.unmapped.insert(key, value);
            }
        }
        Ok(kept)
    }

    pub fn is_empty(&self) -> bool {
        self.unknown.is_empty() && self.unmapped.is_empty()
    }

    fn merge_into(&self, target: &mut Map<String, Value>, same_version: bool) {
        for (k, v) in &self.unknown {
            target.entry(k.clone()).or_insert_with(|| v.clone());
        }
        if same_version {
            for (k, v) in &self.unmapped {
                target.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }

    fn has_any_for(&self, same_version: bool) -> bool {
        !self.unknown.is_empty() || (same_version && !self.unmapped.is_empty())
    }
}

/// What one item (and its product) carried beyond the domain.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ItemExtensions {
    #[serde(default, skip_serializing_if = "KeptFields::is_empty")]
    pub item: KeptFields,
    #[serde(default, skip_serializing_if = "KeptFields::is_empty")]
    pub product: KeptFields,
}

/// Everything a create body carried beyond the domain order; see the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderExtensions {
    /// The API version the body was written in.
    pub version: ApiVersion,
    #[serde(default)]
    pub order: KeptFields,
    /// By item id (nested bundle children included).
    #[serde(default)]
    pub items: BTreeMap<String, ItemExtensions>,
}

impl OrderExtensions {
    /// Nothing kept.
    pub fn none(version: ApiVersion) -> Self {
        Self {
            version,
            order: KeptFields::default(),
            items: BTreeMap::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
            && self
                .items
                .values()
                .all(|i| i.item.is_empty() && i.product.is_empty())
    }

    /// Captures a v5 create body's extension and unmapped fields.
    pub fn from_v5(body: &v5::ProductOrderFvo) -> Result<Self, WireError> {
        let mut out = Self::none(ApiVersion::V5);
        out.order =
            KeptFields::capture(body, "ProductOrder_FVO", &body.extra, ORDER_MAPPED_V5, &[])?;
        let mut stack: Vec<&v5::ProductOrderItemFvo> = body.product_order_item.iter().collect();
        while let Some(item) = stack.pop() {
            let conditional = item_conditionally_mapped(
                item.appointment.as_ref(),
                item.item_total_price.as_deref(),
            );
            let ext = ItemExtensions {
                item: KeptFields::capture(
                    item,
                    "ProductOrderItem_FVO",
                    &item.extra,
                    ITEM_MAPPED,
                    &conditional,
                )?,
                product: match &item.product {
                    Some(p) => {
                        KeptFields::capture(p, "ProductRefOrValue", &p.extra, PRODUCT_MAPPED, &[])?
                    }
                    None => KeptFields::default(),
                },
            };
            if !(ext.item.is_empty() && ext.product.is_empty()) {
                out.items.insert(item.id.clone(), ext);
            }
            stack.extend(item.product_order_item.iter().flatten());
        }
        Ok(out)
    }

    /// Captures a v4 create body's extension and unmapped fields.
    pub fn from_v4(body: &v4::ProductOrderCreate) -> Result<Self, WireError> {
        let mut out = Self::none(ApiVersion::V4);
        out.order = KeptFields::capture(
            body,
            "ProductOrder_Create",
            &body.extra,
            ORDER_MAPPED_V4,
            &[],
        )?;
        let mut stack: Vec<&v4::ProductOrderItem> = body.product_order_item.iter().collect();
        while let Some(item) = stack.pop() {
            let conditional = item_conditionally_mapped(
                item.appointment.as_ref(),
                item.item_total_price.as_deref(),
            );
            let ext = ItemExtensions {
                item: KeptFields::capture(
                    item,
                    "ProductOrderItem",
                    &item.extra,
                    ITEM_MAPPED,
                    &conditional,
                )?,
                product: match &item.product {
                    Some(p) => {
                        KeptFields::capture(p, "ProductRefOrValue", &p.extra, PRODUCT_MAPPED, &[])?
                    }
                    None => KeptFields::default(),
                },
            };
            if !(ext.item.is_empty() && ext.product.is_empty()) {
                out.items.insert(item.id.clone(), ext);
            }
            stack.extend(item.product_order_item.iter().flatten());
        }
        Ok(out)
    }

    /// Serialises a wire order of `target` version (from `v4::from_domain` / `v5::from_domain`)
    /// with the kept fields merged in. Fields the wire order already has are left alone.
    pub fn apply_to<T: Serialize>(
        &self,
        target: ApiVersion,
        order: &T,
    ) -> Result<Value, WireError> {
        let mut value = to_value(order, "ProductOrder")?;
        self.merge(target, &mut value);
        Ok(value)
    }

    /// Merges the kept fields into an already serialised order (e.g. the `productOrder` of a
    /// notification).
    pub fn merge(&self, target: ApiVersion, order: &mut Value) {
        let same = target == self.version;
        let Some(obj) = order.as_object_mut() else {
            return;
        };
        self.order.merge_into(obj, same);
        let Some(items) = obj
            .get_mut("productOrderItem")
            .and_then(Value::as_array_mut)
        else {
            return;
        };
        for item in items {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            let Some(ext) = item
                .get("id")
                .and_then(Value::as_str)
                .and_then(|id| self.items.get(id))
            else {
                continue;
            };
            ext.item.merge_into(item, same);
            if ext.product.has_any_for(same) {
                let product = item.entry("product").or_insert_with(|| {
                    let mut p = Map::new();
                    if target == ApiVersion::V5 {
                        p.insert("@type".to_owned(), Value::String("Product".to_owned()));
                    }
                    Value::Object(p)
                });
                if let Some(product) = product.as_object_mut() {
                    ext.product.merge_into(product, same);
                }
            }
        }
    }
}

/// `appointment` / `itemTotalPrice` when the domain holds them.
fn item_conditionally_mapped(
    appointment: Option<&crate::common::AppointmentRef>,
    total: Option<&[crate::common::OrderPrice]>,
) -> Vec<&'static str> {
    let mut out = Vec::new();
    if appointment.is_some_and(appointment_ref_is_mapped) {
        out.push("appointment");
    }
    if price_in(total).is_some() {
        out.push("itemTotalPrice");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_goes_everywhere_unmapped_stays_in_its_version() {
        let body: v5::ProductOrderFvo = crate::from_value(json!({
            "@type": "ProductOrder",
            "x-partnerRef": "P-9",
            "channel": [{"role": "seller", "channel": {"id": "web"}}],
            "productOrderItem": [{
                "id": "1", "action": "add", "@type": "ProductOrderItem",
                "itemTerm": [{"name": "12m"}],
                "x-line": 7,
                "product": {"@type": "Product", "productSpecification": {"id": "S1"}}
            }]
        }))
        .unwrap();
        let ext = OrderExtensions::from_v5(&body).unwrap();
        assert_eq!(ext.order.unknown.get("x-partnerRef"), Some(&json!("P-9")));
        assert!(ext.order.unmapped.contains_key("channel"));
        assert!(!ext.order.unmapped.contains_key("productOrderItem"));
        let item = &ext.items["1"];
        assert!(item.item.unknown.contains_key("x-line"));
        assert!(item.item.unmapped.contains_key("itemTerm"));
        assert!(item.product.unmapped.contains_key("productSpecification"));

        let emitted = json!({"id": "o1", "productOrderItem": [{"id": "1", "action": "add"}]});
        let mut v5 = emitted.clone();
        ext.merge(ApiVersion::V5, &mut v5);
        assert_eq!(v5["x-partnerRef"], "P-9");
        assert_eq!(v5["channel"][0]["role"], "seller");
        assert_eq!(
            v5["productOrderItem"][0]["product"]["productSpecification"]["id"],
            "S1"
        );
        assert_eq!(v5["productOrderItem"][0]["product"]["@type"], "Product");
        let mut v4 = emitted;
        ext.merge(ApiVersion::V4, &mut v4);
        assert_eq!(v4["x-partnerRef"], "P-9");
        assert!(v4.get("channel").is_none());
        assert_eq!(v4["productOrderItem"][0]["x-line"], 7);
        assert!(v4["productOrderItem"][0].get("product").is_none());
    }

    #[test]
    fn merging_never_overwrites_what_the_domain_emits() {
        let mut ext = OrderExtensions::none(ApiVersion::V5);
        ext.order.unknown.insert("state".into(), json!("bogus"));
        let mut v = json!({"state": "acknowledged"});
        ext.merge(ApiVersion::V5, &mut v);
        assert_eq!(v["state"], "acknowledged");
        let mut not_an_object = json!([1]);
        ext.merge(ApiVersion::V5, &mut not_an_object);
        assert_eq!(not_an_object, json!([1]));
    }
}
