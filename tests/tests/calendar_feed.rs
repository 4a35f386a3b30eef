//! docs/api.md#calendar-feed: a per-user token from `POST /v1/calendar-token`, the feed read without a
//! bearer and parsed by an independent parser (the `icalendar` crate's), stable UIDs, SEQUENCE
//! and DTSTART following a move, STATUS:CANCELLED, TEXT escaping, ETag polling, and tokens
//! replaced or unknown.

use coaching_tests::*;
use http::Method;
use icalendar::{
    CalendarComponent, CalendarDateTime, Component, DatePerhapsTime, Event, EventStatus,
};
use serde_json::json;

/// Issues a token as `token` and returns `(token, url)`.
async fn issue(app: &TestApp, bearer: &str) -> (String, String) {
    let r = app
        .request(Method::POST, "/v1/calendar-token", Some(bearer), None, &[])
        .await;
    r.assert_status(201);
    assert_eq!(
        r.headers
            .get(http::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let token = r.body["token"].as_str().expect("token").to_owned();
    let url = r.body["url"].as_str().expect("url").to_owned();
    (token, url)
}

/// GETs `url` with no bearer, with extra headers.
async fn fetch(app: &TestApp, url: &str, headers: &[(&str, &str)]) -> Resp {
    app.request(Method::GET, url, None, None, headers).await
}

fn header(r: &Resp, name: http::HeaderName) -> &str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The body of a 200 feed, as text.
fn text(r: &Resp) -> String {
    r.assert_status(200);
    r.body.as_str().expect("a text body").to_owned()
}

fn events(body: &str) -> Vec<Event> {
    let cal: icalendar::Calendar = body.parse().expect("a parsable iCalendar");
    cal.components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn event_of(body: &str, session_id: &str) -> Event {
    let uid = format!("{session_id}@coaching");
    events(body)
        .into_iter()
        .find(|e| e.get_uid() == Some(uid.as_str()))
        .unwrap_or_else(|| panic!("no event {uid} in {body}"))
}

fn utc(s: &str) -> Option<DatePerhapsTime> {
    Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(t(s))))
}

fn id(session: &serde_json::Value) -> String {
    session["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn any_user_gets_a_token_whose_feed_needs_no_bearer_and_lists_their_sessions() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let mine = id(&app.book_paid("coach-ana", "client-bo", MON_0900, 45).await);
    let theirs = id(&app
        .book_paid("coach-ana", "client-cy", &plus(MON_0900, 60), 30)
        .await);

    let (token, url) = issue(&app, &client("client-bo")).await;
    let r = fetch(&app, &url, &[]).await;

    assert_eq!(url, format!("/v1/calendar/{token}.ics"));
    assert_eq!(token.len(), 43, "32 bytes in base64url: {token}");
    assert_eq!(
        header(&r, http::header::CONTENT_TYPE),
        "text/calendar; charset=utf-8"
    );
    assert_eq!(
        header(&r, http::header::CACHE_CONTROL),
        "private, max-age=300"
    );
    let body = text(&r);
    assert!(body.contains("\r\n"), "CRLF line ends");
    let all = events(&body);
    assert_eq!(all.len(), 1, "only the client's own session: {body}");
    let e = event_of(&body, &mine);
    assert_eq!(e.get_start(), utc(MON_0900));
    assert_eq!(e.get_end(), utc(&plus(MON_0900, 45)));
    assert_eq!(e.get_sequence(), Some(0));
    assert_eq!(e.get_status(), Some(EventStatus::Confirmed));
    assert!(!body.contains(&theirs));

    // The coach's feed has both, as coach.
    let (_, coach_url) = issue(&app, &coach("coach-ana")).await;
    let coach_body = text(&fetch(&app, &coach_url, &[]).await);
    assert_eq!(events(&coach_body).len(), 2);
    event_of(&coach_body, &theirs);
}

#[tokio::test]
async fn the_feed_url_is_absolute_on_the_host_the_token_was_asked_from() {
    let app = spawn_app().await;
    let issued = |headers: &'static [(&'static str, &'static str)]| {
        let app = &app;
        async move {
            let r = app
                .request(
                    Method::POST,
                    "/v1/calendar-token",
                    Some(&client("client-bo")),
                    None,
                    headers,
                )
                .await;
            r.assert_status(201);
            (
                r.body["token"].as_str().unwrap().to_owned(),
                r.body["url"].as_str().unwrap().to_owned(),
            )
        }
    };

    let (token, url) = issued(&[("host", "127.0.0.1:3000")]).await;
    assert_eq!(
        url,
        format!("http://127.0.0.1:3000/v1/calendar/{token}.ics")
    );
    // Behind API Gateway or another proxy that terminates TLS.
    let (token, url) = issued(&[
        ("host", "coaching.example.com"),
        ("x-forwarded-proto", "https"),
    ])
    .await;
    assert_eq!(
        url,
        format!("https://coaching.example.com/v1/calendar/{token}.ics")
    );
    // The URL serves the feed (its path, as the app is called without a network here).
    let path = url.strip_prefix("https://coaching.example.com").unwrap();
    text(&fetch(&app, path, &[]).await);
}

#[tokio::test]
async fn a_move_keeps_the_uid_moves_dtstart_and_bumps_sequence_and_a_cancel_shows_cancelled() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let moved = id(&app.book_paid("coach-ana", "client-bo", MON_0900, 30).await);
    let cancelled = id(&app
        .book_paid("coach-ana", "client-bo", &plus(MON_0900, 120), 30)
        .await);
    let (_, url) = issue(&app, &client("client-bo")).await;
    let before = text(&fetch(&app, &url, &[]).await);
    let sequence_before = event_of(&before, &moved).get_sequence().expect("SEQUENCE");

    let new_start = plus(MON_0900, 24 * 60 + 60);
    app.post(
        &format!("/v1/sessions/{moved}/reschedule"),
        &coach("coach-ana"),
        &json!({"startsAt": new_start}),
    )
    .await
    .assert_status(200);
    app.post_empty(
        &format!("/v1/sessions/{cancelled}/cancel"),
        &client("client-bo"),
    )
    .await
    .assert_status(200);
    let after = text(&fetch(&app, &url, &[]).await);

    let e = event_of(&after, &moved);
    assert_eq!(e.get_start(), utc(&new_start));
    assert_eq!(e.get_end(), utc(&plus(&new_start, 30)));
    assert!(
        e.get_sequence().expect("SEQUENCE") > sequence_before,
        "{before}\n{after}"
    );
    assert_eq!(e.get_status(), Some(EventStatus::Confirmed));
    let c = event_of(&after, &cancelled);
    assert_eq!(c.get_status(), Some(EventStatus::Cancelled));
    assert_eq!(c.get_start(), utc(&plus(MON_0900, 120)));
}

