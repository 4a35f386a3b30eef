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
mod outbound;
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
pub use outbound::*;
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
    + WebhookStore
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
        + WebhookStore
{
}

/// What the AI generation worker reads and writes: generation records, the session they
/// write into (and its notifications, through `commit`), the coachee's evaluations, the
/// org's knowledge base and its webhook endpoints (the generation's event). The `coaching-ai-worker` function's services are built on this.
pub trait WorkerStore:
    GenerationStore + SessionStore + EvaluationStore + OrgStore + WebhookStore
{
}
impl<T: GenerationStore + SessionStore + EvaluationStore + OrgStore + WebhookStore + ?Sized>
    WorkerStore for T
{
}

/// What the evaluation webhook reads and writes: the org's own secret and the evaluations a
/// delivery records. The `coaching-webhooks` function's services are built on this.
pub trait DeliveryStore: EvaluationStore + OrgStore {}
impl<T: EvaluationStore + OrgStore + ?Sized> DeliveryStore for T {}

/// What the webhook delivery worker reads and writes: deliveries and endpoints, and the
/// commit that records an attempt (with the notification and event of a disabled endpoint).
/// The `coaching-deliveries` function's services are built on this.
pub trait SenderStore: SessionStore + WebhookStore {}
impl<T: SessionStore + WebhookStore + ?Sized> SenderStore for T {}

/// What the scheduled jobs read and write: due work through the due index, the sessions and
/// requests it concerns, the outbox they relay, generation records they hand over again and
/// the webhook deliveries that are due (and the endpoints their events go to).
/// The two job functions' services are built on this.
pub trait JobStore:
    DueStore + SessionStore + RescheduleStore + OutboxStore + GenerationStore + WebhookStore
{
}
impl<
    T: DueStore
        + SessionStore
        + RescheduleStore
        + OutboxStore
        + GenerationStore
        + WebhookStore
        + ?Sized,
> JobStore for T
{
}

/// The adapters a use case runs with. `S` is the part of the store the process may use:
/// [`Store`] (all of it) for the API and `coaching-local`, [`WorkerStore`], [`JobStore`] and
/// [`DeliveryStore`] for
/// the functions that need only that part, so that what each can call matches its IAM policy.
pub struct Ports<S: ?Sized = dyn Store> {
    pub store: Arc<S>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
    /// The outbox relay's publisher; `None` where a process leaves the outbox to the job
    /// functions (the api Lambda function: its job runs write notifications, and the scheduled
    /// jobs publish them within a minute).
    pub events: Option<Arc<dyn EventPublisher>>,
    /// Where `generate` hands queued generations; `None`: nowhere (an in-process worker or a
    /// test drains the due index itself).
    pub queue: Option<Arc<dyn GenerationQueue>>,
    /// Org events' rendering, and where their deliveries are sent from.
    pub outbound: Outbound,
}

impl<S: ?Sized> Clone for Ports<S> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            clock: self.clock.clone(),
            ids: self.ids.clone(),
            events: self.events.clone(),
            queue: self.queue.clone(),
            outbound: self.outbound.clone(),
        }
    }
}

impl<S: ?Sized> std::fmt::Debug for Ports<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ports")
    }
}
