//! Deliveries: what a receiver gets (signed, the event's data), the schedule of retries under the
//! test clock, what disables an endpoint, replay, rotation, and the log.

use super::receiver::Answer;
use super::*;
use std::time::Duration;

async fn book(app: &TestApp) -> Value {
    app.book_paid("coach-ana", "client-bo", MON_0900, 60).await
}

fn advance(app: &TestApp, seconds: i64) {
    let now = app.services.now();
    app.clock.set(now + chrono::Duration::seconds(seconds));
}

#[tokio::test]
async fn a_booking_reaches_the_receiver_signed_with_the_session_as_an_admin_sees_it() {
    let (app, receiver, endpoint, secret) = world(&["session.booked"]).await;
    let session = book(&app).await;
    let run = run_deliveries(&app).await;
    assert_eq!(run["attempted"], 1);
    assert_eq!(run["succeeded"], 1);

    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let hit = &got[0];
    assert!(hit.verifies_with(&secret), "signature: {:?}", hit.headers);
    assert_eq!(hit.header("content-type"), "application/json");
    let event = hit.json();
    assert_eq!(event["type"], "session.booked");
    assert_eq!(hit.header("webhook-id"), event["id"].as_str().unwrap());
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    let data = &event["data"];
    assert_eq!(data["sessionId"], session["id"]);
    assert_eq!(data["session"]["id"], session["id"]);
    assert_eq!(data["session"]["version"], session["version"]);
    assert_eq!(data["session"]["startsAt"], session["startsAt"]);
    assert!(data["session"].get("privateNotes").is_none());
    assert!(data["session"].get("privateNotesLength").is_none());
    // The timestamp header is the real time of the attempt, not the frozen test clock.
    let stamp: i64 = hit.header("webhook-timestamp").parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - stamp).abs() < 60);

    let log = deliveries(&app, &endpoint).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "succeeded");
    assert_eq!(log[0]["eventId"], event["id"]);
    assert_eq!(log[0]["eventType"], "session.booked");
    assert_eq!(log[0]["attempts"][0]["statusCode"], 200);
    assert_eq!(log[0]["attempts"][0]["responseBody"], "ok");
    assert_eq!(log[0]["nextAttemptAt"], Value::Null);

    // Nothing more is due.
    assert_eq!(run_deliveries(&app).await["attempted"], 0);
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn an_endpoint_gets_only_the_types_it_subscribes_to_and_every_fact_once() {
    let (app, receiver, _, _) = world(&["session.cancelled"]).await;
    let everything = super::receiver::Receiver::start().await;
    register(&app, &everything.url, &["*"]).await;
    let session = book(&app).await;
    let id = session["id"].as_str().unwrap();
    app.post(
        &format!("/v1/sessions/{id}/cancel"),
        &client("client-bo"),
        &json!({"reason": "sick"}),
    )
    .await
    .assert_status(200);
    run_deliveries(&app).await;
    let cancelled: Vec<Value> = receiver.received().iter().map(|r| r.json()).collect();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0]["type"], "session.cancelled");
    assert_eq!(cancelled[0]["data"]["by"], "client");
    assert_eq!(cancelled[0]["data"]["reason"], "sick");
    assert_eq!(cancelled[0]["data"]["session"]["status"], "cancelled");
    let types: Vec<String> = everything
        .received()
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types.iter().filter(|t| *t == "session.booked").count(), 1);
    assert_eq!(
        types.iter().filter(|t| *t == "session.cancelled").count(),
        1
    );
}

