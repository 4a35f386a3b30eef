//! docs/api.md#rescheduling: moving sessions. The coach moves at once; the client moves at once 48 h or more ahead,
//! files a request 24–48 h ahead, is refused under 24 h; requests are approved, rejected,
//! superseded or expire; every side hears exactly what the contract promises.

use coaching_tests::*;
use serde_json::{Value, json};

/// Tuesday 2026-12-08 10:00 in Berlin: a free hour of coach-ana the day after the session.
const TUE_1000: &str = "2026-12-08T09:00:00Z";

/// coach-ana (Berlin, mon–fri 09–17) and a 60-minute paid session of client-bo on Monday
/// 2026-12-07 09:00 Berlin; the clock a week before.
async fn world() -> (TestApp, String) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    (app, s["id"].as_str().expect("id").to_owned())
}

async fn reschedule(app: &TestApp, id: &str, token: &str, body: &Value) -> Resp {
    app.post(&format!("/v1/sessions/{id}/reschedule"), token, body)
        .await
}

async fn move_to(app: &TestApp, id: &str, token: &str, starts_at: &str) -> Resp {
    reschedule(app, id, token, &json!({"startsAt": starts_at})).await
}

/// `token`'s notification types, oldest first.
async fn inbox(app: &TestApp, token: &str) -> Vec<String> {
    let mut kinds: Vec<String> = app
        .notifications(token)
        .await
        .into_iter()
        .map(|(kind, _)| kind)
        .collect();
    kinds.reverse();
    kinds
}

async fn run_job(app: &TestApp, job: &str) -> Value {
    let r = app
        .post_empty(&format!("/v1/admin/jobs/{job}/run"), &admin("admin-al"))
        .await;
    r.assert_status(200);
    r.body
}

async fn request_of(app: &TestApp, request_id: &str, token: &str) -> Value {
    let r = app
        .get(&format!("/v1/reschedule-requests/{request_id}"), token)
        .await;
    r.assert_status(200);
    r.body
}

/// 36 hours before the session the client asks to move it to Tuesday: 202 and the request.
async fn requested(app: &TestApp, id: &str) -> String {
    app.set_now("2026-12-05T20:00:00Z");
    let r = reschedule(
        app,
        id,
        &client("client-bo"),
        &json!({"startsAt": TUE_1000, "reason": "a clash at work"}),
    )
    .await;
    r.assert_status(202);
    r.body["rescheduleRequest"]["id"]
        .as_str()
        .expect("request id")
        .to_owned()
}

#[tokio::test]
async fn the_coach_moves_a_session_at_once_and_only_the_client_is_told() {
    let (app, id) = world().await;

    let r = reschedule(
        &app,
        &id,
        &coach("coach-ana"),
        &json!({"startsAt": TUE_1000, "reason": "conference"}),
    )
    .await;

    r.assert_status(200);
    assert_eq!(r.body["startsAt"], TUE_1000);
    assert_eq!(r.body["endsAt"], plus(TUE_1000, 60));
    assert_eq!(r.body["status"], "scheduled");
    assert_eq!(r.etag(), format!("\"{}\"", r.body["version"]));
    assert_eq!(
        inbox(&app, &client("client-bo")).await,
        ["session_booked", "session_rescheduled"]
    );
    assert_eq!(inbox(&app, &coach("coach-ana")).await, ["session_booked"]);
    let told = app.get("/v1/notifications", &client("client-bo")).await;
    let data = &told.body["items"][0]["data"];
    assert_eq!(data["previousStartsAt"], MON_0900);
    assert_eq!(data["startsAt"], TUE_1000);
    assert_eq!(data["reason"], "conference");
    // The old time is free again, the new one is taken.
    let monday = app
        .slot_starts(
            "coach-ana",
            &client("client-cy"),
            MON_0900,
            &plus(MON_0900, 1),
            60,
        )
        .await;
    assert_eq!(monday, [MON_0900]);
    let tuesday = app
        .slot_starts(
            "coach-ana",
            &client("client-cy"),
            TUE_1000,
            &plus(TUE_1000, 1),
            60,
        )
        .await;
    assert!(tuesday.is_empty());
    app.book_paid("coach-ana", "client-cy", MON_0900, 60).await;
}

