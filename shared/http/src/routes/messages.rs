//! docs/api.md#messages: a session's thread between its coach and its client. The rules (who writes,
//! who reads, drafts, the text) are in `coaching_domain::service` (messages).

use crate::AppState;
use crate::auth::Caller;
use crate::dto::messages::{MessageBody, MessageDto, MessageListDto, MessageListParams};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::routes::sessions::{decode_cursor, encode_cursor, session_id};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use http::StatusCode;
use utoipa::OpenApi;

/// A session's messages: this room's paths and schemas in the OpenAPI document
/// ([`crate::openapi::ApiDocs`] merges them).
#[derive(OpenApi)]
#[openapi(
    paths(post_message, list_messages),
    components(schemas(MessageBody, MessageDto, MessageListDto))
)]
pub struct MessagesApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(
        "/v1/sessions/{id}/messages",
        post(post_message).get(list_messages),
    )
}

/// Adds a message to the session's thread: only its coach and its client write (an admin
/// who is not a participant gets 403), in every status but `draft`. The text is trimmed, then
/// 1 to 4,000 characters. The other participant gets `message_received` (inbox and event,
/// data `sessionId`, `messageId`, `authorId`). No `Idempotency-Key`: each call adds a message.
#[utoipa::path(post, operation_id = "postMessage", path = "/v1/sessions/{id}/messages",
    tag = "sessions", params(("id" = String, Path)), request_body = MessageBody,
    security(("bearer" = [])),
    responses((status = 201, body = MessageDto),
        (status = 400, body = Problem, description = "`validation_failed`: `text` empty or longer than 4,000 characters, or malformed JSON"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: an admin who is not a participant reads but does not write"),
        (status = 404, body = Problem, description = "`not_found`: no such session the caller may see"),
        (status = 422, body = Problem, description = "`invalid_transition`: the session is a draft")))]
pub async fn post_message(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<(StatusCode, Json<MessageDto>), ApiError> {
    let m = state
        .services
        .post_message(&actor, &session_id(id)?, &body.text)
        .await?;
    Ok((StatusCode::CREATED, Json((&m).into())))
}

/// The session's thread, oldest first, for its coach, its client and the org's admins.
#[utoipa::path(get, operation_id = "listMessages", path = "/v1/sessions/{id}/messages",
    tag = "sessions", params(("id" = String, Path), MessageListParams),
    security(("bearer" = [])),
    responses((status = 200, body = MessageListDto),
        (status = 400, body = Problem, description = "`validation_failed`: `limit` or `cursor`"),
        (status = 401, body = Problem),
        (status = 404, body = Problem, description = "`not_found`: no such session the caller may see")))]
pub async fn list_messages(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<MessageListParams>,
) -> Result<Json<MessageListDto>, ApiError> {
    let id = session_id(id)?;
    let after = params.cursor.as_deref().map(decode_cursor).transpose()?;
    let page = state
        .services
        .messages(&actor, &id, params.limit, after.as_ref())
        .await?;
    Ok(Json(MessageListDto {
        items: page.items.iter().map(Into::into).collect(),
        next_cursor: page.next.as_ref().map(encode_cursor),
    }))
}
