//! Calendar feed tokens.

use super::*;
use crate::calendar::CalendarTokenHash;
use crate::ids::*;
use async_trait::async_trait;

/// Calendar feed tokens (docs/api.md#calendar-feed `POST /v1/calendar-token`): the store keeps only the hash of a
/// token, never the token, and at most one token per user and org.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Makes `hash` the one calendar token of `user` in `org`, atomically: afterwards
    /// [`calendar_user`](Self::calendar_user) finds `(org, user)` by `hash` and nothing by the
    /// hash the user had before. Of concurrent puts for one user exactly one hash ends up valid.
    async fn put_calendar_token(
        &self,
        org: &OrgId,
        user: &UserId,
        hash: &CalendarTokenHash,
    ) -> Result<(), StoreError>;
    /// The org and user whose current token has `hash`; `None` for an unknown or replaced one.
    async fn calendar_user(
        &self,
        hash: &CalendarTokenHash,
    ) -> Result<Option<(OrgId, UserId)>, StoreError>;
}
