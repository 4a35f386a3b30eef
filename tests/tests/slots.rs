//! docs/api.md#coaches-and-slots: free slots: the 15-minute grid inside wall-clock availability (DST-correct), minimum
//! notice, booked sessions and their buffer, range validation, and org isolation.

use coaching_tests::*;
use serde_json::json;

const MON: &str = "2026-12-07T00:00:00Z";
const TUE: &str = "2026-12-08T00:00:00Z";

/// Every 15 minutes from `first` to `last` inclusive, in wire form.
fn grid(first: &str, last: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = t(first);
    while cur <= t(last) {
        out.push(wire(cur));
        cur += chrono::Duration::minutes(15);
    }
    out
}

#[tokio::test]
async fn slots_lie_on_the_grid_inside_availability() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .get(
            &format!("/v1/coaches/coach-ana/slots?from={MON}&to={TUE}&durationMinutes=30"),
            &client("client-bo"),
        )
        .await;

    r.assert_status(200);
    let slots = r.body["slots"].as_array().expect("slots").clone();
    // 09:00..17:00 Berlin is 08:00..16:00Z in winter; the last 30-minute slot starts 15:30Z.
    let starts: Vec<&str> = slots
        .iter()
        .filter_map(|s| s["startsAt"].as_str())
        .collect();
    assert_eq!(starts, grid("2026-12-07T08:00:00Z", "2026-12-07T15:30:00Z"));
    for s in &slots {
        let start = t(s["startsAt"].as_str().expect("startsAt"));
        let end = t(s["endsAt"].as_str().expect("endsAt"));
        assert_eq!(end - start, chrono::Duration::minutes(30), "{s}");
    }
}

#[tokio::test]
async fn slot_length_follows_the_requested_duration() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let starts = app
        .slot_starts("coach-ana", &client("client-bo"), MON, TUE, 60)
        .await;

    assert_eq!(starts, grid("2026-12-07T08:00:00Z", "2026-12-07T15:00:00Z"));
}

#[tokio::test]
async fn there_are_no_slots_on_days_without_availability() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let starts = app
        .slot_starts(
            "coach-ana",
            &client("client-bo"),
            "2026-12-05T00:00:00Z",
            "2026-12-07T00:00:00Z",
            30,
        )
        .await;

    assert!(starts.is_empty(), "weekend slots: {starts:?}");
}

#[tokio::test]
async fn slots_start_no_earlier_than_the_minimum_notice() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.set_now("2026-12-07T09:05:00Z");

    let starts = app
        .slot_starts("coach-ana", &client("client-bo"), MON, TUE, 30)
        .await;

    // 60 minutes of notice from 09:05Z is 10:05Z; the next grid point is 10:15Z.
    assert_eq!(starts, grid("2026-12-07T10:15:00Z", "2026-12-07T15:30:00Z"));
}

#[tokio::test]
async fn a_longer_minimum_notice_pushes_the_first_slot_further() {
    let app = spawn_app().await;
    let mut settings = standard_settings();
    settings["minNoticeMinutes"] = json!(24 * 60);
    app.put_settings("coach-ana", &settings).await;
    app.set_now("2026-12-06T12:00:00Z");

    let starts = app
        .slot_starts("coach-ana", &client("client-bo"), MON, TUE, 30)
        .await;

    assert_eq!(starts, grid("2026-12-07T12:00:00Z", "2026-12-07T15:30:00Z"));
}

#[tokio::test]
async fn a_booked_session_and_its_buffer_are_not_offered() {
    let app = spawn_app().await;
    let mut settings = standard_settings();
    settings["bufferMinutes"] = json!(15);
    app.put_settings("coach-ana", &settings).await;
    app.book_paid("coach-ana", "client-bo", "2026-12-07T10:00:00Z", 60)
        .await;

    let starts = app
        .slot_starts("coach-ana", &client("client-cy"), MON, TUE, 30)
        .await;

    // The session holds 10:00-11:00Z and its buffer 11:00-11:15Z; a new 30-minute session
    // needs its own buffer before the next one, so 09:30Z is out and 09:15Z still fits.
    let mut expected = grid("2026-12-07T08:00:00Z", "2026-12-07T09:15:00Z");
    expected.extend(grid("2026-12-07T11:15:00Z", "2026-12-07T15:30:00Z"));
    assert_eq!(starts, expected);
}

#[tokio::test]
async fn a_booked_session_without_buffer_frees_the_time_right_after_it() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.book_paid("coach-ana", "client-bo", "2026-12-07T10:00:00Z", 30)
        .await;

    let starts = app
        .slot_starts("coach-ana", &client("client-cy"), MON, TUE, 30)
        .await;

    let mut expected = grid("2026-12-07T08:00:00Z", "2026-12-07T09:30:00Z");
    expected.extend(grid("2026-12-07T10:30:00Z", "2026-12-07T15:30:00Z"));
    assert_eq!(starts, expected);
}

