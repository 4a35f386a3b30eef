//! Graceful shutdown of `coaching-local`: SIGTERM or SIGINT stops accepting, lets a request in
//! flight finish with its answer, stops the ticker and the worker, and exits 0 within 10 s,
//! leaving a store that passes `coaching-local check`.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

fn signal(server: &Server, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name}");
}

/// Waits for the process to end; its exit status and how long after `since` it ended.
fn exit_of(server: &mut Server, since: Instant) -> (std::process::ExitStatus, Duration) {
    loop {
        if let Some(status) = server.child.try_wait().expect("try_wait") {
            return (status, since.elapsed());
        }
        assert!(
            since.elapsed() < Duration::from_secs(15),
            "coaching-local still runs 15 s after the signal"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn check_passes(db: &std::path::Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_coaching-local"))
        .arg("check")
        .env_clear()
        .env("COACHING_SQLITE_PATH", db)
        .output()
        .expect("check runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_and_exits_0_within_10_s() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("coaching.db");
    let mut server = start(&db, &[]);
    let coach = token("coach-ana", "coach");
    let addr = server.base.trim_start_matches("http://").to_owned();
    let body = serde_json::json!({"kind": "review", "coachId": "coach-ana", "clientId": "agent-1",
        "name": "In flight", "review": {"periodStart": "2026-11-01T00:00:00Z",
        "periodEnd": "2026-12-01T00:00:00Z"}})
    .to_string();
    // A request whose body is only half sent: in flight when the signal comes.
    let mut stream = TcpStream::connect(&addr).expect("connect");
    let head = format!(
        "POST /v1/sessions HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {coach}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).expect("head");
    stream.write_all(first.as_bytes()).expect("half the body");
    stream.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(200));

    let signalled = Instant::now();
    signal(&server, "TERM");
    std::thread::sleep(Duration::from_millis(300));
    let refused = TcpStream::connect(&addr).is_err();
    stream
        .write_all(rest.as_bytes())
        .expect("the rest of the body");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("the answer");
    let (status, after) = exit_of(&mut server, signalled);

    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(answer.contains("In flight"), "{answer}");
    assert!(refused, "a new connection was accepted after SIGTERM");
    assert_eq!(status.code(), Some(0), "{status}");
    assert!(
        after < Duration::from_secs(10),
        "exited {after:?} after SIGTERM"
    );
    check_passes(&db);
    let again = start(&db, &[]);
    let (code, list) = call(
        reqwest::Method::GET,
        &format!("{}/v1/sessions?role=coach", again.base),
        &coach,
        None,
    );
    assert_eq!(code, 200);
    assert_eq!(list["items"][0]["name"], "In flight", "{list}");
}

#[test]
fn sigint_with_a_generation_stuck_at_its_provider_exits_0_within_10_s() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("coaching.db");
    // An OpenAI-compatible endpoint that accepts and never answers: the worker is mid-item.
    let black_hole = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
    let hole = format!("http://{}/v1", black_hole.local_addr().expect("addr"));
    let mut server = start(
        &db,
        &[
            ("COACHING_AI_PROVIDER", "openai".into()),
            ("COACHING_AI_BASE_URL", hole),
            ("COACHING_AI_API_KEY", "test-key".into()),
            ("COACHING_AI_MODEL", "test-model".into()),
        ],
    );
    let coach = token("coach-ana", "coach");
    deliver(&server.base, "ev-1", 10, 1);
    let id = draft_review_and_generate(&server.base, &coach);
    wait_for("the generation running", Duration::from_secs(20), || {
        generation_status(&server.base, &coach, &id) == "running"
    });

    let signalled = Instant::now();
    signal(&server, "INT");
    let (status, after) = exit_of(&mut server, signalled);

    assert_eq!(status.code(), Some(0), "{status}");
    assert!(
        after < Duration::from_secs(10),
        "exited {after:?} after SIGINT"
    );
    check_passes(&db);
    let again = start(&db, &[("COACHING_AI_PROVIDER", "builtin".into())]);
    wait_for("the generation succeeded", Duration::from_secs(30), || {
        generation_status(&again.base, &coach, &id) == "succeeded"
    });
    drop(black_hole);
}
