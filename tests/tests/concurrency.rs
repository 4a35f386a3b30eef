//! docs/api.md#sessions: concurrent bookings of the same or overlapping time through the Router on a file-backed
//! SQLite store: exactly one wins, and no two accepted sessions overlap.

use coaching_tests::*;
use serde_json::Value;
use std::sync::Arc;

/// Sends every `(token, body)` booking at once, each on its own task; returns the responses.
async fn book_all(app: &TestApp, bookings: Vec<(String, Value)>) -> Vec<Resp> {
    let calls = bookings
        .into_iter()
        .map(|(tok, body)| {
            Call::new(http::Method::POST, "/v1/sessions")
                .token(&tok)
                .json(&body)
        })
        .collect();
    app.send_all(calls).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_clients_racing_for_one_slot_get_exactly_one_booking() {
    let app = spawn_app_on_file().await;
    app.coach_with_settings("coach-ana").await;
    let bookings = (0..50)
        .map(|i| {
            let who = format!("client-{i:02}");
            (client(&who), paid("coach-ana", &who, MON_0900, 60))
        })
        .collect();

    let responses = book_all(&app, bookings).await;

    let won: Vec<&Resp> = responses.iter().filter(|r| r.status() == 201).collect();
    let lost: Vec<&Resp> = responses.iter().filter(|r| r.status() != 201).collect();
    assert_eq!(won.len(), 1, "winners: {won:#?}");
    assert_eq!(lost.len(), 49);
    for r in &lost {
        r.assert_problem(409, "slot_unavailable");
    }
    let listed = app.all_sessions(&coach("coach-ana"), "role=coach").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], won[0].body["id"]);
    let winner = won[0].body["clientId"].as_str().expect("clientId");
    for i in 0..50 {
        let who = format!("client-{i:02}");
        let inbox = app.notifications(&client(&who)).await;
        assert_eq!(inbox.len(), usize::from(who == winner), "{who}: {inbox:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_admin_bookings_of_one_slot_for_different_clients_get_exactly_one() {
    let app = spawn_app_on_file().await;
    app.coach_with_settings("coach-ana").await;
    let bookings = (0..50)
        .map(|i| {
            (
                admin("admin-cy"),
                paid("coach-ana", &format!("client-{i:02}"), MON_0900, 30),
            )
        })
        .collect();

    let responses = book_all(&app, bookings).await;

    let won = responses.iter().filter(|r| r.status() == 201).count();
    assert_eq!(won, 1);
    for r in responses.iter().filter(|r| r.status() != 201) {
        r.assert_problem(409, "slot_unavailable");
    }
    assert_eq!(app.all_sessions(&admin("admin-cy"), "").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_overlapping_bookings_at_different_starts_never_overlap() {
    let app = spawn_app_on_file().await;
    app.coach_with_settings("coach-ana").await;
    // 60-minute sessions starting every 15 minutes from 09:00 Berlin: each overlaps its neighbours.
    let bookings = (0..20)
        .map(|i| {
            let who = format!("client-{i:02}");
            (
                client(&who),
                paid("coach-ana", &who, &plus(MON_0900, 15 * i), 60),
            )
        })
        .collect();

    let responses = book_all(&app, bookings).await;

    for r in responses.iter().filter(|r| r.status() != 201) {
        r.assert_problem(409, "slot_unavailable");
    }
    let listed = app
        .all_sessions(&coach("coach-ana"), "role=coach&status=scheduled")
        .await;
    let accepted = responses.iter().filter(|r| r.status() == 201).count();
    assert!(accepted >= 1);
    assert_eq!(listed.len(), accepted);
    let mut spans: Vec<(String, String)> = listed
        .iter()
        .map(|s| {
            (
                s["startsAt"].as_str().expect("startsAt").to_owned(),
                s["endsAt"].as_str().expect("endsAt").to_owned(),
            )
        })
        .collect();
    spans.sort();
    for pair in spans.windows(2) {
        assert!(t(&pair[0].1) <= t(&pair[1].0), "overlap: {pair:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_bookings_respect_the_buffer_under_contention() {
    let app = spawn_app_on_file().await;
    let mut settings = standard_settings();
    settings["bufferMinutes"] = serde_json::json!(15);
    app.put_settings("coach-ana", &settings).await;
    let bookings = (0..16)
        .map(|i| {
            let who = format!("client-{i:02}");
            (
                client(&who),
                paid("coach-ana", &who, &plus(MON_0900, 15 * i), 30),
            )
        })
        .collect();

    let responses = book_all(&app, bookings).await;

    for r in responses.iter().filter(|r| r.status() != 201) {
        r.assert_problem(409, "slot_unavailable");
    }
    let listed = app
        .all_sessions(&coach("coach-ana"), "role=coach&status=scheduled")
        .await;
    let mut spans: Vec<(String, String)> = listed
        .iter()
        .map(|s| {
            (
                s["startsAt"].as_str().unwrap_or("").to_owned(),
                s["endsAt"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    spans.sort();
    assert!(!spans.is_empty());
    for pair in spans.windows(2) {
        let gap = t(&pair[1].0) - t(&pair[0].1);
        assert!(
            gap >= chrono::Duration::minutes(15),
            "buffer broken: {pair:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_idempotency_key_sent_in_parallel_books_once() {
    let app = spawn_app_on_file().await;
    app.coach_with_settings("coach-ana").await;
    let tok = client("client-bo");
    let body = paid("coach-ana", "client-bo", MON_0900, 30);
    let gate = Arc::new(tokio::sync::Barrier::new(10));
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let router = app.router.clone();
        let (tok, body, gate) = (tok.clone(), body.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            gate.wait().await;
            send(
                router,
                Call::new(http::Method::POST, "/v1/sessions")
                    .token(&tok)
                    .json(&body)
                    .header("idempotency-key", "retry-storm"),
            )
            .await
        }));
    }

    let mut responses = Vec::new();
    for t in tasks {
        responses.push(t.await.expect("task"));
    }

    // Every retry hears the first answer: the same 201 and the same session.
    let created: Vec<&Resp> = responses.iter().filter(|r| r.status() == 201).collect();
    assert_eq!(created.len(), responses.len(), "{responses:#?}");
    let ids: std::collections::BTreeSet<String> = created.iter().map(|r| r.id()).collect();
    assert_eq!(ids.len(), 1, "different sessions for one key: {ids:?}");
    assert_eq!(app.all_sessions(&tok, "").await.len(), 1);
}
