//! The evaluation and org ports, counted: a delivery is one TransactWriteItems (a stale one a
//! PutItem more), a read by id one GetItem, a list page one Query, org records one request
//! each; and the statistics read costs exactly one Query per result page of the coachee's
//! range, whatever else the table holds. Never a Scan. Also: a webhook id is forgotten by its
//! condition, not by the TTL having run.

mod common;

use chrono::{DateTime, Utc};
use coaching_aws::DynamoStore;
use coaching_domain::evaluation::{CriterionScore, Evaluation};
use coaching_domain::ids::{CriterionId, OrgId};
use coaching_domain::org::OrgSettings;
use coaching_domain::ports::DeliveryOutcome::{Applied, Duplicate, Stale};
use coaching_domain::ports::{EvaluationQuery, EvaluationStore, evaluation_cursor};
use coaching_store_contract::fixtures::*;
use common::{counted, fresh_store, only};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn deliveries_and_reads_of_evaluations_and_org_records_are_one_request_each() {
    let store = fresh_store().await;
    let org = fresh_org();
    let e = evaluation(&org, "ev-1", "agent-1", at(0), "sc-1");
    for k in 2..6 {
        let other = evaluation(&org, &format!("ev-{k}"), "agent-1", at(k), "sc-2");
        let d = completed(&other, &format!("wh-{k}"), ts(0));
        assert_eq!(store.record_delivery(&d).await, Ok(Applied));
    }

    let delivery = completed(&e, "wh-1", ts(100));
    let (outcome, sent) = counted(&store, async |st| st.record_delivery(&delivery).await).await;
    assert_eq!(outcome, Ok(Applied));
    assert_eq!(
        sent.to_string(),
        only("TransactWriteItems"),
        "a new delivery"
    );
    let (outcome, sent) = counted(&store, async |st| st.record_delivery(&delivery).await).await;
    assert_eq!(outcome, Ok(Duplicate));
    assert_eq!(sent.to_string(), only("TransactWriteItems"), "a repeat");
    let older = completed(&e, "wh-older", ts(99));
    let (outcome, sent) = counted(&store, async |st| st.record_delivery(&older).await).await;
    assert_eq!(outcome, Ok(Stale));
    assert_eq!(
        sent.to_string(),
        "{PutItem=1, TransactWriteItems=1}",
        "an outranked delivery: its webhook id is remembered on its own"
    );
    let (outcome, sent) = counted(&store, async |st| st.record_delivery(&older).await).await;
    assert_eq!(outcome, Ok(Duplicate));
    assert_eq!(sent.to_string(), only("TransactWriteItems"));

    let (found, sent) = counted(&store, async |st| st.evaluation(&org, &e.id).await).await;
    assert_eq!(found, Ok(Some(e.clone())));
    assert_eq!(sent.to_string(), only("GetItem"), "an evaluation by id");
    let lists = [
        (query("agent-1", None, None, &[]), 2),
        (query("agent-1", Some(at(1)), Some(at(4)), &[]), 2),
        (query("agent-1", None, None, &["sc-1"]), 1),
        (query("agent-1", Some(at(0)), None, &["sc-2", "sc-1"]), 2),
        (query("nobody", None, None, &[]), 0),
    ];
    for (q, expected) in lists {
        let (page, sent) =
            counted(&store, async |st| st.evaluations(&org, &q, 2, None).await).await;
        let page = page.unwrap();
        assert_eq!(page.items.len(), expected, "{q:?}");
        assert_eq!(sent.to_string(), only("Query"), "a list page: {q:?}");
        let Some(after) = page.next else { continue };
        let (rest, sent) = counted(&store, async |st| {
            st.evaluations(&org, &q, 10, Some(&after)).await
        })
        .await;
        let rest = rest.unwrap();
        assert!(rest.items.iter().all(|r| !page.items.contains(r)), "{q:?}");
        assert_eq!(sent.to_string(), only("Query"), "a later page: {q:?}");
    }
    let (all, sent) = counted(&store, async |st| {
        st.all_evaluations(&org, &of_coachee("agent-1")).await
    })
    .await;
    assert_eq!(all.unwrap().len(), 5);
    assert_eq!(sent.to_string(), only("Query"), "a small statistics read");

    let gone = deleted(&org, "ev-1", "wh-deleted", ts(101));
    let (outcome, sent) = counted(&store, async |st| st.record_delivery(&gone).await).await;
    assert_eq!(outcome, Ok(Applied));
    assert_eq!(sent.to_string(), only("TransactWriteItems"), "a deletion");
    let (found, sent) = counted(&store, async |st| st.evaluation(&org, &e.id).await).await;
    assert_eq!(found, Ok(None));
    assert_eq!(sent.to_string(), only("GetItem"), "a tombstone by id");

    org_records_are_one_request_each(&store, &org).await;
    assert_eq!(store.requests().get("Scan"), 0);
}

