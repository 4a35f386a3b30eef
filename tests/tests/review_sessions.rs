//! docs/api.md#sessions and docs/api.md#evaluations: review sessions written by hand: drafts only the coach sees, per-criterion
//! summaries that link the coachee's evaluations of the period (stats computed, ticket links
//! following), who may write them, If-Match, and scheduling the draft for the coachee.

use coaching_tests::*;
use http::Method;
use serde_json::{Value, json};

/// The coachee of the review.
const BO: &str = "client-bo";
const PERIOD_START: &str = "2026-11-01T00:00:00Z";
const PERIOD_END: &str = "2026-12-01T00:00:00Z";

fn review_body(coach_id: &str, client_id: &str) -> Value {
    json!({
        "kind": "review",
        "coachId": coach_id,
        "clientId": client_id,
        "name": "November review",
        "durationMinutes": 45,
        "review": {"periodStart": PERIOD_START, "periodEnd": PERIOD_END},
    })
}

/// BO's evaluations (and others') around the review period:
///
/// | id       | coachee   | evaluatedAt           | ticket | accuracy | greeting | documentation |
/// |----------|-----------|-----------------------|--------|----------|----------|---------------|
/// | old      | BO        | 10-20 10:00 (before)  | yes    | 0/4      |          |               |
/// | edge-in  | BO        | 11-01 00:00 (= start) | yes    |          |          | 1/2           |
/// | r1       | BO        | 11-03 10:00           | yes    | 2/4      | 1/2      |               |
/// | r2       | BO        | 11-10 10:00           | yes    | 3/4      | 2/2      |               |
/// | r3       | BO        | 11-20 10:00           | none   | 4/4      | 1/2      |               |
/// | r4       | BO        | 11-25 10:00           | yes    |          | 1/2      |               |
/// | edge-out | BO        | 12-01 00:00 (= end)   | yes    |          |          | 0/2           |
/// | lou-1    | agent-lou | 11-12 10:00           | yes    | 1/4      |          |               |
///
/// In the period, accuracy: 3 scored, average (0.5 + 0.75 + 1) / 3 = 0.75, 2 markdowns;
/// greeting: 4 scored, average (0.5 + 1 + 0.5 + 0.5) / 4 = 0.625, 3 markdowns.
fn evaluations() -> Vec<Value> {
    let acc = |s: f64, c: Option<&str>| score("accuracy", "Accuracy", Some(s), 4.0, c);
    let greet = |s: f64, c: Option<&str>| score("greeting", "Greeting", Some(s), 2.0, c);
    let doc = |s: f64| score("documentation", "Documentation", Some(s), 2.0, None);
    let mut r3 = evaluation(
        "r3",
        BO,
        "2026-11-20T10:00:00Z",
        json!([acc(4.0, None), greet(1.0, Some("No greeting"))]),
    );
    r3["ticketId"] = Value::Null;
    r3["ticketUrl"] = Value::Null;
    vec![
        evaluation(
            "old",
            BO,
            "2026-10-20T10:00:00Z",
            json!([acc(0.0, Some("Before the period"))]),
        ),
        evaluation("edge-in", BO, PERIOD_START, json!([doc(1.0)])),
        evaluation(
            "r1",
            BO,
            "2026-11-03T10:00:00Z",
            json!([
                acc(2.0, Some("Wrong refund policy")),
                greet(1.0, Some("No greeting"))
            ]),
        ),
        evaluation(
            "r2",
            BO,
            "2026-11-10T10:00:00Z",
            json!([acc(3.0, Some("Missed the order number")), greet(2.0, None)]),
        ),
        r3,
        evaluation(
            "r4",
            BO,
            "2026-11-25T10:00:00Z",
            json!([greet(1.0, Some("Forgot the name"))]),
        ),
        evaluation("edge-out", BO, PERIOD_END, json!([doc(0.0)])),
        evaluation(
            "lou-1",
            "agent-lou",
            "2026-11-12T10:00:00Z",
            json!([acc(1.0, None)]),
        ),
    ]
}

