//! Listing orders: a closed set of filterable and sortable fields (the server parses TMF630
//! query strings into [`OrderQuery`]), turned here into SQL served from indexes.
//!
//! Every value is bound as a parameter; only fixed column names and operators are spelled into
//! the SQL text. Dates are compared as integer milliseconds (the query's values are RFC 3339,
//! or a plain `YYYY-MM-DD` meaning midnight UTC). Filters on item fields constrain one and the
//! same item (`productOrderItem.state=held&productOrderItem.productOffering.id=X` finds orders
//! with a held item of offering X); so do party fields for one party.
//!
//! The total is read first: from the running counts in `order_counts` when the filters are
//! exactly one state filter or one item-state filter (or none), else from an index-only count
//! (over the child index alone when only one child table is filtered). Then the keys of the page
//! are read from indexes (filters, sort, offset, limit) and each order's document by primary key,
//! so sorting never drags documents along. With a filter on a child table and the usual
//! order-date sort, the store picks the shape from the total: few matches are read from the child
//! index and sorted; many are found by walking the order-date index and probing the child table,
//! which stops after one page. No `ANALYZE` statistics are kept, so plans depend on the schema
//! and this choice only, and the plan tests hold for any data.

use chrono::{DateTime, NaiveDate, Utc};
use orderdesk_domain::{ItemAction, ItemState, OrderState, Priority};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection};

use super::orders::{get_by_pk, StoredOrder};
use super::{CentralStore, Page};
use crate::codec::{count_from_sql, millis, sql_count};
use crate::error::{Result, StoreError};

/// What a list can filter or sort on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderField {
    /// `id`
    Id,
    /// `state`
    State,
    /// The customer: `relatedParty.id` where the role is `customer`.
    Customer,
    /// `relatedParty.id`, any role (the customer included).
    RelatedPartyId,
    /// `relatedParty.role`
    RelatedPartyRole,
    /// `channel.id` / `channel.name`
    Channel,
    /// `externalId` (v4) / `externalId.id` (v5), whatever its owner.
    ExternalId,
    /// `priority`, "0".."4"
    Priority,
    /// `orderDate`
    OrderDate,
    /// `creationDate`: the same as the order date.
    CreationDate,
    /// `requestedStartDate`
    RequestedStartDate,
    /// `requestedCompletionDate`
    RequestedCompletionDate,
    /// When the order entered its current state (SLA clocks).
    StateChangedAt,
    /// The user who captured the order.
    CreatedBy,
    /// `productOrderItem.state`
    ItemState,
    /// `productOrderItem.productOffering.id`
    ItemOfferingId,
    /// `productOrderItem.action`
    ItemAction,
    /// `productOrderItem.product.place.id`
    ItemPlaceId,
}

impl OrderField {
    /// The TMF name, for messages.
    pub fn tmf_name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::State => "state",
            Self::Customer => "customer",
            Self::RelatedPartyId => "relatedParty.id",
            Self::RelatedPartyRole => "relatedParty.role",
            Self::Channel => "channel",
            Self::ExternalId => "externalId",
            Self::Priority => "priority",
            Self::OrderDate => "orderDate",
            Self::CreationDate => "creationDate",
            Self::RequestedStartDate => "requestedStartDate",
            Self::RequestedCompletionDate => "requestedCompletionDate",
            Self::StateChangedAt => "stateChangedAt",
            Self::CreatedBy => "createdBy",
            Self::ItemState => "productOrderItem.state",
            Self::ItemOfferingId => "productOrderItem.productOffering.id",
            Self::ItemAction => "productOrderItem.action",
            Self::ItemPlaceId => "productOrderItem.product.place.id",
        }
    }

    fn column(self) -> Column {
        use Column::{External, Item, Order, Party};
        use ValueKind::{Action, Date, ItemStateValue, OrderStateValue, Text};
        match self {
            Self::Id => Order("id", Text),
            Self::State => Order("state", OrderStateValue),
            Self::Customer => Order("customer_id", Text),
            Self::Channel => Order("channel", Text),
            Self::Priority => Order("priority", ValueKind::Priority),
            Self::OrderDate | Self::CreationDate => Order("order_date", Date),
            Self::RequestedStartDate => Order("requested_start", Date),
            Self::RequestedCompletionDate => Order("requested_completion", Date),
            Self::StateChangedAt => Order("state_changed_at", Date),
            Self::CreatedBy => Order("created_by", Text),
            Self::RelatedPartyId => Party("party_id"),
            Self::RelatedPartyRole => Party("role"),
            Self::ExternalId => External,
            Self::ItemState => Item("state", ItemStateValue),
            Self::ItemOfferingId => Item("offering_id", Text),
            Self::ItemAction => Item("action", Action),
            Self::ItemPlaceId => Item("place_id", Text),
        }
    }
}

