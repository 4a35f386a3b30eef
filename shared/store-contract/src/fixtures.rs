//! Builders for the contract cases: fresh ids, fully populated sessions, change sets, settings;
//! evaluations, webhook deliveries and knowledge-base articles (in `fixtures/evaluations.rs`);
//! generation records (in `fixtures/generations.rs`).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc, Weekday};
use coaching_domain::coach::{AvailabilityWindow, CoachSettings, WallTime};
use coaching_domain::evaluation::{
    CriterionStats, Generation, GenerationInputs, GenerationStatus, KbLink, ReviewCriterion,
    ReviewInfo, TicketLink,
};
use coaching_domain::ids::*;
use coaching_domain::money::{Currency, Money};
use coaching_domain::notification::{Notification, NotificationType};
use coaching_domain::ports::{Changes, SessionPut, SessionQuery, SessionScope, Store};
use coaching_domain::session::*;
use coaching_domain::slots::LockKey;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

mod evaluations;
mod generations;
pub use evaluations::*;
pub use generations::*;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name no other case (nor an earlier run against a long-lived store) uses.
pub fn unique(prefix: &str) -> String {
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!(
        "{prefix}-{nanos:x}-{}",
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh org: every case works in its own, so cases may share a store.
pub fn fresh_org() -> OrgId {
    OrgId::parse(unique("org")).unwrap()
}

pub fn user(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

pub fn sid(s: &str) -> SessionId {
    SessionId::parse(s).unwrap()
}

/// Monday 2030-03-04 09:00 UTC plus `minutes`.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 4, 9, 0, 0).unwrap() + Duration::minutes(minutes)
}

pub fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::eur()).unwrap()
}

/// A scheduled 30-minute paid session with every field of [`Session`] populated, so a round
/// trip through a store proves that nothing is dropped.
pub fn session(
    org: &OrgId,
    id: &str,
    coach: &str,
    client: &str,
    starts_at: DateTime<Utc>,
) -> Session {
    let created = at(-7 * 24 * 60) + Duration::nanoseconds(123_456_789);
    let id = sid(id);
    let evaluation = EvaluationId::parse("ev-1").unwrap();
    let criterion = CriterionId::parse("crit-1").unwrap();
    Session {
        id: id.clone(),
        org: org.clone(),
        kind: SessionKind::Paid,
        name: "Coaching session (30 min) – ünïcödé".into(),
        coach_id: user(coach),
        client_id: user(client),
        status: SessionStatus::Scheduled,
        starts_at: Some(starts_at),
        duration_minutes: 30,
        buffer_minutes: 10,
        timezone: "Europe/Berlin".parse().unwrap(),
        price: Some(eur(5000)),
        agenda: vec![AgendaItem {
            id: AgendaItemId::parse("ag-1").unwrap(),
            text: "Goals".into(),
            done: true,
        }],
        notes: "- [ ] follow up".into(),
        private_notes: "private".into(),
        action_items: vec![ActionItem {
            id: ActionItemId::parse("ai-1").unwrap(),
            session_id: id.clone(),
            title: "follow up".into(),
            due_date: NaiveDate::from_ymd_opt(2030, 3, 11),
            assignee_id: user(client),
            done: false,
            source_evaluation_ids: vec![evaluation.clone()],
            created_at: created,
            generation_id: Some(GenerationId::parse("gen-1").unwrap()),
        }],
        review: Some(ReviewInfo {
            period_start: at(-30 * 24 * 60),
            period_end: at(-24 * 60),
            scorecard_ids: vec!["sc-1".into()],
            criteria: vec![ReviewCriterion {
                criterion_id: criterion.clone(),
                name: "Empathy".into(),
                summary: "Improving".into(),
                stats: Some(CriterionStats {
                    scored_count: 4,
                    average_score: Some(3.5),
                    markdowns: 1,
                }),
                linked_evaluation_ids: vec![evaluation.clone()],
                generated_by: Some(GenerationId::parse("gen-1").unwrap()),
            }],
            ticket_links: vec![TicketLink {
                evaluation_id: evaluation.clone(),
                ticket_id: Some("T-1".into()),
                url: "https://tickets.example.com/T-1".into(),
            }],
            kb_links: vec![KbLink {
                article_id: KbArticleId::parse("kb-1").unwrap(),
                title: "Tone".into(),
                url: "https://kb.example.com/kb-1".into(),
            }],
            generation: Some(Generation {
                id: GenerationId::parse("gen-1").unwrap(),
                status: GenerationStatus::Succeeded,
                error: None,
                provider: Some("builtin".into()),
                model: Some("rules".into()),
                inputs: GenerationInputs {
                    evaluation_ids: vec![evaluation],
                    criterion_ids: vec![criterion.clone()],
                    excluded_soft_criterion_ids: vec![criterion],
                },
                attempts: 1,
                requested_at: created,
                finished_at: Some(created + Duration::seconds(3)),
            }),
            generated_notes: Some("Generated part".into()),
        }),
        recurrence: Some(Recurrence {
            every: RecurrenceEvery::TwoWeeks,
        }),
        agenda_template_id: Some(AgendaTemplateId::parse("tpl-1").unwrap()),
        series_id: Some(SeriesId::parse("series-1").unwrap()),
        previous_session_id: Some(sid("prev-1")),
        next_session_id: Some(sid("next-1")),
        pending_reschedule_request: Some(RescheduleRequestId::parse("rr-1").unwrap()),
        cancellation: Some(Cancellation {
            by: Party::Client,
            by_user_id: user(client),
            at: created,
            reason: Some("ill".into()),
            fee: Some(eur(2500)),
        }),
        no_show: Some(NoShow {
            at: created,
            fee: Some(eur(5000)),
        }),
        rating: Some(SessionRating {
            rating: Rating::try_from(5u8).unwrap(),
            comment: Some("great".into()),
            at: created,
        }),
        review_requested_at: Some(created),
        sequence: 2,
        created_by: user(coach),
        created_at: created,
        updated_at: created,
        version: 1,
    }
}

