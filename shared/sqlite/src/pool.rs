//! Connections: one writer behind a mutex and a few readers, each tuned and migrated on open.

use crate::errors::unavailable;
use crate::migrate;
use coaching_domain::ports::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::Duration;

/// How a [`crate::SqliteStore`] opens its database.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// Reader connections beside the single writer (file databases only; `:memory:` has one
    /// connection for everything). At least 1.
    pub readers: usize,
    /// How long a connection waits for a lock held by another process before failing.
    pub busy_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            readers: 4,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// Prepared statements each connection keeps; lists build a handful of shapes per scope.
const STATEMENT_CACHE: usize = 128;

/// How much of the database file each connection reads through a memory map (address space,
/// not memory). A coachee's criteria statistics read every evaluation of the period (2,000 of
/// them are about 4 MB of pages): through the map a read copies no page, where the default
/// 2 MiB page cache thrashed and went back to the file for each one (measured: 3 to 7 ms of
/// such a read's SQL time became 1 to 2 ms).
const MMAP_BYTES: u64 = 256 * 1024 * 1024;

pub(crate) struct Pool {
    writer: Mutex<Connection>,
    /// Empty for an in-memory database: reads then go through the writer.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

/// A shared in-memory cache uses table locks that fail at once (`SQLITE_LOCKED`, which no busy
/// timeout waits for) while a write runs, so an in-memory database gets exactly one connection.
fn is_memory(path: &str) -> bool {
    path == ":memory:" || path.starts_with("file::memory:") || path.contains("mode=memory")
}

fn connect(path: &str, options: &SqliteOptions) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(path, OpenFlags::default()).map_err(unavailable)?;
    conn.busy_timeout(options.busy_timeout)
        .map_err(unavailable)?;
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; \
         PRAGMA mmap_size = {MMAP_BYTES};"
    ))
    .map_err(unavailable)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

impl Pool {
    pub(crate) fn open(path: &str, options: &SqliteOptions) -> Result<Pool, StoreError> {
        let mut writer = connect(path, options)?;
        let memory = is_memory(path);
        if !memory {
            let mode: String = writer
                .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
                .map_err(unavailable)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Unavailable(format!(
                    "sqlite: journal_mode is {mode}, not wal"
                )));
            }
        }
        migrate::apply(&mut writer)?;
        let mut readers = Vec::new();
        if !memory {
            for _ in 0..options.readers.max(1) {
                let reader = connect(path, options)?;
                reader
                    .execute_batch("PRAGMA query_only = ON;")
                    .map_err(unavailable)?;
                readers.push(Mutex::new(reader));
            }
        }
        Ok(Pool {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    /// The writer. A panic while it was held left no transaction open (a dropped
    /// `Transaction` rolls back), so a poisoned lock is still a usable connection.
    pub(crate) fn writer(&self) -> MutexGuard<'_, Connection> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A free reader if there is one, else waits for one in turn.
    pub(crate) fn reader(&self) -> MutexGuard<'_, Connection> {
        let n = self.readers.len();
        if n == 0 {
            return self.writer();
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed) % n;
        for i in 0..n {
            match self.readers[(start + i) % n].try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        self.readers[start]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
