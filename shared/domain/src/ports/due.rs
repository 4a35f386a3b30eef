//! Due work across every org, through the due-by-time index.

use super::*;
use crate::reminder::Reminder;
use crate::reschedule::RescheduleRequest;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Due work, across every org, found through the due-by-time index: never by scanning
/// sessions. Both lists are oldest first (then by org and id), at most `limit`.
#[async_trait]
pub trait DueStore: Send + Sync {
    /// Stored reminders with `due_at ≤ now`. Adapters MAY leave out reminders whose session
    /// started more than [`DUE_LOOKBACK_DAYS`] days before `now`: nothing delivers them.
    async fn due_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Reminder>, StoreError>;
    /// Pending requests with `expires_at ≤ now` (due within the last [`DUE_LOOKBACK_DAYS`]
    /// days at least).
    async fn due_requests(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RescheduleRequest>, StoreError>;
}

/// How far back an adapter's due-by-time index must reach: a job that did not run for longer
/// than this leaves older work behind.
pub const DUE_LOOKBACK_DAYS: i64 = 7;
