//! The SQLite store: every store port of the domain over one embedded database file (or
//! `:memory:`), in WAL mode, with the schema migrated on open.
//!
//! One writer connection behind a mutex applies each `Changes` set in an IMMEDIATE transaction;
//! a few reader connections serve reads concurrently (WAL readers never wait for the writer).
//! Calls run inline: each is a handful of microseconds against a local file (a coachee's
//! criteria statistics, which read and decode a whole period, a few milliseconds).

mod analytics;
mod calendar;
pub mod check;
mod coaches;
mod codec;
mod commit;
mod continuity;
mod due;
mod errors;
mod evaluation_reads;
mod evaluations;
mod generations;
mod messages;
mod migrate;
mod notifications;
mod org;
mod outbound;
mod outbox;
mod pool;
mod query;
mod sessions;
mod store;

pub use pool::SqliteOptions;
pub use store::SqliteStore;