#[tokio::test]
async fn a_reschedule_names_the_old_and_the_new_start() {
    let (app, receiver, _, _) = world(&["session.rescheduled"]).await;
    let session = book(&app).await;
    let id = session["id"].as_str().unwrap();
    let to = plus(MON_0900, 120);
    app.post(
        &format!("/v1/sessions/{id}/reschedule"),
        &coach("coach-ana"),
        &json!({"startsAt": to, "reason": "clash"}),
    )
    .await
    .assert_status(200);
    run_deliveries(&app).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let data = got[0].json()["data"].clone();
    assert_eq!(data["previousStartsAt"], MON_0900);
    assert_eq!(data["startsAt"], to.as_str());
    assert_eq!(data["by"], "coach");
    assert_eq!(data["reason"], "clash");
    assert_eq!(data["session"]["startsAt"], to.as_str());
    assert_eq!(data["session"]["version"], 2);
}

#[tokio::test]
async fn a_failed_attempt_is_retried_on_the_schedule_with_the_same_webhook_id() {
    let (app, receiver, endpoint, _) = world(&["session.booked"]).await;
    receiver.then([Answer::status(500).body("boom"), Answer::status(503)]);
    book(&app).await;
    let first = run_deliveries(&app).await;
    assert_eq!(first["failed"], 1);
    let log = deliveries(&app, &endpoint).await;
    assert_eq!(log[0]["status"], "pending");
    assert_eq!(log[0]["attempts"][0]["statusCode"], 500);
    assert_eq!(log[0]["attempts"][0]["responseBody"], "boom");
    assert!(
        log[0]["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .starts_with("http_status")
    );
    let now = app.services.now();
    assert_eq!(
        log[0]["nextAttemptAt"],
        json!(now + chrono::Duration::seconds(5))
    );

    // Not before its time.
    assert_eq!(run_deliveries(&app).await["attempted"], 0);
    advance(&app, 5);
    assert_eq!(run_deliveries(&app).await["failed"], 1);
    // The second wait is five minutes.
    advance(&app, 299);
    assert_eq!(run_deliveries(&app).await["attempted"], 0);
    advance(&app, 1);
    assert_eq!(run_deliveries(&app).await["succeeded"], 1);

    let got = receiver.received();
    assert_eq!(got.len(), 3);
    let ids: Vec<&str> = got.iter().map(|r| r.header("webhook-id")).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let log = deliveries(&app, &endpoint).await;
    assert_eq!(log[0]["status"], "succeeded");
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn after_the_last_retry_a_delivery_is_failed_and_a_replay_sends_it_once_more() {
    let (app, receiver, endpoint, _) = world(&["session.booked"]).await;
    receiver.then((0..10).map(|_| Answer::status(500)));
    book(&app).await;
    run_deliveries(&app).await;
    for wait in [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400] {
        advance(&app, wait);
        assert_eq!(run_deliveries(&app).await["failed"], 1, "after {wait} s");
    }
    let log = deliveries(&app, &endpoint).await;
    assert_eq!(log[0]["status"], "failed");
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 10);
    advance(&app, 7 * 86400);
    assert_eq!(
        run_deliveries(&app).await["attempted"],
        0,
        "never again by itself"
    );

    let id = log[0]["id"].as_str().unwrap();
    let retried = app
        .post_empty(&format!("/v1/webhook-deliveries/{id}/retry"), &admin(ADMIN))
        .await;
    retried.assert_status(202);
    assert_eq!(retried.body["status"], "pending");
    assert_eq!(run_deliveries(&app).await["succeeded"], 1);
    assert_eq!(receiver.received().len(), 11);
    assert_eq!(deliveries(&app, &endpoint).await[0]["status"], "succeeded");
    app.post_empty(
        &format!("/v1/webhook-deliveries/{id}/retry"),
        &other_org("admin-9"),
    )
    .await
    .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_retry_after_later_than_the_schedule_is_honoured() {
    let (app, receiver, endpoint, _) = world(&["session.booked"]).await;
    receiver.then([Answer::status(429).header("retry-after", "120")]);
    book(&app).await;
    run_deliveries(&app).await;
    let now = app.services.now();
    let log = deliveries(&app, &endpoint).await;
    assert_eq!(
        log[0]["nextAttemptAt"],
        json!(now + chrono::Duration::seconds(120))
    );
}

#[tokio::test]
async fn gone_disables_the_endpoint_at_once_and_tells_the_admin() {
    let (app, receiver, endpoint, _) = world(&["*"]).await;
    receiver.then([Answer::status(410)]);
    book(&app).await;
    run_deliveries(&app).await;
    let e = app
        .get(&format!("/v1/webhook-endpoints/{endpoint}"), &admin(ADMIN))
        .await;
    assert_eq!(e.body["status"], "disabled");
    assert_eq!(e.body["disabledReason"], "gone");
    assert_eq!(deliveries(&app, &endpoint).await[0]["status"], "failed");
    let inbox = app.get("/v1/notifications", &admin(ADMIN)).await;
    let disabled: Vec<&Value> = inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == "webhook_endpoint_disabled")
        .collect();
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0]["data"]["endpointId"], endpoint.as_str());
    assert_eq!(disabled[0]["data"]["disabledReason"], "gone");
    // A disabled endpoint gets nothing more.
    app.book_paid("coach-ana", "client-cy", &plus(MON_0900, 120), 60)
        .await;
    run_deliveries(&app).await;
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn five_days_of_failures_disable_the_endpoint_and_the_other_endpoints_hear_of_it() {
    let (app, receiver, endpoint, _) = world(&["session.booked"]).await;
    let watcher = super::receiver::Receiver::start().await;
    register(&app, &watcher.url, &["webhook_endpoint.disabled"]).await;
    receiver.then((0..50).map(|_| Answer::status(500)));
    book(&app).await;
    run_deliveries(&app).await;
    advance(&app, 5 * 86400);
    app.book_paid("coach-ana", "client-cy", &plus(MON_0900, 120), 60)
        .await;
    run_deliveries(&app).await;
    let e = app
        .get(&format!("/v1/webhook-endpoints/{endpoint}"), &admin(ADMIN))
        .await;
    assert_eq!(e.body["status"], "disabled");
    assert_eq!(e.body["disabledReason"], "failing");
    run_deliveries(&app).await;
    let heard: Vec<Value> = watcher.received().iter().map(|r| r.json()).collect();
    assert_eq!(heard.len(), 1);
    assert_eq!(heard[0]["type"], "webhook_endpoint.disabled");
    assert_eq!(heard[0]["data"]["endpointId"], endpoint.as_str());
    assert_eq!(heard[0]["data"]["disabledReason"], "failing");
}

