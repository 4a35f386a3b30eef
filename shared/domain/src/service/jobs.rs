//! The two scheduled jobs (docs/api.md#jobs) and the outbox relay they end with. Each takes `now` from its
//! caller: the schedule's event time in AWS, the clock locally.
//!
//! Both find due work through the due-by-time index, never by reading sessions in bulk, and
//! change each item with a conditional write, so overlapping runs (or a run racing a user)
//! never deliver anything twice: the loser's write fails and it moves on.

use super::relay::Relayed;
use super::reschedule::request_data;
use super::{Services, store_err};
use crate::error::DomainError;
use crate::ids::{OrgId, RescheduleRequestId, SessionId};
use crate::notification::NotificationType;
use crate::outbound::OrgEventType;
use crate::ports::{Changes, RequestPut, SessionPut, StoreError};
use crate::reminder::{Reminder, ReminderKind, ReminderWrite, to_deliver};
use crate::reschedule::{RequestStatus, RescheduleRequest};
use crate::session::SessionStatus;
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeMap;

/// Due records read per round.
pub const JOB_BATCH: u32 = 100;
/// Rounds per run at most (a run handles up to `JOB_BATCH × MAX_ROUNDS` items; the next run
/// continues).
pub(crate) const MAX_ROUNDS: usize = 100;
/// Attempts per expiring request when its session changes under the job.
const EXPIRY_ATTEMPTS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Reminders,
    RescheduleExpiry,
}

impl Job {
    pub fn as_str(&self) -> &'static str {
        match self {
            Job::Reminders => "reminders",
            Job::RescheduleExpiry => "reschedule-expiry",
        }
    }
    pub fn parse(s: &str) -> Option<Job> {
        [Job::Reminders, Job::RescheduleExpiry]
            .into_iter()
            .find(|j| j.as_str() == s)
    }
}

/// What a job did with one due record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The reminder went to both participants.
    Reminded(ReminderKind),
    /// The reminder was due but not sent: a later one was due too, or the session had started.
    Dropped(ReminderKind),
    /// The pending request expired.
    Expired(RescheduleRequestId),
    /// Another writer changed the record first (an overlapping run, a move, a cancellation, a
    /// decision): nothing done.
    Skipped,
}

/// One due record a job handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobAction {
    pub org: OrgId,
    pub session_id: SessionId,
    pub outcome: Outcome,
    /// Inbox notifications written for it.
    pub notifications: usize,
}

/// What a job run did.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRun {
    pub job: Job,
    pub now: DateTime<Utc>,
    /// One per due record found, in the order handled.
    pub actions: Vec<JobAction>,
    pub relay: Relayed,
}

impl JobRun {
    fn new(job: Job, now: DateTime<Utc>) -> JobRun {
        JobRun {
            job,
            now,
            actions: Vec::new(),
            relay: Relayed::default(),
        }
    }
    /// The part of the run that concerns `org` (what its admin may see).
    pub fn of_org(&self, org: &OrgId) -> JobRun {
        JobRun {
            job: self.job,
            now: self.now,
            actions: self
                .actions
                .iter()
                .filter(|a| &a.org == org)
                .cloned()
                .collect(),
            relay: self.relay.of_org(org.as_str()),
        }
    }
    pub fn notifications(&self) -> usize {
        self.actions.iter().map(|a| a.notifications).sum()
    }
    pub fn skipped(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| a.outcome == Outcome::Skipped)
            .count()
    }
}

impl<S: crate::ports::JobStore + ?Sized> Services<S> {
    /// Runs `job` at `now`.
    pub async fn run_job(&self, job: Job, now: DateTime<Utc>) -> Result<JobRun, DomainError> {
        match job {
            Job::Reminders => self.run_reminders(now).await,
            Job::RescheduleExpiry => self.run_reschedule_expiry(now).await,
        }
    }

    /// Delivers due reminders: per session, the latest due one (none once it started); every
    /// due record of the session is taken in the notifications' transaction.
    pub async fn run_reminders(&self, now: DateTime<Utc>) -> Result<JobRun, DomainError> {
        let mut run = JobRun::new(Job::Reminders, now);
        for _ in 0..MAX_ROUNDS {
            let due = self
                .ports
                .store
                .due_reminders(now, JOB_BATCH)
                .await
                .map_err(store_err)?;
            let progress_before = run.actions.len();
            let full = due.len() == JOB_BATCH as usize;
            let mut by_session: BTreeMap<(OrgId, SessionId), Vec<Reminder>> = BTreeMap::new();
            for r in due {
                by_session
                    .entry((r.org.clone(), r.session_id.clone()))
                    .or_default()
                    .push(r);
            }
            for ((org, session_id), reminders) in by_session {
                self.remind(&mut run, &org, &session_id, reminders, now)
                    .await?;
            }
            if !full || run.actions.len() == progress_before {
                break;
            }
        }
        run.relay = self.relay_events(now).await?;
        Ok(run)
    }

