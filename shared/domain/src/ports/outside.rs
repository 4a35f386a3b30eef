//! The ports that are not the store: the clock, ids, the generator, the generation queue and
//! the event publisher.

use super::*;
use crate::generation::GenerationJob;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// The only source of "now" for every rule and job.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// New unique, roughly time-ordered identifiers (ULIDs in every adapter).
pub trait IdGenerator: Send + Sync {
    fn new_id(&self) -> String;
}

/// A generation that produced nothing usable: the reason, fit to show the coach (never a key or
/// a provider's raw reply), and how many attempts were made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason} (after {attempts} attempt(s))")]
pub struct GenerateError {
    pub reason: String,
    pub attempts: u32,
}

/// Writes coaching from evaluations: the builtin generator or an OpenAI-compatible provider.
#[async_trait]
pub trait Generator: Send + Sync {
    /// `builtin` or `openai` (what `generation.provider` shows).
    fn provider(&self) -> &str;
    /// The model named (`generation.model`); `None` for the builtin generator.
    fn model(&self) -> Option<&str>;
    /// Generates for `input`. An adapter MUST make at most 3 attempts, retrying only what may
    /// succeed later (429, 5xx, timeouts, unreadable replies) with backoff, and MUST end its
    /// last attempt within 60 s of its first. Its output need not be grounded: the caller drops
    /// whatever `input` does not contain ([`crate::generation::ground`]).
    async fn generate(
        &self,
        input: &crate::generation::GenerationInput,
    ) -> Result<crate::generation::GenerationOutput, GenerateError>;
}

/// Hands queued generations to a worker: SQS on AWS (and locally with `COACHING_QUEUE_URL`), the
/// in-process worker otherwise. The generation record is the truth; the queue carries its id.
#[async_trait]
pub trait GenerationQueue: Send + Sync {
    /// Hands `job` (its org and id) to a worker. An adapter logs its own failures: the record is
    /// due, and the sweep hands it over again.
    async fn enqueue(&self, job: &GenerationJob) -> Result<(), String>;
    /// How long a handed-over record waits for its worker before the sweep sends it again
    /// (zero for the in-process queue, whose worker reads the due index itself).
    fn resend_after(&self) -> chrono::Duration;
}

/// Where events go: EventBridge in AWS, the log locally.
#[async_trait]
pub trait EventPublisher: Send + Sync {
    /// Publishes `events`; returns, per event (same order), whether it was accepted. An event
    /// that was not stays in the outbox and is published by a later run.
    async fn publish(&self, events: &[OutboxEvent]) -> Vec<bool>;
}
