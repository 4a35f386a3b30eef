//! The reminder job (docs/api.md#notifications-reminders-and-jobs) as a Lambda function: an EventBridge schedule invokes it every minute;
//! it delivers the reminders due at the event's time and publishes the outbox to EventBridge,
//! then (with `COACHING_QUEUE_URL`, which the template sets for this function only) sends the
//! AI generations due at that time to the generation queue again (docs/api.md#review-sessions-and-ai-generation, the sweep).

#[tokio::main]
async fn main() -> Result<(), coaching_jobs::Error> {
    coaching_jobs::serve(coaching_domain::service::Job::Reminders).await
}
