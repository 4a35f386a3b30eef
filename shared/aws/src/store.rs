//! `DynamoStore`: the handle (cheap to clone) and its implementation of the store ports.

use crate::counter::{RequestCounter, RequestCounts};
use crate::table;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use coaching_domain::ports::{Changes, StoreError};
use std::sync::Arc;

/// The DynamoDB adapter of every store port, over one table. Clones share the client and the
/// request counts.
#[derive(Clone)]
pub struct DynamoStore {
    pub(crate) client: Client,
    pub(crate) table: Arc<str>,
    requests: RequestCounter,
}

impl std::fmt::Debug for DynamoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoStore")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl DynamoStore {
    /// A store on `table` with a client configured from the environment by
    /// [`sdk_config`](crate::sdk_config): the standard `AWS_*` settings (region, credentials,
    /// profile), `AWS_ENDPOINT_URL` included.
    pub async fn connect(table: &str) -> DynamoStore {
        DynamoStore::from_config(&crate::sdk_config().await, table)
    }

    /// [`connect`](Self::connect) with other attempt and operation timeouts than
    /// [`crate::dynamodb_config`]'s (see [`crate::dynamodb_config_with`]): for tests on moto.
    pub async fn connect_with_timeouts(
        table: &str,
        attempt: std::time::Duration,
        operation: std::time::Duration,
    ) -> DynamoStore {
        let config =
            crate::config::dynamodb_config_with(&crate::sdk_config().await, attempt, operation);
        DynamoStore::counted(config, table)
    }

    /// A store on `table` with one client built from `config` (plus the request counter), its
    /// requests bounded in time by [`crate::dynamodb_config`].
    pub fn from_config(config: &SdkConfig, table: &str) -> DynamoStore {
        DynamoStore::counted(crate::config::dynamodb_config(config), table)
    }

    /// A store on `table` using `client`'s configuration (plus the request counter).
    pub fn new(client: Client, table: &str) -> DynamoStore {
        DynamoStore::counted(client.config().to_builder(), table)
    }

    /// The one client of a store: `config` with the request counter as an interceptor.
    fn counted(config: aws_sdk_dynamodb::config::Builder, table: &str) -> DynamoStore {
        let requests = RequestCounter::default();
        DynamoStore {
            client: Client::from_conf(config.interceptor(requests.clone()).build()),
            table: table.into(),
            requests,
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Creates the table with its indexes when it does not exist (on-demand billing), and
    /// waits until it is ACTIVE.
    pub async fn ensure_table(&self) -> Result<(), StoreError> {
        table::ensure(&self.client, &self.table).await
    }

    /// Writes the items of `sets` with `BatchWriteItem`, without any of their conditions: for
    /// seeding benchmarks and loading data into an empty table, never for the use cases.
    #[doc(hidden)]
    pub async fn load(&self, sets: &[Changes]) -> Result<(), StoreError> {
        crate::load::load(&self.client, &self.table, sets).await
    }

    /// DynamoDB requests this store (and its clones) sent so far, by operation.
    pub fn requests(&self) -> RequestCounts {
        self.requests.snapshot()
    }
}
