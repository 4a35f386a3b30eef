//! KB links: at most 5 articles whose keywords occur in a chosen criterion, none while off.

use super::*;

/// Adds the KB articles; returns the ids of those a default generation may link, and of the
/// others.
pub(super) async fn kb_articles(app: &TestApp) -> (BTreeSet<String>, BTreeSet<String>) {
    let articles = [
        ("Greeting customers", &["greeting"][..], true),
        ("Refund policy", &["refund"], false), // accuracy is not selected
        ("Escalations", &["escalation"], false), // only in comments of full scores
        ("Warmth", &["cold"], false),          // empathy is soft, left out
        ("Fix on first contact", &["FIX"], true),
        ("Invoices", &["invoice", "billing"], true),
        ("Using names", &["the name"], true),
        ("Resolution codes", &["Resolution"], true),
        ("Salutations", &["salutation", "GREETING"], true),
    ];
    let (mut linkable, mut others) = (BTreeSet::new(), BTreeSet::new());
    for (title, keywords, matches) in articles {
        let slug = title.to_lowercase().replace(' ', "-");
        let r = app
            .post(
                "/v1/kb-articles",
                &admin("admin-cy"),
                &json!({"title": title, "url": format!("https://kb.example.com/{slug}"), "keywords": keywords}),
            )
            .await;
        r.assert_status(201);
        if matches {
            linkable.insert(r.id());
        } else {
            others.insert(r.id());
        }
    }
    (linkable, others)
}

#[tokio::test]
async fn kb_links_are_at_most_5_articles_whose_keywords_occur_in_a_chosen_criterion() {
    let (app, id) = world().await;
    let (linkable, _) = kb_articles(&app).await;
    app.put(
        "/v1/org/settings",
        &admin("admin-cy"),
        &json!({"includeSoftCriteria": false, "kbLinksEnabled": true}),
    )
    .await
    .assert_status(200);
    generate_ok(&app, &id, None).await;

    app.run_worker().await;

    let s = current(&app, &id).await;
    let links = s["review"]["kbLinks"].as_array().expect("kbLinks");
    let ids = field(&s["review"]["kbLinks"], "articleId");
    assert_eq!(links.len(), 5, "6 match, at most 5: {links:#?}");
    assert_eq!(set(&ids).len(), 5, "each once: {ids:?}");
    assert!(set(&ids).is_subset(&linkable), "{ids:?}");
    for l in links {
        let title = l["title"].as_str().expect("title");
        let slug = title.to_lowercase().replace(' ', "-");
        assert_eq!(l["url"], format!("https://kb.example.com/{slug}"));
    }
}

#[tokio::test]
async fn no_kb_links_while_the_org_has_them_off() {
    let (app, id) = world().await;
    kb_articles(&app).await;
    generate_ok(&app, &id, None).await;

    app.run_worker().await;

    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(s["review"]["kbLinks"], json!([]));
}

// ----- grounding -------------------------------------------------------------------------------
