//! Calendar feed tokens: per user and org an item holding the hash of the current token
//! (`ORG#o#CALENDAR#u`/`CALENDAR_TOKEN`), and per current token an item found by its hash
//! (`CALENDAR#<hash>`/`CALENDAR_TOKEN`) naming the org and user. A new token is one
//! GetItem of the user's item and one TransactWriteItems: the user's item, conditional on the
//! hash just read (or on its absence); the new hash's item; and the deletion of the old one. A
//! concurrent new token fails the condition, and the loser reads again and replaces the
//! winner's, so exactly one hash of a user resolves whatever the interleaving.

use crate::DynamoStore;
use crate::commit::{CONFLICT_ATTEMPTS, backoff};
use crate::errors;
use crate::items::{Item, key, s, string};
use crate::keys::{self, CALENDAR_TOKEN_SK};
use crate::sessions::get;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{CancellationReason, Delete, Put, TransactWriteItem};
use coaching_domain::calendar::CalendarTokenHash;
use coaching_domain::ids::{OrgId, UserId};
use coaching_domain::ports::StoreError;

/// The hash of the user's current token (on the user's item).
const HASH: &str = "hash";
/// The org and the user a token's item names.
const ORG: &str = "org";
const USER: &str = "user";

fn invalid(what: &str) -> StoreError {
    StoreError::Unavailable(format!("stored calendar token {what} is not valid"))
}

pub(crate) async fn put_calendar_token(
    client: &Client,
    table: &str,
    org: &OrgId,
    user: &UserId,
    hash: &CalendarTokenHash,
) -> Result<(), StoreError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let current = get(
            client,
            table,
            keys::calendar_user_pk(org, user),
            CALENDAR_TOKEN_SK,
        )
        .await?;
        let old = current
            .as_ref()
            .map(|i| {
                string(i, HASH)
                    .and_then(|h| CalendarTokenHash::parse(h).map_err(|_| invalid("hash")))
            })
            .transpose()?;
        if old.as_ref() == Some(hash) {
            return Ok(());
        }
        let items = transaction(table, org, user, hash, old.as_ref())?;
        let sent = client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let e = match sent {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
            e.as_service_error()
        else {
            return Err(errors::unavailable("TransactWriteItems", e));
        };
        match cancellation(cancelled.cancellation_reasons()) {
            Cancellation::Raced if attempt < CONFLICT_ATTEMPTS => {
                tokio::time::sleep(backoff(attempt)).await;
            }
            Cancellation::Raced => {
                tracing::warn!(attempt, "calendar token still contended, giving up");
                return Err(StoreError::Conflict);
            }
            Cancellation::HashTaken => return Err(StoreError::Conflict),
            Cancellation::Failed(detail) => {
                return Err(StoreError::Unavailable(format!(
                    "DynamoDB cancelled the calendar token transaction: {detail}"
                )));
            }
            Cancellation::Throttled(detail) => {
                return Err(StoreError::Transient(format!(
                    "DynamoDB throttled the calendar token transaction: {detail}"
                )));
            }
        }
    }
}

/// The user's item (conditional on `old`), the new hash's item, the old hash's deletion.
fn transaction(
    table: &str,
    org: &OrgId,
    user: &UserId,
    hash: &CalendarTokenHash,
    old: Option<&CalendarTokenHash>,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let mut user_item = key(keys::calendar_user_pk(org, user), CALENDAR_TOKEN_SK);
    user_item.insert(HASH.to_owned(), s(hash.as_str()));
    let user_put = Put::builder().table_name(table).set_item(Some(user_item));
    let user_put = match old {
        None => user_put.condition_expression("attribute_not_exists(PK)"),
        Some(old) => user_put
            .condition_expression("#hash = :old")
            .expression_attribute_names("#hash", HASH)
            .expression_attribute_values(":old", s(old.as_str())),
    }
    .build()
    .map_err(errors::build)?;
    let mut token_item: Item = key(keys::calendar_token_pk(hash), CALENDAR_TOKEN_SK);
    token_item.insert(ORG.to_owned(), s(org.as_str()));
    token_item.insert(USER.to_owned(), s(user.as_str()));
    let token_put = Put::builder()
        .table_name(table)
        .set_item(Some(token_item))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(errors::build)?;
    let mut items = vec![
        TransactWriteItem::builder().put(user_put).build(),
        TransactWriteItem::builder().put(token_put).build(),
    ];
    if let Some(old) = old {
        let delete = Delete::builder()
            .table_name(table)
            .set_key(Some(key(keys::calendar_token_pk(old), CALENDAR_TOKEN_SK)))
            .build()
            .map_err(errors::build)?;
        items.push(TransactWriteItem::builder().delete(delete).build());
    }
    Ok(items)
}

