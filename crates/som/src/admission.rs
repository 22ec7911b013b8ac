//! Admission of a `POST /serviceOrder` body: the checks a service order must pass, each naming
//! the JSON field at fault, and the [`ServiceOrderRun`] planned from it (dependencies, point of
//! no return flags, the failures the rules decide).
//!
//! Pure: the body is already parsed into the TMF641 wire type (wrong JSON types and unknown
//! enum values are refused there, also naming the field).
//!
//! What the simulator reads from an item:
//! - `id`, `action` and `service` (required by `ServiceOrderItem_FVO`); an `add` needs
//!   `service.serviceSpecification` (the CFS to deliver);
//! - `serviceOrderItemRelationship` of type `dependency` (or `dependsOn` / `reliesOn`), pointing
//!   at another item of the same order by `orderItem.itemId`; other types are kept, not acted on;
//! - the point of no return flag, an Orderdesk extension on the item:
//!   `"orderdesk": {"pointOfNoReturn": true}` (the scheme TMF620 `serviceSpecification[]` uses);
//! - for the failure rules: the specification, the places and the characteristics of `service`.
//!
//! Nested `serviceOrderItem`s are refused: the simulator works flat orders only.

use orderdesk_domain::decomposition::ServiceAction;
use orderdesk_tmf::error::WireError;
use orderdesk_tmf::tmf641::{is_dependency, ServiceOrder, ServiceOrderItem};
use serde_json::Value;
use std::collections::HashMap;

use crate::progression::{ItemRun, PlannedFailure, ServiceOrderRun};
use crate::rules::{FailureRules, ServiceFacts};

/// The item extension object holding Orderdesk's flags.
pub const ORDERDESK_EXTENSION: &str = "orderdesk";
/// The flag in [`ORDERDESK_EXTENSION`] marking an item as the point of no return.
pub const POINT_OF_NO_RETURN_FLAG: &str = "pointOfNoReturn";

/// Checks `order` and plans its run under `rules`.
pub fn admit(order: &ServiceOrder, rules: &FailureRules) -> Result<ServiceOrderRun, WireError> {
    if let Some(id) = &order.id {
        non_empty(id, "id")?;
        if let Some(c) = id.chars().find(|c| !url_safe(*c)) {
            return Err(invalid(
                "id",
                format!("{c:?} cannot be used in an id (it becomes part of the order's URL)"),
            ));
        }
    }
    let items = order.service_order_item.as_deref().ok_or_else(|| {
        missing(
            "serviceOrderItem",
            "a service order needs at least one item",
        )
    })?;
    if items.is_empty() {
        return Err(invalid("serviceOrderItem", "must list at least one item"));
    }
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("serviceOrderItem[{i}]");
        let id = item
            .id
            .as_deref()
            .ok_or_else(|| missing(format!("{at}.id"), "every item needs an id"))?;
        non_empty(id, &format!("{at}.id"))?;
        if let Some(first) = index.insert(id, i) {
            return Err(invalid(
                format!("{at}.id"),
                format!("`{id}` is already the id of serviceOrderItem[{first}]"),
            ));
        }
    }
    let mut runs = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        runs.push(item_run(order, item, i, &index, rules)?);
    }
    check_acyclic(&runs)?;
    Ok(ServiceOrderRun::new(runs))
}

