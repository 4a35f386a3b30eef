//! Real API Gateway HTTP API (payload 2.0) events from `tests/fixtures/` (the files
//! `cargo lambda invoke --data-file` takes), converted by lambda_http exactly as in Lambda and
//! served by the function's own Router (`coaching_webhooks::app`) over a SQLite `:memory:` store.
//!
//! The fixtures carry a genuine signature for the time they were sent (2026-11-30 08:00Z),
//! which the ±5 minute window refuses today; each test re-signs the fixture's body for the real
//! current time with `standardwebhooks`' `Webhook::sign`, as the sender would.

use axum::Router;
use base64::Engine;
use coaching_domain::OrgId;
use coaching_domain::ids::EvaluationId;
use coaching_domain::ports::{EvaluationStore, OrgStore, Ports};
use coaching_domain::service::Services;
use coaching_runtime::{SystemClock, UlidIds};
use coaching_sqlite::SqliteStore;
use http_body_util::BodyExt;
use serde_json::Value;
use standardwebhooks::Webhook;
use std::sync::Arc;
use tower::ServiceExt;

/// The master secret (`COACHING_WEBHOOK_SECRET` in these tests).
const SECRET: &str = "whsec_Y29hY2hpbmctd2ViaG9va3MtZml4dHVyZS1rZXktMzIh";

/// Org acme's secret, derived from [`SECRET`]: what acme's evaluation system signs with.
fn acme_secret() -> String {
    coaching_http::webhook_secret::derive_for_org(SECRET, &acme()).unwrap()
}
/// Another valid secret (base64 of 32 bytes).
const OTHER_SECRET: &str = "whsec_b3RoZXItc2VuZGVyLW90aGVyLWtleS0zMi1ieXRlcw==";
const PLAIN: &str = "apigw_v2_webhook_completed.json";
const BASE64: &str = "apigw_v2_webhook_completed_base64_body.json";

struct TestApp {
    router: Router,
    store: Arc<SqliteStore>,
}

/// The function as its `main` wires it (no event publisher, the refusing authenticator), with
/// `secret` as `COACHING_WEBHOOK_SECRET`, over a fresh SQLite store.
fn spawn_app(secret: Option<&str>) -> TestApp {
    let store = Arc::new(SqliteStore::open(":memory:").unwrap());
    let services: Services = Services::new(Ports {
        store: store.clone(),
        clock: Arc::new(SystemClock),
        ids: Arc::new(UlidIds::new()),
        events: None,
        queue: None,
        outbound: coaching_domain::ports::Outbound::new(coaching_http::session_event_view),
    });
    let secret = coaching_webhooks::webhook_secret(secret.map(str::to_owned)).unwrap();
    TestApp {
        router: coaching_webhooks::app(services, secret),
        store,
    }
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The bytes the sender signed: the event's body, base64-decoded when API Gateway encoded it.
fn raw_body(event: &Value) -> Vec<u8> {
    let body = event["body"].as_str().unwrap();
    if event["isBase64Encoded"] == true {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    } else {
        body.as_bytes().to_vec()
    }
}

fn now() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since_epoch.as_secs()).unwrap()
}

/// The event with `webhook-timestamp` = now and `webhook-signature` over `signed` with `secret`.
fn signed_over(mut event: Value, secret: &str, signed: &[u8]) -> Value {
    let ts = now();
    let id = event["headers"]["webhook-id"].as_str().unwrap().to_owned();
    let signature = Webhook::new(secret).unwrap().sign(&id, ts, signed).unwrap();
    event["headers"]["webhook-timestamp"] = Value::from(ts.to_string());
    event["headers"]["webhook-signature"] = Value::from(signature);
    event
}

/// The fixture re-signed for now, over its raw body, as the sender would.
fn signed(name: &str, secret: &str) -> Value {
    let event = fixture(name);
    let body = raw_body(&event);
    signed_over(event, secret, &body)
}

async fn call(app: &TestApp, event: &Value) -> (u16, http::HeaderMap, Value) {
    let request = lambda_http::request::from_str(&event.to_string())
        .unwrap_or_else(|e| panic!("not an API Gateway event: {e}"));
    let res = app.router.clone().oneshot(request).await.unwrap();
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

fn acme() -> OrgId {
    OrgId::parse("acme").unwrap()
}

async fn stored(app: &TestApp, evaluation: &str) -> bool {
    let id = EvaluationId::parse(evaluation).unwrap();
    app.store.evaluation(&acme(), &id).await.unwrap().is_some()
}

fn assert_unauthenticated(status: u16, headers: &http::HeaderMap, body: &Value) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["status"], 401);
    assert_eq!(body["code"], "unauthenticated");
}

#[tokio::test]
async fn a_correctly_signed_delivery_is_applied_and_stored() {
    let app = spawn_app(Some(SECRET));

    let (status, headers, body) = call(&app, &signed(PLAIN, &acme_secret())).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(body, serde_json::json!({"outcome": "applied"}));
    let stored = app
        .store
        .evaluation(&acme(), &EvaluationId::parse("eval-1001").unwrap())
        .await
        .unwrap()
        .expect("the evaluation is stored");
    assert_eq!(stored.coachee_id.as_str(), "client-bo");
    assert_eq!(stored.scores.len(), 3);
}

