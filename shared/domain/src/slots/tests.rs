//! Slot rules: unit cases and property tests across the 2026 DST changes.

use super::*;
use crate::coach::{AvailabilityWindow, WallTime};
use crate::money::Currency;
use crate::zone::Zone;
use chrono::{NaiveDate, Timelike, Weekday};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashSet};

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn settings(tz: &str, windows: &[(Weekday, u32, u32)], buffer: u32, notice: u32) -> CoachSettings {
    CoachSettings {
        coach_id: UserId::parse("coach").unwrap(),
        timezone: tz.parse().unwrap(),
        availability: windows
            .iter()
            .map(|&(weekday, s, e)| AvailabilityWindow {
                weekday,
                start: WallTime::parse(&format!("{:02}:{:02}", s / 60, s % 60)).unwrap(),
                end: WallTime::parse(&format!("{:02}:{:02}", e / 60, e % 60)).unwrap(),
            })
            .collect(),
        prices: BTreeMap::from([(30, crate::Money::new(5000, Currency::eur()).unwrap())]),
        buffer_minutes: buffer,
        min_notice_minutes: notice,
        cancellation_window_hours: 24,
        late_cancellation_fee_percent: 50,
        no_show_fee_percent: 100,
        join_url_template: crate::coach::DEFAULT_JOIN_URL_TEMPLATE.into(),
        updated_at: utc("2026-01-01T00:00:00Z"),
    }
}

#[test]
fn slots_follow_berlin_wall_clock_across_the_spring_change() {
    // Sunday 29 March 2026: 09:00 Berlin is 08:00Z before the change week and 07:00Z on it.
    let s = settings("Europe/Berlin", &[(Weekday::Sun, 9 * 60, 10 * 60)], 0, 0);
    let slots = free_slots(
        &s,
        &[],
        utc("2026-03-22T00:00:00Z"),
        utc("2026-03-30T00:00:00Z"),
        60,
        utc("2026-03-01T00:00:00Z"),
    );
    assert_eq!(
        slots.iter().map(|i| i.start).collect::<Vec<_>>(),
        vec![utc("2026-03-22T08:00:00Z"), utc("2026-03-29T07:00:00Z")]
    );
}

#[test]
fn a_window_across_the_spring_gap_is_two_real_hours_not_three() {
    let s = settings("Europe/Berlin", &[(Weekday::Sun, 60, 240)], 0, 0);
    let slots = free_slots(
        &s,
        &[],
        utc("2026-03-28T00:00:00Z"),
        utc("2026-03-30T00:00:00Z"),
        60,
        utc("2026-03-01T00:00:00Z"),
    );
    // 01:00 CET = 00:00Z .. 04:00 CEST = 02:00Z.
    assert_eq!(slots.first().unwrap().start, utc("2026-03-29T00:00:00Z"));
    assert_eq!(slots.last().unwrap().end, utc("2026-03-29T02:00:00Z"));
    assert_eq!(slots.len(), 5);
}

#[test]
fn a_window_across_the_autumn_overlap_is_four_real_hours_in_new_york() {
    // 1 November 2026, 01:00-02:00 EDT then 01:00-02:00 EST again.
    let s = settings("America/New_York", &[(Weekday::Sun, 0, 180)], 0, 0);
    let slots = free_slots(
        &s,
        &[],
        utc("2026-10-31T00:00:00Z"),
        utc("2026-11-02T00:00:00Z"),
        15,
        utc("2026-10-01T00:00:00Z"),
    );
    assert_eq!(slots.first().unwrap().start, utc("2026-11-01T04:00:00Z"));
    assert_eq!(slots.last().unwrap().end, utc("2026-11-01T08:00:00Z"));
    assert_eq!(slots.len(), 16);
}

