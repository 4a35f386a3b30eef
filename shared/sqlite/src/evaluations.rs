//! Evaluation deliveries: each recorded in one write transaction (the webhook id, bounded
//! pruning of expired ids, then an upsert conditional on the rank). Reads: `evaluation_reads`.

use crate::SqliteStore;
use crate::codec::{ceil_secs, to_json};
use crate::errors::unavailable;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use coaching_domain::evaluation::Evaluation;
use coaching_domain::ids::{EvaluationId, OrgId};
use coaching_domain::ports::Cursor;
use coaching_domain::ports::EvaluationQuery;
use coaching_domain::ports::EvaluationStore;
use coaching_domain::ports::Page;
use coaching_domain::ports::{DeliveryOutcome, EvaluationDelivery, StoreError};
use rusqlite::{Connection, TransactionBehavior, params};

/// How many expired webhook ids one delivery prunes at most: enough to keep up with the rate
/// ids are added, few enough to keep every delivery's transaction short.
const PRUNE_BATCH: i64 = 100;

/// How far behind a delivery's `webhook-timestamp` an id counts as expired (and is pruned). The
/// port only promises that timestamp to be within minutes of the real time (the edge allows
/// five), so an id is never forgotten before its `remember_until` has passed in real time.
const PRUNE_SLACK_SECS: i64 = 60 * 60;

/// `t` as (unix milliseconds rounded down, nanoseconds within that millisecond): ordered like
/// `t` itself, the first being `evaluation_cursor`'s sort key.
pub(crate) fn instant(t: DateTime<Utc>) -> (i64, i64) {
    (
        t.timestamp_millis(),
        i64::from(t.timestamp_subsec_nanos() % 1_000_000),
    )
}

/// A delivery as the columns it writes, encoded before the writer is taken.
pub(crate) struct DeliveryRow<'a> {
    delivery: &'a EvaluationDelivery,
    remember_until: i64,
    /// `None` for a tombstone.
    state: Option<State<'a>>,
}

struct State<'a> {
    coachee_id: &'a str,
    scorecard_id: &'a str,
    evaluated_ms: i64,
    evaluated_ns: i64,
    doc: String,
}

impl<'a> DeliveryRow<'a> {
    pub(crate) fn new(delivery: &'a EvaluationDelivery) -> Result<Self, StoreError> {
        let state = match &delivery.evaluation {
            None => None,
            Some(e) => {
                if e.id != delivery.evaluation_id || e.org != delivery.org {
                    return Err(StoreError::Unavailable(
                        "a delivery's evaluation must carry its evaluation id and org".into(),
                    ));
                }
                let (evaluated_ms, evaluated_ns) = instant(e.evaluated_at);
                Some(State {
                    coachee_id: e.coachee_id.as_str(),
                    scorecard_id: &e.scorecard_id,
                    evaluated_ms,
                    evaluated_ns,
                    doc: to_json("evaluation", e)?,
                })
            }
        };
        Ok(DeliveryRow {
            delivery,
            remember_until: ceil_secs(delivery.remember_until),
            state,
        })
    }
}

/// Records the delivery in one IMMEDIATE transaction: the webhook id first (a repeat of an id
/// still remembered rolls back and is `Duplicate`; an expired one counts as new, whether or not
/// pruning reached it), then the evaluation's state, replaced only by a higher rank.
pub(crate) fn record_delivery(
    conn: &mut Connection,
    row: &DeliveryRow<'_>,
) -> Result<DeliveryOutcome, StoreError> {
    let d = row.delivery;
    let org = d.org.as_str();
    let expired_before = d.timestamp.saturating_sub(PRUNE_SLACK_SECS);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(unavailable)?;
    let recorded = tx
        .prepare_cached(
            "INSERT INTO webhook_deliveries (org, webhook_id, remember_until) VALUES (?1, ?2, ?3) \
             ON CONFLICT (org, webhook_id) DO UPDATE SET remember_until = excluded.remember_until \
             WHERE webhook_deliveries.remember_until < ?4",
        )
        .and_then(|mut st| {
            st.execute(params![
                org,
                d.webhook_id,
                row.remember_until,
                expired_before
            ])
        })
        .map_err(unavailable)?;
    if recorded == 0 {
        return Ok(DeliveryOutcome::Duplicate);
    }
    tx.prepare_cached(
        "DELETE FROM webhook_deliveries WHERE rowid IN ( \
             SELECT rowid FROM webhook_deliveries WHERE remember_until < ?1 LIMIT ?2)",
    )
    .and_then(|mut st| st.execute(params![expired_before, PRUNE_BATCH]))
    .map_err(unavailable)?;
    let s = row.state.as_ref();
    let replaced = tx
        .prepare_cached(
            "INSERT INTO evaluations (org, id, delivery_rank, coachee_id, scorecard_id, evaluated_ms, evaluated_ns, doc) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (org, id) DO UPDATE SET delivery_rank = excluded.delivery_rank, \
                 coachee_id = excluded.coachee_id, scorecard_id = excluded.scorecard_id, \
                 evaluated_ms = excluded.evaluated_ms, evaluated_ns = excluded.evaluated_ns, doc = excluded.doc \
             WHERE evaluations.delivery_rank < excluded.delivery_rank",
        )
        .and_then(|mut st| {
            st.execute(params![
                org,
                d.evaluation_id.as_str(),
                d.rank,
                s.map(|s| s.coachee_id),
                s.map(|s| s.scorecard_id),
                s.map(|s| s.evaluated_ms),
                s.map(|s| s.evaluated_ns),
                s.map(|s| s.doc.as_str()),
            ])
        })
        .map_err(unavailable)?;
    tx.commit().map_err(unavailable)?;
    Ok(if replaced > 0 {
        DeliveryOutcome::Applied
    } else {
        DeliveryOutcome::Stale
    })
}

