//! Deciding on reschedule requests (approve, reject) and reading them.

use super::*;
use crate::access::Actor;
use crate::error::DomainError;
use crate::ids::*;
use crate::notification::NotificationType;
use crate::outbound::OrgEventType;
use crate::ports::{Changes, RequestPut, SessionPut};
use crate::reschedule::{RequestStatus, RescheduleRequest};
use crate::service::{Services, store_err};
use crate::session::{Party, Session};
use chrono::{DateTime, Utc};
use serde_json::json;

impl Services {
    /// The request by id with its session, for a participant (404 otherwise).
    async fn request_for(
        &self,
        actor: &Actor,
        id: &RescheduleRequestId,
    ) -> Result<(RescheduleRequest, Session), DomainError> {
        let request = self
            .ports
            .store
            .reschedule_request(&actor.org, id)
            .await
            .map_err(store_err)?
            .ok_or(DomainError::NotFound("reschedule request"))?;
        let (session, _) =
            self.session_for(actor, &request.session_id)
                .await
                .map_err(|e| match e {
                    DomainError::NotFound(_) => DomainError::NotFound("reschedule request"),
                    e => e,
                })?;
        Ok((request, session))
    }

    /// The checks approve and reject share: the coach (or an admin) decides a request that is
    /// still pending and not yet expired, on the session it was filed for.
    fn check_decidable(
        actor: &Actor,
        request: &RescheduleRequest,
        session: &Session,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        session.require_coach_or_admin(actor, "decide a reschedule request")?;
        if request.status != RequestStatus::Pending {
            return Err(DomainError::conflict(format!(
                "the request is {}, no longer pending",
                request.status.as_str()
            )));
        }
        if now >= request.expires_at {
            return Err(DomainError::conflict(format!(
                "the request expired at {}",
                rfc3339(request.expires_at)
            )));
        }
        if session.pending_reschedule_request.as_ref() != Some(&request.id) {
            return Err(DomainError::conflict(
                "the session no longer waits for this request",
            ));
        }
        Ok(())
    }

    /// `POST /v1/reschedule-requests/{id}/approve`: moves the session to the proposed time.
    pub async fn approve_request(
        &self,
        actor: &Actor,
        id: &RescheduleRequestId,
    ) -> Result<Decided, DomainError> {
        let (mut request, session) = self.request_for(actor, id).await?;
        let now = self.now();
        Self::check_decidable(actor, &request, &session, now)?;
        request.status = RequestStatus::Approved;
        request.decided_at = Some(now);
        let to = request.proposed_starts_at;
        let party = session.party_of(actor).unwrap_or(Party::Admin);
        let session = self
            .move_session(actor, session, to, None, party, now, Some(request.clone()))
            .await?;
        Ok(Decided { request, session })
    }

    /// `POST /v1/reschedule-requests/{id}/reject`: the session keeps its time.
    pub async fn reject_request(
        &self,
        actor: &Actor,
        id: &RescheduleRequestId,
        reason: Option<String>,
    ) -> Result<Decided, DomainError> {
        check_reason("reason", &reason)?;
        let (mut request, mut session) = self.request_for(actor, id).await?;
        let now = self.now();
        Self::check_decidable(actor, &request, &session, now)?;
        request.status = RequestStatus::Rejected;
        request.decided_at = Some(now);
        request.decision_reason = reason;
        let before = session.version;
        session.pending_reschedule_request = None;
        session.touch(now);
        let notifications = self.notify_at(
            &session,
            NotificationType::RescheduleRejected,
            &[&session.client_id],
            json!({"requestId": request.id, "reason": request.decision_reason}),
            now,
        );
        let changes = Changes {
            sessions: vec![SessionPut {
                session: session.clone(),
                expected_version: Some(before),
            }],
            requests: vec![RequestPut {
                request: request.clone(),
                expected_status: Some(RequestStatus::Pending),
            }],
            notifications,
            events: self
                .session_event(
                    OrgEventType::RescheduleRequestRejected,
                    &session,
                    super::request_event_data(&request),
                    now,
                )
                .into_iter()
                .collect(),
            ..Changes::default()
        };
        self.commit(changes).await.map_err(store_err)?;
        Ok(Decided { request, session })
    }

    /// `GET /v1/reschedule-requests/{id}`, for the session's participants.
    pub async fn reschedule_request(
        &self,
        actor: &Actor,
        id: &RescheduleRequestId,
    ) -> Result<RescheduleRequest, DomainError> {
        self.request_for(actor, id).await.map(|(r, _)| r)
    }

    /// `GET /v1/reschedule-requests`: the requests of sessions the caller coaches or attends,
    /// newest first.
    pub async fn list_requests(
        &self,
        actor: &Actor,
        q: ListRequests,
    ) -> Result<crate::ports::Page<RescheduleRequest>, DomainError> {
        let limit = q.limit.unwrap_or(crate::service::DEFAULT_PAGE);
        if limit == 0 || limit > crate::service::MAX_PAGE {
            return Err(DomainError::field(
                "limit",
                format!("must be 1 to {}", crate::service::MAX_PAGE),
            ));
        }
        let found = self
            .ports
            .store
            .reschedule_requests(
                &actor.org,
                &actor.user,
                q.status,
                crate::ports::fetch_limit(limit),
                q.before.as_ref(),
            )
            .await
            .map_err(store_err)?;
        Ok(crate::ports::Page::trimmed(found, limit, |r| {
            crate::ports::Cursor {
                sort_key: 0,
                id: r.id.as_str().to_owned(),
            }
        }))
    }
}
