//! Session threads: a message is one item in its session's thread partition
//! (`ORG#o#SESSION#s#MESSAGES`), sorted by its (time, id) position, put in the commit's
//! transaction beside its notification; a page of a thread is one Query of that partition.

use crate::DynamoStore;
use crate::items::{DOC, Item, from_doc, key, to_doc};
use crate::keys;
use crate::query::Walk;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::Put;
use aws_sdk_dynamodb::types::builders::PutBuilder;
use coaching_domain::ids::{OrgId, SessionId};
use coaching_domain::message::{Message, message_cursor};
use coaching_domain::ports::{Cursor, Page, StoreError};

fn sort_key(c: &Cursor) -> String {
    keys::position(c.sort_key, &c.id)
}

/// The put of a new message: refused (`Conflict` through the commit) when it is stored already.
pub(crate) fn put(table: &str, m: &Message) -> Result<PutBuilder, StoreError> {
    let mut item: Item = key(
        keys::thread_pk(&m.org, &m.session_id),
        &sort_key(&message_cursor(m)),
    );
    item.insert(DOC.to_owned(), to_doc("message", m)?);
    Ok(Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)"))
}

/// One page of a thread, oldest first, from one strongly consistent Query (more only past
/// DynamoDB's 1 MB page); one item more than `limit` tells whether another page follows.
pub(crate) async fn messages(
    client: &Client,
    table: &str,
    org: &OrgId,
    session: &SessionId,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<Message>, StoreError> {
    let after = after.map(sort_key);
    let walk = Walk {
        pk: keys::thread_pk(org, session),
        lower: after.clone(),
        skip: after,
        consistent: true,
        ..Walk::default()
    };
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let found = walk
        .run(client, table, Some(limit.saturating_add(1)))
        .await?;
    let mut items = found
        .iter()
        .map(|i| from_doc::<Message>("message", i))
        .collect::<Result<Vec<_>, _>>()?;
    let more = items.len() > limit;
    items.truncate(limit);
    let next = items.last().filter(|_| more).map(message_cursor);
    Ok(Page { items, next })
}

#[async_trait]
impl coaching_domain::ports::MessageStore for DynamoStore {
    async fn messages(
        &self,
        org: &OrgId,
        session: &SessionId,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<coaching_domain::message::Message>, StoreError> {
        messages(&self.client, &self.table, org, session, limit, after).await
    }
}
