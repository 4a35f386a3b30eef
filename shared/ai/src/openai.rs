//! The `openai` generator: any OpenAI-compatible chat completions provider, asked for a reply
//! that follows a JSON schema; at most 3 attempts within the time budget, retrying only what
//! may succeed later. The API key never leaves the request header (not in Debug, errors, logs).

mod wire;

pub use wire::{SCHEMA_NAME, request_body, schema, user_message};

use crate::retry::{MAX_ATTEMPTS, Timing, parse_retry_after};
use async_trait::async_trait;
use coaching_domain::generation::{GenerationInput, GenerationOutput};
use coaching_domain::ports::{GenerateError, Generator};
use reqwest::header::{HeaderValue, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use std::fmt;
use std::time::{Duration, Instant, SystemTime};

pub const BASE_URL_VAR: &str = "COACHING_AI_BASE_URL";
pub const API_KEY_VAR: &str = "COACHING_AI_API_KEY";
pub const MODEL_VAR: &str = "COACHING_AI_MODEL";

/// Where the provider is and what to ask it for.
#[derive(Clone, PartialEq, Eq)]
pub struct OpenAiConfig {
    /// With its version path, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    pub api_key: String,
    pub model: String,
}

impl fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("model", &self.model)
            .finish()
    }
}

impl OpenAiConfig {
    /// From `COACHING_AI_BASE_URL`, `COACHING_AI_API_KEY` and `COACHING_AI_MODEL`.
    pub fn from_env() -> Result<Self, String> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`OpenAiConfig::from_env`], reading the variables through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    format!(
                        "{name} is not set: the openai provider needs {BASE_URL_VAR}, \
                         {API_KEY_VAR} and {MODEL_VAR}"
                    )
                })
        };
        Ok(OpenAiConfig {
            base_url: get(BASE_URL_VAR)?,
            api_key: get(API_KEY_VAR)?,
            model: get(MODEL_VAR)?,
        })
    }
}

/// Provider `openai`, model as configured.
pub struct OpenAiGenerator {
    client: reqwest::Client,
    url: Url,
    api_key: String,
    model: String,
    timing: Timing,
}

impl fmt::Debug for OpenAiGenerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiGenerator")
            .field("url", &self.url.as_str())
            .field("api_key", &"<redacted>")
            .field("model", &self.model)
            .field("timing", &self.timing)
            .finish()
    }
}

impl OpenAiGenerator {
    pub fn new(config: OpenAiConfig) -> Result<Self, String> {
        Self::with_timing(config, Timing::default())
    }

    /// From the environment ([`OpenAiConfig::from_env`]).
    pub fn from_env() -> Result<Self, String> {
        Self::new(OpenAiConfig::from_env()?)
    }

    /// With other timeouts and backoff (tests use short ones).
    pub fn with_timing(config: OpenAiConfig, timing: Timing) -> Result<Self, String> {
        let url = chat_completions_url(&config.base_url)?;
        if config.model.trim().is_empty() {
            return Err(format!("{MODEL_VAR} is empty"));
        }
        if config.api_key.is_empty()
            || HeaderValue::from_str(&format!("Bearer {}", config.api_key)).is_err()
        {
            return Err(format!(
                "{API_KEY_VAR} is empty or has characters a header cannot carry"
            ));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(timing.connect_timeout)
            .timeout(timing.request_timeout)
            .user_agent(concat!("coaching-ai/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("the HTTP client could not be set up: {}", e.without_url()))?;
        Ok(OpenAiGenerator {
            client,
            url,
            api_key: config.api_key,
            model: config.model,
            timing,
        })
    }

    /// `{base_url}/chat/completions`.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// One request; `timeout` bounds it whole (connecting to reading the last byte).
    async fn attempt(
        &self,
        body: &serde_json::Value,
        timeout: Duration,
    ) -> Result<GenerationOutput, Failure> {
        let response = self
            .client
            .post(self.url.clone())
            .bearer_auth(&self.api_key)
            .timeout(timeout)
            .json(body)
            .send()
            .await
            .map_err(Failure::transport)?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            // The body is not logged: providers echo part of the key in some errors.
            return Err(Failure::Status {
                status,
                retry_after,
            });
        }
        let bytes = response.bytes().await.map_err(Failure::transport)?;
        wire::parse_completion(&bytes).ok_or(Failure::Unreadable)
    }
}

/// `base` joined to `chat/completions` with exactly one slash.
fn chat_completions_url(base: &str) -> Result<Url, String> {
    let joined = format!("{}/chat/completions", base.trim().trim_end_matches('/'));
    let url = Url::parse(&joined)
        .map_err(|_| format!("{BASE_URL_VAR} is not a URL (e.g. https://api.openai.com/v1)"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{BASE_URL_VAR} must be an http(s) URL"));
    }
    Ok(url)
}

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
    },
    Timeout,
    Unreachable,
    Unreadable,
}

impl Failure {
    fn transport(e: reqwest::Error) -> Self {
        let failure = if e.is_timeout() {
            Failure::Timeout
        } else {
            Failure::Unreachable
        };
        tracing::debug!(error = %e.without_url(), "AI provider transport error");
        failure
    }

