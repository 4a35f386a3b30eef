//! Ports: what the domain needs from the outside world. Adapters implement them; the contract
//! suite (`coaching-store-contract`) checks every store adapter against the MUSTs written here.
//!
//! One file per capability; everything is re-exported here, so `crate::ports::X` names any of
//! them.

mod calendar;
mod changes;
mod coaches;
mod continuity;
mod due;
mod evaluations;
mod generations;
mod messages;
mod notifications;
mod org;
mod outside;
mod paging;
mod reschedule;
mod sessions;

pub use calendar::*;
pub use changes::*;
pub use coaches::*;
pub use continuity::*;
pub use due::*;
pub use evaluations::*;
pub use generations::*;
pub use messages::*;
pub use notifications::*;
pub use org::*;
pub use outside::*;
pub use paging::*;
pub use reschedule::*;
pub use sessions::*;

use std::sync::Arc;

/// Every store port; each store adapter implements all of them.
pub trait Store:
    CoachStore
    + SessionStore
    + NotificationStore
    + RescheduleStore
    + DueStore
    + OutboxStore
    + EvaluationStore
    + OrgStore
    + GenerationStore
    + ContinuityStore
    + CalendarStore
    + MessageStore
{
}

impl<T> Store for T where
    T: CoachStore
        + SessionStore
        + NotificationStore
        + RescheduleStore
        + DueStore
        + OutboxStore
        + EvaluationStore
        + OrgStore
        + GenerationStore
        + ContinuityStore
        + CalendarStore
        + MessageStore
{
}

/// The adapters a use case runs with.
#[derive(Clone)]
pub struct Ports {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
    /// The outbox relay's publisher; `None` where a process leaves the outbox to the job
    /// functions (the api Lambda function: its job runs write notifications, and the scheduled
    /// jobs publish them within a minute).
    pub events: Option<Arc<dyn EventPublisher>>,
    /// Where `generate` hands queued generations; `None`: nowhere (an in-process worker or a
    /// test drains the due index itself).
    pub queue: Option<Arc<dyn GenerationQueue>>,
}

impl std::fmt::Debug for Ports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ports")
    }
}
