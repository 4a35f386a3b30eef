//! AWS adapters: the DynamoDB store, every store port of the domain over one table, the SQS
//! generation queue ([`SqsQueue`]), the EventBridge event publisher (feature `eventbridge`,
//! for the functions that publish: the others' zips stay without its SDK), and the start-up
//! every Lambda function shares ([`lambda`]).
//!
//! The table (`PK`/`SK` strings) holds, per org:
//! - a session: `ORG#o#SESSION#id`/`SESSION` with the domain `Session` as JSON in `doc`, its
//!   `version` and `status`, and the keys of the `ByOrg`, `ByRole` (as coach) and `ByUser`
//!   (as coach) indexes; beside it `…/CLIENT`, a copy filed under the client in `ByRole` and
//!   `ByUser` (absent for drafts). Each list scope is one Query of one index partition.
//! - a session's waiting reminders, in its partition: `…/REMINDER#24h` and `…/REMINDER#1h`,
//!   the `Reminder` in `doc`, filed in the `Due` index by `due_at`. A take deletes one only
//!   while its `doc` is exactly what the job read.
//! - a reschedule request: `ORG#o#REQUEST#id`/`REQUEST` with `doc` and `status`, filed under
//!   its coach in `ByUser` (partition `ORG#o#USER#u#REQUESTS`, sorted by id) and, while
//!   pending, in the `Due` index by `expires_at`; beside it `…/CLIENT`, the copy filed under
//!   its client. A status change is conditional on the stored `status`.
//! - a lock: `ORG#o#LOCK#<key>`/`LOCK` with the holder set `holders` (absent when free);
//! - an idempotency record, coach settings, inbox entries, and outbox events by day
//!   (`OUTBOX#<yyyy-mm-dd>`), claimed by a relay with a conditional `claimed_until`.
//! - an evaluation: `ORG#o#EVAL#id`/`EVAL` with its `doc`, the `rank` of the delivery that set
//!   it, and its coachee's `ByUser` keys (partition `ORG#o#USER#u#EVALS`, sorted by time then
//!   id); after a deletion a tombstone keeping only the `rank`, in no index. A delivery writes
//!   it and the webhook id's item (`ORG#o#WEBHOOK#<webhook-id>`/`WEBHOOK`, expiring at the
//!   id's `remember_until`) in one conditional transaction.
//! - a generation record: `ORG#o#GENERATION#id`/`GENERATION` with the job in `doc`, its
//!   `status` and `claims` (a claim or a result is conditional on both), and, while it has a
//!   due time (queued, or running under a lease), the `Due` keys (`DUE#GENERATION#<day>`).
//! - calendar feed tokens, only their SHA-256: `ORG#o#CALENDAR#u`/`CALENDAR_TOKEN` holds the
//!   hash of the user's current token, `CALENDAR#<hash>`/`CALENDAR_TOKEN` the org and user it
//!   names (outside every org partition: the feed has only the token). A new token rewrites
//!   both and deletes the old hash's item in one conditional transaction.
//! - a session's thread: `ORG#o#SESSION#s#MESSAGES`/<position of (created_at ms, id)> holds a
//!   message's `doc`, put with `attribute_not_exists(PK)` in its notification's transaction;
//!   a page of the thread is one Query of that partition.
//! - org settings and the webhook secret (`ORG#o`/`ORG_SETTINGS`, `ORG#o`/`WEBHOOK_SECRET`),
//!   knowledge-base articles in one partition by id (`ORG#o#KB`/`<id>`).
//! - outbound webhook endpoints in one partition by id (`ORG#o#ENDPOINTS`/`we_…`), with their
//!   `version`, and the org's endpoint counter (`ORG#o`/`ENDPOINT_COUNT`), raised on a
//!   condition in each creation's transaction and lowered in each deletion's.
//! - an outbound webhook delivery: `ORG#o#DELIVERY#id`/`DELIVERY` with `doc`, `version` and
//!   `status`, filed under its endpoint in `ByOrg` (`ORG#o#ENDPOINT#e#DELIVERIES`) and under
//!   its endpoint and status in `ByUser` (`…#DELIVERIES#<status>`), both by (time, id), and in
//!   the `Due` index (`DUE#DELIVERY#<day>`) while it has a next attempt. Org events go to the
//!   outbox beside notifications' events, each on the condition that it is not there yet.
//!
//! A commit is one `TransactWriteItems`; every read an endpoint needs is one GetItem or Query.
//! The jobs read the sparse `Due` index (`DuePK` = kind and UTC day, `DueSK` = due time, org,
//! id) one Query per day of their look-back, and claim outbox events with one Query per day
//! plus one conditional UpdateItem per event. No Scan anywhere. Slot locks and reminders carry
//! the table's TTL attribute `ExpiresAt` (8 days after their block or session start), and so
//! do remembered webhook ids (their `remember_until`).

mod calendar;
mod coaches;
mod commit;
mod config;
mod connector;
mod continuity;
mod counter;
mod deliveries;
mod delivery_queue;
mod due;
mod endpoints;
mod errors;
mod evaluations;
#[cfg(feature = "eventbridge")]
mod eventbridge;
mod generations;
mod inbox;
mod items;
mod keys;
pub mod lambda;
mod load;
mod messages;
mod org;
mod outbound;
mod outbox;
mod plan;
mod query;
mod requests;
mod sessions;
mod sqs;
mod store;
mod table;

pub use config::{
    DYNAMODB_ATTEMPT_TIMEOUT, DYNAMODB_CONNECT_TIMEOUT, DYNAMODB_MAX_ATTEMPTS,
    DYNAMODB_OPERATION_TIMEOUT, dynamodb_config, dynamodb_config_with, sdk_config, time_bounds,
};
pub use counter::RequestCounts;
pub use delivery_queue::{SqsDeliveryQueue, delivery_message_body, parse_delivery_message};
#[cfg(feature = "eventbridge")]
pub use eventbridge::{
    EventBridgePublisher, MAX_ENTRIES_PER_PUT, PUT_EVENTS_ATTEMPT_TIMEOUT,
    PUT_EVENTS_OPERATION_TIMEOUT, SOURCE, eventbridge_client,
};
pub use plan::MAX_TRANSACTION_ITEMS;
pub use sqs::{
    RECEIVE_COUNT, ReceivedMessage, SqsQueue, message_body, parse_message, receive_count,
};
pub use store::DynamoStore;
