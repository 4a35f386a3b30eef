//! docs/api.md#org-settings-and-knowledge-base: the org's settings (read by every member, written by admins) and its knowledge-base
//! articles (added and removed by admins, listed oldest first), never visible to another org.

use coaching_tests::*;
use http::Method;
use serde_json::{Value, json};

const SETTINGS: &str = "/v1/org/settings";
const KB: &str = "/v1/kb-articles";

fn article(title: &str, keywords: &[&str]) -> Value {
    let slug = title.to_lowercase().replace(' ', "-");
    json!({
        "title": title,
        "url": format!("https://kb.example.com/{slug}"),
        "keywords": keywords,
    })
}

/// Adds an article as the admin and asserts 201; returns it.
async fn add(app: &TestApp, body: &Value) -> Value {
    let r = app.post(KB, &admin("admin-cy"), body).await;
    r.assert_status(201);
    r.body
}

/// Every article `token` lists, following cursors with `limit`.
async fn all_articles(app: &TestApp, token: &str, limit: u32) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let path = match &cursor {
            Some(c) => format!("{KB}?limit={limit}&cursor={c}"),
            None => format!("{KB}?limit={limit}"),
        };
        let r = app.get(&path, token).await;
        r.assert_status(200);
        out.extend(r.body["items"].as_array().cloned().unwrap_or_default());
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
    panic!("more than 50 pages")
}

fn titles(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|a| a["title"].as_str().expect("title").to_owned())
        .collect()
}

// ----- settings --------------------------------------------------------------------------------

#[tokio::test]
async fn every_member_reads_the_default_settings() {
    let app = spawn_app().await;

    for tok in [coach("coach-ana"), client("client-bo"), admin("admin-cy")] {
        let r = app.get(SETTINGS, &tok).await;

        r.assert_status(200);
        assert_eq!(
            r.body,
            json!({"includeSoftCriteria": false, "kbLinksEnabled": false})
        );
    }
}

#[tokio::test]
async fn an_admin_changes_the_settings_and_every_member_reads_them() {
    let app = spawn_app().await;
    let wanted = json!({"includeSoftCriteria": true, "kbLinksEnabled": true});

    let r = app.put(SETTINGS, &admin("admin-cy"), &wanted).await;

    r.assert_status(200);
    assert_eq!(r.body, wanted);
    for tok in [coach("coach-ana"), client("client-bo")] {
        assert_eq!(app.get(SETTINGS, &tok).await.body, wanted);
    }
    let partly = json!({"kbLinksEnabled": true});
    let r = app.put(SETTINGS, &admin("admin-cy"), &partly).await;
    r.assert_status(200);
    assert_eq!(
        app.get(SETTINGS, &coach("coach-ana")).await.body,
        json!({"includeSoftCriteria": false, "kbLinksEnabled": true}),
        "a PUT replaces: an omitted setting is false"
    );
}

#[tokio::test]
async fn a_coach_or_a_client_cannot_change_the_settings() {
    let app = spawn_app().await;
    let wanted = json!({"includeSoftCriteria": true, "kbLinksEnabled": true});

    let by_coach = app.put(SETTINGS, &coach("coach-ana"), &wanted).await;
    let by_client = app.put(SETTINGS, &client("client-bo"), &wanted).await;

    by_coach.assert_problem(403, "forbidden");
    by_client.assert_problem(403, "forbidden");
    assert_eq!(
        app.get(SETTINGS, &admin("admin-cy")).await.body,
        json!({"includeSoftCriteria": false, "kbLinksEnabled": false})
    );
}

#[tokio::test]
async fn an_unknown_or_mistyped_setting_is_400_and_changes_nothing() {
    let app = spawn_app().await;

    let unknown = app
        .put(
            SETTINGS,
            &admin("admin-cy"),
            &json!({"includeSoftCriteria": true, "kbLinksEnabeld": true}),
        )
        .await;
    let mistyped = app
        .put(
            SETTINGS,
            &admin("admin-cy"),
            &json!({"includeSoftCriteria": "yes"}),
        )
        .await;

    unknown.assert_problem(400, "validation_failed");
    assert!(
        unknown.body.to_string().contains("kbLinksEnabeld"),
        "the unknown field is named: {unknown:#?}"
    );
    mistyped.assert_invalid_field("includeSoftCriteria");
    assert_eq!(
        app.get(SETTINGS, &admin("admin-cy")).await.body,
        json!({"includeSoftCriteria": false, "kbLinksEnabled": false})
    );
}

