//! docs/api.md#sessions and docs/api.md#notes-agenda-and-action-items: action items: from notes (idempotent), made by hand, edited by the coach or ticked by
//! the assignee, listed per assignee, and carried over when a recurring session is finished.

use coaching_tests::*;
use serde_json::{Value, json};

async fn world(recurring: bool) -> (TestApp, String) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let mut body = paid("coach-ana", "client-bo", MON_0900, 60);
    if recurring {
        body["recurrence"] = json!({"every": "week"});
    }
    let s = app.book_ok(&coach("coach-ana"), &body).await;
    (app, s["id"].as_str().expect("id").to_owned())
}

async fn add(app: &TestApp, id: &str, token: &str, body: &Value) -> Resp {
    app.post(&format!("/v1/sessions/{id}/action-items"), token, body)
        .await
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn note_lines_become_items_with_due_dates_once_and_the_client_lists_them() {
    let (app, id) = world(false).await;
    let notes = json!({"notes": "Intro\n[] Send the deck @2026-12-10\n- [ ] Practise the opener"});
    let first = app
        .patch(&format!("/v1/sessions/{id}"), &coach("coach-ana"), &notes)
        .await;
    first.assert_status(200);
    let again = app
        .patch(&format!("/v1/sessions/{id}"), &coach("coach-ana"), &notes)
        .await;

    let items = again.body["actionItems"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["dueDate"], "2026-12-10");
    assert_eq!(items[1]["dueDate"], Value::Null);
    assert_eq!(items[0]["assigneeId"], "client-bo");
    let mine = app.get("/v1/action-items", &client("client-bo")).await;
    mine.assert_status(200);
    assert_eq!(ids(&mine.body).len(), 2);
    assert_eq!(mine.body["items"][0]["sessionId"], id.as_str());
}

#[tokio::test]
async fn the_coach_adds_items_for_the_client_or_themself_and_nobody_else() {
    let (app, id) = world(false).await;

    let r = add(
        &app,
        &id,
        &coach("coach-ana"),
        &json!({"title": "Read ch. 3", "dueDate": "2026-12-12"}),
    )
    .await;
    r.assert_status(201);
    assert_eq!(r.body["assigneeId"], "client-bo");
    assert_eq!(r.body["sessionId"], id.as_str());
    assert_eq!(r.body["done"], false);
    let own = add(
        &app,
        &id,
        &coach("coach-ana"),
        &json!({"title": "Send notes", "assigneeId": "coach-ana"}),
    )
    .await;
    own.assert_status(201);
    add(
        &app,
        &id,
        &coach("coach-ana"),
        &json!({"title": "x", "assigneeId": "client-zed"}),
    )
    .await
    .assert_invalid_field("assigneeId");
    add(&app, &id, &coach("coach-ana"), &json!({"title": ""}))
        .await
        .assert_invalid_field("title");
    add(&app, &id, &client("client-bo"), &json!({"title": "Mine"}))
        .await
        .assert_problem(403, "forbidden");
    add(&app, &id, &other_org("coach-ana"), &json!({"title": "x"}))
        .await
        .assert_problem(404, "not_found");
    let session = app.session(&id, &coach("coach-ana")).await;
    assert_eq!(
        session.body["actionItems"].as_array().expect("items").len(),
        2
    );
}

#[tokio::test]
async fn the_coach_edits_everything_the_assignee_only_ticks_and_strangers_see_nothing() {
    let (app, id) = world(false).await;
    let item = add(
        &app,
        &id,
        &coach("coach-ana"),
        &json!({"title": "Read", "dueDate": "2026-12-12"}),
    )
    .await;
    let path = format!("/v1/action-items/{}", item.id());

    let edited = app
        .patch(
            &path,
            &coach("coach-ana"),
            &json!({"title": "Read ch. 4", "dueDate": null}),
        )
        .await;
    edited.assert_status(200);
    assert_eq!(edited.body["title"], "Read ch. 4");
    assert_eq!(edited.body["dueDate"], Value::Null);
    app.patch(&path, &client("client-bo"), &json!({"title": "Skip it"}))
        .await
        .assert_problem(403, "forbidden");
    let ticked = app
        .patch(&path, &client("client-bo"), &json!({"done": true}))
        .await;
    ticked.assert_status(200);
    assert_eq!(ticked.body["done"], true);
    app.patch(&path, &client("client-zed"), &json!({"done": false}))
        .await
        .assert_problem(404, "not_found");
    app.patch(&path, &other_org("coach-ana"), &json!({"done": false}))
        .await
        .assert_problem(404, "not_found");
    let s = app.session(&id, &coach("coach-ana")).await;
    assert_eq!(s.body["actionItems"][0]["done"], true);
    assert_eq!(s.body["actionItems"][0]["title"], "Read ch. 4");
}

#[tokio::test]
async fn lists_show_open_ones_on_request_and_someone_elses_only_to_their_coach_or_an_admin() {
    let (app, id) = world(false).await;
    let a = add(&app, &id, &coach("coach-ana"), &json!({"title": "A"}))
        .await
        .id();
    let b = add(&app, &id, &coach("coach-ana"), &json!({"title": "B"}))
        .await
        .id();
    app.patch(
        &format!("/v1/action-items/{a}"),
        &client("client-bo"),
        &json!({"done": true}),
    )
    .await
    .assert_status(200);

    let all = app.get("/v1/action-items", &client("client-bo")).await;
    assert_eq!(ids(&all.body), vec![b.clone(), a.clone()], "open first");
    let open = app
        .get("/v1/action-items?open=true", &client("client-bo"))
        .await;
    assert_eq!(ids(&open.body), vec![b.clone()]);
    let page = app
        .get("/v1/action-items?limit=1", &client("client-bo"))
        .await;
    let cursor = page.body["nextCursor"].as_str().expect("cursor").to_owned();
    let rest = app
        .get(
            &format!("/v1/action-items?limit=1&cursor={cursor}"),
            &client("client-bo"),
        )
        .await;
    assert_eq!(ids(&rest.body), vec![a.clone()]);
    let by_coach = app
        .get("/v1/action-items?assigneeId=client-bo", &coach("coach-ana"))
        .await;
    assert_eq!(ids(&by_coach.body).len(), 2);
    let other_coach = app
        .get("/v1/action-items?assigneeId=client-bo", &coach("coach-cy"))
        .await;
    assert_eq!(ids(&other_coach.body), Vec::<String>::new());
    let by_admin = app
        .get("/v1/action-items?assigneeId=client-bo", &admin("admin-al"))
        .await;
    assert_eq!(ids(&by_admin.body).len(), 2);
    app.get(
        "/v1/action-items?assigneeId=client-bo",
        &client("client-zed"),
    )
    .await
    .assert_problem(403, "forbidden");
    let elsewhere = app
        .get(
            "/v1/action-items?assigneeId=client-bo",
            &other_org("admin-x"),
        )
        .await;
    assert_eq!(ids(&elsewhere.body), Vec::<String>::new());
}

#[tokio::test]
async fn finishing_moves_open_items_with_their_ids_and_leaves_done_ones_behind() {
    let (app, id) = world(true).await;
    let open = add(&app, &id, &coach("coach-ana"), &json!({"title": "Open"}))
        .await
        .id();
    let done = add(&app, &id, &coach("coach-ana"), &json!({"title": "Done"}))
        .await
        .id();
    app.patch(
        &format!("/v1/action-items/{done}"),
        &client("client-bo"),
        &json!({"done": true}),
    )
    .await
    .assert_status(200);
    app.set_now(&plus(MON_0900, 60));

    let r = app
        .post_empty(&format!("/v1/sessions/{id}/complete"), &coach("coach-ana"))
        .await;

    r.assert_status(200);
    let next = &r.body["nextSession"];
    let next_id = next["id"].as_str().expect("next id");
    assert_eq!(next["actionItems"].as_array().expect("items").len(), 1);
    assert_eq!(next["actionItems"][0]["id"], open.as_str());
    assert_eq!(next["actionItems"][0]["sessionId"], next_id);
    let finished = &r.body["session"]["actionItems"];
    assert_eq!(finished.as_array().expect("items").len(), 1);
    assert_eq!(finished[0]["id"], done.as_str());
    let listed = app.get("/v1/action-items", &client("client-bo")).await;
    assert_eq!(ids(&listed.body), vec![open.clone(), done.clone()]);
    assert_eq!(listed.body["items"][0]["sessionId"], next_id);
    assert_eq!(listed.body["items"][1]["sessionId"], id.as_str());
    let ticked = app
        .patch(
            &format!("/v1/action-items/{open}"),
            &client("client-bo"),
            &json!({"done": true}),
        )
        .await;
    ticked.assert_status(200);
    assert_eq!(ticked.body["sessionId"], next_id);
}
