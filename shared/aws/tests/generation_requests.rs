//! Generation records, counted: a write is part of the one TransactWriteItems of its commit
//! (new only where none exists, a claim only on the expected status and claims: otherwise a
//! Conflict that writes nothing), a read by id one GetItem, and the due read one Query per day
//! partition of its look-back (fewer once `limit` is reached). Never a Scan.

mod common;

use chrono::{DateTime, Duration, Utc};
use coaching_domain::evaluation::GenerationStatus;
use coaching_domain::generation::{GenerationJob, GenerationPut, GenerationRequest};
use coaching_domain::ids::{GenerationId, OrgId, SessionId};
use coaching_domain::ports::{Changes, GenerationStore, SessionStore, StoreError};
use coaching_store_contract::fixtures::*;
use common::{counted, fresh_store, only};

fn job(org: &OrgId, id: &str, due_at: Option<DateTime<Utc>>) -> GenerationJob {
    GenerationJob {
        id: GenerationId::parse(id).unwrap(),
        org: org.clone(),
        session_id: SessionId::parse("s-1").unwrap(),
        request: GenerationRequest::default(),
        status: GenerationStatus::Queued,
        claims: 0,
        lease_until: None,
        due_at,
        created_at: at(0),
    }
}

fn write(job: &GenerationJob, expected: Option<(GenerationStatus, u32)>) -> Changes {
    Changes {
        generations: vec![GenerationPut {
            job: job.clone(),
            expected,
        }],
        ..Changes::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn generation_records_cost_one_request_each_and_the_due_read_a_query_per_day() {
    let store = fresh_store().await;
    let org = fresh_org();
    let now = at(0);
    let old = job(&org, "g-old", Some(now - Duration::days(6)));
    let queued = job(&org, "g-1", Some(now - Duration::minutes(1)));
    let later = job(&org, "g-later", Some(now + Duration::minutes(2)));

    let (done, sent) = counted(&store, async |st| st.commit(write(&queued, None)).await).await;
    done.unwrap();
    assert_eq!(sent.to_string(), only("TransactWriteItems"), "a new record");
    store.commit(write(&old, None)).await.unwrap();
    store.commit(write(&later, None)).await.unwrap();
    let (again, sent) = counted(&store, async |st| st.commit(write(&queued, None)).await).await;
    assert_eq!(again, Err(StoreError::Conflict), "a record exists");
    assert_eq!(sent.to_string(), only("TransactWriteItems"));

    let (found, sent) = counted(&store, async |st| st.generation(&org, &queued.id).await).await;
    assert_eq!(found.unwrap(), Some(queued.clone()));
    assert_eq!(sent.to_string(), only("GetItem"), "a record by id");
    let other = OrgId::parse(format!("{org}-other")).unwrap();
    assert_eq!(store.generation(&other, &queued.id).await.unwrap(), None);

    let (due, sent) = counted(&store, async |st| st.due_generations(now, 100).await).await;
    assert_eq!(due.unwrap(), [old.clone(), queued.clone()]);
    assert_eq!(sent.to_string(), "{Query=8}", "every day of the look-back");
    let (due, sent) = counted(&store, async |st| st.due_generations(now, 1).await).await;
    assert_eq!(due.unwrap(), std::slice::from_ref(&old));
    assert_eq!(
        sent.to_string(),
        "{Query=2}",
        "a limit reached in the oldest days reads no later day"
    );

    // A claim: conditional on the status and claims read; a second claim of the same read loses.
    let mut claimed = queued.clone();
    claimed.status = GenerationStatus::Running;
    claimed.claims = 1;
    claimed.lease_until = Some(now + Duration::seconds(120));
    claimed.due_at = claimed.lease_until;
    let claim = write(&claimed, Some((GenerationStatus::Queued, 0)));
    let (done, sent) = counted(&store, async |st| st.commit(claim.clone()).await).await;
    done.unwrap();
    assert_eq!(sent.to_string(), only("TransactWriteItems"), "a claim");
    let (lost, sent) = counted(&store, async |st| st.commit(claim).await).await;
    assert_eq!(lost, Err(StoreError::Conflict), "the record moved on");
    assert_eq!(sent.to_string(), only("TransactWriteItems"));
    assert_eq!(
        store.generation(&org, &queued.id).await.unwrap(),
        Some(claimed.clone())
    );
    let missing = job(&org, "g-missing", Some(now));
    assert_eq!(
        store
            .commit(write(&missing, Some((GenerationStatus::Queued, 0))))
            .await,
        Err(StoreError::Conflict),
        "an expectation on a missing record"
    );

    // Running under a lease: due again when the lease lapses; finished: out of the index.
    assert_eq!(
        store.due_generations(now, 100).await.unwrap(),
        std::slice::from_ref(&old)
    );
    let lapsed = now + Duration::seconds(121);
    assert_eq!(
        store.due_generations(lapsed, 100).await.unwrap(),
        [old.clone(), claimed.clone(), later.clone()]
    );
    let mut finished = claimed.clone();
    finished.status = GenerationStatus::Succeeded;
    finished.lease_until = None;
    finished.due_at = None;
    store
        .commit(write(&finished, Some((GenerationStatus::Running, 1))))
        .await
        .unwrap();
    assert_eq!(
        store.due_generations(lapsed, 100).await.unwrap(),
        [old, later]
    );

    // With a session in one transaction: a stale session version writes neither.
    let s = session(&org, "s-1", "c1", "k1", at(60));
    store.commit(insert(&[&s])).await.unwrap();
    let next = job(&org, "g-2", Some(now));
    let stale = Changes {
        generations: vec![GenerationPut {
            job: next.clone(),
            expected: None,
        }],
        ..update(&bumped(&bumped(&s)), s.version + 1)
    };
    assert_eq!(store.commit(stale).await, Err(StoreError::Conflict));
    assert_eq!(store.generation(&org, &next.id).await.unwrap(), None);
    assert_eq!(store.requests().get("Scan"), 0);
}
