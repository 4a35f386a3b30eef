//! Cases: generation records: created once, changed only from the expected (status, claims),
//! all or nothing with the rest of their change set, found by id only in their org and through
//! the due-by-time index across orgs; of concurrent claims exactly one wins.
//!
//! Due reads span every org, and some stores serve several cases: each case reads with a large
//! limit and keeps only its own orgs' records.

use crate::due::race;
use crate::fixtures::*;
use chrono::{DateTime, Duration, Utc};
use coaching_domain::evaluation::GenerationStatus;
use coaching_domain::generation::{GenerationJob, GenerationPut};
use coaching_domain::ids::{GenerationId, OrgId};
use coaching_domain::ports::{Changes, Store, StoreError};
use std::sync::Arc;

const ALL: u32 = 10_000;

/// The due records of `orgs` at `now`, asserting the whole list is in (due time, org, id) order.
async fn due_of(store: &dyn Store, orgs: &[&OrgId], now: DateTime<Utc>) -> Vec<GenerationJob> {
    let all = store.due_generations(now, ALL).await.unwrap();
    assert!(
        all.iter().all(|j| j.due_at.is_some_and(|d| d <= now)),
        "only records due at or before now are due"
    );
    assert!(
        all.windows(2).all(|w| w[0].due_at <= w[1].due_at),
        "due generations come oldest first"
    );
    all.into_iter().filter(|j| orgs.contains(&&j.org)).collect()
}

pub async fn a_created_generation_reads_back_exactly_with_the_rest_of_its_set(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let s = draft(&org, "s-1", "coach-1", "client-1");
    // Every field set, instants below the millisecond: a round trip drops nothing.
    let job = GenerationJob {
        status: GenerationStatus::Running,
        claims: 2,
        lease_until: Some(at(5) + Duration::nanoseconds(987_654_321)),
        ..generation_job(&org, 1, "s-1", Some(at(3) + Duration::nanoseconds(1)))
    };

    store
        .commit(Changes {
            generations: new_generation(&job).generations,
            notifications: vec![notification(&org, 1, "coach-1")],
            ..insert(&[&s])
        })
        .await
        .unwrap();

    assert_eq!(
        store.generation(&org, &job.id).await.unwrap(),
        Some(job.clone())
    );
    assert_eq!(store.session(&org, &s.id).await.unwrap(), Some(s));
    let unknown = GenerationId::parse("01JG-unknown").unwrap();
    assert_eq!(store.generation(&org, &unknown).await.unwrap(), None);
}

pub async fn a_generation_of_another_org_is_not_found(store: Arc<dyn Store>) {
    let (org, other) = (fresh_org(), fresh_org());
    let job = generation_job(&org, 1, "s-1", Some(at(0)));
    store.commit(new_generation(&job)).await.unwrap();

    assert_eq!(store.generation(&other, &job.id).await.unwrap(), None);

    // The same id in another org is another record.
    let theirs = generation_job(&other, 1, "s-2", None);
    store.commit(new_generation(&theirs)).await.unwrap();
    assert_eq!(store.generation(&org, &job.id).await.unwrap(), Some(job));
    assert_eq!(
        store.generation(&other, &theirs.id).await.unwrap(),
        Some(theirs)
    );
}

