//! Crash durability of accepted generations: `coaching-local` is killed (SIGKILL) while a
//! generation it accepted with 202 is running, and the generation completes after a restart.
//!
//! The first run's provider is an OpenAI-compatible endpoint that accepts connections and never
//! answers, so the generation is certainly claimed and in flight when the process dies; the
//! second run uses the builtin generator.

mod common;

use common::*;
use serde_json::Value;
use std::net::TcpListener;
use std::time::{Duration, Instant};

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
    let id = draft_review_and_generate(&first.base, &coach);
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
