//! Evaluation webhook deliveries: the webhook id remembered and the evaluation's state replaced
//! in one `TransactWriteItems`, each conditional, the cancellation reasons telling a repeated
//! webhook id from an outranked delivery.

use crate::DynamoStore;
use crate::commit::{CONFLICT_ATTEMPTS, backoff};
use crate::errors;
use crate::evaluations::{RANK, evaluation_item};
use crate::items::{Item, key, number, s};
use crate::keys;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{CancellationReason, Put, TransactWriteItem};
use coaching_domain::evaluation::Evaluation;
use coaching_domain::ids::EvaluationId;
use coaching_domain::ids::OrgId;
use coaching_domain::ports::Cursor;
use coaching_domain::ports::EvaluationQuery;
use coaching_domain::ports::EvaluationStore;
use coaching_domain::ports::Page;
use coaching_domain::ports::{DeliveryOutcome, EvaluationDelivery, StoreError};

/// The remembered webhook id's bookkeeping: the evaluation it was about.
const EVALUATION: &str = "evaluation";

/// A webhook id is new when no item remembers it, or when the one that does expired more than
/// [`FORGET_SLACK_SECS`] before the delivery's timestamp (DynamoDB's TTL deletes expired items
/// within days, not at once: the condition does not wait for it).
const NEW_WEBHOOK_ID: &str = "attribute_not_exists(PK) OR #expires < :cutoff";

/// How far behind a delivery's `webhook-timestamp` the cut-off for forgetting stays. The port
/// has no clock: the timestamp stands for "now", and it is only promised to be within minutes
/// of the real time (the edge allows five), so with this slack an id is never forgotten before
/// its `remember_until` has passed in real time (as the SQLite adapter prunes).
const FORGET_SLACK_SECS: i64 = 60 * 60;
/// A delivery replaces the evaluation's state when none is stored or a lower rank is.
const OUTRANKS: &str = "attribute_not_exists(PK) OR #rank < :rank";

/// The item remembering `d`'s webhook id until its `remember_until` (the TTL attribute).
fn webhook_item(d: &EvaluationDelivery) -> Item {
    let mut item = key(keys::webhook_pk(&d.org, &d.webhook_id), keys::WEBHOOK_SK);
    item.insert(
        keys::EXPIRES_AT.to_owned(),
        number(keys::remember_until(d.remember_until)),
    );
    item.insert(EVALUATION.to_owned(), s(d.evaluation_id.as_str()));
    item
}

/// Records `d` (see `EvaluationStore::record_delivery`): one `TransactWriteItems` of two
/// conditional Puts, the webhook id's item (new unless remembered and not long expired at
/// `d.timestamp`) and the evaluation's item (when it outranks the stored one).
///
/// - Both conditions hold: `Applied`, one request.
/// - The webhook id is remembered: `Duplicate`, nothing written, one request.
/// - Only the rank is outranked: the webhook id is then remembered by a conditional PutItem of
///   its item alone, so a repeat is `Duplicate` at once: `Stale` (or `Duplicate`, when a
///   concurrent delivery of that id remembered it first), two requests.
/// - Cancelled only by concurrent transactions on these items: sent again with backoff, up to
///   [`CONFLICT_ATTEMPTS`] times, then `Unavailable` (the sender retries later).
///
/// DynamoDB actions of the webhook path, for its IAM policy (resource: the table ARN only, no
/// index): `dynamodb:GetItem` (the org's webhook secret, `OrgStore::webhook_secret`, strongly
/// consistent) and `dynamodb:PutItem`, which covers both the two `Put`s inside
/// `TransactWriteItems` (IAM authorizes a transaction by the actions of its items: `PutItem`
/// only here, no `UpdateItem`, `DeleteItem` or `ConditionCheckItem`) and the lone conditional
/// PutItem of a stale delivery. No Query, Scan, DeleteItem or index access.
pub(crate) async fn record_delivery(
    client: &Client,
    table: &str,
    d: &EvaluationDelivery,
) -> Result<DeliveryOutcome, StoreError> {
    let remember = Put::builder()
        .table_name(table)
        .set_item(Some(webhook_item(d)))
        .condition_expression(NEW_WEBHOOK_ID)
        .expression_attribute_names("#expires", keys::EXPIRES_AT)
        .expression_attribute_values(
            ":cutoff",
            number(d.timestamp.saturating_sub(FORGET_SLACK_SECS)),
        )
        .build()
        .map_err(errors::build)?;
    let state = Put::builder()
        .table_name(table)
        .set_item(Some(evaluation_item(d)?))
        .condition_expression(OUTRANKS)
        .expression_attribute_names("#rank", RANK)
        .expression_attribute_values(":rank", number(d.rank))
        .build()
        .map_err(errors::build)?;
    let items = vec![
        TransactWriteItem::builder().put(remember.clone()).build(),
        TransactWriteItem::builder().put(state).build(),
    ];
    let mut attempt = 0;
    loop {
        attempt += 1;
        let sent = client
            .transact_write_items()
            .set_transact_items(Some(items.clone()))
            .send()
            .await;
        let e = match sent {
            Ok(_) => return Ok(DeliveryOutcome::Applied),
            Err(e) => e,
        };
        let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
            e.as_service_error()
        else {
            return Err(errors::unavailable("TransactWriteItems", e));
        };
        match cancellation(cancelled.cancellation_reasons()) {
            Cancellation::Duplicate => return Ok(DeliveryOutcome::Duplicate),
            Cancellation::Outranked => return remember_alone(client, remember).await,
            Cancellation::Contended if attempt < CONFLICT_ATTEMPTS => {
                tokio::time::sleep(backoff(attempt)).await;
            }
            Cancellation::Contended => {
                tracing::warn!(attempt, "delivery transaction still contended, giving up");
                return Err(StoreError::Unavailable(
                    "the evaluation is being written concurrently; try again".into(),
                ));
            }
            Cancellation::Failed(detail) => {
                return Err(StoreError::Unavailable(format!(
                    "DynamoDB cancelled the delivery transaction: {detail}"
                )));
            }
            Cancellation::Throttled(detail) => {
                return Err(StoreError::Transient(format!(
                    "DynamoDB throttled the delivery transaction: {detail}"
                )));
            }
        }
    }
}

