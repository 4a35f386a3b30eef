//! IANA time zones for the wall-clock rules: [`Zone`], a chrono [`TimeZone`] over the tz
//! database that jiff bundles.
//!
//! Why not chrono-tz: it compiles the database into Rust statics, about 56,000 offset records
//! that each hold a pointer to their abbreviation. In a position-independent executable every
//! such pointer is a relocation the dynamic loader applies at start-up (about 30,000 of them,
//! a megabyte of `.data.rel.ro` written page by page), which was most of the api Lambda
//! function's cold start beyond a bare function's (docs/lambda.md).
//! jiff bundles the same database as compact TZif bytes (read-only, no pointers), parsed when a
//! zone is first used and cached for the process.

use chrono::{Datelike, Timelike};
use chrono::{FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use jiff::tz::{AmbiguousOffset, TimeZone as JiffZone};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An IANA time zone (`Europe/Berlin`), by its name in the tz database.
#[derive(Clone)]
pub struct Zone {
    tz: JiffZone,
}

/// The areas of the tz database's `Area/Location` zone names (its `zone1970.tab` regions).
const CANONICAL_AREAS: [&str; 10] = [
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
];

/// A name that is not an IANA time zone of the bundled database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an IANA time zone")]
pub struct UnknownZone(pub String);

impl Zone {
    /// Coordinated Universal Time.
    pub fn utc() -> Zone {
        Zone { tz: JiffZone::UTC }
    }

    /// The zone named `name` in the tz database (ASCII case does not matter: `europe/berlin`
    /// is `Europe/Berlin`).
    pub fn named(name: &str) -> Result<Zone, UnknownZone> {
        let unknown = || UnknownZone(name.to_owned());
        let tz = JiffZone::get(name).map_err(|_| unknown())?;
        // `Etc/Unknown` resolves to jiff's "unknown" zone, which has no IANA name: refuse it.
        if tz.iana_name().is_none() {
            return Err(unknown());
        }
        Ok(Zone { tz })
    }

    /// Every name [`Zone::named`] accepts as the database spells it, sorted: what the API
    /// document lists for a coach's `timezone`.
    pub fn names() -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|name| name.as_str().to_owned())
            .filter(|name| Zone::named(name).is_ok())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The names the API document offers for a coach's `timezone`: the database's
    /// `Area/Location` names (`Europe/Berlin`, `America/Argentina/Buenos_Aires`) and `UTC`,
    /// sorted. Left out are the legacy aliases [`Zone::named`] goes on accepting (`Etc/GMT+1`,
    /// `GMT0`, `US/Eastern`, `EST5EDT`, `Cuba`): some differ only in a sign, which the
    /// identifiers client generators make of enum values lose (`Etc/GMT+1` and `Etc/GMT-1`).
    pub fn canonical_names() -> Vec<String> {
        Zone::names()
            .into_iter()
            .filter(|name| {
                name == "UTC"
                    || name
                        .split_once('/')
                        .is_some_and(|(area, _)| CANONICAL_AREAS.contains(&area))
            })
            .collect()
    }

    /// The zone's name as the database spells it.
    pub fn name(&self) -> &str {
        self.tz.iana_name().unwrap_or("UTC")
    }

    /// The offset in force at the UTC instant `utc`, as seconds east of UTC.
    fn offset_seconds_at(&self, utc: &NaiveDateTime) -> i32 {
        let secs = utc.and_utc().timestamp();
        let timestamp = jiff::Timestamp::from_second(secs).unwrap_or(if secs < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        });
        self.tz.to_offset(timestamp).seconds()
    }

    fn offset(&self, seconds: i32) -> ZoneOffset {
        ZoneOffset {
            zone: self.clone(),
            // tz offsets lie within ±26 h, inside FixedOffset's range: the fallback is unreachable.
            fixed: FixedOffset::east_opt(seconds).unwrap_or(Utc.fix()),
        }
    }
}

/// The wall-clock datetime jiff works with, clamped to its range (years -9999..=9999; our
/// rules refuse instants outside 1970..=9999 before they get here).
fn civil(local: &NaiveDateTime) -> jiff::civil::DateTime {
    let year = local.year().clamp(-9999, 9999) as i16;
    jiff::civil::DateTime::new(
        year,
        local.month() as i8,
        local.day() as i8,
        local.hour() as i8,
        local.minute() as i8,
        local.second().min(59) as i8,
        0,
    )
    // Only 29 February of a year clamped into a common one can fail: take the day before.
    .or_else(|_| jiff::civil::DateTime::new(year, local.month() as i8, 28, 0, 0, 0, 0))
    .unwrap_or(jiff::civil::DateTime::ZERO)
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Zone {}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Zone {
    type Err = UnknownZone;
    fn from_str(name: &str) -> Result<Zone, UnknownZone> {
        Zone::named(name)
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Zone, D::Error> {
        let name = String::deserialize(d)?;
        Zone::named(&name).map_err(serde::de::Error::custom)
    }
}

/// The offset of a [`Zone`] at some instant (chrono's `TimeZone` needs the zone back from it).
#[derive(Clone, Debug)]
pub struct ZoneOffset {
    zone: Zone,
    fixed: FixedOffset,
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.fixed, f)
    }
}

