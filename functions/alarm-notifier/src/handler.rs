//! The Lambda handler: every SNS record becomes one Slack message; the invocation fails (so
//! Lambda retries and the on-failure destination keeps the event) when any record was not
//! delivered.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::Serialize;
use serde_json::Value;
use shared::slack::{self, RenderOptions};
use tokio::time::Instant;

use crate::config::{Config, WebhookUrl};
use crate::delivery::{deliver, RetryPolicy, Undelivered};
use crate::ports::{ChatSender, WebhookError, WebhookSource};

/// Time budget when the context has no deadline (local `--event` replay).
const REPLAY_BUDGET: Duration = Duration::from_secs(60);

/// The success response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    /// Messages posted to Slack.
    pub delivered: usize,
    /// OK messages skipped because `NOTIFY_ON_OK=false` (handled, not posted).
    #[serde(skip_serializing_if = "is_zero")]
    pub skipped: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One record that was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFailure {
    /// 1-based position in the event.
    pub record: usize,
    pub message_id: Option<String>,
    pub kind: &'static str,
    pub failure: Undelivered,
}

#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    #[error("{} of {total} messages not delivered to Slack: {}", failures.len(), describe(failures))]
    Undelivered {
        total: usize,
        failures: Vec<RecordFailure>,
    },
}

fn describe(failures: &[RecordFailure]) -> String {
    failures
        .iter()
        .map(|f| {
            let u = &f.failure;
            format!(
                "record {} ({}{}): {}{} after {} post{}{}",
                f.record,
                f.kind,
                f.message_id
                    .as_deref()
                    .map(|m| format!(", message id {m}"))
                    .unwrap_or_default(),
                u.code,
                u.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(),
                u.posts,
                if u.posts == 1 { "" } else { "s" },
                if u.permanent { ", permanent" } else { "" },
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl HandlerError {
    /// Stable `errorType` strings (alarm on them, search for them).
    pub fn error_type(&self) -> &'static str {
        match self {
            HandlerError::Webhook(WebhookError::SecretUnavailable { .. }) => {
                "WebhookSecretUnavailable"
            }
            HandlerError::Webhook(WebhookError::SecretInvalid { .. }) => "WebhookSecretInvalid",
            HandlerError::Undelivered { failures, .. }
                if failures.iter().all(|f| f.failure.permanent) =>
            {
                "SlackRejected"
            }
            HandlerError::Undelivered { .. } => "SlackDeliveryFailed",
        }
    }
}

impl From<HandlerError> for Diagnostic {
    fn from(e: HandlerError) -> Self {
        Diagnostic {
            error_type: e.error_type().to_owned(),
            error_message: e.to_string(),
        }
    }
}

/// Everything the handler needs; built once per container.
pub struct Notifier {
    source: Arc<dyn WebhookSource>,
    sender: Arc<dyn ChatSender>,
    options: RenderOptions,
    notify_on_ok: bool,
    policy: RetryPolicy,
}

impl Notifier {
    pub fn new(
        config: &Config,
        source: Arc<dyn WebhookSource>,
        sender: Arc<dyn ChatSender>,
    ) -> Self {
        Notifier {
            source,
            sender,
            options: RenderOptions {
                mention: config.mention.clone(),
            },
            notify_on_ok: config.notify_on_ok,
            policy: RetryPolicy {
                max_attempts: config.max_attempts,
                request_timeout: config.request_timeout,
                ..RetryPolicy::default()
            },
        }
    }

    /// Replaces the retry timings (tests use short backoffs).
    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Response, HandlerError> {
        let deadline = deadline_of(&event.context);
        let notifications = slack::notifications(&event.payload);
        let total = notifications.len();
        let mut url: Option<WebhookUrl> = None;
        let mut delivered = 0;
        let mut skipped = 0;
        let mut failures = Vec::new();
        for (i, n) in notifications.iter().enumerate() {
            let rendered = slack::render(n, &self.options);
            let message_id = n.message_id.as_deref().unwrap_or("");
            if rendered.is_ok && !self.notify_on_ok {
                tracing::info!(record = i + 1, message_id, kind = rendered.kind, title = %rendered.title, "OK message skipped (NOTIFY_ON_OK=false)");
                skipped += 1;
                continue;
            }
            // Resolved on first use: an all-skipped event needs no secret.
            let webhook = match &url {
                Some(u) => u,
                None => url.insert(self.source.webhook_url().await?),
            };
            match deliver(
                self.sender.as_ref(),
                webhook,
                &rendered,
                deadline,
                &self.policy,
            )
            .await
            {
                Ok(d) => {
                    delivered += 1;
                    tracing::info!(record = i + 1, message_id, kind = rendered.kind, title = %rendered.title, posts = d.posts, plain_text_fallback = d.plain_text_fallback, mentioned = rendered.mentioned, "delivered to Slack");
                }
                Err(failure) => {
                    tracing::error!(record = i + 1, message_id, kind = rendered.kind, title = %rendered.title, code = %failure.code, status = failure.status, posts = failure.posts, permanent = failure.permanent, "not delivered to Slack");
                    failures.push(RecordFailure {
                        record: i + 1,
                        message_id: n.message_id.clone(),
                        kind: rendered.kind,
                        failure,
                    });
                }
            }
        }
        if failures.is_empty() {
            Ok(Response { delivered, skipped })
        } else {
            Err(HandlerError::Undelivered { total, failures })
        }
    }
}

/// Deadlines before 2000-01-01 are not epoch times: cargo-lambda's emulator (1.9) sends the
/// timeout as a duration (`600000`) in `Lambda-Runtime-Deadline-Ms`. Real Lambda never does.
const EARLIEST_EPOCH_DEADLINE_MS: u64 = 946_684_800_000;

/// The invocation deadline as a tokio instant; a context without a real one (local replay,
/// emulators) gets [`REPLAY_BUDGET`].
fn deadline_of(context: &lambda_runtime::Context) -> Instant {
    let now = Instant::now();
    if context.deadline < EARLIEST_EPOCH_DEADLINE_MS {
        return now + REPLAY_BUDGET;
    }
    let left = context
        .deadline()
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    now + left
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context_with_deadline(deadline_ms: u64) -> lambda_runtime::Context {
        let mut context = lambda_runtime::Context::default();
        context.deadline = deadline_ms;
        context
    }

    #[test]
    fn a_real_epoch_deadline_bounds_the_budget() {
        let in_two_seconds = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
            + 2_000;
        let left = deadline_of(&context_with_deadline(in_two_seconds)) - Instant::now();
        assert!(left <= Duration::from_secs(2), "{left:?}");
        assert!(left > Duration::from_millis(1_000), "{left:?}");
    }

    #[test]
    fn missing_or_emulator_style_deadlines_get_the_replay_budget() {
        for deadline in [0, 600_000, EARLIEST_EPOCH_DEADLINE_MS - 1] {
            let left = deadline_of(&context_with_deadline(deadline)) - Instant::now();
            assert!(
                left > REPLAY_BUDGET - Duration::from_secs(1),
                "{deadline}: {left:?}"
            );
        }
    }

    #[test]
    fn a_past_epoch_deadline_leaves_no_time() {
        let left =
            deadline_of(&context_with_deadline(EARLIEST_EPOCH_DEADLINE_MS + 1)) - Instant::now();
        assert_eq!(left, Duration::ZERO);
    }
}
