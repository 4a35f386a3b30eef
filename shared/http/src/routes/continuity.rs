//! docs/api.md#sessions and docs/api.md#notes-agenda-and-action-items for recurring 1:1s: agenda templates and action items (their DTOs too). Who may
//! do what is written in `coaching_domain::service` (continuity).

use crate::AppState;
use crate::auth::Caller;
use crate::dto::session::ActionItemDto;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::routes::sessions::{decode_cursor, encode_cursor};
use axum::Json;
use axum::extract::State;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use coaching_domain::org::AgendaTemplate;
use coaching_domain::service::{ActionItemInput, ActionItemPatch, ListActionItems, TemplateInput};
use coaching_domain::{ActionItemId, AgendaTemplateId, SessionId, UserId};
use http::StatusCode;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

fn text_200() -> utoipa::openapi::Object {
    crate::dto::schema::text(200)
}
fn text_300() -> utoipa::openapi::Object {
    crate::dto::schema::text(300)
}
fn template_items() -> utoipa::openapi::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(crate::dto::schema::text(500))
        .min_items(Some(1))
        .max_items(Some(50))
        .build()
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgendaTemplateBody {
    /// 1 to 200 characters.
    #[schema(schema_with = text_200)]
    pub name: String,
    /// 1 to 50 items of 1 to 500 characters.
    #[schema(schema_with = template_items)]
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaTemplateDto {
    pub id: String,
    pub name: String,
    pub items: Vec<String>,
    pub owner_id: String,
    pub created_at: DateTime<Utc>,
}

impl From<AgendaTemplate> for AgendaTemplateDto {
    fn from(t: AgendaTemplate) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name,
            items: t.items,
            owner_id: t.owner_id.to_string(),
            created_at: t.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaTemplateListDto {
    pub items: Vec<AgendaTemplateDto>,
    /// Pass as `cursor` for the next page. Absent exactly on the last page (a full last page
    /// has none: no request ever answers an empty page after a cursor).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionItemBody {
    /// 1 to 300 characters.
    #[schema(schema_with = text_300)]
    pub title: String,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// The coach or the client of the session; default the client.
    #[serde(default)]
    #[schema(schema_with = crate::dto::schema::id)]
    pub assignee_id: Option<String>,
}

/// Absent: unchanged; `null`: cleared.
fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionItemPatchBody {
    #[serde(default)]
    #[schema(schema_with = text_300)]
    pub title: Option<String>,
    /// `null` clears the due date.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(default)]
    pub done: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionItemParams {
    /// Default: the caller.
    #[param(
        min_length = 1,
        max_length = 128,
        pattern = "^[A-Za-z0-9._:@|-]{1,128}$"
    )]
    pub assignee_id: Option<String>,
    /// `true`: only items not done.
    pub open: Option<bool>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionItemListDto {
    /// Open items first, then done ones, each oldest first.
    pub items: Vec<ActionItemDto>,
    /// Pass as `cursor` for the next page. Absent exactly on the last page (a full last page
    /// has none: no request ever answers an empty page after a cursor).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
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
    ApiQuery(q): ApiQuery<PageParams>,
) -> Result<Json<AgendaTemplateListDto>, ApiError> {
    let bad = || ApiError::validation("cursor", "not a cursor this API issued");
    let after = q
        .cursor
        .as_deref()
        .map(|raw| {
            let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
            AgendaTemplateId::parse(String::from_utf8(bytes).map_err(|_| bad())?).map_err(|_| bad())
        })
        .transpose()?;
    let page = state
        .services
        .agenda_templates(&actor, q.limit, after.as_ref())
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
    ApiQuery(q): ApiQuery<ActionItemParams>,
) -> Result<Json<ActionItemListDto>, ApiError> {
    let assignee = q
        .assignee_id
        .map(|a| UserId::parse(a).map_err(|_| ApiError::validation("assigneeId", "not a user id")))
        .transpose()?;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let page = state
        .services
        .action_items(
            &actor,
            ListActionItems {
                assignee,
                open_only: q.open.unwrap_or(false),
                limit: q.limit,
                after,
            },
        )
        .await?;
    Ok(Json(ActionItemListDto {
        items: page.items.iter().map(Into::into).collect(),
        next_cursor: page.next.as_ref().map(encode_cursor),
    }))
}
