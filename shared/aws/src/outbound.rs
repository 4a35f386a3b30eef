//! Outbound webhook deliveries and the `WebhookStore` port. A delivery is one item,
//! `ORG#o#DELIVERY#id`/`DELIVERY`, the delivery as JSON in `doc`, its `version` and `status`,
//! filed in its endpoint's list (`ByOrg`, `ORG#o#ENDPOINT#e#DELIVERIES`) and its endpoint's list
//! of that status (`ByUser`, `…#DELIVERIES#<status>`), both sorted by (`created_at` µs, id), and
//! while it has a next attempt in the `Due` index (`DUE#DELIVERY#<day>`). Every write is a Put
//! of the whole item inside a commit's transaction ([`put`]): a status change moves it between
//! status lists, and a delivery without a next attempt carries no `Due` keys, so it leaves that
//! index. Endpoints are in [`crate::endpoints`].

use crate::DynamoStore;
use crate::items::{DOC, Item, STATUS, VERSION, from_doc, index_attrs, key, s, to_doc};
use crate::keys::{self, BY_ORG, BY_USER, DUE, Due};
use crate::query::Walk;
use crate::sessions::get;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::builders::PutBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Put};
use chrono::{DateTime, Utc};
use coaching_domain::ids::{DeliveryId, EndpointId, OrgId};
use coaching_domain::outbound::{Delivery, DeliveryPut, DeliveryStatus, WebhookEndpoint};
use coaching_domain::ports::{Cursor, Page, StoreError, WebhookStore, delivery_cursor};

/// The endpoint a delivery goes to, for people reading the table.
const ENDPOINT: &str = "endpoint";

fn position(c: &Cursor) -> String {
    keys::position(c.sort_key, &c.id)
}

/// The delivery's item: document, version and status, in its endpoint's lists, and in the
/// `Due` index by `next_attempt_at` while that is set.
pub(crate) fn item(d: &Delivery) -> Result<Item, StoreError> {
    let mut item = key(keys::delivery_pk(&d.org, &d.id), keys::DELIVERY_SK);
    item.insert(DOC.to_owned(), to_doc("webhook delivery", d)?);
    item.insert(VERSION.to_owned(), AttributeValue::N(d.version.to_string()));
    item.insert(STATUS.to_owned(), s(d.status.as_str()));
    item.insert(ENDPOINT.to_owned(), s(d.endpoint_id.as_str()));
    let at = position(&delivery_cursor(d));
    index_attrs(
        &mut item,
        BY_ORG,
        keys::endpoint_deliveries_pk(&d.org, &d.endpoint_id),
        &at,
    );
    index_attrs(
        &mut item,
        BY_USER,
        keys::endpoint_status_deliveries_pk(&d.org, &d.endpoint_id, d.status.as_str()),
        &at,
    );
    if let Some(next) = d.next_attempt_at {
        index_attrs(
            &mut item,
            DUE,
            keys::due_pk(Due::Delivery, next),
            &keys::due_sk(next, &d.org, d.id.as_str()),
        );
    }
    Ok(item)
}

/// The transaction's Put of `put`: a new delivery only where none exists; a change only while
/// the stored version is the expected one (a missing delivery fails the comparison too).
pub(crate) fn put(table: &str, put: &DeliveryPut) -> Result<PutBuilder, StoreError> {
    let builder = Put::builder()
        .table_name(table)
        .set_item(Some(item(&put.delivery)?));
    Ok(match put.expected_version {
        None => builder.condition_expression("attribute_not_exists(PK)"),
        Some(v) => builder
            .condition_expression("#version = :expected")
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_values(":expected", AttributeValue::N(v.to_string())),
    })
}

/// One strongly consistent GetItem; the key names the org, so another org's id is `None`.
pub(crate) async fn delivery(
    client: &Client,
    table: &str,
    org: &OrgId,
    id: &DeliveryId,
) -> Result<Option<Delivery>, StoreError> {
    let item = get(client, table, keys::delivery_pk(org, id), keys::DELIVERY_SK).await?;
    item.map(|i| from_doc("webhook delivery", &i)).transpose()
}

