//! docs/api.md#coaches-and-slots: coach settings and free slots.

use crate::AppState;
use crate::auth::Caller;
use crate::dto::coaches::{
    AvailabilityDto, CoachSettingsBody, CoachSettingsDto, SlotDto, SlotsDto, SlotsParams,
};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, put};
use coaching_domain::UserId;
use coaching_domain::service::SlotsQuery;
use utoipa::OpenApi;

/// Coach settings and slots: this room's paths and schemas in the OpenAPI document
/// ([`crate::openapi::ApiDocs`] merges them).
#[derive(OpenApi)]
#[openapi(
    paths(put_settings, get_settings, slots),
    components(schemas(
        AvailabilityDto,
        CoachSettingsBody,
        CoachSettingsDto,
        SlotDto,
        SlotsDto
    ))
)]
pub struct CoachesApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/coaches/{coach_id}/settings",
            put(put_settings).get(get_settings),
        )
        .route("/v1/coaches/{coach_id}/slots", get(slots))
}

fn coach_id(raw: String) -> Result<UserId, ApiError> {
    UserId::parse(raw).map_err(|_| ApiError::not_found("coach"))
}

/// Sets a coach's timezone, availability, prices and policies (that coach or an admin).
#[utoipa::path(put, operation_id = "putCoachSettings", path = "/v1/coaches/{coachId}/settings", tag = "coaches", request_body = CoachSettingsBody,
    params(("coachId" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = CoachSettingsDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn put_settings(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(coach): ApiPath<String>,
    ApiJson(body): ApiJson<CoachSettingsBody>,
) -> Result<Json<CoachSettingsDto>, ApiError> {
    let coach = coach_id(coach)?;
    let settings = state
        .services
        .put_coach_settings(&actor, coach, body.into_input())
        .await?;
    Ok(Json(settings.into()))
}

/// A coach's settings (any member of the org).
#[utoipa::path(get, operation_id = "getCoachSettings", path = "/v1/coaches/{coachId}/settings", tag = "coaches",
    params(("coachId" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = CoachSettingsDto), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_settings(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(coach): ApiPath<String>,
) -> Result<Json<CoachSettingsDto>, ApiError> {
    let coach = coach_id(coach)?;
    Ok(Json(
        state.services.coach_settings(&actor, &coach).await?.into(),
    ))
}

/// Free slots: on the 15-minute grid, inside availability (DST-correct), at least
/// `minNoticeMinutes` ahead, clear of the coach's sessions and their buffer.
#[utoipa::path(get, operation_id = "listSlots", path = "/v1/coaches/{coachId}/slots", tag = "coaches",
    params(("coachId" = String, Path), SlotsParams), security(("bearer" = [])),
    responses((status = 200, body = SlotsDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn slots(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(coach): ApiPath<String>,
    ApiQuery(params): ApiQuery<SlotsParams>,
) -> Result<Json<SlotsDto>, ApiError> {
    let coach = coach_id(coach)?;
    let query = SlotsQuery {
        from: params.from,
        to: params.to,
        duration_minutes: params.duration_minutes,
    };
    let turn = crate::blocking::turn().await?;
    let inputs = state.services.slots_inputs(&actor, &coach, query).await?;
    let slots = crate::blocking::compute(&turn, move || SlotsDto {
        slots: inputs
            .compute()
            .into_iter()
            .map(|i| SlotDto {
                starts_at: i.start,
                ends_at: i.end,
            })
            .collect(),
    })
    .await?;
    Ok(Json(slots))
}
