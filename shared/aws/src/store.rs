//! `DynamoStore`: the handle (cheap to clone) and its implementation of the store ports.

use crate::counter::{RequestCounter, RequestCounts};
use crate::{
    coaches, commit, deliveries, due, evaluations, generations, inbox, org, outbox, requests,
    sessions, table,
};
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
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

/// The DynamoDB adapter of every store port, over one table. Clones share the client and the
/// request counts.
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: Arc<str>,
    requests: RequestCounter,
}

impl std::fmt::Debug for DynamoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoStore")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl DynamoStore {
    /// A store on `table` with a client configured from the environment by
    /// [`sdk_config`](crate::sdk_config): the standard `AWS_*` settings (region, credentials,
    /// profile), `AWS_ENDPOINT_URL` included.
    pub async fn connect(table: &str) -> DynamoStore {
        DynamoStore::from_config(&crate::sdk_config().await, table)
    }

    /// [`connect`](Self::connect) with other attempt and operation timeouts than
    /// [`crate::dynamodb_config`]'s (see [`crate::dynamodb_config_with`]): for tests on moto.
    pub async fn connect_with_timeouts(
        table: &str,
        attempt: std::time::Duration,
        operation: std::time::Duration,
    ) -> DynamoStore {
        let config =
            crate::config::dynamodb_config_with(&crate::sdk_config().await, attempt, operation);
        DynamoStore::counted(config, table)
    }

    /// A store on `table` with one client built from `config` (plus the request counter), its
    /// requests bounded in time by [`crate::dynamodb_config`].
    pub fn from_config(config: &SdkConfig, table: &str) -> DynamoStore {
        DynamoStore::counted(crate::config::dynamodb_config(config), table)
    }

    /// A store on `table` using `client`'s configuration (plus the request counter).
    pub fn new(client: Client, table: &str) -> DynamoStore {
        DynamoStore::counted(client.config().to_builder(), table)
    }

    /// The one client of a store: `config` with the request counter as an interceptor.
    fn counted(config: aws_sdk_dynamodb::config::Builder, table: &str) -> DynamoStore {
        let requests = RequestCounter::default();
        DynamoStore {
            client: Client::from_conf(config.interceptor(requests.clone()).build()),
            table: table.into(),
            requests,
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Creates the table with its indexes when it does not exist (on-demand billing), and
    /// waits until it is ACTIVE.
    pub async fn ensure_table(&self) -> Result<(), StoreError> {
        table::ensure(&self.client, &self.table).await
    }

    /// Writes the items of `sets` with `BatchWriteItem`, without any of their conditions: for
    /// seeding benchmarks and loading data into an empty table, never for the use cases.
    #[doc(hidden)]
    pub async fn load(&self, sets: &[Changes]) -> Result<(), StoreError> {
        crate::load::load(&self.client, &self.table, sets).await
    }

    /// DynamoDB requests this store (and its clones) sent so far, by operation.
    pub fn requests(&self) -> RequestCounts {
        self.requests.snapshot()
    }
}

#[async_trait]
impl CoachStore for DynamoStore {
    async fn coach_settings(
        &self,
        org: &OrgId,
        coach: &UserId,
    ) -> Result<Option<CoachSettings>, StoreError> {
        coaches::coach_settings(&self.client, &self.table, org, coach).await
    }

    async fn put_coach_settings(
        &self,
        org: &OrgId,
        settings: &CoachSettings,
    ) -> Result<(), StoreError> {
        coaches::put_coach_settings(&self.client, &self.table, org, settings).await
    }
}

#[async_trait]
impl SessionStore for DynamoStore {
    async fn commit(&self, changes: Changes) -> Result<(), StoreError> {
        commit::commit(&self.client, &self.table, &changes).await
    }

    async fn session(&self, org: &OrgId, id: &SessionId) -> Result<Option<Session>, StoreError> {
        sessions::session(&self.client, &self.table, org, id).await
    }

    async fn sessions(
        &self,
        org: &OrgId,
        query: &SessionQuery,
    ) -> Result<Page<Session>, StoreError> {
        sessions::sessions(&self.client, &self.table, org, query).await
    }

    async fn coach_busy(
        &self,
        org: &OrgId,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError> {
        sessions::coach_busy(&self.client, &self.table, org, coach, from, to).await
    }

    async fn idempotency_record(
        &self,
        org: &OrgId,
        user: &UserId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        sessions::idempotency_record(&self.client, &self.table, org, user, key).await
    }
}

#[async_trait]
impl NotificationStore for DynamoStore {
    async fn notifications(
        &self,
        org: &OrgId,
        recipient: &UserId,
        limit: u32,
        before: Option<&NotificationId>,
    ) -> Result<Vec<Notification>, StoreError> {
        inbox::notifications(&self.client, &self.table, org, recipient, limit, before).await
    }
}

#[async_trait]
impl RescheduleStore for DynamoStore {
    async fn reschedule_request(
        &self,
        org: &OrgId,
        id: &RescheduleRequestId,
    ) -> Result<Option<RescheduleRequest>, StoreError> {
        requests::request(&self.client, &self.table, org, id).await
    }

    async fn reschedule_requests(
        &self,
        org: &OrgId,
        user: &UserId,
        status: Option<RequestStatus>,
        limit: u32,
        before: Option<&RescheduleRequestId>,
    ) -> Result<Vec<RescheduleRequest>, StoreError> {
        requests::requests(&self.client, &self.table, org, user, status, limit, before).await
    }
}

#[async_trait]
impl DueStore for DynamoStore {
    async fn due_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Reminder>, StoreError> {
        due::due_reminders(&self.client, &self.table, now, limit).await
    }

    async fn due_requests(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RescheduleRequest>, StoreError> {
        due::due_requests(&self.client, &self.table, now, limit).await
    }
}

#[async_trait]
impl OutboxStore for DynamoStore {
    async fn claim_events(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        outbox::claim(&self.client, &self.table, now, until, limit).await
    }

    async fn mark_published(&self, events: &[OutboxEvent]) -> Result<(), StoreError> {
        outbox::mark_published(&self.client, &self.table, events).await
    }
}

#[async_trait]
impl EvaluationStore for DynamoStore {
    /// One `TransactWriteItems` in the common case; see [`deliveries::record_delivery`] for
    /// the rest and for the DynamoDB actions (IAM) the webhook path uses: `GetItem` and
    /// `PutItem` on the table.
    async fn record_delivery(
        &self,
        delivery: &EvaluationDelivery,
    ) -> Result<DeliveryOutcome, StoreError> {
        deliveries::record_delivery(&self.client, &self.table, delivery).await
    }

    async fn evaluation(
        &self,
        org: &OrgId,
        id: &EvaluationId,
    ) -> Result<Option<Evaluation>, StoreError> {
        evaluations::evaluation(&self.client, &self.table, org, id).await
    }

    async fn evaluations(
        &self,
        org: &OrgId,
        query: &EvaluationQuery,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<Evaluation>, StoreError> {
        evaluations::evaluations(&self.client, &self.table, org, query, limit, after).await
    }

    async fn all_evaluations(
        &self,
        org: &OrgId,
        query: &EvaluationQuery,
    ) -> Result<Vec<Evaluation>, StoreError> {
        evaluations::all_evaluations(&self.client, &self.table, org, query).await
    }
}

#[async_trait]
impl OrgStore for DynamoStore {
    async fn org_settings(&self, org: &OrgId) -> Result<OrgSettings, StoreError> {
        org::org_settings(&self.client, &self.table, org).await
    }

    async fn put_org_settings(
        &self,
        org: &OrgId,
        settings: &OrgSettings,
    ) -> Result<(), StoreError> {
        org::put_org_settings(&self.client, &self.table, org, settings).await
    }

    async fn webhook_secret(&self, org: &OrgId) -> Result<Option<String>, StoreError> {
        org::webhook_secret(&self.client, &self.table, org).await
    }

    async fn put_webhook_secret(&self, org: &OrgId, secret: &str) -> Result<(), StoreError> {
        org::put_webhook_secret(&self.client, &self.table, org, secret).await
    }

    async fn put_kb_article(&self, article: &KbArticle) -> Result<(), StoreError> {
        org::put_kb_article(&self.client, &self.table, article).await
    }

    async fn delete_kb_article(&self, org: &OrgId, id: &KbArticleId) -> Result<bool, StoreError> {
        org::delete_kb_article(&self.client, &self.table, org, id).await
    }

    async fn kb_articles(
        &self,
        org: &OrgId,
        limit: u32,
        after: Option<&KbArticleId>,
    ) -> Result<Vec<KbArticle>, StoreError> {
        org::kb_articles(&self.client, &self.table, org, limit, after).await
    }
}

#[async_trait]
impl coaching_domain::ports::CalendarStore for DynamoStore {
    async fn put_calendar_token(
        &self,
        org: &OrgId,
        user: &UserId,
        hash: &coaching_domain::calendar::CalendarTokenHash,
    ) -> Result<(), StoreError> {
        crate::calendar::put_calendar_token(&self.client, &self.table, org, user, hash).await
    }

    async fn calendar_user(
        &self,
        hash: &coaching_domain::calendar::CalendarTokenHash,
    ) -> Result<Option<(OrgId, UserId)>, StoreError> {
        crate::calendar::calendar_user(&self.client, &self.table, hash).await
    }
}

#[async_trait]
impl GenerationStore for DynamoStore {
    /// One strongly consistent GetItem.
    async fn generation(
        &self,
        org: &OrgId,
        id: &GenerationId,
    ) -> Result<Option<GenerationJob>, StoreError> {
        generations::generation(&self.client, &self.table, org, id).await
    }

    /// One Query per `Due` day partition read (eight at most), oldest day first.
    async fn due_generations(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GenerationJob>, StoreError> {
        due::due_generations(&self.client, &self.table, now, limit).await
    }
}

#[async_trait]
impl coaching_domain::ports::ContinuityStore for DynamoStore {
    async fn put_agenda_template(
        &self,
        template: &coaching_domain::org::AgendaTemplate,
    ) -> Result<(), StoreError> {
        crate::continuity::put_agenda_template(&self.client, &self.table, template).await
    }

    async fn agenda_template(
        &self,
        org: &OrgId,
        id: &coaching_domain::ids::AgendaTemplateId,
    ) -> Result<Option<coaching_domain::org::AgendaTemplate>, StoreError> {
        crate::continuity::agenda_template(&self.client, &self.table, org, id).await
    }

    async fn agenda_templates(
        &self,
        org: &OrgId,
        owner: Option<&UserId>,
        limit: u32,
        after: Option<&coaching_domain::ids::AgendaTemplateId>,
    ) -> Result<Vec<coaching_domain::org::AgendaTemplate>, StoreError> {
        crate::continuity::agenda_templates(&self.client, &self.table, org, owner, limit, after)
            .await
    }

    async fn action_item_session(
        &self,
        org: &OrgId,
        id: &coaching_domain::ids::ActionItemId,
    ) -> Result<Option<SessionId>, StoreError> {
        crate::continuity::action_item_session(&self.client, &self.table, org, id).await
    }

    async fn action_items(
        &self,
        org: &OrgId,
        query: &coaching_domain::ports::ActionItemQuery,
    ) -> Result<Page<coaching_domain::session::ActionItem>, StoreError> {
        crate::continuity::action_items(&self.client, &self.table, org, query).await
    }
}

#[async_trait]
impl coaching_domain::ports::MessageStore for DynamoStore {
    async fn messages(
        &self,
        org: &OrgId,
        session: &SessionId,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<coaching_domain::message::Message>, StoreError> {
        crate::messages::messages(&self.client, &self.table, org, session, limit, after).await
    }
}
