//! TMF630 list queries: the query string of a collection GET turned into typed filters, sort,
//! projection and paging, and the `fields=` projection of a response.
//!
//! Grammar (TMF630 part 6, the subset the project serves):
//! * `attr=value` equality; `attr=a,b` any of the values (comma OR); a repeated `attr=` is an OR
//!   too. Dotted attributes name sub-attributes (`relatedParty.id`, `productOrderItem.state`).
//! * `attr.gt=`, `.gte=`, `.lt=`, `.lte=` ranges (dates, priorities, ids); `.eq=` is equality.
//! * `sort=-orderDate,id`: descending with `-`, ascending without (or with `+`).
//! * `fields=id,state,productOrderItem.state`: projection; `id`, `href` and `@type` always stay.
//! * `offset` (default 0) and `limit` (default [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`]).
//!
//! Attributes are looked up in a table per resource ([`ORDER_ATTRIBUTES`]); anything else is a
//! 400 naming it. Values are never interpreted here beyond splitting: the store binds them as
//! SQL parameters, so `' OR 1=1 --` is just a customer id no order has. What the store cannot
//! read as its field's type (a state that does not exist, a date that is not one) is a 400 too.

use orderdesk_domain::{ItemState, OrderState};
use orderdesk_store::central::{Direction, Filter, Op, OrderField, OrderQuery};
use orderdesk_tmf::ApiVersion;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// Page size when the client names none.
pub const DEFAULT_LIMIT: u32 = 20;
/// The largest page served; a larger `limit` is capped (and `X-Result-Count` says so).
pub const MAX_LIMIT: u32 = 1000;

/// One attribute condition as the client wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeFilter {
    pub attribute: String,
    pub op: Op,
    pub values: Vec<String>,
}

/// A parsed list query, before its attributes are mapped to a resource's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub filters: Vec<AttributeFilter>,
    pub sort: Vec<(String, Direction)>,
    /// `None`: every field.
    pub fields: Option<Vec<String>>,
    pub offset: u64,
    pub limit: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            filters: Vec::new(),
            sort: Vec::new(),
            fields: None,
            offset: 0,
            limit: DEFAULT_LIMIT,
        }
    }
}

fn split_op(key: &str) -> (&str, Op) {
    for (suffix, op) in [
        (".gte", Op::Gte),
        (".gt", Op::Gt),
        (".lte", Op::Lte),
        (".lt", Op::Lt),
        (".eq", Op::Eq),
    ] {
        if let Some(attribute) = key.strip_suffix(suffix) {
            return (attribute, op);
        }
    }
    (key, Op::Eq)
}

fn list_values(key: &str, value: &str) -> Result<Vec<String>, ApiError> {
    let values: Vec<String> = value.split(',').map(|v| v.trim().to_owned()).collect();
    if values.iter().any(String::is_empty) {
        return Err(ApiError::bad_field(
            "invalidQuery",
            key,
            format!("`{key}` has an empty value"),
        ));
    }
    Ok(values)
}

/// Parses the decoded `(key, value)` pairs of a query string.
pub fn parse(pairs: &[(String, String)]) -> Result<ListQuery, ApiError> {
    let mut q = ListQuery::default();
    for (key, value) in pairs {
        let key = key.trim();
        match key {
            "fields" => {
                let fields = list_values(key, value)?;
                q.fields.get_or_insert_with(Vec::new).extend(fields);
            }
            "sort" => {
                for term in list_values(key, value)? {
                    let (attribute, dir) = match term.as_bytes().first() {
                        Some(b'-') => (&term[1..], Direction::Desc),
                        Some(b'+') => (&term[1..], Direction::Asc),
                        _ => (term.as_str(), Direction::Asc),
                    };
                    if attribute.is_empty() {
                        return Err(ApiError::bad_field(
                            "invalidQuery",
                            "sort",
                            "`sort` names an empty attribute",
                        ));
                    }
                    q.sort.push((attribute.to_owned(), dir));
                }
            }
            "offset" => {
                q.offset = value.trim().parse().map_err(|_| {
                    ApiError::bad_field(
                        "invalidQuery",
                        "offset",
                        format!("`offset` must be a whole number, not `{value}`"),
                    )
                })?;
            }
            "limit" => {
                let limit: u64 = value.trim().parse().map_err(|_| {
                    ApiError::bad_field(
                        "invalidQuery",
                        "limit",
                        format!("`limit` must be a whole number, not `{value}`"),
                    )
                })?;
                q.limit = u32::try_from(limit.min(u64::from(MAX_LIMIT))).unwrap_or(MAX_LIMIT);
            }
            "" => {
                return Err(ApiError::bad_request(
                    "invalidQuery",
                    "the query string has a parameter without a name",
                ))
            }
            _ => {
                let (attribute, op) = split_op(key);
                let values = list_values(key, value)?;
                let op = if op == Op::Eq && values.len() > 1 {
                    Op::In
                } else {
                    op
                };
                // A repeated equality on the same attribute widens it (OR), like a comma list.
                let same = q
                    .filters
                    .iter_mut()
                    .find(|f| f.attribute == attribute && matches!(f.op, Op::Eq | Op::In));
                match same {
                    Some(existing) if matches!(op, Op::Eq | Op::In) => {
                        existing.values.extend(values);
                        existing.op = Op::In;
                    }
                    _ => q.filters.push(AttributeFilter {
                        attribute: attribute.to_owned(),
                        op,
                        values,
                    }),
                }
            }
        }
    }
    Ok(q)
}

