//! `SqliteStore`: the handle (cheap to clone) and its implementation of the store ports.

use crate::pool::{Pool, SqliteOptions};
use coaching_domain::ports::StoreError;
use std::sync::Arc;

/// The SQLite adapter of every store port. Clones share the same connections.
#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) pool: Arc<Pool>,
    path: Arc<str>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`, a file path or an
    /// SQLite URI. `":memory:"` is a fresh private database on every call.
    pub fn open(path: &str) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// [`open`](Self::open) with explicit pool and timeout settings.
    pub fn open_with(path: &str, options: SqliteOptions) -> Result<SqliteStore, StoreError> {
        let pool = Pool::open(path, &options)?;
        tracing::debug!(path, readers = options.readers, "sqlite store opened");
        Ok(SqliteStore {
            pool: Arc::new(pool),
            path: path.into(),
        })
    }
}
