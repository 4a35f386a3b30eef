//! Wire types of a session's thread (docs/api.md#messages): the message body, a message, a page of the thread.

use coaching_domain::message::Message;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessageBody {
    /// Trimmed of surrounding whitespace, then 1 to 4,000 characters (else 400
    /// `validation_failed` naming `text`): at least one character that is not whitespace.
    #[schema(
        min_length = 1,
        max_length = 4000,
        pattern = r"\S",
        example = "Here is the article I mentioned."
    )]
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageDto {
    pub id: String,
    pub session_id: String,
    /// The session's coach or client who wrote it.
    pub author_id: String,
    pub text: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<&Message> for MessageDto {
    fn from(message: &Message) -> Self {
        Self {
            id: message.id.to_string(),
            session_id: message.session_id.to_string(),
            author_id: message.author_id.to_string(),
            text: message.text.as_str().to_owned(),
            created_at: message.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageListDto {
    /// Oldest first.
    pub items: Vec<MessageDto>,
    /// Pass as `cursor` for the next page. Absent exactly on the last page (a full last page
    /// has none: no request ever answers an empty page after a cursor).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MessageListParams {
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
}
