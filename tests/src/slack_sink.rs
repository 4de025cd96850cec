//! A local Slack incoming webhook for tests and the demo.
//!
//! `SlackSink::start()` listens on 127.0.0.1 (free port) in its own thread and runtime, so it
//! works from sync tests, async tests and for child processes. Every POST is recorded (path,
//! headers, body); responses follow a script (`429` + `Retry-After`, `500`, `400
//! invalid_blocks`, `410 channel_is_archived`, …) and are `200 ok` once the script runs out.
//! The server stops when the sink is dropped.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

/// The path part of the webhook URL; tests look for it in logs to prove it never leaks.
pub const WEBHOOK_PATH: &str = "/services/T0TESTTEAM/B0TESTHOOK/sEcReTtOkEnDoNoTlOg1234";

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedResponse {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
    /// Wait this long before answering (to provoke client timeouts).
    pub delay: Duration,
}

impl ScriptedResponse {
    pub fn new(status: u16, body: &str) -> Self {
        ScriptedResponse {
            status,
            body: body.to_owned(),
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// `200 ok`, Slack's success answer.
    pub fn ok() -> Self {
        Self::new(200, "ok")
    }

    /// `429` with `Retry-After: <seconds>`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::new(429, "rate_limited").header("Retry-After", &retry_after_secs.to_string())
    }

    pub fn server_error() -> Self {
        Self::new(500, "rollup_error")
    }

    pub fn invalid_blocks() -> Self {
        Self::new(400, "invalid_blocks")
    }

    pub fn invalid_payload() -> Self {
        Self::new(400, "invalid_payload")
    }

    pub fn channel_is_archived() -> Self {
        Self::new(410, "channel_is_archived")
    }

    pub fn channel_not_found() -> Self {
        Self::new(404, "channel_not_found")
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// One POST the sink received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub received_at: Instant,
}

impl RecordedRequest {
    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Shared {
    script: VecDeque<ScriptedResponse>,
    requests: Vec<RecordedRequest>,
}

pub struct SlackSink {
    url: String,
    state: Arc<Mutex<Shared>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

fn lock(state: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SlackSink {
    /// Starts a sink that answers `200 ok` to everything.
    pub fn start() -> Self {
        Self::start_with(Vec::new())
    }

    /// Starts a sink that answers with `script` in order, then `200 ok`.
    pub fn start_with(script: Vec<ScriptedResponse>) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().expect("local addr").port();
        let state = Arc::new(Mutex::new(Shared {
            script: script.into(),
            requests: Vec::new(),
        }));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app_state = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("slack-sink".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("sink runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let app = Router::new().fallback(record).with_state(app_state);
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = rx.await;
                        })
                        .await;
                });
            })
            .expect("spawn sink thread");
        SlackSink {
            url: format!("http://127.0.0.1:{port}{WEBHOOK_PATH}"),
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// The webhook URL (a secret in real life: tests check it never appears in logs).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Appends answers to the script.
    pub fn push(&self, responses: impl IntoIterator<Item = ScriptedResponse>) {
        lock(&self.state).script.extend(responses);
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    pub fn request_count(&self) -> usize {
        lock(&self.state).requests.len()
    }

    /// Waits until at least `n` requests arrived or `timeout` passed; returns the requests.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<RecordedRequest> {
        let until = Instant::now() + timeout;
        while self.request_count() < n && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.requests()
    }
}

async fn record(
    State(state): State<Arc<Mutex<Shared>>>,
    method: axum::http::Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let scripted = {
        let mut shared = lock(&state);
        shared.requests.push(RecordedRequest {
            method: method.to_string(),
            path: uri.path().to_owned(),
            headers: headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: String::from_utf8_lossy(&body).into_owned(),
            received_at: Instant::now(),
        });
        shared
            .script
            .pop_front()
            .unwrap_or_else(ScriptedResponse::ok)
    };
    if !scripted.delay.is_zero() {
        tokio::time::sleep(scripted.delay).await;
    }
    let status = StatusCode::from_u16(scripted.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, scripted.body).into_response();
    for (k, v) in scripted.headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(k.as_bytes()),
            axum::http::HeaderValue::from_str(&v),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

impl Drop for SlackSink {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
