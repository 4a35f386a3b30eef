//! Generation records: the conditional write inside a change set, the read by id, and the
//! due-by-time read (`generations_due`) of the embedded worker and the sweep.

use crate::SqliteStore;
use crate::codec::{ceil_millis, from_json, to_json};
use crate::errors::{unavailable, unique_or_unavailable};
use crate::sessions::collect_docs;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use coaching_domain::evaluation::GenerationStatus;
use coaching_domain::generation::{GenerationJob, GenerationPut};
use coaching_domain::ids::{GenerationId, OrgId};
use coaching_domain::ports::GenerationStore;
use coaching_domain::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// The stored form of a status (its serde name): what a conditional write compares.
fn status_str(s: GenerationStatus) -> &'static str {
    match s {
        GenerationStatus::Queued => "queued",
        GenerationStatus::Running => "running",
        GenerationStatus::Succeeded => "succeeded",
        GenerationStatus::Failed => "failed",
    }
}

/// Creates the record (`expected: None`) or replaces it when its stored status and claim count
/// are the expected ones; anything else is a `Conflict`.
pub(crate) fn put_generation(tx: &Transaction<'_>, put: &GenerationPut) -> Result<(), StoreError> {
    let j = &put.job;
    let doc = to_json("generation", j)?;
    let (org, id, session) = (j.org.as_str(), j.id.as_str(), j.session_id.as_str());
    let (status, claims) = (status_str(j.status), i64::from(j.claims));
    let due = j.due_at.map(ceil_millis);
    match put.expected {
        None => {
            let sql = "INSERT INTO generations (org, id, session_id, status, claims, due_ms, doc) \
                       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
            tx.prepare_cached(sql)
                .and_then(|mut st| st.execute(params![org, id, session, status, claims, due, doc]))
                .map_err(|e| unique_or_unavailable(e, StoreError::Conflict))?;
        }
        Some((expected_status, expected_claims)) => {
            let sql = "UPDATE generations SET session_id = ?3, status = ?4, claims = ?5, due_ms = ?6, doc = ?7 \
                       WHERE org = ?1 AND id = ?2 AND status = ?8 AND claims = ?9";
            let args = params![
                org,
                id,
                session,
                status,
                claims,
                due,
                doc,
                status_str(expected_status),
                i64::from(expected_claims)
            ];
            let updated = tx
                .prepare_cached(sql)
                .and_then(|mut st| st.execute(args))
                .map_err(unavailable)?;
            if updated == 0 {
                return Err(StoreError::Conflict);
            }
        }
    }
    Ok(())
}

pub(crate) fn generation(
    conn: &Connection,
    org: &OrgId,
    id: &GenerationId,
) -> Result<Option<GenerationJob>, StoreError> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM generations WHERE org = ?1 AND id = ?2")
        .and_then(|mut st| {
            st.query_row(params![org.as_str(), id.as_str()], |r| r.get(0))
                .optional()
        })
        .map_err(unavailable)?;
    doc.map(|d| from_json("generation", &d)).transpose()
}

/// Due times are stored rounded up and compared with `now` rounded down (as reminders and
/// requests are): never listed before its `due_at`, at most a millisecond after it.
const DUE: &str = "SELECT doc FROM generations WHERE due_ms IS NOT NULL AND due_ms <= ?1 \
                   ORDER BY due_ms, org, id LIMIT ?2";

pub(crate) fn due_generations(
    conn: &Connection,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<GenerationJob>, StoreError> {
    let docs = collect_docs(conn, DUE, params![now.timestamp_millis(), i64::from(limit)])?;
    docs.iter().map(|d| from_json("generation", d)).collect()
}

#[async_trait]
impl GenerationStore for SqliteStore {
    async fn generation(
        &self,
        org: &OrgId,
        id: &GenerationId,
    ) -> Result<Option<GenerationJob>, StoreError> {
        generation(&self.pool.reader(), org, id)
    }

    async fn due_generations(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GenerationJob>, StoreError> {
        due_generations(&self.pool.reader(), now, limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_statuses_are_the_serde_names() {
        for s in [
            GenerationStatus::Queued,
            GenerationStatus::Running,
            GenerationStatus::Succeeded,
            GenerationStatus::Failed,
        ] {
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(status_str(s))
            );
        }
    }

    #[test]
    fn the_due_read_walks_the_partial_due_index_without_sorting() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::apply(&mut conn).unwrap();
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {DUE}")).unwrap();
        let plan = st
            .query_map(params![0_i64, 10_i64], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(plan.contains("generations_due"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}
