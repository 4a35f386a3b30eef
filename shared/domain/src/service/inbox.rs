//! The caller's notification inbox (§9).

use super::{Services, store_err};
use crate::access::Actor;
use crate::error::DomainError;
use crate::ids::NotificationId;
use crate::notification::Notification;

impl Services {
    /// The caller's own notifications, newest first; `before` continues after a page.
    pub async fn inbox(
        &self,
        actor: &Actor,
        limit: Option<u32>,
        before: Option<&NotificationId>,
    ) -> Result<Vec<Notification>, DomainError> {
        let limit = limit.unwrap_or(super::read::DEFAULT_PAGE);
        if limit == 0 || limit > super::read::MAX_PAGE {
            return Err(DomainError::field(
                "limit",
                format!("must be 1 to {}", super::read::MAX_PAGE),
            ));
        }
        self.ports
            .store
            .notifications(&actor.org, &actor.user, limit, before)
            .await
            .map_err(store_err)
    }
}
