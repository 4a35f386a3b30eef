//! docs/api.md#reviews-and-analytics: a coach's analytics and the calendar feed's token and sessions. What they cost depends
//! on the sessions they need: those of the range (the store's `analytics_input`: the generic
//! session queries plus one history look-up per client seen once, or SQLite's own reading),
//! and those of the feed's window.

use super::coaches::MAX_SESSION_MINUTES;
use super::{Services, store_err};
use crate::access::Actor;
use crate::analytics::{Analytics, analytics_from_facts};
use crate::calendar::CalendarTokenHash;
use crate::error::{DomainError, Errors};
use crate::ids::UserId;
use crate::ports::{Cursor, SessionQuery, SessionScope};
use crate::session::Session;
use crate::time::check_instant;
use crate::zone::Zone;
use chrono::{DateTime, Duration, Utc};

/// The longest analytics range: three years (of 366 days, so any three calendar years fit).
pub const MAX_ANALYTICS_DAYS: i64 = 3 * 366;
/// Sessions per query while loading a feed.
const PAGE: u32 = 500;

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
        let input = self
            .ports
            .store
            .analytics_input(&actor.org, coach, from, to)
            .await
            .map_err(store_err)?;
        Ok(analytics_from_facts(&input, from, to, &zone))
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
