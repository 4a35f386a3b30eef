//! docs/api.md#sessions and docs/api.md#notes-agenda-and-action-items for recurring 1:1s:
//! agenda templates and action items. Who may do what is written in
//! `coaching_domain::service` (continuity).

use crate::AppState;
use crate::auth::Caller;
use crate::dto::continuity::{
    ActionItemBody, ActionItemDto, ActionItemListDto, ActionItemParams, ActionItemPatchBody,
    AgendaTemplateBody, AgendaTemplateDto, AgendaTemplateListDto, PageParams,
};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::routes::sessions::{decode_cursor, encode_cursor};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, patch, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use coaching_domain::service::{ActionItemInput, ActionItemPatch, ListActionItems, TemplateInput};
use coaching_domain::{ActionItemId, AgendaTemplateId, SessionId, UserId};
use http::StatusCode;
use utoipa::OpenApi;

/// Agenda templates and action items: this room's paths and schemas in the OpenAPI document
/// ([`crate::openapi::ApiDocs`] merges them).
#[derive(OpenApi)]
#[openapi(
    paths(create_template, list_templates, create_item, patch_item, list_items),
    components(schemas(
        AgendaTemplateBody,
        AgendaTemplateDto,
        AgendaTemplateListDto,
        ActionItemBody,
        ActionItemPatchBody,
        ActionItemListDto
    ))
)]
pub struct ContinuityApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/agenda-templates",
            post(create_template).get(list_templates),
        )
        .route("/v1/sessions/{id}/action-items", post(create_item))
        .route("/v1/action-items", get(list_items))
        .route("/v1/action-items/{id}", patch(patch_item))
}
/// Adds an agenda template owned by the caller (coach or admin).
#[utoipa::path(post, operation_id = "createAgendaTemplate", path = "/v1/agenda-templates", tag = "sessions",
    request_body = AgendaTemplateBody, security(("bearer" = [])),
    responses((status = 201, body = AgendaTemplateDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn create_template(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<AgendaTemplateBody>,
) -> Result<(StatusCode, Json<AgendaTemplateDto>), ApiError> {
    let t = state
        .services
        .create_agenda_template(
            &actor,
            TemplateInput {
                name: body.name,
                items: body.items,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

/// The caller's agenda templates (a coach), or the org's (an admin), oldest first.
#[utoipa::path(get, operation_id = "listAgendaTemplates", path = "/v1/agenda-templates", tag = "sessions", params(PageParams),
    security(("bearer" = [])),
    responses((status = 200, body = AgendaTemplateListDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_templates(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<AgendaTemplateListDto>, ApiError> {
    let bad = || ApiError::validation("cursor", "not a cursor this API issued");
    let after = params
        .cursor
        .as_deref()
        .map(|raw| {
            let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
            AgendaTemplateId::parse(String::from_utf8(bytes).map_err(|_| bad())?).map_err(|_| bad())
        })
        .transpose()?;
    let page = state
        .services
        .agenda_templates(&actor, params.limit, after.as_ref())
        .await?;
    Ok(Json(AgendaTemplateListDto {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next.map(|c| URL_SAFE_NO_PAD.encode(c.id)),
    }))
}

/// Adds an action item to a session (its coach or an admin; at most 50 per session).
#[utoipa::path(post, operation_id = "createActionItem", path = "/v1/sessions/{id}/action-items", tag = "sessions",
    params(("id" = String, Path)), request_body = ActionItemBody, security(("bearer" = [])),
    responses((status = 201, body = ActionItemDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn create_item(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ActionItemBody>,
) -> Result<(StatusCode, Json<ActionItemDto>), ApiError> {
    let id = SessionId::parse(id).map_err(|_| ApiError::not_found("session"))?;
    let assignee_id = body
        .assignee_id
        .map(|a| {
            UserId::parse(a).map_err(|_| {
                ApiError::validation(
                    "assigneeId",
                    "must be the coach or the client of the session",
                )
            })
        })
        .transpose()?;
    let item = state
        .services
        .create_action_item(
            &actor,
            &id,
            ActionItemInput {
                title: body.title,
                due_date: body.due_date,
                assignee_id,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json((&item).into())))
}

/// Edits an action item: the session's coach or an admin any field, the assignee `done` only.
#[utoipa::path(patch, operation_id = "patchActionItem", path = "/v1/action-items/{id}", tag = "sessions",
    params(("id" = String, Path)), request_body = ActionItemPatchBody, security(("bearer" = [])),
    responses((status = 200, body = ActionItemDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn patch_item(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ActionItemPatchBody>,
) -> Result<Json<ActionItemDto>, ApiError> {
    let id = ActionItemId::parse(id).map_err(|_| ApiError::not_found("action item"))?;
    let item = state
        .services
        .patch_action_item(
            &actor,
            &id,
            ActionItemPatch {
                title: body.title,
                due_date: body.due_date,
                done: body.done,
            },
        )
        .await?;
    Ok(Json((&item).into()))
}

/// Action items assigned to `assigneeId` (default the caller). Someone else's: an admin sees
/// all of them, a coach those of sessions they coach; anyone else gets 403.
#[utoipa::path(get, operation_id = "listActionItems", path = "/v1/action-items", tag = "sessions", params(ActionItemParams),
    security(("bearer" = [])),
    responses((status = 200, body = ActionItemListDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_items(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(params): ApiQuery<ActionItemParams>,
) -> Result<Json<ActionItemListDto>, ApiError> {
    let assignee = params
        .assignee_id
        .map(|a| UserId::parse(a).map_err(|_| ApiError::validation("assigneeId", "not a user id")))
        .transpose()?;
    let after = params.cursor.as_deref().map(decode_cursor).transpose()?;
    let page = state
        .services
        .action_items(
            &actor,
            ListActionItems {
                assignee,
                open_only: params.open.unwrap_or(false),
                limit: params.limit,
                after,
            },
        )
        .await?;
    Ok(Json(ActionItemListDto {
        items: page.items.iter().map(Into::into).collect(),
        next_cursor: page.next.as_ref().map(encode_cursor),
    }))
}
