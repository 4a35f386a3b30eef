//! The black-box harness: `spawn_app()` builds the real Router over a fresh SQLite store and a
//! frozen test clock, and [`TestApp`] drives it request by request as an HTTP client would.

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use chrono::{DateTime, Utc};
use coaching_domain::Role;
use coaching_domain::ports::{EventPublisher, Generator, Outbound, OutboxEvent, Ports, Store};
use coaching_domain::service::Services;
use coaching_http::auth::{JwtAuthenticator, issue_token};
use coaching_http::{AppState, router};
use coaching_runtime::{TestClock, UlidIds};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

/// The secret the app verifies tokens with.
pub const SECRET: &[u8] = b"coaching-tests-secret";
/// The default webhook secret (`COACHING_WEBHOOK_SECRET`) of every test app.
pub const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// The org every helper token belongs to.
pub const ORG: &str = "org-acme";
/// An org that must never see anything of [`ORG`].
pub const OTHER_ORG: &str = "org-globex";
/// The instant the clock is frozen at when an app starts: Monday 2026-11-30 09:00 Berlin.
pub const START: &str = "2026-11-30T08:00:00Z";

/// Monday 2026-12-07 09:00 in Berlin: the first bookable hour of a Monday a week ahead.
pub const MON_0900: &str = "2026-12-07T08:00:00Z";

/// Parses an RFC 3339 instant (panics on a typo in a test).
pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("bad instant {s}: {e}"))
        .with_timezone(&Utc)
}

/// The wire form of an instant, as the API writes it.
pub fn wire(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `s` moved by `minutes`, in wire form.
pub fn plus(s: &str, minutes: i64) -> String {
    wire(t(s) + chrono::Duration::minutes(minutes))
}

/// A token for `sub` in `org` with `roles`, valid for an hour.
pub fn token(sub: &str, org: &str, roles: &[Role]) -> String {
    issue_token(SECRET, sub, org, roles, 3600).expect("token")
}

/// A coach of [`ORG`].
pub fn coach(sub: &str) -> String {
    token(sub, ORG, &[Role::Coach])
}

/// A client (coachee) of [`ORG`].
pub fn client(sub: &str) -> String {
    token(sub, ORG, &[Role::Client])
}

/// An admin of [`ORG`].
pub fn admin(sub: &str) -> String {
    token(sub, ORG, &[Role::Admin])
}

/// A user of [`OTHER_ORG`] with every role.
pub fn other_org(sub: &str) -> String {
    token(sub, OTHER_ORG, &[Role::Coach, Role::Client, Role::Admin])
}

/// One response: status, headers, and the body as JSON (`Null` when empty, a string when not JSON).
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }
    /// The problem's `code`, or "" when the body has none.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    pub fn content_type(&self) -> &str {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn is_problem(&self) -> bool {
        self.content_type().starts_with("application/problem+json")
    }
    /// A response header's value, when present and text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
    pub fn etag(&self) -> String {
        self.headers
            .get(http::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no ETag on {self:?}"))
            .to_owned()
    }
    /// The `field`s of `errors[]`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
    /// The `id` field of the body.
    pub fn id(&self) -> String {
        self.body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {self:?}"))
            .to_owned()
    }
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(self.status(), status, "unexpected response: {self:#?}");
        self
    }
    /// Asserts an RFC 9457 problem with this status and `code`, status echoed in the body.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status(), status, "unexpected response: {self:#?}");
        assert!(self.is_problem(), "not problem+json: {self:#?}");
        assert_eq!(self.code(), code, "unexpected code: {self:#?}");
        assert_eq!(
            self.body["status"],
            json!(status),
            "status in body: {self:#?}"
        );
        for key in ["type", "title", "detail"] {
            assert!(
                self.body[key].is_string(),
                "problem without {key}: {self:#?}"
            );
        }
        self
    }
    /// Asserts a 400 `validation_failed` whose `errors[]` names `field`.
    #[track_caller]
    pub fn assert_invalid_field(&self, field: &str) -> &Self {
        self.assert_problem(400, "validation_failed");
        assert!(
            self.error_fields().iter().any(|f| f == field),
            "errors[] does not name {field}: {self:#?}"
        );
        self
    }
}

