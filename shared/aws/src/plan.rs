//! A `Changes` set as the items of one `TransactWriteItems`, each tagged with what a failed
//! condition on it means, checked against DynamoDB's rules before anything is sent.

use crate::errors;
use crate::items::{self, HOLDERS, Item, VERSION, key, s, to_doc};
use crate::keys;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use coaching_domain::notification::Notification;
use coaching_domain::ports::{Changes, IdempotencyRecord, SessionPut, StoreError};
use coaching_domain::session::Session;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// DynamoDB's cap on the items of one transaction.
pub(crate) const MAX_TRANSACTION_ITEMS: usize = 100;

/// What a failed condition on an item of the transaction means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A session item: its expected version (or absence) did not hold.
    Session,
    /// The lock acquired at this index of `acquire_locks`.
    Acquire(usize),
    Idempotency,
    /// An item written without a condition.
    Unconditional,
}

/// The transaction items in order, and the role of each (same index).
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) items: Vec<TransactWriteItem>,
    pub(crate) roles: Vec<Role>,
    keys: HashSet<(String, String)>,
}

/// The idempotency record's non-key part, as stored in its `doc` attribute.
#[derive(Serialize, Deserialize)]
pub(crate) struct IdempotencyDoc {
    pub(crate) request: String,
    pub(crate) session: Session,
    pub(crate) created_at: DateTime<Utc>,
}

impl Plan {
    /// The transaction of `changes`: session puts (item and client view), lock acquisitions in
    /// their order, releases, the idempotency record, then each notification and its outbox
    /// event. Refuses sets DynamoDB would reject: two writes of one item, more than
    /// [`MAX_TRANSACTION_ITEMS`] items, several orgs.
    pub(crate) fn of(table: &str, changes: &Changes) -> Result<Plan, StoreError> {
        let mut plan = Plan::default();
        let org = changes.org()?;
        for put in &changes.sessions {
            plan.session(table, put)?;
        }
        for (i, (lock, session)) in changes.acquire_locks.iter().enumerate() {
            let mut item = key(keys::lock_pk(Changes::lock_org(org)?, lock), keys::LOCK_SK);
            item.insert(
                HOLDERS.to_owned(),
                AttributeValue::Ss(vec![session.as_str().to_owned()]),
            );
            let put = Put::builder()
                .table_name(table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#holders)")
                .expression_attribute_names("#holders", HOLDERS);
            plan.put(put, Role::Acquire(i))?;
        }
        for (lock, session) in &changes.release_locks {
            // Removing the id from the holder set never fails: a key held by another session
            // keeps its holder, and the set (so the hold) vanishes with its last member.
            let update = Update::builder()
                .table_name(table)
                .set_key(Some(key(
                    keys::lock_pk(Changes::lock_org(org)?, lock),
                    keys::LOCK_SK,
                )))
                .update_expression("DELETE #holders :session")
                .expression_attribute_names("#holders", HOLDERS)
                .expression_attribute_values(
                    ":session",
                    AttributeValue::Ss(vec![session.as_str().to_owned()]),
                )
                .build()
                .map_err(errors::build)?;
            plan.add(
                TransactWriteItem::builder().update(update).build(),
                Role::Unconditional,
            )?;
        }
        if let Some(record) = &changes.idempotency {
            plan.idempotency(table, record)?;
        }
        for n in &changes.notifications {
            plan.notification(table, n)?;
        }
        if plan.items.len() > MAX_TRANSACTION_ITEMS {
            return Err(StoreError::Unavailable(format!(
                "a change set of {} items exceeds the {MAX_TRANSACTION_ITEMS} of one DynamoDB transaction",
                plan.items.len()
            )));
        }
        Ok(plan)
    }

    fn session(&mut self, table: &str, put: &SessionPut) -> Result<(), StoreError> {
        let main = Put::builder()
            .table_name(table)
            .set_item(Some(items::session_item(&put.session)?));
        let main = match put.expected_version {
            None => main.condition_expression("attribute_not_exists(PK)"),
            Some(v) => main
                .condition_expression("#version = :expected")
                .expression_attribute_names("#version", VERSION)
                .expression_attribute_values(":expected", AttributeValue::N(v.to_string())),
        };
        self.put(main, Role::Session)?;
        let view = Put::builder()
            .table_name(table)
            .set_item(Some(items::client_view_item(&put.session)?));
        self.put(view, Role::Unconditional)
    }

    fn idempotency(&mut self, table: &str, r: &IdempotencyRecord) -> Result<(), StoreError> {
        let doc = IdempotencyDoc {
            request: r.request.clone(),
            session: r.session.clone(),
            created_at: r.created_at,
        };
        let mut item = key(
            keys::idempotency_pk(&r.org, &r.user, &r.key),
            keys::IDEMPOTENCY_SK,
        );
        item.insert(items::DOC.to_owned(), to_doc("idempotency record", &doc)?);
        let put = Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)");
        self.put(put, Role::Idempotency)
    }

    fn notification(&mut self, table: &str, n: &Notification) -> Result<(), StoreError> {
        let doc = to_doc("notification", n)?;
        let mut inbox = key(keys::inbox_pk(&n.org, &n.recipient), &keys::inbox_sk(&n.id));
        inbox.insert(items::DOC.to_owned(), doc.clone());
        inbox.insert("created_at".to_owned(), items::instant(n.created_at));
        self.put(
            Put::builder().table_name(table).set_item(Some(inbox)),
            Role::Unconditional,
        )?;
        let mut event: Item = key(
            keys::outbox_pk(n.created_at),
            &keys::outbox_sk(n.created_at, n.org.as_str(), n.id.as_str()),
        );
        event.insert("org".to_owned(), s(n.org.as_str()));
        event.insert("id".to_owned(), s(n.id.as_str()));
        event.insert("type".to_owned(), s(n.kind.as_str()));
        event.insert("payload".to_owned(), doc);
        event.insert("created_at".to_owned(), items::instant(n.created_at));
        self.put(
            Put::builder().table_name(table).set_item(Some(event)),
            Role::Unconditional,
        )
    }

    fn put(
        &mut self,
        put: aws_sdk_dynamodb::types::builders::PutBuilder,
        role: Role,
    ) -> Result<(), StoreError> {
        let put = put.build().map_err(errors::build)?;
        self.add(TransactWriteItem::builder().put(put).build(), role)
    }

    /// Appends `item`, refusing a second write of the same item (DynamoDB rejects the whole
    /// request with a validation error).
    fn add(&mut self, item: TransactWriteItem, role: Role) -> Result<(), StoreError> {
        let k = match (item.put(), item.update()) {
            (Some(put), _) => &put.item,
            (_, Some(update)) => &update.key,
            _ => {
                return Err(StoreError::Unavailable(
                    "unexpected transaction item".into(),
                ));
            }
        };
        let pk = items::string(k, keys::PK)?.to_owned();
        let sk = items::string(k, keys::SK)?.to_owned();
        if !self.keys.insert((pk.clone(), sk.clone())) {
            return Err(StoreError::Unavailable(format!(
                "a change set must not write one item twice ({pk} {sk})"
            )));
        }
        self.items.push(item);
        self.roles.push(role);
        Ok(())
    }
}
