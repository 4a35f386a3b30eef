//! Outbound webhook deliveries on AWS (docs/api.md#org-events-and-outbound-webhooks): SQS hands it batches of
//! `{"org", "deliveryId"}` messages (the api function's after a commit, the minute schedule's
//! for due retries and lost hand-overs); each record is one `Services::attempt_delivery`, all
//! of a batch at once, and the answer is an `SqsBatchResponse` naming only the records that
//! should come back (`ReportBatchItemFailures` on the event source mapping).
//!
//! What each record's outcome means for its message:
//! - attempted, or nothing to do (unknown, not pending, not due yet, or another worker's lease
//!   holds): success, SQS deletes the message. The delivery record says what comes next; a due
//!   retry is handed over again by the minute schedule.
//! - a store error: failed, SQS delivers the message again after the visibility timeout.
//! - a poison message (a body that is not a delivery message): failed too, deliberately, so
//!   that after [`MAX_RECEIVES`] receives it rests in the dead-letter queue (with its alarm)
//!   for whoever looks into it.
//!
//! This is the only function that reaches addresses outside AWS: it alone holds the webhook
//! sender, and its role may only read and write the table and receive from its queue.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use coaching_domain::ports::SenderStore;
use coaching_domain::service::{Attempted, Services};
use futures_util::future::join_all;

/// The delivery queue's `maxReceiveCount` (infra/template.yaml).
pub const MAX_RECEIVES: u32 = 3;

/// What became of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Attempted, or nothing to do: the message may go.
    Done(Attempted),
    /// The body is no delivery message (the reason): reported failed, to end in the DLQ.
    Poison(String),
    /// The store failed (the error): reported failed, to be received again.
    Failed(String),
}

impl Outcome {
    pub fn is_failure(&self) -> bool {
        !matches!(self, Outcome::Done(_))
    }
}

/// Handles one record: parses its body and attempts the delivery it names.
pub async fn process<S: SenderStore + ?Sized>(
    services: &Services<S>,
    record: &SqsMessage,
) -> Outcome {
    let message_id = record.message_id.as_deref().unwrap_or("");
    let receives = coaching_aws::receive_count(&record.attributes);
    let (org, id) = match coaching_aws::parse_delivery_message(record.body.as_deref().unwrap_or(""))
    {
        Ok(ids) => ids,
        Err(reason) => {
            // Never the body itself: it is not ours, and may be anything.
            tracing::error!(
                message_id,
                receives,
                last = receives >= MAX_RECEIVES,
                reason = %reason,
                "poison message: not a delivery message; reported failed so that it ends in the \
                 dead-letter queue"
            );
            return Outcome::Poison(reason);
        }
    };
    match services.attempt_delivery(&org, &id).await {
        Ok(Attempted::Done(d)) => {
            tracing::info!(
                message_id, org = %org, delivery = %d.id, event = %d.event_id,
                status = d.status.as_str(), attempts = d.attempts.len(),
                "webhook delivery attempted"
            );
            Outcome::Done(Attempted::Done(d))
        }
        Ok(other) => {
            tracing::info!(message_id, org = %org, delivery = %id, outcome = ?other, "nothing to do");
            Outcome::Done(other)
        }
        Err(e) => {
            tracing::warn!(
                message_id, receives, org = %org, delivery = %id, error = %e,
                "delivery failed; the message comes back after the visibility timeout"
            );
            Outcome::Failed(e.to_string())
        }
    }
}

/// One invocation: every record of the batch at once (each is its own receiver, and a slow one
/// must not hold up the rest); the failed ones by message id.
pub async fn handle<S: SenderStore + ?Sized>(
    services: &Services<S>,
    event: SqsEvent,
) -> SqsBatchResponse {
    let outcomes = join_all(event.records.iter().map(|record| process(services, record))).await;
    coaching_aws::lambda::batch_response(&event.records, &outcomes, Outcome::is_failure)
}
