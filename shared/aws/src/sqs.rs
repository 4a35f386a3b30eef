//! The SQS adapter of the `GenerationQueue` port ([`SqsQueue`]): a message per handed-over
//! generation, its body `{"org": …, "generationId": …}` ([`message_body`], read back by
//! [`parse_message`]). The generation record is the truth; a lost or repeated message costs
//! nothing but a sweep or a skipped claim. Also the consumer side the in-process worker uses
//! (long-polling [`SqsQueue::receive`], [`SqsQueue::delete`]); the Lambda worker gets its
//! messages from the event source mapping and shares only [`parse_message`].
//!
//! IAM: the sender needs `sqs:SendMessage`; a consumer `sqs:ReceiveMessage` and
//! `sqs:DeleteMessage` (a Lambda event source mapping also `sqs:GetQueueAttributes`).

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::config::http::HttpResponse;
use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use coaching_domain::generation::GenerationJob;
use coaching_domain::ids::{GenerationId, OrgId};
use coaching_domain::ports::GenerationQueue;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// How long a handed-over record waits for its worker before the sweep sends it again: well past
/// the time a worker takes to pick a message up, short enough that a lost one costs little.
pub const RESEND_AFTER_MINUTES: i64 = 2;
/// The longest a `SendMessage` (retries included) may hold up the request that queued the
/// generation: a message not sent by then is the sweep's to send.
const SEND_BUDGET: Duration = Duration::from_secs(5);
/// SQS's bounds on one `ReceiveMessage`.
const MAX_BATCH: i32 = 10;
const MAX_WAIT_SECONDS: i32 = 20;

/// The message body: which generation of which org.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    org: String,
    generation_id: String,
}

/// The body of the message handing over generation `id` of `org`.
pub fn message_body(org: &OrgId, id: &GenerationId) -> String {
    serde_json::json!({"org": org.as_str(), "generationId": id.as_str()}).to_string()
}

/// The generation a message body names: the inverse of [`message_body`]. Fields beyond the two
/// are ignored (a later sender may add some); anything else is an error saying what is wrong,
/// never quoting the body.
pub fn parse_message(body: &str) -> Result<(OrgId, GenerationId), String> {
    let parsed: Body = parse_hand_over(body, "generation", "org or generationId")?;
    let org = OrgId::parse(parsed.org).map_err(|e| format!("invalid org in the message: {e}"))?;
    let id = GenerationId::parse(parsed.generation_id)
        .map_err(|e| format!("invalid generationId in the message: {e}"))?;
    Ok((org, id))
}

/// The SQS record attribute counting a message's receives (1 on the first).
pub const RECEIVE_COUNT: &str = "ApproximateReceiveCount";

/// A record's receive count from its attributes; 1 when SQS did not say (a hand-written test
/// event). Both SQS-fed functions log it and know a message's last receive by it.
pub fn receive_count(attributes: &std::collections::HashMap<String, String>) -> u32 {
    attributes
        .get(RECEIVE_COUNT)
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(1)
}

/// A hand-over message's body as `B` (a generation's or a delivery's): an error says what is
/// wrong with it (`what` hand-over, which `fields`) and where, never quoting the body.
pub(crate) fn parse_hand_over<B: serde::de::DeserializeOwned>(
    body: &str,
    what: &str,
    fields: &str,
) -> Result<B, String> {
    serde_json::from_str(body).map_err(|e| {
        let problem = match e.classify() {
            serde_json::error::Category::Data => format!("missing or mistyped {fields}"),
            serde_json::error::Category::Eof => "truncated JSON".to_owned(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
                "not JSON".to_owned()
            }
        };
        format!(
            "the message is not a {what} hand-over ({problem}, line {} column {})",
            e.line(),
            e.column()
        )
    })
}

/// One message taken from the queue, invisible to other consumers until its visibility timeout
/// runs out (or gone once [`SqsQueue::delete`]d).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// What [`SqsQueue::delete`] takes.
    pub receipt_handle: String,
    pub body: String,
    /// SQS's `ApproximateReceiveCount`: 1 on the first receive (also when SQS leaves it out).
    pub receive_count: u32,
}

