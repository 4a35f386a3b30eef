//! Session reminders (docs/api.md#reminders): `reminder_24h` and `reminder_1h` to both participants of a scheduled
//! session, each delivered exactly once by the reminder job.
//!
//! A reminder waiting to be sent is a stored record (one per session and kind) filed in the
//! due-by-time index. Every change to a session's time or status rewrites its records in the
//! same transaction ([`reminder_writes`]): a move replaces them, a cancellation deletes them, and
//! a reminder whose time already passed is never written. The job delivers a reminder by
//! *taking* its record: a conditional delete that only succeeds while the record is exactly
//! what the job read, in the transaction that writes the notifications. Two overlapping runs,
//! or a run racing a move or a cancellation: exactly one of them changes the record.

use crate::ids::*;
use crate::notification::NotificationType;
use crate::session::{Session, SessionStatus};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReminderKind {
    /// 24 hours before the start.
    #[serde(rename = "24h")]
    H24,
    /// 1 hour before the start.
    #[serde(rename = "1h")]
    H1,
}

impl ReminderKind {
    /// Earliest first.
    pub const ALL: [ReminderKind; 2] = [ReminderKind::H24, ReminderKind::H1];

    pub fn as_str(&self) -> &'static str {
        match self {
            ReminderKind::H24 => "24h",
            ReminderKind::H1 => "1h",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// How long before the session's start the reminder is due: exactly 86,400 s or 3,600 s
    /// of UTC time, whatever the wall clock does meanwhile.
    pub fn lead(&self) -> Duration {
        match self {
            ReminderKind::H24 => Duration::seconds(86_400),
            ReminderKind::H1 => Duration::seconds(3_600),
        }
    }
    pub fn notification(&self) -> NotificationType {
        match self {
            ReminderKind::H24 => NotificationType::Reminder24h,
            ReminderKind::H1 => NotificationType::Reminder1h,
        }
    }
    pub fn due_at(&self, starts_at: DateTime<Utc>) -> DateTime<Utc> {
        starts_at - self.lead()
    }
}

/// A reminder waiting for the job: for the session starting at `starts_at`, due at `due_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub org: OrgId,
    pub session_id: SessionId,
    pub kind: ReminderKind,
    pub due_at: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
}

/// One reminder record change inside a [`Changes`](crate::ports::Changes) set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReminderWrite {
    /// Creates or replaces the record of (org, session, kind).
    Put(Reminder),
    /// Removes the record of (org, session, kind) when there is one.
    Delete {
        org: OrgId,
        session_id: SessionId,
        kind: ReminderKind,
    },
    /// Removes the record, which MUST be stored exactly as given (same `due_at` and
    /// `starts_at`); otherwise the whole set fails with `StoreError::Conflict`.
    Take(Reminder),
}

impl ReminderWrite {
    pub fn org(&self) -> &OrgId {
        match self {
            ReminderWrite::Put(r) | ReminderWrite::Take(r) => &r.org,
            ReminderWrite::Delete { org, .. } => org,
        }
    }
    /// The (session, kind) the write is about.
    pub fn target(&self) -> (&SessionId, ReminderKind) {
        match self {
            ReminderWrite::Put(r) | ReminderWrite::Take(r) => (&r.session_id, r.kind),
            ReminderWrite::Delete {
                session_id, kind, ..
            } => (session_id, *kind),
        }
    }
}

/// The reminder records `s` must have after a change made at `now`: for a scheduled session,
/// each reminder whose time has not passed yet (`due_at ≥ now`) is put, the others deleted; for
/// any other status both are deleted.
pub fn reminder_writes(s: &Session, now: DateTime<Utc>) -> Vec<ReminderWrite> {
    ReminderKind::ALL
        .into_iter()
        .map(|kind| match (s.status, s.starts_at) {
            (SessionStatus::Scheduled, Some(starts_at)) if kind.due_at(starts_at) >= now => {
                ReminderWrite::Put(Reminder {
                    org: s.org.clone(),
                    session_id: s.id.clone(),
                    kind,
                    due_at: kind.due_at(starts_at),
                    starts_at,
                })
            }
            _ => ReminderWrite::Delete {
                org: s.org.clone(),
                session_id: s.id.clone(),
                kind,
            },
        })
        .collect()
}

