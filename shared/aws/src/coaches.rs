//! Coach settings: one document per (org, coach), replaced whole by one PutItem.

use crate::DynamoStore;
use crate::errors;
use crate::items::{DOC, from_doc, key, to_doc};
use crate::keys;
use crate::sessions::get;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use coaching_domain::coach::CoachSettings;
use coaching_domain::ids::{OrgId, UserId};
use coaching_domain::ports::CoachStore;
use coaching_domain::ports::StoreError;

pub(crate) async fn coach_settings(
    client: &Client,
    table: &str,
    org: &OrgId,
    coach: &UserId,
) -> Result<Option<CoachSettings>, StoreError> {
    let item = get(
        client,
        table,
        keys::settings_pk(org, coach),
        keys::SETTINGS_SK,
    )
    .await?;
    item.map(|i| from_doc("coach settings", &i)).transpose()
}

pub(crate) async fn put_coach_settings(
    client: &Client,
    table: &str,
    org: &OrgId,
    settings: &CoachSettings,
) -> Result<(), StoreError> {
    let mut item = key(
        keys::settings_pk(org, &settings.coach_id),
        keys::SETTINGS_SK,
    );
    item.insert(DOC.to_owned(), to_doc("coach settings", settings)?);
    client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .send()
        .await
        .map_err(|e| errors::unavailable("PutItem", e))?;
    Ok(())
}

#[async_trait]
impl CoachStore for DynamoStore {
    async fn coach_settings(
        &self,
        org: &OrgId,
        coach: &UserId,
    ) -> Result<Option<CoachSettings>, StoreError> {
        coach_settings(&self.client, &self.table, org, coach).await
    }

    async fn put_coach_settings(
        &self,
        org: &OrgId,
        settings: &CoachSettings,
    ) -> Result<(), StoreError> {
        put_coach_settings(&self.client, &self.table, org, settings).await
    }
}