#[tokio::test]
async fn a_name_with_commas_semicolons_and_a_newline_reads_back_exactly() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let name = "Q3 review, part 1; budget\nand goals, \"next\" steps";
    let mut body = paid("coach-ana", "client-bo", MON_0900, 60);
    body["name"] = json!(name);
    let s = id(&app.book_ok(&client("client-bo"), &body).await);
    let (_, url) = issue(&app, &client("client-bo")).await;

    let feed = text(&fetch(&app, &url, &[]).await);

    assert_eq!(event_of(&feed, &s).get_summary(), Some(name));
    assert!(
        feed.contains("SUMMARY:Q3 review\\, part 1\\; budget\\nand goals\\, \"next\" steps\r\n"),
        "{feed}"
    );
    for line in feed.split("\r\n") {
        assert!(line.len() <= 75, "a line over 75 octets: {line:?}");
        assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
    }
}

#[tokio::test]
async fn an_unchanged_feed_answers_304_to_its_etag_and_a_change_gives_a_new_one() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = id(&app.book_paid("coach-ana", "client-bo", MON_0900, 30).await);
    let (_, url) = issue(&app, &client("client-bo")).await;
    let first = fetch(&app, &url, &[]).await;
    let etag = first.etag();

    let again = fetch(&app, &url, &[]).await;
    let unchanged = fetch(&app, &url, &[("if-none-match", &etag)]).await;
    let listed = fetch(&app, &url, &[("if-none-match", &format!("\"x\", {etag}"))]).await;

    assert_eq!(again.etag(), etag, "same sessions, same ETag");
    assert_eq!(again.body, first.body, "byte-identical bodies");
    unchanged.assert_status(304);
    assert_eq!(unchanged.body, serde_json::Value::Null, "no body");
    assert_eq!(unchanged.etag(), etag);
    assert_eq!(
        header(&unchanged, http::header::CACHE_CONTROL),
        "private, max-age=300"
    );
    listed.assert_status(304);

    app.post_empty(&format!("/v1/sessions/{s}/cancel"), &client("client-bo"))
        .await
        .assert_status(200);
    let changed = fetch(&app, &url, &[("if-none-match", &etag)]).await;

    changed.assert_status(200);
    assert_ne!(changed.etag(), etag);
}

