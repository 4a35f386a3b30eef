//! Identifier newtypes: opaque, non-empty, bounded strings that cannot be confused with each other.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 1 to 128 characters of letters, digits, '-', '_', '.', ':', '@' or '|'")]
pub struct InvalidId;

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '@' | '|'))
}

macro_rules! string_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses an identifier; rejects empty, overlong or oddly-charactered strings.
            pub fn parse(s: impl Into<String>) -> Result<Self, InvalidId> {
                let s = s.into();
                if valid_id(&s) { Ok(Self(s)) } else { Err(InvalidId) }
            }
            pub fn as_str(&self) -> &str { &self.0 }
        }
        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(s: String) -> Result<Self, InvalidId> { Self::parse(s) }
        }
        impl From<$name> for String {
            fn from(id: $name) -> String { id.0 }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(&self.0) }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { write!(f, "{}({})", stringify!($name), self.0) }
        }
    };
}

string_id!(
    /// An org event (`evt_…`): one per fact, the `webhook-id` of every delivery of it.
    EventId
);
string_id!(
    /// An org's outbound webhook endpoint (`we_…`).
    EndpointId
);
string_id!(
    /// One event's delivery to one endpoint (`wd_…`).
    DeliveryId
);
string_id!(
    /// An organisation: the boundary nothing crosses.
    OrgId
);
string_id!(
    /// A user (coach, client/coachee or admin), as the identity provider names them (`sub`).
    UserId
);
string_id!(
    /// A session of any kind.
    SessionId
);
string_id!(
    /// A recurring series of sessions.
    SeriesId
);
string_id!(
    /// An agenda item inside a session.
    AgendaItemId
);
string_id!(
    /// An action item.
    ActionItemId
);
string_id!(
    /// A client's reschedule request.
    RescheduleRequestId
);
string_id!(
    /// An inbox notification.
    NotificationId
);
string_id!(
    /// An evaluation pushed by an evaluation system.
    EvaluationId
);
string_id!(
    /// A scorecard criterion.
    CriterionId
);
string_id!(
    /// An agenda template.
    AgendaTemplateId
);
string_id!(
    /// A knowledge-base article.
    KbArticleId
);
string_id!(
    /// An AI coaching generation run.
    GenerationId
);
string_id!(
    /// A message in a session's thread.
    MessageId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_reject_empty_long_and_odd_strings() {
        assert!(SessionId::parse("").is_err());
        assert!(SessionId::parse("a".repeat(129)).is_err());
        assert!(SessionId::parse("a b").is_err());
        assert!(SessionId::parse("../etc").is_err());
        assert!(SessionId::parse("01JABCDEF").is_ok());
        assert!(UserId::parse("auth0|user-1@x.io").is_ok());
    }
}
