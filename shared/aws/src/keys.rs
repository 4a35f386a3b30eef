//! The table layout: key formats of every item type, the index names, and the order-preserving
//! encoding of list positions. The one place that knows how a key is spelled.
//!
//! Identifiers never contain `#` (see `coaching_domain::ids`), so `#` separates key parts
//! unambiguously; a free-form part (an idempotency key) always comes last.

use chrono::{DateTime, Duration, Utc};
use coaching_domain::calendar::CalendarTokenHash;
use coaching_domain::ids::{
    DeliveryId, EndpointId, EvaluationId, GenerationId, KbArticleId, NotificationId, OrgId,
    RescheduleRequestId, SessionId, UserId,
};
use coaching_domain::reminder::ReminderKind;
use coaching_domain::slots::LockKey;

pub(crate) const PK: &str = "PK";
pub(crate) const SK: &str = "SK";

/// GSI "a user's sessions by time, as coach or as client": `RolePK` = `ORG#o#COACH#u` on session
/// items, `ORG#o#CLIENT#u` on client-view items (never for drafts). Serves the coach and client scopes.
pub(crate) const BY_ROLE: Index = Index {
    name: "ByRole",
    pk: "RolePK",
    sk: "RoleSK",
};
/// GSI "a user's sessions by time, in any role": `UserPK` = `ORG#o#USER#u` on the session item
/// (for its coach) and on its client-view item (for its client, never for drafts). Serves the
/// participant scope with one Query. Reschedule requests share it in partitions of their own,
/// `ORG#o#USER#u#REQUESTS` (see [`user_requests_pk`]), sorted by request id, and so do live
/// evaluations, `ORG#o#USER#u#EVALS` (see [`user_evaluations_pk`]), sorted by time, and
/// outbound webhook deliveries by endpoint and status (see [`endpoint_status_deliveries_pk`]).
pub(crate) const BY_USER: Index = Index {
    name: "ByUser",
    pk: "UserPK",
    sk: "UserSK",
};
/// GSI "an org's sessions by time": `OrgPK` = `ORG#o` on session items. Serves the org scope.
/// Outbound webhook deliveries share it in partitions of their own, one per endpoint (see
/// [`endpoint_deliveries_pk`]), sorted by time.
pub(crate) const BY_ORG: Index = Index {
    name: "ByOrg",
    pk: "OrgPK",
    sk: "OrgSK",
};
/// Sparse GSI "due work by day": only waiting reminders (`DuePK` = `DUE#REMINDER#<day>`),
/// pending reschedule requests (`DUE#REQUEST#<day>`), generation records while they have a
/// due time (`DUE#GENERATION#<day>`) and outbound webhook deliveries while they have a next
/// attempt (`DUE#DELIVERY#<day>`) carry it, the day (UTC) of their due time; `DueSK` = due
/// time (whole milliseconds, rounded up) + org + id, so one partition is in due order and the
/// days in turn are too. The jobs and workers read it day by day, oldest first, for at most
/// [`due_days`] days: never a Scan. See [`due_pk`] and [`due_sk`].
pub(crate) const DUE: Index = Index {
    name: "Due",
    pk: "DuePK",
    sk: "DueSK",
};

/// Every global secondary index of the table, each projecting all attributes.
pub(crate) const INDEXES: [Index; 4] = [BY_ROLE, BY_USER, BY_ORG, DUE];

/// A global secondary index: its name and its (string) key attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Index {
    pub(crate) name: &'static str,
    pub(crate) pk: &'static str,
    pub(crate) sk: &'static str,
}

/// The sort key of the session item.
pub(crate) const SESSION_SK: &str = "SESSION";
/// The sort key of a session's client-view item: a copy of the session filed under its client.
pub(crate) const CLIENT_VIEW_SK: &str = "CLIENT";
pub(crate) const LOCK_SK: &str = "LOCK";
pub(crate) const IDEMPOTENCY_SK: &str = "IDEMPOTENCY";
pub(crate) const SETTINGS_SK: &str = "SETTINGS";
/// The sort key of a reschedule request's main item (filed under its coach); its copy filed
/// under its client has [`CLIENT_VIEW_SK`].
pub(crate) const REQUEST_SK: &str = "REQUEST";

