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

pub(crate) fn strings<T: ToString>(values: &[T]) -> Vec<String> {
    values.iter().map(ToString::to_string).collect()
}

impl From<&Generation> for GenerationDto {
    fn from(generation: &Generation) -> Self {
        Self {
            id: generation.id.to_string(),
            status: generation.status.into(),
            error: generation.error.clone(),
            provider: generation.provider.clone(),
            model: generation.model.clone(),
            inputs: GenerationInputsDto {
                evaluation_ids: strings(&generation.inputs.evaluation_ids),
                criterion_ids: strings(&generation.inputs.criterion_ids),
                excluded_soft_criterion_ids: strings(
                    &generation.inputs.excluded_soft_criterion_ids,
                ),
            },
        }
    }
}
