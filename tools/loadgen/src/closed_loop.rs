//! The closed-loop run of the `get`, `book` and `webhook` modes: N workers, each on its own
//! keep-alive connection, send the plan's requests until its count or its time is used up;
//! then the report (one JSON line on stdout, one human line on stderr).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::{Client, RequestBuilder};
use serde::Serialize;

use crate::Common;
use crate::stats::{Tally, percentile_ms, round3};
use crate::target::{Target, parse_headers};

#[derive(Serialize, Debug)]
pub(crate) struct Report {
    pub(crate) mode: &'static str,
    pub(crate) requests: u64,
    pub(crate) ok: u64,
    pub(crate) errors: u64,
    pub(crate) seconds: f64,
    pub(crate) rps: f64,
    pub(crate) ok_rps: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    pub(crate) max_ms: f64,
    pub(crate) concurrency: u32,
    pub(crate) transport_errors: u64,
    pub(crate) statuses: BTreeMap<String, u64>,
    pub(crate) target: String,
}

/// Pause of a worker after a request that got no response.
pub(crate) const ERROR_BACKOFF: Duration = Duration::from_millis(10);

/// Builds request number `i` for a worker's client.
pub(crate) type MakeRequest = Arc<dyn Fn(&Client, u64) -> RequestBuilder + Send + Sync>;

/// One load run: what to send, how much of it, and what counts as success.
pub(crate) struct Plan {
    pub(crate) mode: &'static str,
    pub(crate) target: Target,
    pub(crate) max_requests: u64,
    pub(crate) run_for: Duration,
    pub(crate) is_ok: fn(u16) -> bool,
    pub(crate) make: MakeRequest,
}

/// One client per worker, pooling at most one idle connection: every worker keeps its own
/// keep-alive connection. No proxy, no redirects (a redirect could leave loopback).
pub(crate) fn worker_client(
    target: &Target,
    headers: &HeaderMap,
    timeout: Duration,
) -> Result<Client, String> {
    let mut b = Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true)
        .connect_timeout(timeout)
        .timeout(timeout)
        .default_headers(headers.clone());
    if let Some(addr) = target.pinned_localhost {
        b = b.resolve("localhost", addr);
    }
    b.build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

pub(crate) async fn run(plan: Plan, common: &Common) -> Result<Report, String> {
    let headers = parse_headers(&common.headers)?;
    let timeout = Duration::from_secs(common.timeout_secs);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let stop_at = started + plan.run_for;

    let mut workers = Vec::with_capacity(common.concurrency as usize);
    for _ in 0..common.concurrency {
        let client = worker_client(&plan.target, &headers, timeout)?;
        let (next, make, is_ok, max) = (
            Arc::clone(&next),
            Arc::clone(&plan.make),
            plan.is_ok,
            plan.max_requests,
        );
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            while Instant::now() < stop_at {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= max {
                    break;
                }
                let t0 = Instant::now();
                match make(&client, i).send().await {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        // Read the whole body so the connection goes back to the pool.
                        match resp.bytes().await {
                            Ok(_) => tally.response(status, is_ok(status), t0.elapsed()),
                            Err(e) => {
                                tally.transport_error(&e);
                                tokio::time::sleep(ERROR_BACKOFF).await;
                            }
                        }
                    }
                    Err(e) => {
                        tally.transport_error(&e);
                        // A refused connection fails in microseconds: do not spin on it.
                        tokio::time::sleep(ERROR_BACKOFF).await;
                    }
                }
            }
            tally
        }));
    }

    // Every request has its own timeout; this is a last bound on the whole run.
    let hard_stop = stop_at + timeout + Duration::from_secs(5);
    let mut total = Tally::default();
    for mut w in workers {
        match tokio::time::timeout_at(hard_stop.into(), &mut w).await {
            Ok(Ok(t)) => total.merge(t),
            Ok(Err(e)) => return Err(format!("a worker failed: {e}")),
            Err(_) => {
                w.abort();
                total.transport_error(&std::io::Error::other("worker did not finish in time"));
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(report(&plan, common.concurrency, total, seconds))
}

pub(crate) fn report(plan: &Plan, concurrency: u32, mut total: Tally, seconds: f64) -> Report {
    total.latencies_us.sort_unstable();
    let requests = total.requests();
    let secs = seconds.max(1e-9);
    let report = Report {
        mode: plan.mode,
        requests,
        ok: total.ok,
        errors: requests - total.ok,
        seconds: round3(seconds),
        rps: round3(requests as f64 / secs),
        ok_rps: round3(total.ok as f64 / secs),
        p50_ms: percentile_ms(&total.latencies_us, 50.0),
        p90_ms: percentile_ms(&total.latencies_us, 90.0),
        p99_ms: percentile_ms(&total.latencies_us, 99.0),
        max_ms: percentile_ms(&total.latencies_us, 100.0),
        concurrency,
        transport_errors: total.transport_errors,
        statuses: total
            .statuses
            .iter()
            .map(|(s, n)| (s.to_string(), *n))
            .collect(),
        target: plan.target.url.to_string(),
    };
    let mut statuses: Vec<String> = total
        .statuses
        .iter()
        .map(|(s, n)| format!("{s}x{n}"))
        .collect();
    if total.transport_errors > 0 {
        statuses.push(format!("no-response x{}", total.transport_errors));
    }
    eprintln!(
        "{} {}: {} requests in {:.2}s ({:.0} req/s), {} ok, {} errors [{}], latency ms p50 {} p90 {} p99 {} max {}{}",
        report.mode,
        report.target,
        report.requests,
        report.seconds,
        report.rps,
        report.ok,
        report.errors,
        statuses.join(" "),
        report.p50_ms,
        report.p90_ms,
        report.p99_ms,
        report.max_ms,
        total
            .first_error
            .as_deref()
            .map(|e| format!("; first error: {e}"))
            .unwrap_or_default(),
    );
    report
}
