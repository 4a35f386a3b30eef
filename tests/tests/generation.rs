//! §8: AI coaching generation through the API and explicit worker runs: what `generate` answers,
//! which criteria the worker selects, what a generation writes into the review session (the
//! builtin provider's exact text), grounding of what a provider invents, KB links, what a later
//! generation replaces and keeps, idempotent and superseded writes, a running generation, dead
//! workers, a failing provider, and a drain of 200 generations.

use async_trait::async_trait;
use coaching_domain::evaluation::{GenerationInputs, GenerationStatus};
use coaching_domain::generation::{
    GeneratedActionItem, GeneratedCriterion, GenerationInput, GenerationOutput,
};
use coaching_domain::ports::{Changes, GenerateError, Generator, SessionPut};
use coaching_domain::service::Processed;
use coaching_domain::{CriterionId, EvaluationId, GenerationId, KbArticleId, OrgId, SessionId};
use coaching_tests::*;
use http::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The coachee of the review.
const BO: &str = "client-bo";
const ANA: &str = "coach-ana";
const PERIOD_START: &str = "2026-11-01T00:00:00Z";
const PERIOD_END: &str = "2026-12-01T00:00:00Z";

fn review_body(coachee: &str) -> Value {
    json!({
        "kind": "review",
        "coachId": ANA,
        "clientId": coachee,
        "name": "November review",
        "durationMinutes": 45,
        "review": {"periodStart": PERIOD_START, "periodEnd": PERIOD_END},
    })
}

/// A score out of 4.
fn of4(criterion: &str, name: &str, s: f64, comment: Option<&str>) -> Value {
    score(criterion, name, Some(s), 4.0, comment)
}

/// BO's evaluations (and others'), every score out of 4:
///
/// | criterion  | soft | e1 11-02                 | e2 11-06             | e3 11-12 (no ticket)      | e4 11-18               | e5 11-22 |
/// |------------|------|--------------------------|----------------------|---------------------------|------------------------|----------|
/// | empathy    | yes  | 1 "Sounded cold"         | 1 "Sounded cold"     | 1 "sounded cold"          | 1                      |          |
/// | greeting   |      | 2 "No greeting"          | 2 "no  greeting"     | 2 "Forgot the name"       | 4 "Lovely escalation"  |          |
/// | accuracy   |      | 2 "Wrong refund policy"  | 4 "Perfect escalation" | 3 "Missed the order number" | 4                  | 4        |
/// | billing    |      | 2                        | 4                    | 0                         |                        |          |
/// | resolution |      | 0 "Closed without a fix" | 4                    | 2                         |                        |          |
/// | tone       |      | 2                        | 4                    | 0                         |                        |          |
/// | politeness |      | 4                        | 4                    | 4                         | 4                      | 4        |
///
/// Markdowns (average): empathy 4 (0.25, soft), greeting 3 (0.625), billing, resolution and
/// tone 2 (0.5 each: by name Billing, Resolution, Tone), accuracy 2 (0.85), politeness 0.
/// So a generation chooses greeting, billing and resolution, and leaves out empathy (soft),
/// tone (name), accuracy (average) and politeness (no markdown). Outside the period: "old"
/// (greeting, and "legacy", scored nowhere else); another coachee's "lou-1" ("upsell").
fn evaluations() -> Vec<Value> {
    let empathy = |s: f64, c: Option<&str>| soft(of4("empathy", "Empathy", s, c));
    let greeting = |s: f64, c: Option<&str>| of4("greeting", "Greeting", s, c);
    let accuracy = |s: f64, c: Option<&str>| of4("accuracy", "Accuracy", s, c);
    let billing = |s: f64| of4("billing", "Billing", s, None);
    let resolution = |s: f64, c: Option<&str>| of4("resolution", "Resolution", s, c);
    let tone = |s: f64| of4("tone", "Tone", s, None);
    let politeness = || of4("politeness", "Politeness", 4.0, None);
    let mut e3 = evaluation(
        "e3",
        BO,
        "2026-11-12T10:00:00Z",
        json!([
            empathy(1.0, Some("sounded cold")),
            greeting(2.0, Some("Forgot the name")),
            accuracy(3.0, Some("Missed the order number")),
            billing(0.0),
            resolution(2.0, None),
            tone(0.0),
            politeness(),
        ]),
    );
    e3["ticketId"] = Value::Null;
    e3["ticketUrl"] = Value::Null;
    vec![
        evaluation(
            "old",
            BO,
            "2026-10-20T10:00:00Z",
            json!([
                greeting(0.0, Some("Before the period")),
                of4("legacy", "Legacy", 0.0, None)
            ]),
        ),
        evaluation(
            "e1",
            BO,
            "2026-11-02T10:00:00Z",
            json!([
                empathy(1.0, Some("Sounded cold")),
                greeting(2.0, Some("No greeting")),
                accuracy(2.0, Some("Wrong refund policy")),
                billing(2.0),
                resolution(0.0, Some("Closed without a fix")),
                tone(2.0),
                politeness(),
            ]),
        ),
        evaluation(
            "e2",
            BO,
            "2026-11-06T10:00:00Z",
            json!([
                empathy(1.0, Some("Sounded cold")),
                greeting(2.0, Some("no  greeting")),
                accuracy(4.0, Some("Perfect escalation")),
                billing(4.0),
                resolution(4.0, None),
                tone(4.0),
                politeness(),
            ]),
        ),
        e3,
        evaluation(
            "e4",
            BO,
            "2026-11-18T10:00:00Z",
            json!([
                empathy(1.0, None),
                greeting(4.0, Some("Lovely escalation")),
                accuracy(4.0, None),
                politeness(),
            ]),
        ),
        evaluation(
            "e5",
            BO,
            "2026-11-22T10:00:00Z",
            json!([accuracy(4.0, None), politeness()]),
        ),
        evaluation(
            "lou-1",
            "agent-lou",
            "2026-11-12T10:00:00Z",
            json!([
                greeting(0.0, Some("Rude")),
                of4("upsell", "Upsell", 0.0, None)
            ]),
        ),
    ]
}

/// The builtin generator's text for greeting, billing and resolution of [`evaluations`].
const GREETING_SUMMARY: &str = "Greeting averaged 63% of the maximum score, with 3 markdowns out of 4 scored evaluations. Over the period it is improving: 50% in the older half of its scores, 75% in the newer half. Evaluators most often wrote \"No greeting\" (twice) and \"Forgot the name\" (once).";
const BILLING_SUMMARY: &str = "Billing averaged 50% of the maximum score, with 2 markdowns out of 3 scored evaluations. Over the period it is declining: 50% in the older half of its scores, 0% in the newer half. Its markdowns came without comments.";
const RESOLUTION_SUMMARY: &str = "Resolution averaged 50% of the maximum score, with 2 markdowns out of 3 scored evaluations. Over the period it is improving: 0% in the older half of its scores, 50% in the newer half. Evaluators most often wrote \"Closed without a fix\" (once).";

fn generated_notes() -> String {
    [
        "Hi, here is how this period went. Focus areas: Greeting, Billing and Resolution.",
        "**Greeting**: you averaged 63% with 3 markdowns out of 4 scored evaluations, and you are improving (50% → 75%). The comment that came up most was \"No greeting\" (twice): start there.",
        "**Billing**: you averaged 50% with 2 markdowns out of 3 scored evaluations, and you have slipped (50% → 0%). Your markdowns came without comments: go through those tickets with your coach.",
        "**Resolution**: you averaged 50% with 2 markdowns out of 3 scored evaluations, and you are improving (0% → 50%). The comment that came up most was \"Closed without a fix\" (once): start there.",
    ]
    .join("\n\n")
}

