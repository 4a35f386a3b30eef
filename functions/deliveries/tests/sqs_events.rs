//! Real SQS event JSON from `tests/fixtures/` (what `cargo lambda invoke --data-file` takes)
//! fed to the deliveries function's handler over a SQLite `:memory:` store, with the real
//! sender and a receiver inside the test. The deliveries are real (pings an admin asked for);
//! the fixture's bodies name them by placeholder (`DELIVERY_A`, `DELIVERY_B`).

use aws_lambda_events::event::sqs::SqsEvent;
use axum::Router;
use axum::http::StatusCode;
use coaching_deliveries::{MAX_RECEIVES, handle};
use coaching_domain::ids::{OrgId, UserId};
use coaching_domain::outbound::DeliveryStatus;
use coaching_domain::ports::{Outbound, Ports};
use coaching_domain::service::{EndpointInput, Services};
use coaching_domain::{Actor, Role, Roles};
use coaching_runtime::{SystemClock, UlidIds};
use coaching_sqlite::SqliteStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

struct World {
    services: Services,
    admin: Actor,
    hits: Arc<AtomicUsize>,
    endpoint: String,
}

async fn world() -> World {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            (StatusCode::OK, "ok")
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let sender = coaching_outbound::Sender::new(coaching_outbound::SenderConfig {
        allow_private: true,
        ..coaching_outbound::SenderConfig::default()
    })
    .unwrap();
    let services: Services = Services::new(Ports {
        store: Arc::new(SqliteStore::open(":memory:").unwrap()),
        clock: Arc::new(SystemClock),
        ids: Arc::new(UlidIds::new()),
        events: None,
        queue: None,
        outbound: Outbound {
            sender: Some(Arc::new(sender)),
            allow_private: true,
            ..Outbound::new(coaching_http::session_event_view)
        },
    });
    let admin = Actor::new(
        UserId::parse("admin-al").unwrap(),
        OrgId::parse("acme").unwrap(),
        Roles::default().with(Role::Admin),
    );
    let endpoint = services
        .create_endpoint(
            &admin,
            EndpointInput {
                url,
                event_types: vec!["*".into()],
                description: None,
            },
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        )
        .await
        .unwrap();
    World {
        services,
        admin,
        hits,
        endpoint: endpoint.id.to_string(),
    }
}

impl World {
    /// A pending delivery (a ping of the endpoint): its id.
    async fn ping(&self) -> String {
        let d = self
            .services
            .test_endpoint(&self.admin, &self.endpoint)
            .await
            .unwrap();
        d.id.to_string()
    }

    async fn status(&self, id: &str) -> DeliveryStatus {
        let page = self
            .services
            .list_deliveries(
                &self.admin,
                &self.endpoint,
                coaching_domain::service::ListDeliveries {
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        page.items
            .into_iter()
            .find(|d| d.id.as_str() == id)
            .unwrap()
            .status
    }
}

fn event(file: &str, replace: &[(&str, &str)]) -> SqsEvent {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(path).unwrap();
    for (from, to) in replace {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn a_poison_message_among_deliveries_is_the_only_failed_id_and_both_deliveries_are_sent() {
    let w = world().await;
    let (a, b) = (w.ping().await, w.ping().await);
    let response = handle(
        &w.services,
        event(
            "sqs_poison_among_deliveries.json",
            &[("DELIVERY_A", &a), ("DELIVERY_B", &b)],
        ),
    )
    .await;
    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["9a4c2e7f-1b3d-4e8a-b6f0-7d5c3a2e1f09"]);
    assert_eq!(w.hits.load(Ordering::SeqCst), 2);
    assert_eq!(w.status(&a).await, DeliveryStatus::Succeeded);
    assert_eq!(w.status(&b).await, DeliveryStatus::Succeeded);
}

#[tokio::test]
async fn a_redelivered_message_of_a_succeeded_delivery_sends_nothing_again() {
    let w = world().await;
    let (a, b) = (w.ping().await, w.ping().await);
    let batch = || {
        event(
            "sqs_poison_among_deliveries.json",
            &[("DELIVERY_A", &a), ("DELIVERY_B", &b)],
        )
    };
    handle(&w.services, batch()).await;
    let again = handle(&w.services, batch()).await;
    assert_eq!(again.batch_item_failures.len(), 1, "only the poison one");
    assert_eq!(w.hits.load(Ordering::SeqCst), 2, "each sent once");
}

#[tokio::test]
async fn a_message_naming_an_unknown_delivery_is_done_and_sends_nothing() {
    let w = world().await;
    let response = handle(
        &w.services,
        event(
            "sqs_poison_among_deliveries.json",
            &[("DELIVERY_A", "wd_unknown"), ("DELIVERY_B", "wd_gone")],
        ),
    )
    .await;
    assert_eq!(response.batch_item_failures.len(), 1);
    assert_eq!(w.hits.load(Ordering::SeqCst), 0);
}

#[test]
fn the_fixture_is_an_sqs_event_of_the_delivery_queue() {
    let e = event("sqs_poison_among_deliveries.json", &[]);
    assert_eq!(e.records.len(), 3);
    for r in &e.records {
        assert!(
            r.event_source_arn
                .as_deref()
                .unwrap()
                .contains("coaching-deliveries")
        );
    }
}

#[test]
fn the_queue_sends_to_the_dead_letter_queue_after_max_receives() {
    let path = format!("{}/../../infra/template.yaml", env!("CARGO_MANIFEST_DIR"));
    let t: serde_json::Value =
        yaml_serde::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(
        t["Resources"]["DeliveryQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"],
        u64::from(MAX_RECEIVES)
    );
}