/// A request under construction.
#[derive(Debug, Clone)]
pub struct Call {
    method: Method,
    path: String,
    token: Option<String>,
    body: Option<Vec<u8>>,
    content_type: Option<String>,
    headers: Vec<(String, String)>,
}

impl Call {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            token: None,
            body: None,
            content_type: None,
            headers: Vec::new(),
        }
    }
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }
    pub fn json(mut self, body: &Value) -> Self {
        self.body = Some(serde_json::to_vec(body).expect("json"));
        self.content_type = Some("application/json".into());
        self
    }
    /// A raw body sent as `application/json` (malformed JSON, huge bodies).
    pub fn raw(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self.content_type = Some("application/json".into());
        self
    }
    pub fn content_type(mut self, ct: &str) -> Self {
        self.content_type = Some(ct.to_owned());
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
    fn build(self) -> Request<Body> {
        let mut b = Request::builder().method(self.method).uri(self.path);
        if let Some(t) = self.token {
            b = b.header(http::header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(ct) = self.content_type {
            b = b.header(http::header::CONTENT_TYPE, ct);
        }
        for (k, v) in self.headers {
            b = b.header(k, v);
        }
        b.body(self.body.map(Body::from).unwrap_or_else(Body::empty))
            .expect("request")
    }
}

/// Sends one request through a Router, as the server would.
pub async fn send(router: Router, call: Call) -> Resp {
    let res = router.oneshot(call.build()).await.expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Resp {
        status,
        headers,
        body,
    }
}

/// An event publisher that keeps what it was given, to check what was published. It can be
/// told to refuse events, as EventBridge does when throttled.
#[derive(Debug, Default)]
pub struct RecordingPublisher {
    events: std::sync::Mutex<Vec<OutboxEvent>>,
    refuse: std::sync::atomic::AtomicBool,
}

impl RecordingPublisher {
    pub fn published(&self) -> Vec<OutboxEvent> {
        self.events.lock().unwrap().clone()
    }
    /// `detail-type`s published so far, in order.
    pub fn kinds(&self) -> Vec<String> {
        self.published().into_iter().map(|e| e.kind).collect()
    }
    pub fn refuse(&self, refuse: bool) {
        self.refuse
            .store(refuse, std::sync::atomic::Ordering::SeqCst);
    }
}

#[async_trait]
impl EventPublisher for RecordingPublisher {
    async fn publish(&self, events: &[OutboxEvent]) -> Vec<bool> {
        if self.refuse.load(std::sync::atomic::Ordering::SeqCst) {
            return vec![false; events.len()];
        }
        self.events.lock().unwrap().extend_from_slice(events);
        vec![true; events.len()]
    }
}

/// The app under test: the real Router over a real store, with a frozen clock.
pub struct TestApp {
    pub router: Router,
    pub clock: Arc<TestClock>,
    pub events: Arc<RecordingPublisher>,
    pub store: Arc<dyn Store>,
    /// The use cases behind the router (what the Lambda job handlers call).
    pub services: Services,
    _dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestApp")
    }
}

/// Which store the API tests run on: SQLite unless `COACHING_TEST_STORE=dynamodb` (then a fresh
/// table per app on `AWS_ENDPOINT_URL`; scripts/test runs the suite both ways).
pub fn dynamodb_selected() -> bool {
    std::env::var("COACHING_TEST_STORE").is_ok_and(|v| v == "dynamodb")
}

async fn build(path: &str, dir: Option<tempfile::TempDir>) -> TestApp {
    if dynamodb_selected() {
        return spawn_app_with(fresh_dynamo_store().await, None);
    }
    let store = coaching_sqlite::SqliteStore::open(path).expect("store");
    spawn_app_with(Arc::new(store), dir)
}

/// A DynamoDB store on a new table of its own, on the local endpoint in `AWS_ENDPOINT_URL`.
pub async fn fresh_dynamo_store() -> Arc<dyn Store> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.") || endpoint.starts_with("http://localhost"),
        "COACHING_TEST_STORE=dynamodb creates tables: point AWS_ENDPOINT_URL at a local endpoint (scripts/test starts moto), not {endpoint:?}"
    );
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let table = format!(
        "coaching-api-test-{nanos:x}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    // Longer bounds than production's (3 s an attempt): moto on a busy machine is far slower
    // than DynamoDB (the 200-generation drain test saw an attempt pass 3 s and fail).
    let store = coaching_aws::DynamoStore::connect_with_timeouts(
        &table,
        std::time::Duration::from_secs(30),
        std::time::Duration::from_secs(60),
    )
    .await;
    store.ensure_table().await.expect("table");
    Arc::new(store)
}

