//! Real SQS event JSON from `tests/fixtures/` (the files `cargo lambda invoke --data-file`
//! takes) fed to the worker's handler over a SQLite `:memory:` store with the builtin
//! generator. The generations are real: evaluations delivered, a review session drafted and a
//! generation requested through `Services`; the fixtures' bodies name them by placeholder
//! (`GENERATION_A`, `GENERATION_B`), replaced by the ids `request_generation` gave.

mod support;

use aws_lambda_events::event::sqs::SqsEvent;
use chrono::Duration;
use coaching_ai::BuiltinGenerator;
use coaching_ai_worker::{MAX_RECEIVES, handle};
use coaching_domain::evaluation::GenerationStatus;
use coaching_domain::generation::{GenerationPut, MAX_CLAIMS};
use coaching_domain::ports::{Changes, Ports, SessionStore};
use coaching_domain::service::Services;
use coaching_runtime::UlidIds;
use coaching_sqlite::SqliteStore;
use std::sync::Arc;
use support::*;

#[tokio::test]
async fn a_batch_of_two_generation_messages_finishes_both_and_reports_no_failure() {
    let w = world();
    let (session_a, a) = w.queued_generation("agent-bo").await;
    let (session_b, b) = w.queued_generation("agent-cy").await;

    let response = handle(
        &w.services,
        &BuiltinGenerator,
        event(
            "sqs_two_generations.json",
            &[("GENERATION_A", &a), ("GENERATION_B", &b)],
        ),
    )
    .await;

    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    for (session, id) in [(&session_a, &a), (&session_b, &b)] {
        assert_eq!(w.status(session).await, GenerationStatus::Succeeded);
        let job = w.job(id).await;
        assert_eq!((job.status, job.claims), (GenerationStatus::Succeeded, 1));
        let review = w.session(session).await.review.unwrap();
        assert!(
            !review.criteria.is_empty(),
            "the builtin generator wrote criteria"
        );
        assert_eq!(
            review.generation.unwrap().provider.as_deref(),
            Some("builtin")
        );
    }
}

#[tokio::test]
async fn a_poison_message_among_valid_ones_is_the_only_failed_id() {
    let w = world();
    let (session_a, a) = w.queued_generation("agent-bo").await;
    let (session_b, b) = w.queued_generation("agent-cy").await;

    let response = handle(
        &w.services,
        &BuiltinGenerator,
        event(
            "sqs_poison_among_valid.json",
            &[("GENERATION_A", &a), ("GENERATION_B", &b)],
        ),
    )
    .await;

    // Reported (not deleted): after three receives SQS moves it to the dead-letter queue.
    assert_eq!(
        failed_ids(&response),
        ["c4a81f37-6e20-4d9b-8f5c-2a7d0e9b1c46"]
    );
    assert_eq!(w.status(&session_a).await, GenerationStatus::Succeeded);
    assert_eq!(w.status(&session_b).await, GenerationStatus::Succeeded);
}

#[tokio::test]
async fn a_redelivered_message_for_a_finished_generation_succeeds_and_writes_nothing() {
    let w = world();
    let (session, a) = w.queued_generation("agent-bo").await;
    let (_, b) = w.queued_generation("agent-cy").await;
    let first = handle(
        &w.services,
        &BuiltinGenerator,
        event(
            "sqs_two_generations.json",
            &[("GENERATION_A", &a), ("GENERATION_B", &b)],
        ),
    )
    .await;
    assert!(first.batch_item_failures.is_empty());
    let before = w.session(&session).await;
    let job_before = w.job(&a).await;
    w.clock.set(t(NOW) + Duration::minutes(5));

    // SQS delivers the same message again (at-least-once): its second receive.
    let again = handle(
        &w.services,
        &BuiltinGenerator,
        event("sqs_redelivered.json", &[("GENERATION_A", &a)]),
    )
    .await;

    assert!(again.batch_item_failures.is_empty(), "{again:?}");
    let after = w.session(&session).await;
    assert_eq!(
        after.version, before.version,
        "the session was written again"
    );
    assert_eq!(after, before);
    assert_eq!(w.job(&a).await, job_before);
}

