//! Conversions between domain values and column values: JSON documents, versions, instants.

use crate::errors::json_error;
use chrono::{DateTime, Utc};
use coaching_domain::ports::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) fn to_json<T: Serialize>(what: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Unavailable(format!("cannot encode {what}: {e}")))
}

pub(crate) fn from_json<T: DeserializeOwned>(what: &str, doc: &str) -> Result<T, StoreError> {
    serde_json::from_str(doc).map_err(|e| json_error(what, e))
}

/// SQLite integers are signed; a version past `i64::MAX` cannot happen one increment at a time.
pub(crate) fn version(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v)
        .map_err(|_| StoreError::Unavailable(format!("version {v} does not fit the store")))
}

/// The smallest whole second at or after `t`: for a whole-second start `s`,
/// `s >= t` iff `s >= ceil_secs(t)` and `s < t` iff `s < ceil_secs(t)`.
pub(crate) fn ceil_secs(t: DateTime<Utc>) -> i64 {
    t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0)
}

/// The smallest whole millisecond at or after `t` (the same reasoning as [`ceil_secs`]).
pub(crate) fn ceil_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis() + i64::from(!t.timestamp_subsec_nanos().is_multiple_of(1_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ceilings_keep_whole_instants_and_round_fractions_up() {
        let t = Utc.with_ymd_and_hms(2030, 1, 1, 10, 0, 0).unwrap();
        assert_eq!(ceil_secs(t), t.timestamp());
        assert_eq!(ceil_millis(t), t.timestamp_millis());
        let later = t + chrono::Duration::nanoseconds(1);
        assert_eq!(ceil_secs(later), t.timestamp() + 1);
        assert_eq!(ceil_millis(later), t.timestamp_millis() + 1);
        let before = t - chrono::Duration::nanoseconds(1);
        assert_eq!(ceil_secs(before), t.timestamp());
        assert_eq!(ceil_millis(before), t.timestamp_millis());
    }

    #[test]
    fn versions_beyond_sqlite_integers_are_refused() {
        assert_eq!(version(7), Ok(7));
        assert!(version(u64::MAX).is_err());
    }
}
