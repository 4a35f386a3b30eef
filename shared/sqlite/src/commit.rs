//! The unit of work: one IMMEDIATE transaction applying a whole `Changes` set, or nothing.

use crate::codec::{ceil_millis, to_json, version};
use crate::errors::{unavailable, unique_or_unavailable};
use crate::generations::put_generation;
use chrono::{DateTime, Utc};
use coaching_domain::notification::Notification;
use coaching_domain::ports::{
    Changes, IdempotencyRecord, RequestPut, SessionPut, StoreError, session_sort_key,
};
use coaching_domain::reminder::ReminderWrite;
use coaching_domain::session::Session;
use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

/// The idempotency record's non-key part, as stored in its `doc` column.
#[derive(Serialize, Deserialize)]
pub(crate) struct IdempotencyDoc {
    pub(crate) request: String,
    pub(crate) session: Session,
    pub(crate) created_at: DateTime<Utc>,
}

/// Applies `changes` in the order releases, session puts, lock acquisitions, idempotency record,
/// notifications (with their outbox events), requests, reminders, generation records,
/// messages, org events (into the outbox), webhook deliveries and endpoint updates. Any error
/// rolls everything back (the transaction is dropped uncommitted).
pub(crate) fn commit(conn: &mut Connection, changes: &Changes) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let org = changes.org()?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(unavailable)?;
    for (key, session) in &changes.release_locks {
        let org = Changes::lock_org(org)?.as_str();
        tx.prepare_cached("DELETE FROM locks WHERE org = ?1 AND key = ?2 AND session_id = ?3")
            .and_then(|mut st| st.execute(params![org, key.storage_key(), session.as_str()]))
            .map_err(unavailable)?;
    }
    for put in &changes.sessions {
        put_session(&tx, put)?;
        crate::continuity::index_action_items(&tx, &put.session)?;
    }
    for (key, session) in &changes.acquire_locks {
        let org = Changes::lock_org(org)?.as_str();
        tx.prepare_cached("INSERT INTO locks (org, key, session_id) VALUES (?1, ?2, ?3)")
            .and_then(|mut st| st.execute(params![org, key.storage_key(), session.as_str()]))
            .map_err(|e| unique_or_unavailable(e, StoreError::LockTaken(key.clone())))?;
    }
    if let Some(record) = &changes.idempotency {
        put_idempotency(&tx, record)?;
    }
    for n in &changes.notifications {
        put_notification(&tx, n)?;
    }
    for put in &changes.requests {
        put_request(&tx, put)?;
    }
    for write in &changes.reminders {
        write_reminder(&tx, write)?;
    }
    for put in &changes.generations {
        put_generation(&tx, put)?;
    }
    for m in &changes.messages {
        crate::messages::put_message(&tx, m)?;
    }
    for event in &changes.events {
        crate::outbound::put_event(&tx, event)?;
    }
    for put in &changes.deliveries {
        crate::outbound::put_delivery(&tx, put)?;
    }
    for put in &changes.endpoints {
        crate::outbound::put_endpoint(&tx, put)?;
    }
    tx.commit().map_err(unavailable)
}

fn put_request(tx: &Transaction<'_>, put: &RequestPut) -> Result<(), StoreError> {
    let r = &put.request;
    let doc = to_json("reschedule request", r)?;
    let (org, id, status) = (r.org.as_str(), r.id.as_str(), r.status.as_str());
    let expires = ceil_millis(r.expires_at);
    match put.expected_status {
        None => {
            let sql = "INSERT INTO reschedule_requests (org, id, session_id, coach_id, client_id, status, expires_ms, doc) \
                       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
            let args = params![
                org,
                id,
                r.session_id.as_str(),
                r.coach_id.as_str(),
                r.client_id.as_str(),
                status,
                expires,
                doc
            ];
            tx.prepare_cached(sql)
                .and_then(|mut st| st.execute(args))
                .map_err(|e| unique_or_unavailable(e, StoreError::Conflict))?;
        }
        Some(expected) => {
            let sql = "UPDATE reschedule_requests SET status = ?3, expires_ms = ?4, doc = ?5 \
                       WHERE org = ?1 AND id = ?2 AND status = ?6";
            let args = params![org, id, status, expires, doc, expected.as_str()];
            let updated = tx
                .prepare_cached(sql)
                .and_then(|mut st| st.execute(args))
                .map_err(unavailable)?;
            if updated == 0 {
                return Err(StoreError::Conflict);
            }
        }
    }
    Ok(())
}

