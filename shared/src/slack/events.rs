//! EventBridge events delivered through SNS (an EventBridge rule with an SNS target puts the
//! whole event in `Message`): alarm state changes, GuardDuty findings, AWS Health events,
//! Security Hub findings, job/state changes of Batch, ECS, Glue, Step Functions, CodeBuild,
//! CodePipeline, Backup, EC2 …, and any other event with a generic rendering.

use serde::Deserialize;
use serde_json::Value;

use super::alarm::{AlarmEventDetail, AlarmView};
use super::arn::{self, Arn};
use super::blocks::{Card, Tone};
use super::generic::scalar_lines;
use super::lenient::{self, value_to_f64, value_to_string};
use super::text::{esc, esc_trunc, time};

/// The EventBridge envelope.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EventEnvelope {
    #[serde(rename = "detail-type", deserialize_with = "lenient::string")]
    pub detail_type: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub source: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub account: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub region: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub time: Option<String>,
    #[serde(deserialize_with = "lenient::vec")]
    pub resources: Vec<String>,
    pub detail: Value,
}

/// Renders an EventBridge event; returns the kind name and the card.
pub fn card(v: &Value) -> (&'static str, Card) {
    let ev = EventEnvelope::deserialize(v).unwrap_or_default();
    let detail_type = ev.detail_type.clone().unwrap_or_default();
    match detail_type.as_str() {
        "CloudWatch Alarm State Change" => {
            let detail = AlarmEventDetail::deserialize(&ev.detail).unwrap_or_default();
            let view = AlarmView::from_event(
                detail,
                ev.resources.first().map(String::as_str),
                ev.account.as_deref(),
                ev.region.as_deref(),
            );
            (view.kind(), view.card())
        }
        "GuardDuty Finding" => ("guardduty_finding", guardduty(&ev)),
        "AWS Health Event" => ("aws_health_event", health(&ev)),
        "Security Hub Findings - Imported" => ("security_hub_finding", security_hub(&ev)),
        _ => match status_of(&ev.detail) {
            Some(status) => ("eventbridge_state_change", state_change(&ev, &status)),
            None => ("eventbridge_event", generic_event(&ev)),
        },
    }
}

/// Where the event happened, for the fields every event card shows.
fn location(card: &mut Card, ev: &EventEnvelope) {
    if let Some(a) = &ev.account {
        card.field("Account", esc(a));
    }
    if let Some(r) = &ev.region {
        card.field("Region", esc(r));
    }
    if let Some(t) = &ev.time {
        card.field("Time", esc(&time(t)));
    }
}

