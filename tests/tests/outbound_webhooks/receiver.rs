//! A webhook receiver inside the test: an axum server on a free loopback port that records
//! every request and answers as the test scripted (status, headers, body, delay), then 200.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON event")
    }
    /// Whether Standard Webhooks' reference implementation accepts it under `secret`.
    pub fn verifies_with(&self, secret: &str) -> bool {
        let hook = standardwebhooks::Webhook::new(secret).expect("a whsec_ secret");
        hook.verify(self.body.as_bytes(), &self.headers).is_ok()
    }
}

/// An answer the receiver gives once.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Answer {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: String::new(),
            delay: Duration::ZERO,
        }
    }
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<Answer>>,
}

/// The running receiver; stops with the test's runtime.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
}

impl Receiver {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(answer).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let addr = listener.local_addr().expect("its address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}/hooks"),
            shared,
        }
    }

    /// The next answers, in order; after them every request gets 200.
    pub fn then(&self, answers: impl IntoIterator<Item = Answer>) -> &Self {
        self.shared.script.lock().expect("script").extend(answers);
        self
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().expect("received").clone()
    }
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.received.lock().expect("received").push(Received {
        path: uri.path().to_owned(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let next = shared.script.lock().expect("script").pop_front();
    let Some(answer) = next else {
        return (StatusCode::OK, "ok").into_response();
    };
    tokio::time::sleep(answer.delay).await;
    let mut res = (
        StatusCode::from_u16(answer.status).expect("a status"),
        answer.body,
    )
        .into_response();
    for (name, value) in answer.headers {
        res.headers_mut()
            .insert(name, value.parse().expect("a header value"));
    }
    res
}
