//! The outbox: the event of every stored notification, written in its transaction into the
//! partition of its creation day (UTC), until an event publisher deletes it as published.
//!
//! A relay claims events before publishing them: a conditional UpdateItem per event sets
//! `claimed_until`, and only succeeds while no other claim holds, so two relays never publish
//! one event at once; a claim that lapses (its relay died) makes the event claimable again.

use crate::DynamoStore;
use crate::errors;
use crate::items::{self, Item, key};
use crate::keys;
use crate::query::{Filter, Walk};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, WriteRequest};
use chrono::{DateTime, Duration, Utc};
use coaching_domain::ports::OutboxStore;
use coaching_domain::ports::{DUE_LOOKBACK_DAYS, OutboxEvent, StoreError};

/// BatchWriteItem takes at most this many requests.
const BATCH: usize = 25;
/// Rounds of resending what DynamoDB left unprocessed before giving up.
const ROUNDS: usize = 5;
/// Until when (epoch milliseconds) a relay's claim holds; absent on an unclaimed event.
const CLAIMED_UNTIL: &str = "claimed_until";

/// The outbox item of an event (a notification's or an org event's): in the partition of its
/// creation day, sorted by (time, org, id), `payload` the JSON text (a string attribute) of
/// what is published.
pub(crate) fn item(
    org: &str,
    id: &str,
    kind: &str,
    payload: AttributeValue,
    created_at: DateTime<Utc>,
) -> Item {
    let mut event = key(
        keys::outbox_pk(created_at),
        &keys::outbox_sk(created_at, org, id),
    );
    event.insert("org".to_owned(), items::s(org));
    event.insert("id".to_owned(), items::s(id));
    event.insert("type".to_owned(), items::s(kind));
    event.insert("payload".to_owned(), payload);
    event.insert("created_at".to_owned(), items::instant(created_at));
    event
}

/// The outbox item of `e` (an org event's entry).
pub(crate) fn entry_item(e: &OutboxEvent) -> Item {
    let payload = items::s(e.payload.to_string());
    item(&e.org, &e.id, &e.kind, payload, e.created_at)
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

/// Events no claim holds at `now_ms`: never claimed, or claimed until `now_ms` at the latest.
fn claimable(now_ms: i64) -> Filter {
    Filter {
        expression: "attribute_not_exists(#claimed) OR #claimed <= :now".to_owned(),
        names: vec![("#claimed".to_owned(), CLAIMED_UNTIL.to_owned())],
        values: vec![(":now".to_owned(), items::number(now_ms))],
    }
}

/// Claims up to `limit` unpublished events, oldest first, that no claim holds at `now`, each
/// until `until`. Reads the day partitions from [`DUE_LOOKBACK_DAYS`] days before `now`
/// through today, oldest first (a Query each, more only when claims are lost to another relay),
/// and claims every candidate with a conditional UpdateItem: an event another relay claimed
/// meanwhile (or published) fails its condition and is left out. Events older than the
/// look-back are left behind.
pub(crate) async fn claim(
    client: &Client,
    table: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<OutboxEvent>, StoreError> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let (now_ms, until_ms) = (now.timestamp_millis(), until.timestamp_millis());
    let mut claimed = Vec::new();
    for pk in keys::outbox_days(now, Duration::days(DUE_LOOKBACK_DAYS)) {
        // Past the last candidate of the previous page of this partition, if any.
        let mut after: Option<String> = None;
        while claimed.len() < limit {
            let want = limit - claimed.len();
            let walk = Walk {
                pk: pk.clone(),
                lower: after.clone(),
                skip: after.clone(),
                filter: Some(claimable(now_ms)),
                consistent: true,
                ..Walk::default()
            };
            let candidates = walk.run(client, table, Some(want)).await?;
            for item in &candidates {
                if claim_one(client, table, item, now_ms, until_ms).await? {
                    claimed.push(event(item)?);
                }
            }
            match candidates.last() {
                // A full page where some claims were lost: the partition may hold more.
                Some(last) if candidates.len() == want => {
                    after = Some(items::string(last, keys::SK)?.to_owned());
                }
                _ => break,
            }
        }
        if claimed.len() >= limit {
            break;
        }
    }
    Ok(claimed)
}

/// Sets `claimed_until` on the event of `item` while it exists and no claim holds at `now_ms`;
/// false when that condition failed (another relay claimed or published it meanwhile).
async fn claim_one(
    client: &Client,
    table: &str,
    item: &Item,
    now_ms: i64,
    until_ms: i64,
) -> Result<bool, StoreError> {
    let k = key(
        items::string(item, keys::PK)?.to_owned(),
        items::string(item, keys::SK)?,
    );
    let sent = client
        .update_item()
        .table_name(table)
        .set_key(Some(k))
        .update_expression("SET #claimed = :until")
        .condition_expression(
            "attribute_exists(PK) AND (attribute_not_exists(#claimed) OR #claimed <= :now)",
        )
        .expression_attribute_names("#claimed", CLAIMED_UNTIL)
        .expression_attribute_values(":until", items::number(until_ms))
        .expression_attribute_values(":now", items::number(now_ms))
        .send()
        .await;
    match sent {
        Ok(_) => Ok(true),
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(UpdateItemError::ConditionalCheckFailedException(_))
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(errors::unavailable("UpdateItem", e)),
    }
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

#[async_trait]
impl OutboxStore for DynamoStore {
    async fn claim_events(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        claim(&self.client, &self.table, now, until, limit).await
    }

    async fn mark_published(&self, events: &[OutboxEvent]) -> Result<(), StoreError> {
        mark_published(&self.client, &self.table, events).await
    }
}
