//! The worker's test world: a SQLite store with real queued generations (evaluations
//! delivered, a draft review, a generation requested, all through `Services`), the fixtures as
//! SQS events, and a queue that records what the sweep sends.

#![allow(dead_code)]

use async_trait::async_trait;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use chrono::{DateTime, Utc};
use coaching_domain::evaluation::GenerationStatus;
use coaching_domain::generation::{GenerationJob, GenerationRequest};
use coaching_domain::ports::{GenerationQueue, GenerationStore, Ports, SessionStore};
use coaching_domain::service::{CreateSession, ReviewInput, Services};
use coaching_domain::session::{Session, SessionKind};
use coaching_domain::webhook::{EvaluationEvent, EvaluationInput, ScoreInput, WebhookDelivery};
use coaching_domain::{Actor, GenerationId, OrgId, Role, Roles, SessionId, UserId};
use coaching_runtime::{TestClock, UlidIds};
use coaching_sqlite::SqliteStore;
use std::sync::{Arc, Mutex};

pub const ORG: &str = "acme";
pub const COACH: &str = "coach-ana";
pub const NOW: &str = "2026-12-02T09:00:00Z";

pub fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub struct World {
    pub services: Services,
    pub store: Arc<SqliteStore>,
    pub clock: Arc<TestClock>,
    pub org: OrgId,
    pub coach: Actor,
}

/// The worker as its `main` wires it (no publisher, no queue), over `store`, at [`NOW`].
pub fn world_on(store: SqliteStore) -> World {
    let store = Arc::new(store);
    let clock = Arc::new(TestClock::new());
    clock.set(t(NOW));
    let services: Services = Services::new(Ports {
        store: store.clone(),
        clock: clock.clone(),
        ids: Arc::new(UlidIds::new()),
        events: None,
        queue: None,
        outbound: coaching_domain::ports::Outbound::new(coaching_http::session_event_view),
    });
    let org = OrgId::parse(ORG).unwrap();
    let coach = Actor::new(
        UserId::parse(COACH).unwrap(),
        org.clone(),
        Roles::default().with(Role::Coach),
    );
    World {
        services,
        store,
        clock,
        org,
        coach,
    }
}

pub fn world() -> World {
    world_on(SqliteStore::open(":memory:").unwrap())
}

fn score(id: &str, name: &str, score: f64, max: f64, comment: Option<&str>) -> ScoreInput {
    ScoreInput {
        criterion_id: id.into(),
        criterion_name: name.into(),
        score: Some(score),
        max_score: max,
        soft: false,
        comment: comment.map(str::to_owned),
    }
}

impl World {
    /// Two November evaluations of `coachee` with markdowns, a draft review of November, and a
    /// generation requested for it: (the session, the queued generation).
    pub async fn queued_generation(&self, coachee: &str) -> (SessionId, GenerationId) {
        let evaluations = [
            (
                "2026-11-03T10:00:00Z",
                vec![
                    score(
                        "accuracy",
                        "Accuracy",
                        2.0,
                        4.0,
                        Some("Wrong refund policy"),
                    ),
                    score("greeting", "Greeting", 1.0, 2.0, Some("No greeting")),
                ],
            ),
            (
                "2026-11-20T10:00:00Z",
                vec![
                    score(
                        "accuracy",
                        "Accuracy",
                        3.0,
                        4.0,
                        Some("Wrong refund policy"),
                    ),
                    score("greeting", "Greeting", 2.0, 2.0, None),
                ],
            ),
        ];
        for (i, (at, scores)) in evaluations.into_iter().enumerate() {
            let delivery = WebhookDelivery {
                webhook_id: format!("msg_{coachee}_{i}"),
                timestamp: t(at).timestamp(),
                event: EvaluationEvent::Completed(EvaluationInput {
                    evaluation_id: format!("ev-{coachee}-{i}"),
                    coachee_id: coachee.into(),
                    scorecard_id: "support".into(),
                    scorecard_name: "Support".into(),
                    ticket_id: Some(format!("T-{i}")),
                    ticket_url: Some(format!("https://help.example.com/tickets/T-{i}")),
                    evaluator_id: Some("qa-lee".into()),
                    evaluated_at: t(at),
                    scores,
                }),
            };
            self.services
                .ingest_evaluation(&self.org, delivery)
                .await
                .unwrap();
        }
        let (session, _) = self
            .services
            .create_session(
                &self.coach,
                CreateSession {
                    kind: SessionKind::Review,
                    coach_id: self.coach.user.clone(),
                    client_id: UserId::parse(coachee).unwrap(),
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
        let generation = self
            .services
            .request_generation(&self.coach, &session.id, GenerationRequest::default())
            .await
            .unwrap();
        assert_eq!(generation.status, GenerationStatus::Queued);
        (session.id, generation.id)
    }

    pub async fn session(&self, id: &SessionId) -> Session {
        self.store.session(&self.org, id).await.unwrap().unwrap()
    }

    pub async fn job(&self, id: &GenerationId) -> GenerationJob {
        self.store.generation(&self.org, id).await.unwrap().unwrap()
    }

    /// The session's generation status.
    pub async fn status(&self, id: &SessionId) -> GenerationStatus {
        let s = self.session(id).await;
        s.review.unwrap().generation.unwrap().status
    }
}

/// The fixture as an SQS event, each `(placeholder, generation)` put into the bodies.
pub fn event(name: &str, ids: &[(&str, &GenerationId)]) -> SqsEvent {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    for (placeholder, id) in ids {
        text = text.replace(placeholder, id.as_str());
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn failed_ids(response: &SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

/// The queue of the reminder function's sweep, as the test sees it.
#[derive(Default)]
pub struct RecordingQueue {
    pub sent: Mutex<Vec<GenerationId>>,
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
