//! docs/api.md#sessions: a session's life after booking: editing with ETag/If-Match, action items from notes,
//! cancelling with and without fees, completing, no-shows, the join window, freed slots.

use coaching_tests::*;
use http::Method;
use serde_json::{Value, json};

/// coach-ana and a 60-minute paid session with client-bo on Monday 09:00 Berlin (9000 EUR cents).
async fn world() -> (TestApp, String) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    (app, s["id"].as_str().expect("id").to_owned())
}

fn path(id: &str, action: &str) -> String {
    if action.is_empty() {
        format!("/v1/sessions/{id}")
    } else {
        format!("/v1/sessions/{id}/{action}")
    }
}

async fn current(app: &TestApp, id: &str) -> Value {
    let r = app.session(id, &coach("coach-ana")).await;
    r.assert_status(200);
    r.body
}

async fn patch_if_match(app: &TestApp, id: &str, etag: &str, body: &Value) -> Resp {
    app.request(
        Method::PATCH,
        &path(id, ""),
        Some(&coach("coach-ana")),
        Some(body),
        &[("if-match", etag)],
    )
    .await
}

#[tokio::test]
async fn the_coach_edits_name_notes_private_notes_and_agenda() {
    let (app, id) = world().await;

    let r = app
        .patch(
            &path(&id, ""),
            &coach("coach-ana"),
            &json!({
                "name": "Quarterly goals",
                "notes": "We talked about goals.",
                "privateNotes": "Seems tired",
                "agenda": [{"text": "Goals"}, {"text": "Blockers", "done": true}],
            }),
        )
        .await;

    r.assert_status(200);
    assert_eq!(r.body["name"], "Quarterly goals");
    assert_eq!(r.body["notes"], "We talked about goals.");
    assert_eq!(r.body["privateNotes"], "Seems tired");
    let agenda = r.body["agenda"].as_array().expect("agenda");
    assert_eq!(agenda.len(), 2);
    assert_eq!(agenda[0]["text"], "Goals");
    assert_eq!(agenda[0]["done"], false);
    assert_eq!(agenda[1]["done"], true);
    assert!(agenda.iter().all(|a| a["id"].is_string()));
    assert_eq!(r.body["version"], 2);
    assert_eq!(current(&app, &id).await, r.body);
}

#[tokio::test]
async fn a_matching_if_match_saves_and_returns_a_new_etag() {
    let (app, id) = world().await;
    let etag = app.session(&id, &coach("coach-ana")).await.etag();

    let r = patch_if_match(&app, &id, &etag, &json!({"notes": "v2"})).await;

    r.assert_status(200);
    assert_ne!(r.etag(), etag);
    assert_eq!(r.etag(), format!("\"{}\"", r.body["version"]));
    assert_eq!(current(&app, &id).await["notes"], "v2");
}

#[tokio::test]
async fn a_stale_if_match_is_412_and_changes_nothing() {
    let (app, id) = world().await;
    let stale = app.session(&id, &coach("coach-ana")).await.etag();
    patch_if_match(&app, &id, &stale, &json!({"notes": "first writer"}))
        .await
        .assert_status(200);
    let before = current(&app, &id).await;

    let r = patch_if_match(
        &app,
        &id,
        &stale,
        &json!({"notes": "second writer", "name": "Renamed"}),
    )
    .await;

    r.assert_problem(412, "precondition_failed");
    assert_eq!(current(&app, &id).await, before);
    assert_eq!(before["notes"], "first writer");
}

#[tokio::test]
async fn an_if_match_the_server_never_issued_is_412() {
    let (app, id) = world().await;
    let before = current(&app, &id).await;

    let r = patch_if_match(&app, &id, "\"not-a-version\"", &json!({"notes": "x"})).await;

    r.assert_problem(412, "precondition_failed");
    assert_eq!(current(&app, &id).await, before);
}

#[tokio::test]
async fn the_client_cannot_patch_a_session() {
    let (app, id) = world().await;
    let before = current(&app, &id).await;

    let r = app
        .patch(
            &path(&id, ""),
            &client("client-bo"),
            &json!({"notes": "client was here", "agenda": []}),
        )
        .await;

    r.assert_problem(403, "forbidden");
    assert_eq!(current(&app, &id).await, before);
}

