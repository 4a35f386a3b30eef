//! The EventBridge publisher against moto (scripts/test starts it and exports
//! `AWS_ENDPOINT_URL`): events reach a rule's target with `source` = `coaching`, `detail-type` =
//! the notification type and the notification as `detail`; a failed `PutEvents` leaves them
//! unaccepted (they stay in the outbox).

use aws_config::BehaviorVersion;
use coaching_aws::EventBridgePublisher;
use coaching_domain::ports::{EventPublisher, OutboxEvent};
use serde_json::json;
use std::collections::BTreeSet;

mod common;
use common::{drain, route_to_queue};

async fn config() -> aws_config::SdkConfig {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.") || endpoint.starts_with("http://localhost"),
        "point AWS_ENDPOINT_URL at a local moto (scripts/test starts one), not {endpoint:?}"
    );
    aws_config::defaults(BehaviorVersion::latest()).load().await
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{nanos:x}")
}

fn events(n: usize) -> Vec<OutboxEvent> {
    (0..n)
        .map(|i| {
            let kind = if i % 2 == 0 { "reminder_24h" } else { "session_booked" };
            OutboxEvent {
                org: "org-acme".into(),
                id: format!("01JN{i:022}"),
                kind: kind.into(),
                payload: json!({"id": format!("01JN{i:022}"), "type": kind, "sessionId": "s-1", "n": i}),
                created_at: "2026-12-06T08:00:00Z".parse().unwrap(),
            }
        })
        .collect()
}

#[tokio::test]
#[ignore = "needs moto: scripts/test starts it"]
async fn published_events_reach_the_bus_rules_in_put_events_batches_of_ten() {
    let config = config().await;
    let eb = aws_sdk_eventbridge::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let bus = unique("coaching-bus");
    eb.create_event_bus().name(&bus).send().await.unwrap();
    let rule = unique("all-coaching-events");
    let queue_url = route_to_queue(&eb, &sqs, &bus, &rule, &unique("coaching-events")).await;
    let publisher = EventBridgePublisher::new(eb.clone(), &bus);
    let sent = events(23);

    let accepted = publisher.publish(&sent).await;

    assert_eq!(accepted, vec![true; 23]);
    let received = drain(&sqs, &queue_url, sent.len()).await;
    assert_eq!(received.len(), 23);
    for r in &received {
        assert_eq!(r["source"], "coaching");
        let n = r["detail"]["n"].as_u64().unwrap() as usize;
        assert_eq!(r["detail-type"], sent[n].kind);
        assert_eq!(r["detail"], sent[n].payload);
    }
    let distinct: BTreeSet<String> = received
        .iter()
        .map(|r| r["detail"]["id"].to_string())
        .collect();
    assert_eq!(distinct.len(), 23, "each event once");
}

#[tokio::test]
#[ignore = "needs moto: scripts/test starts it"]
async fn events_for_a_bus_that_does_not_exist_are_not_accepted() {
    let config = config().await;
    let publisher = EventBridgePublisher::new(
        aws_sdk_eventbridge::Client::new(&config),
        &unique("no-such-bus"),
    );

    let accepted = publisher.publish(&events(3)).await;

    assert_eq!(accepted, vec![false; 3]);
}
