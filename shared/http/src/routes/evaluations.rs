//! docs/api.md#evaluations and reviews: a coachee's evaluations and criteria stats, the criteria
//! of a review session, and a client's review of a completed session
//! (docs/api.md#session-reviews).

use super::sessions::{decode_cursor, encode_cursor, session_id, session_response, view_of};
use crate::AppState;
use crate::auth::Caller;
use crate::dto::evaluations::{
    CriteriaStatsDto, CriterionBody, CriterionStatsRowDto, EvaluationDto, EvaluationListDto,
    EvaluationParams, RecentScoreDto, ReviewBody, SessionReviewDto, StatsParams,
};
use crate::dto::sessions::SessionDto;
use crate::extract::{ApiJson, ApiPath, ApiQuery, IfMatch};
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post, put};
use coaching_domain::service::{CriterionInput, EvaluationFilter};
use coaching_domain::session::View;
use coaching_domain::{CriterionId, UserId};
use http::StatusCode;
use utoipa::OpenApi;

/// Evaluations, review criteria and session reviews: this room's paths and schemas in the OpenAPI
/// document ([`crate::openapi::ApiDocs`] merges them).
#[derive(OpenApi)]
#[openapi(
    paths(list, stats, put_criterion, delete_criterion, request_review, review),
    components(schemas(
        EvaluationDto,
        EvaluationListDto,
        RecentScoreDto,
        CriterionStatsRowDto,
        CriteriaStatsDto,
        CriterionBody,
        SessionReviewDto,
        ReviewBody
    ))
)]
pub struct EvaluationsApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/coachees/{coachee_id}/evaluations", get(list))
        .route("/v1/coachees/{coachee_id}/criteria-stats", get(stats))
        .route(
            "/v1/sessions/{id}/criteria/{criterion_id}",
            put(put_criterion).delete(delete_criterion),
        )
        .route("/v1/sessions/{id}/review-request", post(request_review))
        .route("/v1/sessions/{id}/review", post(review))
}

fn coachee_id(raw: String) -> Result<UserId, ApiError> {
    UserId::parse(raw).map_err(|_| ApiError::not_found("coachee"))
}

