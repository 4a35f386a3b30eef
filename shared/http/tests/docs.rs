//! `GET /docs` as a browser meets it: the page, its assets from the binary and the document it
//! loads, with no token. (That the page renders the operations is checked in headless Chromium
//! by `scripts/docs-browser-check`.)

use axum::body::Body;
use coaching_http::docs;
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn get(path: &str) -> (StatusCode, http::HeaderMap, String) {
    let response = docs::router()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[tokio::test]
async fn docs_without_the_slash_redirects_to_the_page() {
    let (status, headers, _) = get("/docs").await;

    assert!(status.is_redirection(), "{status}");
    assert_eq!(headers[header::LOCATION], "/docs/");
}

#[tokio::test]
async fn the_page_is_served_without_a_token_and_loads_only_its_own_assets() {
    let (status, headers, html) = get("/docs/").await;

    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(html.contains(r#"<div id="swagger-ui">"#), "{html}");
    // Every script and stylesheet is relative: served by us, nothing from a CDN.
    let elsewhere: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| s.contains("://"))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "the page loads {elsewhere:?} from elsewhere"
    );
}

#[tokio::test]
async fn the_page_reads_the_document_the_server_serves() {
    let (status, _, script) = get("/docs/swagger-initializer.js").await;

    assert_eq!(status, StatusCode::OK);
    assert!(script.contains(r#""url": "/openapi.json""#), "{script}");
    assert!(!script.contains("petstore"), "{script}");
}

#[tokio::test]
async fn the_swagger_ui_bundle_is_compiled_into_the_binary() {
    let (status, headers, bundle) = get("/docs/swagger-ui-bundle.js").await;

    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert!(bundle.len() > 1_000_000, "{} bytes", bundle.len());
}

#[tokio::test]
async fn an_unknown_asset_is_a_problem_404() {
    let (status, headers, body) = get("/docs/nope.js").await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["code"], "not_found");
}
