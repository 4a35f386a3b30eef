//! The reminder job (§9) as a Lambda function: an EventBridge schedule invokes it every minute;
//! it delivers the reminders due at the event's time and publishes the outbox to EventBridge.

#[tokio::main]
async fn main() -> Result<(), coaching_jobs::Error> {
    coaching_jobs::serve(coaching_domain::service::Job::Reminders).await
}
