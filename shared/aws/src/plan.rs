//! A `Changes` set as the items of one `TransactWriteItems`, each tagged with what a failed
//! condition on it means, checked against DynamoDB's rules before anything is sent.

use crate::errors;
use crate::items::{self, DOC, HOLDERS, STATUS, VERSION, key, s, to_doc};
use crate::keys;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use coaching_domain::notification::Notification;
use coaching_domain::outbound::OrgEvent;
use coaching_domain::ports::{Changes, IdempotencyRecord, RequestPut, SessionPut, StoreError};
use coaching_domain::reminder::ReminderWrite;
use coaching_domain::session::Session;
use coaching_domain::slots::LockKey;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// DynamoDB's cap on the items of one transaction: a change set with more is refused before any
/// request (also by [`DynamoStore::load`](crate::DynamoStore::load), which checks each set).
pub const MAX_TRANSACTION_ITEMS: usize = 100;

/// What a failed condition on an item of the transaction means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemRole {
    /// A session item: its expected version (or absence) did not hold.
    Session,
    /// The lock acquired at this index of `acquire_locks`.
    Acquire(usize),
    Idempotency,
    /// A reschedule request's main item: its expected status (or absence) did not hold.
    Request,
    /// A reminder taken: it is missing or no longer as read.
    Take,
    /// A generation record: its expected status and claims (or absence) did not hold.
    Generation,
    /// A new message: one with its id exists.
    Message,
    /// An org event's outbox item: one with its id is in the outbox.
    Event,
    /// A webhook delivery: its expected version (or absence) did not hold.
    Delivery,
    /// A webhook endpoint: it is missing or not at the expected version.
    Endpoint,
    /// An item written without a condition.
    Unconditional,
}

