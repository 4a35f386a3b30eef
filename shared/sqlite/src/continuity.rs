//! Agenda templates by (org, id), and the action-item index: one row per action item of a
//! stored session, derived from the session document inside the session's transaction.

use crate::SqliteStore;
use crate::codec::{from_json, to_json};
use crate::errors::{unavailable, unique_or_unavailable};
use crate::sessions::collect_docs;
use async_trait::async_trait;
use coaching_domain::ids::{ActionItemId, AgendaTemplateId, OrgId, SessionId, UserId};
use coaching_domain::org::AgendaTemplate;
use coaching_domain::ports::{ActionItemQuery, Cursor, Page, StoreError, action_item_cursor};
use coaching_domain::session::{ActionItem, Session, SessionStatus};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};

pub(crate) fn put_agenda_template(conn: &Connection, t: &AgendaTemplate) -> Result<(), StoreError> {
    let doc = to_json("agenda template", t)?;
    conn.prepare_cached(
        "INSERT INTO agenda_templates (org, id, owner_id, doc) VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut st| {
        st.execute(params![
            t.org.as_str(),
            t.id.as_str(),
            t.owner_id.as_str(),
            doc
        ])
    })
    .map_err(|e| unique_or_unavailable(e, StoreError::Conflict))?;
    Ok(())
}

pub(crate) fn agenda_template(
    conn: &Connection,
    org: &OrgId,
    id: &AgendaTemplateId,
) -> Result<Option<AgendaTemplate>, StoreError> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM agenda_templates WHERE org = ?1 AND id = ?2")
        .and_then(|mut st| {
            st.query_row(params![org.as_str(), id.as_str()], |r| r.get(0))
                .optional()
        })
        .map_err(unavailable)?;
    doc.map(|d| from_json("agenda template", &d)).transpose()
}

pub(crate) fn agenda_templates(
    conn: &Connection,
    org: &OrgId,
    owner: Option<&UserId>,
    limit: u32,
    after: Option<&AgendaTemplateId>,
) -> Result<Vec<AgendaTemplate>, StoreError> {
    let mut sql = "SELECT doc FROM agenda_templates WHERE org = ?1".to_owned();
    let mut args: Vec<Value> = vec![org.as_str().to_owned().into()];
    if let Some(owner) = owner {
        args.push(owner.as_str().to_owned().into());
        sql.push_str(&format!(" AND owner_id = ?{}", args.len()));
    }
    if let Some(after) = after {
        args.push(after.as_str().to_owned().into());
        sql.push_str(&format!(" AND id > ?{}", args.len()));
    }
    args.push(i64::from(limit).into());
    sql.push_str(&format!(" ORDER BY id LIMIT ?{}", args.len()));
    let docs = collect_docs(conn, &sql, params_from_iter(args.iter()))?;
    docs.iter()
        .map(|d| from_json("agenda template", d))
        .collect()
}

/// Makes the index hold exactly `s`'s items for `s`: rows of items it no longer has (and that
/// no other session took meanwhile: the condition is on the row's session) go, every item is
/// upserted. Either order of two puts that move an item ends with the item on its new session.
pub(crate) fn index_action_items(tx: &Transaction<'_>, s: &Session) -> Result<(), StoreError> {
    let ids: Vec<&str> = s.action_items.iter().map(|a| a.id.as_str()).collect();
    let ids = to_json("action item ids", &ids)?;
    tx.prepare_cached(
        "DELETE FROM action_items WHERE org = ?1 AND session_id = ?2 \
         AND id NOT IN (SELECT value FROM json_each(?3))",
    )
    .and_then(|mut st| st.execute(params![s.org.as_str(), s.id.as_str(), ids]))
    .map_err(unavailable)?;
    let listed = s.status != SessionStatus::Draft;
    for a in &s.action_items {
        let doc = to_json("action item", a)?;
        tx.prepare_cached(
            "INSERT INTO action_items (org, id, session_id, coach_id, assignee_id, done, listed, due_date, doc) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
             ON CONFLICT (org, id) DO UPDATE SET session_id = excluded.session_id, \
             coach_id = excluded.coach_id, assignee_id = excluded.assignee_id, done = excluded.done, \
             listed = excluded.listed, due_date = excluded.due_date, doc = excluded.doc",
        )
        .and_then(|mut st| {
            st.execute(params![
                s.org.as_str(),
                a.id.as_str(),
                s.id.as_str(),
                s.coach_id.as_str(),
                a.assignee_id.as_str(),
                a.done,
                listed,
                a.due_date.map(|d| d.to_string()),
                doc
            ])
        })
        .map_err(unavailable)?;
    }
    Ok(())
}