/// coach-ana (with settings) and BO's evaluations; returns the app and a draft review of BO.
async fn world() -> (TestApp, String) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.coach_with_settings("coach-dan").await;
    app.deliver_evaluations(&evaluations()).await;
    let draft = app
        .book_ok(&coach("coach-ana"), &review_body("coach-ana", BO))
        .await;
    (app, draft["id"].as_str().expect("id").to_owned())
}

fn criterion_path(session: &str, criterion: &str) -> String {
    format!("/v1/sessions/{session}/criteria/{criterion}")
}

async fn put_criterion(
    app: &TestApp,
    session: &str,
    criterion: &str,
    token: &str,
    body: &Value,
) -> Resp {
    app.put(&criterion_path(session, criterion), token, body)
        .await
}

async fn delete_criterion(app: &TestApp, session: &str, criterion: &str, token: &str) -> Resp {
    app.request(
        Method::DELETE,
        &criterion_path(session, criterion),
        Some(token),
        None,
        &[],
    )
    .await
}

fn linking(summary: &str, ids: &[&str]) -> Value {
    json!({"summary": summary, "linkedEvaluationIds": ids})
}

/// The session as coach-ana sees it.
async fn current(app: &TestApp, id: &str) -> Value {
    let r = app.session(id, &coach("coach-ana")).await;
    r.assert_status(200);
    r.body
}

/// The `evaluationId`s of `review.ticketLinks`.
fn ticket_link_ids(session: &Value) -> Vec<String> {
    session["review"]["ticketLinks"]
        .as_array()
        .expect("ticketLinks")
        .iter()
        .map(|l| l["evaluationId"].as_str().expect("evaluationId").to_owned())
        .collect()
}

fn criterion_ids(session: &Value) -> Vec<String> {
    session["review"]["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .map(|c| c["criterionId"].as_str().expect("criterionId").to_owned())
        .collect()
}

#[track_caller]
fn assert_average(v: &Value, expected: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - expected).abs() < 1e-9, "{got} != {expected}");
}

// ----- drafts ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_review_without_a_start_is_a_draft_the_coachee_neither_gets_nor_lists() {
    let (app, id) = world().await;

    let s = current(&app, &id).await;

    assert_eq!(s["status"], "draft");
    assert_eq!(s["review"]["periodStart"], PERIOD_START);
    assert_eq!(s["review"]["periodEnd"], PERIOD_END);
    assert_eq!(s["review"]["criteria"], json!([]));
    assert_eq!(s["review"]["ticketLinks"], json!([]));
    app.session(&id, &client(BO))
        .await
        .assert_problem(404, "not_found");
    assert!(!app.session_ids(&client(BO), "").await.contains(&id));
}

#[tokio::test]
async fn only_the_coach_creates_a_review_as_themself() {
    let (app, _) = world().await;

    let by_client = app
        .post("/v1/sessions", &client(BO), &review_body("coach-ana", BO))
        .await;
    let by_other_coach = app
        .post(
            "/v1/sessions",
            &coach("coach-dan"),
            &review_body("coach-ana", BO),
        )
        .await;

    by_client.assert_problem(403, "forbidden");
    by_other_coach.assert_problem(403, "forbidden");
    assert_eq!(app.all_sessions(&admin("admin-cy"), "").await.len(), 1);
}

#[tokio::test]
async fn a_review_period_that_does_not_end_after_it_starts_is_400() {
    let (app, _) = world().await;

    for (start, end) in [
        ("2026-11-30T00:00:00Z", "2026-11-01T00:00:00Z"),
        (PERIOD_START, PERIOD_START),
    ] {
        let mut body = review_body("coach-ana", BO);
        body["review"] = json!({"periodStart": start, "periodEnd": end});

        let r = app.post("/v1/sessions", &coach("coach-ana"), &body).await;

        r.assert_invalid_field("review.periodEnd");
    }
    assert_eq!(app.all_sessions(&admin("admin-cy"), "").await.len(), 1);
}

// ----- writing criteria ------------------------------------------------------------------------

