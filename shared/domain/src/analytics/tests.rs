//! A designed month whose every figure is known in advance; properties in `properties`.

use super::*;
use crate::money::Money;
use crate::session::{Cancellation, NewSession, NoShow, Party, Rating, SessionRating};
use crate::{OrgId, SessionId, UserId};
use chrono::Duration;

mod properties;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::eur()).unwrap()
}

fn berlin() -> Zone {
    "Europe/Berlin".parse().unwrap()
}

/// A session of coach `coach`; paid ones cost 5,000 (30 min) or 9,000 (60 min) EUR cents.
fn session(id: &str, client: &str, kind: SessionKind, minutes: u32, start: &str) -> Session {
    let at = utc(start);
    let user = |u: &str| UserId::parse(u).unwrap();
    Session {
        price: (kind == SessionKind::Paid).then(|| eur(if minutes == 60 { 9000 } else { 5000 })),
        ..Session::new(NewSession {
            id: SessionId::parse(id).unwrap(),
            org: OrgId::parse("org").unwrap(),
            kind,
            name: id.into(),
            coach_id: user("coach"),
            client_id: user(client),
            starts_at: Some(at),
            duration_minutes: minutes,
            buffer_minutes: 0,
            timezone: berlin(),
            created_by: user("coach"),
            now: at - Duration::days(30),
        })
    }
}

fn completed(mut s: Session, rating: Option<u8>) -> Session {
    s.status = SessionStatus::Completed;
    s.rating = rating.map(|r| SessionRating {
        rating: Rating::try_from(r).unwrap(),
        comment: None,
        at: s.starts_at.unwrap() + Duration::hours(2),
    });
    s
}

fn cancelled(mut s: Session, by: Party, fee: Option<i64>, at: &str) -> Session {
    s.status = SessionStatus::Cancelled;
    s.cancellation = Some(Cancellation {
        by,
        by_user_id: if by == Party::Coach {
            s.coach_id.clone()
        } else {
            s.client_id.clone()
        },
        at: utc(at),
        reason: None,
        fee: fee.map(eur),
    });
    s
}

fn no_show(mut s: Session, fee: i64) -> Session {
    s.status = SessionStatus::NoShow;
    s.no_show = Some(NoShow {
        at: s.starts_at.unwrap() + Duration::minutes(15),
        fee: Some(eur(fee)),
    });
    s
}

fn month(m: &str, amount: i64) -> MonthRevenue {
    MonthRevenue {
        month: m.into(),
        amount,
        currency: Currency::eur(),
    }
}

use SessionKind::{Intro, Paid, Review};

/// September 2026 of a coach in Berlin (CEST, UTC+2): every figure below is worked out by hand.
fn designed_september() -> Vec<Session> {
    let mut draft = session("draft", "alice", Review, 60, "2026-09-15T10:00:00Z");
    draft.status = SessionStatus::Draft;
    draft.starts_at = None;
    vec![
        // History before the range: counts for retention only (alice's and bob's second session).
        completed(
            session("alice-aug", "alice", Paid, 60, "2026-08-27T10:00:00Z"),
            Some(1),
        ),
        completed(
            session("bob-intro", "bob", Intro, 15, "2026-08-20T09:00:00Z"),
            None,
        ),
        // In the range, completed: 5 sessions, clients alice, bob, carol, dave.
        completed(
            session("alice-1", "alice", Paid, 60, "2026-09-03T10:00:00Z"),
            Some(5),
        ),
        completed(
            session("alice-2", "alice", Paid, 30, "2026-09-17T10:00:00Z"),
            Some(4),
        ),
        completed(
            session("bob-1", "bob", Paid, 30, "2026-09-10T09:00:00Z"),
            None,
        ),
        completed(
            session("dave-intro", "dave", Intro, 15, "2026-09-05T08:00:00Z"),
            None,
        ),
        // The 30th at 22:30 UTC is 1 October 00:30 in Berlin: in the UTC range, October revenue.
        completed(
            session("carol-1", "carol", Paid, 60, "2026-09-30T22:30:00Z"),
            Some(2),
        ),
        // A late cancellation by the client (50 % fee) and a no-show (100 % fee): revenue.
        cancelled(
            session("erin-late", "erin", Paid, 30, "2026-09-12T16:00:00Z"),
            Party::Client,
            Some(2500),
            "2026-09-12T08:00:00Z",
        ),
        no_show(
            session("frank-ns", "frank", Paid, 60, "2026-09-20T07:00:00Z"),
            9000,
        ),
        // Cancelled by the coach: no fee. Still scheduled: nothing yet.
        cancelled(
            session("bob-cx", "bob", Paid, 30, "2026-09-24T09:00:00Z"),
            Party::Coach,
            None,
            "2026-09-23T09:00:00Z",
        ),
        session("alice-next", "alice", Paid, 30, "2026-09-28T10:00:00Z"),
        // Cancelled late in September for a session on 2 October: October's fee, out of range.
        cancelled(
            session("erin-oct", "erin", Paid, 30, "2026-10-02T10:00:00Z"),
            Party::Client,
            Some(2500),
            "2026-09-30T12:00:00Z",
        ),
        // After `to`: dave's second completed session does not make him retained.
        completed(
            session("dave-oct", "dave", Paid, 30, "2026-10-05T08:00:00Z"),
            Some(5),
        ),
        draft,
    ]
}

