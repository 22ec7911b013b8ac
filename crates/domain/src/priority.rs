//! Order priority (TMF622 `priority`, "0" highest .. "4" lowest) and the ageing rule that
//! keeps low-priority orders from starving in the queues.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A TMF priority, `0` (highest) to `4` (lowest). The default is `4`, as most orders carry none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Priority(u8);

/// A priority string that is not "0".."4".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("priority must be \"0\" (highest) to \"4\" (lowest), not {0:?}")]
pub struct PriorityError(pub String);

impl Priority {
    pub const HIGHEST: Priority = Priority(0);
    pub const LOWEST: Priority = Priority(4);

    pub fn new(level: u8) -> Result<Self, PriorityError> {
        if level <= 4 {
            Ok(Self(level))
        } else {
            Err(PriorityError(level.to_string()))
        }
    }

    pub fn parse(s: &str) -> Result<Self, PriorityError> {
        match s.trim() {
            "0" => Ok(Self(0)),
            "1" => Ok(Self(1)),
            "2" => Ok(Self(2)),
            "3" => Ok(Self(3)),
            "4" => Ok(Self(4)),
            other => Err(PriorityError(other.to_owned())),
        }
    }

    pub fn level(self) -> u8 {
        self.0
    }
}

impl Default for Priority {
    fn default() -> Self {
        Self::LOWEST
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<String> for Priority {
    type Error = PriorityError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Priority> for String {
    fn from(value: Priority) -> Self {
        value.0.to_string()
    }
}

/// How fast waiting work gains priority: every `step` waited counts as one priority level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeingPolicy {
    pub step: Duration,
}

impl Default for AgeingPolicy {
    /// One level per two hours: a priority-4 order that has waited eight hours ranks with a
    /// fresh priority-0 order.
    fn default() -> Self {
        Self {
            step: Duration::hours(2),
        }
    }
}

/// A position in a work queue; smaller is worked first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct QueueRank {
    /// Priority level in seconds-of-ageing units, minus the seconds waited.
    score: i64,
    /// Earlier arrivals first when scores tie.
    waiting_since: DateTime<Utc>,
}

impl QueueRank {
    pub fn score(self) -> i64 {
        self.score
    }
}

impl AgeingPolicy {
    /// The queue rank of work of `priority` waiting since `since`, at `now`. The score falls
    /// without bound as the work waits, so any order eventually outranks any newer arrival.
    pub fn rank(&self, priority: Priority, since: DateTime<Utc>, now: DateTime<Utc>) -> QueueRank {
        let step = self.step.num_seconds().max(1);
        let waited = (now - since).num_seconds().max(0);
        QueueRank {
            score: i64::from(priority.level()) * step - waited,
            waiting_since: since,
        }
    }

    /// The priority the work effectively has now ("4" aged eight hours is "0").
    pub fn effective_priority(
        &self,
        priority: Priority,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Priority {
        let step = self.step.num_seconds().max(1);
        let waited = (now - since).num_seconds().max(0);
        let levels = u8::try_from(waited / step).unwrap_or(u8::MAX);
        Priority(priority.level().saturating_sub(levels))
    }

    /// How long work of `low` must wait to rank ahead of fresh work of `high`.
    pub fn time_to_overtake(&self, low: Priority, high: Priority) -> Duration {
        let levels = i64::from(low.level().saturating_sub(high.level()));
        self.step * i32::try_from(levels).unwrap_or(i32::MAX) + Duration::seconds(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
    }

    #[test]
    fn parses_only_zero_to_four() {
        for s in ["0", "1", "2", "3", "4"] {
            assert_eq!(Priority::parse(s).unwrap().to_string(), s);
        }
        for s in ["5", "-1", "high", "", "01x"] {
            assert!(Priority::parse(s).is_err(), "{s}");
        }
        assert_eq!(serde_json::to_string(&Priority::HIGHEST).unwrap(), "\"0\"");
        assert!(serde_json::from_str::<Priority>("\"7\"").is_err());
    }

    #[test]
    fn higher_priority_first_when_equally_old() {
        let p = AgeingPolicy::default();
        assert!(p.rank(Priority::HIGHEST, t0(), t0()) < p.rank(Priority::LOWEST, t0(), t0()));
    }

    #[test]
    fn old_low_priority_overtakes_fresh_high_priority() {
        let p = AgeingPolicy::default();
        let wait = p.time_to_overtake(Priority::LOWEST, Priority::HIGHEST);
        let now = t0() + wait;
        assert!(p.rank(Priority::LOWEST, t0(), now) < p.rank(Priority::HIGHEST, now, now));
        assert_eq!(
            p.effective_priority(Priority::LOWEST, t0(), now),
            Priority::HIGHEST
        );
    }

    proptest! {
        #[test]
        fn nothing_starves(low in 0u8..=4, high in 0u8..=4, extra_wait in 0i64..1_000_000) {
            let p = AgeingPolicy::default();
            let (low, high) = (Priority::new(low).unwrap(), Priority::new(high).unwrap());
            // However many fresh orders keep arriving, one that has waited at least
            // `time_to_overtake` is worked before every one of them.
            let now = t0() + p.time_to_overtake(low, high) + Duration::seconds(extra_wait);
            prop_assert!(p.rank(low, t0(), now) < p.rank(high, now, now));
        }

        #[test]
        fn waiting_longer_never_ranks_later(prio in 0u8..=4, a in 0i64..1_000_000, b in 0i64..1_000_000) {
            let p = AgeingPolicy::default();
            let prio = Priority::new(prio).unwrap();
            let now = t0() + Duration::seconds(2_000_000);
            let (older, newer) = (t0() + Duration::seconds(a.min(b)), t0() + Duration::seconds(a.max(b)));
            prop_assert!(p.rank(prio, older, now) <= p.rank(prio, newer, now));
        }
    }
}
