//! The worker: claim a generation, build its input, call the generator and write the grounded
//! result (or the failure) into the record and the session, all or nothing.

use super::*;
use crate::error::DomainError;
use crate::evaluation::{Evaluation, Generation, GenerationInputs, GenerationStatus};
use crate::generation::apply::{Basis, apply_output};
use crate::generation::{
    GenerationInput, GenerationJob, GenerationOutput, GenerationPut, MAX_CLAIMS, Selection, ground,
    kb_candidates, select,
};
use crate::ids::*;
use crate::notification::NotificationType;
use crate::org::KbArticle;
use crate::outbound::OrgEventType;
use crate::ports::{Changes, GenerateError, Generator, SessionPut, StoreError};
use crate::service::review::review_query;
use crate::service::{Services, store_err};
use crate::session::Session;
use crate::stats::criteria_stats;
use chrono::Duration;
use serde_json::json;

impl<S: crate::ports::WorkerStore + ?Sized> Services<S> {
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
                        let kind = if g.status == GenerationStatus::Succeeded {
                            OrgEventType::GenerationSucceeded
                        } else {
                            OrgEventType::GenerationFailed
                        };
                        changes.events.extend(self.session_event(
                            kind,
                            &s,
                            json!({"generationId": g.id, "status": g.status, "error": g.error}),
                            now,
                        ));
                    }
                    changes
                        .events
                        .extend(self.action_item_events(&old.action_items, &s, now));
                    changes.sessions.push(SessionPut {
                        session: s,
                        expected_version: Some(before),
                    });
                }
            }
            let written = changes.generations[0].job.status;
            match self.commit(changes).await {
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
