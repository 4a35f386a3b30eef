//! docs/api.md#reminders: reminders 24 h and 1 h before, each exactly once, following moves, none after a
//! cancellation, none already past at booking, only the latest when the job runs late,
//! nothing once started; overlapping runs; and the events every notification publishes.

use coaching_tests::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// coach-ana (Berlin) and client-bo's 60-minute session on Monday 2026-12-07 09:00 Berlin,
/// booked a week ahead.
async fn world() -> (TestApp, String) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    (app, s["id"].as_str().expect("id").to_owned())
}

async fn run_reminders(app: &TestApp) -> Value {
    let r = app
        .post_empty("/v1/admin/jobs/reminders/run", &admin("admin-al"))
        .await;
    r.assert_status(200);
    r.body
}

/// The reminder notifications in `token`'s inbox, oldest first.
async fn reminders(app: &TestApp, token: &str) -> Vec<String> {
    let mut kinds: Vec<String> = app
        .notifications(token)
        .await
        .into_iter()
        .map(|(kind, _)| kind)
        .filter(|k| k.starts_with("reminder_"))
        .collect();
    kinds.reverse();
    kinds
}

async fn both(app: &TestApp) -> (Vec<String>, Vec<String>) {
    (
        reminders(app, &coach("coach-ana")).await,
        reminders(app, &client("client-bo")).await,
    )
}

fn kinds(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn each_participant_gets_each_reminder_exactly_once_at_its_time() {
    let (app, id) = world().await;

    app.set_now("2026-12-06T07:59:59Z");
    let early = run_reminders(&app).await;
    assert_eq!(early["actions"], json!([]));

    app.set_now("2026-12-06T08:00:00Z"); // exactly 86,400 s before
    let day = run_reminders(&app).await;
    assert_eq!(
        day["actions"],
        json!([{"action": "reminded", "sessionId": id, "reminder": "reminder_24h", "notifications": 2}])
    );
    assert_eq!(
        both(&app).await,
        (kinds(&["reminder_24h"]), kinds(&["reminder_24h"]))
    );
    run_reminders(&app).await;
    app.set_now("2026-12-07T06:59:59Z");
    run_reminders(&app).await;
    assert_eq!(
        both(&app).await,
        (kinds(&["reminder_24h"]), kinds(&["reminder_24h"]))
    );

    app.set_now("2026-12-07T07:00:00Z"); // exactly 3,600 s before
    run_reminders(&app).await;
    run_reminders(&app).await;
    app.set_now(MON_0900);
    run_reminders(&app).await;

    let expected = kinds(&["reminder_24h", "reminder_1h"]);
    assert_eq!(both(&app).await, (expected.clone(), expected));
    let told = app.get("/v1/notifications", &client("client-bo")).await;
    let latest = &told.body["items"][0];
    assert_eq!(latest["type"], "reminder_1h");
    assert_eq!(latest["sessionId"], id);
    assert_eq!(latest["createdAt"], "2026-12-07T07:00:00Z");
    assert_eq!(latest["data"]["startsAt"], MON_0900);
}

#[tokio::test]
async fn a_late_run_delivers_only_the_latest_due_reminder() {
    let (app, id) = world().await;
    app.set_now("2026-12-07T07:30:00Z"); // both due, the job did not run for a day

    let run = run_reminders(&app).await;

    assert_eq!(
        run["actions"],
        json!([
            {"action": "dropped", "sessionId": id, "reminder": "reminder_24h", "notifications": 0},
            {"action": "reminded", "sessionId": id, "reminder": "reminder_1h", "notifications": 2},
        ])
    );
    let expected = kinds(&["reminder_1h"]);
    assert_eq!(both(&app).await, (expected.clone(), expected));
}

#[tokio::test]
async fn nothing_is_delivered_once_the_session_started() {
    let (app, _) = world().await;
    app.set_now(&plus(MON_0900, 1));

    let run = run_reminders(&app).await;

    assert_eq!(run["notifications"], 0);
    assert_eq!(run["actions"].as_array().unwrap().len(), 2, "both dropped");
    assert_eq!(both(&app).await, (vec![], vec![]));
    app.set_now(&plus(MON_0900, 5));
    assert_eq!(run_reminders(&app).await["actions"], json!([]));
}

#[tokio::test]
async fn a_cancelled_session_gets_no_reminders() {
    let (app, id) = world().await;
    app.post_empty(&format!("/v1/sessions/{id}/cancel"), &client("client-bo"))
        .await
        .assert_status(200);

    for now in ["2026-12-06T08:00:00Z", "2026-12-07T07:00:00Z"] {
        app.set_now(now);
        assert_eq!(run_reminders(&app).await["actions"], json!([]));
    }
    assert_eq!(both(&app).await, (vec![], vec![]));
}

#[tokio::test]
async fn cancelling_after_the_first_reminder_stops_the_second() {
    let (app, id) = world().await;
    app.set_now("2026-12-06T08:00:00Z");
    run_reminders(&app).await;
    app.post_empty(&format!("/v1/sessions/{id}/cancel"), &coach("coach-ana"))
        .await
        .assert_status(200);

    app.set_now("2026-12-07T07:00:00Z");
    run_reminders(&app).await;

    let expected = kinds(&["reminder_24h"]);
    assert_eq!(both(&app).await, (expected.clone(), expected));
}

#[tokio::test]
async fn a_moved_sessions_reminders_follow_the_new_time() {
    let (app, id) = world().await;
    let tuesday = "2026-12-08T09:00:00Z";
    app.post(
        &format!("/v1/sessions/{id}/reschedule"),
        &coach("coach-ana"),
        &json!({"startsAt": tuesday}),
    )
    .await
    .assert_status(200);

    // The old times pass in silence.
    for now in ["2026-12-06T08:00:00Z", "2026-12-07T07:00:00Z"] {
        app.set_now(now);
        assert_eq!(run_reminders(&app).await["actions"], json!([]));
    }
    app.set_now("2026-12-07T09:00:00Z");
    let day = run_reminders(&app).await;
    assert_eq!(day["actions"][0]["reminder"], "reminder_24h");
    app.set_now("2026-12-08T08:00:00Z");
    run_reminders(&app).await;

    let expected = kinds(&["reminder_24h", "reminder_1h"]);
    assert_eq!(both(&app).await, (expected.clone(), expected));
}

#[tokio::test]
async fn a_reminder_already_past_at_booking_is_never_sent() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.set_now("2026-12-06T20:00:00Z"); // 12 h before: the 24 h mark has passed
    app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;

    run_reminders(&app).await;
    assert_eq!(both(&app).await, (vec![], vec![]));
    app.set_now("2026-12-07T07:00:00Z");
    run_reminders(&app).await;

    let expected = kinds(&["reminder_1h"]);
    assert_eq!(both(&app).await, (expected.clone(), expected));
}

