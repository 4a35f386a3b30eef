//! docs/api.md#running-the-api: the health check, the OpenAPI document, and what unknown routes and methods answer.

use coaching_tests::*;
use http::Method;
use serde_json::Value;

/// Every (method, path template) the router serves, as the contract names them.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/openapi.json"),
    ("put", "/v1/test-clock"),
    ("get", "/v1/test-clock"),
    ("get", "/v1/notifications"),
    ("put", "/v1/coaches/{coachId}/settings"),
    ("get", "/v1/coaches/{coachId}/settings"),
    ("get", "/v1/coaches/{coachId}/slots"),
    ("post", "/v1/sessions"),
    ("get", "/v1/sessions"),
    ("get", "/v1/sessions/{id}"),
    ("patch", "/v1/sessions/{id}"),
    ("post", "/v1/sessions/{id}/cancel"),
    ("post", "/v1/sessions/{id}/complete"),
    ("post", "/v1/sessions/{id}/no-show"),
    ("post", "/v1/sessions/{id}/join"),
    ("get", "/v1/coaches/{coachId}/analytics"),
    ("post", "/v1/calendar-token"),
    ("get", "/v1/calendar/{token}.ics"),
];

async fn openapi_doc(app: &TestApp) -> Value {
    let r = app
        .request(Method::GET, "/openapi.json", None, None, &[])
        .await;
    r.assert_status(200);
    r.body
}

/// `/v1/coaches/{coachId}/slots` with every parameter filled in.
fn concrete(template: &str) -> String {
    template
        .replace("{coachId}", "coach-ana")
        .replace("{id}", "01JSESSIONDOESNOTEXIST")
}

#[tokio::test]
async fn the_health_check_answers_200_without_a_token() {
    let app = spawn_app().await;

    let r = app.request(Method::GET, "/health", None, None, &[]).await;

    r.assert_status(200);
}

#[tokio::test]
async fn the_openapi_document_is_openapi_3_1_and_needs_no_token() {
    let app = spawn_app().await;

    let doc = openapi_doc(&app).await;

    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1"), "openapi = {version}");
    assert!(doc["info"]["title"].is_string());
    assert!(doc["paths"].is_object());
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_the_router_serves() {
    let app = spawn_app().await;

    let doc = openapi_doc(&app).await;

    let mut missing = Vec::new();
    for (method, path) in ROUTES {
        if doc["paths"][path][method].is_null() {
            missing.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    assert!(missing.is_empty(), "not in /openapi.json: {missing:?}");
}

#[tokio::test]
async fn every_operation_in_the_openapi_document_is_served_by_the_router() {
    let app = spawn_app().await;
    let doc = openapi_doc(&app).await;
    let paths = doc["paths"].as_object().expect("paths").clone();

    let mut unserved = Vec::new();
    for (path, item) in &paths {
        for method in ["get", "put", "post", "patch", "delete"] {
            if item[method].is_null() {
                continue;
            }
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let r = app.request(m, &concrete(path), None, None, &[]).await;
            // Without a token a served route answers 200 (public) or 401, never the router's 404/405.
            // The calendar feed needs no bearer: an unknown token is its own 404 ("calendar").
            let feed_404 = path == "/v1/calendar/{token}.ics"
                && r.status() == 404
                && r.body["detail"] == "calendar not found";
            if !matches!(r.status(), 200 | 401) && !feed_404 {
                unserved.push(format!("{method} {path} -> {}", r.status()));
            }
        }
    }
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_problems_and_bearer_auth() {
    let app = spawn_app().await;

    let doc = openapi_doc(&app).await;

    assert!(
        doc["components"]["schemas"]["Problem"].is_object(),
        "no Problem schema"
    );
    assert!(
        doc["components"]["securitySchemes"]["bearer"].is_object(),
        "no bearer security scheme"
    );
}

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    let tok = coach("coach-ana");

    for path in ["/nope", "/v1/unknown", "/v1/sessions/a/b/c", "/v2/sessions"] {
        let r = app.get(path, &tok).await;

        r.assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn an_unknown_route_is_a_404_problem_even_without_a_token() {
    let app = spawn_app().await;

    let r = app.request(Method::GET, "/nope", None, None, &[]).await;

    r.assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_known_route_with_the_wrong_method_is_a_405_problem() {
    let app = spawn_app().await;
    let tok = coach("coach-ana");

    for (method, path) in [
        (Method::DELETE, "/v1/sessions"),
        (Method::PUT, "/v1/sessions/01JX"),
        (Method::GET, "/v1/sessions/01JX/cancel"),
        (Method::POST, "/health"),
        (Method::DELETE, "/v1/coaches/coach-ana/settings"),
    ] {
        let r = app
            .request(method.clone(), path, Some(&tok), None, &[])
            .await;

        assert_eq!(r.status(), 405, "{method} {path}: {r:#?}");
        assert!(r.is_problem(), "{method} {path}: {r:#?}");
        assert_eq!(r.body["status"], 405);
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_the_callers() {
    let app = spawn_app().await;

    let fresh = app.request(Method::GET, "/health", None, None, &[]).await;
    let echoed = app
        .request(
            Method::GET,
            "/nope",
            None,
            None,
            &[("x-request-id", "trace-123")],
        )
        .await;

    assert!(fresh.headers.get("x-request-id").is_some(), "{fresh:#?}");
    assert_eq!(
        echoed
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("trace-123")
    );
}
