//! docs/api.md#sessions: booking intro, paid and review sessions: kinds, prices, free-slot rules, who may book
//! for whom, Idempotency-Key, and review drafts.

use coaching_tests::*;
use http::Method;
use serde_json::{Value, json};

/// Every session the admin sees in the org.
async fn org_sessions(app: &TestApp) -> Vec<Value> {
    app.all_sessions(&admin("admin-cy"), "").await
}

#[tokio::test]
async fn a_client_books_a_free_15_minute_intro_call() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &intro("coach-ana", "client-bo", MON_0900),
        )
        .await;

    r.assert_status(201);
    let s = &r.body;
    assert_eq!(s["kind"], "intro");
    assert_eq!(s["status"], "scheduled");
    assert_eq!(s["coachId"], "coach-ana");
    assert_eq!(s["clientId"], "client-bo");
    assert_eq!(s["durationMinutes"], 15);
    assert_eq!(s["startsAt"], MON_0900);
    assert_eq!(s["endsAt"], plus(MON_0900, 15));
    assert_eq!(s["price"], json!({"amount": 0, "currency": "EUR"}));
    assert_eq!(s["version"], 1);
    assert_eq!(r.etag(), "\"1\"");
    let location = r.headers.get("location").and_then(|v| v.to_str().ok());
    assert_eq!(location, Some(format!("/v1/sessions/{}", r.id()).as_str()));
    let stored = app.session(&r.id(), &client("client-bo")).await;
    stored.assert_status(200);
    assert_eq!(stored.body["status"], "scheduled");
}

#[tokio::test]
async fn an_intro_call_without_a_duration_is_15_minutes() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let body = json!({"kind": "intro", "coachId": "coach-ana", "clientId": "client-bo", "startsAt": MON_0900});

    let s = app.book_ok(&client("client-bo"), &body).await;

    assert_eq!(s["durationMinutes"], 15);
}

#[tokio::test]
async fn an_intro_call_of_another_length_is_rejected() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let mut body = intro("coach-ana", "client-bo", MON_0900);
    body["durationMinutes"] = json!(30);

    let r = app.post("/v1/sessions", &client("client-bo"), &body).await;

    r.assert_invalid_field("durationMinutes");
    assert!(org_sessions(&app).await.is_empty());
}

#[tokio::test]
async fn both_participants_are_notified_of_a_booking() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 30).await;

    let id = s["id"].as_str().expect("id").to_owned();
    for tok in [coach("coach-ana"), client("client-bo")] {
        let inbox = app.notifications(&tok).await;
        assert!(
            inbox.contains(&("session_booked".to_owned(), id.clone())),
            "{inbox:?}"
        );
    }
    assert!(app.notifications(&client("client-cy")).await.is_empty());
}

#[tokio::test]
async fn a_second_intro_for_the_same_pair_is_409_already_exists() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let first = app
        .book_ok(
            &client("client-bo"),
            &intro("coach-ana", "client-bo", MON_0900),
        )
        .await;

    let r = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &intro("coach-ana", "client-bo", "2026-12-08T10:00:00Z"),
        )
        .await;

    r.assert_problem(409, "already_exists");
    let all = org_sessions(&app).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["id"], first["id"]);
}

#[tokio::test]
async fn another_client_or_another_coach_may_still_have_an_intro() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.coach_with_settings("coach-dan").await;
    app.book_ok(
        &client("client-bo"),
        &intro("coach-ana", "client-bo", MON_0900),
    )
    .await;

    let other_client = app
        .post(
            "/v1/sessions",
            &client("client-cy"),
            &intro("coach-ana", "client-cy", plus(MON_0900, 60).as_str()),
        )
        .await;
    let other_coach = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &intro("coach-dan", "client-bo", plus(MON_0900, 60).as_str()),
        )
        .await;

    other_client.assert_status(201);
    other_coach.assert_status(201);
    assert_eq!(org_sessions(&app).await.len(), 3);
}

