//! Bulk loading: the items of change sets written with `BatchWriteItem`, without their
//! conditions. For seeding benchmarks and importing data into an empty table, never for the
//! use cases (they commit, with every condition, in one transaction).

use crate::errors;
use crate::plan::Plan;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use coaching_domain::ports::{Changes, StoreError};

const BATCH: usize = 25;
const ROUNDS: usize = 8;

pub(crate) async fn load(client: &Client, table: &str, sets: &[Changes]) -> Result<(), StoreError> {
    let mut writes = Vec::new();
    for changes in sets {
        for item in Plan::of(table, changes)?.items {
            let Some(put) = item.put else {
                return Err(StoreError::Unavailable(
                    "bulk loading writes new items only (no releases, deletes or takes)".into(),
                ));
            };
            let request = PutRequest::builder()
                .set_item(Some(put.item))
                .build()
                .map_err(errors::build)?;
            writes.push(WriteRequest::builder().put_request(request).build());
        }
    }
    for chunk in writes.chunks(BATCH) {
        let mut pending = chunk.to_vec();
        for _ in 0..ROUNDS {
            let out = client
                .batch_write_item()
                .request_items(table, pending)
                .send()
                .await
                .map_err(|e| errors::unavailable("BatchWriteItem", e))?;
            pending = out
                .unprocessed_items
                .and_then(|mut u| u.remove(table))
                .unwrap_or_default();
            if pending.is_empty() {
                break;
            }
        }
        if !pending.is_empty() {
            return Err(StoreError::Unavailable(format!(
                "{} items stayed unprocessed",
                pending.len()
            )));
        }
    }
    Ok(())
}
