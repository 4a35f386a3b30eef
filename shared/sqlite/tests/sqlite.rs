//! What the SQLite store does beyond the contract: opening, WAL, sharing, concurrency, guards.

use coaching_domain::ids::OrgId;
use coaching_domain::ports::{Changes, SessionScope, SessionStore, StoreError};
use coaching_sqlite::{SqliteOptions, SqliteStore};
use coaching_store_contract::fixtures::{
    all, at, book, fresh_org, insert, notification, query, session, slot,
};

#[tokio::test]
async fn every_open_of_memory_is_a_separate_database() {
    let (a, b) = (
        SqliteStore::open(":memory:").unwrap(),
        SqliteStore::open(":memory:").unwrap(),
    );
    let org = fresh_org();
    let s = session(&org, "s-1", "c1", "k1", at(0));

    a.commit(insert(&[&s])).await.unwrap();

    assert_eq!(a.session(&org, &s.id).await.unwrap(), Some(s.clone()));
    assert_eq!(b.session(&org, &s.id).await.unwrap(), None);
    let clone = a.clone();
    assert_eq!(clone.session(&org, &s.id).await.unwrap(), Some(s));
}

#[tokio::test]
async fn a_file_database_is_in_wal_mode_migrated_and_kept_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let path = path.to_str().unwrap();
    let org = fresh_org();
    let s = session(&org, "s-1", "c1", "k1", at(0));
    {
        let store = SqliteStore::open(path).unwrap();
        store.commit(book(&s, &[slot("c1", 0)])).await.unwrap();
    }

    let store = SqliteStore::open(path).unwrap();

    assert_eq!(store.session(&org, &s.id).await.unwrap(), Some(s));
    let other = session(&org, "s-2", "c1", "k2", at(0));
    assert_eq!(
        store.commit(book(&other, &[slot("c1", 0)])).await,
        Err(StoreError::LockTaken(slot("c1", 0)))
    );
    let raw = rusqlite::Connection::open(path).unwrap();
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    // Every migration in the directory was applied (each moves the version by one).
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    assert_eq!(version, i64::try_from(migrations).unwrap());
}

#[tokio::test]
async fn a_database_written_by_a_newer_binary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();

    let opened = SqliteStore::open(path.to_str().unwrap());

    assert!(
        matches!(opened, Err(StoreError::Unavailable(_))),
        "{opened:?}"
    );
}

#[tokio::test]
async fn a_change_set_spanning_two_orgs_is_refused_whole() {
    let store = SqliteStore::open(":memory:").unwrap();
    let (a, b) = (fresh_org(), fresh_org());
    let s = session(&a, "s-1", "c1", "k1", at(0));
    let changes = Changes {
        notifications: vec![notification(&b, 1, "c1")],
        ..book(&s, &[slot("c1", 0)])
    };

    assert!(matches!(
        store.commit(changes).await,
        Err(StoreError::Unavailable(_))
    ));

    assert!(all(&store, &a).await.is_empty());
}

#[tokio::test]
async fn a_lock_change_with_nothing_naming_its_org_is_refused() {
    let store = SqliteStore::open(":memory:").unwrap();
    let s = session(&fresh_org(), "s-1", "c1", "k1", at(0));
    let changes = Changes {
        acquire_locks: vec![(slot("c1", 0), s.id.clone())],
        ..Changes::default()
    };

    assert!(matches!(
        store.commit(changes).await,
        Err(StoreError::Unavailable(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_never_fail_or_see_a_half_written_change_while_the_writer_commits() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteOptions {
        readers: 2,
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open_with(dir.path().join("c.db").to_str().unwrap(), options).unwrap();
    let org = fresh_org();
    let writer = {
        let (store, org) = (store.clone(), org.clone());
        tokio::spawn(async move {
            for i in 0..60 {
                // Two sessions per change set: a reader sees both or neither.
                let a = session(&org, &format!("a-{i:03}"), "c1", "k1", at(i * 60));
                let b = session(&org, &format!("b-{i:03}"), "c2", "k1", at(i * 60));
                store.commit(insert(&[&a, &b])).await.unwrap();
            }
        })
    };
    let readers: Vec<_> = (0..6)
        .map(|_| {
            let (store, org) = (store.clone(), org.clone());
            tokio::spawn(async move {
                for _ in 0..20 {
                    let n = count(&store, &org).await;
                    assert_eq!(n % 2, 0, "a change set is seen whole or not at all");
                }
            })
        })
        .collect();

    writer.await.unwrap();
    for r in readers {
        r.await.unwrap();
    }
    assert_eq!(count(&store, &org).await, 120);
}

async fn count(store: &SqliteStore, org: &OrgId) -> usize {
    let q = coaching_domain::ports::SessionQuery {
        limit: 1000,
        ..query(SessionScope::Org)
    };
    store.sessions(org, &q).await.unwrap().items.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_racing_through_two_handles_on_one_file_settle_on_the_highest_rank() {
    use coaching_domain::ports::{DeliveryOutcome, EvaluationStore};
    use coaching_store_contract::fixtures::{completed, deleted, evaluation, of_coachee, ts};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let handles = [
        SqliteStore::open(path.to_str().unwrap()).unwrap(),
        SqliteStore::open(path.to_str().unwrap()).unwrap(),
    ];
    let org = fresh_org();
    let mut deliveries = Vec::new();
    for i in 0..30 {
        let e = evaluation(&org, "ev-1", &format!("agent-{}", i % 4), at(i), "sc-1");
        deliveries.push(completed(&e, &format!("wh-{i}"), ts(i)));
        if i % 7 == 3 {
            deliveries.push(deleted(&org, "ev-1", &format!("wh-{i}-deleted"), ts(i)));
        }
    }
    // The same webhook id through both handles: recorded once.
    deliveries.push(deliveries[0].clone());
    let top = deliveries.iter().max_by_key(|d| d.rank).unwrap().clone();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(deliveries.len()));
    let mut tasks = tokio::task::JoinSet::new();
    for (n, d) in deliveries.into_iter().rev().enumerate() {
        let (store, barrier) = (handles[n % 2].clone(), barrier.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            store.record_delivery(&d).await.unwrap()
        });
    }

    let outcomes = tasks.join_all().await;

    let duplicates = outcomes
        .iter()
        .filter(|o| **o == DeliveryOutcome::Duplicate)
        .count();
    assert_eq!(duplicates, 1, "{outcomes:?}");
    let winner = top.evaluation.unwrap();
    for store in &handles {
        let id = coaching_domain::ids::EvaluationId::parse("ev-1").unwrap();
        assert_eq!(
            store.evaluation(&org, &id).await.unwrap(),
            Some(winner.clone())
        );
        for k in 0..4 {
            let listed = store
                .all_evaluations(&org, &of_coachee(&format!("agent-{k}")))
                .await
                .unwrap();
            let expected = if winner.coachee_id.as_str() == format!("agent-{k}") {
                vec![winner.clone()]
            } else {
                vec![]
            };
            assert_eq!(listed, expected);
        }
    }
}
