//! Outbound webhooks on DynamoDB, until the store contract carries these cases: endpoints
//! (created within the org's most, also when creations race; updated only at the expected
//! version), deliveries (new once, changed at the expected version, listed newest first by
//! status over pages, due soonest first until they have no next attempt), org events in the
//! outbox, and nothing of a failed change set left behind. Counted where a call has a budget.

mod common;

use chrono::{DateTime, Duration, Utc};
use coaching_domain::ids::{DeliveryId, EndpointId, EventId, OrgId, UserId};
use coaching_domain::outbound::{
    Delivery, DeliveryPut, DeliveryStatus, EndpointPut, EndpointStatus, EventTypes, OrgEvent,
    OrgEventType, WebhookEndpoint,
};
use coaching_domain::ports::{
    Changes, Cursor, OutboxStore, Page, SessionStore, StoreError, WebhookStore, delivery_cursor,
};
use coaching_store_contract::fixtures::{at, fresh_org, unique};
use common::{counted, fresh_store, only};
use serde_json::json;
use std::sync::Arc;

fn endpoint(org: &OrgId, n: usize) -> WebhookEndpoint {
    // `we_` and a ULID-like suffix: `n` orders them as creation does.
    let id = EndpointId::parse(format!("we_{n:04}{}", unique("e").replace('-', ""))).unwrap();
    WebhookEndpoint {
        id,
        org: org.clone(),
        url: format!("https://example.com/hook/{n}"),
        event_types: EventTypes::All,
        description: Some(format!("endpoint {n}")),
        status: EndpointStatus::Enabled,
        disabled_reason: None,
        secret: "whsec_c2VjcmV0".into(),
        previous_secret: None,
        created_by: UserId::parse("admin").unwrap(),
        updated_by: UserId::parse("admin").unwrap(),
        created_at: at(n as i64),
        updated_at: at(n as i64),
        last_success_at: None,
        failing_since: None,
        version: 1,
    }
}

fn delivery(
    org: &OrgId,
    endpoint: &EndpointId,
    id: &str,
    created_at: DateTime<Utc>,
    status: DeliveryStatus,
    next: Option<DateTime<Utc>>,
) -> Delivery {
    Delivery {
        id: DeliveryId::parse(format!("wd_{id}")).unwrap(),
        org: org.clone(),
        endpoint_id: endpoint.clone(),
        event_id: EventId::parse(format!("evt_{id}")).unwrap(),
        event_type: OrgEventType::SessionBooked,
        payload: json!({"id": format!("evt_{id}")}).to_string(),
        status,
        attempts: vec![],
        failures: 0,
        next_attempt_at: next,
        lease_until: None,
        created_at,
        updated_at: created_at,
        version: 1,
    }
}

fn new(d: &Delivery) -> Changes {
    Changes {
        deliveries: vec![DeliveryPut {
            delivery: d.clone(),
            expected_version: None,
        }],
        ..Changes::default()
    }
}

fn event(org: &OrgId, id: &str, timestamp: DateTime<Utc>) -> OrgEvent {
    OrgEvent {
        id: EventId::parse(format!("evt_{id}")).unwrap(),
        org: org.clone(),
        kind: OrgEventType::SessionBooked,
        timestamp,
        data: json!({"sessionId": "s-1"}),
    }
}

