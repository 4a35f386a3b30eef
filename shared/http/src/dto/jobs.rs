//! Wire types of the admin job runs (docs/api.md#notifications-reminders-and-jobs).

use super::kinds::{JobActionKindDto, ReminderTypeDto};
use chrono::{DateTime, Utc};
use coaching_domain::service::{JobRun, Outcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
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
    fn from(job: coaching_domain::service::Job) -> Self {
        use coaching_domain::service::Job;
        match job {
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
    fn from(job_run: &JobRun) -> Self {
        Self {
            job: job_run.job.into(),
            now: job_run.now,
            due: job_run.actions.len(),
            actions: job_run
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
            skipped: job_run.skipped(),
            notifications: job_run.notifications(),
            events_published: job_run.relay.published(),
            events_failed: job_run.relay.failed(),
        }
    }
}
