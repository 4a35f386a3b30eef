//! The boundary between rusqlite errors and `StoreError`: nothing of rusqlite leaks past here.

use coaching_domain::ports::StoreError;
use rusqlite::ffi;

/// True when `e` is a PRIMARY KEY or UNIQUE violation (and not, say, a NOT NULL one).
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error(),
        Some(ffi::Error { code: ffi::ErrorCode::ConstraintViolation, extended_code })
            if *extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY || *extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

/// Any failure that is not the caller's doing: transient (503 with `Retry-After`) when the
/// database stayed busy or locked past the busy timeout, a failure otherwise.
pub(crate) fn unavailable(e: rusqlite::Error) -> StoreError {
    let busy = matches!(
        e.sqlite_error_code(),
        Some(ffi::ErrorCode::DatabaseBusy | ffi::ErrorCode::DatabaseLocked)
    );
    if busy {
        StoreError::Transient(format!("sqlite: {e}"))
    } else {
        StoreError::Unavailable(format!("sqlite: {e}"))
    }
}

/// `unique` when `e` is a uniqueness violation, else [`unavailable`].
pub(crate) fn unique_or_unavailable(e: rusqlite::Error, unique: StoreError) -> StoreError {
    if is_unique_violation(&e) {
        unique
    } else {
        unavailable(e)
    }
}

pub(crate) fn json_error(what: &str, e: serde_json::Error) -> StoreError {
    StoreError::Unavailable(format!("stored {what} is not valid: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn db() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE t (a TEXT PRIMARY KEY, b TEXT NOT NULL UNIQUE, c TEXT NOT NULL)",
        )
        .unwrap();
        c.execute("INSERT INTO t VALUES ('a', 'b', 'c')", [])
            .unwrap();
        c
    }

    #[test]
    fn a_database_busy_past_its_timeout_is_transient() {
        let dir = std::env::temp_dir().join(format!("busy-{}.db", std::process::id()));
        let holder = Connection::open(&dir).unwrap();
        holder
            .execute_batch("CREATE TABLE IF NOT EXISTS t (a TEXT); BEGIN IMMEDIATE;")
            .unwrap();
        let other = Connection::open(&dir).unwrap();
        other.busy_timeout(std::time::Duration::ZERO).unwrap();

        let e = other.execute("INSERT INTO t VALUES ('x')", []).unwrap_err();

        assert!(matches!(unavailable(e), StoreError::Transient(_)));
        drop(holder);
        let _ = std::fs::remove_file(&dir);
    }

    #[test]
    fn a_primary_key_violation_becomes_the_given_error() {
        let e = db()
            .execute("INSERT INTO t VALUES ('a', 'x', 'c')", [])
            .unwrap_err();
        assert_eq!(
            unique_or_unavailable(e, StoreError::Conflict),
            StoreError::Conflict
        );
    }

    #[test]
    fn a_unique_index_violation_becomes_the_given_error() {
        let e = db()
            .execute("INSERT INTO t VALUES ('x', 'b', 'c')", [])
            .unwrap_err();
        assert_eq!(
            unique_or_unavailable(e, StoreError::IdempotencyKeyExists),
            StoreError::IdempotencyKeyExists
        );
    }

    #[test]
    fn a_not_null_violation_is_a_store_failure_not_a_conflict() {
        let e = db()
            .execute("INSERT INTO t VALUES ('x', 'y', NULL)", [])
            .unwrap_err();
        assert!(matches!(
            unique_or_unavailable(e, StoreError::Conflict),
            StoreError::Unavailable(_)
        ));
    }

    #[test]
    fn a_syntax_error_is_a_store_failure_that_names_sqlite() {
        let e = db().execute("INSERT INTO nope VALUES (1)", []).unwrap_err();
        let StoreError::Unavailable(msg) = unique_or_unavailable(e, StoreError::Conflict) else {
            panic!("expected Unavailable")
        };
        assert!(msg.starts_with("sqlite: "), "{msg}");
    }
}
