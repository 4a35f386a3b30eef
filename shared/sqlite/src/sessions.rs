//! Session reads: one by id, lists, a coach's busy time, idempotency records.

use crate::SqliteStore;
use crate::codec::{ceil_secs, from_json};
use crate::commit::IdempotencyDoc;
use crate::errors::unavailable;
use crate::query;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use coaching_domain::analytics::AnalyticsInput;
use coaching_domain::ids::{OrgId, SessionId, UserId};
use coaching_domain::ports::Changes;
use coaching_domain::ports::SessionStore;
use coaching_domain::ports::{
    Cursor, IdempotencyRecord, Page, SessionQuery, StoreError, session_sort_key,
};
use coaching_domain::session::Session;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

pub(crate) fn session(
    conn: &Connection,
    org: &OrgId,
    id: &SessionId,
) -> Result<Option<Session>, StoreError> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM sessions WHERE org = ?1 AND id = ?2")
        .and_then(|mut st| {
            st.query_row(params![org.as_str(), id.as_str()], |r| r.get(0))
                .optional()
        })
        .map_err(unavailable)?;
    doc.map(|d| from_json("session", &d)).transpose()
}

pub(crate) fn sessions(
    conn: &Connection,
    org: &OrgId,
    q: &SessionQuery,
) -> Result<Page<Session>, StoreError> {
    let sql = query::list(org, q);
    let items = decode_sessions(conn, &sql.text, params_from_iter(sql.args.iter()))?;
    let full = q.limit > 0 && items.len() == q.limit as usize;
    let next = items.last().filter(|_| full).map(|s| Cursor {
        sort_key: session_sort_key(s),
        id: s.id.as_str().to_owned(),
    });
    Ok(Page { items, next })
}

pub(crate) fn coach_busy(
    conn: &Connection,
    org: &OrgId,
    coach: &UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Session>, StoreError> {
    let sql = "SELECT doc FROM sessions WHERE org = ?1 AND coach_id = ?2 AND starts_at >= ?3 AND starts_at < ?4 \
               AND status IN ('scheduled', 'completed', 'no_show') ORDER BY starts_at, id";
    let docs = collect_docs(
        conn,
        sql,
        params![org.as_str(), coach.as_str(), ceil_secs(from), ceil_secs(to)],
    )?;
    docs.iter().map(|d| from_json("session", d)).collect()
}

pub(crate) fn idempotency_record(
    conn: &Connection,
    org: &OrgId,
    user: &UserId,
    key: &str,
) -> Result<Option<IdempotencyRecord>, StoreError> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM idempotency WHERE org = ?1 AND user_id = ?2 AND key = ?3")
        .and_then(|mut st| {
            st.query_row(params![org.as_str(), user.as_str(), key], |r| r.get(0))
                .optional()
        })
        .map_err(unavailable)?;
    let Some(doc) = doc else { return Ok(None) };
    let doc: IdempotencyDoc = from_json("idempotency record", &doc)?;
    Ok(Some(IdempotencyRecord {
        org: org.clone(),
        user: user.clone(),
        key: key.to_owned(),
        request: doc.request,
        session: doc.session,
        created_at: doc.created_at,
    }))
}

/// The sessions whose documents are the first column of a cached statement's rows, decoded in
/// place: a feed or a page of 500 would otherwise copy every document into a `String` first.
fn decode_sessions(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Session>, StoreError> {
    let mut st = conn.prepare_cached(sql).map_err(unavailable)?;
    let mut rows = st.query(args).map_err(unavailable)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(unavailable)? {
        let doc = row
            .get_ref(0)
            .and_then(|v| v.as_str().map_err(Into::into))
            .map_err(unavailable)?;
        out.push(from_json("session", doc)?);
    }
    Ok(out)
}

/// The first column of every row of a cached statement.
pub(crate) fn collect_docs(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<String>, StoreError> {
    let mut st = conn.prepare_cached(sql).map_err(unavailable)?;
    let rows = st
        .query_map(args, |r| r.get::<_, String>(0))
        .map_err(unavailable)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(unavailable)
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn commit(&self, changes: Changes) -> Result<(), StoreError> {
        changes.check_sizes()?;
        crate::commit::commit(&mut self.pool.writer(), &changes)
    }

    async fn session(&self, org: &OrgId, id: &SessionId) -> Result<Option<Session>, StoreError> {
        session(&self.pool.reader(), org, id)
    }

    async fn sessions(
        &self,
        org: &OrgId,
        query: &SessionQuery,
    ) -> Result<Page<Session>, StoreError> {
        sessions(&self.pool.reader(), org, query)
    }

    async fn coach_busy(
        &self,
        org: &OrgId,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError> {
        coach_busy(&self.pool.reader(), org, coach, from, to)
    }

    async fn idempotency_record(
        &self,
        org: &OrgId,
        user: &UserId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        idempotency_record(&self.pool.reader(), org, user, key)
    }

    async fn analytics_input(
        &self,
        org: &OrgId,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<AnalyticsInput, StoreError> {
        crate::analytics::analytics_input(&self.pool.reader(), org, coach, from, to)
    }
}
