//! Regressions: bugs the black-box suite once found, each test stating the contract's expected
//! behaviour (docs/api.md). All pass since their fixes; they stay so the bugs do not come back.

use coaching_tests::*;
use http::Method;
use serde_json::json;
use std::sync::Arc;

/// The earliest and latest instants chrono represents: valid RFC 3339 a client can send.
const EDGE_OF_TIME: [&str; 2] = ["-262143-01-01T00:00:00Z", "+262142-12-31T23:59:59Z"];

/// Asserts a 4xx problem (the contract's "no input makes the server answer 5xx").
#[track_caller]
fn assert_client_error(what: &str, r: &Resp) {
    assert!(
        (400..500).contains(&r.status()),
        "{what}: expected a 4xx, got {} {}",
        r.status(),
        r.body
    );
    assert!(r.is_problem(), "{what}: not problem+json: {r:#?}");
}

// Bug 1: DateTime arithmetic overflows (panic -> 500) for instants near chrono's limits:
// shared/domain/src/service/coaches.rs:70 (`from - reach`, `to + reach` in busy_around), reached
// from booking (create.rs:165), scheduling a draft (lifecycle.rs) and slots; and
// shared/http/src/routes/coaches.rs:66 (`from + Duration::days(7)` when `to` is omitted).

#[tokio::test]
async fn a_booking_at_the_edge_of_representable_time_is_a_4xx_not_a_500() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    for start in EDGE_OF_TIME {
        let r = app
            .post(
                "/v1/sessions",
                &client("client-bo"),
                &paid("coach-ana", "client-bo", start, 30),
            )
            .await;

        assert_client_error(&format!("POST /v1/sessions startsAt={start}"), &r);
    }
    assert!(app.all_sessions(&admin("admin-cy"), "").await.is_empty());
}

#[tokio::test]
async fn slots_at_the_edge_of_representable_time_are_a_4xx_not_a_500() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    for query in [
        "from=-262143-01-01T00:00:00Z&to=-262143-01-02T00:00:00Z",
        "from=%2B262142-12-31T23:59:59Z",
        "from=%2B262142-12-20T00:00:00Z&to=%2B262142-12-31T23:59:59Z",
    ] {
        let r = app
            .get(
                &format!("/v1/coaches/coach-ana/slots?{query}"),
                &client("client-bo"),
            )
            .await;

        assert!(
            r.status() == 200 || (400..500).contains(&r.status()),
            "{query}: {} {}",
            r.status(),
            r.body
        );
        assert!(r.status() == 200 || r.is_problem(), "{query}: {r:#?}");
    }
}

#[tokio::test]
async fn scheduling_a_draft_at_the_edge_of_representable_time_is_a_4xx_not_a_500() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let draft = app
        .book_ok(
            &coach("coach-ana"),
            &json!({
                "kind": "review", "coachId": "coach-ana", "clientId": "client-bo", "name": "Review",
                "review": {"periodStart": "2026-11-01T00:00:00Z", "periodEnd": "2026-12-01T00:00:00Z"},
            }),
        )
        .await;
    let id = draft["id"].as_str().expect("id");

    for start in EDGE_OF_TIME {
        let r = app
            .patch(
                &format!("/v1/sessions/{id}"),
                &coach("coach-ana"),
                &json!({"startsAt": start}),
            )
            .await;

        assert_client_error(&format!("PATCH startsAt={start}"), &r);
    }
    let s = app.session(id, &coach("coach-ana")).await;
    assert_eq!(s.body["status"], "draft");
}

// Bug 2: a path id that is not UTF-8 once percent-decoded gets axum's own rejection,
// `400 text/plain "Invalid URL: Invalid UTF-8 in `id`"`, not problem+json (docs/api.md#errors: every error is
// problem+json). The handlers take `axum::extract::Path<String>` directly:
// shared/http/src/routes/sessions.rs:106,190,226,244,267,285 and routes/coaches.rs:26,44,61.

#[tokio::test]
async fn a_path_id_that_is_not_utf8_gets_a_problem_json_answer() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let tok = admin("admin-cy");

    for (method, path) in [
        (Method::GET, "/v1/sessions/%FF%FE"),
        (Method::PATCH, "/v1/sessions/%FF%FE"),
        (Method::POST, "/v1/sessions/%FF%FE/cancel"),
        (Method::POST, "/v1/sessions/%FF%FE/complete"),
        (Method::POST, "/v1/sessions/%FF%FE/no-show"),
        (Method::POST, "/v1/sessions/%FF%FE/join"),
        (Method::GET, "/v1/coaches/%FF%FE/settings"),
        (Method::PUT, "/v1/coaches/%FF%FE/settings"),
        (Method::GET, "/v1/coaches/%FF%FE/slots"),
    ] {
        let body = (method != Method::GET).then(standard_settings);
        let r = app
            .request(method.clone(), path, Some(&tok), body.as_ref(), &[])
            .await;

        assert_client_error(&format!("{method} {path}"), &r);
        assert!(
            matches!(r.code(), "not_found" | "validation_failed"),
            "{method} {path}: {r:#?}"
        );
    }
}

