//! docs/api.md#reviews-and-analytics: a coach's analytics.

use crate::AppState;
use crate::auth::Caller;
use crate::dto::analytics::{AnalyticsDto, AnalyticsParams, MonthRevenueDto};
use crate::extract::{ApiPath, ApiQuery};
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use coaching_domain::UserId;
use utoipa::OpenApi;

/// A coach's analytics: this room's paths and schemas in the OpenAPI document
/// ([`crate::openapi::ApiDocs`] merges them).
#[derive(OpenApi)]
#[openapi(paths(analytics), components(schemas(AnalyticsDto, MonthRevenueDto)))]
pub struct AnalyticsApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/v1/coaches/{coach_id}/analytics", get(analytics))
}
/// A coach's business figures over `[from, to)` (docs/api.md#analytics): completed sessions, client retention,
/// average rating and revenue per month of the coach's time zone, all by session start. That
/// coach or an admin of the org; other users 403. Only the caller's org is ever read: a coach
/// of another org has no sessions here.
#[utoipa::path(get, operation_id = "getCoachAnalytics", path = "/v1/coaches/{coachId}/analytics", tag = "coaches",
    params(("coachId" = String, Path), AnalyticsParams), security(("bearer" = [])),
    responses((status = 200, body = AnalyticsDto),
        (status = 400, body = Problem, description = "`validation_failed`: `from` or `to` missing or malformed, `to` not after `from`, or more than 1,098 days apart"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: neither that coach nor an admin"),
        (status = 404, body = Problem, description = "`not_found`: not a valid coach id"),
        (status = 500, body = Problem, description = "`internal`: the store failed")))]
pub async fn analytics(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(coach): ApiPath<String>,
    ApiQuery(params): ApiQuery<AnalyticsParams>,
) -> Result<Json<AnalyticsDto>, ApiError> {
    let coach = UserId::parse(coach).map_err(|_| ApiError::not_found("coach"))?;
    let analytics = state
        .services
        .coach_analytics(&actor, &coach, params.from, params.to)
        .await?;
    Ok(Json(analytics.into()))
}
