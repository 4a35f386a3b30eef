//! Checks of the records that hang off sessions: reminders, outbox events and generation
//! records.

use super::{CheckReport, Invariant, Sessions, key, rows};
use crate::codec::ceil_millis;
use coaching_domain::evaluation::GenerationStatus;
use coaching_domain::generation::GenerationJob;
use coaching_domain::ports::StoreError;
use coaching_domain::reminder::Reminder;
use coaching_domain::session::{SessionKind, SessionStatus};
use rusqlite::Connection;

/// A reminder waits only for a scheduled session, for its current start, at its kind's lead.
pub(super) fn reminders(
    conn: &Connection,
    sessions: &Sessions,
    report: &mut CheckReport,
) -> Result<(), StoreError> {
    let found: Vec<[String; 5]> = rows(
        conn,
        "SELECT org, session_id, kind, due_ms, doc FROM reminders",
    )?;
    report.counts.reminders = found.len();
    for [org, session, kind, due_ms, doc] in found {
        let subject = format!("reminder {kind} of session {session}");
        let Some(r) = report.decoded::<Reminder>(&org, &subject, &doc) else {
            continue;
        };
        if (r.org.as_str(), r.session_id.as_str(), r.kind.as_str())
            != (org.as_str(), session.as_str(), kind.as_str())
            || ceil_millis(r.due_at).to_string() != due_ms
        {
            report.problem(
                Invariant::Document,
                &org,
                subject.clone(),
                "columns disagree with the document",
            );
        }
        let detail = match sessions.get(&key(&org, &session)) {
            None => "its session does not exist".to_owned(),
            Some(s) if s.status != SessionStatus::Scheduled => {
                format!("its session is {}", s.status.as_str())
            }
            Some(s) if s.starts_at != Some(r.starts_at) => format!(
                "for a start at {}, the session starts at {:?}",
                r.starts_at, s.starts_at
            ),
            Some(_) if r.due_at != r.kind.due_at(r.starts_at) => {
                format!(
                    "due at {}, not {} before the start",
                    r.due_at,
                    r.kind.as_str()
                )
            }
            Some(_) => continue,
        };
        report.problem(Invariant::Reminder, &org, subject, detail);
    }
    Ok(())
}

/// A notification's event is written with its notification and deleted once published: never
/// alone. An org event (`evt_…`, docs/api.md#org-events-and-outbound-webhooks) has no notification of its own.
pub(super) fn outbox(conn: &Connection, report: &mut CheckReport) -> Result<(), StoreError> {
    report.counts.outbox = rows::<1>(conn, "SELECT id FROM outbox")?.len();
    let orphans: Vec<[String; 2]> = rows(
        conn,
        "SELECT o.org, o.id FROM outbox o LEFT JOIN notifications n ON n.org = o.org AND n.id = o.id \
         WHERE n.id IS NULL AND substr(o.id, 1, 4) <> 'evt_'",
    )?;
    for [org, id] in orphans {
        report.problem(
            Invariant::Outbox,
            &org,
            format!("outbox event {id}"),
            "its notification does not exist",
        );
    }
    Ok(())
}

/// Queued: due, no lease. Running (claimed): a lease and a due time. Finished: neither.
pub(super) fn generations(
    conn: &Connection,
    sessions: &Sessions,
    report: &mut CheckReport,
) -> Result<(), StoreError> {
    let found: Vec<[String; 7]> = rows(
        conn,
        "SELECT org, id, session_id, status, claims, due_ms, doc FROM generations",
    )?;
    report.counts.generations = found.len();
    for [org, id, session, status, claims, due_ms, doc] in found {
        let subject = format!("generation {id}");
        let Some(j) = report.decoded::<GenerationJob>(&org, &subject, &doc) else {
            continue;
        };
        let doc_status = serde_json::to_value(j.status).ok();
        let doc_status = doc_status.as_ref().and_then(|v| v.as_str()).unwrap_or("");
        let doc_due = j
            .due_at
            .map(|d| ceil_millis(d).to_string())
            .unwrap_or_default();
        if (
            j.org.as_str(),
            j.id.as_str(),
            j.session_id.as_str(),
            doc_status,
        ) != (org.as_str(), id.as_str(), session.as_str(), status.as_str())
            || j.claims.to_string() != claims
            || doc_due != due_ms
        {
            report.problem(
                Invariant::Document,
                &org,
                subject.clone(),
                "columns disagree with the document",
            );
        }
        let lease = match j.status {
            GenerationStatus::Queued if j.due_at.is_none() => Some("queued without a due time"),
            GenerationStatus::Queued if j.lease_until.is_some() => Some("queued with a lease"),
            GenerationStatus::Running if j.lease_until.is_none() => {
                Some("claimed without a lease expiry")
            }
            GenerationStatus::Running if j.due_at.is_none() => Some("claimed without a due time"),
            GenerationStatus::Running if j.claims == 0 => Some("running but never claimed"),
            GenerationStatus::Succeeded | GenerationStatus::Failed
                if j.lease_until.is_some() || j.due_at.is_some() =>
            {
                Some("finished but still leased or due")
            }
            _ => None,
        };
        if let Some(detail) = lease {
            report.problem(Invariant::Generation, &org, subject.clone(), detail);
        }
        match sessions.get(&key(&org, &session)) {
            Some(s) if s.kind == SessionKind::Review => {}
            Some(s) => report.problem(
                Invariant::Generation,
                &org,
                subject,
                format!("its session {session} is a {} session", s.kind.as_str()),
            ),
            None => report.problem(
                Invariant::Generation,
                &org,
                subject,
                format!("its session {session} does not exist"),
            ),
        }
    }
    Ok(())
}
