//! Order history search, for supervisors: the SERVER's orders (not only this desk's), by
//! customer, agent, channel, state and order-date range, paged, newest first. It reads the
//! server's TMF622 list with TMF630 filters; offline it fails with `offline` (the local store
//! holds only this desk's orders, which is not history).
//!
//! How each criterion reaches the server (what its list can filter on, from indexes):
//! * customer: an id, or words of a name. Names are not on the server's list, so the words are
//!   matched against the customers in the desk's reference data and become their ids
//!   (`relatedParty.id` = any of them, `relatedParty.role=customer`, the same party); text that
//!   names no known customer is taken as an id;
//! * agent: the user who captured the order at a desk, which the desk records as the order's
//!   `salesAgent` party (`relatedParty.id` + `relatedParty.role=salesAgent`). Orders that came
//!   in through an integration channel have none;
//! * channel: `channel.id`; state: `state`; dates: `orderDate.gte` / `.lt` / `.lte`.
//!
//! TMF630 party filters hold on one party, so a customer AND an agent cannot both go to the
//! server: then the customer's orders are read (at most [`MAX_SCAN`], newest first) and the
//! agent is matched here, the page cut from what matches.
//!
//! TMF622 lists carry no `ETag`: a row's version is the local copy's when this desk holds the
//! order, else read with one `GET` of the order per row. Nor do they carry the channel the
//! server recorded (the one `channel.id` filters on): a row's channel is the one searched for,
//! else the one the order's own JSON names, if any.

use chrono::{DateTime, Days, NaiveDate, Utc};
use orderdesk_domain::reference::CustomerDirectory;
use orderdesk_domain::{CustomerId, OrderState, ProductOrder};
use orderdesk_sync::client::ListQuery;
use orderdesk_sync::ServerOrder;

use crate::desk::{map_sync, Desk};
use crate::error::DeskError;
use crate::permission::Permission;
use crate::reference::ReferenceSnapshot;

/// The largest page.
pub const MAX_PAGE: u32 = 100;

/// How many of a customer's orders are read when the agent is matched at the desk.
pub const MAX_SCAN: u32 = 1000;

/// How many customers a name may stand for.
const MAX_CUSTOMERS: usize = 50;

/// The party role under which the desk records the agent who captured an order.
pub const AGENT_ROLE: &str = "salesAgent";

const ACTION: &str = "searching order history";

/// One end of an order-date range: a whole day (UTC) or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBound {
    Day(NaiveDate),
    Instant(DateTime<Utc>),
}

impl DateBound {
    /// `YYYY-MM-DD` or RFC 3339.
    pub fn parse(field: &str, s: &str) -> Result<Self, DeskError> {
        let s = s.trim();
        if let Ok(day) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(Self::Day(day));
        }
        DateTime::parse_from_rfc3339(s)
            .map(|t| Self::Instant(t.to_utc()))
            .map_err(|_| {
                DeskError::invalid(field, format!("`{s}` is neither YYYY-MM-DD nor RFC 3339"))
            })
    }
}

/// What to search for. Empty text criteria are no criteria.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryFilter {
    /// A customer id or words of the customer's name.
    pub customer: Option<String>,
    /// The user id of the agent who captured the order.
    pub agent: Option<String>,
    pub channel: Option<String>,
    pub state: Option<OrderState>,
    /// From this day or instant on.
    pub from: Option<DateBound>,
    /// Up to this instant, or to the end of this day.
    pub to: Option<DateBound>,
    pub offset: u32,
    pub limit: u32,
}

/// One order found.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    /// The server's id.
    pub order_id: String,
    /// The local id, when this desk holds the order.
    pub local_id: Option<String>,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub state: OrderState,
    pub channel: Option<String>,
    /// The agent who captured it (its `salesAgent` party), when one did.
    pub created_by: Option<String>,
    pub order_date: DateTime<Utc>,
    pub version: u32,
    pub items: usize,
}

/// A page of history and how many orders match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    pub items: Vec<HistoryRow>,
    pub total: u64,
}