pub async fn creating_a_generation_whose_id_exists_is_a_conflict_and_writes_nothing_else(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let first = generation_job(&org, 1, "s-1", Some(at(0)));
    store.commit(new_generation(&first)).await.unwrap();
    let s = session(&org, "s-2", "coach-1", "client-1", at(60));
    let second = GenerationJob {
        session_id: s.id.clone(),
        due_at: Some(at(-10)),
        ..first.clone()
    };

    let result = store
        .commit(Changes {
            generations: new_generation(&second).generations,
            notifications: vec![notification(&org, 1, "coach-1")],
            ..book(&s, &[slot("coach-1", 60)])
        })
        .await;

    assert_eq!(result, Err(StoreError::Conflict));
    assert_eq!(
        store.generation(&org, &first.id).await.unwrap(),
        Some(first)
    );
    assert_eq!(store.session(&org, &s.id).await.unwrap(), None);
    assert!(
        store
            .notifications(&org, &user("coach-1"), 10, None)
            .await
            .unwrap()
            .is_empty()
    );
    // The slot lock of the failed set was not taken either.
    let other = session(&org, "s-3", "coach-1", "client-2", at(60));
    store
        .commit(book(&other, &[slot("coach-1", 60)]))
        .await
        .unwrap();
}

pub async fn a_generation_changes_only_from_the_expected_status_and_claims(store: Arc<dyn Store>) {
    let org = fresh_org();
    let s = draft(&org, "s-1", "coach-1", "client-1");
    let queued = generation_job(&org, 1, "s-1", Some(at(0)));
    store
        .commit(Changes {
            generations: new_generation(&queued).generations,
            ..insert(&[&s])
        })
        .await
        .unwrap();
    let running = claimed(&queued, at(2));
    store
        .commit(replace_generation(&queued, &running))
        .await
        .unwrap();
    assert_eq!(
        store.generation(&org, &queued.id).await.unwrap(),
        Some(running.clone())
    );

    // Stale expectations: the status, the claim count, or both. Each takes its set down whole.
    let next = claimed(&running, at(4));
    let stale = [
        (GenerationStatus::Queued, 0),
        (GenerationStatus::Queued, 1),
        (GenerationStatus::Running, 0),
        (GenerationStatus::Running, 2),
        (GenerationStatus::Failed, 1),
    ];
    for (n, expected) in stale.into_iter().enumerate() {
        let changes = Changes {
            generations: vec![GenerationPut {
                job: next.clone(),
                expected: Some(expected),
            }],
            notifications: vec![notification(&org, n as u32, "coach-1")],
            ..update(&bumped(&s), s.version)
        };
        assert_eq!(
            store.commit(changes).await,
            Err(StoreError::Conflict),
            "expected {expected:?} while {:?} is stored",
            (running.status, running.claims)
        );
    }
    assert_eq!(
        store.generation(&org, &queued.id).await.unwrap(),
        Some(running.clone())
    );
    assert_eq!(store.session(&org, &s.id).await.unwrap(), Some(s.clone()));
    assert!(
        store
            .notifications(&org, &user("coach-1"), 10, None)
            .await
            .unwrap()
            .is_empty()
    );

    // The right expectation applies with the rest of its set.
    let done = GenerationJob {
        status: GenerationStatus::Succeeded,
        lease_until: None,
        due_at: None,
        ..running.clone()
    };
    store
        .commit(Changes {
            generations: replace_generation(&running, &done).generations,
            ..update(&bumped(&s), s.version)
        })
        .await
        .unwrap();
    assert_eq!(
        store.generation(&org, &queued.id).await.unwrap(),
        Some(done)
    );
    assert_eq!(store.session(&org, &s.id).await.unwrap(), Some(bumped(&s)));

    let missing = generation_job(&org, 2, "s-1", Some(at(0)));
    assert_eq!(
        store
            .commit(replace_generation(&missing, &claimed(&missing, at(2))))
            .await,
        Err(StoreError::Conflict),
        "updating a record that does not exist"
    );
    assert_eq!(store.generation(&org, &missing.id).await.unwrap(), None);
}

