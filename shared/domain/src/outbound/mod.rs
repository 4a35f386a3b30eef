//! Org events and outbound webhooks (docs/api.md#org-events-and-outbound-webhooks): what happens in an org, as
//! events written with the change, and their signed deliveries to the org's own endpoints,
//! retried for about three days.

pub mod delivery;
pub mod endpoint;
pub mod event;
pub mod guard;

pub use delivery::*;
pub use endpoint::*;
pub use event::*;
