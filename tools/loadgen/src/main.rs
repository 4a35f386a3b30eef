//! coaching-loadgen: the HTTP load generator behind `scripts/bench`.
//!
//! Two modes, both loopback-only and bounded in request count and in time:
//! - `get`: N workers, each on its own keep-alive connection, GET one URL in a loop;
//! - `book`: N workers POST /v1/sessions with distinct, back-to-back slots;
//! - `webhook`: N workers POST signed evaluation deliveries, each a distinct evaluation;
//! - `mixed`: reads, bookings and reschedules in a set proportion for a fixed time (mixed.rs).
//!
//! Prints one JSON line to stdout
//! (`{mode, requests, ok, errors, seconds, rps, p50_ms, p90_ms, p99_ms, max_ms, ...}`) and one
//! human line to stderr; exits non-zero when no request succeeded.

mod closed_loop;
mod mixed;
mod receive;
mod stats;
mod target;
mod webhook;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Args, Parser, Subcommand};

use closed_loop::{Plan, Report, run};
use target::loopback_url;

#[derive(Parser)]
#[command(
    name = "coaching-loadgen",
    about = "HTTP load generator for a local coaching server (loopback addresses only)"
)]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// GET one URL in a loop from every worker, for a fixed time.
    Get(GetArgs),
    /// POST /v1/sessions `count` times, each booking a distinct back-to-back slot.
    Book(BookArgs),
    /// POST `count` signed `evaluation.completed` deliveries to the evaluation webhook.
    Webhook(WebhookMode),
    /// Reads, bookings and reschedules (80/15/5 by default) at a fixed concurrency for a fixed time.
    Mixed(MixedMode),
    /// Receives outbound webhooks on a loopback port: how long after its commit each arrived.
    Receive(receive::ReceiveArgs),
}

