//! docs/api.md#sessions and docs/api.md#notes-agenda-and-action-items: agenda templates: creating and listing them, booking with one, ticking its items,
//! and the fresh agenda a recurring session's successor gets from it.

use coaching_tests::*;
use serde_json::{Value, json};

async fn template(app: &TestApp, token: &str, name: &str, items: &[&str]) -> Value {
    let r = app
        .post(
            "/v1/agenda-templates",
            token,
            &json!({"name": name, "items": items}),
        )
        .await;
    r.assert_status(201);
    r.body
}

fn texts(agenda: &Value) -> Vec<(String, bool)> {
    agenda
        .as_array()
        .expect("agenda")
        .iter()
        .map(|a| {
            (
                a["text"].as_str().expect("text").to_owned(),
                a["done"].as_bool().expect("done"),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_coach_creates_templates_and_lists_only_their_own_while_an_admin_sees_the_orgs() {
    let app = spawn_app().await;
    let t = template(
        &app,
        &coach("coach-ana"),
        "Weekly 1:1",
        &["Wins", "Blockers"],
    )
    .await;
    template(&app, &coach("coach-cy"), "Cy's", &["Check-in"]).await;

    assert_eq!(t["name"], "Weekly 1:1");
    assert_eq!(t["items"], json!(["Wins", "Blockers"]));
    assert_eq!(t["ownerId"], "coach-ana");
    let own = app.get("/v1/agenda-templates", &coach("coach-ana")).await;
    own.assert_status(200);
    assert_eq!(own.body["items"].as_array().expect("items").len(), 1);
    assert_eq!(own.body["items"][0]["id"], t["id"]);
    let all = app.get("/v1/agenda-templates", &admin("admin-al")).await;
    assert_eq!(all.body["items"].as_array().expect("items").len(), 2);
    let page = app
        .get("/v1/agenda-templates?limit=1", &admin("admin-al"))
        .await;
    let cursor = page.body["nextCursor"].as_str().expect("cursor").to_owned();
    let rest = app
        .get(
            &format!("/v1/agenda-templates?limit=1&cursor={cursor}"),
            &admin("admin-al"),
        )
        .await;
    assert_eq!(rest.body["items"].as_array().expect("items").len(), 1);
    assert_ne!(rest.body["items"][0]["id"], page.body["items"][0]["id"]);
    let elsewhere = app.get("/v1/agenda-templates", &other_org("admin-x")).await;
    assert_eq!(elsewhere.body["items"], json!([]));
}

#[tokio::test]
async fn a_template_needs_a_name_and_one_to_fifty_items_and_clients_cannot_make_one() {
    let app = spawn_app().await;
    let post = |body: Value| {
        let app = &app;
        async move {
            app.post("/v1/agenda-templates", &coach("coach-ana"), &body)
                .await
        }
    };
    post(json!({"name": "", "items": ["a"]}))
        .await
        .assert_invalid_field("name");
    post(json!({"name": "x", "items": []}))
        .await
        .assert_invalid_field("items");
    let many: Vec<String> = (0..51).map(|i| format!("item {i}")).collect();
    post(json!({"name": "x", "items": many}))
        .await
        .assert_invalid_field("items");
    post(json!({"name": "x", "items": [" "]}))
        .await
        .assert_invalid_field("items[0]");
    app.post(
        "/v1/agenda-templates",
        &client("client-bo"),
        &json!({"name": "x", "items": ["a"]}),
    )
    .await
    .assert_problem(403, "forbidden");
    app.get("/v1/agenda-templates", &client("client-bo"))
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn a_session_booked_with_a_template_gets_its_items_none_done_and_the_coach_ticks_one() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let t = template(&app, &coach("coach-ana"), "1:1", &["Wins", "Blockers"]).await;
    let mut body = paid("coach-ana", "client-bo", MON_0900, 60);
    body["agendaTemplateId"] = t["id"].clone();

    let s = app.book_ok(&coach("coach-ana"), &body).await;

    assert_eq!(s["agendaTemplateId"], t["id"]);
    assert_eq!(
        texts(&s["agenda"]),
        vec![("Wins".into(), false), ("Blockers".into(), false)]
    );
    let mut agenda = s["agenda"].clone();
    agenda[0]["done"] = json!(true);
    let id = s["id"].as_str().expect("id");
    let r = app
        .patch(
            &format!("/v1/sessions/{id}"),
            &coach("coach-ana"),
            &json!({"agenda": agenda}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["agenda"][0]["done"], true);
    assert_eq!(r.body["agenda"][0]["id"], s["agenda"][0]["id"]);
    assert_eq!(r.body["agenda"][1]["done"], false);
}

#[tokio::test]
async fn an_unknown_template_or_another_coachs_is_refused_naming_agenda_template_id() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let cys = template(&app, &coach("coach-cy"), "Cy's", &["Check-in"]).await;
    let elsewhere = template(&app, &other_org("coach-ana"), "X", &["a"]).await;
    for id in [
        json!("01JUNKNOWNTEMPLATE"),
        cys["id"].clone(),
        elsewhere["id"].clone(),
    ] {
        let mut body = paid("coach-ana", "client-bo", MON_0900, 60);
        body["agendaTemplateId"] = id;
        app.post("/v1/sessions", &coach("coach-ana"), &body)
            .await
            .assert_invalid_field("agendaTemplateId");
    }
    // An admin may book with any template of the org.
    let mut body = paid("coach-ana", "client-bo", MON_0900, 60);
    body["agendaTemplateId"] = cys["id"].clone();
    let s = app.book_ok(&admin("admin-al"), &body).await;
    assert_eq!(texts(&s["agenda"]), vec![("Check-in".into(), false)]);
}

#[tokio::test]
async fn finishing_a_recurring_session_gives_the_next_one_the_templates_agenda_none_done() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let t = template(&app, &coach("coach-ana"), "1:1", &["Wins", "Blockers"]).await;
    let mut body = paid("coach-ana", "client-bo", MON_0900, 60);
    body["agendaTemplateId"] = t["id"].clone();
    body["recurrence"] = json!({"every": "week"});
    let s = app.book_ok(&coach("coach-ana"), &body).await;
    let id = s["id"].as_str().expect("id");
    app.patch(
        &format!("/v1/sessions/{id}"),
        &coach("coach-ana"),
        &json!({"agenda": [{"text": "Wins", "done": true}, {"text": "An extra topic", "done": true}]}),
    )
    .await
    .assert_status(200);
    app.set_now(&plus(MON_0900, 60));

    let done = app
        .post_empty(&format!("/v1/sessions/{id}/complete"), &coach("coach-ana"))
        .await;

    done.assert_status(200);
    let next = &done.body["nextSession"];
    assert_eq!(
        texts(&next["agenda"]),
        vec![("Wins".into(), false), ("Blockers".into(), false)]
    );
    assert_eq!(next["agendaTemplateId"], t["id"]);
    let old_ids: Vec<&Value> = s["agenda"]
        .as_array()
        .expect("agenda")
        .iter()
        .map(|a| &a["id"])
        .collect();
    assert!(
        next["agenda"]
            .as_array()
            .expect("agenda")
            .iter()
            .all(|a| !old_ids.contains(&&a["id"]))
    );
}
