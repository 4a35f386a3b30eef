//! Evaluations pushed by evaluation systems, and the review part of an evaluation-driven session
//! (criteria summaries, ticket and KB links, AI generation state).

use crate::ids::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One criterion's score in an evaluation. `score: None` means not applicable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionScore {
    pub criterion_id: CriterionId,
    pub criterion_name: String,
    pub score: Option<f64>,
    pub max_score: f64,
    pub soft: bool,
    pub comment: Option<String>,
}

impl CriterionScore {
    /// A markdown is a score below the maximum.
    pub fn is_markdown(&self) -> bool {
        self.score.is_some_and(|s| s < self.max_score)
    }
}

/// An evaluation of a coachee's work, as the latest `evaluation.completed` webhook described it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub id: EvaluationId,
    pub org: OrgId,
    pub coachee_id: UserId,
    pub scorecard_id: String,
    pub scorecard_name: String,
    pub ticket_id: Option<String>,
    pub ticket_url: Option<String>,
    pub evaluator_id: Option<String>,
    pub evaluated_at: DateTime<Utc>,
    pub scores: Vec<CriterionScore>,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionStats {
    pub scored_count: u32,
    pub average_score: Option<f64>,
    pub markdowns: u32,
}

/// A criterion a review session covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewCriterion {
    pub criterion_id: CriterionId,
    pub name: String,
    pub summary: String,
    pub stats: Option<CriterionStats>,
    pub linked_evaluation_ids: Vec<EvaluationId>,
    /// The generation that wrote it; `None`: the coach wrote it by hand (a later generation keeps it).
    #[serde(default)]
    pub generated_by: Option<GenerationId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketLink {
    pub evaluation_id: EvaluationId,
    pub ticket_id: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbLink {
    pub article_id: KbArticleId,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GenerationStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GenerationInputs {
    pub evaluation_ids: Vec<EvaluationId>,
    pub criterion_ids: Vec<CriterionId>,
    pub excluded_soft_criterion_ids: Vec<CriterionId>,
}

/// One AI generation run of a review session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generation {
    pub id: GenerationId,
    pub status: GenerationStatus,
    pub error: Option<String>,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub inputs: GenerationInputs,
    pub attempts: u32,
    pub requested_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The review part of a `review` session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewInfo {
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub scorecard_ids: Vec<String>,
    pub criteria: Vec<ReviewCriterion>,
    pub ticket_links: Vec<TicketLink>,
    pub kb_links: Vec<KbLink>,
    pub generation: Option<Generation>,
    /// The part of the session's notes the last generation wrote (replaced by the next one
    /// while it is still the untouched end of the notes).
    #[serde(default)]
    pub generated_notes: Option<String>,
}

impl ReviewInfo {
    pub fn new(
        period_start: DateTime<Utc>,
        period_end: DateTime<Utc>,
        scorecard_ids: Vec<String>,
    ) -> Self {
        Self {
            period_start,
            period_end,
            scorecard_ids,
            criteria: Vec::new(),
            ticket_links: Vec::new(),
            kb_links: Vec::new(),
            generation: None,
            generated_notes: None,
        }
    }
}