#[test]
fn buffer_keeps_slots_away_from_busy_time_on_both_sides() {
    let s = settings("UTC", &[(Weekday::Mon, 9 * 60, 13 * 60)], 15, 0);
    let busy = [Busy {
        interval: Interval::new(utc("2026-12-07T10:00:00Z"), utc("2026-12-07T11:00:00Z")),
        buffer_minutes: 15,
    }];
    let slots = free_slots(
        &s,
        &busy,
        utc("2026-12-07T00:00:00Z"),
        utc("2026-12-08T00:00:00Z"),
        30,
        utc("2026-12-01T00:00:00Z"),
    );
    let starts: Vec<_> = slots
        .iter()
        .map(|i| i.start.format("%H:%M").to_string())
        .collect();
    assert_eq!(
        starts,
        [
            "09:00", "09:15", "11:15", "11:30", "11:45", "12:00", "12:15", "12:30"
        ]
    );
    assert_eq!(
        check_slot(
            &s,
            &busy,
            utc("2026-12-07T09:30:00Z"),
            30,
            utc("2026-12-01T00:00:00Z")
        ),
        Err(SlotRejection::Overlaps)
    );
    assert_eq!(
        check_slot(
            &s,
            &busy,
            utc("2026-12-07T11:15:00Z"),
            30,
            utc("2026-12-01T00:00:00Z")
        ),
        Ok(())
    );
}

#[test]
fn check_slot_names_each_reason() {
    let s = settings("UTC", &[(Weekday::Mon, 9 * 60, 17 * 60)], 0, 60);
    let now = utc("2026-12-07T08:30:00Z");
    assert_eq!(
        check_slot(&s, &[], utc("2026-12-07T09:10:00Z"), 30, now),
        Err(SlotRejection::OffGrid)
    );
    assert_eq!(
        check_slot(&s, &[], utc("2026-12-07T09:15:00Z"), 30, now),
        Err(SlotRejection::TooSoon)
    );
    assert_eq!(
        check_slot(&s, &[], utc("2026-12-07T16:45:00Z"), 30, now),
        Err(SlotRejection::OutsideAvailability)
    );
    assert_eq!(
        check_slot(&s, &[], utc("2026-12-07T16:30:00Z"), 30, now),
        Ok(())
    );
}

#[test]
fn adjacent_windows_and_midnight_crossings_join() {
    let s = settings(
        "UTC",
        &[
            (Weekday::Mon, 22 * 60, 1440),
            (Weekday::Tue, 0, 60),
            (Weekday::Tue, 60, 120),
        ],
        0,
        0,
    );
    assert_eq!(
        check_slot(
            &s,
            &[],
            utc("2026-12-07T23:30:00Z"),
            60,
            utc("2026-12-01T00:00:00Z")
        ),
        Ok(())
    );
    assert_eq!(
        check_slot(
            &s,
            &[],
            utc("2026-12-08T00:30:00Z"),
            60,
            utc("2026-12-01T00:00:00Z")
        ),
        Ok(())
    );
}

#[test]
fn slot_locks_cover_the_session_and_its_rounded_buffer() {
    let coach = UserId::parse("c").unwrap();
    assert_eq!(
        slot_locks(&coach, utc("2026-12-07T10:00:00Z"), 30, 0).len(),
        2
    );
    assert_eq!(
        slot_locks(&coach, utc("2026-12-07T10:00:00Z"), 30, 10).len(),
        3
    );
    assert_eq!(
        slot_locks(&coach, utc("2026-12-07T10:00:00Z"), 60, 15).len(),
        5
    );
}

/// The four 2026 DST change days the properties are drawn around.
fn dst_day() -> impl Strategy<Value = (&'static str, NaiveDate)> {
    prop_oneof![
        Just((
            "Europe/Berlin",
            NaiveDate::from_ymd_opt(2026, 3, 29).unwrap()
        )),
        Just((
            "Europe/Berlin",
            NaiveDate::from_ymd_opt(2026, 10, 25).unwrap()
        )),
        Just((
            "America/New_York",
            NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()
        )),
        Just((
            "America/New_York",
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        )),
    ]
}

