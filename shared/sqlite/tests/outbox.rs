//! The outbox of the SQLite store: an event per stored notification until it is published.

use coaching_domain::ports::{Changes, SessionStore};
use coaching_sqlite::SqliteStore;
use coaching_store_contract::fixtures::{at, book, fresh_org, notification, session, slot};

#[tokio::test]
async fn every_stored_notification_waits_in_the_outbox_until_marked_published() {
    let store = SqliteStore::open(":memory:").unwrap();
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

    let pending = store.pending_events(10).unwrap();

    let ids: Vec<_> = pending.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, [first.id.as_str(), second.id.as_str()]);
    assert_eq!(pending[0].org, org.as_str());
    assert_eq!(pending[0].kind, "session_booked");
    assert_eq!(pending[0].created_at, first.created_at);
    assert_eq!(pending[0].payload, serde_json::to_value(&first).unwrap());
    store.mark_published(&pending[..1], at(5)).unwrap();
    assert_eq!(store.pending_events(10).unwrap(), pending[1..].to_vec());
    store.mark_published(&pending, at(6)).unwrap();
    assert!(store.pending_events(10).unwrap().is_empty());
}

#[tokio::test]
async fn a_change_set_that_fails_leaves_no_event_behind() {
    let store = SqliteStore::open(":memory:").unwrap();
    let org = fresh_org();
    let holder = session(&org, "s-1", "coach-1", "client-1", at(0));
    store
        .commit(book(&holder, &[slot("coach-1", 0)]))
        .await
        .unwrap();
    let loser = session(&org, "s-2", "coach-1", "client-2", at(0));
    let changes = Changes {
        notifications: vec![notification(&org, 1, "coach-1")],
        ..book(&loser, &[slot("coach-1", 0)])
    };

    assert!(store.commit(changes).await.is_err());

    assert!(store.pending_events(10).unwrap().is_empty());
}
