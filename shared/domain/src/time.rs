//! Time helpers shared by the rules: the 15-minute grid and wall-clock resolution in a zone.

use crate::zone::Zone;
use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// The earliest instant any rule accepts (inputs outside are refused, never computed with).
pub fn earliest_accepted() -> DateTime<Utc> {
    DateTime::from_timestamp(0, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The latest instant any rule accepts: 9999-12-31T23:59:59Z.
pub fn latest_accepted() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_799, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Refuses instants outside 1970..9999, so no rule ever computes near chrono's limits.
pub fn check_instant(field: &str, t: DateTime<Utc>) -> Result<(), crate::DomainError> {
    if t < earliest_accepted() || t > latest_accepted() {
        return Err(crate::DomainError::field(
            field,
            "must be between 1970-01-01 and 9999-12-31",
        ));
    }
    Ok(())
}

/// Minutes of the booking grid.
pub const GRID_MINUTES: i64 = 15;

/// True when `t` is on the 15-minute grid with no seconds. Every IANA offset in use is a
/// multiple of 15 minutes, so the UTC grid is the wall-clock grid in every zone.
pub fn on_grid(t: DateTime<Utc>) -> bool {
    t.timestamp() % (GRID_MINUTES * 60) == 0 && t.timestamp_subsec_nanos() == 0
}

/// The first grid instant at or after `t`.
pub fn ceil_to_grid(t: DateTime<Utc>) -> DateTime<Utc> {
    let step = GRID_MINUTES * 60;
    let secs = t.timestamp();
    let mut up = secs.div_euclid(step) * step;
    if up < secs || (up == secs && t.timestamp_subsec_nanos() > 0) {
        up += step;
    }
    DateTime::from_timestamp(up, 0).unwrap_or(t)
}

/// Rounds minutes up to a whole number of grid blocks.
pub fn ceil_minutes_to_grid(m: i64) -> i64 {
    (m + GRID_MINUTES - 1).div_euclid(GRID_MINUTES) * GRID_MINUTES
}

/// Which instant to take when a wall-clock time occurs twice (the autumn change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ambiguity {
    Earliest,
    Latest,
}

/// The instant of wall-clock `minutes` after midnight of `date` in `tz` (1440 is the next
/// midnight). A time skipped by a spring change resolves to the first instant after the gap;
/// a time that occurs twice resolves as `pick` says.
pub fn resolve_local(tz: &Zone, date: NaiveDate, minutes: u32, pick: Ambiguity) -> DateTime<Utc> {
    let naive = NaiveDateTime::new(date, NaiveTime::MIN) + Duration::minutes(i64::from(minutes));
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => match pick {
            Ambiguity::Earliest => a.min(b).with_timezone(&Utc),
            Ambiguity::Latest => a.max(b).with_timezone(&Utc),
        },
        LocalResult::None => {
            // Inside a gap: walk forward to the first wall-clock minute that exists.
            let mut n = naive;
            for _ in 0..(24 * 60) {
                n += Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&n).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&naive)
        }
    }
}

