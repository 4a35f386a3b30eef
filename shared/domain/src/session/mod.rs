//! The session aggregate, one resource for booked calls, evaluation-driven reviews and recurring
//! 1:1s, with its status machine and the money rules of cancellations and no-shows.
mod parts;
pub use parts::*;

use crate::access::Actor;
use crate::error::DomainError;
use crate::evaluation::ReviewInfo;
use crate::ids::*;
use crate::money::Money;
use crate::zone::Zone;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    pub org: OrgId,
    pub kind: SessionKind,
    pub name: String,
    pub coach_id: UserId,
    pub client_id: UserId,
    pub status: SessionStatus,
    /// `None` only for a draft review.
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: u32,
    /// The coach's buffer when the time was taken; the slot locks cover it.
    pub buffer_minutes: u32,
    /// The coach's timezone when booked: recurrence keeps wall-clock time in it.
    pub timezone: Zone,
    pub price: Option<Money>,
    pub agenda: Vec<AgendaItem>,
    pub notes: String,
    pub private_notes: String,
    pub action_items: Vec<ActionItem>,
    pub review: Option<ReviewInfo>,
    pub recurrence: Option<Recurrence>,
    pub agenda_template_id: Option<AgendaTemplateId>,
    pub series_id: Option<SeriesId>,
    pub previous_session_id: Option<SessionId>,
    pub next_session_id: Option<SessionId>,
    pub pending_reschedule_request: Option<RescheduleRequestId>,
    pub cancellation: Option<Cancellation>,
    pub no_show: Option<NoShow>,
    pub rating: Option<SessionRating>,
    pub review_requested_at: Option<DateTime<Utc>>,
    /// Bumped on every move: the iCalendar `SEQUENCE`.
    pub sequence: u32,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Starts at 1; every stored change increments it by one.
    pub version: u64,
}

/// What a new session is made of. [`Session::new`] starts everything else empty: no price,
/// agenda, notes, action items, review, series or history, sequence 0, version 1.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: SessionId,
    pub org: OrgId,
    pub kind: SessionKind,
    pub name: String,
    pub coach_id: UserId,
    pub client_id: UserId,
    /// `None` for a draft review; else the session is scheduled.
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: u32,
    pub buffer_minutes: u32,
    pub timezone: Zone,
    pub created_by: UserId,
    pub now: DateTime<Utc>,
}

/// How much of a session a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Coach or admin: everything.
    Full,
    /// The client: no private notes, never a draft.
    Client,
}

/// Minutes before the start that the join window opens.
pub const JOIN_OPENS_MINUTES: i64 = 15;
/// Minutes after the start from which a no-show can be recorded.
pub const NO_SHOW_AFTER_MINUTES: i64 = 10;

impl Session {
    /// A session as it is first stored: scheduled when it has a start, else a draft, created
    /// and updated at `now`, version 1, everything else empty.
    pub fn new(new: NewSession) -> Session {
        Session {
            id: new.id,
            org: new.org,
            kind: new.kind,
            name: new.name,
            coach_id: new.coach_id,
            client_id: new.client_id,
            status: if new.starts_at.is_some() {
                SessionStatus::Scheduled
            } else {
                SessionStatus::Draft
            },
            starts_at: new.starts_at,
            duration_minutes: new.duration_minutes,
            buffer_minutes: new.buffer_minutes,
            timezone: new.timezone,
            price: None,
            agenda: Vec::new(),
            notes: String::new(),
            private_notes: String::new(),
            action_items: Vec::new(),
            review: None,
            recurrence: None,
            agenda_template_id: None,
            series_id: None,
            previous_session_id: None,
            next_session_id: None,
            pending_reschedule_request: None,
            cancellation: None,
            no_show: None,
            rating: None,
            review_requested_at: None,
            sequence: 0,
            created_by: new.created_by,
            created_at: new.now,
            updated_at: new.now,
            version: 1,
        }
    }

