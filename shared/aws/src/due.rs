//! The jobs' and workers' reads of due work, across every org: the `Due` index day by day,
//! oldest first, one Query per day partition (fewer once `limit` items are found). Never a Scan.
//!
//! The index is eventually consistent (no GSI read can be strongly consistent): work written
//! a moment ago may be missing from one run and is found by the next.

use crate::DynamoStore;
use crate::items::{Item, from_doc};
use crate::keys::{self, DUE, Due};
use crate::query::Walk;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};
use coaching_domain::generation::GenerationJob;
use coaching_domain::outbound::Delivery;
use coaching_domain::ports::DueStore;
use coaching_domain::ports::{DUE_LOOKBACK_DAYS, StoreError};
use coaching_domain::reminder::{Reminder, ReminderKind};
use coaching_domain::reschedule::RescheduleRequest;

/// How far back the reminder partitions are read: reminders of every session that started
/// at most [`DUE_LOOKBACK_DAYS`] days ago, so due up to the longest lead before that.
pub(crate) fn reminder_lookback() -> Duration {
    let longest_lead = ReminderKind::ALL
        .iter()
        .map(ReminderKind::lead)
        .max()
        .unwrap_or_default();
    Duration::days(DUE_LOOKBACK_DAYS) + longest_lead
}

/// How far back the request partitions are read: requests that expired at most
/// [`DUE_LOOKBACK_DAYS`] days ago.
pub(crate) fn request_lookback() -> Duration {
    Duration::days(DUE_LOOKBACK_DAYS)
}

/// How far back the generation partitions are read: records due at most
/// [`DUE_LOOKBACK_DAYS`] days ago (a worker or sweep idle for longer leaves older ones behind).
pub(crate) fn generation_lookback() -> Duration {
    Duration::days(DUE_LOOKBACK_DAYS)
}

/// Items of `what` due at or before `now`, oldest first, at most `limit`.
async fn due(
    client: &Client,
    table: &str,
    what: Due,
    now: DateTime<Utc>,
    lookback: Duration,
    limit: u32,
) -> Result<Vec<Item>, StoreError> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut found = Vec::new();
    for pk in keys::due_days(what, now, lookback) {
        if found.len() >= limit {
            break;
        }
        let walk = Walk {
            index: Some(DUE),
            pk,
            upper: Some(keys::due_upper(now)),
            ..Walk::default()
        };
        found.extend(walk.run(client, table, Some(limit - found.len())).await?);
    }
    Ok(found)
}

pub(crate) async fn due_reminders(
    client: &Client,
    table: &str,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Reminder>, StoreError> {
    let found = due(
        client,
        table,
        Due::Reminder,
        now,
        reminder_lookback(),
        limit,
    )
    .await?;
    found.iter().map(|i| from_doc("reminder", i)).collect()
}

pub(crate) async fn due_requests(
    client: &Client,
    table: &str,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<RescheduleRequest>, StoreError> {
    let found = due(client, table, Due::Request, now, request_lookback(), limit).await?;
    found
        .iter()
        .map(|i| from_doc("reschedule request", i))
        .collect()
}

/// Queued generations and running ones whose lease lapsed (both are due by `due_at`), oldest
/// first, then by org and id.
pub(crate) async fn due_generations(
    client: &Client,
    table: &str,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<GenerationJob>, StoreError> {
    let found = due(
        client,
        table,
        Due::Generation,
        now,
        generation_lookback(),
        limit,
    )
    .await?;
    found.iter().map(|i| from_doc("generation", i)).collect()
}

/// How far back the delivery partitions are read: deliveries due at most
/// [`DUE_LOOKBACK_DAYS`] days ago.
pub(crate) fn delivery_lookback() -> Duration {
    Duration::days(DUE_LOOKBACK_DAYS)
}

/// Deliveries whose next attempt (or whose worker's lapsed lease) is due, across every org,
/// soonest first, then by org and id.
pub(crate) async fn due_deliveries(
    client: &Client,
    table: &str,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Delivery>, StoreError> {
    let found = due(
        client,
        table,
        Due::Delivery,
        now,
        delivery_lookback(),
        limit,
    )
    .await?;
    found
        .iter()
        .map(|i| from_doc("webhook delivery", i))
        .collect()
}

#[async_trait]
impl DueStore for DynamoStore {
    async fn due_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Reminder>, StoreError> {
        due_reminders(&self.client, &self.table, now, limit).await
    }

    async fn due_requests(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RescheduleRequest>, StoreError> {
        due_requests(&self.client, &self.table, now, limit).await
    }
}
