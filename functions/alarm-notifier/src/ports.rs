//! Ports: the two things the handler needs from the outside world.

use std::time::Duration;

use async_trait::async_trait;

use crate::config::WebhookUrl;

/// Where the webhook URL comes from (environment or Secrets Manager).
#[async_trait]
pub trait WebhookSource: Send + Sync {
    async fn webhook_url(&self) -> Result<WebhookUrl, WebhookError>;
}

/// One POST of a JSON body to the webhook.
#[async_trait]
pub trait ChatSender: Send + Sync {
    async fn post(&self, url: &WebhookUrl, body: String, timeout: Duration) -> PostOutcome;
}

/// What Slack (or the network) answered to one POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostOutcome {
    /// 2xx.
    Delivered,
    /// 429, with `Retry-After` when Slack sent one.
    RateLimited { retry_after: Option<Duration> },
    /// Any other 3xx/4xx: `code` is Slack's error string (`invalid_blocks`,
    /// `channel_is_archived`, …) or `http_<status>`.
    Rejected { status: u16, code: String },
    /// 5xx, timeout or network error: worth retrying.
    Transient { status: Option<u16>, code: String },
}

/// The webhook URL could not be obtained. Messages never contain the secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("cannot read the Slack webhook secret {secret_id}: {reason}")]
    SecretUnavailable { secret_id: String, reason: String },
    #[error("the Slack webhook secret {secret_id} is not usable: {reason}")]
    SecretInvalid { secret_id: String, reason: String },
}
