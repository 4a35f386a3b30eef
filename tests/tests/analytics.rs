//! docs/api.md#analytics: a designed September whose every figure is known in advance, run through the
//! API with the test clock (bookings, completions, a late cancellation, a no-show, reviews), and
//! who may read a coach's figures.
//!
//! coach-ana works in Europe/Berlin (CEST, UTC+2, all through the design), standard settings
//! (30/45/60 minutes for 50/70/90 EUR, late cancellation 50% within 24 h, no-show 100%) plus a
//! Friday window 00:00–02:00 for a late-night session. Berlin wall-clock times below:
//!
//! | session | client | when (Berlin)          | what                              | counts in            |
//! |---------|--------|------------------------|-----------------------------------|----------------------|
//! | s0      | cy     | Mon 16 Aug 09:00, 30'  | completed, rated 1                | August only          |
//! | z0      | dee    | Tue 17 Aug 09:00, 30'  | completed with coach-zed          | never (not ana's)    |
//! | s1      | bo     | Mon  6 Sep 09:00, 60'  | completed, rated 5                | 9,000                |
//! | s2      | bo     | Mon 13 Sep 09:00, 30'  | completed, rated 4                | 5,000                |
//! | s3      | cy     | Tue 14 Sep 10:00, 45'  | completed                         | 7,000                |
//! | s5      | eve    | Wed 15 Sep 09:00, 60'  | client cancels 2 h before         | fee 4,500            |
//! | s7      | cy     | Wed 15 Sep 13:00, 30'  | client cancels weeks before       | nothing              |
//! | s6      | eve    | Mon 20 Sep 09:00, 30'  | no-show                           | fee 5,000            |
//! | s8      | fay    | Tue 21 Sep 09:00, 15'  | intro, completed                  | a session, no money  |
//! | z1      | dee    | Wed 22 Sep 09:00, 60'  | completed with coach-zed          | never (not ana's)    |
//! | s9      | bo     | Tue 28 Sep 09:00, 30'  | left scheduled                    | nothing              |
//! | s4      | dee    | Fri  1 Oct 00:30, 60'  | completed, rated 3 (30 Sep 22:30Z)| 9,000 in October     |
//!
//! For the UTC month of September, [2027-09-01T00:00Z, 2027-10-01T00:00Z): 5 completed (s1, s2,
//! s3, s8, s4); clients bo (two there), cy (s0 before: retained), fay (new), dee (only z0 before,
//! with another coach: not retained), so retention 2/4; ratings 5, 4, 3 → 4; revenue
//! 2027-09 = 9,000 + 5,000 + 7,000 + 4,500 + 5,000 = 30,500 EUR and 2027-10 = 9,000 EUR (s4
//! starts in October in Berlin).

use coaching_tests::*;
use serde_json::{Value, json};

const ANA: &str = "coach-ana";
const ZED: &str = "coach-zed";
/// September 2027 in UTC, the designed range.
const SEPTEMBER: &str = "from=2027-09-01T00:00:00Z&to=2027-10-01T00:00:00Z";

fn analytics_path(coach: &str, query: &str) -> String {
    format!("/v1/coaches/{coach}/analytics?{query}")
}