fn weekday_of(i: u8) -> Weekday {
    Weekday::try_from(i % 7).unwrap()
}

/// Windows as (weekday, start quarter-hour-ish minute, length), some crossing the change hour.
fn windows() -> impl Strategy<Value = Vec<(Weekday, u32, u32)>> {
    proptest::collection::vec((0u8..7, 0u32..(24 * 12), 1u32..(8 * 12)), 1..5).prop_map(|v| {
        v.into_iter()
            .map(|(d, s5, len5)| {
                let s = s5 * 5;
                (weekday_of(d), s, (s + len5 * 5).min(1440))
            })
            .filter(|(_, s, e)| e > s)
            .collect()
    })
}

/// True when the wall-clock time of instant `t` lies inside one of the windows of its local date.
fn wall_clock_inside(s: &CoachSettings, t: DateTime<Utc>, end_exclusive: bool) -> bool {
    let local = t.with_timezone(&s.timezone);
    let minute = local.hour() * 60 + local.minute();
    let date = local.date_naive();
    let prev = date.pred_opt().unwrap();
    s.availability.iter().any(|w| {
        (w.weekday == date.weekday()
            && w.start.minutes() <= minute
            && (minute < w.end.minutes() || (!end_exclusive && minute == w.end.minutes())))
            // An end instant at local midnight belongs to the previous day's "24:00".
            || (!end_exclusive && minute == 0 && w.weekday == prev.weekday() && w.end.minutes() == 1440)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_slot_is_inside_wall_clock_availability_and_free(
        (tz, day) in dst_day(),
        windows in windows(),
        duration in prop_oneof![Just(15u32), Just(30), Just(45), Just(60)],
        buffer in prop_oneof![Just(0u32), Just(10), Just(15), Just(30)],
        busy_offsets in proptest::collection::vec((0i64..(3 * 24 * 4), 1i64..5), 0..6),
    ) {
        let s = settings(tz, &windows, buffer, 0);
        let tzz: Zone = tz.parse().unwrap();
        let from = crate::time::resolve_local(&tzz, day - Duration::days(1), 0, crate::time::Ambiguity::Earliest);
        let to = from + Duration::days(3);
        let busy: Vec<Busy> = busy_offsets.iter().map(|&(q, len)| {
            let start = from + Duration::minutes(q * 15);
            Busy { interval: Interval::new(start, start + Duration::minutes(len * 15)), buffer_minutes: buffer }
        }).collect();
        let slots = free_slots(&s, &busy, from, to, duration, from - Duration::days(30));
        let mut seen = HashSet::new();
        for slot in &slots {
            prop_assert!(on_grid(slot.start));
            prop_assert_eq!(slot.end - slot.start, Duration::minutes(i64::from(duration)));
            prop_assert!(seen.insert(slot.start), "duplicate slot {}", slot.start);
            // Every minute of the slot is inside wall-clock availability, and so is its end.
            let mut t = slot.start;
            while t < slot.end {
                prop_assert!(wall_clock_inside(&s, t, true), "{} outside availability in {}", t, tz);
                t += Duration::minutes(1);
            }
            prop_assert!(wall_clock_inside(&s, slot.end - Duration::seconds(1), true));
            for b in &busy {
                let gap = Duration::minutes(i64::from(buffer));
                prop_assert!(!(slot.start < b.interval.end + gap && b.interval.start < slot.end + gap),
                    "slot {} overlaps busy {:?} with buffer {}", slot.start, b.interval, buffer);
            }
            prop_assert_eq!(check_slot(&s, &busy, slot.start, duration, from - Duration::days(30)), Ok(()));
        }
        // Completeness: every grid instant whose whole span is available and free is offered.
        let mut t = from;
        while t < to {
            let span = Interval::new(t, t + Duration::minutes(i64::from(duration)));
            let mut inside = true;
            let mut m = span.start;
            while m < span.end {
                inside &= wall_clock_inside(&s, m, true);
                m += Duration::minutes(1);
            }
            let gap = Duration::minutes(i64::from(buffer));
            let free = !busy.iter().any(|b| span.start < b.interval.end + gap && b.interval.start < span.end + gap);
            if inside && free {
                prop_assert!(seen.contains(&t), "missing slot {} in {}", t, tz);
            }
            t += Duration::minutes(15);
        }
    }

    #[test]
    fn bookings_whose_locks_are_disjoint_never_overlap_with_buffer(
        a in 0i64..200, b in 0i64..200,
        da in prop_oneof![Just(15u32), Just(30), Just(45), Just(60)],
        db in prop_oneof![Just(15u32), Just(30), Just(45), Just(60)],
        buffer in 0u32..61,
    ) {
        let coach = UserId::parse("c").unwrap();
        let base = utc("2026-03-29T00:00:00Z");
        let (sa, sb) = (base + Duration::minutes(a * 15), base + Duration::minutes(b * 15));
        let la: HashSet<_> = slot_locks(&coach, sa, da, buffer).into_iter().collect();
        let lb: HashSet<_> = slot_locks(&coach, sb, db, buffer).into_iter().collect();
        let ia = Interval::new(sa, sa + Duration::minutes(i64::from(da)));
        let ib = Interval::new(sb, sb + Duration::minutes(i64::from(db)));
        let gap = Duration::minutes(i64::from(buffer));
        let too_close = ia.start < ib.end + gap && ib.start < ia.end + gap;
        prop_assert_eq!(la.is_disjoint(&lb), !too_close);
    }
}

/// The slots as the first version computed them: every grid candidate of every availability
/// window checked against every busy session. The reference the sweep must equal.
fn free_slots_by_scan(
    settings: &CoachSettings,
    busy: &[Busy],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    duration_minutes: u32,
    now: DateTime<Utc>,
) -> Vec<Interval> {
    let duration = Duration::minutes(i64::from(duration_minutes));
    let earliest = crate::time::ceil_to_grid(
        from.max(now + Duration::minutes(i64::from(settings.min_notice_minutes))),
    );
    let mut out = Vec::new();
    for window in availability_intervals(settings, earliest, to + duration) {
        let mut t = crate::time::ceil_to_grid(window.start.max(earliest));
        while t < to && t + duration <= window.end {
            let candidate = Interval::new(t, t + duration);
            if !blocked_by(&candidate, busy, settings.buffer_minutes) {
                out.push(candidate);
            }
            t += Duration::minutes(15);
        }
    }
    out.dedup();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_sweep_offers_exactly_the_slots_a_scan_of_every_candidate_offers(
        (tz, day) in dst_day(),
        windows in windows(),
        duration in prop_oneof![Just(15u32), Just(30), Just(45), Just(60), Just(120)],
        buffer_now in prop_oneof![Just(0u32), Just(5), Just(15), Just(40)],
        // Busy sessions at any minute (not only on the grid: a buffer change moves nothing),
        // overlapping each other, each with the buffer it was booked with.
        busy in proptest::collection::vec((0i64..(4 * 24 * 60), 1i64..180, 0u32..61), 0..12),
        notice in prop_oneof![Just(0u32), Just(60), Just(24 * 60)],
    ) {
        let s = settings(tz, &windows, buffer_now, notice);
        let tzz: Zone = tz.parse().unwrap();
        let from = crate::time::resolve_local(&tzz, day - Duration::days(1), 0, crate::time::Ambiguity::Earliest);
        let to = from + Duration::days(3);
        let busy: Vec<Busy> = busy.iter().map(|&(minute, len, buffer)| {
            let start = from - Duration::hours(12) + Duration::minutes(minute);
            Busy { interval: Interval::new(start, start + Duration::minutes(len)), buffer_minutes: buffer }
        }).collect();
        let now = from + Duration::hours(5);

        prop_assert_eq!(
            free_slots(&s, &busy, from, to, duration, now),
            free_slots_by_scan(&s, &busy, from, to, duration, now)
        );
    }
}