/// A draft review: no start, the status `draft`.
pub fn draft(org: &OrgId, id: &str, coach: &str, client: &str) -> Session {
    let mut s = session(org, id, coach, client, at(0));
    s.kind = SessionKind::Review;
    s.status = SessionStatus::Draft;
    s.starts_at = None;
    s
}

/// `s` with `status` (and no other change).
pub fn with_status(mut s: Session, status: SessionStatus) -> Session {
    s.status = status;
    s
}

/// The change set that creates `sessions`.
pub fn insert(sessions: &[&Session]) -> Changes {
    let sessions = sessions
        .iter()
        .map(|s| SessionPut {
            session: (*s).clone(),
            expected_version: None,
        })
        .collect();
    Changes {
        sessions,
        ..Changes::default()
    }
}

/// The change set that creates `s` holding `keys`.
pub fn book(s: &Session, keys: &[LockKey]) -> Changes {
    Changes {
        acquire_locks: keys.iter().map(|k| (k.clone(), s.id.clone())).collect(),
        ..insert(&[s])
    }
}

/// The change set that stores `s` (whose version is already bumped) over `expected`.
pub fn update(s: &Session, expected: u64) -> Changes {
    Changes {
        sessions: vec![SessionPut {
            session: s.clone(),
            expected_version: Some(expected),
        }],
        ..Changes::default()
    }
}

/// `s` as its next stored version.
pub fn bumped(s: &Session) -> Session {
    let mut next = s.clone();
    next.version += 1;
    next.updated_at += Duration::minutes(1);
    next
}

pub fn slot(coach: &str, minutes: i64) -> LockKey {
    LockKey::Slot {
        coach: user(coach),
        block_start: at(minutes),
    }
}

pub fn intro(coach: &str, client: &str) -> LockKey {
    LockKey::IntroPair {
        coach: user(coach),
        client: user(client),
    }
}

/// A notification whose id orders like its time (as ULIDs do): `n` counts both.
pub fn notification(org: &OrgId, n: u32, recipient: &str) -> Notification {
    Notification {
        id: NotificationId::parse(format!("01JN{n:022}")).unwrap(),
        org: org.clone(),
        recipient: user(recipient),
        kind: NotificationType::SessionBooked,
        session_id: Some(sid("s-1")),
        created_at: at(i64::from(n)) + Duration::milliseconds(7),
        data: json!({"sessionName": "Intro call", "startsAt": "2030-03-04T09:00:00Z", "n": n}),
    }
}

/// Settings of `coach` with every field set; `buffer` tells versions apart.
pub fn settings(coach: &str, buffer: u32) -> CoachSettings {
    CoachSettings {
        coach_id: user(coach),
        timezone: "America/New_York".parse().unwrap(),
        availability: vec![AvailabilityWindow {
            weekday: Weekday::Mon,
            start: WallTime::parse("09:00").unwrap(),
            end: WallTime::parse("24:00").unwrap(),
        }],
        prices: BTreeMap::from([(30, eur(5000)), (60, eur(9000))]),
        buffer_minutes: buffer,
        min_notice_minutes: 60,
        cancellation_window_hours: 24,
        late_cancellation_fee_percent: 50,
        no_show_fee_percent: 100,
        join_url_template: "https://meet.example.com/{sessionId}".into(),
        updated_at: at(0) + Duration::nanoseconds(1),
    }
}

/// A query of `scope` with no filter and room for everything a case writes.
pub fn query(scope: SessionScope) -> SessionQuery {
    SessionQuery {
        scope,
        statuses: Vec::new(),
        from: None,
        to: None,
        limit: 200,
        after: None,
    }
}

/// The ids of one page of `q`, in order.
pub async fn ids(store: &dyn Store, org: &OrgId, q: &SessionQuery) -> Vec<String> {
    let page = store.sessions(org, q).await.unwrap();
    page.items
        .into_iter()
        .map(|s| s.id.as_str().to_owned())
        .collect()
}

/// Every session of the org, in list order.
pub async fn all(store: &dyn Store, org: &OrgId) -> Vec<Session> {
    store
        .sessions(org, &query(SessionScope::Org))
        .await
        .unwrap()
        .items
}
