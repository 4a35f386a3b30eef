//! The one place errors become `application/problem+json` (RFC 9457) with a stable `code`.

use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use coaching_domain::{DomainError, FieldError};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub message: String,
}

/// Every `code` a problem answer can carry, in the document as the `ProblemCode` enum. An
/// `ApiError` with a code not listed here fails the tests (`problem_codes` below scans the
/// handlers and the domain for the codes they answer) and a debug build's response.
pub const PROBLEM_CODES: [&str; 24] = [
    "validation_failed",
    "unauthenticated",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "conflict",
    "slot_unavailable",
    "already_exists",
    "too_early",
    "precondition_failed",
    "payload_too_large",
    "unsupported_media_type",
    "invalid_transition",
    "reschedule_window_closed",
    "no_evaluations",
    "no_markdowns",
    "not_a_review_session",
    "invalid_evaluation_link",
    // An outbound webhook URL that points inside (docs/api.md#org-events-and-outbound-webhooks).
    "unsafe_url",
    "idempotency_key_reused",
    "internal",
    "store_unavailable",
    "timeout",
    // coaching-local at its connection cap (functions/local/src/serve.rs).
    "overloaded",
];

/// The schema of a problem's `code`: a closed set ([`PROBLEM_CODES`]) clients can branch on.
pub struct ProblemCode;

impl utoipa::PartialSchema for ProblemCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(PROBLEM_CODES))
            .description(Some(
                "Stable machine-readable code of a problem; each error response of an operation \
                 names the codes it can carry.",
            ))
            .into()
    }
}

impl ToSchema for ProblemCode {
    fn name() -> std::borrow::Cow<'static, str> {
        "ProblemCode".into()
    }
}

/// An RFC 9457 problem with the API's stable `code`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `slot_unavailable`.
    #[schema(value_type = ProblemCode)]
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// For `too_early`: when the action becomes possible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<DateTime<Utc>>,
    /// For `precondition_failed`: the current version of the resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
}

/// An error response.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub opens_at: Option<DateTime<Utc>>,
    pub current_version: Option<u64>,
    /// The `WWW-Authenticate` challenge of a 401 (`Bearer` unless set).
    pub www_authenticate: Option<&'static str>,
    /// The `Retry-After` of a 503, in seconds.
    pub retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            opens_at: None,
            current_version: None,
            www_authenticate: None,
            retry_after: None,
        }
    }
    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
    }
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "the request is not valid",
        );
        e.errors.push(FieldError::new(field, message));
        e
    }
    /// 503 with `Retry-After`: the store could not serve the request now (`store_unavailable`)
    /// or the request ran out of time (`timeout`). Nothing internal in the detail.
    pub fn unavailable(code: &'static str, detail: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::SERVICE_UNAVAILABLE, code, detail);
        e.retry_after = Some(RETRY_AFTER_SECONDS);
        e
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }
}

/// What a 503 asks the client to wait before trying again. The store adapter has already
/// retried (for about its operation timeout, see `coaching_aws::sdk_config`), so the next try
/// should not come at once; throttling and a restarting endpoint pass within seconds.
pub const RETRY_AFTER_SECONDS: u32 = 2;

/// The longest any request may take (the router's last resort, [`deadline`]): past the AWS
/// SDK's operation timeout, so that a store call that gives up answers `store_unavailable`
/// first, and well inside API Gateway's 30 s.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

fn title(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        use DomainError as D;
        use StatusCode as S;
        let detail = e.to_string();
        match e {
            D::Validation(errors) => {
                let mut a = ApiError::new(S::BAD_REQUEST, "validation_failed", detail);
                a.errors = errors;
                a
            }
            D::Forbidden(_) => ApiError::new(S::FORBIDDEN, "forbidden", detail),
            D::NotFound(_) => ApiError::new(S::NOT_FOUND, "not_found", detail),
            D::SlotUnavailable => ApiError::new(S::CONFLICT, "slot_unavailable", detail),
            D::Conflict(_) => ApiError::new(S::CONFLICT, "conflict", detail),
            D::AlreadyExists(_) => ApiError::new(S::CONFLICT, "already_exists", detail),
            D::TooEarly { opens_at } => {
                let mut a = ApiError::new(
                    S::CONFLICT,
                    "too_early",
                    format!(
                        "too early: possible from {}",
                        opens_at.to_rfc3339_opts(SecondsFormat::Secs, true)
                    ),
                );
                a.opens_at = Some(opens_at);
                a
            }
            D::PreconditionFailed { current } => {
                let mut a = ApiError::new(S::PRECONDITION_FAILED, "precondition_failed", detail);
                a.current_version = Some(current);
                a
            }
            D::InvalidTransition(_) => {
                ApiError::new(S::UNPROCESSABLE_ENTITY, "invalid_transition", detail)
            }
            D::RescheduleWindowClosed => {
                ApiError::new(S::UNPROCESSABLE_ENTITY, "reschedule_window_closed", detail)
            }
            D::Unprocessable { code, .. } => ApiError::new(S::UNPROCESSABLE_ENTITY, code, detail),
            D::PayloadTooLarge(_) => {
                ApiError::new(S::PAYLOAD_TOO_LARGE, "payload_too_large", detail)
            }
            D::NoEvaluations => ApiError::new(S::UNPROCESSABLE_ENTITY, "no_evaluations", detail),
            D::IdempotencyKeyReused => {
                ApiError::new(S::UNPROCESSABLE_ENTITY, "idempotency_key_reused", detail)
            }
            D::StoreUnavailable(msg) => {
                tracing::warn!(error = %msg, "store unavailable");
                ApiError::unavailable(
                    "store_unavailable",
                    "the service cannot reach its data store right now; try again shortly",
                )
            }
            D::Internal(msg) => {
                tracing::error!(error = %msg, "internal error");
                ApiError::new(
                    S::INTERNAL_SERVER_ERROR,
                    "internal",
                    "an internal error occurred",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        debug_assert!(
            PROBLEM_CODES.contains(&self.code),
            "problem code {} is not in PROBLEM_CODES",
            self.code
        );
        let body = Problem {
            type_: format!("urn:coaching:problem:{}", self.code),
            title: title(self.status).to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code.to_owned(),
            errors: self
                .errors
                .into_iter()
                .map(|e| ProblemField {
                    field: e.field,
                    message: e.message,
                })
                .collect(),
            opens_at: self.opens_at,
            current_version: self.current_version,
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let mut res = (self.status, bytes).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(self.www_authenticate.unwrap_or("Bearer")),
            );
        }
        if let Some(seconds) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        res
    }
}

/// Unknown routes.
pub async fn not_found_fallback() -> ApiError {
    ApiError::not_found("resource")
}

/// A known route with a method it does not have.
pub async fn method_not_allowed_fallback() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this resource does not support that method",
    )
}

/// The last resort against a request that would hang (a store call stuck past its own timeouts,
/// say): past [`REQUEST_TIMEOUT`] the request is dropped and answered 503 `timeout`. Dropping
/// it is safe: every store write is one atomic commit, sent whole or not at all.
pub async fn deadline(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(limit = ?REQUEST_TIMEOUT, "request timed out");
            ApiError::unavailable("timeout", "the request took too long; try again shortly")
                .into_response()
        }
    }
}

/// A panic in a handler becomes a 500 with nothing internal in the body.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "an internal error occurred",
    )
    .into_response()
}
