//! docs/api.md#evaluations: a coachee's evaluations (newest first, filters, paging, who may read them) and their
//! per-criterion statistics, over a designed set whose every figure is known in advance.

use coaching_domain::Role;
use coaching_tests::*;
use serde_json::{Value, json};

/// The coachee of the designed set.
const KIM: &str = "agent-kim";

/// Four evaluations of KIM, every figure of whose statistics is worked out below:
///
/// | evaluation | evaluatedAt | scorecard  | accuracy | empathy (soft) | greeting | compliance | closing | zz-listening | aa-tone |
/// |------------|-------------|------------|----------|----------------|----------|------------|---------|--------------|---------|
/// | e1         | 11-02 10:00 | sc-support | 2/4      | 4/4            | 1/2      |            |         |              |         |
/// | e2         | 11-05 10:00 | sc-support | 3/4      | null/4         | 2/2      | null/1     |         |              |         |
/// | e3         | 11-09 10:00 | sc-support | 4/4      | 2/4            | 1/2 (*)  |            |         |              |         |
/// | e4         | 11-12 10:00 | sc-sales   | 10/10    |                |          |            | 0/5     | 1/2          | 1/2     |
///
/// (*) e3 names greeting "Opening greeting": the newest name wins.
fn designed() -> Vec<Value> {
    let e1 = evaluation(
        "e1",
        KIM,
        "2026-11-02T10:00:00Z",
        json!([
            score(
                "accuracy",
                "Accuracy",
                Some(2.0),
                4.0,
                Some("Wrong refund policy quoted")
            ),
            soft(score("empathy", "Empathy", Some(4.0), 4.0, None)),
            score("greeting", "Greeting", Some(1.0), 2.0, Some("No greeting")),
        ]),
    );
    let e2 = evaluation(
        "e2",
        KIM,
        "2026-11-05T10:00:00Z",
        json!([
            score(
                "accuracy",
                "Accuracy",
                Some(3.0),
                4.0,
                Some("Missed the order number")
            ),
            soft(score("empathy", "Empathy", None, 4.0, None)),
            score("greeting", "Greeting", Some(2.0), 2.0, None),
            score("compliance", "Compliance", None, 1.0, None),
        ]),
    );
    let e3 = evaluation(
        "e3",
        KIM,
        "2026-11-09T10:00:00Z",
        json!([
            score("accuracy", "Accuracy", Some(4.0), 4.0, None),
            soft(score(
                "empathy",
                "Empathy",
                Some(2.0),
                4.0,
                Some("Abrupt with an upset customer")
            )),
            score(
                "greeting",
                "Opening greeting",
                Some(1.0),
                2.0,
                Some("No greeting")
            ),
        ]),
    );
    let mut e4 = evaluation(
        "e4",
        KIM,
        "2026-11-12T10:00:00Z",
        json!([
            score("accuracy", "Accuracy", Some(10.0), 10.0, Some("Spot on")),
            score(
                "closing",
                "Closing",
                Some(0.0),
                5.0,
                Some("Never asked for the sale")
            ),
            score("zz-listening", "Active listening", Some(1.0), 2.0, None),
            score("aa-tone", "Tone", Some(1.0), 2.0, None),
        ]),
    );
    e4["scorecardId"] = json!("sc-sales");
    e4["scorecardName"] = json!("Sales QA");
    vec![e1, e2, e3, e4]
}

