//! docs/api.md#reviews-and-analytics: the calendar feed and its token. The feed is the one route
//! under `/v1` without a bearer: calendar apps subscribe to a URL, so the secret token in the
//! path is its authentication (and the server keeps only the token's SHA-256).

use crate::AppState;
use crate::auth::Caller;
use crate::dto::calendar::CalendarTokenDto;
use crate::extract::ApiPath;
use crate::ics;
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use coaching_domain::calendar::CalendarTokenHash;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use sha2::{Digest, Sha256};
use utoipa::OpenApi;

/// The calendar token and feed: this room's paths and schemas in the OpenAPI document
/// ([`crate::openapi::ApiDocs`] merges them).
#[derive(OpenApi)]
#[openapi(
    paths(issue_calendar_token, calendar_feed),
    components(schemas(CalendarTokenDto))
)]
pub struct CalendarApi;

/// This room's routes (`super::router` merges them).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/calendar-token", post(issue_calendar_token))
        // No bearer: the token in the path is the secret. `{token}.ics` is one segment, and
        // axum's segments cannot mix a parameter and a suffix: the handler strips `.ics`.
        .route("/v1/calendar/{file}", get(calendar_feed))
}

/// The feed's URL for `token`: on `public_url` when configured; else on the request's `Host`
/// (a valid authority) with the scheme of `X-Forwarded-Proto` (API Gateway and most proxies
/// set it; `http` without it, as `coaching-local` serves); else, with no usable `Host`,
/// relative to the API's base URL.
pub fn feed_url(public_url: Option<&str>, headers: &HeaderMap, token: &str) -> String {
    let path = format!("/v1/calendar/{token}.ics");
    if let Some(base) = public_url {
        return format!("{base}{path}");
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.parse::<http::uri::Authority>().ok())
        .filter(|a| !a.host().is_empty() && !a.as_str().contains('@'));
    let Some(host) = host else {
        return path;
    };
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|p| p.to_str().ok())
        .map(|p| {
            p.split(',')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .as_deref()
    {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}{path}")
}

/// Random bytes in a calendar token.
const TOKEN_BYTES: usize = 32;
/// How long a calendar app may reuse a feed before asking again (with `If-None-Match`).
const FEED_CACHE_CONTROL: &str = "private, max-age=300";

/// The SHA-256 of a token's text: what the store keeps and looks up.
fn token_hash(token: &str) -> CalendarTokenHash {
    CalendarTokenHash::from_digest(Sha256::digest(token.as_bytes()).into())
}

/// A fresh token: 32 bytes of the operating system's CSPRNG, base64url without padding.
fn new_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| {
        tracing::error!(error = %e, "no randomness for a calendar token");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an internal error occurred",
        )
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `token` has the shape of one we issue (so junk never reaches the store).
fn plausible(token: &str) -> bool {
    URL_SAFE_NO_PAD
        .decode(token)
        .is_ok_and(|b| b.len() == TOKEN_BYTES)
}

/// Issues the caller's calendar feed token (any authenticated user) and returns it this once,
/// with the feed's absolute URL to subscribe to (on `COACHING_PUBLIC_URL` when set, else on the
/// host the request was sent to). The caller's previous token stops working.
#[utoipa::path(post, operation_id = "issueCalendarToken", path = "/v1/calendar-token", tag = "sessions", security(("bearer" = [])),
    responses((status = 201, body = CalendarTokenDto, headers(("Cache-Control" = String, description = "no-store"))),
        (status = 401, body = Problem),
        (status = 500, body = Problem, description = "`internal`: the store failed")))]
pub async fn issue_calendar_token(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = new_token()?;
    state
        .services
        .put_calendar_token(&actor, &token_hash(&token))
        .await?;
    let url = feed_url(state.public_url.as_deref(), &headers, &token);
    let mut res = (StatusCode::CREATED, Json(CalendarTokenDto { token, url })).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 has it for this header)
/// or is `*`.
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// The iCalendar (RFC 5545) feed of the token's user: their sessions as coach or client that
/// ended at most 90 days ago, in UTC, a stable `UID` per session, `SEQUENCE` bumped on every
/// move, `STATUS:CANCELLED` for cancelled ones. No bearer: the token is the secret. A strong
/// `ETag` lets calendar apps poll with `If-None-Match` and get 304.
#[utoipa::path(get, operation_id = "getCalendarFeed", path = "/v1/calendar/{token}.ics", tag = "sessions",
    params(("token" = String, Path, description = "The token from POST /v1/calendar-token"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag of the feed read before")),
    responses(
        (status = 200, content_type = "text/calendar; charset=utf-8", body = String,
            description = "The feed",
            headers(("ETag" = String), ("Cache-Control" = String, description = "private, max-age=300"))),
        (status = 304, description = "The feed is unchanged since the ETag in If-None-Match",
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 404, body = Problem, description = "`not_found`: unknown or replaced token, or a path without `.ics`"),
        (status = 500, body = Problem, description = "`internal`: the store failed")))]
