//! docs/api.md#sessions: booking, reading, editing and the lifecycle of sessions.

use crate::AppState;
use crate::auth::Caller;
use crate::dto::sessions::*;
use crate::extract::{ApiJson, ApiPath, ApiQuery, IdempotencyKey, IfMatch, OptionalJson, etag};
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use coaching_domain::ports::Cursor;
use coaching_domain::service::{
    AgendaInput, CreateSession, ListSessions, ReviewInput, SessionPatch,
};
use coaching_domain::session::{Recurrence, Session, SessionStatus, View};
use coaching_domain::{AgendaTemplateId, DomainError, Role, SessionId, UserId};
use http::{HeaderValue, StatusCode, header};
use utoipa::OpenApi;

/// Sessions: this room's paths and schemas in the OpenAPI document ([`crate::openapi::ApiDocs`]
/// merges them).
#[derive(OpenApi)]
#[openapi(
    paths(create, list, get_one, patch, cancel, complete, no_show, join),
    components(schemas(
        SessionDto,
        SessionListDto,
        CreateSessionBody,
        PatchSessionBody,
        CancelBody,
        CompletedDto,
        JoinDto
    ))
)]
pub struct SessionsApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/sessions", post(create).get(list))
        .route("/v1/sessions/{id}", get(get_one).patch(patch))
        .route("/v1/sessions/{id}/cancel", post(cancel))
        .route("/v1/sessions/{id}/complete", post(complete))
        .route("/v1/sessions/{id}/no-show", post(no_show))
        .route("/v1/sessions/{id}/join", post(join))
}

pub(crate) fn session_id(raw: String) -> Result<SessionId, ApiError> {
    SessionId::parse(raw).map_err(|_| ApiError::not_found("session"))
}

/// A session response with its `ETag`.
pub(crate) fn session_response(status: StatusCode, session: &Session, view: View) -> Response {
    let mut res = (status, Json(SessionDto::new(session, view))).into_response();
    res.headers_mut()
        .insert(header::ETAG, etag(session.version));
    res
}

pub(crate) fn view_of(session: &Session, actor: &coaching_domain::Actor) -> View {
    session.view_for(actor).unwrap_or(View::Client)
}

fn user_field(field: &str, raw: String) -> Result<UserId, DomainError> {
    UserId::parse(raw).map_err(|e| DomainError::field(field, e.to_string()))
}

fn to_command(b: CreateSessionBody) -> Result<CreateSession, DomainError> {
    Ok(CreateSession {
        kind: b.kind.into(),
        coach_id: user_field("coachId", b.coach_id)?,
        client_id: user_field("clientId", b.client_id)?,
        starts_at: b.starts_at,
        duration_minutes: b.duration_minutes,
        name: b.name,
        agenda_template_id: match b.agenda_template_id {
            Some(t) => Some(
                AgendaTemplateId::parse(t)
                    .map_err(|e| DomainError::field("agendaTemplateId", e.to_string()))?,
            ),
            None => None,
        },
        recurrence: b.recurrence.map(|r| Recurrence {
            every: r.every.into(),
        }),
        review: b.review.map(|r| ReviewInput {
            period_start: r.period_start,
            period_end: r.period_end,
            scorecard_ids: r.scorecard_ids,
        }),
    })
}

/// Books a session. With `Idempotency-Key`, the same key and body returns the first response
/// again (`Idempotent-Replayed: true`); the same key with another body is 422.
#[utoipa::path(post, operation_id = "createSession", path = "/v1/sessions", tag = "sessions", request_body = CreateSessionBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", min_length = 1, max_length = 255,
        description = "Makes retries safe: 1-255 visible ASCII characters")),
    security(("bearer" = [])),
    responses((status = 201, body = SessionDto, headers(("ETag" = String), ("Location" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "`not_found`: unknown coach (or one without settings)"),
        (status = 409, body = Problem, description = "`slot_unavailable` or `already_exists` (an intro with this coach)"),
        (status = 422, body = Problem, description = "`idempotency_key_reused`: the same key with another body")))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(body): ApiJson<CreateSessionBody>,
) -> Result<Response, ApiError> {
    let cmd = to_command(body)?;
    let (session, replayed) = state
        .services
        .create_session(&actor, cmd, key.as_deref())
        .await?;
    let mut res = session_response(StatusCode::CREATED, &session, view_of(&session, &actor));
    if let Ok(loc) = HeaderValue::from_str(&format!("/v1/sessions/{}", session.id)) {
        res.headers_mut().insert(header::LOCATION, loc);
    }
    if replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}

/// One session, as far as the caller may see it (404 for non-participants and other orgs).
#[utoipa::path(get, operation_id = "getSession", path = "/v1/sessions/{id}", tag = "sessions", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = SessionDto, headers(("ETag" = String))), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let (s, view) = state.services.session_for(&actor, &session_id(id)?).await?;
    Ok(session_response(StatusCode::OK, &s, view))
}

pub(crate) fn encode_cursor(cursor: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", cursor.sort_key, cursor.id))
}

pub(crate) fn decode_cursor(raw: &str) -> Result<Cursor, ApiError> {
    let bad = || ApiError::validation("cursor", "not a cursor this API issued");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (k, id) = text.split_once(':').ok_or_else(bad)?;
    Ok(Cursor {
        sort_key: k.parse().map_err(|_| bad())?,
        id: SessionId::parse(id).map_err(|_| bad())?.to_string(),
    })
}

