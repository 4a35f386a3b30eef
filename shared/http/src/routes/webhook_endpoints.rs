//! docs/api.md#org-events-and-outbound-webhooks: the org's outbound webhook endpoints (admin only), their
//! deliveries log and replay, and the deliveries job. The rules are in
//! `coaching_domain::service` (outbound).

use crate::AppState;
use crate::auth::Caller;
use crate::dto::webhook_endpoints::{
    DeliveryAttemptDto, DeliveryListParams, DeliveryRunDto, DeliveryStatusDto, DisabledReasonDto,
    EndpointStatusDto, WebhookDeliveryDto, WebhookDeliveryListDto, WebhookEndpointBody,
    WebhookEndpointDto, WebhookEndpointListDto, WebhookEndpointPatchBody,
    WebhookEndpointWithSecretDto,
};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::routes::org::new_secret;
use crate::routes::sessions::encode_cursor;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use coaching_domain::outbound::WebhookEndpoint;
use coaching_domain::ports::Cursor;
use coaching_domain::service::{EndpointInput, EndpointPatch, ListDeliveries};
use http::StatusCode;
use utoipa::OpenApi;

/// Outbound webhooks: this room's paths and schemas in the OpenAPI document
/// ([`crate::openapi::ApiDocs`] merges them).
#[derive(OpenApi)]
#[openapi(
    paths(
        create_endpoint,
        list_endpoints,
        get_endpoint,
        patch_endpoint,
        delete_endpoint,
        rotate_endpoint_secret,
        test_endpoint,
        list_deliveries,
        retry_delivery,
        run_deliveries
    ),
    components(schemas(
        WebhookEndpointBody,
        WebhookEndpointPatchBody,
        WebhookEndpointDto,
        WebhookEndpointWithSecretDto,
        WebhookEndpointListDto,
        EndpointStatusDto,
        DisabledReasonDto,
        WebhookDeliveryDto,
        WebhookDeliveryListDto,
        DeliveryAttemptDto,
        DeliveryStatusDto,
        DeliveryRunDto
    ))
)]
pub struct WebhookEndpointsApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/webhook-endpoints",
            post(create_endpoint).get(list_endpoints),
        )
        .route(
            "/v1/webhook-endpoints/{id}",
            get(get_endpoint)
                .patch(patch_endpoint)
                .delete(delete_endpoint),
        )
        .route(
            "/v1/webhook-endpoints/{id}/rotate-secret",
            post(rotate_endpoint_secret),
        )
        .route("/v1/webhook-endpoints/{id}/test", post(test_endpoint))
        .route(
            "/v1/webhook-endpoints/{id}/deliveries",
            get(list_deliveries),
        )
        .route("/v1/webhook-deliveries/{id}/retry", post(retry_delivery))
        .route("/v1/admin/jobs/deliveries/run", post(run_deliveries))
}

/// The endpoint with its secret, `201` or `200`, never stored by a cache.
fn with_secret(status: StatusCode, endpoint: &WebhookEndpoint) -> Response {
    let body = WebhookEndpointWithSecretDto {
        endpoint: endpoint.into(),
        secret: endpoint.secret.clone(),
    };
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    res
}

/// A delivery list cursor: the position of the last delivery of a page.
fn decode_delivery_cursor(raw: &str) -> Result<Cursor, ApiError> {
    let bad = || ApiError::validation("cursor", "not a cursor this API issued");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (key, id) = text.split_once(':').ok_or_else(bad)?;
    let id = coaching_domain::DeliveryId::parse(id).map_err(|_| bad())?;
    Ok(Cursor {
        sort_key: key.parse().map_err(|_| bad())?,
        id: id.to_string(),
    })
}