#[tokio::test]
async fn a_move_after_the_24_hour_mark_skips_what_has_passed_at_the_new_time() {
    let (app, id) = world().await;
    app.set_now("2026-12-06T08:00:00Z");
    run_reminders(&app).await; // 24 h reminder for Monday 09:00
    // Moved to 10:00 the same day: its 24 h mark (Sunday 10:00) is still ahead, so it is due
    // again for the new time; its 1 h mark follows too.
    app.post(
        &format!("/v1/sessions/{id}/reschedule"),
        &coach("coach-ana"),
        &json!({"startsAt": plus(MON_0900, 60)}),
    )
    .await
    .assert_status(200);
    app.set_now("2026-12-06T09:00:00Z");
    run_reminders(&app).await;
    // Moved once more, now inside 24 h: only the 1 h reminder remains.
    app.post(
        &format!("/v1/sessions/{id}/reschedule"),
        &coach("coach-ana"),
        &json!({"startsAt": plus(MON_0900, 120)}),
    )
    .await
    .assert_status(200);
    app.set_now("2026-12-07T09:00:00Z");
    run_reminders(&app).await;

    let expected = kinds(&["reminder_24h", "reminder_24h", "reminder_1h"]);
    assert_eq!(both(&app).await, (expected.clone(), expected));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_job_runs_deliver_each_reminder_once() {
    let app = spawn_app_on_file().await;
    app.coach_with_settings("coach-ana").await;
    // Eight sessions on Thursday 2026-12-10, 09:00 to 16:00 in Berlin.
    for i in 0..8 {
        let start = format!("2026-12-10T{:02}:00:00Z", 8 + i);
        app.book_paid("coach-ana", &format!("client-{i}"), &start, 60)
            .await;
    }
    app.set_now("2026-12-09T15:00:00Z"); // every 24 h reminder is due, no 1 h one
    let admin_token = admin("admin-al");
    let run = || Call::new(http::Method::POST, "/v1/admin/jobs/reminders/run").token(&admin_token);

    let runs = app.send_all(vec![run(), run(), run(), run()]).await;

    let mut delivered = 0;
    for r in &runs {
        r.assert_status(200);
        delivered += r.body["notifications"].as_u64().unwrap();
    }
    let mut per_user: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..8 {
        let user = format!("client-{i}");
        per_user.insert(user.clone(), reminders(&app, &client(&user)).await.len());
    }
    assert!(per_user.values().all(|n| *n == 1), "{per_user:?}");
    let coach_reminders = reminders(&app, &coach("coach-ana")).await.len();
    assert_eq!(coach_reminders, 8);
    assert_eq!(
        delivered, 16,
        "the runs together wrote each notification once"
    );
}

#[tokio::test]
async fn every_notification_is_published_once_as_an_event() {
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
    app.set_now("2026-12-06T08:00:00Z");

    run_reminders(&app).await;
    let again = run_reminders(&app).await;

    assert_eq!(again["eventsPublished"], 0);
    let published = app.events.published();
    let mut kinds: Vec<&str> = published.iter().map(|e| e.kind.as_str()).collect();
    kinds.sort_unstable();
    // The notifications' events and one org event per fact (the booking, the request, the
    // reminder).
    assert_eq!(
        kinds,
        [
            "reminder_24h",
            "reminder_24h",
            "reschedule_request.created",
            "reschedule_requested",
            "session.booked",
            "session.reminder",
            "session_booked",
            "session_booked"
        ]
    );
    let mut ids: Vec<&str> = published.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), published.len(), "no event twice");
    // Each event is the inbox entry: same id, type and session.
    let inbox = app.get("/v1/notifications", &coach("coach-ana")).await;
    for n in inbox.body["items"].as_array().unwrap() {
        let e = published
            .iter()
            .find(|e| e.id == n["id"].as_str().unwrap())
            .expect("published");
        assert_eq!(e.kind, n["type"].as_str().unwrap());
        assert_eq!(e.org, ORG);
        assert_eq!(e.payload["sessionId"], n["sessionId"]);
    }
}

