//! Cases: session lists by scope, status and time, in (start, id) order, paged by cursor.

use crate::fixtures::*;
use chrono::Duration;
use coaching_domain::ids::OrgId;
use coaching_domain::ports::{SessionQuery, SessionScope, Store};
use coaching_domain::session::SessionStatus::{self, *};
use std::collections::HashSet;
use std::sync::Arc;

/// Two coaches (`c1`, `c2`) and clients (`k1`, `k2`; `c1` is also `c2`'s client), drafts,
/// a cancelled and a completed session, two sessions at the same start, and a look-alike in
/// another org. Returns the org.
async fn seed(store: &dyn Store) -> OrgId {
    let org = fresh_org();
    let rows: [(&str, &str, &str, Option<i64>, SessionStatus); 9] = [
        ("s-a", "c1", "k1", Some(60), Scheduled),
        ("s-b", "c1", "k2", Some(0), Scheduled),
        ("s-d", "c1", "k1", None, Draft),
        ("s-e", "c1", "k2", Some(30), Cancelled),
        ("s-f", "c1", "k1", Some(-24 * 60), Completed),
        ("s-g", "c2", "k1", Some(0), Scheduled),
        ("s-h", "c2", "k1", None, Draft),
        ("s-i", "c2", "c1", Some(90), Scheduled),
        ("s-j", "c2", "c1", None, Draft),
    ];
    for (id, coach, client, start, status) in rows {
        let s = match start {
            Some(m) => with_status(session(&org, id, coach, client, at(m)), status),
            None => draft(&org, id, coach, client),
        };
        store.commit(insert(&[&s])).await.unwrap();
    }
    let elsewhere = session(&fresh_org(), "s-x", "c1", "k1", at(0));
    store.commit(insert(&[&elsewhere])).await.unwrap();
    org
}

fn scope_query(scope: SessionScope, statuses: &[SessionStatus]) -> SessionQuery {
    SessionQuery {
        statuses: statuses.to_vec(),
        ..query(scope)
    }
}

fn coach(u: &str) -> SessionScope {
    SessionScope::Coach(user(u))
}
fn client(u: &str) -> SessionScope {
    SessionScope::Client(user(u))
}
fn participant(u: &str) -> SessionScope {
    SessionScope::Participant(user(u))
}

pub async fn each_scope_lists_exactly_its_sessions_in_start_order_with_drafts_last(
    store: Arc<dyn Store>,
) {
    let org = seed(store.as_ref()).await;
    let list = |scope| {
        let (store, org) = (store.clone(), org.clone());
        async move { ids(store.as_ref(), &org, &query(scope)).await }
    };

    assert_eq!(
        list(SessionScope::Org).await,
        [
            "s-f", "s-b", "s-g", "s-e", "s-a", "s-i", "s-d", "s-h", "s-j"
        ]
    );
    assert_eq!(list(coach("c1")).await, ["s-f", "s-b", "s-e", "s-a", "s-d"]);
    assert_eq!(list(coach("c2")).await, ["s-g", "s-i", "s-h", "s-j"]);
    assert_eq!(list(client("k1")).await, ["s-f", "s-g", "s-a"]);
    assert_eq!(list(client("c1")).await, ["s-i"]);
    assert_eq!(
        list(participant("c1")).await,
        ["s-f", "s-b", "s-e", "s-a", "s-i", "s-d"]
    );
    assert_eq!(list(participant("k1")).await, ["s-f", "s-g", "s-a"]);
    assert!(list(participant("nobody")).await.is_empty());
}

pub async fn a_client_never_sees_a_draft_whatever_the_filter(store: Arc<dyn Store>) {
    let org = seed(store.as_ref()).await;

    for scope in [client("k1"), client("c1")] {
        assert!(
            ids(store.as_ref(), &org, &scope_query(scope, &[Draft]))
                .await
                .is_empty()
        );
    }
    assert_eq!(
        ids(
            store.as_ref(),
            &org,
            &scope_query(participant("c1"), &[Draft])
        )
        .await,
        ["s-d"]
    );
}

pub async fn a_status_filter_keeps_only_the_listed_statuses(store: Arc<dyn Store>) {
    let org = seed(store.as_ref()).await;
    let list = |scope, statuses: &'static [SessionStatus]| {
        let (store, org) = (store.clone(), org.clone());
        async move { ids(store.as_ref(), &org, &scope_query(scope, statuses)).await }
    };

    assert_eq!(
        list(SessionScope::Org, &[Scheduled]).await,
        ["s-b", "s-g", "s-a", "s-i"]
    );
    assert_eq!(
        list(SessionScope::Org, &[Cancelled, Completed]).await,
        ["s-f", "s-e"]
    );
    assert_eq!(list(coach("c1"), &[Draft]).await, ["s-d"]);
    assert_eq!(
        list(coach("c1"), &[Scheduled, Draft]).await,
        ["s-b", "s-a", "s-d"]
    );
    assert_eq!(
        list(participant("c1"), &[Scheduled]).await,
        ["s-b", "s-a", "s-i"]
    );
    assert!(list(client("k2"), &[NoShow]).await.is_empty());
}

