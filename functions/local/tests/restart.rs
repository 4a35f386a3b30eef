//! Crash durability of accepted generations: `coaching-local` is killed (SIGKILL) while a
//! generation it accepted with 202 is running, and the generation completes after a restart.
//!
//! The first run's provider is an OpenAI-compatible endpoint that accepts connections and never
//! answers, so the generation is certainly claimed and in flight when the process dies; the
//! second run uses the builtin generator.

use serde_json::{Value, json};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "restart-test-secret";
const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &std::path::Path, provider: &[(&str, String)]) -> Server {
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
    for (k, v) in provider {
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

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .expect("client")
}

fn health_ok(url: &str) -> Result<(), reqwest::Error> {
    client().get(url).send().map(|_| ())
}

fn token(sub: &str, role: &str) -> String {
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

fn call(method: reqwest::Method, url: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = client().request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().expect("response");
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

fn deliver(base: &str, id: &str, day: u32, score: u32) {
    let body = json!({"type": "evaluation.completed", "data": {
        "evaluationId": id, "coacheeId": "agent-1", "scorecardId": "support",
        "ticketUrl": format!("https://desk.example.com/{id}"),
        "evaluatedAt": format!("2026-11-{day:02}T10:00:00Z"),
        "scores": [{"criterionId": "empathy", "criterionName": "Empathy", "score": score,
                    "maxScore": 4, "comment": "Abrupt greeting"}]}})
    .to_string();
    let hook = standardwebhooks::Webhook::new(WEBHOOK_SECRET).expect("secret");
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

fn generation_status(base: &str, coach: &str, session: &str) -> String {
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

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_generation_accepted_before_a_kill_completes_after_the_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("coaching.db");
    // An OpenAI-compatible endpoint that accepts and never answers: the generation hangs.
    let black_hole = TcpListener::bind("127.0.0.1:0").expect("listener");
    let hole = format!("http://{}/v1", black_hole.local_addr().expect("addr"));
    let coach = token("coach-ana", "coach");

    let first = start(
        &db,
        &[
            ("COACHING_AI_PROVIDER", "openai".into()),
            ("COACHING_AI_BASE_URL", hole),
            ("COACHING_AI_API_KEY", "test-key".into()),
            ("COACHING_AI_MODEL", "test-model".into()),
        ],
    );
    deliver(&first.base, "ev-1", 10, 1);
    deliver(&first.base, "ev-2", 20, 2);
    let (status, session) = call(
        reqwest::Method::POST,
        &format!("{}/v1/sessions", first.base),
        &coach,
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
        &format!("{}/v1/sessions/{id}/generate", first.base),
        &coach,
        None,
    );
    assert_eq!(status, 202, "{accepted}");
    wait_for("the generation running", Duration::from_secs(20), || {
        generation_status(&first.base, &coach, &id) == "running"
    });

    drop(first); // SIGKILL: no shutdown of any kind

    let restarted_at = Instant::now();
    let second = start(&db, &[("COACHING_AI_PROVIDER", "builtin".into())]);
    wait_for("the generation succeeded", Duration::from_secs(60), || {
        generation_status(&second.base, &coach, &id) == "succeeded"
    });
    assert!(restarted_at.elapsed() < Duration::from_secs(60));
    let (_, s) = call(
        reqwest::Method::GET,
        &format!("{}/v1/sessions/{id}", second.base),
        &coach,
        None,
    );
    assert_eq!(s["review"]["generation"]["provider"], "builtin");
    assert_eq!(s["review"]["criteria"][0]["criterionId"], "empathy");
    assert!(s["actionItems"].as_array().is_some_and(|a| !a.is_empty()));
    let (_, inbox) = call(
        reqwest::Method::GET,
        &format!("{}/v1/notifications", second.base),
        &coach,
        None,
    );
    let ready: Vec<&Value> = inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["type"] == "coaching_ready")
        .collect();
    assert_eq!(ready.len(), 1, "{inbox}");
    assert_eq!(ready[0]["data"]["status"], "succeeded");
    drop(black_hole);
}