#[tokio::test]
async fn a_base64_encoded_body_is_verified_over_its_decoded_bytes() {
    let app = spawn_app(Some(SECRET));
    let event = fixture(BASE64);
    assert_eq!(event["isBase64Encoded"], true);
    let encoded = event["body"].as_str().unwrap().as_bytes().to_vec();

    // Signed over the base64 text API Gateway put in the event: not what the sender signed.
    let (status, headers, body) =
        call(&app, &signed_over(event.clone(), &acme_secret(), &encoded)).await;
    assert_unauthenticated(status, &headers, &body);

    // Signed over the decoded bytes (UTF-8 with non-ASCII text): lambda_http hands the Router
    // exactly those.
    let decoded = raw_body(&event);
    assert!(
        std::str::from_utf8(&decoded)
            .unwrap()
            .contains("Höflichkeit")
    );
    let (status, _, body) = call(&app, &signed_over(event, &acme_secret(), &decoded)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "applied");
    let evaluation = app
        .store
        .evaluation(&acme(), &EvaluationId::parse("eval-1002").unwrap())
        .await
        .unwrap()
        .expect("the evaluation is stored");
    assert_eq!(
        evaluation.scores[0].criterion_name,
        "Empathie & Höflichkeit"
    );
}

#[tokio::test]
async fn a_delivery_signed_with_the_master_secret_itself_is_401() {
    let app = spawn_app(Some(SECRET));

    let (status, headers, body) = call(&app, &signed(PLAIN, SECRET)).await;

    assert_unauthenticated(status, &headers, &body);
    assert!(!stored(&app, "eval-1001").await);
}

#[tokio::test]
async fn a_bad_signature_is_401_problem_json_and_stores_nothing() {
    let app = spawn_app(Some(SECRET));

    let (status, headers, body) = call(&app, &signed(PLAIN, OTHER_SECRET)).await;

    assert_unauthenticated(status, &headers, &body);
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Signature")
    );
    assert!(!stored(&app, "eval-1001").await);
    // The webhook id was not recorded either: the genuine delivery of it still applies.
    let (status, _, body) = call(&app, &signed(PLAIN, &acme_secret())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "applied");
}

#[tokio::test]
async fn a_tampered_body_is_401() {
    let app = spawn_app(Some(SECRET));
    let mut event = signed(PLAIN, &acme_secret());
    let body = event["body"]
        .as_str()
        .unwrap()
        .replace("\"score\":4", "\"score\":5");
    event["body"] = Value::from(body);

    let (status, headers, body) = call(&app, &event).await;

    assert_unauthenticated(status, &headers, &body);
    assert!(!stored(&app, "eval-1001").await);
}

#[tokio::test]
async fn the_fixture_as_recorded_is_refused_because_its_timestamp_is_stale() {
    let app = spawn_app(Some(SECRET));

    // Signed correctly, but on 2026-11-30 08:00Z: far outside the 5 minutes.
    let (status, headers, body) = call(&app, &fixture(PLAIN)).await;

    assert_unauthenticated(status, &headers, &body);
    assert!(body["detail"].as_str().unwrap().contains("5 minutes"));
}

#[tokio::test]
async fn a_replayed_delivery_is_acknowledged_as_a_duplicate() {
    let app = spawn_app(Some(SECRET));
    let event = signed(PLAIN, &acme_secret());
    let (status, _, first) = call(&app, &event).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["outcome"], "applied");

    // The same event again (a retried invocation), then the same webhook id re-signed later.
    let (status, _, again) = call(&app, &event).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, serde_json::json!({"outcome": "duplicate"}));
    let (status, _, resent) = call(&app, &signed(PLAIN, &acme_secret())).await;
    assert_eq!(status, 200, "{resent}");
    assert_eq!(resent["outcome"], "duplicate");
}

#[tokio::test]
async fn without_a_default_secret_an_org_without_its_own_is_401() {
    let app = spawn_app(None);

    let (status, headers, body) = call(&app, &signed(PLAIN, &acme_secret())).await;

    assert_unauthenticated(status, &headers, &body);
}

#[tokio::test]
async fn an_org_that_rotated_its_secret_is_verified_with_it_only() {
    let app = spawn_app(Some(SECRET));
    app.store
        .put_webhook_secret(&acme(), OTHER_SECRET)
        .await
        .unwrap();

    let (status, headers, body) = call(&app, &signed(PLAIN, &acme_secret())).await;
    assert_unauthenticated(status, &headers, &body);

    let (status, _, body) = call(&app, &signed(PLAIN, OTHER_SECRET)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "applied");
}

#[tokio::test]
async fn health_answers_and_no_bearer_route_is_served() {
    let app = spawn_app(Some(SECRET));
    let mut event = fixture(PLAIN);
    for (path, expected) in [("/health", 200), ("/v1/sessions", 404)] {
        event["rawPath"] = Value::from(path);
        event["requestContext"]["http"]["path"] = Value::from(path);
        event["requestContext"]["http"]["method"] = Value::from("GET");
        event["routeKey"] = Value::from("$default");
        event["body"] = Value::Null;
        let (status, _, body) = call(&app, &event).await;
        assert_eq!(status, expected, "{path}: {body}");
    }
}
