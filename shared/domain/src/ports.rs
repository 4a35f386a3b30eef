//! Ports: what the domain needs from the outside world. Adapters implement them; the contract
//! suite (`coaching-store-contract`) checks every store adapter against the MUSTs written here.

use crate::calendar::CalendarTokenHash;
use crate::coach::CoachSettings;
use crate::evaluation::Evaluation;
use crate::generation::{GenerationJob, GenerationPut};
use crate::ids::*;
use crate::notification::Notification;
use crate::org::{KbArticle, OrgSettings};
use crate::reminder::{Reminder, ReminderWrite};
use crate::reschedule::{RequestStatus, RescheduleRequest};
use crate::session::{Session, SessionStatus};
use crate::slots::LockKey;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The only source of "now" for every rule and job.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// New unique, roughly time-ordered identifiers (ULIDs in every adapter).
pub trait IdGenerator: Send + Sync {
    fn new_id(&self) -> String;
}

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
///   session, id and `created_at`: a retried set; ids are ULIDs and never meet otherwise).
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
            .chain(self.messages.iter().map(|m| &m.org));
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
    }
}

/// Whose sessions a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionScope {
    /// Sessions the user coaches (drafts included).
    Coach(UserId),
    /// Sessions the user is the client of (never drafts).
    Client(UserId),
    /// Both of the above.
    Participant(UserId),
    /// Every session of the org (admins).
    Org,
}

/// A position in a list ordered by (`sort_key`, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub sort_key: i64,
    pub id: String,
}

/// The order of a session in lists: its start in milliseconds; drafts (no start) last.
pub fn session_sort_key(s: &Session) -> i64 {
    s.starts_at.map_or(i64::MAX, |t| t.timestamp_millis())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionQuery {
    pub scope: SessionScope,
    pub statuses: Vec<SessionStatus>,
    /// Only sessions starting at or after this instant (drafts excluded when set).
    pub from: Option<DateTime<Utc>>,
    /// Only sessions starting before this instant (drafts excluded when set).
    pub to: Option<DateTime<Utc>>,
    pub limit: u32,
    /// Only sessions strictly after this position.
    pub after: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when more items may follow.
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// The page of at most `limit` items that the API hands out, from `items` read with a
    /// limit of `limit + 1` ([`fetch_limit`]): `next` (the position of the page's last item)
    /// is set exactly when more items followed, so a page is the last exactly when it has no
    /// `next`, and a cursor never leads to an empty page (unless items were deleted meanwhile).
    pub fn trimmed(mut items: Vec<T>, limit: u32, position: impl Fn(&T) -> Cursor) -> Page<T> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = items.len() > limit;
        items.truncate(limit);
        let next = items.last().filter(|_| more).map(position);
        Page { items, next }
    }
}

/// What a service asks a store for to fill a page of `limit`: one item more, which tells
/// whether another page follows ([`Page::trimmed`]).
pub fn fetch_limit(limit: u32) -> u32 {
    limit.saturating_add(1)
}

