//! What `generate` answers: queued, 409 while one is queued, who may ask, and the 422s.

use super::*;

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
async fn a_period_without_a_markdown_is_422_no_markdowns_unless_criteria_are_named() {
    let (app, _) = world().await;
    app.deliver_evaluations(&[evaluation(
        "p1",
        "client-pia",
        "2026-11-15T10:00:00Z",
        json!([
            of4("politeness", "Politeness", 4.0, Some("Lovely")),
            soft(of4("empathy", "Empathy", 1.0, Some("Cold"))),
        ]),
    )])
    .await;
    let id = draft(&app, "client-pia").await;

    let r = generate_as(&app, &id, &coach(ANA), None).await;

    r.assert_problem(422, "no_markdowns");
    assert!(current(&app, &id).await["review"]["generation"].is_null());
    assert_eq!(app.run_worker().await, 0);
    // The soft criterion with its markdown is coached on when asked for, and a named
    // criterion is generated even without one.
    generate_ok(&app, &id, Some(&json!({"includeSoft": true}))).await;
    app.run_worker().await;
    assert_eq!(criterion_ids(&current(&app, &id).await), ["empathy"]);
    generate_ok(&app, &id, Some(&json!({"criterionIds": ["politeness"]}))).await;
    app.run_worker().await;
    let s = current(&app, &id).await;
    assert_eq!(s["review"]["generation"]["status"], "succeeded");
    assert_eq!(criterion_ids(&s), ["politeness"]);
}
