//! What a later generation replaces of an earlier one's writing, and what it keeps of the coach's.

use super::*;

pub(super) const HAND_NOTES: &str = "Agenda: two tickets.\n[] Bring two tickets you are proud of";
pub(super) const HAND_ITEM: &str = "Bring two tickets you are proud of";
const HAND_SUMMARY: &str = "Greeting is what we talk about first.";

const MADE_ITEM: &str = "Shadow a senior agent for a day";

/// Schedules the draft review (so that the coachee sees it and may tick their action items).
pub(super) async fn schedule(app: &TestApp, id: &str) {
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