/// The sort key of an evaluation's item (live or tombstone).
pub(crate) const EVALUATION_SK: &str = "EVAL";
/// The sort key of a generation record, alone in its partition [`generation_pk`].
pub(crate) const GENERATION_SK: &str = "GENERATION";
/// The sort key of a remembered webhook id.
pub(crate) const WEBHOOK_SK: &str = "WEBHOOK";
/// The sort keys of the org's own records in its partition [`org_pk`].
pub(crate) const ORG_SETTINGS_SK: &str = "ORG_SETTINGS";
pub(crate) const WEBHOOK_SECRET_SK: &str = "WEBHOOK_SECRET";
/// The org's outbound endpoint counter, in its partition [`org_pk`]: what a creation checks
/// against the most an org may hold.
pub(crate) const ENDPOINT_COUNT_SK: &str = "ENDPOINT_COUNT";
/// The sort key of an outbound webhook delivery, alone in its partition [`delivery_pk`].
pub(crate) const DELIVERY_SK: &str = "DELIVERY";

/// The table's TTL attribute (`TimeToLiveSpecification` in infra/template.yaml): epoch
/// seconds after which DynamoDB deletes the item (within a few days: reads must not rely on it).
pub(crate) const EXPIRES_AT: &str = "ExpiresAt";
/// How long after the instant it is about (a slot lock's block, a reminder's session start) an
/// item that can no longer matter expires: past [`DUE_LOOKBACK_DAYS`] and the longest reminder
/// lead, so nothing reads it any more.
///
/// [`DUE_LOOKBACK_DAYS`]: coaching_domain::ports::DUE_LOOKBACK_DAYS
pub(crate) const KEEP_DAYS: i64 = 8;

/// The TTL value of an item about `t`: [`KEEP_DAYS`] later, in epoch seconds.
pub(crate) fn expires_at(t: DateTime<Utc>) -> i64 {
    t.timestamp().saturating_add(KEEP_DAYS * 86_400)
}

/// A session and its client view share one partition: a session put rewrites both without
/// knowing the stored state.
pub(crate) fn session_pk(org: &OrgId, id: &SessionId) -> String {
    format!("ORG#{org}#SESSION#{id}")
}

/// A session's thread: its own partition (not the session's, whose items a session put
/// rewrites), sorted by [`position`] of (`created_at` ms, message id). Ids hold no `#`, so
/// this is never a session's partition.
pub(crate) fn thread_pk(org: &OrgId, session: &SessionId) -> String {
    format!("ORG#{org}#SESSION#{session}#MESSAGES")
}

/// One item per held key; `LockKey::storage_key` already names coach and block or pair.
pub(crate) fn lock_pk(org: &OrgId, key: &LockKey) -> String {
    format!("ORG#{org}#LOCK#{}", key.storage_key())
}

pub(crate) fn idempotency_pk(org: &OrgId, user: &UserId, key: &str) -> String {
    format!("ORG#{org}#IDEMPOTENCY#{user}#{key}")
}

pub(crate) fn settings_pk(org: &OrgId, coach: &UserId) -> String {
    format!("ORG#{org}#COACH#{coach}")
}

/// A recipient's inbox: one partition, sorted by notification id (ULIDs sort by time).
pub(crate) fn inbox_pk(org: &OrgId, recipient: &UserId) -> String {
    format!("ORG#{org}#INBOX#{recipient}")
}

pub(crate) fn inbox_sk(id: &NotificationId) -> String {
    id.as_str().to_owned()
}

/// A reschedule request's main item and its client copy.
pub(crate) fn request_pk(org: &OrgId, id: &RescheduleRequestId) -> String {
    format!("ORG#{org}#REQUEST#{id}")
}

/// A user's reschedule requests (as coach or client) in the `ByUser` index, sorted by id:
/// never a session partition of that index (`ORG#o#USER#u`), since ids hold no `#`.
pub(crate) fn user_requests_pk(org: &OrgId, user: &UserId) -> String {
    format!("ORG#{org}#USER#{user}#REQUESTS")
}

/// An evaluation: one item (`EVAL`) holding its state and the rank of the delivery that set
/// it, a tombstone after a deletion (no document, out of every index, the rank kept).
pub(crate) fn evaluation_pk(org: &OrgId, id: &EvaluationId) -> String {
    format!("ORG#{org}#EVAL#{id}")
}

/// A coachee's live evaluations in the `ByUser` index, sorted by [`position`] of
/// (`evaluated_at` in whole milliseconds, id): one partition read newest first by a list and
/// by time range for statistics. Never a session or request partition of that index
/// (`ORG#o#USER#u`, `…#REQUESTS`), since ids hold no `#`.
pub(crate) fn user_evaluations_pk(org: &OrgId, coachee: &UserId) -> String {
    format!("ORG#{org}#USER#{coachee}#EVALS")
}