/// The walk of an endpoint's list, newest first: every delivery (`ByOrg`) or those of `status`
/// (`ByUser`), below `after`'s position (keys are unique, so `<` leaves out exactly it).
fn walk(
    org: &OrgId,
    endpoint: &EndpointId,
    status: Option<DeliveryStatus>,
    after: Option<&Cursor>,
) -> Walk {
    let (index, pk) = match status {
        None => (BY_ORG, keys::endpoint_deliveries_pk(org, endpoint)),
        Some(status) => (
            BY_USER,
            keys::endpoint_status_deliveries_pk(org, endpoint, status.as_str()),
        ),
    };
    Walk {
        index: Some(index),
        pk,
        upper: after.map(position),
        descending: true,
        ..Walk::default()
    }
}

/// One Query of one index partition (more only past DynamoDB's 1 MB page), no filter: a status
/// list reads only deliveries of that status. `next` is the last item's position when the page
/// is full.
pub(crate) async fn deliveries(
    client: &Client,
    table: &str,
    org: &OrgId,
    endpoint: &EndpointId,
    status: Option<DeliveryStatus>,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<Delivery>, StoreError> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let found = walk(org, endpoint, status, after)
        .run(client, table, Some(limit))
        .await?;
    let items = found
        .iter()
        .map(|i| from_doc::<Delivery>("webhook delivery", i))
        .collect::<Result<Vec<_>, _>>()?;
    let full = limit > 0 && items.len() == limit;
    let next = items.last().filter(|_| full).map(delivery_cursor);
    Ok(Page { items, next })
}

#[async_trait]
impl WebhookStore for DynamoStore {
    /// One strongly consistent Query of the org's endpoint partition.
    async fn endpoints(&self, org: &OrgId) -> Result<Vec<WebhookEndpoint>, StoreError> {
        crate::endpoints::endpoints(&self.client, &self.table, org).await
    }

    /// One strongly consistent GetItem.
    async fn endpoint(
        &self,
        org: &OrgId,
        id: &EndpointId,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        crate::endpoints::endpoint(&self.client, &self.table, org, id).await
    }

    /// One `TransactWriteItems` (the org's counter and the endpoint), sent again only when
    /// concurrent transactions cancelled it.
    async fn create_endpoint(
        &self,
        endpoint: &WebhookEndpoint,
        max: usize,
    ) -> Result<(), StoreError> {
        crate::endpoints::create_endpoint(&self.client, &self.table, endpoint, max).await
    }

    /// One `TransactWriteItems` (the endpoint and the org's counter).
    async fn delete_endpoint(&self, org: &OrgId, id: &EndpointId) -> Result<bool, StoreError> {
        crate::endpoints::delete_endpoint(&self.client, &self.table, org, id).await
    }

    /// One strongly consistent GetItem.
    async fn delivery(&self, org: &OrgId, id: &DeliveryId) -> Result<Option<Delivery>, StoreError> {
        delivery(&self.client, &self.table, org, id).await
    }

