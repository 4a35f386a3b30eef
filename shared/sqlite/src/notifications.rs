//! The inbox, newest first, paged by the id of the last notification seen.

use crate::SqliteStore;
use crate::codec::from_json;
use crate::errors::unavailable;
use crate::sessions::collect_docs;
use async_trait::async_trait;
use coaching_domain::ids::{NotificationId, OrgId, UserId};
use coaching_domain::notification::Notification;
use coaching_domain::ports::NotificationStore;
use coaching_domain::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

pub(crate) fn notifications(
    conn: &Connection,
    org: &OrgId,
    recipient: &UserId,
    limit: u32,
    before: Option<&NotificationId>,
) -> Result<Vec<Notification>, StoreError> {
    let (org, recipient, limit) = (org.as_str(), recipient.as_str(), i64::from(limit));
    let docs = match before {
        None => collect_docs(
            conn,
            "SELECT doc FROM notifications WHERE org = ?1 AND recipient = ?2 \
             ORDER BY created_at DESC, id DESC LIMIT ?3",
            params![org, recipient, limit],
        )?,
        Some(before) => {
            let at: Option<i64> = conn
                .prepare_cached("SELECT created_at FROM notifications WHERE org = ?1 AND id = ?2")
                .and_then(|mut st| {
                    st.query_row(params![org, before.as_str()], |r| r.get(0))
                        .optional()
                })
                .map_err(unavailable)?;
            match at {
                Some(at) => collect_docs(
                    conn,
                    "SELECT doc FROM notifications WHERE org = ?1 AND recipient = ?2 AND (created_at, id) < (?3, ?4) \
                     ORDER BY created_at DESC, id DESC LIMIT ?5",
                    params![org, recipient, at, before.as_str(), limit],
                )?,
                // An unknown id (another org's, or never stored): ids are ULIDs, so their order
                // is their time order.
                None => collect_docs(
                    conn,
                    "SELECT doc FROM notifications WHERE org = ?1 AND recipient = ?2 AND id < ?3 \
                     ORDER BY created_at DESC, id DESC LIMIT ?4",
                    params![org, recipient, before.as_str(), limit],
                )?,
            }
        }
    };
    docs.iter().map(|d| from_json("notification", d)).collect()
}

#[async_trait]
impl NotificationStore for SqliteStore {
    async fn notifications(
        &self,
        org: &OrgId,
        recipient: &UserId,
        limit: u32,
        before: Option<&NotificationId>,
    ) -> Result<Vec<Notification>, StoreError> {
        notifications(&self.pool.reader(), org, recipient, limit, before)
    }
}
