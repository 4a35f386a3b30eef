//! docs/api.md#analytics on DynamoDB, counted: the requests depend on the sessions in the range (and
//! one look-up per client seen once there), never on how much history the coach has. Two
//! coaches with the same month, one with three years of sessions before it, send the very same
//! requests; so does one coach's month before and after the table grows 75-fold (three
//! years of the coach's sessions before it, a year of scheduled ones after). Also the calendar feed's token: one GetItem to find it, one GetItem and one
//! TransactWriteItems to replace it.

mod common;

use chrono::{DateTime, Duration, Utc};
use coaching_domain::access::{Actor, Role, Roles};
use coaching_domain::calendar::CalendarTokenHash;
use coaching_domain::ids::OrgId;
use coaching_domain::ports::{
    CalendarStore, Changes, Clock, CoachStore, IdGenerator, Ports, Store,
};
use coaching_domain::service::Services;
use coaching_domain::session::{Cancellation, Party, Session, SessionStatus};
use coaching_store_contract::fixtures::*;
use common::fresh_store;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

struct FixedClock(DateTime<Utc>);
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

#[derive(Default)]
struct Counter(AtomicU64);
impl IdGenerator for Counter {
    fn new_id(&self) -> String {
        format!("01JID{:021}", self.0.fetch_add(1, Ordering::Relaxed))
    }
}

/// The range: the 30 days from `at(0)`.
fn range() -> (DateTime<Utc>, DateTime<Utc>) {
    (at(0), at(0) + Duration::days(30))
}

fn completed(org: &OrgId, id: String, coach: &str, client: &str, start: DateTime<Utc>) -> Session {
    with_status(
        session(org, &id, coach, client, start),
        SessionStatus::Completed,
    )
}

/// The month of `coach` (clients prefixed `prefix`): 10 clients with two completed sessions,
/// 10 with one, 5 late cancellations with a fee.
fn month(org: &OrgId, coach: &str, prefix: &str) -> Vec<Session> {
    let mut out = Vec::new();
    for k in 0..20 {
        let client = format!("{prefix}-k{k}");
        let times = if k < 10 { 2 } else { 1 };
        for n in 0..times {
            let start = at(0) + Duration::hours(i64::from(k) * 24 + i64::from(n) * 24 * 14 + 1);
            out.push(completed(
                org,
                format!("{coach}-m-{k}-{n}"),
                coach,
                &client,
                start,
            ));
        }
    }
    for k in 0..5 {
        let mut s = session(
            org,
            &format!("{coach}-x-{k}"),
            coach,
            &format!("{prefix}-k{k}"),
            at(0) + Duration::hours(i64::from(k) * 24 + 5),
        );
        s.status = SessionStatus::Cancelled;
        s.cancellation = Some(Cancellation {
            by: Party::Client,
            by_user_id: s.client_id.clone(),
            at: at(0),
            reason: None,
            fee: Some(eur(2500)),
        });
        out.push(s);
    }
    out
}

/// Three years of fortnightly sessions of every client of the month, before it.
fn history(org: &OrgId, coach: &str, prefix: &str) -> Vec<Session> {
    let mut out = Vec::new();
    for k in 0..20 {
        for w in 1..=78 {
            let start = at(0) - Duration::weeks(2 * w) + Duration::hours(i64::from(k));
            out.push(completed(
                org,
                format!("{coach}-h-{k}-{w}"),
                coach,
                &format!("{prefix}-k{k}"),
                start,
            ));
        }
    }
    out
}

/// The use cases over `store`, at a fixed time 40 days after the month's start.
fn services_on(store: &coaching_aws::DynamoStore) -> Services {
    Services::new(Ports {
        store: Arc::new(store.clone()) as Arc<dyn Store>,
        clock: Arc::new(FixedClock(at(0) + Duration::days(40))),
        ids: Arc::new(Counter::default()),
        events: None,
        queue: None,
        outbound: coaching_domain::ports::Outbound::new(|_| serde_json::Value::Null),
    })
}