#[tokio::test]
async fn a_store_failure_on_the_last_receive_is_reported_and_the_generation_still_ends_failed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coaching.sqlite3");
    let path = path.to_str().unwrap();
    let w = world_on(SqliteStore::open(path).unwrap());
    let (session, a) = w.queued_generation("agent-bo").await;

    // The store fails: its generations table is gone.
    let other = rusqlite::Connection::open(path).unwrap();
    other
        .execute_batch("ALTER TABLE generations RENAME TO generations_away")
        .unwrap();
    let response = handle(
        &w.services,
        &BuiltinGenerator,
        event("sqs_last_receive.json", &[("GENERATION_A", &a)]),
    )
    .await;
    // Reported failed on its third receive: SQS moves the message to the dead-letter queue.
    assert_eq!(
        failed_ids(&response),
        ["7a3f9e15-2c84-4b6d-a1e9-6d0b8f4c2a37"]
    );
    assert_eq!(MAX_RECEIVES, 3);
    other
        .execute_batch("ALTER TABLE generations_away RENAME TO generations")
        .unwrap();
    assert_eq!(w.status(&session).await, GenerationStatus::Queued);

    // The record is the truth, and still due: the reminder function's sweep sends it again.
    let sweeper_queue = Arc::new(RecordingQueue::default());
    let sweeper = Services::new(Ports {
        store: w.store.clone(),
        clock: w.clock.clone(),
        ids: Arc::new(UlidIds::new()),
        events: None,
        queue: Some(sweeper_queue.clone()),
        outbound: coaching_domain::ports::Outbound::new(coaching_http::session_event_view),
    });
    let later = t(NOW) + Duration::minutes(10);
    assert_eq!(sweeper.resend_due_generations(later).await.unwrap(), 1);
    assert_eq!(
        *sweeper_queue.sent.lock().unwrap(),
        std::slice::from_ref(&a)
    );

    // Say each of its claims then died with its worker (killed, timed out) before writing:
    // the record is running, its last claim lapsed, and no claim is left.
    let job = w.job(&a).await;
    let mut spent = job.clone();
    spent.status = GenerationStatus::Running;
    spent.claims = MAX_CLAIMS;
    spent.lease_until = Some(later - Duration::minutes(1));
    spent.due_at = spent.lease_until;
    w.store
        .commit(Changes {
            generations: vec![GenerationPut {
                job: spent,
                expected: Some((job.status, job.claims)),
            }],
            ..Changes::default()
        })
        .await
        .unwrap();
    w.clock.set(later);

    // Its next message (the sweep's, on whatever receive) fails the generation for good.
    let response = handle(
        &w.services,
        &BuiltinGenerator,
        event("sqs_last_receive.json", &[("GENERATION_A", &a)]),
    )
    .await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    let generation = w
        .session(&session)
        .await
        .review
        .unwrap()
        .generation
        .unwrap();
    assert_eq!(generation.status, GenerationStatus::Failed);
    assert!(
        generation
            .error
            .as_deref()
            .is_some_and(|e| e.contains("did not finish after 3 attempts")),
        "{generation:?}"
    );
    assert_eq!(
        w.job(&a).await.due_at,
        None,
        "no longer due: the sweep is done"
    );
}

#[test]
fn the_templates_max_receive_count_is_the_workers_max_receives() {
    let path = format!("{}/../../infra/template.yaml", env!("CARGO_MANIFEST_DIR"));
    let template: serde_json::Value =
        yaml_serde::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let redrive = &template["Resources"]["GenerationQueue"]["Properties"]["RedrivePolicy"];
    assert_eq!(redrive["maxReceiveCount"], u64::from(MAX_RECEIVES));
}

#[test]
fn every_fixture_is_an_sqs_event_of_the_generation_queue() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let event: SqsEvent =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(!event.records.is_empty(), "{path:?}");
        for r in &event.records {
            assert_eq!(r.event_source.as_deref(), Some("aws:sqs"), "{path:?}");
            assert!(r.message_id.is_some() && r.body.is_some(), "{path:?}");
            assert!(r.attributes.contains_key("ApproximateReceiveCount"));
        }
    }
}
