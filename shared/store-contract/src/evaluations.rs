//! Cases: recording webhook deliveries of evaluations: exact round trips, repeated webhook ids,
//! the rank order (stale deliveries, tombstones, coachee moves), and concurrent deliveries.

use crate::fixtures::*;
use chrono::Duration;
use coaching_domain::evaluation::Evaluation;
use coaching_domain::ids::OrgId;
use coaching_domain::ports::DeliveryOutcome::{self, *};
use coaching_domain::ports::{EvaluationDelivery, Store};
use std::sync::Arc;

pub(crate) async fn record(store: &dyn Store, d: &EvaluationDelivery) -> DeliveryOutcome {
    store.record_delivery(d).await.unwrap()
}

pub(crate) async fn stored(store: &dyn Store, org: &OrgId, id: &str) -> Option<Evaluation> {
    store.evaluation(org, &eid(id)).await.unwrap()
}

/// The coachee's evaluations as one list page and as the statistics read (sorted by id).
async fn reads(
    store: &dyn Store,
    org: &OrgId,
    coachee: &str,
) -> (Vec<Evaluation>, Vec<Evaluation>) {
    let page = store
        .evaluations(org, &of_coachee(coachee), 1_000, None)
        .await
        .unwrap();
    assert_eq!(page.next, None, "a page with room to spare is the last");
    let mut all = store
        .all_evaluations(org, &of_coachee(coachee))
        .await
        .unwrap();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    (page.items, all)
}

/// Asserts that the coachee's lists hold exactly `expected` (given newest first).
pub(crate) async fn assert_listed(
    store: &dyn Store,
    org: &OrgId,
    coachee: &str,
    expected: &[&Evaluation],
) {
    let (page, all) = reads(store, org, coachee).await;
    let expected: Vec<Evaluation> = expected.iter().map(|e| (*e).clone()).collect();
    assert_eq!(page, expected, "evaluations() of {coachee}");
    let mut by_id = expected;
    by_id.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(all, by_id, "all_evaluations() of {coachee}");
}

/// `e` as a later delivery describes it: other scores, name and ticket.
fn revised(e: &Evaluation) -> Evaluation {
    let mut r = e.clone();
    r.scorecard_name = "Revised".into();
    r.ticket_url = None;
    r.scores.truncate(1);
    r.received_at += Duration::minutes(5);
    r
}

pub async fn a_completed_evaluation_reads_back_exactly_and_only_in_its_org(store: Arc<dyn Store>) {
    let (org, other) = (fresh_org(), fresh_org());
    let e = evaluation(&org, "ev-1", "agent-1", at(0), "sc-1");

    assert_eq!(
        record(&*store, &completed(&e, "wh-1", ts(0))).await,
        Applied
    );

    assert_eq!(stored(&*store, &org, "ev-1").await, Some(e.clone()));
    assert_eq!(stored(&*store, &other, "ev-1").await, None);
    assert_eq!(stored(&*store, &org, "ev-404").await, None);
    assert_listed(&*store, &org, "agent-1", &[&e]).await;
    assert_listed(&*store, &org, "agent-2", &[]).await;
    assert_listed(&*store, &other, "agent-1", &[]).await;
}

pub async fn a_repeated_webhook_id_is_a_duplicate_and_changes_nothing(store: Arc<dyn Store>) {
    let (org, other) = (fresh_org(), fresh_org());
    let e = evaluation(&org, "ev-1", "agent-1", at(0), "sc-1");
    assert_eq!(
        record(&*store, &completed(&e, "wh-1", ts(0))).await,
        Applied
    );
    let mut moved = revised(&e);
    moved.coachee_id = user("agent-2");

    // Even with another payload and a higher rank, the same id is the same message.
    assert_eq!(
        record(&*store, &completed(&e, "wh-1", ts(0))).await,
        Duplicate
    );
    assert_eq!(
        record(&*store, &completed(&moved, "wh-1", ts(60))).await,
        Duplicate
    );
    assert_eq!(
        record(&*store, &deleted(&org, "ev-1", "wh-1", ts(60))).await,
        Duplicate
    );
    let second = evaluation(&org, "ev-2", "agent-1", at(10), "sc-1");
    assert_eq!(
        record(&*store, &completed(&second, "wh-1", ts(60))).await,
        Duplicate
    );

    assert_eq!(stored(&*store, &org, "ev-1").await, Some(e.clone()));
    assert_eq!(stored(&*store, &org, "ev-2").await, None);
    assert_listed(&*store, &org, "agent-1", &[&e]).await;
    assert_listed(&*store, &org, "agent-2", &[]).await;
    // Webhook ids are the org's own: another org's delivery with the same id is new.
    let elsewhere = evaluation(&other, "ev-1", "agent-1", at(0), "sc-1");
    assert_eq!(
        record(&*store, &completed(&elsewhere, "wh-1", ts(0))).await,
        Applied
    );
    assert_eq!(stored(&*store, &other, "ev-1").await, Some(elsewhere));
}

pub async fn a_delivery_of_lower_or_equal_rank_is_stale_and_keeps_the_stored_state(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let e = evaluation(&org, "ev-1", "agent-1", at(0), "sc-1");
    assert_eq!(
        record(&*store, &completed(&e, "wh-1", ts(100))).await,
        Applied
    );
    let late = revised(&e);

    assert_eq!(
        record(&*store, &completed(&late, "wh-2", ts(99))).await,
        Stale
    );
    assert_eq!(
        record(&*store, &completed(&late, "wh-3", ts(100))).await,
        Stale
    );

    assert_eq!(stored(&*store, &org, "ev-1").await, Some(e.clone()));
    assert_listed(&*store, &org, "agent-1", &[&e]).await;
    // A stale delivery's webhook id is recorded all the same.
    assert_eq!(
        record(&*store, &completed(&late, "wh-2", ts(200))).await,
        Duplicate
    );
    assert_eq!(stored(&*store, &org, "ev-1").await, Some(e));
}

