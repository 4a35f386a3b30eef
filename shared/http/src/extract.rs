//! Request extractors whose every rejection is problem+json: JSON bodies (with the failing
//! field's path), query strings, and the `Idempotency-Key` / `If-Match` headers.

use crate::problem::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use http::StatusCode;
use http::request::Parts;
use serde::de::DeserializeOwned;

/// A JSON body. Malformed JSON, a wrong field or a key given twice in one object is 400
/// `validation_failed` naming the field;
/// a body over 1 MiB is 413; a non-JSON content type is 415.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

/// Like [`ApiJson`], but an empty body means `T::default()`.
#[derive(Debug, Clone)]
pub struct OptionalJson<T>(pub T);

async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<(bool, Bytes), ApiError> {
    let content_type = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the request body is larger than 1 MiB",
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "validation_failed",
                format!("could not read the request body: {e}"),
            )
        }
    })?;
    let is_json = content_type.as_deref().is_some_and(|ct| {
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
    });
    Ok((is_json || content_type.is_none(), bytes))
}

/// The raw body bytes, exactly as received (for signature checks); over 1 MiB is 413.
#[derive(Debug, Clone)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        body_bytes(req, state).await.map(|(_, b)| RawBody(b))
    }
}

/// The field a serde error is about: its path, and for a missing field (which serde reports at
/// the enclosing object) that field's name under it. `None` for the body as a whole.
fn field_of(path: &str, message: &str) -> Option<String> {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next());
    match (path.is_empty(), missing) {
        (true, None) => None,
        (true, Some(name)) => Some(name.to_owned()),
        (false, None) => Some(path.to_owned()),
        (false, Some(name)) => Some(format!("{path}.{name}")),
    }
}

/// Deserializes `value` (a part of a body already parsed) into `T`; a failure is 400 naming
/// the field under `prefix` (e.g. `data.scores[0].maxScore`).
pub fn parse_value<T: DeserializeOwned>(
    prefix: &str,
    value: serde_json::Value,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let full = if path == "." || path.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}.{path}")
        };
        let field = field_of(&full, &inner).unwrap_or(full);
        ApiError::validation(field, inner)
    })
}

/// Parses a JSON body (400 naming the field on failure).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    parse(bytes)
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Some(path) = crate::duplicate_keys::first_duplicate(bytes) {
        return Err(ApiError::validation(
            path,
            "this key appears more than once in its object",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = field_of(
            if path == "." || path.is_empty() {
                ""
            } else {
                &path
            },
            &inner.to_string(),
        )
        .unwrap_or_else(|| "body".to_owned());
        let message = if inner.is_syntax() || inner.is_eof() {
            format!("malformed JSON: {inner}")
        } else {
            inner
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned()
        };
        ApiError::validation(field, message)
    })?;
    de.end()
        .map_err(|e| ApiError::validation("body", format!("malformed JSON: {e}")))?;
    Ok(value)
}

fn unsupported() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the body as application/json",
    )
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (is_json, bytes) = body_bytes(req, state).await?;
        if !is_json {
            return Err(unsupported());
        }
        if bytes.is_empty() {
            return Err(ApiError::validation("body", "a JSON body is required"));
        }
        parse(&bytes).map(ApiJson)
    }
}

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (is_json, bytes) = body_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        if !is_json {
            return Err(unsupported());
        }
        parse(&bytes).map(OptionalJson)
    }
}

/// A query string; a bad parameter is 400 `validation_failed`.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                ApiError::validation(
                    if path == "." {
                        "query".to_owned()
                    } else {
                        path
                    },
                    e.into_inner().to_string(),
                )
            })
    }
}

/// The `Idempotency-Key` header, when present: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(v) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        let s = v
            .to_str()
            .ok()
            .filter(|s| !s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_graphic()));
        s.map(|s| IdempotencyKey(Some(s.to_owned())))
            .ok_or_else(|| {
                ApiError::validation(
                    "Idempotency-Key",
                    "must be 1 to 255 visible ASCII characters",
                )
            })
    }
}

/// The `If-Match` header as a version: `"3"`, `W/"3"` or `3`; `*` matches anything.
#[derive(Debug, Clone)]
pub struct IfMatch(pub Option<u64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(v) = parts.headers.get(http::header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let raw = v.to_str().unwrap_or("").trim();
        if raw == "*" {
            return Ok(IfMatch(None));
        }
        let tag = raw.trim_start_matches("W/").trim_matches('"');
        // A tag we never issued can never match: the precondition fails.
        tag.parse::<u64>()
            .map(|v| IfMatch(Some(v)))
            .or(Ok(IfMatch(Some(u64::MAX))))
    }
}

/// The ETag of a version.
pub fn etag(version: u64) -> http::HeaderValue {
    http::HeaderValue::from_str(&format!("\"{version}\""))
        .unwrap_or_else(|_| http::HeaderValue::from_static("\"0\""))
}

/// A path parameter; a segment that is not valid (e.g. not UTF-8) is 404 problem+json.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_| ApiError::not_found("resource"))
    }
}