/// A comparison. `In` is TMF's comma list (any of the values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    In,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Op {
    fn sql(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::In => "IN",
            Self::Gt => ">",
            Self::Gte => ">=",
            Self::Lt => "<",
            Self::Lte => "<=",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub field: OrderField,
    pub op: Op,
    /// One value, or one or more for `In`, as the query string spells them.
    pub values: Vec<String>,
}

impl Filter {
    pub fn new(field: OrderField, op: Op, values: &[&str]) -> Self {
        Self {
            field,
            op,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    pub fn eq(field: OrderField, value: &str) -> Self {
        Self::new(field, Op::Eq, &[value])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Asc,
    Desc,
}

impl Direction {
    fn sql(self) -> &'static str {
        match self {
            Self::Asc => "ASC",
            Self::Desc => "DESC",
        }
    }
}

/// A list request: all filters must hold; sorted by `sort` (then by storage order, so paging
/// is stable); newest order date first when `sort` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderQuery {
    pub filters: Vec<Filter>,
    pub sort: Vec<(OrderField, Direction)>,
    pub offset: u64,
    pub limit: u32,
}

impl Default for OrderQuery {
    fn default() -> Self {
        Self {
            filters: Vec::new(),
            sort: Vec::new(),
            offset: 0,
            limit: 20,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum ValueKind {
    Text,
    OrderStateValue,
    ItemStateValue,
    Action,
    Priority,
    Date,
}

#[derive(Debug, Clone, Copy)]
enum Column {
    Order(&'static str, ValueKind),
    Item(&'static str, ValueKind),
    Party(&'static str),
    External,
}

fn invalid(field: OrderField, message: impl std::fmt::Display) -> StoreError {
    StoreError::InvalidQuery(format!("{}: {message}", field.tmf_name()))
}

/// A query date: RFC 3339, or `YYYY-MM-DD` (midnight UTC).
fn parse_date(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
        })
}

fn bind(field: OrderField, kind: ValueKind, value: &str) -> Result<SqlValue> {
    let bad = || invalid(field, format!("`{value}` is not a valid value"));
    Ok(match kind {
        ValueKind::Text => SqlValue::Text(value.to_owned()),
        ValueKind::OrderStateValue => SqlValue::Text(
            OrderState::parse(value)
                .ok_or_else(bad)?
                .as_str()
                .to_owned(),
        ),
        ValueKind::ItemStateValue => {
            SqlValue::Text(ItemState::parse(value).ok_or_else(bad)?.as_str().to_owned())
        }
        ValueKind::Action => SqlValue::Text(
            ItemAction::parse(value)
                .ok_or_else(bad)?
                .as_str()
                .to_owned(),
        ),
        ValueKind::Priority => SqlValue::Integer(i64::from(
            Priority::parse(value).map_err(|_| bad())?.level(),
        )),
        ValueKind::Date => SqlValue::Integer(millis(parse_date(value).ok_or_else(bad)?)),
    })
}

fn allows_ranges(kind: ValueKind) -> bool {
    matches!(
        kind,
        ValueKind::Text | ValueKind::Priority | ValueKind::Date
    )
}

/// One condition's operator and placeholders (`= ?`, `IN (?, ?)`, `>= ?`...), its values bound
/// into `params`; the caller puts the column in front.
fn condition(
    field: OrderField,
    kind: ValueKind,
    filter: &Filter,
    params: &mut Vec<SqlValue>,
) -> Result<String> {
    match (filter.op, filter.values.len()) {
        (_, 0) => return Err(invalid(field, "no value given")),
        (Op::In, _) => {}
        (_, 1) => {}
        (op, n) => {
            return Err(invalid(
                field,
                format!("`{}` takes one value, not {n}", op.sql()),
            ))
        }
    }
    if !matches!(filter.op, Op::Eq | Op::In) && !allows_ranges(kind) {
        return Err(invalid(field, "only equality filters apply to this field"));
    }
    for v in &filter.values {
        params.push(bind(field, kind, v)?);
    }
    Ok(if filter.op == Op::In {
        let marks = vec!["?"; filter.values.len()].join(", ");
        format!("IN ({marks})")
    } else {
        format!("{} ?", filter.op.sql())
    })
}

/// Conditions on a child table (items, parties, external ids), all on one row of it.
struct ChildFilter {
    table: &'static str,
    /// (column, operator and placeholders)
    conds: Vec<(&'static str, String)>,
    params: Vec<SqlValue>,
}

impl ChildFilter {
    /// The conditions, each column written with `prefix`.
    fn sql(&self, prefix: &str) -> String {
        self.conds
            .iter()
            .map(|(col, cond)| format!("{prefix}{col} {cond}"))
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// A query's conditions: on the order row, and per child table.
struct Conditions {
    order: Vec<String>,
    order_params: Vec<SqlValue>,
    children: Vec<ChildFilter>,
}

/// How a child filter joins the order row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Membership {
    /// `o.pk IN (SELECT order_pk ...)`: the child index drives, the orders are looked up by key.
    Driving,
    /// `EXISTS (... WHERE order_pk = o.pk ...)`: the sort index drives, each order is probed.
    Probing,
}

impl Conditions {
    fn parse(filters: &[Filter]) -> Result<Self> {
        let mut order = Vec::new();
        let mut order_params = Vec::new();
        let mut children: Vec<ChildFilter> = Vec::new();
        for f in filters {
            let (table, column, kind) = match f.field.column() {
                Column::Order(col, kind) => {
                    let cond = condition(f.field, kind, f, &mut order_params)?;
                    order.push(format!("o.{col} {cond}"));
                    continue;
                }
                Column::Item(col, kind) => ("order_items", col, kind),
                Column::Party(col) => ("order_parties", col, ValueKind::Text),
                Column::External => ("order_external_ids", "external_id", ValueKind::Text),
            };
            let at = match children.iter().position(|c| c.table == table) {
                Some(i) => i,
                None => {
                    children.push(ChildFilter {
                        table,
                        conds: Vec::new(),
                        params: Vec::new(),
                    });
                    children.len() - 1
                }
            };
            let child = &mut children[at];
            let cond = condition(f.field, kind, f, &mut child.params)?;
            child.conds.push((column, cond));
        }
        Ok(Self {
            order,
            order_params,
            children,
        })
    }

    /// The WHERE clause and its parameters, in order.
    fn where_clause(&self, membership: Membership) -> (String, Vec<SqlValue>) {
        let mut conds = self.order.clone();
        let mut params = self.order_params.clone();
        for child in &self.children {
            conds.push(match membership {
                Membership::Driving => format!(
                    "o.pk IN (SELECT order_pk FROM {} WHERE {})",
                    child.table,
                    child.sql("")
                ),
                // `+`: the probe must seek the child's primary key (order_pk first), not an
                // index on the filtered column.
                Membership::Probing => format!(
                    "EXISTS (SELECT 1 FROM {} c WHERE c.order_pk = o.pk AND {})",
                    child.table,
                    child.sql("+c.")
                ),
            });
            params.extend(child.params.iter().cloned());
        }
        if conds.is_empty() {
            (String::new(), params)
        } else {
            (format!(" WHERE {}", conds.join(" AND ")), params)
        }
    }

    /// The SQL counting the matching orders: from the child index alone when only one child
    /// table is filtered, so no order row is read.
    fn count_sql(&self) -> (String, Vec<SqlValue>) {
        match self.children.as_slice() {
            [child] if self.order.is_empty() => (
                format!(
                    "SELECT count(DISTINCT order_pk) FROM {} WHERE {}",
                    child.table,
                    child.sql("")
                ),
                child.params.clone(),
            ),
            _ => {
                let (w, params) = self.where_clause(Membership::Driving);
                (format!("SELECT count(*) FROM orders o{w}"), params)
            }
        }
    }
}

fn order_by(sort: &[(OrderField, Direction)]) -> Result<String> {
    if sort.is_empty() {
        return Ok(" ORDER BY o.order_date DESC, o.pk DESC".to_owned());
    }
    let mut terms = Vec::with_capacity(sort.len() + 1);
    for (field, dir) in sort {
        match field.column() {
            Column::Order(col, _) => terms.push(format!("o.{col} {}", dir.sql())),
            _ => return Err(invalid(*field, "cannot sort on a field of a list")),
        }
    }
    let last = sort.last().map_or(Direction::Desc, |(_, d)| *d);
    terms.push(format!("o.pk {}", last.sql()));
    Ok(format!(" ORDER BY {}", terms.join(", ")))
}

/// The running count that answers this query's total, if one does.
fn counted(filters: &[Filter]) -> Option<(&'static str, Vec<String>)> {
    match filters {
        [] => Some(("state", Vec::new())),
        [f] if f.field == OrderField::State && matches!(f.op, Op::Eq | Op::In) => {
            let mut states: Vec<String> = f.values.clone();
            states.sort();
            states.dedup();
            Some(("state", states))
        }
        // Orders with an item in one state; an In over item states could count an order twice.
        [f] if f.field == OrderField::ItemState
            && (f.op == Op::Eq || (f.op == Op::In && f.values.len() == 1)) =>
        {
            Some(("itemState", f.values.clone()))
        }
        _ => None,
    }
}

/// How a query runs: its conditions, its ORDER BY, and where its total comes from.
struct Plan {
    conditions: Conditions,
    order_by: String,
    by_order_date: bool,
    counted: Option<(&'static str, Vec<String>)>,
}

fn plan(query: &OrderQuery) -> Result<Plan> {
    Ok(Plan {
        conditions: Conditions::parse(&query.filters)?,
        order_by: order_by(&query.sort)?,
        by_order_date: matches!(
            query.sort.first(),
            None | Some((OrderField::OrderDate | OrderField::CreationDate, _))
        ),
        counted: counted(&query.filters),
    })
}

impl Plan {
    /// Driving a child filter costs about `total` order lookups and a sort; probing while
    /// walking the order-date index costs about `all / total * (offset + limit)` probes when the
    /// matches are spread over time; per row both cost about the same (one b-tree seek).
    /// Probing is chosen only with a fourfold margin, as matches bunched at the far end of the
    /// sort would make it walk further.
    fn membership(&self, query: &OrderQuery, total: u64, all: u64) -> Membership {
        let wanted = query.offset.saturating_add(u64::from(query.limit)).max(1) as f64;
        let (total, all) = (total as f64, all as f64);
        if !self.conditions.children.is_empty()
            && self.by_order_date
            && total * total >= 4.0 * all * wanted
        {
            Membership::Probing
        } else {
            Membership::Driving
        }
    }

    fn page_sql(&self, membership: Membership) -> (String, Vec<SqlValue>) {
        let (w, params) = self.conditions.where_clause(membership);
        (
            format!(
                "SELECT o.pk FROM orders o{w}{} LIMIT ? OFFSET ?",
                self.order_by
            ),
            params,
        )
    }

    fn total(&self, conn: &Connection) -> Result<u64> {
        match &self.counted {
            Some((dimension, values)) => count_from_counters(conn, dimension, values),
            None => {
                let (sql, params) = self.conditions.count_sql();
                let n: i64 = conn
                    .prepare_cached(&sql)?
                    .query_row(params_from_iter(params.iter()), |r| r.get(0))?;
                Ok(count_from_sql(n))
            }
        }
    }
}

fn count_from_counters(conn: &Connection, dimension: &str, values: &[String]) -> Result<u64> {
    let n: i64 = if values.is_empty() {
        conn.prepare_cached("SELECT coalesce(sum(n), 0) FROM order_counts WHERE dimension = ?1")?
            .query_row([dimension], |r| r.get(0))?
    } else {
        let mut stmt = conn.prepare_cached(
            "SELECT coalesce(sum(n), 0) FROM order_counts WHERE dimension = ?1 AND value = ?2",
        )?;
        let mut total = 0;
        for v in values {
            total += stmt.query_row([dimension, v.as_str()], |r| r.get::<_, i64>(0))?;
        }
        total
    };
    Ok(count_from_sql(n))
}

fn all_orders(conn: &Connection) -> Result<u64> {
    count_from_counters(conn, "state", &[])
}

pub(crate) fn list(conn: &Connection, query: &OrderQuery) -> Result<Page<StoredOrder>> {
    let plan = plan(query)?;
    let total = plan.total(conn)?;
    if total == 0 || query.limit == 0 || query.offset >= total {
        return Ok(Page {
            items: Vec::new(),
            total,
        });
    }
    let membership = plan.membership(query, total, all_orders(conn)?);
    let (sql, mut params) = plan.page_sql(membership);
    params.push(SqlValue::Integer(i64::from(query.limit)));
    params.push(SqlValue::Integer(sql_count(query.offset)));
    let pks: Vec<i64> = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(params.iter()), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut items = Vec::with_capacity(pks.len());
    for pk in pks {
        // Read in the same snapshot as the keys: the row is there.
        if let Some(order) = get_by_pk(conn, pk)? {
            items.push(order);
        }
    }
    Ok(Page { items, total })
}

fn explain(conn: &Connection, sql: &str, params: &[SqlValue]) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let lines = stmt
        .query_map(params_from_iter(params.iter()), |r| r.get::<_, String>(3))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(lines)
}

/// SQLite's plans for one list query, as [`CentralStore::explain_order_query`] reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryPlan {
    /// `EXPLAIN QUERY PLAN` detail lines of the page query, in the shape the store chose.
    pub page: Vec<String>,
    /// The same for the total; empty when the running counts answer it.
    pub count: Vec<String>,
    /// Whether the page walks the order-date index probing child tables (rather than reading
    /// the child index first and sorting the matches).
    pub probing: bool,
}

impl CentralStore {
    /// One page of orders matching `query`, and how many match in all.
    pub fn list_orders(&self, query: &OrderQuery) -> Result<Page<StoredOrder>> {
        self.read(|conn| list(conn, query))
    }

    /// How SQLite runs `query` (for tests and diagnostics): the plan of the page, in the shape
    /// the store picks for the current data, and the plan of the total.
    pub fn explain_order_query(&self, query: &OrderQuery) -> Result<QueryPlan> {
        let plan = plan(query)?;
        self.read(|conn| {
            let total = plan.total(conn)?;
            let membership = plan.membership(query, total, all_orders(conn)?);
            let (sql, mut params) = plan.page_sql(membership);
            params.extend([SqlValue::Integer(20), SqlValue::Integer(0)]);
            let page = explain(conn, &sql, &params)?;
            let count = match plan.counted {
                Some(_) => Vec::new(),
                None => {
                    let (sql, params) = plan.conditions.count_sql();
                    explain(conn, &sql, &params)?
                }
            };
            Ok(QueryPlan {
                page,
                count,
                probing: membership == Membership::Probing,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_parameters_never_sql() {
        let q = OrderQuery {
            filters: vec![
                Filter::eq(OrderField::Customer, "x' OR 1=1 --"),
                Filter::new(OrderField::ItemState, Op::In, &["held", "pending"]),
            ],
            ..OrderQuery::default()
        };
        let p = plan(&q).unwrap();
        for membership in [Membership::Driving, Membership::Probing] {
            let (sql, params) = p.page_sql(membership);
            assert!(!sql.contains("OR 1=1"));
            assert_eq!(params.len(), 3);
            assert!(sql.contains("o.customer_id = ?"));
            assert!(sql.contains("state IN (?, ?)"));
        }
    }

    #[test]
    fn refuses_what_it_cannot_run() {
        let bad = [
            Filter::eq(OrderField::State, "nope"),
            Filter::eq(OrderField::Priority, "7"),
            Filter::eq(OrderField::OrderDate, "yesterday"),
            Filter::new(OrderField::State, Op::Gt, &["held"]),
            Filter::new(
                OrderField::OrderDate,
                Op::Gte,
                &["2026-01-01", "2026-02-01"],
            ),
            Filter::new(OrderField::Id, Op::In, &[]),
        ];
        for f in bad {
            let q = OrderQuery {
                filters: vec![f.clone()],
                ..OrderQuery::default()
            };
            assert!(
                matches!(plan(&q), Err(StoreError::InvalidQuery(_))),
                "{f:?}"
            );
        }
        let q = OrderQuery {
            sort: vec![(OrderField::ItemState, Direction::Asc)],
            ..OrderQuery::default()
        };
        assert!(matches!(plan(&q), Err(StoreError::InvalidQuery(_))));
    }

    #[test]
    fn dates_accept_rfc3339_and_plain_days() {
        assert_eq!(parse_date("2026-01-02"), parse_date("2026-01-02T00:00:00Z"));
        assert_eq!(
            parse_date("2026-01-02T01:00:00+01:00"),
            parse_date("2026-01-02T00:00:00Z")
        );
        assert!(parse_date("02/01/2026").is_none());
    }

    #[test]
    fn totals_from_running_counts_only_when_exact() {
        assert!(counted(&[]).is_some());
        assert!(counted(&[Filter::new(OrderField::State, Op::In, &["held", "pending"])]).is_some());
        assert!(counted(&[Filter::eq(OrderField::ItemState, "held")]).is_some());
        assert!(counted(&[Filter::new(
            OrderField::ItemState,
            Op::In,
            &["held", "pending"]
        )])
        .is_none());
        assert!(counted(&[
            Filter::eq(OrderField::State, "held"),
            Filter::eq(OrderField::Channel, "web")
        ])
        .is_none());
    }
}
