//! Sessions on the wire (docs/api.md#sessions): the Session JSON (redacted per viewer), request bodies, lists.

mod booking;

use super::MoneyDto;
use super::continuity::ActionItemDto;
use super::evaluations::{ReviewDto, SessionReviewDto};
use super::schema::{grid_instant, id, text, up_to};
use chrono::{DateTime, Utc};
use coaching_domain::session::{RecurrenceEvery, Session, SessionKind, SessionStatus, View};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use booking::{CreateSessionBody, ReviewInputDto};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionKindDto {
    Intro,
    Paid,
    Review,
}

impl From<SessionKindDto> for SessionKind {
    fn from(session_kind_dto: SessionKindDto) -> Self {
        match session_kind_dto {
            SessionKindDto::Intro => SessionKind::Intro,
            SessionKindDto::Paid => SessionKind::Paid,
            SessionKindDto::Review => SessionKind::Review,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatusDto {
    Draft,
    Scheduled,
    Completed,
    Cancelled,
    NoShow,
}

impl From<SessionStatus> for SessionStatusDto {
    fn from(session_status: SessionStatus) -> Self {
        match session_status {
            SessionStatus::Draft => Self::Draft,
            SessionStatus::Scheduled => Self::Scheduled,
            SessionStatus::Completed => Self::Completed,
            SessionStatus::Cancelled => Self::Cancelled,
            SessionStatus::NoShow => Self::NoShow,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum RecurrenceEveryDto {
    #[serde(rename = "week")]
    Week,
    #[serde(rename = "2weeks")]
    TwoWeeks,
    #[serde(rename = "month")]
    Month,
}

impl From<RecurrenceEveryDto> for RecurrenceEvery {
    fn from(recurrence_every_dto: RecurrenceEveryDto) -> Self {
        match recurrence_every_dto {
            RecurrenceEveryDto::Week => RecurrenceEvery::Week,
            RecurrenceEveryDto::TwoWeeks => RecurrenceEvery::TwoWeeks,
            RecurrenceEveryDto::Month => RecurrenceEvery::Month,
        }
    }
}

impl From<RecurrenceEvery> for RecurrenceEveryDto {
    fn from(recurrence_every: RecurrenceEvery) -> Self {
        match recurrence_every {
            RecurrenceEvery::Week => Self::Week,
            RecurrenceEvery::TwoWeeks => Self::TwoWeeks,
            RecurrenceEvery::Month => Self::Month,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurrenceDto {
    pub every: RecurrenceEveryDto,
}

fn agenda_text() -> utoipa::openapi::Object {
    text(500)
}
fn name_text() -> utoipa::openapi::Object {
    text(200)
}
/// The domain's `MAX_NOTES_BYTES`: 32,768 UTF-8 bytes. JSON Schema counts characters, so the
/// schema states the character bound that ASCII text reaches and the description the bytes.
fn notes_text() -> utoipa::openapi::Object {
    let mut o = up_to(coaching_domain::notes::MAX_NOTES_BYTES);
    o.description = Some(
        "At most 32,768 bytes in UTF-8 (fewer characters when some take several bytes).".into(),
    );
    o
}
fn reason_text() -> utoipa::openapi::Object {
    up_to(2000)
}
fn list_role() -> utoipa::openapi::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["coach", "client", "admin"]))
        .description(Some(
            "Only sessions where the caller has that role (`admin`: all of the org's, for an admin).",
        ))
        .build()
}
fn status_list() -> utoipa::openapi::Object {
    let one = "(draft|scheduled|completed|cancelled|no_show)";
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(format!("^{one}(,{one})*$")))
        .description(Some(
            "One status or several, comma-separated: `scheduled,completed`.",
        ))
        .build()
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgendaItemInput {
    /// Keep an item's id to keep its identity; omit for a new item.
    #[schema(schema_with = id)]
    pub id: Option<String>,
    #[schema(schema_with = agenda_text)]
    pub text: String,
    #[serde(default)]
    pub done: bool,
}

/// `PATCH /v1/sessions/{id}` (coach or admin). Omitted fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchSessionBody {
    #[schema(schema_with = name_text)]
    pub name: Option<String>,
    /// Visible to the client. Lines starting `[]` or `- [ ]` become action items (`@YYYY-MM-DD` sets the due date).
    #[schema(schema_with = notes_text)]
    pub notes: Option<String>,
    /// Coach and admins only.
    #[schema(schema_with = notes_text)]
    pub private_notes: Option<String>,
    /// Replaces the agenda (at most 100 items).
    #[schema(max_items = 100)]
    pub agenda: Option<Vec<AgendaItemInput>>,
    /// Schedules a draft review session (notifies the coachee); any other session is 400
    /// (moving a scheduled session is `/reschedule`). A free slot of the coach, else 409.
    #[schema(schema_with = grid_instant)]
    pub starts_at: Option<DateTime<Utc>>,
}

/// `POST /v1/sessions/{id}/cancel`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    /// Shown to the other side.
    #[schema(schema_with = reason_text)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgendaItemDto {
    pub id: String,
    pub text: String,
    pub done: bool,
}
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancellationDto {
    /// Who cancelled.
    pub by: super::kinds::PartyDto,
    pub by_user_id: String,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
    /// The late-cancellation fee a client owes; null when none.
    pub fee: Option<MoneyDto>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoShowDto {
    pub at: DateTime<Utc>,
    pub fee: Option<MoneyDto>,
}
/// A session as its viewer may see it: `privateNotes` is absent for the client.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    pub id: String,
    pub kind: SessionKindDto,
    pub name: String,
    pub coach_id: String,
    pub client_id: String,
    pub status: SessionStatusDto,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub duration_minutes: u32,
    /// Free intro calls cost 0; review sessions have no price.
    pub price: Option<MoneyDto>,
    pub agenda: Vec<AgendaItemDto>,
    /// Visible to the client. Absent in lists (`GET /v1/sessions`): read the session for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The length of `notes` in UTF-8 bytes (also in lists).
    pub notes_length: usize,
    /// Coach and admins only: absent for the client, and absent in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_notes: Option<String>,
    /// The length of `privateNotes` in UTF-8 bytes (also in lists); absent for the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_notes_length: Option<usize>,
    pub action_items: Vec<ActionItemDto>,
    pub review: Option<ReviewDto>,
    pub recurrence: Option<RecurrenceDto>,
    pub agenda_template_id: Option<String>,
    pub series_id: Option<String>,
    pub previous_session_id: Option<String>,
    pub next_session_id: Option<String>,
    /// The id of the client's pending reschedule request, if any.
    pub pending_reschedule_request: Option<String>,
    pub cancellation: Option<CancellationDto>,
    pub no_show: Option<NoShowDto>,
    /// The client's review (docs/api.md#session-reviews), once given.
    pub rating: Option<SessionReviewDto>,
    /// When the coach asked the client for a review.
    pub review_requested_at: Option<DateTime<Utc>>,
    /// The coach's timezone the session was booked in.
    pub timezone: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}
/// A session as org events carry it (`data.session`, docs/api.md#org-events-and-outbound-webhooks): what an admin reads
/// with `GET /v1/sessions/{id}`, without the private notes (nor their length). The domain's
/// `SessionView` port.
pub fn session_event_view(session: &Session) -> serde_json::Value {
    let mut dto = SessionDto::new(session, View::Full);
    dto.private_notes = None;
    dto.private_notes_length = None;
    serde_json::to_value(dto).unwrap_or_default()
}

impl SessionDto {
    /// A session as a list shows it: without the bodies of its notes (each up to 32 KB), which
    /// would make one page of 200 sessions weigh megabytes; their lengths say what there is.
    pub fn listed(session: &Session, view: View) -> Self {
        let mut dto = Self::new(session, view);
        dto.notes = None;
        dto.private_notes = None;
        dto
    }

    pub fn new(session: &Session, view: View) -> Self {
        Self {
            rating: session.rating.as_ref().map(SessionReviewDto::from),
            review_requested_at: session.review_requested_at,
            id: session.id.to_string(),
            kind: match session.kind {
                SessionKind::Intro => SessionKindDto::Intro,
                SessionKind::Paid => SessionKindDto::Paid,
                SessionKind::Review => SessionKindDto::Review,
            },
            name: session.name.clone(),
            coach_id: session.coach_id.to_string(),
            client_id: session.client_id.to_string(),
            status: session.status.into(),
            starts_at: session.starts_at,
            ends_at: session.ends_at(),
            duration_minutes: session.duration_minutes,
            price: session.price.map(MoneyDto::from),
            agenda: session
                .agenda
                .iter()
                .map(|a| AgendaItemDto {
                    id: a.id.to_string(),
                    text: a.text.clone(),
                    done: a.done,
                })
                .collect(),
            notes: Some(session.notes.clone()),
            notes_length: session.notes.len(),
            private_notes: (view == View::Full).then(|| session.private_notes.clone()),
            private_notes_length: (view == View::Full).then_some(session.private_notes.len()),
            action_items: session
                .action_items
                .iter()
                .map(ActionItemDto::from)
                .collect(),
            review: session.review.as_ref().map(ReviewDto::from),
            recurrence: session.recurrence.map(|r| RecurrenceDto {
                every: r.every.into(),
            }),
            agenda_template_id: session.agenda_template_id.as_ref().map(ToString::to_string),
            series_id: session.series_id.as_ref().map(ToString::to_string),
            previous_session_id: session
                .previous_session_id
                .as_ref()
                .map(ToString::to_string),
            next_session_id: session.next_session_id.as_ref().map(ToString::to_string),
            pending_reschedule_request: session
                .pending_reschedule_request
                .as_ref()
                .map(ToString::to_string),
            cancellation: session.cancellation.as_ref().map(|c| CancellationDto {
                by: c.by.into(),
                by_user_id: c.by_user_id.to_string(),
                at: c.at,
                reason: c.reason.clone(),
                fee: c.fee.map(MoneyDto::from),
            }),
            no_show: session.no_show.as_ref().map(|n| NoShowDto {
                at: n.at,
                fee: n.fee.map(MoneyDto::from),
            }),
            timezone: session.timezone.name().to_owned(),
            created_at: session.created_at,
            updated_at: session.updated_at,
            version: session.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionListDto {
    pub items: Vec<SessionDto>,
    /// Pass as `cursor` for the next page. Absent exactly on the last page (a full last page
    /// has none: no request ever answers an empty page after a cursor).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
}

/// `GET /v1/sessions` parameters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only sessions where the caller has that role (`admin`: all of the org's, for an admin).
    #[param(schema_with = list_role)]
    pub role: Option<String>,
    /// One status or several, comma-separated: `scheduled,completed`.
    #[param(schema_with = status_list)]
    pub status: Option<String>,
    /// Sessions starting at or after this instant.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<DateTime<Utc>>,
    /// Sessions starting before this instant.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<DateTime<Utc>>,
    /// 1..200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `nextCursor` of the page before (any other value is 400).
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompletedDto {
    pub session: SessionDto,
    /// The next session of a recurring series; null otherwise.
    pub next_session: Option<SessionDto>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JoinDto {
    pub join_url: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}
