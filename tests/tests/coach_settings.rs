//! docs/api.md#coaches-and-slots: coach settings: who may write and read them, their defaults, and validation that names
//! the bad field and leaves the stored settings as they were.

use coaching_tests::*;
use http::Method;
use serde_json::{Value, json};

const PATH: &str = "/v1/coaches/coach-ana/settings";

/// Settings other than the standard ones, to see that a rejected PUT changed nothing.
fn changed_settings() -> Value {
    let mut s = standard_settings();
    s["timezone"] = json!("America/New_York");
    s["bufferMinutes"] = json!(10);
    s
}

/// The stored settings, minus the update time.
async fn stored(app: &TestApp) -> Value {
    let r = app.get(PATH, &client("client-bo")).await;
    r.assert_status(200);
    let mut body = r.body;
    body.as_object_mut().expect("object").remove("updatedAt");
    body
}

#[tokio::test]
async fn a_coach_puts_their_settings_and_omitted_policies_take_the_contract_defaults() {
    let app = spawn_app().await;

    let r = app
        .put(PATH, &coach("coach-ana"), &standard_settings())
        .await;

    r.assert_status(200);
    let b = &r.body;
    assert_eq!(b["coachId"], "coach-ana");
    assert_eq!(b["timezone"], "Europe/Berlin");
    assert_eq!(b["availability"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        b["availability"][0],
        json!({"weekday": "mon", "start": "09:00", "end": "17:00"})
    );
    assert_eq!(
        b["prices"]["30"],
        json!({"amount": 5000, "currency": "EUR"})
    );
    assert_eq!(
        b["prices"]["45"],
        json!({"amount": 7000, "currency": "EUR"})
    );
    assert_eq!(
        b["prices"]["60"],
        json!({"amount": 9000, "currency": "EUR"})
    );
    assert_eq!(b["bufferMinutes"], 0);
    assert_eq!(b["minNoticeMinutes"], 60);
    assert_eq!(b["cancellationWindowHours"], 24);
    assert_eq!(b["lateCancellationFeePercent"], 50);
    assert_eq!(b["noShowFeePercent"], 100);
    assert_eq!(b["joinUrlTemplate"], "https://meet.example.com/{sessionId}");
}

#[tokio::test]
async fn a_second_put_replaces_the_settings() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .put(PATH, &coach("coach-ana"), &changed_settings())
        .await;

    r.assert_status(200);
    let now = stored(&app).await;
    assert_eq!(now["timezone"], "America/New_York");
    assert_eq!(now["bufferMinutes"], 10);
}

#[tokio::test]
async fn an_admin_puts_a_coachs_settings() {
    let app = spawn_app().await;

    let r = app
        .put(PATH, &admin("admin-cy"), &standard_settings())
        .await;

    r.assert_status(200);
    assert_eq!(r.body["coachId"], "coach-ana");
    assert_eq!(stored(&app).await["timezone"], "Europe/Berlin");
}

#[tokio::test]
async fn a_client_cannot_put_a_coachs_settings() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let before = stored(&app).await;

    let r = app
        .put(PATH, &client("client-bo"), &changed_settings())
        .await;

    r.assert_problem(403, "forbidden");
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn a_client_cannot_put_settings_under_their_own_id() {
    let app = spawn_app().await;

    let r = app
        .put(
            "/v1/coaches/client-bo/settings",
            &client("client-bo"),
            &standard_settings(),
        )
        .await;

    r.assert_problem(403, "forbidden");
    let after = app
        .get("/v1/coaches/client-bo/settings", &client("client-bo"))
        .await;
    after.assert_problem(404, "not_found");
}

#[tokio::test]
async fn another_coach_cannot_put_a_coachs_settings() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let before = stored(&app).await;

    let r = app
        .put(PATH, &coach("coach-dan"), &changed_settings())
        .await;

    r.assert_problem(403, "forbidden");
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn an_admin_of_another_org_cannot_put_or_see_a_coachs_settings() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let before = stored(&app).await;

    let read = app.get(PATH, &other_org("admin-eve")).await;
    let write = app
        .put(PATH, &other_org("admin-eve"), &changed_settings())
        .await;

    read.assert_problem(404, "not_found");
    // Writing lands in the caller's own org at most; ours is untouched.
    assert!(write.status() < 500, "{write:#?}");
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn any_member_of_the_org_reads_a_coachs_settings() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    for tok in [
        coach("coach-ana"),
        coach("coach-dan"),
        client("client-bo"),
        admin("admin-cy"),
    ] {
        let r = app.get(PATH, &tok).await;

        r.assert_status(200);
        assert_eq!(r.body["timezone"], "Europe/Berlin");
    }
}

