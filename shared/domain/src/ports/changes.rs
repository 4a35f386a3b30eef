//! What a use case writes, committed atomically ([`Changes`]), and how a store fails.

use crate::generation::GenerationPut;
use crate::ids::*;
use crate::notification::Notification;
use crate::reminder::ReminderWrite;
use crate::reschedule::{RequestStatus, RescheduleRequest};
use crate::session::Session;
use crate::slots::LockKey;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A record's stored version (or existence) is not what the write expected.
    #[error("the record changed meanwhile")]
    Conflict,
    /// A uniqueness key is already held (by another session).
    #[error("lock {0:?} is taken")]
    LockTaken(LockKey),
    /// An idempotency record with this (org, user, key) already exists.
    #[error("idempotency key already recorded")]
    IdempotencyKeyExists,
    /// The store failed; never caused by the caller's input.
    #[error("store failure: {0}")]
    Unavailable(String),
    /// The store could not be reached, did not answer in time or throttled us (after the
    /// adapter's own retries): the same request may well succeed a little later.
    #[error("store unreachable or throttling: {0}")]
    Transient(String),
    /// A session of the change set would be stored larger than [`MAX_SESSION_DOC_BYTES`];
    /// nothing of the set was applied.
    #[error("{0}")]
    TooLarge(String),
}

/// The largest session a store keeps, as the JSON of its document: a DynamoDB item holds at
/// most 400 KB (the document, its keys and index attributes), and SQLite keeps the same bound
/// so that both stores accept the same sessions. Notes, private notes, name and agenda each at
/// their limit fit (about 330 KB at worst, escapes included); what a session can hold beyond
/// that (action items, generated review criteria) is refused as a whole rather than lost.
pub const MAX_SESSION_DOC_BYTES: usize = 350_000;

/// The stored outcome of a session creation under an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotencyRecord {
    pub org: OrgId,
    pub user: UserId,
    pub key: String,
    /// The canonical form of the request: equal requests have equal strings.
    pub request: String,
    /// The session exactly as the first response returned it.
    pub session: Session,
    pub created_at: DateTime<Utc>,
}

/// One session write inside a [`Changes`] set.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionPut {
    pub session: Session,
    /// `None`: the session MUST NOT exist yet. `Some(v)`: the stored version MUST be `v`
    /// (and `session.version` is `v + 1`).
    pub expected_version: Option<u64>,
}

/// One reschedule-request write inside a [`Changes`] set.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestPut {
    pub request: RescheduleRequest,
    /// `None`: the request MUST NOT exist yet. `Some(s)`: its stored status MUST be `s`.
    pub expected_status: Option<RequestStatus>,
}

