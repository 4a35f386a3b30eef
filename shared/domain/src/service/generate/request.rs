//! Requesting a generation: the review session's coach or an admin queues one, and its id is
//! handed to the queue.

use super::*;
use crate::access::Actor;
use crate::error::DomainError;
use crate::evaluation::{Generation, GenerationStatus};
use crate::generation::{GenerationJob, GenerationPut, GenerationRequest, select};
use crate::ids::*;
use crate::ports::{Changes, SessionPut, StoreError};
use crate::service::review::review_query;
use crate::service::{Services, parse_id, store_err};
use crate::session::{SessionKind, SessionStatus};
use crate::stats::criteria_stats;
use chrono::Duration;

impl Services {
    /// Queues a generation for a review session (its coach or an admin): 202 with the queued
    /// generation. 422 `no_evaluations` when the period has none; 409 while one is queued or
    /// running; 400 naming an asked criterion the period never scored.
    pub async fn request_generation(
        &self,
        actor: &Actor,
        id: &SessionId,
        request: GenerationRequest,
    ) -> Result<Generation, DomainError> {
        for _ in 0..ROUNDS {
            let (mut s, _) = self.session_for(actor, id).await?;
            s.require_coach_or_admin(actor, "generate coaching")?;
            if s.kind != SessionKind::Review {
                return Err(DomainError::Unprocessable {
                    code: "not_a_review_session",
                    detail: "only review sessions are generated".into(),
                });
            }
            if matches!(s.status, SessionStatus::Cancelled | SessionStatus::NoShow) {
                return Err(DomainError::invalid_transition(format!(
                    "a {} session is not generated",
                    s.status.as_str()
                )));
            }
            let Some(mut review) = s.review.clone() else {
                return Err(DomainError::NoEvaluations);
            };
            let now = whole_ms(self.now());
            // One that has been queued or running for a day is abandoned (its record left the
            // due index, or every worker failed on the store): a new one supersedes it, and the
            // old one writes nothing should it ever run.
            if review.generation.as_ref().is_some_and(|g| {
                matches!(
                    g.status,
                    GenerationStatus::Queued | GenerationStatus::Running
                ) && g.requested_at > now - Duration::hours(ABANDONED_AFTER_HOURS)
            }) {
                return Err(DomainError::conflict(
                    "a generation of this session is already queued or running",
                ));
            }
            let evaluations = self
                .ports
                .store
                .all_evaluations(&s.org, &review_query(&s, &review))
                .await
                .map_err(store_err)?;
            if evaluations.is_empty() {
                return Err(DomainError::NoEvaluations);
            }
            let stats = criteria_stats(&evaluations);
            for (i, c) in request.criterion_ids.iter().enumerate() {
                if !stats.criteria.iter().any(|x| &x.criterion_id == c) {
                    return Err(DomainError::field(
                        format!("criterionIds[{i}]"),
                        "no evaluation of the review period scores this criterion",
                    ));
                }
            }
            // Said now rather than by a failed generation a moment later: a period whose every
            // selectable criterion was met in full leaves the worker nothing to coach on.
            if request.criterion_ids.is_empty() {
                let settings = self
                    .ports
                    .store
                    .org_settings(&s.org)
                    .await
                    .map_err(store_err)?;
                let include_soft = request.include_soft || settings.include_soft_criteria;
                if select(&stats, &request, include_soft).is_ok_and(|sel| sel.criteria.is_empty()) {
                    return Err(DomainError::Unprocessable {
                        code: "no_markdowns",
                        detail: "no criterion of the review period has a markdown to coach on \
                                 (name criterionIds to generate for chosen criteria anyway)"
                            .into(),
                    });
                }
            }
            let job = GenerationJob {
                id: parse_id("id", GenerationId::parse(self.new_id()))?,
                org: s.org.clone(),
                session_id: s.id.clone(),
                request: request.clone(),
                status: GenerationStatus::Queued,
                claims: 0,
                lease_until: None,
                due_at: Some(now + self.resend_after()),
                created_at: now,
            };
            let generation = mirror(&job, None);
            review.generation = Some(generation.clone());
            let before = s.version;
            s.review = Some(review);
            s.touch(now);
            let changes = Changes {
                sessions: vec![SessionPut {
                    session: s,
                    expected_version: Some(before),
                }],
                generations: vec![GenerationPut {
                    job: job.clone(),
                    expected: None,
                }],
                ..Changes::default()
            };
            match self.ports.store.commit(changes).await {
                Ok(()) => {
                    self.hand_over(&job).await;
                    return Ok(generation);
                }
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(store_err(e)),
            }
        }
        Err(DomainError::conflict(
            "the session kept changing; read it again and retry",
        ))
    }

    /// How long a queued record waits for its worker before the sweep hands it over again:
    /// at once for the embedded queue (the worker reads the due index), 2 minutes for SQS.
    fn resend_after(&self) -> Duration {
        self.ports
            .queue
            .as_ref()
            .map_or(Duration::zero(), |q| q.resend_after())
    }

    /// Gives the id to the queue. A failure (which the adapter logs) loses nothing: the record
    /// is due, and the sweep hands it over again.
    async fn hand_over(&self, job: &GenerationJob) {
        if let Some(queue) = &self.ports.queue {
            let _ = queue.enqueue(job).await;
        }
    }
}