#[tokio::test]
async fn reading_a_coach_without_settings_is_404() {
    let app = spawn_app().await;

    let r = app
        .get("/v1/coaches/coach-nobody/settings", &client("client-bo"))
        .await;

    r.assert_problem(404, "not_found");
}

/// Sends a bad PUT over standard settings and checks the answer and that nothing changed.
async fn rejected(app: &TestApp, body: &Value, field: &str) {
    let before = stored(app).await;

    let r = app.put(PATH, &coach("coach-ana"), body).await;

    r.assert_invalid_field(field);
    assert_eq!(stored(app).await, before, "settings changed after {body}");
}

fn with(path: &[&str], value: Value) -> Value {
    let mut s = standard_settings();
    let mut cur = &mut s;
    for (i, key) in path.iter().enumerate() {
        if i + 1 == path.len() {
            cur[*key] = value.clone();
        } else if let (true, Ok(idx)) = (cur.is_array(), key.parse::<usize>()) {
            cur = &mut cur[idx];
        } else {
            cur = &mut cur[*key];
        }
    }
    s
}

#[tokio::test]
async fn an_unknown_timezone_is_rejected_naming_timezone() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    rejected(
        &app,
        &with(&["timezone"], json!("Mars/Olympus_Mons")),
        "timezone",
    )
    .await;
    rejected(&app, &with(&["timezone"], json!("")), "timezone").await;
}

/// The document lists canonical zone names only (client generators choke on `Etc/GMT+1` next
/// to `Etc/GMT-1`); the aliases the server accepted before are accepted still.
#[tokio::test]
async fn legacy_zone_names_the_document_does_not_list_are_still_accepted() {
    let app = spawn_app().await;
    let doc = app
        .request(Method::GET, "/openapi.json", None, None, &[])
        .await
        .body;
    let listed =
        &doc["components"]["schemas"]["CoachSettingsBody"]["properties"]["timezone"]["enum"];

    for name in ["Etc/GMT-1", "GMT0", "US/Eastern"] {
        assert!(
            !listed
                .as_array()
                .expect("a timezone enum")
                .contains(&json!(name)),
            "{name} listed"
        );
        let r = app
            .put(PATH, &coach("coach-ana"), &with(&["timezone"], json!(name)))
            .await;
        r.assert_status(200);
        assert_eq!(r.body["timezone"], name);
    }
}

#[tokio::test]
async fn an_unknown_weekday_is_rejected_naming_the_window() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let mut body = standard_settings();
    body["availability"][1]["weekday"] = json!("funday");

    rejected(&app, &body, "availability[1].weekday").await;
}

#[tokio::test]
async fn a_window_ending_before_it_starts_is_rejected_naming_its_end() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let mut body = standard_settings();
    body["availability"][0]["start"] = json!("17:00");
    body["availability"][0]["end"] = json!("09:00");

    rejected(&app, &body, "availability[0].end").await;
}

#[tokio::test]
async fn a_malformed_time_of_day_is_rejected_naming_it() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let mut body = standard_settings();
    body["availability"][2]["start"] = json!("9am");

    rejected(&app, &body, "availability[2].start").await;
}

#[tokio::test]
async fn a_price_with_a_fraction_is_rejected_naming_the_amount() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    rejected(
        &app,
        &with(&["prices", "30", "amount"], json!(50.5)),
        "prices.30.amount",
    )
    .await;
}

#[tokio::test]
async fn a_negative_price_is_rejected_naming_the_amount() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    rejected(
        &app,
        &with(&["prices", "45", "amount"], json!(-1)),
        "prices.45.amount",
    )
    .await;
}

#[tokio::test]
async fn a_price_for_20_minutes_is_rejected_naming_it() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    rejected(
        &app,
        &with(
            &["prices", "20"],
            json!({"amount": 3000, "currency": "EUR"}),
        ),
        "prices.20",
    )
    .await;
}