#[tokio::test]
async fn after_cancelling_the_intro_a_new_intro_is_allowed() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let first = app
        .book_ok(
            &client("client-bo"),
            &intro("coach-ana", "client-bo", MON_0900),
        )
        .await;
    let id = first["id"].as_str().expect("id");
    app.post(
        &format!("/v1/sessions/{id}/cancel"),
        &client("client-bo"),
        &json!({}),
    )
    .await
    .assert_status(200);

    let r = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &intro("coach-ana", "client-bo", "2026-12-08T10:00:00Z"),
        )
        .await;

    r.assert_status(201);
    let statuses: Vec<Value> = org_sessions(&app)
        .await
        .iter()
        .map(|s| s["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!("cancelled"), json!("scheduled")]);
}

#[tokio::test]
async fn paid_sessions_are_priced_from_the_coachs_settings() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let mut got = Vec::new();
    for (minutes, start) in [
        (30, "2026-12-07T08:00:00Z"),
        (45, "2026-12-07T10:00:00Z"),
        (60, "2026-12-07T12:00:00Z"),
    ] {
        let s = app
            .book_paid("coach-ana", "client-bo", start, minutes)
            .await;
        assert_eq!(s["kind"], "paid");
        assert_eq!(s["durationMinutes"], minutes);
        assert_eq!(s["endsAt"], plus(start, i64::from(minutes)));
        got.push(s["price"].clone());
    }

    assert_eq!(
        got,
        vec![
            json!({"amount": 5000, "currency": "EUR"}),
            json!({"amount": 7000, "currency": "EUR"}),
            json!({"amount": 9000, "currency": "EUR"}),
        ]
    );
}

#[tokio::test]
async fn a_paid_session_of_20_minutes_is_rejected() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    for d in [json!(20), json!(0), json!(90), json!(null)] {
        let mut body = paid("coach-ana", "client-bo", MON_0900, 30);
        body["durationMinutes"] = d.clone();

        let r = app.post("/v1/sessions", &client("client-bo"), &body).await;

        r.assert_invalid_field("durationMinutes");
    }
    assert!(org_sessions(&app).await.is_empty());
}

#[tokio::test]
async fn a_paid_duration_the_coach_has_no_price_for_is_rejected() {
    let app = spawn_app().await;
    let mut settings = standard_settings();
    settings["prices"] = json!({"60": {"amount": 9000, "currency": "EUR"}});
    app.put_settings("coach-ana", &settings).await;

    let r = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &paid("coach-ana", "client-bo", MON_0900, 30),
        )
        .await;

    assert!(matches!(r.status(), 400 | 409 | 422), "{r:#?}");
    assert!(r.is_problem());
    assert!(org_sessions(&app).await.is_empty());
}

#[tokio::test]
async fn a_start_off_the_15_minute_grid_is_rejected() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    for start in [
        "2026-12-07T08:05:00Z",
        "2026-12-07T08:00:30Z",
        "2026-12-07T08:00:00.5Z",
    ] {
        let r = app
            .post(
                "/v1/sessions",
                &client("client-bo"),
                &paid("coach-ana", "client-bo", start, 30),
            )
            .await;

        r.assert_invalid_field("startsAt");
    }
    assert!(org_sessions(&app).await.is_empty());
}

#[tokio::test]
async fn a_paid_session_without_a_start_is_rejected() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let body = json!({"kind": "paid", "coachId": "coach-ana", "clientId": "client-bo", "durationMinutes": 30});

    let r = app.post("/v1/sessions", &client("client-bo"), &body).await;

    r.assert_invalid_field("startsAt");
    assert!(org_sessions(&app).await.is_empty());
}

#[tokio::test]
async fn a_time_outside_availability_is_409_slot_unavailable() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    for start in [
        "2026-12-07T07:45:00Z", // 08:45 Berlin, before the day starts
        "2026-12-07T15:45:00Z", // 16:45 Berlin: a 30-minute session would end after 17:00
        "2026-12-05T10:00:00Z", // a Saturday
    ] {
        let r = app
            .post(
                "/v1/sessions",
                &client("client-bo"),
                &paid("coach-ana", "client-bo", start, 30),
            )
            .await;

        r.assert_problem(409, "slot_unavailable");
    }
    assert!(org_sessions(&app).await.is_empty());
}

