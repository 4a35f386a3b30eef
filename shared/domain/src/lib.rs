//! The coaching domain: model, rules, state machines, ports and use cases. No IO lives here.
//!
//! Adapters (SQLite, DynamoDB, HTTP, Lambda) depend on this crate; it depends on none of them.

pub mod access;
pub mod analytics;
pub mod calendar;
pub mod coach;
pub mod error;
pub mod evaluation;
pub mod generation;
pub mod ids;
pub mod message;
pub mod money;
pub mod notes;
pub mod notification;
pub mod org;
pub mod outbound;
pub mod ports;
pub mod reminder;
pub mod reschedule;
pub mod service;
pub mod session;
pub mod slots;
pub mod stats;
pub mod time;
pub mod webhook;
pub mod zone;

pub use access::{Actor, Role, Roles};
pub use error::{DomainError, FieldError};
pub use ids::*;
pub use money::{Currency, Money};
