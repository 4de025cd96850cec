//! Readable rendering of any JSON message nobody told us about: its scalar values as
//! `key.path: value` lines. Never fails, never drops the message.

use serde_json::Value;

use super::blocks::{Card, Tone};
use super::envelope::SnsNotification;
use super::text::{esc, esc_trunc};

/// Up to `max` lines `*key.path*: value` (escaped) for the scalars in `v`, depth first, then a
/// "… N more values" line.
pub fn scalar_lines(v: &Value, max: usize) -> Vec<String> {
    let mut all = Vec::new();
    collect(v, String::new(), 0, &mut all);
    let total = all.len();
    let mut lines: Vec<String> = all
        .into_iter()
        .take(max)
        .map(|(k, v)| {
            if k.is_empty() {
                esc_trunc(&v, 500)
            } else {
                format!("*{}*: {}", esc_trunc(&k, 150), esc_trunc(&v, 500))
            }
        })
        .collect();
    if total > max {
        lines.push(format!("… {} more values", total - max));
    }
    lines
}

fn collect(v: &Value, path: String, depth: usize, out: &mut Vec<(String, String)>) {
    // Bounded so a pathological document cannot make rendering slow.
    if out.len() > 1_000 {
        return;
    }
    match v {
        Value::Object(map) => {
            if depth > 8 {
                out.push((path, "{…}".into()));
                return;
            }
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                collect(v, p, depth + 1, out);
            }
        }
        Value::Array(items) => {
            if items.iter().all(|i| !i.is_object() && !i.is_array()) {
                let joined = items.iter().map(scalar_text).collect::<Vec<_>>().join(", ");
                if !joined.is_empty() {
                    out.push((path, joined));
                }
            } else if depth > 8 {
                out.push((path, "[…]".into()));
            } else {
                for (i, item) in items.iter().enumerate() {
                    collect(item, format!("{path}[{i}]"), depth + 1, out);
                }
            }
        }
        Value::Null => {}
        scalar => {
            let t = scalar_text(scalar);
            if !t.is_empty() {
                out.push((path, t));
            }
        }
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A card for unrecognised JSON.
pub fn card(v: &Value, n: &SnsNotification) -> Card {
    let title = n
        .subject
        .clone()
        .or_else(|| {
            n.topic_arn
                .as_deref()
                .map(|t| format!("Notification from {}", super::text::short_name(t)))
        })
        .unwrap_or_else(|| "Notification".to_owned());
    let mut card = Card::new(Tone::Info, ":information_source:", title);
    let lines = scalar_lines(v, 40);
    if lines.is_empty() {
        card.section("_(empty message)_");
    } else {
        card.section(lines.join("\n"));
    }
    if let Some(topic) = &n.topic_arn {
        card.context(format!("via {}", esc(topic)));
    }
    card
}
