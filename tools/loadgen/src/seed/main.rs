//! `coaching-benchseed`: writes the history `scripts/bench analytics` measures straight into a
//! SQLite file (before `coaching-local` opens it): one coach with years of completed sessions.
//!
//! Completed sessions in the past cannot be made through the API (a booking needs a free slot
//! ahead of now, completing needs its start to have passed), so they go through the store's own
//! `commit`, the way the store contract and `coaching-jobbench` seed. Prints one JSON line: what
//! was written and the figures `GET /v1/coaches/{coach}/analytics` must answer for the measured
//! range, computed by the domain's reference function over every seeded session (so the bench
//! checks the store's analytics path against it on 20,000 sessions).

mod history;

use chrono::{DateTime, Duration, Utc};
use clap::Parser;
use coaching_domain::analytics::{Analytics, coach_analytics};
use coaching_domain::ids::{OrgId, UserId};
use coaching_domain::ports::{Changes, CoachStore, SessionPut, SessionStore};
use coaching_domain::zone::Zone;
use coaching_store_contract::fixtures::settings;
use serde_json::json;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "coaching-benchseed",
    about = "Seeds a coach's completed-session history into a SQLite file for scripts/bench"
)]
struct Args {
    /// The SQLite file (created and migrated if needed). Stop the server using it first.
    #[arg(long)]
    db: String,
    #[arg(long, default_value = "bench")]
    org: String,
    #[arg(long, default_value = "ana-coach")]
    coach: String,
    /// Completed sessions, evenly spread over `--days` days before `--until`.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    completed: u32,
    #[arg(long, default_value_t = 1096, value_parser = clap::value_parser!(u32).range(1..=3660))]
    days: u32,
    /// End of the history (RFC 3339); every seeded session starts before it.
    #[arg(long)]
    until: String,
    /// The measured range `[from, to)` whose expected figures are printed.
    #[arg(long)]
    from: String,
    #[arg(long)]
    to: String,
    /// The coach's time zone (revenue months are the zone's).
    #[arg(long, default_value = "Europe/Berlin")]
    timezone: String,
}

/// Sessions per commit: one transaction each, so seeding 20,000 takes a second or two.
const BATCH: usize = 500;

fn instant(name: &str, raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("--{name} {raw:?} is not RFC 3339: {e}"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("coaching-benchseed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(a: Args) -> Result<String, String> {
    let org = OrgId::parse(a.org.clone()).map_err(|e| format!("--org: {e}"))?;
    let coach = UserId::parse(a.coach.clone()).map_err(|e| format!("--coach: {e}"))?;
    let zone: Zone = a
        .timezone
        .parse()
        .map_err(|e| format!("--timezone: {e:?}"))?;
    let (until, from, to) = (
        instant("until", &a.until)?,
        instant("from", &a.from)?,
        instant("to", &a.to)?,
    );
    let plan = history::Plan {
        org: org.clone(),
        coach: coach.clone(),
        completed: a.completed,
        first: until - Duration::days(i64::from(a.days)),
        until,
        zone: zone.clone(),
    };
    let sessions = plan.sessions();

    let store = coaching_sqlite::SqliteStore::open(&a.db).map_err(|e| e.to_string())?;
    let mut coach_settings = settings(coach.as_str(), 0);
    coach_settings.timezone = zone.clone();
    store
        .put_coach_settings(&org, &coach_settings)
        .await
        .map_err(|e| e.to_string())?;
    for chunk in sessions.chunks(BATCH) {
        let changes = Changes {
            sessions: chunk
                .iter()
                .map(|s| SessionPut {
                    session: s.clone(),
                    expected_version: None,
                })
                .collect(),
            ..Changes::default()
        };
        store.commit(changes).await.map_err(|e| e.to_string())?;
    }

    let expected = coach_analytics(&sessions, from, to, &zone);
    let in_range = sessions
        .iter()
        .filter(|s| s.starts_at.is_some_and(|t| t >= from && t < to))
        .count();
    Ok(json!({
        "org": org.as_str(),
        "coach": coach.as_str(),
        "sessions": sessions.len(),
        "completed": a.completed,
        "sessions_in_range": in_range,
        "expected": dto(&expected),
    })
    .to_string())
}

/// The figures as `GET /v1/coaches/{coachId}/analytics` shows them.
fn dto(a: &Analytics) -> serde_json::Value {
    json!({
        "sessionsCompleted": a.sessions_completed,
        "clientRetentionRate": a.client_retention_rate,
        "averageRating": a.average_rating,
        "revenue": a.revenue.iter().map(|r| json!({
            "month": r.month, "amount": r.amount, "currency": r.currency.as_str(),
        })).collect::<Vec<_>>(),
    })
}
