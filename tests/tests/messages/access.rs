//! Who may read and write a thread: admins read only; another client, another coach and
//! another org's users see nothing (404 both ways); an unknown session or a draft has none.

use super::{path, session, texts, told, write};
use coaching_tests::*;
use serde_json::json;

#[tokio::test]
async fn an_admin_reads_the_thread_but_cannot_write_to_it() {
    let (app, id) = session().await;
    write(&app, &id, &coach("coach-ana"), "Welcome aboard").await;

    let read = app.get(&path(&id), &admin("admin-ada")).await;
    let written = app
        .post(
            &path(&id),
            &admin("admin-ada"),
            &json!({"text": "hello from admin"}),
        )
        .await;

    read.assert_status(200);
    assert_eq!(read.body["items"][0]["text"], "Welcome aboard");
    written.assert_problem(403, "forbidden");
    assert_eq!(
        texts(&app, &id, &coach("coach-ana")).await,
        ["Welcome aboard"]
    );
    assert_eq!(
        told(&app, &client("client-bo")).await.len(),
        1,
        "only the coach's message is told, not the admin's refused one"
    );
    assert!(told(&app, &coach("coach-ana")).await.is_empty());
}

#[tokio::test]
async fn another_client_and_another_orgs_users_see_nothing_and_write_nothing() {
    let (app, id) = session().await;
    write(&app, &id, &client("client-bo"), "a private thought").await;
    // client-zed has a session of their own with the same coach.
    app.book_paid("coach-ana", "client-zed", &plus(MON_0900, 120), 60)
        .await;

    for outsider in [
        client("client-zed"),
        coach("coach-cy"),
        other_org("client-bo"),
        other_org("coach-ana"),
        other_org("admin-ada"),
    ] {
        let read = app.get(&path(&id), &outsider).await;
        let written = app
            .post(&path(&id), &outsider, &json!({"text": "let me in"}))
            .await;

        read.assert_problem(404, "not_found");
        written.assert_problem(404, "not_found");
        assert!(!format!("{:?}{:?}", read.body, written.body).contains("private thought"));
    }
    assert_eq!(
        texts(&app, &id, &coach("coach-ana")).await,
        ["a private thought"]
    );
    assert!(told(&app, &client("client-bo")).await.is_empty());
}

#[tokio::test]
async fn an_unknown_session_has_no_thread() {
    let (app, _) = session().await;

    for id in ["01JNOSUCHSESSION0000000000", "no such id"] {
        let p = path(&id.replace(' ', "%20"));
        app.get(&p, &coach("coach-ana"))
            .await
            .assert_problem(404, "not_found");
        app.post(&p, &coach("coach-ana"), &json!({"text": "hi"}))
            .await
            .assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn a_draft_has_no_thread_until_it_is_scheduled() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let draft = app
        .book_ok(
            &coach("coach-ana"),
            &json!({
                "kind": "review", "coachId": "coach-ana", "clientId": "client-bo",
                "name": "November review", "durationMinutes": 45,
                "review": {"periodStart": "2026-11-01T00:00:00Z", "periodEnd": "2026-11-29T00:00:00Z"},
            }),
        )
        .await;
    let id = draft["id"].as_str().unwrap();

    app.post(
        &path(id),
        &coach("coach-ana"),
        &json!({"text": "notes to self"}),
    )
    .await
    .assert_problem(422, "invalid_transition");
    app.get(&path(id), &client("client-bo"))
        .await
        .assert_problem(404, "not_found");
    assert!(texts(&app, id, &coach("coach-ana")).await.is_empty());
}