    /// One Query of an index partition (eventually consistent, as every index read).
    async fn deliveries(
        &self,
        org: &OrgId,
        endpoint: &EndpointId,
        status: Option<DeliveryStatus>,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<Delivery>, StoreError> {
        deliveries(
            &self.client,
            &self.table,
            org,
            endpoint,
            status,
            limit,
            after,
        )
        .await
    }

    /// One Query per `Due` day partition read (eight at most), oldest day first.
    async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        crate::due::due_deliveries(&self.client, &self.table, now, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coaching_domain::ids::EventId;
    use coaching_domain::outbound::OrgEventType;

    fn utc(t: &str) -> DateTime<Utc> {
        t.parse().unwrap()
    }

    fn delivery(status: DeliveryStatus, next: Option<&str>) -> Delivery {
        let created = utc("2030-03-04T09:00:00.000123Z");
        Delivery {
            id: DeliveryId::parse("wd_01J").unwrap(),
            org: OrgId::parse("o").unwrap(),
            endpoint_id: EndpointId::parse("we_01J").unwrap(),
            event_id: EventId::parse("evt_01J").unwrap(),
            event_type: OrgEventType::SessionBooked,
            payload: "{}".into(),
            status,
            attempts: vec![],
            failures: 0,
            next_attempt_at: next.map(utc),
            lease_until: None,
            created_at: created,
            updated_at: created,
            version: 1,
        }
    }

    #[test]
    fn a_pending_delivery_is_listed_under_its_endpoint_and_status_and_is_due() {
        let d = delivery(DeliveryStatus::Pending, Some("2030-03-04T09:00:05Z"));
        let item = item(&d).unwrap();
        assert_eq!(item[keys::PK], s("ORG#o#DELIVERY#wd_01J"));
        assert_eq!(item[keys::SK], s("DELIVERY"));
        assert_eq!(item[STATUS], s("pending"));
        assert_eq!(item[BY_ORG.pk], s("ORG#o#ENDPOINT#we_01J#DELIVERIES"));
        assert_eq!(
            item[BY_USER.pk],
            s("ORG#o#ENDPOINT#we_01J#DELIVERIES#pending")
        );
        let at = keys::position(d.created_at.timestamp_micros(), "wd_01J");
        assert_eq!(item[BY_ORG.sk], s(at.as_str()));
        assert_eq!(item[BY_USER.sk], s(at.as_str()));
        assert_eq!(item[DUE.pk], s("DUE#DELIVERY#2030-03-04"));
        assert_eq!(from_doc::<Delivery>("d", &item).unwrap(), d);
    }

    #[test]
    fn a_delivery_without_a_next_attempt_is_in_no_due_partition() {
        let item = item(&delivery(DeliveryStatus::Succeeded, None)).unwrap();
        assert!(!item.contains_key(DUE.pk) && !item.contains_key(DUE.sk));
        assert_eq!(
            item[BY_USER.pk],
            s("ORG#o#ENDPOINT#we_01J#DELIVERIES#succeeded")
        );
    }

    #[test]
    fn a_new_delivery_must_not_exist_and_a_change_must_find_the_expected_version() {
        let d = delivery(DeliveryStatus::Pending, Some("2030-03-04T09:00:05Z"));
        let new = DeliveryPut {
            delivery: d.clone(),
            expected_version: None,
        };
        let p = put("t", &new).unwrap().build().unwrap();
        assert_eq!(p.condition_expression(), Some("attribute_not_exists(PK)"));
        let change = DeliveryPut {
            delivery: d,
            expected_version: Some(4),
        };
        let p = put("t", &change).unwrap().build().unwrap();
        assert_eq!(p.condition_expression(), Some("#version = :expected"));
        let values = p.expression_attribute_values().unwrap();
        assert_eq!(values[":expected"], AttributeValue::N("4".into()));
    }

    #[test]
    fn a_page_after_a_cursor_reads_below_its_position_newest_first() {
        let (org, e) = (
            OrgId::parse("o").unwrap(),
            EndpointId::parse("we_1").unwrap(),
        );
        let c = Cursor {
            sort_key: 42,
            id: "wd_9".into(),
        };
        let w = walk(&org, &e, Some(DeliveryStatus::Failed), Some(&c));
        assert_eq!(w.index, Some(BY_USER));
        assert_eq!(w.pk, "ORG#o#ENDPOINT#we_1#DELIVERIES#failed");
        assert_eq!(w.upper, Some(keys::position(42, "wd_9")));
        assert!(w.descending && w.lower.is_none() && w.filter.is_none());
        let w = walk(&org, &e, None, None);
        assert_eq!(w.index, Some(BY_ORG));
        assert!(w.upper.is_none());
    }
}