/// An app with the designed set delivered (in a shuffled order) and one evaluation of another
/// coachee.
async fn world() -> TestApp {
    let app = spawn_app().await;
    let set = designed();
    app.deliver_evaluations(&[
        set[2].clone(),
        set[0].clone(),
        set[3].clone(),
        set[1].clone(),
    ])
    .await;
    app.deliver_evaluations(&[evaluation(
        "other-1",
        "agent-lou",
        "2026-11-10T10:00:00Z",
        json!([score(
            "accuracy",
            "Accuracy",
            Some(0.0),
            4.0,
            Some("Not KIM's")
        )]),
    )])
    .await;
    app
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn list(app: &TestApp, coachee: &str, token: &str, q: &str) -> Resp {
    app.get(&format!("/v1/coachees/{coachee}/evaluations?{q}"), token)
        .await
}

async fn stats(app: &TestApp, coachee: &str, token: &str, q: &str) -> Resp {
    app.get(&format!("/v1/coachees/{coachee}/criteria-stats?{q}"), token)
        .await
}

/// KIM's stats as coach-ana reads them with the query `q`.
async fn kim_stats(app: &TestApp, q: &str) -> Value {
    let r = stats(app, KIM, &coach("coach-ana"), q).await;
    r.assert_status(200);
    r.body
}

fn criterion_ids(stats: &Value) -> Vec<String> {
    stats["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .map(|c| c["criterionId"].as_str().expect("criterionId").to_owned())
        .collect()
}

fn row<'a>(stats: &'a Value, id: &str) -> &'a Value {
    stats["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["criterionId"] == id)
        .unwrap_or_else(|| panic!("no {id} in {stats:#?}"))
}

/// Asserts a row's figures: scoredCount, averageScore (within 1e-9; `None` is null), markdowns.
#[track_caller]
fn assert_figures(row: &Value, scored: u64, average: Option<f64>, markdowns: u64) {
    assert_eq!(row["scoredCount"], json!(scored), "scoredCount: {row:#?}");
    assert_eq!(row["markdowns"], json!(markdowns), "markdowns: {row:#?}");
    match average {
        None => assert!(row["averageScore"].is_null(), "averageScore: {row:#?}"),
        Some(a) => {
            let got = row["averageScore"].as_f64().expect("averageScore");
            assert!(
                (got - a).abs() < 1e-9,
                "averageScore {got} != {a}: {row:#?}"
            );
        }
    }
}

/// `(evaluationId, score, maxScore)` of a row's recent scores, in order.
fn recent(row: &Value) -> Vec<(String, f64, f64)> {
    row["recentScores"]
        .as_array()
        .expect("recentScores")
        .iter()
        .map(|r| {
            (
                r["evaluationId"].as_str().expect("evaluationId").to_owned(),
                r["score"].as_f64().expect("score"),
                r["maxScore"].as_f64().expect("maxScore"),
            )
        })
        .collect()
}

fn triples(v: &[(&str, f64, f64)]) -> Vec<(String, f64, f64)> {
    v.iter()
        .map(|(i, s, m)| ((*i).to_owned(), *s, *m))
        .collect()
}

// ----- the list --------------------------------------------------------------------------------

#[tokio::test]
async fn a_coachees_evaluations_are_listed_newest_first_and_only_theirs() {
    let app = world().await;

    let r = list(&app, KIM, &coach("coach-ana"), "").await;

    r.assert_status(200);
    assert_eq!(
        ids(r.body["items"].as_array().expect("items")),
        ["e4", "e3", "e2", "e1"]
    );
    assert!(r.body["nextCursor"].is_null(), "{r:#?}");
    let e4 = &r.body["items"][0];
    assert_eq!(e4["coacheeId"], KIM);
    assert_eq!(e4["scorecardId"], "sc-sales");
    assert_eq!(e4["scorecardName"], "Sales QA");
    assert_eq!(e4["ticketId"], "T-e4");
    assert_eq!(e4["ticketUrl"], ticket_url("e4"));
    assert_eq!(e4["evaluatedAt"], "2026-11-12T10:00:00Z");
    assert_eq!(e4["scores"].as_array().expect("scores").len(), 4);
    assert_eq!(app.evaluation_ids("agent-lou").await, ["other-1"]);
}

#[tokio::test]
async fn paging_visits_every_evaluation_once_in_order_ties_broken_by_id() {
    let app = spawn_app().await;
    // Seven evaluations, three of them at one instant and two at another.
    let at = [
        ("p1", "2026-11-01T09:00:00Z"),
        ("p2", "2026-11-02T09:00:00Z"),
        ("p3", "2026-11-02T09:00:00Z"),
        ("p4", "2026-11-02T09:00:00Z"),
        ("p5", "2026-11-03T09:00:00Z"),
        ("p6", "2026-11-03T09:00:00Z"),
        ("p7", "2026-11-04T09:00:00Z"),
    ];
    for (id, when) in at {
        app.deliver_evaluations(&[evaluation(
            id,
            KIM,
            when,
            json!([score("accuracy", "Accuracy", Some(1.0), 2.0, None)]),
        )])
        .await;
    }

    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("limit=3&cursor={c}"),
            None => "limit=3".to_owned(),
        };
        let r = list(&app, KIM, &admin("admin-cy"), &q).await;
        r.assert_status(200);
        pages.push(ids(r.body["items"].as_array().expect("items")));
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(pages.len() < 10, "endless paging: {pages:?}");
    }

    let all: Vec<String> = pages.concat();
    assert_eq!(
        all,
        ["p7", "p6", "p5", "p4", "p3", "p2", "p1"],
        "pages: {pages:?}"
    );
    assert_eq!(pages[0].len(), 3);
    assert_eq!(pages[1].len(), 3);
}

