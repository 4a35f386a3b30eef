//! The outbox: the event of every stored notification, written in its transaction, until an
//! event publisher marks it published.

use crate::codec::from_json;
use crate::errors::unavailable;
use crate::pool::Pool;
use chrono::{DateTime, TimeZone, Utc};
use coaching_domain::ports::StoreError;
use rusqlite::params;

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

pub(crate) fn pending(pool: &Pool, limit: u32) -> Result<Vec<OutboxEvent>, StoreError> {
    let conn = pool.reader();
    let mut st = conn
        .prepare_cached(
            "SELECT id, org, type, payload, created_at FROM outbox WHERE published_at IS NULL \
             ORDER BY created_at, id LIMIT ?1",
        )
        .map_err(unavailable)?;
    let rows = st
        .query_map(params![i64::from(limit)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })
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
    Ok(events)
}

pub(crate) fn mark_published(
    pool: &Pool,
    events: &[OutboxEvent],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut conn = pool.writer();
    let tx = conn.transaction().map_err(unavailable)?;
    for OutboxEvent { org, id, .. } in events {
        tx.prepare_cached("UPDATE outbox SET published_at = ?3 WHERE org = ?1 AND id = ?2 AND published_at IS NULL")
            .and_then(|mut st| st.execute(params![org, id, at.timestamp_millis()]))
            .map_err(unavailable)?;
    }
    tx.commit().map_err(unavailable)
}