#[derive(Args)]
struct MixedMode {
    #[command(flatten)]
    args: mixed::MixedArgs,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct WebhookMode {
    #[command(flatten)]
    args: webhook::WebhookArgs,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct Common {
    /// Concurrent workers; each keeps its own keep-alive connection.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024))]
    concurrency: u32,
    /// Extra request header, `Name: value` (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Per-request timeout, in seconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    timeout_secs: u64,
    /// Tokio worker threads of the generator itself (keep it small next to the server).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=64))]
    threads: u64,
}

#[derive(Args)]
struct GetArgs {
    /// The URL to GET (http:// to 127.0.0.1, [::1] or localhost only).
    #[arg(long)]
    url: String,
    /// How long to keep sending, in seconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    duration_secs: u64,
    /// Upper bound on the number of requests, whatever the duration.
    #[arg(long, default_value_t = 10_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    max_requests: u64,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct BookArgs {
    /// Server base URL, e.g. http://127.0.0.1:3000 (loopback only).
    #[arg(long)]
    base_url: String,
    /// Bearer token (an admin token books for any client of the org).
    #[arg(long)]
    token: String,
    /// Coach id of every booking.
    #[arg(long)]
    coach: String,
    /// Request i books for client `<prefix><i>`.
    #[arg(long)]
    client_prefix: String,
    /// Number of bookings to attempt.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    count: u64,
    /// Start of booking 0 (RFC 3339); booking i starts `i * duration-minutes` later.
    #[arg(long)]
    starts_from: String,
    /// Session length, also the step between consecutive bookings.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=1440))]
    duration_minutes: u32,
    /// Session kind sent in the body.
    #[arg(long, default_value = "paid")]
    kind: String,
    /// Stop issuing new requests after this many seconds, even if `count` is not reached.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=3600))]
    max_secs: u64,
    #[command(flatten)]
    common: Common,
}

/// The machine-readable result, one JSON line on stdout.
fn main() -> ExitCode {
    let cli = Cli::parse();
    let threads = match &cli.mode {
        Mode::Get(a) => a.common.threads,
        Mode::Book(a) => a.common.threads,
        Mode::Webhook(a) => a.common.threads,
        Mode::Mixed(a) => a.common.threads,
        Mode::Receive(_) => 2,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::try_from(threads).unwrap_or(1))
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("coaching-loadgen: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let (special, mode) = match cli.mode {
        Mode::Mixed(m) => (Some(runtime.block_on(mixed::run(m.args, &m.common))), None),
        Mode::Receive(r) => (Some(runtime.block_on(receive::run(r))), None),
        other => (None, Some(other)),
    };
    let Some(mode) = mode else {
        let Some(result) = special else {
            return ExitCode::from(2);
        };
        return match result {
            Ok(report) => {
                println!("{report}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("coaching-loadgen: {e}");
                ExitCode::from(2)
            }
        };
    };
    match runtime.block_on(run_mode(mode)) {
        Ok(report) => {
            match serde_json::to_string(&report) {
                Ok(line) => println!("{line}"),
                Err(e) => {
                    eprintln!("coaching-loadgen: cannot serialise the report: {e}");
                    return ExitCode::from(2);
                }
            }
            if report.ok == 0 {
                eprintln!("coaching-loadgen: no request succeeded");
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("coaching-loadgen: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run_mode(mode: Mode) -> Result<Report, String> {
    match mode {
        Mode::Get(a) => {
            let target = loopback_url(&a.url)?;
            let url = target.url.clone();
            let plan = Plan {
                mode: "get",
                target,
                max_requests: a.max_requests,
                run_for: Duration::from_secs(a.duration_secs),
                is_ok: |s| (200..300).contains(&s),
                make: Arc::new(move |c, _| c.get(url.clone())),
            };
            run(plan, &a.common).await
        }
        Mode::Book(a) => {
            let base = a.base_url.trim_end_matches('/');
            let target = loopback_url(&format!("{base}/v1/sessions"))?;
            let first = parse_start(&a.starts_from)?;
            let url = target.url.clone();
            let token = a.token.clone();
            let (coach, prefix, kind, minutes) = (
                a.coach.clone(),
                a.client_prefix.clone(),
                a.kind.clone(),
                a.duration_minutes,
            );
            let plan = Plan {
                mode: "book",
                target,
                max_requests: a.count,
                run_for: Duration::from_secs(a.max_secs),
                is_ok: |s| s == 201,
                make: Arc::new(move |c, i| {
                    let body = booking_body(&kind, &coach, &prefix, first, minutes, i);
                    c.post(url.clone()).bearer_auth(&token).json(&body)
                }),
            };
            run(plan, &a.common).await
        }
        Mode::Webhook(m) => {
            let a = m.args;
            let base = a.base_url.trim_end_matches('/');
            let target = loopback_url(&format!("{base}/v1/orgs/{}/webhooks/evaluations", a.org))?;
            let first = parse_start(&a.evaluated_from)?;
            let hook = standardwebhooks::Webhook::new(&a.secret)
                .map_err(|e| format!("--secret is not a whsec_ secret: {e}"))?;
            let url = target.url.clone();
            let (max_requests, run_for) = (a.count, Duration::from_secs(a.max_secs));
            let plan = Plan {
                mode: "webhook",
                target,
                max_requests,
                run_for,
                is_ok: |s| s == 200,
                make: Arc::new(move |c, i| {
                    let body = webhook::delivery_body(&a, first, i);
                    let id = format!("msg-{}{i}", a.id_prefix);
                    let mut req = c
                        .post(url.clone())
                        .header("content-type", "application/json");
                    // Signing cannot fail for a UTF-8 body; an unsigned request shows up as 401.
                    if let Ok(headers) = webhook::sign(&hook, &id, &body) {
                        for (name, value) in headers {
                            req = req.header(name, value);
                        }
                    }
                    req.body(body)
                }),
            };
            run(plan, &m.common).await
        }
        Mode::Mixed(_) | Mode::Receive(_) => Err("this mode has its own runner".into()),
    }
}

fn parse_start(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("--starts-from {raw:?} is not RFC 3339: {e}"))
}

/// Body of booking `i`: client `<prefix><i>`, starting `i` slots after `first`.
fn booking_body(
    kind: &str,
    coach: &str,
    prefix: &str,
    first: DateTime<Utc>,
    minutes: u32,
    i: u64,
) -> serde_json::Value {
    let offset = i64::try_from(i)
        .unwrap_or(i64::MAX / 2)
        .saturating_mul(i64::from(minutes));
    let starts = first + chrono::Duration::minutes(offset);
    serde_json::json!({
        "kind": kind,
        "coachId": coach,
        "clientId": format!("{prefix}{i}"),
        "startsAt": starts.to_rfc3339_opts(SecondsFormat::Secs, true),
        "durationMinutes": minutes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookings_are_back_to_back_and_distinct() {
        let first = parse_start("2030-01-07T00:00:00Z").unwrap();
        let b0 = booking_body("paid", "coach-1", "client-", first, 30, 0);
        let b3 = booking_body("paid", "coach-1", "client-", first, 30, 3);
        assert_eq!(b0["startsAt"], "2030-01-07T00:00:00Z");
        assert_eq!(b3["startsAt"], "2030-01-07T01:30:00Z");
        assert_eq!(b3["clientId"], "client-3");
        assert_eq!(b3["coachId"], "coach-1");
        assert_eq!(b3["kind"], "paid");
        assert_eq!(b3["durationMinutes"], 30);
        let b5000 = booking_body("paid", "c", "p", first, 60, 5000);
        assert_eq!(b5000["startsAt"], "2030-08-03T08:00:00Z");
    }

    #[test]
    fn start_accepts_offsets() {
        let t = parse_start("2030-01-07T01:00:00+01:00").unwrap();
        assert_eq!(
            t.to_rfc3339_opts(SecondsFormat::Secs, true),
            "2030-01-07T00:00:00Z"
        );
        assert!(parse_start("tomorrow").is_err());
    }

    #[test]
    fn cli_parses() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "coaching-loadgen",
            "get",
            "--url",
            "http://127.0.0.1:1/health",
            "--header",
            "Authorization: Bearer x",
        ])
        .unwrap();
        match cli.mode {
            Mode::Get(a) => {
                assert_eq!(a.common.concurrency, 32);
                assert_eq!(a.duration_secs, 10);
                assert_eq!(a.common.headers.len(), 1);
            }
            Mode::Book(_) | Mode::Webhook(_) | Mode::Mixed(_) | Mode::Receive(_) => {
                panic!("expected get")
            }
        }
        assert!(
            Cli::try_parse_from([
                "coaching-loadgen",
                "get",
                "--url",
                "x",
                "--concurrency",
                "0"
            ])
            .is_err()
        );
    }
}