// Bug 3: a retry that races its own first request (same Idempotency-Key, same body) is told
// `409 slot_unavailable`, though the slot was taken by the very booking it retries. In
// shared/domain/src/service/create.rs the replay check (line 158) runs before the slot check
// (165-166), which then sees the first request's session and answers SlotUnavailable; and the
// store inserts the slot locks before the idempotency record (shared/sqlite/src/commit.rs:43-51),
// so the `Err(StoreError::IdempotencyKeyExists)` replay branch (create.rs:274) is unreachable for
// a booking with a time. Expected: the first response again (or at most 409 `conflict`, "in flight").

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_retries_with_one_idempotency_key_never_hear_their_own_slot_is_taken() {
    let app = spawn_app_on_file().await;
    app.coach_with_settings("coach-ana").await;
    let tok = client("client-bo");
    let mut answers: Vec<(u16, String, String)> = Vec::new();

    for round in 0..24i64 {
        // Eight hourly slots a day, Monday to Wednesday.
        let start = plus(MON_0900, 60 * (round % 8) + 24 * 60 * (round / 8));
        let body = paid("coach-ana", "client-bo", &start, 30);
        let key = format!("retry-{round}");
        let gate = Arc::new(tokio::sync::Barrier::new(12));
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let (router, tok, body, key, gate) = (
                app.router.clone(),
                tok.clone(),
                body.clone(),
                key.clone(),
                gate.clone(),
            );
            tasks.push(tokio::spawn(async move {
                gate.wait().await;
                let call = Call::new(Method::POST, "/v1/sessions")
                    .token(&tok)
                    .json(&body)
                    .header("idempotency-key", &key);
                send(router, call).await
            }));
        }
        for t in tasks {
            let r = t.await.expect("task");
            answers.push((
                r.status(),
                r.code().to_owned(),
                r.body["id"].as_str().unwrap_or("").to_owned(),
            ));
        }
    }

    let told_taken: Vec<&(u16, String, String)> = answers
        .iter()
        .filter(|a| a.1 == "slot_unavailable")
        .collect();
    assert!(
        told_taken.is_empty(),
        "{} of {} retries were told their own slot is unavailable",
        told_taken.len(),
        answers.len()
    );
    assert!(
        answers
            .iter()
            .all(|a| a.0 == 201 || (a.0 == 409 && a.1 == "conflict")),
        "{answers:?}"
    );
    assert_eq!(app.all_sessions(&tok, "").await.len(), 24);
}

// Bug 4 (docs/api.md#sessions): completing a recurring session must create the next one "at the same wall-clock
// time in the coach's timezone one interval later (DST-correct)", link them and return it.

#[tokio::test]
async fn completing_a_weekly_session_creates_the_next_one_at_the_same_berlin_wall_clock_time() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.set_now("2026-10-01T00:00:00Z");
    // Monday 19 October 09:00 CEST = 07:00Z; a week later 09:00 CET = 08:00Z.
    let mut body = paid("coach-ana", "client-bo", "2026-10-19T07:00:00Z", 60);
    body["recurrence"] = json!({"every": "week"});
    let first = app.book_ok(&client("client-bo"), &body).await;
    let id = first["id"].as_str().expect("id");
    assert_eq!(first["recurrence"], json!({"every": "week"}));
    app.set_now("2026-10-19T08:00:00Z");

    let r = app
        .post_empty(&format!("/v1/sessions/{id}/complete"), &coach("coach-ana"))
        .await;

    r.assert_status(200);
    let next = &r.body["nextSession"];
    assert!(next.is_object(), "no nextSession: {}", r.body);
    assert_eq!(next["startsAt"], "2026-10-26T08:00:00Z");
    assert_eq!(next["status"], "scheduled");
    assert_eq!(next["previousSessionId"], id);
    assert_eq!(next["seriesId"], first["seriesId"]);
    assert_eq!(r.body["session"]["nextSessionId"], next["id"]);
    let listed = app
        .session_ids(&client("client-bo"), "role=client&status=scheduled")
        .await;
    assert_eq!(listed, vec![next["id"].as_str().unwrap_or("").to_owned()]);
}

// Bug 5 (HTTP conformance, now stated in docs/api.md#errors): RFC 9110 §15.5.2 says a 401 response
// MUST carry `WWW-Authenticate`; ours carry none (shared/http/src/problem.rs, the
// `ApiError::unauthenticated` response). Clients and proxies use it to know to send a bearer token.

#[tokio::test]
async fn a_401_tells_the_client_to_authenticate_with_a_bearer_token() {
    let app = spawn_app().await;

    let r = app
        .request(Method::GET, "/v1/sessions", None, None, &[])
        .await;

    r.assert_problem(401, "unauthenticated");
    let challenge = r
        .headers
        .get(http::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        challenge.starts_with("Bearer"),
        "WWW-Authenticate = {challenge:?}"
    );
}