#[tokio::test]
async fn writing_a_criterion_names_it_computes_its_stats_and_links_its_tickets() {
    let (app, id) = world().await;

    let r = put_criterion(
        &app,
        &id,
        "accuracy",
        &coach("coach-ana"),
        &linking("Policy answers need checking.", &["r1", "r2"]),
    )
    .await;

    r.assert_status(200);
    assert_eq!(r.etag(), "\"2\"");
    let review = &r.body["review"];
    let c = &review["criteria"][0];
    assert_eq!(review["criteria"].as_array().expect("criteria").len(), 1);
    assert_eq!(c["criterionId"], "accuracy");
    assert_eq!(c["name"], "Accuracy", "named from the evaluations");
    assert_eq!(c["summary"], "Policy answers need checking.");
    assert_eq!(c["linkedEvaluationIds"], json!(["r1", "r2"]));
    // Of the period only: not "old", not another coachee's "lou-1".
    assert_eq!(c["stats"]["scoredCount"], 3);
    assert_eq!(c["stats"]["markdowns"], 2);
    assert_average(&c["stats"]["averageScore"], 0.75);
    assert_eq!(
        review["ticketLinks"],
        json!([
            {"evaluationId": "r1", "ticketId": "T-r1", "url": ticket_url("r1")},
            {"evaluationId": "r2", "ticketId": "T-r2", "url": ticket_url("r2")},
        ])
    );
    assert_eq!(
        current(&app, &id).await["review"],
        r.body["review"],
        "stored as answered"
    );
}

#[tokio::test]
async fn ticket_links_follow_every_criterion_once_per_evaluation_with_a_ticket() {
    let (app, id) = world().await;
    put_criterion(
        &app,
        &id,
        "accuracy",
        &coach("coach-ana"),
        &linking("A", &["r1", "r2"]),
    )
    .await
    .assert_status(200);

    let r = put_criterion(
        &app,
        &id,
        "greeting",
        &coach("coach-ana"),
        &linking("Greet by name.", &["r4", "r1", "r3"]),
    )
    .await;

    r.assert_status(200);
    assert_eq!(criterion_ids(&r.body), ["accuracy", "greeting"]);
    // r1 once; r3 has no ticket.
    assert_eq!(ticket_link_ids(&r.body), ["r1", "r2", "r4"]);
    let greeting = &r.body["review"]["criteria"][1];
    assert_eq!(greeting["stats"]["scoredCount"], 4);
    assert_eq!(greeting["stats"]["markdowns"], 3);
    assert_average(&greeting["stats"]["averageScore"], 0.625);
}

#[tokio::test]
async fn writing_a_criterion_again_replaces_it_and_its_ticket_links() {
    let (app, id) = world().await;
    put_criterion(
        &app,
        &id,
        "accuracy",
        &coach("coach-ana"),
        &linking("First", &["r1", "r2"]),
    )
    .await
    .assert_status(200);

    let r = put_criterion(
        &app,
        &id,
        "accuracy",
        &coach("coach-ana"),
        &linking("Second", &["r2"]),
    )
    .await;

    r.assert_status(200);
    assert_eq!(criterion_ids(&r.body), ["accuracy"]);
    assert_eq!(r.body["review"]["criteria"][0]["summary"], "Second");
    assert_eq!(ticket_link_ids(&r.body), ["r2"]);
}

#[tokio::test]
async fn a_criterion_can_be_renamed_and_one_without_evaluations_has_no_stats() {
    let (app, id) = world().await;

    let renamed = put_criterion(
        &app,
        &id,
        "accuracy",
        &coach("coach-ana"),
        &json!({"summary": "", "linkedEvaluationIds": [], "name": "Getting facts right"}),
    )
    .await;
    let unscored = put_criterion(
        &app,
        &id,
        "tone",
        &coach("coach-ana"),
        &linking("Warmer.", &[]),
    )
    .await;

    renamed.assert_status(200);
    assert_eq!(
        renamed.body["review"]["criteria"][0]["name"],
        "Getting facts right"
    );
    unscored.assert_status(200);
    let tone = &unscored.body["review"]["criteria"][1];
    assert_eq!(tone["criterionId"], "tone");
    assert_eq!(tone["name"], "tone");
    assert!(tone["stats"].is_null(), "{tone:#?}");
    assert_eq!(unscored.body["review"]["ticketLinks"], json!([]));
}

