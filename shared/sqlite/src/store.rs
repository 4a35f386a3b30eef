//! `SqliteStore`: the handle (cheap to clone) and its implementation of the store ports.

use crate::outbox;
use crate::pool::{Pool, SqliteOptions};
use crate::{coaches, commit, due, notifications, sessions};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use coaching_domain::coach::CoachSettings;
use coaching_domain::ids::{NotificationId, OrgId, RescheduleRequestId, SessionId, UserId};
use coaching_domain::notification::Notification;
use coaching_domain::ports::{
    Changes, CoachStore, DueStore, IdempotencyRecord, NotificationStore, OutboxEvent, OutboxStore,
    Page, RescheduleStore, SessionQuery, SessionStore, StoreError,
};
use coaching_domain::reminder::Reminder;
use coaching_domain::reschedule::{RequestStatus, RescheduleRequest};
use coaching_domain::session::Session;
use std::sync::Arc;

/// The SQLite adapter of every store port. Clones share the same connections.
#[derive(Clone)]
pub struct SqliteStore {
    pool: Arc<Pool>,
    path: Arc<str>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`, a file path or an
    /// SQLite URI. `":memory:"` is a fresh private database on every call.
    pub fn open(path: &str) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// [`open`](Self::open) with explicit pool and timeout settings.
    pub fn open_with(path: &str, options: SqliteOptions) -> Result<SqliteStore, StoreError> {
        let pool = Pool::open(path, &options)?;
        tracing::debug!(path, readers = options.readers, "sqlite store opened");
        Ok(SqliteStore {
            pool: Arc::new(pool),
            path: path.into(),
        })
    }
}

#[async_trait]
impl CoachStore for SqliteStore {
    async fn coach_settings(
        &self,
        org: &OrgId,
        coach: &UserId,
    ) -> Result<Option<CoachSettings>, StoreError> {
        coaches::coach_settings(&self.pool.reader(), org, coach)
    }

    async fn put_coach_settings(
        &self,
        org: &OrgId,
        settings: &CoachSettings,
    ) -> Result<(), StoreError> {
        coaches::put_coach_settings(&self.pool.writer(), org, settings)
    }
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn commit(&self, changes: Changes) -> Result<(), StoreError> {
        commit::commit(&mut self.pool.writer(), &changes)
    }

    async fn session(&self, org: &OrgId, id: &SessionId) -> Result<Option<Session>, StoreError> {
        sessions::session(&self.pool.reader(), org, id)
    }

    async fn sessions(
        &self,
        org: &OrgId,
        query: &SessionQuery,
    ) -> Result<Page<Session>, StoreError> {
        sessions::sessions(&self.pool.reader(), org, query)
    }

    async fn coach_busy(
        &self,
        org: &OrgId,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError> {
        sessions::coach_busy(&self.pool.reader(), org, coach, from, to)
    }

    async fn idempotency_record(
        &self,
        org: &OrgId,
        user: &UserId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        sessions::idempotency_record(&self.pool.reader(), org, user, key)
    }
}

#[async_trait]
impl NotificationStore for SqliteStore {
    async fn notifications(
        &self,
        org: &OrgId,
        recipient: &UserId,
        limit: u32,
        before: Option<&NotificationId>,
    ) -> Result<Vec<Notification>, StoreError> {
        notifications::notifications(&self.pool.reader(), org, recipient, limit, before)
    }
}

#[async_trait]
impl RescheduleStore for SqliteStore {
    async fn reschedule_request(
        &self,
        org: &OrgId,
        id: &RescheduleRequestId,
    ) -> Result<Option<RescheduleRequest>, StoreError> {
        due::request(&self.pool.reader(), org, id)
    }

    async fn reschedule_requests(
        &self,
        org: &OrgId,
        user: &UserId,
        status: Option<RequestStatus>,
        limit: u32,
        before: Option<&RescheduleRequestId>,
    ) -> Result<Vec<RescheduleRequest>, StoreError> {
        due::requests(&self.pool.reader(), org, user, status, limit, before)
    }
}

#[async_trait]
impl DueStore for SqliteStore {
    async fn due_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Reminder>, StoreError> {
        due::due_reminders(&self.pool.reader(), now, limit)
    }

    async fn due_requests(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RescheduleRequest>, StoreError> {
        due::due_requests(&self.pool.reader(), now, limit)
    }
}

#[async_trait]
impl OutboxStore for SqliteStore {
    async fn claim_events(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        outbox::claim(&self.pool, now, until, limit)
    }

    async fn mark_published(&self, events: &[OutboxEvent]) -> Result<(), StoreError> {
        outbox::mark_published(&self.pool, events)
    }
}

// PLACEHOLDER (replaced by the real adapter before landing): lets the workspace build while the
// evaluation and org ports are implemented.
fn not_yet<T>() -> Result<T, StoreError> {
    Err(StoreError::Unavailable("not implemented yet".into()))
}

#[async_trait]
impl coaching_domain::ports::EvaluationStore for SqliteStore {
    async fn record_delivery(
        &self,
        _: &coaching_domain::ports::EvaluationDelivery,
    ) -> Result<coaching_domain::ports::DeliveryOutcome, StoreError> {
        not_yet()
    }
    async fn evaluation(
        &self,
        _: &OrgId,
        _: &coaching_domain::ids::EvaluationId,
    ) -> Result<Option<coaching_domain::evaluation::Evaluation>, StoreError> {
        not_yet()
    }
    async fn evaluations(
        &self,
        _: &OrgId,
        _: &coaching_domain::ports::EvaluationQuery,
        _: u32,
        _: Option<&coaching_domain::ports::Cursor>,
    ) -> Result<Page<coaching_domain::evaluation::Evaluation>, StoreError> {
        not_yet()
    }
    async fn all_evaluations(
        &self,
        _: &OrgId,
        _: &coaching_domain::ports::EvaluationQuery,
    ) -> Result<Vec<coaching_domain::evaluation::Evaluation>, StoreError> {
        not_yet()
    }
}

#[async_trait]
impl coaching_domain::ports::OrgStore for SqliteStore {
    async fn org_settings(
        &self,
        _: &OrgId,
    ) -> Result<coaching_domain::org::OrgSettings, StoreError> {
        not_yet()
    }
    async fn put_org_settings(
        &self,
        _: &OrgId,
        _: &coaching_domain::org::OrgSettings,
    ) -> Result<(), StoreError> {
        not_yet()
    }
    async fn webhook_secret(&self, _: &OrgId) -> Result<Option<String>, StoreError> {
        not_yet()
    }
    async fn put_webhook_secret(&self, _: &OrgId, _: &str) -> Result<(), StoreError> {
        not_yet()
    }
    async fn put_kb_article(&self, _: &coaching_domain::org::KbArticle) -> Result<(), StoreError> {
        not_yet()
    }
    async fn delete_kb_article(
        &self,
        _: &OrgId,
        _: &coaching_domain::ids::KbArticleId,
    ) -> Result<bool, StoreError> {
        not_yet()
    }
    async fn kb_articles(
        &self,
        _: &OrgId,
        _: u32,
        _: Option<&coaching_domain::ids::KbArticleId>,
    ) -> Result<Vec<coaching_domain::org::KbArticle>, StoreError> {
        not_yet()
    }
}
