//! `coaching-local check` as a user runs it: 0 and "ok" on a store the server wrote, 1 and the
//! problem named on a corrupted one, 2 when there is nothing it can check.

mod common;

use common::*;
use std::process::{Command, Output};

fn check(env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coaching-local"));
    cmd.arg("check").env_clear();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("check runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    (status.code(), text)
}

#[test]
fn check_passes_on_the_servers_store_and_names_an_orphan_lock_with_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("coaching.db");
    let path = db.to_str().expect("utf-8").to_owned();
    let server = start(&db, &[]);
    let coach = token("coach-ana", "coach");
    let (status, body) = call(
        reqwest::Method::POST,
        &format!("{}/v1/sessions", server.base),
        &coach,
        Some(
            serde_json::json!({"kind": "review", "coachId": "coach-ana", "clientId": "agent-1",
            "name": "Draft", "review": {"periodStart": "2026-11-01T00:00:00Z",
            "periodEnd": "2026-12-01T00:00:00Z"}}),
        ),
    );
    assert_eq!(status, 201, "{body}");
    drop(server);

    let clean = check(&[("COACHING_SQLITE_PATH", &path)]);
    rusqlite::Connection::open(&db)
        .expect("open")
        .execute(
            "INSERT INTO locks (org, key, session_id) VALUES ('acme', 'slot#coach-ana#1900000000', 'ghost')",
            [],
        )
        .expect("corrupt");
    let corrupted = check(&[("COACHING_SQLITE_PATH", &path)]);

    assert_eq!(clean.0, Some(0), "{}", clean.1);
    assert!(
        clean.1.contains("1 sessions") && clean.1.contains("ok: every invariant holds"),
        "{}",
        clean.1
    );
    assert_eq!(corrupted.0, Some(1), "{}", corrupted.1);
    assert!(
        corrupted
            .1
            .contains("[orphan-lock] org acme, lock slot#coach-ana#1900000000"),
        "{}",
        corrupted.1
    );
    assert!(corrupted.1.contains("FAILED: 1 problem"), "{}", corrupted.1);
}

#[test]
fn check_exits_2_without_a_store_file_and_does_not_create_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("absent.db");

    let (code, text) = check(&[("COACHING_SQLITE_PATH", db.to_str().expect("utf-8"))]);

    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("cannot check"), "{text}");
    assert!(!db.exists());
}

#[test]
fn check_says_the_dynamodb_store_is_not_supported_with_exit_2() {
    let (code, text) = check(&[("COACHING_STORE", "dynamodb")]);

    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("not supported"), "{text}");
}