#[tokio::test]
async fn an_evaluation_at_the_period_start_is_inside_and_one_at_its_end_is_outside() {
    let (app, id) = world().await;

    let at_start = put_criterion(
        &app,
        &id,
        "documentation",
        &coach("coach-ana"),
        &linking("", &["edge-in"]),
    )
    .await;
    let at_end = put_criterion(
        &app,
        &id,
        "documentation",
        &coach("coach-ana"),
        &linking("", &["edge-out"]),
    )
    .await;

    at_start.assert_status(200);
    let doc = &at_start.body["review"]["criteria"][0];
    assert_eq!(doc["stats"]["scoredCount"], 1, "edge-out is not counted");
    at_end.assert_problem(422, "invalid_evaluation_link");
}

#[tokio::test]
async fn linking_an_evaluation_that_is_not_the_coachees_in_the_period_is_422() {
    let (app, id) = world().await;
    let before = current(&app, &id).await;

    for (bad, why) in [
        ("lou-1", "another coachee's"),
        ("old", "before the period"),
        ("edge-out", "at the period end"),
        ("ev-never-sent", "unknown"),
    ] {
        let r = put_criterion(
            &app,
            &id,
            "accuracy",
            &coach("coach-ana"),
            &linking("x", &["r1", bad]),
        )
        .await;

        assert_eq!(r.status(), 422, "{why}: {r:#?}");
        r.assert_problem(422, "invalid_evaluation_link");
    }
    assert_eq!(current(&app, &id).await, before);
}

#[tokio::test]
async fn linking_a_deleted_evaluation_is_422() {
    let (app, id) = world().await;
    app.deliver_ok(&deleted("r2")).await;

    let r = put_criterion(
        &app,
        &id,
        "accuracy",
        &coach("coach-ana"),
        &linking("x", &["r2"]),
    )
    .await;

    r.assert_problem(422, "invalid_evaluation_link");
}

#[tokio::test]
async fn a_review_of_some_scorecards_links_only_their_evaluations() {
    let (app, _) = world().await;
    let mut sales = evaluation(
        "s1",
        BO,
        "2026-11-15T10:00:00Z",
        json!([score("accuracy", "Accuracy", Some(1.0), 4.0, None)]),
    );
    sales["scorecardId"] = json!("sc-sales");
    app.deliver_evaluations(&[sales]).await;
    let mut body = review_body("coach-ana", BO);
    body["review"]["scorecardIds"] = json!(["sc-sales"]);
    let review = app.book_ok(&coach("coach-ana"), &body).await;
    let id = review["id"].as_str().expect("id");

    let support = put_criterion(
        &app,
        id,
        "accuracy",
        &coach("coach-ana"),
        &linking("x", &["r1"]),
    )
    .await;
    let ok = put_criterion(
        &app,
        id,
        "accuracy",
        &coach("coach-ana"),
        &linking("x", &["s1"]),
    )
    .await;

    support.assert_problem(422, "invalid_evaluation_link");
    ok.assert_status(200);
    let c = &ok.body["review"]["criteria"][0];
    assert_eq!(c["stats"]["scoredCount"], 1, "only sc-sales is counted");
    assert_eq!(ticket_link_ids(&ok.body), ["s1"]);
}

#[tokio::test]
async fn criteria_on_a_paid_session_are_422_not_a_review_session() {
    let (app, _) = world().await;
    let paid = app.book_paid("coach-ana", BO, MON_0900, 60).await;
    let id = paid["id"].as_str().expect("id");

    let put = put_criterion(
        &app,
        id,
        "accuracy",
        &coach("coach-ana"),
        &linking("x", &[]),
    )
    .await;
    let delete = delete_criterion(&app, id, "accuracy", &coach("coach-ana")).await;

    put.assert_problem(422, "not_a_review_session");
    delete.assert_problem(422, "not_a_review_session");
    assert!(current(&app, id).await["review"].is_null());
}

