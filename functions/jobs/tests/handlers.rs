//! Real EventBridge scheduled-event JSON (tests/fixtures/) fed to the job handlers: each job runs
//! at the event's `time`, not at the clock's now.

use coaching_domain::service::Job;
use coaching_jobs::{JobEvent, handle};
use coaching_tests::*;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn event(payload: Value) -> LambdaEvent<JobEvent> {
    LambdaEvent::new(job_event(payload).unwrap(), Context::default())
}

fn job_event(payload: Value) -> Result<JobEvent, serde_json::Error> {
    serde_json::from_value(payload)
}

fn scheduled_at(time: Value) -> Value {
    json!({"time": time, "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}})
}

/// A session on Monday 2026-12-07 09:00 Berlin booked a week ahead; the app's clock stays there.
async fn world() -> (TestApp, String) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    (app, s["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn the_reminder_function_runs_at_the_scheduled_events_time() {
    let (app, id) = world().await;

    let out = handle(
        &app.services,
        Job::Reminders,
        event(fixture("eventbridge_scheduled_reminders.json")),
    )
    .await
    .unwrap();

    assert_eq!(out["job"], "reminders");
    assert_eq!(out["now"], "2026-12-06T08:00:00Z");
    assert_eq!(out["reminded"], 1);
    assert_eq!(out["notifications"], 2);
    let inbox = app.get("/v1/notifications", &client("client-bo")).await;
    assert_eq!(inbox.body["items"][0]["type"], "reminder_24h");
    assert_eq!(inbox.body["items"][0]["sessionId"], id);
    assert_eq!(inbox.body["items"][0]["createdAt"], "2026-12-06T08:00:00Z");
    // The booking's two notification events and its org event, the two reminders and theirs
    // went to the publisher.
    assert_eq!(out["eventsPublished"], 6);
    // The same event delivered twice (EventBridge is at-least-once): nothing twice.
    let again = handle(
        &app.services,
        Job::Reminders,
        event(fixture("eventbridge_scheduled_reminders.json")),
    )
    .await
    .unwrap();
    assert_eq!(again["notifications"], 0);
    assert_eq!(again["eventsPublished"], 0);
}

#[tokio::test]
async fn the_expiry_function_runs_at_the_scheduled_events_time() {
    let (app, id) = world().await;
    app.set_now("2026-12-05T20:00:00Z");
    let r = app
        .post(
            &format!("/v1/sessions/{id}/reschedule"),
            &client("client-bo"),
            &json!({"startsAt": "2026-12-08T09:00:00Z"}),
        )
        .await;
    r.assert_status(202);

    let out = handle(
        &app.services,
        Job::RescheduleExpiry,
        event(fixture("eventbridge_scheduled_expiry.json")),
    )
    .await
    .unwrap();

    assert_eq!(out["job"], "reschedule-expiry");
    assert_eq!(out["now"], "2026-12-07T08:00:00Z");
    assert_eq!(out["expired"], 1);
    assert_eq!(out["notifications"], 2);
    let request = r.body["rescheduleRequest"]["id"].as_str().unwrap();
    let stored = app
        .get(
            &format!("/v1/reschedule-requests/{request}"),
            &coach("coach-ana"),
        )
        .await;
    assert_eq!(stored.body["status"], "expired");
}

#[test]
fn an_event_without_a_time_runs_now_and_a_malformed_time_is_refused() {
    let clock = coaching_runtime::TestClock::new();
    clock.set(t("2026-12-01T10:00:00Z"));
    assert_eq!(
        job_event(json!({})).unwrap().time(&clock),
        t("2026-12-01T10:00:00Z")
    );
    assert_eq!(
        job_event(scheduled_at(json!("2026-12-06T08:00:00Z")))
            .unwrap()
            .time(&clock),
        t("2026-12-06T08:00:00Z")
    );
    assert!(job_event(scheduled_at(json!("yesterday"))).is_err());
    assert!(job_event(scheduled_at(json!(17))).is_err());
    let refused = job_event(json!({"time": "2026-12-06T08:00:00Z"})).unwrap_err();
    assert!(refused.to_string().contains("scheduled event"), "{refused}");
}

#[tokio::test]
async fn a_late_invocations_outbox_claims_hold_for_a_minute_of_real_time() {
    let (app, _) = world().await;
    // The 08:00 event arrives ten minutes late (a retried invocation); its relay fails.
    app.set_now("2026-12-06T08:10:00Z");
    app.events.refuse(true);
    let late = handle(
        &app.services,
        Job::Reminders,
        event(fixture("eventbridge_scheduled_reminders.json")),
    )
    .await
    .unwrap();
    assert_eq!(late["now"], "2026-12-06T08:00:00Z");
    // Two notification events and one org event each for the booking and the reminder.
    assert_eq!(late["eventsFailed"], 6);
    app.events.refuse(false);

    // The 08:10 run, meanwhile: the late run's claims still hold (they run from the clock,
    // not from the late event's time), so it does not take the events that run may publish.
    let on_time = scheduled_at(json!("2026-12-06T08:10:00Z"));
    let during = handle(&app.services, Job::Reminders, event(on_time.clone()))
        .await
        .unwrap();
    assert_eq!(during["eventsPublished"], 0);

    // A minute later the claims have lapsed: the events go out, once.
    app.set_now("2026-12-06T08:11:00Z");
    let after = scheduled_at(json!("2026-12-06T08:11:00Z"));
    let later = handle(&app.services, Job::Reminders, event(after))
        .await
        .unwrap();
    assert_eq!(later["eventsPublished"], 6);
    assert_eq!(app.events.published().len(), 6);
}
