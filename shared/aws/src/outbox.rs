//! The outbox: the event of every stored notification, written in its transaction into the
//! partition of its creation hour, until an event publisher deletes it as published.

use crate::errors;
use crate::items::{self, Item, key};
use crate::keys;
use crate::query::Walk;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
use chrono::{DateTime, Utc};
use coaching_domain::ports::StoreError;

/// BatchWriteItem takes at most this many requests.
const BATCH: usize = 25;
/// Rounds of resending what DynamoDB left unprocessed before giving up.
const ROUNDS: usize = 5;

/// One event waiting to be published.
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

fn event(item: &Item) -> Result<OutboxEvent, StoreError> {
    let created_at = items::string(item, "created_at")?;
    let created_at = DateTime::parse_from_rfc3339(created_at)
        .map_err(|e| {
            StoreError::Unavailable(format!(
                "outbox event has an invalid time {created_at}: {e}"
            ))
        })?
        .with_timezone(&Utc);
    let payload = items::string(item, "payload")?;
    Ok(OutboxEvent {
        org: items::string(item, "org")?.to_owned(),
        id: items::string(item, "id")?.to_owned(),
        kind: items::string(item, "type")?.to_owned(),
        payload: serde_json::from_str(payload)
            .map_err(|e| StoreError::Unavailable(format!("outbox payload: {e}")))?,
        created_at,
    })
}

/// Events created in the hour of `hour` and not yet published, oldest first, at most `limit`:
/// one Query.
pub(crate) async fn pending(
    client: &Client,
    table: &str,
    hour: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<OutboxEvent>, StoreError> {
    let walk = Walk {
        pk: keys::outbox_pk(hour),
        consistent: true,
        ..Walk::default()
    };
    let found = walk
        .run(
            client,
            table,
            Some(usize::try_from(limit).unwrap_or(usize::MAX)),
        )
        .await?;
    found.iter().map(event).collect()
}

/// Deletes the events (unknown or already deleted ones are ignored), 25 per BatchWriteItem.
pub(crate) async fn mark_published(
    client: &Client,
    table: &str,
    events: &[OutboxEvent],
) -> Result<(), StoreError> {
    for chunk in events.chunks(BATCH) {
        let mut requests = chunk
            .iter()
            .map(|e| {
                let k = key(
                    keys::outbox_pk(e.created_at),
                    &keys::outbox_sk(e.created_at, &e.org, &e.id),
                );
                let delete = DeleteRequest::builder()
                    .set_key(Some(k))
                    .build()
                    .map_err(errors::build)?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        for _ in 0..ROUNDS {
            let out = client
                .batch_write_item()
                .request_items(table, requests)
                .send()
                .await
                .map_err(|e| errors::unavailable("BatchWriteItem", e))?;
            requests = out
                .unprocessed_items
                .and_then(|mut u| u.remove(table))
                .unwrap_or_default();
            if requests.is_empty() {
                break;
            }
        }
        if !requests.is_empty() {
            return Err(StoreError::Unavailable(format!(
                "{} outbox deletions stayed unprocessed",
                requests.len()
            )));
        }
    }
    Ok(())
}