#[tokio::test]
async fn a_time_too_soon_is_409_slot_unavailable() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.set_now("2026-12-07T07:30:00Z");

    let soon = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &paid("coach-ana", "client-bo", "2026-12-07T08:15:00Z", 30),
        )
        .await;
    let past = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &paid("coach-ana", "client-bo", "2026-12-04T08:00:00Z", 30),
        )
        .await;
    let just_in_time = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &paid("coach-ana", "client-bo", "2026-12-07T08:30:00Z", 30),
        )
        .await;

    soon.assert_problem(409, "slot_unavailable");
    past.assert_problem(409, "slot_unavailable");
    just_in_time.assert_status(201);
    assert_eq!(org_sessions(&app).await.len(), 1);
}

#[tokio::test]
async fn an_overlapping_time_is_409_slot_unavailable() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let first = app
        .book_paid("coach-ana", "client-bo", "2026-12-07T10:00:00Z", 60)
        .await;

    for (start, minutes) in [
        ("2026-12-07T10:00:00Z", 30),
        ("2026-12-07T10:45:00Z", 30),
        ("2026-12-07T09:45:00Z", 30),
    ] {
        let r = app
            .post(
                "/v1/sessions",
                &client("client-cy"),
                &paid("coach-ana", "client-cy", start, minutes),
            )
            .await;

        r.assert_problem(409, "slot_unavailable");
    }
    let all = org_sessions(&app).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["id"], first["id"]);
}

#[tokio::test]
async fn the_time_right_after_a_session_is_free_without_a_buffer() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.book_paid("coach-ana", "client-bo", "2026-12-07T10:00:00Z", 60)
        .await;

    let before = app
        .post(
            "/v1/sessions",
            &client("client-cy"),
            &paid("coach-ana", "client-cy", "2026-12-07T09:30:00Z", 30),
        )
        .await;
    let after = app
        .post(
            "/v1/sessions",
            &client("client-cy"),
            &paid("coach-ana", "client-cy", "2026-12-07T11:00:00Z", 30),
        )
        .await;

    before.assert_status(201);
    after.assert_status(201);
}

#[tokio::test]
async fn the_coachs_buffer_is_kept_free_after_a_session() {
    let app = spawn_app().await;
    let mut settings = standard_settings();
    settings["bufferMinutes"] = json!(15);
    app.put_settings("coach-ana", &settings).await;
    app.book_paid("coach-ana", "client-bo", "2026-12-07T10:00:00Z", 30)
        .await;

    let in_buffer = app
        .post(
            "/v1/sessions",
            &client("client-cy"),
            &paid("coach-ana", "client-cy", "2026-12-07T10:30:00Z", 30),
        )
        .await;
    let buffer_before = app
        .post(
            "/v1/sessions",
            &client("client-cy"),
            &paid("coach-ana", "client-cy", "2026-12-07T09:30:00Z", 30),
        )
        .await;
    let after_buffer = app
        .post(
            "/v1/sessions",
            &client("client-cy"),
            &paid("coach-ana", "client-cy", "2026-12-07T10:45:00Z", 30),
        )
        .await;

    in_buffer.assert_problem(409, "slot_unavailable");
    buffer_before.assert_problem(409, "slot_unavailable");
    after_buffer.assert_status(201);
    assert_eq!(org_sessions(&app).await.len(), 2);
}

#[tokio::test]
async fn a_client_books_only_for_themselves() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &paid("coach-ana", "client-cy", MON_0900, 30),
        )
        .await;

    r.assert_problem(403, "forbidden");
    assert!(org_sessions(&app).await.is_empty());
}

#[tokio::test]
async fn a_coach_books_for_a_client_only_as_the_coach() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.coach_with_settings("coach-dan").await;

    let as_other = app
        .post(
            "/v1/sessions",
            &coach("coach-dan"),
            &paid("coach-ana", "client-bo", MON_0900, 30),
        )
        .await;
    let as_self = app
        .post(
            "/v1/sessions",
            &coach("coach-ana"),
            &paid("coach-ana", "client-bo", MON_0900, 30),
        )
        .await;

    as_other.assert_problem(403, "forbidden");
    as_self.assert_status(201);
    let all = org_sessions(&app).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["coachId"], "coach-ana");
}