/// The SQS queue generations are handed to. Clones share the client.
#[derive(Clone)]
pub struct SqsQueue {
    client: Client,
    queue_url: Arc<str>,
}

impl std::fmt::Debug for SqsQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqsQueue")
            .field("queue_url", &self.queue_url)
            .finish_non_exhaustive()
    }
}

impl SqsQueue {
    /// The queue at `queue_url`, with a client configured from the environment by
    /// [`sdk_config`](crate::sdk_config) (the process's shared HTTP client, `AWS_ENDPOINT_URL`
    /// included).
    pub async fn connect(queue_url: &str) -> SqsQueue {
        SqsQueue::from_config(&crate::sdk_config().await, queue_url)
    }

    /// The queue at `queue_url` with a client built from `config`: build it from the same
    /// [`sdk_config`](crate::sdk_config) as the store, so both share one HTTP client.
    pub fn from_config(config: &SdkConfig, queue_url: &str) -> SqsQueue {
        SqsQueue::new(Client::new(config), queue_url)
    }

    pub fn new(client: Client, queue_url: &str) -> SqsQueue {
        SqsQueue {
            client,
            queue_url: queue_url.into(),
        }
    }

    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }

    /// Up to `max` messages (1 to 10), waiting up to `wait_seconds` (0 to 20) for the first
    /// (long polling): an empty list when none came. Each message stays invisible for the
    /// queue's visibility timeout; delete it once its generation is done with.
    pub async fn receive(
        &self,
        max: i32,
        wait_seconds: i32,
    ) -> Result<Vec<ReceivedMessage>, String> {
        let wait = wait_seconds.clamp(0, MAX_WAIT_SECONDS);
        let sent = self
            .client
            .receive_message()
            .queue_url(self.queue_url.as_ref())
            .max_number_of_messages(max.clamp(1, MAX_BATCH))
            .wait_time_seconds(wait)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send();
        // The SDK's configuration has no read timeout: bound a poll that never answers.
        let budget = Duration::from_secs(u64::from(wait.unsigned_abs()) + 10);
        let out = match tokio::time::timeout(budget, sent).await {
            Ok(Ok(out)) => out,
            Ok(Err(e)) => return Err(self.failed("ReceiveMessage", &e)),
            Err(_) => return Err(self.timed_out("ReceiveMessage", budget)),
        };
        let mut received = Vec::new();
        for m in out.messages.unwrap_or_default() {
            let Some(receipt_handle) = m.receipt_handle else {
                tracing::warn!(
                    message_id = ?m.message_id,
                    "an SQS message without a receipt handle: left to its visibility timeout"
                );
                continue;
            };
            let receive_count = m
                .attributes
                .as_ref()
                .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            received.push(ReceivedMessage {
                receipt_handle,
                body: m.body.unwrap_or_default(),
                receive_count,
            });
        }
        Ok(received)
    }

    /// Removes a received message for good.
    pub async fn delete(&self, receipt_handle: &str) -> Result<(), String> {
        self.client
            .delete_message()
            .queue_url(self.queue_url.as_ref())
            .receipt_handle(receipt_handle)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.failed("DeleteMessage", &e))
    }

    /// Logs and describes a failed request.
    fn failed<E>(&self, operation: &str, e: &SdkError<E, HttpResponse>) -> String
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let reason = describe(e);
        tracing::warn!(queue = %self.queue_url, operation, %reason, "SQS request failed");
        format!("SQS {operation} failed: {reason}")
    }

    fn timed_out(&self, operation: &str, budget: Duration) -> String {
        tracing::warn!(queue = %self.queue_url, operation, ?budget, "SQS request timed out");
        format!("SQS {operation} failed: no answer within {budget:?}")
    }

    /// Logs which generation waits for the sweep; returns `reason`.
    fn not_handed_over(&self, job: &GenerationJob, reason: String) -> String {
        tracing::warn!(
            org = %job.org,
            generation = %job.id,
            "generation not handed to SQS: the sweep sends it again once it is due"
        );
        reason
    }
}