#[tokio::test]
async fn a_bad_criterion_body_is_400_naming_the_field() {
    let (app, id) = world().await;
    let before = current(&app, &id).await;

    for (body, field) in [
        (json!({"summary": "x".repeat(10_001)}), "summary"),
        (
            json!({"summary": "x", "linkedEvaluationIds": ["not an id"]}),
            "linkedEvaluationIds[0]",
        ),
        (json!({"summary": "x", "name": "  "}), "name"),
        (json!({"summary": 5}), "summary"),
    ] {
        let r = put_criterion(&app, &id, "accuracy", &coach("coach-ana"), &body).await;

        r.assert_invalid_field(field);
    }
    let unknown = put_criterion(
        &app,
        &id,
        "accuracy",
        &coach("coach-ana"),
        &json!({"summary": "x", "score": 3}),
    )
    .await;
    unknown.assert_problem(400, "validation_failed");
    assert_eq!(current(&app, &id).await, before);
}

// ----- who may write ---------------------------------------------------------------------------

#[tokio::test]
async fn the_coachee_cannot_write_criteria_404_on_a_draft() {
    let (app, id) = world().await;

    let put = put_criterion(
        &app,
        &id,
        "accuracy",
        &client(BO),
        &linking("mine", &["r1"]),
    )
    .await;
    let delete = delete_criterion(&app, &id, "accuracy", &client(BO)).await;

    put.assert_problem(404, "not_found");
    delete.assert_problem(404, "not_found");
    assert_eq!(current(&app, &id).await["review"]["criteria"], json!([]));
}

#[tokio::test]
async fn the_coachee_cannot_write_criteria_403_on_a_scheduled_review() {
    let (app, id) = world().await;
    put_criterion(
        &app,
        &id,
        "accuracy",
        &coach("coach-ana"),
        &linking("Coach's", &["r1"]),
    )
    .await
    .assert_status(200);
    app.patch(
        &format!("/v1/sessions/{id}"),
        &coach("coach-ana"),
        &json!({"startsAt": MON_0900}),
    )
    .await
    .assert_status(200);

    let put = put_criterion(&app, &id, "accuracy", &client(BO), &linking("mine", &[])).await;
    let delete = delete_criterion(&app, &id, "accuracy", &client(BO)).await;

    put.assert_problem(403, "forbidden");
    delete.assert_problem(403, "forbidden");
    assert_eq!(
        current(&app, &id).await["review"]["criteria"][0]["summary"],
        "Coach's"
    );
}

#[tokio::test]
async fn another_coach_or_another_org_gets_404_and_an_admin_writes() {
    let (app, id) = world().await;

    let other_coach = put_criterion(
        &app,
        &id,
        "accuracy",
        &coach("coach-dan"),
        &linking("x", &[]),
    )
    .await;
    let other_org_admin = put_criterion(
        &app,
        &id,
        "accuracy",
        &other_org("admin-eve"),
        &linking("x", &[]),
    )
    .await;
    let other_org_delete = delete_criterion(&app, &id, "accuracy", &other_org("coach-ana")).await;
    let by_admin = put_criterion(
        &app,
        &id,
        "accuracy",
        &admin("admin-cy"),
        &linking("By the admin", &["r2"]),
    )
    .await;

    other_coach.assert_problem(404, "not_found");
    other_org_admin.assert_problem(404, "not_found");
    other_org_delete.assert_problem(404, "not_found");
    by_admin.assert_status(200);
    assert_eq!(ticket_link_ids(&current(&app, &id).await), ["r2"]);
}

#[tokio::test]
async fn writing_criteria_needs_a_token() {
    let (app, id) = world().await;

    let r = app
        .request(
            Method::PUT,
            &criterion_path(&id, "accuracy"),
            None,
            Some(&linking("x", &[])),
            &[],
        )
        .await;

    r.assert_problem(401, "unauthenticated");
}

