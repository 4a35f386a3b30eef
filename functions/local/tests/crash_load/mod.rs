//! The crash test's load: coaches with round-the-clock availability, 16 threads each on its
//! own connection booking, rescheduling and cancelling, and the record of what the server
//! acknowledged. Each session is changed only by the thread that owns it, so its acknowledged
//! states are ordered and at most one write of it is in flight when the process dies.

use crate::common::token;
use chrono::{DateTime, Duration as Days, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const CONNECTIONS: usize = 16;
const COACHES: [&str; 4] = ["coach-1", "coach-2", "coach-3", "coach-4"];
/// A thread stops by itself after this long (the kill comes much sooner).
const LOAD_LIMIT: Duration = Duration::from_secs(20);

/// splitmix64: a reproducible sequence from one printed seed is all the test needs; written
/// here rather than adding a random-number crate for ten lines.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What the server said a session is (or would be, for a write in flight).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub version: u64,
    pub starts_at: i64,
    pub status: String,
}

impl Known {
    fn of(session: &Value) -> Option<Known> {
        Some(Known {
            version: session["version"].as_u64()?,
            starts_at: session["startsAt"]
                .as_str()?
                .parse::<DateTime<Utc>>()
                .ok()?
                .timestamp(),
            status: session["status"].as_str()?.to_owned(),
        })
    }
}

/// A session the test booked: its last acknowledged state and the write in flight, if any.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub coach: usize,
    pub acked: Known,
    pub maybe: Option<Known>,
}

pub struct Outcome {
    pub acknowledged: usize,
    pub in_flight: usize,
    pub sessions: HashMap<String, Tracked>,
    pub failures: Vec<String>,
}

pub struct Running(Vec<std::thread::JoinHandle<Outcome>>);

impl Running {
    pub fn join(self) -> Outcome {
        let mut all = Outcome {
            acknowledged: 0,
            in_flight: 0,
            sessions: HashMap::new(),
            failures: Vec::new(),
        };
        for handle in self.0 {
            let o = handle.join().expect("load thread");
            all.acknowledged += o.acknowledged;
            all.in_flight += o.in_flight;
            all.sessions.extend(o.sessions);
            all.failures.extend(o.failures);
        }
        all
    }
}

pub struct Workload {
    coaches: Arc<Vec<String>>,
    admin: String,
    midnight: DateTime<Utc>,
}

fn send(
    c: &reqwest::blocking::Client,
    method: reqwest::Method,
    url: &str,
    tok: &str,
    body: Value,
) -> Result<(u16, Value), String> {
    let mut req = c.request(method, url).bearer_auth(tok);
    if !body.is_null() {
        req = req.json(&body);
    }
    let resp = req.send().map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    // A body cut off by the kill is not an acknowledgement.
    let body: Value = resp.json().map_err(|e| e.to_string())?;
    Ok((status, body))
}

fn connection() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .pool_max_idle_per_host(1)
        .build()
        .expect("client")
}

impl Workload {
    /// Gives each coach availability every day, all day, in UTC, no notice and a 15-minute
    /// buffer (so that sessions hold more blocks than their length).
    pub fn prepare(base: &str) -> Workload {
        let admin = token("admin-1", "admin");
        let c = connection();
        let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .map(|d| json!({"weekday": d, "start": "00:00", "end": "24:00"}));
        for coach in COACHES {
            let settings = json!({"timezone": "UTC", "availability": days,
                "prices": {"30": {"amount": 5000, "currency": "EUR"}, "45": {"amount": 7000, "currency": "EUR"},
                           "60": {"amount": 9000, "currency": "EUR"}},
                "bufferMinutes": 15, "minNoticeMinutes": 0});
            let url = format!("{base}/v1/coaches/{coach}/settings");
            let (status, body) =
                send(&c, reqwest::Method::PUT, &url, &admin, settings).expect("settings");
            assert_eq!(status, 200, "{body}");
        }
        let today = Utc::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .expect("midnight");
        Workload {
            coaches: Arc::new(COACHES.map(|c| token(c, "coach")).to_vec()),
            admin,
            midnight: today.and_utc(),
        }
    }

    /// A time on the grid 2 to 60 days ahead.
    fn slot(&self, rng: &mut Rng) -> String {
        let t = self.midnight
            + Days::days(2 + rng.below(58) as i64)
            + Days::minutes(15 * rng.below(96) as i64);
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    /// Books one session as a coach; returns the status (201, or 409 when the time is taken).
    pub fn book_one(&self, base: &str, rng: &mut Rng) -> u16 {
        let coach = rng.below(COACHES.len() as u64) as usize;
        let body = json!({"kind": "paid", "coachId": COACHES[coach], "clientId": "client-x",
                          "startsAt": self.slot(rng), "durationMinutes": 30});
        let url = format!("{base}/v1/sessions");
        send(
            &connection(),
            reqwest::Method::POST,
            &url,
            &self.coaches[coach],
            body,
        )
        .expect("booking")
        .0
    }

    /// Starts the load; the sessions known so far are shared out among the threads.
    pub fn run(&self, base: &str, seed: u64, sessions: &mut HashMap<String, Tracked>) -> Running {
        let mut shares: Vec<HashMap<String, Tracked>> = vec![HashMap::new(); CONNECTIONS];
        for (i, (id, t)) in sessions.drain().enumerate() {
            shares[i % CONNECTIONS].insert(id, t);
        }
        let handles = shares
            .into_iter()
            .enumerate()
            .map(|(i, mine)| {
                let (base, coaches, w) = (base.to_owned(), self.coaches.clone(), self.for_thread());
                std::thread::spawn(move || {
                    load(
                        &base,
                        &coaches,
                        &w,
                        Rng::new(seed.wrapping_mul(31) + i as u64),
                        mine,
                    )
                })
            })
            .collect();
        Running(handles)
    }

    fn for_thread(&self) -> Workload {
        Workload {
            coaches: self.coaches.clone(),
            admin: String::new(),
            midnight: self.midnight,
        }
    }

    /// Reads every known session back; returns what does not match its acknowledged state or
    /// the write that was in flight, and takes what it read as the new acknowledged state.
    pub fn verify(&self, base: &str, sessions: &mut HashMap<String, Tracked>) -> Vec<String> {
        let c = connection();
        let mut lost = Vec::new();
        for (id, t) in sessions.iter_mut() {
            let url = format!("{base}/v1/sessions/{id}");
            let read = send(&c, reqwest::Method::GET, &url, &self.admin, Value::Null);
            let now = match read {
                Ok((200, body)) => Known::of(&body),
                Ok((status, body)) => {
                    lost.push(format!("session {id}: {status} {body}"));
                    continue;
                }
                Err(e) => panic!("the restarted server does not answer: {e}"),
            };
            match now {
                Some(k) if k == t.acked || Some(&k) == t.maybe.as_ref() => {
                    t.acked = k;
                    t.maybe = None;
                }
                other => lost.push(format!(
                    "session {id}: read {other:?}, acknowledged {:?}, in flight {:?}",
                    t.acked, t.maybe
                )),
            }
        }
        lost
    }
}

/// One connection's loop: 50% book, 40% reschedule (as the coach: at once), 10% cancel, until
/// the server is gone.
fn load(
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
                let at = w.slot(&mut rng);
                let starts_at = at.parse::<DateTime<Utc>>().expect("slot").timestamp();
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