fn write_reminder(tx: &Transaction<'_>, write: &ReminderWrite) -> Result<(), StoreError> {
    let org = write.org().as_str();
    let (session, kind) = write.target();
    let (session, kind) = (session.as_str(), kind.as_str());
    match write {
        ReminderWrite::Put(r) => {
            let doc = to_json("reminder", r)?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO reminders (org, session_id, kind, due_ms, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut st| st.execute(params![org, session, kind, ceil_millis(r.due_at), doc]))
            .map_err(unavailable)?;
        }
        ReminderWrite::Delete { .. } => {
            tx.prepare_cached(
                "DELETE FROM reminders WHERE org = ?1 AND session_id = ?2 AND kind = ?3",
            )
            .and_then(|mut st| st.execute(params![org, session, kind]))
            .map_err(unavailable)?;
        }
        ReminderWrite::Take(r) => {
            let doc = to_json("reminder", r)?;
            let taken = tx
                .prepare_cached(
                    "DELETE FROM reminders WHERE org = ?1 AND session_id = ?2 AND kind = ?3 AND doc = ?4",
                )
                .and_then(|mut st| st.execute(params![org, session, kind, doc]))
                .map_err(unavailable)?;
            if taken == 0 {
                return Err(StoreError::Conflict);
            }
        }
    }
    Ok(())
}

fn put_session(tx: &Transaction<'_>, put: &SessionPut) -> Result<(), StoreError> {
    let s = &put.session;
    let doc = to_json("session", s)?;
    let starts_at = s.starts_at.map(|t| t.timestamp());
    let columns = params![
        s.org.as_str(),
        s.id.as_str(),
        s.coach_id.as_str(),
        s.client_id.as_str(),
        s.status.as_str(),
        s.kind.as_str(),
        session_sort_key(s),
        starts_at,
        version(s.version)?,
        doc,
    ];
    match put.expected_version {
        None => {
            let sql = "INSERT INTO sessions (org, id, coach_id, client_id, status, kind, sort_key, starts_at, version, doc) \
                       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
            tx.prepare_cached(sql)
                .and_then(|mut st| st.execute(columns))
                .map_err(|e| unique_or_unavailable(e, StoreError::Conflict))?;
        }
        Some(expected) => {
            let sql = "UPDATE sessions SET coach_id = ?3, client_id = ?4, status = ?5, kind = ?6, sort_key = ?7, \
                       starts_at = ?8, version = ?9, doc = ?10 WHERE org = ?1 AND id = ?2 AND version = ?11";
            let expected = version(expected)?;
            let mut args = columns.to_vec();
            args.push(&expected);
            let updated = tx
                .prepare_cached(sql)
                .and_then(|mut st| st.execute(args.as_slice()))
                .map_err(unavailable)?;
            if updated == 0 {
                return Err(StoreError::Conflict);
            }
        }
    }
    Ok(())
}

fn put_idempotency(tx: &Transaction<'_>, r: &IdempotencyRecord) -> Result<(), StoreError> {
    let doc = IdempotencyDoc {
        request: r.request.clone(),
        session: r.session.clone(),
        created_at: r.created_at,
    };
    let doc = to_json("idempotency record", &doc)?;
    tx.prepare_cached("INSERT INTO idempotency (org, user_id, key, doc) VALUES (?1, ?2, ?3, ?4)")
        .and_then(|mut st| st.execute(params![r.org.as_str(), r.user.as_str(), r.key, doc]))
        .map_err(|e| unique_or_unavailable(e, StoreError::IdempotencyKeyExists))?;
    Ok(())
}

fn put_notification(tx: &Transaction<'_>, n: &Notification) -> Result<(), StoreError> {
    let doc = to_json("notification", n)?;
    let at = n.created_at.timestamp_millis();
    tx.prepare_cached("INSERT INTO notifications (org, id, recipient, created_at, doc) VALUES (?1, ?2, ?3, ?4, ?5)")
        .and_then(|mut st| st.execute(params![n.org.as_str(), n.id.as_str(), n.recipient.as_str(), at, doc]))
        .map_err(unavailable)?;
    tx.prepare_cached(
        "INSERT INTO outbox (id, org, type, payload, created_at, published_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
    )
    .and_then(|mut st| st.execute(params![n.id.as_str(), n.org.as_str(), n.kind.as_str(), doc, at]))
    .map_err(unavailable)?;
    Ok(())
}
