//! Slack incoming-webhook adapter (reqwest + rustls). One client per container, built in
//! `main` outside the handler so TLS and connection set-up happen once.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};

use crate::config::WebhookUrl;
use crate::ports::{ChatSender, PostOutcome};

pub struct SlackWebhook {
    client: reqwest::Client,
}

impl SlackWebhook {
    /// Builds the HTTP client. Redirects are not followed: a webhook never redirects, and a
    /// redirect must not carry the message (or the URL) elsewhere.
    pub fn new(connect_timeout: Duration, request_timeout: Duration) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .timeout(request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("alarm-notifier/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {}", e.without_url()))?;
        Ok(SlackWebhook { client })
    }
}

#[async_trait]
impl ChatSender for SlackWebhook {
    async fn post(&self, url: &WebhookUrl, body: String, timeout: Duration) -> PostOutcome {
        let response = self
            .client
            .post(url.expose())
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .timeout(timeout)
            .body(body)
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) => return transport_error(e, url),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        // Slack answers with a short plain-text code ("ok", "invalid_blocks", …).
        let text = response.text().await.unwrap_or_default();
        let code = slack_code(&text, status);
        match status {
            200..=299 => PostOutcome::Delivered,
            429 => PostOutcome::RateLimited { retry_after },
            500..=599 => PostOutcome::Transient {
                status: Some(status),
                code,
            },
            _ => PostOutcome::Rejected { status, code },
        }
    }
}

/// A network error as a transient outcome, with the URL removed from the text (reqwest puts
/// it in `Display`; `without_url` drops it, and the chain is scrubbed in case a source repeats
/// it).
fn transport_error(e: reqwest::Error, url: &WebhookUrl) -> PostOutcome {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect_error"
    } else {
        "network_error"
    };
    let e = e.without_url();
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    tracing::debug!(kind, detail = %scrub(&detail, url), "Slack request failed");
    PostOutcome::Transient {
        status: None,
        code: kind.to_owned(),
    }
}

/// Removes the URL (and its path, which holds the token) from `text`.
pub fn scrub(text: &str, url: &WebhookUrl) -> String {
    let mut out = text.replace(url.expose(), "<webhook>");
    if let Ok(parsed) = reqwest::Url::parse(url.expose()) {
        let path = parsed.path();
        if path.len() > 1 {
            out = out.replace(path, "/<redacted>");
        }
    }
    out
}

/// `Retry-After` in seconds (Slack's form); HTTP dates are not used by Slack.
fn parse_retry_after(v: &str) -> Option<Duration> {
    let secs: f64 = v.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3_600.0)))
}

/// Slack's error string when the body is one (`snake_case`, short), else `http_<status>`.
fn slack_code(body: &str, status: u16) -> String {
    let t = body.trim();
    if !t.is_empty()
        && t.len() <= 64
        && t.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        t.to_owned()
    } else {
        format!("http_{status}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_retry_after() {
        assert_eq!(slack_code("invalid_blocks", 400), "invalid_blocks");
        assert_eq!(slack_code("<html>Bad gateway</html>", 502), "http_502");
        assert_eq!(slack_code("", 500), "http_500");
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn scrub_removes_url_and_path() {
        let url = WebhookUrl::parse("https://hooks.slack.com/services/T0/B0/SECRET").unwrap();
        let s = scrub(
            "error for https://hooks.slack.com/services/T0/B0/SECRET and /services/T0/B0/SECRET",
            &url,
        );
        assert!(!s.contains("SECRET"), "{s}");
    }
}
