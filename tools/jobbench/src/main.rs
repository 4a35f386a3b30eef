//! `coaching-jobbench`: how long a reminder job run takes for the same due work (`--due`
//! reminders) among few and among many scheduled sessions (`--sizes`), on a store. The cost must
//! follow the due work, not the table: the goal is the largest size at most 2x the smallest.
//!
//! Each size gets a fresh store (a SQLite file, or a new DynamoDB table on `AWS_ENDPOINT_URL`)
//! seeded with that many scheduled sessions and their reminder records (none due). Each measured
//! run first adds `--due` sessions whose 24 h reminder is due, then times
//! `Services::run_reminders` (find, read, take, notify, publish the outbox) and checks it
//! delivered exactly those. Prints one JSON line per size and a summary line.

use chrono::{DateTime, Duration, Utc};
use clap::{Parser, ValueEnum};
use coaching_aws::MAX_TRANSACTION_ITEMS;
use coaching_domain::ports::{Changes, Ports, SessionPut, Store};
use coaching_domain::reminder::{ReminderWrite, reminder_writes};
use coaching_domain::service::{Outcome, Services};
use coaching_domain::session::Session;
use coaching_runtime::LogPublisher;
use coaching_runtime::{SystemClock, UlidIds};
use coaching_store_contract::fixtures::{fresh_org, session};
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StoreKind {
    Sqlite,
    Dynamodb,
}

#[derive(Debug, Parser)]
struct Args {
    #[arg(long, value_enum, default_value = "sqlite")]
    store: StoreKind,
    /// Scheduled sessions in the table, one measurement series per size.
    #[arg(long, value_delimiter = ',', default_value = "100,100000")]
    sizes: Vec<usize>,
    /// Due reminders per run.
    #[arg(long, default_value_t = 10)]
    due: usize,
    /// Measured runs per size (the median is reported), after one warm-up run.
    #[arg(long, default_value_t = 7)]
    runs: usize,
}

/// Sessions per seeding commit on SQLite (no limit there; this keeps each commit short).
const SQLITE_BATCH: usize = 500;

/// The items one more session adds to a DynamoDB change set (as `Plan::of` counts them): its
/// item and client view, one per reminder put, and one per action item whose id the set does
/// not carry yet (a set writes each action item id once).
fn dynamo_items(changes: &Changes, s: &Session, reminders: usize) -> usize {
    let new_actions = s
        .action_items
        .iter()
        .filter(|a| {
            !changes
                .sessions
                .iter()
                .any(|p| p.session.action_items.iter().any(|b| b.id == a.id))
        })
        .count();
    2 + reminders + new_actions
}

/// The store under test, and the DynamoDB handle (for bulk seeding and request counts).
async fn fresh_store(
    kind: StoreKind,
    dir: &tempfile::TempDir,
    n: usize,
) -> (Arc<dyn Store>, Option<coaching_aws::DynamoStore>) {
    match kind {
        StoreKind::Sqlite => {
            let path = dir.path().join(format!("jobbench-{n}.db"));
            let store = coaching_sqlite::SqliteStore::open(path.to_str().unwrap()).unwrap();
            (Arc::new(store), None)
        }
        StoreKind::Dynamodb => {
            let table = format!(
                "coaching-jobbench-{}-{n}",
                Utc::now().timestamp_nanos_opt().unwrap_or_default()
            );
            let store = coaching_aws::DynamoStore::connect(&table).await;
            store.ensure_table().await.unwrap();
            (Arc::new(store.clone()), Some(store))
        }
    }
}

