//! The endpoints API: who may use it, what it refuses, the limit, the secret shown once.

use super::*;

#[tokio::test]
async fn an_admin_makes_reads_changes_and_deletes_an_endpoint_and_sees_the_secret_once() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/v1/webhook-endpoints",
            &admin(ADMIN),
            &json!({"url": "https://crm.example.com/hooks", "eventTypes": ["session.booked"]}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("we_"), "{id}");
    assert!(r.body["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(r.body["status"], "enabled");
    assert_eq!(r.body["eventTypes"], json!(["session.booked"]));

    let listed = app.get("/v1/webhook-endpoints", &admin(ADMIN)).await;
    listed.assert_status(200);
    assert_eq!(listed.body["items"][0]["id"], id.as_str());
    assert!(
        listed.body["items"][0].get("secret").is_none(),
        "never listed"
    );
    let one = app
        .get(&format!("/v1/webhook-endpoints/{id}"), &admin(ADMIN))
        .await;
    one.assert_status(200);
    assert!(one.body.get("secret").is_none());

    let patched = app
        .patch(
            &format!("/v1/webhook-endpoints/{id}"),
            &admin(ADMIN),
            &json!({"eventTypes": ["*"], "description": "everything", "status": "disabled"}),
        )
        .await;
    patched.assert_status(200);
    assert_eq!(patched.body["eventTypes"], json!(["*"]));
    assert_eq!(patched.body["description"], "everything");
    assert_eq!(patched.body["status"], "disabled");
    assert_eq!(patched.body["disabledReason"], "manual");
    let enabled = app
        .patch(
            &format!("/v1/webhook-endpoints/{id}"),
            &admin(ADMIN),
            &json!({"status": "enabled", "description": null}),
        )
        .await;
    enabled.assert_status(200);
    assert_eq!(enabled.body["status"], "enabled");
    assert_eq!(enabled.body["disabledReason"], Value::Null);
    assert_eq!(enabled.body["description"], Value::Null);

    let deleted = app
        .request(
            http::Method::DELETE,
            &format!("/v1/webhook-endpoints/{id}"),
            Some(&admin(ADMIN)),
            None,
            &[],
        )
        .await;
    deleted.assert_status(204);
    app.get(&format!("/v1/webhook-endpoints/{id}"), &admin(ADMIN))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn only_admins_of_the_org_reach_its_endpoints() {
    let app = spawn_app().await;
    let (id, _) = register(&app, "https://crm.example.com/hooks", &["*"]).await;
    for token in [coach("coach-ana"), client("client-bo")] {
        app.get("/v1/webhook-endpoints", &token)
            .await
            .assert_problem(403, "forbidden");
        app.post(
            "/v1/webhook-endpoints",
            &token,
            &json!({"url": "https://x.example.com/", "eventTypes": ["*"]}),
        )
        .await
        .assert_problem(403, "forbidden");
    }
    let stranger = other_org("admin-9");
    for path in [
        format!("/v1/webhook-endpoints/{id}"),
        format!("/v1/webhook-endpoints/{id}/deliveries"),
    ] {
        app.get(&path, &stranger)
            .await
            .assert_problem(404, "not_found");
    }
    app.post_empty(&format!("/v1/webhook-endpoints/{id}/test"), &stranger)
        .await
        .assert_problem(404, "not_found");
    app.post_empty(
        &format!("/v1/webhook-endpoints/{id}/rotate-secret"),
        &stranger,
    )
    .await
    .assert_problem(404, "not_found");
    let theirs = app.get("/v1/webhook-endpoints", &stranger).await;
    assert_eq!(theirs.body["items"], json!([]));
}

#[tokio::test]
async fn bad_urls_and_unknown_event_types_are_400_naming_them() {
    let app = spawn_app().await;
    let post = |body: Value| {
        let app = &app;
        async move {
            app.post("/v1/webhook-endpoints", &admin(ADMIN), &body)
                .await
        }
    };
    let unknown = post(json!({"url": "https://x.example.com/", "eventTypes": ["session.booked", "session.exploded"]})).await;
    unknown.assert_invalid_field("eventTypes");
    assert!(unknown.body.to_string().contains("session.exploded"));
    post(json!({"url": "https://x.example.com/", "eventTypes": []}))
        .await
        .assert_invalid_field("eventTypes");
    for url in [
        "ftp://x.example.com/",
        "https://user:pw@x.example.com/",
        "not a url",
        &format!("https://x.example.com/{}", "a".repeat(2_100)),
    ] {
        post(json!({"url": url, "eventTypes": ["*"]}))
            .await
            .assert_invalid_field("url");
    }
    assert_eq!(
        app.get("/v1/webhook-endpoints", &admin(ADMIN)).await.body["items"],
        json!([]),
        "nothing was made"
    );
}

#[tokio::test]
async fn an_internal_address_is_422_unsafe_url_in_every_spelling() {
    let app = spawn_app_guarding_webhooks().await;
    for url in [
        "http://127.0.0.1/hooks",
        "http://localhost:8080/hooks",
        "http://api.localhost/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:192.168.1.1]/",
        "http://[fd00::1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
    ] {
        app.post(
            "/v1/webhook-endpoints",
            &admin(ADMIN),
            &json!({"url": url, "eventTypes": ["*"]}),
        )
        .await
        .assert_problem(422, "unsafe_url");
    }
    let (id, _) = register(&app, "https://hooks.example.com/x", &["*"]).await;
    app.patch(
        &format!("/v1/webhook-endpoints/{id}"),
        &admin(ADMIN),
        &json!({"url": "http://192.168.0.10/"}),
    )
    .await
    .assert_problem(422, "unsafe_url");
}

#[tokio::test]
async fn the_twenty_first_endpoint_is_a_conflict() {
    let app = spawn_app().await;
    for n in 0..20 {
        register(&app, &format!("https://hooks.example.com/{n}"), &["*"]).await;
    }
    app.post(
        "/v1/webhook-endpoints",
        &admin(ADMIN),
        &json!({"url": "https://hooks.example.com/21", "eventTypes": ["*"]}),
    )
    .await
    .assert_problem(409, "conflict");
    // Another org has its own twenty.
    app.post(
        "/v1/webhook-endpoints",
        &other_org("admin-9"),
        &json!({"url": "https://hooks.example.com/theirs", "eventTypes": ["*"]}),
    )
    .await
    .assert_status(201);
}
