//! Org records: settings and the webhook secret (one item each in the org's partition, one
//! GetItem or PutItem per call), and knowledge-base articles (one partition by id: a
//! conditional PutItem, a DeleteItem, one Query per page).

use crate::DynamoStore;
use crate::errors;
use crate::items::{DOC, Item, from_doc, key, s, string, to_doc};
use crate::keys;
use crate::query::Walk;
use crate::sessions::get;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::ReturnValue;
use coaching_domain::ids::{KbArticleId, OrgId};
use coaching_domain::org::{KbArticle, OrgSettings};
use coaching_domain::ports::OrgStore;
use coaching_domain::ports::StoreError;

/// The webhook secret, as given (a `whsec_…` string).
const SECRET: &str = "secret";

async fn put(client: &Client, table: &str, item: Item) -> Result<(), StoreError> {
    client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .send()
        .await
        .map_err(|e| errors::unavailable("PutItem", e))?;
    Ok(())
}

pub(crate) async fn org_settings(
    client: &Client,
    table: &str,
    org: &OrgId,
) -> Result<OrgSettings, StoreError> {
    let item = get(client, table, keys::org_pk(org), keys::ORG_SETTINGS_SK).await?;
    let settings = item.map(|i| from_doc("org settings", &i)).transpose()?;
    Ok(settings.unwrap_or_default())
}

pub(crate) async fn put_org_settings(
    client: &Client,
    table: &str,
    org: &OrgId,
    settings: &OrgSettings,
) -> Result<(), StoreError> {
    let mut item = key(keys::org_pk(org), keys::ORG_SETTINGS_SK);
    item.insert(DOC.to_owned(), to_doc("org settings", settings)?);
    put(client, table, item).await
}

pub(crate) async fn webhook_secret(
    client: &Client,
    table: &str,
    org: &OrgId,
) -> Result<Option<String>, StoreError> {
    let item = get(client, table, keys::org_pk(org), keys::WEBHOOK_SECRET_SK).await?;
    item.map(|i| string(&i, SECRET).map(str::to_owned))
        .transpose()
}

pub(crate) async fn put_webhook_secret(
    client: &Client,
    table: &str,
    org: &OrgId,
    secret: &str,
) -> Result<(), StoreError> {
    let mut item = key(keys::org_pk(org), keys::WEBHOOK_SECRET_SK);
    item.insert(SECRET.to_owned(), s(secret));
    put(client, table, item).await
}

/// A new article: `Conflict` when its id is taken in its org.
pub(crate) async fn put_kb_article(
    client: &Client,
    table: &str,
    article: &KbArticle,
) -> Result<(), StoreError> {
    let mut item = key(keys::kb_pk(&article.org), &keys::kb_sk(&article.id));
    item.insert(DOC.to_owned(), to_doc("KB article", article)?);
    put_new(client, table, item).await
}

/// One conditional PutItem of an item that must not exist yet: `Conflict` when its key is taken.
pub(crate) async fn put_new(client: &Client, table: &str, item: Item) -> Result<(), StoreError> {
    let sent = client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)")
        .send()
        .await;
    match sent {
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(PutItemError::ConditionalCheckFailedException(_))
            ) =>
        {
            Err(StoreError::Conflict)
        }
        Err(e) => Err(errors::unavailable("PutItem", e)),
    }
}

/// One DeleteItem; the old item it returns says whether there was one.
pub(crate) async fn delete_kb_article(
    client: &Client,
    table: &str,
    org: &OrgId,
    id: &KbArticleId,
) -> Result<bool, StoreError> {
    let out = client
        .delete_item()
        .table_name(table)
        .set_key(Some(key(keys::kb_pk(org), &keys::kb_sk(id))))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .map_err(|e| errors::unavailable("DeleteItem", e))?;
    Ok(out.attributes.is_some_and(|old| !old.is_empty()))
}

/// Articles sort by id (ULIDs: oldest first), so `after` bounds the key directly.
pub(crate) async fn kb_articles(
    client: &Client,
    table: &str,
    org: &OrgId,
    limit: u32,
    after: Option<&KbArticleId>,
) -> Result<Vec<KbArticle>, StoreError> {
    let after = after.map(keys::kb_sk);
    let walk = Walk {
        pk: keys::kb_pk(org),
        lower: after.clone(),
        skip: after,
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
    found.iter().map(|i| from_doc("KB article", i)).collect()
}

#[async_trait]
impl OrgStore for DynamoStore {
    async fn org_settings(&self, org: &OrgId) -> Result<OrgSettings, StoreError> {
        org_settings(&self.client, &self.table, org).await
    }

    async fn put_org_settings(
        &self,
        org: &OrgId,
        settings: &OrgSettings,
    ) -> Result<(), StoreError> {
        put_org_settings(&self.client, &self.table, org, settings).await
    }

    async fn webhook_secret(&self, org: &OrgId) -> Result<Option<String>, StoreError> {
        webhook_secret(&self.client, &self.table, org).await
    }

    async fn put_webhook_secret(&self, org: &OrgId, secret: &str) -> Result<(), StoreError> {
        put_webhook_secret(&self.client, &self.table, org, secret).await
    }

    async fn put_kb_article(&self, article: &KbArticle) -> Result<(), StoreError> {
        put_kb_article(&self.client, &self.table, article).await
    }

    async fn delete_kb_article(&self, org: &OrgId, id: &KbArticleId) -> Result<bool, StoreError> {
        delete_kb_article(&self.client, &self.table, org, id).await
    }

    async fn kb_articles(
        &self,
        org: &OrgId,
        limit: u32,
        after: Option<&KbArticleId>,
    ) -> Result<Vec<KbArticle>, StoreError> {
        kb_articles(&self.client, &self.table, org, limit, after).await
    }
}