fn partition(ev: &EventEnvelope) -> String {
    ev.resources
        .iter()
        .find_map(|r| Arn::parse(r).map(|a| a.partition.to_owned()))
        .or_else(|| {
            ev.region
                .as_deref()
                .map(|r| arn::partition_of_region(r).to_owned())
        })
        .unwrap_or_else(|| "aws".to_owned())
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(value_to_string)
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

/// GuardDuty severity → label, tone, emoji. Numbers 0.1–10 (Low < 4 ≤ Medium < 7 ≤ High < 9 ≤
/// Critical); newer finding formats may send the label itself.
pub fn guardduty_severity(v: Option<&Value>) -> (String, Tone, &'static str, bool) {
    let (label, number) = match v {
        Some(v) => match value_to_f64(v) {
            Some(n) => {
                let label = if n >= 9.0 {
                    "Critical"
                } else if n >= 7.0 {
                    "High"
                } else if n >= 4.0 {
                    "Medium"
                } else {
                    "Low"
                };
                (label.to_owned(), Some(n))
            }
            None => (value_to_string(v).unwrap_or_else(|| "Unknown".into()), None),
        },
        None => ("Unknown".to_owned(), None),
    };
    let (tone, emoji, urgent) = severity_look(&label);
    let shown = match number {
        Some(n) => format!("{label} ({})", super::text::number(n)),
        None => label,
    };
    (shown, tone, emoji, urgent)
}

/// Tone, emoji and mention eligibility of a severity word.
pub fn severity_look(label: &str) -> (Tone, &'static str, bool) {
    match label.to_ascii_lowercase().as_str() {
        "critical" => (Tone::Alarm, ":rotating_light:", true),
        "high" => (Tone::Alarm, ":red_circle:", true),
        "medium" => (Tone::Warning, ":large_orange_circle:", false),
        "low" => (Tone::Info, ":large_yellow_circle:", false),
        "informational" | "info" => (Tone::Info, ":information_source:", false),
        _ => (Tone::Warning, ":grey_question:", false),
    }
}

fn guardduty(ev: &EventEnvelope) -> Card {
    let d = &ev.detail;
    let (severity, tone, emoji, urgent) = guardduty_severity(d.get("severity"));
    let title = s(d, "title").unwrap_or_else(|| "GuardDuty finding".to_owned());
    let mut card = Card::new(tone, emoji, format!("GuardDuty: {title}"));
    card.urgent = urgent;
    card.headline = Some(format!(
        "*{}* severity · {}",
        esc(&severity),
        esc_trunc(&s(d, "type").unwrap_or_default(), 300)
    ));
    card.field("Severity", esc(&severity));
    let account = s(d, "accountId").or(ev.account.clone());
    let region = s(d, "region").or(ev.region.clone());
    if let Some(a) = &account {
        card.field("Account", esc(a));
    }
    if let Some(r) = &region {
        card.field("Region", esc(r));
    }
    if let Some(t) = s(d, "type") {
        card.field("Finding type", esc_trunc(&t, 500));
    }
    let resource = at(d, &["resource", "resourceType"]).and_then(value_to_string);
    let instance = at(d, &["resource", "instanceDetails", "instanceId"]).and_then(value_to_string);
    let user = at(d, &["resource", "accessKeyDetails", "userName"]).and_then(value_to_string);
    let bucket = at(d, &["resource", "s3BucketDetails"])
        .and_then(Value::as_array)
        .and_then(|b| b.first())
        .and_then(|b| b.get("name"))
        .and_then(value_to_string);
    let target = [resource, instance, user, bucket]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    card.field("Resource", esc_trunc(&target, 500));
    if let Some(n) = at(d, &["service", "count"]).and_then(value_to_string) {
        card.field("Count", esc(&n));
    }
    if let Some(t) = at(d, &["service", "eventFirstSeen"]).and_then(value_to_string) {
        card.field("First seen", esc(&time(&t)));
    }
    if let Some(t) = at(d, &["service", "eventLastSeen"]).and_then(value_to_string) {
        card.field("Last seen", esc(&time(&t)));
    }
    if let Some(action) = at(d, &["service", "action", "actionType"]).and_then(value_to_string) {
        card.field("Action", esc(&action));
    }
    if let Some(desc) = s(d, "description") {
        card.section(esc_trunc(&desc, 3_000));
    }
    if let (Some(id), Some(region)) = (s(d, "id"), region) {
        let partition = s(d, "partition").unwrap_or_else(|| partition(ev));
        card.link(
            arn::guardduty_finding_url(&partition, &region, &id),
            "Open finding in GuardDuty",
        );
    }
    card
}

fn health(ev: &EventEnvelope) -> Card {
    let d = &ev.detail;
    let service = s(d, "service").unwrap_or_else(|| "AWS".into());
    let code = s(d, "eventTypeCode").unwrap_or_else(|| "event".into());
    let category = s(d, "eventTypeCategory").unwrap_or_default();
    let status = s(d, "statusCode").unwrap_or_default();
    let (tone, emoji) = match (category.as_str(), status.as_str()) {
        (_, "closed") => (Tone::Ok, ":large_green_circle:"),
        ("issue", _) => (Tone::Warning, ":warning:"),
        ("scheduledChange", _) => (Tone::Info, ":calendar:"),
        _ => (Tone::Info, ":information_source:"),
    };
    let mut card = Card::new(tone, emoji, format!("AWS Health: {service} {code}"));
    let mut headline = Vec::new();
    if !category.is_empty() {
        headline.push(esc(&category).into_owned());
    }
    if !status.is_empty() {
        headline.push(esc(&status).into_owned());
    }
    card.headline = (!headline.is_empty()).then(|| headline.join(" · "));
    card.field("Service", esc(&service));
    card.field("Category", esc(&category));
    card.field("Status", esc(&status));
    let region = s(d, "eventRegion").or(ev.region.clone());
    if let Some(r) = &region {
        card.field("Region", esc(r));
    }
    if let Some(a) = s(d, "affectedAccount").or(ev.account.clone()) {
        card.field("Account", esc(&a));
    }
    if let Some(t) = s(d, "startTime") {
        card.field("Start", esc(&time(&t)));
    }
    if let Some(t) = s(d, "endTime") {
        card.field("End", esc(&time(&t)));
    }
    let description = d
        .get("eventDescription")
        .and_then(Value::as_array)
        .and_then(|list| {
            list.iter()
                .find(|e| {
                    e.get("language")
                        .and_then(Value::as_str)
                        .is_some_and(|l| l.starts_with("en"))
                })
                .or(list.first())
        })
        .and_then(|e| e.get("latestDescription"))
        .and_then(value_to_string);
    if let Some(desc) = description {
        card.section(esc_trunc(&desc, 3_000));
    }
    let entities: Vec<String> = d
        .get("affectedEntities")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|e| e.get("entityValue").and_then(value_to_string))
                .collect()
        })
        .unwrap_or_default();
    if !entities.is_empty() {
        let lines: Vec<String> = entities.iter().map(|e| esc_trunc(e, 300)).collect();
        card.section(format!(
            "*Affected resources ({})*\n{}",
            entities.len(),
            super::alarm::bullet_list(&lines, 20)
        ));
    }
    if let Some(event_arn) = s(d, "eventArn") {
        let region = region.unwrap_or_else(|| "us-east-1".into());
        card.link(
            arn::health_event_url(&partition(ev), &region, &event_arn),
            "Open in AWS Health",
        );
    }
    card
}

