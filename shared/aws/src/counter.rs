//! Request counting: an SDK interceptor that counts every DynamoDB request sent, by operation,
//! so tests can hold each port call to its one-round-trip budget.

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// The interceptor; clones share the counts.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestCounter(Arc<Mutex<BTreeMap<String, u64>>>);

impl RequestCounter {
    pub(crate) fn snapshot(&self) -> RequestCounts {
        RequestCounts(self.0.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "CountDynamoDbRequests"
    }

    /// Runs once per HTTP request, so an SDK retry counts as another request.
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // The JSON protocol names the operation in `X-Amz-Target: DynamoDB_20120810.<Operation>`.
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("unknown");
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        *self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(operation)
            .or_default() += 1;
        Ok(())
    }
}

/// DynamoDB requests sent so far, by operation name (`GetItem`, `Query`, `TransactWriteItems`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCounts(BTreeMap<String, u64>);

impl RequestCounts {
    /// Requests of `operation`.
    pub fn get(&self, operation: &str) -> u64 {
        self.0.get(operation).copied().unwrap_or(0)
    }

    /// Requests of every operation.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// The requests sent after `earlier` was taken.
    pub fn since(&self, earlier: &RequestCounts) -> RequestCounts {
        let counts = self
            .0
            .iter()
            .map(|(op, n)| (op.clone(), n - earlier.get(op)))
            .filter(|(_, n)| *n > 0);
        RequestCounts(counts.collect())
    }

    /// (operation, count) in operation order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0.iter().map(|(op, n)| (op.as_str(), *n))
    }
}

impl fmt::Display for RequestCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.iter().map(|(op, n)| format!("{op}={n}")).collect();
        write!(f, "{{{}}}", parts.join(", "))
    }
}