/// `(title, sourceEvaluationIds)` of the action items a default generation writes.
fn generated_action_items() -> Vec<(String, Vec<String>)> {
    [
        (
            "Greeting: work on \"No greeting\" (twice)",
            &["e2", "e1"][..],
        ),
        ("Greeting: work on \"Forgot the name\" (once)", &["e3"]),
        (
            "Billing: go through the 2 marked-down tickets with your coach",
            &["e3", "e1"],
        ),
        (
            "Resolution: work on \"Closed without a fix\" (once)",
            &["e1"],
        ),
    ]
    .iter()
    .map(|(t, ids)| ((*t).to_owned(), strings(ids)))
    .collect()
}

/// coach-ana (and coach-dan) with settings, BO's evaluations; the app and a draft review of BO.
async fn world() -> (TestApp, String) {
    let app = spawn_app().await;
    app.coach_with_settings(ANA).await;
    app.coach_with_settings("coach-dan").await;
    app.deliver_evaluations(&evaluations()).await;
    let id = draft(&app, BO).await;
    (app, id)
}

/// A new draft review of `coachee` by coach-ana over the period.
async fn draft(app: &TestApp, coachee: &str) -> String {
    let s = app.book_ok(&coach(ANA), &review_body(coachee)).await;
    s["id"].as_str().expect("id").to_owned()
}

fn generate_path(session: &str) -> String {
    format!("/v1/sessions/{session}/generate")
}

/// POST generate as `token`, with `body` (none: no body at all).
async fn generate_as(app: &TestApp, session: &str, token: &str, body: Option<&Value>) -> Resp {
    app.request(
        Method::POST,
        &generate_path(session),
        Some(token),
        body,
        &[],
    )
    .await
}

/// POST generate as coach-ana; asserts `202 {generation: {id, status: "queued"}}`, returns the id.
async fn generate_ok(app: &TestApp, session: &str, body: Option<&Value>) -> String {
    let r = generate_as(app, session, &coach(ANA), body).await;
    r.assert_status(202);
    let g = &r.body["generation"];
    assert_eq!(g["status"], "queued", "{r:#?}");
    g["id"].as_str().expect("generation id").to_owned()
}

/// The session as coach-ana sees it.
async fn current(app: &TestApp, id: &str) -> Value {
    let r = app.session(id, &coach(ANA)).await;
    r.assert_status(200);
    r.body
}

fn strings(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

/// The strings of a JSON array.
fn texts(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| {
            x.as_str()
                .unwrap_or_else(|| panic!("not a string: {x}"))
                .to_owned()
        })
        .collect()
}

fn set(items: &[String]) -> BTreeSet<String> {
    items.iter().cloned().collect()
}

/// The `key` field of each element of the array `v`.
fn field(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| {
            x[key]
                .as_str()
                .unwrap_or_else(|| panic!("no {key} in {x}"))
                .to_owned()
        })
        .collect()
}

fn criterion_ids(session: &Value) -> Vec<String> {
    field(&session["review"]["criteria"], "criterionId")
}

fn criterion<'a>(session: &'a Value, id: &str) -> &'a Value {
    session["review"]["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["criterionId"] == id)
        .unwrap_or_else(|| panic!("no criterion {id} in {:#}", session["review"]))
}

/// `(title, sourceEvaluationIds)` of the session's action items, in order.
fn action_items(session: &Value) -> Vec<(String, Vec<String>)> {
    session["actionItems"]
        .as_array()
        .expect("actionItems")
        .iter()
        .map(|a| {
            (
                a["title"].as_str().expect("title").to_owned(),
                texts(&a["sourceEvaluationIds"]),
            )
        })
        .collect()
}

fn action_item<'a>(session: &'a Value, title: &str) -> &'a Value {
    session["actionItems"]
        .as_array()
        .expect("actionItems")
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no action item {title:?} in {:#}", session["actionItems"]))
}

/// The `coaching_ready` notifications in coach-ana's inbox, newest first.
async fn coaching_ready(app: &TestApp) -> Vec<Value> {
    app.inbox(&coach(ANA))
        .await
        .into_iter()
        .filter(|n| n["type"] == "coaching_ready")
        .collect()
}

#[track_caller]
fn assert_close(v: &Value, expected: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - expected).abs() < 1e-9, "{got} != {expected}");
}

// ----- queueing --------------------------------------------------------------------------------

#[tokio::test]
async fn generate_queues_a_generation_the_session_shows_until_the_worker_runs() {
    let (app, id) = world().await;
    let before = current(&app, &id).await;

    let r = generate_as(&app, &id, &coach(ANA), None).await;

    r.assert_status(202);
    let generation = &r.body["generation"];
    assert_eq!(generation["status"], "queued");
    let gid = generation["id"].as_str().expect("id");
    let s = current(&app, &id).await;
    let shown = &s["review"]["generation"];
    assert_eq!(shown["id"], gid);
    assert_eq!(shown["status"], "queued");
    assert!(shown["error"].is_null(), "{shown:#}");
    assert_eq!(s["review"]["criteria"], json!([]), "nothing written yet");
    assert_eq!(s["notes"], before["notes"]);
    assert_eq!(s["actionItems"], json!([]));
    assert!(coaching_ready(&app).await.is_empty());
    let foreign = app
        .services
        .process_generation(
            &coaching_ai::BuiltinGenerator,
            &OrgId::parse(OTHER_ORG).expect("org"),
            &GenerationId::parse(gid).expect("id"),
        )
        .await
        .expect("process");
    assert_eq!(foreign, Processed::Skipped, "another org's id is unknown");
    assert_eq!(current(&app, &id).await, s);
}

#[tokio::test]
async fn an_admin_of_the_org_generates_for_the_coach() {
    let (app, id) = world().await;

    let r = generate_as(&app, &id, &admin("admin-cy"), None).await;

    r.assert_status(202);
    app.run_worker().await;
    assert_eq!(
        current(&app, &id).await["review"]["generation"]["status"],
        "succeeded"
    );
    assert_eq!(coaching_ready(&app).await.len(), 1, "the coach is told");
}

