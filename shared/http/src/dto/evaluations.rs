//! Wire types of docs/api.md#evaluations and reviews: evaluations, criteria stats, review
//! criteria (the coach's and a review session's), and a client's review of a session
//! (docs/api.md#session-reviews).

use super::generation::{GenerationDto, strings};
use super::schema::{ids, up_to};
use super::webhooks::ScoreDto;
use chrono::{DateTime, Utc};
use coaching_domain::evaluation::{Evaluation, ReviewInfo};
use coaching_domain::stats::{CriteriaStats, CriterionSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn text_200() -> utoipa::openapi::Object {
    super::schema::text(200)
}
fn linked_ids() -> utoipa::openapi::Array {
    ids(50)
}
fn summary_text() -> utoipa::openapi::Object {
    up_to(10_000)
}
fn reason_text() -> utoipa::openapi::Object {
    up_to(2000)
}

/// A stored evaluation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationDto {
    pub id: String,
    pub coachee_id: String,
    pub scorecard_id: String,
    pub scorecard_name: String,
    pub ticket_id: Option<String>,
    pub ticket_url: Option<String>,
    pub evaluator_id: Option<String>,
    pub evaluated_at: DateTime<Utc>,
    pub scores: Vec<ScoreDto>,
    pub received_at: DateTime<Utc>,
}

