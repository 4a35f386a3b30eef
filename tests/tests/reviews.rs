//! docs/api.md#session-reviews and docs/api.md#sessions carry-over: the coach asks for a review of a completed session, its client
//! gives one (once); finishing a recurring session moves its open action items to the next one.

use coaching_tests::*;
use serde_json::{Value, json};

async fn completed_session() -> (TestApp, String) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    let id = s["id"].as_str().expect("id").to_owned();
    app.set_now(&plus(MON_0900, 60));
    app.post_empty(&format!("/v1/sessions/{id}/complete"), &coach("coach-ana"))
        .await
        .assert_status(200);
    (app, id)
}

#[tokio::test]
async fn the_coach_asks_for_a_review_and_the_client_is_told_once() {
    let (app, id) = completed_session().await;

    let first = app
        .post_empty(
            &format!("/v1/sessions/{id}/review-request"),
            &coach("coach-ana"),
        )
        .await;
    let again = app
        .post_empty(
            &format!("/v1/sessions/{id}/review-request"),
            &coach("coach-ana"),
        )
        .await;

    first.assert_status(202);
    assert!(first.body["reviewRequestedAt"].is_string(), "{first:#?}");
    again.assert_status(202);
    let requested: Vec<_> = app
        .notifications(&client("client-bo"))
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "review_requested")
        .collect();
    assert_eq!(requested.len(), 1);
    app.services
        .relay_events(t(&plus(MON_0900, 60)))
        .await
        .expect("relay");
    let published = app.events.kinds();
    assert_eq!(
        published
            .iter()
            .filter(|k| *k == "review_requested")
            .count(),
        1,
        "{published:?}"
    );
}

#[tokio::test]
async fn a_review_request_needs_a_completed_session_and_its_coach() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    let id = s["id"].as_str().expect("id");

    app.post_empty(
        &format!("/v1/sessions/{id}/review-request"),
        &coach("coach-ana"),
    )
    .await
    .assert_problem(422, "invalid_transition");
    app.post_empty(
        &format!("/v1/sessions/{id}/review-request"),
        &client("client-bo"),
    )
    .await
    .assert_problem(403, "forbidden");
    app.post_empty(
        &format!("/v1/sessions/{id}/review-request"),
        &coach("coach-other"),
    )
    .await
    .assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_client_reviews_a_completed_session_once() {
    let (app, id) = completed_session().await;
    let path = format!("/v1/sessions/{id}/review");

    let r = app
        .post(
            &path,
            &client("client-bo"),
            &json!({"rating": 5, "comment": "Clear, kind; useful"}),
        )
        .await;
    let second = app
        .post(&path, &client("client-bo"), &json!({"rating": 1}))
        .await;

    r.assert_status(201);
    assert_eq!(r.body["rating"], 5);
    assert_eq!(r.body["comment"], "Clear, kind; useful");
    second.assert_problem(409, "already_exists");
    let s = app.session(&id, &coach("coach-ana")).await;
    assert_eq!(s.body["rating"]["rating"], 5);
}

#[tokio::test]
async fn only_the_sessions_client_reviews_with_a_rating_of_one_to_five() {
    let (app, id) = completed_session().await;
    let path = format!("/v1/sessions/{id}/review");

    for bad in [
        json!({"rating": 0}),
        json!({"rating": 6}),
        json!({"rating": 3, "comment": "x".repeat(2001)}),
    ] {
        let r = app.post(&path, &client("client-bo"), &bad).await;
        assert_eq!(r.status(), 400, "{bad}: {r:#?}");
    }
    app.post(&path, &coach("coach-ana"), &json!({"rating": 5}))
        .await
        .assert_problem(403, "forbidden");
    app.post(&path, &client("client-zed"), &json!({"rating": 5}))
        .await
        .assert_problem(404, "not_found");
    app.post(&path, &other_org("client-bo"), &json!({"rating": 5}))
        .await
        .assert_problem(404, "not_found");
    let s = app.session(&id, &coach("coach-ana")).await;
    assert_eq!(s.body["rating"], Value::Null);
}

#[tokio::test]
async fn a_scheduled_session_cannot_be_reviewed() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    let id = s["id"].as_str().expect("id");

    app.post(
        &format!("/v1/sessions/{id}/review"),
        &client("client-bo"),
        &json!({"rating": 4}),
    )
    .await
    .assert_problem(422, "invalid_transition");
}

#[tokio::test]
async fn finishing_a_recurring_session_moves_its_open_action_items_to_the_next_one() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let mut body = paid("coach-ana", "client-bo", MON_0900, 60);
    body["recurrence"] = json!({"every": "week"});
    let s = app.book_ok(&coach("coach-ana"), &body).await;
    let id = s["id"].as_str().expect("id").to_owned();
    let patched = app
        .patch(
            &format!("/v1/sessions/{id}"),
            &coach("coach-ana"),
            &json!({"notes": "[] Draft the pitch @2026-12-10\n[] Call the bank"}),
        )
        .await;
    patched.assert_status(200);
    let items = patched.body["actionItems"]
        .as_array()
        .expect("items")
        .clone();
    assert_eq!(items.len(), 2);
    let open_id = items[0]["id"].clone();
    app.set_now(&plus(MON_0900, 60));

    let done = app
        .post_empty(&format!("/v1/sessions/{id}/complete"), &coach("coach-ana"))
        .await;

    done.assert_status(200);
    let next = &done.body["nextSession"];
    let next_items = next["actionItems"].as_array().expect("next items");
    assert_eq!(next_items.len(), 2, "{next:#?}");
    assert_eq!(next_items[0]["id"], open_id);
    assert_eq!(next_items[0]["sessionId"], next["id"]);
    let finished = app.session(&id, &coach("coach-ana")).await;
    assert_eq!(
        finished.body["actionItems"].as_array().map(Vec::len),
        Some(0),
        "open items moved, none left behind: {finished:#?}"
    );
}
