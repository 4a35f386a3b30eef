//! Writing a review session by hand (docs/api.md#review-sessions-and-ai-generation): per-criterion summaries that link the coachee's
//! evaluations of the period, and the ticket links that follow them.

use super::{Services, store_err};
use crate::access::Actor;
use crate::error::{DomainError, Errors};
use crate::evaluation::{Evaluation, ReviewCriterion, ReviewInfo, TicketLink};
use crate::ids::*;
use crate::ports::{Changes, EvaluationQuery, SessionPut};
use crate::session::{Session, SessionKind};
use crate::stats::criteria_stats;
use std::collections::HashMap;

pub const MAX_SUMMARY_CHARS: usize = 10_000;
pub const MAX_LINKED_EVALUATIONS: usize = 50;
pub const MAX_REVIEW_CRITERIA: usize = 50;
/// Read-modify-write rounds a criterion edit without `If-Match` tries before reporting a conflict.
const ROUNDS: usize = 3;

/// A criterion as the coach writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionInput {
    pub summary: String,
    pub linked_evaluation_ids: Vec<String>,
    /// Shown name; defaults to the name in the newest evaluation scoring the criterion.
    pub name: Option<String>,
}

fn not_a_review() -> DomainError {
    DomainError::Unprocessable {
        code: "not_a_review_session",
        detail: "only review sessions have criteria".into(),
    }
}

/// The ticket links of a review: one per linked evaluation with a ticket URL, in criterion
/// order, each evaluation once.
pub fn ticket_links(criteria: &[ReviewCriterion], evaluations: &[Evaluation]) -> Vec<TicketLink> {
    let by_id: HashMap<&EvaluationId, &Evaluation> =
        evaluations.iter().map(|e| (&e.id, e)).collect();
    let mut links: Vec<TicketLink> = Vec::new();
    for id in criteria.iter().flat_map(|c| &c.linked_evaluation_ids) {
        if links.iter().any(|l| &l.evaluation_id == id) {
            continue;
        }
        if let Some(e) = by_id.get(id)
            && let Some(url) = &e.ticket_url
        {
            links.push(TicketLink {
                evaluation_id: id.clone(),
                ticket_id: e.ticket_id.clone(),
                url: url.clone(),
            });
        }
    }
    links
}

/// The period's evaluations a review covers: the coachee's, inside `[periodStart, periodEnd)`,
/// of the review's scorecards when it names some.
pub fn review_query(session: &Session, review: &ReviewInfo) -> EvaluationQuery {
    EvaluationQuery {
        coachee: session.client_id.clone(),
        from: Some(review.period_start),
        to: Some(review.period_end),
        scorecards: review.scorecard_ids.clone(),
    }
}

