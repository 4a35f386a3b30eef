//! What the worker selects and writes: the builtin coaching, stats, soft and asked criteria,
//! the 25 most recent scores, scorecards and KB links.

use super::*;

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
