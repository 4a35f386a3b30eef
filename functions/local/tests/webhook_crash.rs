//! Outbound webhooks across a SIGKILL of `coaching-local` (docs/api.md#org-events-and-outbound-webhooks): the
//! process dies while a receiver holds its answer; after a restart on the same file the
//! delivery is attempted again once its lease lapses (the same `webhook-id`), succeeds, and is
//! never sent again, not even after another kill and restart.

mod common;

use axum::Router;
use axum::http::HeaderMap;
use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A receiver on a free port: records each request's `webhook-id`; holds its first answer for
/// `hold`, answers every other at once.
fn receiver(hold: Duration) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorded = seen.clone();
    let port = free_port();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = Router::new().fallback(move |headers: HeaderMap| {
                let recorded = recorded.clone();
                async move {
                    let id = headers
                        .get("webhook-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let first = {
                        let mut seen = recorded.lock().unwrap();
                        seen.push(id);
                        seen.len() == 1
                    };
                    if first {
                        tokio::time::sleep(hold).await;
                    }
                    "ok"
                }
            });
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    (format!("http://127.0.0.1:{port}/hooks"), seen)
}

fn server(db: &std::path::Path) -> Server {
    start(
        db,
        &[
            ("COACHING_TEST_CLOCK", "1".into()),
            ("COACHING_WEBHOOK_ALLOW_PRIVATE", "1".into()),
        ],
    )
}

/// Moves the test clock `seconds` ahead.
fn advance(base: &str, admin: &str, seconds: i64) {
    let (status, now) = call(Method::GET, &format!("{base}/v1/test-clock"), admin, None);
    assert_eq!(status, 200, "{now}");
    let now = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap()).unwrap();
    let later = now + chrono::Duration::seconds(seconds);
    let (status, body) = call(
        Method::PUT,
        &format!("{base}/v1/test-clock"),
        admin,
        Some(json!({"now": later.to_rfc3339()})),
    );
    assert_eq!(status, 200, "{body}");
}

fn deliveries(base: &str, admin: &str, endpoint: &str) -> Vec<Value> {
    let (status, body) = call(
        Method::GET,
        &format!("{base}/v1/webhook-endpoints/{endpoint}/deliveries"),
        admin,
        None,
    );
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

#[test]
fn a_delivery_cut_off_by_a_kill_is_sent_again_once_and_a_succeeded_one_never() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("coaching.db");
    let (url, seen) = receiver(Duration::from_secs(3));
    let admin = token("admin-al", "admin");
    let mut server = server(&db);
    let (status, endpoint) = call(
        Method::POST,
        &format!("{}/v1/webhook-endpoints", server.base),
        &admin,
        Some(json!({"url": url, "eventTypes": ["*"]})),
    );
    assert_eq!(status, 201, "{endpoint}");
    let endpoint = endpoint["id"].as_str().unwrap().to_owned();
    let (status, ping) = call(
        Method::POST,
        &format!("{}/v1/webhook-endpoints/{endpoint}/test", server.base),
        &admin,
        None,
    );
    assert_eq!(status, 202, "{ping}");
    let event = ping["eventId"].as_str().unwrap().to_owned();

    // The worker sends at once; the receiver holds its answer; the process dies meanwhile.
    wait_for("the first attempt", Duration::from_secs(10), || {
        seen.lock().unwrap().len() == 1
    });
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();

    // Restarted: the delivery is still pending under the dead worker's lease; once the lease
    // lapses it is sent again, with the same webhook-id, and succeeds.
    server = server_again(&db);
    let pending = deliveries(&server.base, &admin, &endpoint);
    assert_eq!(pending.len(), 1, "nothing lost: {pending:?}");
    assert_eq!(pending[0]["status"], "pending");
    advance(&server.base, &admin, 61);
    wait_for(
        "the attempt after the restart",
        Duration::from_secs(10),
        || deliveries(&server.base, &admin, &endpoint)[0]["status"] == "succeeded",
    );
    assert_eq!(*seen.lock().unwrap(), [event.clone(), event.clone()]);

    // A succeeded delivery is never sent again: not after another kill, nor days later.
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    server = server_again(&db);
    advance(&server.base, &admin, 3 * 86_400);
    std::thread::sleep(Duration::from_millis(2_500));
    assert_eq!(seen.lock().unwrap().len(), 2);
    let log = deliveries(&server.base, &admin, &endpoint);
    assert_eq!(log[0]["status"], "succeeded");
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 1);
}

fn server_again(db: &std::path::Path) -> Server {
    server(db)
}