#[tokio::test]
async fn a_second_generate_while_one_is_queued_is_409_and_once_it_ran_it_is_accepted() {
    let (app, id) = world().await;
    let first = generate_ok(&app, &id, None).await;

    let again = generate_as(&app, &id, &coach(ANA), None).await;

    again.assert_problem(409, "conflict");
    assert_eq!(
        current(&app, &id).await["review"]["generation"]["id"],
        first
    );
    assert_eq!(app.run_worker().await, 1);
    let second = generate_ok(&app, &id, None).await;
    assert_ne!(second, first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_eight_concurrent_generates_exactly_one_is_queued_and_seven_are_409() {
    let app = spawn_app_on_file().await;
    app.coach_with_settings(ANA).await;
    app.deliver_evaluations(&evaluations()).await;
    let id = draft(&app, BO).await;
    let calls = (0..8)
        .map(|_| Call::new(Method::POST, generate_path(&id)).token(&coach(ANA)))
        .collect();

    let responses = app.send_all(calls).await;

    let accepted: Vec<&Resp> = responses.iter().filter(|r| r.status() == 202).collect();
    assert_eq!(accepted.len(), 1, "{responses:#?}");
    for r in responses.iter().filter(|r| r.status() != 202) {
        r.assert_problem(409, "conflict");
    }
    let s = current(&app, &id).await;
    assert_eq!(
        s["review"]["generation"]["id"],
        accepted[0].body["generation"]["id"]
    );
    assert_eq!(app.run_worker().await, 1, "one record, no orphans");
}

#[tokio::test]
async fn a_period_without_evaluations_is_422_no_evaluations_and_queues_nothing() {
    let (app, _) = world().await;
    let nobody = draft(&app, "client-zed").await;
    let mut january = review_body(BO);
    january["review"] =
        json!({"periodStart": "2026-01-01T00:00:00Z", "periodEnd": "2026-02-01T00:00:00Z"});
    let empty_period = app.book_ok(&coach(ANA), &january).await;
    let empty_period = empty_period["id"].as_str().expect("id");

    for id in [nobody.as_str(), empty_period] {
        let r = generate_as(&app, id, &coach(ANA), None).await;

        r.assert_problem(422, "no_evaluations");
        assert!(current(&app, id).await["review"]["generation"].is_null());
    }
    assert_eq!(app.run_worker().await, 0);
}

#[tokio::test]
async fn generate_on_a_paid_session_is_422_not_a_review_session() {
    let (app, _) = world().await;
    let paid = app.book_paid(ANA, BO, MON_0900, 60).await;
    let id = paid["id"].as_str().expect("id");

    let r = generate_as(&app, id, &coach(ANA), None).await;

    r.assert_problem(422, "not_a_review_session");
    assert!(current(&app, id).await["review"].is_null());
}

#[tokio::test]
async fn the_coachee_another_coach_and_another_org_cannot_generate() {
    let (app, id) = world().await;

    let coachee_on_draft = generate_as(&app, &id, &client(BO), None).await;
    let other_coach = generate_as(&app, &id, &coach("coach-dan"), None).await;
    let foreign = generate_as(&app, &id, &other_org("coach-ana"), None).await;
    let no_token = app
        .request(Method::POST, &generate_path(&id), None, None, &[])
        .await;
    app.patch(
        &format!("/v1/sessions/{id}"),
        &coach(ANA),
        &json!({"startsAt": MON_0900}),
    )
    .await
    .assert_status(200);
    let coachee_on_scheduled = generate_as(&app, &id, &client(BO), None).await;

    coachee_on_draft.assert_problem(404, "not_found");
    other_coach.assert_problem(404, "not_found");
    foreign.assert_problem(404, "not_found");
    no_token.assert_problem(401, "unauthenticated");
    coachee_on_scheduled.assert_problem(403, "forbidden");
    assert!(current(&app, &id).await["review"]["generation"].is_null());
    assert_eq!(app.run_worker().await, 0);
}

#[tokio::test]
async fn asking_for_a_criterion_the_period_never_scored_is_400_naming_it() {
    let (app, id) = world().await;

    for (asked, field) in [
        (json!(["tone", "never-scored"]), "criterionIds[1]"),
        (json!(["legacy"]), "criterionIds[0]"),
        (json!(["greeting", "upsell"]), "criterionIds[1]"),
        (json!(["not an id"]), "criterionIds[0]"),
        (
            json!((0..21).map(|i| format!("c{i}")).collect::<Vec<_>>()),
            "criterionIds",
        ),
    ] {
        let r = generate_as(
            &app,
            &id,
            &coach(ANA),
            Some(&json!({"criterionIds": asked})),
        )
        .await;

        r.assert_invalid_field(field);
    }
    generate_as(&app, &id, &coach(ANA), Some(&json!({"tone": true})))
        .await
        .assert_problem(400, "validation_failed");
    assert!(current(&app, &id).await["review"]["generation"].is_null());
}

// ----- what a generation writes ----------------------------------------------------------------

#[tokio::test]
async fn the_worker_writes_the_builtin_coaching_into_the_review_and_tells_the_coach() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;

    let taken = app.run_worker().await;

    assert_eq!(taken, 1);
    let s = current(&app, &id).await;
    let g = &s["review"]["generation"];
    assert_eq!(g["id"], gid.as_str());
    assert_eq!(g["status"], "succeeded");
    assert!(g["error"].is_null(), "{g:#}");
    assert_eq!(g["provider"], "builtin");
    assert!(g["model"].is_null(), "{g:#}");
    assert_eq!(
        set(&texts(&g["inputs"]["evaluationIds"])),
        set(&strings(&["e1", "e2", "e3", "e4"])),
        "the selected criteria's scores of the period only"
    );
    assert_eq!(
        texts(&g["inputs"]["criterionIds"]),
        ["greeting", "billing", "resolution"]
    );
    assert_eq!(texts(&g["inputs"]["excludedSoftCriterionIds"]), ["empathy"]);

    assert_eq!(criterion_ids(&s), ["greeting", "billing", "resolution"]);
    for (cid, name, summary, linked) in [
        (
            "greeting",
            "Greeting",
            GREETING_SUMMARY,
            &["e3", "e2", "e1"][..],
        ),
        ("billing", "Billing", BILLING_SUMMARY, &["e3", "e1"]),
        ("resolution", "Resolution", RESOLUTION_SUMMARY, &["e1"]),
    ] {
        let c = criterion(&s, cid);
        assert_eq!(c["name"], name);
        assert_eq!(c["summary"], summary, "{cid}");
        assert_eq!(texts(&c["linkedEvaluationIds"]), linked, "{cid}");
    }
    let greeting = &criterion(&s, "greeting")["stats"];
    assert_eq!(
        greeting["scoredCount"], 4,
        "not 'old', not another coachee's"
    );
    assert_eq!(greeting["markdowns"], 3);
    assert_close(&greeting["averageScore"], 0.625);

    let links = &s["review"]["ticketLinks"];
    assert_eq!(
        set(&field(links, "evaluationId")),
        set(&strings(&["e1", "e2"])),
        "e3 has no ticket: {links:#}"
    );
    for link in links.as_array().expect("ticketLinks") {
        let e = link["evaluationId"].as_str().expect("evaluationId");
        assert_eq!(link["ticketId"], format!("T-{e}"));
        assert_eq!(link["url"], ticket_url(e));
    }
    assert_eq!(s["review"]["kbLinks"], json!([]), "KB links are off");

    assert_eq!(s["notes"], generated_notes());
    assert_eq!(action_items(&s), generated_action_items());
    for a in s["actionItems"].as_array().expect("actionItems") {
        assert_eq!(a["assigneeId"], BO);
        assert_eq!(a["done"], false);
        assert_eq!(a["sessionId"], id.as_str());
    }

    let ready = coaching_ready(&app).await;
    assert_eq!(ready.len(), 1, "{ready:#?}");
    assert_eq!(ready[0]["sessionId"], id.as_str());
    assert_eq!(ready[0]["data"]["generationId"], gid.as_str());
    assert_eq!(ready[0]["data"]["status"], "succeeded");
    assert!(
        !app.inbox(&client(BO))
            .await
            .iter()
            .any(|n| n["type"] == "coaching_ready"),
        "only the coach is told"
    );
}

#[tokio::test]
async fn generated_stats_are_the_criteria_stats_of_the_period() {
    let (app, id) = world().await;
    generate_ok(&app, &id, None).await;
    app.run_worker().await;

    let s = current(&app, &id).await;
    let stats = app
        .get(
            &format!("/v1/coachees/{BO}/criteria-stats?from={PERIOD_START}&to={PERIOD_END}"),
            &coach(ANA),
        )
        .await;

    stats.assert_status(200);
    for c in s["review"]["criteria"].as_array().expect("criteria") {
        let row = stats.body["criteria"]
            .as_array()
            .expect("criteria")
            .iter()
            .find(|r| r["criterionId"] == c["criterionId"])
            .unwrap_or_else(|| panic!("no stats row for {c}"));
        assert_eq!(c["stats"]["scoredCount"], row["scoredCount"], "{c}");
        assert_eq!(c["stats"]["markdowns"], row["markdowns"], "{c}");
        assert_close(
            &c["stats"]["averageScore"],
            row["averageScore"].as_f64().expect("average"),
        );
    }
}

#[tokio::test]
async fn every_evaluation_id_a_generation_writes_is_one_of_the_period() {
    let (app, id) = world().await;
    generate_ok(&app, &id, Some(&json!({"includeSoft": true}))).await;
    app.run_worker().await;
    let period = set(&strings(&["e1", "e2", "e3", "e4", "e5"]));

    let s = current(&app, &id).await;

    let mut written: Vec<String> = Vec::new();
    for c in s["review"]["criteria"].as_array().expect("criteria") {
        let linked = texts(&c["linkedEvaluationIds"]);
        assert!(!linked.is_empty(), "{c}");
        written.extend(linked);
    }
    for (_, sources) in action_items(&s) {
        assert!(!sources.is_empty());
        written.extend(sources);
    }
    written.extend(texts(&s["review"]["generation"]["inputs"]["evaluationIds"]));
    written.extend(field(&s["review"]["ticketLinks"], "evaluationId"));
    assert!(set(&written).is_subset(&period), "{written:?}");
}

#[tokio::test]
async fn soft_criteria_count_when_the_request_includes_them() {
    let (app, id) = world().await;
    generate_ok(&app, &id, Some(&json!({"includeSoft": true}))).await;

    app.run_worker().await;

    let s = current(&app, &id).await;
    assert_eq!(criterion_ids(&s), ["empathy", "greeting", "billing"]);
    let inputs = &s["review"]["generation"]["inputs"];
    assert_eq!(
        texts(&inputs["criterionIds"]),
        ["empathy", "greeting", "billing"]
    );
    assert_eq!(inputs["excludedSoftCriterionIds"], json!([]));
}

#[tokio::test]
async fn soft_criteria_count_when_the_org_setting_includes_them() {
    let (app, id) = world().await;
    app.put(
        "/v1/org/settings",
        &admin("admin-cy"),
        &json!({"includeSoftCriteria": true, "kbLinksEnabled": false}),
    )
    .await
    .assert_status(200);
    generate_ok(&app, &id, None).await;

    app.run_worker().await;

    let s = current(&app, &id).await;
    assert_eq!(criterion_ids(&s), ["empathy", "greeting", "billing"]);
    assert_eq!(
        s["review"]["generation"]["inputs"]["excludedSoftCriterionIds"],
        json!([])
    );
}

#[tokio::test]
async fn asked_criteria_are_exactly_the_ones_generated_in_the_order_asked() {
    let (app, id) = world().await;
    let asked = json!({"criterionIds": ["tone", "empathy", "politeness", "tone"]});
    generate_ok(&app, &id, Some(&asked)).await;

    app.run_worker().await;

    let s = current(&app, &id).await;
    let inputs = &s["review"]["generation"]["inputs"];
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(
        texts(&inputs["criterionIds"]),
        ["tone", "empathy", "politeness"]
    );
    assert_eq!(criterion_ids(&s), ["tone", "empathy", "politeness"]);
    assert_eq!(
        criterion(&s, "politeness")["summary"],
        "Politeness averaged 100% of the maximum score, with 0 markdowns out of 5 scored evaluations. Over the period it is steady: 100% in the older half of its scores, 100% in the newer half. No evaluator marked it down."
    );
    assert_eq!(
        action_items(&s),
        [
            (
                "Tone: go through the 2 marked-down tickets with your coach".to_owned(),
                strings(&["e3", "e1"])
            ),
            (
                "Empathy: work on \"Sounded cold\" (3 times)".to_owned(),
                strings(&["e3", "e2", "e1"])
            ),
        ]
    );
}

#[tokio::test]
async fn a_criterion_without_markdowns_is_never_chosen() {
    let (app, _) = world().await;
    app.deliver_evaluations(&[evaluation(
        "m1",
        "client-max",
        "2026-11-15T10:00:00Z",
        json!([
            of4("politeness", "Politeness", 4.0, None),
            of4("greeting", "Greeting", 3.0, Some("Late greeting")),
            of4("tone", "Tone", 4.0, Some("Warm")),
        ]),
    )])
    .await;
    let id = draft(&app, "client-max").await;
    generate_ok(&app, &id, None).await;

    app.run_worker().await;

    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(criterion_ids(&s), ["greeting"]);
    assert_eq!(
        texts(&s["review"]["generation"]["inputs"]["evaluationIds"]),
        ["m1"]
    );
}

#[tokio::test]
async fn a_generation_is_given_at_most_the_25_most_recent_scores_of_a_criterion() {
    let (app, _) = world().await;
    let many: Vec<Value> = (1..=30)
        .map(|d| {
            evaluation(
                &format!("m{d:02}"),
                "client-max",
                &format!("2026-11-{d:02}T10:00:00Z"),
                json!([of4("greeting", "Greeting", 2.0, Some("No greeting"))]),
            )
        })
        .collect();
    app.deliver_evaluations(&many).await;
    let id = draft(&app, "client-max").await;
    generate_ok(&app, &id, None).await;

    app.run_worker().await;

    let s = current(&app, &id).await;
    let given = texts(&s["review"]["generation"]["inputs"]["evaluationIds"]);
    let newest: Vec<String> = (6..=30).map(|d| format!("m{d:02}")).collect();
    assert_eq!(set(&given), set(&newest));
    let greeting = criterion(&s, "greeting");
    assert_eq!(
        greeting["stats"]["scoredCount"], 30,
        "the stats cover the period"
    );
    let summary = greeting["summary"].as_str().expect("summary");
    assert!(
        summary.contains("Over its 25 most recent scores"),
        "{summary}"
    );
}

#[tokio::test]
async fn a_review_of_some_scorecards_is_generated_from_their_evaluations_only() {
    let (app, _) = world().await;
    let mut sales = evaluation(
        "s1",
        BO,
        "2026-11-15T10:00:00Z",
        json!([of4("upsell", "Upsell", 1.0, Some("No upsell offered"))]),
    );
    sales["scorecardId"] = json!("sc-sales");
    app.deliver_evaluations(&[sales]).await;
    let mut body = review_body(BO);
    body["review"]["scorecardIds"] = json!(["sc-sales"]);
    let review = app.book_ok(&coach(ANA), &body).await;
    let id = review["id"].as_str().expect("id");
    generate_ok(&app, id, None).await;

    app.run_worker().await;

    let s = current(&app, id).await;
    assert_eq!(criterion_ids(&s), ["upsell"]);
    assert_eq!(
        texts(&s["review"]["generation"]["inputs"]["evaluationIds"]),
        ["s1"]
    );
    assert_eq!(
        action_items(&s),
        [(
            "Upsell: work on \"No upsell offered\" (once)".to_owned(),
            strings(&["s1"])
        )]
    );
}

// ----- KB links --------------------------------------------------------------------------------

/// Adds the KB articles; returns the ids of those a default generation may link, and of the
/// others.
async fn kb_articles(app: &TestApp) -> (BTreeSet<String>, BTreeSet<String>) {
    let articles = [
        ("Greeting customers", &["greeting"][..], true),
        ("Refund policy", &["refund"], false), // accuracy is not selected
        ("Escalations", &["escalation"], false), // only in comments of full scores
        ("Warmth", &["cold"], false),          // empathy is soft, left out
        ("Fix on first contact", &["FIX"], true),
        ("Invoices", &["invoice", "billing"], true),
        ("Using names", &["the name"], true),
        ("Resolution codes", &["Resolution"], true),
        ("Salutations", &["salutation", "GREETING"], true),
    ];
    let (mut linkable, mut others) = (BTreeSet::new(), BTreeSet::new());
    for (title, keywords, matches) in articles {
        let slug = title.to_lowercase().replace(' ', "-");
        let r = app
            .post(
                "/v1/kb-articles",
                &admin("admin-cy"),
                &json!({"title": title, "url": format!("https://kb.example.com/{slug}"), "keywords": keywords}),
            )
            .await;
        r.assert_status(201);
        if matches {
            linkable.insert(r.id());
        } else {
            others.insert(r.id());
        }
    }
    (linkable, others)
}

#[tokio::test]
async fn kb_links_are_at_most_5_articles_whose_keywords_occur_in_a_chosen_criterion() {
    let (app, id) = world().await;
    let (linkable, _) = kb_articles(&app).await;
    app.put(
        "/v1/org/settings",
        &admin("admin-cy"),
        &json!({"includeSoftCriteria": false, "kbLinksEnabled": true}),
    )
    .await
    .assert_status(200);
    generate_ok(&app, &id, None).await;

    app.run_worker().await;

    let s = current(&app, &id).await;
    let links = s["review"]["kbLinks"].as_array().expect("kbLinks");
    let ids = field(&s["review"]["kbLinks"], "articleId");
    assert_eq!(links.len(), 5, "6 match, at most 5: {links:#?}");
    assert_eq!(set(&ids).len(), 5, "each once: {ids:?}");
    assert!(set(&ids).is_subset(&linkable), "{ids:?}");
    for l in links {
        let title = l["title"].as_str().expect("title");
        let slug = title.to_lowercase().replace(' ', "-");
        assert_eq!(l["url"], format!("https://kb.example.com/{slug}"));
    }
}

#[tokio::test]
async fn no_kb_links_while_the_org_has_them_off() {
    let (app, id) = world().await;
    kb_articles(&app).await;
    generate_ok(&app, &id, None).await;

    app.run_worker().await;

    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(s["review"]["kbLinks"], json!([]));
}

// ----- grounding -------------------------------------------------------------------------------

/// A provider that invents: criteria it was not given, evaluation ids it was not shown (another
/// coachee's, one before the period, one of the period it was not shown, made-up ones), KB
/// articles that were no candidates, repeats and a blank action item.
struct InventingGenerator {
    /// A real article that was no candidate.
    other_article: String,
}

#[async_trait]
impl Generator for InventingGenerator {
    fn provider(&self) -> &str {
        "openai"
    }
    fn model(&self) -> Option<&str> {
        Some("gpt-test")
    }
    async fn generate(&self, input: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        let eid = |s: &str| EvaluationId::parse(s).expect("id");
        let invented = ["old", "lou-1", "e5", "made-up"].map(eid);
        let mut criteria: Vec<GeneratedCriterion> = input
            .criteria
            .iter()
            .map(|c| GeneratedCriterion {
                criterion_id: c.criterion_id.clone(),
                summary: format!("About {}.", c.name),
                linked_evaluation_ids: std::iter::once(c.recent_scores[0].evaluation_id.clone())
                    .chain(invented.iter().cloned())
                    .collect(),
            })
            .collect();
        criteria.push(GeneratedCriterion {
            criterion_id: CriterionId::parse("accuracy").expect("id"),
            summary: "Not asked for.".into(),
            linked_evaluation_ids: vec![eid("e1")],
        });
        criteria.push(GeneratedCriterion {
            criterion_id: input.criteria[0].criterion_id.clone(),
            summary: "Said twice.".into(),
            linked_evaluation_ids: vec![],
        });
        let mut kb: Vec<KbArticleId> = input.kb_candidates.iter().map(|a| a.id.clone()).collect();
        kb.push(KbArticleId::parse(self.other_article.clone()).expect("id"));
        kb.push(KbArticleId::parse("kb-made-up").expect("id"));
        Ok(GenerationOutput {
            criteria,
            notes: "  Notes from the provider.  ".into(),
            action_items: vec![
                GeneratedActionItem {
                    title: "Check the tickets".into(),
                    source_evaluation_ids: vec![eid("e2"), eid("lou-1"), eid("old"), eid("e2")],
                },
                GeneratedActionItem {
                    title: "   ".into(),
                    source_evaluation_ids: vec![eid("e1")],
                },
            ],
            kb_article_ids: kb,
        })
    }
}

#[tokio::test]
async fn whatever_a_provider_invents_beyond_what_it_was_given_is_dropped() {
    let (app, id) = world().await;
    let (linkable, others) = kb_articles(&app).await;
    app.put(
        "/v1/org/settings",
        &admin("admin-cy"),
        &json!({"includeSoftCriteria": false, "kbLinksEnabled": true}),
    )
    .await
    .assert_status(200);
    generate_ok(&app, &id, None).await;
    let generator = InventingGenerator {
        other_article: others.iter().next().expect("an article").clone(),
    };

    app.run_worker_with(&generator).await;

    let s = current(&app, &id).await;
    let g = &s["review"]["generation"];
    assert_eq!(g["status"], "succeeded");
    assert_eq!(
        (&g["provider"], &g["model"]),
        (&json!("openai"), &json!("gpt-test"))
    );
    assert_eq!(criterion_ids(&s), ["greeting", "billing", "resolution"]);
    for (cid, newest) in [("greeting", "e4"), ("billing", "e3"), ("resolution", "e3")] {
        let c = criterion(&s, cid);
        assert_eq!(texts(&c["linkedEvaluationIds"]), [newest], "{c}");
        assert!(
            c["summary"]
                .as_str()
                .is_some_and(|t| t.starts_with("About ")),
            "{c}"
        );
    }
    assert_eq!(s["notes"], "Notes from the provider.");
    assert_eq!(
        action_items(&s),
        [("Check the tickets".to_owned(), strings(&["e2"]))]
    );
    let kb = set(&field(&s["review"]["kbLinks"], "articleId"));
    assert_eq!(kb.len(), 5, "{kb:?}");
    assert!(kb.is_subset(&linkable), "{kb:?}");
    assert_eq!(
        set(&field(&s["review"]["ticketLinks"], "evaluationId")),
        set(&strings(&["e4"])),
        "e3 has no ticket"
    );
}

/// The builtin coaching, except that the provider wrote nothing about the first criterion.
struct BlankSummaryGenerator;

#[async_trait]
impl Generator for BlankSummaryGenerator {
    fn provider(&self) -> &str {
        "openai"
    }
    fn model(&self) -> Option<&str> {
        Some("gpt-test")
    }
    async fn generate(&self, input: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        let mut out = coaching_ai::builtin::generate(input);
        out.criteria[0].summary = " \n ".into();
        Ok(out)
    }
}

#[tokio::test]
async fn a_criterion_the_provider_wrote_no_summary_for_is_not_written() {
    let (app, id) = world().await;
    generate_ok(&app, &id, None).await;

    app.run_worker_with(&BlankSummaryGenerator).await;

    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    for c in s["review"]["criteria"].as_array().expect("criteria") {
        assert_ne!(c["summary"], "", "a criterion without a summary: {c:#}");
    }
    assert_eq!(criterion_ids(&s), ["billing", "resolution"]);
}

// ----- a later generation ----------------------------------------------------------------------

const HAND_NOTES: &str = "Agenda: two tickets.\n[] Bring two tickets you are proud of";
const HAND_ITEM: &str = "Bring two tickets you are proud of";
const HAND_SUMMARY: &str = "Greeting is what we talk about first.";

const MADE_ITEM: &str = "Shadow a senior agent for a day";

/// Schedules the draft review (so that the coachee sees it and may tick their action items).
async fn schedule(app: &TestApp, id: &str) {
    app.patch(
        &format!("/v1/sessions/{id}"),
        &coach(ANA),
        &json!({"startsAt": MON_0900}),
    )
    .await
    .assert_status(200);
}

/// PATCHes the action item titled `title` with `body` as `token`, asserting 200.
async fn patch_item(app: &TestApp, session: &str, title: &str, token: &str, body: &Value) {
    let s = current(app, session).await;
    let item = action_item(&s, title)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.patch(&format!("/v1/action-items/{item}"), token, body)
        .await
        .assert_status(200);
}

#[tokio::test]
async fn a_generation_keeps_what_the_coach_wrote_before_it() {
    let (app, id) = world().await;
    app.patch(
        &format!("/v1/sessions/{id}"),
        &coach(ANA),
        &json!({"notes": HAND_NOTES}),
    )
    .await
    .assert_status(200);
    app.put(
        &format!("/v1/sessions/{id}/criteria/greeting"),
        &coach(ANA),
        &json!({"summary": HAND_SUMMARY, "linkedEvaluationIds": ["e4"]}),
    )
    .await
    .assert_status(200);
    generate_ok(&app, &id, None).await;

    app.run_worker().await;

    let s = current(&app, &id).await;
    assert_eq!(criterion_ids(&s), ["greeting", "billing", "resolution"]);
    let greeting = criterion(&s, "greeting");
    assert_eq!(greeting["summary"], HAND_SUMMARY, "the coach's text stays");
    assert_eq!(texts(&greeting["linkedEvaluationIds"]), ["e4"]);
    assert_eq!(criterion(&s, "billing")["summary"], BILLING_SUMMARY);
    assert_eq!(
        s["notes"],
        format!("{HAND_NOTES}\n\n{}", generated_notes()),
        "generated notes follow the coach's"
    );
    let mut expected = vec![(HAND_ITEM.to_owned(), Vec::new())];
    expected.extend(generated_action_items());
    assert_eq!(action_items(&s), expected);
    assert_eq!(
        set(&field(&s["review"]["ticketLinks"], "evaluationId")),
        set(&strings(&["e4", "e1"])),
        "the coach's greeting links e4; billing and resolution link e3 (no ticket) and e1"
    );
}

#[tokio::test]
async fn a_later_generation_replaces_what_the_earlier_one_wrote_and_keeps_the_coachs() {
    let (app, id) = world().await;
    schedule(&app, &id).await;
    app.patch(
        &format!("/v1/sessions/{id}"),
        &coach(ANA),
        &json!({"notes": HAND_NOTES}),
    )
    .await
    .assert_status(200);
    app.put(
        &format!("/v1/sessions/{id}/criteria/greeting"),
        &coach(ANA),
        &json!({"summary": HAND_SUMMARY, "linkedEvaluationIds": ["e4"]}),
    )
    .await
    .assert_status(200);
    app.post(
        &format!("/v1/sessions/{id}/action-items"),
        &coach(ANA),
        &json!({"title": MADE_ITEM}),
    )
    .await
    .assert_status(201);
    generate_ok(&app, &id, None).await;
    app.run_worker().await;
    let done_title = "Billing: go through the 2 marked-down tickets with your coach";
    patch_item(&app, &id, done_title, &client(BO), &json!({"done": true})).await;
    let first = current(&app, &id).await;
    let done_id = action_item(&first, done_title)["id"].clone();
    let hand_id = action_item(&first, HAND_ITEM)["id"].clone();
    let made_id = action_item(&first, MADE_ITEM)["id"].clone();

    let second = generate_ok(
        &app,
        &id,
        Some(&json!({"criterionIds": ["tone", "accuracy"]})),
    )
    .await;
    app.run_worker().await;

    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["id"], second.as_str());
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(
        criterion_ids(&s),
        ["greeting", "tone", "accuracy"],
        "billing and resolution were the first generation's"
    );
    assert_eq!(criterion(&s, "greeting")["summary"], HAND_SUMMARY);
    let notes = s["notes"].as_str().expect("notes");
    assert!(
        notes.starts_with(&format!(
            "{HAND_NOTES}\n\nHi, here is how this period went. Focus areas: Tone and Accuracy."
        )),
        "{notes}"
    );
    assert!(
        !notes.contains("**Billing**"),
        "the first part is gone: {notes}"
    );
    assert_eq!(
        action_items(&s),
        [
            (HAND_ITEM.to_owned(), Vec::new()),
            (MADE_ITEM.to_owned(), Vec::new()),
            (done_title.to_owned(), strings(&["e3", "e1"])),
            (
                "Tone: go through the 2 marked-down tickets with your coach".to_owned(),
                strings(&["e3", "e1"])
            ),
            (
                "Accuracy: work on \"Missed the order number\" (once)".to_owned(),
                strings(&["e3"])
            ),
            (
                "Accuracy: work on \"Wrong refund policy\" (once)".to_owned(),
                strings(&["e1"])
            ),
        ],
        "the first generation's open items are replaced"
    );
    assert_eq!(action_item(&s, done_title)["id"], done_id);
    assert_eq!(action_item(&s, done_title)["done"], true);
    assert_eq!(action_item(&s, HAND_ITEM)["id"], hand_id);
    assert_eq!(action_item(&s, MADE_ITEM)["id"], made_id);
    assert_eq!(coaching_ready(&app).await.len(), 2);
}

