//! A coach's analytics input (docs/api.md#analytics) read the SQLite way: the range's rows through the coach
//! index with their columns and only the few document fields the figures need, and retention
//! as a capped count per client over the `sessions_client_coach` index (migration 0008).
//!
//! The generic path (`through_session_queries`) decodes every session of the range whole and
//! reads two more whole sessions per client seen once; with a month of ~590 sessions and ~100
//! such clients that decoding was most of the request (p99 26 ms against a 20 ms goal).

use crate::codec::ceil_millis;
use crate::errors::{json_error, unavailable};
use chrono::{DateTime, Utc};
use coaching_domain::analytics::{AnalyticsInput, SessionFacts, earned_from};
use coaching_domain::ids::{OrgId, SessionId, UserId};
use coaching_domain::money::Money;
use coaching_domain::ports::StoreError;
use coaching_domain::session::{Rating, SessionKind, SessionStatus};
use rusqlite::{Connection, params};
use serde::Deserialize;
use std::collections::HashMap;

/// The parts of a session document the figures look at; serde skips the rest of the text
/// without building it (notes, agenda, review, action items).
#[derive(Deserialize)]
struct Doc {
    kind: SessionKind,
    price: Option<Money>,
    cancellation: Option<Fee>,
    no_show: Option<Fee>,
    rating: Option<RatingDoc>,
}

#[derive(Deserialize)]
struct Fee {
    fee: Option<Money>,
}

#[derive(Deserialize)]
struct RatingDoc {
    rating: Rating,
}

/// The coach's countable sessions of the range: the coach index's range, in start order.
const RANGE: &str = "SELECT id, client_id, status, sort_key, doc FROM sessions \
     WHERE org = ?1 AND coach_id = ?2 AND sort_key >= ?3 AND sort_key < ?4 \
     AND status IN ('completed', 'cancelled', 'no_show') ORDER BY sort_key, id";

/// A client's completed sessions with the coach starting before `to`, counted up to 2 (all
/// retention asks): one seek in `sessions_client_coach`, whatever the client's history.
const COMPLETED_BEFORE: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM sessions \
     WHERE org = ?1 AND client_id = ?2 AND coach_id = ?3 AND status = 'completed' \
     AND sort_key < ?4 LIMIT 2)";

pub(crate) fn analytics_input(
    conn: &Connection,
    org: &OrgId,
    coach: &UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<AnalyticsInput, StoreError> {
    let (from_ms, to_ms) = (ceil_millis(from), ceil_millis(to));
    let mut in_range = Vec::new();
    let mut st = conn.prepare_cached(RANGE).map_err(unavailable)?;
    let mut rows = st
        .query(params![org.as_str(), coach.as_str(), from_ms, to_ms])
        .map_err(unavailable)?;
    while let Some(row) = rows.next().map_err(unavailable)? {
        let text = |i: usize| -> Result<&str, StoreError> {
            row.get_ref(i)
                .and_then(|v| v.as_str().map_err(Into::into))
                .map_err(unavailable)
        };
        let status = SessionStatus::parse(text(2)?).ok_or_else(|| {
            StoreError::Unavailable(format!("sqlite: a session has status {:?}", text(2)))
        })?;
        let start_ms: i64 = row.get(3).map_err(unavailable)?;
        let doc: Doc = serde_json::from_str(text(4)?).map_err(|e| json_error("session", e))?;
        in_range.push(SessionFacts {
            id: SessionId::parse(text(0)?).map_err(|e| corrupt("id", e))?,
            client_id: UserId::parse(text(1)?).map_err(|e| corrupt("client_id", e))?,
            status,
            starts_at: DateTime::from_timestamp_millis(start_ms)
                .ok_or_else(|| corrupt("sort_key", start_ms))?,
            earned: earned_from(
                status,
                doc.kind,
                doc.price,
                doc.cancellation.and_then(|c| c.fee),
                doc.no_show.and_then(|n| n.fee),
            ),
            rating: doc.rating.map(|r| r.rating.get()),
        });
    }

    let mut completed: HashMap<UserId, u32> = HashMap::new();
    for f in in_range
        .iter()
        .filter(|f| f.status == SessionStatus::Completed)
    {
        *completed.entry(f.client_id.clone()).or_default() += 1;
    }
    let mut count = conn.prepare_cached(COMPLETED_BEFORE).map_err(unavailable)?;
    for (client, n) in completed.iter_mut().filter(|(_, n)| **n == 1) {
        *n = count
            .query_row(
                params![org.as_str(), client.as_str(), coach.as_str(), to_ms],
                |r| r.get(0),
            )
            .map_err(unavailable)?;
    }
    Ok(AnalyticsInput {
        in_range,
        completed_before_to: completed,
    })
}

fn corrupt(column: &str, e: impl std::fmt::Debug) -> StoreError {
    StoreError::Unavailable(format!("sqlite: a session's {column} is not valid: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(sql: &str) -> String {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::apply(&mut conn).unwrap();
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = st
            .query_map(params!["o", "c", 0, 10], |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn the_range_walks_the_coach_index_without_sorting() {
        let plan = plan(RANGE);

        assert!(plan.contains("sessions_by_coach"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    #[test]
    fn the_retention_count_reads_only_the_client_coach_index() {
        let plan = plan(COMPLETED_BEFORE);

        assert!(
            plan.contains("COVERING INDEX sessions_client_coach"),
            "{plan}"
        );
    }
}
