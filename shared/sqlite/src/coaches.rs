//! Coach settings: one JSON document per (org, coach), replaced whole.

use crate::SqliteStore;
use crate::codec::{from_json, to_json};
use crate::errors::unavailable;
use async_trait::async_trait;
use coaching_domain::coach::CoachSettings;
use coaching_domain::ids::{OrgId, UserId};
use coaching_domain::ports::CoachStore;
use coaching_domain::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

pub(crate) fn coach_settings(
    conn: &Connection,
    org: &OrgId,
    coach: &UserId,
) -> Result<Option<CoachSettings>, StoreError> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM coach_settings WHERE org = ?1 AND coach_id = ?2")
        .and_then(|mut st| {
            st.query_row(params![org.as_str(), coach.as_str()], |r| r.get(0))
                .optional()
        })
        .map_err(unavailable)?;
    doc.map(|d| from_json("coach settings", &d)).transpose()
}

pub(crate) fn put_coach_settings(
    conn: &Connection,
    org: &OrgId,
    settings: &CoachSettings,
) -> Result<(), StoreError> {
    let doc = to_json("coach settings", settings)?;
    conn.prepare_cached(
        "INSERT INTO coach_settings (org, coach_id, doc) VALUES (?1, ?2, ?3) \
         ON CONFLICT (org, coach_id) DO UPDATE SET doc = excluded.doc",
    )
    .and_then(|mut st| st.execute(params![org.as_str(), settings.coach_id.as_str(), doc]))
    .map_err(unavailable)?;
    Ok(())
}

#[async_trait]
impl CoachStore for SqliteStore {
    async fn coach_settings(
        &self,
        org: &OrgId,
        coach: &UserId,
    ) -> Result<Option<CoachSettings>, StoreError> {
        coach_settings(&self.pool.reader(), org, coach)
    }

    async fn put_coach_settings(
        &self,
        org: &OrgId,
        settings: &CoachSettings,
    ) -> Result<(), StoreError> {
        put_coach_settings(&self.pool.writer(), org, settings)
    }
}