pub(crate) fn action_item_session(
    conn: &Connection,
    org: &OrgId,
    id: &ActionItemId,
) -> Result<Option<SessionId>, StoreError> {
    let sid: Option<String> = conn
        .prepare_cached("SELECT session_id FROM action_items WHERE org = ?1 AND id = ?2")
        .and_then(|mut st| {
            st.query_row(params![org.as_str(), id.as_str()], |r| r.get(0))
                .optional()
        })
        .map_err(unavailable)?;
    sid.map(|s| {
        SessionId::parse(s).map_err(|e| StoreError::Unavailable(format!("stored session id: {e}")))
    })
    .transpose()
}

pub(crate) fn action_items(
    conn: &Connection,
    org: &OrgId,
    q: &ActionItemQuery,
) -> Result<Page<ActionItem>, StoreError> {
    let mut sql = "SELECT doc FROM action_items WHERE org = ?1 AND assignee_id = ?2 AND listed = 1"
        .to_owned();
    let mut args: Vec<Value> = vec![
        org.as_str().to_owned().into(),
        q.assignee.as_str().to_owned().into(),
    ];
    if q.open_only {
        sql.push_str(" AND done = 0");
    }
    if let Some(coach) = &q.coach {
        args.push(coach.as_str().to_owned().into());
        sql.push_str(&format!(" AND coach_id = ?{}", args.len()));
    }
    if let Some(Cursor { sort_key, id }) = &q.after {
        args.push((*sort_key).into());
        let k = args.len();
        args.push(id.clone().into());
        sql.push_str(&format!(
            " AND (done > ?{k} OR (done = ?{k} AND id > ?{}))",
            args.len()
        ));
    }
    args.push(i64::from(q.limit).into());
    sql.push_str(&format!(" ORDER BY done, id LIMIT ?{}", args.len()));
    let docs = collect_docs(conn, &sql, params_from_iter(args.iter()))?;
    let items = docs
        .iter()
        .map(|d| from_json::<ActionItem>("action item", d))
        .collect::<Result<Vec<_>, _>>()?;
    let next = (items.len() == q.limit as usize)
        .then(|| items.last().map(action_item_cursor))
        .flatten();
    Ok(Page { items, next })
}

#[async_trait]
impl coaching_domain::ports::ContinuityStore for SqliteStore {
    async fn put_agenda_template(
        &self,
        template: &coaching_domain::org::AgendaTemplate,
    ) -> Result<(), StoreError> {
        put_agenda_template(&self.pool.writer(), template)
    }

    async fn agenda_template(
        &self,
        org: &OrgId,
        id: &coaching_domain::ids::AgendaTemplateId,
    ) -> Result<Option<coaching_domain::org::AgendaTemplate>, StoreError> {
        agenda_template(&self.pool.reader(), org, id)
    }

    async fn agenda_templates(
        &self,
        org: &OrgId,
        owner: Option<&UserId>,
        limit: u32,
        after: Option<&coaching_domain::ids::AgendaTemplateId>,
    ) -> Result<Vec<coaching_domain::org::AgendaTemplate>, StoreError> {
        agenda_templates(&self.pool.reader(), org, owner, limit, after)
    }

    async fn action_item_session(
        &self,
        org: &OrgId,
        id: &coaching_domain::ids::ActionItemId,
    ) -> Result<Option<SessionId>, StoreError> {
        action_item_session(&self.pool.reader(), org, id)
    }

    async fn action_items(
        &self,
        org: &OrgId,
        query: &coaching_domain::ports::ActionItemQuery,
    ) -> Result<Page<coaching_domain::session::ActionItem>, StoreError> {
        action_items(&self.pool.reader(), org, query)
    }
}
