//! The AWS SDK configuration every client of ours is built from (the Lambda functions and
//! coaching-local): [`sdk_config`], and the time bounds of the DynamoDB client
//! ([`dynamodb_config`]).

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use std::sync::OnceLock;
use std::time::Duration;

use crate::connector::{HttpsClient, Roots};

/// The shared configuration for AWS SDK clients, from the environment:
/// - region: `AWS_REGION` (else `AWS_DEFAULT_REGION`), else the SDK's region chain (profile, IMDS);
/// - credentials: the environment credentials provider when `AWS_ACCESS_KEY_ID` is set (always so
///   on Lambda), else the SDK's default chain (profile, web identity, ECS, IMDS);
/// - one HTTP client ([`crate::connector`]), built once per process with its TLS configuration and
///   shared by every SDK client made from the returned config: on Lambda its trust anchors are
///   compiled in (no certificate files read), elsewhere the platform's;
/// - the rest as `aws_config::defaults` resolves it: `AWS_ENDPOINT_URL` (moto in the tests),
///   retry and timeout settings, profile files.
pub async fn sdk_config() -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client());
    if let Some(region) = env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")) {
        loader = loader.region(Region::new(region));
    }
    if env("AWS_ACCESS_KEY_ID").is_some() {
        loader = loader.credentials_provider(EnvironmentVariableCredentialsProvider::new());
    }
    loader.load().await
}

/// Connection establishment (DNS, TCP, TLS) to DynamoDB: an in-region endpoint connects in
/// milliseconds; past this the endpoint is unreachable (a full listen backlog, a black hole).
pub const DYNAMODB_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// One attempt, from sending the request to the whole response read. DynamoDB answers in
/// milliseconds (a 100-item transaction in tens); an attempt this long is a frozen endpoint.
pub const DYNAMODB_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
/// One operation, every attempt and the backoff between them included: the longest a store call
/// can take before the request answers 503 `store_unavailable`. Two frozen attempts fit.
pub const DYNAMODB_OPERATION_TIMEOUT: Duration = Duration::from_secs(6);
/// Attempts per operation (the SDK's standard mode): a refused connection or a throttled
/// request (`ProvisionedThroughputExceededException`, `ThrottlingException`,
/// `RequestLimitExceeded`) is retried with jittered exponential backoff before it is an error.
pub const DYNAMODB_MAX_ATTEMPTS: u32 = 3;

/// The DynamoDB client configuration: `config` with time bounds on every request, so that an
/// endpoint that is unreachable, refuses connections, stops answering or keeps throttling costs
/// a request at most [`DYNAMODB_OPERATION_TIMEOUT`] per store call instead of hanging (the SDK's
/// defaults bound only the connect: a frozen endpoint kept a request waiting forever). The
/// SDK enforces the attempt and operation timeouts with the Tokio sleep of `config`; the connect
/// timeout is ours to apply ([`crate::connector`]). Only DynamoDB: SQS long polling waits 20 s by
/// design and bounds its own calls ([`crate::SqsQueue`]).
///
/// `COACHING_DYNAMODB_ATTEMPT_TIMEOUT_MS` and `COACHING_DYNAMODB_OPERATION_TIMEOUT_MS` override
/// the two bounds (whole milliseconds; anything else is ignored): a local DynamoDB-protocol server
/// such as moto can take seconds for one transaction on a busy machine, and a deployment may
/// choose its own budget.
pub fn dynamodb_config(config: &SdkConfig) -> aws_sdk_dynamodb::config::Builder {
    let attempt =
        env_millis("COACHING_DYNAMODB_ATTEMPT_TIMEOUT_MS").unwrap_or(DYNAMODB_ATTEMPT_TIMEOUT);
    let operation = env_millis("COACHING_DYNAMODB_OPERATION_TIMEOUT_MS")
        .unwrap_or(DYNAMODB_OPERATION_TIMEOUT)
        .max(attempt);
    dynamodb_config_with(config, attempt, operation)
}

fn env_millis(name: &str) -> Option<Duration> {
    env(name)?
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis)
}

/// [`dynamodb_config`] with other attempt and operation timeouts: for tests on moto, which on a
/// busy machine can take longer than 3 s for one request, never for AWS.
pub fn dynamodb_config_with(
    config: &SdkConfig,
    attempt: Duration,
    operation: Duration,
) -> aws_sdk_dynamodb::config::Builder {
    aws_sdk_dynamodb::config::Builder::from(config)
        .timeout_config(time_bounds(attempt, operation))
        .retry_config(RetryConfig::standard().with_max_attempts(DYNAMODB_MAX_ATTEMPTS))
}

/// Timeouts for an AWS service client that answers in milliseconds (DynamoDB, EventBridge): the
/// connect bound of [`DYNAMODB_CONNECT_TIMEOUT`], one attempt and one operation (every attempt and
/// the backoff between them).
pub fn time_bounds(attempt: Duration, operation: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(DYNAMODB_CONNECT_TIMEOUT)
        .operation_attempt_timeout(attempt)
        .operation_timeout(operation)
        .build()
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The process's one HTTP client.
fn http_client() -> SharedHttpClient {
    static CLIENT: OnceLock<SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| HttpsClient::new(Roots::from_env()).shared())
        .clone()
}
