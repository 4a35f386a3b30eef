//! docs/api.md#notes: notes and private notes of at most 32,768 UTF-8 bytes each, lists without
//! note bodies (their lengths instead), and a session at every field's limit stored and read
//! back whole on either store (DynamoDB holds at most 400 KB an item); beyond what a store keeps
//! a change is refused as a whole (413), never half-written or a 5xx.

use coaching_tests::*;
use serde_json::{Value, json};

const LIMIT: usize = 32_768;

async fn world() -> (TestApp, String) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    (app, s["id"].as_str().unwrap().to_owned())
}

async fn patch(app: &TestApp, id: &str, body: &Value) -> Resp {
    let etag = app.session(id, &coach("coach-ana")).await.etag();
    app.request(
        http::Method::PATCH,
        &format!("/v1/sessions/{id}"),
        Some(&coach("coach-ana")),
        Some(body),
        &[("if-match", &etag)],
    )
    .await
}

/// `bytes` bytes of text made of `unit` (whose length divides `bytes`).
fn text_of(unit: &str, bytes: usize) -> String {
    assert_eq!(bytes % unit.len(), 0);
    unit.repeat(bytes / unit.len())
}

#[tokio::test]
async fn notes_of_exactly_32768_bytes_are_kept_and_one_byte_more_is_400_naming_the_field() {
    let (app, id) = world().await;
    // Two-byte characters: 16,384 characters, 32,768 bytes.
    let at_limit = text_of("é", LIMIT);
    let over = format!("{at_limit}x");

    let too_long_notes = patch(&app, &id, &json!({"notes": over})).await;
    let too_long_private = patch(&app, &id, &json!({"privateNotes": over})).await;
    let ok = patch(
        &app,
        &id,
        &json!({"notes": at_limit, "privateNotes": at_limit}),
    )
    .await;

    too_long_notes.assert_invalid_field("notes");
    too_long_private.assert_invalid_field("privateNotes");
    ok.assert_status(200);
    let s = app.session(&id, &coach("coach-ana")).await;
    assert_eq!(s.body["notes"], at_limit.as_str());
    assert_eq!(s.body["privateNotes"], at_limit.as_str());
    assert_eq!(s.body["version"], 2, "the refused patches changed nothing");
}

#[tokio::test]
async fn lists_give_note_lengths_instead_of_bodies_and_never_the_private_ones_to_the_client() {
    let (app, id) = world().await;
    patch(
        &app,
        &id,
        &json!({"notes": "Grüße", "privateNotes": "Coach only"}),
    )
    .await
    .assert_status(200);

    let as_coach = app.all_sessions(&coach("coach-ana"), "").await;
    let as_client = app.all_sessions(&client("client-bo"), "").await;
    let one = app.session(&id, &client("client-bo")).await;

    let c = &as_coach[0];
    assert!(
        c.get("notes").is_none() && c.get("privateNotes").is_none(),
        "{c}"
    );
    assert_eq!(c["notesLength"], 7, "bytes: ü and ß take two each");
    assert_eq!(c["privateNotesLength"], 10);
    let k = &as_client[0];
    assert!(k.get("notes").is_none(), "{k}");
    assert!(
        k.get("privateNotes").is_none() && k.get("privateNotesLength").is_none(),
        "{k}"
    );
    assert_eq!(k["notesLength"], 7);
    // One session's read still has the text.
    assert_eq!(one.body["notes"], "Grüße");
    assert!(one.body.get("privateNotesLength").is_none());
}

/// Every text of a session at its limit, in the characters that take the most room stored:
/// four-byte characters, and quotes and backslashes, which JSON escapes to two bytes each.
fn everything_at_its_limit() -> Value {
    let agenda: Vec<Value> = (0..100)
        .map(|i| json!({"text": format!("{}{}", "🎯".repeat(499), char::from(b'a' + (i % 26) as u8))}))
        .collect();
    json!({
        "name": "🎯".repeat(200),
        "notes": text_of("\"", LIMIT),
        "privateNotes": text_of("\\", LIMIT),
        "agenda": agenda,
    })
}

#[tokio::test]
async fn a_session_with_every_text_at_its_limit_is_stored_and_read_back_whole() {
    let (app, id) = world().await;
    let body = everything_at_its_limit();

    let r = patch(&app, &id, &body).await;

    r.assert_status(200);
    let s = app.session(&id, &coach("coach-ana")).await.body;
    assert_eq!(s["name"], body["name"]);
    assert_eq!(s["notes"], body["notes"]);
    assert_eq!(s["privateNotes"], body["privateNotes"]);
    assert_eq!(s["agenda"].as_array().unwrap().len(), 100);
    assert_eq!(s["agenda"][99]["text"], body["agenda"][99]["text"]);
    // The client's copy of it too.
    let k = app.session(&id, &client("client-bo")).await.body;
    assert_eq!(k["notes"], body["notes"]);
}

#[tokio::test]
async fn a_change_that_would_grow_a_session_past_what_a_store_keeps_is_413_and_changes_nothing() {
    let (app, id) = world().await;
    patch(&app, &id, &everything_at_its_limit())
        .await
        .assert_status(200);
    let title = "🎯".repeat(300);

    let mut answers = Vec::new();
    for _ in 0..50 {
        let r = app
            .post(
                &format!("/v1/sessions/{id}/action-items"),
                &coach("coach-ana"),
                &json!({"title": title}),
            )
            .await;
        let status = r.status();
        answers.push(r);
        if status != 201 {
            break;
        }
    }

    let last = answers.last().unwrap();
    last.assert_problem(413, "payload_too_large");
    let created = answers.len() - 1;
    let s = app.session(&id, &coach("coach-ana")).await.body;
    assert_eq!(s["actionItems"].as_array().unwrap().len(), created);
    assert_eq!(
        s["version"],
        2 + created as u64,
        "the refused one wrote nothing"
    );
}
