//! Sessions: lists by scope and the session store.

use super::*;
use crate::ids::*;
use crate::session::{Session, SessionStatus};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Whose sessions a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionScope {
    /// Sessions the user coaches (drafts included).
    Coach(UserId),
    /// Sessions the user is the client of (never drafts).
    Client(UserId),
    /// Both of the above.
    Participant(UserId),
    /// Every session of the org (admins).
    Org,
}

/// The order of a session in lists: its start in milliseconds; drafts (no start) last.
pub fn session_sort_key(s: &Session) -> i64 {
    s.starts_at.map_or(i64::MAX, |t| t.timestamp_millis())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionQuery {
    pub scope: SessionScope,
    pub statuses: Vec<SessionStatus>,
    /// Only sessions starting at or after this instant (drafts excluded when set).
    pub from: Option<DateTime<Utc>>,
    /// Only sessions starting before this instant (drafts excluded when set).
    pub to: Option<DateTime<Utc>>,
    pub limit: u32,
    /// Only sessions strictly after this position.
    pub after: Option<Cursor>,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Applies `changes` atomically (see [`Changes`]). MUST refuse the whole set with
    /// `TooLarge` when [`Changes::check_sizes`] does, writing nothing.
    async fn commit(&self, changes: Changes) -> Result<(), StoreError>;
    /// MUST return `None` for an id of another org.
    async fn session(&self, org: &OrgId, id: &SessionId) -> Result<Option<Session>, StoreError>;
    /// Sessions of `query.scope` in (`sort_key`, id) order, at most `query.limit`, `next` set
    /// when the page is full.
    async fn sessions(
        &self,
        org: &OrgId,
        query: &SessionQuery,
    ) -> Result<Page<Session>, StoreError>;
    /// The coach's sessions that occupy time (scheduled, completed, no-show) starting in `[from, to)`.
    async fn coach_busy(
        &self,
        org: &OrgId,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError>;
    async fn idempotency_record(
        &self,
        org: &OrgId,
        user: &UserId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError>;
    /// What `coach`'s analytics over `[from, to)` need (see
    /// [`crate::analytics::AnalyticsInput`]), at a cost that MUST NOT grow with the coach's
    /// sessions outside the range. The default reads through [`Self::sessions`]; a store with a
    /// cheaper way (SQLite: columns and an index) overrides it.
    async fn analytics_input(
        &self,
        org: &OrgId,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<crate::analytics::AnalyticsInput, StoreError> {
        crate::analytics::through_session_queries(self, org, coach, from, to).await
    }
}
