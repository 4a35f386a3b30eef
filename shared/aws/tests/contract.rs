//! The store contract against the DynamoDB store: every case on a table of its own, and the
//! race also across two clients (like two Lambda instances). Never a Scan.

mod common;

use coaching_domain::ports::Store;
use common::fresh_store;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn every_contract_case_passes_on_dynamodb() {
    let cases = coaching_store_contract::cases();
    let mut failed = Vec::new();
    for (name, case) in &cases {
        let store = fresh_store().await;
        let handle: Arc<dyn Store> = Arc::new(store.clone());
        match tokio::spawn(case(handle)).await {
            Ok(()) => eprintln!("contract case ok: {name} {}", store.requests()),
            Err(e) => {
                eprintln!("contract case FAILED: {name}: {e}");
                failed.push(*name);
            }
        }
        assert_eq!(store.requests().get("Scan"), 0, "{name} scanned the table");
    }
    assert!(
        failed.is_empty(),
        "{} of {} contract cases failed on DynamoDB: {failed:?}",
        failed.len(),
        cases.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn fifty_concurrent_bookings_of_one_slot_have_one_winner() {
    coaching_store_contract::of_fifty_concurrent_bookings_of_one_slot_exactly_one_wins(Arc::new(
        fresh_store().await,
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn fifty_concurrent_bookings_through_two_clients_have_one_winner() {
    let first = fresh_store().await;
    let second = coaching_aws::DynamoStore::connect(first.table()).await;
    coaching_store_contract::race_across(vec![Arc::new(first), Arc::new(second)]).await;
}
