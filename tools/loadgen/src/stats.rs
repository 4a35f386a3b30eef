//! Latency and status bookkeeping for coaching-loadgen: per-worker tallies, merged at the end
//! into one sorted latency list (exact percentiles, nearest-rank) and a status histogram.

use std::collections::BTreeMap;
use std::time::Duration;

/// What one worker saw.
#[derive(Debug, Default)]
pub struct Tally {
    /// Latency of every request that got a full response, in microseconds.
    pub latencies_us: Vec<u64>,
    /// Responses by HTTP status.
    pub statuses: BTreeMap<u16, u64>,
    /// Responses whose status counted as success for the mode.
    pub ok: u64,
    /// Requests that got no (complete) response: refused, reset, timed out.
    pub transport_errors: u64,
    /// The first transport error, for the human summary.
    pub first_error: Option<String>,
}

impl Tally {
    pub fn response(&mut self, status: u16, ok: bool, latency: Duration) {
        self.latencies_us
            .push(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX));
        *self.statuses.entry(status).or_default() += 1;
        if ok {
            self.ok += 1;
        }
    }

    pub fn transport_error(&mut self, err: &(dyn std::error::Error + 'static)) {
        self.transport_errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(error_chain(err));
        }
    }

    pub fn merge(&mut self, other: Tally) {
        self.latencies_us.extend(other.latencies_us);
        for (s, n) in other.statuses {
            *self.statuses.entry(s).or_default() += n;
        }
        self.ok += other.ok;
        self.transport_errors += other.transport_errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    pub fn requests(&self) -> u64 {
        self.latencies_us.len() as u64 + self.transport_errors
    }
}

/// `err: cause: cause…`, so "error sending request" says why.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        out.push_str(": ");
        out.push_str(&e.to_string());
        cur = e.source();
    }
    out
}

/// Nearest-rank percentile of an ascending list, in milliseconds; 0 when empty.
pub fn percentile_ms(sorted_us: &[u64], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let n = sorted_us.len();
    let rank = (p / 100.0 * n as f64).ceil() as usize;
    let idx = rank.clamp(1, n) - 1;
    round3(sorted_us[idx] as f64 / 1000.0)
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile_ms(&v, 50.0), 50.0);
        assert_eq!(percentile_ms(&v, 90.0), 90.0);
        assert_eq!(percentile_ms(&v, 99.0), 99.0);
        assert_eq!(percentile_ms(&v, 100.0), 100.0);
        assert_eq!(percentile_ms(&v, 0.0), 1.0);
        assert_eq!(percentile_ms(&[], 50.0), 0.0);
        assert_eq!(percentile_ms(&[1234], 99.0), 1.234);
    }

    #[test]
    fn merge_adds_up() {
        let mut a = Tally::default();
        a.response(200, true, Duration::from_millis(2));
        a.response(500, false, Duration::from_millis(3));
        let mut b = Tally::default();
        b.response(200, true, Duration::from_millis(1));
        b.transport_error(&std::io::Error::other("connection refused"));
        a.merge(b);
        assert_eq!(a.requests(), 4);
        assert_eq!(a.ok, 2);
        assert_eq!(a.statuses[&200], 2);
        assert_eq!(a.statuses[&500], 1);
        assert_eq!(a.transport_errors, 1);
        assert_eq!(a.first_error.as_deref(), Some("connection refused"));
    }

    #[test]
    fn error_chain_shows_causes() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("error sending request")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("connection refused"));
        assert_eq!(error_chain(&e), "error sending request: connection refused");
    }
}