/// Registers an endpoint (admin). The answer carries its secret, this once. At most 20 per org.
#[utoipa::path(post, operation_id = "createWebhookEndpoint", path = "/v1/webhook-endpoints",
    tag = "webhooks", request_body = WebhookEndpointBody, security(("bearer" = [])),
    responses((status = 201, body = WebhookEndpointWithSecretDto, description = "The endpoint and its secret (`Cache-Control: no-store`)"),
        (status = 400, body = Problem, description = "`validation_failed`: `url` (not http(s), too long, credentials, unparseable), `eventTypes` (empty, or an unknown type, named), `description`"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: not an admin"),
        (status = 409, body = Problem, description = "`conflict`: the org has 20 endpoints"),
        (status = 422, body = Problem, description = "`unsafe_url`: the host is, or names, an internal address (loopback, private, link-local, unique-local, CGNAT, unspecified, multicast, `localhost`)")))]
pub async fn create_endpoint(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<WebhookEndpointBody>,
) -> Result<Response, ApiError> {
    let input = EndpointInput {
        url: body.url,
        event_types: body.event_types,
        description: body.description,
    };
    let endpoint = state
        .services
        .create_endpoint(&actor, input, new_secret()?)
        .await?;
    Ok(with_secret(StatusCode::CREATED, &endpoint))
}

/// The org's endpoints, oldest first (admin); secrets are never listed.
#[utoipa::path(get, operation_id = "listWebhookEndpoints", path = "/v1/webhook-endpoints",
    tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, body = WebhookEndpointListDto), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: not an admin")))]
pub async fn list_endpoints(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<WebhookEndpointListDto>, ApiError> {
    let endpoints = state.services.list_endpoints(&actor).await?;
    Ok(Json(WebhookEndpointListDto {
        items: endpoints.iter().map(Into::into).collect(),
    }))
}

/// One endpoint (admin).
#[utoipa::path(get, operation_id = "getWebhookEndpoint", path = "/v1/webhook-endpoints/{id}",
    tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = WebhookEndpointDto), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: not an admin"),
        (status = 404, body = Problem, description = "`not_found`: no such endpoint in the caller's org")))]
pub async fn get_endpoint(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<WebhookEndpointDto>, ApiError> {
    Ok(Json(
        (&state.services.get_endpoint(&actor, &id).await?).into(),
    ))
}

/// Changes an endpoint's `url`, `eventTypes`, `description` or `status` (admin). Enabling a
/// disabled endpoint replays nothing it missed.
#[utoipa::path(patch, operation_id = "patchWebhookEndpoint", path = "/v1/webhook-endpoints/{id}",
    tag = "webhooks", params(("id" = String, Path)), request_body = WebhookEndpointPatchBody,
    security(("bearer" = [])),
    responses((status = 200, body = WebhookEndpointDto),
        (status = 400, body = Problem, description = "`validation_failed`: a field, named"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: not an admin"),
        (status = 404, body = Problem, description = "`not_found`: no such endpoint in the caller's org"),
        (status = 409, body = Problem, description = "`conflict`: it changed meanwhile"),
        (status = 422, body = Problem, description = "`unsafe_url`: the new URL points inside")))]
pub async fn patch_endpoint(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<WebhookEndpointPatchBody>,
) -> Result<Json<WebhookEndpointDto>, ApiError> {
    let patch = EndpointPatch {
        url: body.url,
        event_types: body.event_types,
        description: body.description,
        status: body.status.map(Into::into),
    };
    let endpoint = state.services.patch_endpoint(&actor, &id, patch).await?;
    Ok(Json((&endpoint).into()))
}

/// Deletes an endpoint (admin): nothing more is sent to it (its pending deliveries fail).
#[utoipa::path(delete, operation_id = "deleteWebhookEndpoint", path = "/v1/webhook-endpoints/{id}",
    tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: not an admin"),
        (status = 404, body = Problem, description = "`not_found`: no such endpoint in the caller's org")))]
pub async fn delete_endpoint(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_endpoint(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the endpoint's secret (admin) and returns the new one, this once. For 24 hours every
/// delivery carries both signatures (space-separated in `webhook-signature`), then only the new
/// one's.
#[utoipa::path(post, operation_id = "rotateWebhookEndpointSecret", path = "/v1/webhook-endpoints/{id}/rotate-secret",
    tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = WebhookEndpointWithSecretDto, description = "The endpoint and its new secret (`Cache-Control: no-store`)"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: not an admin"),
        (status = 404, body = Problem, description = "`not_found`: no such endpoint in the caller's org"),
        (status = 409, body = Problem, description = "`conflict`: it changed meanwhile")))]
