//! Agenda templates (one partition per org by id, a coach's own in the `ByUser` index under
//! `ORG#o#USER#u#TEMPLATES`) and the action-item index: one item per action item,
//! `ORG#o#ACTION#id` / `ACTION`, written in the session put's TransactWriteItems, filed (while
//! its session is not a draft) in `ByUser` under `ORG#o#USER#<assignee>#ACTIONS` sorted by
//! `<0 open | 1 done>#<id>`. Every read is one GetItem or one Query walk: no Scan, no new GSI.

use crate::DynamoStore;
use crate::items::{DOC, Item, from_doc, index_attrs, key, s, string, to_doc};
use crate::keys::BY_USER;
use crate::query::{Filter, Walk};
use crate::sessions::get;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use coaching_domain::ids::{ActionItemId, AgendaTemplateId, OrgId, SessionId, UserId};
use coaching_domain::org::AgendaTemplate;
use coaching_domain::ports::{ActionItemQuery, Page, StoreError, action_item_cursor};
use coaching_domain::session::{ActionItem, Session, SessionStatus};

const SESSION: &str = "session";
const COACH: &str = "coach";
pub(crate) const ACTION_SK: &str = "ACTION";

fn templates_pk(org: &OrgId) -> String {
    format!("ORG#{org}#TEMPLATES")
}

fn user_templates_pk(org: &OrgId, owner: &UserId) -> String {
    format!("ORG#{org}#USER#{owner}#TEMPLATES")
}

pub(crate) fn action_pk(org: &OrgId, id: &ActionItemId) -> String {
    format!("ORG#{org}#ACTION#{id}")
}

fn user_actions_pk(org: &OrgId, assignee: &UserId) -> String {
    format!("ORG#{org}#USER#{assignee}#ACTIONS")
}

fn action_position(done: i64, id: &str) -> String {
    format!("{done}#{id}")
}

/// The index item of `a`, an action item of `s`.
pub(crate) fn action_item(s: &Session, a: &ActionItem) -> Result<Item, StoreError> {
    let mut item = key(action_pk(&s.org, &a.id), ACTION_SK);
    item.insert(DOC.to_owned(), to_doc("action item", a)?);
    item.insert(SESSION.to_owned(), self::s(s.id.as_str()));
    item.insert(COACH.to_owned(), self::s(s.coach_id.as_str()));
    if s.status != SessionStatus::Draft {
        index_attrs(
            &mut item,
            BY_USER,
            user_actions_pk(&s.org, &a.assignee_id),
            &action_position(i64::from(a.done), a.id.as_str()),
        );
    }
    Ok(item)
}

pub(crate) async fn put_agenda_template(
    client: &Client,
    table: &str,
    t: &AgendaTemplate,
) -> Result<(), StoreError> {
    let mut item = key(templates_pk(&t.org), t.id.as_str());
    item.insert(DOC.to_owned(), to_doc("agenda template", t)?);
    index_attrs(
        &mut item,
        BY_USER,
        user_templates_pk(&t.org, &t.owner_id),
        t.id.as_str(),
    );
    crate::org::put_new(client, table, item).await
}

pub(crate) async fn agenda_template(
    client: &Client,
    table: &str,
    org: &OrgId,
    id: &AgendaTemplateId,
) -> Result<Option<AgendaTemplate>, StoreError> {
    let item = get(client, table, templates_pk(org), id.as_str()).await?;
    item.map(|i| from_doc("agenda template", &i)).transpose()
}

/// The org's partition (consistent) or the owner's `ByUser` partition, by id.
pub(crate) async fn agenda_templates(
    client: &Client,
    table: &str,
    org: &OrgId,
    owner: Option<&UserId>,
    limit: u32,
    after: Option<&AgendaTemplateId>,
) -> Result<Vec<AgendaTemplate>, StoreError> {
    let after = after.map(|a| a.as_str().to_owned());
    let walk = Walk {
        index: owner.map(|_| BY_USER),
        pk: owner.map_or_else(|| templates_pk(org), |o| user_templates_pk(org, o)),
        lower: after.clone(),
        skip: after,
        consistent: owner.is_none(),
        ..Walk::default()
    };
    let found = walk
        .run(
            client,
            table,
            Some(usize::try_from(limit).unwrap_or(usize::MAX)),
        )
        .await?;
    found
        .iter()
        .map(|i| from_doc("agenda template", i))
        .collect()
}

pub(crate) async fn action_item_session(
    client: &Client,
    table: &str,
    org: &OrgId,
    id: &ActionItemId,
) -> Result<Option<SessionId>, StoreError> {
    let Some(item) = get(client, table, action_pk(org, id), ACTION_SK).await? else {
        return Ok(None);
    };
    let sid = string(&item, SESSION)?;
    SessionId::parse(sid.to_owned())
        .map(Some)
        .map_err(|e| StoreError::Unavailable(format!("stored session id: {e}")))
}

/// One Query walk of the assignee's partition: open ones are the sort keys below `1`.
pub(crate) async fn action_items(
    client: &Client,
    table: &str,
    org: &OrgId,
    q: &ActionItemQuery,
) -> Result<Page<ActionItem>, StoreError> {
    let after = q.after.as_ref().map(|c| action_position(c.sort_key, &c.id));
    let filter = q.coach.as_ref().map(|c| Filter {
        expression: "#coach = :coach".to_owned(),
        names: vec![("#coach".to_owned(), COACH.to_owned())],
        values: vec![(":coach".to_owned(), s(c.as_str()))],
    });
    let walk = Walk {
        index: Some(BY_USER),
        pk: user_actions_pk(org, &q.assignee),
        lower: after.clone(),
        upper: q.open_only.then(|| "1".to_owned()),
        skip: after,
        filter,
        ..Walk::default()
    };
    let limit = usize::try_from(q.limit).unwrap_or(usize::MAX);
    let found = walk.run(client, table, Some(limit)).await?;
    let items = found
        .iter()
        .map(|i| from_doc::<ActionItem>("action item", i))
        .collect::<Result<Vec<_>, _>>()?;
    let next = (items.len() == limit)
        .then(|| items.last().map(action_item_cursor))
        .flatten();
    Ok(Page { items, next })
}

#[async_trait]
impl coaching_domain::ports::ContinuityStore for DynamoStore {
    async fn put_agenda_template(
        &self,
        template: &coaching_domain::org::AgendaTemplate,
    ) -> Result<(), StoreError> {
        put_agenda_template(&self.client, &self.table, template).await
    }

    async fn agenda_template(
        &self,
        org: &OrgId,
        id: &coaching_domain::ids::AgendaTemplateId,
    ) -> Result<Option<coaching_domain::org::AgendaTemplate>, StoreError> {
        agenda_template(&self.client, &self.table, org, id).await
    }

    async fn agenda_templates(
        &self,
        org: &OrgId,
        owner: Option<&UserId>,
        limit: u32,
        after: Option<&coaching_domain::ids::AgendaTemplateId>,
    ) -> Result<Vec<coaching_domain::org::AgendaTemplate>, StoreError> {
        agenda_templates(&self.client, &self.table, org, owner, limit, after).await
    }

    async fn action_item_session(
        &self,
        org: &OrgId,
        id: &coaching_domain::ids::ActionItemId,
    ) -> Result<Option<SessionId>, StoreError> {
        action_item_session(&self.client, &self.table, org, id).await
    }

    async fn action_items(
        &self,
        org: &OrgId,
        query: &coaching_domain::ports::ActionItemQuery,
    ) -> Result<Page<coaching_domain::session::ActionItem>, StoreError> {
        action_items(&self.client, &self.table, org, query).await
    }
}