fn security_hub(ev: &EventEnvelope) -> Card {
    let findings: Vec<&Value> = ev
        .detail
        .get("findings")
        .and_then(Value::as_array)
        .map(|f| f.iter().collect())
        .unwrap_or_default();
    let first = findings.first().copied().unwrap_or(&Value::Null);
    let label = at(first, &["Severity", "Label"])
        .and_then(value_to_string)
        .unwrap_or_else(|| "UNKNOWN".into());
    let (tone, emoji, urgent) = severity_look(&label);
    let title = s(first, "Title").unwrap_or_else(|| "Security Hub finding".into());
    let mut card = Card::new(tone, emoji, format!("Security Hub: {title}"));
    card.urgent = urgent;
    card.headline = Some(format!("*{}* severity", esc(&label)));
    card.field("Severity", esc(&label));
    if let Some(p) = s(first, "ProductName") {
        card.field("Product", esc(&p));
    }
    if let Some(a) = s(first, "AwsAccountId").or(ev.account.clone()) {
        card.field("Account", esc(&a));
    }
    if let Some(r) = s(first, "Region").or(ev.region.clone()) {
        card.field("Region", esc(&r));
    }
    if let Some(status) = at(first, &["Compliance", "Status"]).and_then(value_to_string) {
        card.field("Compliance", esc(&status));
    }
    if let Some(w) = at(first, &["Workflow", "Status"]).and_then(value_to_string) {
        card.field("Workflow", esc(&w));
    }
    let resources: Vec<String> = first
        .get("Resources")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|r| r.get("Id").and_then(value_to_string))
                .map(|id| esc_trunc(&id, 300))
                .collect()
        })
        .unwrap_or_default();
    if !resources.is_empty() {
        card.section(format!(
            "*Resources*\n{}",
            super::alarm::bullet_list(&resources, 10)
        ));
    }
    if let Some(desc) = s(first, "Description") {
        card.section(esc_trunc(&desc, 3_000));
    }
    if let Some(rec) =
        at(first, &["Remediation", "Recommendation", "Text"]).and_then(value_to_string)
    {
        card.section(format!("*Remediation*\n{}", esc_trunc(&rec, 1_500)));
    }
    if findings.len() > 1 {
        card.context(format!(
            "{} more findings in this event",
            findings.len() - 1
        ));
    }
    card
}

