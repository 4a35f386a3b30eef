//! `DynamoStore`: the handle (cheap to clone) and its implementation of the store ports.

use crate::counter::{RequestCounter, RequestCounts};
use crate::outbox::{self, OutboxEvent};
use crate::{coaches, commit, inbox, sessions, table};
use async_trait::async_trait;
use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use coaching_domain::coach::CoachSettings;
use coaching_domain::ids::{NotificationId, OrgId, SessionId, UserId};
use coaching_domain::notification::Notification;
use coaching_domain::ports::{
    Changes, CoachStore, IdempotencyRecord, NotificationStore, Page, SessionQuery, SessionStore,
    StoreError,
};
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
    /// A store on `table` with a client configured from the environment: the standard `AWS_*`
    /// settings (region, credentials, profile), `AWS_ENDPOINT_URL` included.
    pub async fn connect(table: &str) -> DynamoStore {
        let config = aws_config::defaults(BehaviorVersion::latest()).load().await;
        DynamoStore::new(Client::new(&config), table)
    }

    /// A store on `table` using `client`'s configuration (plus the request counter).
    pub fn new(client: Client, table: &str) -> DynamoStore {
        let requests = RequestCounter::default();
        let config = client
            .config()
            .to_builder()
            .interceptor(requests.clone())
            .build();
        DynamoStore {
            client: Client::from_conf(config),
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

    /// DynamoDB requests this store (and its clones) sent so far, by operation.
    pub fn requests(&self) -> RequestCounts {
        self.requests.snapshot()
    }

    /// Events created in the hour of `hour` not yet published, oldest first, at most `limit`.
    pub async fn pending_events(
        &self,
        hour: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        outbox::pending(&self.client, &self.table, hour, limit).await
    }

    /// Removes published events from the outbox (unknown ones are ignored).
    pub async fn mark_published(&self, events: &[OutboxEvent]) -> Result<(), StoreError> {
        outbox::mark_published(&self.client, &self.table, events).await
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
