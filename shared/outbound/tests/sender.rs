//! One attempt against a receiver in the test (axum on 127.0.0.1:0, or a raw TCP socket for the
//! misbehaving ones): what is sent, and how every kind of answer, or none, is recorded.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use coaching_outbound::{Attempt, AttemptRequest, Outcome, Sender, SenderConfig, new_secret};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const PAYLOAD: &str =
    r#"{"id":"evt_01","type":"ping","timestamp":"2026-12-07T08:00:00Z","data":{"note":"Grüße"}}"#;

/// One request the receiver saw.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// An axum receiver whose answer depends on the path; it logs every request it gets.
struct Receiver {
    addr: SocketAddr,
    log: Log,
}

impl Receiver {
    async fn start() -> Self {
        let log = Log::default();
        let app = Router::new().fallback(answer).with_state(log.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.log.lock().expect("log").clone()
    }
}

async fn answer(State(log): State<Log>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_owned();
    log.lock().expect("log").push(Seen {
        path: path.clone(),
        headers,
        body,
    });
    let with = |status: StatusCode, name: &'static str, value: String| {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(&value).expect("header"));
        (status, h, "busy").into_response()
    };
    match path.as_str() {
        "/ok" => (StatusCode::OK, "thanks").into_response(),
        "/fail" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "boom: the database is down",
        )
            .into_response(),
        "/big" => (StatusCode::BAD_REQUEST, "x".repeat(5 * 1024)).into_response(),
        "/gone" => (StatusCode::GONE, "no such hook").into_response(),
        "/busy" => with(
            StatusCode::TOO_MANY_REQUESTS,
            "retry-after",
            "120".to_owned(),
        ),
        "/busy-date" => {
            let at = SystemTime::now() + Duration::from_secs(300);
            with(
                StatusCode::TOO_MANY_REQUESTS,
                "retry-after",
                httpdate::fmt_http_date(at),
            )
        }
        "/unavailable" => with(
            StatusCode::SERVICE_UNAVAILABLE,
            "retry-after",
            "30".to_owned(),
        ),
        "/fail-retry" => with(
            StatusCode::INTERNAL_SERVER_ERROR,
            "retry-after",
            "120".to_owned(),
        ),
        "/redirect" => with(StatusCode::FOUND, "location", "/target".to_owned()),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            (StatusCode::OK, "late").into_response()
        }
        _ => (StatusCode::OK, "seen").into_response(),
    }
}

fn now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    i64::try_from(secs).expect("fits")
}

fn sender(allow_private: bool) -> Sender {
    Sender::new(SenderConfig {
        allow_private,
        attempt_timeout: Duration::from_millis(300),
        user_agent: "coaching-test/1".to_owned(),
        ..SenderConfig::default()
    })
    .expect("sender")
}

async fn attempt_to(sender: &Sender, url: &str, secrets: &[&str]) -> Attempt {
    sender
        .attempt(AttemptRequest {
            url,
            msg_id: "evt_01",
            timestamp: now(),
            payload: PAYLOAD.as_bytes(),
            secrets,
        })
        .await
}

#[track_caller]
fn assert_code(a: &Attempt, code: &str) {
    assert_eq!(a.error_code(), Some(code), "{a:#?}");
    assert_eq!(a.outcome, Outcome::Failed, "{a:#?}");
}

#[tokio::test]
async fn a_2xx_succeeds_and_the_receiver_gets_the_signed_event_with_every_header() {
    let rx = Receiver::start().await;
    let new = new_secret();
    let ts = now();
    let a = sender(true)
        .attempt(AttemptRequest {
            url: &rx.url("/ok"),
            msg_id: "evt_01",
            timestamp: ts,
            payload: PAYLOAD.as_bytes(),
            secrets: &[&new, SECRET],
        })
        .await;

    assert_eq!(a.outcome, Outcome::Succeeded, "{a:#?}");
    assert_eq!((a.status_code, a.error.as_deref()), (Some(200), None));
    assert_eq!(a.response_body.as_deref(), Some("thanks"));
    assert_eq!(a.retry_after, None);
    assert!(a.duration_ms < 300, "{a:#?}");
    let seen = rx.seen();
    assert_eq!(seen.len(), 1);
    let h = &seen[0].headers;
    let header = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert_eq!(header("webhook-id"), "evt_01");
    assert_eq!(header("webhook-timestamp"), ts.to_string());
    assert_eq!(header("content-type"), "application/json");
    assert_eq!(header("user-agent"), "coaching-test/1");
    assert_eq!(header("webhook-signature").split(' ').count(), 2);
    assert_eq!(seen[0].body, PAYLOAD.as_bytes());
    for secret in [new.as_str(), SECRET] {
        standardwebhooks::Webhook::new(secret)
            .expect("secret")
            .verify(&seen[0].body, h)
            .unwrap_or_else(|e| panic!("{secret}: {e}"));
    }
}

