//! Agenda templates and the action-item index.

use super::*;
use crate::ids::*;
use crate::session::Session;
use async_trait::async_trait;

/// Whose action items a list shows (`GET /v1/action-items`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItemQuery {
    pub assignee: UserId,
    /// Only items not done.
    pub open_only: bool,
    /// Only items of sessions this user coaches.
    pub coach: Option<UserId>,
    pub limit: u32,
    /// Strictly after this position ([`action_item_cursor`]).
    pub after: Option<Cursor>,
}

/// The order of a user's action items: open ones first (`sort_key` 0, done ones 1), each by id
/// (ULIDs: oldest first).
pub fn action_item_cursor(a: &crate::session::ActionItem) -> Cursor {
    Cursor {
        sort_key: i64::from(a.done),
        id: a.id.as_str().to_owned(),
    }
}

/// The action items `after` no longer has of `before` (for [`Changes::dropped_action_items`]).
pub fn dropped_action_items(before: &Session, after: &Session) -> Vec<crate::ids::ActionItemId> {
    before
        .action_items
        .iter()
        .filter(|a| !after.action_items.iter().any(|b| b.id == a.id))
        .map(|a| a.id.clone())
        .collect()
}

/// Agenda templates (docs/api.md#notes-agenda-and-action-items) and the action-item index.
///
/// The action-item index: every action item of every stored session (the session document is
/// the truth) has an index entry (org, item id → session, coach, assignee, done, the item),
/// written in the transaction of the `SessionPut` that stores it. After a commit the index
/// MUST hold exactly the items of the stored sessions: an adapter upserts every item of every
/// put and removes the items a put dropped from its session, whatever the order of the puts
/// in the set (an item moved to another session of the set stays, with its new session).
/// Items of a draft session are indexed but not listed.
#[async_trait]
pub trait ContinuityStore: Send + Sync {
    /// Creates a template. MUST return `Conflict` when its id exists in its org.
    async fn put_agenda_template(
        &self,
        template: &crate::org::AgendaTemplate,
    ) -> Result<(), StoreError>;
    /// MUST return `None` for an id of another org.
    async fn agenda_template(
        &self,
        org: &OrgId,
        id: &AgendaTemplateId,
    ) -> Result<Option<crate::org::AgendaTemplate>, StoreError>;
    /// The org's templates (only `owner`'s when given) by id (oldest first), at most `limit`,
    /// strictly after `after`.
    async fn agenda_templates(
        &self,
        org: &OrgId,
        owner: Option<&UserId>,
        limit: u32,
        after: Option<&AgendaTemplateId>,
    ) -> Result<Vec<crate::org::AgendaTemplate>, StoreError>;
    /// The session that holds the action item (`None` when no stored session of `org` does).
    async fn action_item_session(
        &self,
        org: &OrgId,
        id: &ActionItemId,
    ) -> Result<Option<SessionId>, StoreError>;
    /// The listed items of `query`, in [`action_item_cursor`] order, at most `limit`; `next`
    /// set when the page is full.
    async fn action_items(
        &self,
        org: &OrgId,
        query: &ActionItemQuery,
    ) -> Result<Page<crate::session::ActionItem>, StoreError>;
}