pub async fn a_time_range_keeps_sessions_starting_in_it_and_never_drafts(store: Arc<dyn Store>) {
    let org = seed(store.as_ref()).await;
    let list = |scope, from: Option<i64>, to: Option<i64>, nanos: i64| {
        let (store, org) = (store.clone(), org.clone());
        let q = SessionQuery {
            from: from.map(|m| at(m) + Duration::nanoseconds(nanos)),
            to: to.map(|m| at(m) + Duration::nanoseconds(nanos)),
            ..query(scope)
        };
        async move { ids(store.as_ref(), &org, &q).await }
    };

    assert_eq!(
        list(SessionScope::Org, Some(0), None, 0).await,
        ["s-b", "s-g", "s-e", "s-a", "s-i"]
    );
    assert_eq!(
        list(SessionScope::Org, None, Some(60), 0).await,
        ["s-f", "s-b", "s-g", "s-e"]
    );
    assert_eq!(
        list(SessionScope::Org, Some(0), Some(60), 0).await,
        ["s-b", "s-g", "s-e"]
    );
    assert_eq!(
        list(SessionScope::Org, Some(0), Some(60), 1).await,
        ["s-e", "s-a"]
    );
    assert_eq!(
        list(SessionScope::Org, Some(-1), Some(0), 0).await,
        Vec::<String>::new()
    );
    assert_eq!(
        list(coach("c1"), Some(-48 * 60), None, 0).await,
        ["s-f", "s-b", "s-e", "s-a"]
    );
    assert_eq!(
        list(participant("c1"), Some(60), None, 0).await,
        ["s-a", "s-i"]
    );
}

/// Walks `q` page by page and checks each page's `next` against its fullness.
async fn walk(store: &dyn Store, org: &OrgId, mut q: SessionQuery) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..100 {
        let page = store.sessions(org, &q).await.unwrap();
        assert!(
            page.items.len() <= q.limit as usize,
            "a page holds at most `limit` items"
        );
        seen.extend(page.items.iter().map(|s| s.id.as_str().to_owned()));
        let full = page.items.len() == q.limit as usize;
        assert_eq!(
            page.next.is_some(),
            full,
            "`next` is set exactly when the page is full"
        );
        match page.next {
            Some(next) => q.after = Some(next),
            None => return seen,
        }
    }
    panic!("pagination did not end")
}

pub async fn pages_cover_the_whole_list_in_order_without_duplicates(store: Arc<dyn Store>) {
    let org = seed(store.as_ref()).await;
    let queries = [
        query(SessionScope::Org),
        query(coach("c1")),
        query(client("k1")),
        query(participant("c1")),
        scope_query(SessionScope::Org, &[Scheduled, Cancelled]),
        SessionQuery {
            from: Some(at(0)),
            ..query(SessionScope::Org)
        },
    ];
    for q in queries {
        let whole = ids(store.as_ref(), &org, &q).await;
        for limit in [1, 2, 3, 4, 9, 10] {
            let paged = walk(store.as_ref(), &org, SessionQuery { limit, ..q.clone() }).await;
            assert_eq!(paged, whole, "limit {limit}, {q:?}");
            assert_eq!(paged.iter().collect::<HashSet<_>>().len(), paged.len());
        }
    }
}

pub async fn coach_busy_lists_only_time_holding_sessions_starting_in_the_range(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let rows: [(&str, &str, i64, SessionStatus); 8] = [
        ("busy-scheduled", "c1", 0, Scheduled),
        ("busy-completed", "c1", 60, Completed),
        ("busy-no-show", "c1", 120, NoShow),
        ("free-cancelled", "c1", 30, Cancelled),
        ("out-at-the-end", "c1", 180, Scheduled),
        ("out-before", "c1", -15, Scheduled),
        ("other-coach", "c2", 0, Scheduled),
        ("draft", "c1", 0, Draft),
    ];
    for (id, coach, start, status) in rows {
        let mut s = with_status(session(&org, id, coach, "k1", at(start)), status);
        if status == Draft {
            s.starts_at = None;
        }
        store.commit(insert(&[&s])).await.unwrap();
    }
    let elsewhere = session(&fresh_org(), "elsewhere", "c1", "k1", at(0));
    store.commit(insert(&[&elsewhere])).await.unwrap();

    let busy = store
        .coach_busy(&org, &user("c1"), at(0), at(180))
        .await
        .unwrap();

    let mut got: Vec<_> = busy.iter().map(|s| s.id.as_str()).collect();
    got.sort();
    assert_eq!(got, ["busy-completed", "busy-no-show", "busy-scheduled"]);
    assert_eq!(
        busy.iter().find(|s| s.id.as_str() == "busy-scheduled"),
        Some(&session(&org, "busy-scheduled", "c1", "k1", at(0)))
    );
    assert!(
        store
            .coach_busy(&org, &user("c1"), at(1), at(60))
            .await
            .unwrap()
            .is_empty()
    );
}