/// The app over `store` (any adapter), the clock frozen at [`START`].
pub fn spawn_app_with(store: Arc<dyn Store>, dir: Option<tempfile::TempDir>) -> TestApp {
    assemble(store, dir, Some(WEBHOOK_SECRET), true)
}

async fn fresh_store() -> Arc<dyn Store> {
    if dynamodb_selected() {
        fresh_dynamo_store().await
    } else {
        Arc::new(coaching_sqlite::SqliteStore::open(":memory:").expect("store"))
    }
}

/// A fresh app (as [`spawn_app`]) that refuses webhook endpoints and deliveries on internal
/// addresses, as production does (the other apps allow loopback: their receivers run there,
/// as with `COACHING_WEBHOOK_ALLOW_PRIVATE=1`).
pub async fn spawn_app_guarding_webhooks() -> TestApp {
    assemble(fresh_store().await, None, Some(WEBHOOK_SECRET), false)
}

/// A fresh app (as [`spawn_app`]) whose default webhook secret (`COACHING_WEBHOOK_SECRET`) is
/// `secret`: `None` is a server started without one.
pub async fn spawn_app_with_webhook_secret(secret: Option<&str>) -> TestApp {
    assemble(fresh_store().await, None, secret, true)
}

fn assemble(
    store: Arc<dyn Store>,
    dir: Option<tempfile::TempDir>,
    webhook_secret: Option<&str>,
    allow_private: bool,
) -> TestApp {
    let clock = Arc::new(TestClock::new());
    clock.set(t(START));
    let events = Arc::new(RecordingPublisher::default());
    let services = Services::new(Ports {
        store: store.clone(),
        clock: clock.clone(),
        ids: Arc::new(UlidIds::new()),
        events: Some(events.clone()),
        queue: None,
        // Deliveries are attempted when a test runs the deliveries job (no worker in the
        // background: what a test sees does not depend on timing).
        outbound: Outbound {
            session_view: coaching_http::session_event_view,
            sender: Some(Arc::new(
                coaching_outbound::Sender::new(coaching_outbound::SenderConfig {
                    allow_private,
                    attempt_timeout: std::time::Duration::from_secs(2),
                    connect_timeout: std::time::Duration::from_secs(1),
                    ..coaching_outbound::SenderConfig::default()
                })
                .expect("the webhook sender"),
            )),
            queue: None,
            allow_private,
        },
    });
    let state = AppState {
        services: services.clone(),
        auth: Arc::new(JwtAuthenticator::new(SECRET)),
        test_clock: Some(clock.clone()),
        webhook_secret: webhook_secret.map(Arc::<str>::from),
        public_url: None,
    };
    TestApp {
        router: router(state),
        clock,
        events,
        store,
        services,
        _dir: dir,
    }
}

/// A fresh app on an in-memory SQLite store (or a fresh DynamoDB table, see
/// [`dynamodb_selected`]), the clock frozen at [`START`].
pub async fn spawn_app() -> TestApp {
    build(":memory:", None).await
}

/// A fresh app on a SQLite file in its own temporary directory (concurrency tests).
pub async fn spawn_app_on_file() -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("coaching.db");
    build(path.to_str().expect("utf-8 path"), Some(dir)).await
}

/// The body of the settings `coach_with_settings` puts.
pub fn standard_settings() -> Value {
    let window = |d: &str| json!({"weekday": d, "start": "09:00", "end": "17:00"});
    let availability: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"].map(window).into();
    json!({
        "timezone": "Europe/Berlin",
        "availability": availability,
        "prices": {
            "30": {"amount": 5000, "currency": "EUR"},
            "45": {"amount": 7000, "currency": "EUR"},
            "60": {"amount": 9000, "currency": "EUR"},
        },
    })
}

