//! docs/api.md#identity-and-access and docs/api.md#sessions: who sees which session: org isolation, participants only, admins everything,
//! `privateNotes` hidden from the client, and the session list with its filters and cursor.

use coaching_tests::*;
use http::Method;
use serde_json::{Value, json};

/// coach-ana with client-bo at Monday 09:00 Berlin, with notes and private notes.
async fn world() -> (TestApp, String) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.coach_with_settings("coach-dan").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    let id = s["id"].as_str().expect("id").to_owned();
    app.patch(
        &format!("/v1/sessions/{id}"),
        &coach("coach-ana"),
        &json!({"notes": "Shared notes", "privateNotes": "Coach only"}),
    )
    .await
    .assert_status(200);
    (app, id)
}

/// The session as its coach sees it, minus nothing.
async fn as_coach(app: &TestApp, id: &str) -> Value {
    let r = app.session(id, &coach("coach-ana")).await;
    r.assert_status(200);
    r.body
}

/// Tries every session endpoint as `tok` and expects 404 each time, with nothing changed.
async fn all_404(app: &TestApp, id: &str, tok: &str) {
    let before = as_coach(app, id).await;
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/v1/sessions/{id}"), None),
        (
            Method::PATCH,
            format!("/v1/sessions/{id}"),
            Some(json!({"notes": "mine now"})),
        ),
        (
            Method::POST,
            format!("/v1/sessions/{id}/cancel"),
            Some(json!({"reason": "x"})),
        ),
        (Method::POST, format!("/v1/sessions/{id}/join"), None),
        (Method::POST, format!("/v1/sessions/{id}/complete"), None),
        (Method::POST, format!("/v1/sessions/{id}/no-show"), None),
    ];
    app.set_now(&plus(MON_0900, 20));
    for (method, path, body) in calls {
        let r = app
            .request(method.clone(), &path, Some(tok), body.as_ref(), &[])
            .await;

        assert_eq!(r.status(), 404, "{method} {path}: {r:#?}");
        assert_eq!(r.code(), "not_found", "{method} {path}: {r:#?}");
        assert!(r.is_problem());
    }
    app.set_now(START);
    assert_eq!(as_coach(app, id).await, before);
}

#[tokio::test]
async fn another_org_gets_404_for_everything_about_a_session() {
    let (app, id) = world().await;

    all_404(&app, &id, &other_org("coach-ana")).await;
    all_404(&app, &id, &other_org("admin-eve")).await;
}

#[tokio::test]
async fn another_org_lists_none_of_our_sessions() {
    let (app, _) = world().await;

    let ids = app.session_ids(&other_org("admin-eve"), "").await;

    assert!(ids.is_empty(), "{ids:?}");
}

#[tokio::test]
async fn a_client_who_is_not_the_participant_gets_404() {
    let (app, id) = world().await;

    all_404(&app, &id, &client("client-cy")).await;
}

#[tokio::test]
async fn a_coach_who_is_not_the_participant_gets_404() {
    let (app, id) = world().await;

    all_404(&app, &id, &coach("coach-dan")).await;
}

#[tokio::test]
async fn an_unknown_session_id_is_404() {
    let (app, _) = world().await;

    let r = app
        .session("01JZZZZZZZZZZZZZZZZZZZZZZZ", &admin("admin-cy"))
        .await;

    r.assert_problem(404, "not_found");
}

#[tokio::test]
async fn an_admin_sees_every_session_of_the_org_with_private_notes() {
    let (app, id) = world().await;
    let other = app.book_paid("coach-dan", "client-cy", MON_0900, 30).await;

    let one = app.session(&id, &admin("admin-cy")).await;
    let all = app.session_ids(&admin("admin-cy"), "").await;

    one.assert_status(200);
    assert_eq!(one.body["privateNotes"], "Coach only");
    assert_eq!(all.len(), 2);
    assert!(all.contains(&id));
    assert!(all.contains(&other["id"].as_str().expect("id").to_owned()));
}

#[tokio::test]
async fn the_coach_sees_private_notes() {
    let (app, id) = world().await;

    let s = as_coach(&app, &id).await;

    assert_eq!(s["notes"], "Shared notes");
    assert_eq!(s["privateNotes"], "Coach only");
}

#[tokio::test]
async fn the_client_never_gets_private_notes_anywhere() {
    let (app, id) = world().await;
    let bo = client("client-bo");

    let one = app.session(&id, &bo).await;
    let listed = app.all_sessions(&bo, "").await;
    let cancelled = app
        .post(&format!("/v1/sessions/{id}/cancel"), &bo, &json!({}))
        .await;

    one.assert_status(200);
    assert_eq!(one.body["notes"], "Shared notes");
    assert!(one.body.get("privateNotes").is_none(), "{}", one.body);
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("privateNotes").is_none(), "{}", listed[0]);
    cancelled.assert_status(200);
    assert!(
        cancelled.body.get("privateNotes").is_none(),
        "{}",
        cancelled.body
    );
    assert!(!one.body.to_string().contains("Coach only"));
    assert!(!cancelled.body.to_string().contains("Coach only"));
}

