//! docs/api.md#evaluations: generating a review session's coaching (queued, then run by a
//! worker).

use super::sessions::session_id;
use crate::AppState;
use crate::auth::Caller;
use crate::dto::generation::{GenerateAcceptedDto, GenerateBody};
use crate::extract::{ApiPath, OptionalJson};
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use coaching_domain::CriterionId;
use coaching_domain::generation::{GenerationRequest, MAX_GENERATION_CRITERIA};
use http::StatusCode;
use utoipa::OpenApi;

/// Generating a review: this room's paths and schemas in the OpenAPI document
/// ([`crate::openapi::ApiDocs`] merges them).
#[derive(OpenApi)]
#[openapi(
    paths(generate),
    components(schemas(GenerateBody, GenerateAcceptedDto))
)]
pub struct GenerationApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/v1/sessions/{id}/generate", post(generate))
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