#[tokio::test]
async fn from_is_inclusive_to_is_exclusive_and_scorecard_id_filters() {
    let app = world().await;
    let tok = coach("coach-ana");

    let window = app
        .all_evaluations(
            KIM,
            &tok,
            "from=2026-11-05T10:00:00Z&to=2026-11-12T10:00:00Z",
        )
        .await;
    let sales = app.all_evaluations(KIM, &tok, "scorecardId=sc-sales").await;
    let support_since = app
        .all_evaluations(
            KIM,
            &tok,
            "scorecardId=sc-support&from=2026-11-03T00:00:00Z",
        )
        .await;
    let none = app
        .all_evaluations(KIM, &tok, "scorecardId=sc-unknown")
        .await;

    assert_eq!(ids(&window), ["e3", "e2"]);
    assert_eq!(ids(&sales), ["e4"]);
    assert_eq!(ids(&support_since), ["e3", "e2"]);
    assert!(none.is_empty());
}

#[tokio::test]
async fn coaches_admins_and_the_coachee_read_the_evaluations() {
    let app = world().await;

    for tok in [
        coach("coach-ana"),
        coach("coach-dan"),
        admin("admin-cy"),
        client(KIM),
        token(KIM, ORG, &[Role::Client, Role::Coach]),
    ] {
        let r = list(&app, KIM, &tok, "").await;

        r.assert_status(200);
        assert_eq!(r.body["items"].as_array().expect("items").len(), 4);
    }
}

#[tokio::test]
async fn another_client_gets_403_for_a_coachees_evaluations_and_stats() {
    let app = world().await;

    let listed = list(&app, KIM, &client("agent-lou"), "").await;
    let figures = stats(&app, KIM, &client("agent-lou"), "").await;

    listed.assert_problem(403, "forbidden");
    figures.assert_problem(403, "forbidden");
}

#[tokio::test]
async fn another_org_sees_nothing_of_this_orgs_evaluations() {
    let app = world().await;

    for tok in [
        other_org("admin-eve"),
        token(KIM, OTHER_ORG, &[Role::Client]),
    ] {
        let listed = list(&app, KIM, &tok, "").await;
        let figures = stats(&app, KIM, &tok, "").await;

        listed.assert_status(200);
        assert_eq!(listed.body["items"], json!([]), "{listed:#?}");
        figures.assert_status(200);
        assert_eq!(figures.body["evaluationCount"], 0);
        assert_eq!(figures.body["criteria"], json!([]));
    }
}

#[tokio::test]
async fn reading_evaluations_needs_a_token() {
    let app = world().await;

    for path in [
        format!("/v1/coachees/{KIM}/evaluations"),
        format!("/v1/coachees/{KIM}/criteria-stats"),
    ] {
        let r = app.request(http::Method::GET, &path, None, None, &[]).await;

        r.assert_problem(401, "unauthenticated");
    }
}

#[tokio::test]
async fn a_bad_limit_cursor_or_range_is_400_naming_it() {
    let app = world().await;
    let tok = coach("coach-ana");

    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=%FF%FE", "cursor"),
        ("from=yesterday", "from"),
        ("from=2026-11-10T00:00:00Z&to=2026-11-10T00:00:00Z", "to"),
        ("from=2026-11-10T00:00:00Z&to=2026-11-01T00:00:00Z", "to"),
    ] {
        let r = list(&app, KIM, &tok, q).await;

        assert_eq!(r.status(), 400, "{q}: {r:#?}");
        r.assert_invalid_field(field);
    }
}

