//! Cases: concurrent webhook deliveries: of one evaluation the highest rank ends stored,
//! whatever the interleaving; of one webhook id exactly one is recorded.

use crate::evaluations::{assert_listed, stored};
use crate::fixtures::*;
use coaching_domain::ids::OrgId;
use coaching_domain::ports::DeliveryOutcome::{self, *};
use coaching_domain::ports::{EvaluationDelivery, Store};
use std::sync::Arc;

/// The deliveries of the races: one evaluation, `n` ranks shuffled, a tombstone beside some,
/// each naming another coachee, each with its own webhook id.
fn contenders(org: &OrgId, id: &str, n: i64) -> Vec<EvaluationDelivery> {
    let mut all = Vec::new();
    for i in 0..n {
        let coachee = format!("agent-{}", i % 3);
        let e = evaluation(org, id, &coachee, at(i), "sc-1");
        all.push(completed(&e, &format!("wh-{id}-{i}"), ts(i)));
        if i % 5 == 2 {
            all.push(deleted(org, id, &format!("wh-{id}-{i}-deleted"), ts(i)));
        }
    }
    // A fixed shuffle: the highest ranks are not the last spawned.
    let len = all.len();
    (0..len).map(|k| all[(k * 7) % len].clone()).collect()
}

async fn race(
    store: &Arc<dyn Store>,
    deliveries: Vec<EvaluationDelivery>,
) -> Vec<(EvaluationDelivery, DeliveryOutcome)> {
    let barrier = Arc::new(tokio::sync::Barrier::new(deliveries.len()));
    let mut tasks = tokio::task::JoinSet::new();
    for d in deliveries {
        let (store, barrier) = (store.clone(), barrier.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            let outcome = store.record_delivery(&d).await.unwrap();
            (d, outcome)
        });
    }
    tasks.join_all().await
}

pub async fn of_concurrent_deliveries_of_one_evaluation_the_highest_rank_ends_stored(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    // 20 completions (the highest last), 4 tombstones among them.
    let deliveries = contenders(&org, "ev-1", 20);
    assert_eq!(deliveries.len(), 24);
    let top = deliveries.iter().max_by_key(|d| d.rank).unwrap().clone();

    let results = race(&store, deliveries).await;

    assert!(results.iter().all(|(_, o)| *o != Duplicate), "{results:?}");
    assert!(results.iter().any(|(d, o)| *d == top && *o == Applied));
    let winner = top.evaluation.clone().unwrap();
    assert_eq!(stored(&*store, &org, "ev-1").await, Some(winner.clone()));
    assert_listed(&*store, &org, "agent-1", &[&winner]).await;
    for coachee in ["agent-0", "agent-2"] {
        assert_listed(&*store, &org, coachee, &[]).await;
    }

    // When the highest rank is a tombstone (ts(12), 12 % 5 == 2), the evaluation ends up
    // deleted.
    let deliveries = contenders(&org, "ev-2", 13);
    assert!(
        deliveries
            .iter()
            .max_by_key(|d| d.rank)
            .unwrap()
            .evaluation
            .is_none()
    );
    race(&store, deliveries).await;
    assert_eq!(stored(&*store, &org, "ev-2").await, None);
    for coachee in ["agent-0", "agent-2"] {
        assert_listed(&*store, &org, coachee, &[]).await;
    }
    assert_listed(&*store, &org, "agent-1", &[&winner]).await;
}

pub async fn of_concurrent_deliveries_with_one_webhook_id_exactly_one_is_recorded(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let deliveries: Vec<_> = (0..20)
        .map(|i| {
            let e = evaluation(&org, &format!("ev-{i}"), "agent-1", at(i), "sc-1");
            completed(&e, "wh-1", ts(i))
        })
        .collect();

    let results = race(&store, deliveries).await;

    let recorded: Vec<_> = results.iter().filter(|(_, o)| *o != Duplicate).collect();
    assert_eq!(recorded.len(), 1, "{results:?}");
    let (winner, outcome) = recorded[0];
    assert_eq!(*outcome, Applied);
    let winner = winner.evaluation.as_ref().unwrap();
    assert_listed(&*store, &org, "agent-1", &[winner]).await;
}
