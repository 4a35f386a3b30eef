//! The analytics input read through the generic session queries, which every store has: the
//! default of [`SessionStore::analytics_input`] (DynamoDB uses it; SQLite reads its columns and
//! an index instead). What it costs depends on the sessions of the range only: their pages,
//! and one look-up per client seen once there.

use super::{AnalyticsInput, SessionFacts};
use crate::ids::{OrgId, UserId};
use crate::ports::{SessionQuery, SessionScope, SessionStore, StoreError};
use crate::session::{Session, SessionStatus};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Sessions per query while loading the range.
const PAGE: u32 = 500;
/// Sessions of the first query for a client's earlier session with the coach: a client's
/// first completed session is usually with their coach, so it is one or two sessions to read
/// (a history look-up per client seen once adds up: 100 of them at 25 sessions each cost more
/// than the range itself).
const HISTORY_FIRST_PAGE: u32 = 2;
/// Sessions per query after that (a client who started with other coaches).
const HISTORY_PAGE: u32 = 50;

/// The coach's sessions of `[from, to)` that can count (completed, cancelled, no-show), paged,
/// and for each client with exactly one completed session there, whether they have an earlier
/// completed session with this coach: one look-up through the client's own list, stopping at
/// the first session with this coach (a client with two in the range counts already).
pub async fn through_session_queries<S: SessionStore + ?Sized>(
    store: &S,
    org: &OrgId,
    coach: &UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<AnalyticsInput, StoreError> {
    let range = SessionQuery {
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
    let sessions = every_page(store, org, range, |_| false).await?;
    let mut completed: HashMap<UserId, u32> = HashMap::new();
    for s in &sessions {
        if s.status == SessionStatus::Completed && &s.coach_id == coach {
            *completed.entry(s.client_id.clone()).or_default() += 1;
        }
    }
    let mut once: Vec<UserId> = completed
        .iter()
        .filter(|(_, n)| **n == 1)
        .map(|(c, _)| c.clone())
        .collect();
    once.sort();
    for client in once {
        let query = SessionQuery {
            scope: SessionScope::Client(client.clone()),
            statuses: vec![SessionStatus::Completed],
            from: None,
            to: Some(from),
            limit: HISTORY_FIRST_PAGE,
            after: None,
        };
        let earlier = every_page(store, org, query, |s| &s.coach_id == coach).await?;
        if earlier.iter().any(|s| &s.coach_id == coach) {
            completed.insert(client, 2);
        }
    }
    Ok(AnalyticsInput {
        in_range: sessions
            .iter()
            .filter(|s| &s.coach_id == coach)
            .filter_map(SessionFacts::of)
            .collect(),
        completed_before_to: completed,
    })
}

/// Every session of `query`, page after page, until the pages end or a page holds a session
/// for which `stop` is true.
async fn every_page<S: SessionStore + ?Sized>(
    store: &S,
    org: &OrgId,
    mut query: SessionQuery,
    stop: impl Fn(&Session) -> bool,
) -> Result<Vec<Session>, StoreError> {
    let mut out = Vec::new();
    loop {
        let page = store.sessions(org, &query).await?;
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
