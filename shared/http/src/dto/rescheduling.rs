//! Wire types of docs/api.md#rescheduling: a client's request to move a session and the
//! coach's decision.

use super::schema::{grid_instant, up_to};
use super::sessions::SessionDto;
use chrono::{DateTime, Utc};
use coaching_domain::reschedule::{RequestStatus, RescheduleRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/sessions/{id}/reschedule`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RescheduleBody {
    /// The new start: a free slot of the coach (the session itself excluded), on the 15-minute grid.
    #[schema(schema_with = grid_instant)]
    pub starts_at: DateTime<Utc>,
    /// At most 2000 characters; shown to the other side.
    #[schema(schema_with = reason_text)]
    pub reason: Option<String>,
}

/// `POST /v1/reschedule-requests/{id}/reject`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    /// At most 2000 characters; shown to the client.
    #[schema(schema_with = reason_text)]
    pub reason: Option<String>,
}

fn reason_text() -> utoipa::openapi::Object {
    up_to(2000)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatusDto {
    Pending,
    Approved,
    Rejected,
    Expired,
    Superseded,
}

impl From<RequestStatus> for RequestStatusDto {
    fn from(request_status: RequestStatus) -> Self {
        match request_status {
            RequestStatus::Pending => Self::Pending,
            RequestStatus::Approved => Self::Approved,
            RequestStatus::Rejected => Self::Rejected,
            RequestStatus::Expired => Self::Expired,
            RequestStatus::Superseded => Self::Superseded,
        }
    }
}

impl From<RequestStatusDto> for RequestStatus {
    fn from(request_status_dto: RequestStatusDto) -> Self {
        match request_status_dto {
            RequestStatusDto::Pending => Self::Pending,
            RequestStatusDto::Approved => Self::Approved,
            RequestStatusDto::Rejected => Self::Rejected,
            RequestStatusDto::Expired => Self::Expired,
            RequestStatusDto::Superseded => Self::Superseded,
        }
    }
}

/// A client's request to move a session 24–48 h before it, waiting for the coach.
/// `expiresAt = min(createdAt + 48 h, the session's start)`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RescheduleRequestDto {
    pub id: String,
    pub session_id: String,
    pub coach_id: String,
    pub client_id: String,
    pub requested_by: String,
    pub proposed_starts_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub status: RequestStatusDto,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
}

impl From<&RescheduleRequest> for RescheduleRequestDto {
    fn from(reschedule_request: &RescheduleRequest) -> Self {
        Self {
            id: reschedule_request.id.to_string(),
            session_id: reschedule_request.session_id.to_string(),
            coach_id: reschedule_request.coach_id.to_string(),
            client_id: reschedule_request.client_id.to_string(),
            requested_by: reschedule_request.requested_by.to_string(),
            proposed_starts_at: reschedule_request.proposed_starts_at,
            reason: reschedule_request.reason.clone(),
            status: reschedule_request.status.into(),
            created_at: reschedule_request.created_at,
            expires_at: reschedule_request.expires_at,
            decided_at: reschedule_request.decided_at,
            decision_reason: reschedule_request.decision_reason.clone(),
        }
    }
}

/// 202 answer of a client's reschedule 24–48 h before the session.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RescheduleRequestedDto {
    pub reschedule_request: RescheduleRequestDto,
}

/// A decided request and the session after the decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecisionDto {
    pub reschedule_request: RescheduleRequestDto,
    pub session: SessionDto,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RescheduleRequestListDto {
    pub items: Vec<RescheduleRequestDto>,
    /// Pass as `cursor` for the next page. Absent exactly on the last page (a full last page
    /// has none: no request ever answers an empty page after a cursor).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestListParams {
    /// Only requests in this status.
    pub status: Option<RequestStatusDto>,
    /// 1..200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `nextCursor` of the page before (any other value is 400).
    pub cursor: Option<String>,
}
