//! One outbound webhook attempt: check the URL, sign, POST through a client that resolves only
//! to checked addresses, follows no redirect and bounds time and size; then say what happened
//! in a form the delivery record keeps (API §11 "Sending").

mod resolve;
mod response;

use crate::guard::{UrlProblem, check_url};
use crate::signature::sign;
use reqwest::header::CONTENT_TYPE;
use std::time::{Duration, Instant};
use tokio::time::timeout_at;
use url::Url;

pub use response::MAX_RESPONSE_BODY;

/// How the sender connects. [`Default`] is the production setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderConfig {
    /// Lets webhooks reach internal addresses (`COACHING_WEBHOOK_ALLOW_PRIVATE=1`): for
    /// development and tests only, never on AWS.
    pub allow_private: bool,
    /// The longest a TCP (and TLS) connection may take: 5 s.
    pub connect_timeout: Duration,
    /// The longest a whole attempt may take, resolution and the capped body read included: 15 s.
    pub attempt_timeout: Duration,
    /// The `user-agent` of every request.
    pub user_agent: String,
}

impl Default for SenderConfig {
    fn default() -> Self {
        Self {
            allow_private: false,
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(15),
            user_agent: format!("coaching-webhooks/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// The HTTP client could not be built (the TLS backend, or a user agent that is no header).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot build the webhook HTTP client: {0}")]
pub struct BuildError(String);

/// What one attempt sends.
#[derive(Debug, Clone, Copy)]
pub struct AttemptRequest<'a> {
    /// The endpoint's URL, checked again here (the rules may be stricter than when it was saved).
    pub url: &'a str,
    /// The event id: `webhook-id`, the same on every retry so receivers drop repeats.
    pub msg_id: &'a str,
    /// Unix seconds of the attempt's real time (never the test clock): `webhook-timestamp`.
    pub timestamp: i64,
    /// The event JSON, sent and signed as is.
    pub payload: &'a [u8],
    /// The endpoint's secrets (`whsec_…`), the new one first during a rotation.
    pub secrets: &'a [&'a str],
}

/// What an attempt means for the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer.
    Succeeded,
    /// `410 Gone`: the caller disables the endpoint at once.
    Gone,
    /// Anything else: the delivery is retried on its schedule.
    Failed,
}

/// The record of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The answer's status, when one came.
    pub status_code: Option<u16>,
    /// From the start of the attempt to its end, checks and body read included.
    pub duration_ms: u64,
    pub outcome: Outcome,
    /// A stable short code, then `: ` and the detail: `invalid_url`, `unsafe_address`,
    /// `signature`, `dns`, `timeout`, `connect`, `request`, `redirect`, `http_status`, `body`.
    /// `None` when it succeeded; a succeeded attempt has `body: …` only when the receiver
    /// answered 2xx but its body could not be read (the delivery still counts as succeeded).
    pub error: Option<String>,
    /// At most [`MAX_RESPONSE_BODY`] bytes of the answer's body, cut on a character boundary
    /// (invalid UTF-8 replaced); `None` when there was no answer or it was empty.
    pub response_body: Option<String>,
    /// A `Retry-After` of a 429 or 503 (delta-seconds, or an HTTP date against the real clock;
    /// zero when that date is past). Not capped: how far to honour it is the caller's policy.
    pub retry_after: Option<Duration>,
}

impl Attempt {
    /// The code at the start of [`Attempt::error`].
    pub fn error_code(&self) -> Option<&str> {
        self.error
            .as_deref()
            .map(|e| e.split_once(':').map_or(e, |(code, _)| code))
    }

    fn failed(code: &str, detail: impl std::fmt::Display) -> Self {
        Self {
            status_code: None,
            duration_ms: 0,
            outcome: Outcome::Failed,
            error: Some(format!("{code}: {detail}")),
            response_body: None,
            retry_after: None,
        }
    }
}

/// Sends webhook attempts. Build one per process (it holds the connection pool) and share it.
#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    config: SenderConfig,
}

impl Sender {
    pub fn new(config: SenderConfig) -> Result<Self, BuildError> {
        let client = reqwest::Client::builder()
            // The resolver is where the guard stands: every name reqwest connects to goes
            // through it (IP literals do not, and are checked before sending).
            .dns_resolver(resolve::GuardedResolver {
                allow_private: config.allow_private,
            })
            // A proxy would resolve the name itself, past the guard; a redirect would send the
            // signed event to a URL nobody checked.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| BuildError(response::error_chain(&e)))?;
        Ok(Self { client, config })
    }

    pub fn config(&self) -> &SenderConfig {
        &self.config
    }

    /// One attempt. Never panics and never takes much longer than `attempt_timeout`: every
    /// failure is an [`Attempt`] with [`Outcome::Failed`].
    pub async fn attempt(&self, req: AttemptRequest<'_>) -> Attempt {
        let started = Instant::now();
        let now = tokio::time::Instant::now();
        // An absurd timeout (Duration::MAX) means "a day", not an overflow panic.
        let deadline = now
            .checked_add(self.config.attempt_timeout)
            .unwrap_or_else(|| now + Duration::from_secs(86_400));
        let mut attempt = match check_url(req.url, self.config.allow_private) {
            Err(UrlProblem::Invalid(m)) => Attempt::failed("invalid_url", m),
            Err(UrlProblem::Unsafe(m)) => Attempt::failed("unsafe_address", m),
            Ok(url) => match sign(req.secrets, req.msg_id, req.timestamp, req.payload) {
                Err(e) => Attempt::failed("signature", e),
                Ok(signature) => self.send(url, &req, &signature, deadline).await,
            },
        };
        attempt.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::debug!(
            msg_id = req.msg_id,
            status = attempt.status_code,
            outcome = ?attempt.outcome,
            error = attempt.error.as_deref(),
            duration_ms = attempt.duration_ms,
            "webhook attempt"
        );
        attempt
    }

    /// The POST and the answer, `url` already checked (the tests call it with an unchecked one
    /// to show that the resolver refuses on its own).
    async fn send(
        &self,
        url: Url,
        req: &AttemptRequest<'_>,
        signature: &str,
        deadline: tokio::time::Instant,
    ) -> Attempt {
        let request = self
            .client
            .post(url)
            .header("webhook-id", req.msg_id)
            .header("webhook-timestamp", req.timestamp.to_string())
            .header("webhook-signature", signature)
            .header(CONTENT_TYPE, "application/json")
            .body(req.payload.to_vec());
        let answer = match timeout_at(deadline, request.send()).await {
            Err(_) => {
                return Attempt::failed(
                    "timeout",
                    format!(
                        "no answer within {:?} (the whole attempt's limit)",
                        self.config.attempt_timeout
                    ),
                );
            }
            Ok(Err(e)) => {
                let (code, detail) = response::classify(&e, &self.config);
                return Attempt::failed(code, detail);
            }
            Ok(Ok(answer)) => answer,
        };
        response::read(answer, deadline).await
    }
}

#[cfg(test)]
mod tests;
