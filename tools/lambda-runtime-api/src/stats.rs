//! Summaries of cold-start samples: median (mean of the two middle values for an even count),
//! nearest-rank p90, min, max; milliseconds rounded to microseconds.

use serde::Serialize;
use std::time::Duration;

/// The summary `coldstart` prints for one bootstrap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub runs: usize,
    pub median_ms: f64,
    pub p90_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl Summary {
    /// `None` for no samples.
    pub fn of(samples: &[Duration]) -> Option<Summary> {
        if samples.is_empty() {
            return None;
        }
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        let n = ms.len();
        let median = if n % 2 == 1 {
            ms[n / 2]
        } else {
            (ms[n / 2 - 1] + ms[n / 2]) / 2.0
        };
        Some(Summary {
            runs: n,
            median_ms: round3(median),
            p90_ms: round3(nearest_rank(&ms, 90.0)),
            min_ms: round3(ms[0]),
            max_ms: round3(ms[n - 1]),
            mean_ms: round3(ms.iter().sum::<f64>() / n as f64),
        })
    }
}

/// Nearest-rank percentile of an ascending, non-empty list.
fn nearest_rank(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let rank = (p / 100.0 * n as f64).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

/// Milliseconds to three decimals (microseconds).
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn empty_has_no_summary() {
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn odd_count_median_is_the_middle_value() {
        let s = Summary::of(&ms(&[5, 1, 3])).unwrap();
        assert_eq!(s.runs, 3);
        assert_eq!(s.median_ms, 3.0);
        assert_eq!(s.min_ms, 1.0);
        assert_eq!(s.max_ms, 5.0);
        assert_eq!(s.mean_ms, 3.0);
    }

    #[test]
    fn even_count_median_is_the_mean_of_the_middle_two() {
        let s = Summary::of(&ms(&[4, 1, 3, 2])).unwrap();
        assert_eq!(s.median_ms, 2.5);
    }

    #[test]
    fn p90_is_nearest_rank() {
        let twenty: Vec<u64> = (1..=20).collect();
        assert_eq!(Summary::of(&ms(&twenty)).unwrap().p90_ms, 18.0);
        let ten: Vec<u64> = (1..=10).collect();
        assert_eq!(Summary::of(&ms(&ten)).unwrap().p90_ms, 9.0);
        assert_eq!(Summary::of(&ms(&[7])).unwrap().p90_ms, 7.0);
    }

    #[test]
    fn rounds_to_microseconds() {
        let s = Summary::of(&[Duration::from_nanos(1_234_567)]).unwrap();
        assert_eq!(s.median_ms, 1.235);
    }
}
