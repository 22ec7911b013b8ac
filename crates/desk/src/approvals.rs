//! Credit exceptions, for supervisors: the credit referrals and deposit waits with the
//! customer's exposure, and the three decisions (approve, require a deposit, decline).
//!
//! Every decision needs the supervisor's running claim on the entry, which only the server
//! holds, and the server re-validates; so decisions need the server and are never queued.
//! The list is read from the server when it can be reached, else from the local queue mirror
//! (without the exposure figures).

use chrono::{DateTime, Utc};
use orderdesk_domain::desk::QueueKind;
use orderdesk_domain::Money;
use orderdesk_store::local::{LocalQueueEntry, LocalQueueQuery};
use orderdesk_sync::client::desk::QueueEntry as ServerEntry;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

use crate::desk::{map_sync, Desk};
use crate::error::DeskError;
use crate::permission::Permission;
use crate::queue::mirror_entry;

/// The fine-grained queues of a credit exception.
pub const CREDIT_QUEUES: &[&str] = &["creditReferral", "deposit"];

/// A credit exception as the approvals screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditException {
    pub entry: LocalQueueEntry,
    /// `creditReferral` or `deposit`.
    pub queue: String,
    /// The server's figures (none offline).
    pub figures: Option<CreditFigures>,
}

/// The customer's credit and what the order adds, as the server computed them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreditFigures {
    /// Bureau score, 0..=999.
    pub score: Option<u16>,
    pub checked_at: Option<DateTime<Utc>>,
    pub monthly_exposure: Option<Money>,
    pub exposure_limit: Option<Money>,
    pub arrears: Option<Money>,
    /// Monthly charges the order adds and removes.
    pub charges_added: Option<Money>,
    pub charges_removed: Option<Money>,
    /// The monthly exposure once the order is delivered.
    pub exposure_after: Option<Money>,
    pub within_limit: Option<bool>,
}

/// TMF `Money` JSON (`{unit, value}`, the value a number or a string).
fn money(v: Option<&Value>) -> Option<Money> {
    let v = v?;
    let amount = match v.get("value")? {
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok()?,
        Value::String(s) => Decimal::from_str(s.trim()).ok()?,
        _ => return None,
    };
    let unit = v.get("unit").and_then(Value::as_str).unwrap_or("EUR");
    Some(Money::new(amount, unit))
}

fn at<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    v.and_then(|v| v.get(key))
}

/// Reads the figures a server credit-exception row carries.
pub fn figures(row: &ServerEntry) -> CreditFigures {
    let profile = row.extra.get("creditProfile");
    let charges = row.extra.get("newMonthlyCharges");
    let exposure = row.extra.get("exposure");
    CreditFigures {
        score: at(profile, "score")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok()),
        checked_at: at(profile, "checkedAt").and_then(|v| serde_json::from_value(v.clone()).ok()),
        monthly_exposure: money(at(profile, "monthlyExposure")),
        exposure_limit: money(at(profile, "exposureLimit")),
        arrears: money(at(profile, "arrears")),
        charges_added: money(at(charges, "added")),
        charges_removed: money(at(charges, "removed")),
        exposure_after: money(at(exposure, "after")),
        within_limit: at(exposure, "withinLimit").and_then(Value::as_bool),
    }
}

fn of_server(row: &ServerEntry) -> Option<CreditException> {
    Some(CreditException {
        entry: mirror_entry(row)?,
        queue: row.queue.clone(),
        figures: Some(figures(row)),
    })
}

fn queue_of(entry: &LocalQueueEntry) -> Option<String> {
    entry
        .detail
        .as_ref()
        .and_then(|d| d.get("queue"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn non_empty(field: &str, text: &str) -> Result<String, DeskError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DeskError::invalid(field, "empty"));
    }
    Ok(t.to_owned())
}

impl Desk {
    /// The credit exceptions (`queue`: `creditReferral`, `deposit`, or both).
    pub async fn credit_exceptions(
        &self,
        queue: Option<&str>,
    ) -> Result<Vec<CreditException>, DeskError> {
        self.require(Permission::DecideCredit)?;
        if let Some(q) = queue {
            if !CREDIT_QUEUES.contains(&q) {
                return Err(DeskError::invalid(
                    "queue",
                    format!("`{q}` is not a credit queue"),
                ));
            }
        }
        match self
            .client()
            .credit_exceptions(queue, None, Some(500))
            .await
        {
            Ok(page) => Ok(page.items.iter().filter_map(of_server).collect()),
            Err(orderdesk_sync::SyncError::Offline(_)) => self.mirrored_exceptions(queue),
            Err(e) => Err(map_sync(e, "reading credit exceptions")),
        }
    }

