//! Routes and middleware of the API.

pub(crate) mod analytics;
pub(crate) mod calendar;
pub(crate) mod coaches;
pub(crate) mod continuity;
pub(crate) mod evaluations;
pub(crate) mod generation;
pub(crate) mod jobs;
pub(crate) mod messages;
pub(crate) mod meta;
pub(crate) mod notifications;
pub(crate) mod org;
pub(crate) mod rescheduling;
pub(crate) mod sessions;
pub(crate) mod webhook_endpoints;
pub(crate) mod webhooks;

use crate::problem::{deadline, method_not_allowed_fallback, not_found_fallback, panic_response};
use crate::{AppState, MAX_BODY_BYTES};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use coaching_domain::ports::DeliveryStore;
use http::HeaderName;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The Content-Security-Policy of every API answer (JSON, problem+json, the calendar feed):
/// nothing in them may load, run or be framed.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Request ids are ULIDs unless the caller sent `x-request-id`.
#[derive(Clone, Copy, Debug, Default)]
struct UlidRequestId;

impl MakeRequestId for UlidRequestId {
    fn make_request_id<B>(&mut self, _: &http::Request<B>) -> Option<RequestId> {
        http::HeaderValue::from_str(&ulid::Ulid::new().to_string())
            .ok()
            .map(RequestId::new)
    }
}

/// The webhook route alone: what the `coaching-webhooks` function serves.
pub fn webhook_router<S: DeliveryStore + ?Sized + 'static>(
    state: webhooks::WebhookState<S>,
) -> Router {
    let hooks = Router::new()
        .route("/health", get(meta::health))
        .route(WEBHOOK_PATH, post(webhooks::evaluations::<S>))
        .fallback(not_found_fallback)
        .method_not_allowed_fallback(method_not_allowed_fallback)
        .with_state(state);
    with_middleware(hooks)
}

/// The evaluation webhook's route.
pub const WEBHOOK_PATH: &str = "/v1/orgs/{org_id}/webhooks/evaluations";

/// The whole API: every room's routes (each room keeps its routes next to its handlers).
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(meta::routes())
        .merge(notifications::routes())
        .merge(coaches::routes())
        .merge(analytics::routes())
        .merge(calendar::routes())
        .merge(sessions::routes())
        .merge(messages::routes())
        .merge(rescheduling::routes())
        .merge(jobs::routes())
        .merge(webhooks::routes())
        .merge(evaluations::routes())
        .merge(generation::routes())
        .merge(org::routes())
        .merge(continuity::routes())
        .merge(webhook_endpoints::routes())
        .fallback(not_found_fallback)
        .method_not_allowed_fallback(method_not_allowed_fallback)
        .with_state(state);
    with_middleware(api)
}

/// Request ids, tracing, the body limit, the request deadline (503 `timeout`, see
/// [`crate::problem::deadline`]) and panic catching (500 `internal`), around any of our
/// routers. Public so that tests can put a route of their own (one that panics or hangs) behind
/// exactly the production middleware.
pub fn with_middleware(api: Router) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    api.layer(DefaultBodyLimit::max(MAX_BODY_BYTES)).layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(request_id.clone(), UlidRequestId))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(
                        DefaultMakeSpan::new()
                            .level(Level::INFO)
                            .include_headers(false),
                    )
                    .on_request(())
                    .on_response(DefaultOnResponse::new().level(Level::DEBUG)),
            )
            .layer(PropagateRequestIdLayer::new(request_id))
            // No answer of the API is a page: a browser must neither sniff one into HTML nor
            // run or frame anything from it.
            .layer(SetResponseHeaderLayer::overriding(
                http::header::X_CONTENT_TYPE_OPTIONS,
                http::HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                http::header::CONTENT_SECURITY_POLICY,
                http::HeaderValue::from_static(API_CSP),
            ))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(axum::middleware::from_fn(deadline)),
    )
}
