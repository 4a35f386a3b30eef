//! Outbound webhooks: endpoints (conditional on `version`, at most `max` per org, counted in the
//! writer's transaction), deliveries (written in change sets, listed per endpoint newest first,
//! due through `outbound_deliveries_due`), and org events into the outbox.

use crate::SqliteStore;
use crate::codec::{ceil_millis, from_json, to_json, version};
use crate::errors::{unavailable, unique_or_unavailable};
use crate::sessions::collect_docs;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use coaching_domain::ids::{DeliveryId, EndpointId, OrgId};
use coaching_domain::outbound::{
    Delivery, DeliveryPut, DeliveryStatus, EndpointPut, OrgEvent, WebhookEndpoint,
};
use coaching_domain::ports::{Cursor, Page, StoreError, WebhookStore, delivery_cursor};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

/// An org event's outbox entry, in the change's transaction; an event stored already is a
/// `Conflict` (a retried set).
pub(crate) fn put_event(tx: &Transaction<'_>, event: &OrgEvent) -> Result<(), StoreError> {
    let entry = event.outbox_entry();
    let payload = entry.payload.to_string();
    tx.prepare_cached(
        "INSERT INTO outbox (id, org, type, payload, created_at, published_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
    )
    .and_then(|mut st| {
        st.execute(params![
            entry.id,
            entry.org,
            entry.kind,
            payload,
            entry.created_at.timestamp_millis()
        ])
    })
    .map_err(|e| unique_or_unavailable(e, StoreError::Conflict))?;
    Ok(())
}