/// The product order attributes a list can filter and sort on, in TMF spelling, for both API
/// versions (v4's `orderDate` and v5's `creationDate` are the same date).
pub const ORDER_ATTRIBUTES: &[(&str, OrderField)] = &[
    ("id", OrderField::Id),
    ("state", OrderField::State),
    ("priority", OrderField::Priority),
    ("orderDate", OrderField::OrderDate),
    ("creationDate", OrderField::CreationDate),
    ("requestedStartDate", OrderField::RequestedStartDate),
    (
        "requestedCompletionDate",
        OrderField::RequestedCompletionDate,
    ),
    ("externalId", OrderField::ExternalId),
    ("externalId.id", OrderField::ExternalId),
    ("relatedParty.id", OrderField::RelatedPartyId),
    (
        "relatedParty.partyOrPartyRole.id",
        OrderField::RelatedPartyId,
    ),
    ("relatedParty.role", OrderField::RelatedPartyRole),
    ("channel.id", OrderField::Channel),
    ("productOrderItem.state", OrderField::ItemState),
    ("productOrderItem.action", OrderField::ItemAction),
    (
        "productOrderItem.productOffering.id",
        OrderField::ItemOfferingId,
    ),
    ("productOrderItem.product.place.id", OrderField::ItemPlaceId),
    (
        "productOrderItem.product.place.place.id",
        OrderField::ItemPlaceId,
    ),
];

fn order_field(attribute: &str, param: &str) -> Result<OrderField, ApiError> {
    ORDER_ATTRIBUTES
        .iter()
        .find(|(name, _)| *name == attribute)
        .map(|(_, field)| *field)
        .ok_or_else(|| {
            ApiError::bad_field(
                "unknownAttribute",
                param,
                format!(
                    "`{attribute}` is not an attribute a product order list can filter or sort on"
                ),
            )
        })
}

/// v4 speaks of fewer states than the store holds: a v4 client asking for `inProgress` means
/// the orders it sees as `inProgress`, `inProgress.accepted` included.
fn v4_states(field: OrderField, values: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        let wider: &[&str] = match (field, v.as_str()) {
            (OrderField::State, "acknowledged") => &[OrderState::Draft.as_str()],
            (OrderField::State, "inProgress") => &[OrderState::InProgressAccepted.as_str()],
            (OrderField::ItemState, "failed") => &[ItemState::Partial.as_str()],
            _ => &[],
        };
        out.extend(wider.iter().map(|w| (*w).to_owned()));
        out.push(v);
    }
    out
}

/// The store query of a product order list.
pub fn order_query(q: &ListQuery, version: ApiVersion) -> Result<OrderQuery, ApiError> {
    let mut filters = Vec::with_capacity(q.filters.len());
    for f in &q.filters {
        let field = order_field(&f.attribute, &f.attribute)?;
        let (op, values) = match (version, field) {
            (ApiVersion::V4, OrderField::State | OrderField::ItemState)
                if matches!(f.op, Op::Eq | Op::In) =>
            {
                let values = v4_states(field, f.values.clone());
                (if values.len() > 1 { Op::In } else { f.op }, values)
            }
            _ => (f.op, f.values.clone()),
        };
        filters.push(Filter { field, op, values });
    }
    let sort = q
        .sort
        .iter()
        .map(|(attribute, dir)| Ok((order_field(attribute, "sort")?, *dir)))
        .collect::<Result<_, ApiError>>()?;
    Ok(OrderQuery {
        filters,
        sort,
        offset: q.offset,
        limit: q.limit,
    })
}

/// Keeps only `fields` of a resource (dotted paths reach into objects and arrays of objects),
/// plus `always` (`id`, `href`, `@type`).
pub fn project(value: &Value, fields: &[String], always: &[&str]) -> Value {
    let Value::Object(source) = value else {
        return value.clone();
    };
    let mut out = Map::new();
    for key in always {
        if let Some(v) = source.get(*key) {
            out.insert((*key).to_owned(), v.clone());
        }
    }
    for field in fields {
        let path: Vec<&str> = field.split('.').collect();
        copy_path(source, &mut out, &path);
    }
    Value::Object(out)
}

