//! Cases: coach settings, one document per coach and org, replaced whole.

use crate::fixtures::*;
use coaching_domain::ports::Store;
use std::sync::Arc;

pub async fn coach_settings_are_absent_until_put_and_then_read_back_exactly(store: Arc<dyn Store>) {
    let org = fresh_org();
    assert_eq!(store.coach_settings(&org, &user("c1")).await.unwrap(), None);

    store
        .put_coach_settings(&org, &settings("c1", 0))
        .await
        .unwrap();

    assert_eq!(
        store.coach_settings(&org, &user("c1")).await.unwrap(),
        Some(settings("c1", 0))
    );
    assert_eq!(store.coach_settings(&org, &user("c2")).await.unwrap(), None);
}

pub async fn putting_coach_settings_again_replaces_them(store: Arc<dyn Store>) {
    let org = fresh_org();
    store
        .put_coach_settings(&org, &settings("c1", 0))
        .await
        .unwrap();
    let mut changed = settings("c1", 15);
    changed.availability.clear();
    changed.prices.remove(&60);
    changed.timezone = "Asia/Tokyo".parse().unwrap();

    store.put_coach_settings(&org, &changed).await.unwrap();

    assert_eq!(
        store.coach_settings(&org, &user("c1")).await.unwrap(),
        Some(changed)
    );
}

pub async fn coach_settings_are_kept_per_org(store: Arc<dyn Store>) {
    let (a, b) = (fresh_org(), fresh_org());

    store
        .put_coach_settings(&a, &settings("c1", 5))
        .await
        .unwrap();
    store
        .put_coach_settings(&b, &settings("c1", 10))
        .await
        .unwrap();

    assert_eq!(
        store
            .coach_settings(&a, &user("c1"))
            .await
            .unwrap()
            .map(|s| s.buffer_minutes),
        Some(5)
    );
    assert_eq!(
        store
            .coach_settings(&b, &user("c1"))
            .await
            .unwrap()
            .map(|s| s.buffer_minutes),
        Some(10)
    );
    assert_eq!(
        store
            .coach_settings(&fresh_org(), &user("c1"))
            .await
            .unwrap(),
        None
    );
}