#[tokio::test]
async fn the_limit_bounds_are_inclusive() {
    let app = world().await;

    let one = list(&app, KIM, &coach("coach-ana"), "limit=1").await;
    let max = list(&app, KIM, &coach("coach-ana"), "limit=200").await;

    one.assert_status(200);
    assert_eq!(ids(one.body["items"].as_array().expect("items")), ["e4"]);
    assert!(one.body["nextCursor"].is_string());
    max.assert_status(200);
    assert_eq!(max.body["items"].as_array().expect("items").len(), 4);
}

#[tokio::test]
async fn a_deleted_evaluation_leaves_the_list_and_the_stats() {
    let app = world().await;

    app.deliver_ok(&deleted("e4")).await;

    assert_eq!(app.evaluation_ids(KIM).await, ["e3", "e2", "e1"]);
    let s = kim_stats(&app, "").await;
    assert_eq!(s["evaluationCount"], 3);
    assert!(!criterion_ids(&s).contains(&"closing".to_owned()));
    assert_figures(row(&s, "accuracy"), 3, Some(0.75), 2);
}

// ----- criteria stats --------------------------------------------------------------------------

#[tokio::test]
async fn criteria_stats_give_every_figure_of_the_designed_set() {
    let app = world().await;

    let s = kim_stats(&app, "").await;

    assert_eq!(s["evaluationCount"], 4);
    // Most markdowns first; ties to the lower average, then the name (not the id).
    assert_eq!(
        criterion_ids(&s),
        [
            "greeting",
            "accuracy",
            "closing",
            "zz-listening",
            "aa-tone",
            "empathy",
            "compliance"
        ]
    );
    let greeting = row(&s, "greeting");
    assert_eq!(greeting["name"], "Opening greeting");
    assert_eq!(greeting["soft"], false);
    assert_figures(greeting, 3, Some(2.0 / 3.0), 2);
    assert_eq!(
        recent(greeting),
        triples(&[("e3", 1.0, 2.0), ("e2", 2.0, 2.0), ("e1", 1.0, 2.0)])
    );

    let accuracy = row(&s, "accuracy");
    assert_eq!(accuracy["name"], "Accuracy");
    assert_figures(accuracy, 4, Some(0.8125), 2);
    assert_eq!(
        recent(accuracy),
        triples(&[
            ("e4", 10.0, 10.0),
            ("e3", 4.0, 4.0),
            ("e2", 3.0, 4.0),
            ("e1", 2.0, 4.0)
        ])
    );
    assert_eq!(
        accuracy["recentScores"][2],
        json!({
            "evaluationId": "e2",
            "score": 3.0,
            "maxScore": 4.0,
            "comment": "Missed the order number",
            "evaluatedAt": "2026-11-05T10:00:00Z",
            "ticketUrl": ticket_url("e2"),
        })
    );
    assert!(accuracy["recentScores"][1]["comment"].is_null());

    assert_figures(row(&s, "closing"), 1, Some(0.0), 1);
    assert_eq!(
        row(&s, "closing")["recentScores"][0]["comment"],
        "Never asked for the sale"
    );
    assert_figures(row(&s, "zz-listening"), 1, Some(0.5), 1);
    assert_eq!(row(&s, "zz-listening")["name"], "Active listening");
    assert_figures(row(&s, "aa-tone"), 1, Some(0.5), 1);

    let empathy = row(&s, "empathy");
    assert_eq!(empathy["soft"], true);
    // e2's null is not applicable: not scored, not a markdown, not a recent score.
    assert_figures(empathy, 2, Some(0.75), 1);
    assert_eq!(
        recent(empathy),
        triples(&[("e3", 2.0, 4.0), ("e1", 4.0, 4.0)])
    );
    assert_eq!(
        empathy["recentScores"][0]["comment"],
        "Abrupt with an upset customer"
    );

    let compliance = row(&s, "compliance");
    assert_figures(compliance, 0, None, 0);
    assert_eq!(compliance["recentScores"], json!([]));
}

