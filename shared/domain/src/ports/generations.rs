//! Generation records.

use super::*;
use crate::generation::GenerationJob;
use crate::ids::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Generation records (written through [`Changes::generations`]).
#[async_trait]
pub trait GenerationStore: Send + Sync {
    /// MUST return `None` for an id of another org.
    async fn generation(
        &self,
        org: &OrgId,
        id: &GenerationId,
    ) -> Result<Option<GenerationJob>, StoreError>;
    /// Records with `due_at <= now`, across every org, oldest first (then org and id), at most
    /// `limit`: found through the due-by-time index, never by reading sessions. Records due
    /// more than [`DUE_LOOKBACK_DAYS`] days before `now` MAY be left out.
    async fn due_generations(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GenerationJob>, StoreError>;
}