impl TimeZone for Zone {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Zone {
        offset.zone.clone()
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<ZoneOffset> {
        self.offset_from_local_datetime(&local.and_time(chrono::NaiveTime::MIN))
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<ZoneOffset> {
        match self.tz.to_ambiguous_timestamp(civil(local)).offset() {
            AmbiguousOffset::Unambiguous { offset } => {
                MappedLocalTime::Single(self.offset(offset.seconds()))
            }
            AmbiguousOffset::Gap { .. } => MappedLocalTime::None,
            // Before the change the offset is the larger one: that instant comes first.
            AmbiguousOffset::Fold { before, after } => MappedLocalTime::Ambiguous(
                self.offset(before.seconds()),
                self.offset(after.seconds()),
            ),
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset_from_utc_datetime(&utc.and_time(chrono::NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        self.offset(self.offset_seconds_at(utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn zone(name: &str) -> Zone {
        name.parse().unwrap()
    }

    fn local(s: &str) -> NaiveDateTime {
        s.parse().unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn names_are_iana_names_whatever_their_case() {
        assert_eq!(zone("Europe/Berlin").name(), "Europe/Berlin");
        assert_eq!(zone("america/new_york").name(), "America/New_York");
        assert_eq!(zone("UTC"), Zone::utc());
        assert_eq!(zone("US/Eastern").name(), "US/Eastern");
        for bad in [
            "Mars/Olympus",
            "",
            "Etc/Unknown",
            "+01:00",
            "CET-1CEST,M3.5.0,M10.5.0/3",
        ] {
            assert_eq!(bad.parse::<Zone>(), Err(UnknownZone(bad.into())), "{bad}");
        }
    }

    #[test]
    fn serde_goes_by_name() {
        let json = serde_json::to_string(&zone("Asia/Tokyo")).unwrap();
        assert_eq!(json, "\"Asia/Tokyo\"");
        assert_eq!(
            serde_json::from_str::<Zone>(&json).unwrap(),
            zone("Asia/Tokyo")
        );
        assert!(serde_json::from_str::<Zone>("\"Nowhere/Town\"").is_err());
    }

    #[test]
    fn utc_instants_get_the_offset_in_force() {
        let berlin = zone("Europe/Berlin");
        let at = |s: &str| {
            utc(s)
                .with_timezone(&berlin)
                .offset()
                .fix()
                .local_minus_utc()
        };
        assert_eq!(at("2026-03-29T00:59:59Z"), 3600);
        assert_eq!(at("2026-03-29T01:00:00Z"), 7200);
        assert_eq!(at("2026-10-25T00:59:59Z"), 7200);
        assert_eq!(at("2026-10-25T01:00:00Z"), 3600);
        let new_york = zone("America/New_York");
        assert_eq!(
            utc("2026-11-01T06:00:00Z")
                .with_timezone(&new_york)
                .naive_local(),
            local("2026-11-01T01:00:00")
        );
    }

    #[test]
    fn wall_clock_times_resolve_single_in_a_gap_or_twice_in_a_repeat() {
        let berlin = zone("Europe/Berlin");
        let resolve = |s: &str| berlin.from_local_datetime(&local(s)).map(|t| t.to_utc());
        assert_eq!(
            resolve("2026-03-29T01:59:00"),
            MappedLocalTime::Single(utc("2026-03-29T00:59:00Z"))
        );
        assert_eq!(resolve("2026-03-29T02:30:00"), MappedLocalTime::None);
        assert_eq!(
            resolve("2026-03-29T03:00:00"),
            MappedLocalTime::Single(utc("2026-03-29T01:00:00Z"))
        );
        assert_eq!(
            resolve("2026-10-25T02:30:00"),
            MappedLocalTime::Ambiguous(utc("2026-10-25T00:30:00Z"), utc("2026-10-25T01:30:00Z"))
        );
        let new_york = zone("America/New_York");
        assert_eq!(
            new_york
                .from_local_datetime(&local("2026-03-08T02:15:00"))
                .earliest(),
            None
        );
        assert_eq!(
            new_york
                .from_local_datetime(&local("2026-11-01T01:30:00"))
                .map(|t| t.to_utc()),
            MappedLocalTime::Ambiguous(utc("2026-11-01T05:30:00Z"), utc("2026-11-01T06:30:00Z"))
        );
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        let berlin = zone("Europe/Berlin");
        let _ = DateTime::<Utc>::MIN_UTC.with_timezone(&berlin);
        let _ = DateTime::<Utc>::MAX_UTC.with_timezone(&berlin);
        let _ = berlin.from_local_datetime(&NaiveDateTime::MIN);
        let _ = berlin.from_local_datetime(&NaiveDateTime::MAX);
        let leap_day_far_out = NaiveDate::from_ymd_opt(20_000, 2, 29).unwrap();
        let noon = leap_day_far_out.and_hms_opt(12, 0, 0).unwrap();
        assert!(berlin.from_local_datetime(&noon).earliest().is_some());
    }
}

/// Zone against chrono-tz (the crate it replaced, an independent compilation of the tz
/// database): the same offset at every instant, the same resolution of every wall-clock time.
#[cfg(test)]
mod against_chrono_tz {
    use super::*;
    use chrono::{DateTime, Utc};
    use proptest::prelude::*;

    const ZONES: [&str; 8] = [
        "Europe/Berlin",
        "America/New_York",
        "Europe/London",
        "Australia/Sydney",
        "Asia/Kolkata",
        "America/Sao_Paulo",
        "Pacific/Auckland",
        "America/St_Johns",
    ];

    fn both(i: usize) -> (Zone, chrono_tz::Tz) {
        (ZONES[i].parse().unwrap(), ZONES[i].parse().unwrap())
    }

    proptest! {
        #[test]
        fn offsets_agree(i in 0..ZONES.len(), secs in 946_684_800i64..1_893_456_000) {
            let (zone, tz) = both(i);
            let t = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            prop_assert_eq!(
                t.with_timezone(&zone).naive_local(),
                t.with_timezone(&tz).naive_local()
            );
        }

        #[test]
        fn wall_clock_resolution_agrees(i in 0..ZONES.len(), secs in 946_684_800i64..1_893_456_000) {
            let (zone, tz) = both(i);
            // Quarter hours, so that gaps and repeats are hit often.
            let local = DateTime::from_timestamp(secs - secs % 900, 0).unwrap().naive_utc();
            prop_assert_eq!(
                zone.from_local_datetime(&local).map(|t| t.to_utc()),
                tz.from_local_datetime(&local).map(|t| t.to_utc())
            );
        }
    }

    #[test]
    fn the_listed_names_are_the_iana_ones() {
        let names = Zone::names();
        for expected in ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"] {
            assert!(names.iter().any(|n| n == expected), "{expected} missing");
        }
        assert!(!names.iter().any(|n| n == "Etc/Unknown"));
        for tz in chrono_tz::TZ_VARIANTS {
            assert!(
                names.iter().any(|n| n == tz.name()),
                "{} missing",
                tz.name()
            );
        }
    }

    /// What generators such as openapi-python-client make of an enum value: letters and
    /// digits upper-cased, every other run of characters one `_`.
    fn identifier(name: &str) -> String {
        let mut out = String::new();
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_uppercase());
            } else if !out.ends_with('_') {
                out.push('_');
            }
        }
        out
    }

    #[test]
    fn the_offered_names_are_canonical_known_and_distinct_as_identifiers() {
        let all = Zone::names();
        let offered = Zone::canonical_names();
        for expected in ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"] {
            assert!(offered.iter().any(|n| n == expected), "{expected} missing");
        }
        for legacy in [
            "Etc/GMT+1",
            "Etc/GMT-1",
            "GMT0",
            "GMT+0",
            "GMT-0",
            "US/Eastern",
            "EST",
        ] {
            assert!(!offered.iter().any(|n| n == legacy), "{legacy} offered");
            assert!(
                all.iter().any(|n| n == legacy),
                "{legacy} no longer accepted"
            );
        }
        let mut seen = std::collections::HashMap::new();
        for name in &offered {
            assert!(all.contains(name), "{name} offered but not accepted");
            if let Some(other) = seen.insert(identifier(name), name) {
                panic!("{name} and {other} make the same identifier");
            }
        }
        // Every zone chrono-tz knows in those areas is offered.
        for tz in chrono_tz::TZ_VARIANTS {
            let name = tz.name();
            let area = name.split_once('/').map(|(a, _)| a);
            if name == "UTC" || area.is_some_and(|a| super::CANONICAL_AREAS.contains(&a)) {
                assert!(offered.iter().any(|n| n == name), "{name} not offered");
            }
        }
    }

    #[test]
    fn every_chrono_tz_name_is_known() {
        for tz in chrono_tz::TZ_VARIANTS {
            let zone: Zone = tz.name().parse().unwrap();
            assert_eq!(zone.name(), tz.name());
        }
    }
}
