//! Reading sessions: one by id, and lists of what the caller may see (docs/api.md#sessions).

use super::{Services, store_err};
use crate::access::{Actor, Role};
use crate::error::DomainError;
use crate::ids::SessionId;
use crate::ports::{Cursor, Page, SessionQuery, SessionScope};
use crate::session::{Session, SessionStatus, View};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Default)]
pub struct ListSessions {
    pub role: Option<Role>,
    pub statuses: Vec<SessionStatus>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
    pub after: Option<Cursor>,
}

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

impl Services {
    /// A session and how much of it the actor may see; 404 for other orgs and non-participants.
    pub async fn session_for(
        &self,
        actor: &Actor,
        id: &SessionId,
    ) -> Result<(Session, View), DomainError> {
        let session = self
            .ports
            .store
            .session(&actor.org, id)
            .await
            .map_err(store_err)?;
        session
            .and_then(|s| s.view_for(actor).map(|v| (s, v)))
            .ok_or(DomainError::NotFound("session"))
    }

    /// The sessions the actor may see, by start time. `role=coach|client` narrows to the actor's
    /// own sessions in that role; without it a participant sees both and an admin the whole org.
    pub async fn list_sessions(
        &self,
        actor: &Actor,
        q: ListSessions,
    ) -> Result<Page<Session>, DomainError> {
        let limit = q.limit.unwrap_or(DEFAULT_PAGE);
        if limit == 0 || limit > MAX_PAGE {
            return Err(DomainError::field(
                "limit",
                format!("must be 1 to {MAX_PAGE}"),
            ));
        }
        for (field, t) in [("from", q.from), ("to", q.to)] {
            if let Some(t) = t {
                crate::time::check_instant(field, t)?;
            }
        }
        if let (Some(from), Some(to)) = (q.from, q.to)
            && to <= from
        {
            return Err(DomainError::field("to", "must be after from"));
        }
        let scope = match q.role {
            Some(Role::Coach) => SessionScope::Coach(actor.user.clone()),
            Some(Role::Client) => SessionScope::Client(actor.user.clone()),
            Some(Role::Admin) if actor.is_admin() => SessionScope::Org,
            Some(Role::Admin) => {
                return Err(DomainError::forbidden("only admins list the whole org"));
            }
            None if actor.is_admin() => SessionScope::Org,
            None => SessionScope::Participant(actor.user.clone()),
        };
        let query = SessionQuery {
            scope,
            statuses: q.statuses,
            from: q.from,
            to: q.to,
            limit: crate::ports::fetch_limit(limit),
            after: q.after,
        };
        let found = self
            .ports
            .store
            .sessions(&actor.org, &query)
            .await
            .map_err(store_err)?;
        let page = Page::trimmed(found.items, limit, |s| crate::ports::Cursor {
            sort_key: crate::ports::session_sort_key(s),
            id: s.id.as_str().to_owned(),
        });
        // Defence in depth: the store's scope already filters; never return what view_for denies.
        Ok(Page {
            items: page
                .items
                .into_iter()
                .filter(|s| s.view_for(actor).is_some())
                .collect(),
            next: page.next,
        })
    }
}
