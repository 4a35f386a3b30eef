//! Health, the OpenAPI document and the test clock.

use crate::AppState;
use crate::auth::Caller;
use crate::dto::meta::TestClockDto;
use crate::extract::ApiJson;
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{get, put};
use http::header::CONTENT_TYPE;
use utoipa::OpenApi;

/// Health, the OpenAPI document and the test clock: this room's paths and schemas in the OpenAPI
/// document ([`crate::openapi::ApiDocs`] merges them).
#[derive(OpenApi)]
#[openapi(
    paths(health, openapi, set_test_clock, get_test_clock),
    components(schemas(TestClockDto))
)]
pub struct MetaApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .route("/v1/test-clock", put(set_test_clock).get(get_test_clock))
}

#[utoipa::path(get, operation_id = "health", path = "/health", tag = "meta", responses((status = 200, description = "The server is up")))]
pub async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

#[utoipa::path(get, operation_id = "getOpenApi", path = "/openapi.json", tag = "meta", responses((status = 200, description = "This document")))]
pub async fn openapi() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], OPENAPI_JSON)
}

/// The document as committed in `docs/openapi.json`, which `shared/http/tests/openapi_snapshot.rs`
/// keeps equal to [`crate::openapi::ApiDocs`]'s (the handlers' annotations): served as it is, so that no
/// function builds it at run time and the document's generation stays out of the binaries
/// (the api function's zip lost 0.0 MB with it, docs/lambda.md).
pub const OPENAPI_JSON: &str = include_str!("../../../../docs/openapi.json");

fn test_clock(state: &AppState) -> Result<&coaching_runtime::TestClock, ApiError> {
    state.test_clock.as_deref().ok_or_else(|| {
        ApiError::not_found("the test clock (start the server with COACHING_TEST_CLOCK=1)")
    })
}

/// Freezes the clock every rule and job uses at `now` (only with `COACHING_TEST_CLOCK=1`, and
/// only for admins: moving time decides fees, windows and reminders for everyone in the
/// server).
#[utoipa::path(put, operation_id = "setTestClock", path = "/v1/test-clock", tag = "meta", request_body = TestClockDto,
    security(("bearer" = [])),
    responses((status = 200, body = TestClockDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: not an admin"),
        (status = 404, body = Problem, description = "`not_found`: the test clock is off (COACHING_TEST_CLOCK unset)")))]
pub async fn set_test_clock(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<TestClockDto>,
) -> Result<Json<TestClockDto>, ApiError> {
    let clock = test_clock(&state)?;
    if !actor.is_admin() {
        return Err(ApiError::new(
            http::StatusCode::FORBIDDEN,
            "forbidden",
            "only an admin may move the test clock",
        ));
    }
    coaching_domain::time::check_instant("now", body.now)?;
    clock.set(body.now);
    tracing::info!(now = %body.now, "test clock set");
    Ok(Json(TestClockDto { now: body.now }))
}

/// The time the server's rules use now.
#[utoipa::path(get, operation_id = "getTestClock", path = "/v1/test-clock", tag = "meta", security(("bearer" = [])),
    responses((status = 200, body = TestClockDto), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_test_clock(
    State(state): State<AppState>,
    Caller(_): Caller,
) -> Result<Json<TestClockDto>, ApiError> {
    test_clock(&state)?;
    Ok(Json(TestClockDto {
        now: state.services.now(),
    }))
}