    fn mirrored_exceptions(&self, queue: Option<&str>) -> Result<Vec<CreditException>, DeskError> {
        let mut out = Vec::new();
        for kind in [QueueKind::Held, QueueKind::Pending] {
            let page = self
                .inner
                .store
                .list_queue(&LocalQueueQuery::first_page(kind, self.now(), 500))
                .map_err(DeskError::storage)?;
            for entry in page.items {
                let Some(q) = queue_of(&entry) else { continue };
                if !CREDIT_QUEUES.contains(&q.as_str()) || queue.is_some_and(|w| w != q) {
                    continue;
                }
                out.push(CreditException {
                    entry,
                    queue: q,
                    figures: None,
                });
            }
        }
        Ok(out)
    }

    /// Approves the referral: the order is validated again without credit vetting.
    pub async fn approve_credit(&self, order: &str, reason: &str) -> Result<(), DeskError> {
        self.require(Permission::DecideCredit)?;
        let reason = non_empty("reason", reason)?;
        let sid = self.server_order_id(order, "approving credit")?;
        let server = self
            .client()
            .approve_credit(&sid, &reason, None)
            .await
            .map_err(|e| map_sync(e, "approving credit"))?;
        self.after_action(&sid, &server).await;
        Ok(())
    }

    /// Asks for a deposit of `amount`: the order waits (`pending`) until it is recorded.
    pub async fn require_deposit(
        &self,
        order: &str,
        amount: &Money,
        reason: &str,
    ) -> Result<(), DeskError> {
        self.require(Permission::DecideCredit)?;
        let reason = non_empty("reason", reason)?;
        if amount.amount <= rust_decimal::Decimal::ZERO {
            return Err(DeskError::invalid("amount", "must be more than zero"));
        }
        let sid = self.server_order_id(order, "requiring a deposit")?;
        let value = amount.amount.normalize().to_string();
        let server = self
            .client()
            .require_deposit(&sid, &value, Some(&amount.currency), &reason, None)
            .await
            .map_err(|e| map_sync(e, "requiring a deposit"))?;
        self.after_action(&sid, &server).await;
        Ok(())
    }

    /// Declines the referral: the order is cancelled.
    pub async fn decline_credit(&self, order: &str, reason: &str) -> Result<(), DeskError> {
        self.require(Permission::DecideCredit)?;
        let reason = non_empty("reason", reason)?;
        let sid = self.server_order_id(order, "declining credit")?;
        let server = self
            .client()
            .decline_credit(&sid, &reason, None)
            .await
            .map_err(|e| map_sync(e, "declining credit"))?;
        self.after_action(&sid, &server).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_figures_are_read_exactly() {
        let row: ServerEntry = serde_json::from_value(serde_json::json!({
            "orderId": "O-1", "kind": "held", "queue": "creditReferral", "state": "held",
            "orderVersion": 2, "priority": "4", "effectivePriority": "4",
            "waitingSince": "2026-11-26T10:00:00Z", "ageSeconds": 0,
            "creditProfile": {"score": 512, "monthlyExposure": {"unit": "EUR", "value": 120.5},
                "exposureLimit": {"unit": "EUR", "value": 150}, "arrears": {"unit": "EUR", "value": 0},
                "checkedAt": "2026-11-20T00:00:00Z"},
            "newMonthlyCharges": {"added": {"unit": "EUR", "value": 49.95},
                "removed": {"unit": "EUR", "value": 0}, "otherCurrencies": []},
            "exposure": {"current": {"unit": "EUR", "value": 120.5},
                "after": {"unit": "EUR", "value": 170.45}, "limit": {"unit": "EUR", "value": 150},
                "withinLimit": false}
        }))
        .unwrap();
        let f = figures(&row);
        assert_eq!(f.score, Some(512));
        assert_eq!(
            f.exposure_after,
            Some(Money::new(Decimal::new(17045, 2), "EUR"))
        );
        assert_eq!(f.within_limit, Some(false));
        assert_eq!(
            f.charges_added,
            Some(Money::new(Decimal::new(4995, 2), "EUR"))
        );
        assert!(f.checked_at.is_some());
    }
}