#[async_trait]
impl EvaluationStore for SqliteStore {
    async fn record_delivery(
        &self,
        delivery: &EvaluationDelivery,
    ) -> Result<DeliveryOutcome, StoreError> {
        // Encoded before the writer is taken: the lock covers only the transaction.
        let row = DeliveryRow::new(delivery)?;
        record_delivery(&mut self.pool.writer(), &row)
    }

    async fn evaluation(
        &self,
        org: &OrgId,
        id: &EvaluationId,
    ) -> Result<Option<Evaluation>, StoreError> {
        crate::evaluation_reads::evaluation(&self.pool.reader(), org, id)
    }

    async fn evaluations(
        &self,
        org: &OrgId,
        query: &EvaluationQuery,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<Evaluation>, StoreError> {
        crate::evaluation_reads::evaluations(&self.pool.reader(), org, query, limit, after)
    }

    async fn all_evaluations(
        &self,
        org: &OrgId,
        query: &EvaluationQuery,
    ) -> Result<Vec<Evaluation>, StoreError> {
        crate::evaluation_reads::all_evaluations(&self.pool.reader(), org, query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use coaching_domain::evaluation::Evaluation;
    use coaching_domain::ids::{EvaluationId, OrgId};

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::apply(&mut conn).unwrap();
        conn
    }

    fn tombstone(
        org: &str,
        webhook_id: &str,
        timestamp: i64,
        keep_until: i64,
    ) -> EvaluationDelivery {
        EvaluationDelivery {
            org: OrgId::parse(org).unwrap(),
            webhook_id: webhook_id.into(),
            timestamp,
            remember_until: Utc.timestamp_opt(keep_until, 0).unwrap(),
            evaluation_id: EvaluationId::parse("ev-1").unwrap(),
            rank: 2 * timestamp + 1,
            evaluation: None,
        }
    }

    fn record(conn: &mut Connection, d: &EvaluationDelivery) -> DeliveryOutcome {
        record_delivery(conn, &DeliveryRow::new(d).unwrap()).unwrap()
    }

    fn remembered(conn: &Connection) -> i64 {
        conn.query_row("SELECT count(*) FROM webhook_deliveries", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn instants_split_into_the_cursor_millisecond_and_the_nanoseconds_within_it() {
        let t = Utc.timestamp_opt(1_000, 123_456_789).unwrap();
        assert_eq!(instant(t), (1_000_123, 456_789));
        let before = Utc.timestamp_opt(-1, 999_999_999).unwrap();
        assert_eq!(instant(before), (-1, 999_999));
        assert_eq!(instant(t).0, t.timestamp_millis(), "the cursor's sort key");
    }

    #[test]
    fn expired_webhook_ids_are_pruned_a_bounded_batch_per_delivery_and_live_ones_never() {
        let mut conn = db();
        let base = 1_900_000_000;
        for n in 0..150 {
            record(
                &mut conn,
                &tombstone("o", &format!("old-{n}"), base, base + 10),
            );
        }
        record(&mut conn, &tombstone("o", "live", base, base + 10 * 3600));
        assert_eq!(remembered(&conn), 151);

        // Within the slack of their expiry: nothing goes.
        record(&mut conn, &tombstone("o", "a", base + 11, base + 3600 * 72));
        assert_eq!(remembered(&conn), 152);
        // Well past it: at most one batch per delivery, and never an id still to be kept.
        let late = base + 10 + PRUNE_SLACK_SECS + 1;
        record(&mut conn, &tombstone("o", "b", late, late + 3600 * 72));
        assert_eq!(remembered(&conn), 153 - PRUNE_BATCH);
        record(&mut conn, &tombstone("o", "c", late, late + 3600 * 72));
        assert_eq!(remembered(&conn), 4, "live, a, b and c");
        assert_eq!(
            record(&mut conn, &tombstone("o", "live", late, late)),
            DeliveryOutcome::Duplicate
        );
    }

    #[test]
    fn an_id_expired_more_than_the_slack_before_a_delivery_is_new_again_even_unpruned() {
        let mut conn = db();
        let base = 1_900_000_000;
        record(&mut conn, &tombstone("o", "w", base, base + 10));
        let again = |ts: i64| tombstone("o", "w", ts, ts + 3600 * 72);

        assert_eq!(
            record(&mut conn, &again(base + 10 + PRUNE_SLACK_SECS)),
            DeliveryOutcome::Duplicate
        );
        // New again (and this later tombstone outranks the first one).
        assert_eq!(
            record(&mut conn, &again(base + 11 + PRUNE_SLACK_SECS)),
            DeliveryOutcome::Applied
        );
        assert_eq!(
            record(&mut conn, &again(base + 11 + PRUNE_SLACK_SECS)),
            DeliveryOutcome::Duplicate
        );
    }

    #[test]
    fn a_delivery_whose_evaluation_names_another_id_is_refused() {
        let mut d = tombstone("o", "w", 1, 2);
        let e: Evaluation = serde_json::from_value(serde_json::json!({
            "id": "ev-2", "org": "o", "coachee_id": "c", "scorecard_id": "sc",
            "scorecard_name": "SC", "ticket_id": null, "ticket_url": null, "evaluator_id": null,
            "evaluated_at": "2030-01-01T00:00:00Z", "scores": [], "received_at": "2030-01-01T00:00:00Z"
        }))
        .unwrap();
        d.evaluation = Some(e);
        assert!(matches!(
            DeliveryRow::new(&d),
            Err(StoreError::Unavailable(_))
        ));
    }
}
