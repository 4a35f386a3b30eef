//! coaching-genbench: the AI generation benchmark behind `scripts/bench` (docs/api.md#review-sessions-and-ai-generation, issue 10's
//! "Performance": builtin provider, 3 criteria × 25 scores, 202 → `succeeded` p50 ≤ 50 ms and
//! 200 queued generations drained at ≥ 50/s).
//!
//! Against a running coaching-local (loopback only), with a coach token:
//! 1. seeds one coachee with 25 evaluations × 3 criteria in one period, every score a markdown
//!    (signed `evaluation.completed` deliveries), and checks their criteria-stats;
//! 2. creates `latency-runs + drain` draft review sessions for that coachee and period;
//! 3. latency: for each of `latency-runs` sessions in turn, POST generate (202), then GET the
//!    session without pause until `review.generation.status` is `succeeded`; the time from
//!    sending the POST to seeing `succeeded`;
//! 4. drain: POSTs generate for the other `drain` sessions over `concurrency` connections, then
//!    polls until every one shows `succeeded`: generations/s = drain / (first POST sent → last
//!    success seen).
//!
//! Prints one JSON line to stdout and a human line to stderr; exits 1 when a generation failed,
//! did not finish within `--timeout-secs`, or a request of the measured phases went wrong, and 2
//! when the setup (seed, sessions) did.

mod api;
mod phases;
mod seed;

use api::*;
use phases::*;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::Parser;
use reqwest::{StatusCode, Url};
use serde::Serialize;

#[derive(Parser, Debug)]
#[command(
    name = "coaching-genbench",
    about = "AI generation benchmark for a local coaching server (loopback addresses only)"
)]
struct Cli {
    /// Server base URL, e.g. http://127.0.0.1:3000 (loopback only).
    #[arg(long)]
    base_url: String,
    /// The org of the coach token (the evaluation webhook's path).
    #[arg(long)]
    org: String,
    /// The Standard Webhooks secret the server verifies deliveries with (`whsec_…`).
    #[arg(long)]
    webhook_secret: String,
    /// A coach token of `--coach` in `--org`.
    #[arg(long)]
    token: String,
    /// The coach of the review sessions.
    #[arg(long)]
    coach: String,
    /// The coachee seeded and reviewed (use one no other run writes evaluations for).
    #[arg(long, default_value = "gen-agent")]
    coachee: String,
    /// Generations measured one at a time (202 → succeeded).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    latency_runs: u32,
    /// Generations requested at once for the drain rate.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    drain: u32,
    /// Connections the drain phase POSTs generate over.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024))]
    concurrency: u32,
    /// Start of the review period (RFC 3339); it lasts 30 days.
    #[arg(long, default_value = "2025-01-01T00:00:00Z")]
    period_start: String,
    /// Prefix of evaluation, criterion and webhook ids.
    #[arg(long, default_value = "gen-")]
    id_prefix: String,
    /// Bound on one latency run, and on the whole drain phase, in seconds.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout_secs: u64,
    /// Tokio worker threads of the benchmark itself (keep it small next to the server).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=64))]
    threads: u64,
}

/// The machine-readable result, one JSON line on stdout.
#[derive(Serialize, Debug, Default)]
struct Report {
    mode: &'static str,
    coachee: String,
    criteria: usize,
    scores_per_criterion: usize,
    seed_seconds: f64,
    /// Latency phase: generations measured one at a time, and how many of them succeeded.
    latency_runs: u32,
    latency_ok: u64,
    /// POST generate sent → `succeeded` seen.
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    mean_ms: f64,
    /// POST generate → 202 received.
    accept_p50_ms: f64,
    accept_p99_ms: f64,
    /// Every run's POST → `succeeded` time, in run order (-1: did not succeed).
    runs_ms: Vec<f64>,
    /// One polling GET /v1/sessions/{id}.
    poll_get_p50_ms: f64,
    polls_per_run: f64,
    /// Drain phase: generations requested, succeeded, connections.
    drain: u32,
    drain_ok: u64,
    drain_concurrency: u32,
    /// First POST sent → last 202 received.
    drain_post_seconds: f64,
    drain_accept_p50_ms: f64,
    drain_accept_p99_ms: f64,
    /// First POST sent → last `succeeded` seen.
    drain_seconds: f64,
    drain_per_s: f64,
    drain_polls: u64,
    /// Generations that ended `failed`.
    failed: u64,
    /// Generations not `succeeded` within the timeout (or whose POST was not answered 202).
    unfinished: u64,
    /// Requests of the measured phases that went wrong (transport, unexpected status or body).
    http_errors: u64,
    /// The first few problems, for the human reader.
    problems: Vec<String>,
    target: String,
}