/// The transaction items in order, and the role of each (same index).
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) items: Vec<TransactWriteItem>,
    pub(crate) roles: Vec<ItemRole>,
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
    /// their order, releases, the idempotency record, each notification and its outbox event,
    /// request puts (item and client copy), reminder puts, deletes and takes, generation
    /// records, messages, then org events (their outbox items), deliveries and endpoint updates
    /// (one item each). Refuses sets DynamoDB would reject, before any request: two writes of
    /// one item (a session, request, generation, delivery or endpoint put twice, two writes of
    /// one reminder, a notification or an event twice), more than [`MAX_TRANSACTION_ITEMS`]
    /// items (sessions, requests and notifications count two each, the rest one), several
    /// orgs.
    pub(crate) fn of(table: &str, changes: &Changes) -> Result<Plan, StoreError> {
        let mut plan = Plan::default();
        let org = changes.org()?;
        for put in &changes.sessions {
            plan.session(table, put)?;
        }
        plan.action_items(table, changes)?;
        for (i, (lock, session)) in changes.acquire_locks.iter().enumerate() {
            let mut item = key(keys::lock_pk(Changes::lock_org(org)?, lock), keys::LOCK_SK);
            item.insert(
                HOLDERS.to_owned(),
                AttributeValue::Ss(vec![session.as_str().to_owned()]),
            );
            if let Some(expires) = lock_expiry(lock) {
                item.insert(keys::EXPIRES_AT.to_owned(), items::number(expires));
            }
            let put = Put::builder()
                .table_name(table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#holders)")
                .expression_attribute_names("#holders", HOLDERS);
            plan.put(put, ItemRole::Acquire(i))?;
        }
        for (lock, session) in &changes.release_locks {
            // Removing the id from the holder set never fails: a key held by another session
            // keeps its holder, and the set (so the hold) vanishes with its last member. An
            // update creates the item when it is missing (its TTL removed it, say): a slot
            // lock's expiry is set again so that such an item goes too.
            let update = Update::builder()
                .table_name(table)
                .set_key(Some(key(
                    keys::lock_pk(Changes::lock_org(org)?, lock),
                    keys::LOCK_SK,
                )))
                .expression_attribute_names("#holders", HOLDERS)
                .expression_attribute_values(
                    ":session",
                    AttributeValue::Ss(vec![session.as_str().to_owned()]),
                );
            let update = match lock_expiry(lock) {
                Some(expires) => update
                    .update_expression("DELETE #holders :session SET #expires = :expires")
                    .expression_attribute_names("#expires", keys::EXPIRES_AT)
                    .expression_attribute_values(":expires", items::number(expires)),
                None => update.update_expression("DELETE #holders :session"),
            };
            let update = update.build().map_err(errors::build)?;
            plan.add(
                TransactWriteItem::builder().update(update).build(),
                ItemRole::Unconditional,
            )?;
        }
        if let Some(record) = &changes.idempotency {
            plan.idempotency(table, record)?;
        }
        for n in &changes.notifications {
            plan.notification(table, n)?;
        }
        for put in &changes.requests {
            plan.request(table, put)?;
        }
        for write in &changes.reminders {
            plan.reminder(table, write)?;
        }
        for put in &changes.generations {
            plan.put(crate::generations::put(table, put)?, ItemRole::Generation)?;
        }
        for m in &changes.messages {
            plan.put(crate::messages::put(table, m)?, ItemRole::Message)?;
        }
        for e in &changes.events {
            plan.event(table, e)?;
        }
        for put in &changes.deliveries {
            plan.put(crate::outbound::put(table, put)?, ItemRole::Delivery)?;
        }
        for put in &changes.endpoints {
            plan.put(crate::endpoints::put(table, put)?, ItemRole::Endpoint)?;
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
        self.put(main, ItemRole::Session)?;
        let view = Put::builder()
            .table_name(table)
            .set_item(Some(items::client_view_item(&put.session)?));
        self.put(view, ItemRole::Unconditional)
    }

    /// The action-item index of the set's session puts: every item of every put, then a delete
    /// of each dropped item that no put of the set carries (a moved item is only put, with its
    /// new session, whatever the order of the puts).
    fn action_items(&mut self, table: &str, changes: &Changes) -> Result<(), StoreError> {
        // One write per item id: were an id on two puts of the set, the later put holds it
        // (as the SQLite adapter's upserts in put order leave it).
        let mut carried = HashSet::new();
        let mut last = Vec::new();
        for put in changes.sessions.iter().rev() {
            for a in &put.session.action_items {
                if carried.insert(a.id.clone()) {
                    last.push((&put.session, a));
                }
            }
        }
        for (session, a) in last.into_iter().rev() {
            let item = crate::continuity::action_item(session, a)?;
            self.put(
                Put::builder().table_name(table).set_item(Some(item)),
                ItemRole::Unconditional,
            )?;
        }
        let org = changes.org()?;
        for id in &changes.dropped_action_items {
            if carried.contains(id) {
                continue;
            }
            let org = Changes::lock_org(org)?;
            self.delete(
                Delete::builder().table_name(table).set_key(Some(key(
                    crate::continuity::action_pk(org, id),
                    crate::continuity::ACTION_SK,
                ))),
                ItemRole::Unconditional,
            )?;
        }
        Ok(())
    }

    fn request(&mut self, table: &str, put: &RequestPut) -> Result<(), StoreError> {
        let main = Put::builder()
            .table_name(table)
            .set_item(Some(items::request_item(&put.request)?));
        let main = match put.expected_status {
            None => main.condition_expression("attribute_not_exists(PK)"),
            // A missing item fails the comparison too.
            Some(status) => main
                .condition_expression("#status = :expected")
                .expression_attribute_names("#status", STATUS)
                .expression_attribute_values(":expected", s(status.as_str())),
        };
        self.put(main, ItemRole::Request)?;
        let copy = Put::builder()
            .table_name(table)
            .set_item(Some(items::request_client_item(&put.request)?));
        self.put(copy, ItemRole::Unconditional)
    }

    fn reminder(&mut self, table: &str, write: &ReminderWrite) -> Result<(), StoreError> {
        let (session, kind) = write.target();
        let item_key = || {
            key(
                keys::session_pk(write.org(), session),
                &keys::reminder_sk(kind),
            )
        };
        match write {
            ReminderWrite::Put(r) => self.put(
                Put::builder()
                    .table_name(table)
                    .set_item(Some(items::reminder_item(r)?)),
                ItemRole::Unconditional,
            ),
            ReminderWrite::Delete { .. } => self.delete(
                Delete::builder()
                    .table_name(table)
                    .set_key(Some(item_key())),
                ItemRole::Unconditional,
            ),
            // The stored document equals the one read, or the record is missing or moved.
            ReminderWrite::Take(r) => self.delete(
                Delete::builder()
                    .table_name(table)
                    .set_key(Some(item_key()))
                    .condition_expression("#doc = :doc")
                    .expression_attribute_names("#doc", DOC)
                    .expression_attribute_values(":doc", to_doc("reminder", r)?),
                ItemRole::Take,
            ),
        }
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
        self.put(put, ItemRole::Idempotency)
    }

    fn notification(&mut self, table: &str, n: &Notification) -> Result<(), StoreError> {
        let doc = to_doc("notification", n)?;
        let mut inbox = key(keys::inbox_pk(&n.org, &n.recipient), &keys::inbox_sk(&n.id));
        inbox.insert(items::DOC.to_owned(), doc.clone());
        inbox.insert("created_at".to_owned(), items::instant(n.created_at));
        self.put(
            Put::builder().table_name(table).set_item(Some(inbox)),
            ItemRole::Unconditional,
        )?;
        let event = crate::outbox::item(
            n.org.as_str(),
            n.id.as_str(),
            n.kind.as_str(),
            doc,
            n.created_at,
        );
        self.put(
            Put::builder().table_name(table).set_item(Some(event)),
            ItemRole::Unconditional,
        )
    }

    /// An org event into the outbox, as a notification's event goes, but never twice.
    fn event(&mut self, table: &str, e: &OrgEvent) -> Result<(), StoreError> {
        let item = crate::outbox::entry_item(&e.outbox_entry());
        self.put(
            Put::builder()
                .table_name(table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(PK)"),
            ItemRole::Event,
        )
    }

    fn put(
        &mut self,
        put: aws_sdk_dynamodb::types::builders::PutBuilder,
        role: ItemRole,
    ) -> Result<(), StoreError> {
        let put = put.build().map_err(errors::build)?;
        self.add(TransactWriteItem::builder().put(put).build(), role)
    }

    fn delete(
        &mut self,
        delete: aws_sdk_dynamodb::types::builders::DeleteBuilder,
        role: ItemRole,
    ) -> Result<(), StoreError> {
        let delete = delete.build().map_err(errors::build)?;
        self.add(TransactWriteItem::builder().delete(delete).build(), role)
    }

    /// Appends `item`, refusing a second write of the same item (DynamoDB rejects the whole
    /// request with a validation error).
    fn add(&mut self, item: TransactWriteItem, role: ItemRole) -> Result<(), StoreError> {
        let k = if let Some(put) = item.put() {
            &put.item
        } else if let Some(update) = item.update() {
            &update.key
        } else if let Some(delete) = item.delete() {
            &delete.key
        } else {
            return Err(StoreError::Unavailable(
                "unexpected transaction item".into(),
            ));
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

/// The TTL of a lock item: a slot lock expires [`keys::KEEP_DAYS`] after its block (min notice
/// keeps a past block from ever being booked again); an intro-pair lock never does.
fn lock_expiry(lock: &LockKey) -> Option<i64> {
    match lock {
        LockKey::Slot { block_start, .. } => Some(keys::expires_at(*block_start)),
        LockKey::IntroPair { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::items::Item;
    use coaching_domain::ids::{OrgId, RescheduleRequestId, SessionId, UserId};
    use coaching_domain::reminder::{Reminder, ReminderKind};
    use coaching_domain::reschedule::{RequestStatus, RescheduleRequest};

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn org() -> OrgId {
        OrgId::parse("o").unwrap()
    }

    fn user(u: &str) -> UserId {
        UserId::parse(u).unwrap()
    }

    /// Names the set's org, which lock keys take.
    fn notification() -> Notification {
        Notification {
            id: coaching_domain::ids::NotificationId::parse("n-1").unwrap(),
            org: org(),
            recipient: user("c"),
            kind: coaching_domain::notification::NotificationType::SessionBooked,
            session_id: None,
            created_at: utc("2030-03-04T09:00:00Z"),
            data: serde_json::Value::Null,
        }
    }

    fn attr<'a>(item: &'a Item, name: &str) -> Option<&'a AttributeValue> {
        item.get(name)
    }

    fn put_item(plan: &Plan, i: usize) -> &Item {
        &plan.items[i].put().expect("a put").item
    }

    fn slot(start: &str) -> LockKey {
        LockKey::Slot {
            coach: user("c"),
            block_start: utc(start),
        }
    }

    #[test]
    fn slot_locks_expire_eight_days_after_their_block_and_intro_locks_never() {
        let sid = SessionId::parse("s").unwrap();
        let intro = LockKey::IntroPair {
            coach: user("c"),
            client: user("k"),
        };
        let changes = Changes {
            notifications: vec![notification()],
            acquire_locks: vec![
                (slot("2030-03-04T09:00:00Z"), sid.clone()),
                (intro.clone(), sid.clone()),
            ],
            release_locks: vec![
                (slot("2030-03-04T10:00:00Z"), sid.clone()),
                (
                    LockKey::IntroPair {
                        coach: user("c"),
                        client: user("k2"),
                    },
                    sid,
                ),
            ],
            ..Changes::default()
        };
        let plan = Plan::of("t", &changes).unwrap();
        let eight_days = |t: &str| AttributeValue::N((utc(t).timestamp() + 8 * 86_400).to_string());
        assert_eq!(
            attr(put_item(&plan, 0), keys::EXPIRES_AT),
            Some(&eight_days("2030-03-04T09:00:00Z"))
        );
        assert_eq!(attr(put_item(&plan, 1), keys::EXPIRES_AT), None);
        let release = plan.items[2].update().unwrap();
        assert!(
            release
                .update_expression
                .contains("SET #expires = :expires")
        );
        assert_eq!(
            release
                .expression_attribute_values()
                .and_then(|v| v.get(":expires")),
            Some(&eight_days("2030-03-04T10:00:00Z"))
        );
        let release = plan.items[3].update().unwrap();
        assert_eq!(release.update_expression, "DELETE #holders :session");
    }

    fn request(status: RequestStatus) -> RescheduleRequest {
        RescheduleRequest {
            id: RescheduleRequestId::parse("r-1").unwrap(),
            org: org(),
            session_id: SessionId::parse("s").unwrap(),
            coach_id: user("c"),
            client_id: user("k"),
            requested_by: user("k"),
            proposed_starts_at: utc("2030-03-08T09:00:00Z"),
            reason: None,
            status,
            created_at: utc("2030-03-04T09:00:00Z"),
            expires_at: utc("2030-03-05T09:00:00Z"),
            decided_at: None,
            decision_reason: None,
        }
    }

    #[test]
    fn a_request_is_filed_under_both_participants_and_is_due_only_while_pending() {
        let put = |status, expected_status| Changes {
            requests: vec![RequestPut {
                request: request(status),
                expected_status,
            }],
            ..Changes::default()
        };
        let plan = Plan::of("t", &put(RequestStatus::Pending, None)).unwrap();
        assert_eq!(plan.roles, [ItemRole::Request, ItemRole::Unconditional]);
        let (main, copy) = (put_item(&plan, 0), put_item(&plan, 1));
        assert_eq!(
            attr(main, keys::BY_USER.pk),
            Some(&s("ORG#o#USER#c#REQUESTS"))
        );
        assert_eq!(
            attr(copy, keys::BY_USER.pk),
            Some(&s("ORG#o#USER#k#REQUESTS"))
        );
        assert_eq!(attr(main, keys::BY_USER.sk), Some(&s("r-1")));
        assert_eq!(attr(main, keys::DUE.pk), Some(&s("DUE#REQUEST#2030-03-05")));
        assert_eq!(attr(copy, keys::DUE.pk), None);
        assert_eq!(
            plan.items[0].put().unwrap().condition_expression(),
            Some("attribute_not_exists(PK)")
        );

        let plan = Plan::of(
            "t",
            &put(RequestStatus::Approved, Some(RequestStatus::Pending)),
        )
        .unwrap();
        let main = plan.items[0].put().unwrap();
        assert_eq!(main.condition_expression(), Some("#status = :expected"));
        assert_eq!(attr(&main.item, keys::DUE.pk), None);
        assert_eq!(attr(&main.item, keys::DUE.sk), None);
    }

    #[test]
    fn events_deliveries_and_endpoints_are_conditional_items_of_the_transaction() {
        use coaching_domain::ids::{DeliveryId, EndpointId, EventId};
        use coaching_domain::outbound::*;
        let now = utc("2030-03-04T09:00:00Z");
        let event = OrgEvent {
            id: EventId::parse("evt_1").unwrap(),
            org: org(),
            kind: OrgEventType::SessionBooked,
            timestamp: now,
            data: serde_json::json!({"sessionId": "s"}),
        };
        let delivery = |id: &str| Delivery {
            id: DeliveryId::parse(id).unwrap(),
            org: org(),
            endpoint_id: EndpointId::parse("we_1").unwrap(),
            event_id: event.id.clone(),
            event_type: event.kind,
            payload: event.body().to_string(),
            status: DeliveryStatus::Pending,
            attempts: vec![],
            failures: 0,
            next_attempt_at: Some(now),
            lease_until: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let endpoint = WebhookEndpoint {
            id: EndpointId::parse("we_1").unwrap(),
            org: org(),
            url: "https://example.com".into(),
            event_types: EventTypes::All,
            description: None,
            status: EndpointStatus::Enabled,
            disabled_reason: None,
            secret: "whsec_x".into(),
            previous_secret: None,
            created_by: user("a"),
            updated_by: user("a"),
            created_at: now,
            updated_at: now,
            last_success_at: None,
            failing_since: None,
            version: 2,
        };
        let changes = Changes {
            events: vec![event.clone()],
            deliveries: vec![
                DeliveryPut {
                    delivery: delivery("wd_1"),
                    expected_version: None,
                },
                DeliveryPut {
                    delivery: delivery("wd_2"),
                    expected_version: Some(1),
                },
            ],
            endpoints: vec![EndpointPut {
                endpoint,
                expected_version: 1,
            }],
            ..Changes::default()
        };
        let plan = Plan::of("t", &changes).unwrap();
        assert_eq!(
            plan.roles,
            [
                ItemRole::Event,
                ItemRole::Delivery,
                ItemRole::Delivery,
                ItemRole::Endpoint
            ]
        );
        let outbox = plan.items[0].put().unwrap();
        assert_eq!(
            outbox.condition_expression(),
            Some("attribute_not_exists(PK)")
        );
        assert_eq!(attr(&outbox.item, keys::PK), Some(&s("OUTBOX#2030-03-04")));
        assert_eq!(attr(&outbox.item, "type"), Some(&s("session.booked")));
        assert_eq!(attr(&outbox.item, "id"), Some(&s("evt_1")));
        let payload = items::string(&outbox.item, "payload").unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(payload).unwrap(),
            event.body()
        );
        let conditions: Vec<_> = plan.items[1..]
            .iter()
            .map(|i| i.put().unwrap().condition_expression().unwrap())
            .collect();
        assert_eq!(
            conditions,
            [
                "attribute_not_exists(PK)",
                "#version = :expected",
                "attribute_exists(PK) AND #version = :expected"
            ]
        );

        let twice = Changes {
            events: vec![event.clone(), event],
            ..Changes::default()
        };
        assert!(
            matches!(Plan::of("t", &twice), Err(StoreError::Unavailable(m)) if m.contains("twice"))
        );
    }

    #[test]
    fn reminders_are_put_deleted_and_taken_in_their_sessions_partition() {
        let start = utc("2030-03-07T09:00:00Z");
        let r = Reminder {
            org: org(),
            session_id: SessionId::parse("s").unwrap(),
            kind: ReminderKind::H24,
            due_at: ReminderKind::H24.due_at(start),
            starts_at: start,
        };
        let changes = Changes {
            reminders: vec![
                ReminderWrite::Put(r.clone()),
                ReminderWrite::Delete {
                    org: org(),
                    session_id: r.session_id.clone(),
                    kind: ReminderKind::H1,
                },
                ReminderWrite::Take(Reminder {
                    session_id: SessionId::parse("s2").unwrap(),
                    ..r.clone()
                }),
            ],
            ..Changes::default()
        };
        let plan = Plan::of("t", &changes).unwrap();
        assert_eq!(
            plan.roles,
            [
                ItemRole::Unconditional,
                ItemRole::Unconditional,
                ItemRole::Take
            ]
        );
        let put = put_item(&plan, 0);
        assert_eq!(attr(put, keys::PK), Some(&s("ORG#o#SESSION#s")));
        assert_eq!(attr(put, keys::SK), Some(&s("REMINDER#24h")));
        assert_eq!(attr(put, keys::DUE.pk), Some(&s("DUE#REMINDER#2030-03-06")));
        assert_eq!(
            attr(put, keys::EXPIRES_AT),
            Some(&AttributeValue::N(
                (start.timestamp() + 8 * 86_400).to_string()
            ))
        );
        let delete = plan.items[1].delete().unwrap();
        assert_eq!(delete.key.get(keys::SK), Some(&s("REMINDER#1h")));
        assert_eq!(delete.condition_expression(), None);
        let take = plan.items[2].delete().unwrap();
        assert_eq!(take.key.get(keys::PK), Some(&s("ORG#o#SESSION#s2")));
        assert_eq!(take.condition_expression(), Some("#doc = :doc"));

        let twice = Changes {
            reminders: vec![ReminderWrite::Put(r.clone()), ReminderWrite::Take(r)],
            ..Changes::default()
        };
        assert!(
            matches!(Plan::of("t", &twice), Err(StoreError::Unavailable(m)) if m.contains("twice"))
        );
    }
}