    /// 429, 5xx, timeouts, connection failures and unreadable replies may succeed later.
    fn retryable(&self) -> bool {
        match self {
            Failure::Status { status, .. } => {
                *status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
            }
            Failure::Timeout | Failure::Unreachable | Failure::Unreadable => true,
        }
    }

    fn describe(&self) -> String {
        match self {
            Failure::Status { status, .. } if self.retryable() => {
                format!("the AI provider answered {}", status.as_u16())
            }
            Failure::Status { status, .. } => {
                format!("the AI provider refused the request ({})", status.as_u16())
            }
            Failure::Timeout => "the AI provider did not answer in time".to_owned(),
            Failure::Unreachable => "the AI provider could not be reached".to_owned(),
            Failure::Unreadable => {
                "the AI provider's reply was not the expected JSON object".to_owned()
            }
        }
    }
}

/// The last failure, and how often it happened when every attempt failed alike.
fn give_up(failures: &[Failure]) -> GenerateError {
    let attempts = u32::try_from(failures.len()).unwrap_or(u32::MAX);
    let descriptions: Vec<String> = failures.iter().map(Failure::describe).collect();
    let last = descriptions.last().cloned().unwrap_or_default();
    let reason = if descriptions.len() < 2 {
        last
    } else if descriptions.iter().all(|d| *d == last) {
        match descriptions.len() {
            2 => format!("{last} twice"),
            3 => format!("{last} three times"),
            n => format!("{last} {n} times"),
        }
    } else {
        format!("{last} on the last attempt")
    };
    GenerateError { reason, attempts }
}

#[async_trait]
impl Generator for OpenAiGenerator {
    fn provider(&self) -> &str {
        "openai"
    }

    fn model(&self) -> Option<&str> {
        Some(&self.model)
    }

    async fn generate(&self, input: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        let body = wire::request_body(&self.model, input);
        let deadline = Instant::now() + self.timing.budget;
        let mut failures: Vec<Failure> = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let failure = match self
                .attempt(&body, self.timing.request_timeout.min(left))
                .await
            {
                Ok(output) => return Ok(output),
                Err(failure) => failure,
            };
            let attempt = failures.len() + 1;
            tracing::warn!(
                provider = "openai",
                model = %self.model,
                attempt,
                reason = %failure.describe(),
                "AI provider attempt failed"
            );
            let retry_after = match &failure {
                Failure::Status { retry_after, .. } => *retry_after,
                _ => None,
            };
            let retryable = failure.retryable();
            failures.push(failure);
            if !retryable || failures.len() >= MAX_ATTEMPTS as usize {
                return Err(give_up(&failures));
            }
            let wait = retry_after.unwrap_or_else(|| self.timing.backoff(attempt as u32));
            let left = deadline.saturating_duration_since(Instant::now());
            if wait + self.timing.least_attempt() > left {
                let mut error = give_up(&failures);
                if let Some(asked) = retry_after {
                    error.reason = format!(
                        "the AI provider asked to wait {} s before trying again, longer than \
                         the time left",
                        asked.as_secs_f64().ceil()
                    );
                }
                return Err(error);
            }
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests;
