//! SDK failures as `StoreError`s: the boundary no SDK type crosses.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_types::retry::ErrorKind;
use coaching_domain::ports::StoreError;

/// Error codes that mean "too many requests" or "not now" rather than "wrong request": DynamoDB's
/// throttling (a table or index over its capacity, an account over its limit) and its own
/// failures. The SDK has retried them already when we see them.
const TRANSIENT_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
];

/// Cancellation reason codes of a transaction that throttling stopped.
const THROTTLED_REASONS: &[&str] = &["ThrottlingError", "ProvisionedThroughputExceeded"];

/// Any failed request (conditions are mapped before this, where a failed one means something to
/// the domain): [`StoreError::Transient`] when the endpoint could not be reached, did not answer
/// in time or throttled (worth trying again later: 503 at the HTTP edge), else
/// [`StoreError::Unavailable`] (a request DynamoDB refused: a bug of ours, 500).
pub(crate) fn unavailable<E>(operation: &str, e: SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let message = format!("DynamoDB {operation} failed: {}", DisplayErrorContext(&e));
    if is_transient(&e) {
        StoreError::Transient(message)
    } else {
        StoreError::Unavailable(message)
    }
}

/// Whether a failure says nothing about the request, only about the endpoint's state now.
fn is_transient<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> bool {
    match e {
        // The attempt or operation timeout (`crate::dynamodb_config`) expired.
        SdkError::TimeoutError(_) => true,
        // Connecting failed (refused, reset, unreachable) or a connect/read timeout expired.
        SdkError::DispatchFailure(f) => {
            f.is_io()
                || f.is_timeout()
                || matches!(
                    f.as_other(),
                    Some(ErrorKind::TransientError | ErrorKind::ThrottlingError)
                )
        }
        // The response could not be read whole (the connection dropped mid-body).
        SdkError::ResponseError(_) => true,
        SdkError::ServiceError(service) => {
            service.raw().status().is_server_error()
                || service
                    .err()
                    .code()
                    .is_some_and(|code| TRANSIENT_CODES.contains(&code))
        }
        _ => false,
    }
}

/// A transaction cancelled for reasons other than its conditions or contention: transient when
/// throttling stopped it, a failure otherwise. `detail` lists the reasons, for the log.
pub(crate) fn cancelled_failure(
    reasons: &[aws_sdk_dynamodb::types::CancellationReason],
    detail: String,
) -> StoreError {
    let throttled = reasons
        .iter()
        .any(|r| r.code().is_some_and(|c| THROTTLED_REASONS.contains(&c)));
    if throttled {
        StoreError::Transient(detail)
    } else {
        StoreError::Unavailable(detail)
    }
}

/// A request we built is incomplete: a bug of ours, reported as a store failure.
pub(crate) fn build(e: BuildError) -> StoreError {
    StoreError::Unavailable(format!("invalid DynamoDB request: {e}"))
}

/// Why a transaction was cancelled, read from its reasons (one per item, in request order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cancelled {
    /// The condition of this item failed (the first of the watched items whose did).
    Condition(usize),
    /// Only concurrent transactions stood in the way: worth another attempt.
    Contended,
    /// Throttling stopped it: transient, worth a 503 with `Retry-After` (the reasons, for the log).
    Throttled(String),
    /// Anything else (validation): the reasons, for the log.
    Failed(String),
}

/// Classifies a cancelled transaction: a failed condition among the first `watched` items
/// (in order), else contention only, else a failure described by every reason.
pub(crate) fn cancelled(
    reasons: &[aws_sdk_dynamodb::types::CancellationReason],
    watched: usize,
) -> Cancelled {
    let failed_condition = reasons
        .iter()
        .take(watched)
        .position(|r| r.code() == Some("ConditionalCheckFailed"));
    if let Some(i) = failed_condition {
        return Cancelled::Condition(i);
    }
    let codes: Vec<&str> = reasons
        .iter()
        .filter_map(|r| r.code())
        .filter(|c| *c != "None")
        .collect();
    if !codes.is_empty() && codes.iter().all(|c| *c == "TransactionConflict") {
        return Cancelled::Contended;
    }
    let detail: Vec<&str> = reasons
        .iter()
        .map(|r| r.message().or(r.code()).unwrap_or("?"))
        .collect();
    let detail = format!("{detail:?}");
    if codes.iter().any(|c| THROTTLED_REASONS.contains(c)) {
        return Cancelled::Throttled(detail);
    }
    Cancelled::Failed(detail)
}
