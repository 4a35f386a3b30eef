//! Real API Gateway HTTP API (payload 2.0) events from `tests/fixtures/`, converted by
//! lambda_http exactly as in Lambda, served by the shared Router with the claims authenticator.

use axum::Router;
use coaching_api::ClaimsAuthenticator;
use coaching_domain::ports::Ports;
use coaching_domain::service::Services;
use coaching_http::{AppState, router};
use coaching_runtime::{TestClock, UlidIds};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

/// The Router as the api function's `main` wires it (no event publisher: the job functions
/// relay the outbox), over SQLite.
fn app() -> Router {
    app_and_store().0
}

fn app_and_store() -> (Router, Arc<coaching_sqlite::SqliteStore>) {
    let clock = Arc::new(TestClock::new());
    clock.set("2026-12-07T08:00:00Z".parse().unwrap());
    let store = Arc::new(coaching_sqlite::SqliteStore::open(":memory:").unwrap());
    let services: Services = Services::new(Ports {
        store: store.clone(),
        clock,
        ids: Arc::new(UlidIds::new()),
        events: None,
        queue: None,
        outbound: coaching_domain::ports::Outbound::new(coaching_http::session_event_view),
    });
    let app = router(AppState {
        services,
        auth: Arc::new(ClaimsAuthenticator),
        test_clock: None,
        // Evaluation deliveries go to the coaching-webhooks function on AWS.
        webhook_secret: None,
        public_url: None,
    });
    (app, store)
}

fn fixture(name: &str) -> lambda_http::Request {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    lambda_http::request::from_str(&text)
        .unwrap_or_else(|e| panic!("{name} is not an API Gateway event: {e}"))
}

async fn call(app: &Router, name: &str) -> (u16, http::HeaderMap, Value) {
    let res = app.clone().oneshot(fixture(name)).await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, headers, json)
}

#[tokio::test]
async fn health_answers_without_claims() {
    let app = app();
    let (status, _, body) = call(&app, "apigw_v2_health.json").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn a_request_without_authorizer_claims_is_401_problem_json() {
    let app = app();
    let (status, headers, body) = call(&app, "apigw_v2_list_sessions_without_claims.json").await;
    assert_eq!(status, 401);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["code"], "unauthenticated");
}

#[tokio::test]
async fn a_coach_sets_settings_a_client_books_with_a_base64_body_and_a_cognito_admin_lists_it() {
    let app = app();
    // The coach's claims carry `org` and `roles` as the authorizer passes them ("[coach]").
    let (status, _, settings) = call(&app, "apigw_v2_put_settings_coach_claims.json").await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["timezone"], "Europe/Berlin");

    // The client has `custom:org` and `cognito:groups`; the body arrives base64-encoded.
    let (status, _, slots) = call(&app, "apigw_v2_slots_query.json").await;
    assert_eq!(status, 200, "{slots}");
    assert_eq!(slots["slots"][0]["startsAt"], "2026-12-14T08:00:00Z");
    let (status, headers, session) = call(&app, "apigw_v2_create_session_base64_body.json").await;
    assert_eq!(status, 201, "{session}");
    assert_eq!(session["clientId"], "client-bo");
    assert_eq!(session["price"]["amount"], 9000);
    assert_eq!(headers["etag"], "\"1\"");
    // The same event again (a retried invocation) replays the first answer.
    let (status, headers, again) = call(&app, "apigw_v2_create_session_base64_body.json").await;
    assert_eq!(status, 201);
    assert_eq!(again["id"], session["id"]);
    assert_eq!(headers["idempotent-replayed"], "true");

    // An admin from Cognito groups "[coach admin]" sees the org's sessions.
    let (status, _, list) = call(&app, "apigw_v2_list_sessions_cognito_admin.json").await;
    assert_eq!(status, 200, "{list}");
    let ids: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["id"])
        .collect();
    assert_eq!(ids, vec![&session["id"]]);
}

#[tokio::test]
async fn an_admins_job_run_leaves_the_outbox_to_the_job_functions() {
    use coaching_domain::ports::OutboxStore;
    let (app, store) = app_and_store();
    call(&app, "apigw_v2_put_settings_coach_claims.json").await;
    let (status, _, _) = call(&app, "apigw_v2_create_session_base64_body.json").await;
    assert_eq!(status, 201);

    let (status, _, run) = call(&app, "apigw_v2_run_reminders_cognito_admin.json").await;

    assert_eq!(status, 200, "{run}");
    assert_eq!(run["job"], "reminders");
    assert_eq!(run["eventsPublished"], 0);
    assert_eq!(run["eventsFailed"], 0);
    // Both session_booked events and the booking's org event are still there, unclaimed, for
    // the scheduled relay.
    let now = "2026-12-07T08:00:00Z".parse().unwrap();
    let waiting = store
        .claim_events(now, now + chrono::Duration::seconds(60), 10)
        .await
        .unwrap();
    let kinds: Vec<&str> = waiting.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["session_booked", "session_booked", "session.booked"]
    );
}

#[test]
fn claims_map_onto_the_three_roles_whatever_their_spelling() {
    use std::collections::HashMap;
    let claims = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let a = coaching_api::actor_from_authorizer_claims(&claims(&[
        ("sub", "u"),
        ("custom:org", "o"),
        ("cognito:groups", "[coach admin]"),
    ]))
    .unwrap();
    assert!(a.is_coach() && a.is_admin() && !a.is_client());
    let b = coaching_api::actor_from_authorizer_claims(&claims(&[
        ("sub", "u"),
        ("org", "o"),
        ("roles", "[\"client\"]"),
    ]))
    .unwrap();
    assert!(b.is_client() && !b.is_coach());
    assert!(coaching_api::actor_from_authorizer_claims(&claims(&[("sub", "u")])).is_err());
    assert!(coaching_api::actor_from_authorizer_claims(&claims(&[("org", "o")])).is_err());
}