#[tokio::test]
async fn slots_follow_berlin_wall_clock_across_the_spring_change() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.set_now("2026-03-01T00:00:00Z");

    // Friday 27 March (CET, UTC+1) to Monday 30 March (CEST, UTC+2).
    let fri = app
        .slot_starts(
            "coach-ana",
            &client("client-bo"),
            "2026-03-27T00:00:00Z",
            "2026-03-28T00:00:00Z",
            30,
        )
        .await;
    let mon = app
        .slot_starts(
            "coach-ana",
            &client("client-bo"),
            "2026-03-30T00:00:00Z",
            "2026-03-31T00:00:00Z",
            30,
        )
        .await;

    assert_eq!(fri, grid("2026-03-27T08:00:00Z", "2026-03-27T15:30:00Z"));
    assert_eq!(mon, grid("2026-03-30T07:00:00Z", "2026-03-30T14:30:00Z"));
}

#[tokio::test]
async fn slots_follow_berlin_wall_clock_across_the_autumn_change() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.set_now("2026-10-01T00:00:00Z");

    // Friday 23 October (CEST, UTC+2) to Monday 26 October (CET, UTC+1).
    let fri = app
        .slot_starts(
            "coach-ana",
            &client("client-bo"),
            "2026-10-23T00:00:00Z",
            "2026-10-24T00:00:00Z",
            30,
        )
        .await;
    let mon = app
        .slot_starts(
            "coach-ana",
            &client("client-bo"),
            "2026-10-26T00:00:00Z",
            "2026-10-27T00:00:00Z",
            30,
        )
        .await;

    assert_eq!(fri, grid("2026-10-23T07:00:00Z", "2026-10-23T14:30:00Z"));
    assert_eq!(mon, grid("2026-10-26T08:00:00Z", "2026-10-26T15:30:00Z"));
}

#[tokio::test]
async fn a_window_across_the_spring_gap_is_an_hour_shorter() {
    let app = spawn_app().await;
    let mut settings = standard_settings();
    settings["availability"] = json!([{"weekday": "sun", "start": "01:00", "end": "04:00"}]);
    app.put_settings("coach-ana", &settings).await;
    app.set_now("2026-03-01T00:00:00Z");

    let starts = app
        .slot_starts(
            "coach-ana",
            &client("client-bo"),
            "2026-03-28T12:00:00Z",
            "2026-03-29T12:00:00Z",
            30,
        )
        .await;

    // 01:00 CET is 00:00Z; 02:00-03:00 does not exist; 04:00 CEST is 02:00Z.
    assert_eq!(starts, grid("2026-03-29T00:00:00Z", "2026-03-29T01:30:00Z"));
}

#[tokio::test]
async fn a_window_across_the_autumn_repeat_is_an_hour_longer() {
    let app = spawn_app().await;
    let mut settings = standard_settings();
    settings["availability"] = json!([{"weekday": "sun", "start": "01:00", "end": "04:00"}]);
    app.put_settings("coach-ana", &settings).await;
    app.set_now("2026-10-01T00:00:00Z");

    let starts = app
        .slot_starts(
            "coach-ana",
            &client("client-bo"),
            "2026-10-24T12:00:00Z",
            "2026-10-25T12:00:00Z",
            30,
        )
        .await;

    // 01:00 CEST is 23:00Z the day before; 02:00-03:00 happens twice; 04:00 CET is 03:00Z.
    assert_eq!(starts, grid("2026-10-24T23:00:00Z", "2026-10-25T02:30:00Z"));
}

#[tokio::test]
async fn a_range_ending_before_it_starts_is_rejected() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .get(
            &format!("/v1/coaches/coach-ana/slots?from={TUE}&to={MON}&durationMinutes=30"),
            &client("client-bo"),
        )
        .await;

    r.assert_invalid_field("to");
}

#[tokio::test]
async fn a_range_of_more_than_62_days_is_rejected() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .get(
            "/v1/coaches/coach-ana/slots?from=2026-12-01T00:00:00Z&to=2027-02-02T00:00:00Z&durationMinutes=30",
            &client("client-bo"),
        )
        .await;

    r.assert_invalid_field("to");
}

#[tokio::test]
async fn a_range_of_exactly_62_days_is_allowed() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let starts = app
        .slot_starts(
            "coach-ana",
            &client("client-bo"),
            "2026-12-01T00:00:00Z",
            "2027-02-01T00:00:00Z",
            60,
        )
        .await;

    assert!(!starts.is_empty());
}

#[tokio::test]
async fn an_unsupported_duration_is_rejected() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    for d in ["20", "0", "-15", "abc", "99999999999"] {
        let r = app
            .get(
                &format!("/v1/coaches/coach-ana/slots?from={MON}&to={TUE}&durationMinutes={d}"),
                &client("client-bo"),
            )
            .await;

        r.assert_invalid_field("durationMinutes");
    }
}

#[tokio::test]
async fn a_malformed_instant_is_rejected_naming_it() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .get(
            "/v1/coaches/coach-ana/slots?from=yesterday&durationMinutes=30",
            &client("client-bo"),
        )
        .await;

    r.assert_invalid_field("from");
}

#[tokio::test]
async fn a_coach_without_settings_has_no_slots_but_a_404() {
    let app = spawn_app().await;

    let r = app
        .get(
            &format!("/v1/coaches/coach-nobody/slots?from={MON}&to={TUE}"),
            &client("client-bo"),
        )
        .await;

    r.assert_problem(404, "not_found");
}

#[tokio::test]
async fn another_org_cannot_see_a_coachs_slots() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .get(
            &format!("/v1/coaches/coach-ana/slots?from={MON}&to={TUE}&durationMinutes=30"),
            &other_org("client-eve"),
        )
        .await;

    r.assert_problem(404, "not_found");
}
