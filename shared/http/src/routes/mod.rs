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
pub(crate) mod webhooks;

use crate::problem::{deadline, method_not_allowed_fallback, not_found_fallback, panic_response};
use crate::{AppState, MAX_BODY_BYTES};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
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
pub fn webhook_router(state: AppState) -> Router {
    let hooks = Router::new()
        .route("/health", get(meta::health))
        .route(WEBHOOK_PATH, post(webhooks::evaluations))
        .fallback(not_found_fallback)
        .method_not_allowed_fallback(method_not_allowed_fallback)
        .with_state(state);
    with_middleware(hooks)
}

/// The evaluation webhook's route.
pub const WEBHOOK_PATH: &str = "/v1/orgs/{org_id}/webhooks/evaluations";

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(meta::health))
        .route("/openapi.json", get(meta::openapi))
        .route(
            "/v1/test-clock",
            put(meta::set_test_clock).get(meta::get_test_clock),
        )
        .route("/v1/notifications", get(notifications::notifications))
        .route(
            "/v1/coaches/{coach_id}/settings",
            put(coaches::put_settings).get(coaches::get_settings),
        )
        .route("/v1/coaches/{coach_id}/slots", get(coaches::slots))
        .route(
            "/v1/coaches/{coach_id}/analytics",
            get(analytics::analytics),
        )
        .route("/v1/calendar-token", post(calendar::issue_calendar_token))
        // No bearer: the token in the path is the secret. `{token}.ics` is one segment, and
        // axum's segments cannot mix a parameter and a suffix: the handler strips `.ics`.
        .route("/v1/calendar/{file}", get(calendar::calendar_feed))
        .route("/v1/sessions", post(sessions::create).get(sessions::list))
        .route(
            "/v1/sessions/{id}",
            get(sessions::get_one).patch(sessions::patch),
        )
        .route("/v1/sessions/{id}/cancel", post(sessions::cancel))
        .route("/v1/sessions/{id}/complete", post(sessions::complete))
        .route("/v1/sessions/{id}/no-show", post(sessions::no_show))
        .route("/v1/sessions/{id}/join", post(sessions::join))
        .route(
            "/v1/sessions/{id}/review-request",
            post(evaluations::request_review),
        )
        .route("/v1/sessions/{id}/review", post(evaluations::review))
        .route(
            "/v1/sessions/{id}/messages",
            post(messages::post_message).get(messages::list_messages),
        )
        .route(
            "/v1/sessions/{id}/reschedule",
            post(rescheduling::reschedule),
        )
        .route("/v1/reschedule-requests", get(rescheduling::list))
        .route("/v1/reschedule-requests/{id}", get(rescheduling::get_one))
        .route(
            "/v1/reschedule-requests/{id}/approve",
            post(rescheduling::approve),
        )
        .route(
            "/v1/reschedule-requests/{id}/reject",
            post(rescheduling::reject),
        )
        .route("/v1/admin/jobs/{job}/run", post(jobs::run_job))
        .route(WEBHOOK_PATH, post(webhooks::evaluations))
        .route(
            "/v1/coachees/{coachee_id}/evaluations",
            get(evaluations::list),
        )
        .route(
            "/v1/coachees/{coachee_id}/criteria-stats",
            get(evaluations::stats),
        )
        .route(
            "/v1/sessions/{id}/criteria/{criterion_id}",
            put(evaluations::put_criterion).delete(evaluations::delete_criterion),
        )
        .route("/v1/sessions/{id}/generate", post(generation::generate))
        .route(
            "/v1/org/settings",
            get(org::get_settings).put(org::put_settings),
        )
        .route(
            "/v1/org/webhook-secret",
            post(org::rotate_secret).get(org::current_secret),
        )
        .route(
            "/v1/kb-articles",
            post(org::create_article).get(org::list_articles),
        )
        .route("/v1/kb-articles/{article_id}", delete(org::delete_article))
        .route(
            "/v1/agenda-templates",
            post(continuity::create_template).get(continuity::list_templates),
        )
        .route(
            "/v1/sessions/{id}/action-items",
            post(continuity::create_item),
        )
        .route("/v1/action-items", get(continuity::list_items))
        .route(
            "/v1/action-items/{id}",
            axum::routing::patch(continuity::patch_item),
        )
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
