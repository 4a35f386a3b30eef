//! Reads of evaluations: one by id, and a coachee's through the coachee index (lists newest
//! first by cursor, the statistics read of a whole period), time bounds exact to the nanosecond.

use crate::codec::from_json;
use crate::errors::unavailable;
use crate::evaluations::instant;
use crate::query::Sql;
use coaching_domain::evaluation::Evaluation;
use coaching_domain::ids::{EvaluationId, OrgId};
use coaching_domain::ports::{Cursor, EvaluationQuery, Page, StoreError, evaluation_cursor};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

pub(crate) fn evaluation(
    conn: &Connection,
    org: &OrgId,
    id: &EvaluationId,
) -> Result<Option<Evaluation>, StoreError> {
    let doc: Option<Option<String>> = conn
        .prepare_cached("SELECT doc FROM evaluations WHERE org = ?1 AND id = ?2")
        .and_then(|mut st| {
            st.query_row(params![org.as_str(), id.as_str()], |r| r.get(0))
                .optional()
        })
        .map_err(unavailable)?;
    doc.flatten()
        .map(|d| from_json("evaluation", &d))
        .transpose()
}

/// The statement of `q` in `org`, yielding the document of each match; `page` adds the list
/// order, the cursor and the limit.
fn select(org: &OrgId, q: &EvaluationQuery, page: Option<(u32, Option<&Cursor>)>) -> Sql {
    let mut sql = Sql::default();
    // A tombstone's coachee is NULL: it never matches.
    sql.push("SELECT doc FROM evaluations WHERE org = ")
        .bind_str(org.as_str())
        .push(" AND coachee_id = ")
        .bind_str(q.coachee.as_str());
    // The millisecond bound walks the index; the nanoseconds settle that millisecond exactly.
    if let Some(from) = q.from {
        let (ms, ns) = instant(from);
        sql.push(" AND evaluated_ms >= ")
            .bind(ms)
            .push(" AND (evaluated_ms > ")
            .bind(ms)
            .push(" OR evaluated_ns >= ")
            .bind(ns)
            .push(")");
    }
    if let Some(to) = q.to {
        let (ms, ns) = instant(to);
        sql.push(" AND evaluated_ms <= ")
            .bind(ms)
            .push(" AND (evaluated_ms < ")
            .bind(ms)
            .push(" OR evaluated_ns < ")
            .bind(ns)
            .push(")");
    }
    if let Some((first, rest)) = q.scorecards.split_first() {
        sql.push(" AND scorecard_id IN (").bind_str(first);
        for s in rest {
            sql.push(", ").bind_str(s);
        }
        sql.push(")");
    }
    if let Some((limit, after)) = page {
        if let Some(after) = after {
            sql.push(" AND (evaluated_ms, id) < (")
                .bind(after.sort_key)
                .push(", ")
                .bind_str(&after.id)
                .push(")");
        }
        sql.push(" ORDER BY evaluated_ms DESC, id DESC LIMIT ")
            .bind(i64::from(limit));
    }
    sql
}

/// Decodes each row's document straight from SQLite's buffer (no intermediate `String`):
/// statistics decode thousands at a time.
fn read(conn: &Connection, sql: &Sql) -> Result<Vec<Evaluation>, StoreError> {
    let mut st = conn.prepare_cached(&sql.text).map_err(unavailable)?;
    let mut rows = st
        .query(params_from_iter(sql.args.iter()))
        .map_err(unavailable)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(unavailable)? {
        let doc = row
            .get_ref(0)
            .and_then(|v| v.as_str().map_err(Into::into))
            .map_err(unavailable)?;
        out.push(from_json("evaluation", doc)?);
    }
    Ok(out)
}

pub(crate) fn evaluations(
    conn: &Connection,
    org: &OrgId,
    q: &EvaluationQuery,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<Evaluation>, StoreError> {
    let items = read(conn, &select(org, q, Some((limit, after))))?;
    let full = limit > 0 && items.len() == limit as usize;
    let next = items.last().filter(|_| full).map(evaluation_cursor);
    Ok(Page { items, next })
}

pub(crate) fn all_evaluations(
    conn: &Connection,
    org: &OrgId,
    q: &EvaluationQuery,
) -> Result<Vec<Evaluation>, StoreError> {
    read(conn, &select(org, q, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};
    use coaching_domain::ids::UserId;
    use rusqlite::types::Value;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::apply(&mut conn).unwrap();
        conn
    }

    fn plan(sql: &Sql) -> String {
        let conn = db();
        let mut st = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", sql.text))
            .unwrap();
        let rows = st
            .query_map(params_from_iter(sql.args.iter()), |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn lists_and_statistics_walk_the_coachee_index_without_sorting() {
        let org = OrgId::parse("o").unwrap();
        let bare = EvaluationQuery {
            coachee: UserId::parse("c").unwrap(),
            from: None,
            to: None,
            scorecards: vec![],
        };
        let now = Utc::now();
        let filtered = EvaluationQuery {
            from: Some(now - Duration::days(30)),
            to: Some(now),
            scorecards: vec!["a".into(), "b".into()],
            ..bare.clone()
        };
        let cursor = Cursor {
            sort_key: 5,
            id: "x".into(),
        };
        for q in [&bare, &filtered] {
            for page in [None, Some((50, None)), Some((50, Some(&cursor)))] {
                let sql = select(&org, q, page);
                assert_eq!(
                    sql.text.matches('?').count(),
                    sql.args.len(),
                    "{}",
                    sql.text
                );
                let plan = plan(&sql);
                assert!(plan.contains("evaluations_by_coachee"), "{plan}");
                assert!(!plan.contains("TEMP B-TREE"), "{plan}");
            }
        }
        let sql = select(&org, &filtered, None);
        assert!(sql.args.contains(&Value::Text("b".into())));
    }
}
