//! The caller's notification inbox (docs/api.md#notifications).

use super::{Services, store_err};
use crate::access::Actor;
use crate::error::DomainError;
use crate::ids::NotificationId;
use crate::notification::Notification;
use crate::ports::{Cursor, Page, fetch_limit};

impl Services {
    /// The caller's own notifications, newest first; `before` continues after a page (the
    /// `id` of the page's `next`).
    pub async fn inbox(
        &self,
        actor: &Actor,
        limit: Option<u32>,
        before: Option<&NotificationId>,
    ) -> Result<Page<Notification>, DomainError> {
        let limit = limit.unwrap_or(super::read::DEFAULT_PAGE);
        if limit == 0 || limit > super::read::MAX_PAGE {
            return Err(DomainError::field(
                "limit",
                format!("must be 1 to {}", super::read::MAX_PAGE),
            ));
        }
        let found = self
            .ports
            .store
            .notifications(&actor.org, &actor.user, fetch_limit(limit), before)
            .await
            .map_err(store_err)?;
        Ok(Page::trimmed(found, limit, |n| Cursor {
            sort_key: 0,
            id: n.id.as_str().to_owned(),
        }))
    }
}
