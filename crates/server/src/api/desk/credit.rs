//! Credit exceptions (`{BASE}/creditExceptions`): orders credit vetting referred to a
//! supervisor, and orders waiting for a deposit.
//!
//! * `GET creditExceptions` lists them (work order) with the customer's credit profile (score,
//!   exposure, limit, arrears, bureau date) and what the order adds to the monthly bill, so the
//!   exposure after it and whether that is within the limit.
//! * A supervisor decides ([`Permission::DecideCredit`]; agents and the back office get 403):
//!   `approve` (the order is validated again with credit vetting waived and goes on into
//!   fulfilment, or to the next queue a less pressing hold sends it to), `requireDeposit`
//!   (→ `pending`, reason `deposit required: <amount>: <reason>`), `decline` (→ `cancelled`
//!   with the reason).
//! * `depositRecorded` (back office or supervisor, [`Permission::WorkQueue`]) releases an order
//!   pending for its deposit the way an approval does.
//!
//! Every decision needs the caller's claim on the queue entry, like any desk action.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use orderdesk_domain::desk::QueueKind;
use orderdesk_domain::lifecycle::OrderCommand;
use orderdesk_domain::{ItemAction, Money};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};
use std::str::FromStr;

use super::queue::{decide, load_board, row_json, ReasonBody, Row};
use super::triage::{self, DeskQueue, DEPOSIT_REASON_PREFIX};
use super::{
    act, check_claim, load_waiting, note_by, number, optional_text, order_response, require_body,
    resolution_steps, text, unknown_attribute, Waiting, BASE,
};
use crate::api::{check_if_match, json_response, query_pairs, RequestBody, Routes};
use crate::auth::{Permission, User};
use crate::error::ApiError;
use crate::state::AppState;
use crate::tmf630::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::workflow;

pub fn routes() -> Routes {
    Routes::new()
        .get(&format!("{BASE}/creditExceptions"), list)
        .post(
            &format!("{BASE}/creditExceptions/{{orderId}}/approve"),
            approve,
        )
        .post(
            &format!("{BASE}/creditExceptions/{{orderId}}/requireDeposit"),
            require_deposit,
        )
        .post(
            &format!("{BASE}/creditExceptions/{{orderId}}/depositRecorded"),
            deposit_recorded,
        )
        .post(
            &format!("{BASE}/creditExceptions/{{orderId}}/decline"),
            decline,
        )
}

/// TMF `Money` JSON (`{unit, value}`), the value as an exact JSON number.
pub fn money_json(m: &Money) -> Value {
    let value = serde_json::Number::from_str(&m.amount.round_dp(2).normalize().to_string())
        .map(Value::Number)
        .unwrap_or_else(|_| Value::String(m.amount.to_string()));
    json!({ "unit": m.currency, "value": value })
}

/// The currency the order's charges are weighed in: the customer's credit limit's, else the
/// first added offering's price, else euros.
fn currency_of(state: &AppState, row: &Row) -> String {
    if let Some(profile) = state.customers().credit_profile(&row.entry.customer) {
        return profile.exposure_limit.currency.clone();
    }
    row.stored
        .order
        .items
        .iter()
        .filter(|i| i.action == ItemAction::Add)
        .filter_map(|i| {
            i.offering
                .as_ref()
                .and_then(|o| state.catalog().offering(o))
        })
        .find_map(|o| o.monthly_charge().map(|m| m.currency.clone()))
        .unwrap_or_else(|| "EUR".to_owned())
}

fn exception_json(
    state: &AppState,
    row: &Row,
    names: &super::Names,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    let mut value = row_json(state, row, names, now);
    let currency = currency_of(state, row);
    let charges = triage::new_monthly_charges(&row.stored.order, state.catalog(), &currency);
    let profile = state.customers().credit_profile(&row.entry.customer);
    let exposure = profile.map(|p| {
        let after = p
            .monthly_exposure
            .amount
            .checked_add(charges.added.amount)
            .and_then(|e| e.checked_sub(charges.removed.amount))
            .unwrap_or(Decimal::MAX)
            .max(Decimal::ZERO);
        json!({
            "current": money_json(&p.monthly_exposure),
            "after": money_json(&Money::new(after, currency.clone())),
            "limit": money_json(&p.exposure_limit),
            "withinLimit": after <= p.exposure_limit.amount,
        })
    });
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "creditProfile".to_owned(),
            profile.map_or(Value::Null, |p| {
                json!({
                    "score": p.score,
                    "monthlyExposure": money_json(&p.monthly_exposure),
                    "exposureLimit": money_json(&p.exposure_limit),
                    "arrears": money_json(&p.arrears),
                    "checkedAt": p.checked_at,
                })
            }),
        );
        obj.insert(
            "newMonthlyCharges".to_owned(),
            json!({
                "added": money_json(&charges.added),
                "removed": money_json(&charges.removed),
                "otherCurrencies": charges.foreign,
            }),
        );
        obj.insert("exposure".to_owned(), exposure.unwrap_or(Value::Null));
    }
    value
}

