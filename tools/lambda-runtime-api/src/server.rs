//! The Runtime API itself: one loopback HTTP server per bootstrap process, handing out exactly
//! one event and reporting what the function answered.
//!
//! Routes (the subset of the AWS Lambda Runtime API a custom runtime uses):
//! - `GET  /2018-06-01/runtime/invocation/next`: the event, with `Lambda-Runtime-Aws-Request-Id`,
//!   `Lambda-Runtime-Deadline-Ms`, `Lambda-Runtime-Invoked-Function-Arn` and
//!   `Lambda-Runtime-Trace-Id`; a second call blocks, as on Lambda between invocations, until the
//!   server stops;
//! - `POST /2018-06-01/runtime/invocation/{id}/response` and `…/{id}/error`: `202`;
//! - `POST /2018-06-01/runtime/init/error`: `202`.
//!
//! Every answer, error or protocol mistake becomes an [`Outcome`], stamped with the [`Instant`]
//! its request arrived (body included).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// Lambda's limit for a synchronous response payload.
const MAX_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;

/// The account in the invoked function ARN.
const ACCOUNT_ID: &str = "123456789012";

/// What the function did with the event.
#[derive(Debug)]
pub enum Outcome {
    /// `POST …/invocation/{id}/response`.
    Response { body: Bytes, at: Instant },
    /// `POST …/invocation/{id}/error`.
    InvocationError {
        error_type: Option<String>,
        body: Bytes,
        at: Instant,
    },
    /// `POST …/init/error`: the function failed before asking for an event.
    InitError {
        error_type: Option<String>,
        body: Bytes,
        at: Instant,
    },
    /// A request that breaks the protocol (an unknown request id, a second answer).
    Protocol { message: String, at: Instant },
}

impl Outcome {
    pub fn at(&self) -> Instant {
        match self {
            Outcome::Response { at, .. }
            | Outcome::InvocationError { at, .. }
            | Outcome::InitError { at, .. }
            | Outcome::Protocol { at, .. } => *at,
        }
    }
}

/// What the server hands out.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The event payload, sent as is.
    pub event: Bytes,
    /// `AWS_LAMBDA_FUNCTION_NAME`, for the invoked function ARN.
    pub function_name: String,
    /// `AWS_REGION`, for the invoked function ARN.
    pub region: String,
    /// The function timeout: `Lambda-Runtime-Deadline-Ms` is the time of `next` plus this.
    pub timeout: Duration,
}

struct Shared {
    event: Mutex<Option<Bytes>>,
    request_id: String,
    function_arn: String,
    timeout: Duration,
    answered: Mutex<bool>,
    first_next_at: Mutex<Option<Instant>>,
    outcomes: mpsc::UnboundedSender<Outcome>,
    stopping: watch::Receiver<bool>,
}

/// A running Runtime API on a loopback port. Drop or [`RuntimeApi::stop`] it after the run.
pub struct RuntimeApi {
    addr: SocketAddr,
    request_id: String,
    shared: Arc<Shared>,
    outcomes: mpsc::UnboundedReceiver<Outcome>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RuntimeApi {
    /// Binds `addr` (which must be a loopback address; port 0 picks a free one) and serves
    /// `invocation` once.
    pub async fn start(addr: SocketAddr, invocation: Invocation) -> std::io::Result<RuntimeApi> {
        if !addr.ip().is_loopback() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{addr} is not a loopback address"),
            ));
        }
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (outcome_tx, outcome_rx) = mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = watch::channel(false);
        let request_id = new_request_id();
        let shared = Arc::new(Shared {
            event: Mutex::new(Some(invocation.event)),
            request_id: request_id.clone(),
            function_arn: format!(
                "arn:aws:lambda:{}:{ACCOUNT_ID}:function:{}",
                invocation.region, invocation.function_name
            ),
            timeout: invocation.timeout,
            answered: Mutex::new(false),
            first_next_at: Mutex::new(None),
            outcomes: outcome_tx,
            stopping: stop_rx.clone(),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(invocation_response),
            )
            .route(
                "/2018-06-01/runtime/invocation/{id}/error",
                post(invocation_error),
            )
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .layer(DefaultBodyLimit::max(MAX_PAYLOAD_BYTES))
            .with_state(shared.clone());
        let mut shutdown = stop_rx;
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = shutdown.wait_for(|stop| *stop).await;
            });
            if let Err(e) = serve.await {
                eprintln!("lambda-runtime-api: server error: {e}");
            }
        });
        Ok(RuntimeApi {
            addr,
            request_id,
            shared,
            outcomes: outcome_rx,
            stop: stop_tx,
            task,
        })
    }

    /// The `host:port` to put in `AWS_LAMBDA_RUNTIME_API`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The request id the event is handed out with.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// When the function first asked for an event (the end of its init phase), if it did.
    pub fn first_next_at(&self) -> Option<Instant> {
        *lock(&self.shared.first_next_at)
    }

    /// The next outcome; `None` once the server is gone.
    pub async fn outcome(&mut self) -> Option<Outcome> {
        self.outcomes.recv().await
    }

    /// Stops the server: blocked `next` calls return, open connections close. Waits at most one
    /// second for that, then abandons the server task.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(1), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    let now = Instant::now();
    let event = lock(&shared.event).take();
    let Some(event) = event else {
        // Lambda holds this request until the next invocation; here there is none.
        let mut stopping = shared.stopping.clone();
        let _ = stopping.wait_for(|stop| *stop).await;
        return (StatusCode::GONE, "the benchmark is over").into_response();
    };
    lock(&shared.first_next_at).get_or_insert(now);
    let deadline_ms = epoch_ms() + u64::try_from(shared.timeout.as_millis()).unwrap_or(u64::MAX);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    insert(
        &mut headers,
        "lambda-runtime-aws-request-id",
        &shared.request_id,
    );
    insert(
        &mut headers,
        "lambda-runtime-deadline-ms",
        &deadline_ms.to_string(),
    );
    insert(
        &mut headers,
        "lambda-runtime-invoked-function-arn",
        &shared.function_arn,
    );
    insert(&mut headers, "lambda-runtime-trace-id", &new_trace_id());
    (StatusCode::OK, headers, event).into_response()
}

fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

async fn invocation_response(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    answer(&shared, &id, Outcome::Response { body, at })
}

async fn invocation_error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let error_type = error_type(&headers);
    answer(
        &shared,
        &id,
        Outcome::InvocationError {
            error_type,
            body,
            at,
        },
    )
}

async fn init_error(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let error_type = error_type(&headers);
    let _ = shared.outcomes.send(Outcome::InitError {
        error_type,
        body,
        at,
    });
    accepted()
}

/// Records the one answer to the invocation; a wrong id or a second answer is a protocol error.
fn answer(shared: &Shared, id: &str, outcome: Outcome) -> Response {
    let at = outcome.at();
    if id != shared.request_id {
        let message = format!("answer for unknown request id {id:?}");
        let _ = shared.outcomes.send(Outcome::Protocol { message, at });
        return (StatusCode::BAD_REQUEST, "InvalidRequestID").into_response();
    }
    let mut answered = lock(&shared.answered);
    if *answered {
        let message = format!("second answer for request id {id:?}");
        let _ = shared.outcomes.send(Outcome::Protocol { message, at });
        return (StatusCode::BAD_REQUEST, "InvalidStateTransition").into_response();
    }
    *answered = true;
    let _ = shared.outcomes.send(outcome);
    accepted()
}

fn accepted() -> Response {
    (
        StatusCode::ACCEPTED,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"OK"}"#,
    )
        .into_response()
}

fn error_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get("lambda-runtime-function-error-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// 64 fresh-looking bits per call: the clock's nanoseconds mixed with a process-wide counter
/// (splitmix64). Unique per process and run, which is all a request id needs here.
fn fresh_bits() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut z = nanos
        ^ u64::from(std::process::id()).rotate_left(32)
        ^ COUNTER
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A UUID-shaped request id, like Lambda's.
fn new_request_id() -> String {
    let a = fresh_bits();
    let b = fresh_bits();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

/// An X-Ray trace header, like Lambda's (`Root=1-<epoch secs>-<96 bits>;Parent=…;Sampled=0`).
fn new_trace_id() -> String {
    let secs = epoch_ms() / 1000;
    format!(
        "Root=1-{secs:08x}-{:016x}{:08x};Parent={:016x};Sampled=0",
        fresh_bits(),
        fresh_bits() & 0xffff_ffff,
        fresh_bits()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_uuid_shaped_and_distinct() {
        let a = new_request_id();
        let b = new_request_id();
        assert_ne!(a, b);
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
    }

    #[test]
    fn trace_ids_have_root_parent_and_sampled() {
        let t = new_trace_id();
        assert!(t.starts_with("Root=1-"), "{t}");
        assert!(t.contains(";Parent="), "{t}");
        assert!(t.ends_with(";Sampled=0"), "{t}");
    }

    #[tokio::test]
    async fn refuses_a_non_loopback_address() {
        let invocation = Invocation {
            event: Bytes::from_static(b"{}"),
            function_name: "f".into(),
            region: "us-east-1".into(),
            timeout: Duration::from_secs(3),
        };
        let addr: SocketAddr = "0.0.0.0:0".parse().unwrap();
        assert!(RuntimeApi::start(addr, invocation).await.is_err());
    }
}
