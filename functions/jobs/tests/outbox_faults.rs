//! The outbox when EventBridge fails: the relay (`Services::relay_events`) with the real
//! `EventBridgePublisher` leaves every event EventBridge did not accept in the outbox, and a later
//! relay (once the claims lapse) publishes them, each once. Against a local endpoint that refuses
//! one entry of a `PutEvents` (`FailedEntryCount` 1) and against moto with a bus that does not
//! exist yet (ignored: scripts/test runs it with moto).

use aws_sdk_eventbridge::config::{BehaviorVersion, Credentials, Region};
use chrono::Duration;
use coaching_aws::EventBridgePublisher;
use coaching_domain::ports::Ports;
use coaching_domain::service::Services;
use coaching_runtime::UlidIds;
use coaching_tests::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

mod common;
use common::{drain, route_to_queue};

/// A booked session: its `session_booked` notifications wait in the outbox.
async fn booked() -> TestApp {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    app
}

/// The app's store and clock with an EventBridge publisher on `bus` instead of the recorder.
fn relay(app: &TestApp, eb: aws_sdk_eventbridge::Client, bus: &str) -> Services {
    Services::new(Ports {
        store: app.store.clone(),
        clock: app.clock.clone(),
        ids: Arc::new(UlidIds::new()),
        events: Some(Arc::new(EventBridgePublisher::new(eb, bus))),
        queue: None,
        outbound: coaching_domain::ports::Outbound::new(coaching_http::session_event_view),
    })
}

/// The app's clock now.
fn now(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    use coaching_domain::ports::Clock;
    app.clock.now()
}

/// Moves the app's clock on by `seconds` (past the relay's 60 s claims).
fn later(app: &TestApp, seconds: i64) {
    app.clock.set(now(app) + Duration::seconds(seconds));
}

/// A local `PutEvents` endpoint: the first call refuses its first entry, every later call
/// accepts all. Records each call's entries (their `Detail` as JSON).
async fn flaky_endpoint() -> (String, Arc<Mutex<Vec<Vec<Value>>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let calls: Arc<Mutex<Vec<Vec<Value>>>> = Arc::default();
    let seen = calls.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                while let Some(body) = read_request(&mut socket).await {
                    let request: Value = serde_json::from_slice(&body).unwrap();
                    let entries: Vec<Value> = request["Entries"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| serde_json::from_str(e["Detail"].as_str().unwrap()).unwrap())
                        .collect();
                    let first_call = {
                        let mut calls = seen.lock().unwrap();
                        calls.push(entries.clone());
                        calls.len() == 1
                    };
                    let results: Vec<Value> = (0..entries.len())
                        .map(|i| match (first_call, i) {
                            (true, 0) => json!({"ErrorCode": "InternalFailure",
                                "ErrorMessage": "try again"}),
                            _ => json!({"EventId": format!("event-{i}")}),
                        })
                        .collect();
                    let failed = usize::from(first_call && !entries.is_empty());
                    let body = json!({"FailedEntryCount": failed, "Entries": results}).to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    socket.write_all(response.as_bytes()).await.unwrap();
                }
            });
        }
    });
    (url, calls)
}

/// One HTTP/1.1 request's body (by its content-length); `None` when the client closed.
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .unwrap_or(0);
            while data.len() < end + 4 + length {
                let n = socket.read(&mut buf).await.ok()?;
                if n == 0 {
                    return None;
                }
                data.extend_from_slice(&buf[..n]);
            }
            return Some(data[end + 4..end + 4 + length].to_vec());
        }
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
}