async fn list(State(state): State<AppState>, user: User, uri: Uri) -> Result<Response, ApiError> {
    user.require(Permission::DecideCredit)?;
    let mut queues = Vec::new();
    let (mut offset, mut limit) = (0usize, DEFAULT_LIMIT as usize);
    for (key, value) in query_pairs(&uri)? {
        match key.as_str() {
            "queue" => {
                for v in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                    match DeskQueue::parse(v).filter(|q| q.is_credit()) {
                        Some(q) => queues.push(q),
                        None => {
                            return Err(ApiError::bad_field(
                                "invalidQuery",
                                "queue",
                                format!("`{v}` is not a credit queue: creditReferral or deposit"),
                            ))
                        }
                    }
                }
            }
            "offset" => offset = number("offset", &value)?,
            "limit" => limit = number::<usize>("limit", &value)?.min(MAX_LIMIT as usize),
            other => return Err(unknown_attribute(other)),
        }
    }
    let store_kind = match queues.as_slice() {
        [DeskQueue::CreditReferral] => Some(QueueKind::Held),
        [DeskQueue::Deposit] => Some(QueueKind::Pending),
        _ => None,
    };
    let now = state.now();
    let (rows, names) = load_board(&state, store_kind, now).await?;
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| r.queue.is_credit() && (queues.is_empty() || queues.contains(&r.queue)))
        .collect();
    let page: Vec<Value> = rows
        .iter()
        .skip(offset)
        .take(limit)
        .map(|r| exception_json(&state, r, &names, now))
        .collect();
    let count = page.len();
    let mut response = json_response(StatusCode::OK, &Value::Array(page));
    let headers = response.headers_mut();
    headers.insert("X-Total-Count", HeaderValue::from(rows.len()));
    headers.insert("X-Result-Count", HeaderValue::from(count));
    Ok(response)
}