/// The sessions the caller may see, ordered by `startsAt` (drafts last).
#[utoipa::path(get, operation_id = "listSessions", path = "/v1/sessions", tag = "sessions", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = SessionListDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<SessionListDto>, ApiError> {
    let role = match params.role.as_deref() {
        None | Some("") => None,
        Some("coach") => Some(Role::Coach),
        Some("client") => Some(Role::Client),
        Some("admin") => Some(Role::Admin),
        Some(_) => return Err(ApiError::validation("role", "must be coach or client")),
    };
    let mut statuses = Vec::new();
    for s in params
        .status
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        statuses.push(SessionStatus::parse(s).ok_or_else(|| {
            ApiError::validation(
                "status",
                "each status must be draft, scheduled, completed, cancelled or no_show",
            )
        })?);
    }
    let after = params.cursor.as_deref().map(decode_cursor).transpose()?;
    let query = ListSessions {
        role,
        statuses,
        from: params.from,
        to: params.to,
        limit: params.limit,
        after,
    };
    let page = state.services.list_sessions(&actor, query).await?;
    Ok(Json(SessionListDto {
        items: page
            .items
            .iter()
            .map(|s| SessionDto::listed(s, view_of(s, &actor)))
            .collect(),
        next_cursor: page.next.as_ref().map(encode_cursor),
    }))
}

/// Edits name, notes, private notes and agenda, or schedules a draft (coach or admin).
/// Honours `If-Match` (412 when the version differs).
#[utoipa::path(patch, operation_id = "patchSession", path = "/v1/sessions/{id}", tag = "sessions", request_body = PatchSessionBody,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    security(("bearer" = [])),
    responses((status = 200, body = SessionDto, headers(("ETag" = String))), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`slot_unavailable`: the draft's new start is not free; `conflict`: the session changed meanwhile"), (status = 412, body = Problem),
        (status = 422, body = Problem, description = "`invalid_transition`: the session is cancelled, completed or a no-show")))]
pub async fn patch(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
    IfMatch(if_match): IfMatch,
    ApiJson(body): ApiJson<PatchSessionBody>,
) -> Result<Response, ApiError> {
    let patch = SessionPatch {
        name: body.name,
        notes: body.notes,
        private_notes: body.private_notes,
        agenda: body.agenda.map(|items| {
            items
                .into_iter()
                .map(|a| AgendaInput {
                    id: a.id,
                    text: a.text,
                    done: a.done,
                })
                .collect()
        }),
        starts_at: body.starts_at,
    };
    let s = state
        .services
        .patch_session(&actor, &session_id(id)?, patch, if_match)
        .await?;
    Ok(session_response(StatusCode::OK, &s, View::Full))
}

/// Cancels a scheduled session (either participant or an admin). A client inside the coach's
/// cancellation window owes `lateCancellationFeePercent` of the price; a coach never does. A
/// pending reschedule request becomes `superseded`; no reminder follows a cancellation.
#[utoipa::path(post, operation_id = "cancelSession", path = "/v1/sessions/{id}/cancel", tag = "sessions", request_body(content = CancelBody, description = "Optional: an empty body cancels without a reason"),
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = SessionDto), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem, description = "`invalid_transition`: not a scheduled session")))]
pub async fn cancel(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
    OptionalJson(body): OptionalJson<CancelBody>,
) -> Result<Response, ApiError> {
    let s = state
        .services
        .cancel_session(&actor, &session_id(id)?, body.reason)
        .await?;
    Ok(session_response(StatusCode::OK, &s, view_of(&s, &actor)))
}

/// "Finish meeting" (coach or admin), from the start on: 409 `too_early` before.
#[utoipa::path(post, operation_id = "completeSession", path = "/v1/sessions/{id}/complete", tag = "sessions", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = CompletedDto), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "`too_early` (with `opensAt`): before the start; `conflict`: the session changed meanwhile"),
        (status = 422, body = Problem, description = "`invalid_transition`: not a scheduled session")))]
pub async fn complete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CompletedDto>, ApiError> {
    let done = state
        .services
        .complete_session(&actor, &session_id(id)?)
        .await?;
    Ok(Json(CompletedDto {
        session: SessionDto::new(&done.session, View::Full),
        next_session: done
            .next_session
            .as_ref()
            .map(|s| SessionDto::new(s, View::Full)),
    }))
}

/// Records a client no-show (coach or admin) from start + 10 minutes, with the no-show fee.
#[utoipa::path(post, operation_id = "markNoShow", path = "/v1/sessions/{id}/no-show", tag = "sessions", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = SessionDto), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "`too_early` (with `opensAt`): before 10 minutes after the start; `conflict`: the session changed meanwhile"),
        (status = 422, body = Problem, description = "`invalid_transition`: not a scheduled session")))]
pub async fn no_show(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let s = state
        .services
        .mark_no_show(&actor, &session_id(id)?)
        .await?;
    Ok(session_response(StatusCode::OK, &s, View::Full))
}

/// The meeting link, from 15 minutes before the start to the end: 409 `too_early` (with
/// `opensAt`) before, 409 `conflict` after.
#[utoipa::path(post, operation_id = "joinSession", path = "/v1/sessions/{id}/join", tag = "sessions", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = JoinDto), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "`too_early` (with `opensAt`): more than 15 minutes before the start; `conflict`: the session has ended or is not scheduled")))]
pub async fn join(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<JoinDto>, ApiError> {
    let j = state
        .services
        .join_session(&actor, &session_id(id)?)
        .await?;
    Ok(Json(JoinDto {
        join_url: j.join_url,
        opens_at: j.opens_at,
        closes_at: j.closes_at,
    }))
}
