//! The `mixed` mode: what a busy deployment sees, for a fixed time at a fixed concurrency:
//! reads (GET one session, or a page of the org's sessions), bookings and reschedules in a set
//! proportion (80/15/5 by default), over `coaches` coaches whose settings it writes first.
//!
//! Conflicts are designed out rather than hidden: every booking and every move takes the next
//! slot of its coach from a per-coach counter (slots `slot-minutes` apart, sessions 30 minutes),
//! so no two requests ever want the same time. What is left is two moves of the same session at
//! once (the store's version check lets one win): a `409` of a booking or a move is counted as a
//! conflict, apart from errors; every other non-2xx and every request without a response is an
//! error.

use crate::stats::{Tally, percentile_ms, round3};
use chrono::{DateTime, Duration as Minutes, SecondsFormat, Utc};
use clap::Args;
use reqwest::Client;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

#[derive(Args, Clone)]
pub struct MixedArgs {
    /// Server base URL, e.g. http://127.0.0.1:3000 (loopback only).
    #[arg(long)]
    pub base_url: String,
    /// An admin bearer token (books and moves for any coach and client of the org).
    #[arg(long)]
    pub token: String,
    #[arg(long, default_value = "mix-coach-")]
    pub coach_prefix: String,
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub coaches: u64,
    #[arg(long, default_value = "mix-client-")]
    pub client_prefix: String,
    /// Slot 0 of every coach (RFC 3339); slot n starts `n * slot-minutes` later.
    #[arg(long)]
    pub starts_from: String,
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(i64).range(30..=1440))]
    pub slot_minutes: i64,
    /// Sessions booked before the clock starts, so that reads and moves have targets.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub seed_sessions: u64,
    /// Measured time, in seconds.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub duration_secs: u64,
    /// Percent of requests that read (a quarter of them a page of 20, the rest one session).
    #[arg(long, default_value_t = 80, value_parser = clap::value_parser!(u64).range(0..=100))]
    pub read_percent: u64,
    /// Percent of requests that book; the rest (100 - read - book) reschedule.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(0..=100))]
    pub book_percent: u64,
}

/// The four kinds of request, in report order.
const KINDS: [&str; 4] = ["get", "list", "book", "reschedule"];

/// Everything the workers share: the next free slot of each coach and the sessions so far.
pub struct World {
    args: MixedArgs,
    base: String,
    first: DateTime<Utc>,
    next_slot: Vec<AtomicU64>,
    bookings: AtomicU64,
    /// (session id, coach index) of every booked session.
    sessions: RwLock<Vec<(String, u64)>>,
}