fn ids(page: &Page<Delivery>) -> Vec<&str> {
    page.items.iter().map(|d| d.id.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn endpoints_are_created_up_to_the_max_then_refused_and_a_deletion_frees_a_place() {
    let store = fresh_store().await;
    let org = fresh_org();
    let made: Vec<WebhookEndpoint> = (0..4).map(|n| endpoint(&org, n)).collect();
    for e in &made[..3] {
        let (done, sent) = counted(&store, async |st| st.create_endpoint(e, 3).await).await;
        done.unwrap();
        assert_eq!(sent.to_string(), only("TransactWriteItems"));
    }
    assert_eq!(
        store.create_endpoint(&made[3], 3).await,
        Err(StoreError::Conflict)
    );
    assert_eq!(
        store.create_endpoint(&made[0], 5).await,
        Err(StoreError::Conflict),
        "an id that is taken"
    );
    let (listed, sent) = counted(&store, async |st| st.endpoints(&org).await).await;
    assert_eq!(listed.unwrap(), made[..3].to_vec(), "oldest first");
    assert_eq!(sent.to_string(), only("Query"));
    let (found, sent) = counted(&store, async |st| st.endpoint(&org, &made[1].id).await).await;
    assert_eq!(found.unwrap(), Some(made[1].clone()));
    assert_eq!(sent.to_string(), only("GetItem"));

    let (deleted, sent) = counted(&store, async |st| {
        st.delete_endpoint(&org, &made[1].id).await
    })
    .await;
    assert!(deleted.unwrap());
    assert_eq!(sent.to_string(), only("TransactWriteItems"));
    assert!(!store.delete_endpoint(&org, &made[1].id).await.unwrap());
    assert_eq!(store.endpoint(&org, &made[1].id).await.unwrap(), None);
    store.create_endpoint(&made[3], 3).await.unwrap();
    assert_eq!(
        store.create_endpoint(&endpoint(&org, 9), 3).await,
        Err(StoreError::Conflict),
        "a deletion frees one place, not more"
    );
    let listed = store.endpoints(&org).await.unwrap();
    assert_eq!(
        listed,
        vec![made[0].clone(), made[2].clone(), made[3].clone()]
    );
    assert_eq!(
        store.create_endpoint(&endpoint(&fresh_org(), 0), 0).await,
        Err(StoreError::Conflict),
        "a most of none"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn ten_concurrent_creations_with_a_max_of_three_store_exactly_three() {
    let first = fresh_store().await;
    // Two clients, as two Lambda instances would be.
    let second = coaching_aws::DynamoStore::connect(first.table()).await;
    let stores: [Arc<dyn WebhookStore>; 2] = [Arc::new(first.clone()), Arc::new(second)];
    let org = fresh_org();
    let tasks: Vec<_> = (0..10)
        .map(|n| {
            let (store, e) = (stores[n % 2].clone(), endpoint(&org, n));
            tokio::spawn(async move { store.create_endpoint(&e, 3).await })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => created += 1,
            Err(StoreError::Conflict) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(created, 3);
    assert_eq!(first.endpoints(&org).await.unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn an_endpoint_changes_only_at_its_expected_version_and_never_comes_back() {
    let store = fresh_store().await;
    let org = fresh_org();
    let e = endpoint(&org, 0);
    store.create_endpoint(&e, 20).await.unwrap();
    let mut changed = e.touched(at(5));
    changed.url = "https://example.com/changed".into();
    let put = |endpoint: &WebhookEndpoint, expected_version| Changes {
        endpoints: vec![EndpointPut {
            endpoint: endpoint.clone(),
            expected_version,
        }],
        ..Changes::default()
    };
    let (done, sent) = counted(&store, async |st| st.commit(put(&changed, 1)).await).await;
    done.unwrap();
    assert_eq!(sent.to_string(), only("TransactWriteItems"));
    let mut stale = e.touched(at(6));
    stale.description = None;
    assert_eq!(
        store.commit(put(&stale, 1)).await,
        Err(StoreError::Conflict)
    );
    assert_eq!(
        store.endpoint(&org, &e.id).await.unwrap(),
        Some(changed.clone())
    );

    assert!(store.delete_endpoint(&org, &e.id).await.unwrap());
    assert_eq!(
        store.commit(put(&changed.touched(at(7)), 2)).await,
        Err(StoreError::Conflict),
        "a deleted endpoint"
    );
    assert_eq!(store.endpoint(&org, &e.id).await.unwrap(), None);
    assert!(store.endpoints(&org).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn a_delivery_is_new_once_and_then_changes_only_at_its_expected_version() {
    let store = fresh_store().await;
    let org = fresh_org();
    let e = endpoint(&org, 0);
    let d = delivery(
        &org,
        &e.id,
        "01A",
        at(0),
        DeliveryStatus::Pending,
        Some(at(0)),
    );
    let (done, sent) = counted(&store, async |st| st.commit(new(&d)).await).await;
    done.unwrap();
    assert_eq!(sent.to_string(), only("TransactWriteItems"));
    assert_eq!(store.commit(new(&d)).await, Err(StoreError::Conflict));
    let (found, sent) = counted(&store, async |st| st.delivery(&org, &d.id).await).await;
    assert_eq!(found.unwrap(), Some(d.clone()));
    assert_eq!(sent.to_string(), only("GetItem"));

    let mut claimed = d.touched(at(1));
    claimed.lease_until = Some(at(2));
    claimed.next_attempt_at = claimed.lease_until;
    let change = |delivery: &Delivery, expected| Changes {
        deliveries: vec![DeliveryPut {
            delivery: delivery.clone(),
            expected_version: Some(expected),
        }],
        ..Changes::default()
    };
    store.commit(change(&claimed, 1)).await.unwrap();
    let rival = d.touched(at(1));
    assert_eq!(
        store.commit(change(&rival, 1)).await,
        Err(StoreError::Conflict)
    );
    assert_eq!(store.delivery(&org, &d.id).await.unwrap(), Some(claimed));
    let missing = delivery(&org, &e.id, "01Z", at(0), DeliveryStatus::Pending, None);
    assert_eq!(
        store.commit(change(&missing, 1)).await,
        Err(StoreError::Conflict),
        "a change of a delivery that was never stored"
    );
    assert_eq!(store.delivery(&org, &missing.id).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn an_endpoints_deliveries_are_listed_newest_first_by_status_over_pages() {
    let store = fresh_store().await;
    let org = fresh_org();
    let (e, other) = (endpoint(&org, 0), endpoint(&org, 1));
    use DeliveryStatus::{Failed, Pending, Succeeded};
    // Oldest first; two share a microsecond (then the id, descending, orders them).
    let plan = [
        ("01A", 0, Succeeded),
        ("01B", 1, Failed),
        ("01C", 2, Succeeded),
        ("01D", 3, Succeeded),
        ("01E", 3, Failed),
        ("01F", 4, Pending),
        ("01G", 5, Succeeded),
    ];
    for (id, minute, status) in plan {
        let next = (status == Pending).then(|| at(minute));
        store
            .commit(new(&delivery(&org, &e.id, id, at(minute), status, next)))
            .await
            .unwrap();
    }
    let foreign = delivery(&org, &other.id, "01X", at(9), Succeeded, None);
    store.commit(new(&foreign)).await.unwrap();

    let list = async |status, limit, after: Option<&Cursor>| {
        let (page, sent) = counted(&store, async |st| {
            st.deliveries(&org, &e.id, status, limit, after).await
        })
        .await;
        assert_eq!(sent.to_string(), only("Query"), "one Query a page");
        page.unwrap()
    };
    let first = list(None, 3, None).await;
    assert_eq!(ids(&first), ["wd_01G", "wd_01F", "wd_01E"]);
    let second = list(None, 3, first.next.as_ref()).await;
    assert_eq!(ids(&second), ["wd_01D", "wd_01C", "wd_01B"]);
    let third = list(None, 3, second.next.as_ref()).await;
    assert_eq!(ids(&third), ["wd_01A"]);
    assert_eq!(third.next, None);
    assert_eq!(first.next, Some(delivery_cursor(&first.items[2])));

    let first = list(Some(Succeeded), 2, None).await;
    assert_eq!(ids(&first), ["wd_01G", "wd_01D"]);
    let second = list(Some(Succeeded), 2, first.next.as_ref()).await;
    assert_eq!(ids(&second), ["wd_01C", "wd_01A"]);
    let third = list(Some(Succeeded), 2, second.next.as_ref()).await;
    assert!(third.items.is_empty() && third.next.is_none());
    assert_eq!(
        ids(&list(Some(Failed), 10, None).await),
        ["wd_01E", "wd_01B"]
    );

    // A status change moves a delivery from one status list to the other.
    let pending = store
        .delivery(&org, &DeliveryId::parse("wd_01F").unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut done = pending.touched(at(6));
    done.status = Succeeded;
    done.next_attempt_at = None;
    store
        .commit(Changes {
            deliveries: vec![DeliveryPut {
                delivery: done,
                expected_version: Some(1),
            }],
            ..Changes::default()
        })
        .await
        .unwrap();
    assert!(list(Some(Pending), 10, None).await.items.is_empty());
    assert_eq!(
        ids(&list(Some(Succeeded), 10, None).await),
        ["wd_01G", "wd_01F", "wd_01D", "wd_01C", "wd_01A"]
    );
    let others = store
        .deliveries(&org, &other.id, None, 10, None)
        .await
        .unwrap();
    assert_eq!(others.items, [foreign]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn due_deliveries_come_soonest_first_across_orgs_until_they_have_no_next_attempt() {
    let store = fresh_store().await;
    let (a, b) = (fresh_org(), fresh_org());
    let (ea, eb) = (endpoint(&a, 0), endpoint(&b, 0));
    let now = at(0);
    let pending = DeliveryStatus::Pending;
    let yesterday = delivery(
        &b,
        &eb.id,
        "01Y",
        now,
        pending,
        Some(now - Duration::days(1)),
    );
    let soon = delivery(
        &a,
        &ea.id,
        "01S",
        now,
        pending,
        Some(now - Duration::minutes(5)),
    );
    let just = delivery(&b, &eb.id, "01J", now, pending, Some(now));
    let later = delivery(
        &a,
        &ea.id,
        "01L",
        now,
        pending,
        Some(now + Duration::seconds(5)),
    );
    let lost = delivery(
        &a,
        &ea.id,
        "01O",
        now,
        pending,
        Some(now - Duration::days(9)),
    );
    for d in [&just, &later, &soon, &lost, &yesterday] {
        store.commit(new(d)).await.unwrap();
    }
    let (due, sent) = counted(&store, async |st| st.due_deliveries(now, 10).await).await;
    assert_eq!(
        due.unwrap(),
        [yesterday.clone(), soon.clone(), just.clone()],
        "soonest first, nothing later than now nor older than the look-back"
    );
    assert!(sent.get("Query") <= 8, "{sent}");
    assert_eq!(sent.total(), sent.get("Query"), "{sent}");
    assert_eq!(
        store.due_deliveries(now, 2).await.unwrap(),
        [yesterday.clone(), soon.clone()]
    );

    let mut succeeded = soon.touched(now);
    succeeded.status = DeliveryStatus::Succeeded;
    succeeded.next_attempt_at = None;
    store
        .commit(Changes {
            deliveries: vec![DeliveryPut {
                delivery: succeeded,
                expected_version: Some(1),
            }],
            ..Changes::default()
        })
        .await
        .unwrap();
    let due = store
        .due_deliveries(now + Duration::seconds(5), 10)
        .await
        .unwrap();
    assert_eq!(due, [yesterday, just, later]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn an_event_of_a_change_set_goes_to_the_outbox_once() {
    let store = fresh_store().await;
    let org = fresh_org();
    let e = endpoint(&org, 0);
    let now = at(0);
    let booked = event(&org, "01E", now);
    let d = delivery(&org, &e.id, "01D", now, DeliveryStatus::Pending, Some(now));
    let changes = Changes {
        events: vec![booked.clone()],
        deliveries: vec![DeliveryPut {
            delivery: d.clone(),
            expected_version: None,
        }],
        ..Changes::default()
    };
    let (done, sent) = counted(&store, async |st| st.commit(changes.clone()).await).await;
    done.unwrap();
    assert_eq!(sent.to_string(), only("TransactWriteItems"));
    let again = Changes {
        events: vec![booked.clone()],
        ..Changes::default()
    };
    assert_eq!(
        store.commit(again).await,
        Err(StoreError::Conflict),
        "an event already in the outbox"
    );
    let claimed = store
        .claim_events(now, now + Duration::minutes(1), 10)
        .await
        .unwrap();
    assert_eq!(claimed, [booked.outbox_entry()]);
    assert_eq!(claimed[0].kind, "session.booked");
    assert_eq!(claimed[0].payload, booked.body());
    assert_eq!(store.delivery(&org, &d.id).await.unwrap(), Some(d));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn a_failed_change_set_leaves_no_delivery_or_event_behind() {
    let store = fresh_store().await;
    let org = fresh_org();
    let e = endpoint(&org, 0);
    store.create_endpoint(&e, 20).await.unwrap();
    let now = at(0);
    let booked = event(&org, "01E", now);
    let d = delivery(&org, &e.id, "01D", now, DeliveryStatus::Pending, Some(now));
    let changes = Changes {
        events: vec![booked],
        deliveries: vec![DeliveryPut {
            delivery: d.clone(),
            expected_version: None,
        }],
        endpoints: vec![EndpointPut {
            endpoint: e.touched(now).touched(now),
            expected_version: 2,
        }],
        ..Changes::default()
    };
    assert_eq!(store.commit(changes).await, Err(StoreError::Conflict));
    assert_eq!(store.delivery(&org, &d.id).await.unwrap(), None);
    assert!(
        store
            .deliveries(&org, &e.id, None, 10, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(store.due_deliveries(now, 10).await.unwrap().is_empty());
    let claimed = store
        .claim_events(now, now + Duration::minutes(1), 10)
        .await
        .unwrap();
    assert!(claimed.is_empty(), "{claimed:?}");
    assert_eq!(store.endpoint(&org, &e.id).await.unwrap(), Some(e));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn another_orgs_ids_read_as_none() {
    let store = fresh_store().await;
    let (org, other) = (fresh_org(), fresh_org());
    let e = endpoint(&org, 0);
    store.create_endpoint(&e, 20).await.unwrap();
    let d = delivery(
        &org,
        &e.id,
        "01D",
        at(0),
        DeliveryStatus::Pending,
        Some(at(0)),
    );
    store.commit(new(&d)).await.unwrap();
    assert_eq!(store.endpoint(&other, &e.id).await.unwrap(), None);
    assert_eq!(store.delivery(&other, &d.id).await.unwrap(), None);
    assert!(store.endpoints(&other).await.unwrap().is_empty());
    let page = store
        .deliveries(&other, &e.id, None, 10, None)
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert!(!store.delete_endpoint(&other, &e.id).await.unwrap());
    assert_eq!(store.endpoint(&org, &e.id).await.unwrap(), Some(e));
}