#[tokio::test]
async fn a_generated_action_item_the_coach_rewrote_survives_a_later_generation() {
    let (app, id) = world().await;
    generate_ok(&app, &id, None).await;
    app.run_worker().await;
    let generated = "Resolution: work on \"Closed without a fix\" (once)";
    let rewritten = "Reopen ticket T-e1 together and find the fix";
    patch_item(
        &app,
        &id,
        generated,
        &coach(ANA),
        &json!({"title": rewritten}),
    )
    .await;
    let item_id = action_item(&current(&app, &id).await, rewritten)["id"].clone();

    generate_ok(&app, &id, Some(&json!({"criterionIds": ["tone"]}))).await;
    app.run_worker().await;

    let s = current(&app, &id).await;
    let titles: Vec<String> = action_items(&s).into_iter().map(|(t, _)| t).collect();
    assert!(
        titles.iter().any(|t| t == rewritten),
        "the coach's rewritten item is theirs now and stays: {titles:#?}"
    );
    assert_eq!(action_item(&s, rewritten)["id"], item_id);
    assert!(
        !titles.iter().any(|t| t.starts_with("Greeting:")),
        "the untouched generated items are replaced: {titles:#?}"
    );
}

#[tokio::test]
async fn a_generated_criterion_the_coach_rewrote_and_their_edited_notes_survive_a_later_generation()
{
    let (app, id) = world().await;
    app.patch(
        &format!("/v1/sessions/{id}"),
        &coach(ANA),
        &json!({"notes": "First draft of mine."}),
    )
    .await
    .assert_status(200);
    generate_ok(&app, &id, None).await;
    app.run_worker().await;
    let first = current(&app, &id).await;
    let generated = first["notes"]
        .as_str()
        .expect("notes")
        .strip_prefix("First draft of mine.")
        .expect("the coach's notes first")
        .to_owned();
    // The coach rewrites their own part of the notes, leaving the generated part as it is, and
    // rewrites the generated billing criterion.
    app.patch(
        &format!("/v1/sessions/{id}"),
        &coach(ANA),
        &json!({"notes": format!("Second draft of mine.{generated}")}),
    )
    .await
    .assert_status(200);
    app.put(
        &format!("/v1/sessions/{id}/criteria/billing"),
        &coach(ANA),
        &json!({"summary": "Billing, in my words.", "linkedEvaluationIds": ["e1"]}),
    )
    .await
    .assert_status(200);
    generate_ok(&app, &id, Some(&json!({"criterionIds": ["tone"]}))).await;

    app.run_worker().await;

    let s = current(&app, &id).await;
    assert_eq!(
        criterion_ids(&s),
        ["billing", "tone"],
        "the generated greeting and resolution are replaced, the rewritten billing is kept"
    );
    assert_eq!(criterion(&s, "billing")["summary"], "Billing, in my words.");
    let notes = s["notes"].as_str().expect("notes");
    assert!(
        notes.starts_with(
            "Second draft of mine.\n\nHi, here is how this period went. Focus areas: Tone."
        ),
        "{notes}"
    );
    assert!(!notes.contains("**Greeting**"), "{notes}");
}

