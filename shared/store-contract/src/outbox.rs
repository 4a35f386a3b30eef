//! Cases: the outbox claims. Every notification waits in the outbox until the relay publishes
//! it, and a failed change set leaves no event behind.
//!
//! Claims span every org, and some stores serve several cases: each case claims with a large
//! limit and keeps only its own org's events.

use crate::fixtures::*;
use chrono::{DateTime, Duration, Utc};
use coaching_domain::ids::OrgId;
use coaching_domain::ports::{Changes, OutboxEvent, Store};
use std::sync::Arc;

const ALL: u32 = 10_000;

async fn claim_own(
    store: &dyn Store,
    org: &OrgId,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<OutboxEvent> {
    let all = store.claim_events(now, until, ALL).await.unwrap();
    assert!(
        all.windows(2).all(|w| w[0].created_at <= w[1].created_at),
        "events come oldest first"
    );
    all.into_iter().filter(|e| e.org == org.as_str()).collect()
}

pub async fn every_notification_waits_in_the_outbox_until_published(store: Arc<dyn Store>) {
    let org = fresh_org();
    let (first, second) = (
        notification(&org, 1, "coach-1"),
        notification(&org, 2, "client-1"),
    );
    let s = session(&org, "s-1", "coach-1", "client-1", at(0));
    store
        .commit(Changes {
            notifications: vec![second.clone(), first.clone()],
            ..book(&s, &[slot("coach-1", 0)])
        })
        .await
        .unwrap();
    let now = at(10);

    let claimed = claim_own(&*store, &org, now, now + Duration::seconds(60)).await;

    let ids: Vec<_> = claimed.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, [first.id.as_str(), second.id.as_str()]);
    assert_eq!(claimed[0].org, org.as_str());
    assert_eq!(claimed[0].kind, "session_booked");
    assert_eq!(claimed[0].created_at, first.created_at);
    assert_eq!(claimed[0].payload, serde_json::to_value(&first).unwrap());
    // Claimed: nobody else gets them while the claim holds.
    assert!(
        claim_own(
            &*store,
            &org,
            now + Duration::seconds(59),
            now + Duration::seconds(120)
        )
        .await
        .is_empty()
    );
    // The first is published; the claim on the second lapses (its relay died): it comes back.
    store.mark_published(&claimed[..1]).await.unwrap();
    let again = claim_own(
        &*store,
        &org,
        now + Duration::seconds(60),
        now + Duration::seconds(120),
    )
    .await;
    assert_eq!(again, claimed[1..].to_vec());
    store.mark_published(&again).await.unwrap();
    store.mark_published(&again).await.unwrap();
    assert!(
        claim_own(
            &*store,
            &org,
            now + Duration::hours(1),
            now + Duration::hours(2)
        )
        .await
        .is_empty()
    );
}

pub async fn a_change_set_that_fails_leaves_no_event_behind(store: Arc<dyn Store>) {
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

    assert!(claim_own(&*store, &org, at(10), at(11)).await.is_empty());
}
