//! The measured phases: latency (one generation at a time) and drain (many at once).

use crate::*;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
/// One generation at a time: POST generate, then GET the session without pause until it
/// succeeded (or failed, or the timeout passed).
pub(crate) async fn latency_phase(
    api: &Api,
    sessions: &[String],
    timeout: Duration,
    report: &mut Report,
) -> Result<(), String> {
    let client = api.client()?;
    let mut total_us = Vec::with_capacity(sessions.len());
    let mut accept_us = Vec::with_capacity(sessions.len());
    let mut get_us = Vec::new();
    for (n, session) in sessions.iter().enumerate() {
        let t0 = Instant::now();
        let generation = match api.generate(&client, session).await {
            Ok(g) => g,
            Err(e) => {
                report.http_errors += 1;
                report.unfinished += 1;
                report.problem(e);
                continue;
            }
        };
        accept_us.push(micros(t0.elapsed()));
        report.runs_ms.push(-1.0);
        loop {
            if t0.elapsed() > timeout {
                report.unfinished += 1;
                report.problem(format!(
                    "generation {generation} of {session} not done after {timeout:?}"
                ));
                break;
            }
            let g0 = Instant::now();
            let seen = api.generation(&client, session).await;
            get_us.push(micros(g0.elapsed()));
            match seen.and_then(|s| Ok((s.poll(session, &generation)?, s))) {
                Ok((Poll::Pending, _)) => {}
                Ok((Poll::Succeeded, s)) => {
                    let took = micros(t0.elapsed());
                    total_us.push(took);
                    if let Some(last) = report.runs_ms.last_mut() {
                        *last = round3(took as f64 / 1000.0);
                    }
                    report.latency_ok += 1;
                    // The first one says what was generated from: the whole seed.
                    if n == 0
                        && (s.criteria != seed::CRITERIA || s.evaluations != seed::EVALUATIONS)
                    {
                        report.http_errors += 1;
                        report.problem(format!(
                            "the first generation read {} criteria and {} evaluations, not {} and {}",
                            s.criteria,
                            s.evaluations,
                            seed::CRITERIA,
                            seed::EVALUATIONS
                        ));
                    }
                    break;
                }
                Ok((Poll::Failed(e), _)) => {
                    report.failed += 1;
                    report.problem(e);
                    break;
                }
                Err(e) => {
                    report.http_errors += 1;
                    report.unfinished += 1;
                    report.problem(e);
                    break;
                }
            }
        }
    }
    report.polls_per_run = round3(get_us.len() as f64 / sessions.len().max(1) as f64);
    let mean = total_us.iter().sum::<u64>() as f64 / total_us.len().max(1) as f64;
    report.mean_ms = round3(mean / 1000.0);
    total_us.sort_unstable();
    accept_us.sort_unstable();
    get_us.sort_unstable();
    report.p50_ms = percentile_ms(&total_us, 50.0);
    report.p90_ms = percentile_ms(&total_us, 90.0);
    report.p99_ms = percentile_ms(&total_us, 99.0);
    report.max_ms = percentile_ms(&total_us, 100.0);
    report.accept_p50_ms = percentile_ms(&accept_us, 50.0);
    report.accept_p99_ms = percentile_ms(&accept_us, 99.0);
    report.poll_get_p50_ms = percentile_ms(&get_us, 50.0);
    Ok(())
}

/// An accepted drain request: the session, its generation, when the 202 came.
pub(crate) struct Accepted {
    session: String,
    generation: String,
    at: Instant,
}

/// What one drain connection did.
#[derive(Default)]
pub(crate) struct DrainWorker {
    first_sent: Option<Instant>,
    accepted: Vec<Accepted>,
    accept_us: Vec<u64>,
    errors: Vec<String>,
}

/// All of `sessions` at once over `concurrency` connections, then one connection polls the
/// accepted ones, oldest 202 first (the worker takes them in due order), until each succeeded.
pub(crate) async fn drain_phase(
    api: &Api,
    sessions: &[String],
    concurrency: u32,
    timeout: Duration,
    report: &mut Report,
) -> Result<(), String> {
    let sessions: Arc<[String]> = sessions.into();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (api, client) = (api.clone(), api.client()?);
        let (sessions, next) = (Arc::clone(&sessions), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            let mut w = DrainWorker::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(session) = sessions.get(i) else {
                    return w;
                };
                let t0 = Instant::now();
                w.first_sent.get_or_insert(t0);
                match api.generate(&client, session).await {
                    Ok(generation) => {
                        let at = Instant::now();
                        w.accept_us.push(micros(at - t0));
                        w.accepted.push(Accepted {
                            session: session.clone(),
                            generation,
                            at,
                        });
                    }
                    Err(e) => w.errors.push(e),
                }
            }
        }));
    }
    let mut first_sent: Option<Instant> = None;
    let mut accepted = Vec::with_capacity(sessions.len());
    let mut accept_us = Vec::with_capacity(sessions.len());
    for w in workers {
        let w = w.await.map_err(|e| format!("a drain worker failed: {e}"))?;
        if let Some(t) = w.first_sent {
            first_sent = Some(first_sent.map_or(t, |f| f.min(t)));
        }
        accepted.extend(w.accepted);
        accept_us.extend(w.accept_us);
        report.http_errors += w.errors.len() as u64;
        report.unfinished += w.errors.len() as u64;
        for e in w.errors {
            report.problem(e);
        }
    }
    let Some(first_sent) = first_sent else {
        return Ok(());
    };
    accepted.sort_by_key(|a| a.at);
    if let Some(last) = accepted.last() {
        report.drain_post_seconds = round3((last.at - first_sent).as_secs_f64());
    }
    accept_us.sort_unstable();
    report.drain_accept_p50_ms = percentile_ms(&accept_us, 50.0);
    report.drain_accept_p99_ms = percentile_ms(&accept_us, 99.0);

    // Poll the oldest pending one until it is done, then the next: the worker drains in due
    // order, so this is about one GET per poll and sees the last success within a GET of it.
    let client = api.client()?;
    let mut pending: VecDeque<Accepted> = accepted.into();
    let mut last_seen = None;
    let deadline = first_sent + timeout;
    while let Some(a) = pending.front() {
        if Instant::now() > deadline {
            report.unfinished += pending.len() as u64;
            report.problem(format!(
                "{} of the drained generations not done after {timeout:?}",
                pending.len()
            ));
            break;
        }
        report.drain_polls += 1;
        let seen = api.generation(&client, &a.session).await;
        match seen.and_then(|s| s.poll(&a.session, &a.generation)) {
            Ok(Poll::Pending) => continue,
            Ok(Poll::Succeeded) => {
                last_seen = Some(Instant::now());
                report.drain_ok += 1;
            }
            Ok(Poll::Failed(e)) => {
                report.failed += 1;
                report.problem(e);
            }
            Err(e) => {
                report.http_errors += 1;
                report.unfinished += 1;
                report.problem(e);
            }
        }
        pending.pop_front();
    }
    if let Some(last) = last_seen {
        let secs = (last - first_sent).as_secs_f64();
        report.drain_seconds = round3(secs);
        report.drain_per_s = round3(report.drain_ok as f64 / secs.max(1e-9));
    }
    Ok(())
}
