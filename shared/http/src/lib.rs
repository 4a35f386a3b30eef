//! The coaching HTTP API: one axum Router shared by the local server and the Lambda function.

pub mod auth;
pub mod clock;
pub mod dto;
pub mod events;
pub mod extract;
pub mod openapi;
pub mod problem;
pub mod routes;

use auth::Authenticator;
use axum::Router;
use clock::TestClock;
use coaching_domain::service::Services;
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
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("test_clock", &self.test_clock.is_some())
            .finish()
    }
}

/// The whole API with its middleware (request ids, tracing, body limit, panic catching).
pub fn router(state: AppState) -> Router {
    routes::router(state)
}