// ----- idempotency and superseded generations --------------------------------------------------

#[tokio::test]
async fn running_the_worker_again_writes_nothing_twice() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;
    app.run_worker().await;
    let written = current(&app, &id).await;
    let inbox = app.inbox(&coach(ANA)).await;
    let org = OrgId::parse(ORG).expect("org");
    let gid = GenerationId::parse(gid).expect("id");

    let again = app.run_worker().await;
    let processed = app
        .services
        .process_generation(&coaching_ai::BuiltinGenerator, &org, &gid)
        .await
        .expect("process");

    assert_eq!(again, 0, "nothing is due any more");
    assert_eq!(processed, Processed::Skipped);
    assert_eq!(current(&app, &id).await, written);
    assert_eq!(app.inbox(&coach(ANA)).await, inbox);
    app.services.relay_events(t(START)).await.expect("relay");
    let ready: Vec<_> = app
        .events
        .published()
        .into_iter()
        .filter(|e| e.kind == "coaching_ready")
        .collect();
    assert_eq!(ready.len(), 1, "published once: {ready:#?}");
    assert_eq!(ready[0].payload["data"]["generationId"], gid.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_generation_processed_by_several_workers_at_once_writes_once() {
    let app = spawn_app_on_file().await;
    app.coach_with_settings(ANA).await;
    app.deliver_evaluations(&evaluations()).await;
    let id = draft(&app, BO).await;
    let gid = GenerationId::parse(generate_ok(&app, &id, None).await).expect("id");
    let org = OrgId::parse(ORG).expect("org");

    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (services, org, gid) = (app.services.clone(), org.clone(), gid.clone());
        tasks.push(tokio::spawn(async move {
            services
                .process_generation(&coaching_ai::BuiltinGenerator, &org, &gid)
                .await
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("task").expect("process"));
    }

    let finished = outcomes
        .iter()
        .filter(|o| **o == Processed::Finished(GenerationStatus::Succeeded))
        .count();
    assert_eq!(finished, 1, "{outcomes:?}");
    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(action_items(&s), generated_action_items());
    assert_eq!(s["notes"], generated_notes());
    assert_eq!(coaching_ready(&app).await.len(), 1);
}

#[tokio::test]
async fn a_generation_left_queued_for_a_day_is_superseded_by_a_new_one_and_writes_nothing() {
    let (app, id) = world().await;
    let abandoned = generate_ok(&app, &id, None).await;
    app.set_now(&plus(START, 25 * 60));

    let newer = generate_ok(&app, &id, None).await;
    let taken = app.run_worker().await;

    assert_eq!(taken, 2, "both records were due");
    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["id"], newer.as_str());
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(s["notes"], generated_notes(), "written once");
    assert_eq!(action_items(&s), generated_action_items(), "written once");
    let ready = coaching_ready(&app).await;
    assert_eq!(ready.len(), 1, "{ready:#?}");
    assert_eq!(ready[0]["data"]["generationId"], newer.as_str());
    assert_ne!(abandoned, newer);
}

#[tokio::test]
async fn a_generation_its_session_no_longer_names_writes_nothing() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;
    // A newer generation took its place in the session: not reachable through the API (a
    // second generate is 409 while this one is queued), so the session is changed in the store.
    let org = OrgId::parse(ORG).expect("org");
    let sid = SessionId::parse(id.clone()).expect("id");
    let mut s = app
        .store
        .session(&org, &sid)
        .await
        .expect("read")
        .expect("session");
    let before = s.version;
    let review = s.review.as_mut().expect("review");
    let mut newer = review.generation.clone().expect("generation");
    newer.id = GenerationId::parse("gen-newer").expect("id");
    newer.status = GenerationStatus::Succeeded;
    newer.provider = Some("builtin".into());
    newer.inputs = GenerationInputs::default();
    review.generation = Some(newer);
    s.touch(t(START));
    app.store
        .commit(Changes {
            sessions: vec![SessionPut {
                session: s,
                expected_version: Some(before),
            }],
            ..Changes::default()
        })
        .await
        .expect("commit");
    let superseded = current(&app, &id).await;

    app.run_worker().await;

    assert_eq!(current(&app, &id).await, superseded);
    assert!(coaching_ready(&app).await.is_empty());
    let job = app
        .store
        .generation(&org, &GenerationId::parse(gid).expect("id"))
        .await
        .expect("read")
        .expect("record");
    assert!(
        matches!(
            job.status,
            GenerationStatus::Succeeded | GenerationStatus::Failed
        ),
        "its record is finished, not left due: {job:?}"
    );
}

