//! Calendar feed tokens: one row per (org, user) holding the hash of the current token, found
//! by hash through its unique index. A new token is one upsert: the old hash is gone with it.

use crate::SqliteStore;
use crate::errors::{unavailable, unique_or_unavailable};
use async_trait::async_trait;
use coaching_domain::calendar::CalendarTokenHash;
use coaching_domain::ids::{OrgId, UserId};
use coaching_domain::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

pub(crate) fn put_calendar_token(
    conn: &Connection,
    org: &OrgId,
    user: &UserId,
    hash: &CalendarTokenHash,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO calendar_tokens (org, user_id, hash) VALUES (?1, ?2, ?3) \
         ON CONFLICT (org, user_id) DO UPDATE SET hash = excluded.hash",
    )
    .and_then(|mut st| st.execute(params![org.as_str(), user.as_str(), hash.as_str()]))
    // The hash of another user's token: two random 256-bit tokens never collide.
    .map_err(|e| unique_or_unavailable(e, StoreError::Conflict))?;
    Ok(())
}

pub(crate) fn calendar_user(
    conn: &Connection,
    hash: &CalendarTokenHash,
) -> Result<Option<(OrgId, UserId)>, StoreError> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT org, user_id FROM calendar_tokens WHERE hash = ?1")
        .and_then(|mut st| {
            st.query_row([hash.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(unavailable)?;
    row.map(|(org, user)| {
        let bad =
            |what: &str| StoreError::Unavailable(format!("stored calendar {what} is not valid"));
        Ok((
            OrgId::parse(org).map_err(|_| bad("org"))?,
            UserId::parse(user).map_err(|_| bad("user"))?,
        ))
    })
    .transpose()
}

#[async_trait]
impl coaching_domain::ports::CalendarStore for SqliteStore {
    async fn put_calendar_token(
        &self,
        org: &OrgId,
        user: &UserId,
        hash: &coaching_domain::calendar::CalendarTokenHash,
    ) -> Result<(), StoreError> {
        put_calendar_token(&self.pool.writer(), org, user, hash)
    }

    async fn calendar_user(
        &self,
        hash: &coaching_domain::calendar::CalendarTokenHash,
    ) -> Result<Option<(OrgId, UserId)>, StoreError> {
        calendar_user(&self.pool.reader(), hash)
    }
}
