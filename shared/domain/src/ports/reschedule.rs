//! Reschedule requests.

use super::*;
use crate::ids::*;
use crate::reschedule::{RequestStatus, RescheduleRequest};
use async_trait::async_trait;

#[async_trait]
pub trait RescheduleStore: Send + Sync {
    /// MUST return `None` for an id of another org.
    async fn reschedule_request(
        &self,
        org: &OrgId,
        id: &RescheduleRequestId,
    ) -> Result<Option<RescheduleRequest>, StoreError>;
    /// The requests `user` is the coach or the client of, newest first (by id: ids are ULIDs),
    /// only those with `status` when given, at most `limit`, strictly older than `before`.
    async fn reschedule_requests(
        &self,
        org: &OrgId,
        user: &UserId,
        status: Option<RequestStatus>,
        limit: u32,
        before: Option<&RescheduleRequestId>,
    ) -> Result<Vec<RescheduleRequest>, StoreError>;
}
