//! Configuration from environment variables (documented defaults; invalid values fail start-up).

use shared::env::{parse_or, var, ConfigError};
use shared::logs::alerts::{
    DEFAULT_ALERT_COOLDOWN_SECONDS, DEFAULT_ERROR_ALERT_THRESHOLD, DEFAULT_FAILED_LOGIN_THRESHOLD,
};
use shared::logs::metrics::DEFAULT_NAMESPACE;
use shared::logs::DEFAULT_MAX_DECOMPRESSED_BYTES;

/// Every environment variable [`Config::from_lookup`] reads (the SAM template is checked
/// against this list).
pub const ENV_VARS: &[&str] = &[
    "ALERT_TOPIC_ARN",
    "METRICS_MODE",
    "METRICS_NAMESPACE",
    "FAILED_LOGIN_THRESHOLD",
    "ERROR_ALERT_THRESHOLD",
    "ALERT_COOLDOWN_SECONDS",
    "MAX_DECOMPRESSED_BYTES",
    "AWS_REGION",
];

/// Where the per-log-group metrics go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsMode {
    /// One Embedded Metric Format line per log group on stdout (no API calls).
    Emf,
    /// PutMetricData.
    Api,
    /// No metrics.
    Off,
}

impl std::str::FromStr for MetricsMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "emf" => Ok(MetricsMode::Emf),
            "api" => Ok(MetricsMode::Api),
            "off" | "none" => Ok(MetricsMode::Off),
            _ => Err("expected emf, api or off".to_owned()),
        }
    }
}

/// The function's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// SNS topic for alerts; `None` → alerts are logged, not published.
    pub alert_topic_arn: Option<String>,
    pub metrics_mode: MetricsMode,
    pub metrics_namespace: String,
    pub failed_login_threshold: u64,
    pub error_alert_threshold: u64,
    pub alert_cooldown_seconds: u64,
    pub max_decompressed_bytes: usize,
    pub region: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            alert_topic_arn: None,
            metrics_mode: MetricsMode::Emf,
            metrics_namespace: DEFAULT_NAMESPACE.to_owned(),
            failed_login_threshold: DEFAULT_FAILED_LOGIN_THRESHOLD,
            error_alert_threshold: DEFAULT_ERROR_ALERT_THRESHOLD,
            alert_cooldown_seconds: DEFAULT_ALERT_COOLDOWN_SECONDS,
            max_decompressed_bytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
            region: None,
        }
    }
}

impl Config {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let d = Config::default();
        let config = Config {
            alert_topic_arn: var(lookup, "ALERT_TOPIC_ARN"),
            metrics_mode: parse_or(lookup, "METRICS_MODE", d.metrics_mode)?,
            metrics_namespace: var(lookup, "METRICS_NAMESPACE").unwrap_or(d.metrics_namespace),
            failed_login_threshold: parse_or(
                lookup,
                "FAILED_LOGIN_THRESHOLD",
                d.failed_login_threshold,
            )?,
            error_alert_threshold: parse_or(
                lookup,
                "ERROR_ALERT_THRESHOLD",
                d.error_alert_threshold,
            )?,
            alert_cooldown_seconds: parse_or(
                lookup,
                "ALERT_COOLDOWN_SECONDS",
                d.alert_cooldown_seconds,
            )?,
            max_decompressed_bytes: parse_or(
                lookup,
                "MAX_DECOMPRESSED_BYTES",
                d.max_decompressed_bytes,
            )?,
            region: var(lookup, "AWS_REGION"),
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.failed_login_threshold == 0 {
            return Err(ConfigError::Invalid {
                name: "FAILED_LOGIN_THRESHOLD",
                reason: "must be at least 1".into(),
            });
        }
        if self.error_alert_threshold == 0 {
            return Err(ConfigError::Invalid {
                name: "ERROR_ALERT_THRESHOLD",
                reason: "must be at least 1".into(),
            });
        }
        if self.max_decompressed_bytes < 1024 {
            return Err(ConfigError::Invalid {
                name: "MAX_DECOMPRESSED_BYTES",
                reason: "must be at least 1024".into(),
            });
        }
        let ns = &self.metrics_namespace;
        let ns_ok = ns.len() <= 255
            && !ns.starts_with(':')
            && !ns.starts_with("AWS/")
            && ns
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._#:/- ".contains(c));
        if !ns_ok {
            return Err(ConfigError::Invalid {
                name: "METRICS_NAMESPACE",
                reason: format!("{ns:?} is not a valid CloudWatch custom namespace"),
            });
        }
        if let Some(arn) = &self.alert_topic_arn {
            if !arn.starts_with("arn:") {
                return Err(ConfigError::Invalid {
                    name: "ALERT_TOPIC_ARN",
                    reason: format!("{arn:?} is not an SNS topic ARN"),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use shared::env::lookup_from_pairs as lookup;

    #[test]
    fn defaults() {
        let c = Config::from_lookup(&lookup(&[])).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.metrics_mode, MetricsMode::Emf);
        assert_eq!(c.metrics_namespace, "LogProcessor");
        assert_eq!(c.failed_login_threshold, 5);
        assert_eq!(c.error_alert_threshold, 10);
        assert_eq!(c.alert_cooldown_seconds, 300);
        assert_eq!(c.max_decompressed_bytes, 64 * 1024 * 1024);
        assert_eq!(c.alert_topic_arn, None);
    }

    #[test]
    fn values_and_errors() {
        let c = Config::from_lookup(&lookup(&[
            ("METRICS_MODE", "API"),
            (
                "ALERT_TOPIC_ARN",
                "arn:aws:sns:us-east-1:123456789012:alerts",
            ),
            ("FAILED_LOGIN_THRESHOLD", "3"),
            ("AWS_REGION", "eu-west-1"),
        ]))
        .unwrap();
        assert_eq!(c.metrics_mode, MetricsMode::Api);
        assert_eq!(c.failed_login_threshold, 3);
        assert_eq!(c.region.as_deref(), Some("eu-west-1"));
        for (k, v) in [
            ("METRICS_MODE", "statsd"),
            ("FAILED_LOGIN_THRESHOLD", "0"),
            ("ERROR_ALERT_THRESHOLD", "ten"),
            ("METRICS_NAMESPACE", "AWS/Logs"),
            ("ALERT_TOPIC_ARN", "alerts"),
            ("MAX_DECOMPRESSED_BYTES", "-1"),
        ] {
            let err = Config::from_lookup(&lookup(&[(k, v)])).unwrap_err();
            assert!(err.to_string().contains(k), "{err}");
        }
    }

    #[test]
    fn env_vars_lists_everything_read() {
        let read = std::cell::RefCell::new(Vec::new());
        let spy = |k: &str| {
            read.borrow_mut().push(k.to_owned());
            None
        };
        Config::from_lookup(&spy).unwrap();
        let mut read = read.into_inner();
        read.sort();
        let mut listed: Vec<String> = ENV_VARS.iter().map(|s| s.to_string()).collect();
        listed.sort();
        assert_eq!(read, listed);
    }
}
