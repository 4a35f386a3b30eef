//! The SQS adapter of the `DeliveryQueue` port ([`SqsDeliveryQueue`]): a message per webhook
//! delivery to attempt, its body `{"org": …, "deliveryId": …}` ([`delivery_message_body`], read
//! back by [`parse_delivery_message`]). The api function sends new deliveries after its commit
//! and the minute schedule sends the due ones; the `coaching-deliveries` function consumes them.
//! The delivery record is the truth: a lost message is found through the due index a minute
//! later, a repeated one finds the delivery done or leased and does nothing.
//!
//! IAM: the sender needs `sqs:SendMessage` on the delivery queue.

use crate::sqs::{describe, parse_hand_over};
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use coaching_domain::ids::{DeliveryId, OrgId};
use coaching_domain::outbound::Delivery;
use coaching_domain::ports::DeliveryQueue;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// The longest the hand-over may hold up the request whose commit made the deliveries: what is
/// not sent by then the minute schedule sends.
const SEND_BUDGET: Duration = Duration::from_secs(3);
/// SQS's bound on one `SendMessageBatch`.
const BATCH: usize = 10;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    org: String,
    delivery_id: String,
}

/// The body of the message handing over delivery `id` of `org`.
pub fn delivery_message_body(org: &OrgId, id: &DeliveryId) -> String {
    serde_json::json!({"org": org.as_str(), "deliveryId": id.as_str()}).to_string()
}

/// The delivery a message body names; fields beyond the two are ignored, anything else is an
/// error saying what is wrong, never quoting the body.
pub fn parse_delivery_message(body: &str) -> Result<(OrgId, DeliveryId), String> {
    let parsed: Body = parse_hand_over(body, "delivery", "org or deliveryId")?;
    let org = OrgId::parse(parsed.org).map_err(|e| format!("invalid org in the message: {e}"))?;
    let id = DeliveryId::parse(parsed.delivery_id)
        .map_err(|e| format!("invalid deliveryId in the message: {e}"))?;
    Ok((org, id))
}

/// Sends delivery ids to the delivery queue.
#[derive(Clone)]
pub struct SqsDeliveryQueue {
    client: Client,
    queue_url: Arc<str>,
}

impl std::fmt::Debug for SqsDeliveryQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqsDeliveryQueue")
            .field("queue_url", &self.queue_url)
            .finish()
    }
}

impl SqsDeliveryQueue {
    pub fn from_config(config: &SdkConfig, queue_url: &str) -> Self {
        Self {
            client: Client::new(config),
            queue_url: queue_url.into(),
        }
    }

    /// Sends one batch; returns how many entries SQS did not take.
    async fn send_batch(&self, deliveries: &[Delivery]) -> usize {
        let entries: Vec<SendMessageBatchRequestEntry> = deliveries
            .iter()
            .enumerate()
            .filter_map(|(n, d)| {
                SendMessageBatchRequestEntry::builder()
                    .id(n.to_string())
                    .message_body(delivery_message_body(&d.org, &d.id))
                    .build()
                    .ok()
            })
            .collect();
        let sent = self
            .client
            .send_message_batch()
            .queue_url(self.queue_url.as_ref())
            .set_entries(Some(entries))
            .send();
        match tokio::time::timeout(SEND_BUDGET, sent).await {
            Ok(Ok(out)) => out.failed().len(),
            Ok(Err(e)) => {
                tracing::warn!(queue = %self.queue_url, reason = %describe(&e), "SQS SendMessageBatch failed");
                deliveries.len()
            }
            Err(_) => {
                tracing::warn!(queue = %self.queue_url, budget = ?SEND_BUDGET, "SQS SendMessageBatch timed out");
                deliveries.len()
            }
        }
    }
}

#[async_trait]
impl DeliveryQueue for SqsDeliveryQueue {
    /// Batches of ten; what SQS does not take is logged: the deliveries are due, and the minute
    /// schedule hands them over again.
    async fn enqueue(&self, deliveries: &[Delivery]) {
        let mut lost = 0;
        for batch in deliveries.chunks(BATCH) {
            lost += self.send_batch(batch).await;
        }
        if lost > 0 {
            tracing::warn!(
                lost,
                "deliveries not handed to SQS: the minute schedule sends them once due"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_names_its_delivery_and_parses_back() {
        let (org, id) = (
            OrgId::parse("acme").unwrap(),
            DeliveryId::parse("wd_01J").unwrap(),
        );
        let body = delivery_message_body(&org, &id);
        assert_eq!(parse_delivery_message(&body).unwrap(), (org, id));
    }

    #[test]
    fn garbage_is_rejected_without_being_quoted() {
        assert!(parse_delivery_message("").is_err());
        for body in [
            "{",
            "[]",
            r#"{"org":"a"}"#,
            r#"{"org":"a b","deliveryId":"x"}"#,
            "secret-token",
        ] {
            let err = parse_delivery_message(body).unwrap_err();
            assert!(!err.contains(body), "{err}");
        }
    }
}
