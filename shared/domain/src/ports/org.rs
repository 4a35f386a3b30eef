//! Org settings, webhook secrets and the knowledge base.

use super::*;
use crate::ids::*;
use crate::org::{KbArticle, OrgSettings};
use async_trait::async_trait;

#[async_trait]
pub trait OrgStore: Send + Sync {
    /// The org's settings; the defaults when none were put.
    async fn org_settings(&self, org: &OrgId) -> Result<OrgSettings, StoreError>;
    async fn put_org_settings(&self, org: &OrgId, settings: &OrgSettings)
    -> Result<(), StoreError>;
    /// The org's own webhook secret, `None` until one was put.
    async fn webhook_secret(&self, org: &OrgId) -> Result<Option<String>, StoreError>;
    /// Replaces the org's webhook secret.
    async fn put_webhook_secret(&self, org: &OrgId, secret: &str) -> Result<(), StoreError>;
    /// Creates an article. MUST return `Conflict` when its id exists in its org.
    async fn put_kb_article(&self, article: &KbArticle) -> Result<(), StoreError>;
    /// MUST remove the article when it exists in `org`; returns whether it did.
    async fn delete_kb_article(&self, org: &OrgId, id: &KbArticleId) -> Result<bool, StoreError>;
    /// The org's articles by id (ids are ULIDs: oldest first), at most `limit`, strictly after
    /// `after`.
    async fn kb_articles(
        &self,
        org: &OrgId,
        limit: u32,
        after: Option<&KbArticleId>,
    ) -> Result<Vec<KbArticle>, StoreError>;
}
