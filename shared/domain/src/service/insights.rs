//! §10: a coach's analytics and the calendar feed's token and sessions. Both read through the
//! existing session queries, so what they cost depends on the sessions they need: those of the
//! range (and one history look-up per client seen once), and those of the feed's window.

use super::coaches::MAX_SESSION_MINUTES;
use super::{Services, store_err};
use crate::access::Actor;
use crate::analytics::{Analytics, coach_analytics};
use crate::calendar::CalendarTokenHash;
use crate::error::{DomainError, Errors};
use crate::ids::UserId;
use crate::ports::{Cursor, SessionQuery, SessionScope};
use crate::session::{Session, SessionStatus};
use crate::time::check_instant;
use crate::zone::Zone;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// The longest analytics range: three years (of 366 days, so any three calendar years fit).
pub const MAX_ANALYTICS_DAYS: i64 = 3 * 366;
/// Sessions per query while loading a range or a feed.
const PAGE: u32 = 500;
/// Sessions of the first query for a client's earlier session with the coach: a client's
/// first completed session is usually with their coach, so it is one or two sessions to read
/// (a history look-up per client seen once adds up: 100 of them at 25 sessions each cost more
/// than the range itself).
const HISTORY_FIRST_PAGE: u32 = 2;
/// Sessions per query after that (a client who started with other coaches).
const HISTORY_PAGE: u32 = 50;

/// What a calendar feed shows: whose it is, and their sessions of the window.
#[derive(Debug, Clone)]
pub struct CalendarFeed {
    pub user: UserId,
    pub sessions: Vec<Session>,
    pub now: DateTime<Utc>,
}

