//! `coaching-local` on DynamoDB when DynamoDB fails mid-run: a moto server of the test's own
//! (scripts/lib/moto.sh's serialized launcher, so the test can stop it) is frozen with SIGSTOP,
//! thawed with SIGCONT, then killed. A frozen or unreachable store answers 503 problem+json
//! `store_unavailable` with `Retry-After` within the request bound, never a hang, and the
//! server serves again once the store is back. Needs the workspace's `.venv` (moto[server]) or
//! `$COACHING_TEST_PYTHON`: ignored in a plain `cargo test`, run by scripts/test.

mod common;

use common::{free_port, start, token};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The longest a request may take whatever the store does (the router's deadline, 10 s), plus
/// scheduling slack for a busy machine.
const BOUND: Duration = Duration::from_secs(11);

/// A moto server the test owns; killed (after a SIGCONT) when dropped.
struct Moto {
    child: Child,
    endpoint: String,
    _dir: tempfile::TempDir,
}

impl Moto {
    fn start() -> Moto {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let python = std::env::var("COACHING_TEST_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root.join(".venv/bin/python"));
        let dir = tempfile::tempdir().expect("tempdir");
        // The launcher scripts/test uses (DynamoDB requests one at a time), written by moto.sh.
        let written = Command::new("bash")
            .args([
                "-c",
                "source \"$1/scripts/lib/moto.sh\" && WORK_DIR=\"$2\" write_moto_launcher",
                "bash",
            ])
            .arg(&root)
            .arg(dir.path())
            .status()
            .expect("bash");
        assert!(written.success(), "write_moto_launcher failed");
        let port = free_port();
        let child = Command::new(&python)
            .arg(dir.path().join("moto_server.py"))
            .args(["127.0.0.1", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{} (moto[server]): {e}", python.display()));
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        let started = Instant::now();
        while http()
            .get(format!("{}/moto-api/", moto.endpoint))
            .send()
            .is_err()
        {
            assert!(started.elapsed() < Duration::from_secs(30), "moto started");
            std::thread::sleep(Duration::from_millis(200));
        }
        moto
    }

    fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success(), "kill {signal}");
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("COACHING_STORE", "dynamodb".into()),
            ("COACHING_TABLE", format!("faults-{}", std::process::id())),
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.signal_quietly("-CONT");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    fn signal_quietly(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status();
    }
}

/// A client that waits longer than the bound, so that the server's answer is what is measured.
fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
        .expect("client")
}

/// GET `url`: status, headers, body, and how long the answer took.
fn timed_get(url: &str, token: &str) -> (u16, reqwest::header::HeaderMap, Value, Duration) {
    let started = Instant::now();
    let resp = http()
        .get(url)
        .bearer_auth(token)
        .send()
        .expect("an answer");
    let took = started.elapsed();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.json().unwrap_or(Value::Null), took)
}

fn assert_store_unavailable(
    (status, headers, body, took): &(u16, reqwest::header::HeaderMap, Value, Duration),
    within: Duration,
) {
    assert_eq!(*status, 503, "{body}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert!(headers.contains_key("retry-after"), "{headers:?}");
    assert_eq!(body["code"], "store_unavailable", "{body}");
    let text = body.to_string();
    assert!(
        !text.contains("DynamoDB") && !text.contains("127.0.0.1"),
        "{text}"
    );
    assert!(*took <= within, "answered after {took:?}, bound {within:?}");
}

#[test]
#[ignore = "needs moto[server] in .venv: scripts/test runs it"]
fn a_frozen_or_dead_dynamodb_answers_503_in_bounded_time_and_service_resumes() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start(&dir.path().join("unused.db"), &moto.env());
    let coach = token("coach-ana", "coach");
    let created = http()
        .post(format!("{}/v1/sessions", server.base))
        .bearer_auth(&coach)
        .json(&json!({"kind": "review", "coachId": "coach-ana", "clientId": "agent-1",
            "name": "November review",
            "review": {"periodStart": "2026-11-01T00:00:00Z", "periodEnd": "2026-12-01T00:00:00Z"}}))
        .send()
        .expect("create");
    assert_eq!(created.status().as_u16(), 201);
    let id = created.json::<Value>().expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let url = format!("{}/v1/sessions/{id}", server.base);
    assert_eq!(timed_get(&url, &coach).0, 200);

    // Frozen: connections are accepted (the kernel's backlog) but nothing answers.
    moto.signal("-STOP");
    let frozen = timed_get(&url, &coach);
    assert_store_unavailable(&frozen, BOUND);
    eprintln!("frozen DynamoDB: 503 after {:?}", frozen.3);

    // Thawed: served again.
    moto.signal("-CONT");
    let thawed = timed_get(&url, &coach);
    assert_eq!(thawed.0, 200, "{}", thawed.2);
    assert_eq!(thawed.2["id"], id.as_str());

    // Dead: connections are refused, and the SDK's retries of a refused connection are quick.
    moto.signal("-KILL");
    std::thread::sleep(Duration::from_millis(200));
    let dead = timed_get(&url, &coach);
    assert_store_unavailable(&dead, Duration::from_secs(5));
    eprintln!("dead DynamoDB: 503 after {:?}", dead.3);
    // The server itself is fine: what needs no store still answers.
    let health = http()
        .get(format!("{}/health", server.base))
        .send()
        .expect("health");
    assert_eq!(health.status().as_u16(), 200);
}
