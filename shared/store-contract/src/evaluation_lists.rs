//! Cases: reading a coachee's evaluations: lists newest first by (evaluated_at in milliseconds,
//! id), time and scorecard filters, pages by cursor, and the statistics read of everything.

use crate::evaluations::record;
use crate::fixtures::*;
use chrono::{DateTime, Duration, Utc};
use coaching_domain::evaluation::Evaluation;
use coaching_domain::ids::OrgId;
use coaching_domain::ports::DeliveryOutcome::Applied;
use coaching_domain::ports::{EvaluationDelivery, EvaluationQuery, Store, evaluation_cursor};
use std::collections::HashSet;
use std::sync::Arc;

/// Records `deliveries` a few at a time, each expected to apply.
async fn record_all(store: &Arc<dyn Store>, deliveries: Vec<EvaluationDelivery>) {
    for chunk in deliveries.chunks(16) {
        let mut tasks = tokio::task::JoinSet::new();
        for d in chunk.iter().cloned() {
            let store = store.clone();
            tasks.spawn(async move { (record(&*store, &d).await, d.webhook_id) });
        }
        for (outcome, id) in tasks.join_all().await {
            assert_eq!(outcome, Applied, "delivery {id}");
        }
    }
}

fn query(
    coachee: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    scorecards: &[&str],
) -> EvaluationQuery {
    EvaluationQuery {
        from,
        to,
        scorecards: scorecards.iter().map(|s| (*s).to_owned()).collect(),
        ..of_coachee(coachee)
    }
}

fn ids(items: &[Evaluation]) -> Vec<String> {
    items.iter().map(|e| e.id.as_str().to_owned()).collect()
}

/// Walks `q` page by page with `limit`, checking each page's `next` against its fullness.
async fn walk(store: &dyn Store, org: &OrgId, q: &EvaluationQuery, limit: u32) -> Vec<Evaluation> {
    let mut seen = Vec::new();
    let mut after = None;
    for _ in 0..1_000 {
        let page = store
            .evaluations(org, q, limit, after.as_ref())
            .await
            .unwrap();
        assert!(
            page.items.len() <= limit as usize,
            "a page holds at most `limit` items"
        );
        let full = page.items.len() == limit as usize;
        assert_eq!(
            page.next.is_some(),
            full,
            "`next` is set exactly when the page is full"
        );
        if let Some(next) = &page.next {
            assert_eq!(
                Some(next),
                page.items.last().map(evaluation_cursor).as_ref()
            );
        }
        seen.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => return seen,
        }
    }
    panic!("pagination did not end")
}

/// Asserts that `q` lists exactly `expected` (ids, newest first), as one page, page by page
/// and (in any order) as the statistics read.
async fn assert_reads(store: &dyn Store, org: &OrgId, q: &EvaluationQuery, expected: &[&str]) {
    let page = store.evaluations(org, q, 1_000, None).await.unwrap();
    assert_eq!(ids(&page.items), expected, "evaluations() of {q:?}");
    for limit in [1, 2, 3, 5] {
        let paged = walk(store, org, q, limit).await;
        assert_eq!(paged, page.items, "limit {limit}, {q:?}");
    }
    let mut all = ids(&store.all_evaluations(org, q).await.unwrap());
    all.sort();
    let mut expected = expected.to_vec();
    expected.sort_unstable();
    assert_eq!(all, expected, "all_evaluations() of {q:?}");
}

