//! Where the desk's time and ids come from. Both are passed into [`crate::Desk::open`], so tests
//! pin the clock to the fixtures' day and number ids predictably; the app uses the system clock
//! and random UUIDs.

use chrono::{DateTime, SubsecRound, Utc};
use orderdesk_domain::IdSource;
use std::fmt;
use std::sync::Mutex;

/// A source of "now".
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock, to the millisecond (what the stores keep).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(3)
    }
}

/// The system clock shifted by a fixed offset: time flows (retries come due), but validation
/// sees the day the offset points at (the demo fixtures are dated).
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock {
    offset: chrono::Duration,
}

impl OffsetClock {
    /// A clock that reads `day` now and moves on from there.
    pub fn starting_at(day: DateTime<Utc>) -> Self {
        Self {
            offset: day - Utc::now(),
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        (Utc::now() + self.offset).trunc_subsecs(3)
    }
}

/// A clock that says what it is told.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = now;
    }

    pub fn advance(&self, by: chrono::Duration) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Random UUIDs (v4) for local order ids and idempotency keys; `kind` only documents intent.
#[derive(Debug, Clone, Copy, Default)]
pub struct UuidIds;

impl IdSource for UuidIds {
    fn next_id(&mut self, _kind: &str) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

/// The id source a desk holds: any [`IdSource`] that can move between threads.
pub type DeskIds = Box<dyn IdSource + Send>;