/// What went wrong, without what SQS said about it: an error response is named by its code
/// (and HTTP status) only, since its message may quote the request that was signed (a
/// `SignatureDoesNotMatch` carries the canonical request, session token header included).
/// Failures before any response (no credentials, unreachable endpoint) are ours to show whole.
pub(crate) fn describe<E>(e: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match e {
        SdkError::ServiceError(service) => format!(
            "SQS answered {} (HTTP {})",
            service.err().code().unwrap_or("an error"),
            service.raw().status().as_u16()
        ),
        SdkError::ResponseError(_) => "SQS's answer could not be read".to_owned(),
        SdkError::TimeoutError(_) => "timed out".to_owned(),
        SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_) => {
            DisplayErrorContext(e).to_string()
        }
        _ => "an unexpected SDK error".to_owned(),
    }
}

#[async_trait]
impl GenerationQueue for SqsQueue {
    /// One `SendMessage`; a failure (or no answer within a few seconds) is logged and returned,
    /// and the sweep sends the record again once it is due.
    async fn enqueue(&self, job: &GenerationJob) -> Result<(), String> {
        let sent = self
            .client
            .send_message()
            .queue_url(self.queue_url.as_ref())
            .message_body(message_body(&job.org, &job.id))
            .send();
        match tokio::time::timeout(SEND_BUDGET, sent).await {
            Ok(Ok(_)) => {
                tracing::debug!(org = %job.org, generation = %job.id, "generation handed to SQS");
                Ok(())
            }
            Ok(Err(e)) => Err(self.not_handed_over(job, self.failed("SendMessage", &e))),
            Err(_) => Err(self.not_handed_over(job, self.timed_out("SendMessage", SEND_BUDGET))),
        }
    }

    fn resend_after(&self) -> chrono::Duration {
        chrono::Duration::minutes(RESEND_AFTER_MINUTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_names_its_generation_and_parses_back() {
        let (org, id) = (
            OrgId::parse("org-acme").unwrap(),
            GenerationId::parse("01JGEN").unwrap(),
        );
        let body = message_body(&org, &id);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&body).unwrap(),
            serde_json::json!({"org": "org-acme", "generationId": "01JGEN"})
        );
        assert_eq!(parse_message(&body), Ok((org.clone(), id.clone())));
        let more = r#"{"org":"org-acme","generationId":"01JGEN","attempt":2}"#;
        assert_eq!(parse_message(more), Ok((org, id)));
    }

    #[test]
    fn garbage_is_rejected_without_being_quoted() {
        for body in [
            "",
            "secret-garbage",
            "{",
            "[]",
            "null",
            r#"{"org":"org-acme"}"#,
            r#"{"generationId":"01JGEN"}"#,
            r#"{"org":1,"generationId":"01JGEN"}"#,
            r#"{"org":"","generationId":"01JGEN"}"#,
            r#"{"org":"a#b","generationId":"01JGEN"}"#,
            r#"{"org":"org-acme","generationId":"has space"}"#,
            r#"{"Org":"org-acme","GenerationId":"01JGEN"}"#,
        ] {
            let e = parse_message(body).expect_err(body);
            assert!(!e.contains("secret-garbage"), "{e}");
        }
    }

    #[test]
    fn a_service_error_is_named_by_its_code_never_its_message() {
        use aws_sdk_sqs::operation::send_message::SendMessageError;
        use aws_smithy_runtime_api::http::{Response, StatusCode};
        use aws_smithy_types::body::SdkBody;
        use aws_smithy_types::error::ErrorMetadata;
        let meta = ErrorMetadata::builder()
            .code("SignatureDoesNotMatch")
            .message("The Canonical String was 'x-amz-security-token:SECRET'")
            .build();
        let raw = Response::new(StatusCode::try_from(403).unwrap(), SdkBody::empty());
        let e: SdkError<SendMessageError, _> =
            SdkError::service_error(SendMessageError::generic(meta), raw);
        let said = describe(&e);
        assert_eq!(said, "SQS answered SignatureDoesNotMatch (HTTP 403)");
        assert!(!said.contains("SECRET"));
    }
}