#[tokio::test]
async fn a_lower_case_currency_is_rejected_naming_it() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    rejected(
        &app,
        &with(&["prices", "60", "currency"], json!("eur")),
        "prices.60.currency",
    )
    .await;
}

#[tokio::test]
async fn a_negative_buffer_is_rejected_naming_it() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    rejected(&app, &with(&["bufferMinutes"], json!(-5)), "bufferMinutes").await;
}

#[tokio::test]
async fn out_of_range_policies_are_rejected_naming_each() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    rejected(
        &app,
        &with(&["noShowFeePercent"], json!(101)),
        "noShowFeePercent",
    )
    .await;
    rejected(
        &app,
        &with(&["lateCancellationFeePercent"], json!(-1)),
        "lateCancellationFeePercent",
    )
    .await;
    rejected(
        &app,
        &with(&["minNoticeMinutes"], json!(-60)),
        "minNoticeMinutes",
    )
    .await;
    rejected(
        &app,
        &with(&["cancellationWindowHours"], json!(100000)),
        "cancellationWindowHours",
    )
    .await;
    rejected(
        &app,
        &with(&["joinUrlTemplate"], json!("ftp://x/{sessionId}")),
        "joinUrlTemplate",
    )
    .await;
}

#[tokio::test]
async fn a_wrong_type_is_rejected_naming_the_field() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    rejected(
        &app,
        &with(&["bufferMinutes"], json!("ten")),
        "bufferMinutes",
    )
    .await;
    rejected(&app, &with(&["timezone"], json!(42)), "timezone").await;
    rejected(
        &app,
        &with(&["availability"], json!({"weekday": "mon"})),
        "availability",
    )
    .await;
    rejected(&app, &with(&["prices", "30"], json!(5000)), "prices.30").await;
}

#[tokio::test]
async fn a_missing_timezone_is_rejected_naming_it() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let mut body = standard_settings();
    body.as_object_mut().expect("object").remove("timezone");
    let before = stored(&app).await;

    let r = app.put(PATH, &coach("coach-ana"), &body).await;

    r.assert_problem(400, "validation_failed");
    let named = r.error_fields().iter().any(|f| f == "timezone")
        || r.body["errors"].to_string().contains("timezone");
    assert!(named, "timezone not named: {r:#?}");
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn an_unknown_field_is_rejected_naming_it() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    rejected(&app, &with(&["colour"], json!("blue")), "colour").await;
}

#[tokio::test]
async fn malformed_json_is_a_400_problem_and_changes_nothing() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let before = stored(&app).await;

    for raw in [
        "{",
        "{\"timezone\": }",
        "not json",
        "{\"timezone\": \"Europe/Berlin\"} trailing",
    ] {
        let r = app
            .send(
                Call::new(Method::PUT, PATH)
                    .token(&coach("coach-ana"))
                    .raw(raw),
            )
            .await;

        r.assert_problem(400, "validation_failed");
        assert!(!r.error_fields().is_empty(), "{raw}: {r:#?}");
    }
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn an_empty_body_is_a_400_problem() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let before = stored(&app).await;

    let r = app
        .send(
            Call::new(Method::PUT, PATH)
                .token(&coach("coach-ana"))
                .raw(""),
        )
        .await;

    r.assert_problem(400, "validation_failed");
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415_problem() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let before = stored(&app).await;

    let r = app
        .send(
            Call::new(Method::PUT, PATH)
                .token(&coach("coach-ana"))
                .raw("timezone=Europe/Berlin")
                .content_type("application/x-www-form-urlencoded"),
        )
        .await;

    assert_eq!(r.status(), 415, "{r:#?}");
    assert!(r.is_problem());
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_a_413_problem_and_changes_nothing() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let before = stored(&app).await;
    let mut big = changed_settings();
    big["joinUrlTemplate"] = json!(format!("https://meet.example.com/{}", "a".repeat(1 << 20)));

    let r = app.put(PATH, &coach("coach-ana"), &big).await;

    assert_eq!(r.status(), 413, "{:?}", r.body.to_string().get(..300));
    assert!(r.is_problem());
    assert_eq!(r.body["status"], 413);
    assert_eq!(stored(&app).await, before);
}
