//! Checks of the records that index or answer with sessions: the action-item index,
//! reschedule requests and idempotency records.

use super::{CheckReport, Invariant, Sessions, key, rows};
use coaching_domain::ports::StoreError;
use coaching_domain::reschedule::{RequestStatus, RescheduleRequest};
use coaching_domain::session::SessionStatus;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

/// The action-item index holds exactly the items of the stored session documents.
pub(super) fn action_items(
    conn: &Connection,
    sessions: &Sessions,
    report: &mut CheckReport,
) -> Result<(), StoreError> {
    let found: Vec<[String; 6]> = rows(
        conn,
        "SELECT org, id, session_id, coach_id, assignee_id, listed FROM action_items",
    )?;
    report.counts.action_items = found.len();
    let mut indexed = HashSet::new();
    for [org, id, session, coach, assignee, listed] in found {
        let subject = format!("action item {id}");
        let detail = match sessions.get(&key(&org, &session)) {
            None => format!("its session {session} does not exist"),
            Some(s) => match s.action_items.iter().find(|a| a.id.as_str() == id) {
                None => format!("its session {session} does not have it"),
                Some(a) if a.assignee_id.as_str() != assignee || s.coach_id.as_str() != coach => {
                    "the index row's coach or assignee disagrees with the session".to_owned()
                }
                Some(_) if (s.status != SessionStatus::Draft) != (listed == "1") => {
                    format!("listed = {listed} for a {} session", s.status.as_str())
                }
                Some(_) => {
                    indexed.insert((org, id, session));
                    continue;
                }
            },
        };
        report.problem(Invariant::ActionItem, &org, subject, detail);
    }
    for ((org, sid), s) in sessions {
        for a in &s.action_items {
            if !indexed.contains(&(org.clone(), a.id.as_str().to_owned(), sid.clone())) {
                report.problem(
                    Invariant::ActionItem,
                    org,
                    format!("action item {}", a.id),
                    format!("session {sid} has it, the index does not point there"),
                );
            }
        }
    }
    Ok(())
}

/// A session waiting for a request points at a pending request of its own; every request's
/// session exists.
pub(super) fn requests(
    conn: &Connection,
    sessions: &Sessions,
    report: &mut CheckReport,
) -> Result<(), StoreError> {
    let found: Vec<[String; 5]> = rows(
        conn,
        "SELECT org, id, session_id, status, doc FROM reschedule_requests",
    )?;
    report.counts.reschedule_requests = found.len();
    let mut by_id: HashMap<(String, String), RescheduleRequest> = HashMap::new();
    for [org, id, session, status, doc] in found {
        let subject = format!("reschedule request {id}");
        match serde_json::from_str::<RescheduleRequest>(&doc) {
            Ok(r) if r.status.as_str() != status || r.session_id.as_str() != session => {
                report.problem(
                    Invariant::Document,
                    &org,
                    subject,
                    "columns disagree with the document",
                );
            }
            Ok(r) => {
                if !sessions.contains_key(&key(&org, &session)) {
                    report.problem(
                        Invariant::RescheduleRequest,
                        &org,
                        subject,
                        format!("its session {session} does not exist"),
                    );
                }
                by_id.insert((org, id), r);
            }
            Err(e) => report.problem(
                Invariant::Document,
                &org,
                subject,
                format!("does not decode: {e}"),
            ),
        }
    }
    for ((org, sid), s) in sessions {
        let Some(pending) = &s.pending_reschedule_request else {
            continue;
        };
        let detail = match by_id.get(&key(org, pending.as_str())) {
            None => "does not exist".to_owned(),
            Some(r) if r.session_id.as_str() != sid => {
                format!("belongs to session {}", r.session_id)
            }
            Some(r) if r.status != RequestStatus::Pending => format!("is {}", r.status.as_str()),
            Some(_) => continue,
        };
        report.problem(
            Invariant::RescheduleRequest,
            org,
            format!("session {sid}"),
            format!("its pending request {pending} {detail}"),
        );
    }
    Ok(())
}

/// An idempotency record is written with the session it answers with.
pub(super) fn idempotency(
    conn: &Connection,
    sessions: &Sessions,
    report: &mut CheckReport,
) -> Result<(), StoreError> {
    let found: Vec<[String; 3]> = rows(conn, "SELECT org, key, doc FROM idempotency")?;
    report.counts.idempotency = found.len();
    for [org, k, doc] in found {
        let session = serde_json::from_str::<serde_json::Value>(&doc)
            .ok()
            .and_then(|d| d["session"]["id"].as_str().map(str::to_owned));
        let detail = match session {
            None => "its document names no session".to_owned(),
            Some(id) if !sessions.contains_key(&key(&org, &id)) => {
                format!("its session {id} does not exist")
            }
            Some(_) => continue,
        };
        report.problem(
            Invariant::Idempotency,
            &org,
            format!("idempotency key {k}"),
            detail,
        );
    }
    Ok(())
}
