//! Domain values as DynamoDB items and back: the serde_json document in `doc`, plus the key
//! and index attributes each item type carries.

use crate::keys::{self, BY_ORG, BY_ROLE, BY_USER, DUE, Due, Index};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use coaching_domain::ports::{StoreError, session_sort_key};
use coaching_domain::reminder::Reminder;
use coaching_domain::reschedule::{RequestStatus, RescheduleRequest};
use coaching_domain::session::{Session, SessionStatus};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// An item as the SDK takes and returns it.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// The attribute holding the domain value as serde_json text.
pub(crate) const DOC: &str = "doc";
/// The stored version of a session (a number), checked by updates.
pub(crate) const VERSION: &str = "version";
/// The session status, for list filters.
pub(crate) const STATUS: &str = "status";
/// The string set of the sessions holding a lock: absent when free, one id when held.
pub(crate) const HOLDERS: &str = "holders";

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn to_doc<T: Serialize>(what: &str, value: &T) -> Result<AttributeValue, StoreError> {
    serde_json::to_string(value)
        .map(AttributeValue::S)
        .map_err(|e| StoreError::Unavailable(format!("cannot encode {what}: {e}")))
}

/// The value of `doc` in `item`, decoded.
pub(crate) fn from_doc<T: DeserializeOwned>(what: &str, item: &Item) -> Result<T, StoreError> {
    let text = item
        .get(DOC)
        .and_then(|v| v.as_s().ok())
        .ok_or_else(|| StoreError::Unavailable(format!("stored {what} has no `{DOC}` string")))?;
    serde_json::from_str(text)
        .map_err(|e| StoreError::Unavailable(format!("stored {what} does not decode: {e}")))
}

pub(crate) fn key(pk: String, sk: &str) -> Item {
    HashMap::from([(keys::PK.to_owned(), s(pk)), (keys::SK.to_owned(), s(sk))])
}

/// Files `item` in `index` under partition `pk` at sort key `sk`.
pub(crate) fn index_attrs(item: &mut Item, index: Index, pk: String, sk: &str) {
    item.insert(index.pk.to_owned(), s(pk));
    item.insert(index.sk.to_owned(), s(sk));
}

/// The session item: the document, its version and status, filed in the org's list, the
/// coach's list and the coach's participant list.
pub(crate) fn session_item(session: &Session) -> Result<Item, StoreError> {
    let (org, coach) = (&session.org, &session.coach_id);
    let position = keys::position(session_sort_key(session), session.id.as_str());
    let mut item = key(keys::session_pk(org, &session.id), keys::SESSION_SK);
    item.insert(DOC.to_owned(), to_doc("session", session)?);
    item.insert(
        VERSION.to_owned(),
        AttributeValue::N(session.version.to_string()),
    );
    item.insert(STATUS.to_owned(), s(session.status.as_str()));
    index_attrs(&mut item, BY_ORG, keys::org_sessions_pk(org), &position);
    index_attrs(
        &mut item,
        BY_ROLE,
        keys::coach_sessions_pk(org, coach),
        &position,
    );
    index_attrs(
        &mut item,
        BY_USER,
        keys::user_sessions_pk(org, coach),
        &position,
    );
    Ok(item)
}

/// The client-view item: the same document, filed under the client only when the client may
/// see it (never a draft). Always written with its session, so it never outlives a change.
pub(crate) fn client_view_item(session: &Session) -> Result<Item, StoreError> {
    let (org, client) = (&session.org, &session.client_id);
    let mut item = key(keys::session_pk(org, &session.id), keys::CLIENT_VIEW_SK);
    item.insert(DOC.to_owned(), to_doc("session", session)?);
    item.insert(STATUS.to_owned(), s(session.status.as_str()));
    if session.status != SessionStatus::Draft {
        let position = keys::position(session_sort_key(session), session.id.as_str());
        index_attrs(
            &mut item,
            BY_ROLE,
            keys::client_sessions_pk(org, client),
            &position,
        );
        // A user coaching themself would otherwise be listed twice as a participant.
        if client != &session.coach_id {
            index_attrs(
                &mut item,
                BY_USER,
                keys::user_sessions_pk(org, client),
                &position,
            );
        }
    }
    Ok(item)
}

/// A reschedule request's main item: the document and status, filed in its coach's request list
/// (`ByUser`) and, while pending, in the `Due` index by `expires_at`.
pub(crate) fn request_item(r: &RescheduleRequest) -> Result<Item, StoreError> {
    let mut item = key(keys::request_pk(&r.org, &r.id), keys::REQUEST_SK);
    item.insert(DOC.to_owned(), to_doc("reschedule request", r)?);
    item.insert(STATUS.to_owned(), s(r.status.as_str()));
    index_attrs(
        &mut item,
        BY_USER,
        keys::user_requests_pk(&r.org, &r.coach_id),
        r.id.as_str(),
    );
    if r.status == RequestStatus::Pending {
        index_attrs(
            &mut item,
            DUE,
            keys::due_pk(Due::Request, r.expires_at),
            &keys::due_sk(r.expires_at, &r.org, r.id.as_str()),
        );
    }
    Ok(item)
}

/// A reschedule request's copy filed in its client's request list: always written with the
/// main item, so it never outlives a change. Never in the `Due` index.
pub(crate) fn request_client_item(r: &RescheduleRequest) -> Result<Item, StoreError> {
    let mut item = key(keys::request_pk(&r.org, &r.id), keys::CLIENT_VIEW_SK);
    item.insert(DOC.to_owned(), to_doc("reschedule request", r)?);
    item.insert(STATUS.to_owned(), s(r.status.as_str()));
    // A user coaching themself would otherwise be listed twice.
    if r.client_id != r.coach_id {
        index_attrs(
            &mut item,
            BY_USER,
            keys::user_requests_pk(&r.org, &r.client_id),
            r.id.as_str(),
        );
    }
    Ok(item)
}

/// A waiting reminder: its document (a take compares it whole), filed in the `Due` index by
/// `due_at`, expiring [`keys::KEEP_DAYS`] after its session's start.
pub(crate) fn reminder_item(r: &Reminder) -> Result<Item, StoreError> {
    let mut item = key(
        keys::session_pk(&r.org, &r.session_id),
        &keys::reminder_sk(r.kind),
    );
    item.insert(DOC.to_owned(), to_doc("reminder", r)?);
    let id = format!("{}#{}", r.session_id, r.kind.as_str());
    index_attrs(
        &mut item,
        DUE,
        keys::due_pk(Due::Reminder, r.due_at),
        &keys::due_sk(r.due_at, &r.org, &id),
    );
    item.insert(
        keys::EXPIRES_AT.to_owned(),
        number(keys::expires_at(r.starts_at)),
    );
    Ok(item)
}

/// A number attribute.
pub(crate) fn number(n: i64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

/// Sessions from the `doc` of query results.
pub(crate) fn sessions(items: &[Item]) -> Result<Vec<Session>, StoreError> {
    items.iter().map(|i| from_doc("session", i)).collect()
}

/// A string attribute of `item`, for keys and bookkeeping.
pub(crate) fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .ok_or_else(|| StoreError::Unavailable(format!("stored item has no string `{name}`")))
}

/// An instant as its RFC 3339 text with nanoseconds, for attributes people read.
pub(crate) fn instant(t: DateTime<Utc>) -> AttributeValue {
    s(t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
}