#[tokio::test]
async fn a_user_who_books_as_a_client_does_not_get_private_notes_in_the_booking_response() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;

    let r = app
        .post(
            "/v1/sessions",
            &client("client-bo"),
            &paid("coach-ana", "client-bo", MON_0900, 30),
        )
        .await;

    r.assert_status(201);
    assert!(r.body.get("privateNotes").is_none(), "{}", r.body);
}

/// Books `n` sessions for coach-ana, alternating clients, an hour apart from Monday 09:00 Berlin,
/// in an order other than their start times.
async fn booked(app: &TestApp, n: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for i in (0..n).rev() {
        let start = plus(MON_0900, 60 * i as i64);
        let who = if i % 2 == 0 { "client-bo" } else { "client-cy" };
        let s = app.book_paid("coach-ana", who, &start, 30).await;
        out.push((s["id"].as_str().expect("id").to_owned(), start));
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

#[tokio::test]
async fn the_list_holds_only_the_callers_sessions_ordered_by_start() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.coach_with_settings("coach-dan").await;
    let ana = booked(&app, 4).await;
    app.book_paid("coach-dan", "client-bo", "2026-12-08T08:00:00Z", 30)
        .await;

    let ana_list = app.all_sessions(&coach("coach-ana"), "role=coach").await;
    let bo_list = app.all_sessions(&client("client-bo"), "role=client").await;

    let ana_ids: Vec<&str> = ana_list.iter().filter_map(|s| s["id"].as_str()).collect();
    let expected: Vec<&str> = ana.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ana_ids, expected);
    assert!(
        bo_list.iter().all(|s| s["clientId"] == "client-bo"),
        "{bo_list:?}"
    );
    assert_eq!(bo_list.len(), 3);
    let starts: Vec<&str> = bo_list
        .iter()
        .filter_map(|s| s["startsAt"].as_str())
        .collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
}

#[tokio::test]
async fn a_client_listing_as_coach_sees_nothing() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    booked(&app, 2).await;

    let r = app
        .get("/v1/sessions?role=coach", &client("client-bo"))
        .await;

    r.assert_status(200);
    assert_eq!(r.body["items"], json!([]));
}

#[tokio::test]
async fn the_list_filters_by_status() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let sessions = booked(&app, 3).await;
    let cancelled = &sessions[1].0;
    app.post(
        &format!("/v1/sessions/{cancelled}/cancel"),
        &coach("coach-ana"),
        &json!({}),
    )
    .await
    .assert_status(200);

    let only_cancelled = app
        .session_ids(&coach("coach-ana"), "role=coach&status=cancelled")
        .await;
    let only_scheduled = app
        .session_ids(&coach("coach-ana"), "role=coach&status=scheduled")
        .await;

    assert_eq!(only_cancelled, vec![cancelled.clone()]);
    assert_eq!(
        only_scheduled,
        vec![sessions[0].0.clone(), sessions[2].0.clone()]
    );
}

#[tokio::test]
async fn the_list_filters_by_time_range() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let sessions = booked(&app, 4).await;

    let ids = app
        .session_ids(
            &coach("coach-ana"),
            &format!("role=coach&from={}&to={}", sessions[1].1, sessions[3].1),
        )
        .await;

    assert_eq!(ids, vec![sessions[1].0.clone(), sessions[2].0.clone()]);
}

#[tokio::test]
async fn paging_with_limit_2_over_5_sessions_visits_each_exactly_once_in_order() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let sessions = booked(&app, 5).await;

    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/v1/sessions?role=coach&limit=2".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = app.get(&path, &coach("coach-ana")).await;
        r.assert_status(200);
        let page: Vec<String> = r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|s| s["id"].as_str().map(str::to_owned))
            .collect();
        assert!(page.len() <= 2, "{page:?}");
        pages.push(page);
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(pages.len() < 10, "the cursor never ends");
    }

    let visited: Vec<String> = pages.concat();
    let expected: Vec<String> = sessions.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(visited, expected);
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>()[..3],
        [2, 2, 1]
    );
}