#[tokio::test]
async fn a_redirect_is_a_failure_and_is_not_followed() {
    let (app, receiver, endpoint, _) = world(&["session.booked"]).await;
    let elsewhere = super::receiver::Receiver::start().await;
    receiver.then([Answer::status(302).header("location", elsewhere.url.clone())]);
    book(&app).await;
    run_deliveries(&app).await;
    let log = deliveries(&app, &endpoint).await;
    assert_eq!(log[0]["status"], "pending");
    assert_eq!(log[0]["attempts"][0]["statusCode"], 302);
    assert!(
        log[0]["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .starts_with("redirect")
    );
    assert!(elsewhere.received().is_empty());
}

#[tokio::test]
async fn a_receiver_slower_than_the_attempt_timeout_fails_the_attempt() {
    let (app, receiver, endpoint, _) = world(&["session.booked"]).await;
    receiver.then([Answer::status(200).delay(Duration::from_secs(4))]);
    book(&app).await;
    run_deliveries(&app).await;
    let log = deliveries(&app, &endpoint).await;
    assert_eq!(log[0]["status"], "pending");
    let error = log[0]["attempts"][0]["error"].as_str().unwrap();
    assert!(error.starts_with("timeout"), "{error}");
}

#[tokio::test]
async fn after_a_rotation_deliveries_carry_both_signatures_for_a_day() {
    let (app, receiver, endpoint, old) = world(&["session.booked"]).await;
    let rotated = app
        .post_empty(
            &format!("/v1/webhook-endpoints/{endpoint}/rotate-secret"),
            &admin(ADMIN),
        )
        .await;
    rotated.assert_status(200);
    assert_eq!(rotated.header("cache-control").as_deref(), Some("no-store"));
    let new = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    book(&app).await;
    run_deliveries(&app).await;
    let first = &receiver.received()[0];
    assert_eq!(first.header("webhook-signature").split(' ').count(), 2);
    assert!(first.verifies_with(&new) && first.verifies_with(&old));

    advance(&app, 24 * 3600);
    app.book_paid("coach-ana", "client-cy", &plus(MON_0900, 120), 60)
        .await;
    run_deliveries(&app).await;
    let second = &receiver.received()[1];
    assert_eq!(second.header("webhook-signature").split(' ').count(), 1);
    assert!(second.verifies_with(&new));
    assert!(!second.verifies_with(&old));
}

#[tokio::test]
async fn a_test_sends_a_ping_whatever_the_endpoint_subscribes_to() {
    let (app, receiver, endpoint, secret) = world(&["session.cancelled"]).await;
    let r = app
        .post_empty(
            &format!("/v1/webhook-endpoints/{endpoint}/test"),
            &admin(ADMIN),
        )
        .await;
    r.assert_status(202);
    assert_eq!(r.body["eventType"], "ping");
    run_deliveries(&app).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["type"], "ping");
    assert!(got[0].verifies_with(&secret));
}

