//! Slack rendering of SNS messages: alarms, our alerts, AWS events (alarm-notifier core).
//!
//! [`envelope::notifications`] finds the SNS notifications in an invocation event;
//! [`render`] classifies one notification's `Message` and turns it into a Block Kit payload
//! with a top-level `text` fallback, inside Slack's limits, with all message text escaped.
//! Pure: no I/O, microseconds per message.
//!
//! | message | recognised by | kind |
//! |---|---|---|
//! | already a Slack payload | only Slack message keys, with `text`/`blocks`/`attachments` | `slack_payload` (posted as is) |
//! | log-processor alert | `schema` = `log-processor.alert/…` | `log_processor_alert` |
//! | CloudWatch alarm | `AlarmName` | `cloudwatch_{metric,metric_math,anomaly,composite}_alarm` |
//! | EventBridge event | `detail-type` | `eventbridge_alarm_state_change`, `guardduty_finding`, `aws_health_event`, `security_hub_finding`, `eventbridge_state_change`, `eventbridge_event` |
//! | direct alarm action | `alarmData` | `eventbridge_alarm_state_change` |
//! | AWS Backup text | subject / text / attributes | `aws_backup` |
//! | other text | not JSON | `plain_text` |
//! | other JSON | anything else | `generic_json` |

pub mod alarm;
pub mod alert;
pub mod arn;
pub mod blocks;
pub mod envelope;
pub mod events;
pub mod generic;
pub mod lenient;
pub mod plain;
pub mod text;

#[cfg(test)]
mod tests;

use serde_json::{json, Value};

pub use blocks::{RenderOptions, Rendered, Tone};
pub use envelope::{notifications, SnsNotification};

/// Renders one notification. Never fails: unknown input gets the generic rendering.
pub fn render(n: &SnsNotification, options: &RenderOptions) -> Rendered {
    let parsed = serde_json::from_str::<Value>(n.message.trim());
    // A message that is a JSON string holding JSON (double-encoded) is unwrapped once.
    let parsed = match parsed {
        Ok(Value::String(inner)) => match serde_json::from_str::<Value>(inner.trim()) {
            Ok(v @ Value::Object(_)) => Ok(v),
            _ => Ok(Value::String(inner)),
        },
        other => other,
    };
    match parsed {
        Ok(v @ Value::Object(_)) => render_object(&v, n, options),
        Ok(Value::String(s)) => {
            let text = SnsNotification {
                message: s,
                ..n.clone()
            };
            plain::text_card(&text).render("plain_text", options)
        }
        Ok(other @ (Value::Array(_) | Value::Null)) => {
            generic::card(&other, n).render("generic_json", options)
        }
        // Numbers and booleans are shown as the text they were sent as.
        Ok(_) | Err(_) => {
            if plain::is_backup(n) {
                plain::backup_card(n).render("aws_backup", options)
            } else {
                plain::text_card(n).render("plain_text", options)
            }
        }
    }
}

fn render_object(v: &Value, n: &SnsNotification, options: &RenderOptions) -> Rendered {
    if is_slack_payload(v) {
        return passthrough(v);
    }
    if alert::is_alert(v) {
        return match <crate::alert::Alert as serde::Deserialize>::deserialize(v) {
            Ok(a) => alert::card(&a).render("log_processor_alert", options),
            Err(_) => {
                let mut card = generic::card(v, n);
                card.title = "Log-processor alert (unrecognised fields)".to_owned();
                card.render("log_processor_alert", options)
            }
        };
    }
    if v.get("AlarmName").is_some() {
        let view = alarm::AlarmView::from_sns(alarm::parse_sns_alarm(v), n);
        return view.card().render(view.kind(), options);
    }
    if v.get("detail-type").is_some() {
        let (kind, card) = events::card(v);
        return card.render(kind, options);
    }
    if let Some(data) = v.get("alarmData") {
        let detail =
            <alarm::AlarmEventDetail as serde::Deserialize>::deserialize(data).unwrap_or_default();
        let view = alarm::AlarmView::from_event(
            detail,
            v.get("alarmArn").and_then(Value::as_str),
            v.get("accountId").and_then(Value::as_str),
            v.get("region").and_then(Value::as_str),
        );
        return view.card().render(view.kind(), options);
    }
    generic::card(v, n).render("generic_json", options)
}

