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
