//! Messages that are not JSON: AWS Backup notifications and any other free text.

use super::blocks::{Card, Tone, MAX_SECTION_CHARS};
use super::envelope::SnsNotification;
use super::text::{esc, esc_trunc, short_name};

/// AWS Backup writes `Subject: Notification from AWS Backup` and sentences such as
/// "An AWS Backup job was completed successfully. Recovery point ARN: … Resource ARN : …".
pub fn is_backup(n: &SnsNotification) -> bool {
    n.subject
        .as_deref()
        .is_some_and(|s| s.contains("AWS Backup"))
        || n.message.trim_start().starts_with("An AWS Backup job")
        || n.attribute("EventType").is_some_and(|t| {
            t.starts_with("BACKUP_") || t.starts_with("RESTORE_") || t.starts_with("COPY_")
        })
}

pub fn backup_card(n: &SnsNotification) -> Card {
    let text = n.message.trim();
    let state = n.attribute("State").map(str::to_owned);
    let lower = text.to_ascii_lowercase();
    let failed = state.as_deref().is_some_and(|s| {
        let s = s.to_ascii_uppercase();
        s.contains("FAIL") || s.contains("ABORT") || s.contains("EXPIRED")
    }) || lower.contains("failed")
        || lower.contains("aborted")
        || lower.contains("expired");
    let ok = !failed
        && (lower.contains("completed successfully") || state.as_deref() == Some("COMPLETED"));
    let (tone, emoji) = if failed {
        (Tone::Alarm, ":x:")
    } else if ok {
        (Tone::Ok, ":white_check_mark:")
    } else {
        (Tone::Info, ":floppy_disk:")
    };
    let event = n
        .attribute("EventType")
        .map(|e| e.replace('_', " ").to_ascii_lowercase());
    let title = match (&event, &state) {
        (Some(e), Some(s)) => format!("AWS Backup: {e} {}", s.to_ascii_lowercase()),
        _ => format!("AWS Backup: {}", first_sentence(text)),
    };
    let mut card = Card::new(tone, emoji, title);
    card.headline = Some(esc_trunc(first_sentence(text), 500));
    if let Some(a) = n.attribute("AccountId") {
        card.field("Account", esc(a));
    }
    if let Some(id) = n.attribute("Id") {
        card.field("Job", esc(id));
    }
    if let Some(t) = n.attribute("StartTime") {
        card.field("Started", esc(&super::text::time(t)));
    }
    // "Key : value." pairs of the text as fields.
    for part in text.split(". ").skip(1) {
        if let Some((k, v)) = part.split_once(':') {
            let (k, v) = (k.trim(), v.trim().trim_end_matches('.'));
            if !k.is_empty() && k.len() <= 40 && !v.is_empty() {
                card.field(k, esc_trunc(v, 500));
            }
        }
    }
    card.section(esc_trunc(text, MAX_SECTION_CHARS));
    topic_context(&mut card, n);
    card
}

fn first_sentence(text: &str) -> &str {
    let end = text.find(". ").map(|i| i + 1).unwrap_or(text.len());
    text[..end].trim()
}

/// Any other text: the subject as title, the text in sections (split so long text is kept up
/// to the message budget rather than cut at 3,000 characters).
pub fn text_card(n: &SnsNotification) -> Card {
    let title = n
        .subject
        .clone()
        .or_else(|| {
            n.topic_arn
                .as_deref()
                .map(|t| format!("Message from {}", short_name(t)))
        })
        .unwrap_or_else(|| "SNS message".to_owned());
    let mut card = Card::new(Tone::Info, ":envelope:", title);
    let escaped = esc(n.message.trim()).into_owned();
    if escaped.is_empty() {
        card.section("_(empty message)_");
    }
    let mut rest = escaped.as_str();
    while !rest.is_empty() {
        let cut = split_point(rest, MAX_SECTION_CHARS - 10);
        card.section(rest[..cut].to_owned());
        rest = &rest[cut..];
    }
    topic_context(&mut card, n);
    card
}

/// Byte index at or before `max_chars` characters, preferring a line break, never inside an
/// entity.
fn split_point(s: &str, max_chars: usize) -> usize {
    let Some((limit, _)) = s.char_indices().nth(max_chars) else {
        return s.len();
    };
    let head = &s[..limit];
    let mut cut = head
        .rfind('\n')
        .filter(|i| *i > limit / 2)
        .map(|i| i + 1)
        .unwrap_or(limit);
    if let Some(amp) = s[..cut].rfind('&') {
        if !s[amp..cut].contains(';') {
            cut = amp;
        }
    }
    cut.max(1)
}

fn topic_context(card: &mut Card, n: &SnsNotification) {
    if let Some(topic) = &n.topic_arn {
        card.context(format!("via {}", esc(topic)));
    }
}