/// Keys a Slack message payload may have.
const SLACK_KEYS: &[&str] = &[
    "text",
    "blocks",
    "attachments",
    "mrkdwn",
    "username",
    "icon_emoji",
    "icon_url",
    "channel",
    "unfurl_links",
    "unfurl_media",
    "thread_ts",
    "reply_broadcast",
    "link_names",
    "parse",
    "metadata",
];

/// A message that already is a Slack payload: only Slack keys, and something to show.
pub fn is_slack_payload(v: &Value) -> bool {
    let Some(obj) = v.as_object() else {
        return false;
    };
    let has_text = obj
        .get("text")
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty());
    let has_blocks = obj
        .get("blocks")
        .and_then(Value::as_array)
        .is_some_and(|b| !b.is_empty());
    let has_attachments = obj
        .get("attachments")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    (has_text || has_blocks || has_attachments)
        && obj.keys().all(|k| SLACK_KEYS.contains(&k.as_str()))
}

/// Posts a ready Slack payload unchanged; its plain-text fallback is its own `text`, or the
/// payload as escaped JSON text when it has none.
fn passthrough(v: &Value) -> Rendered {
    let own_text = v.get("text").and_then(Value::as_str).map(str::to_owned);
    let plain = own_text
        .clone()
        .unwrap_or_else(|| text::esc_trunc(&v.to_string(), blocks::MAX_PLAIN_CHARS));
    Rendered {
        kind: "slack_payload",
        title: own_text
            .map(|t| text::truncate(&t, 80).into_owned())
            .unwrap_or_else(|| "Slack payload".into()),
        is_ok: false,
        mentioned: false,
        payload: v.clone(),
        plain_text: plain,
    }
}

/// Normalises a configured mention: `<!here>`, `<!channel>`, `<@U123>`, `<!subteam^S123>` are
/// kept; `@here`/`here`, `@channel`/`channel`, `@everyone` become the special mentions; a bare
/// user (`U…`/`W…`) or user-group (`S…`) id is wrapped. Anything else is rejected.
pub fn normalize_mention(raw: &str) -> Result<String, String> {
    let m = raw.trim();
    let valid_id = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    let out = match m.trim_start_matches('@').to_ascii_lowercase().as_str() {
        "here" => "<!here>".to_owned(),
        "channel" => "<!channel>".to_owned(),
        "everyone" => "<!everyone>".to_owned(),
        _ if m.starts_with('<') && m.ends_with('>') => {
            let inner = &m[1..m.len() - 1];
            let ok = matches!(inner, "!here" | "!channel" | "!everyone")
                || inner.strip_prefix('@').is_some_and(valid_id)
                || inner.strip_prefix("!subteam^").is_some_and(valid_id);
            if !ok {
                return Err(format!("{m:?} is not a Slack mention (use <!here>, <!channel>, <@U123> or <!subteam^S123>)"));
            }
            m.to_owned()
        }
        _ if (m.starts_with('U') || m.starts_with('W')) && valid_id(m) => format!("<@{m}>"),
        _ if m.starts_with('S') && valid_id(m) => format!("<!subteam^{m}>"),
        _ => {
            return Err(format!(
                "{m:?} is not a Slack mention (use <!here>, <!channel>, <@U123> or <!subteam^S123>)"
            ))
        }
    };
    Ok(out)
}

/// A plain-text Slack body (`{"text": …}`) for `text` that is already mrkdwn-safe.
pub fn text_body(text: &str) -> String {
    json!({ "text": text }).to_string()
}
