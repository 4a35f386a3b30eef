//! Booking: creating intro, paid and review sessions (docs/api.md#sessions), with idempotency.

use super::{Services, parse_id, store_err};
use crate::access::Actor;
use crate::coach::CoachSettings;
use crate::error::{DomainError, Errors};
use crate::evaluation::ReviewInfo;
use crate::ids::*;
use crate::money::Money;
use crate::notification::NotificationType;
use crate::outbound::OrgEventType;
use crate::ports::{Changes, IdempotencyRecord, SessionPut};
use crate::reminder::reminder_writes;
use crate::session::{NewSession, Recurrence, Session, SessionKind};
use crate::slots::{LockKey, SlotRejection, check_slot, slot_locks};
use crate::time::check_instant;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

/// The review period of a `review` session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewInput {
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub scorecard_ids: Vec<String>,
}

/// A parsed `POST /v1/sessions` body. Its JSON form is the idempotency fingerprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateSession {
    pub kind: SessionKind,
    pub coach_id: UserId,
    pub client_id: UserId,
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<u32>,
    pub name: Option<String>,
    pub agenda_template_id: Option<AgendaTemplateId>,
    pub recurrence: Option<Recurrence>,
    pub review: Option<ReviewInput>,
}

/// Review sessions run from 15 minutes to 2 hours on the 15-minute grid.
const REVIEW_DURATIONS: [u32; 8] = [15, 30, 45, 60, 75, 90, 105, 120];

impl CreateSession {
    /// Kind rules that need no store: durations, required fields.
    fn check(&self) -> Result<u32, DomainError> {
        let mut errs = Errors::new();
        let instants =
            [("startsAt", self.starts_at)]
                .into_iter()
                .chain(self.review.iter().flat_map(|r| {
                    [
                        ("review.periodStart", Some(r.period_start)),
                        ("review.periodEnd", Some(r.period_end)),
                    ]
                }));
        for (field, t) in instants {
            if let Some(t) = t {
                errs.check(
                    field,
                    check_instant(field, t)
                        .map_err(|_| "must be between 1970-01-01 and 9999-12-31"),
                );
            }
        }
        if self.coach_id == self.client_id {
            errs.add("clientId", "a coach cannot book a session with themselves");
        }
        if let Some(name) = &self.name
            && (name.trim().is_empty() || name.chars().count() > 200)
        {
            errs.add("name", "must be 1 to 200 characters");
        }
        let duration = match self.kind {
            SessionKind::Intro => {
                if self.duration_minutes.is_some_and(|d| d != 15) {
                    errs.add("durationMinutes", "an intro call is 15 minutes");
                }
                15
            }
            SessionKind::Paid => match self.duration_minutes {
                Some(d @ (30 | 45 | 60)) => d,
                _ => {
                    errs.add("durationMinutes", "a paid session is 30, 45 or 60 minutes");
                    30
                }
            },
            SessionKind::Review => match self.duration_minutes {
                None => 30,
                Some(d) if REVIEW_DURATIONS.contains(&d) => d,
                Some(_) => {
                    errs.add(
                        "durationMinutes",
                        "a review session is 15 to 120 minutes in steps of 15",
                    );
                    30
                }
            },
        };
        if self.kind != SessionKind::Review && self.starts_at.is_none() {
            errs.add("startsAt", "is required for intro and paid sessions");
        }
        match (&self.review, self.kind) {
            (None, SessionKind::Review) => errs.add("review", "is required for a review session"),
            (Some(_), SessionKind::Intro | SessionKind::Paid) => {
                errs.add("review", "only review sessions have a review period")
            }
            (Some(r), SessionKind::Review) => {
                if r.period_end <= r.period_start {
                    errs.add("review.periodEnd", "must be after periodStart");
                }
                if r.scorecard_ids.len() > 50
                    || r.scorecard_ids
                        .iter()
                        .any(|s| s.is_empty() || s.len() > 128)
                {
                    errs.add(
                        "review.scorecardIds",
                        "at most 50 ids of 1 to 128 characters",
                    );
                }
            }
            (None, _) => {}
        }
        if self.kind == SessionKind::Review && self.name.is_none() {
            errs.add("name", "is required for a review session");
        }
        errs.finish()?;
        Ok(duration)
    }

    /// Who may book what: a client only for themselves, a coach only as the coach, reviews only
    /// by their coach; an admin anything in the org.
    fn authorize(&self, actor: &Actor) -> Result<(), DomainError> {
        if actor.is_admin() {
            return Ok(());
        }
        let as_coach = actor.is_coach() && actor.user == self.coach_id;
        let as_client = actor.is_client() && actor.user == self.client_id;
        match self.kind {
            SessionKind::Review if as_coach => Ok(()),
            SessionKind::Review => Err(DomainError::forbidden(
                "only the coach or an admin can create a review session",
            )),
            _ if as_coach || as_client => Ok(()),
            _ => Err(DomainError::forbidden(
                "a client books only for themselves and a coach only as the coach",
            )),
        }
    }
}

fn default_name(kind: SessionKind, duration: u32) -> String {
    match kind {
        SessionKind::Intro => "Intro call".to_owned(),
        SessionKind::Paid => format!("Coaching session ({duration} min)"),
        SessionKind::Review => "Coaching review".to_owned(),
    }
}