pub async fn calendar_feed(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let unknown = || ApiError::not_found("calendar");
    let token = file.strip_suffix(".ics").ok_or_else(unknown)?;
    if !plausible(token) {
        return Err(unknown());
    }
    // Reading and rendering hundreds of sessions is milliseconds of CPU: a heavy request's
    // turn (crate::blocking), the rendering on the blocking pool.
    let turn = crate::blocking::turn().await?;
    let feed = state
        .services
        .calendar_feed(
            &token_hash(token),
            chrono::Duration::days(ics::HISTORY_DAYS),
        )
        .await?;
    let matched = move |etag: &str| none_match(&headers, etag);
    let (etag, body) = crate::blocking::compute(&turn, move || {
        let listed = ics::Feed::of(&feed.user, &feed.sessions, feed.now);
        let etag = listed.etag();
        let body = (!matched(&etag)).then(|| listed.render(|_| None));
        (etag, body)
    })
    .await?;
    let tag = HeaderValue::from_str(&etag).map_err(|_| unknown())?;
    let cache = HeaderValue::from_static(FEED_CACHE_CONTROL);
    let Some(body) = body else {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(header::ETAG, tag);
        res.headers_mut().insert(header::CACHE_CONTROL, cache);
        return Ok(res);
    };
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    h.insert(header::ETAG, tag);
    h.insert(header::CACHE_CONTROL, cache);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn the_feed_url_is_absolute_on_the_configured_base_or_the_requests_host() {
        let none = HeaderMap::new();
        assert_eq!(
            feed_url(
                Some("https://api.example.com/prod"),
                &headers(&[("host", "10.0.0.1")]),
                "t"
            ),
            "https://api.example.com/prod/v1/calendar/t.ics"
        );
        assert_eq!(
            feed_url(None, &headers(&[("host", "127.0.0.1:3000")]), "t"),
            "http://127.0.0.1:3000/v1/calendar/t.ics"
        );
        assert_eq!(
            feed_url(
                None,
                &headers(&[
                    ("host", "abc.execute-api.eu-west-1.amazonaws.com"),
                    ("x-forwarded-proto", "https")
                ]),
                "t"
            ),
            "https://abc.execute-api.eu-west-1.amazonaws.com/v1/calendar/t.ics"
        );
        // Only http or https, whatever else the header says.
        assert_eq!(
            feed_url(
                None,
                &headers(&[("host", "h"), ("x-forwarded-proto", "javascript")]),
                "t"
            ),
            "http://h/v1/calendar/t.ics"
        );
        // No host, or one that is no authority: the path alone.
        assert_eq!(feed_url(None, &none, "t"), "/v1/calendar/t.ics");
        for bad in ["a b", "u@evil.example", "/path", ""] {
            assert_eq!(
                feed_url(None, &headers(&[("host", bad)]), "t"),
                "/v1/calendar/t.ics",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_public_url_setting_is_an_http_url_without_query_or_trailing_slash() {
        use crate::public_url;
        assert_eq!(
            public_url("https://api.example.com/").as_deref(),
            Some("https://api.example.com")
        );
        assert_eq!(
            public_url("http://127.0.0.1:3000").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(
            public_url("https://x.example/prod").as_deref(),
            Some("https://x.example/prod")
        );
        for bad in [
            "ftp://x.example",
            "api.example.com",
            "https://",
            "https://x.example/?a=1",
            "https://x.example/#f",
        ] {
            assert_eq!(public_url(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn tokens_are_43_base64url_characters_of_32_random_bytes() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 43);
        assert!(plausible(&a) && plausible(&b));
        assert_ne!(a, b);
        assert!(!plausible("short"));
        assert!(!plausible(&format!("{a}A")));
    }

    #[test]
    fn the_hash_is_the_sha256_of_the_token_text() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            token_hash("abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn if_none_match_matches_the_tag_weakly_in_a_list_or_as_a_star() {
        let tag = "\"abc\"";
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
            h
        };
        assert!(none_match(&with("\"abc\""), tag));
        assert!(none_match(&with("\"x\", W/\"abc\""), tag));
        assert!(none_match(&with("*"), tag));
        assert!(!none_match(&with("\"abd\""), tag));
        assert!(!none_match(&HeaderMap::new(), tag));
    }
}
