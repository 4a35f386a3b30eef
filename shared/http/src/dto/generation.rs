//! Wire types of a review's generation (docs/api.md#evaluations): what to generate, the queued
//! generation and its state in a session's review.

use super::schema::ids;
use coaching_domain::evaluation::Generation;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn criterion_ids() -> utoipa::openapi::Array {
    ids(20)
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
    pub generation: GenerationDto,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenerationInputsDto {
    pub evaluation_ids: Vec<String>,
    pub criterion_ids: Vec<String>,
    pub excluded_soft_criterion_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GenerationDto {
    pub id: String,
    pub status: super::kinds::GenerationStatusDto,
    pub error: Option<String>,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub inputs: GenerationInputsDto,
}

pub(crate) fn strings<T: ToString>(v: &[T]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

impl From<&Generation> for GenerationDto {
    fn from(g: &Generation) -> Self {
        Self {
            id: g.id.to_string(),
            status: g.status.into(),
            error: g.error.clone(),
            provider: g.provider.clone(),
            model: g.model.clone(),
            inputs: GenerationInputsDto {
                evaluation_ids: strings(&g.inputs.evaluation_ids),
                criterion_ids: strings(&g.inputs.criterion_ids),
                excluded_soft_criterion_ids: strings(&g.inputs.excluded_soft_criterion_ids),
            },
        }
    }
}
