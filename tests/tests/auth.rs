//! docs/api.md#identity-and-access: every /v1 endpoint refuses requests without a valid bearer token with 401 `unauthenticated`.

use coaching_http::auth::{Claims, RolesClaim};
use coaching_tests::*;
use http::Method;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

fn endpoints(session: &str) -> Vec<(Method, String)> {
    vec![
        (Method::GET, "/v1/notifications".into()),
        (Method::GET, "/v1/test-clock".into()),
        (Method::PUT, "/v1/test-clock".into()),
        (Method::PUT, "/v1/coaches/coach-ana/settings".into()),
        (Method::GET, "/v1/coaches/coach-ana/settings".into()),
        (Method::GET, "/v1/coaches/coach-ana/slots".into()),
        (Method::POST, "/v1/sessions".into()),
        (Method::GET, "/v1/sessions".into()),
        (Method::GET, format!("/v1/sessions/{session}")),
        (Method::PATCH, format!("/v1/sessions/{session}")),
        (Method::POST, format!("/v1/sessions/{session}/cancel")),
        (Method::POST, format!("/v1/sessions/{session}/complete")),
        (Method::POST, format!("/v1/sessions/{session}/no-show")),
        (Method::POST, format!("/v1/sessions/{session}/join")),
    ]
}

/// A body each endpoint would accept, so that only the token is wrong.
fn body_for(method: &Method, path: &str) -> Option<Value> {
    match (method.as_str(), path) {
        ("PUT", p) if p.ends_with("/settings") => Some(standard_settings()),
        ("PUT", _) => Some(json!({"now": "2026-12-01T00:00:00Z"})),
        ("POST", "/v1/sessions") => Some(paid("coach-ana", "client-bo", MON_0900, 60)),
        ("PATCH", _) => Some(json!({"notes": "hijacked"})),
        _ => None,
    }
}

fn signed(claims: &Claims, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("encode")
}

fn claims(exp_offset_secs: i64) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: "coach-ana".into(),
        org: ORG.into(),
        roles: RolesClaim::List(vec!["coach".into(), "admin".into()]),
        exp: (now + exp_offset_secs) as u64,
        iat: (now - 7200) as u64,
        nbf: None,
    }
}

/// A world with one real session, so that 401 is not a 404 in disguise.
async fn world() -> (TestApp, String) {
    let app = spawn_app().await;
    app.coach_with_settings("coach-ana").await;
    let s = app.book_paid("coach-ana", "client-bo", MON_0900, 60).await;
    (app, s["id"].as_str().expect("id").to_owned())
}

async fn assert_all_unauthenticated(app: &TestApp, session: &str, authorization: Option<&str>) {
    for (method, path) in endpoints(session) {
        let body = body_for(&method, &path);
        let headers: Vec<(&str, &str)> = authorization
            .map(|a| vec![("authorization", a)])
            .unwrap_or_default();

        let r = app
            .request(method.clone(), &path, None, body.as_ref(), &headers)
            .await;

        assert_eq!(r.status(), 401, "{method} {path}: {r:#?}");
        assert!(r.is_problem(), "{method} {path}: {r:#?}");
        assert_eq!(r.code(), "unauthenticated", "{method} {path}: {r:#?}");
        assert_eq!(r.body["status"], 401);
    }
}

/// Nothing an unauthenticated request sent was applied.
async fn assert_untouched(app: &TestApp, session: &str) {
    let s = app.session(session, &coach("coach-ana")).await;
    s.assert_status(200);
    assert_eq!(s.body["status"], "scheduled");
    assert_eq!(s.body["notes"], "");
    assert_eq!(s.body["version"], 1);
    let all = app.session_ids(&admin("admin-cy"), "").await;
    assert_eq!(all, vec![session.to_owned()]);
}

#[tokio::test]
async fn a_request_without_a_token_is_401_on_every_endpoint() {
    let (app, session) = world().await;

    assert_all_unauthenticated(&app, &session, None).await;

    assert_untouched(&app, &session).await;
}

#[tokio::test]
async fn a_garbage_token_is_401_on_every_endpoint() {
    let (app, session) = world().await;

    assert_all_unauthenticated(&app, &session, Some("Bearer not.a.jwt")).await;
    assert_all_unauthenticated(&app, &session, Some("Bearer ")).await;
    assert_all_unauthenticated(&app, &session, Some("garbage")).await;

    assert_untouched(&app, &session).await;
}

