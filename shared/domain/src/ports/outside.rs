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

/// Renders a session as an admin sees it through the API, minus its private notes: the
/// `data.session` of org events (the HTTP layer's session document, so that receivers get
/// what `GET /v1/sessions/{id}` shows).
pub type SessionView = fn(&crate::session::Session) -> serde_json::Value;

/// One attempt to hand an event to an endpoint.
#[derive(Debug, Clone, Copy)]
pub struct OutboundRequest<'a> {
    pub url: &'a str,
    /// The `webhook-id`: the event's id, the same on every attempt.
    pub event_id: &'a str,
    /// The exact bytes sent (and signed).
    pub payload: &'a str,
    /// Every secret to sign with, the current one first.
    pub secrets: &'a [&'a str],
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// A 2xx answer.
    Succeeded,
    /// `410 Gone`: the endpoint is disabled at once.
    Gone,
    /// Anything else (another status, a redirect, a timeout, a refused address, …).
    Failed,
}

/// What an attempt got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundResult {
    pub outcome: SendOutcome,
    pub status_code: Option<u16>,
    pub duration_ms: u64,
    pub error: Option<String>,
    /// At most [`crate::outbound::RESPONSE_BODY_BYTES`] of the answer.
    pub response_body: Option<String>,
    /// A `Retry-After` the receiver sent with a 429 or 503.
    pub retry_after: Option<chrono::Duration>,
}

/// Sends delivery attempts: POSTs the payload signed as Standard Webhooks prescribe, with
/// `webhook-timestamp` from the real time (never the test clock), refusing unsafe addresses
/// at connection time.
#[async_trait]
pub trait WebhookSender: Send + Sync {
    async fn send(&self, request: OutboundRequest<'_>) -> OutboundResult;
}

/// Hands deliveries to a worker after the commit that made them due: an SQS queue on AWS, the
/// in-process worker's wake-up locally. The delivery record is the truth; a lost hand-over is
/// found through the due index by the minute schedule.
#[async_trait]
pub trait DeliveryQueue: Send + Sync {
    async fn enqueue(&self, deliveries: &[crate::outbound::Delivery]);
}

/// What a process needs for org events and their deliveries.
#[derive(Clone)]
pub struct Outbound {
    pub session_view: SessionView,
    /// Only where deliveries are attempted (`coaching-local`, the deliveries function).
    pub sender: Option<Arc<dyn WebhookSender>>,
    /// Where new and due deliveries are handed; `None`: the due index alone (tests drain it).
    pub queue: Option<Arc<dyn DeliveryQueue>>,
    /// `COACHING_WEBHOOK_ALLOW_PRIVATE=1`: endpoints may point at loopback and private
    /// addresses (development and tests only; never on AWS).
    pub allow_private: bool,
}

impl Outbound {
    /// Events rendered with `session_view`; no sender, no queue.
    pub fn new(session_view: SessionView) -> Self {
        Self {
            session_view,
            sender: None,
            queue: None,
            allow_private: false,
        }
    }
}
