//! Reschedule requests by id and by participant, and the due-by-time reads of the jobs: each
//! one indexed query (`requests_by_*`, `requests_due`, `reminders_due`).

use crate::SqliteStore;
use crate::codec::from_json;
use crate::errors::unavailable;
use crate::sessions::collect_docs;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use coaching_domain::ids::{OrgId, RescheduleRequestId, UserId};
use coaching_domain::ports::DueStore;
use coaching_domain::ports::RescheduleStore;
use coaching_domain::ports::StoreError;
use coaching_domain::reminder::Reminder;
use coaching_domain::reschedule::{RequestStatus, RescheduleRequest};
use rusqlite::{Connection, OptionalExtension, params};

pub(crate) fn request(
    conn: &Connection,
    org: &OrgId,
    id: &RescheduleRequestId,
) -> Result<Option<RescheduleRequest>, StoreError> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM reschedule_requests WHERE org = ?1 AND id = ?2")
        .and_then(|mut st| {
            st.query_row(params![org.as_str(), id.as_str()], |r| r.get(0))
                .optional()
        })
        .map_err(unavailable)?;
    doc.map(|d| from_json("reschedule request", &d)).transpose()
}

pub(crate) fn requests(
    conn: &Connection,
    org: &OrgId,
    user: &UserId,
    status: Option<RequestStatus>,
    limit: u32,
    before: Option<&RescheduleRequestId>,
) -> Result<Vec<RescheduleRequest>, StoreError> {
    // Ids are ULIDs: their order is their creation order. `~` sorts after every id character.
    let before = before.map_or("~", |b| b.as_str());
    let status = status.map(|s| s.as_str());
    let docs = collect_docs(
        conn,
        "SELECT doc FROM reschedule_requests \
         WHERE org = ?1 AND (coach_id = ?2 OR client_id = ?2) AND id < ?3 \
           AND (?4 IS NULL OR status = ?4) \
         ORDER BY id DESC LIMIT ?5",
        params![
            org.as_str(),
            user.as_str(),
            before,
            status,
            i64::from(limit)
        ],
    )?;
    docs.iter()
        .map(|d| from_json("reschedule request", d))
        .collect()
}

pub(crate) fn due_requests(
    conn: &Connection,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<RescheduleRequest>, StoreError> {
    let docs = collect_docs(
        conn,
        "SELECT doc FROM reschedule_requests WHERE status = 'pending' AND expires_ms <= ?1 \
         ORDER BY expires_ms, org, id LIMIT ?2",
        params![now.timestamp_millis(), i64::from(limit)],
    )?;
    docs.iter()
        .map(|d| from_json("reschedule request", d))
        .collect()
}

pub(crate) fn due_reminders(
    conn: &Connection,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Reminder>, StoreError> {
    let docs = collect_docs(
        conn,
        "SELECT doc FROM reminders WHERE due_ms <= ?1 \
         ORDER BY due_ms, org, session_id, kind LIMIT ?2",
        params![now.timestamp_millis(), i64::from(limit)],
    )?;
    docs.iter().map(|d| from_json("reminder", d)).collect()
}

#[async_trait]
impl RescheduleStore for SqliteStore {
    async fn reschedule_request(
        &self,
        org: &OrgId,
        id: &RescheduleRequestId,
    ) -> Result<Option<RescheduleRequest>, StoreError> {
        request(&self.pool.reader(), org, id)
    }

    async fn reschedule_requests(
        &self,
        org: &OrgId,
        user: &UserId,
        status: Option<RequestStatus>,
        limit: u32,
        before: Option<&RescheduleRequestId>,
    ) -> Result<Vec<RescheduleRequest>, StoreError> {
        requests(&self.pool.reader(), org, user, status, limit, before)
    }
}

#[async_trait]
impl DueStore for SqliteStore {
    async fn due_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Reminder>, StoreError> {
        due_reminders(&self.pool.reader(), now, limit)
    }

    async fn due_requests(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RescheduleRequest>, StoreError> {
        due_requests(&self.pool.reader(), now, limit)
    }
}