/// A generation record (`GENERATION`): the job as JSON, its status and claim count (what a
/// conditional claim compares), filed in the `Due` index while it has a due time.
pub(crate) fn generation_pk(org: &OrgId, id: &GenerationId) -> String {
    format!("ORG#{org}#GENERATION#{id}")
}

/// A remembered webhook id, `ORG#o#WEBHOOK#<webhook-id>`. A webhook id is any visible ASCII,
/// `#` included: it comes last, so the key still names exactly one (org, webhook id).
pub(crate) fn webhook_pk(org: &OrgId, webhook_id: &str) -> String {
    format!("ORG#{org}#WEBHOOK#{webhook_id}")
}

/// The TTL value (epoch seconds) of a webhook id to remember until `t`: `t` rounded up to the
/// second, so DynamoDB never deletes it before `t`.
pub(crate) fn remember_until(t: DateTime<Utc>) -> i64 {
    t.timestamp()
        .saturating_add(i64::from(t.timestamp_subsec_nanos() > 0))
}

/// The sort key of both calendar-token items.
pub(crate) const CALENDAR_TOKEN_SK: &str = "CALENDAR_TOKEN";

/// A user's calendar token in an org: the item holding the hash of the current token (what a
/// new token's transaction checks and replaces).
pub(crate) fn calendar_user_pk(org: &OrgId, user: &UserId) -> String {
    format!("ORG#{org}#CALENDAR#{user}")
}

/// A calendar token by the hash of the token: the feed has no org to start from, so these live
/// outside every org partition. Only hashes of current tokens have one.
pub(crate) fn calendar_token_pk(hash: &CalendarTokenHash) -> String {
    format!("CALENDAR#{}", hash.as_str())
}

/// The org's own records: settings ([`ORG_SETTINGS_SK`]) and webhook secret
/// ([`WEBHOOK_SECRET_SK`]). The same string is the `ByOrg` partition of its sessions, but in
/// the index, never as a table key.
pub(crate) fn org_pk(org: &OrgId) -> String {
    format!("ORG#{org}")
}

/// The org's knowledge-base articles: one partition, sorted by article id (ULIDs: oldest
/// first).
pub(crate) fn kb_pk(org: &OrgId) -> String {
    format!("ORG#{org}#KB")
}

pub(crate) fn kb_sk(id: &KbArticleId) -> String {
    id.as_str().to_owned()
}

/// The org's outbound webhook endpoints: one partition, sorted by endpoint id (`we_<ULID>`:
/// oldest first). Never `ORG#o#WEBHOOK#…` (remembered inbound webhook ids): another word.
pub(crate) fn endpoints_pk(org: &OrgId) -> String {
    format!("ORG#{org}#ENDPOINTS")
}

pub(crate) fn endpoint_sk(id: &EndpointId) -> String {
    id.as_str().to_owned()
}

/// An outbound webhook delivery ([`DELIVERY_SK`]): read by id with one GetItem.
pub(crate) fn delivery_pk(org: &OrgId, id: &DeliveryId) -> String {
    format!("ORG#{org}#DELIVERY#{id}")
}

/// An endpoint's deliveries in the `ByOrg` index, sorted by [`position`] of (`created_at` in
/// microseconds, id): never the org's session partition (`ORG#o`) of that index.
pub(crate) fn endpoint_deliveries_pk(org: &OrgId, endpoint: &EndpointId) -> String {
    format!("ORG#{org}#ENDPOINT#{endpoint}#DELIVERIES")
}

/// An endpoint's deliveries of one status in the `ByUser` index, sorted like
/// [`endpoint_deliveries_pk`]: a list by status reads only those (a status change moves the
/// item). Never a user's partition of that index (`ORG#o#USER#…`).
pub(crate) fn endpoint_status_deliveries_pk(
    org: &OrgId,
    endpoint: &EndpointId,
    status: &str,
) -> String {
    format!("ORG#{org}#ENDPOINT#{endpoint}#DELIVERIES#{status}")
}

/// A waiting reminder lives in its session's partition, one item per kind.
pub(crate) fn reminder_sk(kind: ReminderKind) -> String {
    format!("REMINDER#{}", kind.as_str())
}

