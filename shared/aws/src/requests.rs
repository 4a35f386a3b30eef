//! Reschedule requests: by id (one GetItem of the main item) and a participant's list (one
//! Query of their `ByUser` request partition, newest first).

use crate::DynamoStore;
use crate::items::from_doc;
use crate::keys::{self, BY_USER};
use crate::query::{Filter, Walk};
use crate::sessions::get;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use coaching_domain::ids::{OrgId, RescheduleRequestId, UserId};
use coaching_domain::ports::RescheduleStore;
use coaching_domain::ports::StoreError;
use coaching_domain::reschedule::{RequestStatus, RescheduleRequest};

pub(crate) async fn request(
    client: &Client,
    table: &str,
    org: &OrgId,
    id: &RescheduleRequestId,
) -> Result<Option<RescheduleRequest>, StoreError> {
    let item = get(client, table, keys::request_pk(org, id), keys::REQUEST_SK).await?;
    item.map(|i| from_doc("reschedule request", &i)).transpose()
}

/// The main item (filed under the coach) and the client copy share the partition
/// `ORG#o#USER#u#REQUESTS` of `ByUser` for their user, sorted by id (ULIDs sort by time): so
/// `before` bounds the key directly and the status is a filter.
pub(crate) async fn requests(
    client: &Client,
    table: &str,
    org: &OrgId,
    user: &UserId,
    status: Option<RequestStatus>,
    limit: u32,
    before: Option<&RescheduleRequestId>,
) -> Result<Vec<RescheduleRequest>, StoreError> {
    let walk = Walk {
        index: Some(BY_USER),
        pk: keys::user_requests_pk(org, user),
        upper: before.map(|b| b.as_str().to_owned()),
        filter: Filter::status_in(status.map(|s| s.as_str())),
        descending: true,
        ..Walk::default()
    };
    let found = walk
        .run(
            client,
            table,
            Some(usize::try_from(limit).unwrap_or(usize::MAX)),
        )
        .await?;
    found
        .iter()
        .map(|i| from_doc("reschedule request", i))
        .collect()
}

#[async_trait]
impl RescheduleStore for DynamoStore {
    async fn reschedule_request(
        &self,
        org: &OrgId,
        id: &RescheduleRequestId,
    ) -> Result<Option<RescheduleRequest>, StoreError> {
        request(&self.client, &self.table, org, id).await
    }

    async fn reschedule_requests(
        &self,
        org: &OrgId,
        user: &UserId,
        status: Option<RequestStatus>,
        limit: u32,
        before: Option<&RescheduleRequestId>,
    ) -> Result<Vec<RescheduleRequest>, StoreError> {
        requests(&self.client, &self.table, org, user, status, limit, before).await
    }
}
