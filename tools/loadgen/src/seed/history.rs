//! The seeded history: `completed` sessions of one coach, evenly spaced (they never overlap),
//! with a realistic mix that exercises every analytics figure, chosen by a hash of the index so
//! that a month holds regulars seen once, twice or more, and new clients:
//! - 1 in 25 is a new client's first and only session, the others go to 300 regular clients;
//! - 1 in 20 is a free 15-minute intro, the rest are paid 60-minute sessions at 90 EUR;
//! - 3 in 10 are rated 1..5;
//! - besides the completed ones, every 40th slot also holds a session the client cancelled late
//!   (fee 45 EUR) and every 80th a no-show (fee 90 EUR), so fees count too.

use chrono::{DateTime, Duration, Utc};
use coaching_domain::ids::{AgendaItemId, OrgId, SessionId, UserId};
use coaching_domain::money::{Currency, Money};
use coaching_domain::session::{
    AgendaItem, Cancellation, NewSession, NoShow, Party, Rating, Session, SessionKind,
    SessionRating, SessionStatus,
};
use coaching_domain::zone::Zone;

/// Regular clients of the coach.
const REGULARS: u64 = 300;

pub struct Plan {
    pub org: OrgId,
    pub coach: UserId,
    pub completed: u32,
    pub first: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub zone: Zone,
}

/// SplitMix64: a fixed, well-mixed hash of the index (the same history on every run).
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::eur()).expect("a small amount")
}

impl Plan {
    /// Minutes between consecutive completed sessions.
    fn spacing(&self) -> i64 {
        ((self.until - self.first).num_minutes() / i64::from(self.completed)).max(1)
    }

    /// Every seeded session, in start order per kind.
    pub fn sessions(&self) -> Vec<Session> {
        let mut out = Vec::with_capacity(self.completed as usize * 21 / 20);
        let spacing = self.spacing();
        let first = self.until - Duration::minutes(spacing * i64::from(self.completed));
        for i in 0..u64::from(self.completed) {
            let h = mix(i);
            let start = first + Duration::minutes(spacing * i as i64);
            let client = if h.is_multiple_of(25) {
                format!("ana-new-{i}")
            } else {
                format!("ana-client-{}", (h >> 8) % REGULARS)
            };
            let mut s = self.base(&format!("ana-{i}"), &client, start);
            s.status = SessionStatus::Completed;
            if h % 20 == 1 {
                s.kind = SessionKind::Intro;
                s.duration_minutes = 15;
                s.price = None;
            }
            if (h >> 20) % 10 < 3 {
                s.rating = Some(SessionRating {
                    rating: Rating::try_from(1 + ((h >> 32) % 5) as u8).expect("1..=5"),
                    comment: Some("Helpful, thank you".into()),
                    at: start + Duration::hours(2),
                });
            }
            out.push(s);
            // Half a slot later (the spacing leaves room), the extra sessions of every 40th
            // and 80th slot.
            let later = start + Duration::minutes(spacing / 2);
            if i % 40 == 7 {
                let mut c = self.base(&format!("ana-x-{i}"), &client, later);
                c.status = SessionStatus::Cancelled;
                c.cancellation = Some(Cancellation {
                    by: Party::Client,
                    by_user_id: c.client_id.clone(),
                    at: later - Duration::hours(3),
                    reason: Some("Something came up".into()),
                    fee: Some(eur(4500)),
                });
                out.push(c);
            }
            if i % 80 == 13 {
                let mut n = self.base(&format!("ana-ns-{i}"), &client, later);
                n.status = SessionStatus::NoShow;
                n.no_show = Some(NoShow {
                    at: later + Duration::minutes(10),
                    fee: Some(eur(9000)),
                });
                out.push(n);
            }
        }
        out
    }

    /// A paid 60-minute session as a booking through the API leaves it (no review, no
    /// generation, a short agenda and notes), still scheduled.
    fn base(&self, id: &str, client: &str, start: DateTime<Utc>) -> Session {
        let client = UserId::parse(client).expect("an id");
        Session {
            price: Some(eur(9000)),
            agenda: ["Check-in", "Goals since last time"]
                .iter()
                .enumerate()
                .map(|(k, text)| AgendaItem {
                    id: AgendaItemId::parse(format!("ag-{k}")).expect("an id"),
                    text: (*text).into(),
                    done: true,
                })
                .collect(),
            notes: "Talked through the quarter's goals. [] send the summary".into(),
            private_notes: "Seems more confident".into(),
            updated_at: start + Duration::hours(1),
            version: 2,
            ..Session::new(NewSession {
                id: SessionId::parse(id).expect("an id"),
                org: self.org.clone(),
                kind: SessionKind::Paid,
                name: "Coaching session (60 min)".into(),
                coach_id: self.coach.clone(),
                client_id: client.clone(),
                starts_at: Some(start),
                duration_minutes: 60,
                buffer_minutes: 0,
                timezone: self.zone.clone(),
                created_by: client,
                now: start - Duration::days(7),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(completed: u32) -> Plan {
        let until: DateTime<Utc> = "2025-01-01T00:00:00Z".parse().unwrap();
        Plan {
            org: OrgId::parse("o").unwrap(),
            coach: UserId::parse("c").unwrap(),
            completed,
            first: until - Duration::days(1096),
            until,
            zone: "Europe/Berlin".parse().unwrap(),
        }
    }

    #[test]
    fn the_history_has_exactly_the_completed_sessions_asked_for_before_the_end_without_overlap() {
        let p = plan(20_000);

        let all = p.sessions();

        let mut completed: Vec<_> = all
            .iter()
            .filter(|s| s.status == SessionStatus::Completed)
            .collect();
        assert_eq!(completed.len(), 20_000);
        completed.sort_by_key(|s| s.starts_at);
        assert!(
            completed
                .windows(2)
                .all(|w| w[0].ends_at() <= w[1].starts_at)
        );
        assert!(all.iter().all(|s| s.starts_at.unwrap() < p.until));
        assert!(all.iter().any(|s| s.status == SessionStatus::Cancelled));
        assert!(all.iter().any(|s| s.status == SessionStatus::NoShow));
        assert!(
            all.iter()
                .any(|s| s.client_id.as_str().starts_with("ana-new-"))
        );
    }
}