async fn load(store: &coaching_aws::DynamoStore, sessions: &[Session]) {
    let sets: Vec<Changes> = sessions.iter().map(|s| insert(&[s])).collect();
    store.load(&sets).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn analytics_requests_depend_on_the_range_not_on_the_coachs_history() {
    let store = fresh_store().await;
    let org = fresh_org();
    let big_month = month(&org, "c-big", "big");
    let big_history = history(&org, "c-big", "big");
    load(&store, &big_month).await;
    load(&store, &big_history).await;
    load(&store, &month(&org, "c-small", "small")).await;
    for coach in ["c-big", "c-small"] {
        store
            .put_coach_settings(&org, &settings(coach, 0))
            .await
            .unwrap();
    }
    let services = services_on(&store);
    let (from, to) = range();

    let mut counts = Vec::new();
    let mut figures = Vec::new();
    for coach in ["c-big", "c-small"] {
        let actor = Actor::new(user(coach), org.clone(), Roles::default().with(Role::Coach));
        let before = store.requests();
        let analytics = services
            .coach_analytics(&actor, &user(coach), Some(from), Some(to))
            .await
            .unwrap();
        let sent = store.requests().since(&before);
        eprintln!("analytics of {coach}: {sent}");
        counts.push(sent.to_string());
        figures.push(analytics);
    }

    // One GetItem (the zone), one Query of the range, one Query per client seen once.
    assert_eq!(counts[0], "{GetItem=1, Query=11}", "{counts:?}");
    assert_eq!(counts[0], counts[1], "history changes nothing");
    assert_eq!(figures[0].sessions_completed, 30);
    assert_eq!(figures[1].sessions_completed, 30);
    assert_eq!(
        figures[0].client_retention_rate,
        Some(1.0),
        "history: all retained"
    );
    assert_eq!(
        figures[1].client_retention_rate,
        Some(0.5),
        "no history: half"
    );
    assert_eq!(
        figures[0].revenue.iter().map(|r| r.amount).sum::<i64>(),
        30 * 5000 + 5 * 2500
    );
    assert_eq!(big_history.len(), 1560);
}

/// A year of weekly scheduled sessions of every client of the month, after it.
fn future(org: &OrgId, coach: &str, prefix: &str) -> Vec<Session> {
    let mut out = Vec::new();
    for k in 0..20 {
        for w in 1..=52 {
            let start =
                at(0) + Duration::days(30) + Duration::weeks(w) + Duration::hours(i64::from(k));
            out.push(session(
                org,
                &format!("{coach}-f-{k}-{w}"),
                coach,
                &format!("{prefix}-k{k}"),
                start,
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn the_same_month_sends_the_same_requests_in_a_table_75_times_larger() {
    let store = fresh_store().await;
    let org = fresh_org();
    let the_month = month(&org, "c-one", "one");
    load(&store, &the_month).await;
    store
        .put_coach_settings(&org, &settings("c-one", 0))
        .await
        .unwrap();
    let services = services_on(&store);
    let actor = Actor::new(
        user("c-one"),
        org.clone(),
        Roles::default().with(Role::Coach),
    );
    let (from, to) = range();
    let measure = async || {
        let before = store.requests();
        let figures = services
            .coach_analytics(&actor, &user("c-one"), Some(from), Some(to))
            .await
            .unwrap();
        (store.requests().since(&before).to_string(), figures)
    };
    let (small, small_figures) = measure().await;
    let earlier = history(&org, "c-one", "one");
    let later = future(&org, "c-one", "one");
    load(&store, &earlier).await;
    load(&store, &later).await;

    let (large, large_figures) = measure().await;

    eprintln!(
        "analytics of one month: {small} with {} sessions in the table, {large} with {}",
        the_month.len(),
        the_month.len() + earlier.len() + later.len()
    );
    assert_eq!(small, "{GetItem=1, Query=11}");
    assert_eq!(large, small, "the coach's other sessions add no request");
    assert_eq!(the_month.len() + earlier.len() + later.len(), 2635);
    assert_eq!(
        small_figures.sessions_completed,
        large_figures.sessions_completed
    );
    assert_eq!(small_figures.client_retention_rate, Some(0.5));
    assert_eq!(
        large_figures.client_retention_rate,
        Some(1.0),
        "the history is read where it counts"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a DynamoDB endpoint: scripts/test starts moto"]
async fn a_calendar_token_is_found_with_one_get_and_replaced_with_one_get_and_one_transaction() {
    let store = fresh_store().await;
    let org = fresh_org();
    let hash = |b: u8| CalendarTokenHash::from_digest([b; 32]);
    store
        .put_calendar_token(&org, &user("u-1"), &hash(1))
        .await
        .unwrap();

    let before = store.requests();
    store
        .put_calendar_token(&org, &user("u-1"), &hash(2))
        .await
        .unwrap();
    let replaced = store.requests().since(&before);
    let before = store.requests();
    let found = store.calendar_user(&hash(2)).await.unwrap();
    let looked_up = store.requests().since(&before);

    assert_eq!(replaced.to_string(), "{GetItem=1, TransactWriteItems=1}");
    assert_eq!(looked_up.to_string(), "{GetItem=1}");
    assert_eq!(found, Some((org, user("u-1"))));
}
