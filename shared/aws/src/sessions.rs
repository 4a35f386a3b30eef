//! Session reads, each one request: by id (GetItem), lists and busy time (a Query of the
//! scope's index), idempotency records (GetItem).

use crate::DynamoStore;
use crate::errors;
use crate::items::{self, Item, from_doc, key};
use crate::keys::{self, BY_ORG, BY_ROLE, BY_USER, ceil_millis, encode_sort_key, position};
use crate::plan::IdempotencyDoc;
use crate::query::{Filter, Walk};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use coaching_domain::ids::{OrgId, SessionId, UserId};
use coaching_domain::ports::Changes;
use coaching_domain::ports::SessionStore;
use coaching_domain::ports::{
    Cursor, IdempotencyRecord, Page, SessionQuery, SessionScope, StoreError, session_sort_key,
};
use coaching_domain::session::{Session, SessionStatus};

/// One item by key, strongly consistent: a read after a commit sees it.
pub(crate) async fn get(
    client: &Client,
    table: &str,
    pk: String,
    sk: &str,
) -> Result<Option<Item>, StoreError> {
    let out = client
        .get_item()
        .table_name(table)
        .set_key(Some(key(pk, sk)))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| errors::unavailable("GetItem", e))?;
    Ok(out.item)
}

pub(crate) async fn session(
    client: &Client,
    table: &str,
    org: &OrgId,
    id: &SessionId,
) -> Result<Option<Session>, StoreError> {
    let item = get(client, table, keys::session_pk(org, id), keys::SESSION_SK).await?;
    item.map(|i| from_doc("session", &i)).transpose()
}

/// The walk of `q`: the scope picks the index partition; the time range and the cursor bound
/// the sort key; a status list filters.
fn walk(org: &OrgId, q: &SessionQuery) -> Walk {
    let (index, pk) = match &q.scope {
        SessionScope::Org => (BY_ORG, keys::org_sessions_pk(org)),
        SessionScope::Coach(u) => (BY_ROLE, keys::coach_sessions_pk(org, u)),
        // Client views of drafts carry no index key: a client never sees a draft.
        SessionScope::Client(u) => (BY_ROLE, keys::client_sessions_pk(org, u)),
        SessionScope::Participant(u) => (BY_USER, keys::user_sessions_pk(org, u)),
    };
    let from = q.from.map(|t| encode_sort_key(ceil_millis(t)));
    let to = q.to.map(|t| encode_sort_key(ceil_millis(t)));
    // Drafts sort last (`i64::MAX`, positions `enc(MAX)#id`): a time range ends below them.
    let upper = to.or_else(|| q.from.map(|_| encode_sort_key(i64::MAX)));
    let after = q.after.as_ref().map(|c| position(c.sort_key, &c.id));
    let (lower, skip) = match (from, after) {
        (Some(from), Some(after)) if from > after => (Some(from), None),
        (_, Some(after)) => (Some(after.clone()), Some(after)),
        (from, None) => (from, None),
    };
    Walk {
        index: Some(index),
        pk,
        lower,
        upper,
        filter: Filter::status_in(q.statuses.iter().map(SessionStatus::as_str)),
        skip,
        ..Walk::default()
    }
}

pub(crate) async fn sessions(
    client: &Client,
    table: &str,
    org: &OrgId,
    q: &SessionQuery,
) -> Result<Page<Session>, StoreError> {
    let limit = usize::try_from(q.limit).unwrap_or(usize::MAX);
    let found = walk(org, q).run(client, table, Some(limit)).await?;
    let items = items::sessions(&found)?;
    let full = limit > 0 && items.len() == limit;
    let next = items.last().filter(|_| full).map(|s| Cursor {
        sort_key: session_sort_key(s),
        id: s.id.as_str().to_owned(),
    });
    Ok(Page { items, next })
}

/// The statuses of sessions that hold the coach's time.
const BUSY: [SessionStatus; 3] = [
    SessionStatus::Scheduled,
    SessionStatus::Completed,
    SessionStatus::NoShow,
];

