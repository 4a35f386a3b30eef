//! AI coaching generation (docs/api.md#review-sessions-and-ai-generation), the parts with no IO: which criteria a generation covers, the
//! knowledge-base candidates, what a generator is given and returns, and the grounding filter
//! that keeps only what it was given.

use crate::evaluation::GenerationStatus;
use crate::ids::*;
use crate::org::KbArticle;
use crate::stats::{CriteriaStats, CriterionSummary, coaching_order};
use std::collections::HashSet;

/// Criteria a generation chooses by itself (when none are asked for).
pub const AUTO_CRITERIA: usize = 3;
/// At most this many knowledge-base links.
pub const MAX_KB_LINKS: usize = 5;

pub mod apply;

/// A generation is claimed by a worker at most this many times; the next one finds it failed.
pub const MAX_CLAIMS: u32 = 3;
/// At most this many criteria asked for in one generation.
pub const MAX_GENERATION_CRITERIA: usize = 20;

/// What the coach asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GenerationRequest {
    /// Exactly these criteria (in this order); none: the generation chooses.
    pub criterion_ids: Vec<CriterionId>,
    /// Also consider soft criteria when choosing (the org setting can say so too).
    pub include_soft: bool,
}

/// The record of a generation: the truth the queue's messages point at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GenerationJob {
    pub id: GenerationId,
    pub org: OrgId,
    pub session_id: SessionId,
    pub request: GenerationRequest,
    pub status: GenerationStatus,
    /// How many times a worker claimed it.
    pub claims: u32,
    /// While `running`: until when the last claim holds.
    pub lease_until: Option<chrono::DateTime<chrono::Utc>>,
    /// In the due-by-time index while set (queued or running): when a worker or the sweep
    /// should pick it up (again).
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// One generation record write inside a change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerationPut {
    pub job: GenerationJob,
    /// `None`: the record MUST NOT exist yet. `Some((status, claims))`: the stored record MUST
    /// have exactly this status and claim count.
    pub expected: Option<(GenerationStatus, u32)>,
}

/// The criteria a generation covers, and the soft ones it left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Each with at most [`crate::stats::RECENT_SCORES`] most recent scores.
    pub criteria: Vec<CriterionSummary>,
    /// Soft criteria with markdowns that were not considered (neither asked nor allowed).
    pub excluded_soft: Vec<CriterionId>,
}

/// Chooses the criteria: the asked ones when any (in the asked order; one the period never
/// scored is `Err` with its id), otherwise up to [`AUTO_CRITERIA`] with the most markdowns (ties
/// to the lower average, then the name), soft ones only when `include_soft`, none without
/// markdowns.
pub fn select(
    stats: &CriteriaStats,
    request: &GenerationRequest,
    include_soft: bool,
) -> Result<Selection, CriterionId> {
    if !request.criterion_ids.is_empty() {
        let mut criteria = Vec::new();
        for id in &request.criterion_ids {
            let c = stats
                .criteria
                .iter()
                .find(|c| &c.criterion_id == id)
                .ok_or_else(|| id.clone())?;
            if !criteria
                .iter()
                .any(|x: &CriterionSummary| &x.criterion_id == id)
            {
                criteria.push(c.clone());
            }
        }
        return Ok(Selection {
            criteria,
            excluded_soft: Vec::new(),
        });
    }
    let mut candidates: Vec<&CriterionSummary> =
        stats.criteria.iter().filter(|c| c.markdowns > 0).collect();
    candidates.sort_by(|a, b| coaching_order(a, b));
    let excluded_soft = if include_soft {
        Vec::new()
    } else {
        candidates
            .iter()
            .filter(|c| c.soft)
            .map(|c| c.criterion_id.clone())
            .collect()
    };
    let criteria = candidates
        .into_iter()
        .filter(|c| include_soft || !c.soft)
        .take(AUTO_CRITERIA)
        .cloned()
        .collect();
    Ok(Selection {
        criteria,
        excluded_soft,
    })
}