// ----- a failing provider ----------------------------------------------------------------------

/// A provider that fails every attempt, as one answering 503 does.
struct FailingGenerator;

const FAILURE: &str = "the provider answered 503 Service Unavailable on every attempt";

#[async_trait]
impl Generator for FailingGenerator {
    fn provider(&self) -> &str {
        "openai"
    }
    fn model(&self) -> Option<&str> {
        Some("gpt-test")
    }
    async fn generate(&self, _: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        Err(GenerateError {
            reason: FAILURE.into(),
            attempts: 3,
        })
    }
}

#[tokio::test]
async fn a_failing_provider_fails_the_generation_with_its_reason_and_tells_the_coach() {
    let (app, id) = world().await;
    let before = current(&app, &id).await;
    let gid = generate_ok(&app, &id, None).await;

    app.run_worker_with(&FailingGenerator).await;

    let s = current(&app, &id).await;
    let g = &s["review"]["generation"];
    assert_eq!(g["status"], "failed");
    let error = g["error"].as_str().expect("error");
    assert!(error.contains(FAILURE), "{error}");
    assert_eq!(g["provider"], "openai");
    assert_eq!(g["model"], "gpt-test");
    assert_eq!(s["review"]["criteria"], before["review"]["criteria"]);
    assert_eq!(s["notes"], before["notes"]);
    assert_eq!(s["actionItems"], json!([]));
    let ready = coaching_ready(&app).await;
    assert_eq!(ready.len(), 1, "{ready:#?}");
    assert_eq!(ready[0]["data"]["generationId"], gid.as_str());
    assert_eq!(ready[0]["data"]["status"], "failed");
}

