//! The webhooks Lambda function: wiring only. It serves `POST /v1/orgs/{orgId}/webhooks/evaluations`
//! (Standard Webhooks signatures, no authorizer in front) through the shared webhook Router; SDK
//! clients and adapters are built once, before the runtime loop.

use coaching_aws::lambda::{Aws, TABLE_VAR, init_logging, required};
use coaching_domain::ports::{DeliveryStore, Outbound};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    init_logging();
    let table = required(TABLE_VAR)?;
    // Checked before anything else is built: a bad secret stops the start, naming the variable.
    let webhook_secret = coaching_webhooks::webhook_secret_from_env()?;
    if webhook_secret.is_none() {
        tracing::warn!(
            "{} is not set: only orgs with a secret of their own can deliver",
            coaching_webhooks::WEBHOOK_SECRET_VAR
        );
    }
    // Deliveries write evaluations only: no notifications to publish, nothing to queue.
    let services = Aws::connect(&table).await.services(
        |store| store as Arc<dyn DeliveryStore>,
        None,
        None,
        Outbound::new(coaching_http::session_event_view),
    );
    lambda_http::run(coaching_webhooks::app(services, webhook_secret)).await
}