#[tokio::test]
async fn a_500_fails_and_keeps_the_body() {
    let rx = Receiver::start().await;
    let a = attempt_to(&sender(true), &rx.url("/fail"), &[SECRET]).await;
    assert_code(&a, "http_status");
    assert_eq!(a.status_code, Some(500));
    assert_eq!(
        a.error.as_deref(),
        Some("http_status: 500 Internal Server Error")
    );
    assert_eq!(
        a.response_body.as_deref(),
        Some("boom: the database is down")
    );
}

#[tokio::test]
async fn of_a_5_kb_body_exactly_1024_bytes_are_kept() {
    let rx = Receiver::start().await;
    let a = attempt_to(&sender(true), &rx.url("/big"), &[SECRET]).await;
    assert_eq!(a.status_code, Some(400));
    assert_eq!(a.response_body.as_deref(), Some("x".repeat(1024).as_str()));
}

#[tokio::test]
async fn a_410_is_gone() {
    let rx = Receiver::start().await;
    let a = attempt_to(&sender(true), &rx.url("/gone"), &[SECRET]).await;
    assert_eq!(a.outcome, Outcome::Gone, "{a:#?}");
    assert_eq!(a.status_code, Some(410));
    assert!(
        a.error
            .as_deref()
            .unwrap_or("")
            .starts_with("http_status: 410 Gone")
    );
}

#[tokio::test]
async fn retry_after_is_read_on_429_and_503_in_seconds_or_as_a_date() {
    let rx = Receiver::start().await;
    let s = sender(true);

    let a = attempt_to(&s, &rx.url("/busy"), &[SECRET]).await;
    assert_eq!(
        (a.status_code, a.retry_after),
        (Some(429), Some(Duration::from_secs(120)))
    );
    assert_code(&a, "http_status");

    let a = attempt_to(&s, &rx.url("/busy-date"), &[SECRET]).await;
    assert_eq!(a.status_code, Some(429));
    let wait = a.retry_after.expect("a date").as_secs();
    assert!((290..=300).contains(&wait), "{wait}");

    let a = attempt_to(&s, &rx.url("/unavailable"), &[SECRET]).await;
    assert_eq!(
        (a.status_code, a.retry_after),
        (Some(503), Some(Duration::from_secs(30)))
    );

    let a = attempt_to(&s, &rx.url("/fail-retry"), &[SECRET]).await;
    assert_eq!((a.status_code, a.retry_after), (Some(500), None));
}

#[tokio::test]
async fn a_redirect_fails_and_is_not_followed() {
    let rx = Receiver::start().await;
    let a = attempt_to(&sender(true), &rx.url("/redirect"), &[SECRET]).await;
    assert_code(&a, "redirect");
    assert_eq!(a.status_code, Some(302));
    assert!(
        a.error.as_deref().unwrap_or("").contains("/target"),
        "{a:#?}"
    );
    let paths: Vec<String> = rx.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, ["/redirect"]);
}

#[tokio::test]
async fn a_receiver_slower_than_the_attempt_timeout_is_a_timeout() {
    let rx = Receiver::start().await;
    let a = attempt_to(&sender(true), &rx.url("/slow"), &[SECRET]).await;
    assert_code(&a, "timeout");
    assert_eq!(a.status_code, None);
    assert!((290..2000).contains(&a.duration_ms), "{a:#?}");
}

#[tokio::test]
async fn a_port_nobody_listens_on_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let a = attempt_to(&sender(true), &format!("http://{addr}/"), &[SECRET]).await;
    assert_code(&a, "connect");
}

/// A raw receiver: accepts, reads the request, writes `reply` (if any), then holds the socket
/// open without another byte until the test ends.
async fn raw_receiver(reply: &'static [u8]) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let _ = socket.write_all(reply).await;
            held.push(socket);
        }
    });
    addr
}