/// What the `Due` index holds: each kind of due work has partitions of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Due {
    /// Waiting reminders, by `due_at`.
    Reminder,
    /// Pending reschedule requests, by `expires_at`.
    Request,
    /// Queued or running generation records, by `due_at`.
    Generation,
    /// Outbound webhook deliveries with a next attempt (or a lease to lapse), by
    /// `next_attempt_at`.
    Delivery,
}

impl Due {
    fn name(self) -> &'static str {
        match self {
            Due::Reminder => "REMINDER",
            Due::Request => "REQUEST",
            Due::Generation => "GENERATION",
            Due::Delivery => "DELIVERY",
        }
    }
}

/// The smallest whole millisecond at or after `t`: for a whole-millisecond `m`, `m >= t` iff
/// `m >= ceil_millis(t)`, and `m < t` iff `m < ceil_millis(t)`. Due times are stored rounded up
/// and compared with `now` rounded down ([`due_upper`]), like the SQLite adapter's
/// `due_ms <= now_ms`: work due at a whole millisecond is due from exactly that instant on.
pub(crate) fn ceil_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis() + i64::from(!t.timestamp_subsec_nanos().is_multiple_of(1_000_000))
}

/// The UTC day of the whole millisecond `ms`.
fn day_of_millis(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(
        || "invalid".to_owned(),
        |t| t.format("%Y-%m-%d").to_string(),
    )
}

/// The `Due` partition of `what` due at `t`: the UTC day of `ceil_millis(t)`, so the partition
/// and the sort key ([`due_sk`]) always agree on the instant.
pub(crate) fn due_pk(what: Due, t: DateTime<Utc>) -> String {
    format!("DUE#{}#{}", what.name(), day_of_millis(ceil_millis(t)))
}

/// The `Due` sort key: the due time (rounded up to the millisecond), then org and `id` (a
/// request id, or `session#kind` of a reminder). Identifier characters all sort after `#`, so
/// string order is (time, org, id) order.
pub(crate) fn due_sk(t: DateTime<Utc>, org: &OrgId, id: &str) -> String {
    format!("{}#{org}#{id}", encode_sort_key(ceil_millis(t)))
}

/// The `Due` partitions to read for work of `what` due at or before `now`, oldest day first:
/// from the day `lookback` before `now` through the day of `now`.
pub(crate) fn due_days(what: Due, now: DateTime<Utc>, lookback: Duration) -> Vec<String> {
    days_back(&format!("DUE#{}", what.name()), now, lookback)
}

/// `<prefix>#<yyyy-mm-dd>` for every UTC day from the one `lookback` before `now` through the
/// day of `now`, oldest first.
fn days_back(prefix: &str, now: DateTime<Utc>, lookback: Duration) -> Vec<String> {
    let first = now.checked_sub_signed(lookback).unwrap_or(now);
    first
        .date_naive()
        .iter_days()
        .take_while(|day| *day <= now.date_naive())
        .map(|day| format!("{prefix}#{}", day.format("%Y-%m-%d")))
        .collect()
}

/// The exclusive upper bound of the `Due` sort keys due at `now`: every key whose (rounded up)
/// time is at most `floor(now)`, with any org and id, sorts below it.
pub(crate) fn due_upper(now: DateTime<Utc>) -> String {
    encode_sort_key(now.timestamp_millis().saturating_add(1))
}

/// Outbox events wait in one partition per UTC day of their creation, oldest first: a relay
/// reads [`outbox_days`] of them at most.
pub(crate) fn outbox_pk(created_at: DateTime<Utc>) -> String {
    format!("OUTBOX#{}", created_at.format("%Y-%m-%d"))
}

/// The outbox partitions from the day `lookback` before `now` through the day of `now`, oldest
/// first.
pub(crate) fn outbox_days(now: DateTime<Utc>, lookback: Duration) -> Vec<String> {
    days_back("OUTBOX", now, lookback)
}

pub(crate) fn outbox_sk(created_at: DateTime<Utc>, org: &str, id: &str) -> String {
    format!(
        "{}#{org}#{id}",
        encode_sort_key(created_at.timestamp_millis())
    )
}

pub(crate) fn org_sessions_pk(org: &OrgId) -> String {
    format!("ORG#{org}")
}

pub(crate) fn coach_sessions_pk(org: &OrgId, coach: &UserId) -> String {
    format!("ORG#{org}#COACH#{coach}")
}

pub(crate) fn client_sessions_pk(org: &OrgId, client: &UserId) -> String {
    format!("ORG#{org}#CLIENT#{client}")
}

