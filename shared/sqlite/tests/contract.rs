//! The store contract against the SQLite store: every case on a fresh `:memory:` database, the
//! whole suite on file databases (WAL, reader pool), and the race on files, also across handles.

use coaching_domain::ports::Store;
use coaching_sqlite::SqliteStore;
use std::sync::Arc;

async fn memory() -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(":memory:").unwrap())
}

mod in_memory {
    coaching_store_contract::store_contract_tests!(super::memory);
}

/// A file database in its own directory; the directory lives as long as the test.
fn file_store(dir: &tempfile::TempDir) -> SqliteStore {
    let path = dir.path().join("coaching.db");
    SqliteStore::open(path.to_str().unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_contract_case_passes_on_a_file_database() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(file_store(&dir));
    // Cases work in fresh orgs of their own, so one file serves them all.
    coaching_store_contract::run_all(|| {
        let store = store.clone();
        async move { store }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_bookings_of_one_slot_on_a_file_database_have_one_winner() {
    let dir = tempfile::tempdir().unwrap();
    coaching_store_contract::of_fifty_concurrent_bookings_of_one_slot_exactly_one_wins(Arc::new(
        file_store(&dir),
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_bookings_through_two_handles_on_one_file_have_one_winner() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (file_store(&dir), file_store(&dir));
    coaching_store_contract::race_across(vec![Arc::new(a), Arc::new(b)]).await;
}
