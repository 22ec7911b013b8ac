//! TMF622 v5 create bodies shaped like the fixture quotes (what a CPQ channel sends), each with
//! an `externalId` no other request uses, so that the server's idempotency never turns a create
//! into a replay.
//!
//! Built the way the server's API tests build theirs: the quote becomes a domain order
//! ([`Fixtures::order_from_quote`]), written as v5 JSON, with the fields only the server sets
//! removed. Each template is serialised once, split at the external id, and a body is the two
//! halves around `{run}-{n}`: a request costs the client a copy, not a serialisation.

use anyhow::{bail, Context};
use chrono::{DateTime, TimeZone, Utc};
use orderdesk_domain::OrderId;
use orderdesk_fixtures::Fixtures;
use orderdesk_tmf::v5;
use serde_json::{json, Value};

/// The owner of the external ids the load generator writes.
pub const OWNER: &str = "loadgen";

/// Fields of a v5 order a client does not send.
const SERVER_FIELDS: &[&str] = &[
    "id",
    "href",
    "state",
    "orderDate",
    "creationDate",
    "completionDate",
    "expectedCompletionDate",
    "requestedInitialState",
    "productOrderErrorMessage",
    "productOrderMilestone",
    "productOrderJeopardyAlert",
];

const MARK: &str = "@@EXTERNAL-ID@@";

/// The day the fixture quotes are dated (and valid on).
pub fn fixture_day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0)
        .single()
        .unwrap_or_default()
}

/// One quote's body, split around its external id.
#[derive(Debug, Clone)]
struct Template {
    quote: String,
    head: String,
    tail: String,
}

#[derive(Debug, Clone)]
pub struct CreateBodies {
    templates: Vec<Template>,
    run: String,
}

/// The v5 create body of `quote`, with `external_id` as its only external id.
pub fn v5_create_body(
    fixtures: &Fixtures,
    quote: &str,
    external_id: &str,
) -> anyhow::Result<Value> {
    let order = fixtures
        .order_from_quote(quote, OrderId::new("loadgen"), fixture_day())
        .with_context(|| format!("quote `{quote}` does not make an order"))?;
    let mut body = serde_json::to_value(v5::from_domain(&order, "http://loadgen.invalid"))
        .context("cannot write the order as v5 JSON")?;
    let Some(obj) = body.as_object_mut() else {
        bail!("a v5 order is not a JSON object");
    };
    for f in SERVER_FIELDS {
        obj.remove(*f);
    }
    if let Some(items) = obj
        .get_mut("productOrderItem")
        .and_then(Value::as_array_mut)
    {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            item.remove("state");
        }
    }
    obj.insert(
        "externalId".to_owned(),
        json!([{ "id": external_id, "owner": OWNER, "@type": "ExternalIdentifier" }]),
    );
    Ok(body)
}

impl CreateBodies {
    /// Templates of `quotes` (every fixture quote when empty); `run` makes this run's external
    /// ids distinct from any other run's.
    pub fn new(fixtures: &Fixtures, quotes: &[String], run: &str) -> anyhow::Result<Self> {
        let ids: Vec<String> = if quotes.is_empty() {
            fixtures.quotes().iter().map(|q| q.id.clone()).collect()
        } else {
            quotes.to_vec()
        };
        let mut templates = Vec::with_capacity(ids.len());
        for quote in ids {
            let body = v5_create_body(fixtures, &quote, MARK)?;
            let text = serde_json::to_string(&body).context("cannot serialise a body")?;
            let Some((head, tail)) = text.split_once(MARK) else {
                bail!("quote `{quote}`: the external id mark went missing");
            };
            templates.push(Template {
                quote,
                head: head.to_owned(),
                tail: tail.to_owned(),
            });
        }
        if templates.is_empty() {
            bail!("no quotes to build create bodies from");
        }
        Ok(Self {
            templates,
            run: run.to_owned(),
        })
    }

    /// The quotes, in the order bodies cycle through them.
    pub fn quotes(&self) -> Vec<&str> {
        self.templates.iter().map(|t| t.quote.as_str()).collect()
    }

    /// Body number `n`: quote `n mod quotes`, external id `{run}-{n}`.
    pub fn body(&self, n: u64) -> Vec<u8> {
        let t = &self.templates[(n % self.templates.len() as u64) as usize];
        let id = format!("{}-{n}", self.run);
        let mut out = Vec::with_capacity(t.head.len() + id.len() + t.tail.len());
        out.extend_from_slice(t.head.as_bytes());
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(t.tail.as_bytes());
        out
    }
}

/// A run id unlikely to repeat: the start time in milliseconds and the process id.
pub fn run_id() -> String {
    format!("LG{}-{}", Utc::now().timestamp_millis(), std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_differ_only_by_external_id_and_parse_as_v5() {
        let fixtures = Fixtures::load_default().unwrap();
        let bodies = CreateBodies::new(&fixtures, &[], "T").unwrap();
        let n = bodies.quotes().len() as u64;
        assert!(n > 5);
        let a: Value = serde_json::from_slice(&bodies.body(0)).unwrap();
        let b: Value = serde_json::from_slice(&bodies.body(n)).unwrap();
        assert_eq!(a["externalId"][0]["id"], "T-0");
        assert_eq!(b["externalId"][0]["id"], format!("T-{n}"));
        let (mut a2, mut b2) = (a.clone(), b.clone());
        a2.as_object_mut().unwrap().remove("externalId");
        b2.as_object_mut().unwrap().remove("externalId");
        assert_eq!(a2, b2);
        for i in 0..n {
            let body = bodies.body(i);
            let wire: v5::ProductOrderFvo = orderdesk_tmf::from_slice(&body).unwrap();
            assert!(!wire.product_order_item.is_empty());
        }
    }
}
