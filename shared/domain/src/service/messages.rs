//! A session's thread (docs/api.md#messages): its coach and its client write, they and the org's admins read.
//!
//! Rules the code chose itself (docs/api.md states them):
//! - whoever cannot see the session (another org, a non-participant who is not an admin, the
//!   client of a draft) gets 404, as for the session itself; an admin who is not a participant
//!   reads the thread but gets 403 on a write;
//! - a thread is open in every status but `draft` (a note before the call, links during it, a
//!   follow-up after it, also after a cancellation or a no-show); a draft has no thread yet, as
//!   its client cannot see it: a write there is 422 `invalid_transition`;
//! - the text is trimmed and must then hold 1 to 4,000 characters (400 `validation_failed`
//!   naming `text`, as every field rule of the API);
//! - the other participant gets `message_received` (data: `sessionId`, `messageId`,
//!   `authorId`), in the message's own transaction; the author gets nothing;
//! - no `Idempotency-Key`: as every POST of the API but booking, each request is one message.

use super::{Services, parse_id, store_err};
use crate::access::Actor;
use crate::error::DomainError;
use crate::ids::{MessageId, SessionId};
use crate::message::{Message, MessageText};
use crate::notification::NotificationType;
use crate::outbound::OrgEventType;
use crate::ports::{Changes, Cursor, Page};
use crate::session::{Party, SessionStatus};
use serde_json::json;

/// Default and largest page of a thread (as the other lists of the API).
pub const DEFAULT_MESSAGE_PAGE: u32 = super::read::DEFAULT_PAGE;
pub const MAX_MESSAGE_PAGE: u32 = super::read::MAX_PAGE;

impl Services {
    /// The session's coach or client adds a message; the other participant is told.
    pub async fn post_message(
        &self,
        actor: &Actor,
        session: &SessionId,
        text: &str,
    ) -> Result<Message, DomainError> {
        let text = MessageText::parse(text)?;
        let (s, _) = self.session_for(actor, session).await?;
        let recipient = match s.party_of(actor) {
            Some(Party::Coach) => &s.client_id,
            Some(Party::Client) => &s.coach_id,
            _ => {
                return Err(DomainError::forbidden(
                    "only the session's coach and client write messages; admins read them",
                ));
            }
        };
        if s.status == SessionStatus::Draft {
            return Err(DomainError::invalid_transition(
                "a draft session has no message thread until it is scheduled",
            ));
        }
        let message = Message {
            id: parse_id("id", MessageId::parse(self.new_id()))?,
            org: s.org.clone(),
            session_id: s.id.clone(),
            author_id: actor.user.clone(),
            text,
            created_at: self.now(),
        };
        // A coach who is also the session's client (a self-booked test) has no one to tell.
        let recipients: Vec<_> = [recipient]
            .into_iter()
            .filter(|r| **r != actor.user)
            .collect();
        let notifications = self.notify_at(
            &s,
            NotificationType::MessageReceived,
            &recipients,
            json!({
                "sessionId": s.id,
                "messageId": message.id,
                "authorId": message.author_id,
            }),
            message.created_at,
        );
        let event = self.org_event(
            &s.org,
            OrgEventType::MessageCreated,
            json!({
                "sessionId": s.id,
                "messageId": message.id,
                "message": {
                    "id": message.id,
                    "sessionId": s.id,
                    "authorId": message.author_id,
                    "text": message.text.as_str(),
                    "createdAt": message.created_at,
                },
            }),
            message.created_at,
        );
        let changes = Changes {
            messages: vec![message.clone()],
            notifications,
            events: event.into_iter().collect(),
            ..Changes::default()
        };
        self.commit(changes).await.map_err(store_err)?;
        Ok(message)
    }

    /// The session's thread, oldest first, for whoever may see the session.
    pub async fn messages(
        &self,
        actor: &Actor,
        session: &SessionId,
        limit: Option<u32>,
        after: Option<&Cursor>,
    ) -> Result<Page<Message>, DomainError> {
        let limit = limit.unwrap_or(DEFAULT_MESSAGE_PAGE);
        if limit == 0 || limit > MAX_MESSAGE_PAGE {
            return Err(DomainError::field(
                "limit",
                format!("must be 1 to {MAX_MESSAGE_PAGE}"),
            ));
        }
        let (s, _) = self.session_for(actor, session).await?;
        let found = self
            .ports
            .store
            .messages(&s.org, &s.id, crate::ports::fetch_limit(limit), after)
            .await
            .map_err(store_err)?;
        Ok(Page::trimmed(
            found.items,
            limit,
            crate::message::message_cursor,
        ))
    }
}
