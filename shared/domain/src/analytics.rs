//! A coach's business figures over a time range (§10 analytics): completed sessions, client
//! retention, average rating and revenue per month in the coach's time zone. Pure: the caller
//! loads the sessions, this module only counts.
//!
//! Decisions the contract leaves open:
//! - A session belongs to the range, and a figure to a month, by its **start** (`startsAt`),
//!   for all figures alike: a late-cancellation or no-show fee is revenue of the month in which
//!   the missed session was to start (not of the month of the cancellation or of the no-show
//!   record), so the fees of a month are those of the sessions the month held, and the same
//!   session never adds to one month's count and another month's revenue.
//! - `client_retention_rate` is `None` (JSON `null`) when no client had a completed session in
//!   the range: 0/0 is no rate, and 0 would read as "every client left".
//! - Money stays in integer minor units; the only floating-point figures are the two ratios.

use crate::ids::{SessionId, UserId};
use crate::money::Currency;
use crate::session::{Session, SessionKind, SessionStatus};
use crate::zone::Zone;
use chrono::{DateTime, Datelike, Utc};
use std::collections::{HashMap, HashSet};

/// The figures of `GET /v1/coaches/{coachId}/analytics`.
#[derive(Debug, Clone, PartialEq)]
pub struct Analytics {
    /// Completed sessions starting in `[from, to)`.
    pub sessions_completed: u32,
    /// Among the clients with a completed session starting in `[from, to)`, the share (0..=1)
    /// with at least two completed sessions with this coach starting before `to` (earlier
    /// ones included). `None` when there is no such client.
    pub client_retention_rate: Option<f64>,
    /// Mean of the review ratings (1..=5) of the sessions starting in `[from, to)`; `None`
    /// when none of them is rated.
    pub average_rating: Option<f64>,
    /// One row per (month, currency) with revenue, months ascending, then currencies.
    pub revenue: Vec<MonthRevenue>,
}

/// Revenue of one calendar month of the coach's time zone in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRevenue {
    /// `YYYY-MM` in the coach's time zone, of the sessions' start.
    pub month: String,
    /// Minor units. A sum, so it may exceed the largest single [`crate::Money`] amount.
    pub amount: i64,
    pub currency: Currency,
}

/// The analytics of one coach over `[from, to)`; months are those of `zone` (the coach's).
///
/// `sessions` must all be this coach's. What the figures need from them:
/// - every session of the coach starting in `[from, to)`, whatever its status (completed
///   ones for the count, the ratings, the prices; cancelled ones for late-cancellation fees;
///   no-shows for no-show fees);
/// - for retention, for each client with a completed session in the range that has only one
///   there, at least one of the client's earlier completed sessions with the coach when there
///   is one (passing all of them is fine; one is enough).
///
/// Anything else is ignored: sessions starting at or after `to`, drafts without a time,
/// sessions before `from` except as retention history. A session passed twice (the same id)
/// counts once.
pub fn coach_analytics(
    sessions: &[Session],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: &Zone,
) -> Analytics {
    let mut seen: HashSet<&SessionId> = HashSet::with_capacity(sessions.len());
    let mut completed_before_to: HashMap<&UserId, u32> = HashMap::new();
    let mut clients_in_range: HashSet<&UserId> = HashSet::new();
    let mut sessions_completed = 0u32;
    let (mut rating_sum, mut ratings) = (0u32, 0u32);
    let mut revenue: HashMap<(String, Currency), i64> = HashMap::new();

    for s in sessions {
        let Some(start) = s.starts_at else { continue };
        if start >= to || !seen.insert(&s.id) {
            continue;
        }
        let completed = s.status == SessionStatus::Completed;
        if completed {
            *completed_before_to.entry(&s.client_id).or_default() += 1;
        }
        if start < from {
            continue;
        }
        if completed {
            sessions_completed += 1;
            clients_in_range.insert(&s.client_id);
        }
        if let Some(r) = &s.rating {
            rating_sum += u32::from(r.rating.get());
            ratings += 1;
        }
        if let Some(money) = earned(s).filter(|m| m.amount() > 0) {
            let local = start.with_timezone(zone);
            let month = format!("{:04}-{:02}", local.year(), local.month());
            *revenue.entry((month, money.currency())).or_default() += money.amount();
        }
    }

    let mut revenue: Vec<MonthRevenue> = revenue
        .into_iter()
        .map(|((month, currency), amount)| MonthRevenue {
            month,
            amount,
            currency,
        })
        .collect();
    revenue.sort_by(|a, b| (&a.month, a.currency.as_str()).cmp(&(&b.month, b.currency.as_str())));
    let retained = clients_in_range
        .iter()
        .filter(|c| completed_before_to.get(*c).copied().unwrap_or(0) >= 2)
        .count();
    Analytics {
        sessions_completed,
        client_retention_rate: ratio(retained as u32, clients_in_range.len() as u32),
        average_rating: ratio(rating_sum, ratings),
        revenue,
    }
}

/// What a session earned the coach: the price of a completed paid session, the fee of a late
/// cancellation, the fee of a no-show; nothing otherwise.
fn earned(s: &Session) -> Option<crate::money::Money> {
    match s.status {
        SessionStatus::Completed if s.kind == SessionKind::Paid => s.price,
        SessionStatus::Cancelled => s.cancellation.as_ref().and_then(|c| c.fee),
        SessionStatus::NoShow => s.no_show.as_ref().and_then(|n| n.fee),
        _ => None,
    }
}

fn ratio(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

#[cfg(test)]
mod tests;
