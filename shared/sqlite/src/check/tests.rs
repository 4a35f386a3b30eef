//! The check on a store written as the use cases write it (clean), then corrupted with raw SQL
//! one way at a time: each corruption is reported, under its invariant, and nothing else is.

use super::{CheckReport, Invariant, check_file};
use crate::SqliteStore;
use coaching_domain::ports::{Changes, SessionPut, SessionStore};
use coaching_domain::reminder::reminder_writes;
use coaching_domain::session::{Session, SessionKind, SessionStatus};
use coaching_domain::slots::slot_locks;
use coaching_store_contract::fixtures::{
    at, claimed, fresh_org, generation_job, new_generation, notification, session,
};

/// A session as a booking leaves it: no links, no pending request, no cancellation.
fn plain(org: &coaching_domain::ids::OrgId, id: &str, kind: SessionKind) -> Session {
    let mut s = session(org, id, "c1", "k1", at(24 * 60));
    s.kind = kind;
    s.previous_session_id = None;
    s.next_session_id = None;
    s.pending_reschedule_request = None;
    s.cancellation = None;
    s.no_show = None;
    for a in &mut s.action_items {
        a.session_id = s.id.clone();
    }
    s
}

/// What booking `s` commits: the session, its blocks, its reminders, one notification.
fn booking(s: &Session, n: u32) -> Changes {
    let start = s.starts_at.expect("a start");
    Changes {
        sessions: vec![SessionPut {
            session: s.clone(),
            expected_version: None,
        }],
        acquire_locks: slot_locks(&s.coach_id, start, s.duration_minutes, s.buffer_minutes)
            .into_iter()
            .map(|k| (k, s.id.clone()))
            .collect(),
        reminders: reminder_writes(s, at(-7 * 24 * 60)),
        notifications: vec![notification(&s.org, n, "c1")],
        ..Changes::default()
    }
}

/// A file store holding a paid session, a review session with a claimed generation, and a
/// cancelled session, all as the use cases write them.
fn clean_store() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db").to_str().unwrap().to_owned();
    let org = fresh_org();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(&path).unwrap();
        let paid = plain(&org, "s-paid", SessionKind::Paid);
        store.commit(booking(&paid, 1)).await.unwrap();
        let mut review = plain(&org, "s-review", SessionKind::Review);
        review.starts_at = Some(at(3 * 24 * 60));
        review.action_items.clear();
        store.commit(booking(&review, 2)).await.unwrap();
        let job = generation_job(&org, 1, "s-review", Some(at(-60)));
        store.commit(new_generation(&job)).await.unwrap();
        let running = claimed(&job, at(-50));
        let claim = coaching_store_contract::fixtures::replace_generation(&job, &running);
        store.commit(claim).await.unwrap();
        let mut gone = plain(&org, "s-gone", SessionKind::Paid);
        gone.status = SessionStatus::Cancelled;
        gone.starts_at = Some(at(5 * 24 * 60));
        gone.action_items.clear();
        store
            .commit(coaching_store_contract::fixtures::insert(&[&gone]))
            .await
            .unwrap();
        assert!(store.session(&org, &gone.id).await.unwrap().is_some());
    });
    (dir, path, org.as_str().to_owned())
}

fn corrupted(sql: &str) -> CheckReport {
    let (_dir, path, org) = clean_store();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&sql.replace("$ORG", &org)).unwrap();
    drop(conn);
    check_file(&path).unwrap()
}

fn invariants(report: &CheckReport) -> Vec<Invariant> {
    report.problems.iter().map(|p| p.invariant).collect()
}

#[test]
fn a_store_written_as_the_use_cases_write_it_passes() {
    let (_dir, path, _) = clean_store();

    let report = check_file(&path).unwrap();

    assert!(report.is_ok(), "{:#?}", report.problems);
    assert_eq!(report.counts.sessions, 3);
    // 30 minutes plus a 10-minute buffer rounded up to the grid: three blocks per session.
    assert_eq!(report.counts.locks, 6);
    assert_eq!(report.counts.reminders, 4);
    assert_eq!(report.counts.outbox, 2);
    assert_eq!(report.counts.generations, 1);
    assert_eq!(report.counts.action_items, 1);
}

#[test]
fn a_lock_of_a_session_that_does_not_exist_is_reported() {
    let report = corrupted(
        "INSERT INTO locks (org, key, session_id) VALUES ('$ORG', 'slot#c1#1900000000', 'ghost')",
    );

    assert_eq!(invariants(&report), [Invariant::OrphanLock], "{report:#?}");
    assert!(report.problems[0].detail.contains("ghost"));
}

#[test]
fn a_scheduled_session_missing_one_of_its_blocks_is_reported() {
    let report = corrupted(
        "DELETE FROM locks WHERE key = (SELECT min(key) FROM locks WHERE session_id = 's-paid')",
    );

    assert_eq!(invariants(&report), [Invariant::MissingLock], "{report:#?}");
    assert_eq!(report.problems[0].subject, "session s-paid");
}

#[test]
fn a_reminder_of_a_cancelled_session_is_reported() {
    let report = corrupted(
        "INSERT INTO reminders (org, session_id, kind, due_ms, doc) \
         SELECT org, 's-gone', kind, due_ms, json_set(doc, '$.session_id', 's-gone') \
         FROM reminders WHERE session_id = 's-paid' AND kind = '1h'",
    );

    assert_eq!(invariants(&report), [Invariant::Reminder], "{report:#?}");
    assert!(report.problems[0].detail.contains("cancelled"));
}

#[test]
fn an_outbox_event_without_its_notification_is_reported() {
    let report = corrupted(
        "DELETE FROM notifications WHERE rowid IN (SELECT rowid FROM notifications LIMIT 1)",
    );

    assert_eq!(invariants(&report), [Invariant::Outbox], "{report:#?}");
}

#[test]
fn a_claimed_generation_without_a_lease_is_reported() {
    let report = corrupted("UPDATE generations SET doc = json_set(doc, '$.lease_until', NULL)");

    assert_eq!(invariants(&report), [Invariant::Generation], "{report:#?}");
    assert!(report.problems[0].detail.contains("without a lease"));
}

#[test]
fn a_session_row_whose_columns_disagree_with_its_document_is_reported() {
    let report = corrupted("UPDATE sessions SET status = 'draft' WHERE id = 's-paid'");

    assert_eq!(invariants(&report), [Invariant::Document], "{report:#?}");
}

#[test]
fn a_missing_file_is_an_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.db");

    assert!(check_file(path.to_str().unwrap()).is_err());
    assert!(!path.exists());
}

#[test]
fn an_org_event_in_the_outbox_stands_alone_and_is_no_orphan() {
    let (_dir, path, org) = clean_store();
    let org = coaching_domain::ids::OrgId::parse(org).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(&path).unwrap();
        let changes = Changes {
            events: vec![coaching_store_contract::event(&org, 1, at(0))],
            ..Changes::default()
        };
        store.commit(changes).await.unwrap();
    });

    let report = check_file(&path).unwrap();

    assert!(report.is_ok(), "{:#?}", report.problems);
    assert_eq!(report.counts.outbox, 3);
}