impl Report {
    fn problem(&mut self, p: String) {
        if self.problems.len() < 5 {
            self.problems.push(p);
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::try_from(cli.threads).unwrap_or(1))
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("coaching-genbench: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(report) => {
            match serde_json::to_string(&report) {
                Ok(line) => println!("{line}"),
                Err(e) => {
                    eprintln!("coaching-genbench: cannot serialise the report: {e}");
                    return ExitCode::from(2);
                }
            }
            human(&report);
            if report.failed + report.unfinished + report.http_errors > 0 {
                eprintln!("coaching-genbench: not every generation succeeded in time");
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("coaching-genbench: {e}");
            ExitCode::from(2)
        }
    }
}

fn human(r: &Report) {
    eprintln!(
        "genbench {}: {} criteria x {} scores; 202 -> succeeded over {} runs: p50 {} p90 {} p99 {} max {} ms \
         (202 in p50 {} ms, {:.1} polls/run at p50 {} ms); drain {} at {} connections: {}/s \
         ({} ok in {:.3}s, last 202 after {:.3}s, {} polls); failed {}, unfinished {}, http errors {}{}",
        r.target,
        r.criteria,
        r.scores_per_criterion,
        r.latency_runs,
        r.p50_ms,
        r.p90_ms,
        r.p99_ms,
        r.max_ms,
        r.accept_p50_ms,
        r.polls_per_run,
        r.poll_get_p50_ms,
        r.drain,
        r.drain_concurrency,
        r.drain_per_s,
        r.drain_ok,
        r.drain_seconds,
        r.drain_post_seconds,
        r.drain_polls,
        r.failed,
        r.unfinished,
        r.http_errors,
        r.problems
            .first()
            .map(|p| format!("; first problem: {p}"))
            .unwrap_or_default(),
    );
}

async fn run(cli: Cli) -> Result<Report, String> {
    let api = Api::new(&cli.base_url, &cli.token)?;
    let start = DateTime::parse_from_rfc3339(&cli.period_start)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("--period-start {:?} is not RFC 3339: {e}", cli.period_start))?;
    let timeout = Duration::from_secs(cli.timeout_secs);
    let mut report = Report {
        mode: "genbench",
        coachee: cli.coachee.clone(),
        criteria: seed::CRITERIA,
        scores_per_criterion: seed::EVALUATIONS,
        latency_runs: cli.latency_runs,
        drain: cli.drain,
        drain_concurrency: cli.concurrency,
        target: api.base.to_string(),
        ..Report::default()
    };

    let t = Instant::now();
    seed_evaluations(&api, &cli, start).await?;
    report.seed_seconds = round3(t.elapsed().as_secs_f64());
    let total = (cli.latency_runs + cli.drain) as usize;
    let sessions = create_sessions(&api, &cli, start, total).await?;
    let (latency, drain) = sessions.split_at(cli.latency_runs as usize);

    latency_phase(&api, latency, timeout, &mut report).await?;
    drain_phase(&api, drain, cli.concurrency, timeout, &mut report).await?;
    Ok(report)
}

/// The evaluations (signed webhook deliveries), then their criteria-stats: exactly
/// `EVALUATIONS` evaluations, `CRITERIA` criteria, every score a markdown.
async fn seed_evaluations(api: &Api, cli: &Cli, start: DateTime<Utc>) -> Result<(), String> {
    let hook = standardwebhooks::Webhook::new(&cli.webhook_secret)
        .map_err(|e| format!("--webhook-secret is not a whsec_ secret: {e}"))?;
    let client = api.client()?;
    let url = api.url(&format!("/v1/orgs/{}/webhooks/evaluations", cli.org))?;
    for i in 0..seed::EVALUATIONS {
        let body = seed::delivery_body(&cli.id_prefix, &cli.coachee, start, i);
        let id = format!("msg-{}", seed::evaluation_id(&cli.id_prefix, i));
        let mut req = client
            .post(url.clone())
            .header("content-type", "application/json");
        for (name, value) in seed::sign(&hook, &id, &body)? {
            req = req.header(name, value);
        }
        let resp = req.body(body).send().await.map_err(|e| error_chain(&e))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if status != StatusCode::OK {
            return Err(format!("webhook delivery {i}: HTTP {status}: {text}"));
        }
    }
    let mut stats = api.url(&format!("/v1/coachees/{}/criteria-stats", cli.coachee))?;
    stats
        .query_pairs_mut()
        .append_pair("from", &seed::rfc3339(start))
        .append_pair("to", &seed::rfc3339(seed::period_end(start)));
    let (status, body) = api.send(client.get(stats)).await?;
    if status != StatusCode::OK {
        return Err(format!("criteria-stats: HTTP {status}: {body}"));
    }
    let criteria = body["criteria"].as_array().cloned().unwrap_or_default();
    let full = criteria.iter().all(|c| {
        c["markdowns"].as_u64() == Some(seed::EVALUATIONS as u64)
            && c["recentScores"].as_array().map(Vec::len) == Some(seed::EVALUATIONS)
    });
    if body["evaluationCount"].as_u64() != Some(seed::EVALUATIONS as u64)
        || criteria.len() != seed::CRITERIA
        || !full
    {
        return Err(format!(
            "the coachee's criteria-stats are not {} evaluations x {} criteria, all markdowns \
             (another run's data for --coachee {}?): {body}",
            seed::EVALUATIONS,
            seed::CRITERIA,
            cli.coachee
        ));
    }
    Ok(())
}

