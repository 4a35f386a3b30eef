//! What an answer (or its absence) means: the outcome by status, the capped body, `Retry-After`,
//! and reqwest's errors turned into the attempt's stable codes.

use super::resolve::ResolveError;
use super::{Attempt, Outcome, SenderConfig};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, RETRY_AFTER};
use std::error::Error as StdError;
use std::time::{Duration, SystemTime};
use tokio::time::timeout_at;

/// The most of a response body an attempt keeps, in bytes (API §11: 1 KB).
pub const MAX_RESPONSE_BODY: usize = 1024;

/// The most of a `Location` header quoted in a redirect's error.
const MAX_LOCATION: usize = 256;

/// Reads at most [`MAX_RESPONSE_BODY`] bytes of the body before `deadline`, and judges the answer.
pub(super) async fn read(mut answer: reqwest::Response, deadline: tokio::time::Instant) -> Attempt {
    let status = answer.status();
    let retry_after = match status {
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => answer
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now())),
        _ => None,
    };
    let location = answer
        .headers()
        .get(LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());

    let mut body = Vec::new();
    let body_problem = match timeout_at(deadline, read_capped(&mut answer, &mut body)).await {
        Err(_) => Some("the attempt's time ran out while reading the body".to_owned()),
        Ok(Err(e)) => Some(error_chain(&e)),
        Ok(Ok(())) => None,
    };
    // Dropping the answer with its body unread closes the connection: nothing more is read.
    drop(answer);

    let (outcome, error) = judge(status, location.as_deref());
    let error = match (error, body_problem) {
        (None, None) => None,
        (None, Some(p)) => Some(format!("body: {p}")),
        (Some(e), None) => Some(e),
        (Some(e), Some(p)) => Some(format!("{e} (body unreadable: {p})")),
    };
    Attempt {
        status_code: Some(status.as_u16()),
        duration_ms: 0,
        outcome,
        error,
        response_body: text_prefix(&body, MAX_RESPONSE_BODY),
        retry_after,
    }
}

/// Appends the body's first bytes to `buf` until it holds [`MAX_RESPONSE_BODY`] or the body ends.
async fn read_capped(answer: &mut reqwest::Response, buf: &mut Vec<u8>) -> reqwest::Result<()> {
    while buf.len() < MAX_RESPONSE_BODY {
        let Some(chunk) = answer.chunk().await? else {
            break;
        };
        let room = MAX_RESPONSE_BODY - buf.len();
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(())
}

/// The outcome of a status, and the error when it is not a success.
fn judge(status: StatusCode, location: Option<&str>) -> (Outcome, Option<String>) {
    let reason = status.canonical_reason().unwrap_or("");
    let code = status.as_u16();
    if status.is_success() {
        (Outcome::Succeeded, None)
    } else if status == StatusCode::GONE {
        let e = format!("http_status: {code} {reason}: the endpoint is gone");
        (Outcome::Gone, Some(e))
    } else if status.is_redirection() {
        let to = location.map_or_else(String::new, |l| {
            format!(" (Location: {})", prefix(l, MAX_LOCATION))
        });
        let e = format!("redirect: {code} {reason} not followed{to}");
        (Outcome::Failed, Some(e))
    } else {
        (
            Outcome::Failed,
            Some(format!("http_status: {code} {reason}")),
        )
    }
}

/// A `Retry-After` value: delta-seconds, or an HTTP date (zero when already past).
pub(super) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// At most `cap` bytes of `bytes` as text, cut on a character boundary, `None` when empty.
pub(super) fn text_prefix(bytes: &[u8], cap: usize) -> Option<String> {
    let mut bytes = &bytes[..bytes.len().min(cap)];
    // A character cut in two by the cap (or by the body's end) is dropped, not replaced.
    if let Err(e) = std::str::from_utf8(bytes)
        && e.error_len().is_none()
    {
        bytes = &bytes[..e.valid_up_to()];
    }
    let text = String::from_utf8_lossy(bytes);
    let text = prefix(&text, cap);
    (!text.is_empty()).then(|| text.to_owned())
}

/// The longest prefix of `s` of at most `cap` bytes that ends on a character boundary.
fn prefix(s: &str, cap: usize) -> &str {
    let mut end = cap.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The attempt's code and detail for a request that got no answer.
pub(super) fn classify(e: &reqwest::Error, config: &SenderConfig) -> (&'static str, String) {
    if let Some(refused) = find::<ResolveError>(e) {
        let code = match refused {
            ResolveError::Unsafe { .. } | ResolveError::Localhost { .. } => "unsafe_address",
            ResolveError::Lookup { .. } | ResolveError::NoAddress { .. } => "dns",
        };
        return (code, refused.to_string());
    }
    let detail = error_chain(e);
    if e.is_timeout() {
        let what = if e.is_connect() {
            format!("connecting took longer than {:?}", config.connect_timeout)
        } else {
            format!("no answer within {:?}", config.attempt_timeout)
        };
        ("timeout", format!("{what} ({detail})"))
    } else if e.is_dns() {
        ("dns", detail)
    } else if e.is_connect() {
        ("connect", detail)
    } else if e.is_redirect() {
        ("redirect", detail)
    } else {
        ("request", detail)
    }
}

/// The first error of type `T` in `e`'s source chain.
fn find<T: StdError + 'static>(e: &reqwest::Error) -> Option<&T> {
    let mut source: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        source = err.source();
    }
    None
}

