//! The HTTP server of `coaching-local`: hyper's HTTP/1.1 server with the bounds a listener open
//! to a network needs, which `axum::serve` does not set:
//!
//! - a **header-read timeout**: a client must send a request's headers within
//!   [`Limits::header_read_timeout`] of starting it (slowloris senders of a byte every few
//!   seconds, and silent connections, are closed), and the same bound closes a keep-alive
//!   connection that sends no next request in that time (hyper restarts the timer after each
//!   response);
//! - a **connection cap** ([`Limits::max_connections`], kept below the file-descriptor limit,
//!   whose soft value is raised to the hard one at start): at the cap, connections without a
//!   request in flight are asked to close (hyper closes idle ones at once), so a new client such
//!   as a health check gets in; one that still finds no room within [`ROOM_WAIT`] is answered
//!   503 `overloaded` with `Retry-After` and closed;
//! - **graceful shutdown**: the stop signal ends accepting, idle connections close, requests in
//!   flight finish.
//!
//! HTTP/1.1 only: hyper-util's HTTP/1-or-2 builder first waits for the bytes that tell the two
//! apart, with no timeout, so a silent connection would sit there forever; HTTP/2 without TLS
//! (h2c) is not what browsers, curl or the SDKs speak to a local server anyway.

use crate::shutdown::Stop;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1::Builder;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// How long a connection over the cap waits for room before it is answered 503.
pub const ROOM_WAIT: Duration = Duration::from_secs(2);
/// How long a new connection may take to send its request before the cap may close it as idle.
const EVICT_GRACE: Duration = Duration::from_millis(100);
/// Connections over the cap that may wait for room at once; more are closed at once.
const MAX_WAITING: usize = 64;
/// File descriptors kept free of connections: the store's files, the SDK's pooled
/// connections, logs.
const FD_RESERVE: u64 = 64;

/// The server's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

/// Raises the soft file-descriptor limit to the hard one (where the OS allows) and returns
/// the connection cap that fits under it: `wanted`, or less when the limit is lower.
pub fn connection_cap(wanted: usize) -> usize {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let mut soft = limit.current;
    if limit.current != limit.maximum {
        let raised = rustix::process::Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => soft = limit.maximum,
            Err(e) => tracing::warn!(error = %e, "cannot raise the file-descriptor limit"),
        }
    }
    match soft {
        // Unlimited.
        None => wanted,
        Some(n) => {
            let room = n.saturating_sub(FD_RESERVE.min(n / 4)).max(1);
            wanted.min(usize::try_from(room).unwrap_or(usize::MAX))
        }
    }
}

/// Serves `app` on `listener` until `stop`, then lets connections finish their requests.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits, stop: Stop) {
    let room = Arc::new(Semaphore::new(limits.max_connections));
    let waiting = Arc::new(Semaphore::new(MAX_WAITING));
    // Bumped when the cap is reached: every connection then closes if it is idle.
    let (pressure_tx, pressure) = watch::channel(0u64);
    let (closing_tx, closing) = watch::channel(false);
    let mut builder = Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let builder = Arc::new(builder);
    let mut stopped = std::pin::pin!(stop.wait());
    loop {
        let stream = tokio::select! {
            () = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors (EMFILE) or a connection reset before accept: wait a
                    // little instead of spinning, as axum::serve does.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        // Pressure from before this connection was accepted is not about it; any later is.
        let mut seen = pressure.clone();
        seen.borrow_and_update();
        let mut connection = Connection {
            builder: builder.clone(),
            app: app.clone(),
            pressure: seen,
            closing: closing.clone(),
        };
        match room.clone().try_acquire_owned() {
            Ok(permit) => {
                tokio::spawn(async move {
                    connection.run(stream).await;
                    drop(permit);
                });
            }
            Err(_) => {
                pressure_tx.send_modify(|n| *n = n.wrapping_add(1));
                // Its own call for room is not a reason for it to leave.
                connection.pressure.borrow_and_update();
                let Ok(waiter) = waiting.clone().try_acquire_owned() else {
                    tracing::warn!("connection cap reached and too many waiting: closing one");
                    drop(stream);
                    continue;
                };
                let room = room.clone();
                tokio::spawn(async move {
                    let permit = tokio::time::timeout(ROOM_WAIT, room.acquire_owned()).await;
                    drop(waiter);
                    match permit {
                        Ok(Ok(permit)) => {
                            connection.run(stream).await;
                            drop(permit);
                        }
                        _ => connection.refuse(stream).await,
                    }
                });
            }
        }
    }
    drop(listener);
    let _ = closing_tx.send(true);
    // Every permit back: every connection has closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = room.acquire_many(all).await;
}

struct Connection {
    builder: Arc<Builder>,
    app: Router,
    pressure: watch::Receiver<u64>,
    closing: watch::Receiver<bool>,
}

impl Connection {
    async fn run(mut self, stream: TcpStream) {
        let started = tokio::time::Instant::now();
        let app = self.app.clone();
        let service = hyper::service::service_fn(move |req: http::Request<Incoming>| {
            app.clone().oneshot(req.map(axum::body::Body::new))
        });
        let conn = self
            .builder
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let mut conn = std::pin::pin!(conn);
        let mut asked_to_close = *self.closing.borrow();
        if asked_to_close {
            conn.as_mut().graceful_shutdown();
        }
        // When the cap asks for room: not before EVICT_GRACE after the connection started, so a
        // client whose request is on its way is served rather than cut off.
        let mut evict_at: Option<tokio::time::Instant> = None;
        loop {
            let deadline = evict_at.unwrap_or_else(|| started + Duration::from_secs(86_400));
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = self.pressure.changed(), if !asked_to_close && evict_at.is_none() => {
                    evict_at = Some((started + EVICT_GRACE).max(tokio::time::Instant::now()));
                }
                // graceful_shutdown closes the connection now when it is idle, else after its
                // response; once is enough.
                () = tokio::time::sleep_until(deadline), if !asked_to_close && evict_at.is_some() => {
                    conn.as_mut().graceful_shutdown();
                    asked_to_close = true;
                }
                _ = self.closing.changed(), if !asked_to_close => {
                    conn.as_mut().graceful_shutdown();
                    asked_to_close = true;
                }
            }
        }
    }

    /// Answers every request of `stream` 503 `overloaded` and closes it.
    async fn refuse(self, stream: TcpStream) {
        let service = hyper::service::service_fn(|_req: http::Request<Incoming>| async {
            let mut res = axum::response::IntoResponse::into_response(
                coaching_http::problem::ApiError::unavailable(
                    "overloaded",
                    "the server has too many open connections: retry shortly",
                ),
            );
            res.headers_mut().insert(
                http::header::CONNECTION,
                http::HeaderValue::from_static("close"),
            );
            Ok::<_, std::convert::Infallible>(res)
        });
        let mut builder = Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(2))
            .keep_alive(false);
        let _ = builder
            .serve_connection(TokioIo::new(stream), service)
            .await;
    }
}