#[tokio::test]
async fn criteria_stats_of_one_scorecard() {
    let app = world().await;

    let s = kim_stats(&app, "scorecardId=sc-support").await;

    assert_eq!(s["evaluationCount"], 3);
    assert_eq!(
        criterion_ids(&s),
        ["greeting", "accuracy", "empathy", "compliance"]
    );
    assert_figures(row(&s, "accuracy"), 3, Some(0.75), 2);
    assert_eq!(
        recent(row(&s, "accuracy")),
        triples(&[("e3", 4.0, 4.0), ("e2", 3.0, 4.0), ("e1", 2.0, 4.0)])
    );
    assert_figures(row(&s, "greeting"), 3, Some(2.0 / 3.0), 2);
    assert_figures(row(&s, "empathy"), 2, Some(0.75), 1);
}

#[tokio::test]
async fn criteria_stats_of_a_period_from_inclusive_to_exclusive() {
    let app = world().await;

    let s = kim_stats(&app, "from=2026-11-05T10:00:00Z&to=2026-11-12T10:00:00Z").await;

    assert_eq!(s["evaluationCount"], 2);
    assert_eq!(
        criterion_ids(&s),
        ["empathy", "greeting", "accuracy", "compliance"]
    );
    assert_figures(row(&s, "empathy"), 1, Some(0.5), 1);
    assert_figures(row(&s, "greeting"), 2, Some(0.75), 1);
    assert_eq!(row(&s, "greeting")["name"], "Opening greeting");
    assert_figures(row(&s, "accuracy"), 2, Some(0.875), 1);
    assert_eq!(
        recent(row(&s, "accuracy")),
        triples(&[("e3", 4.0, 4.0), ("e2", 3.0, 4.0)])
    );
}

#[tokio::test]
async fn criteria_stats_keep_the_25_newest_scores_and_count_them_all() {
    let app = spawn_app().await;
    for day in 1..=30u32 {
        app.deliver_evaluations(&[evaluation(
            &format!("d{day:02}"),
            KIM,
            &format!("2026-11-{day:02}T12:00:00Z"),
            json!([score(
                "accuracy",
                "Accuracy",
                Some(1.0),
                2.0,
                Some(&format!("day {day}"))
            )]),
        )])
        .await;
    }

    let s = kim_stats(&app, "").await;

    assert_eq!(s["evaluationCount"], 30);
    let accuracy = row(&s, "accuracy");
    assert_figures(accuracy, 30, Some(0.5), 30);
    let recent_ids: Vec<String> = recent(accuracy).into_iter().map(|r| r.0).collect();
    let expected: Vec<String> = (6..=30).rev().map(|d| format!("d{d:02}")).collect();
    assert_eq!(recent_ids, expected);
    assert_eq!(accuracy["recentScores"][0]["comment"], "day 30");
}

#[tokio::test]
async fn a_coachee_without_evaluations_has_empty_stats() {
    let app = world().await;

    let r = stats(&app, "agent-new", &coach("coach-ana"), "").await;

    r.assert_status(200);
    assert_eq!(r.body, json!({"evaluationCount": 0, "criteria": []}));
}

#[tokio::test]
async fn coaches_admins_and_the_coachee_read_the_stats() {
    let app = world().await;

    for tok in [coach("coach-dan"), admin("admin-cy"), client(KIM)] {
        let r = stats(&app, KIM, &tok, "").await;

        r.assert_status(200);
        assert_eq!(r.body["evaluationCount"], 4);
    }
}

#[tokio::test]
async fn a_bad_stats_filter_is_400_naming_it() {
    let app = world().await;

    for (q, field) in [
        ("from=2026-11-10", "from"),
        ("from=2026-11-10T00:00:00Z&to=2026-11-09T00:00:00Z", "to"),
        ("scorecardId=", "scorecardId"),
    ] {
        let r = stats(&app, KIM, &coach("coach-ana"), q).await;

        assert_eq!(r.status(), 400, "{q}: {r:#?}");
        r.assert_invalid_field(field);
    }
}