/// `e` and its sources, `: `-separated, without the URL (the caller has it; its query may hold
/// a token that has no place in a stored error).
pub(super) fn error_chain(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    if let Some(url) = e.url() {
        out = out.replace(&format!(" for url ({url})"), "");
    }
    let mut source = e.source();
    while let Some(err) = source {
        let text = err.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = err.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_or_a_date_against_now() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(90))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(
            parse_retry_after("18446744073709551615", now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn text_prefix_cuts_on_a_character_boundary() {
        assert_eq!(text_prefix(b"", 1024), None);
        assert_eq!(text_prefix(b"ok", 1024).as_deref(), Some("ok"));
        let ascii = vec![b'a'; 5000];
        assert_eq!(text_prefix(&ascii, 1024).map(|s| s.len()), Some(1024));
        // "é" is two bytes: 1 + 2k cannot end at 1024, so the cut drops the split character.
        let odd = format!("x{}", "é".repeat(2000));
        let cut = text_prefix(odd.as_bytes(), 1024).expect("text");
        assert_eq!(cut.len(), 1023);
        assert!(odd.starts_with(&cut));
        // Invalid UTF-8 is replaced, and the result still fits.
        let mut bad = vec![0xff; 600];
        bad.extend_from_slice(&[b'z'; 600]);
        let cut = text_prefix(&bad, 1024).expect("text");
        assert!(
            cut.len() <= 1024 && cut.starts_with('\u{fffd}'),
            "{}",
            cut.len()
        );
    }

    #[test]
    fn statuses_are_judged_as_the_api_says() {
        let ok = |c: u16| judge(StatusCode::from_u16(c).expect("status"), None);
        assert_eq!(ok(200), (Outcome::Succeeded, None));
        assert_eq!(ok(204).0, Outcome::Succeeded);
        assert_eq!(ok(299).0, Outcome::Succeeded);
        assert_eq!(ok(410).0, Outcome::Gone);
        assert_eq!(ok(100).0, Outcome::Failed);
        for c in [400, 404, 429, 500, 503, 599] {
            let (outcome, error) = ok(c);
            assert_eq!(outcome, Outcome::Failed);
            assert!(error.expect("error").starts_with("http_status: "), "{c}");
        }
        let (outcome, error) = judge(StatusCode::FOUND, Some(&"x".repeat(5000)));
        assert_eq!(outcome, Outcome::Failed);
        let error = error.expect("error");
        assert!(
            error.starts_with("redirect: 302 Found not followed"),
            "{error}"
        );
        assert!(error.len() < 400);
    }
}
