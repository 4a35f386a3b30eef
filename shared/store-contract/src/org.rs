//! Cases: org-level records: settings (defaults until put), the webhook secret, and
//! knowledge-base articles (created once, listed by id, deleted once), each kept per org.

use crate::fixtures::*;
use coaching_domain::ids::{KbArticleId, OrgId};
use coaching_domain::org::{KbArticle, OrgSettings};
use coaching_domain::ports::{Store, StoreError};
use std::sync::Arc;

async fn titles(
    store: &dyn Store,
    org: &OrgId,
    limit: u32,
    after: Option<&KbArticleId>,
) -> Vec<String> {
    store
        .kb_articles(org, limit, after)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect()
}

pub async fn org_settings_are_the_defaults_until_put_then_replaced_and_kept_per_org(
    store: Arc<dyn Store>,
) {
    let (org, other) = (fresh_org(), fresh_org());
    assert_eq!(
        store.org_settings(&org).await.unwrap(),
        OrgSettings::default()
    );
    let first = OrgSettings {
        include_soft_criteria: true,
        kb_links_enabled: false,
    };
    let second = OrgSettings {
        include_soft_criteria: false,
        kb_links_enabled: true,
    };

    store.put_org_settings(&org, &first).await.unwrap();
    assert_eq!(store.org_settings(&org).await.unwrap(), first);
    store.put_org_settings(&org, &second).await.unwrap();

    assert_eq!(store.org_settings(&org).await.unwrap(), second);
    assert_eq!(
        store.org_settings(&other).await.unwrap(),
        OrgSettings::default()
    );
}

pub async fn a_webhook_secret_is_absent_until_put_then_replaced_and_kept_per_org(
    store: Arc<dyn Store>,
) {
    let (org, other) = (fresh_org(), fresh_org());
    assert_eq!(store.webhook_secret(&org).await.unwrap(), None);

    store
        .put_webhook_secret(&org, "whsec_Zmlyc3Q=")
        .await
        .unwrap();
    assert_eq!(
        store.webhook_secret(&org).await.unwrap().as_deref(),
        Some("whsec_Zmlyc3Q=")
    );
    store
        .put_webhook_secret(&org, "whsec_c2Vjb25k")
        .await
        .unwrap();

    assert_eq!(
        store.webhook_secret(&org).await.unwrap().as_deref(),
        Some("whsec_c2Vjb25k")
    );
    assert_eq!(store.webhook_secret(&other).await.unwrap(), None);
    store
        .put_webhook_secret(&other, "whsec_b3RoZXI=")
        .await
        .unwrap();
    assert_eq!(
        store.webhook_secret(&org).await.unwrap().as_deref(),
        Some("whsec_c2Vjb25k")
    );
}

pub async fn kb_articles_list_oldest_first_by_id_and_page_after_an_id(store: Arc<dyn Store>) {
    let (org, other) = (fresh_org(), fresh_org());
    let articles: Vec<KbArticle> = [(3, "c"), (1, "a"), (5, "e"), (2, "b"), (4, "d")]
        .into_iter()
        .map(|(n, t)| kb_article(&org, n, t))
        .collect();
    for a in &articles {
        store.put_kb_article(a).await.unwrap();
    }
    store
        .put_kb_article(&kb_article(&other, 9, "elsewhere"))
        .await
        .unwrap();

    let all = store.kb_articles(&org, 100, None).await.unwrap();
    let mut expected = articles.clone();
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(all, expected, "whole articles, by id");
    let s = &*store;
    assert_eq!(titles(s, &org, 2, None).await, ["a", "b"]);
    assert_eq!(titles(s, &org, 2, Some(&expected[1].id)).await, ["c", "d"]);
    assert_eq!(titles(s, &org, 2, Some(&expected[3].id)).await, ["e"]);
    assert!(titles(s, &org, 2, Some(&expected[4].id)).await.is_empty());
    // After an id that is not (or no longer) stored: strictly greater ids.
    let between = KbArticleId::parse(format!("{}0", expected[2].id)).unwrap();
    assert_eq!(titles(s, &org, 10, Some(&between)).await, ["d", "e"]);
    assert_eq!(titles(s, &other, 10, None).await, ["elsewhere"]);
    assert!(titles(s, &fresh_org(), 10, None).await.is_empty());
}

pub async fn putting_a_kb_article_whose_id_exists_is_a_conflict_and_keeps_the_first(
    store: Arc<dyn Store>,
) {
    let (org, other) = (fresh_org(), fresh_org());
    let first = kb_article(&org, 1, "first");
    store.put_kb_article(&first).await.unwrap();

    let again = KbArticle {
        title: "second".into(),
        ..first.clone()
    };
    assert_eq!(
        store.put_kb_article(&again).await,
        Err(StoreError::Conflict)
    );

    assert_eq!(store.kb_articles(&org, 10, None).await.unwrap(), [first]);
    // The same id in another org is another article.
    let elsewhere = kb_article(&other, 1, "elsewhere");
    store.put_kb_article(&elsewhere).await.unwrap();
    assert_eq!(
        store.kb_articles(&other, 10, None).await.unwrap(),
        [elsewhere]
    );
}

pub async fn deleting_a_kb_article_removes_it_once_and_only_in_its_org(store: Arc<dyn Store>) {
    let (org, other) = (fresh_org(), fresh_org());
    let (a, b) = (kb_article(&org, 1, "a"), kb_article(&org, 2, "b"));
    store.put_kb_article(&a).await.unwrap();
    store.put_kb_article(&b).await.unwrap();

    assert!(!store.delete_kb_article(&other, &a.id).await.unwrap());
    assert_eq!(titles(&*store, &org, 10, None).await, ["a", "b"]);
    assert!(store.delete_kb_article(&org, &a.id).await.unwrap());
    assert!(!store.delete_kb_article(&org, &a.id).await.unwrap());

    assert_eq!(store.kb_articles(&org, 10, None).await.unwrap(), [b]);
    // A deleted id may be used again.
    store.put_kb_article(&a).await.unwrap();
    assert_eq!(titles(&*store, &org, 10, None).await, ["a", "b"]);
}