#[tokio::test]
async fn a_coach_cannot_book_a_session_with_themselves() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .post(
            "/v1/sessions",
            &coach("coach-ana"),
            &paid("coach-ana", "coach-ana", MON_0900, 30),
        )
        .await;

    r.assert_invalid_field("clientId");
    assert!(org_sessions(&app).await.is_empty());
}

#[tokio::test]
async fn an_admin_books_for_anyone_in_the_org() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let s = app
        .book_ok(
            &admin("admin-cy"),
            &paid("coach-ana", "client-bo", MON_0900, 45),
        )
        .await;

    assert_eq!(s["coachId"], "coach-ana");
    assert_eq!(s["clientId"], "client-bo");
    let seen = app
        .session(s["id"].as_str().expect("id"), &client("client-bo"))
        .await;
    seen.assert_status(200);
}

#[tokio::test]
async fn booking_a_coach_without_settings_is_404() {
    let app = spawn_app().await;

    let r = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &paid("coach-nobody", "client-bo", MON_0900, 30),
        )
        .await;

    r.assert_problem(404, "not_found");
    assert!(org_sessions(&app).await.is_empty());
}

#[tokio::test]
async fn booking_a_coach_of_another_org_is_404() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .post(
            "/v1/sessions",
            &other_org("client-eve"),
            &paid("coach-ana", "client-eve", MON_0900, 30),
        )
        .await;

    r.assert_problem(404, "not_found");
    assert!(org_sessions(&app).await.is_empty());
}

#[tokio::test]
async fn the_same_idempotency_key_and_body_returns_the_first_response_and_books_once() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let body = paid("coach-ana", "client-bo", MON_0900, 30);
    let key = [("idempotency-key", "book-7f3a")];
    let tok = client("client-bo");

    let first = app
        .request(Method::POST, "/v1/sessions", Some(&tok), Some(&body), &key)
        .await;
    let second = app
        .request(Method::POST, "/v1/sessions", Some(&tok), Some(&body), &key)
        .await;

    first.assert_status(201);
    second.assert_status(201);
    assert_eq!(second.id(), first.id());
    assert_eq!(second.body, first.body);
    let all = org_sessions(&app).await;
    assert_eq!(all.len(), 1);
    let inbox = app.notifications(&tok).await;
    assert_eq!(inbox.len(), 1, "a replay must not notify again: {inbox:?}");
}

#[tokio::test]
async fn the_same_idempotency_key_with_another_body_is_422() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let key = [("idempotency-key", "book-7f3a")];
    let tok = client("client-bo");
    let first_body = paid("coach-ana", "client-bo", MON_0900, 30);
    let other_body = paid("coach-ana", "client-bo", "2026-12-07T12:00:00Z", 30);
    let first = app
        .request(
            Method::POST,
            "/v1/sessions",
            Some(&tok),
            Some(&first_body),
            &key,
        )
        .await;

    let r = app
        .request(
            Method::POST,
            "/v1/sessions",
            Some(&tok),
            Some(&other_body),
            &key,
        )
        .await;

    first.assert_status(201);
    r.assert_problem(422, "idempotency_key_reused");
    let all = org_sessions(&app).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["startsAt"], MON_0900);
}

#[tokio::test]
async fn an_idempotency_key_belongs_to_its_caller() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let key = [("idempotency-key", "same-key")];
    let bo = client("client-bo");
    let cy = client("client-cy");
    app.request(
        Method::POST,
        "/v1/sessions",
        Some(&bo),
        Some(&paid("coach-ana", "client-bo", MON_0900, 30)),
        &key,
    )
    .await
    .assert_status(201);

    let r = app
        .request(
            Method::POST,
            "/v1/sessions",
            Some(&cy),
            Some(&paid("coach-ana", "client-cy", "2026-12-07T12:00:00Z", 30)),
            &key,
        )
        .await;

    r.assert_status(201);
    assert_eq!(r.body["clientId"], "client-cy");
    assert_eq!(org_sessions(&app).await.len(), 2);
}