/// SplitMix64 step: each worker's own cheap, reproducible stream of choices.
fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl World {
    pub fn new(args: MixedArgs, base: String, first: DateTime<Utc>) -> Self {
        let next_slot = (0..args.coaches).map(|_| AtomicU64::new(0)).collect();
        Self {
            args,
            base,
            first,
            next_slot,
            bookings: AtomicU64::new(0),
            sessions: RwLock::new(Vec::new()),
        }
    }

    pub fn coach(&self, c: u64) -> String {
        format!("{}{c}", self.args.coach_prefix)
    }

    /// The start of coach `c`'s next free slot, taken for good.
    fn take_slot(&self, c: u64) -> String {
        let n = self.next_slot[c as usize].fetch_add(1, Ordering::Relaxed);
        let start = self.first + Minutes::minutes(self.args.slot_minutes * n as i64);
        start.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    fn pick(&self, r: u64) -> Option<(String, u64)> {
        let list = self.sessions.read().unwrap_or_else(|p| p.into_inner());
        (!list.is_empty()).then(|| list[(r % list.len() as u64) as usize].clone())
    }

    /// Books the next booking's slot: (kind index, status, latency) or a transport error.
    async fn book(&self, client: &Client) -> Result<u16, reqwest::Error> {
        let k = self.bookings.fetch_add(1, Ordering::Relaxed);
        let c = k % self.args.coaches;
        let body = json!({
            "kind": "paid", "coachId": self.coach(c),
            "clientId": format!("{}{k}", self.args.client_prefix),
            "startsAt": self.take_slot(c), "durationMinutes": 30,
        });
        let resp = client
            .post(format!("{}/v1/sessions", self.base))
            .bearer_auth(&self.args.token)
            .json(&body)
            .send()
            .await?;
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if status == 201
            && let Some(id) = body["id"].as_str()
        {
            let mut list = self.sessions.write().unwrap_or_else(|p| p.into_inner());
            list.push((id.to_owned(), c));
        }
        Ok(status)
    }

    /// One request of the mix, chosen by `r`: its kind and status.
    async fn one(&self, client: &Client, r: u64) -> (usize, Result<u16, reqwest::Error>) {
        let roll = r % 100;
        let token = &self.args.token;
        let (kind, req) = if roll < self.args.read_percent {
            let Some((id, _)) = self.pick(r >> 8) else {
                return (2, self.book(client).await);
            };
            if (r >> 40).is_multiple_of(4) {
                let n = (r >> 8) % self.next_slot[0].load(Ordering::Relaxed).max(1);
                let from = self.first + Minutes::minutes(self.args.slot_minutes * n as i64);
                let url = format!(
                    "{}/v1/sessions?limit=20&from={}",
                    self.base,
                    from.to_rfc3339_opts(SecondsFormat::Secs, true)
                );
                (1, client.get(url))
            } else {
                (0, client.get(format!("{}/v1/sessions/{id}", self.base)))
            }
        } else if roll < self.args.read_percent + self.args.book_percent {
            return (2, self.book(client).await);
        } else {
            let Some((id, c)) = self.pick(r >> 8) else {
                return (2, self.book(client).await);
            };
            let body = json!({"startsAt": self.take_slot(c), "reason": "load test"});
            let url = format!("{}/v1/sessions/{id}/reschedule", self.base);
            (3, client.post(url).json(&body))
        };
        let sent = req.bearer_auth(token).send().await;
        let status = match sent {
            Ok(resp) => {
                let status = resp.status().as_u16();
                resp.bytes().await.map(|_| status)
            }
            Err(e) => Err(e),
        };
        (kind, status)
    }
}

/// What one worker saw, per kind of request.
#[derive(Default)]
pub struct MixTally {
    pub kinds: [Tally; 4],
}

impl MixTally {
    pub fn merge(&mut self, other: MixTally) {
        for (a, b) in self.kinds.iter_mut().zip(other.kinds) {
            a.merge(b);
        }
    }
}

/// Whether a status is an expected answer for a request of `kind`.
fn ok(kind: usize, status: u16) -> bool {
    match kind {
        2 => status == 201,
        _ => status == 200,
    }
}

/// The measured loop of one worker until `stop_at`.
pub async fn worker(world: Arc<World>, client: Client, seed: u64, stop_at: Instant) -> MixTally {
    let mut state = seed;
    let mut tally = MixTally::default();
    while Instant::now() < stop_at {
        let r = next_random(&mut state);
        let t0 = Instant::now();
        let (kind, result) = world.one(&client, r).await;
        match result {
            Ok(status) => tally.kinds[kind].response(status, ok(kind, status), t0.elapsed()),
            Err(e) => {
                tally.kinds[kind].transport_error(&e);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    tally
}

/// Books the seed sessions over `clients` (one booking at a time per client), unmeasured.
pub async fn seed(world: &Arc<World>, clients: &[Client]) -> Result<(), String> {
    let per = world.args.seed_sessions.div_ceil(clients.len() as u64);
    let mut tasks = Vec::new();
    for client in clients {
        let (world, client) = (Arc::clone(world), client.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..per {
                match world.book(&client).await {
                    Ok(201) => {}
                    Ok(s) => return Err(format!("a seed booking answered {s}")),
                    Err(e) => return Err(format!("a seed booking failed: {e}")),
                }
            }
            Ok(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    Ok(())
}

/// The JSON report: overall and per-kind latency percentiles, conflicts apart from errors.
pub fn report(mut total: MixTally, seconds: f64, concurrency: u32) -> Value {
    let mut all: Vec<u64> = Vec::new();
    let (mut requests, mut conflicts, mut errors) = (0u64, 0u64, 0u64);
    let mut per_kind = BTreeMap::new();
    for (k, t) in total.kinds.iter_mut().enumerate() {
        t.latencies_us.sort_unstable();
        all.extend(&t.latencies_us);
        let conflict = if k >= 2 {
            t.statuses.get(&409).copied().unwrap_or(0)
        } else {
            0
        };
        let n = t.requests();
        requests += n;
        conflicts += conflict;
        errors += n - t.ok - conflict;
        per_kind.insert(
            KINDS[k],
            json!({
                "requests": n, "ok": t.ok, "conflicts": conflict, "errors": n - t.ok - conflict,
                "p50_ms": percentile_ms(&t.latencies_us, 50.0),
                "p99_ms": percentile_ms(&t.latencies_us, 99.0),
                "p999_ms": percentile_ms(&t.latencies_us, 99.9),
                "statuses": t.statuses.iter().map(|(s, n)| (s.to_string(), *n)).collect::<BTreeMap<_, _>>(),
                "transport_errors": t.transport_errors,
                "first_error": t.first_error,
            }),
        );
    }
    all.sort_unstable();
    json!({
        "mode": "mixed",
        "requests": requests,
        "conflicts": conflicts,
        "errors": errors,
        "seconds": round3(seconds),
        "rps": round3(requests as f64 / seconds.max(1e-9)),
        "concurrency": concurrency,
        "p50_ms": percentile_ms(&all, 50.0),
        "p90_ms": percentile_ms(&all, 90.0),
        "p99_ms": percentile_ms(&all, 99.0),
        "p999_ms": percentile_ms(&all, 99.9),
        "max_ms": percentile_ms(&all, 100.0),
        "kinds": per_kind,
    })
}

/// The coach settings every coach gets: UTC, available around the clock, no notice, no buffer.
fn settings() -> Value {
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    json!({
        "timezone": "UTC",
        "availability": days.iter().map(|d| json!({"weekday": d, "start": "00:00", "end": "24:00"})).collect::<Vec<_>>(),
        "prices": {"30": {"amount": 5000, "currency": "EUR"}, "60": {"amount": 9000, "currency": "EUR"}},
        "minNoticeMinutes": 0,
    })
}

/// The whole mode: settings, seed bookings, then `duration_secs` of the mix; the JSON report.
pub async fn run(args: MixedArgs, common: &crate::Common) -> Result<Value, String> {
    let base = args.base_url.trim_end_matches('/').to_owned();
    let target = crate::target::loopback_url(&format!("{base}/v1/sessions"))?;
    let first = crate::parse_start(&args.starts_from)?;
    let headers = crate::target::parse_headers(&common.headers)?;
    let timeout = Duration::from_secs(common.timeout_secs);
    let clients = (0..common.concurrency)
        .map(|_| crate::closed_loop::worker_client(&target, &headers, timeout))
        .collect::<Result<Vec<_>, _>>()?;
    let world = Arc::new(World::new(args.clone(), base.clone(), first));
    for c in 0..args.coaches {
        let resp = clients[0]
            .put(format!("{base}/v1/coaches/{}/settings", world.coach(c)))
            .bearer_auth(&args.token)
            .json(&settings())
            .send()
            .await
            .map_err(|e| format!("coach settings: {e}"))?;
        if !resp.status().is_success() {
            return Err(format!("coach settings answered {}", resp.status()));
        }
    }
    seed(&world, &clients).await?;
    eprintln!(
        "mixed: {} sessions booked before the clock starts",
        world.sessions.read().map(|l| l.len()).unwrap_or(0)
    );

    let started = Instant::now();
    let stop_at = started + Duration::from_secs(args.duration_secs);
    let workers: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| {
            let seed = 0x5EED_0000 + i as u64;
            tokio::spawn(worker(Arc::clone(&world), client, seed, stop_at))
        })
        .collect();
    let mut total = MixTally::default();
    for w in workers {
        total.merge(w.await.map_err(|e| format!("a worker failed: {e}"))?);
    }
    let report = report(total, started.elapsed().as_secs_f64(), common.concurrency);
    eprintln!(
        "mixed: {} requests in {} s ({} req/s), {} conflicts, {} errors; ms p50 {} p99 {} p99.9 {} max {}",
        report["requests"],
        report["seconds"],
        report["rps"],
        report["conflicts"],
        report["errors"],
        report["p50_ms"],
        report["p99_ms"],
        report["p999_ms"],
        report["max_ms"]
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(coaches: u64) -> World {
        let args = MixedArgs {
            base_url: "http://127.0.0.1:1".into(),
            token: "t".into(),
            coach_prefix: "c-".into(),
            coaches,
            client_prefix: "k-".into(),
            starts_from: "2030-01-07T00:00:00Z".into(),
            slot_minutes: 60,
            seed_sessions: 10,
            duration_secs: 1,
            read_percent: 80,
            book_percent: 15,
        };
        World::new(
            args,
            "http://127.0.0.1:1".into(),
            "2030-01-07T00:00:00Z".parse().unwrap(),
        )
    }

    #[test]
    fn every_slot_is_taken_once_per_coach_an_hour_apart() {
        let w = world(2);

        let (a0, a1, b0) = (w.take_slot(0), w.take_slot(0), w.take_slot(1));

        assert_eq!(a0, "2030-01-07T00:00:00Z");
        assert_eq!(a1, "2030-01-07T01:00:00Z");
        assert_eq!(
            b0, "2030-01-07T00:00:00Z",
            "another coach has its own slots"
        );
    }

    #[test]
    fn a_409_of_a_booking_is_a_conflict_and_of_a_read_an_error() {
        let mut t = MixTally::default();
        t.kinds[2].response(409, false, Duration::from_millis(1));
        t.kinds[2].response(201, true, Duration::from_millis(1));
        t.kinds[0].response(409, false, Duration::from_millis(1));
        t.kinds[0].response(200, true, Duration::from_millis(1));

        let r = report(t, 1.0, 1);

        assert_eq!(r["requests"], 4);
        assert_eq!(r["conflicts"], 1);
        assert_eq!(r["errors"], 1);
        assert_eq!(r["kinds"]["get"]["errors"], 1);
    }
}