#[tokio::test]
async fn an_admin_patches_any_session() {
    let (app, id) = world().await;

    let r = app
        .patch(
            &path(&id, ""),
            &admin("admin-cy"),
            &json!({"privateNotes": "admin note"}),
        )
        .await;

    r.assert_status(200);
    assert_eq!(current(&app, &id).await["privateNotes"], "admin note");
}

#[tokio::test]
async fn invalid_edits_are_rejected_naming_the_field() {
    let (app, id) = world().await;
    let before = current(&app, &id).await;
    let long = "x".repeat(201);

    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": long}), "name"),
        (json!({"agenda": [{"text": ""}]}), "agenda[0].text"),
        (json!({"notes": 42}), "notes"),
        (json!({"startsAt": "2026-12-08T08:00:00Z"}), "startsAt"),
        (json!({"status": "completed"}), "status"),
    ] {
        let r = app.patch(&path(&id, ""), &coach("coach-ana"), &body).await;

        r.assert_invalid_field(field);
    }
    assert_eq!(current(&app, &id).await, before);
}

#[tokio::test]
async fn task_lines_in_notes_become_action_items_for_the_client() {
    let (app, id) = world().await;
    let notes = "Good call.\n[] Do X @2026-12-10\n- [ ] Read the book\nnot [] a task";

    let r = app
        .patch(
            &path(&id, ""),
            &coach("coach-ana"),
            &json!({"notes": notes}),
        )
        .await;

    r.assert_status(200);
    let items = r.body["actionItems"]
        .as_array()
        .expect("actionItems")
        .clone();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0]["title"], "Do X");
    assert_eq!(items[0]["dueDate"], "2026-12-10");
    assert_eq!(items[1]["title"], "Read the book");
    assert_eq!(items[1]["dueDate"], Value::Null);
    for item in &items {
        assert_eq!(item["assigneeId"], "client-bo");
        assert_eq!(item["sessionId"], id);
        assert_eq!(item["done"], false);
    }
    let seen = app.session(&id, &client("client-bo")).await;
    assert_eq!(seen.body["actionItems"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn saving_the_same_notes_again_adds_no_action_items() {
    let (app, id) = world().await;
    let notes = json!({"notes": "[] Do X @2026-12-10\n[] Do Y"});
    let first = app.patch(&path(&id, ""), &coach("coach-ana"), &notes).await;

    let second = app.patch(&path(&id, ""), &coach("coach-ana"), &notes).await;

    second.assert_status(200);
    assert_eq!(second.body["actionItems"], first.body["actionItems"]);
    assert_eq!(
        current(&app, &id).await["actionItems"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn a_client_cancelling_outside_the_window_owes_nothing() {
    let (app, id) = world().await;

    let r = app
        .post(
            &path(&id, "cancel"),
            &client("client-bo"),
            &json!({"reason": "Travelling"}),
        )
        .await;

    r.assert_status(200);
    assert_eq!(r.body["status"], "cancelled");
    let c = &r.body["cancellation"];
    assert_eq!(c["by"], "client");
    assert_eq!(c["reason"], "Travelling");
    assert_eq!(c["at"], START);
    assert_eq!(c["fee"], Value::Null);
    assert_eq!(current(&app, &id).await["status"], "cancelled");
}

#[tokio::test]
async fn a_client_cancelling_within_24_hours_owes_half_the_price() {
    let (app, id) = world().await;
    app.set_now(&plus(MON_0900, -23 * 60));

    let r = app
        .post_empty(&path(&id, "cancel"), &client("client-bo"))
        .await;

    r.assert_status(200);
    assert_eq!(r.body["cancellation"]["by"], "client");
    assert_eq!(
        r.body["cancellation"]["fee"],
        json!({"amount": 4500, "currency": "EUR"})
    );
    assert_eq!(
        current(&app, &id).await["cancellation"]["fee"]["amount"],
        4500
    );
}

#[tokio::test]
async fn the_late_fee_follows_the_coachs_policy() {
    let app = spawn_app().await;
    let mut settings = standard_settings();
    settings["cancellationWindowHours"] = json!(48);
    settings["lateCancellationFeePercent"] = json!(25);
    app.put_settings("coach-ana", &settings).await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 45).await;
    let id = s["id"].as_str().expect("id");
    app.set_now(&plus(MON_0900, -47 * 60));

    let r = app
        .post_empty(&path(id, "cancel"), &client("client-bo"))
        .await;

    r.assert_status(200);
    assert_eq!(
        r.body["cancellation"]["fee"],
        json!({"amount": 1750, "currency": "EUR"})
    );
}

#[tokio::test]
async fn a_coach_cancelling_within_24_hours_owes_nothing() {
    let (app, id) = world().await;
    app.set_now(&plus(MON_0900, -60));

    let r = app
        .post(&path(&id, "cancel"), &coach("coach-ana"), &json!({}))
        .await;

    r.assert_status(200);
    assert_eq!(r.body["cancellation"]["by"], "coach");
    assert_eq!(r.body["cancellation"]["fee"], Value::Null);
}

#[tokio::test]
async fn cancelling_notifies_both_participants() {
    let (app, id) = world().await;

    app.post_empty(&path(&id, "cancel"), &client("client-bo"))
        .await
        .assert_status(200);

    for tok in [coach("coach-ana"), client("client-bo")] {
        let inbox = app.notifications(&tok).await;
        assert!(
            inbox.contains(&("session_cancelled".to_owned(), id.clone())),
            "{inbox:?}"
        );
    }
    assert!(app.notifications(&client("client-cy")).await.is_empty());
}

#[tokio::test]
async fn cancelling_twice_is_422_invalid_transition() {
    let (app, id) = world().await;
    app.post_empty(&path(&id, "cancel"), &client("client-bo"))
        .await
        .assert_status(200);
    let before = current(&app, &id).await;

    let r = app
        .post_empty(&path(&id, "cancel"), &coach("coach-ana"))
        .await;

    r.assert_problem(422, "invalid_transition");
    assert_eq!(current(&app, &id).await, before);
    assert_eq!(before["cancellation"]["by"], "client");
}

#[tokio::test]
async fn completing_before_the_start_is_409_too_early() {
    let (app, id) = world().await;
    app.set_now(&plus(MON_0900, -1));

    let r = app
        .post_empty(&path(&id, "complete"), &coach("coach-ana"))
        .await;

    r.assert_problem(409, "too_early");
    assert_eq!(r.body["opensAt"], MON_0900);
    assert_eq!(current(&app, &id).await["status"], "scheduled");
}

#[tokio::test]
async fn completing_from_the_start_on_finishes_the_meeting() {
    let (app, id) = world().await;
    app.set_now(MON_0900);

    let r = app
        .post_empty(&path(&id, "complete"), &coach("coach-ana"))
        .await;

    r.assert_status(200);
    assert_eq!(r.body["session"]["id"], id);
    assert_eq!(r.body["session"]["status"], "completed");
    assert_eq!(r.body["nextSession"], Value::Null);
    assert!(
        r.body
            .as_object()
            .expect("object")
            .contains_key("nextSession")
    );
    assert_eq!(current(&app, &id).await["status"], "completed");
}

#[tokio::test]
async fn completing_twice_is_422_invalid_transition() {
    let (app, id) = world().await;
    app.set_now(&plus(MON_0900, 60));
    app.post_empty(&path(&id, "complete"), &coach("coach-ana"))
        .await
        .assert_status(200);

    let r = app
        .post_empty(&path(&id, "complete"), &coach("coach-ana"))
        .await;

    r.assert_problem(422, "invalid_transition");
    assert_eq!(current(&app, &id).await["status"], "completed");
}

#[tokio::test]
async fn a_cancelled_session_cannot_be_completed() {
    let (app, id) = world().await;
    app.post_empty(&path(&id, "cancel"), &coach("coach-ana"))
        .await
        .assert_status(200);
    app.set_now(&plus(MON_0900, 30));

    let r = app
        .post_empty(&path(&id, "complete"), &coach("coach-ana"))
        .await;

    r.assert_problem(422, "invalid_transition");
    assert_eq!(current(&app, &id).await["status"], "cancelled");
}

#[tokio::test]
async fn a_no_show_before_ten_minutes_past_the_start_is_409_too_early() {
    let (app, id) = world().await;
    app.set_now(&plus(MON_0900, 9));

    let r = app
        .post_empty(&path(&id, "no-show"), &coach("coach-ana"))
        .await;

    r.assert_problem(409, "too_early");
    assert_eq!(r.body["opensAt"], plus(MON_0900, 10));
    assert_eq!(current(&app, &id).await["status"], "scheduled");
}

#[tokio::test]
async fn a_no_show_from_ten_minutes_past_the_start_costs_the_full_price() {
    let (app, id) = world().await;
    app.set_now(&plus(MON_0900, 10));

    let r = app
        .post_empty(&path(&id, "no-show"), &coach("coach-ana"))
        .await;

    r.assert_status(200);
    assert_eq!(r.body["status"], "no_show");
    assert_eq!(
        r.body["noShow"]["fee"],
        json!({"amount": 9000, "currency": "EUR"})
    );
    assert_eq!(r.body["noShow"]["at"], plus(MON_0900, 10));
    assert_eq!(current(&app, &id).await["status"], "no_show");
}

#[tokio::test]
async fn a_no_show_of_a_free_intro_costs_nothing() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app
        .book_ok(
            &client("client-bo"),
            &intro("coach-ana", "client-bo", MON_0900),
        )
        .await;
    let id = s["id"].as_str().expect("id");
    app.set_now(&plus(MON_0900, 12));

    let r = app
        .post_empty(&path(id, "no-show"), &coach("coach-ana"))
        .await;

    r.assert_status(200);
    assert!(
        matches!(&r.body["noShow"]["fee"], Value::Null) || r.body["noShow"]["fee"]["amount"] == 0
    );
}

#[tokio::test]
async fn the_client_cannot_complete_or_record_a_no_show() {
    let (app, id) = world().await;
    app.set_now(&plus(MON_0900, 30));
    let before = current(&app, &id).await;

    let complete = app
        .post_empty(&path(&id, "complete"), &client("client-bo"))
        .await;
    let no_show = app
        .post_empty(&path(&id, "no-show"), &client("client-bo"))
        .await;

    complete.assert_problem(403, "forbidden");
    no_show.assert_problem(403, "forbidden");
    assert_eq!(current(&app, &id).await, before);
}

#[tokio::test]
async fn joining_before_fifteen_minutes_ahead_is_409_too_early() {
    let (app, id) = world().await;
    app.set_now(&plus(MON_0900, -16));

    let r = app
        .post_empty(&path(&id, "join"), &client("client-bo"))
        .await;

    r.assert_problem(409, "too_early");
    assert_eq!(r.body["opensAt"], plus(MON_0900, -15));
}

#[tokio::test]
async fn both_participants_join_inside_the_window() {
    let (app, id) = world().await;

    for (now, tok) in [
        (plus(MON_0900, -15), client("client-bo")),
        (plus(MON_0900, 30), coach("coach-ana")),
        (plus(MON_0900, 60), client("client-bo")),
    ] {
        app.set_now(&now);

        let r = app.post_empty(&path(&id, "join"), &tok).await;

        r.assert_status(200);
        assert_eq!(r.body["joinUrl"], format!("https://meet.example.com/{id}"));
        assert_eq!(r.body["opensAt"], plus(MON_0900, -15));
        assert_eq!(r.body["closesAt"], plus(MON_0900, 60));
    }
}

#[tokio::test]
async fn the_join_url_follows_the_coachs_template() {
    let app = spawn_app().await;
    let mut settings = standard_settings();
    settings["joinUrlTemplate"] = json!("https://video.example.org/room/{sessionId}?lang=de");
    app.put_settings("coach-ana", &settings).await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 30).await;
    let id = s["id"].as_str().expect("id");
    app.set_now(MON_0900);

    let r = app
        .post_empty(&path(id, "join"), &client("client-bo"))
        .await;

    r.assert_status(200);
    assert_eq!(
        r.body["joinUrl"],
        format!("https://video.example.org/room/{id}?lang=de")
    );
}

#[tokio::test]
async fn joining_after_the_end_is_409_conflict() {
    let (app, id) = world().await;
    app.set_now(&plus(MON_0900, 61));

    let r = app
        .post_empty(&path(&id, "join"), &client("client-bo"))
        .await;

    r.assert_problem(409, "conflict");
}

#[tokio::test]
async fn joining_a_cancelled_session_is_409() {
    let (app, id) = world().await;
    app.post_empty(&path(&id, "cancel"), &client("client-bo"))
        .await
        .assert_status(200);
    app.set_now(MON_0900);

    let r = app
        .post_empty(&path(&id, "join"), &client("client-bo"))
        .await;

    assert_eq!(r.status(), 409, "{r:#?}");
    assert!(r.is_problem());
}

#[tokio::test]
async fn an_admin_who_is_not_a_participant_does_not_join() {
    let (app, id) = world().await;
    app.set_now(MON_0900);

    let r = app.post_empty(&path(&id, "join"), &admin("admin-cy")).await;

    r.assert_problem(403, "forbidden");
}

#[tokio::test]
async fn a_cancelled_sessions_slot_is_free_again() {
    let (app, id) = world().await;
    app.post_empty(&path(&id, "cancel"), &client("client-bo"))
        .await
        .assert_status(200);

    let slots = app
        .slot_starts(
            "coach-ana",
            &client("client-cy"),
            MON_0900,
            &plus(MON_0900, 15),
            60,
        )
        .await;
    let rebooked = app
        .post(
            "/v1/sessions",
            &client("client-cy"),
            &paid("coach-ana", "client-cy", MON_0900, 60),
        )
        .await;

    assert_eq!(slots, vec![MON_0900.to_owned()]);
    rebooked.assert_status(201);
    let scheduled = app
        .session_ids(&coach("coach-ana"), "role=coach&status=scheduled")
        .await;
    assert_eq!(scheduled, vec![rebooked.id()]);
}

#[tokio::test]
async fn a_session_cannot_be_cancelled_after_it_ended() {
    let (app, id) = world().await;
    app.set_now(&plus(MON_0900, 90));

    let r = app
        .post_empty(&path(&id, "cancel"), &client("client-bo"))
        .await;

    r.assert_problem(422, "invalid_transition");
    assert_eq!(current(&app, &id).await["status"], "scheduled");
}

#[tokio::test]
async fn a_draft_cannot_be_cancelled_completed_or_marked_a_no_show() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let body = json!({
        "kind": "review", "coachId": "coach-ana", "clientId": "client-bo", "name": "Review",
        "review": {"periodStart": "2026-11-01T00:00:00Z", "periodEnd": "2026-12-01T00:00:00Z"},
    });
    let draft = app.book_ok(&coach("coach-ana"), &body).await;
    let id = draft["id"].as_str().expect("id");

    for action in ["cancel", "complete", "no-show"] {
        let r = app.post_empty(&path(id, action), &coach("coach-ana")).await;

        r.assert_problem(422, "invalid_transition");
    }
    assert_eq!(current(&app, id).await["status"], "draft");
}

#[tokio::test]
async fn a_cancellation_reason_over_2000_characters_is_rejected() {
    let (app, id) = world().await;

    let r = app
        .post(
            &path(&id, "cancel"),
            &client("client-bo"),
            &json!({"reason": "x".repeat(2001)}),
        )
        .await;

    r.assert_invalid_field("reason");
    assert_eq!(current(&app, &id).await["status"], "scheduled");
}

#[tokio::test]
async fn an_admin_cancelling_owes_nothing_and_is_recorded_as_admin() {
    let (app, id) = world().await;
    app.set_now(&plus(MON_0900, -60));

    let r = app
        .post_empty(&path(&id, "cancel"), &admin("admin-cy"))
        .await;

    r.assert_status(200);
    assert_eq!(r.body["cancellation"]["by"], "admin");
    assert_eq!(r.body["cancellation"]["fee"], Value::Null);
    for tok in [coach("coach-ana"), client("client-bo")] {
        let inbox = app.notifications(&tok).await;
        assert!(
            inbox.contains(&("session_cancelled".to_owned(), id.clone())),
            "{inbox:?}"
        );
    }
}
