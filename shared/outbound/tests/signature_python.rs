//! The signatures against the other reference implementation, the Python `standardwebhooks`
//! package: what a receiver written in Python does with our deliveries.
//!
//! Ignored in a plain `cargo test`: scripts/test runs it with `COACHING_TEST_PYTHON` pointing at
//! a Python that has the `standardwebhooks` package (its .venv), as
//! `COACHING_TEST_PYTHON="$VENV/bin/python" cargo test -p coaching-outbound --test signature_python -- --ignored`.

use coaching_outbound::{new_secret, sign};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

/// Exit status of the script when verification fails (any other failure is the script's own).
const REFUSED: i32 = 3;

/// Verifies `payload` with the Python package, as a receiver does with the request's headers:
/// `Ok` when verified, `Err(message)` when the package refused it. Panics when Python or the
/// package cannot be run at all, so that a missing tool never passes for a refused signature.
fn python_verify(
    python: &str,
    secret: &str,
    msg_id: &str,
    ts: i64,
    signature: &str,
    payload: &[u8],
) -> Result<(), String> {
    let script = r#"
import sys
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
secret, msg_id, ts, sig = sys.argv[1:5]
payload = sys.stdin.buffer.read()
headers = {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": sig}
try:
    Webhook(secret).verify(payload, headers)
except WebhookVerificationError as e:
    print(e)
    sys.exit(3)
print("verified")
"#;
    let mut child = Command::new(python)
        .args(["-c", script, secret, msg_id, &ts.to_string(), signature])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(payload)
        .expect("write the payload");
    let out = child.wait_with_output().expect("python");
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    match out.status.code() {
        Some(0) if stdout == "verified" => Ok(()),
        Some(REFUSED) => Err(stdout),
        _ => panic!(
            "{python} could not verify ({}): {}{}",
            out.status,
            stdout,
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

#[test]
#[ignore = "needs COACHING_TEST_PYTHON with the standardwebhooks Python package: scripts/test runs it"]
fn the_python_reference_verifies_both_signatures_of_a_rotation_and_refuses_a_tampered_body() {
    let python = std::env::var("COACHING_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "COACHING_TEST_PYTHON is not set: point it at a Python with the standardwebhooks \
             package (scripts/test uses .venv/bin/python)"
        )
    });
    let ts = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs(),
    )
    .expect("fits");
    let new = new_secret();
    let old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let payload = r#"{"id":"evt_py","type":"session.booked","data":{"note":"Begrüßung fehlte — «höflich» bleiben"}}"#;
    let signature = sign(&[&new, old], "evt_py", ts, payload.as_bytes()).expect("sign");

    for secret in [new.as_str(), old] {
        python_verify(
            &python,
            secret,
            "evt_py",
            ts,
            &signature,
            payload.as_bytes(),
        )
        .unwrap_or_else(|e| panic!("Python refused the signature for {secret}: {e}"));
    }
    let tampered = payload.replace("höflich", "hoeflich");
    for secret in [new.as_str(), old] {
        let r = python_verify(
            &python,
            secret,
            "evt_py",
            ts,
            &signature,
            tampered.as_bytes(),
        );
        assert!(
            r.is_err(),
            "Python accepted a tampered payload for {secret}"
        );
    }
    let r = python_verify(
        &python,
        &new_secret(),
        "evt_py",
        ts,
        &signature,
        payload.as_bytes(),
    );
    assert!(
        r.is_err(),
        "Python accepted the signature for a stranger's secret"
    );
}
