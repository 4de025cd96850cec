//! Webhook URL sources: a fixed URL from the environment, or a Secrets Manager secret fetched
//! once per container and cached (a failed fetch is not cached, the next invocation retries).

use async_trait::async_trait;
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use tokio::sync::OnceCell;

use crate::config::WebhookUrl;
use crate::ports::{WebhookError, WebhookSource};

/// `SLACK_WEBHOOK_URL`.
pub struct StaticWebhook(pub WebhookUrl);

#[async_trait]
impl WebhookSource for StaticWebhook {
    async fn webhook_url(&self) -> Result<WebhookUrl, WebhookError> {
        Ok(self.0.clone())
    }
}

/// `SLACK_WEBHOOK_SECRET_ARN`.
pub struct SecretsManagerWebhook {
    client: aws_sdk_secretsmanager::Client,
    secret_id: String,
    cached: OnceCell<WebhookUrl>,
}

impl SecretsManagerWebhook {
    pub fn new(client: aws_sdk_secretsmanager::Client, secret_id: impl Into<String>) -> Self {
        SecretsManagerWebhook {
            client,
            secret_id: secret_id.into(),
            cached: OnceCell::new(),
        }
    }

    async fn fetch(&self) -> Result<WebhookUrl, WebhookError> {
        let out = self
            .client
            .get_secret_value()
            .secret_id(&self.secret_id)
            .send()
            .await
            .map_err(|e| WebhookError::SecretUnavailable {
                secret_id: self.secret_id.clone(),
                reason: DisplayErrorContext(&e).to_string(),
            })?;
        let value = match (out.secret_string(), out.secret_binary()) {
            (Some(s), _) => s.to_owned(),
            (None, Some(b)) => String::from_utf8(b.as_ref().to_vec())
                .map_err(|_| self.invalid("the binary secret is not UTF-8 text"))?,
            (None, None) => return Err(self.invalid("the secret has no value")),
        };
        parse_secret(&value).map_err(|reason| self.invalid(reason))
    }

    fn invalid(&self, reason: &str) -> WebhookError {
        WebhookError::SecretInvalid {
            secret_id: self.secret_id.clone(),
            reason: reason.to_owned(),
        }
    }
}

#[async_trait]
impl WebhookSource for SecretsManagerWebhook {
    async fn webhook_url(&self) -> Result<WebhookUrl, WebhookError> {
        let url = self.cached.get_or_try_init(|| self.fetch()).await?;
        if self.cached.initialized() {
            tracing::debug!(secret_id = %self.secret_id, "Slack webhook URL from Secrets Manager (cached per container)");
        }
        Ok(url.clone())
    }
}

/// JSON keys that may hold the URL in a JSON secret (matched case-insensitively).
const URL_KEYS: &[&str] = &["url", "webhook_url", "webhookUrl", "slack_webhook_url"];

/// The secret string is the URL itself, or a JSON object with a `url`/`webhook_url` key.
/// Errors never contain the value.
pub fn parse_secret(value: &str) -> Result<WebhookUrl, &'static str> {
    let value = value.trim();
    if value.starts_with('{') {
        let json: serde_json::Value = serde_json::from_str(value)
            .map_err(|_| "the secret looks like JSON but does not parse")?;
        let obj = json.as_object().ok_or("the JSON secret is not an object")?;
        let url = obj
            .iter()
            .find(|(k, _)| URL_KEYS.iter().any(|u| u.eq_ignore_ascii_case(k)))
            .and_then(|(_, v)| v.as_str())
            .ok_or("the JSON secret has no string \"url\" or \"webhook_url\" key")?;
        return WebhookUrl::parse(url);
    }
    if value.is_empty() {
        return Err("the secret is empty");
    }
    WebhookUrl::parse(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://hooks.slack.com/services/T000/B000/XXXX";

    #[test]
    fn secret_formats() {
        assert_eq!(parse_secret(URL).unwrap().expose(), URL);
        assert_eq!(parse_secret(&format!(" {URL}\n")).unwrap().expose(), URL);
        assert_eq!(
            parse_secret(&format!(r#"{{"url":"{URL}"}}"#))
                .unwrap()
                .expose(),
            URL
        );
        assert_eq!(
            parse_secret(&format!(r#"{{"webhook_url":"{URL}","channel":"x"}}"#))
                .unwrap()
                .expose(),
            URL
        );
        assert_eq!(
            parse_secret(&format!(r#"{{"SLACK_WEBHOOK_URL":"{URL}"}}"#))
                .unwrap()
                .expose(),
            URL
        );
        assert!(parse_secret(r#"{"token":"xoxb-SECRET"}"#).is_err());
        assert!(parse_secret("").is_err());
        assert!(parse_secret("{not json").is_err());
        let err = parse_secret("http://hooks.slack.com/SECRET").unwrap_err();
        assert!(!err.contains("SECRET"));
    }
}