#[async_trait]
pub trait CoachStore: Send + Sync {
    /// MUST return `None` when the coach has no settings in `org`.
    async fn coach_settings(
        &self,
        org: &OrgId,
        coach: &UserId,
    ) -> Result<Option<CoachSettings>, StoreError>;
    /// Creates or replaces the coach's settings in `org`.
    async fn put_coach_settings(
        &self,
        org: &OrgId,
        settings: &CoachSettings,
    ) -> Result<(), StoreError>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Applies `changes` atomically (see [`Changes`]). MUST refuse the whole set with
    /// `TooLarge` when [`Changes::check_sizes`] does, writing nothing.
    async fn commit(&self, changes: Changes) -> Result<(), StoreError>;
    /// MUST return `None` for an id of another org.
    async fn session(&self, org: &OrgId, id: &SessionId) -> Result<Option<Session>, StoreError>;
    /// Sessions of `query.scope` in (`sort_key`, id) order, at most `query.limit`, `next` set
    /// when the page is full.
    async fn sessions(
        &self,
        org: &OrgId,
        query: &SessionQuery,
    ) -> Result<Page<Session>, StoreError>;
    /// The coach's sessions that occupy time (scheduled, completed, no-show) starting in `[from, to)`.
    async fn coach_busy(
        &self,
        org: &OrgId,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError>;
    async fn idempotency_record(
        &self,
        org: &OrgId,
        user: &UserId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError>;
    /// What `coach`'s analytics over `[from, to)` need (see
    /// [`crate::analytics::AnalyticsInput`]), at a cost that MUST NOT grow with the coach's
    /// sessions outside the range. The default reads through [`Self::sessions`]; a store with a
    /// cheaper way (SQLite: columns and an index) overrides it.
    async fn analytics_input(
        &self,
        org: &OrgId,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<crate::analytics::AnalyticsInput, StoreError> {
        crate::analytics::through_session_queries(self, org, coach, from, to).await
    }
}

#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// The recipient's inbox, newest first (by creation time, then id: ids are ULIDs), at most
    /// `limit`, strictly older than the notification `before` names.
    async fn notifications(
        &self,
        org: &OrgId,
        recipient: &UserId,
        limit: u32,
        before: Option<&NotificationId>,
    ) -> Result<Vec<Notification>, StoreError>;
}

#[async_trait]
pub trait RescheduleStore: Send + Sync {
    /// MUST return `None` for an id of another org.
    async fn reschedule_request(
        &self,
        org: &OrgId,
        id: &RescheduleRequestId,
    ) -> Result<Option<RescheduleRequest>, StoreError>;
    /// The requests `user` is the coach or the client of, newest first (by id: ids are ULIDs),
    /// only those with `status` when given, at most `limit`, strictly older than `before`.
    async fn reschedule_requests(
        &self,
        org: &OrgId,
        user: &UserId,
        status: Option<RequestStatus>,
        limit: u32,
        before: Option<&RescheduleRequestId>,
    ) -> Result<Vec<RescheduleRequest>, StoreError>;
}

/// Due work, across every org, found through the due-by-time index: never by scanning
/// sessions. Both lists are oldest first (then by org and id), at most `limit`.
#[async_trait]
pub trait DueStore: Send + Sync {
    /// Stored reminders with `due_at ≤ now`. Adapters MAY leave out reminders whose session
    /// started more than [`DUE_LOOKBACK_DAYS`] days before `now`: nothing delivers them.
    async fn due_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Reminder>, StoreError>;
    /// Pending requests with `expires_at ≤ now` (due within the last [`DUE_LOOKBACK_DAYS`]
    /// days at least).
    async fn due_requests(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RescheduleRequest>, StoreError>;
}

/// How far back an adapter's due-by-time index must reach: a job that did not run for longer
/// than this leaves older work behind.
pub const DUE_LOOKBACK_DAYS: i64 = 7;

/// The event of a stored notification, waiting in the outbox to be published.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    pub org: String,
    /// The notification's id: publishing twice is recognisable downstream.
    pub id: String,
    /// The notification type's wire name (the EventBridge `detail-type`).
    pub kind: String,
    /// The notification as JSON.
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// The outbox: every notification's event, written in the notification's transaction and kept
/// until it is published. Adapters MAY leave out events created more than [`DUE_LOOKBACK_DAYS`]
/// days before `now` (a relay that did not run for that long leaves them behind).
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims up to `limit` unpublished events, oldest first, that no claim holds at `now`,
    /// each until `until`: until then no other call returns them. A claim that lapses (its
    /// publisher crashed) makes the event claimable again.
    async fn claim_events(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxEvent>, StoreError>;
    /// Removes published events from the outbox (unknown ones are ignored).
    async fn mark_published(&self, events: &[OutboxEvent]) -> Result<(), StoreError>;
}

/// A verified webhook delivery about one evaluation, as the store records it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationDelivery {
    pub org: OrgId,
    /// The `webhook-id`: 1 to 255 visible ASCII characters.
    pub webhook_id: String,
    /// The `webhook-timestamp` (unix seconds, within minutes of the real time).
    pub timestamp: i64,
    /// Until when (at least) the webhook id MUST be remembered.
    pub remember_until: DateTime<Utc>,
    pub evaluation_id: EvaluationId,
    /// [`crate::webhook::delivery_rank`] of the delivery.
    pub rank: i64,
    /// `Some`: the evaluation as `evaluation.completed` describes it (its `id` is
    /// `evaluation_id`, its `org` is `org`). `None`: `evaluation.deleted`, a tombstone.
    pub evaluation: Option<Evaluation>,
}

/// What recording a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The evaluation's stored state is now the delivery's.
    Applied,
    /// A delivery of equal or higher rank is stored: nothing changed but the webhook id.
    Stale,
    /// The webhook id was recorded before: nothing changed.
    Duplicate,
}

/// Which of a coachee's evaluations a read wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationQuery {
    pub coachee: UserId,
    /// Only `evaluated_at >= from`.
    pub from: Option<DateTime<Utc>>,
    /// Only `evaluated_at < to`.
    pub to: Option<DateTime<Utc>>,
    /// Only these scorecards; all when empty.
    pub scorecards: Vec<String>,
}