/// Three evaluations of `agent-1` in one minute (ties by id, descending), other times and
/// scorecards, a deleted one, another coachee's and a look-alike in another org.
async fn seed(store: &Arc<dyn Store>) -> OrgId {
    let org = fresh_org();
    let rows: [(&str, &str, i64, &str); 8] = [
        ("ev-a", "agent-1", 0, "sc-1"),
        ("ev-b", "agent-1", 60, "sc-2"),
        ("ev-c", "agent-1", 60, "sc-1"),
        ("ev-h", "agent-1", 60, "sc-2"),
        ("ev-d", "agent-1", -24 * 60, "sc-1"),
        ("ev-e", "agent-1", 120, "sc-3"),
        ("ev-g", "agent-1", 90, "sc-1"),
        ("ev-f", "agent-2", 30, "sc-1"),
    ];
    let mut deliveries: Vec<_> = rows
        .iter()
        .map(|(id, coachee, minutes, sc)| {
            completed(
                &evaluation(&org, id, coachee, at(*minutes), sc),
                &format!("wh-{id}"),
                ts(0),
            )
        })
        .collect();
    deliveries.push(completed(
        &evaluation(&fresh_org(), "ev-x", "agent-1", at(0), "sc-1"),
        "wh-x",
        ts(0),
    ));
    record_all(store, deliveries).await;
    record_all(store, vec![deleted(&org, "ev-g", "wh-ev-g-deleted", ts(1))]).await;
    org
}

pub async fn evaluation_lists_are_newest_first_and_filter_by_time_and_scorecard(
    store: Arc<dyn Store>,
) {
    let org = seed(&store).await;
    let q = query;
    let cases: [(EvaluationQuery, &[&str]); 12] = [
        (
            of_coachee("agent-1"),
            &["ev-e", "ev-h", "ev-c", "ev-b", "ev-a", "ev-d"],
        ),
        (
            q("agent-1", Some(at(0)), None, &[]),
            &["ev-e", "ev-h", "ev-c", "ev-b", "ev-a"],
        ),
        (q("agent-1", None, Some(at(60)), &[]), &["ev-a", "ev-d"]),
        (
            q("agent-1", Some(at(0)), Some(at(120)), &[]),
            &["ev-h", "ev-c", "ev-b", "ev-a"],
        ),
        (
            q("agent-1", Some(at(60)), Some(at(61)), &[]),
            &["ev-h", "ev-c", "ev-b"],
        ),
        (q("agent-1", Some(at(121)), None, &[]), &[]),
        (
            q("agent-1", None, None, &["sc-1"]),
            &["ev-c", "ev-a", "ev-d"],
        ),
        (
            q("agent-1", None, None, &["sc-1", "sc-3"]),
            &["ev-e", "ev-c", "ev-a", "ev-d"],
        ),
        (q("agent-1", None, None, &["sc-9"]), &[]),
        (
            q("agent-1", Some(at(60)), None, &["sc-2"]),
            &["ev-h", "ev-b"],
        ),
        (of_coachee("agent-2"), &["ev-f"]),
        (of_coachee("nobody"), &[]),
    ];

    for (query, expected) in &cases {
        assert_reads(&*store, &org, query, expected).await;
    }
    // Whole evaluations, not just their ids.
    let page = store
        .evaluations(&org, &of_coachee("agent-2"), 10, None)
        .await
        .unwrap();
    assert_eq!(
        page.items,
        [evaluation(&org, "ev-f", "agent-2", at(30), "sc-1")]
    );
}

pub async fn time_bounds_of_evaluation_reads_are_exact_below_the_millisecond(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let ns = |n: i64| at(0) + Duration::nanoseconds(n);
    // In the first millisecond the ids run against the time: lists order by the millisecond,
    // then the id (the cursor's order), never by the nanoseconds.
    let rows = [
        ("ev-z", 400_000),
        ("ev-m", 500_000),
        ("ev-a", 600_000),
        ("ev-b", 1_000_499),
        ("ev-c", 1_000_500),
    ];
    let deliveries = rows
        .iter()
        .map(|(id, n)| {
            completed(
                &evaluation(&org, id, "agent-1", ns(*n), "sc-1"),
                &format!("wh-{id}"),
                ts(0),
            )
        })
        .collect();
    record_all(&store, deliveries).await;
    let q = query;
    let cases: [(EvaluationQuery, &[&str]); 4] = [
        (
            of_coachee("agent-1"),
            &["ev-c", "ev-b", "ev-z", "ev-m", "ev-a"],
        ),
        (
            q("agent-1", Some(ns(500_000)), Some(ns(1_000_500)), &[]),
            &["ev-b", "ev-m", "ev-a"],
        ),
        (
            q("agent-1", Some(ns(500_001)), None, &[]),
            &["ev-c", "ev-b", "ev-a"],
        ),
        (
            q("agent-1", None, Some(ns(1_000_499)), &[]),
            &["ev-z", "ev-m", "ev-a"],
        ),
    ];

    for (query, expected) in &cases {
        assert_reads(&*store, &org, query, expected).await;
    }
    assert_eq!(
        store
            .evaluation(&org, &eid("ev-b"))
            .await
            .unwrap()
            .map(|e| e.evaluated_at),
        Some(ns(1_000_499)),
        "evaluated_at keeps its nanoseconds"
    );
}

