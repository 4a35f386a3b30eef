//! Every list of the API pages the same way: a page is the last exactly when it has no
//! `nextCursor` (the key absent, never `null`), so a full last page carries none and a cursor
//! never leads to an empty page. Each list below holds four records and is walked with limits
//! 1, 2, 3, 4 and 5 (full last pages, a partial one, one page).

use coaching_tests::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const RECORDS: usize = 4;

/// Walks the list at `path` (a query string may follow it) with `limit`, checking each page:
/// only the last has no `nextCursor`, every page before it is full, none after a cursor is
/// empty. Returns the ids listed, in order.
async fn walk(app: &TestApp, path: &str, token: &str, limit: usize) -> Vec<String> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0..=RECORDS + 1 {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let r = app.get(&url, token).await;
        r.assert_status(200);
        let items = r.body["items"].as_array().expect("items").clone();
        let at = format!("{url} (page {page})");
        assert!(
            cursor.is_none() || !items.is_empty(),
            "{at}: an empty page after a cursor"
        );
        ids.extend(
            items
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned()),
        );
        let object = r.body.as_object().expect("an object");
        match object.get("nextCursor") {
            Some(Value::String(c)) => {
                assert_eq!(items.len(), limit, "{at}: a page before the last is full");
                cursor = Some(c.clone());
            }
            None => return ids,
            Some(other) => panic!("{at}: nextCursor is {other}: absent or a string"),
        }
    }
    panic!("{path}: more pages than records")
}

/// Walks the list with every limit and checks it lists `RECORDS` distinct records, the same
/// ones in the same order each time.
async fn check_list(app: &TestApp, path: &str, token: &str) {
    let whole = walk(app, path, token, RECORDS + 1).await;
    assert_eq!(whole.len(), RECORDS, "{path}: {whole:?}");
    assert_eq!(
        whole.iter().collect::<BTreeSet<_>>().len(),
        RECORDS,
        "{path}: {whole:?}"
    );
    for limit in 1..=RECORDS {
        assert_eq!(
            walk(app, path, token, limit).await,
            whole,
            "{path} with limit {limit}"
        );
    }
}

/// Four scheduled sessions of coach-ana and client-bo, a day apart from Monday 7 December.
async fn four_sessions(app: &TestApp) -> Vec<String> {
    app.coach_with_settings("coach-ana").await;
    let mut ids = Vec::new();
    for day in 7..7 + RECORDS {
        let s = app
            .book_paid(
                "coach-ana",
                "client-bo",
                &format!("2026-12-{day:02}T08:00:00Z"),
                30,
            )
            .await;
        ids.push(s["id"].as_str().unwrap().to_owned());
    }
    ids
}

#[tokio::test]
async fn the_session_list_has_no_cursor_on_its_last_page() {
    let app = spawn_app().await;
    four_sessions(&app).await;

    check_list(&app, "/v1/sessions", &client("client-bo")).await;
    check_list(&app, "/v1/sessions?role=coach", &coach("coach-ana")).await;
}

#[tokio::test]
async fn the_inbox_has_no_cursor_on_its_last_page() {
    let app = spawn_app().await;
    four_sessions(&app).await;

    check_list(&app, "/v1/notifications", &client("client-bo")).await;
}

#[tokio::test]
async fn the_reschedule_request_list_has_no_cursor_on_its_last_page() {
    let app = spawn_app().await;
    let sessions = four_sessions(&app).await;
    for (day, id) in sessions.iter().enumerate() {
        // 36 hours before each session: its move needs the coach's approval.
        app.set_now(&format!("2026-12-{:02}T20:00:00Z", 5 + day));
        let r = app
            .post(
                &format!("/v1/sessions/{id}/reschedule"),
                &client("client-bo"),
                &json!({"startsAt": "2026-12-14T13:00:00Z"}),
            )
            .await;
        // One proposal per session; they may name the same time (nothing is booked yet).
        r.assert_status(202);
    }

    check_list(&app, "/v1/reschedule-requests", &coach("coach-ana")).await;
    check_list(
        &app,
        "/v1/reschedule-requests?status=pending",
        &client("client-bo"),
    )
    .await;
}

#[tokio::test]
async fn the_evaluation_list_has_no_cursor_on_its_last_page() {
    let app = spawn_app().await;
    for n in 1..=RECORDS {
        let scores = json!([score("empathy", "Empathy", Some(2.0), 4.0, None)]);
        let at = format!("2026-11-{:02}T10:00:00Z", 10 + n);
        app.deliver_evaluations(&[evaluation(&format!("ev-{n}"), "client-bo", &at, scores)])
            .await;
    }

    check_list(
        &app,
        "/v1/coachees/client-bo/evaluations",
        &coach("coach-ana"),
    )
    .await;
}

#[tokio::test]
async fn the_knowledge_base_list_has_no_cursor_on_its_last_page() {
    let app = spawn_app().await;
    for n in 1..=RECORDS {
        let body = json!({"title": format!("Article {n}"), "url": format!("https://kb.example.com/{n}"), "keywords": ["refund"]});
        app.post("/v1/kb-articles", &admin("admin-cy"), &body)
            .await
            .assert_status(201);
    }

    check_list(&app, "/v1/kb-articles", &coach("coach-ana")).await;
}

#[tokio::test]
async fn the_agenda_template_list_has_no_cursor_on_its_last_page() {
    let app = spawn_app().await;
    for n in 1..=RECORDS {
        let body = json!({"name": format!("Template {n}"), "items": ["Wins"]});
        app.post("/v1/agenda-templates", &coach("coach-ana"), &body)
            .await
            .assert_status(201);
    }

    check_list(&app, "/v1/agenda-templates", &coach("coach-ana")).await;
}

#[tokio::test]
async fn the_action_item_list_has_no_cursor_on_its_last_page() {
    let app = spawn_app().await;
    let sessions = four_sessions(&app).await;
    for n in 1..=RECORDS {
        let body = json!({"title": format!("Item {n}")});
        app.post(
            &format!("/v1/sessions/{}/action-items", sessions[0]),
            &coach("coach-ana"),
            &body,
        )
        .await
        .assert_status(201);
    }

    check_list(&app, "/v1/action-items", &client("client-bo")).await;
    check_list(
        &app,
        "/v1/action-items?assigneeId=client-bo&open=true",
        &coach("coach-ana"),
    )
    .await;
}

#[tokio::test]
async fn the_message_thread_has_no_cursor_on_its_last_page() {
    let app = spawn_app().await;
    let sessions = four_sessions(&app).await;
    let thread = format!("/v1/sessions/{}/messages", sessions[0]);
    for n in 1..=RECORDS {
        app.post(
            &thread,
            &coach("coach-ana"),
            &json!({"text": format!("Note {n}")}),
        )
        .await
        .assert_status(201);
    }

    check_list(&app, &thread, &client("client-bo")).await;
}
