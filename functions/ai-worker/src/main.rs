//! The AI generation worker as a Lambda function fed by the generation queue (SQS, partial batch
//! failures): wiring only. The generator and the SDK clients are built once, before the
//! runtime loop; every batch is handled by `coaching_ai_worker::handle`.

use aws_lambda_events::event::sqs::SqsEvent;
use coaching_domain::ports::Ports;
use coaching_domain::service::Services;
use coaching_http::clock::{SystemClock, UlidIds};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_current_span(false)
        .without_time()
        .init();
    let table = std::env::var("COACHING_TABLE").map_err(|_| "COACHING_TABLE is not set")?;
    // Checked before anything else is built: a bad provider setting stops the start, naming
    // the variable (never the key).
    let generator = coaching_ai::generator_from_env()?;
    tracing::info!(
        provider = generator.provider(),
        model = generator.model(),
        "generator ready"
    );
    // One SdkConfig (one HTTP client, environment credentials) for the DynamoDB client.
    let aws = coaching_aws::sdk_config().await;
    let store = coaching_aws::DynamoStore::from_config(&aws, &table);
    let services = Services::new(Ports {
        store: Arc::new(store),
        clock: Arc::new(SystemClock),
        ids: Arc::new(UlidIds::new()),
        // The coach's coaching_ready goes into the outbox; the job functions publish it.
        events: None,
        // The worker hands nothing over: the reminder function's sweep resends due records.
        queue: None,
    });
    let (services, generator) = (&services, generator.as_ref());
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(coaching_ai_worker::handle(services, generator, event.payload).await)
    }))
    .await
}
