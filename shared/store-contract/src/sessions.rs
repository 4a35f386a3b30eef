//! Cases: creating, reading and updating sessions under optimistic versions.

use crate::fixtures::*;
use coaching_domain::ports::{Changes, SessionPut, Store, StoreError};
use coaching_domain::session::SessionStatus;
use std::sync::Arc;

pub async fn a_created_session_reads_back_exactly_as_written(store: Arc<dyn Store>) {
    let org = fresh_org();
    let s = session(&org, "s-1", "coach-1", "client-1", at(0));

    store.commit(insert(&[&s])).await.unwrap();

    assert_eq!(store.session(&org, &s.id).await.unwrap(), Some(s));
}

pub async fn a_session_of_another_org_is_not_found(store: Arc<dyn Store>) {
    let (org, other) = (fresh_org(), fresh_org());
    let s = session(&org, "s-1", "coach-1", "client-1", at(0));
    store.commit(insert(&[&s])).await.unwrap();

    assert_eq!(store.session(&other, &s.id).await.unwrap(), None);
    assert_eq!(
        store.session(&org, &sid("never-stored")).await.unwrap(),
        None
    );
}

pub async fn an_update_with_the_stored_version_replaces_the_session(store: Arc<dyn Store>) {
    let org = fresh_org();
    let s = session(&org, "s-1", "coach-1", "client-1", at(0));
    store.commit(insert(&[&s])).await.unwrap();
    let mut next = bumped(&s);
    next.notes = "changed".into();
    next.status = SessionStatus::Completed;

    store.commit(update(&next, 1)).await.unwrap();

    let stored = store.session(&org, &s.id).await.unwrap().unwrap();
    assert_eq!(stored, next);
    assert_eq!(stored.version, 2);
    let third = bumped(&stored);
    store.commit(update(&third, 2)).await.unwrap();
    assert_eq!(
        store.session(&org, &s.id).await.unwrap().unwrap().version,
        3
    );
}

pub async fn an_update_with_a_stale_version_is_a_conflict_and_writes_nothing(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let s = session(&org, "s-1", "coach-1", "client-1", at(0));
    store.commit(insert(&[&s])).await.unwrap();
    let v2 = bumped(&s);
    store.commit(update(&v2, 1)).await.unwrap();
    let mut stale = bumped(&s);
    stale.notes = "lost update".into();
    let other = session(&org, "s-2", "coach-1", "client-2", at(120));
    let mut changes = update(&stale, 1);
    changes.sessions.push(SessionPut {
        session: other.clone(),
        expected_version: None,
    });
    changes
        .acquire_locks
        .push((slot("coach-1", 120), other.id.clone()));
    changes
        .notifications
        .push(notification(&org, 1, "client-1"));

    assert_eq!(store.commit(changes).await, Err(StoreError::Conflict));

    assert_eq!(store.session(&org, &s.id).await.unwrap(), Some(v2));
    assert_eq!(store.session(&org, &other.id).await.unwrap(), None);
    assert!(
        store
            .notifications(&org, &user("client-1"), 10, None)
            .await
            .unwrap()
            .is_empty()
    );
    let free = session(&org, "s-3", "coach-1", "client-3", at(120));
    store
        .commit(book(&free, &[slot("coach-1", 120)]))
        .await
        .unwrap();
}

pub async fn an_update_of_a_session_that_does_not_exist_is_a_conflict(store: Arc<dyn Store>) {
    let org = fresh_org();
    let s = bumped(&session(&org, "s-1", "coach-1", "client-1", at(0)));

    assert_eq!(store.commit(update(&s, 1)).await, Err(StoreError::Conflict));

    assert_eq!(store.session(&org, &s.id).await.unwrap(), None);
}

pub async fn creating_a_session_whose_id_exists_is_a_conflict_and_keeps_the_first(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let first = session(&org, "s-1", "coach-1", "client-1", at(0));
    store.commit(insert(&[&first])).await.unwrap();
    let mut second = session(&org, "s-1", "coach-2", "client-2", at(60));
    second.name = "impostor".into();

    assert_eq!(
        store.commit(insert(&[&second])).await,
        Err(StoreError::Conflict)
    );

    assert_eq!(store.session(&org, &first.id).await.unwrap(), Some(first));
}

pub async fn one_change_set_writes_several_sessions_together(store: Arc<dyn Store>) {
    let org = fresh_org();
    let s = session(&org, "s-1", "coach-1", "client-1", at(0));
    store.commit(insert(&[&s])).await.unwrap();
    let mut done = bumped(&s);
    done.status = SessionStatus::Completed;
    done.next_session_id = Some(sid("s-2"));
    let mut next = session(&org, "s-2", "coach-1", "client-1", at(14 * 24 * 60));
    next.previous_session_id = Some(s.id.clone());
    let mut changes = update(&done, 1);
    changes.sessions.push(SessionPut {
        session: next.clone(),
        expected_version: None,
    });
    changes
        .acquire_locks
        .push((slot("coach-1", 14 * 24 * 60), next.id.clone()));

    store.commit(changes).await.unwrap();

    assert_eq!(store.session(&org, &s.id).await.unwrap(), Some(done));
    assert_eq!(store.session(&org, &next.id).await.unwrap(), Some(next));
}

pub async fn an_empty_change_set_commits_and_changes_nothing(store: Arc<dyn Store>) {
    let org = fresh_org();

    store.commit(Changes::default()).await.unwrap();

    assert!(all(store.as_ref(), &org).await.is_empty());
}

/// Many writers start from the same version: exactly one of them may win.
pub async fn of_concurrent_updates_from_one_version_exactly_one_wins(store: Arc<dyn Store>) {
    let org = fresh_org();
    let s = session(&org, "s-1", "coach-1", "client-1", at(0));
    store.commit(insert(&[&s])).await.unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (store, barrier) = (store.clone(), barrier.clone());
        let mut next = bumped(&s);
        next.notes = format!("writer {i}");
        tasks.spawn(async move {
            barrier.wait().await;
            (next.clone(), store.commit(update(&next, 1)).await)
        });
    }

    let results = tasks.join_all().await;

    let winners: Vec<_> = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(s, _)| s.clone())
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|(_, r)| matches!(r, Ok(()) | Err(StoreError::Conflict))),
        "{results:?}"
    );
    assert_eq!(
        store.session(&org, &s.id).await.unwrap(),
        winners.into_iter().next()
    );
}