#[tokio::test]
async fn a_malformed_idempotency_key_is_rejected() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let long = "k".repeat(300);

    for key in ["", "has space", long.as_str()] {
        let r = app
            .request(
                Method::POST,
                "/v1/sessions",
                Some(&client("client-bo")),
                Some(&paid("coach-ana", "client-bo", MON_0900, 30)),
                &[("idempotency-key", key)],
            )
            .await;

        r.assert_invalid_field("Idempotency-Key");
    }
    assert!(org_sessions(&app).await.is_empty());
}

fn review_draft(coach_id: &str, client_id: &str) -> Value {
    json!({
        "kind": "review",
        "coachId": coach_id,
        "clientId": client_id,
        "name": "November review",
        "durationMinutes": 45,
        "review": {"periodStart": "2026-11-01T00:00:00Z", "periodEnd": "2026-12-01T00:00:00Z"},
    })
}

#[tokio::test]
async fn a_review_without_a_start_is_a_draft_the_client_cannot_see() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .post(
            "/v1/sessions",
            &coach("coach-ana"),
            &review_draft("coach-ana", "client-bo"),
        )
        .await;

    r.assert_status(201);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["kind"], "review");
    assert_eq!(r.body["startsAt"], Value::Null);
    assert_eq!(r.body["review"]["periodStart"], "2026-11-01T00:00:00Z");
    let id = r.id();
    app.session(&id, &client("client-bo"))
        .await
        .assert_problem(404, "not_found");
    assert!(
        !app.session_ids(&client("client-bo"), "")
            .await
            .contains(&id)
    );
    assert!(
        !app.session_ids(&client("client-bo"), "role=client")
            .await
            .contains(&id)
    );
    assert!(
        !app.session_ids(&client("client-bo"), "status=draft")
            .await
            .contains(&id)
    );
    assert!(app.notifications(&client("client-bo")).await.is_empty());
    app.session(&id, &coach("coach-ana"))
        .await
        .assert_status(200);
    assert!(
        app.session_ids(&coach("coach-ana"), "role=coach")
            .await
            .contains(&id)
    );
}

#[tokio::test]
async fn a_client_cannot_create_a_review() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &review_draft("coach-ana", "client-bo"),
        )
        .await;

    r.assert_problem(403, "forbidden");
    assert!(org_sessions(&app).await.is_empty());
}

#[tokio::test]
async fn a_review_needs_its_period() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let mut body = review_draft("coach-ana", "client-bo");
    body.as_object_mut().expect("object").remove("review");

    let r = app.post("/v1/sessions", &coach("coach-ana"), &body).await;

    r.assert_invalid_field("review");
    assert!(org_sessions(&app).await.is_empty());
}

#[tokio::test]
async fn scheduling_a_draft_by_patch_makes_it_visible_and_notifies_the_client() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let draft = app
        .book_ok(&coach("coach-ana"), &review_draft("coach-ana", "client-bo"))
        .await;
    let id = draft["id"].as_str().expect("id").to_owned();

    let r = app
        .patch(
            &format!("/v1/sessions/{id}"),
            &coach("coach-ana"),
            &json!({"startsAt": MON_0900}),
        )
        .await;

    r.assert_status(200);
    assert_eq!(r.body["status"], "scheduled");
    assert_eq!(r.body["startsAt"], MON_0900);
    assert_eq!(r.body["endsAt"], plus(MON_0900, 45));
    let seen = app.session(&id, &client("client-bo")).await;
    seen.assert_status(200);
    assert_eq!(seen.body["status"], "scheduled");
    assert!(
        app.session_ids(&client("client-bo"), "role=client")
            .await
            .contains(&id)
    );
    let inbox = app.notifications(&client("client-bo")).await;
    assert!(
        inbox.contains(&("session_scheduled".to_owned(), id.clone())),
        "{inbox:?}"
    );
}

