//! AI coaching generation (docs/api.md#review-sessions-and-ai-generation): `generate` records a queued generation and hands its id to the
//! queue; a worker claims it (conditionally: status and claim count), builds the input, calls the
//! generator and writes the grounded result into the session, all or nothing. The generation
//! record is the truth; the queue only carries its id.

use super::review::review_query;
use super::{Services, parse_id, store_err};
use crate::access::Actor;
use crate::error::DomainError;
use crate::evaluation::{Evaluation, Generation, GenerationInputs, GenerationStatus};
use crate::generation::apply::{Basis, apply_output};
use crate::generation::{
    GenerationInput, GenerationJob, GenerationOutput, GenerationPut, GenerationRequest, MAX_CLAIMS,
    Selection, ground, kb_candidates, select,
};
use crate::ids::*;
use crate::notification::NotificationType;
use crate::org::KbArticle;
use crate::ports::{Changes, GenerateError, Generator, SessionPut, StoreError};
use crate::session::{Session, SessionKind, SessionStatus};
use crate::stats::criteria_stats;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// How long a worker's claim holds: past the generator's 60 s and the writes around it.
pub const LEASE_SECONDS: i64 = 120;
/// Most KB articles read as candidates.
const MAX_KB_READ: u32 = 1_000;
/// Read-modify-write rounds before a write gives up on a session that keeps changing.
const ROUNDS: usize = 5;
/// A generation queued or running for this long no longer blocks a new one.
pub const ABANDONED_AFTER_HOURS: i64 = 24;

/// `t` without its sub-millisecond part: the stores keep due times in whole milliseconds, so a
/// record made due "now" is due at the same `now` (not a fraction of a millisecond later).
fn whole_ms(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// What a worker did with one generation id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    /// It finished the generation with this status.
    Finished(GenerationStatus),
    /// Nothing to do: unknown id, already finished, or claimed by another worker meanwhile.
    Skipped,
    /// Another worker's claim holds until then.
    Busy(DateTime<Utc>),
}

/// Why a session takes no generated coaching any more, if it does not.
fn not_writable(s: &Session) -> Option<String> {
    matches!(s.status, SessionStatus::Cancelled | SessionStatus::NoShow).then(|| {
        format!(
            "the session was marked {} before the generation finished",
            s.status.as_str()
        )
    })
}