impl Services {
    /// Books a session. Returns the session and whether it is a replay of an earlier request
    /// with the same `Idempotency-Key`.
    pub async fn create_session(
        &self,
        actor: &Actor,
        cmd: CreateSession,
        idempotency_key: Option<&str>,
    ) -> Result<(Session, bool), DomainError> {
        cmd.authorize(actor)?;
        let duration = cmd.check()?;
        let fingerprint =
            serde_json::to_string(&cmd).map_err(|e| DomainError::Internal(e.to_string()))?;
        if let Some(key) = idempotency_key
            && let Some(replay) = self.replay(actor, key, &fingerprint).await?
        {
            return Ok((replay, true));
        }
        match self
            .book(actor, &cmd, duration, &fingerprint, idempotency_key)
            .await
        {
            Ok(session) => Ok((session, false)),
            // A retry racing its own first request finds the slot (or the key) taken by that very
            // booking: answer as the first request did.
            Err(
                e @ (DomainError::SlotUnavailable
                | DomainError::AlreadyExists(_)
                | DomainError::Conflict(_)),
            ) => match idempotency_key {
                Some(key) => Ok((self.replay(actor, key, &fingerprint).await?.ok_or(e)?, true)),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    async fn book(
        &self,
        actor: &Actor,
        cmd: &CreateSession,
        duration: u32,
        fingerprint: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Session, DomainError> {
        let now = self.now();
        // A draft review takes nothing from the coach's booking settings until it is scheduled
        // (PATCH startsAt reads them then): QA coaches need none to write reviews.
        let settings = match (cmd.kind, cmd.starts_at) {
            (SessionKind::Review, None) => self
                .ports
                .store
                .coach_settings(&actor.org, &cmd.coach_id)
                .await
                .map_err(store_err)?
                .unwrap_or_else(|| CoachSettings::unset(cmd.coach_id.clone(), now)),
            _ => self.coach_settings(actor, &cmd.coach_id).await?,
        };
        if let Some(start) = cmd.starts_at {
            let busy = self.busy_around(actor, &cmd.coach_id, start, start).await?;
            check_slot(&settings, &busy, start, duration, now).map_err(|r| match r {
                SlotRejection::OffGrid => DomainError::field(
                    "startsAt",
                    "must be on the 15-minute grid (:00, :15, :30, :45)",
                ),
                _ => DomainError::SlotUnavailable,
            })?;
        }
        let price = match cmd.kind {
            SessionKind::Intro => Some(Money::zero(settings.currency())),
            SessionKind::Paid => Some(*settings.prices.get(&duration).ok_or_else(|| {
                DomainError::field(
                    "durationMinutes",
                    format!("this coach does not offer {duration}-minute sessions"),
                )
            })?),
            SessionKind::Review => None,
        };
        let agenda = match &cmd.agenda_template_id {
            Some(t) => self.template_agenda(actor, &cmd.coach_id, t).await?,
            None => Vec::new(),
        };
        let id = parse_id("id", SessionId::parse(self.new_id()))?;
        let series_id = match cmd.recurrence {
            Some(_) => Some(parse_id("id", SeriesId::parse(self.new_id()))?),
            None => None,
        };
        let session = Session {
            price,
            agenda,
            review: cmd
                .review
                .as_ref()
                .map(|r| ReviewInfo::new(r.period_start, r.period_end, r.scorecard_ids.clone())),
            recurrence: cmd.recurrence,
            agenda_template_id: cmd.agenda_template_id.clone(),
            series_id,
            ..Session::new(NewSession {
                id: id.clone(),
                org: actor.org.clone(),
                kind: cmd.kind,
                name: cmd
                    .name
                    .clone()
                    .map(|n| n.trim().to_owned())
                    .unwrap_or_else(|| default_name(cmd.kind, duration)),
                coach_id: cmd.coach_id.clone(),
                client_id: cmd.client_id.clone(),
                starts_at: cmd.starts_at,
                duration_minutes: duration,
                buffer_minutes: settings.buffer_minutes,
                timezone: settings.timezone,
                created_by: actor.user.clone(),
                now,
            })
        };
        let mut changes = Changes::default();
        if session.kind == SessionKind::Intro {
            let key = LockKey::IntroPair {
                coach: session.coach_id.clone(),
                client: session.client_id.clone(),
            };
            changes.acquire_locks.push((key, id.clone()));
        }
        if let Some(start) = session.starts_at {
            for key in slot_locks(&session.coach_id, start, duration, settings.buffer_minutes) {
                changes.acquire_locks.push((key, id.clone()));
            }
            let (kind, recipients) = match session.kind {
                SessionKind::Review => {
                    (NotificationType::SessionScheduled, vec![&session.client_id])
                }
                _ => (
                    NotificationType::SessionBooked,
                    vec![&session.coach_id, &session.client_id],
                ),
            };
            changes.notifications =
                self.notify(&session, kind, &recipients, json!({"bookedBy": actor.user}));
            // Every session made with a time is booked (`session.scheduled` is a draft that
            // got one later).
            changes.events.extend(self.session_event(
                OrgEventType::SessionBooked,
                &session,
                json!({"bookedBy": actor.user}),
                now,
            ));
        }
        if let Some(key) = idempotency_key {
            changes.idempotency = Some(IdempotencyRecord {
                org: actor.org.clone(),
                user: actor.user.clone(),
                key: key.to_owned(),
                request: fingerprint.to_owned(),
                session: session.clone(),
                created_at: now,
            });
        }
        changes.reminders = reminder_writes(&session, now);
        changes.sessions.push(SessionPut {
            session: session.clone(),
            expected_version: None,
        });
        self.commit(changes).await.map_err(store_err)?;
        Ok(session)
    }

    async fn replay(
        &self,
        actor: &Actor,
        key: &str,
        fingerprint: &str,
    ) -> Result<Option<Session>, DomainError> {
        let Some(record) = self
            .ports
            .store
            .idempotency_record(&actor.org, &actor.user, key)
            .await
            .map_err(store_err)?
        else {
            return Ok(None);
        };
        if record.request != fingerprint {
            return Err(DomainError::IdempotencyKeyReused);
        }
        Ok(Some(record.session))
    }
}
