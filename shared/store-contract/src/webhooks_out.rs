//! Cases: outbound webhook endpoints (created up to a limit, changed on their version, deleted)
//! and deliveries (written in change sets with their events, listed per endpoint newest first,
//! due through the due index, changed on their version).

use crate::due::race;
use crate::fixtures::*;
use chrono::{DateTime, Duration, Utc};
use coaching_domain::ids::{DeliveryId, EndpointId, EventId, OrgId};
use coaching_domain::outbound::{
    Delivery, DeliveryPut, DeliveryStatus, EndpointPut, EndpointStatus, EventTypes, OrgEvent,
    OrgEventType, WebhookEndpoint,
};
use coaching_domain::ports::{Changes, Store, StoreError};
use serde_json::json;
use std::sync::Arc;

pub fn endpoint(org: &OrgId, n: u32) -> WebhookEndpoint {
    WebhookEndpoint {
        id: EndpointId::parse(format!("we_{n:04}{}", unique("e"))).unwrap(),
        org: org.clone(),
        url: format!("https://hooks.example.com/{n}"),
        event_types: EventTypes::Only(vec![OrgEventType::SessionBooked]),
        description: Some(format!("endpoint {n}")),
        status: EndpointStatus::Enabled,
        disabled_reason: None,
        secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0".into(),
        previous_secret: None,
        created_by: user("admin-1"),
        updated_by: user("admin-1"),
        created_at: at(0),
        updated_at: at(0),
        last_success_at: None,
        failing_since: None,
        version: 1,
    }
}

pub fn event(org: &OrgId, n: u32, timestamp: DateTime<Utc>) -> OrgEvent {
    OrgEvent {
        id: EventId::parse(format!("evt_{n:04}{}", unique("v"))).unwrap(),
        org: org.clone(),
        kind: OrgEventType::SessionBooked,
        timestamp,
        data: json!({"sessionId": format!("s-{n}")}),
    }
}

/// A pending delivery of event `n` to `endpoint`, made at `created_at`, due then.
pub fn delivery(endpoint: &WebhookEndpoint, n: u32, created_at: DateTime<Utc>) -> Delivery {
    let event = event(&endpoint.org, n, created_at);
    Delivery {
        id: DeliveryId::parse(format!("wd_{n:04}{}", unique("d"))).unwrap(),
        org: endpoint.org.clone(),
        endpoint_id: endpoint.id.clone(),
        event_id: event.id.clone(),
        event_type: event.kind,
        payload: event.body().to_string(),
        status: DeliveryStatus::Pending,
        attempts: vec![],
        failures: 0,
        next_attempt_at: Some(created_at),
        lease_until: None,
        created_at,
        updated_at: created_at,
        version: 1,
    }
}

fn new(delivery: &Delivery) -> DeliveryPut {
    DeliveryPut {
        delivery: delivery.clone(),
        expected_version: None,
    }
}

async fn stored(store: &dyn Store, d: &Delivery) -> Option<Delivery> {
    store.delivery(&d.org, &d.id).await.unwrap()
}

pub async fn endpoints_are_created_up_to_the_limit_and_read_back_only_in_their_org(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let made: Vec<WebhookEndpoint> = (0..3).map(|n| endpoint(&org, n)).collect();
    for e in &made {
        store.create_endpoint(e, 3).await.unwrap();
    }
    assert_eq!(
        store.create_endpoint(&endpoint(&org, 9), 3).await,
        Err(StoreError::Conflict),
        "a fourth endpoint past a limit of 3"
    );
    assert_eq!(store.endpoints(&org).await.unwrap(), made, "oldest first");
    assert_eq!(
        store.endpoint(&org, &made[1].id).await.unwrap().as_ref(),
        Some(&made[1])
    );
    let other = fresh_org();
    assert_eq!(store.endpoint(&other, &made[1].id).await.unwrap(), None);
    assert!(store.endpoints(&other).await.unwrap().is_empty());
    assert!(!store.delete_endpoint(&other, &made[1].id).await.unwrap());

    assert!(store.delete_endpoint(&org, &made[1].id).await.unwrap());
    assert!(!store.delete_endpoint(&org, &made[1].id).await.unwrap());
    assert_eq!(store.endpoint(&org, &made[1].id).await.unwrap(), None);
    store.create_endpoint(&endpoint(&org, 4), 3).await.unwrap();
    assert_eq!(store.endpoints(&org).await.unwrap().len(), 3);
}

