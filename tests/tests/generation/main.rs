//! docs/api.md#review-sessions-and-ai-generation: AI coaching generation through the API and explicit worker runs: what `generate` answers,
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

mod grounding;
mod kb_links;
mod requests;
mod rewriting;
mod selection;
mod workers;
mod writes;

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
