//! Headers a browser acts on: no answer of the API may be sniffed into a page, run or framed,
//! and the interactive reference at `/docs` loads only its own assets and keeps no token.

use coaching_tests::*;
use http::Method;
use serde_json::json;
use tower::ServiceExt;

#[tokio::test]
async fn every_kind_of_api_answer_says_nosniff_and_allows_nothing_to_load() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let feed = app
        .post_empty("/v1/calendar-token", &client("client-bo"))
        .await;
    let feed_path = feed.body["url"]
        .as_str()
        .map(|u| u[u.find("/v1/").expect("a feed path")..].to_owned())
        .expect("url");

    let answers = [
        ("health", app.get("/health", "").await),
        (
            "json",
            app.get("/v1/coaches/coach-ana/settings", &client("client-bo"))
                .await,
        ),
        (
            "problem",
            app.get("/v1/sessions/nope", &client("client-bo")).await,
        ),
        (
            "401",
            app.request(Method::GET, "/v1/sessions", None, None, &[])
                .await,
        ),
        ("unknown route", app.get("/nowhere", "").await),
        (
            "calendar",
            app.request(Method::GET, &feed_path, None, None, &[]).await,
        ),
        (
            "400",
            app.post("/v1/sessions", &client("client-bo"), &json!({"kind": 1}))
                .await,
        ),
    ];

    for (what, r) in answers {
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{what}: {r:#?}"
        );
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{what}: {csp}"
        );
    }
}

async fn docs_get(path: &str) -> (http::StatusCode, http::HeaderMap, String) {
    let res = coaching_http::docs::router()
        .oneshot(
            http::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn the_reference_page_has_a_strict_csp_cannot_be_framed_and_persists_no_token() {
    for path in [
        "/docs/",
        "/docs/swagger-initializer.js",
        "/docs/swagger-ui.css",
    ] {
        let (status, headers, _) = docs_get(path).await;

        assert_eq!(status, 200, "{path}");
        let h = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let csp = h("content-security-policy");
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("script-src 'self' 'unsafe"), "{path}: {csp}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
    }
    let (_, _, page) = docs_get("/docs/").await;
    // The CSP allows no inline script, so the page must have none.
    assert!(!page.contains("<script>"), "{page}");
    let (_, _, init) = docs_get("/docs/swagger-initializer.js").await;
    assert!(
        init.contains("\"persistAuthorization\": false")
            || init.contains("\"persistAuthorization\":false"),
        "{init}"
    );
}
