//! Session checks: each document against its indexed columns, its links, and its locks (both
//! ways: every lock row is one its session needs, every needed lock is held by it).

use super::{CheckReport, Invariant, Sessions, each_row};
use coaching_domain::ports::{StoreError, session_sort_key};
use coaching_domain::session::{Session, SessionKind, SessionStatus};
use coaching_domain::slots::{LockKey, slot_locks};
use rusqlite::Connection;
use std::collections::HashMap;

/// Reads every session; a document that does not decode or disagrees with its columns is a
/// problem (and an undecodable one is left out of the map).
pub(super) fn load(conn: &Connection, report: &mut CheckReport) -> Result<Sessions, StoreError> {
    let mut sessions = Sessions::new();
    let mut found = Vec::new();
    report.counts.sessions = each_row(
        conn,
        "SELECT org, id, coach_id, client_id, status, kind, sort_key, starts_at, version, doc FROM sessions",
        |c: [Option<String>; 10]| found.push(c),
    )?;
    for [
        org,
        id,
        coach,
        client,
        status,
        kind,
        sort_key,
        starts_at,
        version,
        doc,
    ] in found
    {
        let (org, id) = (org.unwrap_or_default(), id.unwrap_or_default());
        let subject = format!("session {id}");
        let Some(s) = report.decoded::<Session>(&org, &subject, doc.as_deref().unwrap_or(""))
        else {
            continue;
        };
        let expected = [
            ("org", Some(s.org.as_str().to_owned()), Some(org.clone())),
            ("id", Some(s.id.as_str().to_owned()), Some(id.clone())),
            ("coach_id", Some(s.coach_id.as_str().to_owned()), coach),
            ("client_id", Some(s.client_id.as_str().to_owned()), client),
            ("status", Some(s.status.as_str().to_owned()), status),
            ("kind", Some(s.kind.as_str().to_owned()), kind),
            ("sort_key", Some(session_sort_key(&s).to_string()), sort_key),
            (
                "starts_at",
                s.starts_at.map(|t| t.timestamp().to_string()),
                starts_at,
            ),
            ("version", Some(s.version.to_string()), version),
        ];
        for (column, from_doc, stored) in expected {
            if from_doc != stored {
                report.problem(
                    Invariant::Document,
                    &org,
                    subject.clone(),
                    format!("column {column} is {stored:?}, the document says {from_doc:?}"),
                );
            }
        }
        sessions.insert((org, id), s);
    }
    Ok(sessions)
}

/// Previous and next sessions of a series are written in the commit that links them.
pub(super) fn links(sessions: &Sessions, report: &mut CheckReport) {
    for ((org, id), s) in sessions {
        for (what, link) in [
            ("previous", &s.previous_session_id),
            ("next", &s.next_session_id),
        ] {
            if let Some(other) = link
                && !sessions.contains_key(&(org.clone(), other.as_str().to_owned()))
            {
                report.problem(
                    Invariant::SessionLink,
                    org,
                    format!("session {id}"),
                    format!("its {what} session {other} does not exist"),
                );
            }
        }
    }
}

/// The locks `s` holds while stored as it is: the intro pair until it is cancelled, and while
/// it occupies time every 15-minute block of its time plus its buffer (`slot_locks`).
pub(crate) fn needed_locks(s: &Session) -> Vec<String> {
    let mut keys = Vec::new();
    if s.status == SessionStatus::Cancelled {
        return keys;
    }
    if s.kind == SessionKind::Intro {
        let pair = LockKey::IntroPair {
            coach: s.coach_id.clone(),
            client: s.client_id.clone(),
        };
        keys.push(pair.storage_key());
    }
    if let Some(start) = s.starts_at
        && s.status.occupies_time()
    {
        keys.extend(
            slot_locks(&s.coach_id, start, s.duration_minutes, s.buffer_minutes)
                .iter()
                .map(LockKey::storage_key),
        );
    }
    keys
}

pub(super) fn locks(
    conn: &Connection,
    sessions: &Sessions,
    report: &mut CheckReport,
) -> Result<(), StoreError> {
    // (org, key) -> holder, taken out as sessions claim them: what is left is orphaned.
    let mut held: HashMap<(String, String), String> = HashMap::new();
    report.counts.locks = each_row(
        conn,
        "SELECT org, key, session_id FROM locks",
        |[org, key, session]: [Option<String>; 3]| {
            held.insert(
                (org.unwrap_or_default(), key.unwrap_or_default()),
                session.unwrap_or_default(),
            );
        },
    )?;
    let mut ids: Vec<&(String, String)> = sessions.keys().collect();
    ids.sort();
    for (org, id) in ids {
        let s = &sessions[&(org.clone(), id.clone())];
        for key in needed_locks(s) {
            match held.get(&(org.clone(), key.clone())) {
                Some(holder) if holder == id => {
                    held.remove(&(org.clone(), key));
                }
                Some(holder) => report.problem(
                    Invariant::MissingLock,
                    org,
                    format!("session {id}"),
                    format!("needs lock {key}, which session {holder} holds"),
                ),
                None => report.problem(
                    Invariant::MissingLock,
                    org,
                    format!("session {id}"),
                    format!("{} session does not hold lock {key}", s.status.as_str()),
                ),
            }
        }
    }
    for ((org, key), holder) in held {
        let detail = match sessions.get(&(org.clone(), holder.clone())) {
            None => format!("held by session {holder}, which does not exist"),
            Some(s) => format!(
                "held by the {} session {holder}, which does not cover it",
                s.status.as_str()
            ),
        };
        report.problem(Invariant::OrphanLock, &org, format!("lock {key}"), detail);
    }
    Ok(())
}