/// The order must wait in one of `queues`.
fn in_queue(waiting: &Waiting, queues: &[DeskQueue]) -> Result<(), ApiError> {
    if queues.contains(&waiting.queue) {
        return Ok(());
    }
    Err(ApiError::conflict(
        "notACreditException",
        format!(
            "order `{}` is `{}` in the `{}` queue; this decision is for the {} queue",
            waiting.stored.order.id,
            waiting.stored.order.state(),
            waiting.queue,
            queues
                .iter()
                .map(|q| q.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    ))
}

/// Approve and deposit-recorded: validate again with credit vetting waived, and hand over.
async fn release_credit(
    state: &AppState,
    user: &User,
    id: &str,
    headers: &HeaderMap,
    queues: &[DeskQueue],
    why: impl FnOnce(DeskQueue) -> String,
    note: Option<String>,
) -> Result<Response, ApiError> {
    let waiting = load_waiting(state, id).await?;
    check_if_match(headers, waiting.stored.order.version)?;
    in_queue(&waiting, queues)?;
    let now = state.now();
    let order = &waiting.stored.order;
    check_claim(
        Some(&waiting.entry),
        &order.id,
        &user.id,
        now,
        &waiting.names,
    )?;
    let plan = triage::credit_approval(waiting.queue, order)
        .map_err(|e| ApiError::conflict("notACreditException", e.to_string()))?;
    let note = note.map(|n| note_by(user, &n, now));
    let steps =
        resolution_steps(state, order, &plan, &user.id, why(waiting.queue), note, now).await?;
    let order = act(state, user, &waiting, steps, now).await?;
    workflow::hand_over(state, &order).await;
    order_response(state, &waiting.stored, &order, StatusCode::OK)
}

async fn approve(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::DecideCredit)?;
    let body: ReasonBody = require_body(&body)?;
    let reason = text("reason", &body.reason)?;
    release_credit(
        &state,
        &user,
        &id,
        &headers,
        &[DeskQueue::CreditReferral, DeskQueue::Deposit],
        |queue| format!("credit approved ({queue} queue): {reason}"),
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MoneyBody {
    value: serde_json::Number,
    unit: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DepositBody {
    amount: MoneyBody,
    reason: String,
}

/// A positive amount with at most two decimals, and its ISO 4217 currency if the body names
/// one.
fn deposit_amount(body: &MoneyBody) -> Result<(Decimal, Option<String>), ApiError> {
    let bad = |why: String| ApiError::bad_field("invalidField", "amount.value", why);
    let text = body.value.to_string();
    let amount = Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| bad(format!("`{text}` is not an amount")))?;
    if amount <= Decimal::ZERO || amount.round_dp(2) != amount {
        return Err(bad(format!(
            "a deposit is a positive amount in cents, not {amount}"
        )));
    }
    let currency = match body.unit.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(unit) if unit.len() == 3 && unit.chars().all(|c| c.is_ascii_uppercase()) => {
            Some(unit.to_owned())
        }
        Some(unit) => {
            return Err(ApiError::bad_field(
                "invalidField",
                "amount.unit",
                format!("`{unit}` is not an ISO 4217 currency code"),
            ))
        }
    };
    Ok((amount, currency))
}

async fn require_deposit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::DecideCredit)?;
    let body: DepositBody = require_body(&body)?;
    let reason = text("reason", &body.reason)?;
    let (value, unit) = deposit_amount(&body.amount)?;
    let st = &state;
    decide(&state, &user, &id, &headers, |w| {
        in_queue(w, &[DeskQueue::CreditReferral])?;
        // Unless told otherwise, the deposit is in the currency of the customer's credit limit.
        let currency = unit
            .or_else(|| {
                st.customers()
                    .credit_profile(&w.stored.order.customer)
                    .map(|p| p.exposure_limit.currency.clone())
            })
            .unwrap_or_else(|| "EUR".to_owned());
        let pend = format!(
            "{DEPOSIT_REASON_PREFIX}{}: {reason}",
            Money::new(value, currency)
        );
        Ok((
            OrderCommand::Pend {
                reason: pend.clone(),
            },
            format!("credit decision: {pend}"),
        ))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DepositRecordedBody {
    reference: String,
    note: Option<String>,
}

async fn deposit_recorded(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::WorkQueue)?;
    let body: DepositRecordedBody = require_body(&body)?;
    let reference = text("reference", &body.reference)?;
    let note = optional_text("note", body.note.as_deref())?;
    release_credit(
        &state,
        &user,
        &id,
        &headers,
        &[DeskQueue::Deposit],
        |_| format!("deposit recorded: {reference}"),
        note,
    )
    .await
}

async fn decline(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RequestBody,
) -> Result<Response, ApiError> {
    user.require(Permission::DecideCredit)?;
    let body: ReasonBody = require_body(&body)?;
    let reason = text("reason", &body.reason)?;
    decide(&state, &user, &id, &headers, |w| {
        in_queue(w, &[DeskQueue::CreditReferral, DeskQueue::Deposit])?;
        let why = format!("credit declined: {reason}");
        Ok((
            OrderCommand::Cancel {
                reason: why.clone(),
            },
            why,
        ))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(value: &str, unit: Option<&str>) -> MoneyBody {
        MoneyBody {
            value: serde_json::Number::from_str(value).unwrap(),
            unit: unit.map(str::to_owned),
        }
    }

    #[test]
    fn deposits_are_positive_cents_in_a_currency() {
        assert_eq!(
            deposit_amount(&body("150.5", None)).unwrap(),
            (Decimal::new(1505, 1), None)
        );
        assert_eq!(
            deposit_amount(&body("20", Some("USD")))
                .unwrap()
                .1
                .as_deref(),
            Some("USD")
        );
        for (v, unit) in [
            ("0", None),
            ("-5", None),
            ("1.001", None),
            ("10", Some("euro")),
        ] {
            assert!(deposit_amount(&body(v, unit)).is_err(), "{v} {unit:?}");
        }
    }

    #[test]
    fn money_is_written_as_an_exact_number() {
        let v = money_json(&Money::new(Decimal::new(20235, 2), "EUR"));
        assert_eq!(v["unit"], "EUR");
        assert_eq!(v["value"].to_string(), "202.35");
    }
}