/// A paid-session booking body.
pub fn paid(coach: &str, client: &str, starts_at: &str, minutes: u32) -> Value {
    json!({"kind": "paid", "coachId": coach, "clientId": client, "startsAt": starts_at, "durationMinutes": minutes})
}

/// An intro-call booking body.
pub fn intro(coach: &str, client: &str, starts_at: &str) -> Value {
    json!({"kind": "intro", "coachId": coach, "clientId": client, "startsAt": starts_at, "durationMinutes": 15})
}

impl TestApp {
    pub async fn send(&self, call: Call) -> Resp {
        send(self.router.clone(), call).await
    }
    /// Sends every call at once, each on its own task, released together by a barrier (so that
    /// on a multi-thread runtime they really overlap); the responses in the calls' order.
    pub async fn send_all(&self, calls: Vec<Call>) -> Vec<Resp> {
        let gate = Arc::new(tokio::sync::Barrier::new(calls.len()));
        let mut tasks = Vec::new();
        for call in calls {
            let router = self.router.clone();
            let gate = gate.clone();
            tasks.push(tokio::spawn(async move {
                gate.wait().await;
                send(router, call).await
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        out
    }
    /// Any request: method, path, token, JSON body, extra headers.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut call = Call::new(method, path);
        if let Some(tok) = token {
            call = call.token(tok);
        }
        if let Some(b) = body {
            call = call.json(b);
        }
        for (k, v) in headers {
            call = call.header(k, v);
        }
        self.send(call).await
    }
    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.request(Method::GET, path, Some(token), None, &[])
            .await
    }
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.request(Method::POST, path, Some(token), Some(body), &[])
            .await
    }
    /// A POST without a body (complete, no-show, join, cancel without a reason).
    pub async fn post_empty(&self, path: &str, token: &str) -> Resp {
        self.request(Method::POST, path, Some(token), None, &[])
            .await
    }
    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.request(Method::PUT, path, Some(token), Some(body), &[])
            .await
    }
    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.request(Method::PATCH, path, Some(token), Some(body), &[])
            .await
    }

    /// Freezes the clock at `now` (RFC 3339).
    pub fn set_now(&self, now: &str) {
        self.clock.set(t(now));
    }

    /// PUTs [`standard_settings`] as the coach: Europe/Berlin, mon-fri 09:00-17:00,
    /// 30/45/60 minutes for 50/70/90 EUR, defaults otherwise.
    pub async fn coach_with_settings(&self, coach_id: &str) -> Value {
        self.put_settings(coach_id, &standard_settings()).await
    }

    /// PUTs `settings` as the coach and asserts 200.
    pub async fn put_settings(&self, coach_id: &str, settings: &Value) -> Value {
        let r = self
            .put(
                &format!("/v1/coaches/{coach_id}/settings"),
                &coach(coach_id),
                settings,
            )
            .await;
        r.assert_status(200);
        r.body
    }

    /// Books with `token` and asserts 201; returns the session.
    pub async fn book_ok(&self, token: &str, body: &Value) -> Value {
        let r = self.post("/v1/sessions", token, body).await;
        r.assert_status(201);
        r.body
    }

    /// Books a paid session as its client and asserts 201; returns the session.
    pub async fn book_paid(
        &self,
        coach_id: &str,
        client_id: &str,
        starts_at: &str,
        minutes: u32,
    ) -> Value {
        self.book_ok(
            &client(client_id),
            &paid(coach_id, client_id, starts_at, minutes),
        )
        .await
    }

    /// The session as `token` sees it.
    pub async fn session(&self, id: &str, token: &str) -> Resp {
        self.get(&format!("/v1/sessions/{id}"), token).await
    }

    /// Every session `token` sees with the query `q` (`role=coach&...`), following cursors.
    pub async fn all_sessions(&self, token: &str, q: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..100 {
            let mut path = format!("/v1/sessions?{q}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let r = self.get(&path, token).await;
            r.assert_status(200);
            out.extend(r.body["items"].as_array().cloned().unwrap_or_default());
            match r.body["nextCursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return out,
            }
        }
        panic!("more than 100 pages")
    }

    /// The ids of what `token` sees with the query `q`.
    pub async fn session_ids(&self, token: &str, q: &str) -> Vec<String> {
        self.all_sessions(token, q)
            .await
            .iter()
            .filter_map(|s| s["id"].as_str().map(str::to_owned))
            .collect()
    }

    /// The `(type, sessionId)` pairs in `token`'s inbox.
    pub async fn notifications(&self, token: &str) -> Vec<(String, String)> {
        let r = self.get("/v1/notifications", token).await;
        r.assert_status(200);
        r.body["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|n| {
                (
                    n["type"].as_str().unwrap_or("").to_owned(),
                    n["sessionId"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    /// The free slot starts of a coach in `[from, to)` for `minutes`, as `token` sees them.
    pub async fn slot_starts(
        &self,
        coach_id: &str,
        token: &str,
        from: &str,
        to: &str,
        minutes: u32,
    ) -> Vec<String> {
        let r = self
            .get(
                &format!(
                    "/v1/coaches/{coach_id}/slots?from={from}&to={to}&durationMinutes={minutes}"
                ),
                token,
            )
            .await;
        r.assert_status(200);
        r.body["slots"]
            .as_array()
            .expect("slots")
            .iter()
            .map(|s| s["startsAt"].as_str().unwrap_or("").to_owned())
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// docs/api.md#evaluation-webhook: evaluation webhooks, signed as a Standard Webhooks sender signs them.

/// The evaluation webhook of `org`.
pub fn webhook_path(org: &str) -> String {
    format!("/v1/orgs/{org}/webhooks/evaluations")
}

/// The real time in unix seconds: what `webhook-timestamp` is checked against (never the test
/// clock).
pub fn now_unix() -> i64 {
    Utc::now().timestamp()
}

/// `v1,<base64>`: the Standard Webhooks signature of `id.timestamp.body` under `secret`, by the
/// reference implementation.
pub fn sign(secret: &str, webhook_id: &str, timestamp: i64, body: &[u8]) -> String {
    standardwebhooks::Webhook::new(secret)
        .expect("a whsec_ secret")
        .sign(webhook_id, timestamp, body)
        .expect("a UTF-8 body")
}

/// The secret that verifies `org`'s deliveries in a test app that has not rotated one: derived
/// from the master [`WEBHOOK_SECRET`] and the org id (what `GET /v1/org/webhook-secret` shows
/// its admins). `None` for an id that cannot be an org.
pub fn org_secret(org: &str) -> Option<String> {
    let org = coaching_domain::OrgId::parse(org).ok()?;
    coaching_http::webhook_secret::derive_for_org(WEBHOOK_SECRET, &org)
}

/// One delivery to an evaluation webhook, as an evaluation system sends it: the raw body, its
/// `webhook-id` and `webhook-timestamp`, and the `webhook-signature` header (by default the
/// signature under the org's secret, [`org_secret`]). Each part can be changed to build a bad
/// delivery.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub org: String,
    pub webhook_id: String,
    pub timestamp: String,
    pub body: Vec<u8>,
    /// The `webhook-signature` header; `None` leaves it out.
    pub signature: Option<String>,
    /// Headers left out (`webhook-id`, `webhook-timestamp`).
    pub omit: Vec<&'static str>,
}

impl Delivery {
    /// `body` for [`ORG`], signed with [`ORG`]'s secret at the real time now.
    pub fn new(webhook_id: &str, body: &Value) -> Self {
        Self::raw(webhook_id, serde_json::to_vec(body).expect("json"))
    }
    /// Raw bytes (malformed JSON, huge bodies) for [`ORG`], signed like [`Delivery::new`].
    pub fn raw(webhook_id: &str, body: impl Into<Vec<u8>>) -> Self {
        let body = body.into();
        let timestamp = now_unix();
        Self {
            org: ORG.to_owned(),
            signature: Some(sign(
                &org_secret(ORG).expect("ORG is an org id"),
                webhook_id,
                timestamp,
                &body,
            )),
            webhook_id: webhook_id.to_owned(),
            timestamp: timestamp.to_string(),
            body,
            omit: Vec::new(),
        }
    }
    /// To `org` instead of [`ORG`], as `org`'s evaluation system sends it: signed again with
    /// that org's secret (an id that cannot be an org keeps the signature it had).
    pub fn to_org(mut self, org: &str) -> Self {
        self.org = org.to_owned();
        match org_secret(org) {
            Some(secret) => {
                let ts = self.timestamp.parse().unwrap_or_else(|_| now_unix());
                self.signed_at(&secret, ts)
            }
            None => self,
        }
    }
    /// The same bytes and headers posted to another org's path: a replay across tenants.
    pub fn replayed_to(mut self, org: &str) -> Self {
        self.org = org.to_owned();
        self
    }
    /// Signed at `timestamp` (unix seconds) with `secret`.
    pub fn signed_at(mut self, secret: &str, timestamp: i64) -> Self {
        self.timestamp = timestamp.to_string();
        self.signature = Some(sign(secret, &self.webhook_id, timestamp, &self.body));
        self
    }
    /// Signed now with `secret`.
    pub fn signed_with(self, secret: &str) -> Self {
        self.signed_at(secret, now_unix())
    }
    /// Re-signed with its org's secret at `timestamp` (e.g. a few seconds before now).
    pub fn at(self, timestamp: i64) -> Self {
        let secret = org_secret(&self.org).expect("an org id");
        self.signed_at(&secret, timestamp)
    }
    /// The body replaced after signing (a tampered delivery).
    pub fn tampered(mut self, body: &Value) -> Self {
        self.body = serde_json::to_vec(body).expect("json");
        self
    }
    /// Any `webhook-signature` header value.
    pub fn signature(mut self, value: &str) -> Self {
        self.signature = Some(value.to_owned());
        self
    }
    /// Any `webhook-timestamp` header value (the signature is left as it is).
    pub fn timestamp_header(mut self, value: &str) -> Self {
        self.timestamp = value.to_owned();
        self
    }
    /// Leaves out `webhook-id`, `webhook-timestamp` or `webhook-signature`.
    pub fn without(mut self, header: &'static str) -> Self {
        if header == "webhook-signature" {
            self.signature = None;
        } else {
            self.omit.push(header);
        }
        self
    }
    /// The HTTP request: a POST without bearer, the body as sent, the three headers.
    pub fn call(&self) -> Call {
        let mut call = Call::new(Method::POST, webhook_path(&self.org)).raw(self.body.clone());
        if !self.omit.contains(&"webhook-id") {
            call = call.header("webhook-id", &self.webhook_id);
        }
        if !self.omit.contains(&"webhook-timestamp") {
            call = call.header("webhook-timestamp", &self.timestamp);
        }
        if let Some(sig) = &self.signature {
            call = call.header("webhook-signature", sig);
        }
        call
    }
}

/// A score of one criterion in an evaluation (`score: None` is not applicable).
pub fn score(
    criterion_id: &str,
    name: &str,
    score: Option<f64>,
    max_score: f64,
    comment: Option<&str>,
) -> Value {
    json!({
        "criterionId": criterion_id,
        "criterionName": name,
        "score": score,
        "maxScore": max_score,
        "soft": false,
        "comment": comment,
    })
}

/// The same score, marked soft.
pub fn soft(mut score: Value) -> Value {
    score["soft"] = json!(true);
    score
}

/// The `data` of an `evaluation.completed`: `evaluation_id` of `coachee`, on the "sc-support"
/// scorecard, ticket `T-<evaluation_id>` at `https://desk.example.com/tickets/T-<evaluation_id>`,
/// evaluated at `evaluated_at`, with `scores`.
pub fn evaluation(evaluation_id: &str, coachee: &str, evaluated_at: &str, scores: Value) -> Value {
    json!({
        "evaluationId": evaluation_id,
        "coacheeId": coachee,
        "scorecardId": "sc-support",
        "scorecardName": "Support QA",
        "ticketId": format!("T-{evaluation_id}"),
        "ticketUrl": ticket_url(evaluation_id),
        "evaluatorId": "qa-lee",
        "evaluatedAt": evaluated_at,
        "scores": scores,
    })
}

/// The ticket URL [`evaluation`] gives `evaluation_id`.
pub fn ticket_url(evaluation_id: &str) -> String {
    format!("https://desk.example.com/tickets/T-{evaluation_id}")
}

/// An `evaluation.completed` body around `data`.
pub fn completed(data: Value) -> Value {
    json!({"type": "evaluation.completed", "data": data})
}

/// An `evaluation.deleted` body.
pub fn deleted(evaluation_id: &str) -> Value {
    json!({"type": "evaluation.deleted", "data": {"evaluationId": evaluation_id}})
}

impl TestApp {
    /// Sends a delivery to the webhook.
    pub async fn deliver(&self, delivery: &Delivery) -> Resp {
        self.send(delivery.call()).await
    }

    /// Delivers `body` to [`ORG`] signed with [`WEBHOOK_SECRET`] now under a fresh webhook id,
    /// and asserts `200 {"outcome": "applied"}`.
    pub async fn deliver_ok(&self, body: &Value) {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let id = format!(
            "msg_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let r = self.deliver(&Delivery::new(&id, body)).await;
        r.assert_status(200);
        assert_eq!(r.body, json!({"outcome": "applied"}), "{r:#?}");
    }

    /// Delivers `evaluation.completed` for each `data` (see [`TestApp::deliver_ok`]).
    pub async fn deliver_evaluations(&self, data: &[Value]) {
        for d in data {
            self.deliver_ok(&completed(d.clone())).await;
        }
    }

    /// Every evaluation of `coachee` that `token` sees with the query `q`, following cursors.
    pub async fn all_evaluations(&self, coachee: &str, token: &str, q: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..100 {
            let mut path = format!("/v1/coachees/{coachee}/evaluations?{q}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let r = self.get(&path, token).await;
            r.assert_status(200);
            out.extend(r.body["items"].as_array().cloned().unwrap_or_default());
            match r.body["nextCursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return out,
            }
        }
        panic!("more than 100 pages")
    }

    /// The ids of every evaluation of `coachee` an admin of [`ORG`] sees, newest first.
    pub async fn evaluation_ids(&self, coachee: &str) -> Vec<String> {
        self.all_evaluations(coachee, &admin("admin-cy"), "")
            .await
            .iter()
            .filter_map(|e| e["id"].as_str().map(str::to_owned))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// docs/api.md#review-sessions-and-ai-generation: the AI generation worker. The app under test runs no worker of its own: a test runs it
// when it wants, as the embedded worker of `coaching-local` (or `coaching-ai-worker`) would.

impl TestApp {
    /// Runs the embedded worker with `generator` until no generation is due; returns how many
    /// due generations it took up. Panics when some stay due (a worker that never finishes).
    pub async fn run_worker_with(&self, generator: &dyn Generator) -> usize {
        let mut total = 0;
        for _ in 0..50 {
            let n = self
                .services
                .drain_due_generations(generator, 100)
                .await
                .unwrap_or_else(|e| panic!("the worker failed: {e:?}"));
            if n == 0 {
                return total;
            }
            total += n;
        }
        panic!("generations were still due after 50 worker rounds")
    }

    /// Runs the worker with the builtin generator (the default provider).
    pub async fn run_worker(&self) -> usize {
        self.run_worker_with(&coaching_ai::BuiltinGenerator).await
    }

    /// Every notification in `token`'s inbox, newest first, whole (`type`, `sessionId`, `data`),
    /// following cursors.
    pub async fn inbox(&self, token: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..100 {
            let path = match &cursor {
                Some(c) => format!("/v1/notifications?limit=200&cursor={c}"),
                None => "/v1/notifications?limit=200".to_owned(),
            };
            let r = self.get(&path, token).await;
            r.assert_status(200);
            out.extend(r.body["items"].as_array().cloned().unwrap_or_default());
            match r.body["nextCursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return out,
            }
        }
        panic!("more than 100 pages")
    }
}