pub async fn generations_are_due_from_their_due_at_oldest_first_across_orgs(store: Arc<dyn Store>) {
    let (a, b) = (fresh_org(), fresh_org());
    let orgs = [&a, &b];
    let a1 = generation_job(&a, 1, "s-1", Some(at(10)));
    let a2 = generation_job(&a, 2, "s-2", Some(at(20)));
    let a3 = generation_job(&a, 3, "s-3", Some(at(20)));
    let b1 = generation_job(&b, 1, "s-1", Some(at(5)));
    let b2 = generation_job(&b, 2, "s-2", Some(at(20)));
    // Half a millisecond past a whole one: not due before then.
    let b3 = generation_job(&b, 3, "s-3", Some(at(30) + Duration::microseconds(500)));
    let finished = GenerationJob {
        status: GenerationStatus::Failed,
        claims: 3,
        ..generation_job(&b, 4, "s-4", None)
    };
    for j in [&a3, &b2, &a1, &finished, &b3, &a2, &b1] {
        store.commit(new_generation(j)).await.unwrap();
    }
    // Ties in due time go by org, then id.
    let mut at_20 = vec![a2.clone(), a3.clone(), b2.clone()];
    at_20.sort_by(|x, y| (x.org.as_str(), x.id.as_str()).cmp(&(y.org.as_str(), y.id.as_str())));

    let due = |now| due_of(&*store, &orgs, now);
    assert!(due(at(5) - Duration::milliseconds(1)).await.is_empty());
    assert_eq!(due(at(5)).await, std::slice::from_ref(&b1));
    assert_eq!(due(at(19)).await, [b1.clone(), a1.clone()]);
    let mut expected = vec![b1.clone(), a1.clone()];
    expected.extend(at_20.iter().cloned());
    assert_eq!(due(at(20)).await, expected);
    assert_eq!(
        due(at(30)).await,
        expected,
        "b3 is due half a millisecond later"
    );
    expected.push(b3.clone());
    assert_eq!(due(at(30) + Duration::milliseconds(1)).await, expected);
    assert_eq!(
        due(at(24 * 60)).await,
        expected,
        "a finished record is never due"
    );

    // At most `limit`, the oldest of all first.
    let one = store.due_generations(at(60), 1).await.unwrap();
    assert_eq!(one.len(), 1);
    assert!(one[0].due_at <= b1.due_at);

    // A claim moves its record to its lease's end; finishing takes it out of the index.
    let running = claimed(&b1, at(40));
    store
        .commit(replace_generation(&b1, &running))
        .await
        .unwrap();
    let done = GenerationJob {
        status: GenerationStatus::Succeeded,
        lease_until: None,
        due_at: None,
        ..claimed(&a1, at(40))
    };
    store.commit(replace_generation(&a1, &done)).await.unwrap();
    let mut expected: Vec<GenerationJob> = at_20.clone();
    expected.push(b3.clone());
    assert_eq!(due(at(39)).await, expected);
    expected.push(running);
    assert_eq!(due(at(40)).await, expected);
    assert!(
        !due(at(24 * 60))
            .await
            .iter()
            .any(|j| j.id == a1.id && j.org == a)
    );
}

pub async fn of_concurrent_claims_of_one_generation_exactly_one_wins(store: Arc<dyn Store>) {
    let org = fresh_org();
    let job = generation_job(&org, 1, "s-1", Some(at(0)));
    store.commit(new_generation(&job)).await.unwrap();
    // Each claim holds a lease of its own length and writes a notification naming it.
    let claim = |n: u32| claimed(&job, at(2) + Duration::seconds(i64::from(n)));
    let sets = (0..16)
        .map(|n| Changes {
            notifications: vec![notification(&org, n, "coach-1")],
            ..replace_generation(&job, &claim(n))
        })
        .collect();

    assert_eq!(race(&store, sets).await, 1);

    let inbox = store
        .notifications(&org, &user("coach-1"), 20, None)
        .await
        .unwrap();
    assert_eq!(inbox.len(), 1, "only the winner's notification is stored");
    let winner = inbox[0].data["n"].as_u64().unwrap() as u32;
    assert_eq!(
        store.generation(&org, &job.id).await.unwrap(),
        Some(claim(winner)),
        "the stored record is the winner's claim"
    );
}
