//! How values become columns and back: times as integer milliseconds since the Unix epoch (UTC),
//! documents as JSON text. One place, so every table agrees.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Result, StoreError};

/// A time as stored: milliseconds since the epoch. Indexed columns keep millisecond precision;
/// JSON documents keep whatever the domain value holds.
pub(crate) fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn opt_millis(at: Option<DateTime<Utc>>) -> Option<i64> {
    at.map(millis)
}

pub(crate) fn from_millis(ms: i64, what: &str) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::corrupt(what, format!("{ms} is not a time in milliseconds")))
}

pub(crate) fn from_opt_millis(ms: Option<i64>, what: &str) -> Result<Option<DateTime<Utc>>> {
    ms.map(|ms| from_millis(ms, what)).transpose()
}

pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T, what: &'static str) -> Result<String> {
    serde_json::to_string(value).map_err(|source| StoreError::Encode { what, source })
}

pub(crate) fn from_json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(what, e))
}

/// The serde spelling of a unit enum variant (`"pendingActive"`), for enums without `as_str`.
pub(crate) fn serde_name<T: Serialize>(value: &T, what: &'static str) -> Result<String> {
    match serde_json::to_value(value).map_err(|source| StoreError::Encode { what, source })? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(StoreError::corrupt(
            what,
            format!("{other} is not a unit variant"),
        )),
    }
}

/// The enum value whose serde spelling is `name`.
pub(crate) fn from_serde_name<T: DeserializeOwned>(name: &str, what: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|e| StoreError::corrupt(what, e))
}

/// Clamps a caller's count to SQLite's signed 64-bit integers.
pub(crate) fn sql_count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A count read back from SQLite (never negative in this schema).
pub(crate) fn count_from_sql(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_round_trip_to_the_millisecond() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 12, 30, 5).unwrap()
            + chrono::Duration::milliseconds(250);
        assert_eq!(from_millis(millis(t), "t").unwrap(), t);
        assert_eq!(from_opt_millis(opt_millis(None), "t").unwrap(), None);
        assert!(from_millis(i64::MAX, "t").is_err());
    }

    #[test]
    fn serde_names() {
        use orderdesk_domain::reference::ProductStatus;
        let name = serde_name(&ProductStatus::PendingActive, "status").unwrap();
        assert_eq!(name, "pendingActive");
        let back: ProductStatus = from_serde_name(&name, "status").unwrap();
        assert_eq!(back, ProductStatus::PendingActive);
        assert!(from_serde_name::<ProductStatus>("nope", "status").is_err());
    }
}
