//! Wire types of recurring 1:1s (docs/api.md#sessions and
//! docs/api.md#notes-agenda-and-action-items): agenda templates and action items.

use super::schema::{id, text};
use chrono::{DateTime, NaiveDate, Utc};
use coaching_domain::org::AgendaTemplate;
use coaching_domain::session::ActionItem;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
fn text_200() -> utoipa::openapi::Object {
    text(200)
}
fn text_300() -> utoipa::openapi::Object {
    text(300)
}
fn template_items() -> utoipa::openapi::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(text(500))
        .min_items(Some(1))
        .max_items(Some(50))
        .build()
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgendaTemplateBody {
    /// 1 to 200 characters.
    #[schema(schema_with = text_200)]
    pub name: String,
    /// 1 to 50 items of 1 to 500 characters.
    #[schema(schema_with = template_items)]
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaTemplateDto {
    pub id: String,
    pub name: String,
    pub items: Vec<String>,
    pub owner_id: String,
    pub created_at: DateTime<Utc>,
}

impl From<AgendaTemplate> for AgendaTemplateDto {
    fn from(agenda_template: AgendaTemplate) -> Self {
        Self {
            id: agenda_template.id.to_string(),
            name: agenda_template.name,
            items: agenda_template.items,
            owner_id: agenda_template.owner_id.to_string(),
            created_at: agenda_template.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaTemplateListDto {
    pub items: Vec<AgendaTemplateDto>,
    /// Pass as `cursor` for the next page. Absent exactly on the last page (a full last page
    /// has none: no request ever answers an empty page after a cursor).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionItemBody {
    /// 1 to 300 characters.
    #[schema(schema_with = text_300)]
    pub title: String,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// The coach or the client of the session; default the client.
    #[serde(default)]
    #[schema(schema_with = id)]
    pub assignee_id: Option<String>,
}

/// Absent: unchanged; `null`: cleared.
pub(crate) fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionItemPatchBody {
    #[serde(default)]
    #[schema(schema_with = text_300)]
    pub title: Option<String>,
    /// `null` clears the due date.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(default)]
    pub done: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionItemParams {
    /// Default: the caller.
    #[param(
        min_length = 1,
        max_length = 128,
        pattern = "^[A-Za-z0-9._:@|-]{1,128}$"
    )]
    pub assignee_id: Option<String>,
    /// `true`: only items not done.
    pub open: Option<bool>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionItemListDto {
    /// Open items first, then done ones, each oldest first.
    pub items: Vec<ActionItemDto>,
    /// Pass as `cursor` for the next page. Absent exactly on the last page (a full last page
    /// has none: no request ever answers an empty page after a cursor).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionItemDto {
    pub id: String,
    pub session_id: String,
    pub title: String,
    pub due_date: Option<NaiveDate>,
    pub assignee_id: String,
    pub done: bool,
    pub source_evaluation_ids: Vec<String>,
}

impl From<&ActionItem> for ActionItemDto {
    fn from(action_item: &ActionItem) -> Self {
        Self {
            id: action_item.id.to_string(),
            session_id: action_item.session_id.to_string(),
            title: action_item.title.clone(),
            due_date: action_item.due_date,
            assignee_id: action_item.assignee_id.to_string(),
            done: action_item.done,
            source_evaluation_ids: action_item
                .source_evaluation_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
        }
    }
}
