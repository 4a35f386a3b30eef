//! The crash test's load: coaches with round-the-clock availability, 16 threads each on its
//! own connection booking, rescheduling and cancelling, and the record of what the server
//! acknowledged. Each session is changed only by the thread that owns it, so its acknowledged
//! states are ordered and at most one write of it is in flight when the process dies.

mod load;
mod rng;

pub use rng::Rng;

use crate::common::token;
use chrono::{DateTime, Duration as Days, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub const CONNECTIONS: usize = 16;
pub const COACHES: [&str; 4] = ["coach-1", "coach-2", "coach-3", "coach-4"];
/// A thread stops by itself after this long (the kill comes much sooner).
pub const LOAD_LIMIT: Duration = Duration::from_secs(20);

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

pub fn send(
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

pub fn connection() -> reqwest::blocking::Client {
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
    pub fn slot(&self, rng: &mut Rng) -> String {
        let t = self.midnight
            + Days::days(2 + rng.below(58) as i64)
            + Days::minutes(15 * rng.below(96) as i64);
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    /// Books one session as a coach on day `61 + round`, a day the load never books (it books 2
    /// to 60 days ahead) and no other round uses, so the answer is 201 unless the server does
    /// not serve; returns the status.
    pub fn book_one(&self, base: &str, rng: &mut Rng, round: u64) -> u16 {
        let coach = rng.below(COACHES.len() as u64) as usize;
        let at = self.midnight
            + Days::days(61 + round as i64)
            + Days::minutes(15 * rng.below(96) as i64);
        let body = json!({"kind": "paid", "coachId": COACHES[coach], "clientId": "client-x",
                          "startsAt": at.format("%Y-%m-%dT%H:%M:%SZ").to_string(), "durationMinutes": 30});
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
                    load::load(
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