#[tokio::test]
async fn a_receiver_that_accepts_and_never_answers_is_a_timeout() {
    let addr = raw_receiver(b"").await;
    let a = attempt_to(&sender(true), &format!("http://{addr}/"), &[SECRET]).await;
    assert_code(&a, "timeout");
    assert!(a.duration_ms < 2000, "{a:#?}");
}

#[tokio::test]
async fn a_2xx_whose_body_stalls_still_succeeds_with_what_came_and_a_body_note() {
    let addr = raw_receiver(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial").await;
    let a = attempt_to(&sender(true), &format!("http://{addr}/"), &[SECRET]).await;
    assert_eq!(a.outcome, Outcome::Succeeded, "{a:#?}");
    assert_eq!(a.status_code, Some(200));
    assert_eq!(a.response_body.as_deref(), Some("partial"));
    assert_eq!(a.error_code(), Some("body"), "{a:#?}");
    assert!(a.duration_ms < 2000, "{a:#?}");
}

#[tokio::test]
async fn an_endless_body_is_read_only_up_to_the_cap() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let writer = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut buf = [0u8; 4096];
        let _ = socket.read(&mut buf).await;
        let head = b"HTTP/1.1 500 Internal Server Error\r\ntransfer-encoding: chunked\r\n\r\n";
        let _ = socket.write_all(head).await;
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "y".repeat(64 * 1024));
        // Bounded: 64 MB at most, and it stops as soon as the sender hangs up.
        let mut sent = 0usize;
        for _ in 0..1024 {
            if socket.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
            sent += chunk.len();
        }
        sent
    });
    let a = attempt_to(&sender(true), &format!("http://{addr}/"), &[SECRET]).await;
    assert_eq!(a.status_code, Some(500), "{a:#?}");
    assert_eq!(a.response_body.as_deref(), Some("y".repeat(1024).as_str()));
    assert_eq!(
        a.error.as_deref(),
        Some("http_status: 500 Internal Server Error")
    );
    let sent = writer.await.expect("writer");
    assert!(sent < 16 * 1024 * 1024, "the sender read {sent} bytes");
}

#[tokio::test]
async fn https_to_a_receiver_that_speaks_no_tls_is_a_connect_error() {
    let rx = Receiver::start().await;
    let url = format!("https://{}/ok", rx.addr);
    let a = attempt_to(&sender(true), &url, &[SECRET]).await;
    assert_code(&a, "connect");
    assert!(rx.seen().is_empty());
}

#[tokio::test]
async fn without_allow_private_a_loopback_url_is_refused_before_any_request() {
    let rx = Receiver::start().await;
    let a = attempt_to(&sender(false), &rx.url("/ok"), &[SECRET]).await;
    assert_code(&a, "unsafe_address");
    assert!(
        a.error.as_deref().unwrap_or("").contains("loopback"),
        "{a:#?}"
    );
    assert_eq!(a.status_code, None);
    assert!(rx.seen().is_empty());
}

#[tokio::test]
async fn without_allow_private_localhost_is_refused_before_any_request() {
    let rx = Receiver::start().await;
    let url = format!("http://localhost:{}/ok", rx.addr.port());
    let a = attempt_to(&sender(false), &url, &[SECRET]).await;
    assert_code(&a, "unsafe_address");
    assert!(rx.seen().is_empty());
    // The same URL goes through when private addresses are allowed (development).
    let a = attempt_to(&sender(true), &url, &[SECRET]).await;
    assert_eq!(a.outcome, Outcome::Succeeded, "{a:#?}");
}

#[tokio::test]
async fn a_bad_url_or_secret_fails_without_sending_or_panicking() {
    let rx = Receiver::start().await;
    let s = sender(true);
    assert_code(
        &attempt_to(&s, "ftp://example.com/", &[SECRET]).await,
        "invalid_url",
    );
    assert_code(&attempt_to(&s, "not a url", &[SECRET]).await, "invalid_url");
    assert_code(&attempt_to(&s, &rx.url("/ok"), &[]).await, "signature");
    assert_code(
        &attempt_to(&s, &rx.url("/ok"), &["whsec_***"]).await,
        "signature",
    );
    let a = s
        .attempt(AttemptRequest {
            url: &rx.url("/ok"),
            msg_id: "evt\r\ninjected: yes",
            timestamp: now(),
            payload: PAYLOAD.as_bytes(),
            secrets: &[SECRET],
        })
        .await;
    assert_code(&a, "request");
    assert!(rx.seen().is_empty());
}