impl Services {
    /// `GET /v1/coaches/{coachId}/analytics`: that coach or an admin of the org (anyone else:
    /// 403). `from` and `to` are required, `to` after `from`, at most [`MAX_ANALYTICS_DAYS`]
    /// apart. Only the actor's org is read: a coach of another org has no sessions here.
    pub async fn coach_analytics(
        &self,
        actor: &Actor,
        coach: &UserId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Analytics, DomainError> {
        let own = actor.is_coach() && &actor.user == coach;
        if !own && !actor.is_admin() {
            return Err(DomainError::forbidden(
                "only that coach or an admin can read a coach's analytics",
            ));
        }
        let (from, to) = analytics_range(from, to)?;
        let zone = self
            .ports
            .store
            .coach_settings(&actor.org, coach)
            .await
            .map_err(store_err)?
            .map_or_else(Zone::utc, |s| s.timezone);
        let mut sessions = self.range_sessions(actor, coach, from, to).await?;
        let history = self
            .retention_history(actor, coach, &sessions, from)
            .await?;
        sessions.extend(history);
        Ok(coach_analytics(&sessions, from, to, &zone))
    }

    /// The coach's sessions starting in `[from, to)` that can count: completed, cancelled (a
    /// late-cancellation fee) and no-shows.
    async fn range_sessions(
        &self,
        actor: &Actor,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Session>, DomainError> {
        let query = SessionQuery {
            scope: SessionScope::Coach(coach.clone()),
            statuses: vec![
                SessionStatus::Completed,
                SessionStatus::Cancelled,
                SessionStatus::NoShow,
            ],
            from: Some(from),
            to: Some(to),
            limit: PAGE,
            after: None,
        };
        self.every_page(actor, query, |_| false).await
    }

    /// For each client with exactly one completed session in the range, their earliest
    /// completed session with this coach before `from`, if any: what retention needs (a client
    /// with two in the range counts already). One look-up per such client, through the
    /// client's own list, stopping at the first session with this coach.
    async fn retention_history(
        &self,
        actor: &Actor,
        coach: &UserId,
        in_range: &[Session],
        from: DateTime<Utc>,
    ) -> Result<Vec<Session>, DomainError> {
        let mut completed: HashMap<&UserId, u32> = HashMap::new();
        for s in in_range {
            if s.status == SessionStatus::Completed && &s.coach_id == coach {
                *completed.entry(&s.client_id).or_default() += 1;
            }
        }
        let mut once: Vec<&UserId> = completed
            .into_iter()
            .filter(|(_, n)| *n == 1)
            .map(|(c, _)| c)
            .collect();
        once.sort();
        let mut found = Vec::new();
        for client in once {
            let query = SessionQuery {
                scope: SessionScope::Client(client.clone()),
                statuses: vec![SessionStatus::Completed],
                from: None,
                to: Some(from),
                limit: HISTORY_FIRST_PAGE,
                after: None,
            };
            let earlier = self
                .every_page(actor, query, |s| &s.coach_id == coach)
                .await?;
            found.extend(earlier.into_iter().filter(|s| &s.coach_id == coach));
        }
        Ok(found)
    }

    /// Every session of `query`, page after page, until the pages end or a page holds a
    /// session for which `stop` is true.
    async fn every_page(
        &self,
        actor: &Actor,
        mut query: SessionQuery,
        stop: impl Fn(&Session) -> bool,
    ) -> Result<Vec<Session>, DomainError> {
        let mut out = Vec::new();
        loop {
            let page = self
                .ports
                .store
                .sessions(&actor.org, &query)
                .await
                .map_err(store_err)?;
            let done = page.items.iter().any(&stop);
            out.extend(page.items);
            match page.next {
                Some(next) if !done => {
                    query.after = Some(next);
                    query.limit = query.limit.max(HISTORY_PAGE);
                }
                _ => return Ok(out),
            }
        }
    }

    /// `POST /v1/calendar-token`: makes `hash` (of a fresh token the caller generated) the
    /// actor's one calendar token; the one before stops working. Any authenticated user.
    pub async fn put_calendar_token(
        &self,
        actor: &Actor,
        hash: &CalendarTokenHash,
    ) -> Result<(), DomainError> {
        self.ports
            .store
            .put_calendar_token(&actor.org, &actor.user, hash)
            .await
            .map_err(store_err)
    }

    /// The feed of the token with `hash` (404 for an unknown or replaced one): the user's
    /// sessions, as coach or client, that ended at most `history` before now, drafts never.
    pub async fn calendar_feed(
        &self,
        hash: &CalendarTokenHash,
        history: Duration,
    ) -> Result<CalendarFeed, DomainError> {
        let (org, user) = self
            .ports
            .store
            .calendar_user(hash)
            .await
            .map_err(store_err)?
            .ok_or(DomainError::NotFound("calendar"))?;
        let now = self.now();
        // A session ending after `now - history` started at most the longest session earlier.
        let since = now - history - Duration::minutes(MAX_SESSION_MINUTES);
        let mut query = SessionQuery {
            scope: SessionScope::Participant(user.clone()),
            statuses: Vec::new(),
            from: Some(since),
            to: None,
            limit: PAGE,
            after: None::<Cursor>,
        };
        let mut sessions = Vec::new();
        loop {
            let page = self
                .ports
                .store
                .sessions(&org, &query)
                .await
                .map_err(store_err)?;
            sessions.extend(page.items);
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        Ok(CalendarFeed {
            user,
            sessions,
            now,
        })
    }
}

/// The analytics range: both ends given and valid, `to` after `from`, at most
/// [`MAX_ANALYTICS_DAYS`] long.
fn analytics_range(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), DomainError> {
    let mut errs = Errors::new();
    for (field, t) in [("from", from), ("to", to)] {
        match t {
            None => errs.add(field, "is required"),
            Some(t) => {
                errs.check(field, check_instant(field, t).map_err(|_| "out of range"));
            }
        }
    }
    if let (Some(from), Some(to)) = (from, to) {
        if to <= from {
            errs.add("to", "must be after from");
        } else if to - from > Duration::days(MAX_ANALYTICS_DAYS) {
            errs.add(
                "to",
                format!("must be at most {MAX_ANALYTICS_DAYS} days after from"),
            );
        }
    }
    errs.finish()?;
    match (from, to) {
        (Some(from), Some(to)) => Ok((from, to)),
        _ => Err(DomainError::field("from", "is required")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn fields(e: DomainError) -> Vec<String> {
        match e {
            DomainError::Validation(errs) => errs.into_iter().map(|e| e.field).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn both_ends_are_required() {
        assert_eq!(
            fields(analytics_range(None, None).unwrap_err()),
            ["from", "to"]
        );
        assert_eq!(
            fields(analytics_range(Some(t("2026-11-01T00:00:00Z")), None).unwrap_err()),
            ["to"]
        );
    }

    #[test]
    fn the_range_must_be_forward_and_at_most_three_years() {
        let from = t("2026-01-01T00:00:00Z");
        assert_eq!(
            fields(analytics_range(Some(from), Some(from)).unwrap_err()),
            ["to"]
        );
        let longest = from + Duration::days(MAX_ANALYTICS_DAYS);
        assert_eq!(
            analytics_range(Some(from), Some(longest)),
            Ok((from, longest))
        );
        let longer = longest + Duration::seconds(1);
        assert_eq!(
            fields(analytics_range(Some(from), Some(longer)).unwrap_err()),
            ["to"]
        );
    }
}
