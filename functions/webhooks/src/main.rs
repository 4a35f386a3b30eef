//! The webhooks Lambda function: wiring only. It serves `POST /v1/orgs/{orgId}/webhooks/evaluations`
//! (Standard Webhooks signatures, no authorizer in front) through the shared webhook Router; SDK
//! clients and adapters are built once, before the runtime loop.

use coaching_domain::ports::Ports;
use coaching_domain::service::Services;
use coaching_http::clock::{SystemClock, UlidIds};
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
    // Checked before anything else is built: a bad secret stops the start, naming the variable.
    let webhook_secret = coaching_webhooks::webhook_secret_from_env()?;
    if webhook_secret.is_none() {
        tracing::warn!(
            "{} is not set: only orgs with a secret of their own can deliver",
            coaching_webhooks::WEBHOOK_SECRET_VAR
        );
    }
    // One SdkConfig (one HTTP client, environment credentials) for the DynamoDB client.
    let aws = coaching_aws::sdk_config().await;
    let store = coaching_aws::DynamoStore::from_config(&aws, &table);
    let services = Services::new(Ports {
        store: Arc::new(store),
        clock: Arc::new(SystemClock),
        ids: Arc::new(UlidIds::new()),
        // Deliveries write evaluations only: no notifications, nothing to publish.
        events: None,
        queue: None,
    });
    lambda_http::run(coaching_webhooks::app(services, webhook_secret)).await
}
