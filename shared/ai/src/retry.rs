//! When to try a provider again: the attempt limit, exponential backoff with jitter,
//! `Retry-After`, and the time budget that every attempt must end within.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

/// At most this many attempts per generation (docs/api.md#review-sessions-and-ai-generation).
pub const MAX_ATTEMPTS: u32 = 3;

/// The timing of a provider's attempts.
///
/// With the defaults three attempts that each take their whole 15 s, plus the longest backoffs
/// (0.75 s and 1.5 s), end 47.25 s after the first began; only a `Retry-After` can push past
/// that, and the budget stops it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Establishing the connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// One attempt, from connecting until the whole reply is read.
    pub request_timeout: Duration,
    /// The wait before the second attempt; each later one doubles it.
    pub backoff_base: Duration,
    /// Each backoff is scaled by a random factor in `1 ± jitter` (0 for none).
    pub jitter: f64,
    /// Every attempt ends within this time of the first one's start.
    pub budget: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
            backoff_base: Duration::from_millis(500),
            jitter: 0.5,
            // Under the 60 s of docs/api.md#evaluations, leaving room for reading and parsing the last reply.
            budget: Duration::from_secs(58),
        }
    }
}

impl Timing {
    /// The wait after failed attempt `attempt` (1-based) when the provider named none.
    pub fn backoff(&self, attempt: u32) -> Duration {
        self.backoff_with(attempt, random_unit())
    }

    /// [`Timing::backoff`] with the random draw `unit` in `[0, 1)`.
    pub fn backoff_with(&self, attempt: u32, unit: f64) -> Duration {
        let exp = 2f64.powi(attempt.saturating_sub(1).min(16) as i32);
        let jitter = self.jitter.clamp(0.0, 1.0);
        let factor = 1.0 - jitter + 2.0 * jitter * unit.clamp(0.0, 1.0);
        self.backoff_base.mul_f64(exp * factor)
    }

    /// The shortest time worth starting an attempt with: a wait that leaves less fails now.
    pub fn least_attempt(&self) -> Duration {
        self.request_timeout.min(Duration::from_secs(5))
    }
}

/// A uniform draw in `[0, 1)` from the standard library's randomly keyed hasher: jitter needs
/// spread between processes, not cryptographic quality.
fn random_unit() -> f64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// A `Retry-After` value: delay seconds or an HTTP date (a past date is no wait).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_within_the_jitter() {
        let t = Timing::default();
        assert_eq!(t.backoff_with(1, 0.5), Duration::from_millis(500));
        assert_eq!(t.backoff_with(2, 0.5), Duration::from_secs(1));
        assert_eq!(t.backoff_with(1, 0.0), Duration::from_millis(250));
        assert_eq!(t.backoff_with(2, 1.0), Duration::from_millis(1500));
        for _ in 0..100 {
            let d = t.backoff(2);
            assert!(d >= Duration::from_millis(500) && d <= Duration::from_millis(1500));
        }
        let none = Timing { jitter: 0.0, ..t };
        assert_eq!(none.backoff_with(2, 0.9), Duration::from_secs(1));
    }

    #[test]
    fn three_whole_attempts_and_the_longest_backoffs_fit_the_budget() {
        let t = Timing::default();
        let worst =
            t.request_timeout * MAX_ATTEMPTS + t.backoff_with(1, 1.0) + t.backoff_with(2, 1.0);
        assert!(worst < t.budget && t.budget <= Duration::from_secs(60));
        assert!(t.connect_timeout < t.request_timeout);
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }
}