/// The UTC offset (seconds east) of `tz` at instant `t`.
fn offset_at(tz: &Zone, t: DateTime<Utc>) -> i64 {
    use chrono::Offset;
    i64::from(
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// `[a, b)` cut where the offset of `tz` changes, each piece with its offset. Finds each
/// change by bisection to the second; assumes at most a few changes in the range.
fn pieces_by_offset(
    tz: &Zone,
    a: DateTime<Utc>,
    b: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>, i64)> {
    let mut out = Vec::new();
    let mut start = a;
    while start < b && out.len() < 16 {
        let o = offset_at(tz, start);
        if offset_at(tz, b - Duration::seconds(1)) == o {
            out.push((start, b, o));
            break;
        }
        // Bisect for the first second whose offset differs from `o`.
        let (mut lo, mut hi) = (start, b - Duration::seconds(1));
        while hi - lo > Duration::seconds(1) {
            let mid = lo + Duration::seconds((hi - lo).num_seconds() / 2);
            if offset_at(tz, mid) == o {
                lo = mid
            } else {
                hi = mid
            }
        }
        out.push((start, hi, o));
        start = hi;
    }
    out
}

/// The instants whose wall-clock time in `tz` lies in `[from, to)` (naive local times), as
/// disjoint UTC intervals in order. Exact across DST: a spring gap shortens the set, an autumn
/// repeat can make it two intervals.
pub fn wall_clock_span(
    tz: &Zone,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    if to <= from {
        return Vec::new();
    }
    // Offsets lie within -12 h .. +14 h: search a range that surely holds every candidate.
    let a = Utc.from_utc_datetime(&from) - Duration::hours(15);
    let b = Utc.from_utc_datetime(&to) + Duration::hours(13);
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (p0, p1, o) in pieces_by_offset(tz, a, b) {
        let s = (Utc.from_utc_datetime(&from) - Duration::seconds(o)).max(p0);
        let e = (Utc.from_utc_datetime(&to) - Duration::seconds(o)).min(p1);
        if s < e {
            match out.last_mut() {
                Some(last) if last.1 == s => last.1 = e,
                _ => out.push((s, e)),
            }
        }
    }
    out
}

/// Wall-clock `naive` in `tz`, resolved the same way as [`resolve_local`].
pub fn resolve_naive(tz: &Zone, naive: NaiveDateTime) -> DateTime<Utc> {
    let midnight = naive.date();
    let minutes = naive
        .time()
        .signed_duration_since(NaiveTime::MIN)
        .num_minutes();
    resolve_local(tz, midnight, minutes as u32, Ambiguity::Earliest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn grid_detects_and_rounds_quarter_hours() {
        assert!(on_grid(utc("2026-03-29T01:15:00Z")));
        assert!(!on_grid(utc("2026-03-29T01:10:00Z")));
        assert!(!on_grid(utc("2026-03-29T01:15:01Z")));
        assert_eq!(
            ceil_to_grid(utc("2026-03-29T01:10:00Z")),
            utc("2026-03-29T01:15:00Z")
        );
        assert_eq!(
            ceil_to_grid(utc("2026-03-29T01:15:00Z")),
            utc("2026-03-29T01:15:00Z")
        );
        assert_eq!(ceil_minutes_to_grid(10), 15);
        assert_eq!(ceil_minutes_to_grid(0), 0);
        assert_eq!(ceil_minutes_to_grid(30), 30);
    }

    #[test]
    fn wall_clock_spans_are_exact_in_the_autumn_repeat_and_the_spring_gap() {
        let berlin: Zone = "Europe/Berlin".parse().unwrap();
        let n = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        // 02:05-02:10 happens twice on 25 October.
        assert_eq!(
            wall_clock_span(&berlin, n("2026-10-25 02:05"), n("2026-10-25 02:10")),
            vec![
                (utc("2026-10-25T00:05:00Z"), utc("2026-10-25T00:10:00Z")),
                (utc("2026-10-25T01:05:00Z"), utc("2026-10-25T01:10:00Z"))
            ]
        );
        // 02:30-05:00 skips the repeated 02:00-02:30.
        assert_eq!(
            wall_clock_span(&berlin, n("2026-10-25 02:30"), n("2026-10-25 05:00")),
            vec![
                (utc("2026-10-25T00:30:00Z"), utc("2026-10-25T01:00:00Z")),
                (utc("2026-10-25T01:30:00Z"), utc("2026-10-25T04:00:00Z"))
            ]
        );
        // 01:00-04:00 on 29 March is two real hours.
        assert_eq!(
            wall_clock_span(&berlin, n("2026-03-29 01:00"), n("2026-03-29 04:00")),
            vec![(utc("2026-03-29T00:00:00Z"), utc("2026-03-29T02:00:00Z"))]
        );
    }

    #[test]
    fn resolves_spring_gap_to_its_end_and_autumn_overlap_as_asked() {
        let berlin: Zone = "Europe/Berlin".parse().unwrap();
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        // 02:30 does not exist in Berlin that night; 03:00 CEST = 01:00Z comes next.
        assert_eq!(
            resolve_local(&berlin, spring, 150, Ambiguity::Earliest),
            utc("2026-03-29T01:00:00Z")
        );
        let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        // 02:30 happens twice: 00:30Z (CEST) and 01:30Z (CET).
        assert_eq!(
            resolve_local(&berlin, autumn, 150, Ambiguity::Earliest),
            utc("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            resolve_local(&berlin, autumn, 150, Ambiguity::Latest),
            utc("2026-10-25T01:30:00Z")
        );
        // 24:00 is the next midnight.
        assert_eq!(
            resolve_local(&berlin, autumn, 1440, Ambiguity::Earliest),
            utc("2026-10-25T23:00:00Z")
        );
    }
}