/// What the job does with the due reminders of one session at `now`: every one of them is
/// taken; at most one is delivered, the latest due, and none once the session has started.
/// A reminder is not delivered while a later one for the same start is due too, even when
/// that one is not among `due` (a batch boundary split them): the later one is delivered.
pub fn to_deliver(due: &[Reminder], now: DateTime<Utc>) -> Option<ReminderKind> {
    let latest = due
        .iter()
        .filter(|r| r.due_at <= now && now < r.starts_at)
        .max_by_key(|r| r.due_at)?;
    let superseded = ReminderKind::ALL
        .iter()
        .any(|k| k.lead() < latest.kind.lead() && k.due_at(latest.starts_at) <= now);
    (!superseded).then_some(latest.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn reminder(kind: ReminderKind, starts_at: &str) -> Reminder {
        let starts_at = utc(starts_at);
        Reminder {
            org: OrgId::parse("o").unwrap(),
            session_id: SessionId::parse("s").unwrap(),
            kind,
            due_at: kind.due_at(starts_at),
            starts_at,
        }
    }

    #[test]
    fn a_late_run_delivers_only_the_latest_due_reminder_and_nothing_after_the_start() {
        let start = "2026-12-10T10:00:00Z";
        let both = [
            reminder(ReminderKind::H24, start),
            reminder(ReminderKind::H1, start),
        ];
        assert_eq!(to_deliver(&both, utc("2026-12-09T09:59:59Z")), None);
        assert_eq!(
            to_deliver(&both, utc("2026-12-09T10:00:00Z")),
            Some(ReminderKind::H24)
        );
        assert_eq!(
            to_deliver(&both, utc("2026-12-10T09:30:00Z")),
            Some(ReminderKind::H1)
        );
        assert_eq!(to_deliver(&both, utc("2026-12-10T10:00:00Z")), None);
        // The 24 h one alone in a batch while the 1 h one is due too: not delivered.
        assert_eq!(to_deliver(&both[..1], utc("2026-12-10T09:30:00Z")), None);
        assert_eq!(
            to_deliver(&both[..1], utc("2026-12-10T08:59:59Z")),
            Some(ReminderKind::H24)
        );
    }

    use crate::reschedule::{ClientMove, client_move, request_expires_at};
    use crate::session::{NewSession, SessionKind};
    use crate::time::resolve_naive;
    use crate::zone::Zone;
    use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
    use proptest::prelude::*;

    fn scheduled(starts_at: DateTime<Utc>, tz: Zone) -> Session {
        let at = utc("2026-01-01T00:00:00Z");
        Session::new(NewSession {
            id: SessionId::parse("s").unwrap(),
            org: OrgId::parse("o").unwrap(),
            kind: SessionKind::Paid,
            name: "Paid session".into(),
            coach_id: UserId::parse("coach").unwrap(),
            client_id: UserId::parse("client").unwrap(),
            starts_at: Some(starts_at),
            duration_minutes: 60,
            buffer_minutes: 0,
            timezone: tz,
            created_by: UserId::parse("client").unwrap(),
            now: at,
        })
    }

    /// The 2026 DST changes: (zone, the day of the change).
    const CHANGES: [(&str, &str); 4] = [
        ("Europe/Berlin", "2026-03-29"),
        ("Europe/Berlin", "2026-10-25"),
        ("America/New_York", "2026-03-08"),
        ("America/New_York", "2026-11-01"),
    ];

    /// A wall-clock start on the 15-minute grid from two days before to two days after a DST
    /// change, resolved in its zone (a time in the spring gap moves forward, as booking does).
    fn start_near_a_change() -> impl Strategy<Value = (Zone, DateTime<Utc>)> {
        (0..CHANGES.len(), -2i64..=2, 0u32..96).prop_map(|(i, day, quarter)| {
            let (zone, date) = CHANGES[i];
            let tz: Zone = zone.parse().unwrap();
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap() + Duration::days(day);
            let time = NaiveTime::from_hms_opt(quarter / 4, (quarter % 4) * 15, 0).unwrap();
            let start = resolve_naive(&tz, NaiveDateTime::new(date, time));
            (tz, start)
        })
    }

    proptest! {
        #[test]
        fn reminders_fall_exactly_86400_and_3600_seconds_before_the_start_across_dst(
            (tz, start) in start_near_a_change(),
            before in 0i64..4 * 86_400,
        ) {
            let now = start - Duration::seconds(before);
            let writes = reminder_writes(&scheduled(start, tz), now);
            prop_assert_eq!(writes.len(), 2);
            for (w, (kind, lead)) in writes.iter().zip([(ReminderKind::H24, 86_400), (ReminderKind::H1, 3_600)]) {
                match w {
                    ReminderWrite::Put(r) => {
                        prop_assert_eq!(r.kind, kind);
                        prop_assert_eq!(start.timestamp() - r.due_at.timestamp(), lead);
                        prop_assert_eq!(r.starts_at, start);
                        prop_assert!(r.due_at >= now, "only reminders not yet past are kept");
                    }
                    ReminderWrite::Delete { kind: k, .. } => {
                        prop_assert_eq!(*k, kind);
                        prop_assert!(start - Duration::seconds(lead) < now, "a reminder still ahead is never dropped");
                    }
                    ReminderWrite::Take(_) => prop_assert!(false, "a session change never takes"),
                }
            }
        }

        #[test]
        fn the_job_delivers_exactly_the_latest_due_reminder_before_the_start(
            (tz, start) in start_near_a_change(),
            offset in -2 * 86_400i64..3_600,
        ) {
            let now = start + Duration::seconds(offset);
            let due: Vec<Reminder> = ReminderKind::ALL
                .into_iter()
                .map(|kind| Reminder {
                    org: OrgId::parse("o").unwrap(),
                    session_id: SessionId::parse("s").unwrap(),
                    kind,
                    due_at: kind.due_at(start),
                    starts_at: start,
                })
                .filter(|r| r.due_at <= now)
                .collect();
            let expected = if offset >= 0 {
                None
            } else if offset >= -3_600 {
                Some(ReminderKind::H1)
            } else if offset >= -86_400 {
                Some(ReminderKind::H24)
            } else {
                None
            };
            prop_assert_eq!(to_deliver(&due, now), expected);
            let _ = tz;
        }

        #[test]
        fn client_moves_follow_the_windows_in_exact_seconds_across_dst(
            (_tz, start) in start_near_a_change(),
            left in -3_600i64..4 * 86_400,
        ) {
            let now = start - Duration::seconds(left);
            let expected = if left >= 172_800 {
                ClientMove::Immediate
            } else if left >= 86_400 {
                ClientMove::NeedsApproval
            } else {
                ClientMove::Closed
            };
            prop_assert_eq!(client_move(now, start), expected);
            if expected == ClientMove::NeedsApproval {
                // Filed 24–48 h ahead, a request always expires at the session's start.
                prop_assert_eq!(request_expires_at(now, start), start);
            }
            let expires = request_expires_at(now, start);
            prop_assert!(expires <= start && expires <= now + Duration::hours(48));
        }
    }
}