pub(crate) async fn coach_busy(
    client: &Client,
    table: &str,
    org: &OrgId,
    coach: &UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Session>, StoreError> {
    let walk = Walk {
        index: Some(BY_ROLE),
        pk: keys::coach_sessions_pk(org, coach),
        lower: Some(encode_sort_key(ceil_millis(from))),
        upper: Some(encode_sort_key(ceil_millis(to))),
        filter: Filter::status_in(BUSY.iter().map(SessionStatus::as_str)),
        ..Walk::default()
    };
    items::sessions(&walk.run(client, table, None).await?)
}

pub(crate) async fn idempotency_record(
    client: &Client,
    table: &str,
    org: &OrgId,
    user: &UserId,
    key: &str,
) -> Result<Option<IdempotencyRecord>, StoreError> {
    let Some(item) = get(
        client,
        table,
        keys::idempotency_pk(org, user, key),
        keys::IDEMPOTENCY_SK,
    )
    .await?
    else {
        return Ok(None);
    };
    let doc: IdempotencyDoc = from_doc("idempotency record", &item)?;
    Ok(Some(IdempotencyRecord {
        org: org.clone(),
        user: user.clone(),
        key: key.to_owned(),
        request: doc.request,
        session: doc.session,
        created_at: doc.created_at,
    }))
}

#[async_trait]
impl SessionStore for DynamoStore {
    async fn commit(&self, changes: Changes) -> Result<(), StoreError> {
        crate::commit::commit(&self.client, &self.table, &changes).await
    }

    async fn session(&self, org: &OrgId, id: &SessionId) -> Result<Option<Session>, StoreError> {
        session(&self.client, &self.table, org, id).await
    }

    async fn sessions(
        &self,
        org: &OrgId,
        query: &SessionQuery,
    ) -> Result<Page<Session>, StoreError> {
        sessions(&self.client, &self.table, org, query).await
    }

    async fn coach_busy(
        &self,
        org: &OrgId,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError> {
        coach_busy(&self.client, &self.table, org, coach, from, to).await
    }

    async fn idempotency_record(
        &self,
        org: &OrgId,
        user: &UserId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        idempotency_record(&self.client, &self.table, org, user, key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn query() -> SessionQuery {
        let org = SessionScope::Org;
        SessionQuery {
            scope: org,
            statuses: vec![],
            from: None,
            to: None,
            limit: 10,
            after: None,
        }
    }

    #[test]
    fn a_cursor_past_the_range_start_bounds_the_walk_and_is_skipped() {
        let t = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        let after = Cursor {
            sort_key: t.timestamp_millis() + 5,
            id: "s-1".into(),
        };
        let q = SessionQuery {
            from: Some(t),
            after: Some(after.clone()),
            ..query()
        };
        let w = walk(&OrgId::parse("o").unwrap(), &q);
        let pos = position(after.sort_key, &after.id);
        assert_eq!(
            (w.lower.as_ref(), w.skip.as_ref()),
            (Some(&pos), Some(&pos))
        );
        assert_eq!(w.upper, Some(encode_sort_key(i64::MAX)));
    }

    #[test]
    fn a_range_start_past_the_cursor_bounds_the_walk() {
        let t =
            Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::nanoseconds(1);
        let q = SessionQuery {
            from: Some(t),
            after: Some(Cursor {
                sort_key: 0,
                id: "x".into(),
            }),
            ..query()
        };
        let w = walk(&OrgId::parse("o").unwrap(), &q);
        assert_eq!(w.lower, Some(encode_sort_key(t.timestamp_millis() + 1)));
        assert_eq!(w.skip, None);
    }

    #[test]
    fn an_unbounded_list_walks_the_whole_partition() {
        let w = walk(&OrgId::parse("o").unwrap(), &query());
        assert_eq!((w.lower, w.upper, w.skip), (None, None, None));
        assert_eq!(w.index, Some(BY_ORG));
        assert_eq!(w.pk, "ORG#o");
    }
}
