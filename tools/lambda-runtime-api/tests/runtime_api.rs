//! End-to-end tests of the binary: `coldstart` against fake bootstraps (bash + curl, speaking
//! the Runtime API protocol), and `serve` driven by an HTTP client playing the function.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_coaching-lambda-runtime-api");

fn fixture_event() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/apigw_v2_health.json")
}

/// A bootstrap that checks the `next` headers, then answers `status_code` (or posts an
/// invocation error when a header is missing), then idles like a runtime waiting for more.
fn fake_bootstrap(dir: &Path, name: &str, status_code: u16) -> PathBuf {
    let script = format!(
        r#"#!/usr/bin/env bash
set -euo pipefail
base="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
headers="$(mktemp)"
curl -sS -D "$headers" -o /dev/null "$base/invocation/next"
id="$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | cut -d' ' -f2 | tr -d '\r')"
for h in lambda-runtime-deadline-ms lambda-runtime-invoked-function-arn lambda-runtime-trace-id; do
    if ! grep -qi "^$h: ." "$headers"; then
        curl -sS -X POST -d "{{\"errorMessage\":\"missing $h\"}}" "$base/invocation/$id/error"
        exit 0
    fi
done
grep -qi '^lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:bench' "$headers"
[[ "$AWS_LAMBDA_FUNCTION_MEMORY_SIZE" == 1024 && "$AWS_LAMBDA_FUNCTION_VERSION" == '$LATEST' ]]
[[ "$COACHING_TABLE" == "${{EXPECT_TABLE:-bench}}" ]]
rm -f "$headers"
curl -sS -o /dev/null -X POST -d '{{"statusCode":{status_code},"body":"{{}}"}}' "$base/invocation/$id/response"
exec sleep 30
"#
    );
    let path = dir.join(name);
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn coldstart(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .arg("coldstart")
        .arg("--event")
        .arg(fixture_event())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn coldstart_measures_every_run_and_prints_a_summary_per_bootstrap() {
    let dir = tempfile::tempdir().unwrap();
    let a = fake_bootstrap(dir.path(), "a", 200);
    let b = fake_bootstrap(dir.path(), "b", 200);
    let (ok, stdout, stderr) = coldstart(&[
        "--bootstrap",
        a.to_str().unwrap(),
        "--label",
        "first",
        "--bootstrap",
        b.to_str().unwrap(),
        "--label",
        "second",
        "--runs",
        "3",
        "--env",
        "EXPECT_TABLE=other",
        "--env",
        "COACHING_TABLE=other",
    ]);
    assert!(ok, "stdout: {stdout}\nstderr: {stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    for (line, label) in lines.iter().zip(["first", "second"]) {
        assert_eq!(line["bootstrap"], label);
        assert_eq!(line["runs"], 3);
        assert_eq!(line["samples_ms"].as_array().unwrap().len(), 3);
        let min = line["min_ms"].as_f64().unwrap();
        let median = line["median_ms"].as_f64().unwrap();
        let p90 = line["p90_ms"].as_f64().unwrap();
        let max = line["max_ms"].as_f64().unwrap();
        assert!(
            0.0 < min && min <= median && median <= p90 && p90 <= max,
            "{line}"
        );
        assert!(line["init_median_ms"].as_f64().unwrap() <= median, "{line}");
    }
}

#[test]
fn coldstart_fails_on_an_unexpected_status_code() {
    let dir = tempfile::tempdir().unwrap();
    let bad = fake_bootstrap(dir.path(), "bad", 500);
    let (ok, stdout, stderr) = coldstart(&["--bootstrap", bad.to_str().unwrap(), "--runs", "2"]);
    assert!(!ok, "stdout: {stdout}");
    assert!(stderr.contains("statusCode 500"), "{stderr}");
}

#[test]
fn coldstart_fails_when_the_bootstrap_exits_without_answering() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quits");
    std::fs::write(&path, "#!/bin/sh\necho 'giving up' >&2\nexit 3\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (ok, _, stderr) = coldstart(&["--bootstrap", path.to_str().unwrap(), "--runs", "1"]);
    assert!(!ok);
    assert!(
        stderr.contains("exited") && stderr.contains("giving up"),
        "{stderr}"
    );
}

#[test]
fn coldstart_gives_up_after_the_per_run_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("silent");
    std::fs::write(&path, "#!/bin/sh\nexec sleep 30\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let started = std::time::Instant::now();
    let (ok, _, stderr) = coldstart(&[
        "--bootstrap",
        path.to_str().unwrap(),
        "--runs",
        "1",
        "--warmup",
        "0",
        "--timeout-ms",
        "300",
    ]);
    assert!(!ok);
    assert!(stderr.contains("no answer within 300 ms"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn serve_hands_out_one_event_with_the_lambda_headers_and_refuses_an_unknown_request_id() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut server = Command::new(BIN)
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--timeout-secs",
            "20",
        ])
        .arg("--event")
        .arg(fixture_event())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}/2018-06-01/runtime");
    let client = reqwest::Client::new();
    let mut next = None;
    for _ in 0..200 {
        match client.get(format!("{base}/invocation/next")).send().await {
            Ok(r) => {
                next = Some(r);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
    let next = next.expect("the server never answered");
    assert_eq!(next.status(), 200);
    let h = next.headers().clone();
    let id = h["lambda-runtime-aws-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let deadline: u64 = h["lambda-runtime-deadline-ms"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(deadline > 1_700_000_000_000);
    assert_eq!(
        h["lambda-runtime-invoked-function-arn"],
        "arn:aws:lambda:us-east-1:123456789012:function:bench"
    );
    assert!(
        h["lambda-runtime-trace-id"]
            .to_str()
            .unwrap()
            .starts_with("Root=1-")
    );
    let event: serde_json::Value = next.json().await.unwrap();
    assert_eq!(event["rawPath"], "/health");

    let wrong = client
        .post(format!("{base}/invocation/not-{id}/response"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);

    // A protocol error (here: an unknown request id) ends `serve` with exit status 2.
    let status = tokio::task::spawn_blocking(move || server.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}

#[tokio::test]
async fn serve_prints_the_response_body_and_exits_zero() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut server = Command::new(BIN)
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--timeout-secs",
            "20",
        ])
        .arg("--event")
        .arg(fixture_event())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}/2018-06-01/runtime");
    let client = reqwest::Client::new();
    let mut id = None;
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{base}/invocation/next")).send().await {
            id = Some(
                r.headers()["lambda-runtime-aws-request-id"]
                    .to_str()
                    .unwrap()
                    .to_owned(),
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let id = id.expect("the server never answered");
    let accepted = client
        .post(format!("{base}/invocation/{id}/response"))
        .body(r#"{"statusCode":200,"body":"hi"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    let mut stdout = server.stdout.take().unwrap();
    let (status, printed) = tokio::task::spawn_blocking(move || {
        let mut printed = String::new();
        stdout.read_to_string(&mut printed).unwrap();
        (server.wait().unwrap(), printed)
    })
    .await
    .unwrap();
    assert!(status.success());
    assert_eq!(printed.trim(), r#"{"statusCode":200,"body":"hi"}"#);
}

#[test]
fn serve_refuses_a_non_loopback_address() {
    let out = Command::new(BIN)
        .args(["serve", "--addr", "0.0.0.0:0"])
        .arg("--event")
        .arg(fixture_event())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a loopback address"));
}