#[tokio::test]
async fn after_a_failed_generation_the_coach_generates_again() {
    let (app, id) = world().await;
    generate_ok(&app, &id, None).await;
    app.run_worker_with(&FailingGenerator).await;

    let again = generate_as(&app, &id, &coach(ANA), None).await;

    again.assert_status(202);
    app.run_worker().await;
    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert!(s["review"]["generation"]["error"].is_null());
    assert_eq!(s["notes"], generated_notes());
}

// ----- a running generation, dead workers ------------------------------------------------------

/// The builtin generator, held inside `generate` until released (a slow provider).
#[derive(Default)]
struct GatedGenerator {
    entered: tokio::sync::Notify,
    release: tokio::sync::Notify,
}

#[async_trait]
impl Generator for GatedGenerator {
    fn provider(&self) -> &str {
        "builtin"
    }
    fn model(&self) -> Option<&str> {
        None
    }
    async fn generate(&self, input: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        self.entered.notify_one();
        self.release.notified().await;
        Ok(coaching_ai::builtin::generate(input))
    }
}

/// A worker that dies (as under kill -9) after claiming the generation.
struct DyingGenerator;

#[async_trait]
impl Generator for DyingGenerator {
    fn provider(&self) -> &str {
        "builtin"
    }
    fn model(&self) -> Option<&str> {
        None
    }
    async fn generate(&self, _: &GenerationInput) -> Result<GenerationOutput, GenerateError> {
        panic!("the worker died")
    }
}

