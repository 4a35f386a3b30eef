//! `coaching-local check`: runs the store's invariant check and prints its report.

use crate::config::{Config, StoreKind};
use coaching_sqlite::check::{CheckReport, check_file};
use std::process::ExitCode;

/// Exit status 0 when every invariant holds, 1 when one does not, 2 when the store cannot be
/// checked at all.
pub fn run(config: &Config) -> ExitCode {
    let path = match &config.store {
        StoreKind::Sqlite { path } => path,
        StoreKind::DynamoDb { table } => {
            eprintln!(
                "coaching-local check: the DynamoDB store (table {table}) is not supported yet; \
                 check works on the SQLite store (COACHING_STORE=sqlite)"
            );
            return ExitCode::from(2);
        }
    };
    if path == ":memory:" || path.contains("mode=memory") {
        eprintln!("coaching-local check: an in-memory store lives only inside its server");
        return ExitCode::from(2);
    }
    match check_file(path) {
        Ok(report) => {
            print!("{}", format_report(path, &report));
            if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("coaching-local check: cannot check {path}: {e}");
            ExitCode::from(2)
        }
    }
}

/// The report as printed: what was read, then every problem or one line saying all hold.
pub fn format_report(path: &str, report: &CheckReport) -> String {
    let c = &report.counts;
    let mut out = format!(
        "store {path}: {} sessions, {} locks, {} reminders, {} notifications, {} outbox events, \
         {} generations, {} action items, {} reschedule requests, {} idempotency records\n",
        c.sessions,
        c.locks,
        c.reminders,
        c.notifications,
        c.outbox,
        c.generations,
        c.action_items,
        c.reschedule_requests,
        c.idempotency
    );
    if report.is_ok() {
        out.push_str("ok: every invariant holds\n");
    } else {
        for p in &report.problems {
            out.push_str(&format!("problem {p}\n"));
        }
        out.push_str(&format!(
            "FAILED: {} problem(s) found\n",
            report.problems.len()
        ));
    }
    out
}
