//! A coach's business figures over a time range (docs/api.md#analytics): completed sessions, client
//! retention, average rating and revenue per month in the coach's time zone. Pure: a store
//! reads the few facts per session the figures need ([`AnalyticsInput`]; `load` has the way
//! through the generic session queries), this module only counts.
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
use crate::money::{Currency, Money};
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

/// What the figures need of one session of the coach starting in the range: the store reads
/// these few fields rather than whole sessions (notes, agenda, review, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionFacts {
    pub id: SessionId,
    pub client_id: UserId,
    pub status: SessionStatus,
    pub starts_at: DateTime<Utc>,
    /// What the session earned the coach (see [`earned`]); `None` when nothing.
    pub earned: Option<Money>,
    /// The client's review rating, 1..=5.
    pub rating: Option<u8>,
}

impl SessionFacts {
    /// The facts of `s`; `None` for a draft (no time, never in a range).
    pub fn of(s: &Session) -> Option<SessionFacts> {
        Some(SessionFacts {
            id: s.id.clone(),
            client_id: s.client_id.clone(),
            status: s.status,
            starts_at: s.starts_at?,
            earned: earned(s),
            rating: s.rating.as_ref().map(|r| r.rating.get()),
        })
    }
}

/// What a store answers for one coach and range `[from, to)`: everything
/// [`analytics_from_facts`] needs, and nothing that grows with the coach's history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalyticsInput {
    /// The coach's sessions starting in the range that can count: completed, cancelled and
    /// no-shows (others are ignored if present).
    pub in_range: Vec<SessionFacts>,
    /// For clients with a completed session in the range: how many completed sessions with
    /// this coach they have starting before `to` (those in the range included). Retention only
    /// asks "at least two?", so a store may stop counting at 2; a client missing here counts
    /// with their sessions in the range only.
    pub completed_before_to: HashMap<UserId, u32>,
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
    let mut input = AnalyticsInput::default();
    for s in sessions {
        let Some(start) = s.starts_at else { continue };
        if start >= to || !seen.insert(&s.id) {
            continue;
        }
        if s.status == SessionStatus::Completed {
            *input
                .completed_before_to
                .entry(s.client_id.clone())
                .or_default() += 1;
        }
        if start >= from {
            input.in_range.extend(SessionFacts::of(s));
        }
    }
    analytics_from_facts(&input, from, to, zone)
}

/// The analytics of one coach over `[from, to)` from what a store read for it (see
/// [`AnalyticsInput`]); months are those of `zone`. Facts outside the range are ignored and a
/// session listed twice (the same id) counts once.
pub fn analytics_from_facts(
    input: &AnalyticsInput,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: &Zone,
) -> Analytics {
    let mut seen: HashSet<&SessionId> = HashSet::with_capacity(input.in_range.len());
    let mut completed_in_range: HashMap<&UserId, u32> = HashMap::new();
    let mut sessions_completed = 0u32;
    let (mut rating_sum, mut ratings) = (0u32, 0u32);
    let mut revenue: HashMap<(String, Currency), i64> = HashMap::new();

    for s in &input.in_range {
        let start = s.starts_at;
        if start < from || start >= to || !seen.insert(&s.id) {
            continue;
        }
        if s.status == SessionStatus::Completed {
            sessions_completed += 1;
            *completed_in_range.entry(&s.client_id).or_default() += 1;
        }
        if let Some(r) = s.rating {
            rating_sum += u32::from(r);
            ratings += 1;
        }
        if let Some(money) = s.earned.filter(|m| m.amount() > 0) {
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
    let retained = completed_in_range
        .iter()
        .filter(|(c, n)| {
            let before_to = input.completed_before_to.get(**c).copied().unwrap_or(0);
            before_to.max(**n) >= 2
        })
        .count();
    Analytics {
        sessions_completed,
        client_retention_rate: ratio(retained as u32, completed_in_range.len() as u32),
        average_rating: ratio(rating_sum, ratings),
        revenue,
    }
}

/// What a session earned the coach: the price of a completed paid session, the fee of a late
/// cancellation, the fee of a no-show; nothing otherwise.
pub fn earned(s: &Session) -> Option<Money> {
    earned_from(
        s.status,
        s.kind,
        s.price,
        s.cancellation.as_ref().and_then(|c| c.fee),
        s.no_show.as_ref().and_then(|n| n.fee),
    )
}

/// [`earned`] from the parts of a session it looks at (for a store that reads only those).
pub fn earned_from(
    status: SessionStatus,
    kind: SessionKind,
    price: Option<Money>,
    cancellation_fee: Option<Money>,
    no_show_fee: Option<Money>,
) -> Option<Money> {
    match status {
        SessionStatus::Completed if kind == SessionKind::Paid => price,
        SessionStatus::Cancelled => cancellation_fee,
        SessionStatus::NoShow => no_show_fee,
        _ => None,
    }
}

fn ratio(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

mod load;
pub use load::through_session_queries;

#[cfg(test)]
mod tests;