pub(crate) fn user_sessions_pk(org: &OrgId, user: &UserId) -> String {
    format!("ORG#{org}#USER#{user}")
}

/// An `i64` as 20 digits whose string order is the number order (negative numbers included):
/// the sign bit flipped, zero-padded.
pub(crate) fn encode_sort_key(k: i64) -> String {
    format!("{:020}", (k as u64) ^ (1 << 63))
}

/// The index sort key of a list position: encoded sort key, `#`, id. String order is
/// (sort_key, id) order, as in every other store.
pub(crate) fn position(sort_key: i64, id: &str) -> String {
    format!("{}#{id}", encode_sort_key(sort_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_sort_keys_order_like_the_numbers() {
        let ks = [
            i64::MIN,
            -1_000,
            -1,
            0,
            1,
            59_999,
            60_000,
            i64::MAX - 1,
            i64::MAX,
        ];
        for pair in ks.windows(2) {
            assert!(
                encode_sort_key(pair[0]) < encode_sort_key(pair[1]),
                "{pair:?}"
            );
            assert_eq!(encode_sort_key(pair[0]).len(), 20);
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn work_is_due_from_its_instant_on_and_not_a_millisecond_earlier() {
        let org = OrgId::parse("o").unwrap();
        let t = utc("2030-03-04T09:00:00Z");
        let key = due_sk(t, &org, "r-1");
        assert!(key < due_upper(t), "due exactly at now");
        assert!(key >= due_upper(t - Duration::milliseconds(1)));
        // A due time between two milliseconds counts from the next one.
        let fraction = t + Duration::nanoseconds(500);
        assert!(due_sk(fraction, &org, "r-1") >= due_upper(t));
        assert!(due_sk(fraction, &org, "r-1") < due_upper(t + Duration::milliseconds(1)));
        // Every org and id due at one millisecond sorts below the bound.
        assert!(due_sk(t, &OrgId::parse("||||").unwrap(), "~") < due_upper(t));
    }

    #[test]
    fn a_due_partition_is_the_day_of_the_rounded_up_instant() {
        let t = utc("2030-03-04T23:59:59.9995Z");
        assert_eq!(due_pk(Due::Reminder, t), "DUE#REMINDER#2030-03-05");
        assert_eq!(
            due_pk(Due::Request, utc("2030-03-04T00:00:00Z")),
            "DUE#REQUEST#2030-03-04"
        );
    }

    #[test]
    fn look_backs_cover_whole_days_oldest_first() {
        let now = utc("2030-03-04T09:00:00Z");
        let days = due_days(Due::Request, now, Duration::days(7));
        assert_eq!(days.len(), 8);
        assert_eq!(days[0], "DUE#REQUEST#2030-02-25");
        assert_eq!(days[7], "DUE#REQUEST#2030-03-04");
        assert_eq!(due_days(Due::Reminder, now, Duration::days(8)).len(), 9);
        let outbox = outbox_days(now, Duration::days(7));
        assert_eq!(outbox.first().unwrap(), "OUTBOX#2030-02-25");
        assert_eq!(outbox.last().unwrap(), &outbox_pk(now));
        assert_eq!(outbox.len(), 8);
    }

    #[test]
    fn request_partitions_never_meet_session_partitions() {
        let (org, user) = (OrgId::parse("o").unwrap(), UserId::parse("u").unwrap());
        assert_eq!(user_requests_pk(&org, &user), "ORG#o#USER#u#REQUESTS");
        assert_ne!(user_requests_pk(&org, &user), user_sessions_pk(&org, &user));
    }

    #[test]
    fn evaluation_partitions_never_meet_session_or_request_partitions() {
        let (org, user) = (OrgId::parse("o").unwrap(), UserId::parse("u").unwrap());
        assert_eq!(user_evaluations_pk(&org, &user), "ORG#o#USER#u#EVALS");
        assert_ne!(
            user_evaluations_pk(&org, &user),
            user_requests_pk(&org, &user)
        );
        assert_ne!(
            user_evaluations_pk(&org, &user),
            user_sessions_pk(&org, &user)
        );
        let id = EvaluationId::parse("ev-1").unwrap();
        assert_eq!(evaluation_pk(&org, &id), "ORG#o#EVAL#ev-1");
    }

    #[test]
    fn a_webhook_id_with_hashes_names_one_key_and_is_remembered_to_the_second_after() {
        let org = OrgId::parse("o").unwrap();
        assert_eq!(webhook_pk(&org, "a#b#"), "ORG#o#WEBHOOK#a#b#");
        // Org ids hold no `#`: the first `#WEBHOOK#` ends the org, whatever the id holds.
        assert!(OrgId::parse("o#WEBHOOK#x").is_err());
        let t = utc("2030-03-04T09:00:00Z");
        assert_eq!(remember_until(t), t.timestamp());
        assert_eq!(
            remember_until(t + Duration::nanoseconds(1)),
            t.timestamp() + 1
        );
    }

    #[test]
    fn generation_records_have_partitions_and_due_days_of_their_own() {
        let org = OrgId::parse("o").unwrap();
        let id = GenerationId::parse("01JGEN").unwrap();
        assert_eq!(generation_pk(&org, &id), "ORG#o#GENERATION#01JGEN");
        let t = utc("2030-03-04T09:00:00Z");
        assert_eq!(due_pk(Due::Generation, t), "DUE#GENERATION#2030-03-04");
        let days = due_days(Due::Generation, t, Duration::days(7));
        assert_eq!(days.first().unwrap(), "DUE#GENERATION#2030-02-25");
        assert_eq!(days.len(), 8);
    }

    #[test]
    fn calendar_tokens_have_a_partition_per_user_and_one_per_hash_outside_every_org() {
        let (org, user) = (OrgId::parse("o").unwrap(), UserId::parse("u").unwrap());
        assert_eq!(calendar_user_pk(&org, &user), "ORG#o#CALENDAR#u");
        let hash = CalendarTokenHash::parse("ab".repeat(32)).unwrap();
        assert_eq!(
            calendar_token_pk(&hash),
            format!("CALENDAR#{}", "ab".repeat(32))
        );
        assert!(!calendar_token_pk(&hash).starts_with("ORG#"));
    }

    #[test]
    fn org_records_and_articles_have_partitions_of_their_own() {
        let org = OrgId::parse("o").unwrap();
        assert_eq!(org_pk(&org), "ORG#o");
        assert_eq!(kb_pk(&org), "ORG#o#KB");
        assert_eq!(kb_sk(&KbArticleId::parse("01J").unwrap()), "01J");
    }

    #[test]
    fn a_thread_has_a_partition_of_its_own_beside_its_sessions() {
        let (org, s) = (OrgId::parse("o").unwrap(), SessionId::parse("s-1").unwrap());
        assert_eq!(thread_pk(&org, &s), "ORG#o#SESSION#s-1#MESSAGES");
        assert_ne!(thread_pk(&org, &s), session_pk(&org, &s));
        // No session id ends in `#MESSAGES`: ids hold no `#`.
        assert!(SessionId::parse("s-1#MESSAGES").is_err());
    }

    #[test]
    fn outbound_records_have_partitions_of_their_own() {
        let org = OrgId::parse("o").unwrap();
        let e = EndpointId::parse("we_01J").unwrap();
        assert_eq!(endpoints_pk(&org), "ORG#o#ENDPOINTS");
        assert_eq!(endpoint_sk(&e), "we_01J");
        // Not a remembered inbound webhook id's partition, nor the org's own.
        assert!(!endpoints_pk(&org).starts_with("ORG#o#WEBHOOK#"));
        assert_ne!(endpoints_pk(&org), org_pk(&org));
        let d = DeliveryId::parse("wd_01J").unwrap();
        assert_eq!(delivery_pk(&org, &d), "ORG#o#DELIVERY#wd_01J");
        assert_eq!(
            endpoint_deliveries_pk(&org, &e),
            "ORG#o#ENDPOINT#we_01J#DELIVERIES"
        );
        assert_eq!(
            endpoint_status_deliveries_pk(&org, &e, "failed"),
            "ORG#o#ENDPOINT#we_01J#DELIVERIES#failed"
        );
        assert_ne!(endpoint_deliveries_pk(&org, &e), org_sessions_pk(&org));
        let t = utc("2030-03-04T09:00:00Z");
        assert_eq!(due_pk(Due::Delivery, t), "DUE#DELIVERY#2030-03-04");
    }

    #[test]
    fn positions_order_by_sort_key_then_id() {
        assert!(position(5, "s-10") < position(6, "a"));
        assert!(position(5, "s-1") < position(5, "s-10"));
        assert!(position(5, "s-10") < position(5, "s-2"));
    }
}