/// How a search is carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchPlan {
    /// Nothing can match (a name no customer has): no request.
    Nothing,
    /// One list request, paged by the server.
    Server(ListQuery),
    /// The customer's orders, read whole (at most [`MAX_SCAN`]); the agent matched here.
    ScanForAgent { query: ListQuery, agent: String },
}

fn text(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The customers `text` names: the one whose id it is, else those whose name holds every word
/// of it (as word prefixes, any case); empty when it names none.
pub fn customers_named(
    text: &str,
    customers: &[orderdesk_domain::reference::Customer],
) -> Vec<CustomerId> {
    let text = text.trim();
    if let Some(c) = customers
        .iter()
        .find(|c| c.id.as_str().eq_ignore_ascii_case(text))
    {
        return vec![c.id.clone()];
    }
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    customers
        .iter()
        .filter(|c| {
            let name: Vec<String> = c
                .name
                .split(|ch: char| !ch.is_alphanumeric())
                .map(str::to_lowercase)
                .collect();
            words
                .iter()
                .all(|w| name.iter().any(|n| n.starts_with(w.as_str())))
        })
        .take(MAX_CUSTOMERS)
        .map(|c| c.id.clone())
        .collect()
}

/// The request(s) a filter needs, given the customers the desk knows.
pub fn plan(
    filter: &HistoryFilter,
    customers: &[orderdesk_domain::reference::Customer],
) -> SearchPlan {
    let mut query = ListQuery {
        sort: Some("-orderDate".to_owned()),
        ..ListQuery::default()
    };
    if let Some(state) = filter.state {
        query = query.filter("state", state.as_str());
    }
    if let Some(channel) = text(&filter.channel) {
        query = query.filter("channel.id", channel);
    }
    match filter.from {
        Some(DateBound::Day(d)) => query = query.filter("orderDate.gte", d.to_string()),
        Some(DateBound::Instant(t)) => query = query.filter("orderDate.gte", rfc3339(t)),
        None => {}
    }
    match filter.to {
        // The end of the day: before the next one starts (the last day chrono knows has none).
        Some(DateBound::Day(d)) => {
            if let Some(next) = d.checked_add_days(Days::new(1)) {
                query = query.filter("orderDate.lt", next.to_string());
            }
        }
        Some(DateBound::Instant(t)) => query = query.filter("orderDate.lte", rfc3339(t)),
        None => {}
    }
    let customer_ids = match text(&filter.customer) {
        None => None,
        Some(c) => {
            let ids = customers_named(c, customers);
            if !ids.is_empty() {
                Some(ids.iter().map(|i| i.to_string()).collect::<Vec<_>>())
            } else if c.split_whitespace().count() == 1 {
                // Not a customer the desk knows: maybe one it has not been told of.
                Some(vec![c.to_owned()])
            } else {
                return SearchPlan::Nothing;
            }
        }
    };
    let agent = text(&filter.agent).map(str::to_owned);
    let limit = filter.limit.clamp(1, MAX_PAGE);
    match (customer_ids, agent) {
        (Some(ids), Some(agent)) => SearchPlan::ScanForAgent {
            query: query
                .filter("relatedParty.id", ids.join(","))
                .filter("relatedParty.role", "customer")
                .page(0, MAX_SCAN),
            agent,
        },
        (Some(ids), None) => SearchPlan::Server(
            query
                .filter("relatedParty.id", ids.join(","))
                .filter("relatedParty.role", "customer")
                .page(filter.offset, limit),
        ),
        (None, Some(agent)) => SearchPlan::Server(
            query
                .filter("relatedParty.id", agent)
                .filter("relatedParty.role", AGENT_ROLE)
                .page(filter.offset, limit),
        ),
        (None, None) => SearchPlan::Server(query.page(filter.offset, limit)),
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The channel a TMF622 order names (v5 `channel[].channel.id`, or its `name`).
fn channel_in(body: &serde_json::Value) -> Option<String> {
    let first = body.get("channel")?.as_array()?.first()?;
    let channel = first.get("channel").unwrap_or(first);
    channel
        .get("id")
        .or_else(|| channel.get("name"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
}

/// The agent who captured `order` at a desk: its `salesAgent` party.
pub fn agent_of(order: &ProductOrder) -> Option<&str> {
    order
        .related_parties
        .iter()
        .find(|p| p.role.eq_ignore_ascii_case(AGENT_ROLE))
        .map(|p| p.id.as_str())
}

impl Desk {
    /// A page of the server's orders matching `filter`, newest first (see the module docs).
    pub async fn search_history(&self, filter: &HistoryFilter) -> Result<HistoryPage, DeskError> {
        self.require(Permission::ReadHistory)?;
        let reference = self.reference();
        let (found, total) = match plan(filter, reference.customers().customers()) {
            SearchPlan::Nothing => {
                return Ok(HistoryPage {
                    items: Vec::new(),
                    total: 0,
                })
            }
            SearchPlan::Server(query) => {
                let page = self
                    .client()
                    .list_orders(&query)
                    .await
                    .map_err(|e| map_sync(e, ACTION))?;
                let orders = self.readable(page.items)?;
                let total = page.total.unwrap_or_else(|| {
                    u64::from(filter.offset) + u64::try_from(orders.len()).unwrap_or(u64::MAX)
                });
                (orders, total)
            }
            SearchPlan::ScanForAgent { query, agent } => {
                let page = self
                    .client()
                    .list_orders(&query)
                    .await
                    .map_err(|e| map_sync(e, ACTION))?;
                let matching: Vec<(ServerOrder, ProductOrder)> = self
                    .readable(page.items)?
                    .into_iter()
                    .filter(|(_, o)| agent_of(o) == Some(agent.as_str()))
                    .collect();
                let total = u64::try_from(matching.len()).unwrap_or(u64::MAX);
                let limit = usize::try_from(filter.limit.clamp(1, MAX_PAGE)).unwrap_or(1);
                let offset = usize::try_from(filter.offset).unwrap_or(usize::MAX);
                (
                    matching.into_iter().skip(offset).take(limit).collect(),
                    total,
                )
            }
        };
        let channel = text(&filter.channel).map(str::to_owned);
        let mut items = Vec::with_capacity(found.len());
        let mut unversioned = tokio::task::JoinSet::new();
        for (index, (server, order)) in found.into_iter().enumerate() {
            let (row, known) = self.history_row(&server, &order, &reference, channel.clone())?;
            if !known {
                let client = self.client().clone();
                unversioned.spawn(async move { (index, client.get_order(&server.id).await) });
            }
            items.push(row);
        }
        // The versions no copy here knows: one GET per order, all at once.
        while let Some(joined) = unversioned.join_next().await {
            let (index, answer) = joined.map_err(|e| DeskError::Server {
                message: format!("reading an order's version failed: {e}"),
            })?;
            let version = answer.map_err(|e| map_sync(e, ACTION))?.version;
            if let (Some(row), Some(v)) = (items.get_mut(index), version) {
                row.version = v;
            }
        }
        Ok(HistoryPage { items, total })
    }

    /// The listed orders read into the domain model (an unreadable one is the server's fault).
    fn readable(
        &self,
        orders: Vec<ServerOrder>,
    ) -> Result<Vec<(ServerOrder, ProductOrder)>, DeskError> {
        orders
            .into_iter()
            .map(|s| match s.to_domain() {
                Ok(o) => Ok((s, o)),
                Err(e) => Err(DeskError::Unreadable {
                    order: s.id.clone(),
                    message: e.to_string(),
                }),
            })
            .collect()
    }

    /// The row of a listed order, and whether its version is known (from the answer, or from
    /// the copy this desk holds); an unknown one is the order's own until read.
    fn history_row(
        &self,
        server: &ServerOrder,
        order: &ProductOrder,
        reference: &ReferenceSnapshot,
        filtered_channel: Option<String>,
    ) -> Result<(HistoryRow, bool), DeskError> {
        let local = self
            .inner
            .local
            .find(&server.id)
            .map_err(DeskError::storage)?;
        let known = server
            .version
            .or_else(|| local.as_ref().and_then(|l| l.server_version));
        let row = HistoryRow {
            order_id: server.id.clone(),
            local_id: local.map(|l| l.order.id.to_string()),
            customer_id: order.customer.to_string(),
            customer_name: reference.customer(&order.customer).map(|c| c.name.clone()),
            state: order.state(),
            channel: filtered_channel.or_else(|| channel_in(&server.body)),
            created_by: agent_of(order).map(str::to_owned),
            order_date: order.order_date,
            version: known.unwrap_or(order.version),
            items: order.items.len(),
        };
        Ok((row, known.is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderdesk_fixtures::Fixtures;

    fn customers() -> Vec<orderdesk_domain::reference::Customer> {
        Fixtures::load_default()
            .unwrap()
            .customers()
            .customers()
            .to_vec()
    }

    fn pairs(plan: &SearchPlan) -> Vec<(String, String)> {
        let q = match plan {
            SearchPlan::Server(q) | SearchPlan::ScanForAgent { query: q, .. } => q,
            SearchPlan::Nothing => return Vec::new(),
        };
        let mut out = q.filters.clone();
        out.push(("offset".into(), q.offset.unwrap_or(0).to_string()));
        out.push(("limit".into(), q.limit.unwrap_or(0).to_string()));
        out
    }

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[test]
    fn dates_are_days_or_instants() {
        assert_eq!(
            DateBound::parse("from", "2026-11-26").unwrap(),
            DateBound::Day(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap())
        );
        assert!(matches!(
            DateBound::parse("to", "2026-11-26T10:00:00+01:00").unwrap(),
            DateBound::Instant(t) if t.to_rfc3339() == "2026-11-26T09:00:00+00:00"
        ));
        let e = DateBound::parse("to", "yesterday").unwrap_err();
        assert_eq!(e.code(), "invalidInput");
        assert!(e.to_string().contains("`to`"), "{e}");
    }

    #[test]
    fn names_become_the_customers_ids() {
        let all = customers();
        let someone = &all[0];
        assert_eq!(
            customers_named(someone.id.as_str(), &all),
            vec![someone.id.clone()]
        );
        let lower = someone.id.as_str().to_lowercase();
        assert_eq!(customers_named(&lower, &all), vec![someone.id.clone()]);
        let first_word = someone.name.split_whitespace().next().unwrap();
        let prefix: String = first_word
            .chars()
            .take(3)
            .collect::<String>()
            .to_uppercase();
        assert!(customers_named(&prefix, &all).contains(&someone.id));
        assert!(customers_named("zzzz qqqq", &all).is_empty());
        assert!(customers_named("  ", &all).is_empty());
    }

    #[test]
    fn each_criterion_becomes_a_tmf630_filter() {
        let all = customers();
        let id = all[0].id.to_string();
        let cases: Vec<(HistoryFilter, Vec<(String, String)>)> = vec![
            (
                HistoryFilter {
                    limit: 20,
                    ..HistoryFilter::default()
                },
                vec![p("offset", "0"), p("limit", "20")],
            ),
            (
                HistoryFilter {
                    state: Some(OrderState::Held),
                    channel: Some(" desk ".into()),
                    from: Some(DateBound::parse("from", "2026-11-01").unwrap()),
                    to: Some(DateBound::parse("to", "2026-11-30").unwrap()),
                    offset: 40,
                    limit: 500,
                    ..HistoryFilter::default()
                },
                vec![
                    p("state", "held"),
                    p("channel.id", "desk"),
                    p("orderDate.gte", "2026-11-01"),
                    p("orderDate.lt", "2026-12-01"),
                    p("offset", "40"),
                    p("limit", "100"),
                ],
            ),
            (
                HistoryFilter {
                    to: Some(DateBound::parse("to", "2026-11-30T12:00:00Z").unwrap()),
                    customer: Some(id.clone()),
                    limit: 10,
                    ..HistoryFilter::default()
                },
                vec![
                    p("orderDate.lte", "2026-11-30T12:00:00.000Z"),
                    p("relatedParty.id", &id),
                    p("relatedParty.role", "customer"),
                    p("offset", "0"),
                    p("limit", "10"),
                ],
            ),
            (
                HistoryFilter {
                    agent: Some("U-AGENT-1".into()),
                    customer: Some("".into()),
                    limit: 10,
                    ..HistoryFilter::default()
                },
                vec![
                    p("relatedParty.id", "U-AGENT-1"),
                    p("relatedParty.role", "salesAgent"),
                    p("offset", "0"),
                    p("limit", "10"),
                ],
            ),
            (
                // An id the desk does not know is still asked for.
                HistoryFilter {
                    customer: Some("CUST-NEW-9".into()),
                    limit: 5,
                    ..HistoryFilter::default()
                },
                vec![
                    p("relatedParty.id", "CUST-NEW-9"),
                    p("relatedParty.role", "customer"),
                    p("offset", "0"),
                    p("limit", "5"),
                ],
            ),
        ];
        for (filter, expected) in cases {
            let plan = plan(&filter, &all);
            assert!(matches!(plan, SearchPlan::Server(_)), "{filter:?}");
            assert_eq!(pairs(&plan), expected, "{filter:?}");
        }
    }

    #[test]
    fn customer_and_agent_together_are_matched_at_the_desk() {
        let all = customers();
        let id = all[0].id.to_string();
        let filter = HistoryFilter {
            customer: Some(id.clone()),
            agent: Some("U-AGENT-1".into()),
            offset: 20,
            limit: 10,
            ..HistoryFilter::default()
        };
        let plan = plan(&filter, &all);
        let SearchPlan::ScanForAgent { agent, .. } = &plan else {
            panic!("{plan:?}");
        };
        assert_eq!(agent, "U-AGENT-1");
        assert_eq!(
            pairs(&plan),
            vec![
                p("relatedParty.id", &id),
                p("relatedParty.role", "customer"),
                p("offset", "0"),
                p("limit", &MAX_SCAN.to_string()),
            ]
        );
    }

    #[test]
    fn a_name_no_customer_has_asks_nothing() {
        let filter = HistoryFilter {
            customer: Some("zzzz qqqq".into()),
            limit: 10,
            ..HistoryFilter::default()
        };
        assert_eq!(plan(&filter, &customers()), SearchPlan::Nothing);
    }

    #[tokio::test]
    async fn history_needs_a_supervisor_and_the_server() {
        use crate::progress::tests::offline_desk;
        let (agent, _a) = offline_desk(crate::Role::Agent).await;
        let filter = HistoryFilter {
            limit: 20,
            ..HistoryFilter::default()
        };
        let e = agent.search_history(&filter).await.unwrap_err();
        assert_eq!(e.code(), "forbidden", "{e}");

        let (supervisor, _s) = offline_desk(crate::Role::Supervisor).await;
        let e = supervisor.search_history(&filter).await.unwrap_err();
        assert_eq!(e.code(), "offline", "{e}");
        // Nothing to ask: answered without the server.
        let nobody = HistoryFilter {
            customer: Some("zzzz qqqq".into()),
            ..filter
        };
        let page = supervisor.search_history(&nobody).await.unwrap();
        assert_eq!(
            page,
            HistoryPage {
                items: Vec::new(),
                total: 0
            }
        );
    }

    #[test]
    fn the_channel_is_read_from_either_spelling() {
        let v5 = serde_json::json!({"channel": [{"role": "sales", "channel": {"id": "web"}}]});
        assert_eq!(channel_in(&v5).as_deref(), Some("web"));
        let named = serde_json::json!({"channel": [{"name": "partner"}]});
        assert_eq!(channel_in(&named).as_deref(), Some("partner"));
        assert_eq!(channel_in(&serde_json::json!({})), None);
        assert_eq!(channel_in(&serde_json::json!({"channel": []})), None);
    }
}
