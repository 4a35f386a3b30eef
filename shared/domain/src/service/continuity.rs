//! Recurring 1:1s (docs/api.md#sessions and docs/api.md#notes-agenda-and-action-items): agenda templates and action items made by hand, edited and listed.
//!
//! Access rules:
//! - A template belongs to the coach (or admin) who made it. A coach lists and books with their
//!   own; an admin lists the org's and may book a session with any template of the org. A
//!   client booking a session may name a template of that session's coach.
//! - An action item is created and fully edited by its session's coach or an admin; its
//!   assignee (the coach or the client of the session) may only tick it (`done`).
//! - `GET /v1/action-items` shows the caller's own items; an admin may ask for anyone's in the
//!   org, a coach for anyone's but sees only the items of sessions they coach; others → 403.

use super::{Services, parse_id, store_err};
use crate::access::Actor;
use crate::error::{DomainError, Errors};
use crate::ids::*;
use crate::org::AgendaTemplate;
use crate::ports::{ActionItemQuery, Changes, Cursor, Page, SessionPut};
use crate::session::{ActionItem, AgendaItem, Session, View};
use chrono::NaiveDate;

pub const MAX_TEMPLATE_ITEMS: usize = 50;
/// Action items one session may hold: its puts, with their index entries, must fit one
/// DynamoDB transaction (100 items) next to the rest of a commit.
pub const MAX_ACTION_ITEMS: usize = 50;
pub const DEFAULT_CONTINUITY_PAGE: u32 = 50;
pub const MAX_CONTINUITY_PAGE: u32 = 200;
const ROUNDS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateInput {
    pub name: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItemInput {
    pub title: String,
    pub due_date: Option<NaiveDate>,
    pub assignee_id: Option<UserId>,
}

/// `None`: unchanged; `due_date: Some(None)` clears the date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionItemPatch {
    pub title: Option<String>,
    pub due_date: Option<Option<NaiveDate>>,
    pub done: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct ListActionItems {
    pub assignee: Option<UserId>,
    pub open_only: bool,
    pub limit: Option<u32>,
    pub after: Option<Cursor>,
}

fn page_limit(limit: Option<u32>) -> Result<u32, DomainError> {
    let limit = limit.unwrap_or(DEFAULT_CONTINUITY_PAGE);
    if limit == 0 || limit > MAX_CONTINUITY_PAGE {
        return Err(DomainError::field(
            "limit",
            format!("must be 1 to {MAX_CONTINUITY_PAGE}"),
        ));
    }
    Ok(limit)
}

fn check_title(errs: &mut Errors, title: &str) {
    if title.trim().is_empty() || title.trim().chars().count() > 300 {
        errs.add("title", "must be 1 to 300 characters");
    }
}

/// Refuses an action item beyond [`MAX_ACTION_ITEMS`] on one session.
pub(crate) fn check_action_item_room(
    s: &Session,
    adding: usize,
    field: &str,
) -> Result<(), DomainError> {
    if s.action_items.len() + adding > MAX_ACTION_ITEMS {
        return Err(DomainError::field(
            field,
            format!("a session holds at most {MAX_ACTION_ITEMS} action items"),
        ));
    }
    Ok(())
}

impl Services {
    /// A coach or an admin adds an agenda template they own.
    pub async fn create_agenda_template(
        &self,
        actor: &Actor,
        input: TemplateInput,
    ) -> Result<AgendaTemplate, DomainError> {
        if !actor.is_coach() && !actor.is_admin() {
            return Err(DomainError::forbidden(
                "only coaches and admins make agenda templates",
            ));
        }
        let mut errs = Errors::new();
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errs.add("name", "must be 1 to 200 characters");
        }
        if input.items.is_empty() || input.items.len() > MAX_TEMPLATE_ITEMS {
            errs.add("items", format!("1 to {MAX_TEMPLATE_ITEMS} items"));
        }
        for (i, t) in input.items.iter().enumerate() {
            if t.trim().is_empty() || t.trim().chars().count() > 500 {
                errs.add(format!("items[{i}]"), "must be 1 to 500 characters");
            }
        }
        errs.finish()?;
        let template = AgendaTemplate {
            id: parse_id("id", AgendaTemplateId::parse(self.new_id()))?,
            org: actor.org.clone(),
            owner_id: actor.user.clone(),
            name: name.to_owned(),
            items: input.items.iter().map(|t| t.trim().to_owned()).collect(),
            created_at: self.now(),
        };
        self.ports
            .store
            .put_agenda_template(&template)
            .await
            .map_err(store_err)?;
        Ok(template)
    }

    /// The caller's templates (a coach), or the org's (an admin); oldest first.
    pub async fn agenda_templates(
        &self,
        actor: &Actor,
        limit: Option<u32>,
        after: Option<&AgendaTemplateId>,
    ) -> Result<Page<AgendaTemplate>, DomainError> {
        let limit = page_limit(limit)?;
        let owner = if actor.is_admin() {
            None
        } else if actor.is_coach() {
            Some(&actor.user)
        } else {
            return Err(DomainError::forbidden(
                "only coaches and admins have agenda templates",
            ));
        };
        let found = self
            .ports
            .store
            .agenda_templates(&actor.org, owner, crate::ports::fetch_limit(limit), after)
            .await
            .map_err(store_err)?;
        Ok(Page::trimmed(found, limit, |t| crate::ports::Cursor {
            sort_key: 0,
            id: t.id.as_str().to_owned(),
        }))
    }

    /// The agenda a session of `coach` booked by `actor` gets from template `id`: its items,
    /// fresh ids, none done. 400 on `agendaTemplateId` when the template is unknown in the
    /// org or neither the coach's nor booked by an admin.
    pub(crate) async fn template_agenda(
        &self,
        actor: &Actor,
        coach: &UserId,
        id: &AgendaTemplateId,
    ) -> Result<Vec<AgendaItem>, DomainError> {
        let template = self
            .ports
            .store
            .agenda_template(&actor.org, id)
            .await
            .map_err(store_err)?
            .filter(|t| &t.owner_id == coach || actor.is_admin())
            .ok_or_else(|| {
                DomainError::field(
                    "agendaTemplateId",
                    "no such agenda template of this coach in this org",
                )
            })?;
        self.agenda_of(&template)
    }

    pub(crate) fn agenda_of(&self, t: &AgendaTemplate) -> Result<Vec<AgendaItem>, DomainError> {
        t.items
            .iter()
            .map(|text| {
                Ok(AgendaItem {
                    id: parse_id("id", AgendaItemId::parse(self.new_id()))?,
                    text: text.clone(),
                    done: false,
                })
            })
            .collect()
    }

    /// The session's coach or an admin adds an action item (assignee: the client unless given;
    /// only the coach or the client of the session).
    pub async fn create_action_item(
        &self,
        actor: &Actor,
        session: &SessionId,
        input: ActionItemInput,
    ) -> Result<ActionItem, DomainError> {
        let mut errs = Errors::new();
        check_title(&mut errs, &input.title);
        errs.finish()?;
        let id = parse_id("id", ActionItemId::parse(self.new_id()))?;
        for _ in 0..ROUNDS {
            let (mut s, _) = self.session_for(actor, session).await?;
            let items_before = s.action_items.clone();
            s.require_coach_or_admin(actor, "add action items")?;
            let assignee = input.assignee_id.clone().unwrap_or(s.client_id.clone());
            if assignee != s.client_id && assignee != s.coach_id {
                return Err(DomainError::field(
                    "assigneeId",
                    "must be the coach or the client of the session",
                ));
            }
            check_action_item_room(&s, 1, "title")?;
            let now = self.now();
            let item = ActionItem {
                id: id.clone(),
                session_id: s.id.clone(),
                title: input.title.trim().to_owned(),
                due_date: input.due_date,
                assignee_id: assignee,
                done: false,
                source_evaluation_ids: Vec::new(),
                created_at: now,
                generation_id: None,
            };
            s.action_items.push(item.clone());
            if self.put_session(s, &items_before).await? {
                return Ok(item);
            }
        }
        Err(DomainError::conflict(
            "the session kept changing; try again",
        ))
    }

    /// Edits an action item: the session's coach or an admin anything, the assignee `done`
    /// only (other fields → 403). Found through the action-item index, changed in its session
    /// with the version check (retried when the session changed meanwhile).
    pub async fn patch_action_item(
        &self,
        actor: &Actor,
        id: &ActionItemId,
        patch: ActionItemPatch,
    ) -> Result<ActionItem, DomainError> {
        let mut errs = Errors::new();
        if let Some(t) = &patch.title {
            check_title(&mut errs, t);
        }
        errs.finish()?;
        for _ in 0..ROUNDS {
            let not_found = || DomainError::NotFound("action item");
            let session = self
                .ports
                .store
                .action_item_session(&actor.org, id)
                .await
                .map_err(store_err)?
                .ok_or_else(not_found)?;
            let mut s = self
                .ports
                .store
                .session(&actor.org, &session)
                .await
                .map_err(store_err)?
                .ok_or_else(not_found)?;
            let items_before = s.action_items.clone();
            let Some(pos) = s.action_items.iter().position(|a| &a.id == id) else {
                continue; // moved meanwhile (carry-over): look it up again
            };
            let item = &s.action_items[pos];
            let manages = s.view_for(actor) == Some(View::Full);
            let assignee = item.assignee_id == actor.user && s.view_for(actor).is_some();
            if !manages && !assignee {
                return Err(not_found());
            }
            if !manages && (patch.title.is_some() || patch.due_date.is_some()) {
                return Err(DomainError::forbidden(
                    "the assignee can only tick an action item (done)",
                ));
            }
            let item = &mut s.action_items[pos];
            if let Some(t) = &patch.title {
                let t = t.trim();
                if t != item.title {
                    // The coach rewrote it: it is theirs now, and a later generation keeps it.
                    item.generation_id = None;
                }
                item.title = t.to_owned();
            }
            if let Some(d) = patch.due_date {
                item.due_date = d;
            }
            if let Some(done) = patch.done {
                item.done = done;
            }
            let item = item.clone();
            if self.put_session(s, &items_before).await? {
                return Ok(item);
            }
        }
        Err(DomainError::conflict(
            "the action item kept changing; try again",
        ))
    }

    /// Stores `s` (one more version) unless it changed since it was read: `false` then.
    /// With the `action_item.*` events of what changed since `items_before`.
    async fn put_session(
        &self,
        mut s: Session,
        items_before: &[ActionItem],
    ) -> Result<bool, DomainError> {
        let before = s.version;
        let now = self.now();
        s.touch(now);
        let events = self.action_item_events(items_before, &s, now);
        let changes = Changes {
            sessions: vec![SessionPut {
                session: s,
                expected_version: Some(before),
            }],
            events,
            ..Changes::default()
        };
        match self.commit(changes).await {
            Ok(()) => Ok(true),
            Err(crate::ports::StoreError::Conflict) => Ok(false),
            Err(e) => Err(store_err(e)),
        }
    }

    /// A page of action items (see the module's access rules).
    pub async fn action_items(
        &self,
        actor: &Actor,
        q: ListActionItems,
    ) -> Result<Page<ActionItem>, DomainError> {
        let limit = page_limit(q.limit)?;
        let assignee = q.assignee.unwrap_or_else(|| actor.user.clone());
        let coach = if assignee == actor.user || actor.is_admin() {
            None
        } else if actor.is_coach() {
            Some(actor.user.clone())
        } else {
            return Err(DomainError::forbidden(
                "only an admin or their coach may list someone else's action items",
            ));
        };
        let query = ActionItemQuery {
            assignee,
            open_only: q.open_only,
            coach,
            limit: crate::ports::fetch_limit(limit),
            after: q.after,
        };
        let found = self
            .ports
            .store
            .action_items(&actor.org, &query)
            .await
            .map_err(store_err)?;
        Ok(Page::trimmed(
            found.items,
            limit,
            crate::ports::action_item_cursor,
        ))
    }
}