fn mirror(job: &GenerationJob, out: Option<&Generation>) -> Generation {
    let mut g = out.cloned().unwrap_or(Generation {
        id: job.id.clone(),
        status: job.status,
        error: None,
        provider: None,
        model: None,
        inputs: GenerationInputs::default(),
        attempts: 0,
        requested_at: job.created_at,
        finished_at: None,
    });
    g.status = job.status;
    g.attempts = job.claims;
    g
}

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

    /// The sweep (SQS): hands every due queued generation, and every running one whose claim
    /// lapsed, to the queue again, and moves its due time on. Returns how many it handed over.
    pub async fn resend_due_generations(&self, now: DateTime<Utc>) -> Result<usize, DomainError> {
        let Some(queue) = self.ports.queue.clone() else {
            return Ok(0);
        };
        let due = self
            .ports
            .store
            .due_generations(now, 100)
            .await
            .map_err(store_err)?;
        let mut sent = 0;
        for job in due {
            let mut next = job.clone();
            next.due_at = Some(now + queue.resend_after());
            let changes = Changes {
                generations: vec![GenerationPut {
                    job: next,
                    expected: Some((job.status, job.claims)),
                }],
                ..Changes::default()
            };
            match self.ports.store.commit(changes).await {
                Ok(()) => {
                    if queue.enqueue(&job).await.is_ok() {
                        sent += 1;
                    }
                }
                Err(StoreError::Conflict) => {}
                Err(e) => return Err(store_err(e)),
            }
        }
        Ok(sent)
    }

    /// For a process that is its store's only worker (`coaching-local` with the embedded queue),
    /// at start: the claims of running generations were held by a process that is gone (killed),
    /// so they are released at once and the generations are due again. Returns how many.
    pub async fn release_claims(&self) -> Result<usize, DomainError> {
        let now = whole_ms(self.now());
        let held = self
            .ports
            .store
            .due_generations(now + Duration::seconds(LEASE_SECONDS), 1_000)
            .await
            .map_err(store_err)?;
        let mut released = 0;
        for job in held
            .into_iter()
            .filter(|j| j.status == GenerationStatus::Running)
        {
            let mut free = job.clone();
            free.lease_until = Some(now);
            free.due_at = Some(now);
            let changes = Changes {
                generations: vec![GenerationPut {
                    job: free,
                    expected: Some((job.status, job.claims)),
                }],
                ..Changes::default()
            };
            match self.ports.store.commit(changes).await {
                Ok(()) => released += 1,
                Err(StoreError::Conflict) => {}
                Err(e) => return Err(store_err(e)),
            }
        }
        Ok(released)
    }

    /// The embedded worker's step: processes due generations (oldest first), at most `limit`.
    pub async fn drain_due_generations(
        &self,
        generator: &dyn Generator,
        limit: u32,
    ) -> Result<usize, DomainError> {
        let due = self
            .ports
            .store
            .due_generations(self.now(), limit)
            .await
            .map_err(store_err)?;
        let n = due.len();
        for job in due {
            self.process_generation(generator, &job.org, &job.id)
                .await?;
        }
        Ok(n)
    }

    /// The worker: claims the generation, generates, writes the result. Safe to call for any id,
    /// any number of times, from any number of workers: only a claim that holds writes, once.
    pub async fn process_generation(
        &self,
        generator: &dyn Generator,
        org: &OrgId,
        id: &GenerationId,
    ) -> Result<Processed, DomainError> {
        let now = whole_ms(self.now());
        let Some(job) = self
            .ports
            .store
            .generation(org, id)
            .await
            .map_err(store_err)?
        else {
            return Ok(Processed::Skipped);
        };
        match job.status {
            GenerationStatus::Succeeded | GenerationStatus::Failed => {
                return Ok(Processed::Skipped);
            }
            GenerationStatus::Running if job.lease_until.is_some_and(|l| l > now) => {
                return Ok(Processed::Busy(job.lease_until.unwrap_or(now)));
            }
            _ => {}
        }
        if job.claims >= MAX_CLAIMS {
            let err = GenerateError {
                reason: format!("the generation did not finish after {MAX_CLAIMS} attempts"),
                attempts: job.claims,
            };
            return self.finish(generator, job, None, Err(err)).await;
        }
        let mut claimed = job.clone();
        claimed.status = GenerationStatus::Running;
        claimed.claims += 1;
        claimed.lease_until = Some(now + Duration::seconds(LEASE_SECONDS));
        claimed.due_at = claimed.lease_until;
        if self.write_job(&job, &claimed, |_, g| g).await?.is_none() {
            return Ok(Processed::Skipped);
        }
        let built = self.build_input(&claimed).await?;
        let result = match &built {
            Ok((input, _, _, _)) => generator
                .generate(input)
                .await
                .map(|out| ground(out, input)),
            Err(reason) => Err(GenerateError {
                reason: reason.clone(),
                attempts: 0,
            }),
        };
        let basis = built.ok();
        self.finish(generator, claimed, basis, result).await
    }

    /// Reads what the generator is given: the period's evaluations, their stats, the selection
    /// and the KB candidates. `Err(reason)` when there is nothing to generate from.
    #[allow(clippy::type_complexity)]
    async fn build_input(
        &self,
        job: &GenerationJob,
    ) -> Result<
        Result<(GenerationInput, Selection, Vec<Evaluation>, Vec<KbArticle>), String>,
        DomainError,
    > {
        let store = &self.ports.store;
        let Some(s) = store
            .session(&job.org, &job.session_id)
            .await
            .map_err(store_err)?
        else {
            return Ok(Err("the session no longer exists".into()));
        };
        let Some(review) = s.review.as_ref() else {
            return Ok(Err("the session is not a review".into()));
        };
        if let Some(reason) = not_writable(&s) {
            return Ok(Err(reason));
        }
        let evaluations = store
            .all_evaluations(&s.org, &review_query(&s, review))
            .await
            .map_err(store_err)?;
        let settings = store.org_settings(&s.org).await.map_err(store_err)?;
        let stats = criteria_stats(&evaluations);
        let include_soft = job.request.include_soft || settings.include_soft_criteria;
        let selection = match select(&stats, &job.request, include_soft) {
            Ok(sel) if sel.criteria.is_empty() => {
                return Ok(Err(
                    "nothing to coach on: no criterion of the period has a markdown".into(),
                ));
            }
            Ok(sel) => sel,
            Err(c) => {
                return Ok(Err(format!(
                    "criterion {c} has no scores in the review period any more"
                )));
            }
        };
        let candidates = if settings.kb_links_enabled {
            let mut all = Vec::new();
            let mut after: Option<KbArticleId> = None;
            loop {
                let page = store
                    .kb_articles(&s.org, 500, after.as_ref())
                    .await
                    .map_err(store_err)?;
                let full = page.len() == 500;
                after = page.last().map(|a| a.id.clone());
                all.extend(page);
                if !full || all.len() >= MAX_KB_READ as usize {
                    break;
                }
            }
            kb_candidates(&selection.criteria, &all)
        } else {
            Vec::new()
        };
        let input = GenerationInput {
            coachee_id: s.client_id.clone(),
            session_name: s.name.clone(),
            criteria: selection.criteria.clone(),
            kb_candidates: candidates.clone(),
        };
        Ok(Ok((input, selection, evaluations, candidates)))
    }

    /// Ends a claimed generation: writes the result (or the failure) into its session together
    /// with the record's final status and the coach's `coaching_ready`, all in one commit,
    /// conditional on the claim. A generation its session no longer names (superseded) writes
    /// nothing to the session.
    async fn finish(
        &self,
        generator: &dyn Generator,
        claimed: GenerationJob,
        basis: Option<(GenerationInput, Selection, Vec<Evaluation>, Vec<KbArticle>)>,
        result: Result<GenerationOutput, GenerateError>,
    ) -> Result<Processed, DomainError> {
        let succeeded = result.is_ok();
        match self
            .finish_with(generator, claimed.clone(), basis.clone(), result)
            .await
        {
            // What the provider wrote would make the session larger than a store keeps: the
            // generation fails saying so, and the session keeps what it had.
            Err(DomainError::PayloadTooLarge(_)) if succeeded => {
                let too_large = Err(GenerateError {
                    reason: "the generated coaching does not fit the session: it would exceed the size a session may have".into(),
                    attempts: 1,
                });
                self.finish_with(generator, claimed, basis, too_large).await
            }
            other => other,
        }
    }

    async fn finish_with(
        &self,
        generator: &dyn Generator,
        claimed: GenerationJob,
        basis: Option<(GenerationInput, Selection, Vec<Evaluation>, Vec<KbArticle>)>,
        result: Result<GenerationOutput, GenerateError>,
    ) -> Result<Processed, DomainError> {
        let now = self.now();
        let mut done = claimed.clone();
        done.status = if result.is_ok() {
            GenerationStatus::Succeeded
        } else {
            GenerationStatus::Failed
        };
        done.lease_until = None;
        done.due_at = None;
        let inputs = basis.as_ref().map(|(input, sel, _, _)| GenerationInputs {
            evaluation_ids: input.evaluation_ids(),
            criterion_ids: sel
                .criteria
                .iter()
                .map(|c| c.criterion_id.clone())
                .collect(),
            excluded_soft_criterion_ids: sel.excluded_soft.clone(),
        });
        let ids = self.ports.ids.clone();
        let wrote = self
            .write_job(&claimed, &done, |s, mut g| {
                g.provider = Some(generator.provider().to_owned());
                g.model = generator.model().map(str::to_owned);
                g.inputs = inputs.clone().unwrap_or_default();
                g.finished_at = Some(now);
                if let (Ok(_), Some(reason)) = (&result, not_writable(s)) {
                    // Cancelled (or marked a no-show) while the provider worked: nothing is
                    // written into it, and the generation ends failed, saying why.
                    g.status = GenerationStatus::Failed;
                    g.error = Some(reason);
                    return g;
                }
                match (&result, &basis) {
                    (Ok(output), Some((_, sel, evaluations, candidates))) => {
                        g.error = None;
                        apply_output(
                            s,
                            output,
                            Basis {
                                generation: &claimed.id,
                                criteria: &sel.criteria,
                                evaluations,
                                kb_candidates: candidates,
                                now,
                            },
                            &mut || ActionItemId::parse(ids.new_id()).ok(),
                        );
                    }
                    (Ok(_), None) => g.error = None,
                    (Err(e), _) => g.error = Some(e.reason.clone()),
                }
                g
            })
            .await?;
        Ok(wrote.map_or(Processed::Skipped, Processed::Finished))
    }

    /// Replaces the record `from` with `to` (conditional on `from`'s status and claims) and, when
    /// the session still names this generation, its mirror in the session (`edit` may change the
    /// session too); a final status also tells the coach. Returns false when the record was no
    /// longer `from` (another worker, or a finished generation), else the status written.
    async fn write_job<F>(
        &self,
        from: &GenerationJob,
        to: &GenerationJob,
        edit: F,
    ) -> Result<Option<GenerationStatus>, DomainError>
    where
        F: Fn(&mut Session, Generation) -> Generation,
    {
        let now = self.now();
        for _ in 0..ROUNDS {
            let session = self
                .ports
                .store
                .session(&from.org, &from.session_id)
                .await
                .map_err(store_err)?;
            let mut changes = Changes {
                generations: vec![GenerationPut {
                    job: to.clone(),
                    expected: Some((from.status, from.claims)),
                }],
                ..Changes::default()
            };
            if let Some(mut s) = session {
                let current = s
                    .review
                    .as_ref()
                    .and_then(|r| r.generation.as_ref())
                    .filter(|g| g.id == from.id)
                    .cloned();
                if let Some(current) = current {
                    let before = s.version;
                    let old = s.clone();
                    let g = edit(&mut s, mirror(to, Some(&current)));
                    // The edit may end the generation otherwise than planned (its session was
                    // cancelled meanwhile): the record says what the session says.
                    changes.generations[0].job.status = g.status;
                    changes.dropped_action_items = crate::ports::dropped_action_items(&old, &s);
                    let finished = matches!(
                        g.status,
                        GenerationStatus::Succeeded | GenerationStatus::Failed
                    );
                    if let Some(r) = s.review.as_mut() {
                        r.generation = Some(g.clone());
                    }
                    s.touch(now);
                    if finished {
                        changes.notifications = self.notify(
                            &s,
                            NotificationType::CoachingReady,
                            &[&s.coach_id],
                            json!({"generationId": g.id, "status": g.status}),
                        );
                    }
                    changes.sessions.push(SessionPut {
                        session: s,
                        expected_version: Some(before),
                    });
                }
            }
            let written = changes.generations[0].job.status;
            match self.ports.store.commit(changes).await {
                Ok(()) => return Ok(Some(written)),
                Err(StoreError::Conflict) => {
                    let stored = self
                        .ports
                        .store
                        .generation(&from.org, &from.id)
                        .await
                        .map_err(store_err)?;
                    if stored.as_ref() != Some(from) {
                        return Ok(None);
                    }
                }
                Err(e) => return Err(store_err(e)),
            }
        }
        Err(DomainError::conflict(
            "the session kept changing while the generation was written",
        ))
    }
}