#[tokio::test]
async fn a_new_token_replaces_the_old_one() {
    let app = spawn_app().await;
    let (old_token, old_url) = issue(&app, &coach("coach-ana")).await;
    fetch(&app, &old_url, &[]).await.assert_status(200);

    let (new_token, new_url) = issue(&app, &coach("coach-ana")).await;

    assert_ne!(new_token, old_token);
    fetch(&app, &old_url, &[])
        .await
        .assert_problem(404, "not_found");
    fetch(&app, &new_url, &[]).await.assert_status(200);
}

#[tokio::test]
async fn an_unknown_or_malformed_token_is_a_404_problem() {
    let app = spawn_app().await;
    let (token, _) = issue(&app, &coach("coach-ana")).await;
    // Well-formed (32 zero bytes) but never issued.
    let unknown = "A".repeat(43);

    for path in [
        format!("/v1/calendar/{unknown}.ics"),
        format!("/v1/calendar/{token}"),
        format!("/v1/calendar/{token}.ical"),
        format!("/v1/calendar/{token}x.ics"),
        "/v1/calendar/.ics".to_owned(),
        "/v1/calendar/short.ics".to_owned(),
        "/v1/calendar/%00%ff.ics".to_owned(),
    ] {
        let r = fetch(&app, &path, &[]).await;
        assert_eq!(r.status(), 404, "{path}: {r:#?}");
        r.assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn issuing_a_token_needs_a_bearer_and_the_feed_ignores_one() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.book_paid("coach-ana", "client-bo", MON_0900, 30).await;

    app.request(Method::POST, "/v1/calendar-token", None, None, &[])
        .await
        .assert_problem(401, "unauthenticated");
    let (_, url) = issue(&app, &client("client-bo")).await;
    // Someone else's bearer changes nothing: the token alone says whose feed it is.
    let with_bearer = app.get(&url, &coach("coach-zed")).await;

    assert_eq!(events(&text(&with_bearer)).len(), 1);
}

#[tokio::test]
async fn a_user_of_another_org_with_the_same_id_has_a_feed_of_their_own() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    app.book_paid("coach-ana", "client-bo", MON_0900, 30).await;
    let (_, mine) = issue(&app, &client("client-bo")).await;

    let (_, elsewhere) = issue(&app, &other_org("client-bo")).await;

    assert_eq!(events(&text(&fetch(&app, &mine, &[]).await)).len(), 1);
    assert!(events(&text(&fetch(&app, &elsewhere, &[]).await)).is_empty());
    fetch(&app, &mine, &[]).await.assert_status(200);
}
