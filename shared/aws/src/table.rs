//! The table: created on demand with its key schema, indexes (on-demand billing) and TTL
//! attribute, and waited for until it and every index is ACTIVE.

use crate::errors;
use crate::keys::{self, INDEXES};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, IndexStatus, KeySchemaElement, KeyType,
    Projection, ProjectionType, ScalarAttributeType, TableDescription, TableStatus,
    TimeToLiveSpecification,
};
use coaching_domain::ports::StoreError;
use std::time::Duration;

const POLL: Duration = Duration::from_millis(500);
/// New GSIs on AWS take a minute or two; moto is ACTIVE at once.
const WAIT_LIMIT: Duration = Duration::from_secs(600);

/// Creates `table` when it does not exist, then waits until it and its indexes are ACTIVE and
/// turns on its TTL ([`keys::EXPIRES_AT`], as infra/template.yaml does). An existing table
/// missing one of the indexes is an error (it was made for something else).
pub(crate) async fn ensure(client: &Client, table: &str) -> Result<(), StoreError> {
    let mut is_new = false;
    if describe(client, table).await?.is_none() {
        let (attributes, schema, indexes) = definitions()?;
        let created = client
            .create_table()
            .table_name(table)
            .set_attribute_definitions(Some(attributes))
            .set_key_schema(Some(schema))
            .set_global_secondary_indexes(Some(indexes))
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await;
        match created {
            Ok(_) => {
                is_new = true;
                tracing::info!(table, "created the DynamoDB table");
            }
            // Another process created it meanwhile: wait for it like for ours.
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(CreateTableError::ResourceInUseException(_))
                ) => {}
            Err(e) => return Err(errors::unavailable("CreateTable", e)),
        }
    }
    let started = std::time::Instant::now();
    loop {
        if let Some(description) = describe(client, table).await?
            && ready(table, &description)?
        {
            return if is_new {
                enable_ttl(client, table).await
            } else {
                Ok(())
            };
        }
        if started.elapsed() > WAIT_LIMIT {
            return Err(StoreError::Unavailable(format!(
                "table {table} did not become ACTIVE in {WAIT_LIMIT:?}"
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Items carrying [`keys::EXPIRES_AT`] (epoch seconds) are deleted by DynamoDB after it.
async fn enable_ttl(client: &Client, table: &str) -> Result<(), StoreError> {
    let spec = TimeToLiveSpecification::builder()
        .attribute_name(keys::EXPIRES_AT)
        .enabled(true)
        .build()
        .map_err(errors::build)?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(spec)
        .send()
        .await
        .map_err(|e| errors::unavailable("UpdateTimeToLive", e))?;
    Ok(())
}

async fn describe(client: &Client, table: &str) -> Result<Option<TableDescription>, StoreError> {
    match client.describe_table().table_name(table).send().await {
        Ok(out) => Ok(out.table),
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(DescribeTableError::ResourceNotFoundException(_))
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(errors::unavailable("DescribeTable", e)),
    }
}

/// True when the table and all our indexes are ACTIVE; an error when an index is missing.
fn ready(table: &str, d: &TableDescription) -> Result<bool, StoreError> {
    let indexes = d.global_secondary_indexes();
    for index in INDEXES {
        if !indexes.iter().any(|i| i.index_name() == Some(index.name)) {
            return Err(StoreError::Unavailable(format!(
                "table {table} exists without the index {}",
                index.name
            )));
        }
    }
    let indexes_active = indexes
        .iter()
        .all(|i| i.index_status().is_none_or(|s| *s == IndexStatus::Active));
    Ok(d.table_status() == Some(&TableStatus::Active) && indexes_active)
}

fn key_schema(pk: &str, sk: &str) -> Result<Vec<KeySchemaElement>, StoreError> {
    let element = |name: &str, kind| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
    };
    Ok(vec![
        element(pk, KeyType::Hash).map_err(errors::build)?,
        element(sk, KeyType::Range).map_err(errors::build)?,
    ])
}

type Definitions = (
    Vec<AttributeDefinition>,
    Vec<KeySchemaElement>,
    Vec<GlobalSecondaryIndex>,
);

/// Every key attribute (all strings), the table's key schema and the indexes.
fn definitions() -> Result<Definitions, StoreError> {
    let names = [keys::PK, keys::SK]
        .into_iter()
        .chain(INDEXES.iter().flat_map(|i| [i.pk, i.sk]));
    let attributes = names
        .map(|n| {
            AttributeDefinition::builder()
                .attribute_name(n)
                .attribute_type(ScalarAttributeType::S)
                .build()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(errors::build)?;
    let indexes = INDEXES
        .iter()
        .map(|i| {
            GlobalSecondaryIndex::builder()
                .index_name(i.name)
                .set_key_schema(Some(key_schema(i.pk, i.sk)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .map_err(errors::build)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((attributes, key_schema(keys::PK, keys::SK)?, indexes))
}
