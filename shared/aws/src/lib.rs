//! AWS adapters: the DynamoDB store, every store port of the domain over one table.
//!
//! The table (`PK`/`SK` strings) holds, per org:
//! - a session: `ORG#o#SESSION#id`/`SESSION` with the domain `Session` as JSON in `doc`, its
//!   `version` and `status`, and the keys of the `ByOrg`, `ByRole` (as coach) and `ByUser`
//!   (as coach) indexes; beside it `…/CLIENT`, a copy filed under the client in `ByRole` and
//!   `ByUser` (absent for drafts). Each list scope is one Query of one index partition.
//! - a lock: `ORG#o#LOCK#<key>`/`LOCK` with the holder set `holders` (absent when free);
//! - an idempotency record, coach settings, inbox entries, and outbox events by hour.
//!
//! A commit is one `TransactWriteItems`; every read an endpoint needs is one GetItem or Query.
//! No Scan anywhere. The sparse `Due` index (`DuePK`/`DueSK`) is defined for due work.

mod coaches;
mod commit;
mod counter;
mod errors;
mod inbox;
mod items;
mod keys;
mod outbox;
mod plan;
mod query;
mod sessions;
mod store;
mod table;

pub use counter::RequestCounts;
pub use outbox::OutboxEvent;
pub use store::DynamoStore;
