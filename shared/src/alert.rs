//! The log-processor alert document, schema `log-processor.alert/v1`.
//!
//! The log-processor publishes one of these as the SNS `Message` (JSON); the alarm-notifier
//! recognises it by `schema` and renders it. Both sides use these types, so the contract lives
//! in one place. Additive changes keep `v1`; a removed or re-typed field means `v2`.
//! Every field the notifier reads is optional or defaulted on the way in, so an older or newer
//! producer never makes the notifier drop a message.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Value of [`Alert::schema`] for this version.
pub const ALERT_SCHEMA_V1: &str = "log-processor.alert/v1";

/// What the alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// One or more sources reached `FAILED_LOGIN_THRESHOLD` failed logins in one batch.
    BruteForce,
    /// A batch held at least `ERROR_ALERT_THRESHOLD` error events.
    ErrorBurst,
    /// A kind this version does not know (a newer producer); rendered generically.
    #[serde(other)]
    Unknown,
}

impl AlertKind {
    /// The stable wire name, also used as the SNS `kind` message attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::BruteForce => "brute_force",
            AlertKind::ErrorBurst => "error_burst",
            AlertKind::Unknown => "unknown",
        }
    }
}

/// How urgent the alert is; also the SNS `severity` message attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
    #[serde(other)]
    Unknown,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
            Severity::Unknown => "unknown",
        }
    }
}

/// One alert document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Always [`ALERT_SCHEMA_V1`] for this version.
    pub schema: String,
    pub kind: AlertKind,
    pub severity: Severity,
    /// One human sentence, e.g. "2 sources made 37 failed logins in /var/log/secure; top 203.0.113.7 (30, users root, admin)".
    pub summary: String,
    pub log_group: String,
    /// Streams of the batch that triggered the alert.
    #[serde(default)]
    pub log_streams: Vec<String>,
    /// AWS account that owns the log group (the payload's `owner`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Region code of the processor (`AWS_REGION`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Failed logins (brute force: summed over the listed sources) or errors (error burst) in the batch.
    #[serde(default)]
    pub count: u64,
    /// The configured threshold that was reached.
    #[serde(default)]
    pub threshold: u64,
    /// Events in the batch, for scale.
    #[serde(default)]
    pub events_in_batch: u64,
    /// Time of the first and last matching event (event timestamps, not processing time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<DateTime<Utc>>,
    /// Alerts of this kind for this log group that this container held back during the cooldown
    /// since the last published one, and the matching events they covered.
    #[serde(default)]
    pub suppressed_alerts: u64,
    #[serde(default)]
    pub suppressed_events: u64,
    /// Brute force only: the offending sources, worst first, at most 10.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceActivity>,
    /// Sources over the threshold that did not fit in `sources`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub more_sources: u64,
    /// A few matching log lines, truncated to 500 characters and redacted.
    #[serde(default)]
    pub samples: Vec<Sample>,
    /// When the processor built the alert.
    pub generated_at: DateTime<Utc>,
}

/// Failed-login activity of one source address or host within the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceActivity {
    /// IP address or host name as logged.
    pub source: String,
    pub count: u64,
    /// Distinct user names tried, in first-seen order (at most 10).
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<DateTime<Utc>>,
}

/// One example log line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_stream: Option<String>,
    pub message: String,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_kind_and_severity_from_a_newer_producer_still_parse() {
        let doc = serde_json::json!({
            "schema": "log-processor.alert/v1",
            "kind": "disk_full",
            "severity": "apocalyptic",
            "summary": "s",
            "log_group": "/g",
            "generated_at": "2026-11-23T04:00:00Z",
            "new_field": true
        });
        let alert: Alert = serde_json::from_value(doc).unwrap();
        assert_eq!(alert.kind, AlertKind::Unknown);
        assert_eq!(alert.severity, Severity::Unknown);
        assert!(alert.sources.is_empty());
    }

    #[test]
    fn round_trips() {
        let alert = Alert {
            schema: ALERT_SCHEMA_V1.into(),
            kind: AlertKind::BruteForce,
            severity: Severity::High,
            summary: "1 source made 6 failed logins".into(),
            log_group: "/var/log/secure".into(),
            log_streams: vec!["i-0abc".into()],
            account: Some("123456789012".into()),
            region: Some("eu-west-1".into()),
            count: 6,
            threshold: 5,
            events_in_batch: 40,
            first_seen: None,
            last_seen: None,
            suppressed_alerts: 0,
            suppressed_events: 0,
            sources: vec![SourceActivity {
                source: "203.0.113.7".into(),
                count: 6,
                users: vec!["root".into()],
                first_seen: None,
                last_seen: None,
            }],
            more_sources: 0,
            samples: vec![],
            generated_at: "2026-11-23T04:00:00Z".parse().unwrap(),
        };
        let json = serde_json::to_string(&alert).unwrap();
        assert!(json.contains(r#""kind":"brute_force""#));
        let back: Alert = serde_json::from_str(&json).unwrap();
        assert_eq!(back, alert);
    }
}