pub async fn of_concurrent_endpoint_creations_no_more_than_the_limit_succeed(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..10 {
        let (store, e) = (store.clone(), endpoint(&org, n));
        tasks.spawn(async move { store.create_endpoint(&e, 3).await });
    }
    let mut made = 0;
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(()) => made += 1,
            Err(e) => assert_eq!(e, StoreError::Conflict),
        }
    }
    assert_eq!(made, 3);
    assert_eq!(store.endpoints(&org).await.unwrap().len(), 3);
}

pub async fn an_endpoint_changes_only_from_its_stored_version(store: Arc<dyn Store>) {
    let org = fresh_org();
    let e = endpoint(&org, 1);
    store.create_endpoint(&e, 20).await.unwrap();
    let mut next = e.touched(at(5));
    next.url = "https://hooks.example.com/moved".into();
    let put = |endpoint: WebhookEndpoint, expected_version| Changes {
        endpoints: vec![EndpointPut {
            endpoint,
            expected_version,
        }],
        ..Changes::default()
    };
    assert_eq!(
        store.commit(put(next.clone(), 7)).await,
        Err(StoreError::Conflict)
    );
    store.commit(put(next.clone(), 1)).await.unwrap();
    assert_eq!(
        store.endpoint(&org, &e.id).await.unwrap(),
        Some(next.clone())
    );
    assert_eq!(
        store.commit(put(next.touched(at(6)), 1)).await,
        Err(StoreError::Conflict),
        "the same old version again"
    );
    let mut missing = endpoint(&org, 2);
    missing.version = 2;
    assert_eq!(
        store.commit(put(missing, 1)).await,
        Err(StoreError::Conflict),
        "an endpoint that does not exist"
    );
}

pub async fn a_delivery_reads_back_with_its_event_in_the_outbox_and_only_in_its_org(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let e = endpoint(&org, 1);
    let d = delivery(&e, 1, at(0));
    let ev = event(&org, 2, at(0));
    store
        .commit(Changes {
            events: vec![ev.clone()],
            deliveries: vec![new(&d)],
            ..Changes::default()
        })
        .await
        .unwrap();
    assert_eq!(stored(&*store, &d).await, Some(d.clone()));
    assert_eq!(store.delivery(&fresh_org(), &d.id).await.unwrap(), None);
    let claimed = store
        .claim_events(at(0), at(0) + Duration::seconds(60), 10_000)
        .await
        .unwrap();
    let mine: Vec<_> = claimed.iter().filter(|c| c.org == org.as_str()).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, ev.id.as_str());
    assert_eq!(mine[0].kind, "session.booked");
    assert_eq!(mine[0].payload, ev.body());
}

pub async fn a_change_set_with_a_stored_delivery_or_event_writes_nothing(store: Arc<dyn Store>) {
    let org = fresh_org();
    let e = endpoint(&org, 1);
    let (first, second) = (delivery(&e, 1, at(0)), delivery(&e, 2, at(1)));
    store
        .commit(Changes {
            deliveries: vec![new(&first)],
            ..Changes::default()
        })
        .await
        .unwrap();
    let again = Changes {
        deliveries: vec![new(&second), new(&first)],
        ..Changes::default()
    };
    assert_eq!(store.commit(again).await, Err(StoreError::Conflict));
    assert_eq!(stored(&*store, &second).await, None, "nothing of the set");

    let ev = event(&org, 3, at(2));
    store
        .commit(Changes {
            events: vec![ev.clone()],
            ..Changes::default()
        })
        .await
        .unwrap();
    let third = delivery(&e, 4, at(3));
    let repeat = Changes {
        events: vec![ev],
        deliveries: vec![new(&third)],
        ..Changes::default()
    };
    assert_eq!(store.commit(repeat).await, Err(StoreError::Conflict));
    assert_eq!(stored(&*store, &third).await, None, "nothing of the set");
}

pub async fn a_delivery_changes_only_from_its_stored_version(store: Arc<dyn Store>) {
    let org = fresh_org();
    let e = endpoint(&org, 1);
    let d = delivery(&e, 1, at(0));
    store
        .commit(Changes {
            deliveries: vec![new(&d)],
            ..Changes::default()
        })
        .await
        .unwrap();
    let mut done = d.touched(at(1));
    done.status = DeliveryStatus::Succeeded;
    done.next_attempt_at = None;
    let sets: Vec<Changes> = (0..8)
        .map(|_| Changes {
            deliveries: vec![DeliveryPut {
                delivery: done.clone(),
                expected_version: Some(1),
            }],
            ..Changes::default()
        })
        .collect();
    assert_eq!(
        race(&store, sets).await,
        1,
        "exactly one of eight claims wins"
    );
    assert_eq!(stored(&*store, &d).await, Some(done));
}

