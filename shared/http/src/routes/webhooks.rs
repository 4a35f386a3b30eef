//! docs/api.md#evaluation-webhook: the signed evaluation webhook (Standard Webhooks). No bearer: the signature over the raw
//! body is the sender's authentication, with the org's own secret once it rotated one, else the
//! one derived for the org from `COACHING_WEBHOOK_SECRET` ([`crate::webhook_secret`]): a
//! delivery signed for one org never verifies at another's path.

use crate::AppState;
use crate::dto::webhooks::{
    DeletedDataDto, EvaluationDataDto, ScoreDto, WebhookAckDto, WebhookBody, WebhookOutcomeDto,
};
use crate::extract::{ApiPath, RawBody, parse_json, parse_value};
use crate::problem::{ApiError, Problem};
use crate::webhook_secret;
use axum::Json;
use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::post;
use coaching_domain::OrgId;
use coaching_domain::ports::{Clock, DeliveryStore, Store};
use coaching_domain::service::Services;
use coaching_domain::webhook::{EvaluationEvent, WebhookDelivery};
use coaching_runtime::SystemClock;
use http::HeaderMap;
use standardwebhooks::Webhook;
use std::sync::Arc;
use utoipa::OpenApi;

/// The evaluation webhook: this room's paths and schemas in the OpenAPI document
/// ([`crate::openapi::ApiDocs`] merges them).
#[derive(OpenApi)]
#[openapi(
    paths(evaluations),
    components(schemas(
        WebhookBody,
        ScoreDto,
        EvaluationDataDto,
        DeletedDataDto,
        WebhookOutcomeDto,
        WebhookAckDto
    ))
)]
pub struct WebhooksApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(super::WEBHOOK_PATH, post(evaluations::<dyn Store>))
}

/// What the webhook route needs: the use cases of a [`DeliveryStore`] (the org's secret, the
/// evaluations a delivery records) and the master secret. The whole API passes its own
/// ([`AppState`]); the `coaching-webhooks` function builds it on a `DeliveryStore` alone.
pub struct WebhookState<S: ?Sized = dyn Store> {
    pub services: Services<S>,
    /// `COACHING_WEBHOOK_SECRET`, as in [`AppState::webhook_secret`].
    pub webhook_secret: Option<Arc<str>>,
}

impl<S: ?Sized> Clone for WebhookState<S> {
    fn clone(&self) -> Self {
        Self {
            services: self.services.clone(),
            webhook_secret: self.webhook_secret.clone(),
        }
    }
}

impl FromRef<AppState> for WebhookState {
    fn from_ref(app: &AppState) -> Self {
        Self {
            services: app.services.clone(),
            webhook_secret: app.webhook_secret.clone(),
        }
    }
}

/// How far (seconds) a `webhook-timestamp` may be from the real time (Standard Webhooks).
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

