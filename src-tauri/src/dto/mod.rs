//! The IPC data shapes (`specta::Type`, camelCase), one module per screen area, and their
//! conversions: domain and desk values become DTOs here, and DTOs the UI sends back become
//! domain values once, through `TryFrom`, naming the field at fault. No 64-bit integers cross
//! IPC (JavaScript numbers): counts and versions are `u32`, times RFC 3339 strings, money a
//! decimal string and a currency.

pub mod approvals;
pub mod capture;
pub mod catalog;
pub mod history;
pub mod orders;
pub mod progress;
pub mod queue;
pub mod session;
pub mod sync;

use chrono::{DateTime, Utc};
use orderdesk_domain::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::str::FromStr;

use crate::error::IpcError;

/// An amount of money: `amount` is a decimal string (`"49.95"`), never a float.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MoneyDto {
    pub amount: String,
    pub currency: String,
}

impl From<&Money> for MoneyDto {
    fn from(m: &Money) -> Self {
        Self {
            amount: m.amount.normalize().to_string(),
            currency: m.currency.clone(),
        }
    }
}

impl MoneyDto {
    pub fn parse(&self, field: &str) -> Result<Money, IpcError> {
        let amount = Decimal::from_str(self.amount.trim())
            .map_err(|_| invalid(field, format!("`{}` is not an amount", self.amount)))?;
        let currency = self.currency.trim();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(invalid(
                field,
                format!("`{currency}` is not an ISO 4217 code"),
            ));
        }
        Ok(Money::new(amount, currency.to_ascii_uppercase()))
    }
}

/// RFC 3339, to the millisecond, `Z`.
pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn opt_time(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(time)
}

pub fn parse_time(field: &str, s: &str) -> Result<DateTime<Utc>, IpcError> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.to_utc())
        .map_err(|_| invalid(field, format!("`{s}` is not an RFC 3339 time")))
}

pub fn parse_opt_time(field: &str, s: &Option<String>) -> Result<Option<DateTime<Utc>>, IpcError> {
    s.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_time(field, s))
        .transpose()
}

/// An `invalidInput` error naming the field.
pub fn invalid(field: &str, reason: impl Into<String>) -> IpcError {
    IpcError {
        code: "invalidInput".into(),
        message: format!("`{field}`: {}", reason.into()),
    }
}

/// A count as IPC carries it.
pub fn count(n: impl TryInto<u32>) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}
