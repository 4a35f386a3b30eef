//! The domain's error vocabulary. Each variant maps to one problem+json `code` at the HTTP edge.

use chrono::{DateTime, Utc};

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// 400 `validation_failed`.
    #[error("the request is not valid")]
    Validation(Vec<FieldError>),
    /// 403 `forbidden`.
    #[error("{0}")]
    Forbidden(String),
    /// 404 `not_found`: also what another org's or a non-participant's records look like.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 409 `slot_unavailable`.
    #[error("that time is not a free slot of the coach")]
    SlotUnavailable,
    /// 409 `conflict`: the state or version changed.
    #[error("{0}")]
    Conflict(String),
    /// 409 `already_exists`.
    #[error("{0}")]
    AlreadyExists(String),
    /// 409 `too_early`, with the instant the action becomes possible.
    #[error("too early: possible from {opens_at}")]
    TooEarly { opens_at: DateTime<Utc> },
    /// 412 `precondition_failed`: If-Match did not match the current version.
    #[error("the session has changed since you read it (version {current})")]
    PreconditionFailed { current: u64 },
    /// 422 `invalid_transition`.
    #[error("{0}")]
    InvalidTransition(String),
    /// 422 `reschedule_window_closed`.
    #[error(
        "less than 24 hours before the session, a client can no longer reschedule; cancel instead"
    )]
    RescheduleWindowClosed,
    /// 422 `no_evaluations`.
    #[error("the review period has no evaluations")]
    NoEvaluations,
    /// 422 with a rule-specific `code` (e.g. `invalid_evaluation_link`, `not_a_review_session`).
    #[error("{detail}")]
    Unprocessable { code: &'static str, detail: String },
    /// 413 `payload_too_large`.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 422 `idempotency_key_reused`.
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyKeyReused,
    /// 503 `store_unavailable` with `Retry-After`: the store is unreachable, too slow or
    /// throttling. The detail goes to the log, never to the caller.
    #[error("the store is unavailable: {0}")]
    StoreUnavailable(String),
    /// 500 `internal`: details go to the log, never to the caller.
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::Forbidden(msg.into())
    }
    pub fn conflict(msg: impl Into<String>) -> Self {
        Self::Conflict(msg.into())
    }
    pub fn invalid_transition(msg: impl Into<String>) -> Self {
        Self::InvalidTransition(msg.into())
    }
}

/// Collects field errors so a request reports all its problems at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }
    /// Keeps the value when `r` is Ok, records the error under `field` otherwise.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }
    pub fn finish(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self.0))
        }
    }
}
