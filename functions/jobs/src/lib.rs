//! The scheduled jobs on AWS: `functions/reminders` and `functions/reschedule-expiry` are each a
//! `lambda_runtime` function invoked by an EventBridge schedule (rate 1 minute). Both take `now`
//! from the event's `time`, so a delayed or retried invocation does the work of its own minute,
//! and both end by publishing the outbox to EventBridge through
//! [`coaching_aws::EventBridgePublisher`].
//!
//! The generation sweep (docs/api.md#review-sessions-and-ai-generation) runs after the job in a function whose process has a generation
//! queue: with `COACHING_QUEUE_URL` set (the template gives it, and `sqs:SendMessage` on the
//! queue, to the reminder function only) every due generation (queued and not taken up, or
//! running under a lapsed claim) is sent to SQS again, so the AI worker takes it up.
//!
//! Wiring only: the jobs themselves are domain use cases (`Services::run_job`,
//! `Services::resend_due_generations`).

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use coaching_aws::lambda::{Aws, ConfigError, TABLE_VAR, init_logging, optional, required};
use coaching_aws::{EventBridgePublisher, eventbridge_client};
use coaching_domain::ports::{Clock, JobStore, Outbound};
use coaching_domain::service::{Job, JobRun, Outcome, Services};
use coaching_runtime::SystemClock;
use lambda_runtime::{LambdaEvent, service_fn};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

pub type Error = lambda_runtime::Error;

/// What invokes a job: the EventBridge schedule's event, whose `time` is the minute it runs
/// for, or a manual test invoke with `{}` (the console's default), which runs at the clock's now.
#[derive(Debug, Clone)]
pub enum JobEvent {
    Scheduled(Box<EventBridgeEvent>),
    Manual,
}

impl JobEvent {
    /// The instant the invocation runs at: the scheduled event's `time`, else the clock's now.
    pub fn time(&self, clock: &dyn Clock) -> DateTime<Utc> {
        match self {
            Self::Scheduled(event) => event.time.unwrap_or_else(|| clock.now()),
            Self::Manual => clock.now(),
        }
    }
}

/// `{}` is a manual invoke; anything else must be a scheduled event, and one that is not (a
/// `time` that is not an RFC 3339 instant, say) is refused with what is wrong, so that a
/// malformed event never does the work of a wrong minute.
impl<'de> Deserialize<'de> for JobEvent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if value.as_object().is_some_and(|o| o.is_empty()) {
            return Ok(Self::Manual);
        }
        serde_json::from_value(value)
            .map(|event| Self::Scheduled(Box::new(event)))
            .map_err(|e| {
                serde::de::Error::custom(format!(
                    "neither an EventBridge scheduled event ({e}) nor a manual invoke ({{}})"
                ))
            })
    }
}

/// What the function answers (and logs): counts, and the handled records by id.
pub fn summary(run: &JobRun) -> Value {
    let count = |f: &dyn Fn(&Outcome) -> bool| run.actions.iter().filter(|a| f(&a.outcome)).count();
    json!({
        "job": run.job.as_str(),
        "now": run.now,
        "due": run.actions.len(),
        "reminded": count(&|o| matches!(o, Outcome::Reminded(_))),
        "dropped": count(&|o| matches!(o, Outcome::Dropped(_))),
        "expired": count(&|o| matches!(o, Outcome::Expired(_))),
        "skipped": run.skipped(),
        "notifications": run.notifications(),
        "eventsPublished": run.relay.published(),
        "eventsFailed": run.relay.failed(),
    })
}

/// One invocation: runs `job` at the event's time, then the generation sweep (nothing without a
/// queue). Each runs whatever the other did; the invocation fails when either failed, so that
/// Lambda's error metric shows it (both are idempotent, a retried invocation is harmless).
pub async fn handle<S: JobStore + ?Sized>(
    services: &Services<S>,
    job: Job,
    event: LambdaEvent<JobEvent>,
) -> Result<Value, Error> {
    let now = event.payload.time(&SystemClock);
    let run = services.run_job(job, now).await;
    let swept = services.resend_due_generations(now).await;
    // Due webhook deliveries (retries, and new ones whose hand-over after the commit was lost)
    // to the delivery queue: nothing without one.
    match services.resend_due_deliveries(now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            resent = n,
            "due webhook deliveries handed to the delivery queue"
        ),
        Err(e) => tracing::error!(%now, error = %e, "webhook delivery hand-over failed"),
    }
    let mut summary = match &run {
        Ok(run) => summary(run),
        Err(e) => {
            tracing::error!(job = job.as_str(), %now, error = %e, "job failed");
            json!({"job": job.as_str(), "now": now})
        }
    };
    match &swept {
        Ok(n) => summary["generationsResent"] = json!(n),
        Err(e) => tracing::error!(%now, error = %e, "generation sweep failed"),
    }
    if run.is_ok() {
        tracing::info!(job = job.as_str(), %now, summary = %summary, "job ran");
    }
    match (run, swept) {
        (Ok(_), Ok(_)) => Ok(summary),
        (Err(e), _) => Err(format!("{} job failed: {e}", job.as_str()).into()),
        (Ok(_), Err(e)) => Err(format!("generation sweep failed: {e}").into()),
    }
}

/// The variable naming the generation queue; optional: without it the sweep does nothing.
pub const QUEUE_URL_VAR: &str = "COACHING_QUEUE_URL";
/// The variable naming the webhook delivery queue; optional: without it no delivery is handed
/// over (the template gives it, and `sqs:SendMessage` on the queue, to the reminder function).
pub const DELIVERY_QUEUE_URL_VAR: &str = "COACHING_DELIVERY_QUEUE_URL";
/// The variable naming the EventBridge bus the outbox is published to.
pub const EVENT_BUS_VAR: &str = "COACHING_EVENT_BUS";

/// A job function's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub table: String,
    pub event_bus: String,
    /// Only the reminder function's template gives it (and `sqs:SendMessage`).
    pub queue_url: Option<String>,
    /// The same for the webhook delivery queue.
    pub delivery_queue_url: Option<String>,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            table: required(TABLE_VAR)?,
            event_bus: required(EVENT_BUS_VAR)?,
            queue_url: optional(QUEUE_URL_VAR),
            delivery_queue_url: optional(DELIVERY_QUEUE_URL_VAR),
        })
    }
}

/// The function's main: JSON logs, the DynamoDB store, the EventBridge publisher and, with a
/// queue URL, the SQS generation queue built once, then the runtime loop.
pub async fn serve(job: Job) -> Result<(), Error> {
    init_logging();
    let config = Config::from_env()?;
    let aws = Aws::connect(&config.table).await;
    let queue = config.queue_url.as_deref().map(|url| aws.queue(url));
    let events = EventBridgePublisher::new(eventbridge_client(&aws.sdk), &config.event_bus);
    let services = aws.services(
        |store| store as Arc<dyn JobStore>,
        Some(Arc::new(events)),
        queue,
        Outbound {
            queue: config
                .delivery_queue_url
                .as_deref()
                .map(|url| aws.delivery_queue(url)),
            ..Outbound::new(coaching_http::session_event_view)
        },
    );
    let services = &services;
    lambda_runtime::run(service_fn(move |event| handle(services, job, event))).await
}