/// Status keys of job/state-change events across services.
const STATUS_KEYS: &[&str] = &[
    "state",
    "status",
    "lastStatus",
    "build-status",
    "currentPhase",
    "State",
    "Status",
];

fn status_of(detail: &Value) -> Option<String> {
    STATUS_KEYS
        .iter()
        .find_map(|k| detail.get(*k).and_then(value_to_string))
}

/// Tone of a job or resource status word.
fn status_look(status: &str) -> (Tone, &'static str) {
    let s = status.to_ascii_uppercase();
    if [
        "FAIL",
        "ERROR",
        "TIMED_OUT",
        "TIMEOUT",
        "ABORTED",
        "STOPPED",
        "CANCELED",
        "CANCELLED",
        "EXPIRED",
        "UNHEALTHY",
    ]
    .iter()
    .any(|w| s.contains(w))
    {
        (Tone::Alarm, ":x:")
    } else if [
        "SUCCEED",
        "SUCCESS",
        "COMPLETED",
        "HEALTHY",
        "AVAILABLE",
        "RESOLVED",
    ]
    .iter()
    .any(|w| s.contains(w))
    {
        (Tone::Ok, ":white_check_mark:")
    } else {
        (Tone::Info, ":arrows_counterclockwise:")
    }
}

/// Keys naming the thing whose state changed, best first.
const NAME_KEYS: &[&str] = &[
    "jobName",
    "name",
    "project-name",
    "pipeline",
    "stateMachineName",
    "backupVaultName",
    "clusterArn",
    "instance-id",
    "instanceId",
    "resourceArn",
    "taskArn",
    "executionArn",
    "jobId",
    "build-id",
    "execution-id",
];

fn state_change(ev: &EventEnvelope, status: &str) -> Card {
    let d = &ev.detail;
    let (tone, emoji) = status_look(status);
    let what = ev
        .detail_type
        .clone()
        .unwrap_or_else(|| "State change".into());
    let name = NAME_KEYS
        .iter()
        .find_map(|k| d.get(*k).and_then(value_to_string))
        .map(|n| short_name_if_arn(&n));
    let title = match &name {
        Some(n) => format!("{what}: {n} {status}"),
        None => format!("{what}: {status}"),
    };
    let mut card = Card::new(tone, emoji, title);
    card.headline = Some(format!(
        "*{}*{}",
        esc(status),
        ev.source
            .as_deref()
            .map(|s| format!(" · {}", esc(s)))
            .unwrap_or_default()
    ));
    card.field("Status", esc(status));
    location(&mut card, ev);
    // The reason a job stopped or failed, when the service gives one.
    let mut shown: Vec<&str> = STATUS_KEYS.to_vec();
    for key in [
        "statusReason",
        "stoppedReason",
        "errorMessage",
        "message",
        "statusMessage",
        "cause",
        "error",
    ] {
        if let Some(r) = d.get(key).and_then(value_to_string) {
            card.section(format!(
                "*{}*\n{}",
                esc(&super::text::humanize_key(key)),
                esc_trunc(&r, 2_000)
            ));
            shown.push(key);
            break;
        }
    }
    let rest: serde_json::Map<String, Value> = d
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| !shown.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let lines = scalar_lines(&Value::Object(rest), 25);
    if !lines.is_empty() {
        card.section(lines.join("\n"));
    }
    for r in ev.resources.iter().take(3) {
        card.context(esc_trunc(r, 300));
    }
    card
}

fn short_name_if_arn(s: &str) -> String {
    if s.starts_with("arn:") {
        super::text::short_name(s).to_owned()
    } else {
        s.to_owned()
    }
}

fn generic_event(ev: &EventEnvelope) -> Card {
    let what = ev
        .detail_type
        .clone()
        .unwrap_or_else(|| "EventBridge event".into());
    let mut card = Card::new(Tone::Info, ":information_source:", what);
    card.headline = ev.source.as_deref().map(|s| esc(s).into_owned());
    location(&mut card, ev);
    let lines = scalar_lines(&ev.detail, 30);
    if !lines.is_empty() {
        card.section(lines.join("\n"));
    }
    for r in ev.resources.iter().take(3) {
        card.context(esc_trunc(r, 300));
    }
    card
}