#[tokio::test]
async fn a_move_by_a_quarter_hour_overlapping_its_own_time_is_allowed() {
    let (app, id) = world().await;

    let r = move_to(&app, &id, &coach("coach-ana"), &plus(MON_0900, 15)).await;

    r.assert_status(200);
    assert_eq!(r.body["startsAt"], plus(MON_0900, 15));
    // Its blocks follow it: the quarter it left is free for a 15-minute intro, the end is not.
    let body = intro("coach-ana", "client-cy", MON_0900);
    app.book_ok(&client("client-cy"), &body).await;
    let late = intro("coach-ana", "client-dee", &plus(MON_0900, 60));
    app.post("/v1/sessions", &client("client-dee"), &late)
        .await
        .assert_problem(409, "slot_unavailable");
}

#[tokio::test]
async fn a_client_48_hours_ahead_moves_at_once_and_only_the_coach_is_told() {
    let (app, id) = world().await;
    app.set_now("2026-12-05T08:00:00Z"); // exactly 48 h before

    let r = move_to(&app, &id, &client("client-bo"), TUE_1000).await;

    r.assert_status(200);
    assert_eq!(r.body["startsAt"], TUE_1000);
    assert!(
        r.body.get("privateNotes").is_none(),
        "the client's view of the moved session"
    );
    assert_eq!(
        inbox(&app, &coach("coach-ana")).await,
        ["session_booked", "session_rescheduled"]
    );
    assert_eq!(inbox(&app, &client("client-bo")).await, ["session_booked"]);
}

#[tokio::test]
async fn a_client_24_to_48_hours_ahead_files_one_request_for_the_coach() {
    let (app, id) = world().await;

    let request_id = requested(&app, &id).await;

    let request = request_of(&app, &request_id, &coach("coach-ana")).await;
    assert_eq!(request["status"], "pending");
    assert_eq!(request["sessionId"], id);
    assert_eq!(request["requestedBy"], "client-bo");
    assert_eq!(request["proposedStartsAt"], TUE_1000);
    assert_eq!(request["reason"], "a clash at work");
    assert_eq!(request["createdAt"], "2026-12-05T20:00:00Z");
    // min(createdAt + 48 h, start): the session starts first.
    assert_eq!(request["expiresAt"], MON_0900);
    assert_eq!(request["decidedAt"], Value::Null);
    let s = app.session(&id, &client("client-bo")).await;
    assert_eq!(s.body["startsAt"], MON_0900, "nothing moved yet");
    assert_eq!(s.body["pendingRescheduleRequest"], request_id.as_str());
    assert_eq!(
        inbox(&app, &coach("coach-ana")).await,
        ["session_booked", "reschedule_requested"]
    );
    assert_eq!(inbox(&app, &client("client-bo")).await, ["session_booked"]);
    // One pending request per session.
    move_to(&app, &id, &client("client-bo"), &plus(TUE_1000, 60))
        .await
        .assert_problem(409, "conflict");
    // Both sides list it; nobody else does.
    for token in [coach("coach-ana"), client("client-bo")] {
        let list = app
            .get("/v1/reschedule-requests?status=pending", &token)
            .await;
        list.assert_status(200);
        assert_eq!(list.body["items"][0]["id"], request_id.as_str());
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    }
    for token in [
        client("client-cy"),
        coach("coach-dan"),
        other_org("client-bo"),
    ] {
        let list = app.get("/v1/reschedule-requests", &token).await;
        assert_eq!(list.body["items"], json!([]));
        app.get(&format!("/v1/reschedule-requests/{request_id}"), &token)
            .await
            .assert_problem(404, "not_found");
    }
    let approved = app
        .get(
            "/v1/reschedule-requests?status=approved",
            &coach("coach-ana"),
        )
        .await;
    assert_eq!(approved.body["items"], json!([]));
}

