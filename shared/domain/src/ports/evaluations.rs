//! Evaluations and their webhook deliveries.

use super::*;
use crate::evaluation::Evaluation;
use crate::ids::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A verified webhook delivery about one evaluation, as the store records it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationDelivery {
    pub org: OrgId,
    /// The `webhook-id`: 1 to 255 visible ASCII characters.
    pub webhook_id: String,
    /// The `webhook-timestamp` (unix seconds, within minutes of the real time).
    pub timestamp: i64,
    /// Until when (at least) the webhook id MUST be remembered.
    pub remember_until: DateTime<Utc>,
    pub evaluation_id: EvaluationId,
    /// [`crate::webhook::delivery_rank`] of the delivery.
    pub rank: i64,
    /// `Some`: the evaluation as `evaluation.completed` describes it (its `id` is
    /// `evaluation_id`, its `org` is `org`). `None`: `evaluation.deleted`, a tombstone.
    pub evaluation: Option<Evaluation>,
}

/// What recording a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The evaluation's stored state is now the delivery's.
    Applied,
    /// A delivery of equal or higher rank is stored: nothing changed but the webhook id.
    Stale,
    /// The webhook id was recorded before: nothing changed.
    Duplicate,
}

/// Which of a coachee's evaluations a read wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationQuery {
    pub coachee: UserId,
    /// Only `evaluated_at >= from`.
    pub from: Option<DateTime<Utc>>,
    /// Only `evaluated_at < to`.
    pub to: Option<DateTime<Utc>>,
    /// Only these scorecards; all when empty.
    pub scorecards: Vec<String>,
}

/// The order of an evaluation in lists (newest first): `sort_key` is `evaluated_at` in unix
/// milliseconds, ties by id, both descending.
pub fn evaluation_cursor(e: &Evaluation) -> Cursor {
    Cursor {
        sort_key: e.evaluated_at.timestamp_millis(),
        id: e.id.as_str().to_owned(),
    }
}

#[async_trait]
pub trait EvaluationStore: Send + Sync {
    /// Records a delivery atomically. MUST return
    /// - `Duplicate` and change nothing when `(org, webhook_id)` was recorded before (and not
    ///   forgotten: ids MUST be kept until their `remember_until`, MAY be kept longer);
    /// - otherwise record the webhook id, and return `Applied` after replacing the state of
    ///   `(org, evaluation_id)` when nothing is stored for it or the stored rank is lower, or
    ///   `Stale` and leave the state as it is.
    ///
    /// A tombstone (no evaluation) keeps its rank but takes the evaluation out of every read.
    /// Of concurrent deliveries the highest rank ends up stored, whatever the interleaving.
    async fn record_delivery(
        &self,
        delivery: &EvaluationDelivery,
    ) -> Result<DeliveryOutcome, StoreError>;
    /// MUST return `None` for an unknown or deleted evaluation, and for one of another org.
    async fn evaluation(
        &self,
        org: &OrgId,
        id: &EvaluationId,
    ) -> Result<Option<Evaluation>, StoreError>;
    /// The coachee's evaluations matching `query`, newest first ([`evaluation_cursor`] order,
    /// descending), at most `limit`, strictly after `after`; `next` set when the page is full.
    async fn evaluations(
        &self,
        org: &OrgId,
        query: &EvaluationQuery,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<Evaluation>, StoreError>;
    /// Every evaluation matching `query`, in any order: for statistics. An adapter MUST read
    /// only the coachee's evaluations in the time range (an index on coachee and time), never
    /// the org's or the table's.
    async fn all_evaluations(
        &self,
        org: &OrgId,
        query: &EvaluationQuery,
    ) -> Result<Vec<Evaluation>, StoreError>;
}
