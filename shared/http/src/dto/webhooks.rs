//! The evaluation webhook's body on the wire: parsed in two steps by the handler (`type`, then
//! `data` as that type needs), documented as one of two shapes by `type`.
//! The deliveries' data and the acknowledgement (docs/api.md#evaluations).

use super::schema::{http_url, id, instant, text, up_to};
use chrono::{DateTime, Utc};
use coaching_domain::ports::DeliveryOutcome;
use coaching_domain::webhook::{EvaluationInput, ScoreInput};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

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
/// A webhook delivery: `type` decides what `data` must hold.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookBody {
    /// `evaluation.completed` or `evaluation.deleted`.
    #[serde(rename = "type")]
    pub type_: String,
    /// [`EvaluationDataDto`] for `evaluation.completed`, [`DeletedDataDto`] for `evaluation.deleted`.
    pub data: serde_json::Value,
}

fn shape(type_: &str, data: Cow<'static, str>) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .title(Some(type_))
        .property(
            "type",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([type_])),
        )
        .property("data", Ref::from_schema_name(data))
        .required("type")
        .required("data")
        .build()
        .into()
}

impl PartialSchema for WebhookBody {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(shape("evaluation.completed", EvaluationDataDto::name()))
            .item(shape("evaluation.deleted", DeletedDataDto::name()))
            .description(Some(
                "An evaluation completed (a newer one for the same `evaluationId` replaces it) \
                 or deleted.",
            ))
            .into()
    }
}

impl ToSchema for WebhookBody {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("WebhookBody")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            EvaluationDataDto::name().into(),
            EvaluationDataDto::schema(),
        ));
        schemas.push((DeletedDataDto::name().into(), DeletedDataDto::schema()));
        <EvaluationDataDto as ToSchema>::schemas(schemas);
    }
}

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
    fn from(delivery_outcome: DeliveryOutcome) -> Self {
        match delivery_outcome {
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
