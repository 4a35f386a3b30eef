//! Crash durability on SQLite: 16 connections book, reschedule (coach: at once) and cancel
//! against the real `coaching-local`; it is killed with SIGKILL at a random (seeded) moment
//! and restarted on the same file. Every acknowledged write must be there (or the one write
//! that was in flight on that session when the process died), `coaching-local check` must
//! pass on the file, and the server must serve again. Several rounds on one file.
//!
//! The seed is printed; `COACHING_CRASH_SEED=<n>` repeats a run's choices and kill moments.

mod common;
mod crash_load;

use common::*;
use crash_load::{Rng, Tracked, Workload};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const ROUNDS: u64 = 3;

#[test]
fn every_acknowledged_write_survives_a_kill_and_the_store_checks_clean() {
    let seed = std::env::var("COACHING_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    eprintln!("crash test seed: {seed} (COACHING_CRASH_SEED={seed} repeats it)");
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("coaching.db");
    let started = Instant::now();
    let mut server = start(&db, &[]);
    let workload = Workload::prepare(&server.base);
    let mut sessions: HashMap<String, Tracked> = HashMap::new();

    for round in 0..ROUNDS {
        // Act: load from 16 connections, SIGKILL at a random moment.
        let kill_after = Duration::from_millis(300 + rng.below(1200));
        let run = workload.run(&server.base, seed ^ (round + 1), &mut sessions);
        std::thread::sleep(kill_after);
        server.child.kill().expect("SIGKILL");
        server.child.wait().expect("killed");
        let outcome = run.join();
        eprintln!(
            "round {round}: killed after {kill_after:?}; acknowledged writes {}, in flight {}, sessions known {}",
            outcome.acknowledged,
            outcome.in_flight,
            outcome.sessions.len()
        );
        assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
        assert!(
            outcome.acknowledged > 0,
            "nothing was acknowledged before the kill"
        );
        sessions = outcome.sessions;

        // Assert: nothing half-written, then every acknowledged write is there.
        let check = check_store(&db);
        assert!(
            check.0,
            "coaching-local check failed after the kill:\n{}",
            check.1
        );
        server = start(&db, &[]);
        let lost = workload.verify(&server.base, &mut sessions);
        assert!(lost.is_empty(), "round {round} (seed {seed}): {lost:#?}");
        assert_eq!(
            workload.book_one(&server.base, &mut rng, round),
            201,
            "serves again"
        );
    }
    assert!(sessions.len() > 10, "too few bookings to mean anything");
    eprintln!("{ROUNDS} rounds in {:?}", started.elapsed());
}

/// Runs `coaching-local check` on the file: (exit 0, its output).
fn check_store(db: &std::path::Path) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_coaching-local"))
        .arg("check")
        .env_clear()
        .env("COACHING_SQLITE_PATH", db)
        .output()
        .expect("coaching-local check runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}
