//! The API Lambda function: wiring only. SDK clients and adapters are built once, before the
//! runtime loop; every invocation is served by the shared Router.

use coaching_api::ClaimsAuthenticator;
use coaching_domain::ports::Ports;
use coaching_domain::service::Services;
use coaching_http::clock::{SystemClock, UlidIds};
use coaching_http::{AppState, router};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_current_span(false)
        .without_time()
        .init();
    let table = std::env::var("COACHING_TABLE").map_err(|_| "COACHING_TABLE is not set")?;
    // One SdkConfig (one HTTP client, environment credentials) for every SDK client.
    let aws = coaching_aws::sdk_config().await;
    let store = coaching_aws::DynamoStore::from_config(&aws, &table);
    let services = Services::new(Ports {
        store: Arc::new(store),
        clock: Arc::new(SystemClock),
        ids: Arc::new(UlidIds::new()),
        // No relay here: an admin's job run writes notifications and their outbox events, and
        // the scheduled job functions publish those to EventBridge within a minute (this
        // function has neither an EventBridge client nor the right to delete outbox items).
        events: None,
        // `generate` sends the generation's id to the SQS queue coaching-ai-worker consumes
        // (the template sets COACHING_QUEUE_URL); without it the reminder function's sweep
        // hands queued generations over within a minute or two.
        queue: std::env::var("COACHING_QUEUE_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
            .map(|url| {
                Arc::new(coaching_aws::SqsQueue::from_config(&aws, &url))
                    as Arc<dyn coaching_domain::ports::GenerationQueue>
            }),
    });
    // The test clock is never on in AWS.
    let app = router(AppState {
        services,
        auth: Arc::new(ClaimsAuthenticator),
        test_clock: None,
        // Evaluation deliveries go to the coaching-webhooks function on AWS; the master secret
        // is here so that GET /v1/org/webhook-secret can show an org's admins their derived one.
        webhook_secret: std::env::var("COACHING_WEBHOOK_SECRET")
            .ok()
            .filter(|s| coaching_http::webhook_secret_is_valid(s))
            .map(Into::into),
        // Optional (a custom domain with a base path): else the feed URL is built from the
        // request's Host and X-Forwarded-Proto, which API Gateway sets.
        public_url: std::env::var("COACHING_PUBLIC_URL")
            .ok()
            .and_then(|u| coaching_http::public_url(&u))
            .map(Into::into),
    });
    lambda_http::run(app).await
}