/// What a cancelled token transaction means.
#[derive(Debug, PartialEq)]
enum Cancellation {
    /// The user's token changed since it was read, or another transaction held an item: read
    /// again and retry.
    Raced,
    /// The new hash already names a token (of two random 256-bit tokens: never).
    HashTaken,
    Failed(String),
    /// Throttled: a 503 with `Retry-After`, not a failure of ours.
    Throttled(String),
}

/// The reasons come one per item in request order: the user's item, the new hash's, the old's.
fn cancellation(reasons: &[CancellationReason]) -> Cancellation {
    match crate::errors::cancelled(reasons, 2) {
        crate::errors::Cancelled::Condition(0) | crate::errors::Cancelled::Contended => {
            Cancellation::Raced
        }
        crate::errors::Cancelled::Condition(_) => Cancellation::HashTaken,
        crate::errors::Cancelled::Failed(detail) => Cancellation::Failed(detail),
        crate::errors::Cancelled::Throttled(detail) => Cancellation::Throttled(detail),
    }
}

/// One consistent GetItem of the hash's item.
pub(crate) async fn calendar_user(
    client: &Client,
    table: &str,
    hash: &CalendarTokenHash,
) -> Result<Option<(OrgId, UserId)>, StoreError> {
    let Some(item) = get(
        client,
        table,
        keys::calendar_token_pk(hash),
        CALENDAR_TOKEN_SK,
    )
    .await?
    else {
        return Ok(None);
    };
    let org = OrgId::parse(string(&item, ORG)?).map_err(|_| invalid("org"))?;
    let user = UserId::parse(string(&item, USER)?).map_err(|_| invalid("user"))?;
    Ok(Some((org, user)))
}

#[async_trait]
impl coaching_domain::ports::CalendarStore for DynamoStore {
    async fn put_calendar_token(
        &self,
        org: &OrgId,
        user: &UserId,
        hash: &coaching_domain::calendar::CalendarTokenHash,
    ) -> Result<(), StoreError> {
        put_calendar_token(&self.client, &self.table, org, user, hash).await
    }

    async fn calendar_user(
        &self,
        hash: &coaching_domain::calendar::CalendarTokenHash,
    ) -> Result<Option<(OrgId, UserId)>, StoreError> {
        calendar_user(&self.client, &self.table, hash).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(codes: &[&str]) -> Vec<CancellationReason> {
        codes
            .iter()
            .map(|c| CancellationReason::builder().code(*c).build())
            .collect()
    }

    #[test]
    fn a_changed_user_item_or_a_contended_one_is_retried_and_a_taken_hash_is_not() {
        assert_eq!(
            cancellation(&reasons(&["ConditionalCheckFailed", "None", "None"])),
            Cancellation::Raced
        );
        assert_eq!(
            cancellation(&reasons(&["TransactionConflict", "None", "None"])),
            Cancellation::Raced
        );
        assert_eq!(
            cancellation(&reasons(&["None", "ConditionalCheckFailed"])),
            Cancellation::HashTaken
        );
        assert!(matches!(
            cancellation(&reasons(&["ValidationError", "None"])),
            Cancellation::Failed(_)
        ));
        assert!(matches!(
            cancellation(&reasons(&["ThrottlingError", "None"])),
            Cancellation::Throttled(_)
        ));
    }
}
