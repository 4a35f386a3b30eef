//! One connection's share of the crash test's load.

use super::{COACHES, Known, LOAD_LIMIT, Outcome, Rng, Tracked, Workload, connection, send};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::HashMap;
use std::time::Instant;

/// One connection's loop: 50% book, 40% reschedule (as the coach: at once), 10% cancel, until
/// the server is gone.
pub fn load(
    base: &str,
    coaches: &[String],
    w: &Workload,
    mut rng: Rng,
    mut mine: HashMap<String, Tracked>,
) -> Outcome {
    let c = connection();
    let (mut acknowledged, mut failures) = (0, Vec::new());
    let started = Instant::now();
    let mut ids: Vec<String> = mine.keys().cloned().collect();
    while started.elapsed() < LOAD_LIMIT {
        let pick = rng.below(10);
        let scheduled: Vec<&String> = ids
            .iter()
            .filter(|id| mine[*id].acked.status == "scheduled")
            .collect();
        let result = if pick < 5 || scheduled.is_empty() {
            let coach = rng.below(COACHES.len() as u64) as usize;
            let duration = [30, 45, 60][rng.below(3) as usize];
            let body = json!({"kind": "paid", "coachId": COACHES[coach], "clientId": format!("client-{}", rng.below(50)),
                              "startsAt": w.slot(&mut rng), "durationMinutes": duration});
            match send(
                &c,
                reqwest::Method::POST,
                &format!("{base}/v1/sessions"),
                &coaches[coach],
                body,
            ) {
                Ok((201, s)) => match (s["id"].as_str(), Known::of(&s)) {
                    (Some(id), Some(k)) => {
                        mine.insert(
                            id.to_owned(),
                            Tracked {
                                coach,
                                acked: k,
                                maybe: None,
                            },
                        );
                        ids.push(id.to_owned());
                        acknowledged += 1;
                        Ok(())
                    }
                    _ => Err(Some(format!("booking: 201 without a session: {s}"))),
                },
                Ok((409, _)) => Ok(()),
                Ok((status, body)) => Err(Some(format!("booking: {status} {body}"))),
                Err(_) => Err(None),
            }
        } else {
            let id = scheduled[rng.below(scheduled.len() as u64) as usize].clone();
            let t = mine.get_mut(&id).expect("mine");
            let (path, body, next) = if pick < 9 {
                // A move to the current start is refused with 400 (nothing to move): draw
                // another time.
                let (at, starts_at) = loop {
                    let at = w.slot(&mut rng);
                    let starts_at = at.parse::<DateTime<Utc>>().expect("slot").timestamp();
                    if starts_at != t.acked.starts_at {
                        break (at, starts_at);
                    }
                };
                (
                    format!("{base}/v1/sessions/{id}/reschedule"),
                    json!({"startsAt": at}),
                    Known {
                        version: t.acked.version + 1,
                        starts_at,
                        status: "scheduled".into(),
                    },
                )
            } else {
                (
                    format!("{base}/v1/sessions/{id}/cancel"),
                    json!({}),
                    Known {
                        version: t.acked.version + 1,
                        starts_at: t.acked.starts_at,
                        status: "cancelled".into(),
                    },
                )
            };
            t.maybe = Some(next);
            match send(&c, reqwest::Method::POST, &path, &coaches[t.coach], body) {
                Ok((200, s)) => match Known::of(&s) {
                    Some(k) if Some(&k) == t.maybe.as_ref() => {
                        t.acked = k;
                        t.maybe = None;
                        acknowledged += 1;
                        Ok(())
                    }
                    other => Err(Some(format!(
                        "{path}: 200 with {other:?}, expected {:?}",
                        t.maybe
                    ))),
                },
                Ok((409, _)) => {
                    t.maybe = None;
                    Ok(())
                }
                Ok((status, body)) => Err(Some(format!("{path}: {status} {body}"))),
                Err(_) => Err(None),
            }
        };
        match result {
            Ok(()) => {}
            // The server is gone: the write in flight stays `maybe`.
            Err(None) => break,
            Err(Some(f)) => {
                failures.push(f);
                break;
            }
        }
    }
    let in_flight = mine.values().filter(|t| t.maybe.is_some()).count();
    Outcome {
        acknowledged,
        in_flight,
        sessions: mine,
        failures,
    }
}
