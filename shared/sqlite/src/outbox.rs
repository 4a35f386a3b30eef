//! The outbox: the event of every stored notification, written in its transaction, until an
//! event publisher marks it published.

use crate::SqliteStore;
use crate::codec::from_json;
use crate::errors::unavailable;
use crate::pool::Pool;
use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use coaching_domain::ports::OutboxStore;
use coaching_domain::ports::{OutboxEvent, StoreError};
use rusqlite::params;

/// Claims up to `limit` unpublished, unclaimed (or lapsed) events, oldest first, until `until`:
/// one UPDATE … RETURNING under the writer lock, so two relays never get the same event.
pub(crate) fn claim(
    pool: &Pool,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<OutboxEvent>, StoreError> {
    let conn = pool.writer();
    let mut st = conn
        .prepare_cached(
            "UPDATE outbox SET claimed_until = ?2 WHERE rowid IN ( \
                 SELECT rowid FROM outbox WHERE published_at IS NULL \
                   AND (claimed_until IS NULL OR claimed_until <= ?1) \
                 ORDER BY created_at, id LIMIT ?3) \
             RETURNING id, org, type, payload, created_at",
        )
        .map_err(unavailable)?;
    let rows = st
        .query_map(
            params![
                now.timestamp_millis(),
                until.timestamp_millis(),
                i64::from(limit)
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            },
        )
        .map_err(unavailable)?;
    let mut events = Vec::new();
    for row in rows {
        let (id, org, kind, payload, at) = row.map_err(unavailable)?;
        let created_at = Utc.timestamp_millis_opt(at).single().ok_or_else(|| {
            StoreError::Unavailable(format!("outbox event {id} has an invalid time {at}"))
        })?;
        events.push(OutboxEvent {
            payload: from_json("outbox payload", &payload)?,
            id,
            org,
            kind,
            created_at,
        });
    }
    // RETURNING gives rows in no particular order.
    events.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(events)
}

/// Deletes published events (unknown ones are ignored).
pub(crate) fn mark_published(pool: &Pool, events: &[OutboxEvent]) -> Result<(), StoreError> {
    let mut conn = pool.writer();
    let tx = conn.transaction().map_err(unavailable)?;
    for OutboxEvent { org, id, .. } in events {
        tx.prepare_cached("DELETE FROM outbox WHERE org = ?1 AND id = ?2")
            .and_then(|mut st| st.execute(params![org, id]))
            .map_err(unavailable)?;
    }
    tx.commit().map_err(unavailable)
}

#[async_trait]
impl OutboxStore for SqliteStore {
    async fn claim_events(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        claim(&self.pool, now, until, limit)
    }

    async fn mark_published(&self, events: &[OutboxEvent]) -> Result<(), StoreError> {
        mark_published(&self.pool, events)
    }
}
