//! The scheduled jobs on AWS: `functions/reminders` and `functions/reschedule-expiry` are each a
//! `lambda_runtime` function invoked by an EventBridge schedule (rate 1 minute). Both take `now`
//! from the event's `time`, so a delayed or retried invocation does the work of its own minute,
//! and both end by publishing the outbox to EventBridge through [`EventBridgePublisher`].
//!
//! Wiring only: the jobs themselves are domain use cases (`Services::run_job`).

mod publisher;

pub use publisher::{EventBridgePublisher, MAX_ENTRIES_PER_PUT, SOURCE};

use chrono::{DateTime, Utc};
use coaching_domain::ports::{Clock, Ports};
use coaching_domain::service::{Job, JobRun, Outcome, Services};
use coaching_http::clock::{SystemClock, UlidIds};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::{Value, json};
use std::sync::Arc;

pub type Error = lambda_runtime::Error;

/// The instant a job invocation runs at: the scheduled event's `time` (RFC 3339). An event
/// without one (a manual test invoke with `{}`) runs at the clock's now; a `time` that is not an
/// instant is refused, so a malformed event never does the work of a wrong minute.
pub fn event_time(event: &Value, clock: &dyn Clock) -> Result<DateTime<Utc>, Error> {
    match event.get("time") {
        None | Some(Value::Null) => Ok(clock.now()),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("the event's time {s:?} is not an RFC 3339 instant: {e}").into()),
        Some(other) => Err(format!("the event's time {other} is not a string").into()),
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

/// One invocation: runs `job` at the event's time.
pub async fn handle(
    services: &Services,
    job: Job,
    event: LambdaEvent<Value>,
) -> Result<Value, Error> {
    let now = event_time(&event.payload, &SystemClock)?;
    let run = services
        .run_job(job, now)
        .await
        .map_err(|e| format!("{} job failed: {e}", job.as_str()))?;
    let summary = summary(&run);
    tracing::info!(job = job.as_str(), %now, summary = %summary, "job ran");
    Ok(summary)
}

/// The function's main: JSON logs, the DynamoDB store (`COACHING_TABLE`) and the EventBridge
/// publisher (`COACHING_EVENT_BUS`) built once, then the runtime loop.
pub async fn serve(job: Job) -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_current_span(false)
        .without_time()
        .init();
    let table = std::env::var("COACHING_TABLE").map_err(|_| "COACHING_TABLE is not set")?;
    let bus = std::env::var("COACHING_EVENT_BUS").map_err(|_| "COACHING_EVENT_BUS is not set")?;
    // One SdkConfig (one HTTP client, environment credentials) for both SDK clients.
    let config = coaching_aws::sdk_config().await;
    let store = coaching_aws::DynamoStore::from_config(&config, &table);
    let services = Services::new(Ports {
        store: Arc::new(store),
        clock: Arc::new(SystemClock),
        ids: Arc::new(UlidIds::new()),
        events: Some(Arc::new(EventBridgePublisher::new(
            aws_sdk_eventbridge::Client::new(&config),
            &bus,
        ))),
        queue: None,
    });
    let services = &services;
    lambda_runtime::run(service_fn(move |event| handle(services, job, event))).await
}
