//! docs/api.md#test-clock: `PUT /v1/test-clock` moves the time every rule and job uses, so
//! only an org admin may move it; everyone may read it.

use coaching_tests::*;
use serde_json::json;

const LATER: &str = "2026-12-24T12:00:00Z";

#[tokio::test]
async fn an_admin_moves_the_test_clock() {
    let app = spawn_app().await;

    let r = app
        .put("/v1/test-clock", &admin("admin-cy"), &json!({"now": LATER}))
        .await;

    r.assert_status(200);
    let now = app.get("/v1/test-clock", &client("client-bo")).await;
    assert_eq!(now.body["now"], LATER);
}

#[tokio::test]
async fn nobody_but_an_admin_moves_the_test_clock_and_a_refusal_leaves_it_where_it_was() {
    let app = spawn_app().await;
    let callers = [
        ("a client", client("client-bo")),
        ("a coach", coach("coach-ana")),
        ("a token without roles", token("nobody", ORG, &[])),
        (
            "another org's coach",
            token("coach-zed", OTHER_ORG, &[coaching_domain::Role::Coach]),
        ),
    ];

    for (who, caller) in callers {
        let r = app
            .put("/v1/test-clock", &caller, &json!({"now": LATER}))
            .await;

        assert_eq!(r.status(), 403, "{who}: {r:#?}");
        r.assert_problem(403, "forbidden");
    }
    let now = app.get("/v1/test-clock", &admin("admin-cy")).await;
    assert_eq!(now.body["now"], START);
}

#[tokio::test]
async fn a_client_cannot_turn_back_time_to_escape_a_late_cancellation_fee() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    let id = s["id"].as_str().unwrap().to_owned();
    // Two hours before the start: inside the 24-hour window.
    app.set_now("2026-12-07T06:00:00Z");

    app.put(
        "/v1/test-clock",
        &client("client-bo"),
        &json!({"now": "2026-11-30T08:00:00Z"}),
    )
    .await
    .assert_problem(403, "forbidden");
    let cancelled = app
        .post(
            &format!("/v1/sessions/{id}/cancel"),
            &client("client-bo"),
            &json!({}),
        )
        .await;

    cancelled.assert_status(200);
    assert_eq!(cancelled.body["cancellation"]["fee"]["amount"], 4500);
}