impl From<Evaluation> for EvaluationDto {
    fn from(evaluation: Evaluation) -> Self {
        Self {
            id: evaluation.id.to_string(),
            coachee_id: evaluation.coachee_id.to_string(),
            scorecard_id: evaluation.scorecard_id,
            scorecard_name: evaluation.scorecard_name,
            ticket_id: evaluation.ticket_id,
            ticket_url: evaluation.ticket_url,
            evaluator_id: evaluation.evaluator_id,
            evaluated_at: evaluation.evaluated_at,
            scores: evaluation
                .scores
                .into_iter()
                .map(|s| ScoreDto {
                    criterion_id: s.criterion_id.to_string(),
                    criterion_name: s.criterion_name,
                    score: s.score,
                    max_score: s.max_score,
                    soft: s.soft,
                    comment: s.comment,
                })
                .collect(),
            received_at: evaluation.received_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationListDto {
    pub items: Vec<EvaluationDto>,
    /// Pass as `cursor` for the next page. Absent exactly on the last page (a full last page
    /// has none: no request ever answers an empty page after a cursor).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
}

/// `from`/`to` bound `evaluatedAt` (`from` inclusive, `to` exclusive).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvaluationParams {
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<DateTime<Utc>>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<DateTime<Utc>>,
    #[param(min_length = 1, max_length = 128, pattern = "\\S")]
    pub scorecard_id: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<DateTime<Utc>>,
    /// After `from`.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<DateTime<Utc>>,
    #[param(min_length = 1, max_length = 128, pattern = "\\S")]
    pub scorecard_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecentScoreDto {
    pub evaluation_id: String,
    pub score: f64,
    pub max_score: f64,
    pub comment: Option<String>,
    pub evaluated_at: DateTime<Utc>,
    pub ticket_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CriterionStatsRowDto {
    pub criterion_id: String,
    pub name: String,
    pub soft: bool,
    pub scored_count: u32,
    /// Mean of score / maxScore (0..1) over scored evaluations; null when none is scored.
    pub average_score: Option<f64>,
    /// Scores below their maximum.
    pub markdowns: u32,
    /// At most 25, newest first.
    pub recent_scores: Vec<RecentScoreDto>,
}

impl From<CriterionSummary> for CriterionStatsRowDto {
    fn from(criterion_summary: CriterionSummary) -> Self {
        Self {
            criterion_id: criterion_summary.criterion_id.to_string(),
            name: criterion_summary.name,
            soft: criterion_summary.soft,
            scored_count: criterion_summary.scored_count,
            average_score: criterion_summary.average_score,
            markdowns: criterion_summary.markdowns,
            recent_scores: criterion_summary
                .recent_scores
                .into_iter()
                .map(|r| RecentScoreDto {
                    evaluation_id: r.evaluation_id.to_string(),
                    score: r.score,
                    max_score: r.max_score,
                    comment: r.comment,
                    evaluated_at: r.evaluated_at,
                    ticket_url: r.ticket_url,
                })
                .collect(),
        }
    }
}

/// Most markdowns first; ties to the lower average, then the name.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CriteriaStatsDto {
    pub evaluation_count: u32,
    pub criteria: Vec<CriterionStatsRowDto>,
}

impl From<CriteriaStats> for CriteriaStatsDto {
    fn from(criteria_stats: CriteriaStats) -> Self {
        Self {
            evaluation_count: criteria_stats.evaluation_count,
            criteria: criteria_stats
                .criteria
                .into_iter()
                .map(Into::into)
                .collect(),
        }
    }
}

/// A review criterion as the coach writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CriterionBody {
    /// At most 10,000 characters.
    #[serde(default)]
    #[schema(schema_with = summary_text)]
    pub summary: String,
    /// The coachee's evaluations inside the review period (at most 50).
    #[serde(default)]
    #[schema(schema_with = linked_ids)]
    pub linked_evaluation_ids: Vec<String>,
    /// Defaults to the criterion's name in the newest evaluation of the period.
    #[schema(schema_with = text_200)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CriterionStatsDto {
    pub scored_count: u32,
    pub average_score: Option<f64>,
    pub markdowns: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewCriterionDto {
    pub criterion_id: String,
    pub name: String,
    pub summary: String,
    pub stats: Option<CriterionStatsDto>,
    pub linked_evaluation_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TicketLinkDto {
    pub evaluation_id: String,
    pub ticket_id: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KbLinkDto {
    pub article_id: String,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewDto {
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub scorecard_ids: Vec<String>,
    pub criteria: Vec<ReviewCriterionDto>,
    pub ticket_links: Vec<TicketLinkDto>,
    pub kb_links: Vec<KbLinkDto>,
    pub generation: Option<GenerationDto>,
}

impl From<&ReviewInfo> for ReviewDto {
    fn from(review: &ReviewInfo) -> Self {
        Self {
            period_start: review.period_start,
            period_end: review.period_end,
            scorecard_ids: review.scorecard_ids.clone(),
            criteria: review
                .criteria
                .iter()
                .map(|c| ReviewCriterionDto {
                    criterion_id: c.criterion_id.to_string(),
                    name: c.name.clone(),
                    summary: c.summary.clone(),
                    stats: c.stats.as_ref().map(|s| CriterionStatsDto {
                        scored_count: s.scored_count,
                        average_score: s.average_score,
                        markdowns: s.markdowns,
                    }),
                    linked_evaluation_ids: strings(&c.linked_evaluation_ids),
                })
                .collect(),
            ticket_links: review
                .ticket_links
                .iter()
                .map(|t| TicketLinkDto {
                    evaluation_id: t.evaluation_id.to_string(),
                    ticket_id: t.ticket_id.clone(),
                    url: t.url.clone(),
                })
                .collect(),
            kb_links: review
                .kb_links
                .iter()
                .map(|k| KbLinkDto {
                    article_id: k.article_id.to_string(),
                    title: k.title.clone(),
                    url: k.url.clone(),
                })
                .collect(),
            generation: review.generation.as_ref().map(GenerationDto::from),
        }
    }
}

/// A client's review of a completed session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionReviewDto {
    #[schema(minimum = 1, maximum = 5)]
    pub rating: u8,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<&coaching_domain::session::SessionRating> for SessionReviewDto {
    fn from(session_rating: &coaching_domain::session::SessionRating) -> Self {
        Self {
            rating: session_rating.rating.get(),
            comment: session_rating.comment.clone(),
            at: session_rating.at,
        }
    }
}

/// A review: rating 1 to 5 and an optional comment of at most 2,000 characters.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    #[schema(minimum = 1, maximum = 5)]
    #[serde(deserialize_with = "super::integer::required")]
    pub rating: i64,
    #[schema(schema_with = reason_text)]
    pub comment: Option<String>,
}
