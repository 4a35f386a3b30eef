//! The inbox and the outbox of events.

use super::*;
use crate::ids::*;
use crate::notification::Notification;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// The recipient's inbox, newest first (by creation time, then id: ids are ULIDs), at most
    /// `limit`, strictly older than the notification `before` names.
    async fn notifications(
        &self,
        org: &OrgId,
        recipient: &UserId,
        limit: u32,
        before: Option<&NotificationId>,
    ) -> Result<Vec<Notification>, StoreError>;
}

/// The event of a stored notification, waiting in the outbox to be published.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    pub org: String,
    /// The notification's id: publishing twice is recognisable downstream.
    pub id: String,
    /// The notification type's wire name (the EventBridge `detail-type`).
    pub kind: String,
    /// The notification as JSON.
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// The outbox: every notification's event, written in the notification's transaction and kept
/// until it is published. Adapters MAY leave out events created more than [`DUE_LOOKBACK_DAYS`]
/// days before `now` (a relay that did not run for that long leaves them behind).
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims up to `limit` unpublished events, oldest first, that no claim holds at `now`,
    /// each until `until`: until then no other call returns them. A claim that lapses (its
    /// publisher crashed) makes the event claimable again.
    async fn claim_events(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxEvent>, StoreError>;
    /// Removes published events from the outbox (unknown ones are ignored).
    async fn mark_published(&self, events: &[OutboxEvent]) -> Result<(), StoreError>;
}