/// The webhook id of an outranked delivery, remembered on its own (same item, same condition).
async fn remember_alone(client: &Client, put: Put) -> Result<DeliveryOutcome, StoreError> {
    let sent = client
        .put_item()
        .table_name(put.table_name)
        .set_item(Some(put.item))
        .set_condition_expression(put.condition_expression)
        .set_expression_attribute_names(put.expression_attribute_names)
        .set_expression_attribute_values(put.expression_attribute_values)
        .send()
        .await;
    match sent {
        Ok(_) => Ok(DeliveryOutcome::Stale),
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(PutItemError::ConditionalCheckFailedException(_))
            ) =>
        {
            Ok(DeliveryOutcome::Duplicate)
        }
        Err(e) => Err(errors::unavailable("PutItem", e)),
    }
}

/// What a cancelled delivery transaction means.
#[derive(Debug, PartialEq, Eq)]
enum Cancellation {
    /// The webhook id is remembered: nothing else matters.
    Duplicate,
    /// Only the evaluation's condition failed: a higher or equal rank is stored.
    Outranked,
    /// Only concurrent transactions stood in the way.
    Contended,
    /// Anything else (throttling, validation): the reasons, for the log.
    Failed(String),
    /// Throttled: a 503 with `Retry-After`, not a failure of ours.
    Throttled(String),
}

/// The reasons come one per item in request order: the webhook id's, then the evaluation's.
fn cancellation(reasons: &[CancellationReason]) -> Cancellation {
    match crate::errors::cancelled(reasons, 2) {
        crate::errors::Cancelled::Condition(0) => Cancellation::Duplicate,
        crate::errors::Cancelled::Condition(_) => Cancellation::Outranked,
        crate::errors::Cancelled::Contended => Cancellation::Contended,
        crate::errors::Cancelled::Failed(detail) => Cancellation::Failed(detail),
        crate::errors::Cancelled::Throttled(detail) => Cancellation::Throttled(detail),
    }
}

#[async_trait]
impl EvaluationStore for DynamoStore {
    /// One `TransactWriteItems` in the common case; see [`deliveries::record_delivery`] for
    /// the rest and for the DynamoDB actions (IAM) the webhook path uses: `GetItem` and
    /// `PutItem` on the table.
    async fn record_delivery(
        &self,
        delivery: &EvaluationDelivery,
    ) -> Result<DeliveryOutcome, StoreError> {
        record_delivery(&self.client, &self.table, delivery).await
    }

    async fn evaluation(
        &self,
        org: &OrgId,
        id: &EvaluationId,
    ) -> Result<Option<Evaluation>, StoreError> {
        crate::evaluations::evaluation(&self.client, &self.table, org, id).await
    }

    async fn evaluations(
        &self,
        org: &OrgId,
        query: &EvaluationQuery,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<Evaluation>, StoreError> {
        crate::evaluations::evaluations(&self.client, &self.table, org, query, limit, after).await
    }

    async fn all_evaluations(
        &self,
        org: &OrgId,
        query: &EvaluationQuery,
    ) -> Result<Vec<Evaluation>, StoreError> {
        crate::evaluations::all_evaluations(&self.client, &self.table, org, query).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(codes: [&str; 2]) -> Vec<CancellationReason> {
        codes
            .iter()
            .map(|c| CancellationReason::builder().code(*c).build())
            .collect()
    }

    #[test]
    fn a_remembered_webhook_id_wins_over_everything() {
        for other in ["None", "ConditionalCheckFailed", "TransactionConflict"] {
            assert_eq!(
                cancellation(&reasons(["ConditionalCheckFailed", other])),
                Cancellation::Duplicate
            );
        }
    }

    #[test]
    fn an_outranked_delivery_is_told_from_contention_and_failures() {
        assert_eq!(
            cancellation(&reasons(["None", "ConditionalCheckFailed"])),
            Cancellation::Outranked
        );
        assert_eq!(
            cancellation(&reasons(["TransactionConflict", "ConditionalCheckFailed"])),
            Cancellation::Outranked
        );
        assert_eq!(
            cancellation(&reasons(["TransactionConflict", "None"])),
            Cancellation::Contended
        );
        assert!(matches!(
            cancellation(&reasons(["ThrottlingError", "TransactionConflict"])),
            Cancellation::Throttled(_)
        ));
        assert!(matches!(
            cancellation(&reasons(["ValidationError", "None"])),
            Cancellation::Failed(_)
        ));
        assert!(matches!(cancellation(&[]), Cancellation::Failed(_)));
    }
}
