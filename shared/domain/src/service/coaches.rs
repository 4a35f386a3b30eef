//! Coach settings and free slots (docs/api.md#coaches-and-slots).

use super::{Services, store_err};
use crate::access::Actor;
use crate::coach::{CoachSettings, CoachSettingsInput};
use crate::error::DomainError;
use crate::ids::{SessionId, UserId};
use crate::slots::{Busy, Interval, MAX_SLOT_RANGE_DAYS, free_slots};
use crate::time::check_instant;
use chrono::{DateTime, Duration, Utc};

/// The longest session any kind can have: how far back a busy session can reach into a range.
pub(crate) const MAX_SESSION_MINUTES: i64 = 240;

#[derive(Debug, Clone)]
pub struct SlotsQuery {
    /// Default: now.
    pub from: Option<DateTime<Utc>>,
    /// Default: `from` + 7 days.
    pub to: Option<DateTime<Utc>>,
    /// Default: 30.
    pub duration_minutes: Option<u32>,
}

/// How far a slots query reaches when it names no end.
const DEFAULT_SLOT_RANGE_DAYS: i64 = 7;

/// Everything a slots answer is computed from, read and checked: [`SlotsInputs::compute`] is
/// pure CPU (a 62-day range of a full calendar), which a server runs where it does not hold the
/// workers that serve other requests.
#[derive(Debug, Clone)]
pub struct SlotsInputs {
    settings: CoachSettings,
    busy: Vec<Busy>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    duration_minutes: u32,
    now: DateTime<Utc>,
}

impl SlotsInputs {
    /// The free slots, in order.
    pub fn compute(&self) -> Vec<Interval> {
        free_slots(
            &self.settings,
            &self.busy,
            self.from,
            self.to,
            self.duration_minutes,
            self.now,
        )
    }
}

impl Services {
    /// That coach or an admin replaces the coach's settings.
    pub async fn put_coach_settings(
        &self,
        actor: &Actor,
        coach: UserId,
        input: CoachSettingsInput,
    ) -> Result<CoachSettings, DomainError> {
        let is_that_coach = actor.user == coach && actor.is_coach();
        if !is_that_coach && !actor.is_admin() {
            return Err(DomainError::forbidden(
                "only that coach or an admin can change a coach's settings",
            ));
        }
        let settings = input.validate(coach, self.now())?;
        self.ports
            .store
            .put_coach_settings(&actor.org, &settings)
            .await
            .map_err(store_err)?;
        Ok(settings)
    }

    /// Any member of the org reads a coach's settings.
    pub async fn coach_settings(
        &self,
        actor: &Actor,
        coach: &UserId,
    ) -> Result<CoachSettings, DomainError> {
        self.ports
            .store
            .coach_settings(&actor.org, coach)
            .await
            .map_err(store_err)?
            .ok_or(DomainError::NotFound("coach"))
    }

    /// The coach's busy time around `[from, to)`, as the slot rules see it.
    pub(crate) async fn busy_around(
        &self,
        actor: &Actor,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Busy>, DomainError> {
        self.busy_excluding(actor, coach, from, to, None).await
    }

    /// [`busy_around`](Self::busy_around) without the session `exclude` (the one being moved).
    pub(crate) async fn busy_excluding(
        &self,
        actor: &Actor,
        coach: &UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        exclude: Option<&SessionId>,
    ) -> Result<Vec<Busy>, DomainError> {
        let reach = Duration::minutes(MAX_SESSION_MINUTES * 2);
        let sessions = self
            .ports
            .store
            .coach_busy(&actor.org, coach, from - reach, to + reach)
            .await
            .map_err(store_err)?;
        Ok(sessions
            .into_iter()
            .filter(|s| Some(&s.id) != exclude)
            .filter_map(|s| {
                Some(Busy {
                    interval: Interval::new(s.starts_at?, s.ends_at()?),
                    buffer_minutes: s.buffer_minutes,
                })
            })
            .collect())
    }

    /// Free slots of a coach in `[from, to)` (at most 62 days), for any member of the org.
    pub async fn slots(
        &self,
        actor: &Actor,
        coach: &UserId,
        q: SlotsQuery,
    ) -> Result<Vec<Interval>, DomainError> {
        Ok(self.slots_inputs(actor, coach, q).await?.compute())
    }

    /// What [`Services::slots`] computes its answer from (every check and read done).
    pub async fn slots_inputs(
        &self,
        actor: &Actor,
        coach: &UserId,
        q: SlotsQuery,
    ) -> Result<SlotsInputs, DomainError> {
        let from = q.from.unwrap_or_else(|| self.now());
        check_instant("from", from)?;
        // `from` is at most 9999-12-31, so a week later is representable.
        let to =
            q.to.unwrap_or(from + Duration::days(DEFAULT_SLOT_RANGE_DAYS));
        check_instant("to", to)?;
        let duration_minutes = q.duration_minutes.unwrap_or(30);
        if to <= from {
            return Err(DomainError::field("to", "must be after from"));
        }
        if to - from > Duration::days(MAX_SLOT_RANGE_DAYS) {
            return Err(DomainError::field(
                "to",
                format!("the range may span at most {MAX_SLOT_RANGE_DAYS} days"),
            ));
        }
        if !matches!(duration_minutes, 15 | 30 | 45 | 60 | 75 | 90 | 105 | 120) {
            return Err(DomainError::field(
                "durationMinutes",
                "must be 15, 30, 45, 60, 75, 90, 105 or 120",
            ));
        }
        let settings = self.coach_settings(actor, coach).await?;
        let busy = self.busy_around(actor, coach, from, to).await?;
        Ok(SlotsInputs {
            settings,
            busy,
            from,
            to,
            duration_minutes,
            now: self.now(),
        })
    }
}
