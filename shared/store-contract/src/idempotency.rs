//! Cases: idempotency records of session creation, keyed by (org, user, key).

use crate::fixtures::*;
use chrono::Duration;
use coaching_domain::ids::OrgId;
use coaching_domain::ports::{Changes, IdempotencyRecord, Store, StoreError};
use coaching_domain::session::Session;
use std::sync::Arc;

fn record(org: &OrgId, user_id: &str, key: &str, session: &Session) -> IdempotencyRecord {
    IdempotencyRecord {
        org: org.clone(),
        user: user(user_id),
        key: key.into(),
        request: format!(
            r#"{{"kind":"paid","coachId":"{}","startsAt":"2030-03-04T09:00:00Z"}}"#,
            session.coach_id
        ),
        session: session.clone(),
        created_at: at(-60) + Duration::nanoseconds(42),
    }
}

fn create_with_key(session: &Session, record: IdempotencyRecord) -> Changes {
    Changes {
        idempotency: Some(record),
        ..insert(&[session])
    }
}

pub async fn an_idempotency_record_reads_back_exactly_as_written(store: Arc<dyn Store>) {
    let org = fresh_org();
    let s = session(&org, "s-1", "coach-1", "client-1", at(0));
    let r = record(&org, "client-1", "key-1", &s);

    store.commit(create_with_key(&s, r.clone())).await.unwrap();

    assert_eq!(
        store
            .idempotency_record(&org, &user("client-1"), "key-1")
            .await
            .unwrap(),
        Some(r)
    );
    assert_eq!(store.session(&org, &s.id).await.unwrap(), Some(s));
}

pub async fn a_second_record_with_the_same_key_is_refused_and_writes_nothing(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    let first = session(&org, "s-1", "coach-1", "client-1", at(0));
    let r = record(&org, "client-1", "key-1", &first);
    store
        .commit(create_with_key(&first, r.clone()))
        .await
        .unwrap();
    let second = session(&org, "s-2", "coach-1", "client-1", at(60));
    let mut changes = create_with_key(&second, record(&org, "client-1", "key-1", &second));
    changes
        .acquire_locks
        .push((slot("coach-1", 60), second.id.clone()));
    changes.notifications.push(notification(&org, 1, "coach-1"));

    assert_eq!(
        store.commit(changes).await,
        Err(StoreError::IdempotencyKeyExists)
    );

    assert_eq!(
        store
            .idempotency_record(&org, &user("client-1"), "key-1")
            .await
            .unwrap(),
        Some(r)
    );
    assert_eq!(store.session(&org, &second.id).await.unwrap(), None);
    assert!(
        store
            .notifications(&org, &user("coach-1"), 10, None)
            .await
            .unwrap()
            .is_empty()
    );
    let third = session(&org, "s-3", "coach-1", "client-3", at(60));
    store
        .commit(book(&third, &[slot("coach-1", 60)]))
        .await
        .unwrap();
}

pub async fn idempotency_keys_belong_to_one_user_in_one_org(store: Arc<dyn Store>) {
    let (org, other) = (fresh_org(), fresh_org());
    let mine = session(&org, "s-1", "coach-1", "client-1", at(0));
    let theirs = session(&org, "s-2", "coach-1", "client-2", at(60));
    let elsewhere = session(&other, "s-1", "coach-1", "client-1", at(0));

    store
        .commit(create_with_key(
            &mine,
            record(&org, "client-1", "key-1", &mine),
        ))
        .await
        .unwrap();
    store
        .commit(create_with_key(
            &theirs,
            record(&org, "client-2", "key-1", &theirs),
        ))
        .await
        .unwrap();
    store
        .commit(create_with_key(
            &elsewhere,
            record(&other, "client-1", "key-1", &elsewhere),
        ))
        .await
        .unwrap();

    let get = |org: OrgId, u: &'static str, k: &'static str| {
        let store = store.clone();
        async move {
            store
                .idempotency_record(&org, &user(u), k)
                .await
                .unwrap()
                .map(|r| r.session.id)
        }
    };
    assert_eq!(get(org.clone(), "client-1", "key-1").await, Some(mine.id));
    assert_eq!(get(org.clone(), "client-2", "key-1").await, Some(theirs.id));
    assert_eq!(
        get(other.clone(), "client-1", "key-1").await,
        Some(elsewhere.id)
    );
    assert_eq!(get(org.clone(), "client-1", "key-2").await, None);
    assert_eq!(get(other, "client-2", "key-1").await, None);
}
