//! The one-round-trip rule, counted: every read a port offers is one GetItem or one Query,
//! every commit one TransactWriteItems, the jobs' due reads a few Queries (one per day), and
//! change sets DynamoDB would refuse are refused before any request. Also the outbox written
//! with each notification, claimed with Queries and conditional UpdateItems.

mod common;

use chrono::Duration;
use coaching_domain::ports::{
    Changes, Cursor, DueStore, IdempotencyRecord, OutboxStore, RequestPut, SessionQuery,
    SessionScope, SessionStore, StoreError,
};
use coaching_domain::reminder::{ReminderKind, ReminderWrite};
use coaching_domain::reschedule::RequestStatus;
use coaching_domain::session::SessionStatus;
use coaching_store_contract::fixtures::*;
use coaching_store_contract::{reminder, request};
use common::{counted, fresh_store, only};

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
    let r = request(&org, 1, "s-1", "c1", "k1", at(600));
    let request_twice = Changes {
        requests: vec![
            RequestPut {
                request: r.clone(),
                expected_status: None,
            },
            RequestPut {
                request: r.clone(),
                expected_status: Some(RequestStatus::Pending),
            },
        ],
        ..Changes::default()
    };
    let hour = reminder(&org, "s-1", ReminderKind::H1, at(600));
    let reminder_twice = Changes {
        reminders: vec![
            ReminderWrite::Put(hour.clone()),
            ReminderWrite::Take(hour.clone()),
        ],
        ..Changes::default()
    };
    // 49 requests (two items each) and two reminders: 100 items, one too many.
    let many_requests = Changes {
        requests: (0..49)
            .map(|i| RequestPut {
                request: request(&org, 100 + i, "s-1", "c1", "k1", at(600)),
                expected_status: None,
            })
            .collect(),
        reminders: vec![
            ReminderWrite::Put(hour.clone()),
            ReminderWrite::Put(reminder(&org, "s-1", ReminderKind::H24, at(600))),
        ],
        ..insert(&[&s])
    };

    let (big, big_sent) = counted(&store, async |st| st.commit(book(&s, &too_many)).await).await;
    let (dup, dup_sent) = counted(&store, async |st| st.commit(twice).await).await;
    let (empty, empty_sent) = counted(&store, async |st| st.commit(Changes::default()).await).await;
    let mut refused_sent = Vec::new();
    for (changes, says) in [
        (request_twice, "twice"),
        (reminder_twice, "twice"),
        (many_requests, "100"),
    ] {
        let (refused, sent) = counted(&store, async |st| st.commit(changes).await).await;
        assert!(
            matches!(refused, Err(StoreError::Unavailable(ref m)) if m.contains(says)),
            "{refused:?}"
        );
        refused_sent.push(sent.total());
    }
    assert_eq!(refused_sent, [0, 0, 0]);

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
    // The largest set one transaction takes: the session item, its client view, the index
    // entry of its one action item and 97 locks make 100.
    let ninety_seven: Vec<_> = too_many[..97].to_vec();
    store.commit(book(&s, &ninety_seven)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn requests_reminders_and_due_work_cost_one_request_or_a_query_per_day() {
    let store = fresh_store().await;
    let org = fresh_org();
    let start = at(3 * 24 * 60);
    let s = session(&org, "s-1", "c1", "k1", start);
    let r = request(&org, 1, "s-1", "c1", "k1", at(24 * 60));
    let (day, hour) = (
        reminder(&org, "s-1", ReminderKind::H24, start),
        reminder(&org, "s-1", ReminderKind::H1, start),
    );
    let create = Changes {
        requests: vec![RequestPut {
            request: r.clone(),
            expected_status: None,
        }],
        reminders: vec![
            ReminderWrite::Put(day.clone()),
            ReminderWrite::Put(hour.clone()),
        ],
        notifications: vec![notification(&org, 1, "c1")],
        ..book(&s, &[slot("c1", 3 * 24 * 60)])
    };
    let (done, sent) = counted(&store, async |st| st.commit(create).await).await;
    done.unwrap();
    assert_eq!(
        sent.to_string(),
        only("TransactWriteItems"),
        "a commit with a request and reminders"
    );

    let (found, sent) = counted(&store, async |st| st.reschedule_request(&org, &r.id).await).await;
    assert_eq!(found.unwrap(), Some(r.clone()));
    assert_eq!(sent.to_string(), only("GetItem"), "a request by id");
    let lists = [
        ("c1", None, None),
        ("k1", None, None),
        ("c1", Some(RequestStatus::Pending), None),
        ("k1", Some(RequestStatus::Rejected), None),
        ("k1", None, Some(r.id.clone())),
    ];
    for (u, status, before) in lists {
        let (list, sent) = counted(&store, async |st| {
            st.reschedule_requests(&org, &user(u), status, 10, before.as_ref())
                .await
        })
        .await;
        let expected = usize::from(before.is_none() && status != Some(RequestStatus::Rejected));
        assert_eq!(list.unwrap().len(), expected, "{u} {status:?} {before:?}");
        assert_eq!(sent.to_string(), only("Query"), "a request list");
    }

    // The jobs: due reads are Queries only, one per day partition at most.
    for (limit, now) in [(100, start), (1, start), (100, at(0))] {
        let (due, sent) = counted(&store, async |st| st.due_reminders(now, limit).await).await;
        assert!(due.is_ok());
        assert_eq!(sent.total(), sent.get("Query"), "due reminders: {sent}");
        assert!(
            (1..=9).contains(&sent.get("Query")),
            "due reminders: {sent}"
        );
        let (due, sent) = counted(&store, async |st| st.due_requests(now, limit).await).await;
        assert!(due.is_ok());
        assert_eq!(sent.total(), sent.get("Query"), "due requests: {sent}");
        assert!((1..=8).contains(&sent.get("Query")), "due requests: {sent}");
    }
    let (due, sent) = counted(&store, async |st| st.due_reminders(start, 1).await).await;
    assert_eq!(due.unwrap(), std::slice::from_ref(&day));
    assert!(sent.get("Query") <= 9);
    let (due, _) = counted(&store, async |st| st.due_reminders(start, 100).await).await;
    assert_eq!(due.unwrap(), [day.clone(), hour.clone()]);
    let (due, _) = counted(&store, async |st| st.due_requests(start, 100).await).await;
    assert_eq!(due.unwrap(), std::slice::from_ref(&r));

    // Delivering: taking the reminders and expiring the request, one transaction each.
    let deliver = Changes {
        reminders: vec![
            ReminderWrite::Take(day.clone()),
            ReminderWrite::Take(hour.clone()),
        ],
        notifications: vec![notification(&org, 2, "c1")],
        ..Changes::default()
    };
    let (done, sent) = counted(&store, async |st| st.commit(deliver).await).await;
    done.unwrap();
    assert_eq!(sent.to_string(), only("TransactWriteItems"), "a take");
    let expire = Changes {
        requests: vec![RequestPut {
            request: coaching_domain::reschedule::RescheduleRequest {
                status: RequestStatus::Expired,
                ..r.clone()
            },
            expected_status: Some(RequestStatus::Pending),
        }],
        ..Changes::default()
    };
    let (done, sent) = counted(&store, async |st| st.commit(expire).await).await;
    done.unwrap();
    assert_eq!(sent.to_string(), only("TransactWriteItems"), "an expiry");
    assert!(store.due_reminders(start, 100).await.unwrap().is_empty());
    assert!(store.due_requests(start, 100).await.unwrap().is_empty());
    assert_eq!(store.requests().get("Scan"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn the_outbox_is_claimed_with_queries_and_conditional_updates_only() {
    let store = fresh_store().await;
    let org = fresh_org();
    let (first, second) = (
        notification(&org, 1, "coach-1"),
        notification(&org, 2, "client-1"),
    );
    // Six days older, in a partition of its own: still within the relay's look-back.
    let old = coaching_domain::notification::Notification {
        created_at: first.created_at - Duration::days(6),
        ..notification(&org, 0, "coach-1")
    };
    let s = session(&org, "s-1", "coach-1", "client-1", at(0));
    let changes = Changes {
        notifications: vec![second.clone(), first.clone(), old.clone()],
        ..book(&s, &[slot("coach-1", 0)])
    };
    store.commit(changes).await.unwrap();
    let now = at(10);

    let (claimed, sent) = counted(&store, async |st| {
        st.claim_events(now, now + Duration::seconds(60), 10).await
    })
    .await;
    let claimed = claimed.unwrap();
    let ids: Vec<_> = claimed.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [old.id.as_str(), first.id.as_str(), second.id.as_str()]
    );
    assert_eq!(claimed[1].payload, serde_json::to_value(&first).unwrap());
    assert_eq!(
        (sent.get("Query"), sent.get("UpdateItem"), sent.total()),
        (8, 3, 11),
        "a claim: one Query per day, one UpdateItem per event: {sent}"
    );
    let (none, sent) = counted(&store, async |st| {
        st.claim_events(now, now + Duration::seconds(60), 10).await
    })
    .await;
    assert!(none.unwrap().is_empty());
    assert_eq!(sent.to_string(), "{Query=8}", "nothing claimable");
    let (oldest, sent) = counted(&store, async |st| {
        st.claim_events(now + Duration::seconds(60), now + Duration::seconds(120), 1)
            .await
    })
    .await;
    assert_eq!(oldest.unwrap(), claimed[..1].to_vec());
    assert_eq!(
        sent.to_string(),
        "{Query=2, UpdateItem=1}",
        "a limit reached in the oldest days reads no later day"
    );

    let (done, sent) = counted(&store, async |st| st.mark_published(&claimed).await).await;
    done.unwrap();
    assert_eq!(
        sent.to_string(),
        only("BatchWriteItem"),
        "marking published"
    );
    let later = now + Duration::hours(1);
    assert!(
        store
            .claim_events(later, later + Duration::seconds(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
