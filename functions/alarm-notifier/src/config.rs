//! Configuration from environment variables (documented in the README).

use std::fmt;
use std::time::Duration;

use shared::env::{self, ConfigError};

/// Every environment variable this function reads (checked against template.yaml).
pub const ENV_VARS: &[&str] = &[
    "SLACK_WEBHOOK_URL",
    "SLACK_WEBHOOK_SECRET_ARN",
    "SLACK_MENTION",
    "NOTIFY_ON_OK",
    "SLACK_CONNECT_TIMEOUT_MS",
    "SLACK_TIMEOUT_MS",
    "SLACK_MAX_ATTEMPTS",
];

/// A Slack incoming-webhook URL. It is a credential: `Debug` redacts it, there is no
/// `Display`, and nothing in this crate formats it into a log line or an error.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookUrl(<redacted>)")
    }
}

impl WebhookUrl {
    /// Validates a webhook URL: `https://…`, or `http://` to a loopback host (local tests).
    /// The error never contains the value.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let raw = raw.trim();
        let url = reqwest::Url::parse(raw).map_err(|_| "not a valid URL")?;
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err("must use https:// (http:// is accepted for 127.0.0.1 only)"),
            _ => return Err("must be an https:// URL"),
        }
        if url.host_str().is_none() {
            return Err("has no host");
        }
        Ok(WebhookUrl(raw.to_owned()))
    }

    /// The URL, for the HTTP adapter only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Where the webhook URL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookConfig {
    /// `SLACK_WEBHOOK_URL`.
    Url(WebhookUrl),
    /// `SLACK_WEBHOOK_SECRET_ARN`: a Secrets Manager secret (ARN or name) fetched once per
    /// container.
    Secret(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub webhook: WebhookConfig,
    /// Normalised mention markup, added to ALARM and high-severity messages.
    pub mention: Option<String>,
    /// Post OK (back to normal) messages; when false they are skipped and count as handled.
    pub notify_on_ok: bool,
    pub connect_timeout: Duration,
    /// Per-request timeout (also bounded by the time left in the invocation).
    pub request_timeout: Duration,
    /// Attempts for 5xx and network errors.
    pub max_attempts: u32,
}

impl Config {
    pub fn from_env(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let url = env::var(lookup, "SLACK_WEBHOOK_URL");
        let secret = env::var(lookup, "SLACK_WEBHOOK_SECRET_ARN");
        let webhook = match (url, secret) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::Invalid {
                    name: "SLACK_WEBHOOK_URL",
                    reason: "set either SLACK_WEBHOOK_URL or SLACK_WEBHOOK_SECRET_ARN, not both"
                        .into(),
                })
            }
            (Some(url), None) => WebhookConfig::Url(WebhookUrl::parse(&url).map_err(|reason| {
                ConfigError::Invalid {
                    name: "SLACK_WEBHOOK_URL",
                    reason: reason.to_owned(),
                }
            })?),
            (None, Some(arn)) => WebhookConfig::Secret(arn),
            (None, None) => return Err(ConfigError::Missing {
                name: "SLACK_WEBHOOK_URL",
                hint:
                    " (or SLACK_WEBHOOK_SECRET_ARN naming a Secrets Manager secret that holds it)"
                        .into(),
            }),
        };
        let mention = match env::var(lookup, "SLACK_MENTION") {
            None => None,
            Some(raw) => Some(shared::slack::normalize_mention(&raw).map_err(|reason| {
                ConfigError::Invalid {
                    name: "SLACK_MENTION",
                    reason,
                }
            })?),
        };
        let connect_ms: u64 = env::parse_or(lookup, "SLACK_CONNECT_TIMEOUT_MS", 3_000)?;
        let timeout_ms: u64 = env::parse_or(lookup, "SLACK_TIMEOUT_MS", 10_000)?;
        let max_attempts: u32 = env::parse_or(lookup, "SLACK_MAX_ATTEMPTS", 3)?;
        if connect_ms == 0 || timeout_ms == 0 {
            return Err(ConfigError::Invalid {
                name: if connect_ms == 0 {
                    "SLACK_CONNECT_TIMEOUT_MS"
                } else {
                    "SLACK_TIMEOUT_MS"
                },
                reason: "must be greater than 0".into(),
            });
        }
        if !(1..=10).contains(&max_attempts) {
            return Err(ConfigError::Invalid {
                name: "SLACK_MAX_ATTEMPTS",
                reason: format!("{max_attempts} is outside 1..=10"),
            });
        }
        Ok(Config {
            webhook,
            mention,
            notify_on_ok: env::bool_or(lookup, "NOTIFY_ON_OK", true)?,
            connect_timeout: Duration::from_millis(connect_ms),
            request_timeout: Duration::from_millis(timeout_ms),
            max_attempts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const URL: &str = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX";

    #[test]
    fn defaults() {
        let c = Config::from_env(&env_of(&[("SLACK_WEBHOOK_URL", URL)])).unwrap();
        assert_eq!(
            c.webhook,
            WebhookConfig::Url(WebhookUrl::parse(URL).unwrap())
        );
        assert!(c.notify_on_ok);
        assert_eq!(c.mention, None);
        assert_eq!(c.max_attempts, 3);
        assert_eq!(c.request_timeout, Duration::from_secs(10));
        assert_eq!(c.connect_timeout, Duration::from_secs(3));
    }

    #[test]
    fn secret_mention_and_flags() {
        let c = Config::from_env(&env_of(&[
            (
                "SLACK_WEBHOOK_SECRET_ARN",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-AbCdEf",
            ),
            ("SLACK_MENTION", "@here"),
            ("NOTIFY_ON_OK", "false"),
        ]))
        .unwrap();
        assert!(matches!(c.webhook, WebhookConfig::Secret(_)));
        assert_eq!(c.mention.as_deref(), Some("<!here>"));
        assert!(!c.notify_on_ok);
    }

    #[test]
    fn errors_name_the_variable_and_never_echo_the_url() {
        let err = Config::from_env(&env_of(&[])).unwrap_err();
        assert!(err.to_string().contains("SLACK_WEBHOOK_URL"), "{err}");
        let bad = "http://hooks.slack.com/services/T000/B000/SECRETSECRET";
        let err = Config::from_env(&env_of(&[("SLACK_WEBHOOK_URL", bad)])).unwrap_err();
        assert!(!err.to_string().contains("SECRETSECRET"), "{err}");
        let err = Config::from_env(&env_of(&[("SLACK_WEBHOOK_URL", "not a url SECRETSECRET")]))
            .unwrap_err();
        assert!(!err.to_string().contains("SECRETSECRET"), "{err}");
        assert!(Config::from_env(&env_of(&[
            ("SLACK_WEBHOOK_URL", URL),
            ("SLACK_WEBHOOK_SECRET_ARN", "x")
        ]))
        .is_err());
        assert!(Config::from_env(&env_of(&[
            ("SLACK_WEBHOOK_URL", URL),
            ("SLACK_MENTION", "everybody please")
        ]))
        .is_err());
        assert!(Config::from_env(&env_of(&[
            ("SLACK_WEBHOOK_URL", URL),
            ("SLACK_MAX_ATTEMPTS", "0")
        ]))
        .is_err());
        assert!(format!("{:?}", WebhookUrl::parse(URL).unwrap()).contains("redacted"));
    }

    #[test]
    fn loopback_http_is_allowed_for_tests() {
        assert!(WebhookUrl::parse("http://127.0.0.1:8080/services/x").is_ok());
        assert!(WebhookUrl::parse("ftp://example.com/x").is_err());
    }
}
