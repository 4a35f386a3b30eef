//! Closed sets of values on the wire that clients branch on, as enums of the document: who
//! acted, a generation's status, what a job did.

use coaching_domain::evaluation::GenerationStatus;
use coaching_domain::session::Party;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who acted: the session's coach, its client, or an admin of the org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Party)]
pub enum PartyDto {
    Coach,
    Client,
    Admin,
}

impl From<Party> for PartyDto {
    fn from(p: Party) -> Self {
        match p {
            Party::Coach => Self::Coach,
            Party::Client => Self::Client,
            Party::Admin => Self::Admin,
        }
    }
}

/// A generation's state: `queued` → `running` → `succeeded` or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = GenerationStatus)]
pub enum GenerationStatusDto {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl From<GenerationStatus> for GenerationStatusDto {
    fn from(s: GenerationStatus) -> Self {
        match s {
            GenerationStatus::Queued => Self::Queued,
            GenerationStatus::Running => Self::Running,
            GenerationStatus::Succeeded => Self::Succeeded,
            GenerationStatus::Failed => Self::Failed,
        }
    }
}

/// What a job did with one due record: `reminded` (sent to coach and client), `dropped` (due
/// but not sent: a later reminder was due too, or the session had started), `expired` (a
/// request), or `skipped` (another writer changed the record first: an overlapping run, a
/// move, a cancellation, a decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = JobAction)]
pub enum JobActionKindDto {
    Reminded,
    Dropped,
    Expired,
    Skipped,
}

/// A reminder a job delivered or dropped (the notification type it writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = ReminderType)]
pub enum ReminderTypeDto {
    #[serde(rename = "reminder_24h")]
    Reminder24h,
    #[serde(rename = "reminder_1h")]
    Reminder1h,
}

impl From<coaching_domain::reminder::ReminderKind> for ReminderTypeDto {
    fn from(k: coaching_domain::reminder::ReminderKind) -> Self {
        use coaching_domain::reminder::ReminderKind;
        match k {
            ReminderKind::H24 => Self::Reminder24h,
            ReminderKind::H1 => Self::Reminder1h,
        }
    }
}

/// A reminder's name in its notification's `data.reminder`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = ReminderLead)]
pub enum ReminderLeadDto {
    #[serde(rename = "24h")]
    H24,
    #[serde(rename = "1h")]
    H1,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_names_are_the_domains() {
        for p in [Party::Coach, Party::Client, Party::Admin] {
            assert_eq!(serde_json::to_value(PartyDto::from(p)).unwrap(), p.as_str());
        }
        for s in [
            GenerationStatus::Queued,
            GenerationStatus::Running,
            GenerationStatus::Succeeded,
            GenerationStatus::Failed,
        ] {
            assert_eq!(
                serde_json::to_value(GenerationStatusDto::from(s)).unwrap(),
                serde_json::to_value(s).unwrap()
            );
        }
        use coaching_domain::reminder::ReminderKind;
        for k in [ReminderKind::H24, ReminderKind::H1] {
            assert_eq!(
                serde_json::to_value(ReminderTypeDto::from(k)).unwrap(),
                k.notification().as_str()
            );
            let lead: ReminderLeadDto = serde_json::from_value(k.as_str().into()).unwrap();
            assert_eq!(serde_json::to_value(lead).unwrap(), k.as_str());
        }
    }
}
