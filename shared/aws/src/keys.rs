//! The table layout: key formats of every item type, the index names, and the order-preserving
//! encoding of list positions. The one place that knows how a key is spelled.
//!
//! Identifiers never contain `#` (see `coaching_domain::ids`), so `#` separates key parts
//! unambiguously; a free-form part (an idempotency key) always comes last.

use chrono::{DateTime, Utc};
use coaching_domain::ids::{NotificationId, OrgId, SessionId, UserId};
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
/// participant scope with one Query.
pub(crate) const BY_USER: Index = Index {
    name: "ByUser",
    pk: "UserPK",
    sk: "UserSK",
};
/// GSI "an org's sessions by time": `OrgPK` = `ORG#o` on session items. Serves the org scope.
pub(crate) const BY_ORG: Index = Index {
    name: "ByOrg",
    pk: "OrgPK",
    sk: "OrgSK",
};
/// Sparse GSI "due work by time bucket": `DuePK` = `DUE#<yyyy-mm-ddThh>`, `DueSK` = instant + id.
/// The table defines it; reminders and reschedule-request expiry will write it.
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

/// A session and its client view share one partition: a session put rewrites both without
/// knowing the stored state.
pub(crate) fn session_pk(org: &OrgId, id: &SessionId) -> String {
    format!("ORG#{org}#SESSION#{id}")
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

/// Outbox events wait in one partition per hour of their creation, oldest first.
pub(crate) fn outbox_pk(created_at: DateTime<Utc>) -> String {
    format!("OUTBOX#{}", created_at.format("%Y-%m-%dT%H"))
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

    #[test]
    fn positions_order_by_sort_key_then_id() {
        assert!(position(5, "s-10") < position(6, "a"));
        assert!(position(5, "s-1") < position(5, "s-10"));
        assert!(position(5, "s-10") < position(5, "s-2"));
    }
}