/// Adds `count` scheduled sessions starting at `first`, `spacing` apart (each for its own
/// client), with the reminder records of a booking made at `booked_at`. On DynamoDB the items
/// are bulk-loaded (moto copies the whole table for every item of a transaction, which would
/// make seeding quadratic) in change sets of at most [`MAX_TRANSACTION_ITEMS`] items, the
/// store's limit for one set, which `load` checks too; on SQLite they are committed
/// [`SQLITE_BATCH`] sessions at a time.
async fn seed(
    store: &dyn Store,
    dynamo: Option<&coaching_aws::DynamoStore>,
    prefix: &str,
    count: usize,
    first: DateTime<Utc>,
    spacing: Duration,
    booked_at: DateTime<Utc>,
) {
    let org = fresh_org();
    let mut sets = Vec::new();
    let mut changes = Changes::default();
    let mut items = 0;
    for j in 0..count {
        let s = session(
            &org,
            &format!("{prefix}-{j}"),
            &format!("coach-{}", j % 50),
            &format!("client-{j}"),
            first + spacing * i32::try_from(j).unwrap(),
        );
        let reminders: Vec<_> = reminder_writes(&s, booked_at)
            .into_iter()
            .filter(|w| matches!(w, ReminderWrite::Put(_)))
            .collect();
        // A set stays within what one DynamoDB transaction takes (the store refuses more, bulk
        // loading included); on SQLite a set is SQLITE_BATCH sessions.
        let full = match dynamo {
            Some(_) => {
                let more = dynamo_items(&changes, &s, reminders.len());
                assert!(more <= MAX_TRANSACTION_ITEMS, "one session is {more} items");
                items + more > MAX_TRANSACTION_ITEMS
            }
            None => changes.sessions.len() == SQLITE_BATCH,
        };
        if full {
            let set = std::mem::take(&mut changes);
            match dynamo {
                Some(_) => sets.push(set),
                None => store.commit(set).await.unwrap(),
            }
            items = 0;
        }
        if dynamo.is_some() {
            items += dynamo_items(&changes, &s, reminders.len());
        }
        changes.reminders.extend(reminders);
        changes.sessions.push(SessionPut {
            session: s,
            expected_version: None,
        });
    }
    match dynamo {
        None if !changes.sessions.is_empty() => store.commit(changes).await.unwrap(),
        None => {}
        Some(d) => {
            if !changes.sessions.is_empty() {
                sets.push(changes);
            }
            for chunk in sets.chunks(40) {
                d.load(chunk).await.unwrap();
            }
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The median run time in ms, and the DynamoDB requests of one run by operation (empty on
/// SQLite).
async fn measure(args: &Args, size: usize, dir: &tempfile::TempDir) -> (f64, String) {
    let (store, dynamo) = fresh_store(args.store, dir, size).await;
    let now: DateTime<Utc> = "2030-03-04T09:00:00Z".parse().unwrap();
    let seeded = Instant::now();
    // The table: sessions a month out and later, nothing due.
    seed(
        &*store,
        dynamo.as_ref(),
        "later",
        size,
        now + Duration::days(30),
        Duration::minutes(15),
        now - Duration::days(1),
    )
    .await;
    eprintln!(
        "jobbench: {size} sessions seeded in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let services = Services::new(Ports {
        store: store.clone(),
        clock: Arc::new(SystemClock),
        ids: Arc::new(UlidIds::new()),
        events: Some(Arc::new(LogPublisher)),
        queue: None,
        outbound: coaching_domain::ports::Outbound::new(coaching_http::session_event_view),
    });
    let mut times = Vec::new();
    let mut requests = String::new();
    for run in 0..=args.runs {
        // Due now: their 24 h reminder (booked two days before), not yet their 1 h one.
        seed(
            &*store,
            dynamo.as_ref(),
            &format!("due{run}"),
            args.due,
            now + Duration::hours(23),
            Duration::minutes(1),
            now - Duration::days(2),
        )
        .await;
        let before = dynamo.as_ref().map(|d| d.requests());
        let started = Instant::now();
        let done = services.run_reminders(now).await.unwrap();
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if let (Some(d), Some(before)) = (&dynamo, before) {
            requests = d.requests().since(&before).to_string();
        }
        let reminded = done
            .actions
            .iter()
            .filter(|a| matches!(a.outcome, Outcome::Reminded(_)))
            .count();
        assert_eq!(reminded, args.due, "run {run} delivered {reminded}");
        if run > 0 {
            times.push(ms);
        }
    }
    let m = median(times.clone());
    println!(
        "{}",
        json!({"store": format!("{:?}", args.store).to_lowercase(), "sessions": size, "due": args.due,
               "runs": args.runs, "median_ms": m, "min_ms": times.iter().copied().fold(f64::MAX, f64::min),
               "max_ms": times.iter().copied().fold(0.0, f64::max), "requests_per_run": requests})
    );
    (m, requests)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if args.sizes.len() < 2 || args.runs == 0 || args.due == 0 {
        eprintln!("jobbench: give at least two sizes, one run and one due reminder");
        return ExitCode::FAILURE;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut medians = Vec::new();
    for &size in &args.sizes {
        medians.push((size, measure(&args, size, &dir).await));
    }
    let (small, (small_ms, small_requests)) = medians[0].clone();
    let (large, (large_ms, large_requests)) = medians[medians.len() - 1].clone();
    let ratio = large_ms / small_ms;
    println!(
        "{}",
        json!({"store": format!("{:?}", args.store).to_lowercase(), "summary": true,
               "small": small, "large": large, "small_ms": small_ms, "large_ms": large_ms,
               "ratio": ratio, "goal": 2.0, "met": ratio <= 2.0,
               "same_requests": small_requests == large_requests,
               "requests_small": small_requests, "requests_large": large_requests})
    );
    ExitCode::SUCCESS
}