/// Everything one use case writes, committed atomically: all of it or none of it.
///
/// An adapter MUST apply lock releases and acquisitions, session puts, the idempotency record
/// and notifications in one transaction, and MUST fail the whole set with
/// - [`StoreError::Conflict`] when a `SessionPut`'s expectation does not hold,
/// - [`StoreError::LockTaken`] naming the first taken key (in `acquire_locks` order) when a key
///   is held by any session,
/// - [`StoreError::IdempotencyKeyExists`] when the idempotency record exists,
/// - [`StoreError::Conflict`] when a `RequestPut`'s expectation does not hold or a
///   [`ReminderWrite::Take`] finds its record missing or different,
/// - [`StoreError::Conflict`] when a [`GenerationPut`]'s expectation does not hold,
/// - [`StoreError::Conflict`] when a message of `messages` was stored already (the same org,
///   session, id and `created_at`: a retried set; ids are ULIDs and never meet otherwise),
/// - [`StoreError::Conflict`] when a [`DeliveryPut`](crate::outbound::DeliveryPut)'s or an
///   [`EndpointPut`](crate::outbound::EndpointPut)'s expectation does not hold.
///
/// A generation record with `due_at` set is in the due-by-time index by `due_at`.
///
/// A pending request (and only a pending one) is in the due-by-time index by `expires_at`;
/// every stored reminder is in it by `due_at`.
///
/// `acquire_locks` and `release_locks` never name the same key. A release only removes a key
/// held by the named session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    pub sessions: Vec<SessionPut>,
    pub acquire_locks: Vec<(LockKey, SessionId)>,
    pub release_locks: Vec<(LockKey, SessionId)>,
    pub idempotency: Option<IdempotencyRecord>,
    pub notifications: Vec<Notification>,
    pub requests: Vec<RequestPut>,
    /// At most one write per (session, kind).
    pub reminders: Vec<ReminderWrite>,
    pub generations: Vec<GenerationPut>,
    /// Action items a session put of this set drops from its session (for the action-item
    /// index; see [`ContinuityStore`]): an adapter that cannot derive them without a read takes
    /// them from here. Ids that another put of the set carries are moves, not drops.
    pub dropped_action_items: Vec<crate::ids::ActionItemId>,
    /// New messages (see [`MessageStore`]): each MUST NOT be stored yet.
    pub messages: Vec<crate::message::Message>,
    /// Org events of this change: each goes into the outbox (published to EventBridge) like a
    /// notification's event. Never stored twice: an event id MUST NOT be in the outbox yet.
    pub events: Vec<crate::outbound::OrgEvent>,
    /// Delivery writes (see [`WebhookStore`]): new ones (the deliveries of `events`) and
    /// attempt outcomes. A delivery with `next_attempt_at` set is in the due-by-time index by it.
    pub deliveries: Vec<crate::outbound::DeliveryPut>,
    /// Endpoint updates (a creation is [`WebhookStore::create_endpoint`]); the endpoint MUST
    /// exist with the expected version, else [`StoreError::Conflict`].
    pub endpoints: Vec<crate::outbound::EndpointPut>,
}

impl Changes {
    /// The one org every part of the set belongs to (`None` for a set naming none). Lock keys
    /// carry no org: they take the set's. A set spanning several orgs is refused.
    pub fn org(&self) -> Result<Option<&OrgId>, StoreError> {
        let mut orgs = self
            .sessions
            .iter()
            .map(|p| &p.session.org)
            .chain(self.idempotency.iter().map(|r| &r.org))
            .chain(self.notifications.iter().map(|n| &n.org))
            .chain(self.requests.iter().map(|r| &r.request.org))
            .chain(self.reminders.iter().map(|r| r.org()))
            .chain(self.generations.iter().map(|g| &g.job.org))
            .chain(self.messages.iter().map(|m| &m.org))
            .chain(self.events.iter().map(|e| &e.org))
            .chain(self.deliveries.iter().map(|d| &d.delivery.org))
            .chain(self.endpoints.iter().map(|e| &e.endpoint.org));
        let first = orgs.next();
        if let Some(first) = first
            && orgs.any(|o| o != first)
        {
            return Err(StoreError::Unavailable(
                "a change set must not span several orgs".into(),
            ));
        }
        Ok(first)
    }

    /// The org lock changes take, given the set's [`org`](Self::org): an error when nothing in
    /// the set names one.
    pub fn lock_org(org: Option<&OrgId>) -> Result<&OrgId, StoreError> {
        org.ok_or_else(|| {
            StoreError::Unavailable(
                "a lock change needs a session, idempotency record or notification naming its org"
                    .into(),
            )
        })
    }

    /// `TooLarge` when a session of the set would be stored larger than
    /// [`MAX_SESSION_DOC_BYTES`]. Both adapters call it before writing anything.
    pub fn check_sizes(&self) -> Result<(), StoreError> {
        for put in &self.sessions {
            let bytes = serde_json::to_vec(&put.session)
                .map(|v| v.len())
                .unwrap_or(0);
            if bytes > MAX_SESSION_DOC_BYTES {
                return Err(StoreError::TooLarge(format!(
                    "the session would hold {bytes} bytes, more than the {MAX_SESSION_DOC_BYTES} a session may: shorten its agenda, notes or action items"
                )));
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
            && self.acquire_locks.is_empty()
            && self.release_locks.is_empty()
            && self.idempotency.is_none()
            && self.notifications.is_empty()
            && self.requests.is_empty()
            && self.reminders.is_empty()
            && self.generations.is_empty()
            && self.dropped_action_items.is_empty()
            && self.messages.is_empty()
            && self.events.is_empty()
            && self.deliveries.is_empty()
            && self.endpoints.is_empty()
    }
}
