//! Cases: reschedule requests (conditional status changes, lists), waiting reminders (put,
//! delete, take) and the due-by-time reads of the jobs (the outbox claims are in outbox.rs).
//!
//! Due reads and outbox claims span every org, and some stores serve several cases: each case
//! reads with a large limit and keeps only its own org's records.

use crate::fixtures::*;
use chrono::{DateTime, Duration, Utc};
use coaching_domain::ids::{OrgId, RescheduleRequestId};
use coaching_domain::ports::{Changes, RequestPut, Store, StoreError};
use coaching_domain::reminder::{Reminder, ReminderKind, ReminderWrite};
use coaching_domain::reschedule::{RequestStatus, RescheduleRequest};
use std::sync::Arc;

const ALL: u32 = 10_000;

/// A pending request on session `session` of `org`, expiring at `expires_at`; `n` orders ids.
pub fn request(
    org: &OrgId,
    n: u32,
    session: &str,
    coach: &str,
    client: &str,
    expires_at: DateTime<Utc>,
) -> RescheduleRequest {
    RescheduleRequest {
        id: RescheduleRequestId::parse(format!("01JR{n:022}")).unwrap(),
        org: org.clone(),
        session_id: sid(session),
        coach_id: user(coach),
        client_id: user(client),
        requested_by: user(client),
        proposed_starts_at: at(24 * 60 * 5),
        reason: Some("a clash at work".into()),
        status: RequestStatus::Pending,
        created_at: expires_at - Duration::hours(30),
        expires_at,
        decided_at: None,
        decision_reason: None,
    }
}

pub fn reminder(
    org: &OrgId,
    session: &str,
    kind: ReminderKind,
    starts_at: DateTime<Utc>,
) -> Reminder {
    Reminder {
        org: org.clone(),
        session_id: sid(session),
        kind,
        due_at: kind.due_at(starts_at),
        starts_at,
    }
}

fn new_request(r: &RescheduleRequest) -> Changes {
    Changes {
        requests: vec![RequestPut {
            request: r.clone(),
            expected_status: None,
        }],
        ..Changes::default()
    }
}

fn decided(r: &RescheduleRequest, status: RequestStatus) -> RescheduleRequest {
    RescheduleRequest {
        status,
        decided_at: Some(r.expires_at - Duration::hours(1)),
        decision_reason: Some(format!("{status:?}")),
        ..r.clone()
    }
}

fn decide(r: &RescheduleRequest, status: RequestStatus) -> Changes {
    Changes {
        requests: vec![RequestPut {
            request: decided(r, status),
            expected_status: Some(RequestStatus::Pending),
        }],
        ..Changes::default()
    }
}

async fn due_requests_of(
    store: &dyn Store,
    org: &OrgId,
    now: DateTime<Utc>,
) -> Vec<RescheduleRequest> {
    let all = store.due_requests(now, ALL).await.unwrap();
    assert!(
        all.windows(2).all(|w| w[0].expires_at <= w[1].expires_at),
        "due requests come oldest first"
    );
    all.into_iter().filter(|r| &r.org == org).collect()
}

async fn due_reminders_of(store: &dyn Store, org: &OrgId, now: DateTime<Utc>) -> Vec<Reminder> {
    let all = store.due_reminders(now, ALL).await.unwrap();
    assert!(
        all.windows(2).all(|w| w[0].due_at <= w[1].due_at),
        "due reminders come oldest first"
    );
    all.into_iter().filter(|r| &r.org == org).collect()
}