    async fn remind(
        &self,
        run: &mut JobRun,
        org: &OrgId,
        session_id: &SessionId,
        reminders: Vec<Reminder>,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let session = self
            .ports
            .store
            .session(org, session_id)
            .await
            .map_err(store_err)?;
        // Records always follow their session's time and status in one transaction; a record
        // that does not match (it cannot) is taken without a word.
        let deliver = to_deliver(&reminders, now).filter(|_| {
            session.as_ref().is_some_and(|s| {
                s.status == SessionStatus::Scheduled
                    && reminders.iter().all(|r| Some(r.starts_at) == s.starts_at)
            })
        });
        let mut changes = Changes {
            reminders: reminders.iter().cloned().map(ReminderWrite::Take).collect(),
            ..Changes::default()
        };
        if let (Some(kind), Some(s)) = (deliver, &session) {
            changes.notifications = self.notify_at(
                s,
                kind.notification(),
                &[&s.coach_id, &s.client_id],
                json!({"reminder": kind.as_str()}),
                now,
            );
            changes.events.extend(self.session_event(
                OrgEventType::SessionReminder,
                s,
                json!({"reminder": kind.as_str()}),
                now,
            ));
        }
        let written = changes.notifications.len();
        let outcome = |r: &Reminder| {
            if Some(r.kind) == deliver {
                Outcome::Reminded(r.kind)
            } else {
                Outcome::Dropped(r.kind)
            }
        };
        let won = match self.commit(changes).await {
            Ok(()) => true,
            // Taken by an overlapping run, or rewritten by a move or cancellation meanwhile:
            // whatever is due now is found again in the next round or run.
            Err(StoreError::Conflict) => false,
            Err(e) => return Err(store_err(e)),
        };
        for r in &reminders {
            let outcome = if won { outcome(r) } else { Outcome::Skipped };
            run.actions.push(JobAction {
                org: r.org.clone(),
                session_id: r.session_id.clone(),
                notifications: if matches!(outcome, Outcome::Reminded(_)) {
                    written
                } else {
                    0
                },
                outcome,
            });
        }
        Ok(())
    }

    /// Marks due pending requests expired, notifies both sides; sessions keep their time.
    pub async fn run_reschedule_expiry(&self, now: DateTime<Utc>) -> Result<JobRun, DomainError> {
        let mut run = JobRun::new(Job::RescheduleExpiry, now);
        for _ in 0..MAX_ROUNDS {
            let due = self
                .ports
                .store
                .due_requests(now, JOB_BATCH)
                .await
                .map_err(store_err)?;
            let progress_before = run.actions.len();
            let full = due.len() == JOB_BATCH as usize;
            for request in due {
                self.expire(&mut run, request, now).await?;
            }
            if !full || run.actions.len() == progress_before {
                break;
            }
        }
        run.relay = self.relay_events(now).await?;
        Ok(run)
    }

    async fn expire(
        &self,
        run: &mut JobRun,
        mut request: RescheduleRequest,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        for attempt in 0..EXPIRY_ATTEMPTS {
            if attempt > 0 {
                // The session changed under us: read the request again, it may be decided.
                match self
                    .ports
                    .store
                    .reschedule_request(&request.org, &request.id)
                    .await
                    .map_err(store_err)?
                {
                    Some(r) if r.status == RequestStatus::Pending => request = r,
                    _ => break,
                }
            }
            let session = self
                .ports
                .store
                .session(&request.org, &request.session_id)
                .await
                .map_err(store_err)?;
            let mut expired = request.clone();
            expired.status = RequestStatus::Expired;
            expired.decided_at = Some(now);
            let mut changes = Changes {
                requests: vec![RequestPut {
                    request: expired,
                    expected_status: Some(RequestStatus::Pending),
                }],
                ..Changes::default()
            };
            if let Some(mut s) = session {
                changes.notifications = self.notify_at(
                    &s,
                    NotificationType::RescheduleExpired,
                    &[&s.coach_id, &s.client_id],
                    request_data(&request),
                    now,
                );
                if s.pending_reschedule_request.as_ref() == Some(&request.id) {
                    let before = s.version;
                    s.pending_reschedule_request = None;
                    s.touch(now);
                    changes.sessions.push(SessionPut {
                        session: s.clone(),
                        expected_version: Some(before),
                    });
                }
                let mut expired = request.clone();
                expired.status = RequestStatus::Expired;
                expired.decided_at = Some(now);
                changes.events.extend(self.session_event(
                    OrgEventType::RescheduleRequestExpired,
                    &s,
                    super::reschedule::request_event_data(&expired),
                    now,
                ));
            }
            let written = changes.notifications.len();
            match self.commit(changes).await {
                Ok(()) => {
                    run.actions.push(JobAction {
                        org: request.org.clone(),
                        session_id: request.session_id.clone(),
                        outcome: Outcome::Expired(request.id.clone()),
                        notifications: written,
                    });
                    return Ok(());
                }
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(store_err(e)),
            }
        }
        run.actions.push(JobAction {
            org: request.org.clone(),
            session_id: request.session_id.clone(),
            outcome: Outcome::Skipped,
            notifications: 0,
        });
        Ok(())
    }
}
