//! alarm-notifier: SNS messages (CloudWatch alarms, log-processor alerts, AWS events, text)
//! → Slack incoming webhook.
//!
//! Rendering is the pure core in `shared::slack`; this crate holds configuration, the ports
//! ([`ports::WebhookSource`], [`ports::ChatSender`]), their adapters (Secrets Manager, reqwest
//! webhook), the delivery policy and the handler.

pub mod config;
pub mod delivery;
pub mod handler;
pub mod ports;
pub mod secrets;
pub mod slack_webhook;

use std::sync::Arc;

pub use config::{Config, WebhookConfig, WebhookUrl, ENV_VARS};
pub use handler::{HandlerError, Notifier, Response};

/// Builds the notifier with real adapters: the HTTP client once per container, and the
/// Secrets Manager client only when the URL comes from a secret.
pub async fn build(config: &Config) -> Result<Notifier, String> {
    let sender = Arc::new(slack_webhook::SlackWebhook::new(
        config.connect_timeout,
        config.request_timeout,
    )?);
    let source: Arc<dyn ports::WebhookSource> = match &config.webhook {
        WebhookConfig::Url(url) => Arc::new(secrets::StaticWebhook(url.clone())),
        WebhookConfig::Secret(id) => {
            let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
            Arc::new(secrets::SecretsManagerWebhook::new(
                aws_sdk_secretsmanager::Client::new(&sdk),
                id.clone(),
            ))
        }
    };
    Ok(Notifier::new(config, source, sender))
}