/// A new delivery, or one whose stored version is the expected one; else `Conflict`.
pub(crate) fn put_delivery(tx: &Transaction<'_>, put: &DeliveryPut) -> Result<(), StoreError> {
    let d = &put.delivery;
    let doc = to_json("delivery", d)?;
    let due = d.next_attempt_at.map(ceil_millis);
    let (org, id, endpoint) = (d.org.as_str(), d.id.as_str(), d.endpoint_id.as_str());
    let (status, created, v) = (
        d.status.as_str(),
        d.created_at.timestamp_micros(),
        version(d.version)?,
    );
    let written = match put.expected_version {
        None => tx
            .prepare_cached(
                "INSERT INTO outbound_deliveries (org, id, endpoint_id, status, created_us, version, due_ms, doc) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut st| st.execute(params![org, id, endpoint, status, created, v, due, doc]))
            .map_err(|e| unique_or_unavailable(e, StoreError::Conflict))?,
        Some(expected) => {
            let expected = version(expected)?;
            tx.prepare_cached(
                "UPDATE outbound_deliveries SET status = ?3, version = ?4, due_ms = ?5, doc = ?6 \
                 WHERE org = ?1 AND id = ?2 AND version = ?7",
            )
            .and_then(|mut st| st.execute(params![org, id, status, v, due, doc, expected]))
            .map_err(unavailable)?
        }
    };
    if written == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// An endpoint whose stored version is the expected one; else `Conflict`.
pub(crate) fn put_endpoint(tx: &Transaction<'_>, put: &EndpointPut) -> Result<(), StoreError> {
    let e = &put.endpoint;
    let doc = to_json("webhook endpoint", e)?;
    let (next, expected) = (version(e.version)?, version(put.expected_version)?);
    let updated = tx
        .prepare_cached(
            "UPDATE outbound_endpoints SET version = ?3, doc = ?4 WHERE org = ?1 AND id = ?2 AND version = ?5",
        )
        .and_then(|mut st| {
            st.execute(params![
                e.org.as_str(),
                e.id.as_str(),
                next,
                doc,
                expected
            ])
        })
        .map_err(unavailable)?;
    if updated == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

fn docs<T: serde::de::DeserializeOwned>(
    what: &str,
    docs: Vec<String>,
) -> Result<Vec<T>, StoreError> {
    docs.iter().map(|d| from_json(what, d)).collect()
}

fn one<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    what: &str,
    sql: &str,
    org: &OrgId,
    id: &str,
) -> Result<Option<T>, StoreError> {
    let doc: Option<String> = conn
        .prepare_cached(sql)
        .and_then(|mut st| {
            st.query_row(params![org.as_str(), id], |r| r.get(0))
                .optional()
        })
        .map_err(unavailable)?;
    doc.map(|d| from_json(what, &d)).transpose()
}

/// The deliveries of one endpoint, newest first, with `status` when given, after `after`.
fn deliveries(
    conn: &Connection,
    org: &OrgId,
    endpoint: &EndpointId,
    status: Option<DeliveryStatus>,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<Delivery>, StoreError> {
    // Four fixed statements (cached), each a range of one of the two indexes.
    let status_clause = if status.is_some() {
        " AND status = ?3"
    } else {
        ""
    };
    let after_clause = if after.is_some() {
        " AND (created_us, id) < (?4, ?5)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT doc FROM outbound_deliveries WHERE org = ?1 AND endpoint_id = ?2{status_clause}{after_clause} \
         ORDER BY created_us DESC, id DESC LIMIT ?6"
    );
    let (before_us, before_id) = after
        .map(|c| (c.sort_key, c.id.as_str()))
        .unwrap_or((0, ""));
    let mut st = conn.prepare_cached(&sql).map_err(unavailable)?;
    let rows = st
        .query_map(
            params![
                org.as_str(),
                endpoint.as_str(),
                status.map(DeliveryStatus::as_str).unwrap_or_default(),
                before_us,
                before_id,
                i64::from(limit)
            ],
            |r| r.get::<_, String>(0),
        )
        .map_err(unavailable)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(unavailable)?;
    let items: Vec<Delivery> = docs("delivery", rows)?;
    let full = items.len() == limit as usize;
    let next = items.last().filter(|_| full).map(delivery_cursor);
    Ok(Page { items, next })
}

/// Due times are stored rounded up and compared with `now` rounded down, as for generations.
const DUE: &str = "SELECT doc FROM outbound_deliveries WHERE due_ms IS NOT NULL AND due_ms <= ?1 \
                   ORDER BY due_ms, org, id LIMIT ?2";

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn endpoints(&self, org: &OrgId) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let rows = collect_docs(
            &self.pool.reader(),
            "SELECT doc FROM outbound_endpoints WHERE org = ?1 ORDER BY id",
            params![org.as_str()],
        )?;
        docs("webhook endpoint", rows)
    }

    async fn endpoint(
        &self,
        org: &OrgId,
        id: &EndpointId,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        one(
            &self.pool.reader(),
            "webhook endpoint",
            "SELECT doc FROM outbound_endpoints WHERE org = ?1 AND id = ?2",
            org,
            id.as_str(),
        )
    }

    async fn create_endpoint(
        &self,
        endpoint: &WebhookEndpoint,
        max: usize,
    ) -> Result<(), StoreError> {
        let doc = to_json("webhook endpoint", endpoint)?;
        let mut conn = self.pool.writer();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(unavailable)?;
        let org = endpoint.org.as_str();
        let held: i64 = tx
            .query_row(
                "SELECT count(*) FROM outbound_endpoints WHERE org = ?1",
                params![org],
                |r| r.get(0),
            )
            .map_err(unavailable)?;
        if usize::try_from(held).unwrap_or(usize::MAX) >= max {
            return Err(StoreError::Conflict);
        }
        tx.execute(
            "INSERT INTO outbound_endpoints (org, id, version, doc) VALUES (?1, ?2, ?3, ?4)",
            params![org, endpoint.id.as_str(), version(endpoint.version)?, doc],
        )
        .map_err(|e| unique_or_unavailable(e, StoreError::Conflict))?;
        tx.commit().map_err(unavailable)
    }

    async fn delete_endpoint(&self, org: &OrgId, id: &EndpointId) -> Result<bool, StoreError> {
        let deleted = self
            .pool
            .writer()
            .execute(
                "DELETE FROM outbound_endpoints WHERE org = ?1 AND id = ?2",
                params![org.as_str(), id.as_str()],
            )
            .map_err(unavailable)?;
        Ok(deleted > 0)
    }

    async fn delivery(&self, org: &OrgId, id: &DeliveryId) -> Result<Option<Delivery>, StoreError> {
        one(
            &self.pool.reader(),
            "delivery",
            "SELECT doc FROM outbound_deliveries WHERE org = ?1 AND id = ?2",
            org,
            id.as_str(),
        )
    }

    async fn deliveries(
        &self,
        org: &OrgId,
        endpoint: &EndpointId,
        status: Option<DeliveryStatus>,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<Delivery>, StoreError> {
        deliveries(&self.pool.reader(), org, endpoint, status, limit, after)
    }

    async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let rows = collect_docs(
            &self.pool.reader(),
            DUE,
            params![now.timestamp_millis(), i64::from(limit)],
        )?;
        docs("delivery", rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(sql: &str, args: impl rusqlite::Params) -> String {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::apply(&mut conn).unwrap();
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        st.query_map(args, |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_due_read_walks_the_partial_due_index_without_sorting() {
        let plan = plan(DUE, params![0_i64, 10_i64]);
        assert!(plan.contains("outbound_deliveries_due"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}
