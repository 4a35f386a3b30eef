//! Use cases: each takes the actor and a parsed command, applies the rules, and commits one
//! atomic change set through the store port.

mod coaches;
mod continuity;
mod create;
mod evaluations;
mod feedback;
mod generate;
mod inbox;
mod insights;
mod jobs;
mod lifecycle;
mod messages;
mod notify;
mod org;
mod outbound;
mod read;
mod relay;
mod reschedule;
mod review;

pub use coaches::{SlotsInputs, SlotsQuery};
pub use continuity::{
    ActionItemInput, ActionItemPatch, DEFAULT_CONTINUITY_PAGE, ListActionItems, MAX_ACTION_ITEMS,
    MAX_CONTINUITY_PAGE, TemplateInput,
};
pub use create::{CreateSession, ReviewInput};
pub use evaluations::{
    DEFAULT_EVALUATION_PAGE, EvaluationFilter, MAX_EVALUATION_PAGE, valid_webhook_id,
};
pub use feedback::MAX_REVIEW_COMMENT;
pub use generate::{LEASE_SECONDS, Processed};
pub use insights::{CalendarFeed, MAX_ANALYTICS_DAYS};
pub use jobs::{JOB_BATCH, Job, JobAction, JobRun, Outcome};
pub use lifecycle::{AgendaInput, Completed, JoinInfo, SessionPatch};
pub use messages::{DEFAULT_MESSAGE_PAGE, MAX_MESSAGE_PAGE};
pub use org::{DEFAULT_KB_PAGE, KbArticleInput, MAX_KB_PAGE};
pub use outbound::{
    Attempted, DELIVERY_BATCH, DeliveryRun, EndpointInput, EndpointPatch, ListDeliveries,
};
pub use read::{DEFAULT_PAGE, ListSessions, MAX_PAGE};
pub use relay::{RELAY_BATCH, Relayed};
pub use reschedule::{Decided, ListRequests, RescheduleCommand, Rescheduled};
pub use review::{CriterionInput, review_query, ticket_links};

use crate::error::DomainError;
use crate::ports::{Ports, StoreError};
use crate::slots::LockKey;
use chrono::{DateTime, Utc};

/// The application: every use case, over one set of ports. A use case that needs only part of
/// the store is defined for every `S` that has that part ([`crate::ports::WorkerStore`],
/// [`crate::ports::JobStore`]); the rest for the whole [`crate::ports::Store`].
#[derive(Debug)]
pub struct Services<S: ?Sized = dyn crate::ports::Store> {
    ports: Ports<S>,
}

impl<S: ?Sized> Clone for Services<S> {
    fn clone(&self) -> Self {
        Self {
            ports: self.ports.clone(),
        }
    }
}

impl<S: ?Sized> Services<S> {
    pub fn new(ports: Ports<S>) -> Self {
        Self { ports }
    }
    pub fn ports(&self) -> &Ports<S> {
        &self.ports
    }
    pub fn now(&self) -> DateTime<Utc> {
        self.ports.clock.now()
    }
    fn new_id(&self) -> String {
        self.ports.ids.new_id()
    }
}

/// Maps store failures onto the contract's errors.
pub(crate) fn store_err(e: StoreError) -> DomainError {
    match e {
        StoreError::Conflict => {
            DomainError::conflict("the session changed meanwhile; read it again and retry")
        }
        StoreError::LockTaken(LockKey::Slot { .. }) => DomainError::SlotUnavailable,
        StoreError::LockTaken(LockKey::IntroPair { .. }) => DomainError::AlreadyExists(
            "this client already has an intro call with this coach".into(),
        ),
        StoreError::IdempotencyKeyExists => {
            DomainError::conflict("a request with this Idempotency-Key is in flight")
        }
        StoreError::Unavailable(msg) => DomainError::Internal(msg),
        StoreError::Transient(msg) => DomainError::StoreUnavailable(msg),
        StoreError::TooLarge(msg) => DomainError::PayloadTooLarge(msg),
    }
}

/// Parses an id newtype, naming the field when it is invalid.
pub(crate) fn parse_id<T, E: std::fmt::Display>(
    field: &str,
    r: Result<T, E>,
) -> Result<T, DomainError> {
    r.map_err(|e| DomainError::field(field, e.to_string()))
}
