//! The production middleware ([`coaching_http::routes::with_middleware`]) around routes that
//! exist only in this test: a handler that panics answers 500 problem+json with nothing of the
//! panic in it and the router keeps serving; a handler that hangs answers 503 `timeout` with
//! `Retry-After` at the request deadline.

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use coaching_http::problem::{REQUEST_TIMEOUT, RETRY_AFTER_SECONDS};
use coaching_http::routes::with_middleware;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use std::time::Duration;
use tower::ServiceExt;

/// A router with a panicking, a hanging and a healthy route, behind the real middleware.
fn app() -> Router {
    with_middleware(
        Router::new()
            .route(
                "/boom",
                get(|| async {
                    panic!("secret detail: the database password is hunter2");
                    #[allow(unreachable_code)]
                    ""
                }),
            )
            .route(
                "/hang",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    "too late"
                }),
            )
            .route("/ok", get(|| async { "fine" })),
    )
}

async fn call(app: &Router, path: &str) -> (StatusCode, http::HeaderMap, Vec<u8>) {
    let response = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

#[tokio::test]
async fn a_panicking_handler_answers_500_problem_and_the_router_keeps_serving() {
    let app = app();

    let (status, headers, body) = call(&app, "/boom").await;

    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert!(headers.contains_key("x-request-id"));
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["status"], 500);
    assert_eq!(problem["code"], "internal");
    let text = String::from_utf8(body).unwrap();
    assert!(
        !text.contains("hunter2") && !text.contains("secret"),
        "{text}"
    );
    // The same router (and a second panic) after it.
    let (status, _, body) = call(&app, "/ok").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, b"fine");
    assert_eq!(
        call(&app, "/boom").await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(call(&app, "/ok").await.0, StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn a_request_past_the_deadline_answers_503_timeout_with_retry_after() {
    let app = app();
    let started = tokio::time::Instant::now();

    let (status, headers, body) = call(&app, "/hang").await;

    // Tokio's paused clock jumps to the deadline: the answer comes at it, not an hour later.
    assert_eq!(started.elapsed(), REQUEST_TIMEOUT);
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(
        headers["retry-after"],
        RETRY_AFTER_SECONDS.to_string().as_str()
    );
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["status"], 503);
    assert_eq!(problem["code"], "timeout");
    assert_eq!(call(&app, "/ok").await.0, StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn a_request_within_the_deadline_is_untouched() {
    let app = with_middleware(Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(REQUEST_TIMEOUT - Duration::from_millis(1)).await;
            "made it"
        }),
    ));

    let (status, headers, body) = call(&app, "/slow").await;

    assert_eq!(status, StatusCode::OK);
    assert!(!headers.contains_key("retry-after"));
    assert_eq!(body, b"made it");
}

#[tokio::test]
async fn an_unavailable_store_answers_503_store_unavailable_without_its_detail() {
    use axum::response::IntoResponse;
    use coaching_domain::DomainError;
    use coaching_http::problem::ApiError;
    let app = with_middleware(Router::new().route(
        "/store",
        get(|| async {
            ApiError::from(DomainError::StoreUnavailable(
                "DynamoDB GetItem failed: dispatch failure: io error: connection refused to 10.1.2.3"
                    .into(),
            ))
            .into_response()
        }),
    ));

    let (status, headers, body) = call(&app, "/store").await;

    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(
        headers["retry-after"],
        RETRY_AFTER_SECONDS.to_string().as_str()
    );
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["code"], "store_unavailable");
    assert_eq!(problem["status"], 503);
    let text = String::from_utf8(body).unwrap();
    assert!(
        !text.contains("DynamoDB") && !text.contains("10.1.2.3"),
        "{text}"
    );
}
