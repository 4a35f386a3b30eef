//! docs/api.md#evaluations: a coachee's evaluations and criteria stats, and the criteria of a review session.

use super::sessions::{decode_cursor, encode_cursor, session_id, session_response};
use crate::AppState;
use crate::auth::Caller;
use crate::dto::evaluation::{
    CriteriaStatsDto, CriterionBody, EvaluationListDto, EvaluationParams, GenerateAcceptedDto,
    GenerateBody, StatsParams,
};
use crate::dto::session::SessionDto;
use crate::extract::{ApiJson, ApiPath, ApiQuery, IfMatch, OptionalJson};
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use coaching_domain::generation::{GenerationRequest, MAX_GENERATION_CRITERIA};
use coaching_domain::service::{CriterionInput, EvaluationFilter};
use coaching_domain::session::View;
use coaching_domain::{CriterionId, UserId};
use http::StatusCode;

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
    ApiQuery(q): ApiQuery<EvaluationParams>,
) -> Result<Json<EvaluationListDto>, ApiError> {
    let coachee = coachee_id(coachee)?;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let filter = EvaluationFilter {
        from: q.from,
        to: q.to,
        scorecard_id: q.scorecard_id,
    };
    let page = state
        .services
        .list_evaluations(&actor, &coachee, filter, q.limit, after)
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
    ApiQuery(q): ApiQuery<StatsParams>,
) -> Result<Json<CriteriaStatsDto>, ApiError> {
    let coachee = coachee_id(coachee)?;
    let filter = EvaluationFilter {
        from: q.from,
        to: q.to,
        scorecard_id: q.scorecard_id,
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

/// Queues an AI coaching generation for a review session (its coach or an admin). A worker then
/// selects the criteria (those asked for, or up to 3 with the most markdowns; soft ones only with
/// `includeSoft` or the org setting), writes a summary per criterion, notes to the coachee,
/// action items tied to evaluations, ticket and KB links, replacing what an earlier generation
/// wrote and keeping what the coach wrote by hand; the coach gets `coaching_ready`. Poll
/// `GET /v1/sessions/{id}` (`review.generation.status`).
#[utoipa::path(post, operation_id = "generateCoaching", path = "/v1/sessions/{id}/generate", tag = "evaluations",
    request_body(content = GenerateBody, description = "Optional: an empty body chooses the criteria"),
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 202, body = GenerateAcceptedDto),
        (status = 400, body = Problem, description = "`validation_failed`: e.g. a criterion the period never scored"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`conflict`: a generation is queued or running"),
        (status = 422, body = Problem, description = "`no_evaluations` (the period has none), `no_markdowns` (no selectable criterion of the period has a markdown and none was named), `not_a_review_session` or `invalid_transition`")))]
pub async fn generate(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
    OptionalJson(body): OptionalJson<GenerateBody>,
) -> Result<(StatusCode, Json<GenerateAcceptedDto>), ApiError> {
    let id = session_id(id)?;
    if body.criterion_ids.len() > MAX_GENERATION_CRITERIA {
        return Err(ApiError::validation(
            "criterionIds",
            format!("at most {MAX_GENERATION_CRITERIA} criteria"),
        ));
    }
    let mut criterion_ids = Vec::new();
    for (i, raw) in body.criterion_ids.into_iter().enumerate() {
        let c = CriterionId::parse(raw)
            .map_err(|e| ApiError::validation(format!("criterionIds[{i}]"), e.to_string()))?;
        if !criterion_ids.contains(&c) {
            criterion_ids.push(c);
        }
    }
    let request = GenerationRequest {
        criterion_ids,
        include_soft: body.include_soft,
    };
    let generation = state
        .services
        .request_generation(&actor, &id, request)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(GenerateAcceptedDto {
            generation: (&generation).into(),
        }),
    ))
}