fn item_run(
    order: &ServiceOrder,
    item: &ServiceOrderItem,
    i: usize,
    index: &HashMap<&str, usize>,
    rules: &FailureRules,
) -> Result<ItemRun, WireError> {
    let at = format!("serviceOrderItem[{i}]");
    let id = item.id.clone().unwrap_or_default();
    let action = item
        .action
        .ok_or_else(|| missing(format!("{at}.action"), "add, modify, delete or noChange"))?;
    let service = item
        .service
        .as_ref()
        .ok_or_else(|| missing(format!("{at}.service"), "the service to act on"))?;
    match &service.service_specification {
        Some(spec) => non_empty(&spec.id, &format!("{at}.service.serviceSpecification.id"))?,
        None if action == ServiceAction::Add => {
            return Err(missing(
                format!("{at}.service.serviceSpecification"),
                "an item that adds a service names its specification",
            ))
        }
        None => {}
    }
    if item
        .service_order_item
        .as_ref()
        .is_some_and(|v| !v.is_empty())
    {
        return Err(invalid(
            format!("{at}.serviceOrderItem"),
            "nested service order items are not supported; list every item at the top level",
        ));
    }
    let mut depends_on = Vec::new();
    for (j, rel) in item
        .service_order_item_relationship
        .iter()
        .flatten()
        .enumerate()
    {
        let rat = format!("{at}.serviceOrderItemRelationship[{j}]");
        let kind = rel
            .relationship_type
            .as_deref()
            .ok_or_else(|| missing(format!("{rat}.relationshipType"), "e.g. `dependency`"))?;
        if !is_dependency(kind) {
            continue;
        }
        let target = rel
            .order_item
            .as_ref()
            .ok_or_else(|| missing(format!("{rat}.orderItem"), "the item depended on"))?;
        let target_id = target
            .item_id
            .as_deref()
            .ok_or_else(|| missing(format!("{rat}.orderItem.itemId"), "the item depended on"))?;
        if let (Some(other), Some(this)) = (&target.service_order_id, &order.id) {
            if other != this {
                return Err(invalid(
                    format!("{rat}.orderItem.serviceOrderId"),
                    format!(
                        "`{other}` is another service order; only items of the same order can be \
                         depended on"
                    ),
                ));
            }
        }
        let &d = index.get(target_id).ok_or_else(|| {
            invalid(
                format!("{rat}.orderItem.itemId"),
                format!("no item `{target_id}` in this service order"),
            )
        })?;
        if d == i {
            return Err(invalid(
                format!("{rat}.orderItem.itemId"),
                "an item cannot depend on itself",
            ));
        }
        if !depends_on.contains(&d) {
            depends_on.push(d);
        }
    }
    let point_of_no_return = point_of_no_return(item, &at)?;
    let failure = rules
        .failure_for(&ServiceFacts::of(service))
        .map(|rule| PlannedFailure {
            stage: rule.stage,
            code: rule.code().to_owned(),
            reason: rule.reason.clone(),
        });
    Ok(ItemRun {
        depends_on,
        point_of_no_return,
        failure,
        ..ItemRun::new(id)
    })
}

/// Reads `orderdesk.pointOfNoReturn` (absent: `false`).
fn point_of_no_return(item: &ServiceOrderItem, at: &str) -> Result<bool, WireError> {
    let Some(ext) = item.extra.get(ORDERDESK_EXTENSION) else {
        return Ok(false);
    };
    let Value::Object(ext) = ext else {
        return Err(malformed(
            format!("{at}.{ORDERDESK_EXTENSION}"),
            "must be an object",
        ));
    };
    match ext.get(POINT_OF_NO_RETURN_FLAG) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(malformed(
            format!("{at}.{ORDERDESK_EXTENSION}.{POINT_OF_NO_RETURN_FLAG}"),
            "must be a boolean",
        )),
    }
}

/// Refuses a dependency cycle, naming the relationships of one item on it.
fn check_acyclic(items: &[ItemRun]) -> Result<(), WireError> {
    // Kahn's algorithm: whatever cannot be ordered is on or behind a cycle.
    let n = items.len();
    let mut pending: Vec<usize> = items.iter().map(|i| i.depends_on.len()).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, item) in items.iter().enumerate() {
        for &d in &item.depends_on {
            if let Some(list) = dependents.get_mut(d) {
                list.push(i);
            }
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| pending[i] == 0).collect();
    let mut ordered = 0;
    while let Some(i) = ready.pop() {
        ordered += 1;
        for &j in &dependents[i] {
            pending[j] -= 1;
            if pending[j] == 0 {
                ready.push(j);
            }
        }
    }
    if ordered == n {
        return Ok(());
    }
    let stuck = (0..n).find(|&i| pending[i] > 0).unwrap_or(0);
    let names: Vec<&str> = (0..n)
        .filter(|&i| pending[i] > 0)
        .map(|i| items[i].id.as_str())
        .collect();
    Err(invalid(
        format!("serviceOrderItem[{stuck}].serviceOrderItemRelationship"),
        format!("dependency cycle among items {}", names.join(", ")),
    ))
}

/// Characters an id may hold: RFC 3986 unreserved ones, plus `:` and `@`.
fn url_safe(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | ':' | '@')
}

fn non_empty(value: &str, field: &str) -> Result<(), WireError> {
    if value.trim().is_empty() {
        Err(invalid(field, "must not be empty"))
    } else {
        Ok(())
    }
}

