//! A rough measure of the store alone (run with `--release -- --ignored --nocapture`): reads by
//! id at 32 concurrent tasks, bookings per second, webhook deliveries per second and the
//! criteria-stats read of 2,000 evaluations. The HTTP benchmark is the real target.

use coaching_domain::ports::SessionStore;
use coaching_sqlite::SqliteStore;
use coaching_store_contract::fixtures::{at, book, fresh_org, session, slot};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check"]
async fn reads_by_id_and_bookings_per_second() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("bench.db").to_str().unwrap()).unwrap();
    let org = fresh_org();

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..32 {
        let (store, org) = (store.clone(), org.clone());
        tasks.spawn(async move {
            for i in 0..200 {
                let n = t * 1000 + i;
                let s = session(
                    &org,
                    &format!("s-{n}"),
                    &format!("c{t}"),
                    "k1",
                    at(i64::from(i) * 60),
                );
                store
                    .commit(book(&s, &[slot(&format!("c{t}"), i64::from(i) * 60)]))
                    .await
                    .unwrap();
            }
        });
    }
    tasks.join_all().await;
    let booked = 32.0 * 200.0;
    println!(
        "bookings: {:.0}/s",
        booked / started.elapsed().as_secs_f64()
    );

    let mut tasks = tokio::task::JoinSet::new();
    let started = Instant::now();
    for t in 0..32 {
        let (store, org) = (store.clone(), org.clone());
        tasks.spawn(async move {
            let mut lat = Vec::new();
            for i in 0..500 {
                let id =
                    coaching_domain::ids::SessionId::parse(format!("s-{}", t * 1000 + i % 200))
                        .unwrap();
                let t0 = Instant::now();
                assert!(store.session(&org, &id).await.unwrap().is_some());
                lat.push(t0.elapsed());
                tokio::task::yield_now().await;
            }
            lat
        });
    }
    let mut lat: Vec<Duration> = tasks.join_all().await.into_iter().flatten().collect();
    let total = started.elapsed();
    lat.sort();
    let p = |q: f64| lat[((lat.len() as f64 - 1.0) * q) as usize];
    println!(
        "gets: {:.0}/s, p50 {:?}, p99 {:?}, max {:?}",
        lat.len() as f64 / total.as_secs_f64(),
        p(0.5),
        p(0.99),
        p(1.0)
    );
}

/// The criteria-stats read: 2,000 evaluations × 8 criteria of one coachee, read and decoded
/// whole (target p99 ≤ 50 ms), while 8 concurrent tasks record webhook deliveries (the webhook
/// target is 1,000/s over HTTP).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a measurement, not a check"]
async fn criteria_stats_reads_and_deliveries_per_second() {
    use coaching_domain::evaluation::CriterionScore;
    use coaching_domain::ids::CriterionId;
    use coaching_domain::ports::EvaluationStore;
    use coaching_store_contract::fixtures::{completed, evaluation, of_coachee, ts};

    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("bench.db").to_str().unwrap()).unwrap();
    let org = fresh_org();
    let eight = |mut e: coaching_domain::evaluation::Evaluation| {
        e.scores = (0..8)
            .map(|c| CriterionScore {
                criterion_id: CriterionId::parse(format!("criterion-{c}")).unwrap(),
                criterion_name: format!("Criterion number {c}"),
                score: Some(f64::from(c % 4)),
                max_score: 4.0,
                soft: c % 2 == 0,
                comment: Some("The greeting was abrupt; the answer was right.".into()),
            })
            .collect();
        e
    };

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..8 {
        let (store, org) = (store.clone(), org.clone());
        tasks.spawn(async move {
            for i in 0..500 {
                let n = t * 1000 + i;
                // Coachee "agent-0" gets 2,000 of them over 60 days.
                let e = eight(evaluation(
                    &org,
                    &format!("ev-{n}"),
                    &format!("agent-{}", t % 2),
                    at(i64::from(n % 1000) * 60),
                    "sc-1",
                ));
                let d = completed(&e, &format!("wh-{n}"), ts(i64::from(i)));
                store.record_delivery(&d).await.unwrap();
            }
        });
    }
    tasks.join_all().await;
    println!(
        "deliveries: {:.0}/s",
        4000.0 / started.elapsed().as_secs_f64()
    );

    let q = of_coachee("agent-0");
    assert_eq!(store.all_evaluations(&org, &q).await.unwrap().len(), 2000);
    let mut lat = Vec::new();
    for _ in 0..100 {
        let t0 = Instant::now();
        let all = store.all_evaluations(&org, &q).await.unwrap();
        lat.push(t0.elapsed());
        assert_eq!(all.len(), 2000);
    }
    lat.sort();
    let p = |q: f64| lat[((lat.len() as f64 - 1.0) * q) as usize];
    println!(
        "all_evaluations of 2,000 × 8 criteria: p50 {:?}, p99 {:?}, max {:?}",
        p(0.5),
        p(0.99),
        p(1.0)
    );
}