pub async fn deliveries_list_newest_first_by_endpoint_and_status_and_page_after_a_cursor(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let (e1, e2) = (endpoint(&org, 1), endpoint(&org, 2));
    let mut made = Vec::new();
    for n in 0..7u32 {
        let mut d = delivery(&e1, n, at(i64::from(n)));
        if n % 2 == 1 {
            d.status = DeliveryStatus::Failed;
            d.next_attempt_at = None;
        }
        made.push(d);
    }
    // Two made in the same microsecond: ordered by id, descending.
    let twin = delivery(&e1, 8, at(6));
    made.push(twin);
    let elsewhere = delivery(&e2, 9, at(3));
    let changes = Changes {
        deliveries: made.iter().chain([&elsewhere]).map(new).collect(),
        ..Changes::default()
    };
    store.commit(changes).await.unwrap();

    let mut newest_first = made.clone();
    newest_first.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    let mut listed = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .deliveries(&org, &e1.id, None, 3, after.as_ref())
            .await
            .unwrap();
        assert!(page.items.len() <= 3);
        listed.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(listed, newest_first, "every page in order, nothing twice");

    let failed = store
        .deliveries(&org, &e1.id, Some(DeliveryStatus::Failed), 100, None)
        .await
        .unwrap();
    let expected: Vec<Delivery> = newest_first
        .iter()
        .filter(|d| d.status == DeliveryStatus::Failed)
        .cloned()
        .collect();
    assert_eq!(failed.items, expected);
    let first_two = store
        .deliveries(&org, &e1.id, Some(DeliveryStatus::Failed), 2, None)
        .await
        .unwrap();
    let rest = store
        .deliveries(
            &org,
            &e1.id,
            Some(DeliveryStatus::Failed),
            2,
            first_two.next.as_ref(),
        )
        .await
        .unwrap();
    assert_eq!(
        [first_two.items, rest.items].concat(),
        expected,
        "a status filter pages too"
    );
    let other = store
        .deliveries(&fresh_org(), &e1.id, None, 100, None)
        .await
        .unwrap();
    assert!(other.items.is_empty());
}

pub async fn deliveries_are_due_from_their_next_attempt_soonest_first_across_orgs(
    store: Arc<dyn Store>,
) {
    let (org_a, org_b) = (fresh_org(), fresh_org());
    let (ea, eb) = (endpoint(&org_a, 1), endpoint(&org_b, 1));
    let later = delivery(&ea, 1, at(10));
    let sooner = delivery(&eb, 2, at(5));
    let mut done = delivery(&ea, 3, at(1));
    done.status = DeliveryStatus::Succeeded;
    done.next_attempt_at = None;
    for d in [&later, &sooner, &done] {
        store
            .commit(Changes {
                deliveries: vec![new(d)],
                ..Changes::default()
            })
            .await
            .unwrap();
    }
    let due_at = |now| {
        let store = store.clone();
        let mine = [org_a.clone(), org_b.clone()];
        async move {
            store
                .due_deliveries(now, 10_000)
                .await
                .unwrap()
                .into_iter()
                .filter(|d| mine.contains(&d.org))
                .map(|d| d.id)
                .collect::<Vec<_>>()
        }
    };
    assert!(due_at(at(4)).await.is_empty());
    assert_eq!(due_at(at(5)).await, std::slice::from_ref(&sooner.id));
    assert_eq!(due_at(at(60)).await, [sooner.id.clone(), later.id.clone()]);
    // Leased: due again only when the lease lapses; finished: never again.
    let mut leased = later.touched(at(11));
    leased.next_attempt_at = Some(at(12));
    leased.lease_until = Some(at(12));
    let mut finished = sooner.touched(at(11));
    finished.status = DeliveryStatus::Failed;
    finished.next_attempt_at = None;
    for (delivery, expected) in [(leased, 1), (finished, 1)] {
        store
            .commit(Changes {
                deliveries: vec![DeliveryPut {
                    delivery,
                    expected_version: Some(expected),
                }],
                ..Changes::default()
            })
            .await
            .unwrap();
    }
    assert!(due_at(at(11)).await.is_empty());
    assert_eq!(due_at(at(12)).await, std::slice::from_ref(&later.id));
}
