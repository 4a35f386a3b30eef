//! Cases: inbox notifications, written with their change set, read newest first.

use crate::fixtures::*;
use coaching_domain::notification::Notification;
use coaching_domain::ports::{Changes, Store};
use std::sync::Arc;

fn ids(list: &[Notification]) -> Vec<String> {
    list.iter().map(|n| n.id.as_str().to_owned()).collect()
}

pub async fn the_inbox_lists_a_recipients_notifications_newest_first(store: Arc<dyn Store>) {
    let (org, other) = (fresh_org(), fresh_org());
    let mine: Vec<_> = (1..=5).map(|n| notification(&org, n, "u1")).collect();
    let theirs = notification(&org, 6, "u2");
    let elsewhere = notification(&other, 7, "u1");
    let s = session(&org, "s-1", "c1", "u1", at(0));
    let changes = Changes {
        notifications: [&mine[..3], std::slice::from_ref(&theirs)].concat(),
        ..insert(&[&s])
    };
    store.commit(changes).await.unwrap();
    store
        .commit(Changes {
            notifications: mine[3..].to_vec(),
            ..Changes::default()
        })
        .await
        .unwrap();
    store
        .commit(Changes {
            notifications: vec![elsewhere],
            ..Changes::default()
        })
        .await
        .unwrap();

    let inbox = store
        .notifications(&org, &user("u1"), 10, None)
        .await
        .unwrap();

    let mut newest_first = mine.clone();
    newest_first.reverse();
    assert_eq!(inbox, newest_first);
    assert_eq!(
        store
            .notifications(&org, &user("u2"), 10, None)
            .await
            .unwrap(),
        vec![theirs]
    );
    assert_eq!(
        ids(&store
            .notifications(&org, &user("u1"), 2, None)
            .await
            .unwrap()),
        ids(&newest_first[..2])
    );
    assert!(
        store
            .notifications(&org, &user("nobody"), 10, None)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn the_inbox_pages_backwards_from_strictly_before_a_notification(store: Arc<dyn Store>) {
    let org = fresh_org();
    let mine: Vec<_> = (1..=7).map(|n| notification(&org, n, "u1")).collect();
    store
        .commit(Changes {
            notifications: mine.clone(),
            ..Changes::default()
        })
        .await
        .unwrap();
    let mut expected = ids(&mine);
    expected.reverse();

    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .notifications(&org, &user("u1"), 3, before.as_ref())
            .await
            .unwrap();
        seen.extend(ids(&page));
        match page.last() {
            Some(last) if page.len() == 3 => before = Some(last.id.clone()),
            _ => break,
        }
    }

    assert_eq!(seen, expected);
    let older = store
        .notifications(&org, &user("u1"), 10, Some(&mine[3].id))
        .await
        .unwrap();
    assert_eq!(
        ids(&older),
        ids(&[mine[2].clone(), mine[1].clone(), mine[0].clone()])
    );
    assert!(
        store
            .notifications(&org, &user("u1"), 10, Some(&mine[0].id))
            .await
            .unwrap()
            .is_empty()
    );
}