/// Articles whose keywords occur (case-insensitively) in a selected criterion's name or in one
/// of its markdown comments; at most [`MAX_KB_LINKS`], in the order given.
pub fn kb_candidates(criteria: &[CriterionSummary], articles: &[KbArticle]) -> Vec<KbArticle> {
    let texts: Vec<String> = criteria
        .iter()
        .flat_map(|c| {
            std::iter::once(c.name.to_lowercase()).chain(
                c.recent_scores
                    .iter()
                    .filter(|r| r.score < r.max_score)
                    .filter_map(|r| r.comment.as_ref().map(|t| t.to_lowercase())),
            )
        })
        .collect();
    articles
        .iter()
        .filter(|a| {
            a.keywords.iter().any(|k| {
                let k = k.to_lowercase();
                !k.is_empty() && texts.iter().any(|t| t.contains(&k))
            })
        })
        .take(MAX_KB_LINKS)
        .cloned()
        .collect()
}

/// What a generator is given.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationInput {
    pub coachee_id: UserId,
    pub session_name: String,
    pub criteria: Vec<CriterionSummary>,
    pub kb_candidates: Vec<KbArticle>,
}

impl GenerationInput {
    /// Every evaluation id the generator is shown, in criterion order, each once.
    pub fn evaluation_ids(&self) -> Vec<EvaluationId> {
        let mut seen = HashSet::new();
        self.criteria
            .iter()
            .flat_map(|c| c.recent_scores.iter().map(|r| &r.evaluation_id))
            .filter(|id| seen.insert(*id))
            .cloned()
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCriterion {
    pub criterion_id: CriterionId,
    pub summary: String,
    pub linked_evaluation_ids: Vec<EvaluationId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedActionItem {
    pub title: String,
    pub source_evaluation_ids: Vec<EvaluationId>,
}

/// What a generator returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerationOutput {
    pub criteria: Vec<GeneratedCriterion>,
    /// Addressed to the coachee.
    pub notes: String,
    pub action_items: Vec<GeneratedActionItem>,
    pub kb_article_ids: Vec<KbArticleId>,
}

/// Longest generated summary, note and action item title kept (characters).
pub const MAX_GENERATED_SUMMARY: usize = 4_000;
pub const MAX_GENERATED_NOTES: usize = 20_000;
pub const MAX_GENERATED_TITLE: usize = 300;
pub const MAX_GENERATED_ACTION_ITEMS: usize = 20;

fn clip(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}

/// Keeps only what `input` grounds: criteria that were selected (each once, in output order),
/// evaluation ids that were given, KB articles that were candidates (each once); drops criteria
/// with an empty summary and action items with an empty title, and bounds every text.
pub fn ground(output: GenerationOutput, input: &GenerationInput) -> GenerationOutput {
    let given: HashSet<EvaluationId> = input.evaluation_ids().into_iter().collect();
    let keep_ids = |ids: Vec<EvaluationId>| -> Vec<EvaluationId> {
        let mut seen = HashSet::new();
        ids.into_iter()
            .filter(|id| given.contains(id) && seen.insert(id.clone()))
            .collect()
    };
    let mut seen_criteria = HashSet::new();
    let criteria = output
        .criteria
        .into_iter()
        .filter(|c| {
            // A criterion with nothing said about it is no coaching: left out (before the
            // repeat check, so a later, written one of the same criterion is kept).
            !c.summary.trim().is_empty()
                && input
                    .criteria
                    .iter()
                    .any(|s| s.criterion_id == c.criterion_id)
                && seen_criteria.insert(c.criterion_id.clone())
        })
        .map(|c| GeneratedCriterion {
            criterion_id: c.criterion_id,
            summary: clip(&c.summary, MAX_GENERATED_SUMMARY),
            linked_evaluation_ids: keep_ids(c.linked_evaluation_ids),
        })
        .collect();
    let action_items = output
        .action_items
        .into_iter()
        .map(|a| GeneratedActionItem {
            title: clip(&a.title, MAX_GENERATED_TITLE),
            source_evaluation_ids: keep_ids(a.source_evaluation_ids),
        })
        .filter(|a| !a.title.is_empty())
        .take(MAX_GENERATED_ACTION_ITEMS)
        .collect();
    let mut seen_kb = HashSet::new();
    let kb_article_ids = output
        .kb_article_ids
        .into_iter()
        .filter(|id| input.kb_candidates.iter().any(|a| &a.id == id) && seen_kb.insert(id.clone()))
        .take(MAX_KB_LINKS)
        .collect();
    GenerationOutput {
        criteria,
        notes: clip(&output.notes, MAX_GENERATED_NOTES),
        action_items,
        kb_article_ids,
    }
}

#[cfg(test)]
mod tests;
