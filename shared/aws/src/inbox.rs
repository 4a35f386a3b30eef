//! The inbox: a recipient's partition, newest first, one Query per page.

use crate::DynamoStore;
use crate::items::from_doc;
use crate::keys;
use crate::query::Walk;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use coaching_domain::ids::{NotificationId, OrgId, UserId};
use coaching_domain::notification::Notification;
use coaching_domain::ports::NotificationStore;
use coaching_domain::ports::StoreError;

/// Notifications sort by id, which orders like their time (ids are ULIDs): so `before` bounds
/// the key directly, with no read of the notification it names.
pub(crate) async fn notifications(
    client: &Client,
    table: &str,
    org: &OrgId,
    recipient: &UserId,
    limit: u32,
    before: Option<&NotificationId>,
) -> Result<Vec<Notification>, StoreError> {
    let walk = Walk {
        pk: keys::inbox_pk(org, recipient),
        upper: before.map(keys::inbox_sk),
        descending: true,
        consistent: true,
        ..Walk::default()
    };
    let found = walk
        .run(
            client,
            table,
            Some(usize::try_from(limit).unwrap_or(usize::MAX)),
        )
        .await?;
    found.iter().map(|i| from_doc("notification", i)).collect()
}

#[async_trait]
impl NotificationStore for DynamoStore {
    async fn notifications(
        &self,
        org: &OrgId,
        recipient: &UserId,
        limit: u32,
        before: Option<&NotificationId>,
    ) -> Result<Vec<Notification>, StoreError> {
        notifications(&self.client, &self.table, org, recipient, limit, before).await
    }
}
