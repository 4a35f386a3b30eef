//! Wire types of docs/api.md#evaluations: webhook bodies, evaluations, criteria stats, review criteria, org
//! settings, knowledge-base articles and the webhook secret.

use super::schema::{http_url, id, ids, instant, text, up_to};
use chrono::{DateTime, Utc};
use coaching_domain::evaluation::Evaluation;
use coaching_domain::org::{KbArticle, OrgSettings};
use coaching_domain::ports::DeliveryOutcome;
use coaching_domain::stats::{CriteriaStats, CriterionSummary};
use coaching_domain::webhook::{EvaluationInput, ScoreInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn text_128() -> utoipa::openapi::Object {
    text(128)
}
fn text_200() -> utoipa::openapi::Object {
    text(200)
}
fn up_to_128() -> utoipa::openapi::Object {
    up_to(128)
}
/// The domain's `MAX_COMMENT_CHARS` of an evaluation comment.
fn comment_text() -> utoipa::openapi::Object {
    up_to(coaching_domain::webhook::MAX_COMMENT_CHARS)
}
fn linked_ids() -> utoipa::openapi::Array {
    ids(50)
}
fn criterion_ids() -> utoipa::openapi::Array {
    ids(20)
}
fn summary_text() -> utoipa::openapi::Object {
    up_to(10_000)
}
fn keywords() -> utoipa::openapi::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(text(100))
        .min_items(Some(1))
        .max_items(Some(20))
        .build()
}

pub use super::webhook::WebhookBody;

/// One criterion's score. `score: null` (or absent) means not applicable.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScoreDto {
    #[schema(schema_with = id)]
    pub criterion_id: String,
    #[schema(schema_with = text_200)]
    pub criterion_name: String,
    /// 0 to `maxScore`; `null`: not applicable (not scored).
    #[schema(minimum = 0)]
    pub score: Option<f64>,
    /// Greater than 0.
    #[schema(exclusive_minimum = 0)]
    pub max_score: f64,
    #[serde(default)]
    pub soft: bool,
    /// Absent when the evaluator wrote none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = comment_text)]
    pub comment: Option<String>,
}

/// The evaluation `evaluation.completed` carries.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationDataDto {
    #[schema(schema_with = id)]
    pub evaluation_id: String,
    #[schema(schema_with = id)]
    pub coachee_id: String,
    #[schema(schema_with = text_128)]
    pub scorecard_id: String,
    /// Defaults to `scorecardId`.
    #[serde(default)]
    #[schema(schema_with = text_200)]
    pub scorecard_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = up_to_128)]
    pub ticket_id: Option<String>,
    /// An http(s) URL.
    #[serde(default)]
    #[schema(schema_with = http_url)]
    pub ticket_url: Option<String>,
    #[serde(default)]
    #[schema(schema_with = up_to_128)]
    pub evaluator_id: Option<String>,
    #[schema(schema_with = instant)]
    pub evaluated_at: DateTime<Utc>,
    #[schema(max_items = 100)]
    pub scores: Vec<ScoreDto>,
}

impl EvaluationDataDto {
    pub fn into_input(self) -> EvaluationInput {
        EvaluationInput {
            scorecard_name: self
                .scorecard_name
                .unwrap_or_else(|| self.scorecard_id.clone()),
            evaluation_id: self.evaluation_id,
            coachee_id: self.coachee_id,
            scorecard_id: self.scorecard_id,
            ticket_id: self.ticket_id,
            ticket_url: self.ticket_url,
            evaluator_id: self.evaluator_id,
            evaluated_at: self.evaluated_at,
            scores: self
                .scores
                .into_iter()
                .map(|s| ScoreInput {
                    criterion_id: s.criterion_id,
                    criterion_name: s.criterion_name,
                    score: s.score,
                    max_score: s.max_score,
                    soft: s.soft,
                    comment: s.comment,
                })
                .collect(),
        }
    }
}

/// What `evaluation.deleted` carries (other fields are ignored).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeletedDataDto {
    #[schema(schema_with = id)]
    pub evaluation_id: String,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookOutcomeDto {
    /// The evaluation's state is now this delivery's.
    Applied,
    /// A newer delivery of this evaluation is stored: ignored.
    Stale,
    /// This `webhook-id` was received before: ignored.
    Duplicate,
}

impl From<DeliveryOutcome> for WebhookOutcomeDto {
    fn from(o: DeliveryOutcome) -> Self {
        match o {
            DeliveryOutcome::Applied => Self::Applied,
            DeliveryOutcome::Stale => Self::Stale,
            DeliveryOutcome::Duplicate => Self::Duplicate,
        }
    }
}