#[test]
fn a_designed_month_gives_exactly_the_figures_worked_out_by_hand() {
    let sessions = designed_september();
    let got = coach_analytics(
        &sessions,
        utc("2026-09-01T00:00:00Z"),
        utc("2026-10-01T00:00:00Z"),
        &berlin(),
    );
    assert_eq!(
        got,
        Analytics {
            sessions_completed: 5,
            // alice (two in the range) and bob (an intro in August) of alice, bob, carol, dave.
            client_retention_rate: Some(0.5),
            // 5, 4 and 2; alice's August 1 is outside the range.
            average_rating: Some(11.0 / 3.0),
            revenue: vec![
                // 9,000 + 5,000 + 5,000 + 2,500 late fee + 9,000 no-show fee.
                month("2026-09", 30_500),
                // carol's session, Berlin time.
                month("2026-10", 9_000),
            ],
        }
    );
}

#[test]
fn the_same_month_taken_in_berlin_leaves_out_the_session_of_the_first_of_october() {
    let got = coach_analytics(
        &designed_september(),
        utc("2026-08-31T22:00:00Z"),
        utc("2026-09-30T22:00:00Z"),
        &berlin(),
    );
    assert_eq!(got.sessions_completed, 4);
    assert_eq!(got.client_retention_rate, Some(2.0 / 3.0));
    assert_eq!(got.average_rating, Some(4.5));
    assert_eq!(got.revenue, vec![month("2026-09", 30_500)]);
}

#[test]
fn in_utc_the_thirtieth_at_half_past_ten_is_septembers_revenue() {
    let got = coach_analytics(
        &designed_september(),
        utc("2026-09-01T00:00:00Z"),
        utc("2026-10-01T00:00:00Z"),
        &Zone::utc(),
    );
    assert_eq!(got.revenue, vec![month("2026-09", 39_500)]);
}

#[test]
fn a_range_without_sessions_has_nulls_and_no_revenue() {
    let got = coach_analytics(
        &designed_september(),
        utc("2027-01-01T00:00:00Z"),
        utc("2027-02-01T00:00:00Z"),
        &berlin(),
    );
    assert_eq!(
        got,
        Analytics {
            sessions_completed: 0,
            client_retention_rate: None,
            average_rating: None,
            revenue: vec![],
        }
    );
}

#[test]
fn a_session_passed_twice_counts_once_and_currencies_get_their_own_rows() {
    let mut usd = completed(
        session("usd", "gina", Paid, 30, "2026-09-08T10:00:00Z"),
        None,
    );
    usd.price = Some(Money::new(7000, Currency::parse("USD").unwrap()).unwrap());
    let mut sessions = designed_september();
    sessions.push(usd);
    sessions.extend(designed_september());
    let got = coach_analytics(
        &sessions,
        utc("2026-09-01T00:00:00Z"),
        utc("2026-10-01T00:00:00Z"),
        &berlin(),
    );
    assert_eq!(got.sessions_completed, 6);
    assert_eq!(got.client_retention_rate, Some(2.0 / 5.0));
    let rows: Vec<_> = got
        .revenue
        .iter()
        .map(|r| (r.month.as_str(), r.currency.as_str(), r.amount))
        .collect();
    assert_eq!(
        rows,
        [
            ("2026-09", "EUR", 30_500),
            ("2026-09", "USD", 7_000),
            ("2026-10", "EUR", 9_000)
        ]
    );
}
