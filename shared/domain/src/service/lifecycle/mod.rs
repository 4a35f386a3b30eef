//! Changing sessions: patch (notes, agenda, scheduling a draft), cancel, complete, no-show, join.

mod complete;

use crate::access::Actor;
use crate::error::{DomainError, Errors};
use crate::ids::*;
use crate::notes::action_items_in;
use crate::notification::NotificationType;
use crate::outbound::OrgEventType;
use crate::ports::{Changes, SessionPut};
use crate::reminder::reminder_writes;
use crate::service::{Services, parse_id, store_err};
use crate::session::{
    ActionItem, AgendaItem, Party, Session, SessionKind, SessionStatus, Transition,
};
use crate::slots::{LockKey, SlotRejection, check_slot, slot_locks};
use crate::time::check_instant;
use chrono::{DateTime, Utc};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaInput {
    pub id: Option<String>,
    pub text: String,
    pub done: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionPatch {
    pub name: Option<String>,
    pub notes: Option<String>,
    pub private_notes: Option<String>,
    pub agenda: Option<Vec<AgendaInput>>,
    pub starts_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Completed {
    pub session: Session,
    pub next_session: Option<Session>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinInfo {
    pub join_url: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

pub use crate::notes::MAX_NOTES_BYTES;
pub const MAX_AGENDA_ITEMS: usize = 100;

/// Every lock a session holds: its slot blocks and, for an intro, the coach–client pair.
pub(crate) fn held_locks(s: &Session) -> Vec<(LockKey, SessionId)> {
    let mut keys = Vec::new();
    if s.kind == SessionKind::Intro {
        keys.push(LockKey::IntroPair {
            coach: s.coach_id.clone(),
            client: s.client_id.clone(),
        });
    }
    if let Some(start) = s.starts_at {
        keys.extend(slot_locks(
            &s.coach_id,
            start,
            s.duration_minutes,
            s.buffer_minutes,
        ));
    }
    keys.into_iter().map(|k| (k, s.id.clone())).collect()
}

impl Services {
    /// Commits `session` (conditional on `before_version`) with `changes`. Reminder records are
    /// written only where `changes` carries them: a use case that changes the session's time or
    /// status adds [`reminder_writes`]; an edit that changes neither (notes, agenda) must not
    /// touch them, or it could put back a reminder the job had delivered (and taken) meanwhile.
    async fn commit_update(
        &self,
        before_version: u64,
        session: &Session,
        mut changes: Changes,
    ) -> Result<(), DomainError> {
        changes.sessions.insert(
            0,
            SessionPut {
                session: session.clone(),
                expected_version: Some(before_version),
            },
        );
        self.commit(changes).await.map_err(store_err)
    }

    /// Coach or admin edits name, notes, private notes, agenda; `startsAt` schedules a draft.
    pub async fn patch_session(
        &self,
        actor: &Actor,
        id: &SessionId,
        patch: SessionPatch,
        if_match: Option<u64>,
    ) -> Result<Session, DomainError> {
        let (mut s, _) = self.session_for(actor, id).await?;
        s.require_coach_or_admin(actor, "edit a session")?;
        if let Some(v) = if_match
            && v != s.version
        {
            return Err(DomainError::PreconditionFailed { current: s.version });
        }
        let now = self.now();
        let before = s.version;
        let items_before = s.action_items.clone();
        let mut errs = Errors::new();
        if let Some(name) = &patch.name
            && (name.trim().is_empty() || name.chars().count() > 200)
        {
            errs.add("name", "must be 1 to 200 characters");
        }
        for (field, v) in [
            ("notes", &patch.notes),
            ("privateNotes", &patch.private_notes),
        ] {
            if v.as_ref().is_some_and(|n| n.len() > MAX_NOTES_BYTES) {
                errs.add(field, format!("at most {MAX_NOTES_BYTES} bytes (UTF-8)"));
            }
        }
        let mut agenda = None;
        if let Some(items) = &patch.agenda {
            if items.len() > MAX_AGENDA_ITEMS {
                errs.add("agenda", format!("at most {MAX_AGENDA_ITEMS} items"));
            }
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if item.text.trim().is_empty() || item.text.chars().count() > 500 {
                    errs.add(format!("agenda[{i}].text"), "must be 1 to 500 characters");
                }
                let id = match &item.id {
                    Some(raw) => {
                        errs.check(&format!("agenda[{i}].id"), AgendaItemId::parse(raw.clone()))
                    }
                    None => AgendaItemId::parse(self.new_id()).ok(),
                };
                if let Some(id) = id {
                    out.push(AgendaItem {
                        id,
                        text: item.text.trim().to_owned(),
                        done: item.done,
                    });
                }
            }
            agenda = Some(out);
        }
        if let Some(t) = patch.starts_at
            && check_instant("startsAt", t).is_err()
        {
            errs.add("startsAt", "must be between 1970-01-01 and 9999-12-31");
        }
        if patch.starts_at.is_some() && s.status != SessionStatus::Draft {
            errs.add("startsAt", "only a draft is scheduled by PATCH; use POST /v1/sessions/{id}/reschedule to move a session");
        }
        errs.finish()?;

        let mut changes = Changes::default();
        if let Some(start) = patch.starts_at {
            let next = s.status.apply(Transition::Schedule)?;
            let settings = self.coach_settings(actor, &s.coach_id).await?;
            let busy = self.busy_around(actor, &s.coach_id, start, start).await?;
            check_slot(&settings, &busy, start, s.duration_minutes, now).map_err(|r| match r {
                SlotRejection::OffGrid => DomainError::field(
                    "startsAt",
                    "must be on the 15-minute grid (:00, :15, :30, :45)",
                ),
                _ => DomainError::SlotUnavailable,
            })?;
            s.status = next;
            s.starts_at = Some(start);
            s.buffer_minutes = settings.buffer_minutes;
            s.timezone = settings.timezone;
            changes.acquire_locks = held_locks(&s);
            changes.reminders = reminder_writes(&s, now);
            changes.notifications = self.notify(
                &s,
                NotificationType::SessionScheduled,
                &[&s.client_id],
                json!({}),
            );
        }
        if let Some(name) = patch.name {
            s.name = name.trim().to_owned();
        }
        if let Some(notes) = patch.notes {
            for item in action_items_in(&notes) {
                if s.action_items.iter().any(|a| a.title == item.title) {
                    continue;
                }
                super::continuity::check_action_item_room(&s, 1, "notes")?;
                s.action_items.push(ActionItem {
                    id: parse_id("id", ActionItemId::parse(self.new_id()))?,
                    session_id: s.id.clone(),
                    title: item.title,
                    due_date: item.due_date,
                    assignee_id: s.client_id.clone(),
                    done: false,
                    source_evaluation_ids: Vec::new(),
                    created_at: now,
                    generation_id: None,
                });
            }
            s.notes = notes;
        }
        if let Some(p) = patch.private_notes {
            s.private_notes = p;
        }
        if let Some(a) = agenda {
            s.agenda = a;
        }
        s.touch(now);
        if patch.starts_at.is_some() {
            changes.events.extend(self.session_event(
                OrgEventType::SessionScheduled,
                &s,
                json!({"scheduledBy": actor.user}),
                now,
            ));
        }
        changes
            .events
            .extend(self.action_item_events(&items_before, &s, now));
        match self.commit_update(before, &s, changes).await {
            Err(DomainError::Conflict(_)) if if_match.is_some() => {
                Err(DomainError::PreconditionFailed {
                    current: before + 1,
                })
            }
            r => r.map(|()| s),
        }
    }

    /// Either participant (or an admin) cancels a scheduled session; a late client owes a fee.
    pub async fn cancel_session(
        &self,
        actor: &Actor,
        id: &SessionId,
        reason: Option<String>,
    ) -> Result<Session, DomainError> {
        if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
            return Err(DomainError::field("reason", "at most 2000 characters"));
        }
        let (mut s, _) = self.session_for(actor, id).await?;
        let party = s
            .party_of(actor)
            .ok_or_else(|| DomainError::forbidden("not a participant"))?;
        let settings = self.coach_settings(actor, &s.coach_id).await?;
        let now = self.now();
        let before = s.version;
        let locks = held_locks(&s);
        s.cancel(
            party,
            actor.user.clone(),
            reason,
            settings.cancellation_window_hours,
            settings.late_cancellation_fee_percent,
            now,
        )?;
        s.touch(now);
        let notifications = self.notify(
            &s,
            NotificationType::SessionCancelled,
            &[&s.coach_id, &s.client_id],
            json!({"cancelledBy": party.as_str(), "reason": s.cancellation.as_ref().and_then(|c| c.reason.clone())}),
        );
        let mut changes = Changes {
            release_locks: locks,
            notifications,
            reminders: reminder_writes(&s, now),
            ..Changes::default()
        };
        // A cancelled session's pending request can never be approved: it is superseded.
        changes
            .requests
            .extend(self.supersede_pending(&s, now).await?);
        s.pending_reschedule_request = None;
        let cancellation = s.cancellation.as_ref();
        changes.events.extend(self.session_event(
            OrgEventType::SessionCancelled,
            &s,
            json!({
                "by": party.as_str(),
                "byUserId": actor.user,
                "reason": cancellation.and_then(|c| c.reason.clone()),
                "fee": cancellation.and_then(|c| c.fee),
            }),
            now,
        ));
        self.commit_update(before, &s, changes).await?;
        Ok(s)
    }

    /// The coach (or an admin) records that the client did not come, from start + 10 minutes.
    pub async fn mark_no_show(
        &self,
        actor: &Actor,
        id: &SessionId,
    ) -> Result<Session, DomainError> {
        let (mut s, _) = self.session_for(actor, id).await?;
        s.require_coach_or_admin(actor, "record a no-show")?;
        let settings = self.coach_settings(actor, &s.coach_id).await?;
        let now = self.now();
        let before = s.version;
        s.mark_no_show(settings.no_show_fee_percent, now)?;
        s.touch(now);
        let changes = Changes {
            reminders: reminder_writes(&s, now),
            events: self
                .session_event(
                    OrgEventType::SessionNoShow,
                    &s,
                    json!({"fee": s.no_show.as_ref().and_then(|n| n.fee)}),
                    now,
                )
                .into_iter()
                .collect(),
            ..Changes::default()
        };
        self.commit_update(before, &s, changes).await?;
        Ok(s)
    }

    /// A participant asks for the meeting link inside the join window.
    pub async fn join_session(
        &self,
        actor: &Actor,
        id: &SessionId,
    ) -> Result<JoinInfo, DomainError> {
        let (s, _) = self.session_for(actor, id).await?;
        match s.party_of(actor) {
            Some(Party::Coach | Party::Client) => {}
            _ => {
                return Err(DomainError::forbidden(
                    "only the coach and the client join a session",
                ));
            }
        }
        let (opens_at, closes_at) = s.join_window(self.now())?;
        let settings = self.coach_settings(actor, &s.coach_id).await?;
        Ok(JoinInfo {
            join_url: settings.join_url(s.id.as_str()),
            opens_at,
            closes_at,
        })
    }
}
