//! Alert building (brute force, error burst), SNS subject/attributes, and the per-container
//! cooldown.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::aggregate::{GroupSummary, PendingSample, MAX_ERROR_SAMPLES};
use super::redact::truncate_chars;
use crate::alert::{Alert, AlertKind, Severity, SourceActivity, ALERT_SCHEMA_V1};

/// Sources listed in a brute-force alert.
pub const MAX_ALERT_SOURCES: usize = 10;
/// SNS `Subject` limit.
pub const MAX_SUBJECT_CHARS: usize = 100;

pub const DEFAULT_FAILED_LOGIN_THRESHOLD: u64 = 5;
pub const DEFAULT_ERROR_ALERT_THRESHOLD: u64 = 10;
pub const DEFAULT_ALERT_COOLDOWN_SECONDS: u64 = 300;

/// Thresholds and context for alert building.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertPolicy {
    /// Failed logins from one source in one invocation that make a brute-force alert.
    pub failed_login_threshold: u64,
    /// Errors in one log group in one invocation that make an error-burst alert.
    pub error_threshold: u64,
    /// Region code put into alerts (`AWS_REGION`).
    pub region: Option<String>,
}

impl Default for AlertPolicy {
    fn default() -> Self {
        AlertPolicy {
            failed_login_threshold: DEFAULT_FAILED_LOGIN_THRESHOLD,
            error_threshold: DEFAULT_ERROR_ALERT_THRESHOLD,
            region: None,
        }
    }
}

fn time(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::<Utc>::from_timestamp_millis)
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The alerts one log group's batch calls for (before cooldown), brute force first.
pub fn build_alerts(group: &GroupSummary, policy: &AlertPolicy, now: DateTime<Utc>) -> Vec<Alert> {
    let mut alerts = Vec::new();
    if let Some(a) = brute_force(group, policy, now) {
        alerts.push(a);
    }
    if let Some(a) = error_burst(group, policy, now) {
        alerts.push(a);
    }
    alerts
}

fn base(
    group: &GroupSummary,
    kind: AlertKind,
    severity: Severity,
    policy: &AlertPolicy,
    now: DateTime<Utc>,
) -> Alert {
    Alert {
        schema: ALERT_SCHEMA_V1.to_owned(),
        kind,
        severity,
        summary: String::new(),
        log_group: group.log_group.clone(),
        log_streams: group.log_streams.clone(),
        account: Some(group.owner.clone()).filter(|o| !o.is_empty()),
        region: policy.region.clone(),
        count: 0,
        threshold: 0,
        events_in_batch: group.counts.events,
        first_seen: None,
        last_seen: None,
        suppressed_alerts: 0,
        suppressed_events: 0,
        sources: Vec::new(),
        more_sources: 0,
        samples: Vec::new(),
        generated_at: now,
    }
}

