//! The delivery policy for one message: one POST on success; 429 waits `Retry-After` within
//! the invocation's remaining time; 5xx and network errors back off exponentially with jitter
//! up to `max_attempts`; a 400 that blames the payload is resent once as plain text; any other
//! 4xx is permanent.

use std::time::Duration;

use rand::Rng;
use shared::slack::Rendered;
use tokio::time::Instant;

use crate::config::WebhookUrl;
use crate::ports::{ChatSender, PostOutcome};

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts for 5xx/timeouts/network errors (the issue asks for 3).
    pub max_attempts: u32,
    /// First backoff; doubled per attempt, with "equal jitter" (50–100 % of the step).
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// How many 429s in a row we honour before giving up.
    pub max_rate_limit_waits: u32,
    /// Wait when a 429 comes without `Retry-After`.
    pub default_retry_after: Duration,
    /// Time kept back before the deadline to return the error to Lambda.
    pub safety_margin: Duration,
    /// Per-request timeout (also cut to the time left).
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_backoff: Duration::from_millis(300),
            max_backoff: Duration::from_secs(5),
            max_rate_limit_waits: 5,
            default_retry_after: Duration::from_secs(1),
            safety_margin: Duration::from_millis(500),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// A message that reached Slack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub posts: u32,
    /// Slack rejected the blocks and the plain-text version was delivered instead.
    pub plain_text_fallback: bool,
}

/// A message that did not reach Slack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undelivered {
    /// Slack's error code (`channel_is_archived`, `rate_limited`, `http_503`, `timeout`, …).
    pub code: String,
    pub status: Option<u16>,
    pub posts: u32,
    /// Retrying the same payload cannot succeed (4xx other than 429).
    pub permanent: bool,
}

/// Payload-related 400 codes: the same alert as plain text can still get through.
fn blames_payload(status: u16, code: &str) -> bool {
    status == 400
        && !matches!(
            code,
            "user_not_found"
                | "channel_not_found"
                | "channel_is_archived"
                | "action_prohibited"
                | "posting_to_general_channel_denied"
                | "no_service"
                | "no_service_id"
                | "invalid_token"
                | "no_team"
                | "team_disabled"
                | "no_active_hooks"
        )
}

/// Delivers one rendered message before `deadline`.
pub async fn deliver(
    sender: &dyn ChatSender,
    url: &WebhookUrl,
    rendered: &Rendered,
    deadline: Instant,
    policy: &RetryPolicy,
) -> Result<Delivered, Undelivered> {
    let mut body = rendered.body();
    let mut plain = false;
    let mut posts = 0u32;
    let mut transient_failures = 0u32;
    let mut rate_limited = 0u32;
    loop {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .saturating_sub(policy.safety_margin);
        if left.is_zero() {
            return Err(Undelivered {
                code: "invocation_deadline".into(),
                status: None,
                posts,
                permanent: false,
            });
        }
        posts += 1;
        let outcome = sender
            .post(url, body.clone(), policy.request_timeout.min(left))
            .await;
        match outcome {
            PostOutcome::Delivered => {
                return Ok(Delivered {
                    posts,
                    plain_text_fallback: plain,
                })
            }
            PostOutcome::RateLimited { retry_after } => {
                rate_limited += 1;
                let wait = retry_after.unwrap_or(policy.default_retry_after);
                let left = deadline
                    .saturating_duration_since(Instant::now())
                    .saturating_sub(policy.safety_margin);
                // Waiting only makes sense if a retry can still happen after it.
                if rate_limited > policy.max_rate_limit_waits
                    || wait + Duration::from_millis(100) >= left
                {
                    tracing::warn!(
                        retry_after_ms = wait.as_millis() as u64,
                        left_ms = left.as_millis() as u64,
                        "Slack rate limit: Retry-After exceeds the time left in this invocation"
                    );
                    return Err(Undelivered {
                        code: "rate_limited".into(),
                        status: Some(429),
                        posts,
                        permanent: false,
                    });
                }
                tracing::info!(
                    retry_after_ms = wait.as_millis() as u64,
                    "Slack rate limit (429): waiting Retry-After"
                );
                tokio::time::sleep(wait).await;
            }
            PostOutcome::Transient { status, code } => {
                transient_failures += 1;
                if transient_failures >= policy.max_attempts {
                    return Err(Undelivered {
                        code,
                        status,
                        posts,
                        permanent: false,
                    });
                }
                let wait = backoff(policy, transient_failures);
                let left = deadline
                    .saturating_duration_since(Instant::now())
                    .saturating_sub(policy.safety_margin);
                if wait >= left {
                    return Err(Undelivered {
                        code,
                        status,
                        posts,
                        permanent: false,
                    });
                }
                tracing::info!(status, code = %code, attempt = transient_failures, backoff_ms = wait.as_millis() as u64, "Slack post failed, retrying");
                tokio::time::sleep(wait).await;
            }
            PostOutcome::Rejected { status, code } => {
                if !plain && blames_payload(status, &code) {
                    tracing::warn!(status, code = %code, kind = rendered.kind, "Slack rejected the message blocks; resending as plain text");
                    plain = true;
                    body = rendered.plain_body();
                    continue;
                }
                return Err(Undelivered {
                    code,
                    status: Some(status),
                    posts,
                    permanent: true,
                });
            }
        }
    }
}

/// Exponential backoff with equal jitter: step = base·2^(n-1) (capped), wait in [step/2, step].
fn backoff(policy: &RetryPolicy, failures: u32) -> Duration {
    let step = policy
        .base_backoff
        .saturating_mul(1u32 << (failures.saturating_sub(1)).min(16))
        .min(policy.max_backoff);
    let half = step / 2;
    let jitter_ms = rand::rng().random_range(0..=half.as_millis().min(u64::MAX as u128) as u64);
    half + Duration::from_millis(jitter_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_bounded() {
        let p = RetryPolicy::default();
        for n in 1..=10 {
            let b = backoff(&p, n);
            let step = p
                .base_backoff
                .saturating_mul(1 << (n - 1))
                .min(p.max_backoff);
            assert!(b >= step / 2 && b <= step, "{n}: {b:?}");
        }
    }

    #[test]
    fn which_400s_get_the_plain_text_retry() {
        assert!(blames_payload(400, "invalid_blocks"));
        assert!(blames_payload(400, "invalid_payload"));
        assert!(blames_payload(400, "http_400"));
        assert!(!blames_payload(400, "user_not_found"));
        assert!(!blames_payload(404, "channel_not_found"));
        assert!(!blames_payload(410, "channel_is_archived"));
    }
}
