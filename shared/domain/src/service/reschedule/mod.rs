//! Rescheduling (docs/api.md#rescheduling): coach moves, client moves and requests, approval, rejection, and the
//! move itself (locks, reminders, notifications) in one change set.

mod decisions;

use crate::access::Actor;
use crate::error::{DomainError, Errors};
use crate::ids::*;
use crate::notification::NotificationType;
use crate::outbound::OrgEventType;
use crate::ports::{Changes, RequestPut, SessionPut};
use crate::reminder::reminder_writes;
use crate::reschedule::{
    ClientMove, RequestStatus, RescheduleRequest, client_move, request_expires_at,
};
use crate::service::lifecycle::held_locks;
use crate::service::{Services, parse_id, store_err};
use crate::session::{Party, Session, SessionStatus};
use crate::slots::{SlotRejection, check_slot};
use crate::time::check_instant;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

pub const MAX_REASON_CHARS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RescheduleCommand {
    pub starts_at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// What a reschedule did: moved the session at once, or filed a request for the coach.
#[derive(Debug, Clone, PartialEq)]
pub enum Rescheduled {
    Moved(Session),
    Requested(RescheduleRequest),
}

/// A decided request and the session as it is after the decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    pub request: RescheduleRequest,
    pub session: Session,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequests {
    pub status: Option<RequestStatus>,
    pub limit: Option<u32>,
    pub before: Option<RescheduleRequestId>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn check_reason(field: &str, reason: &Option<String>) -> Result<(), DomainError> {
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
    {
        return Err(DomainError::field(
            field,
            format!("at most {MAX_REASON_CHARS} characters"),
        ));
    }
    Ok(())
}

impl Services {
    /// `POST /v1/sessions/{id}/reschedule`: the coach (or an admin) moves at once before the
    /// start; the client moves at once 48 h or more ahead, files a request 24–48 h ahead, and is
    /// refused under 24 h.
    pub async fn reschedule_session(
        &self,
        actor: &Actor,
        id: &SessionId,
        cmd: RescheduleCommand,
    ) -> Result<Rescheduled, DomainError> {
        let mut errs = Errors::new();
        if check_instant("startsAt", cmd.starts_at).is_err() {
            errs.add("startsAt", "must be between 1970-01-01 and 9999-12-31");
        }
        if let Err(DomainError::Validation(v)) = check_reason("reason", &cmd.reason) {
            for e in v {
                errs.add(e.field, e.message);
            }
        }
        errs.finish()?;
        let (s, _) = self.session_for(actor, id).await?;
        let party = s
            .party_of(actor)
            .ok_or_else(|| DomainError::forbidden("not a participant"))?;
        let now = self.now();
        let current = match (s.status, s.starts_at) {
            (SessionStatus::Scheduled, Some(t)) => t,
            (SessionStatus::Draft, _) => {
                return Err(DomainError::invalid_transition(
                    "a draft has no time to move; schedule it with PATCH startsAt",
                ));
            }
            (status, _) => {
                return Err(DomainError::invalid_transition(format!(
                    "a {} session cannot be rescheduled",
                    status.as_str()
                )));
            }
        };
        if now >= current {
            return Err(DomainError::conflict(
                "the session has already started; it can no longer be moved",
            ));
        }
        if cmd.starts_at == current {
            return Err(DomainError::field(
                "startsAt",
                "is the session's current start",
            ));
        }
        match party {
            Party::Coach | Party::Admin => {
                let moved = self
                    .move_session(actor, s, cmd.starts_at, cmd.reason, party, now, None)
                    .await?;
                Ok(Rescheduled::Moved(moved))
            }
            Party::Client => match client_move(now, current) {
                ClientMove::Closed => Err(DomainError::RescheduleWindowClosed),
                ClientMove::Immediate => {
                    let moved = self
                        .move_session(actor, s, cmd.starts_at, cmd.reason, party, now, None)
                        .await?;
                    Ok(Rescheduled::Moved(moved))
                }
                ClientMove::NeedsApproval => self
                    .file_request(actor, s, cmd, now, current)
                    .await
                    .map(Rescheduled::Requested),
            },
        }
    }

    /// The slot check of a move: the new time must be a free slot, the session itself excluded.
    async fn check_move(
        &self,
        actor: &Actor,
        s: &Session,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<crate::coach::CoachSettings, DomainError> {
        let settings = self.coach_settings(actor, &s.coach_id).await?;
        let busy = self
            .busy_excluding(actor, &s.coach_id, to, to, Some(&s.id))
            .await?;
        check_slot(&settings, &busy, to, s.duration_minutes, now).map_err(|r| match r {
            SlotRejection::OffGrid => DomainError::field(
                "startsAt",
                "must be on the 15-minute grid (:00, :15, :30, :45)",
            ),
            _ => DomainError::SlotUnavailable,
        })?;
        Ok(settings)
    }

    async fn file_request(
        &self,
        actor: &Actor,
        mut s: Session,
        cmd: RescheduleCommand,
        now: DateTime<Utc>,
        current: DateTime<Utc>,
    ) -> Result<RescheduleRequest, DomainError> {
        if s.pending_reschedule_request.is_some() {
            return Err(DomainError::conflict(
                "this session already has a pending reschedule request",
            ));
        }
        // Refused now rather than approved into a taken slot later.
        self.check_move(actor, &s, cmd.starts_at, now).await?;
        let request = RescheduleRequest {
            id: parse_id("id", RescheduleRequestId::parse(self.new_id()))?,
            org: s.org.clone(),
            session_id: s.id.clone(),
            coach_id: s.coach_id.clone(),
            client_id: s.client_id.clone(),
            requested_by: actor.user.clone(),
            proposed_starts_at: cmd.starts_at,
            reason: cmd.reason,
            status: RequestStatus::Pending,
            created_at: now,
            expires_at: request_expires_at(now, current),
            decided_at: None,
            decision_reason: None,
        };
        let before = s.version;
        s.pending_reschedule_request = Some(request.id.clone());
        s.touch(now);
        let notifications = self.notify_at(
            &s,
            NotificationType::RescheduleRequested,
            &[&s.coach_id],
            request_data(&request),
            now,
        );
        let events = self
            .session_event(
                OrgEventType::RescheduleRequestCreated,
                &s,
                request_event_data(&request),
                now,
            )
            .into_iter()
            .collect();
        let changes = Changes {
            sessions: vec![SessionPut {
                session: s,
                expected_version: Some(before),
            }],
            requests: vec![RequestPut {
                request: request.clone(),
                expected_status: None,
            }],
            notifications,
            events,
            ..Changes::default()
        };
        self.commit(changes).await.map_err(store_err)?;
        Ok(request)
    }

    /// Moves `s` to `to` now: releases the blocks it leaves, takes the ones it enters, rewrites
    /// its reminders, settles its pending request (`decided` when a request is being approved,
    /// else superseded) and notifies the other side.
    #[allow(clippy::too_many_arguments)]
    async fn move_session(
        &self,
        actor: &Actor,
        mut s: Session,
        to: DateTime<Utc>,
        reason: Option<String>,
        by: Party,
        now: DateTime<Utc>,
        decided: Option<RescheduleRequest>,
    ) -> Result<Session, DomainError> {
        let settings = self.check_move(actor, &s, to, now).await?;
        let before = s.version;
        let from = s.starts_at;
        let old_locks = held_locks(&s);
        s.starts_at = Some(to);
        s.buffer_minutes = settings.buffer_minutes;
        s.timezone = settings.timezone;
        s.sequence += 1;
        let new_locks = held_locks(&s);
        let mut changes = Changes {
            release_locks: old_locks
                .iter()
                .filter(|k| !new_locks.contains(k))
                .cloned()
                .collect(),
            acquire_locks: new_locks
                .iter()
                .filter(|k| !old_locks.contains(k))
                .cloned()
                .collect(),
            reminders: reminder_writes(&s, now),
            ..Changes::default()
        };
        let approved = decided.as_ref().map(request_event_data);
        match decided {
            Some(request) => {
                changes.notifications = self.notify_at(
                    &s,
                    NotificationType::RescheduleApproved,
                    &[&s.client_id],
                    json!({
                        "requestId": request.id,
                        "previousStartsAt": from.map(rfc3339),
                    }),
                    now,
                );
                changes.requests.push(RequestPut {
                    request,
                    expected_status: Some(RequestStatus::Pending),
                });
            }
            None => {
                changes
                    .requests
                    .extend(self.supersede_pending(&s, now).await?);
                let recipients: Vec<&UserId> = match by {
                    Party::Coach => vec![&s.client_id],
                    Party::Client => vec![&s.coach_id],
                    Party::Admin => vec![&s.coach_id, &s.client_id],
                };
                changes.notifications = self.notify_at(
                    &s,
                    NotificationType::SessionRescheduled,
                    &recipients,
                    json!({
                        "previousStartsAt": from.map(rfc3339),
                        "rescheduledBy": by.as_str(),
                        "reason": reason,
                    }),
                    now,
                );
            }
        }
        s.pending_reschedule_request = None;
        s.touch(now);
        if let Some(request) = approved {
            changes.events.extend(self.session_event(
                OrgEventType::RescheduleRequestApproved,
                &s,
                request,
                now,
            ));
        }
        changes.events.extend(self.session_event(
            OrgEventType::SessionRescheduled,
            &s,
            json!({
                "previousStartsAt": from.map(rfc3339),
                "startsAt": s.starts_at.map(rfc3339),
                "by": by.as_str(),
                "byUserId": actor.user,
                "reason": reason,
            }),
            now,
        ));
        changes.sessions.insert(
            0,
            SessionPut {
                session: s.clone(),
                expected_version: Some(before),
            },
        );
        self.commit(changes).await.map_err(store_err)?;
        Ok(s)
    }

    /// The write that marks `s`'s pending request superseded (by a coach's move or a
    /// cancellation), if it has one that is still pending.
    pub(crate) async fn supersede_pending(
        &self,
        s: &Session,
        now: DateTime<Utc>,
    ) -> Result<Option<RequestPut>, DomainError> {
        let Some(pending) = &s.pending_reschedule_request else {
            return Ok(None);
        };
        let request = self
            .ports
            .store
            .reschedule_request(&s.org, pending)
            .await
            .map_err(store_err)?
            .filter(|r| r.status == RequestStatus::Pending);
        Ok(request.map(|mut request| {
            request.status = RequestStatus::Superseded;
            request.decided_at = Some(now);
            RequestPut {
                request,
                expected_status: Some(RequestStatus::Pending),
            }
        }))
    }
}

/// The notification data of a request.
/// A reschedule request in its org events: `requestId` and the request as the API shows it.
pub(crate) fn request_event_data(r: &RescheduleRequest) -> serde_json::Value {
    json!({
        "requestId": r.id,
        "request": {
            "id": r.id,
            "sessionId": r.session_id,
            "coachId": r.coach_id,
            "clientId": r.client_id,
            "requestedBy": r.requested_by,
            "proposedStartsAt": rfc3339(r.proposed_starts_at),
            "reason": r.reason,
            "status": r.status.as_str(),
            "createdAt": rfc3339(r.created_at),
            "expiresAt": rfc3339(r.expires_at),
            "decidedAt": r.decided_at.map(rfc3339),
            "decisionReason": r.decision_reason,
        },
    })
}

pub(crate) fn request_data(r: &RescheduleRequest) -> serde_json::Value {
    json!({
        "requestId": r.id,
        "proposedStartsAt": rfc3339(r.proposed_starts_at),
        "reason": r.reason,
        "expiresAt": rfc3339(r.expires_at),
    })
}
