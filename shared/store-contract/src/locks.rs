//! Cases: uniqueness locks (slots, intro pairs), taken, released and all-or-nothing.

use crate::fixtures::*;
use coaching_domain::ids::UserId;
use coaching_domain::ports::{IdempotencyRecord, Store, StoreError};
use coaching_domain::session::SessionStatus;
use std::sync::Arc;

pub async fn a_taken_lock_is_reported_by_the_first_taken_key_in_acquire_order(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let holder = session(&org, "s-1", "coach-1", "client-1", at(15));
    store
        .commit(book(
            &holder,
            &[
                slot("coach-1", 15),
                slot("coach-1", 30),
                intro("coach-1", "client-1"),
            ],
        ))
        .await
        .unwrap();
    let late = session(&org, "s-2", "coach-1", "client-1", at(0));

    let taken = store
        .commit(book(
            &late,
            &[slot("coach-1", 0), slot("coach-1", 30), slot("coach-1", 15)],
        ))
        .await;

    assert_eq!(taken, Err(StoreError::LockTaken(slot("coach-1", 30))));
    let pair = session(&org, "s-3", "coach-1", "client-1", at(600));
    let taken = store
        .commit(book(
            &pair,
            &[intro("coach-1", "client-1"), slot("coach-1", 600)],
        ))
        .await;
    assert_eq!(
        taken,
        Err(StoreError::LockTaken(intro("coach-1", "client-1")))
    );
}

pub async fn a_change_set_whose_second_lock_is_taken_leaves_nothing_behind(store: Arc<dyn Store>) {
    let org = fresh_org();
    let holder = session(&org, "s-1", "coach-1", "client-1", at(15));
    store
        .commit(book(&holder, &[slot("coach-1", 15)]))
        .await
        .unwrap();
    let loser = session(&org, "s-2", "coach-1", "client-2", at(0));
    let mut changes = book(&loser, &[slot("coach-1", 0), slot("coach-1", 15)]);
    changes.notifications = vec![
        notification(&org, 1, "coach-1"),
        notification(&org, 2, "client-2"),
    ];
    changes.idempotency = Some(IdempotencyRecord {
        org: org.clone(),
        user: user("client-2"),
        key: "key-1".into(),
        request: "{}".into(),
        session: loser.clone(),
        created_at: at(-60),
    });

    assert_eq!(
        store.commit(changes).await,
        Err(StoreError::LockTaken(slot("coach-1", 15)))
    );

    assert_eq!(store.session(&org, &loser.id).await.unwrap(), None);
    assert_eq!(all(store.as_ref(), &org).await, vec![holder]);
    for recipient in ["coach-1", "client-2"] {
        assert!(
            store
                .notifications(&org, &user(recipient), 10, None)
                .await
                .unwrap()
                .is_empty()
        );
    }
    assert_eq!(
        store
            .idempotency_record(&org, &user("client-2"), "key-1")
            .await
            .unwrap(),
        None
    );
    let next = session(&org, "s-3", "coach-1", "client-3", at(0));
    store
        .commit(book(&next, &[slot("coach-1", 0)]))
        .await
        .unwrap();
}

pub async fn a_released_lock_can_be_taken_by_another_session(store: Arc<dyn Store>) {
    let org = fresh_org();
    let first = session(&org, "s-1", "coach-1", "client-1", at(0));
    let keys = [intro("coach-1", "client-1"), slot("coach-1", 0)];
    store.commit(book(&first, &keys)).await.unwrap();
    let cancelled = with_status(bumped(&first), SessionStatus::Cancelled);
    let mut cancel = update(&cancelled, 1);
    cancel.release_locks = keys.iter().map(|k| (k.clone(), first.id.clone())).collect();
    store.commit(cancel).await.unwrap();
    let second = session(&org, "s-2", "coach-1", "client-1", at(0));

    store.commit(book(&second, &keys)).await.unwrap();

    let third = session(&org, "s-3", "coach-1", "client-1", at(0));
    assert_eq!(
        store.commit(book(&third, &keys)).await,
        Err(StoreError::LockTaken(keys[0].clone()))
    );
}

