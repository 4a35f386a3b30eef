//! The domain's [`WebhookSender`] port on [`Sender`]: the attempt's `webhook-timestamp` is the
//! real time of the attempt (the system clock, never the test clock: receivers check it against
//! theirs).

use crate::sender::{AttemptRequest, Outcome, Sender};
use async_trait::async_trait;
use coaching_domain::ports::{OutboundRequest, OutboundResult, SendOutcome, WebhookSender};
use std::time::{SystemTime, UNIX_EPOCH};

#[async_trait]
impl WebhookSender for Sender {
    async fn send(&self, request: OutboundRequest<'_>) -> OutboundResult {
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        let attempt = self
            .attempt(AttemptRequest {
                url: request.url,
                msg_id: request.event_id,
                timestamp,
                payload: request.payload.as_bytes(),
                secrets: request.secrets,
            })
            .await;
        OutboundResult {
            outcome: match attempt.outcome {
                Outcome::Succeeded => SendOutcome::Succeeded,
                Outcome::Gone => SendOutcome::Gone,
                Outcome::Failed => SendOutcome::Failed,
            },
            status_code: attempt.status_code,
            duration_ms: attempt.duration_ms,
            error: attempt.error,
            response_body: attempt.response_body,
            retry_after: attempt
                .retry_after
                .and_then(|wait| chrono::Duration::from_std(wait).ok()),
        }
    }
}