#[tokio::test]
async fn the_list_rejects_a_bad_cursor_status_limit_or_role() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    booked(&app, 2).await;

    for (query, field) in [
        ("cursor=garbage!", "cursor"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("status=bogus", "status"),
        ("status=scheduled,bogus", "status"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("role=owner", "role"),
        ("from=2026-12-08T00:00:00Z&to=2026-12-07T00:00:00Z", "to"),
        ("from=tomorrow", "from"),
    ] {
        let r = app
            .get(&format!("/v1/sessions?{query}"), &coach("coach-ana"))
            .await;

        assert_eq!(r.status(), 400, "{query}: {r:#?}");
        r.assert_invalid_field(field);
    }
}

#[tokio::test]
async fn the_list_rejects_unknown_query_parameters() {
    let app = spawn_app().await;

    let r = app
        .get("/v1/sessions?colour=blue", &coach("coach-ana"))
        .await;

    r.assert_problem(400, "validation_failed");
}

#[tokio::test]
async fn paging_over_sessions_that_start_at_the_same_time_visits_each_once() {
    let app = spawn_app().await;
    let coaches = ["coach-a1", "coach-a2", "coach-a3", "coach-a4", "coach-a5"];
    let mut expected = Vec::new();
    for c in coaches {
        app.coach_with_settings(c).await;
        let s = app.book_paid(c, "client-bo", MON_0900, 30).await;
        expected.push(s["id"].as_str().expect("id").to_owned());
    }
    expected.sort();

    let mut visited = app.session_ids(&admin("admin-cy"), "limit=2").await;
    let by_client = app
        .session_ids(&client("client-bo"), "role=client&limit=1")
        .await;

    assert_eq!(visited.len(), 5, "{visited:?}");
    visited.sort();
    assert_eq!(visited, expected);
    let mut by_client_sorted = by_client.clone();
    by_client_sorted.sort();
    assert_eq!(by_client_sorted, expected);
}

#[tokio::test]
async fn paging_over_drafts_and_scheduled_sessions_visits_each_once_drafts_last() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let scheduled = booked(&app, 2).await;
    let mut drafts = Vec::new();
    for who in ["client-bo", "client-cy", "client-di"] {
        let body = json!({
            "kind": "review", "coachId": "coach-ana", "clientId": who, "name": "Review",
            "review": {"periodStart": "2026-11-01T00:00:00Z", "periodEnd": "2026-12-01T00:00:00Z"},
        });
        drafts.push(
            app.book_ok(&coach("coach-ana"), &body).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }

    let ids = app
        .session_ids(&coach("coach-ana"), "role=coach&limit=2")
        .await;

    assert_eq!(ids.len(), 5, "{ids:?}");
    assert_eq!(ids[..2], [scheduled[0].0.clone(), scheduled[1].0.clone()]);
    let mut tail = ids[2..].to_vec();
    tail.sort();
    drafts.sort();
    assert_eq!(tail, drafts);
}

#[tokio::test]
async fn a_coach_who_is_also_a_client_lists_each_role_apart() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.coach_with_settings("coach-dan").await;
    let ana = token(
        "coach-ana",
        ORG,
        &[coaching_domain::Role::Coach, coaching_domain::Role::Client],
    );
    let coaching = app.book_paid("coach-ana", "client-bo", MON_0900, 30).await;
    let coached = app
        .book_ok(
            &ana,
            &paid("coach-dan", "coach-ana", "2026-12-07T12:00:00Z", 30),
        )
        .await;

    let as_coach = app.session_ids(&ana, "role=coach").await;
    let as_client = app.session_ids(&ana, "role=client").await;
    let both = app.session_ids(&ana, "").await;

    assert_eq!(
        as_coach,
        vec![coaching["id"].as_str().expect("id").to_owned()]
    );
    assert_eq!(
        as_client,
        vec![coached["id"].as_str().expect("id").to_owned()]
    );
    assert_eq!(both, vec![as_coach[0].clone(), as_client[0].clone()]);
    let seen = app.session(&as_client[0], &ana).await;
    assert!(seen.body.get("privateNotes").is_none(), "{}", seen.body);
}

#[tokio::test]
async fn a_user_of_another_org_with_the_same_id_gets_none_of_our_notifications() {
    let (app, _) = world().await;
    assert!(!app.notifications(&client("client-bo")).await.is_empty());

    let theirs = app
        .notifications(&token(
            "client-bo",
            OTHER_ORG,
            &[coaching_domain::Role::Client],
        ))
        .await;

    assert!(theirs.is_empty(), "{theirs:?}");
}

#[tokio::test]
async fn the_notification_inbox_pages_newest_first_without_repeats() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let sessions = booked(&app, 5).await;
    let all = app.notifications(&coach("coach-ana")).await;
    assert_eq!(all.len(), 5);

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let mut path = "/v1/notifications?limit=2".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = app.get(&path, &coach("coach-ana")).await;
        r.assert_status(200);
        for n in r.body["items"].as_array().expect("items") {
            seen.push(n["id"].as_str().expect("id").to_owned());
        }
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }

    assert_eq!(seen.len(), 5, "{seen:?}");
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), 5);
    // Booked in reverse start order, so the newest notification is about the earliest session.
    assert_eq!(all[0].1, sessions[0].0);
    assert_eq!(app.notifications(&client("client-bo")).await.len(), 3);
}