pub async fn a_reschedule_request_reads_back_and_lists_for_both_participants(
    store: Arc<dyn Store>,
) {
    let (org, other) = (fresh_org(), fresh_org());
    let first = request(&org, 1, "s-1", "coach-1", "client-1", at(600));
    let second = request(&org, 2, "s-2", "coach-1", "client-2", at(700));
    let third = request(&org, 3, "s-3", "coach-2", "client-1", at(800));
    for r in [&first, &second, &third] {
        store.commit(new_request(r)).await.unwrap();
    }
    store
        .commit(decide(&second, RequestStatus::Rejected))
        .await
        .unwrap();

    assert_eq!(
        store.reschedule_request(&org, &first.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store.reschedule_request(&other, &first.id).await.unwrap(),
        None
    );
    let list = |u: &'static str,
                status: Option<RequestStatus>,
                limit: u32,
                before: Option<RescheduleRequestId>| {
        let store = store.clone();
        let org = org.clone();
        async move {
            store
                .reschedule_requests(&org, &user(u), status, limit, before.as_ref())
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.id.as_str().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let id = |r: &RescheduleRequest| r.id.as_str().to_owned();
    assert_eq!(
        list("coach-1", None, 10, None).await,
        [id(&second), id(&first)]
    );
    assert_eq!(
        list("client-1", None, 10, None).await,
        [id(&third), id(&first)]
    );
    assert_eq!(
        list("coach-1", Some(RequestStatus::Pending), 10, None).await,
        [id(&first)]
    );
    assert_eq!(
        list("coach-1", Some(RequestStatus::Rejected), 10, None).await,
        [id(&second)]
    );
    assert_eq!(list("client-1", None, 1, None).await, [id(&third)]);
    assert_eq!(
        list("client-1", None, 10, Some(third.id.clone())).await,
        [id(&first)]
    );
    assert!(list("nobody", None, 10, None).await.is_empty());
    assert!(
        store
            .reschedule_requests(&other, &user("coach-1"), None, 10, None)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn a_request_changes_status_only_from_the_expected_one(store: Arc<dyn Store>) {
    let org = fresh_org();
    let r = request(&org, 1, "s-1", "coach-1", "client-1", at(600));
    store.commit(new_request(&r)).await.unwrap();

    assert_eq!(
        store.commit(new_request(&r)).await,
        Err(StoreError::Conflict),
        "a request id is created once"
    );
    store
        .commit(decide(&r, RequestStatus::Approved))
        .await
        .unwrap();
    // A second decision from "pending" fails, and takes the rest of its set down with it.
    let s = session(&org, "s-9", "coach-1", "client-9", at(0));
    let late = Changes {
        notifications: vec![notification(&org, 1, "client-1")],
        ..Changes {
            sessions: insert(&[&s]).sessions,
            ..decide(&r, RequestStatus::Expired)
        }
    };
    assert_eq!(store.commit(late).await, Err(StoreError::Conflict));

    assert_eq!(
        store.reschedule_request(&org, &r.id).await.unwrap(),
        Some(decided(&r, RequestStatus::Approved))
    );
    assert_eq!(store.session(&org, &s.id).await.unwrap(), None);
    assert!(
        store
            .notifications(&org, &user("client-1"), 10, None)
            .await
            .unwrap()
            .is_empty()
    );
    let missing = request(&org, 2, "s-2", "coach-1", "client-1", at(600));
    assert_eq!(
        store
            .commit(decide(&missing, RequestStatus::Rejected))
            .await,
        Err(StoreError::Conflict),
        "deciding a request that does not exist"
    );
}

pub async fn only_pending_requests_are_due_and_from_their_expiry_on(store: Arc<dyn Store>) {
    let org = fresh_org();
    let early = request(&org, 1, "s-1", "coach-1", "client-1", at(600));
    let late = request(&org, 2, "s-2", "coach-1", "client-2", at(700));
    let gone = request(&org, 3, "s-3", "coach-1", "client-3", at(500));
    for r in [&late, &early, &gone] {
        store.commit(new_request(r)).await.unwrap();
    }
    store
        .commit(decide(&gone, RequestStatus::Rejected))
        .await
        .unwrap();

    assert!(due_requests_of(&*store, &org, at(599)).await.is_empty());
    assert_eq!(
        due_requests_of(&*store, &org, at(600)).await,
        std::slice::from_ref(&early)
    );
    assert_eq!(
        due_requests_of(&*store, &org, at(800)).await,
        [early.clone(), late.clone()]
    );
    store
        .commit(decide(&early, RequestStatus::Expired))
        .await
        .unwrap();
    assert_eq!(due_requests_of(&*store, &org, at(800)).await, [late]);
}

pub async fn reminders_are_due_from_their_time_and_follow_puts_and_deletes(store: Arc<dyn Store>) {
    let org = fresh_org();
    let start = at(3 * 24 * 60);
    let day = reminder(&org, "s-1", ReminderKind::H24, start);
    let hour = reminder(&org, "s-1", ReminderKind::H1, start);
    let other = reminder(&org, "s-2", ReminderKind::H1, start + Duration::minutes(30));
    store
        .commit(Changes {
            reminders: vec![
                ReminderWrite::Put(day.clone()),
                ReminderWrite::Put(hour.clone()),
                ReminderWrite::Put(other.clone()),
            ],
            ..Changes::default()
        })
        .await
        .unwrap();

    let due = |now| due_reminders_of(&*store, &org, now);
    assert!(due(day.due_at - Duration::seconds(1)).await.is_empty());
    assert_eq!(due(day.due_at).await, std::slice::from_ref(&day));
    assert_eq!(due(hour.due_at).await, [day.clone(), hour.clone()]);
    assert_eq!(due(start).await, [day.clone(), hour.clone(), other.clone()]);

    // The session moves a day later: its records are replaced, not added to.
    let moved = start + Duration::days(1);
    let (day2, hour2) = (
        reminder(&org, "s-1", ReminderKind::H24, moved),
        reminder(&org, "s-1", ReminderKind::H1, moved),
    );
    store
        .commit(Changes {
            reminders: vec![
                ReminderWrite::Put(day2.clone()),
                ReminderWrite::Put(hour2.clone()),
                ReminderWrite::Delete {
                    org: org.clone(),
                    session_id: other.session_id.clone(),
                    kind: other.kind,
                },
            ],
            ..Changes::default()
        })
        .await
        .unwrap();
    assert!(due(start - Duration::minutes(1)).await.is_empty());
    assert_eq!(due(moved).await, [day2, hour2]);
    // Deleting what is not there is fine.
    store
        .commit(Changes {
            reminders: vec![ReminderWrite::Delete {
                org: org.clone(),
                session_id: sid("s-404"),
                kind: ReminderKind::H1,
            }],
            ..Changes::default()
        })
        .await
        .unwrap();
}

pub async fn taking_a_reminder_needs_it_exactly_as_read(store: Arc<dyn Store>) {
    let org = fresh_org();
    let start = at(3 * 24 * 60);
    let hour = reminder(&org, "s-1", ReminderKind::H1, start);
    let put = |r: &Reminder| Changes {
        reminders: vec![ReminderWrite::Put(r.clone())],
        ..Changes::default()
    };
    let take = |r: &Reminder, n: u32| Changes {
        reminders: vec![ReminderWrite::Take(r.clone())],
        notifications: vec![notification(&org, n, "client-1")],
        ..Changes::default()
    };
    store.commit(put(&hour)).await.unwrap();
    // Moved before the job's take arrives: the take fails and writes nothing.
    let moved = reminder(&org, "s-1", ReminderKind::H1, start + Duration::minutes(15));
    store.commit(put(&moved)).await.unwrap();
    assert_eq!(
        store.commit(take(&hour, 1)).await,
        Err(StoreError::Conflict)
    );
    assert!(
        store
            .notifications(&org, &user("client-1"), 10, None)
            .await
            .unwrap()
            .is_empty()
    );

    store.commit(take(&moved, 2)).await.unwrap();
    assert_eq!(
        store.commit(take(&moved, 3)).await,
        Err(StoreError::Conflict),
        "a reminder is taken once"
    );
    let inbox = store
        .notifications(&org, &user("client-1"), 10, None)
        .await
        .unwrap();
    assert_eq!(inbox, [notification(&org, 2, "client-1")]);
    assert!(due_reminders_of(&*store, &org, start).await.is_empty());
}

/// Tasks racing with one commit each; returns how many succeeded, asserting every other one
/// failed with a conflict.
pub(crate) async fn race(store: &Arc<dyn Store>, sets: Vec<Changes>) -> usize {
    let barrier = Arc::new(tokio::sync::Barrier::new(sets.len()));
    let mut tasks = tokio::task::JoinSet::new();
    for changes in sets {
        let (store, barrier) = (store.clone(), barrier.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            store.commit(changes).await
        });
    }
    let mut won = 0;
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(()) => won += 1,
            Err(e) => assert_eq!(e, StoreError::Conflict),
        }
    }
    won
}

pub async fn of_concurrent_takes_of_one_reminder_exactly_one_wins(store: Arc<dyn Store>) {
    let org = fresh_org();
    let r = reminder(&org, "s-1", ReminderKind::H24, at(3 * 24 * 60));
    store
        .commit(Changes {
            reminders: vec![ReminderWrite::Put(r.clone())],
            ..Changes::default()
        })
        .await
        .unwrap();
    let sets = (0..10)
        .map(|n| Changes {
            reminders: vec![ReminderWrite::Take(r.clone())],
            notifications: vec![notification(&org, n, "coach-1")],
            ..Changes::default()
        })
        .collect();

    assert_eq!(race(&store, sets).await, 1);

    let inbox = store
        .notifications(&org, &user("coach-1"), 20, None)
        .await
        .unwrap();
    assert_eq!(inbox.len(), 1, "exactly one reminder notification");
}

pub async fn of_concurrent_decisions_on_one_request_exactly_one_wins(store: Arc<dyn Store>) {
    let org = fresh_org();
    let r = request(&org, 1, "s-1", "coach-1", "client-1", at(600));
    store.commit(new_request(&r)).await.unwrap();
    let outcomes = [
        RequestStatus::Approved,
        RequestStatus::Rejected,
        RequestStatus::Expired,
        RequestStatus::Superseded,
    ];
    let sets = (0..12)
        .map(|i| {
            let status = outcomes[i % outcomes.len()];
            Changes {
                notifications: vec![notification(&org, i as u32, "client-1")],
                ..decide(&r, status)
            }
        })
        .collect();

    assert_eq!(race(&store, sets).await, 1);

    let stored = store
        .reschedule_request(&org, &r.id)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.status, RequestStatus::Pending);
    let inbox = store
        .notifications(&org, &user("client-1"), 20, None)
        .await
        .unwrap();
    assert_eq!(inbox.len(), 1, "only the winner's notification is stored");
    assert!(due_requests_of(&*store, &org, at(10_000)).await.is_empty());
}