pub async fn a_higher_rank_replaces_the_evaluation_and_can_move_it_to_another_coachee(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let e = evaluation(&org, "ev-1", "agent-1", at(0), "sc-1");
    assert_eq!(
        record(&*store, &completed(&e, "wh-1", ts(100))).await,
        Applied
    );
    let mut moved = revised(&evaluation(&org, "ev-1", "agent-2", at(30), "sc-2"));
    moved.evaluated_at += Duration::nanoseconds(1);

    assert_eq!(
        record(&*store, &completed(&moved, "wh-2", ts(101))).await,
        Applied
    );

    assert_eq!(stored(&*store, &org, "ev-1").await, Some(moved.clone()));
    assert_listed(&*store, &org, "agent-1", &[]).await;
    assert_listed(&*store, &org, "agent-2", &[&moved]).await;
    // The older state arriving late does not move it back.
    assert_eq!(
        record(&*store, &completed(&e, "wh-3", ts(100))).await,
        Stale
    );
    assert_listed(&*store, &org, "agent-1", &[]).await;
    assert_listed(&*store, &org, "agent-2", &[&moved]).await;
}

pub async fn a_tombstone_hides_the_evaluation_from_every_read_and_older_deliveries_stay_stale(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let e = evaluation(&org, "ev-1", "agent-1", at(0), "sc-1");
    let kept = evaluation(&org, "ev-2", "agent-1", at(5), "sc-1");
    assert_eq!(
        record(&*store, &completed(&e, "wh-1", ts(100))).await,
        Applied
    );
    assert_eq!(
        record(&*store, &completed(&kept, "wh-2", ts(100))).await,
        Applied
    );

    assert_eq!(
        record(&*store, &deleted(&org, "ev-1", "wh-3", ts(200))).await,
        Applied
    );

    assert_eq!(stored(&*store, &org, "ev-1").await, None);
    assert_listed(&*store, &org, "agent-1", &[&kept]).await;
    // Older completions arriving late, one in the deletion's own second, and a second
    // deletion of the same rank change nothing.
    assert_eq!(
        record(&*store, &completed(&e, "wh-4", ts(150))).await,
        Stale
    );
    assert_eq!(
        record(&*store, &completed(&e, "wh-5", ts(200))).await,
        Stale
    );
    assert_eq!(
        record(&*store, &deleted(&org, "ev-1", "wh-6", ts(200))).await,
        Stale
    );
    assert_eq!(stored(&*store, &org, "ev-1").await, None);
    assert_listed(&*store, &org, "agent-1", &[&kept]).await;
    // A later completion brings it back.
    let back = revised(&e);
    assert_eq!(
        record(&*store, &completed(&back, "wh-7", ts(201))).await,
        Applied
    );
    assert_eq!(stored(&*store, &org, "ev-1").await, Some(back.clone()));
    assert_listed(&*store, &org, "agent-1", &[&kept, &back]).await;
}

pub async fn a_tombstone_of_an_unknown_evaluation_is_applied_and_blocks_older_deliveries(
    store: Arc<dyn Store>,
) {
    let (org, other) = (fresh_org(), fresh_org());
    let e = evaluation(&org, "ev-1", "agent-1", at(0), "sc-1");

    assert_eq!(
        record(&*store, &deleted(&org, "ev-1", "wh-1", ts(100))).await,
        Applied
    );

    assert_eq!(stored(&*store, &org, "ev-1").await, None);
    // The completion it overtook arrives after it.
    assert_eq!(record(&*store, &completed(&e, "wh-2", ts(99))).await, Stale);
    assert_eq!(
        record(&*store, &completed(&e, "wh-3", ts(100))).await,
        Stale
    );
    assert_eq!(stored(&*store, &org, "ev-1").await, None);
    assert_listed(&*store, &org, "agent-1", &[]).await;
    // The tombstone is its org's only.
    let elsewhere = evaluation(&other, "ev-1", "agent-1", at(0), "sc-1");
    assert_eq!(
        record(&*store, &completed(&elsewhere, "wh-2", ts(99))).await,
        Applied
    );
    assert_eq!(stored(&*store, &other, "ev-1").await, Some(elsewhere));
}

pub async fn a_webhook_id_is_remembered_until_its_remember_until(store: Arc<dyn Store>) {
    let org = fresh_org();
    let first = completed(
        &evaluation(&org, "ev-0", "agent-1", at(0), "sc-1"),
        "wh-0",
        ts(0),
    );
    let keep = first.remember_until.timestamp() - ts(0);
    assert_eq!(record(&*store, &first).await, Applied);

    // Deliveries keep arriving (stores may prune expired ids as they record new ones) ...
    for (n, after) in [60, 3_600, 86_400, keep - 3_600, keep - 1]
        .into_iter()
        .enumerate()
    {
        let e = evaluation(&org, &format!("ev-{}", n + 1), "agent-1", at(0), "sc-1");
        let d = completed(&e, &format!("wh-{}", n + 1), ts(after));
        assert_eq!(record(&*store, &d).await, Applied);
    }

    // ... and the sender's retry, signed a second before the id may be forgotten, is known.
    let mut retry = first.clone();
    retry.timestamp = ts(keep - 1);
    retry.rank = coaching_domain::webhook::delivery_rank(retry.timestamp, false);
    assert_eq!(record(&*store, &retry).await, Duplicate);
    assert_eq!(record(&*store, &first).await, Duplicate);
}
