//! Wire types of docs/api.md#rescheduling (rescheduling) and of the admin job runs (docs/api.md#notifications-reminders-and-jobs).

use super::kinds::{JobActionKindDto, ReminderTypeDto};
use super::schema::{grid_instant, up_to};
use super::session::SessionDto;
use chrono::{DateTime, Utc};
use coaching_domain::reschedule::{RequestStatus, RescheduleRequest};
use coaching_domain::service::{JobRun, Outcome};
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
    fn from(s: RequestStatus) -> Self {
        match s {
            RequestStatus::Pending => Self::Pending,
            RequestStatus::Approved => Self::Approved,
            RequestStatus::Rejected => Self::Rejected,
            RequestStatus::Expired => Self::Expired,
            RequestStatus::Superseded => Self::Superseded,
        }
    }
}

impl From<RequestStatusDto> for RequestStatus {
    fn from(s: RequestStatusDto) -> Self {
        match s {
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
    fn from(r: &RescheduleRequest) -> Self {
        Self {
            id: r.id.to_string(),
            session_id: r.session_id.to_string(),
            coach_id: r.coach_id.to_string(),
            client_id: r.client_id.to_string(),
            requested_by: r.requested_by.to_string(),
            proposed_starts_at: r.proposed_starts_at,
            reason: r.reason.clone(),
            status: r.status.into(),
            created_at: r.created_at,
            expires_at: r.expires_at,
            decided_at: r.decided_at,
            decision_reason: r.decision_reason.clone(),
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

/// A job `POST /v1/admin/jobs/{job}/run` runs (any other name is 404).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum JobNameDto {
    /// Delivers due `reminder_24h` and `reminder_1h`.
    Reminders,
    /// Expires reschedule requests whose `expiresAt` has passed.
    RescheduleExpiry,
}

impl From<coaching_domain::service::Job> for JobNameDto {
    fn from(j: coaching_domain::service::Job) -> Self {
        use coaching_domain::service::Job;
        match j {
            Job::Reminders => Self::Reminders,
            Job::RescheduleExpiry => Self::RescheduleExpiry,
        }
    }
}

/// What a job did with one due record.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobActionDto {
    pub action: JobActionKindDto,
    pub session_id: String,
    /// For reminders: which one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub reminder: Option<ReminderTypeDto>,
    /// For `expired`: the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub request_id: Option<String>,
    /// Inbox notifications written for it.
    pub notifications: usize,
}

/// What one job run did, as far as the caller's org is concerned: the jobs run for every org,
/// an admin sees only their own org's part.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobRunDto {
    pub job: JobNameDto,
    /// The time the run used (the test clock when set).
    pub now: DateTime<Utc>,
    /// Due records of the caller's org the run found.
    pub due: usize,
    pub actions: Vec<JobActionDto>,
    pub skipped: usize,
    /// Inbox notifications written.
    pub notifications: usize,
    /// Outbox events of the caller's org (those of API actions since the last run included)
    /// that the run's relay published: to the log locally. On AWS the api function does not
    /// relay (always 0): the scheduled job functions publish to EventBridge within a minute.
    pub events_published: usize,
    /// Outbox events of the caller's org the publisher refused this time; a later run retries
    /// them.
    pub events_failed: usize,
}

impl From<&JobRun> for JobRunDto {
    fn from(r: &JobRun) -> Self {
        Self {
            job: r.job.into(),
            now: r.now,
            due: r.actions.len(),
            actions: r
                .actions
                .iter()
                .map(|a| {
                    let (action, reminder, request_id) = match &a.outcome {
                        Outcome::Reminded(k) => (JobActionKindDto::Reminded, Some(*k), None),
                        Outcome::Dropped(k) => (JobActionKindDto::Dropped, Some(*k), None),
                        Outcome::Expired(id) => {
                            (JobActionKindDto::Expired, None, Some(id.to_string()))
                        }
                        Outcome::Skipped => (JobActionKindDto::Skipped, None, None),
                    };
                    JobActionDto {
                        action,
                        session_id: a.session_id.to_string(),
                        reminder: reminder.map(Into::into),
                        request_id,
                        notifications: a.notifications,
                    }
                })
                .collect(),
            skipped: r.skipped(),
            notifications: r.notifications(),
            events_published: r.relay.published(),
            events_failed: r.relay.failed(),
        }
    }
}
