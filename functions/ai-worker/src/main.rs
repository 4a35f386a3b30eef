//! The AI generation worker as a Lambda function fed by the generation queue (SQS, partial batch
//! failures): wiring only. The generator and the SDK clients are built once, before the
//! runtime loop; every batch is handled by `coaching_ai_worker::handle`.

use aws_lambda_events::event::sqs::SqsEvent;
use coaching_aws::lambda::{Aws, TABLE_VAR, init_logging, required};
use coaching_domain::ports::{Outbound, WorkerStore};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_logging();
    let table = required(TABLE_VAR)?;
    // Checked before anything else is built: a bad provider setting stops the start, naming
    // the variable (never the key).
    let generator = coaching_ai::generator_from_env()?;
    tracing::info!(
        provider = generator.provider(),
        model = generator.model(),
        "generator ready"
    );
    // No publisher: the coach's coaching_ready goes into the outbox and the job functions
    // publish it. No queue: the worker hands nothing over (the reminder function's sweep
    // resends due records).
    let services = Aws::connect(&table).await.services(
        |store| store as Arc<dyn WorkerStore>,
        None,
        None,
        Outbound::new(coaching_http::session_event_view),
    );
    let (services, generator) = (&services, generator.as_ref());
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(coaching_ai_worker::handle(services, generator, event.payload).await)
    }))
    .await
}