#[tokio::test]
async fn under_24_hours_a_client_cannot_move_the_session() {
    let (app, id) = world().await;
    app.set_now("2026-12-06T08:00:01Z"); // 23:59:59 before

    let r = move_to(&app, &id, &client("client-bo"), TUE_1000).await;

    r.assert_problem(422, "reschedule_window_closed");
    let s = app.session(&id, &coach("coach-ana")).await;
    assert_eq!(s.body["startsAt"], MON_0900);
    assert_eq!(inbox(&app, &coach("coach-ana")).await, ["session_booked"]);
}

#[tokio::test]
async fn approving_moves_the_session_and_tells_the_client() {
    let (app, id) = world().await;
    let request_id = requested(&app, &id).await;
    app.set_now("2026-12-06T09:00:00Z");

    let r = app
        .post_empty(
            &format!("/v1/reschedule-requests/{request_id}/approve"),
            &coach("coach-ana"),
        )
        .await;

    r.assert_status(200);
    assert_eq!(r.body["rescheduleRequest"]["status"], "approved");
    assert_eq!(
        r.body["rescheduleRequest"]["decidedAt"],
        "2026-12-06T09:00:00Z"
    );
    assert_eq!(r.body["session"]["startsAt"], TUE_1000);
    assert_eq!(r.body["session"]["pendingRescheduleRequest"], Value::Null);
    assert_eq!(
        inbox(&app, &client("client-bo")).await,
        ["session_booked", "reschedule_approved"]
    );
    assert_eq!(
        inbox(&app, &coach("coach-ana")).await,
        ["session_booked", "reschedule_requested"]
    );
    // Decided once.
    for action in ["approve", "reject"] {
        app.post_empty(
            &format!("/v1/reschedule-requests/{request_id}/{action}"),
            &coach("coach-ana"),
        )
        .await
        .assert_problem(409, "conflict");
    }
    let pending = app
        .get(
            "/v1/reschedule-requests?status=pending",
            &coach("coach-ana"),
        )
        .await;
    assert_eq!(pending.body["items"], json!([]));
}

#[tokio::test]
async fn rejecting_keeps_the_time_and_tells_the_client_why() {
    let (app, id) = world().await;
    let request_id = requested(&app, &id).await;

    let r = app
        .post(
            &format!("/v1/reschedule-requests/{request_id}/reject"),
            &coach("coach-ana"),
            &json!({"reason": "fully booked on Tuesday"}),
        )
        .await;

    r.assert_status(200);
    assert_eq!(r.body["rescheduleRequest"]["status"], "rejected");
    assert_eq!(
        r.body["rescheduleRequest"]["decisionReason"],
        "fully booked on Tuesday"
    );
    assert_eq!(r.body["session"]["startsAt"], MON_0900);
    assert_eq!(r.body["session"]["pendingRescheduleRequest"], Value::Null);
    let told = app.get("/v1/notifications", &client("client-bo")).await;
    assert_eq!(told.body["items"][0]["type"], "reschedule_rejected");
    assert_eq!(
        told.body["items"][0]["data"]["reason"],
        "fully booked on Tuesday"
    );
    // Tuesday stayed free.
    app.book_paid("coach-ana", "client-cy", TUE_1000, 60).await;
    // A new request may follow a decided one.
    move_to(&app, &id, &client("client-bo"), &plus(TUE_1000, 120))
        .await
        .assert_status(202);
}