/// Books a paid session as its client; returns its id.
async fn paid_session(app: &TestApp, coach: &str, client: &str, at: &str, minutes: u32) -> String {
    app.book_paid(coach, &format!("client-{client}"), at, minutes)
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Moves the clock to the session's end and completes it as its coach.
async fn complete(app: &TestApp, coach_id: &str, id: &str, end: &str) {
    app.set_now(end);
    app.post_empty(&format!("/v1/sessions/{id}/complete"), &coach(coach_id))
        .await
        .assert_status(200);
}

async fn rate(app: &TestApp, client_id: &str, id: &str, rating: u8) {
    app.post(
        &format!("/v1/sessions/{id}/review"),
        &client(&format!("client-{client_id}")),
        &json!({"rating": rating}),
    )
    .await
    .assert_status(201);
}

/// The design above, driven through the API in time order.
async fn designed_september() -> TestApp {
    let app = spawn_app().await;
    let mut settings = standard_settings();
    settings["availability"]
        .as_array_mut()
        .expect("availability")
        .push(json!({"weekday": "fri", "start": "00:00", "end": "02:00"}));
    app.put_settings(ANA, &settings).await;
    app.coach_with_settings(ZED).await;
    app.set_now("2027-08-01T00:00:00Z");

    let s0 = paid_session(&app, ANA, "cy", "2027-08-16T07:00:00Z", 30).await;
    let z0 = paid_session(&app, ZED, "dee", "2027-08-17T07:00:00Z", 30).await;
    let s1 = paid_session(&app, ANA, "bo", "2027-09-06T07:00:00Z", 60).await;
    let s2 = paid_session(&app, ANA, "bo", "2027-09-13T07:00:00Z", 30).await;
    let s3 = paid_session(&app, ANA, "cy", "2027-09-14T08:00:00Z", 45).await;
    let s5 = paid_session(&app, ANA, "eve", "2027-09-15T07:00:00Z", 60).await;
    let s7 = paid_session(&app, ANA, "cy", "2027-09-15T11:00:00Z", 30).await;
    let s6 = paid_session(&app, ANA, "eve", "2027-09-20T07:00:00Z", 30).await;
    let s8 = app
        .book_ok(
            &client("client-fay"),
            &intro(ANA, "client-fay", "2027-09-21T07:00:00Z"),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let z1 = paid_session(&app, ZED, "dee", "2027-09-22T07:00:00Z", 60).await;
    paid_session(&app, ANA, "bo", "2027-09-28T07:00:00Z", 30).await;
    let s4 = paid_session(&app, ANA, "dee", "2027-09-30T22:30:00Z", 60).await;

    // Weeks ahead: no fee.
    let early = app
        .post_empty(&format!("/v1/sessions/{s7}/cancel"), &client("client-cy"))
        .await;
    early.assert_status(200);
    assert_eq!(early.body["cancellation"]["fee"], Value::Null);

    complete(&app, ANA, &s0, "2027-08-16T07:30:00Z").await;
    rate(&app, "cy", &s0, 1).await;
    complete(&app, ZED, &z0, "2027-08-17T07:30:00Z").await;
    complete(&app, ANA, &s1, "2027-09-06T08:00:00Z").await;
    rate(&app, "bo", &s1, 5).await;
    complete(&app, ANA, &s2, "2027-09-13T07:30:00Z").await;
    rate(&app, "bo", &s2, 4).await;
    complete(&app, ANA, &s3, "2027-09-14T08:45:00Z").await;

    app.set_now("2027-09-15T05:00:00Z");
    let late = app
        .post_empty(&format!("/v1/sessions/{s5}/cancel"), &client("client-eve"))
        .await;
    late.assert_status(200);
    assert_eq!(late.body["cancellation"]["fee"]["amount"], 4500);

    app.set_now("2027-09-20T07:10:00Z");
    let missed = app
        .post_empty(&format!("/v1/sessions/{s6}/no-show"), &coach(ANA))
        .await;
    missed.assert_status(200);
    assert_eq!(missed.body["noShow"]["fee"]["amount"], 5000);

    complete(&app, ANA, &s8, "2027-09-21T07:15:00Z").await;
    complete(&app, ZED, &z1, "2027-09-22T08:00:00Z").await;
    complete(&app, ANA, &s4, "2027-09-30T23:30:00Z").await;
    rate(&app, "dee", &s4, 3).await;
    app.set_now("2027-10-02T00:00:00Z");
    app
}

fn eur(month: &str, amount: i64) -> Value {
    json!({"month": month, "amount": amount, "currency": "EUR"})
}

#[tokio::test]
async fn the_designed_september_has_exactly_the_figures_worked_out_in_advance() {
    let app = designed_september().await;

    let r = app.get(&analytics_path(ANA, SEPTEMBER), &coach(ANA)).await;

    r.assert_status(200);
    assert_eq!(
        r.body,
        json!({
            "sessionsCompleted": 5,
            "clientRetentionRate": 0.5,
            "averageRating": 4.0,
            "revenue": [eur("2027-09", 30_500), eur("2027-10", 9_000)],
        })
    );
}

#[tokio::test]
async fn ranges_select_sessions_by_start_and_months_are_the_coachs() {
    let app = designed_september().await;

    // August and September (UTC): s0 joins; cy now has two in the range.
    let both = app
        .get(
            &analytics_path(ANA, "from=2027-08-01T00:00:00Z&to=2027-10-01T00:00:00Z"),
            &coach(ANA),
        )
        .await;
    // October in Berlin: only s4, whose client's one earlier session was with another coach.
    let october = app
        .get(
            &analytics_path(ANA, "from=2027-09-30T22:00:00Z&to=2027-10-31T23:00:00Z"),
            &coach(ANA),
        )
        .await;
    // September in Berlin stops at 22:00Z on the 30th: without s4.
    let berlin_september = app
        .get(
            &analytics_path(ANA, "from=2027-08-31T22:00:00Z&to=2027-09-30T22:00:00Z"),
            &coach(ANA),
        )
        .await;

    both.assert_status(200);
    assert_eq!(
        both.body,
        json!({
            "sessionsCompleted": 6,
            "clientRetentionRate": 0.5,
            "averageRating": 3.25,
            "revenue": [eur("2027-08", 5_000), eur("2027-09", 30_500), eur("2027-10", 9_000)],
        })
    );
    october.assert_status(200);
    assert_eq!(
        october.body,
        json!({
            "sessionsCompleted": 1,
            "clientRetentionRate": 0.0,
            "averageRating": 3.0,
            "revenue": [eur("2027-10", 9_000)],
        })
    );
    berlin_september.assert_status(200);
    assert_eq!(berlin_september.body["sessionsCompleted"], 4);
    assert_eq!(berlin_september.body["averageRating"], 4.5);
    assert_eq!(
        berlin_september.body["revenue"],
        json!([eur("2027-09", 30_500)])
    );
}

#[tokio::test]
async fn an_admin_reads_any_coachs_figures_and_the_coach_only_their_own() {
    let app = designed_september().await;
    let own = app.get(&analytics_path(ANA, SEPTEMBER), &coach(ANA)).await;

    let by_admin = app
        .get(&analytics_path(ANA, SEPTEMBER), &admin("admin-cy"))
        .await;
    let by_other_coach = app.get(&analytics_path(ANA, SEPTEMBER), &coach(ZED)).await;
    let by_client = app
        .get(&analytics_path(ANA, SEPTEMBER), &client("client-bo"))
        .await;
    let anonymous = app
        .request(
            http::Method::GET,
            &analytics_path(ANA, SEPTEMBER),
            None,
            None,
            &[],
        )
        .await;

    by_admin.assert_status(200);
    assert_eq!(by_admin.body, own.body);
    by_other_coach.assert_problem(403, "forbidden");
    by_client.assert_problem(403, "forbidden");
    anonymous.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn another_org_never_sees_anything_of_the_coach() {
    let app = designed_september().await;

    let r = app
        .get(&analytics_path(ANA, SEPTEMBER), &other_org("admin-x"))
        .await;

    r.assert_status(200);
    assert_eq!(
        r.body,
        json!({
            "sessionsCompleted": 0,
            "clientRetentionRate": null,
            "averageRating": null,
            "revenue": [],
        })
    );
}

#[tokio::test]
async fn a_coach_without_sessions_or_settings_has_zero_sessions_and_no_rates() {
    let app = spawn_app().await;

    let r = app
        .get(&analytics_path("coach-new", SEPTEMBER), &coach("coach-new"))
        .await;

    r.assert_status(200);
    assert_eq!(r.body["sessionsCompleted"], 0);
    assert_eq!(r.body["clientRetentionRate"], Value::Null);
    assert_eq!(r.body["averageRating"], Value::Null);
    assert_eq!(r.body["revenue"], json!([]));
}

#[tokio::test]
async fn the_range_is_required_forward_and_at_most_three_years() {
    let app = spawn_app().await;
    let get = |query: &'static str| {
        let app = &app;
        async move { app.get(&analytics_path(ANA, query), &coach(ANA)).await }
    };

    get("").await.assert_invalid_field("from");
    get("").await.assert_invalid_field("to");
    get("from=2027-09-01T00:00:00Z")
        .await
        .assert_invalid_field("to");
    get("to=2027-09-01T00:00:00Z")
        .await
        .assert_invalid_field("from");
    get("from=2027-09-01T00:00:00Z&to=2027-09-01T00:00:00Z")
        .await
        .assert_invalid_field("to");
    get("from=2027-09-02T00:00:00Z&to=2027-09-01T00:00:00Z")
        .await
        .assert_invalid_field("to");
    get("from=2024-01-01T00:00:00Z&to=2027-01-04T00:00:00Z")
        .await
        .assert_invalid_field("to");
    get("from=2024-01-01T00:00:00Z&to=2027-01-03T00:00:00Z")
        .await
        .assert_status(200);
    get("from=yesterday&to=2027-09-01T00:00:00Z")
        .await
        .assert_problem(400, "validation_failed");
    get("from=2027-09-01T00:00:00Z&to=2027-10-01T00:00:00Z&coach=x")
        .await
        .assert_problem(400, "validation_failed");
}
