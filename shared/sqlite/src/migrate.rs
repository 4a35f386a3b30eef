//! Schema migrations, embedded in the binary and tracked with `PRAGMA user_version`.

use crate::errors::unavailable;
use coaching_domain::ports::StoreError;
use rusqlite::{Connection, TransactionBehavior};

/// Every migration in order; migration `i` moves `user_version` from `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_reschedule_reminders.sql"),
    include_str!("../migrations/0003_evaluations.sql"),
    include_str!("../migrations/0004_generations.sql"),
    include_str!("../migrations/0005_agenda_templates_action_items.sql"),
    include_str!("../migrations/0006_calendar_tokens.sql"),
    include_str!("../migrations/0007_messages.sql"),
    include_str!("../migrations/0008_analytics_retention_index.sql"),
    include_str!("../migrations/0009_outbound_webhooks.sql"),
];

/// Brings the schema up to date; each step commits with its version or not at all.
pub(crate) fn apply(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(unavailable)?;
    let current = usize::try_from(current).unwrap_or(usize::MAX);
    if current > MIGRATIONS.len() {
        return Err(StoreError::Unavailable(format!(
            "sqlite: the database schema is version {current}, newer than this binary's {}",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(unavailable)?;
        // Another process may have migrated meanwhile: re-read under the write lock.
        let now: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(unavailable)?;
        if usize::try_from(now).unwrap_or(usize::MAX) > i {
            continue;
        }
        tx.execute_batch(sql).map_err(unavailable)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
            .map_err(unavailable)?;
        tx.commit().map_err(unavailable)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_changes_nothing_the_second_time() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        apply(&mut conn).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_database_newer_than_the_binary_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
        assert!(matches!(apply(&mut conn), Err(StoreError::Unavailable(_))));
    }
}