/// `n` draft review sessions (8 connections); their ids in creation order.
async fn create_sessions(
    api: &Api,
    cli: &Cli,
    start: DateTime<Utc>,
    n: usize,
) -> Result<Vec<String>, String> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (api, client, next) = (api.clone(), api.client()?, Arc::clone(&next));
        let (coach, coachee) = (cli.coach.clone(), cli.coachee.clone());
        workers.push(tokio::spawn(async move {
            let url = api.url("/v1/sessions")?;
            let mut made = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok::<_, String>(made);
                }
                let body = seed::review_body(&coach, &coachee, start, i);
                let (status, body) = api.send(client.post(url.clone()).json(&body)).await?;
                match body["id"].as_str() {
                    Some(id) if status == StatusCode::CREATED => made.push((i, id.to_owned())),
                    _ => return Err(format!("POST /v1/sessions: HTTP {status}: {body}")),
                }
            }
        }));
    }
    let mut all = Vec::with_capacity(n);
    for w in workers {
        all.extend(w.await.map_err(|e| format!("a worker failed: {e}"))??);
    }
    all.sort();
    Ok(all.into_iter().map(|(_, id)| id).collect())
}

/// Parses `raw` and refuses anything but `http://` to a loopback host; `localhost` is pinned
/// to 127.0.0.1.
pub(crate) fn loopback_url(raw: &str) -> Result<(Url, Option<SocketAddr>), String> {
    let url = Url::parse(raw).map_err(|e| format!("invalid URL {raw:?}: {e}"))?;
    if url.scheme() != "http" {
        return Err(format!(
            "refusing {raw:?}: only http:// to a loopback address is allowed"
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| format!("refusing {raw:?}: the URL has no host"))?;
    let port = url.port_or_known_default().unwrap_or(80);
    if host.eq_ignore_ascii_case("localhost") {
        return Ok((url, Some(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))));
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => Ok((url, None)),
        _ => Err(format!(
            "refusing {raw:?}: host {host} is not a loopback address (127.0.0.1, [::1] or localhost)"
        )),
    }
}

/// `err: cause: cause…`, so "error sending request" says why.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        out.push_str(": ");
        out.push_str(&e.to_string());
        cur = e.source();
    }
    out
}

pub(crate) fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// Nearest-rank percentile of an ascending list of microseconds, in milliseconds; 0 when empty.
pub(crate) fn percentile_ms(sorted_us: &[u64], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let n = sorted_us.len();
    let rank = (p / 100.0 * n as f64).ceil() as usize;
    round3(sorted_us[rank.clamp(1, n) - 1] as f64 / 1000.0)
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets() {
        for ok in [
            "http://127.0.0.1:3000",
            "http://localhost:8080",
            "http://[::1]:9000",
        ] {
            assert!(Api::new(ok, "t").is_ok(), "{ok} should be accepted");
        }
        for bad in [
            "http://10.0.0.1:3000",
            "http://example.com",
            "https://127.0.0.1",
            "http://localhost.example.com",
            "http://0.0.0.0:3000",
            "not a url",
        ] {
            assert!(Api::new(bad, "t").is_err(), "{bad} should be refused");
        }
        let api = Api::new("http://localhost:8080/", "t").unwrap();
        assert_eq!(
            api.pinned_localhost,
            Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)))
        );
        assert_eq!(
            api.url("/v1/sessions/s1/generate").unwrap().as_str(),
            "http://localhost:8080/v1/sessions/s1/generate"
        );
    }

    #[test]
    fn percentiles_nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile_ms(&v, 50.0), 50.0);
        assert_eq!(percentile_ms(&v, 99.0), 99.0);
        assert_eq!(percentile_ms(&v, 100.0), 100.0);
        assert_eq!(percentile_ms(&[], 50.0), 0.0);
        assert_eq!(percentile_ms(&[1234], 90.0), 1.234);
    }

    #[test]
    fn polls_read_the_status_of_the_right_generation() {
        let seen = |status: &str| Seen {
            id: "g1".into(),
            status: status.into(),
            error: Some("provider down".into()),
            criteria: 3,
            evaluations: 25,
        };
        assert!(matches!(seen("queued").poll("s", "g1"), Ok(Poll::Pending)));
        assert!(matches!(seen("running").poll("s", "g1"), Ok(Poll::Pending)));
        assert!(matches!(
            seen("succeeded").poll("s", "g1"),
            Ok(Poll::Succeeded)
        ));
        assert!(
            matches!(seen("failed").poll("s", "g1"), Ok(Poll::Failed(e)) if e.contains("provider down"))
        );
        assert!(seen("succeeded").poll("s", "g2").is_err());
        assert!(seen("lost").poll("s", "g1").is_err());
    }

    #[test]
    fn cli_parses() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "coaching-genbench",
            "--base-url",
            "http://127.0.0.1:1",
            "--org",
            "bench",
            "--webhook-secret",
            "whsec_x",
            "--token",
            "t",
            "--coach",
            "coach-1",
        ])
        .unwrap();
        assert_eq!(
            (cli.latency_runs, cli.drain, cli.concurrency),
            (50, 200, 32)
        );
        assert_eq!(cli.coachee, "gen-agent");
    }
}