#[tokio::test]
async fn settings_are_per_org() {
    let app = spawn_app().await;

    app.put(
        SETTINGS,
        &admin("admin-cy"),
        &json!({"includeSoftCriteria": true, "kbLinksEnabled": true}),
    )
    .await
    .assert_status(200);

    assert_eq!(
        app.get(SETTINGS, &other_org("admin-eve")).await.body,
        json!({"includeSoftCriteria": false, "kbLinksEnabled": false})
    );
}

#[tokio::test]
async fn settings_need_a_token() {
    let app = spawn_app().await;

    let r = app.request(Method::GET, SETTINGS, None, None, &[]).await;

    r.assert_problem(401, "unauthenticated");
}

// ----- knowledge-base articles -----------------------------------------------------------------

#[tokio::test]
async fn an_admin_adds_an_article_with_its_keywords_lower_cased() {
    let app = spawn_app().await;

    let r = app
        .post(
            KB,
            &admin("admin-cy"),
            &json!({
                "title": "  Refund policy  ",
                "url": "https://kb.example.com/refunds",
                "keywords": ["Refund", " REFUND POLICY ", "refund", "Rückerstattung"],
            }),
        )
        .await;

    r.assert_status(201);
    let a = &r.body;
    assert!(a["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(a["title"], "Refund policy");
    assert_eq!(a["url"], "https://kb.example.com/refunds");
    assert_eq!(
        a["keywords"],
        json!(["refund", "refund policy", "rückerstattung"])
    );
    assert_eq!(a["createdAt"], START);
    let listed = all_articles(&app, &coach("coach-ana"), 100).await;
    assert_eq!(listed, vec![a.clone()]);
}

#[tokio::test]
async fn only_an_admin_adds_articles() {
    let app = spawn_app().await;
    let body = article("Refund policy", &["refund"]);

    let by_coach = app.post(KB, &coach("coach-ana"), &body).await;
    let by_client = app.post(KB, &client("client-bo"), &body).await;

    by_coach.assert_problem(403, "forbidden");
    by_client.assert_problem(403, "forbidden");
    assert!(all_articles(&app, &admin("admin-cy"), 100).await.is_empty());
}

#[tokio::test]
async fn an_article_with_a_url_that_is_not_http_is_400() {
    let app = spawn_app().await;

    for url in [
        "ftp://kb.example.com/refunds",
        "kb.example.com/refunds",
        "javascript:alert(1)",
        "https://kb.example.com/with space",
        "",
    ] {
        let mut body = article("Refund policy", &["refund"]);
        body["url"] = json!(url);

        let r = app.post(KB, &admin("admin-cy"), &body).await;

        assert_eq!(r.status(), 400, "{url:?}: {r:#?}");
        r.assert_invalid_field("url");
    }
    assert!(all_articles(&app, &admin("admin-cy"), 100).await.is_empty());
}

#[tokio::test]
async fn an_article_url_without_a_host_is_400() {
    let app = spawn_app().await;

    for url in ["https://", "http://"] {
        let mut body = article("Refund policy", &["refund"]);
        body["url"] = json!(url);

        let r = app.post(KB, &admin("admin-cy"), &body).await;

        assert_eq!(r.status(), 400, "{url:?}: {r:#?}");
        r.assert_invalid_field("url");
    }
    assert!(all_articles(&app, &admin("admin-cy"), 100).await.is_empty());
}

#[tokio::test]
async fn an_article_without_a_title_or_keywords_is_400_naming_the_field() {
    let app = spawn_app().await;

    let cases = [
        (
            json!({"title": " ", "url": "https://kb.example.com/a", "keywords": ["a"]}),
            "title",
        ),
        (
            json!({"title": "A", "url": "https://kb.example.com/a", "keywords": []}),
            "keywords",
        ),
        (
            json!({"title": "A", "url": "https://kb.example.com/a", "keywords": ["ok", "  "]}),
            "keywords[1]",
        ),
        (
            json!({"title": "A", "url": "https://kb.example.com/a", "keywords": vec!["k"; 21]}),
            "keywords",
        ),
        (
            json!({"title": "A", "url": "https://kb.example.com/a", "keywords": "refund"}),
            "keywords",
        ),
    ];
    for (body, field) in cases {
        let r = app.post(KB, &admin("admin-cy"), &body).await;

        r.assert_invalid_field(field);
    }
    assert!(all_articles(&app, &admin("admin-cy"), 100).await.is_empty());
}

#[tokio::test]
async fn members_list_articles_oldest_first_page_by_page() {
    let app = spawn_app().await;
    let names = [
        "Refunds",
        "Greetings",
        "Escalation",
        "Tone of voice",
        "Closing",
    ];
    for name in names {
        add(&app, &article(name, &["x"])).await;
    }

    for tok in [client("client-bo"), coach("coach-ana"), admin("admin-cy")] {
        let paged = all_articles(&app, &tok, 2).await;
        let whole = all_articles(&app, &tok, 500).await;

        assert_eq!(titles(&paged), names, "pages of 2");
        assert_eq!(paged, whole);
    }
    let first = app
        .get(&format!("{KB}?limit=2"), &client("client-bo"))
        .await;
    assert_eq!(first.body["items"].as_array().expect("items").len(), 2);
    assert!(first.body["nextCursor"].is_string());
    let unpaged = app.get(KB, &client("client-bo")).await;
    assert_eq!(
        titles(unpaged.body["items"].as_array().expect("items")),
        names
    );
    assert!(unpaged.body["nextCursor"].is_null(), "{unpaged:#?}");
}

#[tokio::test]
async fn a_bad_limit_or_cursor_is_400() {
    let app = spawn_app().await;
    add(&app, &article("Refunds", &["refund"])).await;

    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=many", "limit"),
        ("cursor=***", "cursor"),
        ("cursor=bm90IGFuIGlkIQ", "cursor"),
    ] {
        let r = app.get(&format!("{KB}?{q}"), &coach("coach-ana")).await;

        assert_eq!(r.status(), 400, "{q}: {r:#?}");
        r.assert_invalid_field(field);
    }
}

#[tokio::test]
async fn an_admin_removes_an_article_and_it_is_gone() {
    let app = spawn_app().await;
    let keep = add(&app, &article("Refunds", &["refund"])).await;
    let gone = add(&app, &article("Greetings", &["greeting"])).await;
    let path = format!("{KB}/{}", gone["id"].as_str().expect("id"));

    let r = app
        .request(Method::DELETE, &path, Some(&admin("admin-cy")), None, &[])
        .await;
    let again = app
        .request(Method::DELETE, &path, Some(&admin("admin-cy")), None, &[])
        .await;

    r.assert_status(204);
    assert_eq!(r.body, Value::Null);
    again.assert_problem(404, "not_found");
    assert_eq!(
        all_articles(&app, &coach("coach-ana"), 100).await,
        vec![keep]
    );
}

#[tokio::test]
async fn only_an_admin_removes_articles() {
    let app = spawn_app().await;
    let a = add(&app, &article("Refunds", &["refund"])).await;
    let path = format!("{KB}/{}", a["id"].as_str().expect("id"));

    for tok in [coach("coach-ana"), client("client-bo")] {
        let r = app
            .request(Method::DELETE, &path, Some(&tok), None, &[])
            .await;

        r.assert_problem(403, "forbidden");
    }
    assert_eq!(all_articles(&app, &admin("admin-cy"), 100).await.len(), 1);
}

#[tokio::test]
async fn removing_an_unknown_article_is_404() {
    let app = spawn_app().await;

    for id in ["01JZZZZZZZZZZZZZZZZZZZZZZZ", "not%20an%20id"] {
        let r = app
            .request(
                Method::DELETE,
                &format!("{KB}/{id}"),
                Some(&admin("admin-cy")),
                None,
                &[],
            )
            .await;

        r.assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn another_org_never_sees_nor_removes_our_articles() {
    let app = spawn_app().await;
    let ours = add(&app, &article("Refunds", &["refund"])).await;
    let path = format!("{KB}/{}", ours["id"].as_str().expect("id"));

    let listed = all_articles(&app, &other_org("admin-eve"), 100).await;
    let removed = app
        .request(
            Method::DELETE,
            &path,
            Some(&other_org("admin-eve")),
            None,
            &[],
        )
        .await;
    let theirs = app
        .post(
            KB,
            &other_org("admin-eve"),
            &article("Their article", &["theirs"]),
        )
        .await;

    assert!(listed.is_empty(), "{listed:#?}");
    removed.assert_problem(404, "not_found");
    theirs.assert_status(201);
    assert_eq!(
        titles(&all_articles(&app, &admin("admin-cy"), 100).await),
        ["Refunds"]
    );
    assert_eq!(
        titles(&all_articles(&app, &other_org("admin-eve"), 100).await),
        ["Their article"]
    );
}

#[tokio::test]
async fn articles_need_a_token() {
    let app = spawn_app().await;

    let listed = app.request(Method::GET, KB, None, None, &[]).await;
    let added = app
        .request(
            Method::POST,
            KB,
            None,
            Some(&article("Refunds", &["refund"])),
            &[],
        )
        .await;

    listed.assert_problem(401, "unauthenticated");
    added.assert_problem(401, "unauthenticated");
}
