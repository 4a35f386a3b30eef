//! Stores for the DynamoDB tests: each on a fresh table of this test run, on the endpoint in
//! `AWS_ENDPOINT_URL` (scripts/test starts moto and exports it).

use coaching_aws::{DynamoStore, RequestCounts};
use coaching_domain::ports::Store;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why the DynamoDB tests are ignored by a plain `cargo test`.
#[allow(dead_code)]
pub const NEEDS_ENDPOINT: &str = "needs a DynamoDB endpoint: scripts/test starts moto";

/// A table name no earlier run and no other test of this run uses.
pub fn fresh_table_name() -> String {
    static RUN: OnceLock<String> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let run = RUN.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        format!("{nanos:x}-{}", std::process::id())
    });
    format!(
        "coaching-test-{run}-{}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A store on a fresh table, created with its indexes.
pub async fn fresh_store() -> DynamoStore {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.") || endpoint.starts_with("http://localhost"),
        "these tests create tables: point AWS_ENDPOINT_URL at a local DynamoDB endpoint (scripts/test starts moto), not {endpoint:?}"
    );
    let store = DynamoStore::connect(&fresh_table_name()).await;
    store.ensure_table().await.unwrap();
    store
}

/// What `f` sent through `store`, by operation.
#[allow(dead_code)]
pub async fn counted<T>(
    store: &DynamoStore,
    f: impl AsyncFnOnce(&dyn Store) -> T,
) -> (T, RequestCounts) {
    let before = store.requests();
    let out = f(store).await;
    (out, store.requests().since(&before))
}

/// The counts of exactly one request of `operation`, as `RequestCounts` displays them.
#[allow(dead_code)]
pub fn only(operation: &str) -> String {
    format!("{{{operation}=1}}")
}
