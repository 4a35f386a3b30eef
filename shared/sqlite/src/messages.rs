//! Session threads: one row per message, inserted in the commit's transaction (beside its
//! notification) and listed per session through the (org, session, time, id) index.

use crate::SqliteStore;
use crate::codec::{from_json, to_json};
use crate::errors::unique_or_unavailable;
use crate::sessions::collect_docs;
use async_trait::async_trait;
use coaching_domain::ids::{OrgId, SessionId};
use coaching_domain::message::{Message, message_cursor};
use coaching_domain::ports::{Cursor, Page, StoreError};
use rusqlite::{Connection, Transaction, params};

/// Inserts a new message; one whose (org, id) exists is a `Conflict`.
pub(crate) fn put_message(tx: &Transaction<'_>, m: &Message) -> Result<(), StoreError> {
    let doc = to_json("message", m)?;
    tx.prepare_cached(
        "INSERT INTO messages (org, id, session_id, created_ms, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut st| {
        st.execute(params![
            m.org.as_str(),
            m.id.as_str(),
            m.session_id.as_str(),
            m.created_at.timestamp_millis(),
            doc
        ])
    })
    .map_err(|e| unique_or_unavailable(e, StoreError::Conflict))?;
    Ok(())
}

/// One page of a thread, oldest first; one row more than `limit` is read to tell whether
/// another page follows.
pub(crate) fn messages(
    conn: &Connection,
    org: &OrgId,
    session: &SessionId,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<Message>, StoreError> {
    let (org, session, want) = (org.as_str(), session.as_str(), i64::from(limit) + 1);
    let docs = match after {
        None => collect_docs(
            conn,
            "SELECT doc FROM messages WHERE org = ?1 AND session_id = ?2 \
             ORDER BY created_ms, id LIMIT ?3",
            params![org, session, want],
        )?,
        Some(c) => collect_docs(
            conn,
            "SELECT doc FROM messages WHERE org = ?1 AND session_id = ?2 \
             AND (created_ms, id) > (?3, ?4) ORDER BY created_ms, id LIMIT ?5",
            params![org, session, c.sort_key, c.id, want],
        )?,
    };
    let mut items = docs
        .iter()
        .map(|d| from_json::<Message>("message", d))
        .collect::<Result<Vec<_>, _>>()?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = items.last().filter(|_| more).map(message_cursor);
    Ok(Page { items, next })
}

#[async_trait]
impl coaching_domain::ports::MessageStore for SqliteStore {
    async fn messages(
        &self,
        org: &OrgId,
        session: &SessionId,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<coaching_domain::message::Message>, StoreError> {
        messages(&self.pool.reader(), org, session, limit, after)
    }
}
