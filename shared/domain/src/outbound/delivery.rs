//! One event's delivery to one endpoint: the record is the truth (status, attempts, when the
//! next attempt is due), found through the due-by-time index while it is pending, and attempted
//! by one worker at a time (a lease written before the attempt).

use super::event::OrgEventType;
use crate::ids::*;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The waits after each failed attempt (docs/api.md#org-events-and-outbound-webhooks): about three days in
/// all; after the last one fails the delivery is `failed`.
pub const RETRY_DELAYS_SECONDS: [i64; 9] = [
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
];
/// How long a worker's claim on a delivery holds: longer than an attempt may take (15 s), so
/// that no second worker sends while the first may still; a crashed worker's claim lapses and
/// the delivery is due again.
pub const LEASE_SECONDS: i64 = 60;
/// At most this much of a receiver's answer is kept.
pub const RESPONSE_BODY_BYTES: usize = 1_024;
/// A delivery keeps its last attempts only (ten scheduled ones and a few replays).
pub const KEPT_ATTEMPTS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Succeeded,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
    pub fn parse(wire: &str) -> Option<Self> {
        [Self::Pending, Self::Succeeded, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == wire)
    }
}

/// What one attempt got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    pub at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub duration_ms: u64,
    /// A short code (`timeout`, `connect`, `unsafe_address`, `http_status`, `redirect`, …) and
    /// what happened; `None` for a success.
    pub error: Option<String>,
    /// At most [`RESPONSE_BODY_BYTES`] of the answer.
    pub response_body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: DeliveryId,
    pub org: OrgId,
    pub endpoint_id: EndpointId,
    pub event_id: EventId,
    pub event_type: OrgEventType,
    /// The event's JSON exactly as every attempt sends it (the signature covers these bytes).
    pub payload: String,
    pub status: DeliveryStatus,
    /// The last [`KEPT_ATTEMPTS`], oldest first.
    pub attempts: Vec<DeliveryAttempt>,
    /// Failed attempts so far: the retry schedule's position.
    pub failures: u32,
    /// While set the delivery is in the due-by-time index: when the next attempt (or, while a
    /// worker holds it, the lapse of its claim) is due.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Until when a worker's claim holds.
    pub lease_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Starts at 1; every stored change increments it.
    pub version: u64,
}

/// One delivery write inside a change set.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryPut {
    pub delivery: Delivery,
    /// `None`: the delivery MUST NOT exist yet. `Some(v)`: its stored version MUST be `v`.
    pub expected_version: Option<u64>,
}

/// When the next attempt is due after the `failures`-th failed attempt at `now`: the
/// schedule's next step, or a later `retry_after` the receiver asked for; `None` when the
/// schedule is used up (the delivery fails).
pub fn next_retry(
    failures: u32,
    now: DateTime<Utc>,
    retry_after: Option<Duration>,
) -> Option<DateTime<Utc>> {
    let step = usize::try_from(failures).ok()?.checked_sub(1)?;
    let wait = Duration::seconds(*RETRY_DELAYS_SECONDS.get(step)?);
    Some(now + retry_after.filter(|asked| *asked > wait).unwrap_or(wait))
}

impl Delivery {
    /// A new delivery id: `wd_` and a ULID.
    pub fn new_id(ulid: &str) -> Option<DeliveryId> {
        DeliveryId::parse(format!("wd_{ulid}")).ok()
    }

    /// The next stored version of it, changed at `now`.
    pub fn touched(&self, now: DateTime<Utc>) -> Self {
        let mut next = self.clone();
        next.updated_at = now;
        next.version += 1;
        next
    }

    /// Keeps `attempt`, dropping the oldest beyond [`KEPT_ATTEMPTS`].
    pub fn record(&mut self, attempt: DeliveryAttempt) {
        self.attempts.push(attempt);
        let extra = self.attempts.len().saturating_sub(KEPT_ATTEMPTS);
        self.attempts.drain(..extra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn retries_follow_the_schedule_and_end_after_the_ninth() {
        let now = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        let waits: Vec<i64> = (1..=9)
            .map(|n| (next_retry(n, now, None).unwrap() - now).num_seconds())
            .collect();
        assert_eq!(
            waits,
            [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
        );
        let total: i64 = waits.iter().sum();
        assert!(
            (2..=4).contains(&(total / 86_400)),
            "about three days: {total}"
        );
        assert_eq!(next_retry(10, now, None), None);
        assert_eq!(next_retry(11, now, None), None);
        assert_eq!(next_retry(0, now, None), None);
    }

    #[test]
    fn a_later_retry_after_wins_and_an_earlier_one_does_not() {
        let now = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            next_retry(1, now, Some(Duration::seconds(120))),
            Some(now + Duration::seconds(120))
        );
        assert_eq!(
            next_retry(2, now, Some(Duration::seconds(120))),
            Some(now + Duration::seconds(300))
        );
        // Past the schedule a Retry-After does not bring it back.
        assert_eq!(next_retry(10, now, Some(Duration::seconds(1))), None);
    }

    #[test]
    fn only_the_last_attempts_are_kept() {
        let now = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        let mut d = Delivery {
            id: DeliveryId::parse("wd_1").unwrap(),
            org: OrgId::parse("o").unwrap(),
            endpoint_id: EndpointId::parse("we_1").unwrap(),
            event_id: EventId::parse("evt_1").unwrap(),
            event_type: OrgEventType::Ping,
            payload: "{}".into(),
            status: DeliveryStatus::Pending,
            attempts: vec![],
            failures: 0,
            next_attempt_at: Some(now),
            lease_until: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        for n in 0..25u16 {
            d.record(DeliveryAttempt {
                at: now,
                status_code: Some(n),
                duration_ms: 1,
                error: None,
                response_body: None,
            });
        }
        assert_eq!(d.attempts.len(), KEPT_ATTEMPTS);
        assert_eq!(d.attempts[0].status_code, Some(5));
    }
}
