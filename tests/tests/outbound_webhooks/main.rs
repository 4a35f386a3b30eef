//! Outbound webhooks through the API (docs/api.md#org-events-and-outbound-webhooks), on the store the suite
//! runs on: endpoints and their rules, then deliveries to a receiver inside the test, driven
//! by the deliveries job under the test clock.

mod delivery;
mod endpoints;
mod receiver;

use coaching_tests::*;
use receiver::Receiver;
use serde_json::{Value, json};

pub const ADMIN: &str = "admin-1";

/// Registers `url` for `types` as an admin; returns the endpoint and its secret.
pub async fn register(app: &TestApp, url: &str, types: &[&str]) -> (String, String) {
    let r = app
        .post(
            "/v1/webhook-endpoints",
            &admin(ADMIN),
            &json!({"url": url, "eventTypes": types, "description": "the test's receiver"}),
        )
        .await;
    r.assert_status(201);
    (
        r.body["id"].as_str().expect("an id").to_owned(),
        r.body["secret"].as_str().expect("a secret").to_owned(),
    )
}

/// Runs the due deliveries now, as the schedule would.
pub async fn run_deliveries(app: &TestApp) -> Value {
    let r = app
        .post_empty("/v1/admin/jobs/deliveries/run", &admin(ADMIN))
        .await;
    r.assert_status(200);
    r.body
}

/// The endpoint's deliveries, newest first.
pub async fn deliveries(app: &TestApp, endpoint: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/v1/webhook-endpoints/{endpoint}/deliveries"),
            &admin(ADMIN),
        )
        .await;
    r.assert_status(200);
    r.body["items"].as_array().expect("items").clone()
}

/// An app with a coach who takes bookings, and a receiver registered for `types`.
pub async fn world(types: &[&str]) -> (TestApp, Receiver, String, String) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let receiver = Receiver::start().await;
    let (endpoint, secret) = register(&app, &receiver.url, types).await;
    (app, receiver, endpoint, secret)
}