#[tokio::test]
async fn only_the_coach_or_an_admin_decides() {
    let (app, id) = world().await;
    let request_id = requested(&app, &id).await;
    let approve = format!("/v1/reschedule-requests/{request_id}/approve");

    app.post_empty(&approve, &client("client-bo"))
        .await
        .assert_problem(403, "forbidden");
    app.post_empty(&approve, &coach("coach-dan"))
        .await
        .assert_problem(404, "not_found");
    app.post_empty(&approve, &other_org("admin-x"))
        .await
        .assert_problem(404, "not_found");
    app.post_empty("/v1/reschedule-requests/nope/approve", &coach("coach-ana"))
        .await
        .assert_problem(404, "not_found");

    let r = app.post_empty(&approve, &admin("admin-al")).await;
    r.assert_status(200);
    assert_eq!(r.body["session"]["startsAt"], TUE_1000);
}

#[tokio::test]
async fn a_request_is_never_approvable_from_its_expiry_on_even_before_the_job_ran() {
    let (app, id) = world().await;
    let request_id = requested(&app, &id).await;
    app.set_now(MON_0900); // expiresAt = the session's start

    let r = app
        .post_empty(
            &format!("/v1/reschedule-requests/{request_id}/approve"),
            &coach("coach-ana"),
        )
        .await;

    r.assert_problem(409, "conflict");
    let s = app.session(&id, &coach("coach-ana")).await;
    assert_eq!(s.body["startsAt"], MON_0900);
}

#[tokio::test]
async fn approving_into_a_time_taken_meanwhile_is_refused_and_the_request_stays_pending() {
    let (app, id) = world().await;
    let request_id = requested(&app, &id).await;
    app.book_paid("coach-ana", "client-cy", TUE_1000, 30).await;

    let r = app
        .post_empty(
            &format!("/v1/reschedule-requests/{request_id}/approve"),
            &coach("coach-ana"),
        )
        .await;

    r.assert_problem(409, "slot_unavailable");
    assert_eq!(
        request_of(&app, &request_id, &coach("coach-ana")).await["status"],
        "pending"
    );
    // The coach can still reject it.
    app.post_empty(
        &format!("/v1/reschedule-requests/{request_id}/reject"),
        &coach("coach-ana"),
    )
    .await
    .assert_status(200);
}

#[tokio::test]
async fn a_request_for_a_time_that_is_not_free_is_refused_at_once() {
    let (app, id) = world().await;
    app.book_paid("coach-ana", "client-cy", TUE_1000, 30).await;
    app.set_now("2026-12-05T20:00:00Z");

    move_to(&app, &id, &client("client-bo"), TUE_1000)
        .await
        .assert_problem(409, "slot_unavailable");

    assert_eq!(inbox(&app, &coach("coach-ana")).await.len(), 2);
}

#[tokio::test]
async fn a_coachs_move_supersedes_the_pending_request() {
    let (app, id) = world().await;
    let request_id = requested(&app, &id).await;

    let r = move_to(&app, &id, &coach("coach-ana"), &plus(TUE_1000, 180)).await;

    r.assert_status(200);
    assert_eq!(r.body["pendingRescheduleRequest"], Value::Null);
    let request = request_of(&app, &request_id, &client("client-bo")).await;
    assert_eq!(request["status"], "superseded");
    assert_eq!(request["decidedAt"], "2026-12-05T20:00:00Z");
    assert_eq!(
        inbox(&app, &client("client-bo")).await,
        ["session_booked", "session_rescheduled"]
    );
    app.post_empty(
        &format!("/v1/reschedule-requests/{request_id}/approve"),
        &coach("coach-ana"),
    )
    .await
    .assert_problem(409, "conflict");
}

#[tokio::test]
async fn cancelling_supersedes_the_pending_request() {
    let (app, id) = world().await;
    let request_id = requested(&app, &id).await;

    app.post_empty(&format!("/v1/sessions/{id}/cancel"), &client("client-bo"))
        .await
        .assert_status(200);

    let request = request_of(&app, &request_id, &coach("coach-ana")).await;
    assert_eq!(request["status"], "superseded");
    let expiry = run_job(&app, "reschedule-expiry").await;
    assert_eq!(expiry["actions"], json!([]));
}

