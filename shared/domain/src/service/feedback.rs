//! Reviews of completed sessions (docs/api.md#session-reviews): the coach asks for one, the session's client gives one.

use super::{Services, store_err};
use crate::access::Actor;
use crate::error::DomainError;
use crate::ids::*;
use crate::notification::NotificationType;
use crate::outbound::OrgEventType;
use crate::ports::{Changes, SessionPut};
use crate::session::{Party, Rating, Session, SessionRating, SessionStatus};
use serde_json::json;

/// The longest review comment (characters).
pub const MAX_REVIEW_COMMENT: usize = 2_000;

impl Services {
    /// The coach (or an admin) asks the client to review a completed session: the client gets
    /// `review_requested`. Asking again, or once the client reviewed, changes nothing.
    pub async fn request_review(
        &self,
        actor: &Actor,
        id: &SessionId,
    ) -> Result<Session, DomainError> {
        let (mut s, _) = self.session_for(actor, id).await?;
        s.require_coach_or_admin(actor, "ask for a review")?;
        if s.status != SessionStatus::Completed {
            return Err(DomainError::invalid_transition(format!(
                "only a completed session is reviewed; this one is {}",
                s.status.as_str()
            )));
        }
        if s.review_requested_at.is_some() || s.rating.is_some() {
            return Ok(s);
        }
        let now = self.now();
        let before = s.version;
        s.review_requested_at = Some(now);
        s.touch(now);
        let changes = Changes {
            notifications: self.notify(
                &s,
                NotificationType::ReviewRequested,
                &[&s.client_id],
                json!({"requestedBy": actor.user}),
            ),
            sessions: vec![SessionPut {
                session: s.clone(),
                expected_version: Some(before),
            }],
            events: self
                .session_event(
                    OrgEventType::ReviewRequested,
                    &s,
                    json!({"requestedBy": actor.user}),
                    now,
                )
                .into_iter()
                .collect(),
            ..Changes::default()
        };
        self.commit(changes).await.map_err(store_err)?;
        Ok(s)
    }

    /// The session's client rates it (1 to 5, a comment of at most 2,000 characters), once.
    pub async fn submit_review(
        &self,
        actor: &Actor,
        id: &SessionId,
        rating: i64,
        comment: Option<String>,
    ) -> Result<SessionRating, DomainError> {
        let rating = u8::try_from(rating)
            .ok()
            .and_then(|r| Rating::try_from(r).ok())
            .ok_or_else(|| DomainError::field("rating", "must be 1 to 5"))?;
        let comment = comment
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        if comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > MAX_REVIEW_COMMENT)
        {
            return Err(DomainError::field(
                "comment",
                format!("at most {MAX_REVIEW_COMMENT} characters"),
            ));
        }
        // Retried when the session changed meanwhile (a coach's edit); a review that got there
        // first is 409.
        for _ in 0..3 {
            let (mut s, _) = self.session_for(actor, id).await?;
            if s.party_of(actor) != Some(Party::Client) {
                return Err(DomainError::forbidden(
                    "only the session's client reviews it",
                ));
            }
            if s.status != SessionStatus::Completed {
                return Err(DomainError::invalid_transition(format!(
                    "only a completed session is reviewed; this one is {}",
                    s.status.as_str()
                )));
            }
            if s.rating.is_some() {
                return Err(DomainError::AlreadyExists(
                    "this session has been reviewed already".into(),
                ));
            }
            let now = self.now();
            let review = SessionRating {
                rating,
                comment: comment.clone(),
                at: now,
            };
            let before = s.version;
            s.rating = Some(review.clone());
            s.touch(now);
            let events = self
                .session_event(
                    OrgEventType::ReviewSubmitted,
                    &s,
                    json!({"rating": review.rating, "comment": review.comment}),
                    now,
                )
                .into_iter()
                .collect();
            let changes = Changes {
                sessions: vec![SessionPut {
                    session: s,
                    expected_version: Some(before),
                }],
                events,
                ..Changes::default()
            };
            match self.commit(changes).await.map_err(store_err) {
                Err(DomainError::Conflict(_)) => continue,
                r => return r.map(|()| review),
            }
        }
        Err(DomainError::conflict(
            "the session kept changing; read it again and retry",
        ))
    }
}
