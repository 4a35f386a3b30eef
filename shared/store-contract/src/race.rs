//! The race: many concurrent bookings of one slot, exactly one winner, whatever the store.

use crate::fixtures::*;
use coaching_domain::ports::{SessionScope, Store, StoreError};
use coaching_domain::slots::slot_locks;
use std::sync::Arc;

/// How many bookings race for the slot.
pub const RACERS: usize = 50;

pub async fn of_fifty_concurrent_bookings_of_one_slot_exactly_one_wins(store: Arc<dyn Store>) {
    race_across(vec![store]).await;
}

/// [`RACERS`] tasks, spread over `stores` (several handles on one database, like several
/// processes), each commit a new session (its own id) taking the same 45-minute slot with a
/// buffer, and a notification. Exactly one commits; every other gets `LockTaken` naming the
/// slot's first block; exactly one session and one notification are stored.
pub async fn race_across(stores: Vec<Arc<dyn Store>>) {
    assert!(!stores.is_empty(), "race_across needs at least one store");
    let org = fresh_org();
    let coach = user("coach-1");
    let keys = slot_locks(&coach, at(0), 45, 10);
    assert_eq!(keys.len(), 4);
    let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..RACERS {
        let store = stores[i % stores.len()].clone();
        let barrier = barrier.clone();
        let mut s = session(
            &org,
            &format!("racer-{i:02}"),
            "coach-1",
            &format!("client-{i:02}"),
            at(0),
        );
        // An action item belongs to one session (the index has one entry per id): the racers
        // must not share the fixture's, and a booking has none.
        s.action_items.clear();
        let mut changes = book(&s, &keys);
        changes.notifications = vec![notification(&org, i as u32, "coach-1")];
        tasks.spawn(async move {
            barrier.wait().await;
            (s.id.clone(), store.commit(changes).await)
        });
    }

    let results = tasks.join_all().await;

    let winners: Vec<_> = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(winners.len(), 1, "exactly one booking wins: {results:?}");
    let losers = results
        .iter()
        .filter(|(_, r)| *r == Err(StoreError::LockTaken(keys[0].clone())))
        .count();
    assert_eq!(
        losers,
        RACERS - 1,
        "every other booking finds the first block taken: {results:?}"
    );
    let reader = &stores[0];
    let stored = reader
        .sessions(&org, &query(SessionScope::Org))
        .await
        .unwrap()
        .items;
    assert_eq!(
        stored.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        winners
    );
    assert_eq!(
        reader
            .coach_busy(&org, &coach, at(0), at(60))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        reader
            .notifications(&org, &coach, 100, None)
            .await
            .unwrap()
            .len(),
        1
    );
}
