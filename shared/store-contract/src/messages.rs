//! Cases: session threads, written with their notification in one change set, read per
//! session oldest first (by time, then id) and paged after a cursor.

use crate::fixtures::*;
use chrono::Duration;
use coaching_domain::ids::{MessageId, OrgId, SessionId};
use coaching_domain::message::{Message, MessageText, message_cursor};
use coaching_domain::notification::NotificationType;
use coaching_domain::ports::Store;
use coaching_domain::ports::{Changes, Cursor, StoreError};
use std::sync::Arc;

/// Message `n` of session `s` by `author`, created `minutes` after the fixtures' epoch.
fn message(org: &OrgId, s: &str, n: u32, author: &str, minutes: i64) -> Message {
    Message {
        id: MessageId::parse(format!("01JM{n:022}")).unwrap(),
        org: org.clone(),
        session_id: sid(s),
        author_id: user(author),
        text: MessageText::parse(&format!("message {n} – ünïcödé\nsecond line")).unwrap(),
        created_at: at(minutes) + Duration::nanoseconds(123_000_000),
    }
}

fn post(m: &Message) -> Changes {
    Changes {
        messages: vec![m.clone()],
        ..Changes::default()
    }
}

async fn thread(store: &dyn Store, org: &OrgId, s: &str) -> Vec<Message> {
    store
        .messages(org, &SessionId::parse(s).unwrap(), 100, None)
        .await
        .unwrap()
        .items
}

pub async fn a_message_reads_back_exactly_with_the_notification_of_its_set(store: Arc<dyn Store>) {
    let org = fresh_org();
    let m = message(&org, "s-1", 1, "coach-1", 5);
    let mut told = notification(&org, 1, "client-1");
    told.kind = NotificationType::MessageReceived;

    store
        .commit(Changes {
            notifications: vec![told.clone()],
            ..post(&m)
        })
        .await
        .unwrap();

    assert_eq!(thread(&*store, &org, "s-1").await, vec![m]);
    let inbox = store
        .notifications(&org, &user("client-1"), 10, None)
        .await
        .unwrap();
    assert_eq!(inbox, vec![told]);
}

pub async fn a_thread_is_oldest_first_by_time_then_id_and_pages_after_a_cursor(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    // Ids and times disagree on purpose (a test clock may go back): time decides, then id.
    let written = [
        message(&org, "s-1", 5, "coach-1", 1),
        message(&org, "s-1", 2, "client-1", 3),
        message(&org, "s-1", 9, "coach-1", 3),
        message(&org, "s-1", 1, "client-1", 7),
        message(&org, "s-1", 3, "coach-1", 9),
    ];
    for m in [
        &written[3],
        &written[0],
        &written[4],
        &written[2],
        &written[1],
    ] {
        store.commit(post(m)).await.unwrap();
    }
    let s1 = sid("s-1");

    let mut pages = Vec::new();
    let mut after: Option<Cursor> = None;
    loop {
        let page = store.messages(&org, &s1, 2, after.as_ref()).await.unwrap();
        pages.push(page.items.clone());
        match page.next {
            Some(next) => {
                assert_eq!(Some(&next), page.items.last().map(message_cursor).as_ref());
                after = Some(next);
            }
            None => break,
        }
    }

    assert_eq!(thread(&*store, &org, "s-1").await, written.to_vec());
    assert_eq!(
        pages,
        vec![
            written[..2].to_vec(),
            written[2..4].to_vec(),
            written[4..].to_vec()
        ],
        "three pages, the last one without a next cursor"
    );
    let exactly_full = store.messages(&org, &s1, 5, None).await.unwrap();
    assert_eq!(exactly_full.items.len(), 5);
    assert_eq!(
        exactly_full.next, None,
        "nothing follows a page that ends the thread"
    );
    let after_last = store
        .messages(&org, &s1, 5, Some(&message_cursor(&written[4])))
        .await
        .unwrap();
    assert!(after_last.items.is_empty() && after_last.next.is_none());
}

pub async fn a_thread_holds_only_its_own_sessions_messages_of_its_org(store: Arc<dyn Store>) {
    let (org, other) = (fresh_org(), fresh_org());
    let mine = message(&org, "s-1", 1, "coach-1", 1);
    let next_door = message(&org, "s-2", 2, "coach-1", 2);
    let elsewhere = message(&other, "s-1", 3, "coach-1", 3);
    for m in [&mine, &next_door, &elsewhere] {
        store.commit(post(m)).await.unwrap();
    }

    assert_eq!(thread(&*store, &org, "s-1").await, vec![mine]);
    assert_eq!(thread(&*store, &org, "s-2").await, vec![next_door]);
    assert_eq!(thread(&*store, &other, "s-1").await, vec![elsewhere]);
    assert!(thread(&*store, &fresh_org(), "s-1").await.is_empty());
    assert!(thread(&*store, &org, "s-3").await.is_empty());
}

pub async fn a_message_stored_already_is_a_conflict_and_its_set_writes_nothing(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let m = message(&org, "s-1", 1, "client-1", 1);
    store.commit(post(&m)).await.unwrap();
    let mut told = notification(&org, 2, "coach-1");
    told.kind = NotificationType::MessageReceived;

    let again = store
        .commit(Changes {
            notifications: vec![told],
            ..post(&m)
        })
        .await;

    assert_eq!(again, Err(StoreError::Conflict));
    assert_eq!(thread(&*store, &org, "s-1").await, vec![m]);
    assert!(
        store
            .notifications(&org, &user("coach-1"), 10, None)
            .await
            .unwrap()
            .is_empty(),
        "the notification of the refused set is not stored"
    );
}
