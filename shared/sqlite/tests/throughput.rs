//! A rough measure of the store alone (run with `--release -- --ignored --nocapture`): reads by
//! id at 32 concurrent tasks and bookings per second. The HTTP benchmark is the real target.

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
