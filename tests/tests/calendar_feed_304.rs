//! docs/api.md#calendar-feed: a calendar app polling an unchanged feed gets 304 without the
//! server rendering the feed (its ETag comes from what the feed lists: session ids and
//! versions). One test in this binary: it counts the process's renders, which no other test
//! may touch meanwhile.

use coaching_tests::*;
use http::Method;
use serde_json::json;

#[tokio::test]
async fn an_unchanged_feed_answers_304_without_rendering_and_an_edit_changes_its_etag() {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    let id = s["id"].as_str().unwrap().to_owned();
    let issued = app
        .post_empty("/v1/calendar-token", &client("client-bo"))
        .await;
    let url = issued.body["url"].as_str().unwrap().to_owned();
    let first = app.request(Method::GET, &url, None, None, &[]).await;
    first.assert_status(200);
    let etag = first.header("etag").expect("an ETag");

    let before = coaching_http::ics::renders();
    let again = app
        .request(Method::GET, &url, None, None, &[("if-none-match", &etag)])
        .await;

    again.assert_status(304);
    assert_eq!(
        coaching_http::ics::renders(),
        before,
        "a 304 rendered the feed"
    );
    assert_eq!(again.header("etag").as_deref(), Some(etag.as_str()));

    // Notes the client can read change the feed's DESCRIPTION: the ETag must move too.
    let session = app.session(&id, &coach("coach-ana")).await;
    app.request(
        Method::PATCH,
        &format!("/v1/sessions/{id}"),
        Some(&coach("coach-ana")),
        Some(&json!({"notes": "Bring the Q3 numbers"})),
        &[("if-match", &session.etag())],
    )
    .await
    .assert_status(200);
    let after_edit = app
        .request(Method::GET, &url, None, None, &[("if-none-match", &etag)])
        .await;
    after_edit.assert_status(200);
    assert_ne!(after_edit.header("etag"), Some(etag));
    assert!(
        after_edit
            .body
            .as_str()
            .unwrap()
            .contains("Bring the Q3 numbers")
    );
}