    pub fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.starts_at
            .map(|s| s + Duration::minutes(i64::from(self.duration_minutes)))
    }

    /// What `actor` may see of this session, or `None` (a 404) when nothing.
    pub fn view_for(&self, actor: &Actor) -> Option<View> {
        if actor.org != self.org {
            return None;
        }
        if actor.is_admin() || actor.user == self.coach_id {
            return Some(View::Full);
        }
        if actor.user == self.client_id && self.status != SessionStatus::Draft {
            return Some(View::Client);
        }
        None
    }

    /// The side `actor` acts on: coach, client, or admin (admin wins only when not a participant).
    pub fn party_of(&self, actor: &Actor) -> Option<Party> {
        if actor.user == self.coach_id {
            Some(Party::Coach)
        } else if actor.user == self.client_id {
            Some(Party::Client)
        } else if actor.is_admin() {
            Some(Party::Admin)
        } else {
            None
        }
    }

    /// Requires that `actor` manages this session as its coach or an admin.
    pub fn require_coach_or_admin(&self, actor: &Actor, what: &str) -> Result<(), DomainError> {
        match self.party_of(actor) {
            Some(Party::Coach | Party::Admin) => Ok(()),
            _ => Err(DomainError::forbidden(format!(
                "only the coach or an admin can {what}"
            ))),
        }
    }

    fn scheduled_start(&self) -> Result<DateTime<Utc>, DomainError> {
        self.starts_at
            .ok_or_else(|| DomainError::invalid_transition("a draft session has no time yet"))
    }

    /// Cancels; a client inside the cancellation window owes the late fee, a coach never does.
    pub fn cancel(
        &mut self,
        by: Party,
        by_user: UserId,
        reason: Option<String>,
        window_hours: u32,
        fee_percent: u8,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let next = self.status.apply(Transition::Cancel)?;
        let start = self.scheduled_start()?;
        if let Some(end) = self.ends_at()
            && now >= end
        {
            return Err(DomainError::invalid_transition(
                "the session has already taken place: complete it or record a no-show",
            ));
        }
        let late = now > start - Duration::hours(i64::from(window_hours));
        let fee = match (by, self.price) {
            (Party::Client, Some(price)) if late && price.amount() > 0 && fee_percent > 0 => {
                Some(price.percent(fee_percent))
            }
            _ => None,
        };
        self.status = next;
        self.cancellation = Some(Cancellation {
            by,
            by_user_id: by_user,
            at: now,
            reason,
            fee,
        });
        Ok(())
    }

    /// "Finish meeting": possible from the start on.
    pub fn complete(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        let next = self.status.apply(Transition::Complete)?;
        let start = self.scheduled_start()?;
        if now < start {
            return Err(DomainError::TooEarly { opens_at: start });
        }
        self.status = next;
        Ok(())
    }

    /// The client did not come: possible from start + 10 minutes, with the no-show fee.
    pub fn mark_no_show(&mut self, fee_percent: u8, now: DateTime<Utc>) -> Result<(), DomainError> {
        let next = self.status.apply(Transition::MarkNoShow)?;
        let opens = self.scheduled_start()? + Duration::minutes(NO_SHOW_AFTER_MINUTES);
        if now < opens {
            return Err(DomainError::TooEarly { opens_at: opens });
        }
        let fee = self
            .price
            .filter(|p| p.amount() > 0 && fee_percent > 0)
            .map(|p| p.percent(fee_percent));
        self.status = next;
        self.no_show = Some(NoShow { at: now, fee });
        Ok(())
    }

    /// The join window `[start − 15 min, end]`.
    pub fn join_window(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(DateTime<Utc>, DateTime<Utc>), DomainError> {
        if self.status != SessionStatus::Scheduled {
            return Err(DomainError::conflict(format!(
                "a {} session cannot be joined",
                self.status.as_str()
            )));
        }
        let start = self.scheduled_start()?;
        let opens = start - Duration::minutes(JOIN_OPENS_MINUTES);
        let closes = self.ends_at().unwrap_or(start);
        if now < opens {
            return Err(DomainError::TooEarly { opens_at: opens });
        }
        if now > closes {
            return Err(DomainError::conflict("the session has ended"));
        }
        Ok((opens, closes))
    }

    /// Records a stored change: bumps the version and the update time.
    pub fn touch(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::SessionStatus::*;
    use super::Transition::*;
    use super::*;

    #[test]
    fn the_status_machine_allows_exactly_the_contracts_transitions() {
        let table = [
            (Draft, Schedule, Some(Scheduled)),
            (Draft, Complete, None),
            (Draft, Cancel, None),
            (Draft, MarkNoShow, None),
            (Draft, Reschedule, None),
            (Scheduled, Schedule, None),
            (Scheduled, Complete, Some(Completed)),
            (Scheduled, Cancel, Some(Cancelled)),
            (Scheduled, MarkNoShow, Some(NoShow)),
            (Scheduled, Reschedule, Some(Scheduled)),
            (Completed, Complete, None),
            (Completed, Cancel, None),
            (Completed, MarkNoShow, None),
            (Completed, Reschedule, None),
            (Cancelled, Complete, None),
            (Cancelled, Cancel, None),
            (Cancelled, Schedule, None),
            (Cancelled, Reschedule, None),
            (NoShow, Complete, None),
            (NoShow, Cancel, None),
            (NoShow, MarkNoShow, None),
        ];
        for (from, t, to) in table {
            match (from.apply(t), to) {
                (Ok(s), Some(expected)) => assert_eq!(s, expected, "{from:?} {t:?}"),
                (Err(DomainError::InvalidTransition(_)), None) => {}
                (got, want) => panic!("{from:?} {t:?}: got {got:?}, want {want:?}"),
            }
        }
    }
}
