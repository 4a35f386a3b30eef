//! Outbound webhook endpoints: one item each in the org's endpoint partition
//! (`ORG#o#ENDPOINTS`/<id>; ids are `we_<ULID>`, so key order is creation order), the endpoint as
//! JSON in `doc` and its `version` (what an update compares). Beside the org's own records, an
//! endpoint counter (`ORG#o`/`ENDPOINT_COUNT`) that a creation raises and a deletion lowers in
//! the endpoint's own transaction: its condition, not a read, keeps an org within its most,
//! also when creations race.

use crate::commit::{CONFLICT_ATTEMPTS, backoff};
use crate::errors::{self, Cancelled};
use crate::items::{DOC, Item, VERSION, from_doc, key, number, to_doc};
use crate::keys;
use crate::query::Walk;
use crate::sessions::get;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::builders::PutBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use coaching_domain::ids::{EndpointId, OrgId};
use coaching_domain::outbound::{EndpointPut, WebhookEndpoint};
use coaching_domain::ports::StoreError;

/// The counter item's attribute: how many endpoints the org holds (a number).
pub(crate) const COUNT: &str = "endpoints";

fn version(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// The endpoint's item: its document and version.
pub(crate) fn item(e: &WebhookEndpoint) -> Result<Item, StoreError> {
    let mut item = key(keys::endpoints_pk(&e.org), &keys::endpoint_sk(&e.id));
    item.insert(DOC.to_owned(), to_doc("webhook endpoint", e)?);
    item.insert(VERSION.to_owned(), version(e.version));
    Ok(item)
}

/// The transaction's Put of an endpoint update: only while it exists with the expected version
/// (a deleted endpoint is never brought back).
pub(crate) fn put(table: &str, put: &EndpointPut) -> Result<PutBuilder, StoreError> {
    Ok(Put::builder()
        .table_name(table)
        .set_item(Some(item(&put.endpoint)?))
        .condition_expression("attribute_exists(PK) AND #version = :expected")
        .expression_attribute_names("#version", VERSION)
        .expression_attribute_values(":expected", version(put.expected_version)))
}

fn decode(found: &[Item]) -> Result<Vec<WebhookEndpoint>, StoreError> {
    found
        .iter()
        .map(|i| from_doc("webhook endpoint", i))
        .collect()
}

/// The org's endpoints, oldest first: one strongly consistent Query of its partition (a
/// commit's fan-out reads what the last change wrote).
pub(crate) async fn endpoints(
    client: &Client,
    table: &str,
    org: &OrgId,
) -> Result<Vec<WebhookEndpoint>, StoreError> {
    let walk = Walk {
        pk: keys::endpoints_pk(org),
        consistent: true,
        ..Walk::default()
    };
    decode(&walk.run(client, table, None).await?)
}

/// One strongly consistent GetItem; the key names the org, so another org's id is `None`.
pub(crate) async fn endpoint(
    client: &Client,
    table: &str,
    org: &OrgId,
    id: &EndpointId,
) -> Result<Option<WebhookEndpoint>, StoreError> {
    let item = get(
        client,
        table,
        keys::endpoints_pk(org),
        &keys::endpoint_sk(id),
    )
    .await?;
    item.map(|i| from_doc("webhook endpoint", &i)).transpose()
}

fn counter_key(org: &OrgId) -> Item {
    key(keys::org_pk(org), keys::ENDPOINT_COUNT_SK)
}

/// One `TransactWriteItems` of the counter raised while below `max` and the endpoint put where
/// none exists: `Conflict` when either condition fails (the org is full, or the id is taken).
pub(crate) async fn create_endpoint(
    client: &Client,
    table: &str,
    e: &WebhookEndpoint,
    max: usize,
) -> Result<(), StoreError> {
    if max == 0 {
        // `attribute_not_exists` would let the first one through.
        return Err(StoreError::Conflict);
    }
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    let counter = Update::builder()
        .table_name(table)
        .set_key(Some(counter_key(&e.org)))
        .update_expression("ADD #count :one")
        .condition_expression("attribute_not_exists(#count) OR #count < :max")
        .expression_attribute_names("#count", COUNT)
        .expression_attribute_values(":one", number(1))
        .expression_attribute_values(":max", number(max))
        .build()
        .map_err(errors::build)?;
    let endpoint = Put::builder()
        .table_name(table)
        .set_item(Some(item(e)?))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(errors::build)?;
    let items = vec![
        TransactWriteItem::builder().update(counter).build(),
        TransactWriteItem::builder().put(endpoint).build(),
    ];
    match transact(client, items).await? {
        None => Ok(()),
        Some(_) => Err(StoreError::Conflict),
    }
}

/// One `TransactWriteItems` of the endpoint deleted while it exists and the counter lowered:
/// `false` (nothing written) when the org has no such endpoint.
pub(crate) async fn delete_endpoint(
    client: &Client,
    table: &str,
    org: &OrgId,
    id: &EndpointId,
) -> Result<bool, StoreError> {
    let endpoint = Delete::builder()
        .table_name(table)
        .set_key(Some(key(keys::endpoints_pk(org), &keys::endpoint_sk(id))))
        .condition_expression("attribute_exists(PK)")
        .build()
        .map_err(errors::build)?;
    let counter = Update::builder()
        .table_name(table)
        .set_key(Some(counter_key(org)))
        .update_expression("ADD #count :minus_one")
        .expression_attribute_names("#count", COUNT)
        .expression_attribute_values(":minus_one", number(-1))
        .build()
        .map_err(errors::build)?;
    let items = vec![
        TransactWriteItem::builder().delete(endpoint).build(),
        TransactWriteItem::builder().update(counter).build(),
    ];
    Ok(transact(client, items).await?.is_none())
}

/// Sends `items` as one transaction: `None` when it was applied, `Some(i)` when the condition
/// of item `i` failed (nothing applied). Cancelled only by concurrent transactions (creations
/// racing on the counter), it is sent again with backoff, then reported as transient: a
/// contended counter says nothing about how many endpoints the org holds.
async fn transact(
    client: &Client,
    items: Vec<TransactWriteItem>,
) -> Result<Option<usize>, StoreError> {
    let watched = items.len();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let sent = client
            .transact_write_items()
            .set_transact_items(Some(items.clone()))
            .send()
            .await;
        let e = match sent {
            Ok(_) => return Ok(None),
            Err(e) => e,
        };
        let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
            e.as_service_error()
        else {
            return Err(errors::unavailable("TransactWriteItems", e));
        };
        match errors::cancelled(cancelled.cancellation_reasons(), watched) {
            Cancelled::Condition(i) => return Ok(Some(i)),
            Cancelled::Contended if attempt < CONFLICT_ATTEMPTS => {
                tokio::time::sleep(backoff(attempt)).await;
            }
            Cancelled::Contended => {
                tracing::warn!(attempt, "endpoint transaction still contended, giving up");
                return Err(StoreError::Transient(
                    "the org's endpoints are being changed concurrently; try again".into(),
                ));
            }
            Cancelled::Throttled(detail) => {
                return Err(StoreError::Transient(format!(
                    "DynamoDB throttled the endpoint transaction: {detail}"
                )));
            }
            Cancelled::Failed(detail) => {
                return Err(StoreError::Unavailable(format!(
                    "DynamoDB cancelled the endpoint transaction: {detail}"
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::items::s;
    use chrono::{DateTime, Utc};
    use coaching_domain::ids::UserId;
    use coaching_domain::outbound::{EndpointStatus, EventTypes};

    fn endpoint() -> WebhookEndpoint {
        let now: DateTime<Utc> = "2030-03-04T09:00:00Z".parse().unwrap();
        WebhookEndpoint {
            id: EndpointId::parse("we_01J").unwrap(),
            org: OrgId::parse("o").unwrap(),
            url: "https://example.com/hook".into(),
            event_types: EventTypes::All,
            description: None,
            status: EndpointStatus::Enabled,
            disabled_reason: None,
            secret: "whsec_x".into(),
            previous_secret: None,
            created_by: UserId::parse("admin").unwrap(),
            updated_by: UserId::parse("admin").unwrap(),
            created_at: now,
            updated_at: now,
            last_success_at: None,
            failing_since: None,
            version: 3,
        }
    }

    #[test]
    fn an_endpoint_is_an_item_of_its_orgs_partition_with_its_version() {
        let item = item(&endpoint()).unwrap();
        assert_eq!(item[keys::PK], s("ORG#o#ENDPOINTS"));
        assert_eq!(item[keys::SK], s("we_01J"));
        assert_eq!(item[VERSION], AttributeValue::N("3".into()));
        assert_eq!(from_doc::<WebhookEndpoint>("e", &item).unwrap(), endpoint());
    }

    #[test]
    fn an_update_must_find_the_endpoint_at_the_expected_version() {
        let update = EndpointPut {
            endpoint: endpoint(),
            expected_version: 2,
        };
        let p = put("t", &update).unwrap().build().unwrap();
        assert_eq!(
            p.condition_expression(),
            Some("attribute_exists(PK) AND #version = :expected")
        );
        let values = p.expression_attribute_values().unwrap();
        assert_eq!(values[":expected"], AttributeValue::N("2".into()));
    }
}
