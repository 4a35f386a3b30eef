//! `receive`: the webhook receiver of the outbound-webhook benchmark. Answers every POST with
//! 200 at once, reads the event's `timestamp` (the commit's time, in milliseconds) and keeps
//! how long after it the request arrived; stops after `expect` requests (or `max-secs`) and
//! prints one JSON line: `{mode, received, distinct_ids, p50_ms, p90_ms, p99_ms, max_ms,
//! seconds}` (arrival after commit, on the same machine's clock).

use crate::stats::{percentile_ms, round3};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

#[derive(Args)]
pub struct ReceiveArgs {
    /// The loopback port to listen on.
    #[arg(long)]
    port: u16,
    /// Requests to wait for.
    #[arg(long)]
    expect: usize,
    /// Stop after this many seconds whatever came.
    #[arg(long, default_value_t = 120)]
    max_secs: u64,
}

#[derive(Default)]
struct Seen {
    latencies_us: Vec<u64>,
    ids: HashSet<String>,
    received: usize,
}

#[derive(Serialize)]
struct Report {
    mode: &'static str,
    expected: usize,
    received: usize,
    distinct_ids: usize,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    seconds: f64,
}

type Shared = Arc<(Mutex<Seen>, Notify, usize)>;

async fn hook(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let arrived = Utc::now();
    let committed = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("timestamp")
                .and_then(|t| t.as_str())
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        });
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (seen, done, expect) = &*shared;
    if let Ok(mut seen) = seen.lock() {
        seen.received += 1;
        // The same event reaches each endpoint: an id with its path is one delivery.
        seen.ids.insert(id);
        if let Some(at) = committed {
            let us = (arrived - at.with_timezone(&Utc))
                .num_microseconds()
                .unwrap_or(0)
                .max(0);
            seen.latencies_us.push(u64::try_from(us).unwrap_or(0));
        }
        if seen.received >= *expect {
            done.notify_one();
        }
    }
    StatusCode::OK
}

pub async fn run(args: ReceiveArgs) -> Result<serde_json::Value, String> {
    let shared: Shared = Arc::new((Mutex::default(), Notify::new(), args.expect));
    let app = Router::new().fallback(hook).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    let started = Instant::now();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let _ = tokio::time::timeout(Duration::from_secs(args.max_secs), shared.1.notified()).await;
    server.abort();
    let mut seen = shared.0.lock().map_err(|_| "poisoned".to_owned())?;
    seen.latencies_us.sort_unstable();
    let l = &seen.latencies_us;
    let report = Report {
        mode: "receive",
        expected: args.expect,
        received: seen.received,
        distinct_ids: seen.ids.len(),
        p50_ms: percentile_ms(l, 50.0),
        p90_ms: percentile_ms(l, 90.0),
        p99_ms: percentile_ms(l, 99.0),
        max_ms: percentile_ms(l, 100.0),
        seconds: round3(started.elapsed().as_secs_f64()),
    };
    serde_json::to_value(&report).map_err(|e| e.to_string())
}
