//! Coach settings.

use super::*;
use crate::coach::CoachSettings;
use crate::ids::*;
use async_trait::async_trait;

#[async_trait]
pub trait CoachStore: Send + Sync {
    /// MUST return `None` when the coach has no settings in `org`.
    async fn coach_settings(
        &self,
        org: &OrgId,
        coach: &UserId,
    ) -> Result<Option<CoachSettings>, StoreError>;
    /// Creates or replaces the coach's settings in `org`.
    async fn put_coach_settings(
        &self,
        org: &OrgId,
        settings: &CoachSettings,
    ) -> Result<(), StoreError>;
}