pub async fn rotate_endpoint_secret(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let endpoint = state
        .services
        .rotate_endpoint_secret(&actor, &id, new_secret()?)
        .await?;
    Ok(with_secret(StatusCode::OK, &endpoint))
}

/// Sends the endpoint a `ping` event (admin), whatever it subscribes to and even while it is
/// disabled; the answer is the pending delivery, whose log shows how it went.
#[utoipa::path(post, operation_id = "testWebhookEndpoint", path = "/v1/webhook-endpoints/{id}/test",
    tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 202, body = WebhookDeliveryDto, description = "The ping's delivery, pending"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: not an admin"),
        (status = 404, body = Problem, description = "`not_found`: no such endpoint in the caller's org")))]
pub async fn test_endpoint(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<(StatusCode, Json<WebhookDeliveryDto>), ApiError> {
    let delivery = state.services.test_endpoint(&actor, &id).await?;
    Ok((StatusCode::ACCEPTED, Json((&delivery).into())))
}

/// The endpoint's deliveries, newest first, with every attempt (admin).
#[utoipa::path(get, operation_id = "listWebhookDeliveries", path = "/v1/webhook-endpoints/{id}/deliveries",
    tag = "webhooks", params(("id" = String, Path), DeliveryListParams), security(("bearer" = [])),
    responses((status = 200, body = WebhookDeliveryListDto),
        (status = 400, body = Problem, description = "`validation_failed`: `status`, `limit` or `cursor`"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: not an admin"),
        (status = 404, body = Problem, description = "`not_found`: no such endpoint in the caller's org")))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<DeliveryListParams>,
) -> Result<Json<WebhookDeliveryListDto>, ApiError> {
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::validation("limit", "must be 1 to 200"));
    }
    let after = params
        .cursor
        .as_deref()
        .map(decode_delivery_cursor)
        .transpose()?;
    let query = ListDeliveries {
        status: params.status.map(Into::into),
        limit,
        after,
    };
    let page = state.services.list_deliveries(&actor, &id, query).await?;
    Ok(Json(WebhookDeliveryListDto {
        items: page.items.iter().map(Into::into).collect(),
        next_cursor: page.next.as_ref().map(encode_cursor),
    }))
}

/// Attempts the delivery again now (admin), also a `failed` one: one attempt, with the same
/// `webhook-id`.
#[utoipa::path(post, operation_id = "retryWebhookDelivery", path = "/v1/webhook-deliveries/{id}/retry",
    tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 202, body = WebhookDeliveryDto, description = "The delivery, pending and due now"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: not an admin"),
        (status = 404, body = Problem, description = "`not_found`: no such delivery in the caller's org"),
        (status = 409, body = Problem, description = "`conflict`: an attempt is under way")))]
pub async fn retry_delivery(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<(StatusCode, Json<WebhookDeliveryDto>), ApiError> {
    let delivery = state.services.retry_delivery(&actor, &id).await?;
    Ok((StatusCode::ACCEPTED, Json((&delivery).into())))
}

/// Runs the org's due webhook deliveries now (admin), as the schedule does: the retries whose
/// time has come under the clock (the test clock too) and any new delivery not yet sent. On AWS
/// the api function hands the due deliveries to the deliveries function's queue instead.
#[utoipa::path(post, operation_id = "runDeliveriesJob", path = "/v1/admin/jobs/deliveries/run",
    tag = "jobs", security(("bearer" = [])),
    responses((status = 200, body = DeliveryRunDto), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "`forbidden`: not an admin")))]
pub async fn run_deliveries(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<DeliveryRunDto>, ApiError> {
    Ok(Json(
        state.services.run_deliveries_job(&actor).await?.into(),
    ))
}
