//! Messages between a session's participants (docs/api.md#messages): the thread's model, its text rule and the
//! order every store lists a thread in.

use crate::error::DomainError;
use crate::ids::{MessageId, OrgId, SessionId, UserId};
use crate::ports::Cursor;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest message (characters, after trimming).
pub const MAX_MESSAGE_CHARS: usize = 4_000;

/// One message of a session's thread, written by its coach or its client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: MessageId,
    pub org: OrgId,
    pub session_id: SessionId,
    pub author_id: UserId,
    pub text: MessageText,
    pub created_at: DateTime<Utc>,
}

/// A message's text: 1 to [`MAX_MESSAGE_CHARS`] characters with the surrounding whitespace
/// trimmed (a message of only spaces or newlines says nothing, and trailing newlines from a
/// chat box are noise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageText(String);

impl MessageText {
    /// Trims `raw` and checks its length; the error names the `text` field.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(DomainError::field("text", "must not be empty"));
        }
        if text.chars().count() > MAX_MESSAGE_CHARS {
            return Err(DomainError::field(
                "text",
                format!("at most {MAX_MESSAGE_CHARS} characters"),
            ));
        }
        Ok(Self(text.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MessageText {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Self::parse(&s)
    }
}

impl From<MessageText> for String {
    fn from(t: MessageText) -> String {
        t.0
    }
}

/// A thread's order, oldest first: `sort_key` is `created_at` in unix milliseconds, ties by id.
/// Creation times come from the clock (a test clock may go back), so ids alone would not do.
pub fn message_cursor(m: &Message) -> Cursor {
    Cursor {
        sort_key: m.created_at.timestamp_millis(),
        id: m.id.as_str().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_must_hold_one_to_four_thousand_characters() {
        assert_eq!(MessageText::parse("  hi\n").unwrap().as_str(), "hi");
        assert!(MessageText::parse("").is_err());
        assert!(MessageText::parse(" \n\t ").is_err());
        let most = "é".repeat(MAX_MESSAGE_CHARS);
        assert_eq!(MessageText::parse(&most).unwrap().as_str(), most);
        let error = MessageText::parse(&"x".repeat(MAX_MESSAGE_CHARS + 1)).unwrap_err();
        assert!(
            matches!(&error, DomainError::Validation(f) if f[0].field == "text"),
            "{error:?}"
        );
    }

    #[test]
    fn a_stored_text_that_breaks_the_rule_does_not_decode() {
        assert!(serde_json::from_str::<MessageText>("\"ok\"").is_ok());
        assert!(serde_json::from_str::<MessageText>("\"  \"").is_err());
    }
}