#[tokio::test]
async fn a_token_in_another_scheme_is_401_on_every_endpoint() {
    let (app, session) = world().await;
    let good = coach("coach-ana");

    assert_all_unauthenticated(&app, &session, Some(&format!("Basic {good}"))).await;
    assert_all_unauthenticated(&app, &session, Some(&good)).await;

    assert_untouched(&app, &session).await;
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_401_on_every_endpoint() {
    let (app, session) = world().await;
    let forged = signed(&claims(3600), b"not-the-server-secret");

    assert_all_unauthenticated(&app, &session, Some(&format!("Bearer {forged}"))).await;

    assert_untouched(&app, &session).await;
}

#[tokio::test]
async fn an_expired_token_is_401_on_every_endpoint() {
    let (app, session) = world().await;
    let expired = signed(&claims(-3600), SECRET);

    assert_all_unauthenticated(&app, &session, Some(&format!("Bearer {expired}"))).await;

    assert_untouched(&app, &session).await;
}

#[tokio::test]
async fn a_token_with_a_tampered_payload_is_401_on_every_endpoint() {
    let (app, session) = world().await;
    let good = coach("coach-ana");
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    // Swap the payload for one that claims another org, keeping the original signature.
    let other = other_org("coach-ana");
    parts[1] = other.split('.').nth(1).expect("payload").to_owned();
    let tampered = parts.join(".");

    assert_all_unauthenticated(&app, &session, Some(&format!("Bearer {tampered}"))).await;

    assert_untouched(&app, &session).await;
}

#[tokio::test]
async fn a_token_whose_subject_is_not_a_valid_id_is_401() {
    let (app, session) = world().await;
    let mut c = claims(3600);
    c.sub = "has spaces/and slashes".into();
    let bad_sub = signed(&c, SECRET);

    assert_all_unauthenticated(&app, &session, Some(&format!("Bearer {bad_sub}"))).await;

    assert_untouched(&app, &session).await;
}

#[tokio::test]
async fn a_token_not_valid_yet_is_401_on_every_endpoint() {
    let (app, session) = world().await;
    let mut c = claims(3600);
    c.nbf = Some((chrono::Utc::now().timestamp() + 600) as u64);
    let early = signed(&c, SECRET);

    assert_all_unauthenticated(&app, &session, Some(&format!("Bearer {early}"))).await;

    assert_untouched(&app, &session).await;
}

#[tokio::test]
async fn a_token_issued_in_the_future_is_401_on_every_endpoint() {
    let (app, session) = world().await;
    let mut c = claims(3600);
    c.iat = (chrono::Utc::now().timestamp() + 600) as u64;
    let future = signed(&c, SECRET);

    assert_all_unauthenticated(&app, &session, Some(&format!("Bearer {future}"))).await;

    assert_untouched(&app, &session).await;
}

#[tokio::test]
async fn nbf_and_iat_a_few_seconds_ahead_are_within_the_leeway() {
    let (app, session) = world().await;
    let mut c = claims(3600);
    let now = chrono::Utc::now().timestamp();
    c.nbf = Some((now + 10) as u64);
    c.iat = (now + 10) as u64;
    let skewed = signed(&c, SECRET);

    let r = app
        .request(
            Method::GET,
            &format!("/v1/sessions/{session}"),
            None,
            None,
            &[("authorization", &format!("Bearer {skewed}"))],
        )
        .await;

    r.assert_status(200);
}

#[tokio::test]
async fn a_token_without_a_roles_claim_is_401_on_every_endpoint() {
    let (app, session) = world().await;
    let now = chrono::Utc::now().timestamp();
    let no_roles = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": "coach-ana", "org": ORG, "exp": now + 3600, "iat": now}),
        &EncodingKey::from_secret(SECRET),
    )
    .expect("encode");

    assert_all_unauthenticated(&app, &session, Some(&format!("Bearer {no_roles}"))).await;

    assert_untouched(&app, &session).await;
}

#[tokio::test]
async fn a_401_says_what_is_wrong_without_the_parser_s_internals() {
    let (app, session) = world().await;
    // alg "none": the parser's own message lists the algorithms it knows.
    let none = format!(
        "{}.{}.",
        base64_url(br#"{"alg":"none","typ":"JWT"}"#),
        coach("coach-ana").split('.').nth(1).expect("payload")
    );

    for bad in [none.as_str(), "not.a.jwt", "a.b"] {
        let r = app
            .request(
                Method::GET,
                &format!("/v1/sessions/{session}"),
                None,
                None,
                &[("authorization", &format!("Bearer {bad}"))],
            )
            .await;

        r.assert_problem(401, "unauthenticated");
        let detail = r.body["detail"].as_str().unwrap_or_default().to_owned();
        for internal in ["variant", "expected one of", "HS384", "line ", "column"] {
            assert!(!detail.contains(internal), "{bad}: {detail}");
        }
    }
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn a_valid_token_is_accepted() {
    let (app, session) = world().await;

    let r = app.session(&session, &coach("coach-ana")).await;

    r.assert_status(200);
    assert_eq!(r.body["id"], session);
}
