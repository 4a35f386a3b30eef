//! The caller's notification inbox (docs/api.md#notifications-reminders-and-jobs).

use crate::AppState;
use crate::auth::Caller;
use crate::dto::notifications::{NotificationDto, NotificationListDto, NotificationParams};
use crate::extract::ApiQuery;
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use coaching_domain::NotificationId;
use utoipa::OpenApi;

/// The notification inbox: this room's paths and schemas in the OpenAPI document
/// ([`crate::openapi::ApiDocs`] merges them).
#[derive(OpenApi)]
#[openapi(
    paths(notifications),
    components(schemas(NotificationDto, NotificationListDto))
)]
pub struct NotificationsApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/v1/notifications", get(notifications))
}
/// The caller's inbox, newest first.
#[utoipa::path(get, operation_id = "listNotifications", path = "/v1/notifications", tag = "notifications", params(NotificationParams),
    security(("bearer" = [])),
    responses((status = 200, body = NotificationListDto), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn notifications(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(params): ApiQuery<NotificationParams>,
) -> Result<Json<NotificationListDto>, ApiError> {
    let before = match params.cursor {
        Some(c) => Some(
            NotificationId::parse(c)
                .map_err(|_| ApiError::validation("cursor", "not a cursor this API issued"))?,
        ),
        None => None,
    };
    let limit = params.limit;
    let page = state.services.inbox(&actor, limit, before.as_ref()).await?;
    Ok(Json(NotificationListDto {
        next_cursor: page.next.map(|c| c.id),
        items: page
            .items
            .into_iter()
            .map(|n| NotificationDto {
                id: n.id.to_string(),
                type_: n.kind.as_str().to_owned(),
                session_id: n.session_id.map(|s| s.to_string()),
                created_at: n.created_at,
                data: n.data,
            })
            .collect(),
    }))
}
