//! The clock port's adapters: the system clock, and the test clock that tests and
//! `PUT /v1/test-clock` set.

use chrono::{DateTime, Utc};
use coaching_domain::ports::Clock;
use std::sync::Mutex;

/// The real time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock tests (and `PUT /v1/test-clock`) set: real time until set, then frozen at the set
/// instant until set again, so every rule and job sees exactly the time a test chose.
#[derive(Debug, Default)]
pub struct TestClock {
    fixed: Mutex<Option<DateTime<Utc>>>,
}

impl TestClock {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn set(&self, now: DateTime<Utc>) {
        *self.fixed.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
    }
    pub fn is_frozen(&self) -> bool {
        self.fixed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        self.fixed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .unwrap_or_else(Utc::now)
    }
}