fn ids(details: &[Value]) -> BTreeSet<String> {
    details
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_entry_eventbridge_refuses_stays_in_the_outbox_and_goes_out_with_a_later_relay() {
    let app = booked().await;
    let (url, calls) = flaky_endpoint().await;
    let eb = aws_sdk_eventbridge::Client::from_conf(
        aws_sdk_eventbridge::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(url)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .build(),
    );
    let services = relay(&app, eb, "coaching");

    let first = services.relay_events(now(&app)).await.unwrap();

    let sent = calls.lock().unwrap()[0].clone();
    assert!(sent.len() >= 2, "{sent:?}");
    assert_eq!((first.published(), first.failed()), (sent.len() - 1, 1));
    let refused = sent[0]["id"].as_str().unwrap().to_owned();
    // While the claim holds nobody takes the refused event; once it lapses the next relay
    // publishes it, and only it.
    let during = services.relay_events(now(&app)).await.unwrap();
    assert_eq!(during.published() + during.failed(), 0);
    later(&app, 61);
    let second = services.relay_events(now(&app)).await.unwrap();
    assert_eq!((second.published(), second.failed()), (1, 0));
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "one PutEvents per relay that had events");
    assert_eq!(ids(&calls[1]), BTreeSet::from([refused]));
    later(&app, 61);
    let at = now(&app);
    let left = app
        .store
        .claim_events(at, at + Duration::seconds(60), 100)
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
}

/// A `PutEvents` endpoint that accepts connections and reads requests but never answers.
async fn frozen_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    url
}

#[tokio::test]
async fn a_frozen_eventbridge_costs_a_relay_at_most_the_call_bound_and_the_events_stay() {
    let app = booked().await;
    let config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(frozen_endpoint().await)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .load()
        .await;
    let services = relay(&app, coaching_aws::eventbridge_client(&config), "coaching");

    let bound = coaching_aws::PUT_EVENTS_OPERATION_TIMEOUT + std::time::Duration::from_secs(2);
    let relayed = tokio::time::timeout(bound, services.relay_events(now(&app)))
        .await
        .expect("the relay gives up on a frozen EventBridge within the call's bound")
        .unwrap();

    assert_eq!(relayed.published(), 0);
    let waiting = relayed.failed();
    assert!(waiting >= 2, "{waiting} events");
    // Still in the outbox: once the relay's claims lapse they can be claimed again.
    later(&app, 61);
    let at = now(&app);
    let left = app
        .store
        .claim_events(at, at + Duration::seconds(60), 100)
        .await
        .unwrap();
    assert_eq!(left.len(), waiting);
}

#[tokio::test]
#[ignore = "needs moto: scripts/test starts it"]
async fn events_for_a_missing_bus_stay_in_the_outbox_until_the_bus_exists() {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127."),
        "a local moto: {endpoint:?}"
    );
    let config = coaching_aws::sdk_config().await;
    let eb = aws_sdk_eventbridge::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap();
    let bus = format!("coaching-faults-{nanos:x}");
    let app = booked().await;
    let services = relay(&app, eb.clone(), &bus);

    let refused = services.relay_events(now(&app)).await.unwrap();

    assert_eq!(refused.published(), 0);
    let waiting = refused.failed();
    assert!(waiting >= 2, "{waiting} events");
    // The bus appears (with a rule sending everything to a queue, to see what arrives).
    eb.create_event_bus().name(&bus).send().await.unwrap();
    let name = format!("coaching-faults-{nanos:x}");
    let queue_url = route_to_queue(&eb, &sqs, &bus, "everything", &name).await;
    later(&app, 61);
    let relayed = services.relay_events(now(&app)).await.unwrap();
    assert_eq!((relayed.published(), relayed.failed()), (waiting, 0));
    let received: Vec<Value> = drain(&sqs, &queue_url, waiting)
        .await
        .into_iter()
        .map(|event| event["detail"].clone())
        .collect();
    assert_eq!(received.len(), waiting);
    assert_eq!(ids(&received).len(), waiting, "each event once");
    later(&app, 61);
    let again = services.relay_events(now(&app)).await.unwrap();
    assert_eq!(again.published() + again.failed(), 0, "the outbox is empty");
}