impl Services {
    /// Creates or replaces one criterion of a review session (its coach or an admin).
    pub async fn put_review_criterion(
        &self,
        actor: &Actor,
        id: &SessionId,
        criterion: &CriterionId,
        input: CriterionInput,
        if_match: Option<u64>,
    ) -> Result<Session, DomainError> {
        let mut errs = Errors::new();
        if input.summary.chars().count() > MAX_SUMMARY_CHARS {
            errs.add("summary", format!("at most {MAX_SUMMARY_CHARS} characters"));
        }
        if let Some(n) = &input.name
            && (n.trim().is_empty() || n.chars().count() > 200)
        {
            errs.add("name", "must be 1 to 200 characters");
        }
        if input.linked_evaluation_ids.len() > MAX_LINKED_EVALUATIONS {
            errs.add(
                "linkedEvaluationIds",
                format!("at most {MAX_LINKED_EVALUATIONS} evaluations"),
            );
        }
        let mut linked: Vec<EvaluationId> = Vec::new();
        for (i, raw) in input.linked_evaluation_ids.iter().enumerate() {
            if let Some(id) = errs.check(
                &format!("linkedEvaluationIds[{i}]"),
                EvaluationId::parse(raw.clone()),
            ) && !linked.contains(&id)
            {
                linked.push(id);
            }
        }
        errs.finish()?;
        self.edit_review(actor, id, if_match, |session, review, evaluations| {
            let in_period: HashMap<&EvaluationId, &Evaluation> =
                evaluations.iter().map(|e| (&e.id, e)).collect();
            if let Some(bad) = linked.iter().find(|l| !in_period.contains_key(l)) {
                return Err(DomainError::Unprocessable {
                    code: "invalid_evaluation_link",
                    detail: format!(
                        "evaluation {bad} is not one of {}'s evaluations in the review period",
                        session.client_id
                    ),
                });
            }
            let summary = criteria_stats(evaluations)
                .criteria
                .into_iter()
                .find(|c| &c.criterion_id == criterion);
            let name = input
                .name
                .as_ref()
                .map(|n| n.trim().to_owned())
                .or_else(|| summary.as_ref().map(|s| s.name.clone()))
                .unwrap_or_else(|| criterion.to_string());
            let written = ReviewCriterion {
                criterion_id: criterion.clone(),
                name,
                summary: input.summary.clone(),
                stats: summary.map(|s| s.stats()),
                linked_evaluation_ids: linked.clone(),
                generated_by: None,
            };
            let count = review.criteria.len();
            match review
                .criteria
                .iter_mut()
                .find(|c| &c.criterion_id == criterion)
            {
                Some(c) => *c = written,
                None if count >= MAX_REVIEW_CRITERIA => {
                    return Err(DomainError::field(
                        "criterionId",
                        format!("a review has at most {MAX_REVIEW_CRITERIA} criteria"),
                    ));
                }
                None => review.criteria.push(written),
            }
            Ok(())
        })
        .await
    }

    /// Removes one criterion of a review session (its coach or an admin); 404 when absent.
    pub async fn delete_review_criterion(
        &self,
        actor: &Actor,
        id: &SessionId,
        criterion: &CriterionId,
        if_match: Option<u64>,
    ) -> Result<Session, DomainError> {
        self.edit_review(actor, id, if_match, |_, review, _| {
            let before = review.criteria.len();
            review.criteria.retain(|c| &c.criterion_id != criterion);
            if review.criteria.len() == before {
                return Err(DomainError::NotFound("criterion"));
            }
            Ok(())
        })
        .await
    }

    /// Reads the session and its period's evaluations, applies `edit` to its review, recomputes
    /// the ticket links and commits conditionally on the version read. Without `If-Match` a
    /// concurrent change is retried on the new version; with it, it is 412.
    async fn edit_review<F>(
        &self,
        actor: &Actor,
        id: &SessionId,
        if_match: Option<u64>,
        mut edit: F,
    ) -> Result<Session, DomainError>
    where
        F: FnMut(&Session, &mut ReviewInfo, &[Evaluation]) -> Result<(), DomainError>,
    {
        for round in 1..=ROUNDS {
            let (mut s, _) = self.session_for(actor, id).await?;
            s.require_coach_or_admin(actor, "write a review")?;
            if let Some(v) = if_match
                && v != s.version
            {
                return Err(DomainError::PreconditionFailed { current: s.version });
            }
            if s.kind != SessionKind::Review {
                return Err(not_a_review());
            }
            let mut review = s.review.clone().ok_or_else(not_a_review)?;
            let evaluations = self
                .ports
                .store
                .all_evaluations(&s.org, &review_query(&s, &review))
                .await
                .map_err(store_err)?;
            edit(&s, &mut review, &evaluations)?;
            review.ticket_links = ticket_links(&review.criteria, &evaluations);
            let before = s.version;
            s.review = Some(review);
            s.touch(self.now());
            let changes = Changes {
                sessions: vec![SessionPut {
                    session: s.clone(),
                    expected_version: Some(before),
                }],
                ..Changes::default()
            };
            match self.ports.store.commit(changes).await.map_err(store_err) {
                Ok(()) => return Ok(s),
                Err(DomainError::Conflict(_)) if if_match.is_some() => {
                    return Err(DomainError::PreconditionFailed {
                        current: before + 1,
                    });
                }
                Err(DomainError::Conflict(_)) if round < ROUNDS => continue,
                Err(e) => return Err(e),
            }
        }
        Err(DomainError::conflict(
            "the session kept changing; read it again and retry",
        ))
    }
}