async fn org_records_are_one_request_each(store: &DynamoStore, org: &OrgId) {
    let settings = OrgSettings {
        include_soft_criteria: true,
        kb_links_enabled: true,
    };
    let (done, sent) = counted(store, async |st| st.put_org_settings(org, &settings).await).await;
    done.unwrap();
    assert_eq!(sent.to_string(), only("PutItem"), "putting org settings");
    let (found, sent) = counted(store, async |st| st.org_settings(org).await).await;
    assert_eq!(found, Ok(settings));
    assert_eq!(sent.to_string(), only("GetItem"), "org settings");
    let (done, sent) = counted(store, async |st| {
        st.put_webhook_secret(org, "whsec_x").await
    })
    .await;
    done.unwrap();
    assert_eq!(
        sent.to_string(),
        only("PutItem"),
        "putting the webhook secret"
    );
    let (found, sent) = counted(store, async |st| st.webhook_secret(org).await).await;
    assert_eq!(found, Ok(Some("whsec_x".to_owned())));
    assert_eq!(sent.to_string(), only("GetItem"), "the webhook secret");
    let article = kb_article(org, 1, "Tone");
    let (done, sent) = counted(store, async |st| st.put_kb_article(&article).await).await;
    done.unwrap();
    assert_eq!(sent.to_string(), only("PutItem"), "a new article");
    let (found, sent) = counted(store, async |st| st.kb_articles(org, 10, None).await).await;
    assert_eq!(found, Ok(vec![article.clone()]));
    assert_eq!(sent.to_string(), only("Query"), "an article page");
    let (existed, sent) = counted(store, async |st| {
        st.delete_kb_article(org, &article.id).await
    })
    .await;
    assert_eq!(existed, Ok(true));
    assert_eq!(sent.to_string(), only("DeleteItem"), "deleting an article");
}

/// The JSON size of every evaluation of the statistics test: with the item's keys and other
/// attributes (a few hundred bytes) an item is 40,400 to 41,400 bytes, so a result page of
/// moto's 1,000,000 bytes (`RESULT_SIZE_LIMIT`) holds exactly 24 of them (25 would be 1,010,000
/// bytes or more; 24 are at most 993,600). On DynamoDB (1 MB = 1,048,576) it would be 25.
const DOC_BYTES: usize = 40_400;
const PER_PAGE: usize = 24;

/// An evaluation of `DOC_BYTES` as JSON: nine criteria, each with an evaluator comment of up to
/// 4,600 characters (the domain allows 5,000).
fn big(org: &OrgId, k: usize, coachee: &str, evaluated_at: DateTime<Utc>) -> Evaluation {
    let scorecard = if k.is_multiple_of(2) {
        "sc-even"
    } else {
        "sc-odd"
    };
    let mut e = evaluation(org, &format!("ev-{k:04}"), coachee, evaluated_at, scorecard);
    e.scores = (0..9)
        .map(|c| CriterionScore {
            criterion_id: CriterionId::parse(format!("criterion-{c}")).unwrap(),
            criterion_name: format!("Criterion {c}"),
            score: Some(1.0),
            max_score: 4.0,
            soft: c % 2 == 0,
            comment: Some(String::new()),
        })
        .collect();
    let mut missing = DOC_BYTES - serde_json::to_vec(&e).unwrap().len();
    for score in &mut e.scores {
        let n = missing.min(4_600);
        score.comment = Some("x".repeat(n));
        missing -= n;
    }
    assert_eq!(missing, 0);
    assert_eq!(serde_json::to_vec(&e).unwrap().len(), DOC_BYTES);
    e
}

