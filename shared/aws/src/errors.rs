//! SDK failures as `StoreError`s: the boundary no SDK type crosses.

use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, SdkError};
use coaching_domain::ports::StoreError;
use std::fmt::Debug;

/// Any failed request: the store is unavailable (conditions are mapped before this, where a
/// failed one means something to the domain).
pub(crate) fn unavailable<E, R>(operation: &str, e: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + 'static,
    R: Debug,
{
    StoreError::Unavailable(format!(
        "DynamoDB {operation} failed: {}",
        DisplayErrorContext(&e)
    ))
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
    /// Anything else (throttling, validation): the reasons, for the log.
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
    Cancelled::Failed(format!("{detail:?}"))
}
