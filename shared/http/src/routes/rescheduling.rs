//! docs/api.md#rescheduling: moving sessions, reschedule requests and their decisions.

use crate::AppState;
use crate::auth::Caller;
use crate::dto::rescheduling::*;
use crate::dto::sessions::SessionDto;
use crate::extract::{ApiJson, ApiPath, ApiQuery, OptionalJson, etag};
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use coaching_domain::service::{ListRequests, RescheduleCommand, Rescheduled};
use coaching_domain::session::View;
use coaching_domain::{RescheduleRequestId, SessionId};
use http::{StatusCode, header};
use utoipa::OpenApi;

/// Rescheduling: this room's paths and schemas in the OpenAPI document ([`crate::openapi::ApiDocs`]
/// merges them).
#[derive(OpenApi)]
#[openapi(
    paths(reschedule, list, get_one, approve, reject),
    components(schemas(
        RescheduleBody,
        RejectBody,
        RequestStatusDto,
        RescheduleRequestDto,
        RescheduleRequestedDto,
        DecisionDto,
        RescheduleRequestListDto
    ))
)]
pub struct ReschedulingApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/sessions/{id}/reschedule", post(reschedule))
        .route("/v1/reschedule-requests", get(list))
        .route("/v1/reschedule-requests/{id}", get(get_one))
        .route("/v1/reschedule-requests/{id}/approve", post(approve))
        .route("/v1/reschedule-requests/{id}/reject", post(reject))
}

fn request_id(raw: String) -> Result<RescheduleRequestId, ApiError> {
    RescheduleRequestId::parse(raw).map_err(|_| ApiError::not_found("reschedule request"))
}

/// Moves a session, or asks the coach to. The coach (or an admin) moves it at once any time
/// before it starts (200); the client moves it at once 48 h or more before (200), files a
/// request 24–48 h before (202 `{rescheduleRequest}`, one pending per session, else 409
/// `conflict`), and gets 422 `reschedule_window_closed` under 24 h. The new time must be a free
/// slot (409 `slot_unavailable`). A coach's move supersedes a pending request. Reminders follow
/// the new time; the other side is notified (`session_rescheduled`, or `reschedule_requested`
/// to the coach). After the start: 409 `conflict`; a draft or finished session: 422.
#[utoipa::path(post, operation_id = "rescheduleSession", path = "/v1/sessions/{id}/reschedule", tag = "rescheduling", request_body = RescheduleBody,
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = SessionDto, headers(("ETag" = String)), description = "Moved"),
        (status = 202, body = RescheduleRequestedDto, description = "A request waits for the coach"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`slot_unavailable`, or `conflict` (a pending request exists, the session started)"),
        (status = 422, body = Problem, description = "`reschedule_window_closed` or `invalid_transition`")))]
pub async fn reschedule(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RescheduleBody>,
) -> Result<Response, ApiError> {
    let id = SessionId::parse(id).map_err(|_| ApiError::not_found("session"))?;
    let cmd = RescheduleCommand {
        starts_at: body.starts_at,
        reason: body.reason,
    };
    Ok(
        match state.services.reschedule_session(&actor, &id, cmd).await? {
            Rescheduled::Moved(s) => {
                let view = s.view_for(&actor).unwrap_or(View::Client);
                let mut res = (StatusCode::OK, Json(SessionDto::new(&s, view))).into_response();
                res.headers_mut().insert(header::ETAG, etag(s.version));
                res
            }
            Rescheduled::Requested(r) => (
                StatusCode::ACCEPTED,
                Json(RescheduleRequestedDto {
                    reschedule_request: (&r).into(),
                }),
            )
                .into_response(),
        },
    )
}

/// The reschedule requests of sessions the caller coaches or attends, newest first.
#[utoipa::path(get, operation_id = "listRescheduleRequests", path = "/v1/reschedule-requests", tag = "rescheduling", params(RequestListParams),
    security(("bearer" = [])),
    responses((status = 200, body = RescheduleRequestListDto), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(params): ApiQuery<RequestListParams>,
) -> Result<Json<RescheduleRequestListDto>, ApiError> {
    let before = match params.cursor {
        Some(c) => Some(
            RescheduleRequestId::parse(c)
                .map_err(|_| ApiError::validation("cursor", "not a cursor this API issued"))?,
        ),
        None => None,
    };
    let limit = params.limit;
    let page = state
        .services
        .list_requests(
            &actor,
            ListRequests {
                status: params.status.map(Into::into),
                limit,
                before,
            },
        )
        .await?;
    Ok(Json(RescheduleRequestListDto {
        items: page.items.iter().map(Into::into).collect(),
        next_cursor: page.next.map(|c| c.id),
    }))
}

/// One reschedule request (the session's participants and admins).
#[utoipa::path(get, operation_id = "getRescheduleRequest", path = "/v1/reschedule-requests/{id}", tag = "rescheduling", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = RescheduleRequestDto), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RescheduleRequestDto>, ApiError> {
    let r = state
        .services
        .reschedule_request(&actor, &request_id(id)?)
        .await?;
    Ok(Json((&r).into()))
}

/// The coach (or an admin) approves: the session moves to the proposed time and the client is
/// notified (`reschedule_approved`). 409 `slot_unavailable` when the time was taken meanwhile;
/// 409 `conflict` when the request is no longer pending or `now ≥ expiresAt` (even before the
/// expiry job ran).
#[utoipa::path(post, operation_id = "approveRescheduleRequest", path = "/v1/reschedule-requests/{id}/approve", tag = "rescheduling", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = DecisionDto), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`slot_unavailable`: the time was taken meanwhile; `conflict`: the request is no longer pending or has expired")))]
pub async fn approve(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DecisionDto>, ApiError> {
    let d = state
        .services
        .approve_request(&actor, &request_id(id)?)
        .await?;
    Ok(Json(DecisionDto {
        reschedule_request: (&d.request).into(),
        session: SessionDto::new(&d.session, View::Full),
    }))
}

/// The coach (or an admin) rejects, with an optional reason: the session keeps its time and the
/// client is notified (`reschedule_rejected`). 409 `conflict` as for approve.
#[utoipa::path(post, operation_id = "rejectRescheduleRequest", path = "/v1/reschedule-requests/{id}/reject", tag = "rescheduling",
    request_body(content = RejectBody, description = "Optional: an empty body rejects without a reason"), params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = DecisionDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reject(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
    OptionalJson(body): OptionalJson<RejectBody>,
) -> Result<Json<DecisionDto>, ApiError> {
    let d = state
        .services
        .reject_request(&actor, &request_id(id)?, body.reason)
        .await?;
    Ok(Json(DecisionDto {
        reschedule_request: (&d.request).into(),
        session: SessionDto::new(&d.session, View::Full),
    }))
}
