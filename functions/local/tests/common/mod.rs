//! Helpers of the coaching-local process tests: start the binary on a free port, sign
//! deliveries, call the API.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SECRET: &str = "restart-test-secret";
pub const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(db: &std::path::Path, env: &[(&str, String)]) -> Server {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coaching-local"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COACHING_ADDR", format!("127.0.0.1:{port}"))
        .env("COACHING_SQLITE_PATH", db)
        .env("COACHING_JWT_SECRET", SECRET)
        .env("COACHING_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("coaching-local starts");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if health_ok(&format!("{}/health", server.base)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("coaching-local did not answer /health");
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .expect("client")
}

pub fn health_ok(url: &str) -> Result<(), reqwest::Error> {
    client().get(url).send().map(|_| ())
}

pub fn token(sub: &str, role: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_coaching-local"))
        .args(["token", "--sub", sub, "--org", "acme", "--role", role])
        .env("COACHING_JWT_SECRET", SECRET)
        .output()
        .expect("token");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

pub fn call(method: reqwest::Method, url: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = client().request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().expect("response");
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

pub fn deliver(base: &str, id: &str, day: u32, score: u32) {
    let body = json!({"type": "evaluation.completed", "data": {
        "evaluationId": id, "coacheeId": "agent-1", "scorecardId": "support",
        "ticketUrl": format!("https://desk.example.com/{id}"),
        "evaluatedAt": format!("2026-11-{day:02}T10:00:00Z"),
        "scores": [{"criterionId": "empathy", "criterionName": "Empathy", "score": score,
                    "maxScore": 4, "comment": "Abrupt greeting"}]}})
    .to_string();
    // Org acme's own secret, derived from the master (what its admins read at
    // GET /v1/org/webhook-secret): the master itself verifies no org.
    let org = coaching_domain::OrgId::parse("acme").expect("org");
    let secret =
        coaching_http::webhook_secret::derive_for_org(WEBHOOK_SECRET, &org).expect("secret");
    let hook = standardwebhooks::Webhook::new(&secret).expect("secret");
    let ts = chrono::Utc::now().timestamp();
    let signature = hook.sign(id, ts, body.as_bytes()).expect("sign");
    let resp = client()
        .post(format!("{base}/v1/orgs/acme/webhooks/evaluations"))
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .expect("delivery");
    assert_eq!(resp.status().as_u16(), 200, "delivery {id}");
}

pub fn generation_status(base: &str, coach: &str, session: &str) -> String {
    let (status, s) = call(
        reqwest::Method::GET,
        &format!("{base}/v1/sessions/{session}"),
        coach,
        None,
    );
    assert_eq!(status, 200, "{s}");
    s["review"]["generation"]["status"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

pub fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Drafts a review of agent-1's November (coach-ana) and asks for its generation (202).
/// Returns the session id.
pub fn draft_review_and_generate(base: &str, coach: &str) -> String {
    let (status, session) = call(
        reqwest::Method::POST,
        &format!("{base}/v1/sessions"),
        coach,
        Some(
            json!({"kind": "review", "coachId": "coach-ana", "clientId": "agent-1",
            "name": "November review",
            "review": {"periodStart": "2026-11-01T00:00:00Z", "periodEnd": "2026-12-01T00:00:00Z"}}),
        ),
    );
    assert_eq!(status, 201, "{session}");
    let id = session["id"].as_str().expect("id").to_owned();
    let (status, accepted) = call(
        reqwest::Method::POST,
        &format!("{base}/v1/sessions/{id}/generate"),
        coach,
        None,
    );
    assert_eq!(status, 202, "{accepted}");
    id
}
