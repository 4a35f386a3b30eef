//! "Finish meeting": completing a session and booking the next of its series.

use super::*;
use crate::access::Actor;
use crate::error::DomainError;
use crate::ids::*;
use crate::notification::NotificationType;
use crate::outbound::OrgEventType;
use crate::ports::{Changes, SessionPut};
use crate::reminder::reminder_writes;
use crate::service::{Services, parse_id, store_err};
use crate::session::RecurrenceEvery;
use crate::session::{ActionItem, AgendaItem, NewSession, Session};
use crate::time::resolve_naive;
use chrono::{DateTime, Duration, Months, Utc};
use serde_json::json;

impl Services {
    /// "Finish meeting": the coach (or an admin) completes a scheduled session from its start on.
    /// A recurring session books its successor at the same wall-clock time one interval later
    /// (DST-correct), with a fresh agenda (the template's items when the session has a
    /// template, else its agenda unticked) and its open action items moved over. When that
    /// time is taken, the session is completed without a successor (`nextSession: null`).
    pub async fn complete_session(
        &self,
        actor: &Actor,
        id: &SessionId,
    ) -> Result<Completed, DomainError> {
        let (mut s, _) = self.session_for(actor, id).await?;
        s.require_coach_or_admin(actor, "complete a session")?;
        let now = self.now();
        let before = s.version;
        s.complete(now)?;
        s.touch(now);
        // The next agenda is the template's (read before the commit), else the agenda again.
        let template = match &s.agenda_template_id {
            Some(t) if s.recurrence.is_some() => self
                .ports
                .store
                .agenda_template(&s.org, t)
                .await
                .map_err(store_err)?,
            _ => None,
        };
        if let Some(next) = self.successor(actor, &s, template.as_ref(), now)? {
            let mut with_next = s.clone();
            with_next.next_session_id = Some(next.id.clone());
            // Open action items move to the next session (same ids); done ones stay. Both
            // sessions are written in one commit: an item is never on both or on neither.
            with_next.action_items.retain(|a| a.done);
            let mut changes = Changes {
                acquire_locks: held_locks(&next),
                reminders: reminder_writes(&with_next, now)
                    .into_iter()
                    .chain(reminder_writes(&next, now))
                    .collect(),
                ..Changes::default()
            };
            changes.notifications = self.notify(
                &next,
                NotificationType::SessionBooked,
                &[&next.coach_id, &next.client_id],
                json!({"seriesId": next.series_id}),
            );
            changes.sessions.push(SessionPut {
                session: next.clone(),
                expected_version: None,
            });
            changes.events.extend(self.session_event(
                OrgEventType::SessionCompleted,
                &with_next,
                json!({"nextSessionId": next.id, "completedBy": actor.user}),
                now,
            ));
            changes.events.extend(self.session_event(
                OrgEventType::SessionBooked,
                &next,
                json!({"seriesId": next.series_id, "previousSessionId": s.id}),
                now,
            ));
            match self.commit_update(before, &with_next, changes).await {
                Ok(()) => {
                    return Ok(Completed {
                        session: with_next,
                        next_session: Some(next),
                    });
                }
                // The series' next time is taken: complete without a successor.
                Err(DomainError::SlotUnavailable) => {}
                Err(e) => return Err(e),
            }
        }
        let changes = Changes {
            reminders: reminder_writes(&s, now),
            events: self
                .session_event(
                    OrgEventType::SessionCompleted,
                    &s,
                    json!({"nextSessionId": null, "completedBy": actor.user}),
                    now,
                )
                .into_iter()
                .collect(),
            ..Changes::default()
        };
        self.commit_update(before, &s, changes).await?;
        Ok(Completed {
            session: s,
            next_session: None,
        })
    }

    /// The next session of `s`'s series, or `None` when `s` does not recur.
    fn successor(
        &self,
        actor: &Actor,
        s: &Session,
        template: Option<&crate::org::AgendaTemplate>,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, DomainError> {
        let (Some(recurrence), Some(start)) = (s.recurrence, s.starts_at) else {
            return Ok(None);
        };
        let local = start.with_timezone(&s.timezone).naive_local();
        let next_local = match recurrence.every {
            RecurrenceEvery::Week => local.checked_add_signed(Duration::days(7)),
            RecurrenceEvery::TwoWeeks => local.checked_add_signed(Duration::days(14)),
            RecurrenceEvery::Month => local.checked_add_months(Months::new(1)),
        };
        let Some(next_local) = next_local else {
            return Ok(None);
        };
        let next_start = resolve_naive(&s.timezone, next_local);
        let id = parse_id("id", SessionId::parse(self.new_id()))?;
        let mut agenda = Vec::new();
        if let Some(t) = template {
            agenda = self.agenda_of(t)?;
        }
        for item in s.agenda.iter().filter(|_| template.is_none()) {
            agenda.push(AgendaItem {
                id: parse_id("id", AgendaItemId::parse(self.new_id()))?,
                text: item.text.clone(),
                done: false,
            });
        }
        let action_items = s
            .action_items
            .iter()
            .filter(|a| !a.done)
            .map(|a| ActionItem {
                session_id: id.clone(),
                ..a.clone()
            })
            .collect();
        // The series' terms carry over; the occurrence itself starts fresh.
        Ok(Some(Session {
            price: s.price,
            agenda,
            action_items,
            review: s.review.clone(),
            recurrence: s.recurrence,
            agenda_template_id: s.agenda_template_id.clone(),
            series_id: s.series_id.clone(),
            previous_session_id: Some(s.id.clone()),
            ..Session::new(NewSession {
                id: id.clone(),
                org: s.org.clone(),
                kind: s.kind,
                name: s.name.clone(),
                coach_id: s.coach_id.clone(),
                client_id: s.client_id.clone(),
                starts_at: Some(next_start),
                duration_minutes: s.duration_minutes,
                buffer_minutes: s.buffer_minutes,
                timezone: s.timezone.clone(),
                created_by: actor.user.clone(),
                now,
            })
        }))
    }
}
