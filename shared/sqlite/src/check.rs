//! `check`: verifies a SQLite store file's invariants (what every commit keeps true) and returns
//! a typed report, for `coaching-local check` after a crash or before a backup.
//!
//! Everything is read in one read transaction (a consistent snapshot, also beside a running
//! server: WAL readers never block the writer). Nothing is written; the file is not created
//! when it is missing and not migrated.

mod index;
mod records;
mod sessions;
#[cfg(test)]
mod tests;

use crate::errors::unavailable;
use coaching_domain::ports::StoreError;
use coaching_domain::session::Session;
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

/// The invariant a [`Problem`] breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Invariant {
    /// SQLite's own `PRAGMA integrity_check` (pages, indexes) or a missing schema.
    Integrity,
    /// A stored document does not decode, or its indexed columns disagree with it.
    Document,
    /// A lock row whose session is missing, cancelled, or does not cover that key.
    OrphanLock,
    /// A session that does not hold every lock its time (blocks and buffer) and kind need.
    MissingLock,
    /// A reminder record of a missing or not scheduled session, or at the wrong time.
    Reminder,
    /// An outbox event without its notification.
    Outbox,
    /// A generation record whose status, lease and due time disagree, or whose session is gone.
    Generation,
    /// An action-item index row that its session's document does not have, or the reverse.
    ActionItem,
    /// A reschedule request and its session that disagree about the pending request.
    RescheduleRequest,
    /// An idempotency record naming a session that does not exist.
    Idempotency,
    /// A session linked (series, previous, next) to one that does not exist.
    SessionLink,
}

impl Invariant {
    /// The short name the report prints.
    pub fn as_str(&self) -> &'static str {
        match self {
            Invariant::Integrity => "integrity",
            Invariant::Document => "document",
            Invariant::OrphanLock => "orphan-lock",
            Invariant::MissingLock => "missing-lock",
            Invariant::Reminder => "reminder",
            Invariant::Outbox => "outbox",
            Invariant::Generation => "generation",
            Invariant::ActionItem => "action-item",
            Invariant::RescheduleRequest => "reschedule-request",
            Invariant::Idempotency => "idempotency",
            Invariant::SessionLink => "session-link",
        }
    }
}

/// One broken invariant: which, where (org and record), and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub invariant: Invariant,
    pub org: String,
    /// The record at fault, e.g. `lock slot#coach-1#1767225600` or `session 01J…`.
    pub subject: String,
    pub detail: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] org {}, {}: {}",
            self.invariant.as_str(),
            self.org,
            self.subject,
            self.detail
        )
    }
}

/// How many records of each kind were read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub sessions: usize,
    pub locks: usize,
    pub reminders: usize,
    pub notifications: usize,
    pub outbox: usize,
    pub generations: usize,
    pub action_items: usize,
    pub reschedule_requests: usize,
    pub idempotency: usize,
}

/// The result of a check: what was read and every problem found (none: all invariants hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    pub counts: Counts,
    pub problems: Vec<Problem>,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(
        &mut self,
        invariant: Invariant,
        org: &str,
        subject: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.problems.push(Problem {
            invariant,
            org: org.to_owned(),
            subject: subject.into(),
            detail: detail.into(),
        });
    }

    /// `doc` decoded, or `None` with a [`Invariant::Document`] problem about `subject` reported.
    fn decoded<T: serde::de::DeserializeOwned>(
        &mut self,
        org: &str,
        subject: &str,
        doc: &str,
    ) -> Option<T> {
        match serde_json::from_str(doc) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(
                    Invariant::Document,
                    org,
                    subject,
                    format!("does not decode: {e}"),
                );
                None
            }
        }
    }
}

/// Every stored session that decodes, by (org, id): what the record checks look things up in.
pub(crate) type Sessions = HashMap<(String, String), Session>;