fn brute_force(group: &GroupSummary, policy: &AlertPolicy, now: DateTime<Utc>) -> Option<Alert> {
    let threshold = policy.failed_login_threshold.max(1);
    let offenders = group.offending_sources(threshold);
    if offenders.is_empty() {
        return None;
    }
    let total: u64 = offenders.iter().map(|(_, s)| s.count).sum();
    let worst = offenders[0].1.count;
    // Ten times the threshold from one address, or many addresses at once, is an active attack.
    let severity = if worst >= threshold.saturating_mul(10) || offenders.len() >= 10 {
        Severity::Critical
    } else {
        Severity::High
    };
    let mut alert = base(group, AlertKind::BruteForce, severity, policy, now);
    alert.count = total;
    alert.threshold = threshold;
    alert.first_seen = time(offenders.iter().filter_map(|(_, s)| s.first_ms).min());
    alert.last_seen = time(offenders.iter().filter_map(|(_, s)| s.last_ms).max());
    alert.more_sources = offenders.len().saturating_sub(MAX_ALERT_SOURCES) as u64;
    alert.sources = offenders
        .iter()
        .take(MAX_ALERT_SOURCES)
        .map(|(source, s)| SourceActivity {
            source: (*source).to_owned(),
            count: s.count,
            users: s.users.clone(),
            first_seen: time(s.first_ms),
            last_seen: time(s.last_ms),
        })
        .collect();
    alert.samples = offenders
        .iter()
        .filter_map(|(_, s)| s.sample.as_ref())
        .take(MAX_ERROR_SAMPLES)
        .map(PendingSample::redacted)
        .collect();
    let (top, top_stats) = offenders[0];
    let users = if top_stats.users.is_empty() {
        String::new()
    } else {
        format!(
            ", users {}",
            top_stats
                .users
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    alert.summary = format!(
        "{} made {} in {} (threshold {} per source); top {} ({}{}).",
        plural(offenders.len() as u64, "source", "sources"),
        plural(total, "failed login", "failed logins"),
        group.log_group,
        threshold,
        top,
        top_stats.count,
        users,
    );
    Some(alert)
}

fn error_burst(group: &GroupSummary, policy: &AlertPolicy, now: DateTime<Utc>) -> Option<Alert> {
    let threshold = policy.error_threshold.max(1);
    let errors = group.counts.errors;
    if errors < threshold {
        return None;
    }
    let severity = if errors >= threshold.saturating_mul(10) {
        Severity::High
    } else {
        Severity::Medium
    };
    let mut alert = base(group, AlertKind::ErrorBurst, severity, policy, now);
    alert.count = errors;
    alert.threshold = threshold;
    alert.first_seen = time(group.first_error_ms);
    alert.last_seen = time(group.last_error_ms);
    alert.samples = group
        .error_samples
        .iter()
        .take(MAX_ERROR_SAMPLES)
        .cloned()
        .collect();
    let http = if group.counts.http_5xx > 0 {
        format!(", {} of them HTTP 5xx", group.counts.http_5xx)
    } else {
        String::new()
    };
    alert.summary = format!(
        "{} among {} in {} in one batch (threshold {}){}.",
        plural(errors, "error", "errors"),
        plural(group.counts.events, "event", "events"),
        group.log_group,
        threshold,
        http,
    );
    Some(alert)
}

/// SNS `Subject`: at most 100 characters, no control characters.
pub fn subject(alert: &Alert) -> String {
    let what = match alert.kind {
        AlertKind::BruteForce => format!(
            "Brute force: {} failed logins from {}",
            alert.count,
            plural(
                alert.sources.len() as u64 + alert.more_sources,
                "source",
                "sources"
            )
        ),
        AlertKind::ErrorBurst => format!("Error burst: {} errors", alert.count),
        AlertKind::Unknown => "Alert".to_owned(),
    };
    let text = format!(
        "[{}] {} in {}",
        alert.severity.as_str().to_ascii_uppercase(),
        what,
        alert.log_group
    );
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    truncate_chars(&clean, MAX_SUBJECT_CHARS)
}

/// SNS message attributes for filter policies: `kind`, `severity`, `log_group`.
pub fn message_attributes(alert: &Alert) -> [(&'static str, String); 3] {
    [
        ("kind", alert.kind.as_str().to_owned()),
        ("severity", alert.severity.as_str().to_owned()),
        ("log_group", alert.log_group.clone()),
    ]
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct CooldownEntry {
    last_published: DateTime<Utc>,
    suppressed_alerts: u64,
    suppressed_events: u64,
}

/// Per-container memory of recently sent alerts, keyed by (log group, kind). A warm container
/// holds back repeats within the cooldown and reports how many it held back in the next alert.
/// (Each concurrent container has its own memory; the cooldown is best effort, not global.)
#[derive(Debug, Clone, Default)]
pub struct Cooldown {
    period: Duration,
    entries: HashMap<(String, AlertKind), CooldownEntry>,
}

fn within_period(entry: &CooldownEntry, period: Duration, now: DateTime<Utc>) -> bool {
    match entry.last_published.checked_add_signed(period) {
        Some(until) => now < until,
        None => true,
    }
}

/// What to do with an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CooldownDecision {
    /// Send it (its `suppressed_*` fields were filled in).
    Send,
    /// Held back; counted for the next one.
    Suppress,
}

impl Cooldown {
    pub fn new(period_seconds: u64) -> Self {
        Cooldown {
            period: i64::try_from(period_seconds)
                .ok()
                .and_then(Duration::try_seconds)
                .unwrap_or(Duration::MAX),
            entries: HashMap::new(),
        }
    }

    /// Decides whether `alert` goes out at `now`. On `Send` the alert's `suppressed_alerts` /
    /// `suppressed_events` report what was held back since the last sent alert; call
    /// [`Cooldown::sent`] once it was delivered. On `Suppress` the alert is counted.
    pub fn check(&mut self, alert: &mut Alert, now: DateTime<Utc>) -> CooldownDecision {
        let key = (alert.log_group.clone(), alert.kind);
        match self.entries.get_mut(&key) {
            Some(entry) if within_period(entry, self.period, now) => {
                entry.suppressed_alerts += 1;
                entry.suppressed_events += alert.count;
                CooldownDecision::Suppress
            }
            Some(entry) => {
                alert.suppressed_alerts = entry.suppressed_alerts;
                alert.suppressed_events = entry.suppressed_events;
                CooldownDecision::Send
            }
            None => CooldownDecision::Send,
        }
    }

    /// Records that `alert` was delivered at `now`: starts a new cooldown period and clears the
    /// suppressed counters it reported.
    pub fn sent(&mut self, alert: &Alert, now: DateTime<Utc>) {
        let key = (alert.log_group.clone(), alert.kind);
        let entry = self.entries.entry(key).or_insert(CooldownEntry {
            last_published: now,
            suppressed_alerts: 0,
            suppressed_events: 0,
        });
        entry.last_published = now;
        entry.suppressed_alerts = entry
            .suppressed_alerts
            .saturating_sub(alert.suppressed_alerts);
        entry.suppressed_events = entry
            .suppressed_events
            .saturating_sub(alert.suppressed_events);
        // Bound memory in a long-lived container that sees very many log groups.
        if self.entries.len() > 10_000 {
            let period = self.period;
            self.entries.retain(|_, e| within_period(e, period, now));
        }
    }
}
