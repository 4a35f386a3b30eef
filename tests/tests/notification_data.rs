//! What each notification's `data` holds is what the OpenAPI document says for its `type`
//! (`coaching_http::dto::notifications`: every field of the type's schema, nothing more): a
//! scenario that makes every type of notification, then every inbox entry checked.

use coaching_http::dto::notifications::{NotificationTypeDto, check_data};
use coaching_tests::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn ok(r: Resp, status: u16) -> Value {
    r.assert_status(status);
    r.body
}

#[tokio::test]
async fn every_notification_carries_the_data_its_type_documents() {
    let app = spawn_app().await;
    let (ana, bo, admin_al) = (coach("coach-ana"), client("client-bo"), admin("admin-al"));
    app.coach_with_settings("coach-ana").await;
    let book = |day: u32, hour: u32| {
        paid(
            "coach-ana",
            "client-bo",
            &format!("2026-12-{day:02}T{hour:02}:00:00Z"),
            30,
        )
    };

    // session_booked, session_rescheduled, session_cancelled.
    let a = ok(app.post("/v1/sessions", &bo, &book(7, 8)).await, 201);
    let a = a["id"].as_str().unwrap().to_owned();
    let moved = json!({"startsAt": "2026-12-07T09:00:00Z", "reason": "train"});
    ok(
        app.post(&format!("/v1/sessions/{a}/reschedule"), &bo, &moved)
            .await,
        200,
    );
    ok(
        app.post(
            &format!("/v1/sessions/{a}/cancel"),
            &bo,
            &json!({"reason": "ill"}),
        )
        .await,
        200,
    );

    // reschedule_requested, then approved, rejected and expired.
    let mut requests = Vec::new();
    for (day, hour) in [(9, 8), (9, 10), (9, 12)] {
        let s = ok(app.post("/v1/sessions", &bo, &book(day, hour)).await, 201);
        requests.push(s["id"].as_str().unwrap().to_owned());
    }
    app.set_now("2026-12-07T20:00:00Z");
    let mut request_ids = Vec::new();
    for (i, id) in requests.iter().enumerate() {
        let to = json!({"startsAt": format!("2026-12-10T{:02}:00:00Z", 8 + 2 * i)});
        let r = ok(
            app.post(&format!("/v1/sessions/{id}/reschedule"), &bo, &to)
                .await,
            202,
        );
        request_ids.push(r["rescheduleRequest"]["id"].as_str().unwrap().to_owned());
    }
    let path = |id: &str, what: &str| format!("/v1/reschedule-requests/{id}/{what}");
    ok(
        app.post_empty(&path(&request_ids[0], "approve"), &ana)
            .await,
        200,
    );
    ok(
        app.post(
            &path(&request_ids[1], "reject"),
            &ana,
            &json!({"reason": "full"}),
        )
        .await,
        200,
    );
    app.set_now("2026-12-09T12:00:00Z");
    ok(
        app.post_empty("/v1/admin/jobs/reschedule-expiry/run", &admin_al)
            .await,
        200,
    );

    // reminder_24h and reminder_1h, a message, a review request, the next of a weekly series.
    let weekly = json!({"kind": "paid", "coachId": "coach-ana", "clientId": "client-bo",
        "startsAt": "2026-12-14T08:00:00Z", "durationMinutes": 30, "recurrence": {"every": "week"}});
    let w = ok(app.post("/v1/sessions", &ana, &weekly).await, 201);
    let w = w["id"].as_str().unwrap().to_owned();
    app.set_now("2026-12-13T08:30:00Z");
    ok(
        app.post_empty("/v1/admin/jobs/reminders/run", &admin_al)
            .await,
        200,
    );
    app.set_now("2026-12-14T07:30:00Z");
    ok(
        app.post_empty("/v1/admin/jobs/reminders/run", &admin_al)
            .await,
        200,
    );
    let text = json!({"text": "See you soon"});
    ok(
        app.post(&format!("/v1/sessions/{w}/messages"), &ana, &text)
            .await,
        201,
    );
    app.set_now("2026-12-14T08:40:00Z");
    ok(
        app.post_empty(&format!("/v1/sessions/{w}/complete"), &ana)
            .await,
        200,
    );
    ok(
        app.post_empty(&format!("/v1/sessions/{w}/review-request"), &ana)
            .await,
        202,
    );

    // session_scheduled and coaching_ready: a review of November, generated and scheduled.
    let scores = json!([score("empathy", "Empathy", Some(1.0), 4.0, Some("Abrupt"))]);
    app.deliver_evaluations(&[evaluation(
        "ev-1",
        "client-bo",
        "2026-11-20T10:00:00Z",
        scores,
    )])
    .await;
    let review = json!({"kind": "review", "coachId": "coach-ana", "clientId": "client-bo",
        "name": "November", "review": {"periodStart": "2026-11-01T00:00:00Z", "periodEnd": "2026-12-01T00:00:00Z"}});
    let r = ok(app.post("/v1/sessions", &ana, &review).await, 201);
    let r = r["id"].as_str().unwrap().to_owned();
    ok(
        app.post(&format!("/v1/sessions/{r}/generate"), &ana, &json!({}))
            .await,
        202,
    );
    app.run_worker().await;
    let at = json!({"startsAt": "2026-12-16T08:00:00Z"});
    ok(
        app.patch(&format!("/v1/sessions/{r}"), &ana, &at).await,
        200,
    );

    // webhook_endpoint_disabled: an endpoint whose receiver answers 410 Gone.
    let gone = gone_receiver().await;
    let endpoint = json!({"url": gone, "eventTypes": ["session.booked"]});
    ok(
        app.post("/v1/webhook-endpoints", &admin_al, &endpoint)
            .await,
        201,
    );
    let later = paid("coach-ana", "client-bo", "2027-01-04T08:00:00Z", 30);
    ok(app.post("/v1/sessions", &bo, &later).await, 201);
    ok(
        app.post_empty("/v1/admin/jobs/deliveries/run", &admin_al)
            .await,
        200,
    );

    let mut seen = BTreeSet::new();
    for token in [&ana, &bo, &admin_al] {
        for n in app.inbox(token).await {
            let kind = n["type"].as_str().unwrap();
            let t = NotificationTypeDto::parse(kind).unwrap_or_else(|| panic!("type {kind}"));
            check_data(t, &n["data"]).unwrap_or_else(|e| panic!("{e}: {n:#}"));
            seen.insert(kind.to_owned());
        }
    }
    let all: BTreeSet<String> = NotificationTypeDto::ALL
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    assert_eq!(seen, all, "the scenario makes every type");
}

/// A receiver on a free loopback port that answers every request `410 Gone`.
async fn gone_receiver() -> String {
    let app = axum::Router::new().fallback(|| async { http::StatusCode::GONE });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}