pub async fn releasing_a_key_held_by_another_session_leaves_it_held(store: Arc<dyn Store>) {
    let org = fresh_org();
    let holder = session(&org, "s-1", "coach-1", "client-1", at(0));
    store
        .commit(book(&holder, &[slot("coach-1", 0)]))
        .await
        .unwrap();
    let other = session(&org, "s-2", "coach-1", "client-2", at(60));
    store
        .commit(book(&other, &[slot("coach-1", 60)]))
        .await
        .unwrap();
    let mut release = update(&with_status(bumped(&other), SessionStatus::Cancelled), 1);
    release.release_locks = vec![
        (slot("coach-1", 0), other.id.clone()),
        (slot("coach-1", 60), other.id.clone()),
    ];

    store.commit(release).await.unwrap();

    let third = session(&org, "s-3", "coach-1", "client-3", at(0));
    assert_eq!(
        store.commit(book(&third, &[slot("coach-1", 0)])).await,
        Err(StoreError::LockTaken(slot("coach-1", 0)))
    );
    let fourth = session(&org, "s-4", "coach-1", "client-4", at(60));
    store
        .commit(book(&fourth, &[slot("coach-1", 60)]))
        .await
        .unwrap();
}

pub async fn moving_a_session_releases_its_old_slot_and_takes_the_new_one_in_one_change_set(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let s = session(&org, "s-1", "coach-1", "client-1", at(0));
    store
        .commit(book(&s, &[slot("coach-1", 0), slot("coach-1", 15)]))
        .await
        .unwrap();
    let mut moved = bumped(&s);
    moved.starts_at = Some(at(120));
    let mut changes = update(&moved, 1);
    changes.release_locks = vec![
        (slot("coach-1", 0), s.id.clone()),
        (slot("coach-1", 15), s.id.clone()),
    ];
    changes.acquire_locks = vec![
        (slot("coach-1", 120), s.id.clone()),
        (slot("coach-1", 135), s.id.clone()),
    ];

    store.commit(changes).await.unwrap();

    let taker = session(&org, "s-2", "coach-1", "client-2", at(0));
    store
        .commit(book(&taker, &[slot("coach-1", 0), slot("coach-1", 15)]))
        .await
        .unwrap();
    let blocked = session(&org, "s-3", "coach-1", "client-3", at(135));
    assert_eq!(
        store.commit(book(&blocked, &[slot("coach-1", 135)])).await,
        Err(StoreError::LockTaken(slot("coach-1", 135)))
    );
}

pub async fn the_same_key_is_held_separately_in_each_org(store: Arc<dyn Store>) {
    let (a, b) = (fresh_org(), fresh_org());
    let in_a = session(&a, "s-1", "coach-1", "client-1", at(0));
    let in_b = session(&b, "s-1", "coach-1", "client-1", at(0));

    store
        .commit(book(
            &in_a,
            &[slot("coach-1", 0), intro("coach-1", "client-1")],
        ))
        .await
        .unwrap();
    store
        .commit(book(
            &in_b,
            &[slot("coach-1", 0), intro("coach-1", "client-1")],
        ))
        .await
        .unwrap();

    assert_eq!(store.session(&a, &in_a.id).await.unwrap(), Some(in_a));
    assert_eq!(store.session(&b, &in_b.id).await.unwrap(), Some(in_b));
}

pub async fn slot_locks_of_different_coaches_never_collide(store: Arc<dyn Store>) {
    let org = fresh_org();
    let coaches: Vec<UserId> = (1..=3).map(|i| user(&format!("coach-{i}"))).collect();
    for (i, coach) in coaches.iter().enumerate() {
        let s = session(&org, &format!("s-{i}"), coach.as_str(), "client-1", at(0));
        store
            .commit(book(&s, &[slot(coach.as_str(), 0)]))
            .await
            .unwrap();
    }
    assert_eq!(all(store.as_ref(), &org).await.len(), 3);
}
