//! The coaching HTTP API: one axum Router shared by the local server and the Lambda function.

pub mod auth;
pub mod blocking;
pub mod docs;
pub mod dto;
pub mod duplicate_keys;
pub mod extract;
pub mod ics;
pub mod openapi;
pub mod problem;
pub mod routes;
pub mod webhook_secret;

use auth::Authenticator;
use axum::Router;
use coaching_domain::service::Services;
use coaching_runtime::TestClock;
use std::sync::Arc;

/// Largest request body accepted (1 MiB); larger ones get 413 problem+json.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub auth: Arc<dyn Authenticator>,
    /// Set only when `COACHING_TEST_CLOCK=1`: enables `PUT /v1/test-clock`.
    pub test_clock: Option<Arc<TestClock>>,
    /// `COACHING_WEBHOOK_SECRET`: the master Standard Webhooks secret (`whsec_…`) from which
    /// each org that has not rotated its own derives its secret ([`webhook_secret`]); it
    /// verifies nothing itself. `None`: such orgs' deliveries are 401.
    pub webhook_secret: Option<Arc<str>>,
    /// `COACHING_PUBLIC_URL`: the API's public base URL (`https://api.example.com`, no trailing
    /// slash), for the absolute URLs the API hands out (the calendar feed). `None`: taken from
    /// the request's `Host` and `X-Forwarded-Proto` ([`routes::calendar::feed_url`]).
    pub public_url: Option<Arc<str>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("test_clock", &self.test_clock.is_some())
            .finish()
    }
}

/// The whole API with its middleware (request ids, tracing, body limit, panic catching),
/// the evaluation webhook included (what `coaching-local` serves).
pub fn router(state: AppState) -> Router {
    routes::router(state)
}

/// [`router`] and `GET /docs`, the interactive API reference: what `coaching-local` serves.
/// The api Lambda function serves [`router`] alone, keeping the reference's assets out of its
/// zip (see [`docs`]).
pub fn router_with_docs(state: AppState) -> Router {
    routes::router(state).merge(docs::router())
}

/// Whether `secret` is a usable Standard Webhooks secret: `whsec_` and base64 of at least 24
/// bytes (the Standard Webhooks minimum).
pub fn webhook_secret_is_valid(secret: &str) -> bool {
    webhook_secret::is_valid(secret)
}

/// The variable holding the master Standard Webhooks secret (`whsec_…`) every process that
/// verifies or shows org webhook secrets reads.
pub const WEBHOOK_SECRET_VAR: &str = "COACHING_WEBHOOK_SECRET";

/// What is wrong with an unusable [`WEBHOOK_SECRET_VAR`], for the start-up error that names it.
pub const WEBHOOK_SECRET_PROBLEM: &str = "must look like whsec_<base64 of at least 24 bytes>";

/// The master secret from [`WEBHOOK_SECRET_VAR`]'s value: `None` when unset or blank (the
/// template leaves it out when none is configured), [`WEBHOOK_SECRET_PROBLEM`] when it is not a
/// usable `whsec_` secret. Every binary's configuration reads it through this one check.
pub fn webhook_secret_setting(raw: Option<String>) -> Result<Option<String>, &'static str> {
    match raw.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(secret) if webhook_secret_is_valid(&secret) => Ok(Some(secret)),
        Some(_) => Err(WEBHOOK_SECRET_PROBLEM),
    }
}

/// `COACHING_PUBLIC_URL` as the API uses it: an http(s) URL with a host and at most a path
/// prefix (no query, no fragment), without its trailing slashes; `None` when it is not one.
pub fn public_url(value: &str) -> Option<String> {
    let uri: http::Uri = value.trim().parse().ok()?;
    let scheme = uri.scheme_str()?;
    if !matches!(scheme, "http" | "https") || uri.host().is_none_or(str::is_empty) {
        return None;
    }
    if uri.query().is_some() || value.contains('#') {
        return None;
    }
    Some(value.trim().trim_end_matches('/').to_owned())
}

/// Only `POST /v1/orgs/{orgId}/webhooks/evaluations` (and `/health`), with the same middleware:
/// the `coaching-webhooks` Lambda function. Needs no bearer authenticator: the Standard
/// Webhooks signature is the delivery's authentication. Its services need only a
/// [`DeliveryStore`](coaching_domain::ports::DeliveryStore).
pub fn webhook_router<S: coaching_domain::ports::DeliveryStore + ?Sized + 'static>(
    state: WebhookState<S>,
) -> Router {
    routes::webhook_router(state)
}

pub use dto::sessions::session_event_view;
pub use routes::webhooks::WebhookState;
