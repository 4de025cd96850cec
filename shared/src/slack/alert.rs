//! Our own log-processor alerts (schema `log-processor.alert/v1`, see [`crate::alert`]).

use crate::alert::{Alert, AlertKind, Severity};

use super::arn;
use super::blocks::{Card, Tone};
use super::text::{esc, esc_trunc, plural, url_encode};

/// True when the JSON document claims to be one of our alerts (any version).
pub fn is_alert(v: &serde_json::Value) -> bool {
    v.get("schema")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|s| s.starts_with("log-processor.alert/"))
}

fn severity_look(s: Severity) -> (Tone, &'static str, bool) {
    match s {
        Severity::Critical => (Tone::Alarm, ":rotating_light:", true),
        Severity::High => (Tone::Alarm, ":red_circle:", true),
        Severity::Medium => (Tone::Warning, ":large_orange_circle:", false),
        Severity::Low => (Tone::Info, ":large_yellow_circle:", false),
        Severity::Info => (Tone::Info, ":information_source:", false),
        Severity::Unknown => (Tone::Warning, ":grey_question:", false),
    }
}

/// Console link to the log group (the console double-encodes the name with `$25`).
fn log_group_url(region: &str, log_group: &str) -> String {
    let partition = arn::partition_of_region(region);
    format!(
        "{}/cloudwatch/home?region={region}#logsV2:log-groups/log-group/{}",
        arn::console_origin(partition, region),
        url_encode(log_group).replace('%', "$25")
    )
}

pub fn card(a: &Alert) -> Card {
    let (tone, emoji, urgent) = severity_look(a.severity);
    let what = match a.kind {
        AlertKind::BruteForce => "Brute force",
        AlertKind::ErrorBurst => "Error burst",
        AlertKind::Unknown => "Log alert",
    };
    let title = if a.log_group.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {}", a.log_group)
    };
    let mut card = Card::new(tone, emoji, title);
    card.urgent = urgent;
    if !a.summary.trim().is_empty() {
        card.headline = Some(esc_trunc(&a.summary, 1_000));
    }
    card.field("Severity", esc(a.severity.as_str()));
    let counted = match a.kind {
        AlertKind::BruteForce => format!("{} failed logins", a.count),
        AlertKind::ErrorBurst => plural(a.count, "error"),
        AlertKind::Unknown => format!("{} events", a.count),
    };
    card.field(
        "Count",
        format!("{} (threshold {})", esc(&counted), a.threshold),
    );
    if a.events_in_batch > 0 {
        card.field("Events in batch", a.events_in_batch.to_string());
    }
    if let Some(acct) = &a.account {
        card.field("Account", esc(acct));
    }
    if let Some(r) = &a.region {
        card.field("Region", esc(r));
    }
    if let Some(t) = a.first_seen {
        card.field("First seen", t.format("%Y-%m-%d %H:%M:%S UTC").to_string());
    }
    if let Some(t) = a.last_seen {
        card.field("Last seen", t.format("%Y-%m-%d %H:%M:%S UTC").to_string());
    }
    if !a.log_streams.is_empty() {
        let mut s = a
            .log_streams
            .iter()
            .take(5)
            .map(|s| esc_trunc(s, 200))
            .collect::<Vec<_>>()
            .join("\n");
        if a.log_streams.len() > 5 {
            s.push_str(&format!("\n… and {} more", a.log_streams.len() - 5));
        }
        card.field("Log streams", s);
    }
    if a.suppressed_alerts > 0 || a.suppressed_events > 0 {
        card.field(
            "Held back (cooldown)",
            format!(
                "{} / {} events",
                plural(a.suppressed_alerts, "alert"),
                a.suppressed_events
            ),
        );
    }
    if !a.sources.is_empty() {
        let mut lines: Vec<String> = a
            .sources
            .iter()
            .map(|s| {
                let mut l = format!(
                    "• {} — {}",
                    esc_trunc(&s.source, 200),
                    plural(s.count, "attempt")
                );
                if !s.users.is_empty() {
                    let users = s
                        .users
                        .iter()
                        .take(10)
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ");
                    l.push_str(&format!(", users {}", esc_trunc(&users, 400)));
                }
                l
            })
            .collect();
        if a.more_sources > 0 {
            lines.push(format!(
                "… and {} more sources over the threshold",
                a.more_sources
            ));
        }
        card.section(format!("*Sources*\n{}", lines.join("\n")));
    }
    if !a.samples.is_empty() {
        let lines: Vec<String> = a
            .samples
            .iter()
            .take(5)
            .map(|s| {
                let mut prefix = String::new();
                if let Some(t) = s.timestamp {
                    prefix.push_str(&t.format("%H:%M:%S ").to_string());
                }
                if let Some(stream) = &s.log_stream {
                    prefix.push_str(&format!("{} ", esc_trunc(stream, 100)));
                }
                format!(
                    "&gt; {prefix}{}",
                    esc_trunc(&s.message.replace('\n', " "), 500)
                )
            })
            .collect();
        card.section(format!("*Sample lines*\n{}", lines.join("\n")));
    }
    if let (Some(region), false) = (&a.region, a.log_group.is_empty()) {
        if arn::looks_like_region(region) {
            card.link(log_group_url(region, &a.log_group), "Open log group");
        }
    }
    card.context(format!(
        "log-processor alert · {} · generated {}",
        esc(a.kind.as_str()),
        a.generated_at.format("%Y-%m-%d %H:%M:%S UTC")
    ));
    card
}
