//! Free slots of a coach: wall-clock availability turned into UTC intervals (DST-correct),
//! minus minimum notice, minus existing sessions with their buffer; and the slot-lock keys a
//! booking takes so that the store, not a read before a write, forbids overlaps.

use crate::coach::CoachSettings;
use crate::ids::UserId;
use crate::time::{GRID_MINUTES, ceil_minutes_to_grid, ceil_to_grid, on_grid, wall_clock_span};
use chrono::{DateTime, Datelike, Duration, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

/// A half-open UTC interval `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self { start, end }
    }
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// Time a coach is already busy with: a session's interval and the buffer it was booked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub interval: Interval,
    pub buffer_minutes: u32,
}

/// The most a single slots query may span.
pub const MAX_SLOT_RANGE_DAYS: i64 = 62;

/// Availability of `settings` as merged UTC intervals covering at least `[from, to)`.
///
/// Each local date's windows are merged in wall-clock minutes, then turned into exactly the set
/// of instants whose wall-clock time lies inside them: shorter across a spring gap, possibly
/// two pieces across an autumn repeat.
pub fn availability_intervals(
    settings: &CoachSettings,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Interval> {
    let tz = &settings.timezone;
    let first = from.with_timezone(tz).date_naive() - Duration::days(1);
    let last = to.with_timezone(tz).date_naive() + Duration::days(1);
    let mut out: Vec<Interval> = Vec::new();
    let mut date = first;
    while date <= last {
        let mut day: Vec<(u32, u32)> = settings
            .availability
            .iter()
            .filter(|w| w.weekday == date.weekday())
            .map(|w| (w.start.minutes(), w.end.minutes()))
            .collect();
        day.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::new();
        for (s, e) in day {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        for (s, e) in merged {
            let midnight = NaiveDateTime::new(date, NaiveTime::MIN);
            let from = midnight + Duration::minutes(i64::from(s));
            let to = midnight + Duration::minutes(i64::from(e));
            out.extend(
                wall_clock_span(tz, from, to)
                    .into_iter()
                    .map(|(a, b)| Interval::new(a, b)),
            );
        }
        date += Duration::days(1);
    }
    // Windows of adjacent days that touch (Mon 22:00-24:00, Tue 00:00-02:00) join up.
    out.sort();
    let mut joined: Vec<Interval> = Vec::new();
    for i in out {
        match joined.last_mut() {
            Some(last) if i.start <= last.end => last.end = last.end.max(i.end),
            _ => joined.push(i),
        }
    }
    joined
}

/// Why a time is not bookable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotRejection {
    OffGrid,
    TooSoon,
    OutsideAvailability,
    Overlaps,
}

fn blocked_by(candidate: &Interval, busy: &[Busy], buffer_now: u32) -> bool {
    busy.iter().any(|b| {
        // Keep the larger of the buffer the busy session was booked with and today's buffer.
        let after = Duration::minutes(i64::from(b.buffer_minutes.max(buffer_now)));
        let before = Duration::minutes(i64::from(buffer_now));
        candidate.start < b.interval.end + after && b.interval.start < candidate.end + before
    })
}

/// Checks that `[start, start + duration)` is a free slot of the coach at `now`.
pub fn check_slot(
    settings: &CoachSettings,
    busy: &[Busy],
    start: DateTime<Utc>,
    duration_minutes: u32,
    now: DateTime<Utc>,
) -> Result<(), SlotRejection> {
    let candidate = Interval::new(
        start,
        start + Duration::minutes(i64::from(duration_minutes)),
    );
    if !on_grid(start) {
        return Err(SlotRejection::OffGrid);
    }
    if start < now + Duration::minutes(i64::from(settings.min_notice_minutes)) {
        return Err(SlotRejection::TooSoon);
    }
    let avail = availability_intervals(settings, candidate.start, candidate.end);
    if !avail.iter().any(|a| a.contains(&candidate)) {
        return Err(SlotRejection::OutsideAvailability);
    }
    if blocked_by(&candidate, busy, settings.buffer_minutes) {
        return Err(SlotRejection::Overlaps);
    }
    Ok(())
}

/// The starts that `busy` forbids for a slot of `duration`: a candidate `[t, t + duration)` is
/// blocked by a busy session exactly when `t` lies strictly inside
/// `(start - duration - buffer_now, end + max(its buffer, buffer_now))` ([`blocked_by`]'s
/// condition solved for `t`). Sorted by start and merged where they overlap.
fn blocked_starts(
    busy: &[Busy],
    duration: Duration,
    buffer_now: u32,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let before = Duration::minutes(i64::from(buffer_now));
    let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = busy
        .iter()
        .map(|b| {
            let after = Duration::minutes(i64::from(b.buffer_minutes.max(buffer_now)));
            (b.interval.start - duration - before, b.interval.end + after)
        })
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(spans.len());
    for (lo, hi) in spans {
        match merged.last_mut() {
            // Open intervals: (a, b) and (c, d) with c < b leave no start between them free.
            Some(last) if lo < last.1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    merged
}

/// Every free slot of `duration_minutes` starting in `[from, to)`, in order.
///
/// Linear in the candidates plus the busy sessions (after sorting them): the candidates are
/// visited in time order and the forbidden starts swept alongside, so a 62-day query against a
/// full calendar costs microseconds per day, not candidates × sessions.
pub fn free_slots(
    settings: &CoachSettings,
    busy: &[Busy],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    duration_minutes: u32,
    now: DateTime<Utc>,
) -> Vec<Interval> {
    let duration = Duration::minutes(i64::from(duration_minutes));
    let earliest =
        ceil_to_grid(from.max(now + Duration::minutes(i64::from(settings.min_notice_minutes))));
    let blocked = blocked_starts(busy, duration, settings.buffer_minutes);
    let mut next_block = 0;
    let mut out = Vec::new();
    for window in availability_intervals(settings, earliest, to + duration) {
        let mut t = ceil_to_grid(window.start.max(earliest));
        while t < to && t + duration <= window.end {
            // Candidates only move forward: spans that end at or before t never matter again.
            while next_block < blocked.len() && blocked[next_block].1 <= t {
                next_block += 1;
            }
            let free = blocked.get(next_block).is_none_or(|&(lo, _)| t <= lo);
            if free {
                out.push(Interval::new(t, t + duration));
            }
            t += Duration::minutes(GRID_MINUTES);
        }
    }
    out.dedup();
    out
}

/// A uniqueness key a store MUST hold at most once per org, written in the same transaction
/// as the session that takes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LockKey {
    /// One 15-minute block of a coach's time.
    Slot {
        coach: UserId,
        block_start: DateTime<Utc>,
    },
    /// The one non-cancelled intro call of a coach–client pair.
    IntroPair { coach: UserId, client: UserId },
}

impl LockKey {
    /// A stable string form for stores (`slot#coach#unix-seconds`, `intro#coach#client`).
    pub fn storage_key(&self) -> String {
        match self {
            LockKey::Slot { coach, block_start } => {
                format!("slot#{coach}#{}", block_start.timestamp())
            }
            LockKey::IntroPair { coach, client } => format!("intro#{coach}#{client}"),
        }
    }
}

/// The slot locks a session of the coach at `[start, start + duration)` takes: every grid block
/// from its start to its end plus the buffer rounded up to the grid. Two sessions whose lock sets
/// are disjoint are at least the buffer apart.
pub fn slot_locks(
    coach: &UserId,
    start: DateTime<Utc>,
    duration_minutes: u32,
    buffer_minutes: u32,
) -> Vec<LockKey> {
    let span = i64::from(duration_minutes) + ceil_minutes_to_grid(i64::from(buffer_minutes));
    (0..span / GRID_MINUTES)
        .map(|i| LockKey::Slot {
            coach: coach.clone(),
            block_start: start + Duration::minutes(i * GRID_MINUTES),
        })
        .collect()
}

#[cfg(test)]
mod tests;
