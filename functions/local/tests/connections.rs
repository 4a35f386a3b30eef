//! Slow, silent and idle clients against the real `coaching-local` binary: a client that does
//! not finish its headers in time, or keeps an idle keep-alive connection, is disconnected; at
//! the connection cap, idle connections make room, so `/health` keeps answering; when no room
//! can be made a new client gets 503 `overloaded`, not a hang.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn connect(server: &Server) -> TcpStream {
    let addr = server.base.trim_start_matches("http://");
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    s
}

/// Waits up to `within` for the server to close `stream` (EOF or reset); returns when it did.
fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    while started.elapsed() < within {
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return Some(started.elapsed()),
        }
    }
    None
}

/// One request on its own connection; the status line's code, or `None` when the connection
/// failed or answered nothing within `within`.
fn status_of(server: &Server, path: &str, within: Duration) -> Option<u16> {
    let mut s = connect(server);
    s.set_read_timeout(Some(within)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    text.split(' ').nth(1)?.parse().ok()
}

fn env(timeout_ms: u64, max_connections: usize) -> Vec<(&'static str, String)> {
    vec![
        ("COACHING_HEADER_READ_TIMEOUT_MS", timeout_ms.to_string()),
        ("COACHING_MAX_CONNECTIONS", max_connections.to_string()),
    ]
}

#[test]
fn a_client_that_sends_its_headers_a_byte_at_a_time_is_disconnected_after_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("c.db"), &env(1_000, 100));
    let mut slow = connect(&server);
    let started = Instant::now();

    // One byte every 300 ms: each write is "progress", but the headers never end.
    let mut closed = false;
    for byte in b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa".iter() {
        if slow.write_all(&[*byte]).is_err()
            || closed_within(&mut slow, Duration::from_millis(300)).is_some()
        {
            closed = true;
            break;
        }
        if started.elapsed() > Duration::from_secs(6) {
            break;
        }
    }

    assert!(closed, "still open after {:?}", started.elapsed());
    let after = started.elapsed();
    assert!(
        after >= Duration::from_millis(900) && after < Duration::from_secs(4),
        "{after:?}"
    );
    assert_eq!(
        status_of(&server, "/health", Duration::from_secs(5)),
        Some(200)
    );
}

#[test]
fn a_silent_connection_and_an_idle_keep_alive_connection_are_closed_after_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("c.db"), &env(1_000, 100));
    let mut silent = connect(&server);
    let mut idle = connect(&server);
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(idle, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut buf = [0u8; 1024];
    let n = idle.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    idle.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();

    let silent_closed = closed_within(&mut silent, Duration::from_secs(5));
    let idle_closed = closed_within(&mut idle, Duration::from_secs(5));

    assert!(silent_closed.is_some(), "the silent connection stayed open");
    assert!(
        idle_closed.is_some(),
        "the idle keep-alive connection stayed open"
    );
}

#[test]
fn at_the_connection_cap_idle_connections_make_room_and_health_keeps_answering() {
    let dir = tempfile::tempdir().unwrap();
    // A long header timeout: only the cap can make room here.
    let server = start(&dir.path().join("c.db"), &env(60_000, 16));
    let mut hogs: Vec<TcpStream> = (0..40).map(|_| connect(&server)).collect();

    let mut answered = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        answered.push((
            status_of(&server, "/health", Duration::from_secs(5)),
            started.elapsed(),
        ));
    }

    for (status, took) in &answered {
        assert_eq!(*status, Some(200), "{answered:?}");
        assert!(*took < Duration::from_secs(3), "{answered:?}");
    }
    // The silent connections over the cap were let go, not held open.
    let closed = hogs
        .iter_mut()
        .filter_map(|h| closed_within(h, Duration::from_millis(300)))
        .count();
    assert!(
        closed >= 40 - 16,
        "only {closed} of 40 silent connections closed"
    );
}

#[test]
fn when_no_room_can_be_made_a_new_client_gets_503_overloaded_and_then_service_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("c.db"), &env(5_000, 8));
    // Eight connections in the middle of their headers: not idle, so not asked to leave.
    let mut holders: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut s = connect(&server);
            s.write_all(b"GET /health HTTP/1.1\r\nHost: loc").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));

    let started = Instant::now();
    let refused = status_of(&server, "/health", Duration::from_secs(10));

    assert_eq!(refused, Some(503));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    // The holders time out (5 s): then there is room again.
    for h in &mut holders {
        assert!(closed_within(h, Duration::from_secs(8)).is_some());
    }
    assert_eq!(
        status_of(&server, "/health", Duration::from_secs(5)),
        Some(200)
    );
}

#[test]
fn an_overloaded_answer_is_problem_json_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("c.db"), &env(5_000, 2));
    let _holders: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = connect(&server);
            s.write_all(b"GET /health HTTP/1.1\r\nHo").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));

    let mut s = connect(&server);
    s.set_read_timeout(Some(Duration::from_secs(8))).unwrap();
    write!(s, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);

    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    let lower = text.to_ascii_lowercase();
    assert!(
        lower.contains("content-type: application/problem+json"),
        "{text}"
    );
    assert!(lower.contains("retry-after:"), "{text}");
    assert!(text.contains("\"code\":\"overloaded\""), "{text}");
}