fn copy_path(source: &Map<String, Value>, target: &mut Map<String, Value>, path: &[&str]) {
    let Some((head, rest)) = path.split_first() else {
        return;
    };
    let Some(value) = source.get(*head) else {
        return;
    };
    if rest.is_empty() {
        target.insert((*head).to_owned(), value.clone());
        return;
    }
    match value {
        Value::Object(child) => {
            let slot = target
                .entry((*head).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(slot) = slot {
                copy_path(child, slot, rest);
            }
        }
        Value::Array(items) => {
            let slot = target
                .entry((*head).to_owned())
                .or_insert_with(|| Value::Array(vec![Value::Object(Map::new()); items.len()]));
            if let Value::Array(slots) = slot {
                for (item, slot) in items.iter().zip(slots.iter_mut()) {
                    if let (Value::Object(item), Value::Object(slot)) = (item, slot) {
                        copy_path(item, slot, rest);
                    }
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn query(q: &[(&str, &str)], version: ApiVersion) -> Result<OrderQuery, ApiError> {
        order_query(&parse(&pairs(q))?, version)
    }

    #[test]
    fn filters_sort_and_paging() {
        let q = query(
            &[
                ("state", "held,pending"),
                ("orderDate.gte", "2026-01-01"),
                ("orderDate.lt", "2026-02-01"),
                ("relatedParty.id", "CUST-1"),
                ("productOrderItem.state", "held"),
                ("sort", "-orderDate,id"),
                ("offset", "40"),
                ("limit", "5000"),
                ("fields", "id,state"),
            ],
            ApiVersion::V5,
        )
        .unwrap();
        assert_eq!(
            q.filters,
            vec![
                Filter::new(OrderField::State, Op::In, &["held", "pending"]),
                Filter::new(OrderField::OrderDate, Op::Gte, &["2026-01-01"]),
                Filter::new(OrderField::OrderDate, Op::Lt, &["2026-02-01"]),
                Filter::eq(OrderField::RelatedPartyId, "CUST-1"),
                Filter::eq(OrderField::ItemState, "held"),
            ]
        );
        assert_eq!(
            q.sort,
            vec![
                (OrderField::OrderDate, Direction::Desc),
                (OrderField::Id, Direction::Asc)
            ]
        );
        assert_eq!((q.offset, q.limit), (40, MAX_LIMIT));
    }

    #[test]
    fn repeated_equalities_widen() {
        let q = query(&[("state", "held"), ("state", "pending")], ApiVersion::V5).unwrap();
        assert_eq!(
            q.filters,
            vec![Filter::new(OrderField::State, Op::In, &["held", "pending"])]
        );
    }

    #[test]
    fn v4_states_include_their_v5_refinements() {
        let q = query(&[("state", "inProgress")], ApiVersion::V4).unwrap();
        assert_eq!(
            q.filters,
            vec![Filter::new(
                OrderField::State,
                Op::In,
                &["inProgress.accepted", "inProgress"]
            )]
        );
        let q = query(&[("state", "inProgress")], ApiVersion::V5).unwrap();
        assert_eq!(q.filters, vec![Filter::eq(OrderField::State, "inProgress")]);
    }

    #[test]
    fn unknown_attributes_and_bad_numbers_are_named() {
        for (q, field) in [
            (vec![("colour", "red")], "colour"),
            (vec![("state.gtx", "held")], "state.gtx"),
            (vec![("sort", "-colour")], "sort"),
            (vec![("limit", "-1")], "limit"),
            (vec![("offset", "ten")], "offset"),
            (vec![("state", "held,")], "state"),
            (vec![("sort", "-")], "sort"),
        ] {
            let err = query(&q, ApiVersion::V5).unwrap_err();
            let ApiError::BadRequest {
                field: Some(got), ..
            } = &err
            else {
                panic!("{q:?}: {err:?}");
            };
            assert_eq!(got, field, "{q:?}");
        }
    }

    #[test]
    fn hostile_values_are_values() {
        let q = query(&[("relatedParty.id", "' OR 1=1 --")], ApiVersion::V4).unwrap();
        assert_eq!(q.filters[0].values, vec!["' OR 1=1 --".to_owned()]);
    }

    #[test]
    fn projection_keeps_paths_and_identity() {
        let order = json!({
            "id": "o1", "href": "h", "@type": "ProductOrder", "state": "held", "priority": "1",
            "productOrderItem": [
                {"id": "1", "state": "held", "action": "add"},
                {"id": "2", "state": "held", "action": "add"}
            ]
        });
        let fields = vec![
            "state".to_owned(),
            "productOrderItem.state".to_owned(),
            "nope".to_owned(),
        ];
        assert_eq!(
            project(&order, &fields, &["id", "href", "@type"]),
            json!({
                "id": "o1", "href": "h", "@type": "ProductOrder", "state": "held",
                "productOrderItem": [{"state": "held"}, {"state": "held"}]
            })
        );
    }
}
