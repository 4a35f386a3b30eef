//! The start-up every Lambda function shares: JSON logs as CloudWatch reads them, the
//! configuration variables (typed per function in its own `Config::from_env`, read through
//! [`required`] and [`optional`] so that a missing one stops the start naming it), one
//! `SdkConfig` and the DynamoDB store of `COACHING_TABLE`, and the domain services on the
//! system clock and ULIDs.

use crate::{DynamoStore, sdk_config};
use aws_config::SdkConfig;
use coaching_domain::ports::{DeliveryQueue, EventPublisher, GenerationQueue, Outbound, Ports};
use coaching_domain::service::Services;
use coaching_runtime::{SystemClock, UlidIds};
use std::sync::Arc;

/// The variable naming the DynamoDB table every function reads and writes.
pub const TABLE_VAR: &str = "COACHING_TABLE";

/// A configuration variable that is missing or unusable; its message names the variable
/// (never its value: some are secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.variable, self.problem)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    pub fn invalid(variable: &'static str, problem: impl Into<String>) -> Self {
        Self {
            variable,
            problem: problem.into(),
        }
    }
}

/// `variable`'s value, trimmed; empty or unset is an error naming it.
pub fn required(variable: &'static str) -> Result<String, ConfigError> {
    required_in(optional, variable)
}

/// `variable`'s value from `lookup` (a function's `Config::from_lookup`, which tests feed);
/// missing is an error naming it.
pub fn required_in(
    lookup: impl Fn(&'static str) -> Option<String>,
    variable: &'static str,
) -> Result<String, ConfigError> {
    lookup(variable).ok_or_else(|| ConfigError::invalid(variable, "is not set"))
}

/// `variable`'s value, trimmed; `None` when unset or empty (the template passes an empty
/// string for an optional parameter left out).
pub fn optional(variable: &'static str) -> Option<String> {
    std::env::var(variable)
        .ok()
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// JSON log lines without the time (CloudWatch stamps each line), filtered by `RUST_LOG`
/// (default `info`).
pub fn init_logging() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_current_span(false)
        .without_time()
        .init();
}

/// What every function builds once, before its runtime loop: one `SdkConfig` (one HTTP
/// client, environment credentials) for every SDK client, and the store of `table`.
#[derive(Debug)]
pub struct Aws {
    pub sdk: SdkConfig,
    pub store: DynamoStore,
}

impl Aws {
    pub async fn connect(table: &str) -> Self {
        let sdk = sdk_config().await;
        let store = DynamoStore::from_config(&sdk, table);
        Self { sdk, store }
    }

    /// The domain services on this store, the system clock and ULIDs, with the function's
    /// event publisher and generation queue, if it has them, and its org events' rendering
    /// (and webhook sender and delivery queue, where it has them). `part` says which part of
    /// the store the function may use (`|store| store as Arc<dyn WorkerStore>`, say): the use
    /// cases it can call are those defined for that part, as its IAM policy allows.
    pub fn services<S: ?Sized>(
        &self,
        part: fn(Arc<DynamoStore>) -> Arc<S>,
        events: Option<Arc<dyn EventPublisher>>,
        queue: Option<Arc<dyn GenerationQueue>>,
        outbound: Outbound,
    ) -> Services<S> {
        Services::new(Ports {
            store: part(Arc::new(self.store.clone())),
            clock: Arc::new(SystemClock),
            ids: Arc::new(UlidIds::new()),
            events,
            queue,
            outbound,
        })
    }

    /// The SQS delivery queue at `url` (webhook deliveries), with this process's SDK
    /// configuration.
    pub fn delivery_queue(&self, url: &str) -> Arc<dyn DeliveryQueue> {
        Arc::new(crate::SqsDeliveryQueue::from_config(&self.sdk, url))
    }

    /// The SQS generation queue at `url`, with this process's SDK configuration.
    pub fn queue(&self, url: &str) -> Arc<dyn GenerationQueue> {
        Arc::new(crate::SqsQueue::from_config(&self.sdk, url))
    }
}

/// The partial batch response of an SQS-fed function (`ReportBatchItemFailures`): the records
/// whose outcome `failed` says so, by message id. A failed record without a message id (SQS
/// always gives one) is reported with an empty id, which makes Lambda retry the whole batch.
pub fn batch_response<T>(
    records: &[aws_lambda_events::event::sqs::SqsMessage],
    outcomes: &[T],
    failed: impl Fn(&T) -> bool,
) -> aws_lambda_events::event::sqs::SqsBatchResponse {
    let mut response = aws_lambda_events::event::sqs::SqsBatchResponse::default();
    for (record, outcome) in records.iter().zip(outcomes) {
        if failed(outcome) {
            let mut failure = aws_lambda_events::event::sqs::BatchItemFailure::default();
            failure.item_identifier = record.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    response
}