fn missing(field: impl Into<String>, why: impl Into<String>) -> WireError {
    WireError::Missing {
        field: field.into(),
        why: why.into(),
    }
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> WireError {
    WireError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

fn malformed(path: impl Into<String>, message: impl Into<String>) -> WireError {
    WireError::Malformed {
        path: path.into(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::FailureStage;
    use serde_json::json;

    fn order(items: Value) -> ServiceOrder {
        orderdesk_tmf::from_value(json!({"id": "SO-1", "serviceOrderItem": items})).unwrap()
    }

    fn add(id: &str, cfs: &str) -> Value {
        json!({"id": id, "action": "add", "service": {
            "serviceSpecification": {"id": cfs}, "place": [{"place": {"id": "ADDR-1"}}],
            "serviceCharacteristic": [{"name": "speed", "value": 100,
                                       "@type": "IntegerCharacteristic"}]}})
    }

    fn dep(mut item: Value, on: &str) -> Value {
        item["serviceOrderItemRelationship"] = json!([
            {"relationshipType": "dependency", "orderItem": {"itemId": on, "serviceOrderId": "SO-1"}}
        ]);
        item
    }

    #[test]
    fn plans_dependencies_flags_and_failures() {
        let rules = FailureRules::parse(
            &json!({"failures": [{"cfs": "CFS:B", "address": "ADDR-1",
                    "characteristic": {"name": "speed", "value": "100"},
                    "code": "NOPE", "reason": "no", "stage": "start"}]})
            .to_string(),
        )
        .unwrap();
        let mut ponr = add("2", "CFS:B");
        ponr["orderdesk"] = json!({"pointOfNoReturn": true});
        let run = admit(&order(json!([add("1", "CFS:A"), dep(ponr, "1")])), &rules).unwrap();
        let items = run.items();
        assert_eq!(items[0].depends_on, Vec::<usize>::new());
        assert_eq!(items[1].depends_on, vec![0]);
        assert!(!items[0].point_of_no_return && items[1].point_of_no_return);
        assert_eq!(items[0].failure, None);
        let f = items[1].failure.as_ref().unwrap();
        assert_eq!((f.stage, f.code.as_str()), (FailureStage::Start, "NOPE"));
    }

    #[test]
    fn refusals_name_the_field() {
        let cases: Vec<(Value, &str)> = vec![
            (json!({"id": "SO-1"}), "serviceOrderItem"),
            (json!({"serviceOrderItem": []}), "serviceOrderItem"),
            (
                json!({"id": " ", "serviceOrderItem": [add("1", "A")]}),
                "id",
            ),
            (
                json!({"id": "a/b", "serviceOrderItem": [add("1", "A")]}),
                "id",
            ),
            (
                json!({"serviceOrderItem": [{"action": "add"}]}),
                "serviceOrderItem[0].id",
            ),
            (
                json!({"serviceOrderItem": [add("1", "A"), add("1", "B")]}),
                "serviceOrderItem[1].id",
            ),
            (
                json!({"serviceOrderItem": [{"id": "1", "service": {}}]}),
                "serviceOrderItem[0].action",
            ),
            (
                json!({"serviceOrderItem": [{"id": "1", "action": "add"}]}),
                "serviceOrderItem[0].service",
            ),
            (
                json!({"serviceOrderItem": [{"id": "1", "action": "add", "service": {}}]}),
                "serviceOrderItem[0].service.serviceSpecification",
            ),
            (
                json!({"serviceOrderItem": [dep(add("1", "A"), "9")]}),
                "serviceOrderItem[0].serviceOrderItemRelationship[0].orderItem.itemId",
            ),
            (
                json!({"serviceOrderItem": [dep(add("1", "A"), "1")]}),
                "serviceOrderItem[0].serviceOrderItemRelationship[0].orderItem.itemId",
            ),
            (
                json!({"id": "SO-2", "serviceOrderItem": [add("1", "A"), dep(add("2", "A"), "1")]}),
                "serviceOrderItem[1].serviceOrderItemRelationship[0].orderItem.serviceOrderId",
            ),
            (
                json!({"serviceOrderItem": [dep(add("1", "A"), "2"), dep(add("2", "A"), "1")]}),
                "serviceOrderItem[0].serviceOrderItemRelationship",
            ),
            (
                json!({"serviceOrderItem": [{"id": "1", "action": "add",
                    "service": {"serviceSpecification": {"id": "A"}}, "orderdesk": {"pointOfNoReturn": "yes"}}]}),
                "serviceOrderItem[0].orderdesk.pointOfNoReturn",
            ),
            (
                json!({"serviceOrderItem": [{"id": "1", "action": "add",
                    "service": {"serviceSpecification": {"id": "A"}}, "serviceOrderItem": [add("2", "A")]}]}),
                "serviceOrderItem[0].serviceOrderItem",
            ),
        ];
        for (body, field) in cases {
            let order: ServiceOrder = orderdesk_tmf::from_value(body.clone()).unwrap();
            let err = admit(&order, &FailureRules::none()).unwrap_err();
            assert_eq!(err.field(), field, "{body}: {err}");
        }
    }

    #[test]
    fn other_relationship_types_and_modify_without_specification_are_fine() {
        let body = json!([
            {"id": "1", "action": "modify", "service": {"id": "SVC-1"}},
            {"id": "2", "action": "add", "service": {"serviceSpecification": {"id": "A"}},
             "serviceOrderItemRelationship": [{"relationshipType": "bundles", "orderItem": {"itemId": "1"}}]}
        ]);
        let run = admit(&order(body), &FailureRules::none()).unwrap();
        assert!(run.items().iter().all(|i| i.depends_on.is_empty()));
    }
}
