//! The generation sweep in the scheduled function (docs/api.md#review-sessions-and-ai-generation): after its job, a function whose process
//! has a generation queue (`COACHING_QUEUE_URL`: the reminder function) sends every due
//! generation to the queue again, at the scheduled event's time; without a queue it does nothing.

use async_trait::async_trait;
use coaching_domain::evaluation::GenerationStatus;
use coaching_domain::generation::{GenerationJob, GenerationRequest};
use coaching_domain::ports::{GenerationQueue, Ports};
use coaching_domain::service::{CreateSession, Job, ReviewInput, Services};
use coaching_domain::session::SessionKind;
use coaching_domain::webhook::{EvaluationEvent, EvaluationInput, ScoreInput, WebhookDelivery};
use coaching_domain::{Actor, GenerationId, OrgId, Role, Roles, UserId};
use coaching_jobs::handle;
use coaching_runtime::UlidIds;
use coaching_tests::*;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::json;
use std::sync::{Arc, Mutex};

/// What the function's SQS queue was handed.
#[derive(Default)]
struct RecordingQueue {
    sent: Mutex<Vec<GenerationId>>,
}

#[async_trait]
impl GenerationQueue for RecordingQueue {
    async fn enqueue(&self, job: &GenerationJob) -> Result<(), String> {
        self.sent.lock().unwrap().push(job.id.clone());
        Ok(())
    }
    fn resend_after(&self) -> chrono::Duration {
        chrono::Duration::minutes(2)
    }
}

fn scheduled(time: &str) -> LambdaEvent<coaching_jobs::JobEvent> {
    LambdaEvent::new(
        serde_json::from_value(
            json!({"time": time, "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}),
        )
        .unwrap(),
        Context::default(),
    )
}

/// The app's store and clock with a queue, as the reminder function wires them, and a queued
/// generation of a November review requested through them at `START` (handed over once).
async fn with_queued_generation(app: &TestApp) -> (Services, Arc<RecordingQueue>, GenerationId) {
    let queue = Arc::new(RecordingQueue::default());
    let services = Services::new(Ports {
        store: app.store.clone(),
        clock: app.clock.clone(),
        ids: Arc::new(UlidIds::new()),
        events: None,
        queue: Some(queue.clone()),
        outbound: coaching_domain::ports::Outbound::new(coaching_http::session_event_view),
    });
    let org = OrgId::parse("acme").unwrap();
    let delivery = WebhookDelivery {
        webhook_id: "msg_1".into(),
        timestamp: t("2026-11-03T10:00:00Z").timestamp(),
        event: EvaluationEvent::Completed(EvaluationInput {
            evaluation_id: "ev-1".into(),
            coachee_id: "agent-bo".into(),
            scorecard_id: "support".into(),
            scorecard_name: "Support".into(),
            ticket_id: None,
            ticket_url: None,
            evaluator_id: None,
            evaluated_at: t("2026-11-03T10:00:00Z"),
            scores: vec![ScoreInput {
                criterion_id: "accuracy".into(),
                criterion_name: "Accuracy".into(),
                score: Some(2.0),
                max_score: 4.0,
                soft: false,
                comment: Some("Wrong refund policy".into()),
            }],
        }),
    };
    services.ingest_evaluation(&org, delivery).await.unwrap();
    let coach = Actor::new(
        UserId::parse("coach-ana").unwrap(),
        org,
        Roles::default().with(Role::Coach),
    );
    let (session, _) = services
        .create_session(
            &coach,
            CreateSession {
                kind: SessionKind::Review,
                coach_id: coach.user.clone(),
                client_id: UserId::parse("agent-bo").unwrap(),
                starts_at: None,
                duration_minutes: Some(45),
                name: Some("November review".into()),
                agenda_template_id: None,
                recurrence: None,
                review: Some(ReviewInput {
                    period_start: t("2026-11-01T00:00:00Z"),
                    period_end: t("2026-12-01T00:00:00Z"),
                    scorecard_ids: vec![],
                }),
            },
            None,
        )
        .await
        .unwrap();
    let generation = services
        .request_generation(&coach, &session.id, GenerationRequest::default())
        .await
        .unwrap();
    assert_eq!(generation.status, GenerationStatus::Queued);
    assert_eq!(
        *queue.sent.lock().unwrap(),
        std::slice::from_ref(&generation.id)
    );
    (services, queue, generation.id)
}

#[tokio::test]
async fn the_reminder_function_sends_due_generations_to_the_queue_again_at_the_events_time() {
    let app = spawn_app().await;
    let (services, queue, id) = with_queued_generation(&app).await;
    let start = t(START);

    // A minute later the record is not due yet (SQS gets 2 minutes to deliver it).
    let early = (start + chrono::Duration::minutes(1)).to_rfc3339();
    let out = handle(&services, Job::Reminders, scheduled(&early))
        .await
        .unwrap();
    assert_eq!(out["generationsResent"], 0);

    // Three minutes after the request nobody took it up: it goes to the queue again, once.
    let late = (start + chrono::Duration::minutes(3)).to_rfc3339();
    let out = handle(&services, Job::Reminders, scheduled(&late))
        .await
        .unwrap();
    assert_eq!(out["job"], "reminders");
    assert_eq!(out["generationsResent"], 1);
    assert_eq!(*queue.sent.lock().unwrap(), [id.clone(), id.clone()]);
    // The same event again (EventBridge is at-least-once): its due time moved on.
    let out = handle(&services, Job::Reminders, scheduled(&late))
        .await
        .unwrap();
    assert_eq!(out["generationsResent"], 0);
    assert_eq!(queue.sent.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_function_without_a_queue_sweeps_nothing() {
    let app = spawn_app().await;
    let (_, queue, _) = with_queued_generation(&app).await;
    let start = t(START);

    // The app's own services have no queue (as the reschedule-expiry function).
    let late = (start + chrono::Duration::minutes(10)).to_rfc3339();
    let out = handle(&app.services, Job::RescheduleExpiry, scheduled(&late))
        .await
        .unwrap();

    assert_eq!(out["generationsResent"], 0);
    assert_eq!(queue.sent.lock().unwrap().len(), 1);
}
