//! `SqliteStore`: the handle (cheap to clone) and its implementation of the store ports.

use crate::outbox;
use crate::pool::{Pool, SqliteOptions};
use crate::{
    analytics, coaches, commit, due, evaluation_reads, evaluations, generations, notifications,
    org, sessions,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use coaching_domain::analytics::AnalyticsInput;
use coaching_domain::coach::CoachSettings;
use coaching_domain::evaluation::Evaluation;
use coaching_domain::generation::GenerationJob;
use coaching_domain::ids::{
    EvaluationId, GenerationId, KbArticleId, NotificationId, OrgId, RescheduleRequestId, SessionId,
    UserId,
};
use coaching_domain::notification::Notification;
use coaching_domain::org::{KbArticle, OrgSettings};
use coaching_domain::ports::{
    Changes, CoachStore, Cursor, DeliveryOutcome, DueStore, EvaluationDelivery, EvaluationQuery,
    EvaluationStore, GenerationStore, IdempotencyRecord, NotificationStore, OrgStore, OutboxEvent,
    OutboxStore, Page, RescheduleStore, SessionQuery, SessionStore, StoreError,
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
        changes.check_sizes()?;
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

    async fn analytics_input(
        &self,
        org: &OrgId,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<AnalyticsInput, StoreError> {
        analytics::analytics_input(&self.pool.reader(), org, coach, from, to)
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

#[async_trait]
impl EvaluationStore for SqliteStore {
    async fn record_delivery(
        &self,
        delivery: &EvaluationDelivery,
    ) -> Result<DeliveryOutcome, StoreError> {
        // Encoded before the writer is taken: the lock covers only the transaction.
        let row = evaluations::DeliveryRow::new(delivery)?;
        evaluations::record_delivery(&mut self.pool.writer(), &row)
    }

    async fn evaluation(
        &self,
        org: &OrgId,
        id: &EvaluationId,
    ) -> Result<Option<Evaluation>, StoreError> {
        evaluation_reads::evaluation(&self.pool.reader(), org, id)
    }

    async fn evaluations(
        &self,
        org: &OrgId,
        query: &EvaluationQuery,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<Evaluation>, StoreError> {
        evaluation_reads::evaluations(&self.pool.reader(), org, query, limit, after)
    }

    async fn all_evaluations(
        &self,
        org: &OrgId,
        query: &EvaluationQuery,
    ) -> Result<Vec<Evaluation>, StoreError> {
        evaluation_reads::all_evaluations(&self.pool.reader(), org, query)
    }
}

#[async_trait]
impl OrgStore for SqliteStore {
    async fn org_settings(&self, org: &OrgId) -> Result<OrgSettings, StoreError> {
        org::org_settings(&self.pool.reader(), org)
    }

    async fn put_org_settings(
        &self,
        org: &OrgId,
        settings: &OrgSettings,
    ) -> Result<(), StoreError> {
        org::put_org_settings(&self.pool.writer(), org, settings)
    }

    async fn webhook_secret(&self, org: &OrgId) -> Result<Option<String>, StoreError> {
        org::webhook_secret(&self.pool.reader(), org)
    }

    async fn put_webhook_secret(&self, org: &OrgId, secret: &str) -> Result<(), StoreError> {
        org::put_webhook_secret(&self.pool.writer(), org, secret)
    }

    async fn put_kb_article(&self, article: &KbArticle) -> Result<(), StoreError> {
        org::put_kb_article(&self.pool.writer(), article)
    }

    async fn delete_kb_article(&self, org: &OrgId, id: &KbArticleId) -> Result<bool, StoreError> {
        org::delete_kb_article(&self.pool.writer(), org, id)
    }

    async fn kb_articles(
        &self,
        org: &OrgId,
        limit: u32,
        after: Option<&KbArticleId>,
    ) -> Result<Vec<KbArticle>, StoreError> {
        org::kb_articles(&self.pool.reader(), org, limit, after)
    }
}

#[async_trait]
impl coaching_domain::ports::CalendarStore for SqliteStore {
    async fn put_calendar_token(
        &self,
        org: &OrgId,
        user: &UserId,
        hash: &coaching_domain::calendar::CalendarTokenHash,
    ) -> Result<(), StoreError> {
        crate::calendar::put_calendar_token(&self.pool.writer(), org, user, hash)
    }

    async fn calendar_user(
        &self,
        hash: &coaching_domain::calendar::CalendarTokenHash,
    ) -> Result<Option<(OrgId, UserId)>, StoreError> {
        crate::calendar::calendar_user(&self.pool.reader(), hash)
    }
}

#[async_trait]
impl GenerationStore for SqliteStore {
    async fn generation(
        &self,
        org: &OrgId,
        id: &GenerationId,
    ) -> Result<Option<GenerationJob>, StoreError> {
        generations::generation(&self.pool.reader(), org, id)
    }

    async fn due_generations(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GenerationJob>, StoreError> {
        generations::due_generations(&self.pool.reader(), now, limit)
    }
}

#[async_trait]
impl coaching_domain::ports::ContinuityStore for SqliteStore {
    async fn put_agenda_template(
        &self,
        template: &coaching_domain::org::AgendaTemplate,
    ) -> Result<(), StoreError> {
        crate::continuity::put_agenda_template(&self.pool.writer(), template)
    }

    async fn agenda_template(
        &self,
        org: &OrgId,
        id: &coaching_domain::ids::AgendaTemplateId,
    ) -> Result<Option<coaching_domain::org::AgendaTemplate>, StoreError> {
        crate::continuity::agenda_template(&self.pool.reader(), org, id)
    }

    async fn agenda_templates(
        &self,
        org: &OrgId,
        owner: Option<&UserId>,
        limit: u32,
        after: Option<&coaching_domain::ids::AgendaTemplateId>,
    ) -> Result<Vec<coaching_domain::org::AgendaTemplate>, StoreError> {
        crate::continuity::agenda_templates(&self.pool.reader(), org, owner, limit, after)
    }

    async fn action_item_session(
        &self,
        org: &OrgId,
        id: &coaching_domain::ids::ActionItemId,
    ) -> Result<Option<SessionId>, StoreError> {
        crate::continuity::action_item_session(&self.pool.reader(), org, id)
    }

    async fn action_items(
        &self,
        org: &OrgId,
        query: &coaching_domain::ports::ActionItemQuery,
    ) -> Result<Page<coaching_domain::session::ActionItem>, StoreError> {
        crate::continuity::action_items(&self.pool.reader(), org, query)
    }
}

#[async_trait]
impl coaching_domain::ports::MessageStore for SqliteStore {
    async fn messages(
        &self,
        org: &OrgId,
        session: &SessionId,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<coaching_domain::message::Message>, StoreError> {
        crate::messages::messages(&self.pool.reader(), org, session, limit, after)
    }
}
