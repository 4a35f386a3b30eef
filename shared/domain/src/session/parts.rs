//! What a session is made of: its kind and status machine, agenda and action items,
//! recurrence, and the records of a cancellation, a no-show and a rating.

use crate::error::DomainError;
use crate::ids::*;
use crate::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Intro,
    Paid,
    Review,
}

impl SessionKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            SessionKind::Intro => "intro",
            SessionKind::Paid => "paid",
            SessionKind::Review => "review",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Draft,
    Scheduled,
    Completed,
    Cancelled,
    NoShow,
}

/// What can happen to a session; each is checked against the status machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Schedule,
    Complete,
    Cancel,
    MarkNoShow,
    Reschedule,
}

impl SessionStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            SessionStatus::Draft => "draft",
            SessionStatus::Scheduled => "scheduled",
            SessionStatus::Completed => "completed",
            SessionStatus::Cancelled => "cancelled",
            SessionStatus::NoShow => "no_show",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => SessionStatus::Draft,
            "scheduled" => SessionStatus::Scheduled,
            "completed" => SessionStatus::Completed,
            "cancelled" => SessionStatus::Cancelled,
            "no_show" => SessionStatus::NoShow,
            _ => return None,
        })
    }
    /// `draft → scheduled → completed`, `scheduled → cancelled | no_show`, and a scheduled
    /// session may move in time. Everything else is `invalid_transition`.
    pub fn apply(self, t: Transition) -> Result<SessionStatus, DomainError> {
        use SessionStatus::*;
        use Transition::*;
        match (self, t) {
            (Draft, Schedule) => Ok(Scheduled),
            (Scheduled, Complete) => Ok(Completed),
            (Scheduled, Cancel) => Ok(Cancelled),
            (Scheduled, MarkNoShow) => Ok(NoShow),
            (Scheduled, Reschedule) => Ok(Scheduled),
            (from, t) => Err(DomainError::invalid_transition(format!(
                "a {} session cannot be {}",
                from.as_str(),
                match t {
                    Schedule => "scheduled",
                    Complete => "completed",
                    Cancel => "cancelled",
                    MarkNoShow => "marked as a no-show",
                    Reschedule => "rescheduled",
                }
            ))),
        }
    }
    /// True when the session holds the coach's time (its slot locks are kept).
    pub fn occupies_time(&self) -> bool {
        matches!(
            self,
            SessionStatus::Scheduled | SessionStatus::Completed | SessionStatus::NoShow
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub id: AgendaItemId,
    pub text: String,
    pub done: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: ActionItemId,
    pub session_id: SessionId,
    pub title: String,
    pub due_date: Option<NaiveDate>,
    pub assignee_id: UserId,
    pub done: bool,
    pub source_evaluation_ids: Vec<EvaluationId>,
    pub created_at: DateTime<Utc>,
    /// The generation that wrote it (its open items are replaced by the next generation);
    /// `None` for items from notes or made by hand.
    #[serde(default)]
    pub generation_id: Option<GenerationId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecurrenceEvery {
    Week,
    #[serde(rename = "2weeks")]
    TwoWeeks,
    Month,
}

impl RecurrenceEvery {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "week" => Some(Self::Week),
            "2weeks" => Some(Self::TwoWeeks),
            "month" => Some(Self::Month),
            _ => None,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::TwoWeeks => "2weeks",
            Self::Month => "month",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    pub every: RecurrenceEvery,
}

/// Who acted, as the contract shows it (`by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Party {
    Coach,
    Client,
    Admin,
}

impl Party {
    pub fn as_str(&self) -> &'static str {
        match self {
            Party::Coach => "coach",
            Party::Client => "client",
            Party::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    pub by: Party,
    pub by_user_id: UserId,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
    pub fee: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoShow {
    pub at: DateTime<Utc>,
    pub fee: Option<Money>,
}

/// A client's rating of a completed session (docs/api.md#session-reviews).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRating {
    pub rating: Rating,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

/// A rating from 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

impl Rating {
    pub fn get(&self) -> u8 {
        self.0
    }
}
impl TryFrom<u8> for Rating {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        if (1..=5).contains(&v) {
            Ok(Rating(v))
        } else {
            Err("rating must be 1 to 5".into())
        }
    }
}
impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r.0
    }
}
