//! The reschedule-expiry job (docs/api.md#rescheduling and docs/api.md#notifications-reminders-and-jobs) as a Lambda function: an EventBridge schedule invokes it
//! every minute; it expires the requests due at the event's time and publishes the outbox.

#[tokio::main]
async fn main() -> Result<(), coaching_jobs::Error> {
    coaching_jobs::serve(coaching_domain::service::Job::RescheduleExpiry).await
}