/// The order of an evaluation in lists (newest first): `sort_key` is `evaluated_at` in unix
/// milliseconds, ties by id, both descending.
pub fn evaluation_cursor(e: &Evaluation) -> Cursor {
    Cursor {
        sort_key: e.evaluated_at.timestamp_millis(),
        id: e.id.as_str().to_owned(),
    }
}

#[async_trait]
pub trait EvaluationStore: Send + Sync {
    /// Records a delivery atomically. MUST return
    /// - `Duplicate` and change nothing when `(org, webhook_id)` was recorded before (and not
    ///   forgotten: ids MUST be kept until their `remember_until`, MAY be kept longer);
    /// - otherwise record the webhook id, and return `Applied` after replacing the state of
    ///   `(org, evaluation_id)` when nothing is stored for it or the stored rank is lower, or
    ///   `Stale` and leave the state as it is.
    ///
    /// A tombstone (no evaluation) keeps its rank but takes the evaluation out of every read.
    /// Of concurrent deliveries the highest rank ends up stored, whatever the interleaving.
    async fn record_delivery(
        &self,
        delivery: &EvaluationDelivery,
    ) -> Result<DeliveryOutcome, StoreError>;
    /// MUST return `None` for an unknown or deleted evaluation, and for one of another org.
    async fn evaluation(
        &self,
        org: &OrgId,
        id: &EvaluationId,
    ) -> Result<Option<Evaluation>, StoreError>;
    /// The coachee's evaluations matching `query`, newest first ([`evaluation_cursor`] order,
    /// descending), at most `limit`, strictly after `after`; `next` set when the page is full.
    async fn evaluations(
        &self,
        org: &OrgId,
        query: &EvaluationQuery,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<Evaluation>, StoreError>;
    /// Every evaluation matching `query`, in any order: for statistics. An adapter MUST read
    /// only the coachee's evaluations in the time range (an index on coachee and time), never
    /// the org's or the table's.
    async fn all_evaluations(
        &self,
        org: &OrgId,
        query: &EvaluationQuery,
    ) -> Result<Vec<Evaluation>, StoreError>;
}

#[async_trait]
pub trait OrgStore: Send + Sync {
    /// The org's settings; the defaults when none were put.
    async fn org_settings(&self, org: &OrgId) -> Result<OrgSettings, StoreError>;
    async fn put_org_settings(&self, org: &OrgId, settings: &OrgSettings)
    -> Result<(), StoreError>;
    /// The org's own webhook secret, `None` until one was put.
    async fn webhook_secret(&self, org: &OrgId) -> Result<Option<String>, StoreError>;
    /// Replaces the org's webhook secret.
    async fn put_webhook_secret(&self, org: &OrgId, secret: &str) -> Result<(), StoreError>;
    /// Creates an article. MUST return `Conflict` when its id exists in its org.
    async fn put_kb_article(&self, article: &KbArticle) -> Result<(), StoreError>;
    /// MUST remove the article when it exists in `org`; returns whether it did.
    async fn delete_kb_article(&self, org: &OrgId, id: &KbArticleId) -> Result<bool, StoreError>;
    /// The org's articles by id (ids are ULIDs: oldest first), at most `limit`, strictly after
    /// `after`.
    async fn kb_articles(
        &self,
        org: &OrgId,
        limit: u32,
        after: Option<&KbArticleId>,
    ) -> Result<Vec<KbArticle>, StoreError>;
}

/// Generation records (written through [`Changes::generations`]).
#[async_trait]
pub trait GenerationStore: Send + Sync {
    /// MUST return `None` for an id of another org.
    async fn generation(
        &self,
        org: &OrgId,
        id: &GenerationId,
    ) -> Result<Option<GenerationJob>, StoreError>;
    /// Records with `due_at <= now`, across every org, oldest first (then org and id), at most
    /// `limit`: found through the due-by-time index, never by reading sessions. Records due
    /// more than [`DUE_LOOKBACK_DAYS`] days before `now` MAY be left out.
    async fn due_generations(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GenerationJob>, StoreError>;
}

/// Whose action items a list shows (`GET /v1/action-items`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItemQuery {
    pub assignee: UserId,
    /// Only items not done.
    pub open_only: bool,
    /// Only items of sessions this user coaches.
    pub coach: Option<UserId>,
    pub limit: u32,
    /// Strictly after this position ([`action_item_cursor`]).
    pub after: Option<Cursor>,
}

/// The order of a user's action items: open ones first (`sort_key` 0, done ones 1), each by id
/// (ULIDs: oldest first).
pub fn action_item_cursor(a: &crate::session::ActionItem) -> Cursor {
    Cursor {
        sort_key: i64::from(a.done),
        id: a.id.as_str().to_owned(),
    }
}

/// The action items `after` no longer has of `before` (for [`Changes::dropped_action_items`]).
pub fn dropped_action_items(before: &Session, after: &Session) -> Vec<crate::ids::ActionItemId> {
    before
        .action_items
        .iter()
        .filter(|a| !after.action_items.iter().any(|b| b.id == a.id))
        .map(|a| a.id.clone())
        .collect()
}

/// Agenda templates (docs/api.md#notes-agenda-and-action-items) and the action-item index.
///
/// The action-item index: every action item of every stored session (the session document is
/// the truth) has an index entry (org, item id → session, coach, assignee, done, the item),
/// written in the transaction of the `SessionPut` that stores it. After a commit the index
/// MUST hold exactly the items of the stored sessions: an adapter upserts every item of every
/// put and removes the items a put dropped from its session, whatever the order of the puts
/// in the set (an item moved to another session of the set stays, with its new session).
/// Items of a draft session are indexed but not listed.
#[async_trait]
pub trait ContinuityStore: Send + Sync {
    /// Creates a template. MUST return `Conflict` when its id exists in its org.
    async fn put_agenda_template(
        &self,
        template: &crate::org::AgendaTemplate,
    ) -> Result<(), StoreError>;
    /// MUST return `None` for an id of another org.
    async fn agenda_template(
        &self,
        org: &OrgId,
        id: &AgendaTemplateId,
    ) -> Result<Option<crate::org::AgendaTemplate>, StoreError>;
    /// The org's templates (only `owner`'s when given) by id (oldest first), at most `limit`,
    /// strictly after `after`.
    async fn agenda_templates(
        &self,
        org: &OrgId,
        owner: Option<&UserId>,
        limit: u32,
        after: Option<&AgendaTemplateId>,
    ) -> Result<Vec<crate::org::AgendaTemplate>, StoreError>;
    /// The session that holds the action item (`None` when no stored session of `org` does).
    async fn action_item_session(
        &self,
        org: &OrgId,
        id: &ActionItemId,
    ) -> Result<Option<SessionId>, StoreError>;
    /// The listed items of `query`, in [`action_item_cursor`] order, at most `limit`; `next`
    /// set when the page is full.
    async fn action_items(
        &self,
        org: &OrgId,
        query: &ActionItemQuery,
    ) -> Result<Page<crate::session::ActionItem>, StoreError>;
}

/// Calendar feed tokens (docs/api.md#calendar-feed `POST /v1/calendar-token`): the store keeps only the hash of a
/// token, never the token, and at most one token per user and org.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Makes `hash` the one calendar token of `user` in `org`, atomically: afterwards
    /// [`calendar_user`](Self::calendar_user) finds `(org, user)` by `hash` and nothing by the
    /// hash the user had before. Of concurrent puts for one user exactly one hash ends up valid.
    async fn put_calendar_token(
        &self,
        org: &OrgId,
        user: &UserId,
        hash: &CalendarTokenHash,
    ) -> Result<(), StoreError>;
    /// The org and user whose current token has `hash`; `None` for an unknown or replaced one.
    async fn calendar_user(
        &self,
        hash: &CalendarTokenHash,
    ) -> Result<Option<(OrgId, UserId)>, StoreError>;
}

