//! The one-round-trip rule, counted: every read a port offers is one GetItem or one Query,
//! every commit one TransactWriteItems, and change sets DynamoDB would refuse are refused
//! before any request. Also the outbox written with each notification.

mod common;

use coaching_aws::{DynamoStore, RequestCounts};
use coaching_domain::ports::{
    Changes, Cursor, IdempotencyRecord, SessionQuery, SessionScope, SessionStore, Store, StoreError,
};
use coaching_domain::session::SessionStatus;
use coaching_store_contract::fixtures::*;
use common::fresh_store;

/// What `f` sent, by operation.
async fn counted<T>(
    store: &DynamoStore,
    f: impl AsyncFnOnce(&dyn Store) -> T,
) -> (T, RequestCounts) {
    let before = store.requests();
    let out = f(store).await;
    (out, store.requests().since(&before))
}

fn only(operation: &str) -> String {
    format!("{{{operation}=1}}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn every_port_call_is_one_request() {
    let store = fresh_store().await;
    let org = fresh_org();
    let s = session(&org, "s-1", "c1", "k1", at(0));
    let mut booking = book(&s, &[slot("c1", 0), slot("c1", 15), intro("c1", "k1")]);
    booking.notifications = vec![notification(&org, 1, "c1"), notification(&org, 2, "k1")];
    booking.idempotency = Some(IdempotencyRecord {
        org: org.clone(),
        user: user("k1"),
        key: "key-1".into(),
        request: "{}".into(),
        session: s.clone(),
        created_at: at(-1),
    });
    for (i, start) in [30, 60, 90].into_iter().enumerate() {
        let other = session(&org, &format!("s-{}", i + 2), "c1", "k2", at(start));
        store.commit(insert(&[&other])).await.unwrap();
    }
    store
        .commit(insert(&[&draft(&org, "s-draft", "c1", "k1")]))
        .await
        .unwrap();

    let (done, sent) = counted(&store, async |st| st.commit(booking.clone()).await).await;
    done.unwrap();
    assert_eq!(sent.to_string(), only("TransactWriteItems"), "a booking");
    let (taken, sent) = counted(&store, async |st| {
        st.commit(book(
            &session(&org, "s-9", "c1", "k9", at(0)),
            &[slot("c1", 0)],
        ))
        .await
    })
    .await;
    assert_eq!(taken, Err(StoreError::LockTaken(slot("c1", 0))));
    assert_eq!(
        sent.to_string(),
        only("TransactWriteItems"),
        "a refused booking"
    );
    let cancelled = with_status(bumped(&s), SessionStatus::Cancelled);
    let mut cancel = update(&cancelled, 1);
    cancel.release_locks = vec![
        (slot("c1", 0), s.id.clone()),
        (slot("c1", 15), s.id.clone()),
    ];
    let (done, sent) = counted(&store, async |st| st.commit(cancel).await).await;
    done.unwrap();
    assert_eq!(
        sent.to_string(),
        only("TransactWriteItems"),
        "a cancellation"
    );

    let (found, sent) = counted(&store, async |st| st.session(&org, &s.id).await).await;
    assert_eq!(found.unwrap(), Some(cancelled));
    assert_eq!(sent.to_string(), only("GetItem"), "a session by id");
    let (found, sent) = counted(&store, async |st| {
        st.idempotency_record(&org, &user("k1"), "key-1").await
    })
    .await;
    assert!(found.unwrap().is_some());
    assert_eq!(sent.to_string(), only("GetItem"), "an idempotency record");

    let scopes = [
        SessionScope::Org,
        SessionScope::Coach(user("c1")),
        SessionScope::Client(user("k2")),
        SessionScope::Participant(user("k1")),
    ];
    for scope in scopes {
        let queries = [
            query(scope.clone()),
            SessionQuery {
                limit: 2,
                ..query(scope.clone())
            },
            SessionQuery {
                statuses: vec![SessionStatus::Scheduled],
                ..query(scope.clone())
            },
            SessionQuery {
                from: Some(at(0)),
                to: Some(at(120)),
                ..query(scope.clone())
            },
            SessionQuery {
                limit: 1,
                after: Some(Cursor {
                    sort_key: at(30).timestamp_millis(),
                    id: "s-2".into(),
                }),
                ..query(scope.clone())
            },
        ];
        for q in queries {
            let (page, sent) = counted(&store, async |st| st.sessions(&org, &q).await).await;
            page.unwrap();
            assert_eq!(sent.to_string(), only("Query"), "{q:?}");
        }
    }
    let (busy, sent) = counted(&store, async |st| {
        st.coach_busy(&org, &user("c1"), at(0), at(120)).await
    })
    .await;
    assert_eq!(busy.unwrap().len(), 3);
    assert_eq!(sent.to_string(), only("Query"), "a coach's busy time");

    let (inbox, sent) = counted(&store, async |st| {
        st.notifications(&org, &user("c1"), 10, None).await
    })
    .await;
    let inbox = inbox.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(sent.to_string(), only("Query"), "an inbox page");
    let (older, sent) = counted(&store, async |st| {
        st.notifications(&org, &user("c1"), 10, Some(&inbox[0].id))
            .await
    })
    .await;
    assert!(older.unwrap().is_empty());
    assert_eq!(sent.to_string(), only("Query"), "an older inbox page");

    let ((), sent) = counted(&store, async |st| {
        st.put_coach_settings(&org, &settings("c1", 5))
            .await
            .unwrap()
    })
    .await;
    assert_eq!(sent.to_string(), only("PutItem"), "putting coach settings");
    let (found, sent) = counted(&store, async |st| {
        st.coach_settings(&org, &user("c1")).await
    })
    .await;
    assert_eq!(found.unwrap(), Some(settings("c1", 5)));
    assert_eq!(sent.to_string(), only("GetItem"), "coach settings");
    assert_eq!(store.requests().get("Scan"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn change_sets_dynamodb_would_refuse_are_refused_without_a_request() {
    let store = fresh_store().await;
    let org = fresh_org();
    let s = session(&org, "s-1", "c1", "k1", at(0));
    let too_many: Vec<_> = (0..100).map(|i| slot("c1", 15 * i)).collect();
    let twice = Changes {
        notifications: vec![notification(&org, 1, "c1"), notification(&org, 1, "c1")],
        ..insert(&[&s])
    };

    let (big, big_sent) = counted(&store, async |st| st.commit(book(&s, &too_many)).await).await;
    let (dup, dup_sent) = counted(&store, async |st| st.commit(twice).await).await;
    let (empty, empty_sent) = counted(&store, async |st| st.commit(Changes::default()).await).await;

    assert!(
        matches!(big, Err(StoreError::Unavailable(ref m)) if m.contains("100")),
        "{big:?}"
    );
    assert!(
        matches!(dup, Err(StoreError::Unavailable(ref m)) if m.contains("twice")),
        "{dup:?}"
    );
    assert_eq!(empty, Ok(()));
    assert_eq!(
        (big_sent.total(), dup_sent.total(), empty_sent.total()),
        (0, 0, 0)
    );
    assert_eq!(store.session(&org, &s.id).await.unwrap(), None);
    let ninety_eight: Vec<_> = too_many[..98].to_vec();
    store.commit(book(&s, &ninety_eight)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn every_stored_notification_waits_in_the_outbox_until_marked_published() {
    let store = fresh_store().await;
    let org = fresh_org();
    let (first, second) = (
        notification(&org, 1, "coach-1"),
        notification(&org, 2, "client-1"),
    );
    let s = session(&org, "s-1", "coach-1", "client-1", at(0));
    let changes = Changes {
        notifications: vec![second.clone(), first.clone()],
        ..book(&s, &[slot("coach-1", 0)])
    };
    store.commit(changes).await.unwrap();
    let loser = session(&org, "s-2", "coach-1", "client-2", at(0));
    let refused = Changes {
        notifications: vec![notification(&org, 3, "coach-1")],
        ..book(&loser, &[slot("coach-1", 0)])
    };
    assert!(store.commit(refused).await.is_err());

    let pending = store.pending_events(at(0), 10).await.unwrap();

    let ids: Vec<_> = pending.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, [first.id.as_str(), second.id.as_str()]);
    assert_eq!(pending[0].org, org.as_str());
    assert_eq!(pending[0].kind, "session_booked");
    assert_eq!(pending[0].created_at, first.created_at);
    assert_eq!(pending[0].payload, serde_json::to_value(&first).unwrap());
    store.mark_published(&pending[..1]).await.unwrap();
    assert_eq!(
        store.pending_events(at(0), 10).await.unwrap(),
        pending[1..].to_vec()
    );
    store.mark_published(&pending).await.unwrap();
    assert!(store.pending_events(at(0), 10).await.unwrap().is_empty());
}