// ----- deleting, If-Match ----------------------------------------------------------------------

#[tokio::test]
async fn deleting_a_criterion_removes_it_and_its_ticket_links() {
    let (app, id) = world().await;
    put_criterion(
        &app,
        &id,
        "accuracy",
        &coach("coach-ana"),
        &linking("A", &["r1", "r2"]),
    )
    .await
    .assert_status(200);
    put_criterion(
        &app,
        &id,
        "greeting",
        &coach("coach-ana"),
        &linking("G", &["r4", "r1"]),
    )
    .await
    .assert_status(200);

    let r = delete_criterion(&app, &id, "accuracy", &coach("coach-ana")).await;

    r.assert_status(200);
    assert_eq!(criterion_ids(&r.body), ["greeting"]);
    assert_eq!(
        ticket_link_ids(&r.body),
        ["r4", "r1"],
        "r2 was linked only by accuracy"
    );
    assert_eq!(current(&app, &id).await["review"], r.body["review"]);
}

#[tokio::test]
async fn deleting_a_criterion_the_review_does_not_have_is_404() {
    let (app, id) = world().await;

    let r = delete_criterion(&app, &id, "accuracy", &coach("coach-ana")).await;

    r.assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_stale_if_match_is_412_and_changes_nothing() {
    let (app, id) = world().await;
    let read = app.session(&id, &coach("coach-ana")).await;
    let etag = read.etag();
    put_criterion(
        &app,
        &id,
        "accuracy",
        &coach("coach-ana"),
        &linking("First", &["r1"]),
    )
    .await
    .assert_status(200);
    let before = current(&app, &id).await;

    let put = app
        .request(
            Method::PUT,
            &criterion_path(&id, "greeting"),
            Some(&coach("coach-ana")),
            Some(&linking("Late", &["r4"])),
            &[("if-match", &etag)],
        )
        .await;
    let delete = app
        .request(
            Method::DELETE,
            &criterion_path(&id, "accuracy"),
            Some(&coach("coach-ana")),
            None,
            &[("if-match", &etag)],
        )
        .await;

    put.assert_problem(412, "precondition_failed");
    delete.assert_problem(412, "precondition_failed");
    assert_eq!(current(&app, &id).await, before);
}

#[tokio::test]
async fn a_current_if_match_is_honoured() {
    let (app, id) = world().await;
    let etag = app.session(&id, &coach("coach-ana")).await.etag();

    let r = app
        .request(
            Method::PUT,
            &criterion_path(&id, "accuracy"),
            Some(&coach("coach-ana")),
            Some(&linking("On time", &["r1"])),
            &[("if-match", &etag)],
        )
        .await;

    r.assert_status(200);
    assert_ne!(r.etag(), etag);
}

// ----- scheduling ------------------------------------------------------------------------------

#[tokio::test]
async fn scheduling_the_draft_notifies_the_coachee_who_then_sees_its_criteria() {
    let (app, id) = world().await;
    put_criterion(
        &app,
        &id,
        "accuracy",
        &coach("coach-ana"),
        &linking("Check the policy.", &["r1"]),
    )
    .await
    .assert_status(200);
    assert!(app.notifications(&client(BO)).await.is_empty());

    let r = app
        .patch(
            &format!("/v1/sessions/{id}"),
            &coach("coach-ana"),
            &json!({"startsAt": MON_0900}),
        )
        .await;

    r.assert_status(200);
    assert_eq!(r.body["status"], "scheduled");
    let inbox = app.notifications(&client(BO)).await;
    assert!(
        inbox.contains(&("session_scheduled".to_owned(), id.clone())),
        "{inbox:?}"
    );
    let seen = app.session(&id, &client(BO)).await;
    seen.assert_status(200);
    assert_eq!(
        seen.body["review"]["criteria"][0]["summary"],
        "Check the policy."
    );
    assert_eq!(ticket_link_ids(&seen.body), ["r1"]);
    assert!(app.session_ids(&client(BO), "").await.contains(&id));
}