/// Session threads (docs/api.md#messages): messages are written through [`Changes::messages`], in the transaction
/// of their `message_received` notification, so neither is ever stored without the other.
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// The messages of `session` in `org`, oldest first ([`crate::message::message_cursor`]
    /// order), at most `limit`, strictly after `after`; `next` set when the page is full. An
    /// adapter MUST read only that session's thread (an index on session and time), and MUST
    /// return nothing for a session of another org.
    async fn messages(
        &self,
        org: &OrgId,
        session: &SessionId,
        limit: u32,
        after: Option<&Cursor>,
    ) -> Result<Page<crate::message::Message>, StoreError>;
}

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

/// A generation that produced nothing usable: the reason, fit to show the coach (never a key or
/// a provider's raw reply), and how many attempts were made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason} (after {attempts} attempt(s))")]
pub struct GenerateError {
    pub reason: String,
    pub attempts: u32,
}

/// Writes coaching from evaluations: the builtin generator or an OpenAI-compatible provider.
#[async_trait]
pub trait Generator: Send + Sync {
    /// `builtin` or `openai` (what `generation.provider` shows).
    fn provider(&self) -> &str;
    /// The model named (`generation.model`); `None` for the builtin generator.
    fn model(&self) -> Option<&str>;
    /// Generates for `input`. An adapter MUST make at most 3 attempts, retrying only what may
    /// succeed later (429, 5xx, timeouts, unreadable replies) with backoff, and MUST end its
    /// last attempt within 60 s of its first. Its output need not be grounded: the caller drops
    /// whatever `input` does not contain ([`crate::generation::ground`]).
    async fn generate(
        &self,
        input: &crate::generation::GenerationInput,
    ) -> Result<crate::generation::GenerationOutput, GenerateError>;
}

/// Hands queued generations to a worker: SQS on AWS (and locally with `COACHING_QUEUE_URL`), the
/// in-process worker otherwise. The generation record is the truth; the queue carries its id.
#[async_trait]
pub trait GenerationQueue: Send + Sync {
    /// Hands `job` (its org and id) to a worker. An adapter logs its own failures: the record is
    /// due, and the sweep hands it over again.
    async fn enqueue(&self, job: &GenerationJob) -> Result<(), String>;
    /// How long a handed-over record waits for its worker before the sweep sends it again
    /// (zero for the in-process queue, whose worker reads the due index itself).
    fn resend_after(&self) -> chrono::Duration;
}

/// Where events go: EventBridge in AWS, the log locally.
#[async_trait]
pub trait EventPublisher: Send + Sync {
    /// Publishes `events`; returns, per event (same order), whether it was accepted. An event
    /// that was not stays in the outbox and is published by a later run.
    async fn publish(&self, events: &[OutboxEvent]) -> Vec<bool>;
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