#[tokio::test]
async fn events_the_publisher_refuses_stay_in_the_outbox_for_the_next_run() {
    let (app, _) = world().await;
    app.events.refuse(true);

    let refused = run_reminders(&app).await;
    assert_eq!(refused["eventsPublished"], 0);
    assert_eq!(refused["eventsFailed"], 3);
    assert!(app.events.published().is_empty());

    app.events.refuse(false);
    // The claim of the failed run holds for a minute.
    app.set_now(&plus(START, 1));
    let published = run_reminders(&app).await;

    assert_eq!(published["eventsPublished"], 3);
    assert_eq!(
        app.events.kinds(),
        ["session_booked", "session_booked", "session.booked"]
    );
}

#[tokio::test]
async fn only_admins_run_jobs_and_see_only_their_orgs_part() {
    let (app, _) = world().await;
    app.set_now("2026-12-06T08:00:00Z");

    for token in [coach("coach-ana"), client("client-bo")] {
        app.post_empty("/v1/admin/jobs/reminders/run", &token)
            .await
            .assert_problem(403, "forbidden");
    }
    app.post_empty("/v1/admin/jobs/cleanup/run", &admin("admin-al"))
        .await
        .assert_problem(404, "not_found");
    app.post_empty("/v1/admin/jobs/reminders/run", "nope")
        .await
        .assert_problem(401, "unauthenticated");
    // Another org's admin runs the job: it does its work, but the answer shows none of ours.
    let theirs = app
        .post_empty("/v1/admin/jobs/reminders/run", &other_org("admin-x"))
        .await;
    theirs.assert_status(200);
    assert_eq!(theirs.body["actions"], json!([]));
    assert_eq!(theirs.body["notifications"], 0);
    // Its relay published our org's six events (the booking's and the reminder's two
    // notification events and one org event each), and does not say so to them.
    assert_eq!(app.events.published().len(), 6);
    assert_eq!(theirs.body["eventsPublished"], 0);
    let expected = kinds(&["reminder_24h"]);
    assert_eq!(both(&app).await, (expected.clone(), expected));
}