/// Processes `generation` with [`DyingGenerator`] on a task of its own, which dies.
async fn die_processing(app: &TestApp, generation: &str) {
    let services = app.services.clone();
    let org = OrgId::parse(ORG).expect("org");
    let gid = GenerationId::parse(generation).expect("id");
    let died = tokio::spawn(async move {
        services
            .process_generation(&DyingGenerator, &org, &gid)
            .await
    })
    .await;
    assert!(died.is_err(), "the worker was meant to die: {died:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_generation_is_shown_blocks_generate_and_keeps_what_the_coach_writes_meanwhile() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;
    let gate = std::sync::Arc::new(GatedGenerator::default());
    let worker = {
        let (services, gate) = (app.services.clone(), gate.clone());
        let org = OrgId::parse(ORG).expect("org");
        let gid = GenerationId::parse(gid.clone()).expect("id");
        tokio::spawn(async move { services.process_generation(&*gate, &org, &gid).await })
    };
    gate.entered.notified().await;

    let running = current(&app, &id).await;
    let again = generate_as(&app, &id, &coach(ANA), None).await;
    app.patch(
        &format!("/v1/sessions/{id}"),
        &coach(ANA),
        &json!({"notes": HAND_NOTES}),
    )
    .await
    .assert_status(200);
    app.put(
        &format!("/v1/sessions/{id}/criteria/tone"),
        &coach(ANA),
        &json!({"summary": "Tone, meanwhile.", "linkedEvaluationIds": []}),
    )
    .await
    .assert_status(200);
    gate.release.notify_one();
    let processed = worker.await.expect("task").expect("process");

    assert_eq!(running["review"]["generation"]["status"], "running");
    assert_eq!(running["review"]["generation"]["id"], gid.as_str());
    again.assert_problem(409, "conflict");
    assert_eq!(processed, Processed::Finished(GenerationStatus::Succeeded));
    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(
        criterion_ids(&s),
        ["tone", "greeting", "billing", "resolution"]
    );
    assert_eq!(criterion(&s, "tone")["summary"], "Tone, meanwhile.");
    assert_eq!(s["notes"], format!("{HAND_NOTES}\n\n{}", generated_notes()));
    let mut expected = vec![(HAND_ITEM.to_owned(), Vec::new())];
    expected.extend(generated_action_items());
    assert_eq!(action_items(&s), expected);
}

#[tokio::test]
async fn a_generation_whose_worker_died_is_taken_up_again_once_its_claim_lapses() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;
    die_processing(&app, &gid).await;

    let while_claimed = app.run_worker().await;
    let blocked = generate_as(&app, &id, &coach(ANA), None).await;
    app.set_now(&plus(START, 3));
    let after_lapse = app.run_worker().await;

    assert_eq!(while_claimed, 0, "the claim holds");
    blocked.assert_problem(409, "conflict");
    assert_eq!(after_lapse, 1);
    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(s["notes"], generated_notes());
    assert_eq!(coaching_ready(&app).await.len(), 1);
}

#[tokio::test]
async fn released_claims_are_taken_up_at_once_after_a_restart() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;
    die_processing(&app, &gid).await;

    let released = app.services.release_claims().await.expect("release");
    let taken = app.run_worker().await;

    assert_eq!(released, 1);
    assert_eq!(taken, 1);
    assert_eq!(
        current(&app, &id).await["review"]["generation"]["status"],
        "succeeded"
    );
}

#[tokio::test]
async fn a_generation_whose_worker_died_three_times_fails_and_tells_the_coach() {
    let (app, id) = world().await;
    let gid = generate_ok(&app, &id, None).await;
    for _ in 0..3 {
        die_processing(&app, &gid).await;
        assert_eq!(app.services.release_claims().await.expect("release"), 1);
    }

    app.run_worker().await;

    let s = current(&app, &id).await;
    let g = &s["review"]["generation"];
    assert_eq!(g["status"], "failed");
    assert!(g["error"].as_str().is_some_and(|e| !e.is_empty()), "{g:#}");
    assert_eq!(s["actionItems"], json!([]));
    let ready = coaching_ready(&app).await;
    assert_eq!(ready.len(), 1, "{ready:#?}");
    assert_eq!(ready[0]["data"]["status"], "failed");
    generate_ok(&app, &id, None).await;
}

// ----- many --------------------------------------------------------------------------------------

#[tokio::test]
async fn two_hundred_queued_generations_are_all_drained_and_succeed() {
    let app = spawn_app().await;
    app.deliver_evaluations(&[evaluation(
        "only",
        BO,
        "2026-11-15T10:00:00Z",
        json!([of4("greeting", "Greeting", 2.0, Some("No greeting"))]),
    )])
    .await;
    let mut sessions = Vec::new();
    for _ in 0..200 {
        let id = draft(&app, BO).await;
        let gid = generate_ok(&app, &id, None).await;
        sessions.push((id, gid));
    }

    let taken = app.run_worker().await;

    assert_eq!(taken, 200);
    for (id, gid) in &sessions {
        let g = &current(&app, id).await["review"]["generation"];
        assert_eq!(g["id"], gid.as_str());
        assert_eq!(g["status"], "succeeded", "{id}: {g:#}");
    }
    let ready: BTreeSet<String> = coaching_ready(&app)
        .await
        .iter()
        .map(|n| n["data"]["generationId"].as_str().expect("id").to_owned())
        .collect();
    let queued: BTreeSet<String> = sessions.iter().map(|(_, g)| g.clone()).collect();
    assert_eq!(ready, queued);
    assert_eq!(app.run_worker().await, 0);
}