#[tokio::test]
async fn scheduling_a_draft_into_a_taken_slot_is_409_and_keeps_the_draft() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.book_paid("coach-ana", "client-cy", MON_0900, 60).await;
    let draft = app
        .book_ok(&coach("coach-ana"), &review_draft("coach-ana", "client-bo"))
        .await;
    let id = draft["id"].as_str().expect("id").to_owned();

    let r = app
        .patch(
            &format!("/v1/sessions/{id}"),
            &coach("coach-ana"),
            &json!({"startsAt": MON_0900}),
        )
        .await;

    r.assert_problem(409, "slot_unavailable");
    let s = app.session(&id, &coach("coach-ana")).await;
    assert_eq!(s.body["status"], "draft");
    assert_eq!(s.body["startsAt"], Value::Null);
    app.session(&id, &client("client-bo"))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_review_with_a_start_is_scheduled_at_once_and_the_client_is_notified() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let mut body = review_draft("coach-ana", "client-bo");
    body["startsAt"] = json!(MON_0900);

    let s = app.book_ok(&coach("coach-ana"), &body).await;

    assert_eq!(s["status"], "scheduled");
    assert_eq!(s["price"], Value::Null);
    let id = s["id"].as_str().expect("id").to_owned();
    app.session(&id, &client("client-bo"))
        .await
        .assert_status(200);
    let inbox = app.notifications(&client("client-bo")).await;
    assert!(
        inbox.contains(&("session_scheduled".to_owned(), id)),
        "{inbox:?}"
    );
}

#[tokio::test]
async fn a_start_with_an_offset_is_the_same_instant_in_utc() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let s = app
        .book_ok(
            &client("client-bo"),
            &paid("coach-ana", "client-bo", "2026-12-07T09:00:00+01:00", 30),
        )
        .await;

    assert_eq!(s["startsAt"], MON_0900);
    assert_eq!(s["endsAt"], plus(MON_0900, 30));
}

#[tokio::test]
async fn the_same_coach_id_in_another_org_is_another_coach_with_its_own_calendar() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    let theirs = token("coach-ana", OTHER_ORG, &[coaching_domain::Role::Coach]);
    app.put(
        "/v1/coaches/coach-ana/settings",
        &theirs,
        &standard_settings(),
    )
    .await
    .assert_status(200);

    let r = app
        .post(
            "/v1/sessions",
            &token("client-bo", OTHER_ORG, &[coaching_domain::Role::Client]),
            &paid("coach-ana", "client-bo", MON_0900, 60),
        )
        .await;

    r.assert_status(201);
    assert_eq!(org_sessions(&app).await.len(), 1);
    assert_eq!(
        app.session_ids(&other_org("admin-eve"), "").await,
        vec![r.id()]
    );
}

#[tokio::test]
async fn bookable_hours_follow_berlin_wall_clock_after_the_spring_change() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.set_now("2026-03-01T00:00:00Z");

    // Monday 30 March is summer time: 09:00 Berlin is 07:00Z and 17:00 is 15:00Z.
    let first = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &paid("coach-ana", "client-bo", "2026-03-30T07:00:00Z", 30),
        )
        .await;
    let too_early = app
        .post(
            "/v1/sessions",
            &client("client-cy"),
            &paid("coach-ana", "client-cy", "2026-03-30T06:45:00Z", 30),
        )
        .await;
    let too_late = app
        .post(
            "/v1/sessions",
            &client("client-cy"),
            &paid("coach-ana", "client-cy", "2026-03-30T14:45:00Z", 30),
        )
        .await;

    first.assert_status(201);
    too_early.assert_problem(409, "slot_unavailable");
    too_late.assert_problem(409, "slot_unavailable");
}

#[tokio::test]
async fn a_booking_body_naming_a_key_twice_is_400_naming_it_and_books_nothing() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let body = format!(
        r#"{{"kind":"paid","coachId":"coach-ana","clientId":"client-bo","startsAt":"{MON_0900}","durationMinutes":60,"durationMinutes":30}}"#
    );

    let r = app
        .send(
            Call::new(http::Method::POST, "/v1/sessions")
                .token(&client("client-bo"))
                .raw(body.into_bytes())
                .content_type("application/json"),
        )
        .await;

    r.assert_invalid_field("durationMinutes");
    assert!(app.session_ids(&admin("admin-cy"), "").await.is_empty());
}
