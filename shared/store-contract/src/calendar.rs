//! Cases: calendar feed tokens, kept as hashes: a hash finds its (org, user) until the user's
//! next token replaces it, per user and org, with one winner among concurrent replacements.

use crate::fixtures::*;
use coaching_domain::calendar::CalendarTokenHash;
use coaching_domain::ports::Store;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

/// A hash no other case or run uses (the hash items are global, not per org).
fn fresh_hash() -> CalendarTokenHash {
    let name = unique("calendar-token");
    let mut digest = [0u8; 32];
    for (salt, chunk) in digest.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write(name.as_bytes());
        h.write_usize(salt);
        chunk.copy_from_slice(&h.finish().to_be_bytes());
    }
    CalendarTokenHash::from_digest(digest)
}

pub async fn a_calendar_token_finds_its_user_until_a_new_one_replaces_it(store: Arc<dyn Store>) {
    let org = fresh_org();
    let (first, second) = (fresh_hash(), fresh_hash());
    assert_eq!(store.calendar_user(&first).await.unwrap(), None);

    store
        .put_calendar_token(&org, &user("coach-1"), &first)
        .await
        .unwrap();
    assert_eq!(
        store.calendar_user(&first).await.unwrap(),
        Some((org.clone(), user("coach-1")))
    );
    store
        .put_calendar_token(&org, &user("coach-1"), &second)
        .await
        .unwrap();

    assert_eq!(
        store.calendar_user(&first).await.unwrap(),
        None,
        "the replaced token no longer resolves"
    );
    assert_eq!(
        store.calendar_user(&second).await.unwrap(),
        Some((org.clone(), user("coach-1")))
    );
    // Putting the current hash again changes nothing.
    store
        .put_calendar_token(&org, &user("coach-1"), &second)
        .await
        .unwrap();
    assert_eq!(
        store.calendar_user(&second).await.unwrap(),
        Some((org, user("coach-1")))
    );
}

pub async fn calendar_tokens_are_kept_per_user_and_org_and_an_unknown_hash_finds_nothing(
    store: Arc<dyn Store>,
) {
    let (org, other) = (fresh_org(), fresh_org());
    let (mine, theirs, same_id_elsewhere) = (fresh_hash(), fresh_hash(), fresh_hash());
    store
        .put_calendar_token(&org, &user("u-1"), &mine)
        .await
        .unwrap();
    store
        .put_calendar_token(&org, &user("u-2"), &theirs)
        .await
        .unwrap();
    store
        .put_calendar_token(&other, &user("u-1"), &same_id_elsewhere)
        .await
        .unwrap();

    // A new token of u-1 in `org` replaces only that one.
    let renewed = fresh_hash();
    store
        .put_calendar_token(&org, &user("u-1"), &renewed)
        .await
        .unwrap();

    assert_eq!(store.calendar_user(&mine).await.unwrap(), None);
    assert_eq!(
        store.calendar_user(&renewed).await.unwrap(),
        Some((org.clone(), user("u-1")))
    );
    assert_eq!(
        store.calendar_user(&theirs).await.unwrap(),
        Some((org.clone(), user("u-2")))
    );
    assert_eq!(
        store.calendar_user(&same_id_elsewhere).await.unwrap(),
        Some((other, user("u-1")))
    );
    assert_eq!(store.calendar_user(&fresh_hash()).await.unwrap(), None);
}

pub async fn of_concurrent_new_calendar_tokens_of_one_user_exactly_one_resolves(
    store: Arc<dyn Store>,
) {
    let org = fresh_org();
    store
        .put_calendar_token(&org, &user("u-1"), &fresh_hash())
        .await
        .unwrap();
    let hashes: Vec<CalendarTokenHash> = (0..8).map(|_| fresh_hash()).collect();
    let gate = Arc::new(tokio::sync::Barrier::new(hashes.len()));
    let tasks: Vec<_> = hashes
        .iter()
        .cloned()
        .map(|hash| {
            let (store, org, gate) = (store.clone(), org.clone(), gate.clone());
            tokio::spawn(async move {
                gate.wait().await;
                store.put_calendar_token(&org, &user("u-1"), &hash).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }

    let mut resolving = 0;
    for hash in &hashes {
        if let Some(found) = store.calendar_user(hash).await.unwrap() {
            assert_eq!(found, (org.clone(), user("u-1")));
            resolving += 1;
        }
    }
    assert_eq!(resolving, 1, "exactly one of the user's tokens is current");
}