/// A coachee's evaluations, newest first (`evaluatedAt`, then id). Coaches and admins of the
/// org read anyone's; a client only their own (others: 403).
#[utoipa::path(get, operation_id = "listEvaluations", path = "/v1/coachees/{coacheeId}/evaluations", tag = "evaluations",
    params(("coacheeId" = String, Path), EvaluationParams), security(("bearer" = [])),
    responses((status = 200, body = EvaluationListDto),
        (status = 400, body = Problem, description = "`validation_failed`: a bad filter, limit or cursor"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(coachee): ApiPath<String>,
    ApiQuery(params): ApiQuery<EvaluationParams>,
) -> Result<Json<EvaluationListDto>, ApiError> {
    let coachee = coachee_id(coachee)?;
    let after = params.cursor.as_deref().map(decode_cursor).transpose()?;
    let filter = EvaluationFilter {
        from: params.from,
        to: params.to,
        scorecard_id: params.scorecard_id,
    };
    let page = state
        .services
        .list_evaluations(&actor, &coachee, filter, params.limit, after)
        .await?;
    Ok(Json(EvaluationListDto {
        next_cursor: page.next.as_ref().map(encode_cursor),
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// Per-criterion statistics of a coachee's evaluations (`evaluatedAt` in `[from, to)`).
#[utoipa::path(get, operation_id = "getCriteriaStats", path = "/v1/coachees/{coacheeId}/criteria-stats", tag = "evaluations",
    params(("coacheeId" = String, Path), StatsParams), security(("bearer" = [])),
    responses((status = 200, body = CriteriaStatsDto),
        (status = 400, body = Problem, description = "`validation_failed`: a bad filter"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn stats(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(coachee): ApiPath<String>,
    ApiQuery(params): ApiQuery<StatsParams>,
) -> Result<Json<CriteriaStatsDto>, ApiError> {
    let coachee = coachee_id(coachee)?;
    let filter = EvaluationFilter {
        from: params.from,
        to: params.to,
        scorecard_id: params.scorecard_id,
    };
    let turn = crate::blocking::turn().await?;
    let evaluations = state
        .services
        .stats_evaluations(&actor, &coachee, filter)
        .await?;
    let stats = crate::blocking::compute(&turn, move || {
        CriteriaStatsDto::from(coaching_domain::stats::criteria_stats(&evaluations))
    })
    .await?;
    Ok(Json(stats))
}

fn criterion_id(raw: String) -> Result<CriterionId, ApiError> {
    CriterionId::parse(raw).map_err(|_| ApiError::not_found("criterion"))
}

/// Writes one criterion of a review session (its coach or an admin): a summary and the
/// coachee's evaluations of the period it refers to. `stats` are computed from the period;
/// `review.ticketLinks` follow the linked evaluations. `If-Match` is honoured.
#[utoipa::path(put, operation_id = "putReviewCriterion", path = "/v1/sessions/{id}/criteria/{criterionId}", tag = "evaluations",
    request_body = CriterionBody,
    params(("id" = String, Path), ("criterionId" = String, Path, example = "empathy"),
        ("If-Match" = Option<String>, Header, description = "The version read (ETag)")),
    security(("bearer" = [])),
    responses((status = 200, body = SessionDto, headers(("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "`conflict`"),
        (status = 412, body = Problem, description = "`precondition_failed`"),
        (status = 422, body = Problem, description = "`invalid_evaluation_link` (not the coachee's, or outside the period) or `not_a_review_session`")))]
pub async fn put_criterion(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath((id, criterion)): ApiPath<(String, String)>,
    IfMatch(if_match): IfMatch,
    ApiJson(body): ApiJson<CriterionBody>,
) -> Result<Response, ApiError> {
    let id = session_id(id)?;
    let criterion = criterion_id(criterion)?;
    let input = CriterionInput {
        summary: body.summary,
        linked_evaluation_ids: body.linked_evaluation_ids,
        name: body.name,
    };
    let s = state
        .services
        .put_review_criterion(&actor, &id, &criterion, input, if_match)
        .await?;
    Ok(session_response(StatusCode::OK, &s, View::Full))
}

/// Removes one criterion of a review session (its coach or an admin).
#[utoipa::path(delete, operation_id = "deleteReviewCriterion", path = "/v1/sessions/{id}/criteria/{criterionId}", tag = "evaluations",
    params(("id" = String, Path), ("criterionId" = String, Path, example = "empathy"),
        ("If-Match" = Option<String>, Header, description = "The version read (ETag)")),
    security(("bearer" = [])),
    responses((status = 200, body = SessionDto, headers(("ETag" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "`not_found`: no such session or criterion"),
        (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem, description = "`not_a_review_session`")))]
pub async fn delete_criterion(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath((id, criterion)): ApiPath<(String, String)>,
    IfMatch(if_match): IfMatch,
) -> Result<Response, ApiError> {
    let id = session_id(id)?;
    let criterion = criterion_id(criterion)?;
    let s = state
        .services
        .delete_review_criterion(&actor, &id, &criterion, if_match)
        .await?;
    Ok(session_response(StatusCode::OK, &s, View::Full))
}

/// Asks the client to review a completed session (its coach or an admin): the client gets
/// `review_requested`. Asking again changes nothing.
#[utoipa::path(post, operation_id = "requestReview", path = "/v1/sessions/{id}/review-request", tag = "sessions",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 202, body = SessionDto, headers(("ETag" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "`invalid_transition`: the session is not completed")))]
pub async fn request_review(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let s = state
        .services
        .request_review(&actor, &session_id(id)?)
        .await?;
    Ok(session_response(
        StatusCode::ACCEPTED,
        &s,
        view_of(&s, &actor),
    ))
}

/// The session's client reviews it once it is completed: rating 1 to 5, an optional comment.
#[utoipa::path(post, operation_id = "reviewSession", path = "/v1/sessions/{id}/review", tag = "sessions", request_body = ReviewBody,
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 201, body = SessionReviewDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem, description = "`forbidden`: not the session's client"),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "`already_exists`: reviewed already"),
        (status = 422, body = Problem, description = "`invalid_transition`: the session is not completed")))]
pub async fn review(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<(StatusCode, Json<SessionReviewDto>), ApiError> {
    let r = state
        .services
        .submit_review(&actor, &session_id(id)?, body.rating, body.comment)
        .await?;
    Ok((StatusCode::CREATED, Json(SessionReviewDto::from(&r))))
}