/// The acknowledgement of a delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookAckDto {
    pub outcome: WebhookOutcomeDto,
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
    fn from(e: Evaluation) -> Self {
        Self {
            id: e.id.to_string(),
            coachee_id: e.coachee_id.to_string(),
            scorecard_id: e.scorecard_id,
            scorecard_name: e.scorecard_name,
            ticket_id: e.ticket_id,
            ticket_url: e.ticket_url,
            evaluator_id: e.evaluator_id,
            evaluated_at: e.evaluated_at,
            scores: e
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
            received_at: e.received_at,
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
    #[param(value_type = Option<String>, format = DateTime, pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z$")]
    pub from: Option<DateTime<Utc>>,
    #[param(value_type = Option<String>, format = DateTime, pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z$")]
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
    #[param(value_type = Option<String>, format = DateTime, pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z$")]
    pub from: Option<DateTime<Utc>>,
    /// After `from`.
    #[param(value_type = Option<String>, format = DateTime, pattern = "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z$")]
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
    fn from(c: CriterionSummary) -> Self {
        Self {
            criterion_id: c.criterion_id.to_string(),
            name: c.name,
            soft: c.soft,
            scored_count: c.scored_count,
            average_score: c.average_score,
            markdowns: c.markdowns,
            recent_scores: c
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
    fn from(s: CriteriaStats) -> Self {
        Self {
            evaluation_count: s.evaluation_count,
            criteria: s.criteria.into_iter().map(Into::into).collect(),
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

/// What to generate: the criteria to cover (all scored in the review period), or none to let the
/// generation choose up to 3 with the most markdowns.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerateBody {
    #[serde(default)]
    #[schema(schema_with = criterion_ids)]
    pub criterion_ids: Vec<String>,
    /// Also consider soft criteria when choosing (as the org setting `includeSoftCriteria` does).
    #[serde(default)]
    pub include_soft: bool,
}

/// The queued generation; the session's `review.generation` follows it to `succeeded` or `failed`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GenerateAcceptedDto {
    pub generation: crate::dto::session::GenerationDto,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgSettingsDto {
    /// Generation also considers soft criteria.
    #[serde(default)]
    pub include_soft_criteria: bool,
    /// Generation adds knowledge-base links.
    #[serde(default)]
    pub kb_links_enabled: bool,
}

impl From<OrgSettings> for OrgSettingsDto {
    fn from(s: OrgSettings) -> Self {
        Self {
            include_soft_criteria: s.include_soft_criteria,
            kb_links_enabled: s.kb_links_enabled,
        }
    }
}

impl From<OrgSettingsDto> for OrgSettings {
    fn from(s: OrgSettingsDto) -> Self {
        Self {
            include_soft_criteria: s.include_soft_criteria,
            kb_links_enabled: s.kb_links_enabled,
        }
    }
}

/// The org's new webhook secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookSecretDto {
    /// `whsec_` and 32 random bytes in base64 (Standard Webhooks).
    pub secret: String,
}

/// Where the org's current webhook secret comes from.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WebhookSecretSourceDto {
    /// Derived for this org from the server's master secret (the org has not rotated one).
    Derived,
    /// Rotated by one of the org's admins.
    Rotated,
}

impl From<crate::webhook_secret::SecretSource> for WebhookSecretSourceDto {
    fn from(s: crate::webhook_secret::SecretSource) -> Self {
        match s {
            crate::webhook_secret::SecretSource::Derived => Self::Derived,
            crate::webhook_secret::SecretSource::Rotated => Self::Rotated,
        }
    }
}

/// The secret that verifies the org's evaluation deliveries now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurrentWebhookSecretDto {
    /// A Standard Webhooks secret (`whsec_` and base64).
    pub secret: String,
    pub source: WebhookSecretSourceDto,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KbArticleBody {
    #[schema(schema_with = text_200)]
    pub title: String,
    /// An http(s) URL.
    #[schema(schema_with = http_url)]
    pub url: String,
    /// 1 to 20 keywords of 1 to 100 characters, matched case-insensitively.
    #[schema(schema_with = keywords)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KbArticleDto {
    pub id: String,
    pub title: String,
    pub url: String,
    pub keywords: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl From<KbArticle> for KbArticleDto {
    fn from(a: KbArticle) -> Self {
        Self {
            id: a.id.to_string(),
            title: a.title,
            url: a.url,
            keywords: a.keywords,
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KbArticleListDto {
    pub items: Vec<KbArticleDto>,
    /// Pass as `cursor` for the next page. Absent exactly on the last page (a full last page
    /// has none: no request ever answers an empty page after a cursor).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KbParams {
    /// 1 to 500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}