fn unauthorized(detail: &str) -> ApiError {
    let mut e = ApiError::unauthenticated(detail);
    // A bearer challenge would mislead an evaluation system: say what scheme this is.
    e.www_authenticate = Some("Signature realm=\"standard-webhooks\"");
    e
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Checks the signature headers against the raw body. Returns the webhook id and timestamp.
///
/// The timestamp is checked here, against the real time (never the test clock), before the
/// reference crate's `verify`: its own check subtracts an unchecked `i64` taken from the header,
/// which overflows (a panic in debug builds) for timestamps near `i64::MIN`.
fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> Result<(String, i64), ApiError> {
    let (Some(id), Some(ts), Some(_)) = (
        header(headers, "webhook-id"),
        header(headers, "webhook-timestamp"),
        header(headers, "webhook-signature"),
    ) else {
        return Err(unauthorized(
            "webhook-id, webhook-timestamp and webhook-signature are required",
        ));
    };
    let ts: i64 = ts
        .trim()
        .parse()
        .map_err(|_| unauthorized("webhook-timestamp must be unix seconds"))?;
    let now = SystemClock.now().timestamp();
    if now
        .checked_sub(ts)
        .is_none_or(|d| d.abs() > TOLERANCE_SECONDS)
    {
        return Err(unauthorized(
            "webhook-timestamp is more than 5 minutes from the current time",
        ));
    }
    let hook = Webhook::new(secret).map_err(|e| {
        tracing::error!(error = %e, "the webhook secret is not a valid whsec_ secret");
        unauthorized("the signature does not verify")
    })?;
    hook.verify(body, headers)
        .map_err(|_| unauthorized("the signature does not verify"))?;
    Ok((id.to_owned(), ts))
}

/// Receives `evaluation.completed` and `evaluation.deleted` from an evaluation system.
///
/// Senders sign the exact bytes they send: the signature covers the raw body, so a body
/// serialized again after signing (other key order, spacing or escapes) does not verify.
///
/// Signed per Standard Webhooks over the raw body (`webhook-id`, `webhook-timestamp` within 5
/// minutes of the real time, `webhook-signature: v1,<base64>`, several allowed). A bad or
/// missing signature, or an org with no secret, is 401 and stores nothing. Each org has its
/// own secret (`GET /v1/org/webhook-secret`): a delivery signed for another org is 401 here.
/// Senders sign the exact bytes they send: the signature covers `id.timestamp.body` with the
/// body byte for byte, so re-serializing the JSON after signing breaks it. A repeated
/// `webhook-id` is acknowledged again without effect; a delivery older (by `webhook-timestamp`)
/// than the stored state of its evaluation, and a deletion of an unknown one, are acknowledged
/// and ignored. A deletion leaves a tombstone: an older `completed` arriving later stays ignored.
#[utoipa::path(post, operation_id = "receiveEvaluations", path = "/v1/orgs/{orgId}/webhooks/evaluations", tag = "evaluations",
    request_body = WebhookBody,
    params(("orgId" = String, Path),
        ("webhook-id" = String, Header, description = "Unique message id (1 to 255 visible ASCII characters)"),
        ("webhook-timestamp" = i64, Header, description = "Unix seconds, within 5 minutes of now"),
        ("webhook-signature" = String, Header, description = "Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`")),
    responses((status = 200, body = WebhookAckDto, description = "Accepted (also for repeats and ignored deliveries)"),
        (status = 400, body = Problem, description = "`validation_failed`: malformed JSON, a missing field, `score > maxScore`, `maxScore <= 0`, an unknown `type`"),
        (status = 401, body = Problem, description = "`unauthenticated`: bad or missing signature (a delivery signed with another org's secret included), a timestamp over 5 minutes off, or an org with no secret (neither a rotated one nor a master to derive one from)"),
        (status = 413, body = Problem, description = "`payload_too_large`: over 1 MiB, or an evaluation over 256 KiB")))]
pub async fn evaluations<S: DeliveryStore + ?Sized + 'static>(
    State(state): State<WebhookState<S>>,
    ApiPath(org): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<WebhookAckDto>, ApiError> {
    // Say nothing about which orgs exist: an id that cannot be an org, or an org without a
    // secret (its own or the default), fails like a bad signature.
    let org = OrgId::parse(org).map_err(|_| unauthorized("the signature does not verify"))?;
    let own = state.services.org_webhook_secret(&org).await?;
    let (secret, _) = webhook_secret::current(own, state.webhook_secret.as_deref(), &org)
        .ok_or_else(|| unauthorized("the signature does not verify"))?;
    let (webhook_id, timestamp) = verify(&secret, &headers, &body)?;
    let parsed: WebhookBody = parse_json(&body)?;
    let event = match parsed.type_.as_str() {
        "evaluation.completed" => EvaluationEvent::Completed(
            parse_value::<EvaluationDataDto>("data", parsed.data)?.into_input(),
        ),
        "evaluation.deleted" => EvaluationEvent::Deleted {
            evaluation_id: parse_value::<DeletedDataDto>("data", parsed.data)?.evaluation_id,
        },
        _ => {
            return Err(ApiError::validation(
                "type",
                "must be evaluation.completed or evaluation.deleted",
            ));
        }
    };
    let outcome = state
        .services
        .ingest_evaluation(
            &org,
            WebhookDelivery {
                webhook_id: webhook_id.clone(),
                timestamp,
                event,
            },
        )
        .await?;
    tracing::info!(org = %org, webhook_id, ?outcome, "evaluation webhook");
    Ok(Json(WebhookAckDto {
        outcome: WebhookOutcomeDto::from(outcome),
    }))
}
