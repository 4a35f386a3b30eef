//! Reschedule requests a client files 24–48 h before a session, and the windows that decide
//! whether a move happens at once, needs the coach's approval, or is refused.

use crate::ids::*;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
    Expired,
    Superseded,
}

impl RequestStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Expired => "expired",
            RequestStatus::Superseded => "superseded",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            "expired" => Self::Expired,
            "superseded" => Self::Superseded,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescheduleRequest {
    pub id: RescheduleRequestId,
    pub org: OrgId,
    pub session_id: SessionId,
    pub coach_id: UserId,
    pub client_id: UserId,
    pub requested_by: UserId,
    pub proposed_starts_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub status: RequestStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
}

/// How long a pending request may wait for the coach at most.
pub const REQUEST_LIFETIME_HOURS: i64 = 48;

/// `expiresAt = min(createdAt + 48 h, session start)`: never approvable once the session began.
pub fn request_expires_at(
    created_at: DateTime<Utc>,
    session_start: DateTime<Utc>,
) -> DateTime<Utc> {
    (created_at + Duration::hours(REQUEST_LIFETIME_HOURS)).min(session_start)
}

/// What a client's wish to move a session turns into, by the time left before its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientMove {
    /// 48 h or more: moves at once.
    Immediate,
    /// 24–48 h: a pending request for the coach.
    NeedsApproval,
    /// Under 24 h: refused.
    Closed,
}

pub fn client_move(now: DateTime<Utc>, current_start: DateTime<Utc>) -> ClientMove {
    let left = current_start - now;
    if left >= Duration::hours(48) {
        ClientMove::Immediate
    } else if left >= Duration::hours(24) {
        ClientMove::NeedsApproval
    } else {
        ClientMove::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn client_moves_follow_the_48_and_24_hour_windows() {
        let start = utc("2026-12-10T10:00:00Z");
        assert_eq!(
            client_move(utc("2026-12-08T10:00:00Z"), start),
            ClientMove::Immediate
        );
        assert_eq!(
            client_move(utc("2026-12-08T10:00:01Z"), start),
            ClientMove::NeedsApproval
        );
        assert_eq!(
            client_move(utc("2026-12-09T10:00:00Z"), start),
            ClientMove::NeedsApproval
        );
        assert_eq!(
            client_move(utc("2026-12-09T10:00:01Z"), start),
            ClientMove::Closed
        );
    }

    #[test]
    fn a_request_expires_at_the_session_start_when_that_comes_first() {
        let created = utc("2026-12-08T12:00:00Z");
        assert_eq!(
            request_expires_at(created, utc("2026-12-09T20:00:00Z")),
            utc("2026-12-09T20:00:00Z")
        );
        assert_eq!(
            request_expires_at(created, utc("2026-12-20T20:00:00Z")),
            utc("2026-12-10T12:00:00Z")
        );
    }
}