fn pages(items: usize) -> u64 {
    u64::try_from(items.div_ceil(PER_PAGE).max(1)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn all_evaluations_costs_one_query_per_result_page_of_the_coachees_range() {
    let store = fresh_store().await;
    let org = fresh_org();
    // agent-1: 330 evaluations a minute apart, 30 of them deleted again (tombstones leave the
    // index); agent-2: 60 in the same minutes, and another org's agent-1: 30.
    let mut live = Vec::new();
    for k in 0..330 {
        let e = big(&org, k, "agent-1", at(i64::try_from(k).unwrap()));
        let d = completed(&e, &format!("wh-{k}"), ts(0));
        assert_eq!(store.record_delivery(&d).await, Ok(Applied));
        if k % 11 == 5 {
            let gone = deleted(&org, e.id.as_str(), &format!("wh-{k}-deleted"), ts(1));
            assert_eq!(store.record_delivery(&gone).await, Ok(Applied));
        } else {
            live.push(e);
        }
    }
    assert_eq!(live.len(), 300);
    for k in 0..60 {
        let e = big(&org, 1_000 + k, "agent-2", at(i64::try_from(k).unwrap()));
        let d = completed(&e, &format!("wh-agent-2-{k}"), ts(0));
        assert_eq!(store.record_delivery(&d).await, Ok(Applied));
    }
    let other = fresh_org();
    for k in 0..30 {
        let e = big(&other, k, "agent-1", at(i64::try_from(k).unwrap()));
        let d = completed(&e, &format!("wh-{k}"), ts(0));
        assert_eq!(store.record_delivery(&d).await, Ok(Applied));
    }

    let (from, to) = (at(100), at(200));
    let in_range = live
        .iter()
        .filter(|e| e.evaluated_at >= from && e.evaluated_at < to)
        .count();
    // The last page is not full, so no empty page follows it.
    assert_ne!(in_range % PER_PAGE, 0);
    let even = live.iter().filter(|e| e.scorecard_id == "sc-even").count();
    let reads = [
        (
            query("agent-1", None, None, &[]),
            live.len(),
            pages(live.len()),
        ),
        (
            query("agent-1", Some(from), Some(to), &[]),
            in_range,
            pages(in_range),
        ),
        // A scorecard filter drops items after they are read: the same pages.
        (
            query("agent-1", None, None, &["sc-even"]),
            even,
            pages(live.len()),
        ),
        (query("agent-3", None, None, &[]), 0, 1),
    ];
    for (q, expected, expected_pages) in reads {
        let (all, sent) = counted(&store, async |st| st.all_evaluations(&org, &q).await).await;
        let all = all.unwrap();
        assert_eq!(all.len(), expected, "{q:?}");
        assert!(
            all.iter()
                .all(|e| e.coachee_id == q.coachee && e.org == org)
        );
        eprintln!("all_evaluations({q:?}): {} evaluations, {sent}", all.len());
        assert_eq!(
            sent.to_string(),
            format!("{{Query={expected_pages}}}"),
            "one Query per result page: {q:?}"
        );
    }
    assert_eq!(pages(300), 13);

    // A list page of 50 such evaluations spans three result pages; the next page starts
    // right after it.
    let q = of_coachee("agent-1");
    let (page, sent) = counted(&store, async |st| st.evaluations(&org, &q, 50, None).await).await;
    let page = page.unwrap();
    assert_eq!(sent.to_string(), "{Query=3}");
    let mut newest: Vec<&Evaluation> = live.iter().collect();
    newest.sort_by_key(|e| std::cmp::Reverse(evaluation_cursor(e).sort_key));
    assert_eq!(page.items.first(), newest.first().copied());
    assert_eq!(page.next, page.items.last().map(evaluation_cursor));
    let (next, _) = counted(&store, async |st| {
        st.evaluations(&org, &q, 1, page.next.as_ref()).await
    })
    .await;
    assert_eq!(next.unwrap().items.first(), newest.get(50).copied());
    assert_eq!(store.requests().get("Scan"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn a_webhook_id_expired_an_hour_before_a_delivery_is_new_again_whether_or_not_ttl_ran() {
    let store = fresh_store().await;
    let org = fresh_org();
    let first = completed(
        &evaluation(&org, "ev-1", "agent-1", at(0), "sc-1"),
        "wh-1",
        ts(0),
    );
    assert_eq!(store.record_delivery(&first).await, Ok(Applied));
    let expires = first.remember_until.timestamp();
    let again = |timestamp: i64| {
        let e = evaluation(&org, "ev-1", "agent-1", at(0), "sc-1");
        completed(&e, "wh-1", timestamp)
    };

    // Within an hour after `remember_until` (a sender's clock may run minutes ahead), still
    // known; then new, although moto (like DynamoDB, for days) has not deleted the item.
    assert_eq!(
        store.record_delivery(&again(expires + 3_600)).await,
        Ok(Duplicate)
    );
    assert_eq!(
        store.record_delivery(&again(expires + 3_601)).await,
        Ok(Applied)
    );
    assert_eq!(
        store.record_delivery(&again(expires + 3_601)).await,
        Ok(Duplicate)
    );
}
