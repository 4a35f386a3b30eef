//! docs/api.md#org-settings-and-knowledge-base: org settings, the webhook secret and knowledge-base articles.

use crate::AppState;
use crate::auth::Caller;
use crate::dto::org::{
    CurrentWebhookSecretDto, KbArticleBody, KbArticleDto, KbArticleListDto, KbParams,
    OrgSettingsDto, WebhookSecretDto, WebhookSecretSourceDto,
};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::webhook_secret;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use coaching_domain::KbArticleId;
use coaching_domain::service::KbArticleInput;
use http::StatusCode;
use utoipa::OpenApi;

/// Org settings, the webhook secret and the knowledge base: this room's paths and schemas in the
/// OpenAPI document ([`crate::openapi::ApiDocs`] merges them).
#[derive(OpenApi)]
#[openapi(
    paths(
        get_settings,
        put_settings,
        rotate_secret,
        current_secret,
        create_article,
        list_articles,
        delete_article
    ),
    components(schemas(
        OrgSettingsDto,
        WebhookSecretDto,
        CurrentWebhookSecretDto,
        WebhookSecretSourceDto,
        KbArticleBody,
        KbArticleDto,
        KbArticleListDto
    ))
)]
pub struct OrgApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/org/settings", get(get_settings).put(put_settings))
        .route(
            "/v1/org/webhook-secret",
            post(rotate_secret).get(current_secret),
        )
        .route("/v1/kb-articles", post(create_article).get(list_articles))
        .route("/v1/kb-articles/{article_id}", delete(delete_article))
}

/// The org's settings (any member of the org).
#[utoipa::path(get, operation_id = "getOrgSettings", path = "/v1/org/settings", tag = "org", security(("bearer" = [])),
    responses((status = 200, body = OrgSettingsDto), (status = 401, body = Problem)))]
pub async fn get_settings(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<OrgSettingsDto>, ApiError> {
    Ok(Json(state.services.org_settings(&actor).await?.into()))
}

/// Replaces the org's settings (admin).
#[utoipa::path(put, operation_id = "putOrgSettings", path = "/v1/org/settings", tag = "org", request_body = OrgSettingsDto,
    security(("bearer" = [])),
    responses((status = 200, body = OrgSettingsDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn put_settings(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<OrgSettingsDto>,
) -> Result<Json<OrgSettingsDto>, ApiError> {
    Ok(Json(
        state
            .services
            .put_org_settings(&actor, body.into())
            .await?
            .into(),
    ))
}

/// A new Standard Webhooks secret: `whsec_` and 32 bytes from the operating system's CSPRNG.
pub(crate) fn new_secret() -> Result<String, ApiError> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| {
        tracing::error!(error = %e, "no randomness for a webhook secret");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an internal error occurred",
        )
    })?;
    Ok(format!("whsec_{}", STANDARD.encode(key)))
}

/// Rotates the org's webhook secret (admin) and returns it. From now on only this secret
/// verifies the org's evaluation deliveries (the one derived from the master no longer does);
/// `GET /v1/org/webhook-secret` shows it to the org's admins.
#[utoipa::path(post, operation_id = "rotateWebhookSecret", path = "/v1/org/webhook-secret", tag = "org", security(("bearer" = [])),
    responses((status = 201, body = WebhookSecretDto), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Response, ApiError> {
    let secret = new_secret()?;
    state
        .services
        .rotate_webhook_secret(&actor, &secret)
        .await?;
    let mut res = (StatusCode::CREATED, Json(WebhookSecretDto { secret })).into_response();
    res.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// The secret that verifies the org's evaluation deliveries now (admin), to configure the
/// org's evaluation system with: its rotated one, else the one derived for this org from the
/// server's master secret (never the master itself, never another org's). `no-store`.
#[utoipa::path(get, operation_id = "getWebhookSecret", path = "/v1/org/webhook-secret", tag = "org", security(("bearer" = [])),
    responses((status = 200, body = CurrentWebhookSecretDto, description = "The org's current webhook secret"),
        (status = 401, body = Problem, description = "`unauthenticated`"),
        (status = 403, body = Problem, description = "`forbidden`: not an admin"),
        (status = 404, body = Problem, description = "`not_found`: the org has no secret (none rotated, and the server has no master secret to derive one from)")))]
pub async fn current_secret(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Response, ApiError> {
    if !actor.is_admin() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only an admin may read the org's webhook secret",
        ));
    }
    let own = state.services.org_webhook_secret(&actor.org).await?;
    let (secret, source) =
        webhook_secret::current(own, state.webhook_secret.as_deref(), &actor.org).ok_or_else(
            || {
                ApiError::not_found(
                    "a webhook secret: rotate one (POST /v1/org/webhook-secret) or start the server with COACHING_WEBHOOK_SECRET",
                )
            },
        )?;
    let mut res = Json(CurrentWebhookSecretDto {
        secret,
        source: source.into(),
    })
    .into_response();
    res.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// Adds a knowledge-base article (admin). Keywords are kept lower-cased.
#[utoipa::path(post, operation_id = "createKbArticle", path = "/v1/kb-articles", tag = "org", request_body = KbArticleBody,
    security(("bearer" = [])),
    responses((status = 201, body = KbArticleDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn create_article(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<KbArticleBody>,
) -> Result<(StatusCode, Json<KbArticleDto>), ApiError> {
    let article = state
        .services
        .create_kb_article(
            &actor,
            KbArticleInput {
                title: body.title,
                url: body.url,
                keywords: body.keywords,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(article.into())))
}

fn decode_kb_cursor(raw: &str) -> Result<KbArticleId, ApiError> {
    let bad = || ApiError::validation("cursor", "not a cursor this API issued");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    KbArticleId::parse(String::from_utf8(bytes).map_err(|_| bad())?).map_err(|_| bad())
}

/// The org's knowledge-base articles, oldest first (any member of the org).
#[utoipa::path(get, operation_id = "listKbArticles", path = "/v1/kb-articles", tag = "org", params(KbParams),
    security(("bearer" = [])),
    responses((status = 200, body = KbArticleListDto), (status = 400, body = Problem),
        (status = 401, body = Problem)))]
pub async fn list_articles(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(params): ApiQuery<KbParams>,
) -> Result<Json<KbArticleListDto>, ApiError> {
    let after = params.cursor.as_deref().map(decode_kb_cursor).transpose()?;
    let limit = params.limit;
    let page = state
        .services
        .kb_articles(&actor, limit, after.as_ref())
        .await?;
    Ok(Json(KbArticleListDto {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next.map(|c| URL_SAFE_NO_PAD.encode(c.id)),
    }))
}

/// Removes a knowledge-base article (admin).
#[utoipa::path(delete, operation_id = "deleteKbArticle", path = "/v1/kb-articles/{articleId}", tag = "org",
    params(("articleId" = String, Path)), security(("bearer" = [])),
    responses((status = 204, description = "Removed"), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_article(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let id = KbArticleId::parse(id).map_err(|_| ApiError::not_found("knowledge-base article"))?;
    state.services.delete_kb_article(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