pub async fn all_evaluations_returns_exactly_the_matching_evaluations_of_a_coachee(
    store: Arc<dyn Store>,
) {
    let (org, other) = (fresh_org(), fresh_org());
    let month = 30 * 24 * 60;
    let seeded: Vec<Evaluation> = (0..300)
        .map(|k: i64| {
            // Spread over a month, some sharing a minute.
            let at = at((k * 137) % month) + Duration::nanoseconds(k % 4);
            evaluation(
                &org,
                &format!("ev-{k:03}"),
                &format!("agent-{}", k % 3),
                at,
                &format!("sc-{}", k % 2),
            )
        })
        .collect();
    let mut deliveries: Vec<_> = seeded
        .iter()
        .map(|e| completed(e, &format!("wh-{}", e.id), ts(0)))
        .collect();
    deliveries.extend((0..20).map(|k| {
        let e = evaluation(&other, &format!("ev-{k:03}"), "agent-0", at(k * 60), "sc-0");
        completed(&e, &format!("wh-{k}"), ts(0))
    }));
    record_all(&store, deliveries).await;
    // Every tenth is deleted again.
    let gone: Vec<_> = seeded
        .iter()
        .step_by(10)
        .map(|e| deleted(&org, e.id.as_str(), &format!("wh-{}-deleted", e.id), ts(1)))
        .collect();
    record_all(&store, gone).await;
    let live: Vec<&Evaluation> = seeded
        .iter()
        .enumerate()
        .filter(|(k, _)| k % 10 != 0)
        .map(|(_, e)| e)
        .collect();

    let (day10, day20) = (at(10 * 24 * 60), at(20 * 24 * 60));
    for coachee in ["agent-0", "agent-1", "agent-2"] {
        for q in [
            of_coachee(coachee),
            query(coachee, Some(day10), Some(day20), &[]),
            query(coachee, None, None, &["sc-1"]),
            query(coachee, Some(day10), None, &["sc-0", "sc-1"]),
            query(coachee, None, Some(day20), &["sc-0"]),
        ] {
            let matches = |e: &&&Evaluation| {
                e.coachee_id == q.coachee
                    && q.from.is_none_or(|f| e.evaluated_at >= f)
                    && q.to.is_none_or(|t| e.evaluated_at < t)
                    && (q.scorecards.is_empty() || q.scorecards.contains(&e.scorecard_id))
            };
            let mut expected: Vec<Evaluation> =
                live.iter().filter(matches).map(|e| (*e).clone()).collect();
            assert!(!expected.is_empty());
            expected.sort_by(|a, b| a.id.cmp(&b.id));
            let mut all = store.all_evaluations(&org, &q).await.unwrap();
            all.sort_by(|a, b| a.id.cmp(&b.id));
            assert_eq!(all, expected, "{q:?}");
            // The list walks the same set, newest first, without duplicates.
            expected.sort_by_key(|e| {
                let c = evaluation_cursor(e);
                std::cmp::Reverse((c.sort_key, c.id))
            });
            let paged = walk(&*store, &org, &q, 40).await;
            assert_eq!(ids(&paged), ids(&expected), "{q:?}");
            assert_eq!(
                ids(&paged).into_iter().collect::<HashSet<_>>().len(),
                paged.len()
            );
        }
    }
    assert_eq!(
        store
            .all_evaluations(&other, &of_coachee("agent-0"))
            .await
            .unwrap()
            .len(),
        20
    );
}