#[tokio::test]
async fn editing_a_session_right_after_its_reminder_does_not_send_it_again() {
    let (app, id) = world().await;
    app.set_now("2026-12-06T08:00:00Z"); // exactly 24 h before: the reminder is due
    let day = run_reminders(&app).await;
    assert_eq!(day["actions"][0]["action"], "reminded");

    // An edit at that same instant, which changes neither the time nor the status.
    let session = app.session(&id, &coach("coach-ana")).await;
    app.patch(
        &format!("/v1/sessions/{id}"),
        &coach("coach-ana"),
        &json!({"notes": "Bring the draft.", "agenda": [{"text": "Pitch"}]}),
    )
    .await
    .assert_status(200);
    assert_ne!(
        app.session(&id, &coach("coach-ana")).await.etag(),
        session.etag()
    );
    let again = run_reminders(&app).await;

    assert_eq!(again["actions"], json!([]));
    let expected = kinds(&["reminder_24h"]);
    assert_eq!(both(&app).await, (expected.clone(), expected));
    // The 1 h reminder is still there.
    app.set_now("2026-12-07T07:00:00Z");
    assert_eq!(
        run_reminders(&app).await["actions"][0]["reminder"],
        "reminder_1h"
    );
}

#[tokio::test]
async fn every_kind_of_notification_reaches_the_inbox_and_the_publisher_alike() {
    let (app, first) = world().await; // Monday 08:00Z, booked at START
    let (ana, bo) = (coach("coach-ana"), client("client-bo"));
    let second = app
        .book_paid("coach-ana", "client-bo", "2026-12-09T08:00:00Z", 60)
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let third = app
        .book_paid("coach-ana", "client-bo", "2026-12-10T08:00:00Z", 60)
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ask = |id: &str, starts_at: &str| {
        let (app, bo, path) = (&app, &bo, format!("/v1/sessions/{id}/reschedule"));
        let body = json!({"startsAt": starts_at});
        async move {
            let r = app.post(&path, bo, &body).await;
            r.assert_status(202);
            r.body["rescheduleRequest"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let decide = |request: String, verdict: &'static str| {
        let (app, ana) = (&app, &ana);
        async move {
            let path = format!("/v1/reschedule-requests/{request}/{verdict}");
            app.post_empty(&path, ana).await.assert_status(200);
        }
    };

    // session_rescheduled: the coach moves the first session to Monday 10:00Z.
    app.post(
        &format!("/v1/sessions/{first}/reschedule"),
        &ana,
        &json!({"startsAt": "2026-12-07T10:00:00Z"}),
    )
    .await
    .assert_status(200);
    // session_cancelled: the client cancels the third.
    app.post_empty(&format!("/v1/sessions/{third}/cancel"), &bo)
        .await
        .assert_status(200);
    // reschedule_requested, then _rejected and _approved, 36 h before the first.
    app.set_now("2026-12-05T22:00:00Z");
    decide(ask(&first, "2026-12-07T12:00:00Z").await, "reject").await;
    decide(ask(&first, "2026-12-07T13:00:00Z").await, "approve").await;
    // reminder_24h, reminder_1h (the first now starts at 13:00Z).
    for now in ["2026-12-06T13:00:00Z", "2026-12-07T12:00:00Z"] {
        app.set_now(now);
        run_reminders(&app).await;
    }
    // reschedule_expired: a request on the second that nobody decides.
    app.set_now("2026-12-07T20:00:00Z");
    ask(&second, "2026-12-09T10:00:00Z").await;
    app.set_now("2026-12-09T08:00:00Z");
    app.post_empty("/v1/admin/jobs/reschedule-expiry/run", &admin("admin-al"))
        .await
        .assert_status(200);

    let mut inbox: Vec<(String, String)> = Vec::new();
    for token in [&ana, &bo] {
        let r = app.get("/v1/notifications?limit=100", token).await;
        for n in r.body["items"].as_array().unwrap() {
            inbox.push((
                n["id"].as_str().unwrap().to_owned(),
                n["type"].as_str().unwrap().to_owned(),
            ));
        }
    }
    // Org events (`evt_…`, a dotted type) are published beside the notifications.
    type Entries = Vec<(String, String)>;
    let (org_events, mut published): (Entries, Entries) = app
        .events
        .published()
        .into_iter()
        .map(|e| (e.id, e.kind))
        .partition(|(id, _)| id.starts_with("evt_"));
    inbox.sort();
    published.sort();
    assert_eq!(
        published, inbox,
        "each notification published once, none else"
    );
    assert!(org_events.iter().all(|(_, kind)| kind.contains('.')));
    let mut ids: Vec<&String> = org_events.iter().map(|(id, _)| id).collect();
    ids.dedup();
    assert_eq!(ids.len(), org_events.len(), "each org event once");
    let mut kinds: Vec<&str> = inbox.iter().map(|(_, k)| k.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "reminder_1h",
            "reminder_24h",
            "reschedule_approved",
            "reschedule_expired",
            "reschedule_rejected",
            "reschedule_requested",
            "session_booked",
            "session_cancelled",
            "session_rescheduled"
        ]
    );
}
