//! The outbound webhook deliveries as a Lambda function fed by the delivery queue (SQS, partial
//! batch failures): wiring only. The sender (its HTTP client with the address guard) and the
//! SDK clients are built once, before the runtime loop; every batch is handled by
//! `coaching_deliveries::handle`.

use aws_lambda_events::event::sqs::SqsEvent;
use coaching_aws::lambda::{Aws, TABLE_VAR, init_logging, required};
use coaching_domain::ports::{Outbound, SenderStore};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_logging();
    let table = required(TABLE_VAR)?;
    // Never private addresses on AWS: COACHING_WEBHOOK_ALLOW_PRIVATE is not read here.
    let sender = coaching_outbound::Sender::new(coaching_outbound::SenderConfig::default())?;
    // No publisher (a disabled endpoint's event waits in the outbox for the job functions), no
    // queue (due retries are the minute schedule's to hand over).
    let outbound = Outbound {
        sender: Some(Arc::new(sender)),
        ..Outbound::new(coaching_http::session_event_view)
    };
    let services = Aws::connect(&table).await.services(
        |store| store as Arc<dyn SenderStore>,
        None,
        None,
        outbound,
    );
    let services = &services;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(coaching_deliveries::handle(services, event.payload).await)
    }))
    .await
}