#[tokio::test]
async fn the_expiry_job_expires_due_requests_tells_both_and_keeps_the_time() {
    let (app, id) = world().await;
    let request_id = requested(&app, &id).await;
    app.set_now("2026-12-07T07:59:00Z");
    let early = run_job(&app, "reschedule-expiry").await;
    assert_eq!(early["actions"], json!([]), "not due before expiresAt");

    app.set_now(MON_0900);
    let run = run_job(&app, "reschedule-expiry").await;

    assert_eq!(run["job"], "reschedule-expiry");
    assert_eq!(run["now"], MON_0900);
    assert_eq!(
        run["actions"],
        json!([{"action": "expired", "sessionId": id, "requestId": request_id, "notifications": 2}])
    );
    let request = request_of(&app, &request_id, &client("client-bo")).await;
    assert_eq!(request["status"], "expired");
    assert_eq!(request["decidedAt"], MON_0900);
    let s = app.session(&id, &coach("coach-ana")).await;
    assert_eq!(s.body["startsAt"], MON_0900);
    assert_eq!(s.body["pendingRescheduleRequest"], Value::Null);
    assert_eq!(
        inbox(&app, &client("client-bo")).await,
        ["session_booked", "reschedule_expired"]
    );
    assert_eq!(
        inbox(&app, &coach("coach-ana")).await,
        [
            "session_booked",
            "reschedule_requested",
            "reschedule_expired"
        ]
    );
    // Once.
    let again = run_job(&app, "reschedule-expiry").await;
    assert_eq!(again["actions"], json!([]));
    assert_eq!(inbox(&app, &client("client-bo")).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn approve_reject_and_expiry_racing_on_one_request_have_one_winner() {
    let app = spawn_app_on_file().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    let id = s["id"].as_str().unwrap().to_owned();
    let request_id = requested(&app, &id).await;
    // One second before expiry: approve and reject are still allowed; the job would not see it.
    app.set_now("2026-12-07T07:59:59Z");
    let approve = format!("/v1/reschedule-requests/{request_id}/approve");
    let reject = format!("/v1/reschedule-requests/{request_id}/reject");

    let token = coach("coach-ana");
    let raced = app
        .send_all(vec![
            Call::new(http::Method::POST, approve).token(&token),
            Call::new(http::Method::POST, reject).token(&token),
        ])
        .await;
    let (a, r) = (&raced[0], &raced[1]);

    let wins = [a, r].iter().filter(|x| x.status() == 200).count();
    assert_eq!(wins, 1, "approve {} reject {}", a.status(), r.status());
    for loser in [a, r].iter().filter(|x| x.status() != 200) {
        loser.assert_problem(409, "conflict");
    }
    app.set_now(MON_0900);
    let expiry = run_job(&app, "reschedule-expiry").await;
    assert_eq!(expiry["actions"], json!([]));
    let told = inbox(&app, &client("client-bo")).await;
    assert_eq!(told.len(), 2, "{told:?}");
}

#[tokio::test]
async fn bad_reschedules_are_refused_and_change_nothing() {
    let (app, id) = world().await;
    let coach_token = coach("coach-ana");

    reschedule(&app, &id, &coach_token, &json!({}))
        .await
        .assert_problem(400, "validation_failed");
    reschedule(&app, &id, &coach_token, &json!({"startsAt": "tomorrow"}))
        .await
        .assert_problem(400, "validation_failed");
    reschedule(
        &app,
        &id,
        &coach_token,
        &json!({"startsAt": TUE_1000, "extra": 1}),
    )
    .await
    .assert_problem(400, "validation_failed");
    move_to(&app, &id, &coach_token, &plus(TUE_1000, 5))
        .await
        .assert_invalid_field("startsAt");
    move_to(&app, &id, &coach_token, MON_0900)
        .await
        .assert_invalid_field("startsAt");
    reschedule(
        &app,
        &id,
        &coach_token,
        &json!({"startsAt": TUE_1000, "reason": "x".repeat(2001)}),
    )
    .await
    .assert_invalid_field("reason");
    // Outside availability (Saturday) and too soon.
    move_to(&app, &id, &coach_token, "2026-12-05T09:00:00Z")
        .await
        .assert_problem(409, "slot_unavailable");
    move_to(&app, &id, &coach_token, &plus(START, 30))
        .await
        .assert_problem(409, "slot_unavailable");
    // Strangers.
    move_to(&app, &id, &client("client-cy"), TUE_1000)
        .await
        .assert_problem(404, "not_found");
    move_to(&app, &id, &other_org("coach-ana"), TUE_1000)
        .await
        .assert_problem(404, "not_found");
    move_to(&app, "no-such-session", &coach_token, TUE_1000)
        .await
        .assert_problem(404, "not_found");

    let s = app.session(&id, &coach_token).await;
    assert_eq!(s.body["startsAt"], MON_0900);
    assert_eq!(s.body["version"], 1);
    assert_eq!(inbox(&app, &client("client-bo")).await, ["session_booked"]);
}

#[tokio::test]
async fn only_a_scheduled_session_not_yet_started_moves() {
    let (app, id) = world().await;
    app.set_now(MON_0900);
    move_to(&app, &id, &coach("coach-ana"), TUE_1000)
        .await
        .assert_problem(409, "conflict");

    app.post_empty(&format!("/v1/sessions/{id}/complete"), &coach("coach-ana"))
        .await
        .assert_status(200);
    move_to(&app, &id, &coach("coach-ana"), TUE_1000)
        .await
        .assert_problem(422, "invalid_transition");

    let (app, id) = world().await;
    app.post_empty(&format!("/v1/sessions/{id}/cancel"), &coach("coach-ana"))
        .await
        .assert_status(200);
    move_to(&app, &id, &coach("coach-ana"), TUE_1000)
        .await
        .assert_problem(422, "invalid_transition");
}

#[tokio::test]
async fn request_lists_page_newest_first_and_refuse_bad_parameters() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let mut ids = Vec::new();
    for (i, day) in ["2026-12-07", "2026-12-08", "2026-12-09"]
        .iter()
        .enumerate()
    {
        app.set_now(START);
        let start = format!("{day}T08:00:00Z");
        let s = app
            .book_paid("coach-ana", &format!("client-{i}"), &start, 30)
            .await;
        app.set_now(&plus(&start, -36 * 60));
        let r = move_to(
            &app,
            s["id"].as_str().unwrap(),
            &client(&format!("client-{i}")),
            &plus(&start, 120),
        )
        .await;
        r.assert_status(202);
        ids.push(
            r.body["rescheduleRequest"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let first = app
        .get("/v1/reschedule-requests?limit=2", &coach("coach-ana"))
        .await;
    first.assert_status(200);
    let page: Vec<&str> = first.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(page, [ids[2].as_str(), ids[1].as_str()]);
    let cursor = first.body["nextCursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/v1/reschedule-requests?limit=2&cursor={cursor}"),
            &coach("coach-ana"),
        )
        .await;
    assert_eq!(rest.body["items"][0]["id"], ids[0].as_str());
    assert_eq!(rest.body["nextCursor"], Value::Null);

    for q in ["status=maybe", "limit=0", "limit=201", "cursor=%20", "x=1"] {
        app.get(&format!("/v1/reschedule-requests?{q}"), &coach("coach-ana"))
            .await
            .assert_problem(400, "validation_failed");
    }
    app.get("/v1/reschedule-requests", "not-a-token")
        .await
        .assert_problem(401, "unauthenticated");
}