#[tokio::test]
async fn of_two_workers_racing_for_one_delivery_one_attempts_it() {
    let (app, receiver, _, _) = world(&["session.booked"]).await;
    receiver.then([Answer::status(200).delay(Duration::from_millis(300))]);
    book(&app).await;
    let now = app.services.now();
    let (a, b) = tokio::join!(
        app.services.run_due_deliveries(now),
        app.services.run_due_deliveries(now)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.attempted + b.attempted, 1, "{a:?} {b:?}");
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn org_events_are_published_to_the_event_bus_with_their_type() {
    let (app, _, _, _) = world(&["session.booked"]).await;
    let session = book(&app).await;
    app.post_empty("/v1/admin/jobs/reminders/run", &admin(ADMIN))
        .await
        .assert_status(200);
    let published = app.events.published();
    let booked: Vec<_> = published
        .iter()
        .filter(|e| e.kind == "session.booked")
        .collect();
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0].payload["data"]["sessionId"], session["id"]);
}

#[tokio::test]
async fn action_items_added_and_ticked_are_one_event_each_per_change() {
    let (app, receiver, _, _) = world(&["action_item.created", "action_item.completed"]).await;
    let session = book(&app).await;
    let id = session["id"].as_str().unwrap();
    let notes = json!({"notes": "Plan:\n[] Draft the outline\n[] Book the room @2026-12-20"});
    app.patch(&format!("/v1/sessions/{id}"), &coach("coach-ana"), &notes)
        .await
        .assert_status(200);
    let items = app
        .get(&format!("/v1/sessions/{id}"), &coach("coach-ana"))
        .await
        .body["actionItems"]
        .clone();
    let first = items[0]["id"].as_str().unwrap().to_owned();
    app.patch(
        &format!("/v1/action-items/{first}"),
        &client("client-bo"),
        &json!({"done": true}),
    )
    .await
    .assert_status(200);
    run_deliveries(&app).await;
    let mut got: Vec<Value> = receiver.received().iter().map(|r| r.json()).collect();
    // Attempted at once: in whatever order they arrive.
    got.sort_by_key(|e| e["type"].as_str().unwrap().to_owned());
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(got[1]["type"], "action_item.created");
    let titles: Vec<&str> = got[1]["data"]["actionItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Draft the outline", "Book the room"]);
    assert_eq!(got[0]["type"], "action_item.completed");
    assert_eq!(got[0]["data"]["actionItems"][0]["id"], first.as_str());
    assert_eq!(got[0]["data"]["session"]["actionItems"][0]["done"], true);
}
