//! Properties over random sessions of one coach over 2026, in three currencies, with every status.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

const ZONES: [&str; 4] = [
    "Europe/Berlin",
    "America/New_York",
    "Pacific/Auckland",
    "UTC",
];
const YEAR_START: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn any_session() -> impl Strategy<Value = Session> {
    (
        0u32..1000,
        0usize..6,
        0u8..5,
        0i64..365 * 24 * 4,
        0usize..3,
        0i64..20_000,
        proptest::option::of(1u8..=5),
    )
        .prop_map(|(n, client, status, quarter, cur, amount, rating)| {
            let start = DateTime::from_timestamp(YEAR_START + quarter * 900, 0).unwrap();
            let kind = if n % 3 == 0 { Intro } else { Paid };
            let mut s = session(
                &format!("s{n}"),
                &format!("c{client}"),
                kind,
                30,
                &start.to_rfc3339(),
            );
            let currency = Currency::parse(["EUR", "USD", "JPY"][cur]).unwrap();
            let money = Money::new(amount, currency).unwrap();
            s.price = (kind == Paid).then_some(money);
            match status {
                0 => s,
                1 => completed(s, rating),
                2 => {
                    let mut s = cancelled(s, Party::Client, None, "2026-01-01T00:00:00Z");
                    s.cancellation.as_mut().unwrap().fee = Some(money.percent(50));
                    s
                }
                3 => {
                    let mut s = no_show(s, 0);
                    s.no_show.as_mut().unwrap().fee = Some(money);
                    s
                }
                _ => cancelled(s, Party::Coach, None, "2026-01-01T00:00:00Z"),
            }
        })
}

fn any_range() -> impl Strategy<Value = (DateTime<Utc>, DateTime<Utc>)> {
    (0i64..400 * 24, 0i64..200 * 24).prop_map(|(a, len)| {
        let from = DateTime::from_timestamp(YEAR_START - 10 * 86_400 + a * 3600, 0).unwrap();
        (from, from + Duration::hours(len))
    })
}

/// Revenue summed per currency, months merged.
fn per_currency(rows: &[MonthRevenue]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for r in rows {
        *out.entry(r.currency.to_string()).or_default() += r.amount;
    }
    out
}

/// Sessions with distinct ids (the generator may repeat one).
fn distinct(sessions: Vec<Session>) -> Vec<Session> {
    let mut seen = HashSet::new();
    sessions
        .into_iter()
        .filter(|s| seen.insert(s.id.clone()))
        .collect()
}

proptest! {
    #[test]
    fn revenue_is_the_sum_of_prices_and_fees_of_the_sessions_in_the_range(
        sessions in proptest::collection::vec(any_session(), 0..60),
        (from, to) in any_range(),
        z in 0..ZONES.len(),
    ) {
        let sessions = distinct(sessions);
        let got = coach_analytics(&sessions, from, to, &ZONES[z].parse().unwrap());
        let mut want: BTreeMap<String, i64> = BTreeMap::new();
        for s in &sessions {
            let start = s.starts_at.unwrap();
            if start < from || start >= to {
                continue;
            }
            let part = match s.status {
                SessionStatus::Completed if s.kind == Paid => s.price,
                SessionStatus::Cancelled => s.cancellation.as_ref().unwrap().fee,
                SessionStatus::NoShow => s.no_show.as_ref().unwrap().fee,
                _ => None,
            };
            if let Some(m) = part.filter(|m| m.amount() > 0) {
                *want.entry(m.currency().to_string()).or_default() += m.amount();
            }
        }
        prop_assert_eq!(per_currency(&got.revenue), want);
        prop_assert!(got.revenue.iter().all(|r| r.amount > 0));
        let keys: Vec<_> = got.revenue.iter().map(|r| (r.month.clone(), r.currency.to_string())).collect();
        prop_assert!(keys.windows(2).all(|w| w[0] < w[1]), "sorted and unique: {:?}", keys);
    }

    #[test]
    fn ratios_stay_within_bounds_and_are_null_exactly_when_there_is_nothing_to_divide(
        sessions in proptest::collection::vec(any_session(), 0..60),
        (from, to) in any_range(),
    ) {
        let sessions = distinct(sessions);
        let got = coach_analytics(&sessions, from, to, &berlin());
        let in_range = |s: &&Session| (from..to).contains(&s.starts_at.unwrap());
        let rated = sessions.iter().filter(in_range).any(|s| s.rating.is_some());
        prop_assert_eq!(got.client_retention_rate.is_none(), got.sessions_completed == 0);
        prop_assert!(got.client_retention_rate.is_none_or(|r| (0.0..=1.0).contains(&r)));
        prop_assert_eq!(got.average_rating.is_some(), rated);
        prop_assert!(got.average_rating.is_none_or(|r| (1.0..=5.0).contains(&r)));
    }

    #[test]
    fn two_adjacent_ranges_add_up_to_the_whole_and_order_does_not_matter(
        sessions in proptest::collection::vec(any_session(), 0..60),
        (from, mid) in any_range(),
        more in 0i64..2000,
    ) {
        let to = mid + Duration::hours(more);
        let sessions = distinct(sessions);
        let zone = berlin();
        let (a, b) = (coach_analytics(&sessions, from, mid, &zone), coach_analytics(&sessions, mid, to, &zone));
        let whole = coach_analytics(&sessions, from, to, &zone);
        prop_assert_eq!(a.sessions_completed + b.sessions_completed, whole.sessions_completed);
        let mut rows: BTreeMap<(String, String), i64> = BTreeMap::new();
        for r in a.revenue.iter().chain(&b.revenue) {
            *rows.entry((r.month.clone(), r.currency.to_string())).or_default() += r.amount;
        }
        let whole_rows: BTreeMap<_, _> =
            whole.revenue.iter().map(|r| ((r.month.clone(), r.currency.to_string()), r.amount)).collect();
        prop_assert_eq!(rows, whole_rows);
        let mut reversed = sessions.clone();
        reversed.reverse();
        prop_assert_eq!(coach_analytics(&reversed, from, to, &zone), whole);
    }
}
