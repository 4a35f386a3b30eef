//! Outbound webhooks: the org's endpoints and the deliveries of its events to them.

use super::*;
use crate::ids::*;
use crate::outbound::{Delivery, DeliveryStatus, WebhookEndpoint};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Endpoints and deliveries. Endpoint changes and every delivery write go through
/// [`Changes::endpoints`] and [`Changes::deliveries`]: a new delivery in the transaction of the
/// change its event reports, an attempt's outcome with the endpoint's state it changes.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// The org's endpoints, oldest first. MUST read only that org's.
    async fn endpoints(&self, org: &OrgId) -> Result<Vec<WebhookEndpoint>, StoreError>;
    /// MUST return `None` for an id of another org.
    async fn endpoint(
        &self,
        org: &OrgId,
        id: &EndpointId,
    ) -> Result<Option<WebhookEndpoint>, StoreError>;
    /// Stores a new endpoint (version 1) unless its org holds `max` endpoints already:
    /// [`StoreError::Conflict`] then, also when creations race (never more than `max`).
    async fn create_endpoint(
        &self,
        endpoint: &WebhookEndpoint,
        max: usize,
    ) -> Result<(), StoreError>;
    /// Removes the endpoint (its deliveries stay, and fail when next due); `false` when the org
    /// has no such endpoint.
    async fn delete_endpoint(&self, org: &OrgId, id: &EndpointId) -> Result<bool, StoreError>;
    /// MUST return `None` for an id of another org.
    async fn delivery(&self, org: &OrgId, id: &DeliveryId) -> Result<Option<Delivery>, StoreError>;
    /// The endpoint's deliveries, newest first (by `created_at`, then id, descending), with
    /// `status` when given, at most `limit`, strictly after `after`. MUST read only that
    /// endpoint's (an index on endpoint and time).
    async fn deliveries(
        &self,
        org: &OrgId,
        endpoint: &EndpointId,
        status: Option<DeliveryStatus>,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<Delivery>, StoreError>;
    /// Deliveries with `next_attempt_at <= now`, across every org, soonest first, at most
    /// `limit`: found through the due-by-time index. Records due more than
    /// [`DUE_LOOKBACK_DAYS`] days before `now` MAY be left out.
    async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;
}

/// The position of `delivery` in its endpoint's list (newest first).
pub fn delivery_cursor(delivery: &Delivery) -> Cursor {
    Cursor {
        sort_key: delivery.created_at.timestamp_micros(),
        id: delivery.id.to_string(),
    }
}