/// Opens the database file at `path` (which must exist) and checks it.
pub fn check_file(path: &str) -> Result<CheckReport, StoreError> {
    // Read-write without CREATE: a missing file is an error, and a WAL left by a killed
    // process is recovered as the server would on its next start. Nothing is written.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(unavailable)?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(unavailable)?;
    conn.execute_batch("PRAGMA query_only = ON;")
        .map_err(unavailable)?;
    check_connection(&mut conn)
}

/// Checks the store behind `conn` in one read transaction.
pub fn check_connection(conn: &mut Connection) -> Result<CheckReport, StoreError> {
    let tx = conn.transaction().map_err(unavailable)?;
    let mut report = CheckReport::default();
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(unavailable)?;
    if version == 0 {
        report.problem(
            Invariant::Integrity,
            "-",
            "database",
            "no coaching schema (user_version 0): not a store file",
        );
        return Ok(report);
    }
    integrity(&tx, &mut report)?;
    let sessions = sessions::load(&tx, &mut report)?;
    sessions::links(&sessions, &mut report);
    sessions::locks(&tx, &sessions, &mut report)?;
    records::reminders(&tx, &sessions, &mut report)?;
    records::outbox(&tx, &mut report)?;
    records::generations(&tx, &sessions, &mut report)?;
    index::action_items(&tx, &sessions, &mut report)?;
    index::requests(&tx, &sessions, &mut report)?;
    index::idempotency(&tx, &sessions, &mut report)?;
    report.counts.notifications = count(&tx, "notifications")?;
    tx.commit().map_err(unavailable)?;
    report
        .problems
        .sort_by(|a, b| (a.invariant, &a.org, &a.subject).cmp(&(b.invariant, &b.org, &b.subject)));
    Ok(report)
}

fn integrity(conn: &Connection, report: &mut CheckReport) -> Result<(), StoreError> {
    let mut st = conn
        .prepare("PRAGMA integrity_check")
        .map_err(unavailable)?;
    let rows = st
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(unavailable)?;
    for row in rows {
        let line = row.map_err(unavailable)?;
        if line != "ok" {
            report.problem(Invariant::Integrity, "-", "database", line);
        }
    }
    Ok(())
}

fn count(conn: &Connection, table: &str) -> Result<usize, StoreError> {
    let n: i64 = conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .map_err(unavailable)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Runs `sql` and hands each row's text columns to `each`.
pub(crate) fn each_row<const N: usize>(
    conn: &Connection,
    sql: &str,
    mut each: impl FnMut([Option<String>; N]),
) -> Result<usize, StoreError> {
    let mut st = conn.prepare(sql).map_err(unavailable)?;
    let mut rows = st.query([]).map_err(unavailable)?;
    let mut n = 0;
    while let Some(row) = rows.next().map_err(unavailable)? {
        let mut cols: [Option<String>; N] = std::array::from_fn(|_| None);
        for (i, col) in cols.iter_mut().enumerate() {
            // Integers are compared as their decimal text.
            *col = match row.get_ref(i).map_err(unavailable)? {
                rusqlite::types::ValueRef::Null => None,
                rusqlite::types::ValueRef::Integer(v) => Some(v.to_string()),
                rusqlite::types::ValueRef::Real(v) => Some(v.to_string()),
                rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                    Some(String::from_utf8_lossy(t).into_owned())
                }
            };
        }
        each(cols);
        n += 1;
    }
    Ok(n)
}

pub(crate) fn key(org: &str, id: &str) -> (String, String) {
    (org.to_owned(), id.to_owned())
}

/// Rows of `sql` as text columns (NULL as empty): each record check reads its table once.
pub(crate) fn rows<const N: usize>(
    conn: &Connection,
    sql: &str,
) -> Result<Vec<[String; N]>, StoreError> {
    let mut out = Vec::new();
    each_row(conn, sql, |c: [Option<String>; N]| {
        out.push(c.map(Option::unwrap_or_default));
    })?;
    Ok(out)
}
