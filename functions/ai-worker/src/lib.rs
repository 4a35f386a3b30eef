//! The AI generation worker on AWS (docs/api.md#review-sessions-and-ai-generation): SQS hands it batches of `{"org", "generationId"}`
//! messages; each record is handled on its own (concurrently, never `records[0]`) by
//! `Services::process_generation`, and the answer is an `SqsBatchResponse` naming only the
//! records that should come back (`ReportBatchItemFailures` on the event source mapping).
//!
//! What each record's outcome means for its message:
//! - processed (`Finished`, `Skipped`: unknown or already finished, `Busy`: another worker's
//!   claim holds): success, SQS deletes the message. A redelivered message for a finished
//!   generation is `Skipped` and writes nothing. For `Busy` nothing is lost: the record stays
//!   due at its lease's end and the reminder function's sweep hands it over again then.
//! - a store error: failed, SQS delivers the message again after the visibility timeout.
//! - a poison message (a body that is not a generation message): failed too, deliberately,
//!   not deleted: nothing can ever process it, and after the queue's `maxReceiveCount`
//!   ([`MAX_RECEIVES`]) receives SQS moves it to the dead-letter queue, where it stays (14
//!   days) for whoever looks into the DLQ alarm. Two wasted receives are the price of keeping it.
//!
//! After the last receive the DLQ keeps the message, and the generation still ends: a record
//! that is not finished is due (queued: `due_at`; running: its lease's end), so the sweep sends
//! it again as a fresh message; every claim counts, and `process_generation` fails a generation
//! whose claims reached `MAX_CLAIMS` (3) with "did not finish after 3 attempts". Only a store
//! that stays down keeps it queued, and nothing could be written then anyway.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use coaching_domain::error::DomainError;
use coaching_domain::ports::{Generator, WorkerStore};
use coaching_domain::service::{Processed, Services};
use futures_util::future::join_all;

pub use coaching_aws::RECEIVE_COUNT;
/// The queue's `maxReceiveCount` (infra/template.yaml): a message reported failed on this
/// receive goes to the dead-letter queue instead of coming back.
pub const MAX_RECEIVES: u32 = 3;

/// What became of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Processed: the message may go.
    Done(Processed),
    /// The body is no generation message (the reason): reported failed, so that it ends in
    /// the dead-letter queue.
    Poison(String),
    /// The store failed (the error): reported failed, to be received again.
    Failed(String),
}

impl Outcome {
    /// Whether the record is reported in `batchItemFailures`.
    pub fn is_failure(&self) -> bool {
        !matches!(self, Outcome::Done(_))
    }
}

/// The record's receive count; 1 when SQS did not say (a hand-written test event).
pub fn receive_count(record: &SqsMessage) -> u32 {
    coaching_aws::receive_count(&record.attributes)
}

/// The outcome of `process_generation`'s result.
pub fn outcome(result: Result<Processed, DomainError>) -> Outcome {
    match result {
        Ok(processed) => Outcome::Done(processed),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// Handles one record: parses its body and processes the generation it names.
pub async fn process<S: WorkerStore + ?Sized>(
    services: &Services<S>,
    generator: &dyn Generator,
    record: &SqsMessage,
) -> Outcome {
    let message_id = record.message_id.as_deref().unwrap_or("");
    let receives = receive_count(record);
    let last = receives >= MAX_RECEIVES;
    let (org, id) = match coaching_aws::parse_message(record.body.as_deref().unwrap_or("")) {
        Ok(ids) => ids,
        Err(reason) => {
            // Never the body itself: it is not ours, and may be anything.
            tracing::error!(
                message_id,
                receives,
                last,
                reason = %reason,
                "poison message: not a generation message; reported failed so that it ends in \
                 the dead-letter queue"
            );
            return Outcome::Poison(reason);
        }
    };
    let outcome = outcome(services.process_generation(generator, &org, &id).await);
    match &outcome {
        Outcome::Done(Processed::Finished(status)) => tracing::info!(
            message_id, receives, org = %org, generation = %id, status = ?status,
            "generation finished"
        ),
        Outcome::Done(Processed::Skipped) => tracing::info!(
            message_id, receives, org = %org, generation = %id,
            "nothing to do: unknown, already finished, or claimed meanwhile"
        ),
        Outcome::Done(Processed::Busy(until)) => tracing::info!(
            message_id, receives, org = %org, generation = %id, lease_until = %until,
            "another worker's claim holds; the sweep hands the generation over again after it"
        ),
        Outcome::Failed(error) if last => tracing::error!(
            message_id, receives, org = %org, generation = %id, error = %error,
            "processing failed on the last receive: the message goes to the dead-letter queue; the \
             sweep sends the generation again while it is due, and it fails after its last claim"
        ),
        Outcome::Failed(error) => tracing::warn!(
            message_id, receives, org = %org, generation = %id, error = %error,
            "processing failed; the message comes back after the visibility timeout"
        ),
        Outcome::Poison(_) => {}
    }
    outcome
}

/// One invocation: every record of the batch, concurrently (each is its own generation, and the
/// provider's time dominates); the failed ones by message id. A failed record without a
/// message id (SQS always gives one) is reported with an empty id, which makes Lambda retry the
/// whole batch: safe, as processing is idempotent.
pub async fn handle<S: WorkerStore + ?Sized>(
    services: &Services<S>,
    generator: &dyn Generator,
    event: SqsEvent,
) -> SqsBatchResponse {
    let outcomes = join_all(
        event
            .records
            .iter()
            .map(|record| process(services, generator, record)),
    )
    .await;
    coaching_aws::lambda::batch_response(&event.records, &outcomes, Outcome::is_failure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use coaching_domain::evaluation::GenerationStatus;

    fn record(attributes: &[(&str, &str)]) -> SqsMessage {
        let mut r = SqsMessage::default();
        r.attributes = attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        r
    }

    #[test]
    fn the_receive_count_comes_from_the_record_attributes_and_defaults_to_one() {
        assert_eq!(receive_count(&record(&[(RECEIVE_COUNT, "3")])), 3);
        assert_eq!(receive_count(&record(&[])), 1);
        assert_eq!(receive_count(&record(&[(RECEIVE_COUNT, "many")])), 1);
    }

    #[test]
    fn only_store_errors_and_poison_messages_are_failures() {
        for processed in [
            Processed::Finished(GenerationStatus::Succeeded),
            Processed::Finished(GenerationStatus::Failed),
            Processed::Skipped,
            Processed::Busy(chrono::DateTime::UNIX_EPOCH),
        ] {
            assert!(!outcome(Ok(processed)).is_failure());
        }
        let unavailable = outcome(Err(DomainError::conflict("the session kept changing")));
        assert!(unavailable.is_failure());
        assert!(Outcome::Poison("not JSON".into()).is_failure());
    }
}
