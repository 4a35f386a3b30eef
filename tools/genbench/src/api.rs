//! The benchmark's HTTP client of the API (loopback only) and what it saw of each session.

use crate::*;
use reqwest::{Client, StatusCode, Url};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
/// The server and the caller: a checked base URL and the coach token.
#[derive(Clone)]
pub(crate) struct Api {
    pub(crate) base: Url,
    pub(crate) pinned_localhost: Option<SocketAddr>,
    pub(crate) token: Arc<str>,
}

impl Api {
    pub(crate) fn new(raw: &str, token: &str) -> Result<Self, String> {
        let trimmed = raw.trim_end_matches('/');
        let (base, pinned_localhost) = loopback_url(trimmed)?;
        Ok(Self {
            base,
            pinned_localhost,
            token: token.into(),
        })
    }

    pub(crate) fn url(&self, path: &str) -> Result<Url, String> {
        self.base
            .join(path)
            .map_err(|e| format!("bad path {path:?}: {e}"))
    }

    /// A client keeping one keep-alive connection. No proxy, no redirects (a redirect could
    /// leave loopback).
    pub(crate) fn client(&self) -> Result<Client, String> {
        let mut b = Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(1)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30));
        if let Some(addr) = self.pinned_localhost {
            b = b.resolve("localhost", addr);
        }
        b.build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))
    }

    /// Sends `req` with the token; the status and the body as JSON (`Null` when it is not).
    pub(crate) async fn send(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, Value), String> {
        let resp = req
            .bearer_auth(&*self.token)
            .send()
            .await
            .map_err(|e| error_chain(&e))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| error_chain(&e))?;
        Ok((
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ))
    }

    /// POST /v1/sessions/{id}/generate: the generation id of the 202.
    pub(crate) async fn generate(&self, client: &Client, session: &str) -> Result<String, String> {
        let url = self.url(&format!("/v1/sessions/{session}/generate"))?;
        let (status, body) = self.send(client.post(url).json(&json!({}))).await?;
        if status != StatusCode::ACCEPTED {
            return Err(format!("POST generate of {session}: HTTP {status}: {body}"));
        }
        body["generation"]["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("POST generate of {session}: no generation id in {body}"))
    }

    /// GET /v1/sessions/{id}: the session's generation.
    pub(crate) async fn generation(&self, client: &Client, session: &str) -> Result<Seen, String> {
        let url = self.url(&format!("/v1/sessions/{session}"))?;
        let (status, body) = self.send(client.get(url)).await?;
        if status != StatusCode::OK {
            return Err(format!("GET session {session}: HTTP {status}: {body}"));
        }
        let g = &body["review"]["generation"];
        let field = |k: &str| g[k].as_str().map(str::to_owned);
        match (field("id"), field("status")) {
            (Some(id), Some(status)) => Ok(Seen {
                id,
                status,
                error: field("error"),
                criteria: g["inputs"]["criterionIds"].as_array().map_or(0, Vec::len),
                evaluations: g["inputs"]["evaluationIds"].as_array().map_or(0, Vec::len),
            }),
            _ => Err(format!("GET session {session}: no review.generation")),
        }
    }
}

/// A session's generation as one GET saw it.
#[derive(Debug)]
pub(crate) struct Seen {
    pub(crate) id: String,
    pub(crate) status: String,
    pub(crate) error: Option<String>,
    pub(crate) criteria: usize,
    pub(crate) evaluations: usize,
}

/// What a poll of an accepted generation means.
pub(crate) enum Poll {
    Pending,
    Succeeded,
    Failed(String),
}

impl Seen {
    pub(crate) fn poll(&self, session: &str, generation: &str) -> Result<Poll, String> {
        if self.id != generation {
            return Err(format!(
                "session {session} shows generation {}, not {generation}",
                self.id
            ));
        }
        match self.status.as_str() {
            "queued" | "running" => Ok(Poll::Pending),
            "succeeded" => Ok(Poll::Succeeded),
            "failed" => Ok(Poll::Failed(format!(
                "generation {generation} of {session} failed: {}",
                self.error.as_deref().unwrap_or("(no error)")
            ))),
            other => Err(format!("session {session}: generation status {other:?}")),
        }
    }
}
