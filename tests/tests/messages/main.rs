//! docs/api.md#messages: a thread per session between its coach and its client, oldest first and paged;
//! the other participant is told (`message_received`, inbox and event); admins read only;
//! nobody else sees or writes anything; bad text is refused and stores nothing.

mod access;

use coaching_tests::*;
use serde_json::{Value, json};

/// An app with coach-ana's paid session for client-bo next Monday; the session id.
pub(crate) async fn session() -> (TestApp, String) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    (app, s["id"].as_str().expect("id").to_owned())
}

pub(crate) fn path(id: &str) -> String {
    format!("/v1/sessions/{id}/messages")
}

/// Posts `text` as `token` and asserts 201; returns the message.
pub(crate) async fn write(app: &TestApp, id: &str, token: &str, text: &str) -> Value {
    let r = app.post(&path(id), token, &json!({ "text": text })).await;
    r.assert_status(201);
    r.body
}

/// The texts of the whole thread as `token` reads it (one page of 200).
pub(crate) async fn texts(app: &TestApp, id: &str, token: &str) -> Vec<String> {
    let r = app.get(&format!("{}?limit=200", path(id)), token).await;
    r.assert_status(200);
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["text"].as_str().expect("text").to_owned())
        .collect()
}

/// The `message_received` entries of `token`'s inbox, newest first.
pub(crate) async fn told(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app.get("/v1/notifications", token).await;
    r.assert_status(200);
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["type"] == "message_received")
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_coach_and_the_client_write_and_both_read_the_thread_oldest_first() {
    let (app, id) = session().await;

    let first = write(
        &app,
        &id,
        &coach("coach-ana"),
        "  Looking forward to Monday!\n",
    )
    .await;
    app.set_now(&plus(START, 5));
    write(&app, &id, &client("client-bo"), "Me too. Agenda attached.").await;
    app.set_now(&plus(START, 9));
    write(&app, &id, &coach("coach-ana"), "Thanks, read it.").await;

    assert_eq!(first["sessionId"], json!(id));
    assert_eq!(first["authorId"], "coach-ana");
    assert_eq!(first["text"], "Looking forward to Monday!", "trimmed");
    assert_eq!(first["createdAt"], START, "the clock's time");
    assert!(first["id"].as_str().is_some_and(|s| !s.is_empty()));
    let thread = [
        "Looking forward to Monday!",
        "Me too. Agenda attached.",
        "Thanks, read it.",
    ];
    assert_eq!(texts(&app, &id, &coach("coach-ana")).await, thread);
    assert_eq!(texts(&app, &id, &client("client-bo")).await, thread);
    let r = app.get(&path(&id), &client("client-bo")).await;
    assert_eq!(r.body["items"][1]["authorId"], "client-bo");
    assert_eq!(r.body["items"][0]["id"], first["id"]);
    assert_eq!(r.body["nextCursor"], Value::Null);
}

#[tokio::test]
async fn the_other_participant_is_told_in_the_inbox_and_by_an_event_and_the_author_is_not() {
    let (app, id) = session().await;

    let m = write(
        &app,
        &id,
        &client("client-bo"),
        "Can we talk about pricing?",
    )
    .await;

    let coach_told = told(&app, &coach("coach-ana")).await;
    assert_eq!(coach_told.len(), 1, "{coach_told:#?}");
    assert_eq!(coach_told[0]["sessionId"], json!(id));
    assert_eq!(coach_told[0]["data"]["sessionId"], json!(id));
    assert_eq!(coach_told[0]["data"]["messageId"], m["id"]);
    assert_eq!(coach_told[0]["data"]["authorId"], "client-bo");
    assert!(told(&app, &client("client-bo")).await.is_empty());
    app.services.relay_events(t(START)).await.expect("relay");
    let events: Vec<_> = app
        .events
        .published()
        .into_iter()
        .filter(|e| e.kind == "message_received")
        .collect();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].payload["recipient"], "coach-ana");
    assert_eq!(events[0].payload["data"]["messageId"], m["id"]);
}

#[tokio::test]
async fn a_thread_longer_than_a_page_is_read_oldest_first_with_cursors() {
    let (app, id) = session().await;
    for n in 0..7 {
        app.set_now(&plus(START, n));
        let who = if n % 2 == 0 {
            coach("coach-ana")
        } else {
            client("client-bo")
        };
        write(&app, &id, &who, &format!("message {n}")).await;
    }

    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let query =
            cursor.map_or_else(|| "?limit=3".to_owned(), |c| format!("?limit=3&cursor={c}"));
        let r = app
            .get(&format!("{}{query}", path(&id)), &client("client-bo"))
            .await;
        r.assert_status(200);
        let page = r.body["items"].as_array().expect("items");
        pages.push(
            page.iter()
                .map(|m| m["text"].as_str().unwrap().to_owned())
                .collect(),
        );
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }

    assert_eq!(
        pages,
        [
            vec!["message 0", "message 1", "message 2"],
            vec!["message 3", "message 4", "message 5"],
            vec!["message 6"],
        ]
    );
    let all = app.get(&path(&id), &coach("coach-ana")).await;
    assert_eq!(
        all.body["items"].as_array().unwrap().len(),
        7,
        "default page holds them all"
    );
    for bad in ["?limit=0", "?limit=201", "?limit=x"] {
        let r = app
            .get(&format!("{}{bad}", path(&id)), &coach("coach-ana"))
            .await;
        r.assert_problem(400, "validation_failed");
    }
    app.get(
        &format!("{}?cursor=not-ours", path(&id)),
        &coach("coach-ana"),
    )
    .await
    .assert_invalid_field("cursor");
}

#[tokio::test]
async fn empty_blank_and_overlong_texts_are_refused_and_store_nothing() {
    let (app, id) = session().await;

    for bad in [
        json!({"text": ""}),
        json!({"text": " \n\t "}),
        json!({"text": "x".repeat(4_001)}),
        json!({"text": format!(" {} ", "é".repeat(4_001))}),
    ] {
        app.post(&path(&id), &coach("coach-ana"), &bad)
            .await
            .assert_invalid_field("text");
    }
    for malformed in [
        json!({}),
        json!({"text": 5}),
        json!({"text": "hi", "extra": 1}),
    ] {
        app.post(&path(&id), &coach("coach-ana"), &malformed)
            .await
            .assert_problem(400, "validation_failed");
    }

    assert!(texts(&app, &id, &coach("coach-ana")).await.is_empty());
    assert!(told(&app, &client("client-bo")).await.is_empty());
    let longest = format!("  {}  ", "é".repeat(4_000));
    let m = write(&app, &id, &coach("coach-ana"), &longest).await;
    assert_eq!(m["text"].as_str().unwrap().chars().count(), 4_000);
}

#[tokio::test]
async fn the_thread_stays_open_for_a_follow_up_after_the_call() {
    let (app, id) = session().await;
    app.set_now(&plus(MON_0900, 60));
    app.post_empty(&format!("/v1/sessions/{id}/complete"), &coach("coach-ana"))
        .await
        .assert_status(200);

    write(
        &app,
        &id,
        &coach("coach-ana"),
        "Here are the slides from today.",
    )
    .await;
    write(&app, &id, &client("client-bo"), "Thanks!").await;

    assert_eq!(
        texts(&app, &id, &admin("admin-ada")).await,
        ["Here are the slides from today.", "Thanks!"]
    );
}
